//! Typed match modules (`-m NAME …`) and their values.

use std::fmt;

use super::PortSpec;

/// A value that may be negated with `!`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Negated<T> {
    /// Whether `!` precedes the option.
    pub negated: bool,
    /// The value.
    pub value: T,
}

impl<T> Negated<T> {
    /// The value, not negated.
    pub fn plain(value: T) -> Self {
        Self { negated: false, value }
    }
}

/// A network interface name as iptables accepts it: 1 to 15 bytes (the kernel's `IFNAMSIZ` is 16
/// including the terminating NUL); a trailing `+` matches every interface with that prefix.
/// iptables checks nothing else, so neither does this type (a lint may).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interface(String);

/// Why a string is not an interface name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceError {
    name: String,
}

impl fmt::Display for InterfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an interface name: use 1 to 15 bytes", self.name)
    }
}

impl std::error::Error for InterfaceError {}

impl Interface {
    /// Validates `name` (the kernel's `IFNAMSIZ` is 16 including the terminating NUL).
    ///
    /// # Errors
    /// When `name` is empty, longer than 15 bytes, or holds a NUL or newline.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::Interface;
    /// assert!(Interface::new("lo").is_ok());
    /// assert!(Interface::new("eth+").is_ok());
    /// assert!(Interface::new("a very long name").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, InterfaceError> {
        let valid = !name.is_empty() && name.len() <= 15 && !name.contains(['\0', '\n']);
        if valid {
            Ok(Self(name.to_owned()))
        } else {
            Err(InterfaceError { name: name.to_owned() })
        }
    }

    /// The loopback interface, `lo`.
    pub fn loopback() -> Self {
        Self("lo".to_owned())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A connection-tracking state, in the order `iptables-save` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum ConnState {
    /// The packet is not part of a known connection.
    Invalid,
    /// The packet starts a new connection.
    New,
    /// The packet starts a connection related to a known one (an ICMP error, FTP data).
    Related,
    /// The packet belongs to a connection that has seen traffic both ways.
    Established,
    /// The packet is exempt from tracking (raw table `NOTRACK`).
    Untracked,
    /// The connection's source address was rewritten (`-m conntrack` only).
    Snat,
    /// The connection's destination address was rewritten (`-m conntrack` only).
    Dnat,
}

impl ConnState {
    /// The upper-case name iptables uses.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnState::Invalid => "INVALID",
            ConnState::New => "NEW",
            ConnState::Related => "RELATED",
            ConnState::Established => "ESTABLISHED",
            ConnState::Untracked => "UNTRACKED",
            ConnState::Snat => "SNAT",
            ConnState::Dnat => "DNAT",
        }
    }

    /// The state called `name` (any case).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Invalid, Self::New, Self::Related, Self::Established, Self::Untracked, Self::Snat, Self::Dnat]
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(name))
    }
}

/// A non-empty set of connection-tracking states, printed in the kernel's order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConnStates(Vec<ConnState>);

impl ConnStates {
    /// The set of `states`, or `None` when empty (iptables needs at least one).
    pub fn new(states: impl IntoIterator<Item = ConnState>) -> Option<Self> {
        let mut states: Vec<ConnState> = states.into_iter().collect();
        states.sort_unstable();
        states.dedup();
        (!states.is_empty()).then_some(Self(states))
    }

    /// The states, sorted.
    pub fn states(&self) -> &[ConnState] {
        &self.0
    }

    /// Whether `state` is in the set.
    pub fn contains(&self, state: ConnState) -> bool {
        self.0.contains(&state)
    }
}

impl fmt::Display for ConnStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|state| state.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

/// A set of TCP flags: the six classic ones, which `--tcp-flags` can name, and for packets also
/// ECE and CWR (ECN, RFC 3168), which real packets carry and no iptables mask can test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct TcpFlags(u8);

