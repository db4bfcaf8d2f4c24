//! A typed packet for the simulator, with its short text form
//! (`tcp 203.0.113.7:51000 -> 198.51.100.1:22 in eth0 syn new`) and its JSON form.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::model::{ConnState, Family, PacketType, Protocol, TcpFlags};

/// Where a packet travels through the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Path {
    /// Arrives for this host: PREROUTING, INPUT.
    Input,
    /// Routed through this host: PREROUTING, FORWARD, POSTROUTING.
    Forward,
    /// Sent by this host: OUTPUT, POSTROUTING.
    Output,
}

impl Path {
    /// The built-in chain where the filter table sees a packet on this path (INPUT, FORWARD or
    /// OUTPUT): the chain the analysis reads the filter table from.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::BuiltinChain;
    /// use portcullis_engine::simulate::Path;
    /// assert_eq!(Path::Forward.filter_chain(), BuiltinChain::Forward);
    /// ```
    pub fn filter_chain(self) -> crate::model::BuiltinChain {
        match self {
            Path::Input => crate::model::BuiltinChain::Input,
            Path::Forward => crate::model::BuiltinChain::Forward,
            Path::Output => crate::model::BuiltinChain::Output,
        }
    }
}

/// One packet, with what conntrack knows about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Packet {
    /// IPv4 or IPv6 (follows the addresses).
    pub family: Family,
    /// Its way through the host.
    pub path: Path,
    /// Arriving interface (none for [`Path::Output`]).
    pub in_interface: Option<String>,
    /// Leaving interface (none for [`Path::Input`]).
    pub out_interface: Option<String>,
    /// Source address.
    pub source: IpAddr,
    /// Destination address.
    pub destination: IpAddr,
    /// Transport protocol.
    pub protocol: Protocol,
    /// TCP/UDP source port.
    pub source_port: u16,
    /// TCP/UDP destination port.
    pub destination_port: u16,
    /// TCP header flags.
    pub tcp_flags: TcpFlags,
    /// ICMP / `ICMPv6` type.
    pub icmp_type: u8,
    /// ICMP / `ICMPv6` code.
    pub icmp_code: u8,
    /// Conntrack state.
    pub state: ConnState,
    /// Firewall mark.
    pub mark: u32,
    /// Total length in bytes.
    pub length: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// Link-layer type.
    pub packet_type: PacketType,
    /// A non-first IPv4 fragment (`-f`).
    pub fragment: bool,
    /// What address translation did to the packet's connection so far in the walk (`None`:
    /// nothing): conntrack matches read the original tuple and the SNAT / DNAT bits from it.
    pub translated: Option<Translated>,
}

/// A connection NAT rewrote: its original tuple (as the first packet was before any rewrite) and
/// which sides were rewritten — what `-m conntrack --ctorigdst…` and `--ctstate DNAT|SNAT` read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Translated {
    /// Original source address.
    pub source: IpAddr,
    /// Original destination address.
    pub destination: IpAddr,
    /// Original source port.
    pub source_port: u16,
    /// Original destination port.
    pub destination_port: u16,
    /// The destination was rewritten (DNAT, REDIRECT): `--ctstate DNAT`.
    pub destination_rewritten: bool,
    /// The source was rewritten (SNAT, MASQUERADE): `--ctstate SNAT`.
    pub source_rewritten: bool,
}

/// Why a packet description cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PacketError(pub String);

impl fmt::Display for PacketError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PacketError {}

/// The JSON form, one object per line of a `--packets` file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacketJson {
    /// `"v4"` / `"v6"` (optional: follows the addresses).
    pub family: Option<String>,
    /// `"input"` (default), `"forward"`, `"output"`.
    pub path: Option<Path>,
    /// Arriving interface.
    #[serde(rename = "in")]
    pub in_interface: Option<String>,
    /// Leaving interface.
    #[serde(rename = "out")]
    pub out_interface: Option<String>,
    /// Source address.
    pub src: String,
    /// Destination address.
    pub dst: String,
    /// Protocol name or number (default `tcp`).
    pub proto: Option<String>,
    /// Source port.
    pub sport: Option<u16>,
    /// Destination port.
    pub dport: Option<u16>,
    /// TCP flags, e.g. `"SYN"` or `"SYN,ACK"` (default SYN for new TCP, ACK otherwise).
    pub flags: Option<String>,
    /// ICMP type.
    pub icmp_type: Option<u8>,
    /// ICMP code.
    pub icmp_code: Option<u8>,
    /// `"new"` (default), `"established"`, `"related"`, `"invalid"`, `"untracked"`.
    pub state: Option<String>,
    /// Firewall mark.
    pub mark: Option<u32>,
    /// Length in bytes.
    pub length: Option<u16>,
}

