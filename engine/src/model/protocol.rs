//! Protocols as `-p` names them, and ports.

use std::fmt;

/// A protocol as `-p` names it. Printed as `iptables-save` prints it: iptables' own names first,
/// then the names of Debian's `/etc/protocols`, then the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Protocol(u8);

/// The names `iptables-save` prints: it asks `/etc/protocols` first (these are Debian netbase's
/// first names per number), then its own table. The browser has no `/etc/protocols`, so the
/// table lives here.
const NAMES: &[(&str, u8)] = &[
    ("icmp", 1), ("igmp", 2), ("ggp", 3), ("ipencap", 4), ("st", 5), ("tcp", 6), ("egp", 8),
    ("igp", 9), ("pup", 12), ("udp", 17), ("hmp", 20), ("xns-idp", 22), ("rdp", 27),
    ("iso-tp4", 29), ("dccp", 33), ("xtp", 36), ("ddp", 37), ("idpr-cmtp", 38), ("ipv6", 41),
    ("ipv6-route", 43), ("ipv6-frag", 44), ("idrp", 45), ("rsvp", 46), ("gre", 47), ("esp", 50),
    ("ah", 51), ("skip", 57), ("ipv6-icmp", 58), ("ipv6-nonxt", 59), ("ipv6-opts", 60),
    ("rspf", 73), ("vmtp", 81), ("eigrp", 88), ("ospf", 89), ("ax.25", 93), ("ipip", 94),
    ("etherip", 97), ("encap", 98), ("pim", 103), ("ipcomp", 108), ("vrrp", 112), ("l2tp", 115),
    ("isis", 124), ("sctp", 132), ("fc", 133), ("mobility-header", 135), ("udplite", 136),
    ("mpls-in-ip", 137), ("manet", 138), ("hip", 139), ("shim6", 140), ("wesp", 141), ("rohc", 142),
    ("ethernet", 143),
];

/// Other names iptables accepts (`xtables_chain_protos` and `/etc/protocols` aliases).
const ALIASES: &[(&str, u8)] = &[("icmpv6", 58), ("ipv6-mh", 135), ("mh", 135), ("ip", 0), ("hopopt", 0)];

impl Protocol {
    /// TCP.
    pub const TCP: Protocol = Protocol(6);
    /// UDP.
    pub const UDP: Protocol = Protocol(17);
    /// ICMP (IPv4).
    pub const ICMP: Protocol = Protocol(1);
    /// `ICMPv6`.
    pub const ICMPV6: Protocol = Protocol(58);
    /// SCTP.
    pub const SCTP: Protocol = Protocol(132);
    /// UDP-Lite.
    pub const UDPLITE: Protocol = Protocol(136);

    /// The protocol with IP protocol number `number`.
    pub const fn from_number(number: u8) -> Self {
        Self(number)
    }

    /// The IP protocol number.
    pub const fn number(self) -> u8 {
        self.0
    }

    /// Reads `-p` text: a name (any case) or a number 1 to 255. `all` and `0` mean "any protocol"
    /// and give `Ok(None)`.
    ///
    /// # Errors
    /// When the text is neither a known name nor a number below 256.
    pub fn parse(text: &str) -> Result<Option<Self>, String> {
        let lower = text.to_ascii_lowercase();
        if lower == "all" {
            return Ok(None);
        }
        if let Some((_, number)) = NAMES.iter().chain(ALIASES).find(|(name, _)| *name == lower) {
            return Ok((*number != 0).then_some(Self(*number)));
        }
        match text.parse::<u8>() {
            Ok(0) => Ok(None),
            Ok(number) => Ok(Some(Self(number))),
            Err(_) => Err(format!("unknown protocol `{text}` (use a name such as tcp, udp, icmp, or a number 0-255)")),
        }
    }

    /// Whether `--sport` / `--dport` make sense (tcp, udp, udplite, sctp, dccp).
    pub fn has_ports(self) -> bool {
        matches!(self.0, 6 | 17 | 33 | 132 | 136)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match NAMES.iter().find(|(_, number)| *number == self.0) {
            Some((name, _)) => f.write_str(name),
            None => write!(f, "{}", self.0),
        }
    }
}

/// One port or an inclusive range of ports; a range always has `first <= last`. Serialized as
/// the pair `[first, last]`, read back through [`PortSpec::range`] (a reversed pair is refused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "(u16, u16)", try_from = "(u16, u16)")]
pub struct PortSpec {
    first: u16,
    last: u16,
}

impl PortSpec {
    /// Every port, `0:65535`.
    pub const ALL: PortSpec = PortSpec { first: 0, last: u16::MAX };

    /// A single port.
    pub const fn single(port: u16) -> Self {
        Self { first: port, last: port }
    }

    /// The range `first..=last`, or `None` when it is reversed.
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

impl From<PortSpec> for (u16, u16) {
    fn from(ports: PortSpec) -> Self {
        (ports.first, ports.last)
    }
}

impl TryFrom<(u16, u16)> for PortSpec {
    type Error = String;

    fn try_from((first, last): (u16, u16)) -> Result<Self, Self::Error> {
        PortSpec::range(first, last).ok_or_else(|| format!("the port range {first}:{last} is reversed"))
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::fields::write_range(f, self.first, self.last, ':')
    }
}