const TCP_FLAG_NAMES: [(&str, u8); 8] =
    [("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20), ("ECE", 0x40), ("CWR", 0x80)];

/// The six flags `--tcp-flags` can name (`ALL`).
const RULE_FLAG_BITS: u8 = 0x3f;

impl TcpFlags {
    /// FIN, SYN, RST, ACK: the mask of `--syn`.
    pub const SYN_MASK: TcpFlags = TcpFlags(0x17);
    /// SYN alone.
    pub const SYN: TcpFlags = TcpFlags(0x02);

    /// The flags in the low six bits of `bits`.
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits & RULE_FLAG_BITS)
    }

    /// A packet's flags: all eight bits (FIN = 1 … URG = 32, ECE = 64, CWR = 128).
    pub const fn from_packet_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// The flags as bits (FIN = 1 … URG = 32; a packet's ECE = 64, CWR = 128).
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Reads a `--tcp-flags` list: comma-separated `FIN`, `SYN`, `RST`, `PSH`, `ACK`, `URG`, `ALL`
    /// (the six), `NONE`.
    ///
    /// # Errors
    /// The first unknown flag name.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_names(text, &TCP_FLAG_NAMES[..6]).map_err(|name| format!("unknown TCP flag `{name}` (FIN, SYN, RST, PSH, ACK, URG, ALL, NONE)"))
    }

    /// Reads a packet's flags: as [`TcpFlags::parse`], and `ECE`, `CWR` too.
    ///
    /// # Errors
    /// The first unknown flag name.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::TcpFlags;
    /// assert_eq!(TcpFlags::parse_packet("syn,ece,cwr").unwrap().bits(), 0xc2);
    /// assert!(TcpFlags::parse("syn,ece").is_err(), "no iptables mask names ECE");
    /// ```
    pub fn parse_packet(text: &str) -> Result<Self, String> {
        Self::parse_names(text, &TCP_FLAG_NAMES)
            .map_err(|name| format!("unknown TCP flag `{name}` (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, ALL, NONE)"))
    }

    /// The flags of a comma-separated list of `names`, `ALL` and `NONE`; the first unknown name.
    fn parse_names<'t>(text: &'t str, names: &[(&str, u8)]) -> Result<Self, &'t str> {
        let mut bits = 0;
        for name in text.split(',') {
            bits |= match name.to_ascii_uppercase().as_str() {
                "ALL" => RULE_FLAG_BITS,
                "NONE" => 0,
                upper => names.iter().find(|(flag, _)| *flag == upper).map(|(_, bit)| *bit).ok_or(name)?,
            };
        }
        Ok(Self(bits))
    }
}

impl fmt::Display for TcpFlags {
    /// As `iptables-save` prints them: names in FIN…URG order, or `NONE`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> =
            TCP_FLAG_NAMES.iter().filter(|(_, bit)| self.0 & bit != 0).map(|(name, _)| *name).collect();
        if names.is_empty() {
            f.write_str("NONE")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

/// An ICMP or `ICMPv6` type with an optional code; `None` type means `any`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcmpType {
    /// The message type, or `None` for every type.
    pub icmp_type: Option<u8>,
    /// The code, or `None` for every code.
    pub code: Option<u8>,
}

impl fmt::Display for IcmpType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.icmp_type, self.code) {
            (None, _) => f.write_str("any"),
            (Some(icmp_type), None) => write!(f, "{icmp_type}"),
            (Some(icmp_type), Some(code)) => write!(f, "{icmp_type}/{code}"),
        }
    }
}

/// Which ports `-m multiport` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortDirection {
    /// `--sports`: the source port.
    Source,
    /// `--dports`: the destination port.
    Destination,
    /// `--ports`: either port.
    Either,
}

/// A rate for `-m limit`, stored as iptables does: the average interval between packets in
/// units of 1/10000 s (`XT_LIMIT_SCALE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    interval: u32,
}

/// Rate units as iptables prints them, largest first, with their length in seconds.
const RATE_UNITS: [(&str, u64); 4] = [("day", 86_400), ("hour", 3600), ("min", 60), ("sec", 1)];

/// Splits `N[/unit]` as `libxt_limit.c` and `libxt_hashlimit.c` read it: the unit is any prefix of
/// second, minute, hour or day (any case), per second by default; `N` is the leading digits.
/// Returns `(N, unit length in seconds)`.
pub(crate) fn rate_parts(text: &str) -> Result<(u64, u64), String> {
    let (count, unit) = text.split_once('/').map_or((text, None), |(count, unit)| (count, Some(unit)));
    let seconds = match unit.map(str::to_ascii_lowercase) {
        None => 1,
        Some(unit) if unit.is_empty() => return Err(format!("bad rate `{text}`: the unit is missing")),
        Some(unit) if "second".starts_with(&unit) => 1,
        Some(unit) if "minute".starts_with(&unit) => 60,
        Some(unit) if "hour".starts_with(&unit) => 3600,
        Some(unit) if "day".starts_with(&unit) => 86_400,
        Some(_) => return Err(format!("bad rate `{text}` (use N/sec, N/min, N/hour or N/day)")),
    };
    // atoi: the leading digits.
    let digits: String = count.chars().take_while(char::is_ascii_digit).collect();
    match digits.parse::<u64>() {
        Ok(count) if count > 0 => Ok((count, seconds)),
        _ => Err(format!("bad rate `{text}` (use N/sec, N/min, N/hour or N/day with N > 0)")),
    }
}

/// The unit iptables prints an interval of `period` (in 1/`scale` s) in — the largest that is
/// exact enough, as `print_rate` picks it — with its length in seconds.
pub(crate) fn printed_rate_unit(period: u64, scale: u64) -> (&'static str, u64) {
    for pair in RATE_UNITS.windows(2) {
        let mult = pair[1].1 * scale;
        if period > mult || mult / period < mult % period {
            return pair[0];
        }
    }
    RATE_UNITS[RATE_UNITS.len() - 1]
}