fn address(text: &str) -> Result<IpAddr, PacketError> {
    text.trim_start_matches('[').trim_end_matches(']').parse().map_err(|_| PacketError(format!("`{text}` is not an IP address")))
}

/// Splits `ADDR[:PORT]` / `[V6]:PORT` / bare IPv6.
fn endpoint(text: &str) -> Result<(IpAddr, Option<u16>), PacketError> {
    let port = |port: &str| port.parse::<u16>().map_err(|_| PacketError(format!("`{port}` is not a port (0-65535)")));
    if let Some(rest) = text.strip_prefix('[') {
        return match rest.split_once("]:") {
            Some((addr, p)) => Ok((address(addr)?, Some(port(p)?))),
            None => Ok((address(rest.trim_end_matches(']'))?, None)),
        };
    }
    match text.split_once(':') {
        Some((addr, p)) if !p.contains(':') => Ok((address(addr)?, Some(port(p)?))),
        _ => Ok((address(text)?, None)),
    }
}

fn state(text: &str) -> Result<ConnState, PacketError> {
    ConnState::from_name(text)
        .filter(|state| !matches!(state, ConnState::Snat | ConnState::Dnat))
        .ok_or_else(|| PacketError(format!("`{text}` is not a state (new, established, related, invalid, untracked)")))
}

impl Packet {
    /// A packet with the defaults: incoming on `eth0`, NEW, SYN for TCP, length 60, TTL 64.
    ///
    /// # Errors
    /// When the addresses are of different families.
    pub fn new(protocol: Protocol, source: IpAddr, destination: IpAddr) -> Result<Self, PacketError> {
        if source.is_ipv4() != destination.is_ipv4() {
            return Err(PacketError(format!("{source} and {destination} are of different families")));
        }
        let family = if source.is_ipv4() { Family::V4 } else { Family::V6 };
        let tcp = protocol == Protocol::TCP;
        let icmp_type = if family == Family::V4 { 8 } else { 128 };
        Ok(Self {
            family,
            path: Path::Input,
            in_interface: Some("eth0".to_owned()),
            out_interface: None,
            source,
            destination,
            protocol,
            source_port: 40_000,
            destination_port: 0,
            tcp_flags: if tcp { TcpFlags::SYN } else { TcpFlags::default() },
            icmp_type,
            icmp_code: 0,
            state: ConnState::New,
            mark: 0,
            length: 60,
            ttl: 64,
            packet_type: PacketType::Unicast,
            fragment: false,
            translated: None,
        })
    }

