//! Conversation mode: a request and its replies with conntrack's view of each packet, so a user
//! sees the reply path work or break (a TCP handshake, a DNS query and its answer, a ping).
//!
//! The request is NEW; every later packet belongs to the connection it opened (ESTABLISHED), in
//! the direction it travels: a reply to an incoming request leaves the host (OUTPUT), a reply to
//! the host's own query arrives (INPUT), a forwarded reply crosses FORWARD the other way. The
//! conversation stops at the first packet the firewall does not accept.

use super::packet::{Packet, Path};
use super::walk::Verdict;
use super::{simulate, Simulation};
use crate::model::{ConnState, Protocol, Ruleset, TcpFlags};

/// One packet of a conversation and what the firewall does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// What the packet is ("request", "SYN-ACK reply"…).
    pub label: &'static str,
    /// The packet.
    pub packet: Packet,
    /// Its simulation.
    pub simulation: Simulation,
}

/// The packets of a conversation, in order, up to the first one not surely accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// The exchanges simulated.
    pub exchanges: Vec<Exchange>,
}

impl Conversation {
    /// Whether every packet of the conversation is accepted.
    pub fn completes(&self) -> bool {
        let expected = |exchange: &Exchange| exchange.simulation.verdict() == Some(Verdict::Accept);
        self.exchanges.iter().all(expected) && self.exchanges.len() > 1
    }
}

/// The packet answering `packet` (addresses and ports swapped, the path reversed), ESTABLISHED.
fn reply(packet: &Packet) -> Packet {
    let mut reply = packet.clone();
    std::mem::swap(&mut reply.source, &mut reply.destination);
    std::mem::swap(&mut reply.source_port, &mut reply.destination_port);
    (reply.path, reply.in_interface, reply.out_interface) = match packet.path {
        Path::Input => (Path::Output, None, packet.in_interface.clone()),
        Path::Output => (Path::Input, packet.out_interface.clone(), None),
        Path::Forward => (Path::Forward, packet.out_interface.clone(), packet.in_interface.clone()),
    };
    reply.state = ConnState::Established;
    reply.icmp_type = match (packet.protocol, packet.icmp_type) {
        (Protocol::ICMP, 8) => 0,
        (Protocol::ICMPV6, 128) => 129,
        (_, other) => other,
    };
    reply
}

/// Simulates `request` and the packets answering it.
///
/// # Examples
/// ```
/// use portcullis_engine::import::import;
/// use portcullis_engine::model::Family;
/// use portcullis_engine::simulate::{converse, Packet};
/// // INPUT DROP without an ESTABLISHED accept: the server's own DNS queries get no answer.
/// let rules = "*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";
/// let ruleset = import(rules, Some(Family::V4)).value.rulesets.remove(0);
/// let query = Packet::parse("udp 192.0.2.1:40000 -> 198.51.100.53:53 out eth0").unwrap();
/// let conversation = converse(&ruleset, &query);
/// assert!(!conversation.completes());
/// assert_eq!(conversation.exchanges[1].label, "reply");
/// ```
pub fn converse(ruleset: &Ruleset, request: &Packet) -> Conversation {
    let mut first = request.clone();
    first.state = ConnState::New;
    let mut packets = vec![("request", first.clone())];
    if first.protocol == Protocol::TCP {
        first.tcp_flags = TcpFlags::SYN;
        packets[0].1 = first.clone();
        let mut syn_ack = reply(&first);
        syn_ack.tcp_flags = TcpFlags::from_bits(0x12);
        let mut ack = first.clone();
        ack.state = ConnState::Established;
        ack.tcp_flags = TcpFlags::from_bits(0x10);
        packets.push(("SYN-ACK reply", syn_ack));
        packets.push(("ACK", ack));
    } else {
        packets.push(("reply", reply(&first)));
    }
    let mut exchanges = Vec::new();
    for (label, packet) in packets {
        let simulation = simulate(ruleset, &packet);
        let accepted = simulation.verdict() == Some(Verdict::Accept);
        exchanges.push(Exchange { label, packet, simulation });
        if !accepted {
            break;
        }
    }
    Conversation { exchanges }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::import;
    use crate::model::Family;

    fn ruleset(text: &str) -> Ruleset {
        import(text, Some(Family::V4)).value.rulesets.remove(0)
    }

    #[test]
    fn a_handshake_needs_the_established_accept_on_the_way_back() {
        let request = Packet::parse("tcp 203.0.113.7:51000 -> 192.0.2.1:22 in eth0").unwrap();
        let open = ruleset("*filter\n:INPUT DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\nCOMMIT\n");
        let conversation = converse(&open, &request);
        assert!(conversation.completes(), "{conversation:#?}");
        assert_eq!(conversation.exchanges.len(), 3);
        assert_eq!(conversation.exchanges[1].packet.path, Path::Output);
        let closed = ruleset("*filter\n:INPUT DROP [0:0]\n:OUTPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        let conversation = converse(&closed, &request);
        assert!(!conversation.completes());
        assert_eq!(conversation.exchanges.len(), 2, "stops at the dropped SYN-ACK");
        assert_eq!(conversation.exchanges[1].simulation.verdict(), Some(Verdict::Drop));
    }

    #[test]
    fn a_ping_is_answered_by_an_echo_reply() {
        let rules = ruleset("*filter\n:INPUT DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\nCOMMIT\n");
        let conversation = converse(&rules, &Packet::parse("icmp 203.0.113.7 -> 192.0.2.1 in eth0 type 8").unwrap());
        assert!(conversation.completes());
        assert_eq!(conversation.exchanges[1].packet.icmp_type, 0);
    }
}
