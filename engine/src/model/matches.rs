//! Typed matches: the conditions of a rule.

use std::fmt;

use ipnet::IpNet;

/// A transport protocol as `-p` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    /// `-p tcp`
    Tcp,
    /// `-p udp`
    Udp,
    /// `-p icmp` (IPv4)
    Icmp,
    /// `-p ipv6-icmp` (IPv6)
    Icmpv6,
}

impl Protocol {
    /// The name `iptables-save` prints for this protocol.
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::Icmp => "icmp",
            Protocol::Icmpv6 => "ipv6-icmp",
        }
    }

    /// Whether the protocol carries ports (`--sport` / `--dport`).
    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One port or an inclusive range of ports; a range always has `first < last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortSpec {
    first: u16,
    last: u16,
}

impl PortSpec {
    /// A single port.
    pub const fn single(port: u16) -> Self {
        Self { first: port, last: port }
    }

    /// The range `first..=last`, or `None` when it is reversed (iptables refuses those for tcp).
    pub const fn range(first: u16, last: u16) -> Option<Self> {
        if first <= last {
            Some(Self { first, last })
        } else {
            None
        }
    }

    /// The first port of the range.
    pub const fn first(self) -> u16 {
        self.first
    }

    /// The last port of the range (equal to [`first`](Self::first) for a single port).
    pub const fn last(self) -> u16 {
        self.last
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}:{}", self.first, self.last)
        }
    }
}

/// A network interface name as iptables accepts it: 1 to 15 bytes, no whitespace, no `/`;
/// a trailing `+` matches every interface with that prefix.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interface(String);

/// Why a string is not an interface name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceError {
    name: String,
}

impl fmt::Display for InterfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not an interface name: use 1 to 15 characters without spaces or `/`",
            self.name
        )
    }
}

impl std::error::Error for InterfaceError {}

impl Interface {
    /// Validates `name` (the kernel's `IFNAMSIZ` is 16 including the terminating NUL).
    ///
    /// # Errors
    /// When `name` is empty, longer than 15 bytes, or holds whitespace or `/`.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::Interface;
    /// assert!(Interface::new("lo").is_ok());
    /// assert!(Interface::new("eth+").is_ok());
    /// assert!(Interface::new("a very long name").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, InterfaceError> {
        let valid = !name.is_empty()
            && name.len() <= 15
            && !name.chars().any(|c| c.is_whitespace() || c == '/' || c.is_control());
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

/// A connection-tracking state (`-m conntrack --ctstate`), in the order `iptables-save` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
}

impl ConnState {
    fn as_str(self) -> &'static str {
        match self {
            ConnState::Invalid => "INVALID",
            ConnState::New => "NEW",
            ConnState::Established => "ESTABLISHED",
            ConnState::Related => "RELATED",
            ConnState::Untracked => "UNTRACKED",
        }
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
}

impl fmt::Display for ConnStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, state) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(state.as_str())?;
        }
        Ok(())
    }
}

/// One condition of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Match {
    /// `-s NET`: the packet's source address is in `NET`.
    Source(IpNet),
    /// `-i NAME`: the packet arrived on this interface.
    InInterface(Interface),
    /// `-p PROTO`: the packet carries this protocol.
    Protocol(Protocol),
    /// `-m tcp|udp --dport PORT[:PORT]`: destination port, for the protocol named by `-p`.
    DestinationPort(Protocol, PortSpec),
    /// `-m conntrack --ctstate STATES`.
    ConnTrack(ConnStates),
    /// `-m icmp6 --icmpv6-type TYPE`: an ICMPv6 message type, with `-p ipv6-icmp`.
    Icmpv6Type(u8),
}