    /// Reads the short text form: `PROTO SRC[:PORT] -> DST[:PORT]` then any of `in IF`, `out IF`,
    /// `input|forward|output`, TCP flag names (`syn`, `ack`, `fin`, `rst`, `psh`, `urg`), a state
    /// (`new`, `established`, `related`, `invalid`, `untracked`), `type N[/CODE]`, `mark N`, `len N`,
    /// `ttl N`.
    ///
    /// # Errors
    /// Each part it cannot read, with what it expected.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::simulate::{Packet, Path};
    /// let packet = Packet::parse("tcp 203.0.113.7:51000 -> 198.51.100.1:22 in eth0 syn new").unwrap();
    /// assert_eq!((packet.destination_port, packet.path), (22, Path::Input));
    /// assert!(Packet::parse("tcp 203.0.113.7 -> 2001:db8::1").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self, PacketError> {
        let words: Vec<&str> = text.split_whitespace().collect();
        let [proto, source, arrow, destination, rest @ ..] = words.as_slice() else {
            return Err(PacketError("write `PROTO SRC[:PORT] -> DST[:PORT] [in IF] [out IF] [flags] [state]`".to_owned()));
        };
        if *arrow != "->" {
            return Err(PacketError(format!("expected `->` between the addresses, found `{arrow}`")));
        }
        let protocol = match proto.to_ascii_lowercase().as_str() {
            "icmpv6" | "icmp6" => Protocol::ICMPV6,
            other => Protocol::parse(other).map_err(PacketError)?.ok_or_else(|| PacketError("name one protocol, not `all`".to_owned()))?,
        };
        let (source, source_port) = endpoint(source)?;
        let (destination, destination_port) = endpoint(destination)?;
        let mut packet = Self::new(protocol, source, destination)?;
        if !protocol.has_ports() && (source_port.is_some() || destination_port.is_some()) {
            return Err(PacketError(format!("`{proto}` has no ports: write its addresses alone")));
        }
        packet.source_port = source_port.unwrap_or(packet.source_port);
        packet.destination_port = destination_port.unwrap_or(0);
        packet.in_interface = None; // the default comes once the path is known
        let mut flags: Option<u8> = None;
        let mut path = None;
        let mut words = rest.iter();
        while let Some(word) = words.next() {
            let mut value = |what: &str| words.next().copied().ok_or_else(|| PacketError(format!("`{word}` needs {what}")));
            let number = |text: &str| text.parse::<u32>().map_err(|_| PacketError(format!("`{text}` is not a number")));
            match word.to_ascii_lowercase().as_str() {
                "in" => packet.in_interface = Some(value("an interface")?.to_owned()),
                "out" => packet.out_interface = Some(value("an interface")?.to_owned()),
                "input" => path = Some(Path::Input),
                "forward" => path = Some(Path::Forward),
                "output" => path = Some(Path::Output),
                "mark" => packet.mark = number(value("a number")?)?,
                "len" | "length" => packet.length = u16::try_from(number(value("a number")?)?).map_err(|_| PacketError("a length is at most 65535".to_owned()))?,
                "ttl" => packet.ttl = u8::try_from(number(value("a number")?)?).map_err(|_| PacketError("a TTL is at most 255".to_owned()))?,
                "frag" | "fragment" => packet.fragment = true,
                "type" if !matches!(packet.protocol.number(), 1 | 58) => {
                    return Err(PacketError(format!("`type` is ICMP's: `{proto}` has none")));
                }
                "type" => {
                    let text = value("an ICMP type")?;
                    let (kind, code) = text.split_once('/').unwrap_or((text, "0"));
                    packet.icmp_type = u8::try_from(number(kind)?).map_err(|_| PacketError("an ICMP type is at most 255".to_owned()))?;
                    packet.icmp_code = u8::try_from(number(code)?).map_err(|_| PacketError("an ICMP code is at most 255".to_owned()))?;
                }
                lower => {
                    if let Ok(parsed) = TcpFlags::parse_packet(lower) {
                        if packet.protocol != Protocol::TCP {
                            return Err(PacketError(format!("`{word}` is a TCP flag: `{proto}` has none")));
                        }
                        flags = Some(flags.unwrap_or(0) | parsed.bits());
                    } else if let Ok(parsed) = state(lower) {
                        packet.state = parsed;
                    } else {
                        return Err(PacketError(format!("`{word}` is not a packet property (in, out, flags, state, type, mark, len, ttl)")));
                    }
                }
            }
        }
        if let Some(flags) = flags {
            packet.tcp_flags = TcpFlags::from_packet_bits(flags);
        } else if packet.protocol == Protocol::TCP && packet.state != ConnState::New {
            packet.tcp_flags = TcpFlags::from_bits(0x10); // ACK: a packet of a running connection
        }
        packet.set_path(path);
        Ok(packet)
    }

    /// Sets the path, inferring it from the interfaces when not given.
    fn set_path(&mut self, path: Option<Path>) {
        self.path = path.unwrap_or(match (&self.in_interface, &self.out_interface) {
            (Some(_), Some(_)) => Path::Forward,
            (_, Some(_)) => Path::Output,
            _ => Path::Input,
        });
        match self.path {
            Path::Output => self.in_interface = None,
            Path::Input => {
                self.out_interface = None;
                self.in_interface.get_or_insert_with(|| "eth0".to_owned());
            }
            Path::Forward => {
                self.in_interface.get_or_insert_with(|| "eth0".to_owned());
                self.out_interface.get_or_insert_with(|| "eth1".to_owned());
            }
        }
        if self.path == Path::Output && self.out_interface.is_none() {
            self.out_interface = Some("eth0".to_owned());
        }
    }

    /// Reads the JSON form.
    ///
    /// # Errors
    /// When a field has a bad value.
    pub fn from_json(json: &PacketJson) -> Result<Self, PacketError> {
        let protocol = match json.proto.as_deref().unwrap_or("tcp") {
            "icmpv6" | "icmp6" => Protocol::ICMPV6,
            other => Protocol::parse(other).map_err(PacketError)?.ok_or_else(|| PacketError("name one protocol, not `all`".to_owned()))?,
        };
        let mut packet = Self::new(protocol, address(&json.src)?, address(&json.dst)?)?;
        if let Some(family) = json.family.as_deref() {
            let wanted = match family {
                "v4" | "ipv4" => Family::V4,
                "v6" | "ipv6" => Family::V6,
                other => return Err(PacketError(format!("`{other}` is not a family (v4 or v6)"))),
            };
            if wanted != packet.family {
                return Err(PacketError(format!("the addresses are {}, not {wanted}", packet.family)));
            }
        }
        packet.in_interface.clone_from(&json.in_interface);
        packet.out_interface.clone_from(&json.out_interface);
        packet.source_port = json.sport.unwrap_or(packet.source_port);
        packet.destination_port = json.dport.unwrap_or(0);
        if let Some(text) = &json.state {
            packet.state = state(text)?;
        }
        match &json.flags {
            Some(flags) => packet.tcp_flags = TcpFlags::parse_packet(flags).map_err(PacketError)?,
            None if packet.protocol == Protocol::TCP && packet.state != ConnState::New => packet.tcp_flags = TcpFlags::from_bits(0x10),
            None => {}
        }
        packet.icmp_type = json.icmp_type.unwrap_or(packet.icmp_type);
        packet.icmp_code = json.icmp_code.unwrap_or(0);
        packet.mark = json.mark.unwrap_or(0);
        packet.length = json.length.unwrap_or(packet.length);
        packet.set_path(json.path);
        Ok(packet)
    }
}