impl Rate {
    /// Reads `N[/unit]` as `libxt_limit.c` `parse_rate` does: the unit is any prefix of second,
    /// minute, hour or day (any case), per second by default.
    ///
    /// # Errors
    /// When the text is not a rate iptables accepts.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::Rate;
    /// assert_eq!(Rate::parse("60/minute").unwrap().to_string(), "1/sec");
    /// assert_eq!(Rate::parse("5/m").unwrap().to_string(), "5/min");
    /// assert!(Rate::parse("20000/s").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, String> {
        let (count, seconds) = rate_parts(text)?;
        Self::of(count, seconds).ok_or_else(|| format!("rate `{text}` is too fast (at most 10000/sec)"))
    }

    /// `count` packets per `seconds` seconds; `None` when `count` is 0 or the rate is faster
    /// than iptables allows (10000/sec).
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::Rate;
    /// assert_eq!(Rate::per(5, 60), Rate::parse("5/min").ok());
    /// assert_eq!(Rate::per(20_000, 1), None);
    /// ```
    pub fn per(count: u32, seconds: u32) -> Option<Self> {
        Self::of(count.into(), seconds.into())
    }

    fn of(count: u64, seconds: u64) -> Option<Self> {
        let interval = u32::try_from(10_000 * seconds / count.max(1)).unwrap_or(u32::MAX);
        (count > 0 && interval > 0).then_some(Self { interval })
    }

    /// The average interval between packets, in 1/10000 s.
    pub fn interval(self) -> u32 {
        self.interval
    }
}

impl fmt::Display for Rate {
    /// As `libxt_limit.c` `print_rate` prints it: the largest unit that is exact enough.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = u64::from(self.interval);
        let (name, seconds) = printed_rate_unit(period, 10_000);
        write!(f, "{}/{name}", seconds * 10_000 / period)
    }
}

/// One `-m NAME …` match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Module {
    /// `-m tcp`: ports, flags, options.
    Tcp {
        /// `--sport`
        source_port: Option<Negated<PortSpec>>,
        /// `--dport`
        destination_port: Option<Negated<PortSpec>>,
        /// `--tcp-flags MASK SET` (and `--syn`)
        flags: Option<Negated<(TcpFlags, TcpFlags)>>,
        /// `--tcp-option N`
        option: Option<Negated<u8>>,
    },
    /// `-m udp`: ports.
    Udp {
        /// `--sport`
        source_port: Option<Negated<PortSpec>>,
        /// `--dport`
        destination_port: Option<Negated<PortSpec>>,
    },
    /// `-m multiport --sports|--dports|--ports LIST`.
    Multiport {
        /// Which port(s) are compared.
        direction: PortDirection,
        /// The ports and ranges (at most 15 entries, ranges counting two).
        ports: Negated<Vec<PortSpec>>,
    },
    /// `-m icmp --icmp-type`.
    Icmp(Negated<IcmpType>),
    /// `-m icmp6 --icmpv6-type`.
    Icmp6(Negated<IcmpType>),
    /// `-m conntrack`: state, original/reply addresses and ports, status, expiry, direction.
    ConnTrack(super::ConnTrack),
    /// `-m state --state` (deprecated spelling of conntrack's ctstate).
    State(Negated<ConnStates>),
    /// `-m limit --limit RATE --limit-burst N`.
    Limit {
        /// Average rate.
        rate: Rate,
        /// Burst (default 5).
        burst: u32,
    },
    /// `-m comment --comment TEXT`.
    Comment(String),
    /// `-m recent`: named lists of recently seen addresses.
    Recent(super::Recent),
    /// `-m hashlimit`: rate limits per address or port.
    Hashlimit(super::Hashlimit),
    /// `-m connlimit`: connection counts per address.
    Connlimit(super::Connlimit),
    /// `-m iprange`: address ranges.
    IpRange(super::IpRange),
    /// `-m mac --mac-source`.
    Mac(Negated<super::MacAddress>),
    /// `-m addrtype`: routing address types.
    AddrType(super::AddrType),
    /// `-m mark --mark`: the packet's firewall mark.
    Mark(Negated<super::MarkValue>),
    /// `-m connmark --mark`: the connection's mark.
    ConnMark(Negated<super::MarkValue>),
    /// `-m length --length`: the packet's length.
    Length(Negated<super::LengthRange>),
    /// `-m ttl` (IPv4 time to live).
    Ttl(super::TtlMatch),
    /// `-m hl` (IPv6 hop limit).
    HopLimit(super::TtlMatch),
    /// `-m pkttype --pkt-type`.
    PacketType(Negated<super::PacketType>),
    /// `-m physdev`: bridge ports.
    Physdev(super::Physdev),
    /// `-m string`: payload pattern.
    String(super::StringMatch),
    /// `-m time`: schedule.
    Time(super::TimeMatch),
    /// `-m owner`: the sending socket.
    Owner(super::Owner),
    /// `-m set --match-set`: ipset membership.
    Set(super::SetMatch),
    /// Any other module, or a known one with options not modelled yet: kept verbatim.
    Unknown {
        /// The module name after `-m`.
        name: String,
        /// Its words as read (quotes removed), printed back re-quoted.
        args: Vec<String>,
    },
}
