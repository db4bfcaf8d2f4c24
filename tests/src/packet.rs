//! Probe packets: what the kernel oracle sends, built byte by byte with correct checksums (the
//! kernel's conntrack checks them).

use std::net::IpAddr;

use etherparse::PacketBuilder;

/// TCP header flags, combinable with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TcpFlags(u8);

impl TcpFlags {
    /// No flag at all (a NULL scan).
    pub const NONE: Self = Self(0);
    /// FIN
    pub const FIN: Self = Self(0x01);
    /// SYN
    pub const SYN: Self = Self(0x02);
    /// RST
    pub const RST: Self = Self(0x04);
    /// PSH
    pub const PSH: Self = Self(0x08);
    /// ACK
    pub const ACK: Self = Self(0x10);
    /// URG
    pub const URG: Self = Self(0x20);
    /// ECE
    pub const ECE: Self = Self(0x40);
    /// CWR
    pub const CWR: Self = Self(0x80);

    /// The flags of the low eight bits of `bits` (FIN = 1 … CWR = 128).
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits)
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for TcpFlags {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// The transport layer of a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// A TCP segment with the given flags.
    Tcp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
        /// Header flags.
        flags: TcpFlags,
    },
    /// A UDP datagram.
    Udp {
        /// Source port.
        sport: u16,
        /// Destination port.
        dport: u16,
    },
    /// An ICMP (IPv4) or `ICMPv6` (IPv6) message; the family follows the addresses.
    Icmp {
        /// Message type (8 = echo request for IPv4, 128 for IPv6).
        icmp_type: u8,
        /// Message code.
        code: u8,
    },
}

/// One packet for the oracle to send to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probe {
    /// Which server link it arrives on (0 = `eth0`, 1 = `eth1`…).
    pub link: usize,
    /// Source address; must be a documentation address.
    pub source: IpAddr,
    /// Destination address; `None` means the server's own address on that link, of the source's family.
    pub destination: Option<IpAddr>,
    /// What it carries.
    pub transport: Transport,
    /// IPv4 TTL / IPv6 hop limit.
    pub ttl: u8,
}

impl Probe {
    /// A TCP segment with `flags` from `source` to port `dport` of the server, on link 0.
    pub fn tcp(source: IpAddr, dport: u16, flags: TcpFlags) -> Self {
        Self { link: 0, source, destination: None, transport: Transport::Tcp { sport: 40_000, dport, flags }, ttl: 64 }
    }

    /// A UDP datagram from `source` to port `dport` of the server, on link 0.
    pub fn udp(source: IpAddr, dport: u16) -> Self {
        Self { link: 0, source, destination: None, transport: Transport::Udp { sport: 40_000, dport }, ttl: 64 }
    }

    /// An ICMP echo request (ping) from `source`, on link 0.
    pub fn ping(source: IpAddr) -> Self {
        let icmp_type = if source.is_ipv4() { 8 } else { 128 };
        Self { link: 0, source, destination: None, transport: Transport::Icmp { icmp_type, code: 0 }, ttl: 64 }
    }

    /// The same probe arriving on another link.
    #[must_use]
    pub fn on_link(mut self, link: usize) -> Self {
        self.link = link;
        self
    }

    /// The same probe with another source port (a fresh flow for conntrack).
    #[must_use]
    pub fn from_port(mut self, port: u16) -> Self {
        match &mut self.transport {
            Transport::Tcp { sport, .. } | Transport::Udp { sport, .. } => *sport = port,
            Transport::Icmp { .. } => {}
        }
        self
    }
}

/// Builds the Ethernet frame of `probe` from `source_mac` to `destination_mac`, with
/// `destination` resolved.
///
/// # Errors
/// When the source and destination families differ.
pub(crate) fn frame(probe: &Probe, destination: IpAddr, source_mac: [u8; 6], destination_mac: [u8; 6]) -> Result<Vec<u8>, String> {
    let link = PacketBuilder::ethernet2(source_mac, destination_mac);
    let ip = match (probe.source, destination) {
        (IpAddr::V4(source), IpAddr::V4(destination)) => link.ipv4(source.octets(), destination.octets(), probe.ttl),
        (IpAddr::V6(source), IpAddr::V6(destination)) => link.ipv6(source.octets(), destination.octets(), probe.ttl),
        (source, destination) => return Err(format!("probe mixes families: {source} → {destination}")),
    };
    let mut bytes = Vec::new();
    let written = match probe.transport {
        Transport::Tcp { sport, dport, flags } => {
            let mut tcp = ip.tcp(sport, dport, 1_000, 64_240);
            if flags.contains(TcpFlags::FIN) {
                tcp = tcp.fin();
            }
            if flags.contains(TcpFlags::SYN) {
                tcp = tcp.syn();
            }
            if flags.contains(TcpFlags::RST) {
                tcp = tcp.rst();
            }
            if flags.contains(TcpFlags::PSH) {
                tcp = tcp.psh();
            }
            if flags.contains(TcpFlags::ACK) {
                tcp = tcp.ack(1);
            }
            if flags.contains(TcpFlags::URG) {
                tcp = tcp.urg(0);
            }
            if flags.contains(TcpFlags::ECE) {
                tcp = tcp.ece();
            }
            if flags.contains(TcpFlags::CWR) {
                tcp = tcp.cwr();
            }
            tcp.write(&mut bytes, &[])
        }
        Transport::Udp { sport, dport } => ip.udp(sport, dport).write(&mut bytes, b"portcullis probe"),
        Transport::Icmp { icmp_type, code } => {
            // Bytes 5–8 of an echo request are identifier and sequence number.
            let rest = [0x50, 0x43, 0, 1];
            if probe.source.is_ipv4() {
                ip.icmpv4_raw(icmp_type, code, rest).write(&mut bytes, b"portcullis probe")
            } else {
                ip.icmpv6_raw(icmp_type, code, rest).write(&mut bytes, b"portcullis probe")
            }
        }
    };
    written.map_err(|error| format!("cannot build probe {probe:?}: {error}"))?;
    Ok(bytes)
}