impl fmt::Display for Packet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ports = self.protocol.has_ports();
        let endpoint = |address: IpAddr, port: u16| match address {
            IpAddr::V6(v6) if ports => format!("[{v6}]:{port}"),
            _ if ports => format!("{address}:{port}"),
            _ => address.to_string(),
        };
        let protocol = if self.protocol == Protocol::ICMPV6 { "icmpv6".to_owned() } else { self.protocol.to_string() };
        write!(f, "{protocol} {} -> {}", endpoint(self.source, self.source_port), endpoint(self.destination, self.destination_port))?;
        if let Some(interface) = &self.in_interface {
            write!(f, " in {interface}")?;
        }
        if let Some(interface) = &self.out_interface {
            write!(f, " out {interface}")?;
        }
        if self.protocol == Protocol::TCP {
            write!(f, " {}", self.tcp_flags.to_string().to_ascii_lowercase())?;
        }
        if matches!(self.protocol.number(), 1 | 58) {
            write!(f, " type {}/{}", self.icmp_type, self.icmp_code)?;
        }
        write!(f, " {}", self.state.as_str().to_ascii_lowercase())?;
        if self.mark != 0 {
            write!(f, " mark {}", self.mark)?;
        }
        // What differs from a new packet's defaults, so that the text reads back the same.
        if self.length != 60 {
            write!(f, " len {}", self.length)?;
        }
        if self.ttl != 64 {
            write!(f, " ttl {}", self.ttl)?;
        }
        if self.fragment {
            f.write_str(" frag")?;
        }
        Ok(())
    }
}
