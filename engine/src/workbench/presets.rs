//! Packet presets for the simulator form: typical packets a beginner asks about, for either
//! family, on documentation addresses only. This host is `203.0.113.10` / `2001:db8:10::10`;
//! the stranger on the internet is `192.0.2.66` / `2001:db8:ffff::66` and its DNS resolver
//! `192.0.2.53` / `2001:db8:ffff::53`. Every packet arrives on `eth0` (path INPUT).
//!
//! # Examples
//! ```
//! use portcullis_engine::model::Family;
//! use portcullis_engine::workbench::presets::PacketPreset;
//!
//! let packet = PacketPreset::SshFromInternet.packet(Family::V4);
//! assert_eq!(packet.to_string(), "tcp 192.0.2.66:51000 -> 203.0.113.10:22 in eth0 syn new");
//! assert_eq!(PacketPreset::XmasScan.packet(Family::V4).to_string(), "tcp 192.0.2.66:40000 -> 203.0.113.10:80 in eth0 fin,psh,urg invalid");
//! assert_eq!(PacketPreset::Ping.packet(Family::V6).to_string(), "icmpv6 2001:db8:ffff::66 -> 2001:db8:10::10 in eth0 type 128/0 new");
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::model::{ConnState, Family, Protocol, TcpFlags};
use crate::simulate::Packet;

/// A preset packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketPreset {
    /// A stranger opens an SSH connection (TCP SYN to port 22, NEW).
    SshFromInternet,
    /// A visitor opens an HTTPS connection (TCP SYN to port 443, NEW).
    WebVisitor,
    /// The answer to a DNS query this host sent (UDP from port 53, ESTABLISHED).
    DnsReply,
    /// A port scan with FIN, PSH and URG set to port 80; conntrack calls a lone such packet
    /// INVALID.
    XmasScan,
    /// An echo request (ping) from a stranger (ICMP type 8 / `ICMPv6` type 128, NEW).
    Ping,
}

impl PacketPreset {
    /// Every preset, in the order a form lists them.
    pub const ALL: [PacketPreset; 5] =
        [PacketPreset::SshFromInternet, PacketPreset::WebVisitor, PacketPreset::DnsReply, PacketPreset::XmasScan, PacketPreset::Ping];

    /// The preset's name on a button.
    pub fn title(self) -> &'static str {
        match self {
            PacketPreset::SshFromInternet => "SSH from the internet",
            PacketPreset::WebVisitor => "web visitor",
            PacketPreset::DnsReply => "reply to my DNS query",
            PacketPreset::XmasScan => "XMAS scan",
            PacketPreset::Ping => "ping",
        }
    }

    /// What the packet is, in one sentence.
    pub fn description(self) -> &'static str {
        match self {
            PacketPreset::SshFromInternet => "Someone on the internet opens an SSH connection to this server (TCP port 22).",
            PacketPreset::WebVisitor => "A visitor opens a secure web connection to this server (TCP port 443).",
            PacketPreset::DnsReply => "The DNS server answers a query this server sent (UDP from port 53, a reply conntrack knows: ESTABLISHED).",
            PacketPreset::XmasScan => "A port scanner sends a TCP packet with FIN, PSH and URG set (lit up like a Christmas tree); conntrack marks it INVALID.",
            PacketPreset::Ping => "Someone on the internet pings this server (ICMP echo request).",
        }
    }

    /// The packet, for `family`.
    pub fn packet(self, family: Family) -> Packet {
        let stranger = address(family, Ipv4Addr::new(192, 0, 2, 66), 0x66);
        let server = match family {
            Family::V4 => IpAddr::V4(Ipv4Addr::new(203, 0, 113, 10)),
            Family::V6 => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0x10, 0, 0, 0, 0, 0x10)),
        };
        let resolver = address(family, Ipv4Addr::new(192, 0, 2, 53), 0x53);
        let icmp = if family == Family::V4 { Protocol::ICMP } else { Protocol::ICMPV6 };
        let (protocol, source) = match self {
            PacketPreset::SshFromInternet | PacketPreset::WebVisitor | PacketPreset::XmasScan => (Protocol::TCP, stranger),
            PacketPreset::DnsReply => (Protocol::UDP, resolver),
            PacketPreset::Ping => (icmp, stranger),
        };
        let mut packet = Packet::new(protocol, source, server)
            .unwrap_or_else(|_| unreachable!("both addresses are of {family}"));
        match self {
            PacketPreset::SshFromInternet => (packet.source_port, packet.destination_port) = (51_000, 22),
            PacketPreset::WebVisitor => (packet.source_port, packet.destination_port) = (51_000, 443),
            PacketPreset::DnsReply => {
                (packet.source_port, packet.destination_port) = (53, 40_000);
                packet.state = ConnState::Established;
            }
            PacketPreset::XmasScan => {
                (packet.source_port, packet.destination_port) = (40_000, 80);
                packet.tcp_flags = TcpFlags::from_bits(0x01 | 0x08 | 0x20); // FIN, PSH, URG
                packet.state = ConnState::Invalid;
            }
            PacketPreset::Ping => {}
        }
        packet
    }
}

/// The documentation address of `family`: `v4`, or `2001:db8:ffff::` + `host`.
fn address(family: Family, v4: Ipv4Addr, host: u16) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(v4),
        Family::V6 => IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, host)),
    }
}
