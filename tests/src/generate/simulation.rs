//! Random rulesets over the matches the simulator decides exactly (plus a few it cannot, which
//! must then list the kernel's outcome among theirs), and random incoming packets from a small
//! pool of addresses, ports and flags so that rules and packets meet often.

use std::fmt::Write as _;

use portcullis_engine::model::{ConnState, Protocol, TcpFlags};
use portcullis_engine::simulate::{Packet, Path};

use super::Rng;

const SOURCES: [&str; 5] = ["198.51.100.10/32", "198.51.100.0/24", "198.51.100.128/25", "203.0.113.0/24", "203.0.113.7/32"];
const PORTS: [&str; 6] = ["22", "53", "80", "443", "20:25", "1000:2000"];
const SOURCE_ADDRESSES: [&str; 5] = ["198.51.100.10", "198.51.100.200", "203.0.113.7", "203.0.113.99", "192.0.2.77"];
const DESTINATION_PORTS: [u16; 6] = [22, 53, 80, 443, 1500, 8080];
const STATES: [&str; 5] = ["NEW", "INVALID", "ESTABLISHED,RELATED", "NEW,INVALID", "UNTRACKED"];

fn bang(rng: &mut Rng) -> &'static str {
    if rng.chance(25) {
        "! "
    } else {
        ""
    }
}

fn rule(rng: &mut Rng, chains: &[&str], in_user_chain: bool) -> String {
    let mut parts: Vec<String> = Vec::new();
    if rng.chance(35) {
        parts.push(format!("{}-s {}", bang(rng), rng.pick(&SOURCES)));
    }
    if rng.chance(25) {
        parts.push(format!("{}-i {}", bang(rng), rng.pick(&["eth0", "eth1", "eth2", "eth+", "lo"])));
    }
    match rng.below(6) {
        0 | 1 => {
            parts.push("-p tcp".to_owned());
            if rng.chance(60) {
                parts.push(format!("-m tcp {}--dport {}", bang(rng), rng.pick(&PORTS)));
            }
            match rng.below(4) {
                0 => parts.push(format!("-m tcp {}--syn", bang(rng))),
                1 => parts.push(format!(
                    "-m tcp --tcp-flags {} {}",
                    rng.pick(&["ALL", "SYN,ACK", "FIN,SYN,RST,ACK"]),
                    rng.pick(&["NONE", "SYN", "ACK", "FIN,PSH,URG"])
                )),
                _ => {}
            }
        }
        2 => parts.push(format!("-p udp -m udp {}--dport {}", bang(rng), rng.pick(&PORTS))),
        3 => parts.push(format!("-p icmp -m icmp {}--icmp-type {}", bang(rng), rng.pick(&["8", "echo-request", "13", "any", "3/4"]))),
        4 => parts.push(format!("-p {} -m multiport {}--dports 22,80,1000:1600", rng.pick(&["tcp", "udp"]), bang(rng))),
        _ => {}
    }
    if rng.chance(30) {
        parts.push(format!("-m conntrack {}--ctstate {}", bang(rng), rng.pick(&STATES)));
    }
    if rng.chance(10) {
        parts.push(format!("-m iprange {}--src-range 198.51.100.5-198.51.100.150", bang(rng)));
    }
    if rng.chance(8) {
        parts.push(format!("-m ttl --ttl-{} 64", rng.pick(&["eq", "lt", "gt"])));
    }
    if rng.chance(8) {
        parts.push("-m limit --limit 1/hour --limit-burst 1".to_owned());
    }
    let mut targets = vec!["ACCEPT", "DROP", "REJECT", "LOG"];
    if in_user_chain {
        targets.push("RETURN");
    }
    let target = if !in_user_chain && !chains.is_empty() && rng.chance(30) {
        format!("{} {}", if rng.chance(70) { "-j" } else { "-g" }, rng.pick(chains))
    } else {
        format!("-j {}", rng.pick(&targets))
    };
    parts.push(target);
    parts.join(" ")
}

/// A random filter ruleset (`iptables-save` format) with up to two user chains.
pub fn simulation_ruleset(rng: &mut Rng) -> String {
    let chains: Vec<&str> = ["CHECKS", "SERVICES"].into_iter().take(usize::try_from(rng.below(3)).unwrap_or(0)).collect();
    let mut text = format!("*filter\n:INPUT {} [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n", rng.pick(&["DROP", "ACCEPT"]));
    for chain in &chains {
        let _ = writeln!(text, ":{chain} - [0:0]");
    }
    for _ in 0..=rng.below(8) {
        let _ = writeln!(text, "-A INPUT {}", rule(rng, &chains, false));
    }
    for chain in &chains {
        for _ in 0..rng.below(5) {
            let _ = writeln!(text, "-A {chain} {}", rule(rng, &[], true));
        }
    }
    text.push_str("COMMIT\n");
    text
}

/// A random incoming packet the kernel oracle can send, with the state conntrack gives it.
pub fn simulation_packet(rng: &mut Rng) -> Packet {
    let link = rng.below(3);
    let destination = ["192.0.2.1", "198.51.100.1", "203.0.113.1"][usize::try_from(link).unwrap_or(0)];
    let source = rng.pick(&SOURCE_ADDRESSES).parse().unwrap_or(std::net::Ipv4Addr::LOCALHOST.into());
    let protocol = *rng.pick(&[Protocol::TCP, Protocol::TCP, Protocol::UDP, Protocol::ICMP]);
    let mut packet = Packet::new(protocol, source, destination.parse().unwrap_or(source)).unwrap_or_else(|error| unreachable!("{error}"));
    packet.path = Path::Input;
    packet.in_interface = Some(format!("eth{link}"));
    packet.destination_port = *rng.pick(&DESTINATION_PORTS);
    packet.ttl = *rng.pick(&[64, 64, 5, 200]);
    if protocol == Protocol::TCP {
        // Flags with the state a fresh conntrack table gives them (checked by the oracle's own tests).
        let (flags, state) = *rng.pick(&[
            (0x02, ConnState::New),
            (0x10, ConnState::New),
            (0x12, ConnState::Invalid),
            (0x00, ConnState::Invalid),
            (0x29, ConnState::Invalid),
            // ECN: an ECN-setup SYN (SYN, ECE, CWR) and an ACK with ECE; ECE and CWR never change the state.
            (0xc2, ConnState::New),
            (0x50, ConnState::New),
        ]);
        packet.tcp_flags = TcpFlags::from_packet_bits(flags);
        packet.state = state;
    }
    if protocol == Protocol::ICMP {
        packet.icmp_type = *rng.pick(&[8, 13]);
    }
    packet
}
