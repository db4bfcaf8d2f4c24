//! The kernel oracle, on the first slice's rules and on rules that prove the oracle itself sees
//! flags, interfaces, protocols and conntrack states the way the kernel does.

use std::net::IpAddr;

use portcullis_e2e::fixtures::{slice_design, ADMIN_V4, ADMIN_V6};
use portcullis_e2e::kernel::{Lab, Verdict};
use portcullis_e2e::packet::{Probe, TcpFlags};
use portcullis_e2e::require::{can_run, Need};
use portcullis_engine::design::Source;
use portcullis_engine::export::save::render;
use portcullis_engine::model::Family;

fn ready(suite: &str) -> bool {
    can_run(suite, &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")])
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

/// Asserts the verdict and that the deciding rule's text contains `decided_by`.
fn expect(lab: &Lab, probe: Probe, verdict: Verdict, decided_by: &str) {
    let observation = lab.probe(&probe).unwrap_or_else(|error| panic!("{error}"));
    let decision = observation.filter_decision().unwrap_or_else(|| panic!("no decision for {probe:?}: {observation:?}"));
    assert_eq!(observation.verdict(), Some(verdict), "{probe:?} → {observation:#?}");
    assert!(decision.text.contains(decided_by), "{probe:?} decided by `{}`, expected `{decided_by}`", decision.text);
}

#[test]
fn the_slice_design_behaves_in_the_kernel() {
    if !ready("kernel oracle: slice") {
        return;
    }
    let lab = Lab::new(1).expect("lab");
    for family in Family::ALL {
        lab.load(family, &render(&slice_design().compile(family))).expect("load");
    }
    let syn = TcpFlags::SYN;
    for (admin, stranger) in [(ip(ADMIN_V4), ip("198.51.100.9")), (ip(ADMIN_V6), ip("2001:db8:3::9"))] {
        expect(&lab, Probe::tcp(admin, 22, syn), Verdict::Accept, "SSH from");
        expect(&lab, Probe::tcp(stranger, 22, syn), Verdict::Drop, "policy DROP");
        expect(&lab, Probe::tcp(stranger, 80, syn), Verdict::Accept, "HTTP from anywhere");
        expect(&lab, Probe::tcp(admin, 8080, syn), Verdict::Drop, "policy DROP");
        expect(&lab, Probe::udp(stranger, 53), Verdict::Drop, "policy DROP");
    }
}

#[test]
fn the_oracle_sees_tcp_flags_and_conntrack_states() {
    if !ready("kernel oracle: flags and states") {
        return;
    }
    let lab = Lab::new(1).expect("lab");
    let rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG FIN,PSH,URG -j DROP\n\
        -A INPUT -m conntrack --ctstate INVALID -j REJECT\n\
        -A INPUT -p tcp -m tcp ! --syn -m conntrack --ctstate NEW -j DROP\n\
        COMMIT\n";
    lab.load(Family::V4, rules).expect("load");
    let source = ip("198.51.100.20");
    let xmas = TcpFlags::FIN | TcpFlags::PSH | TcpFlags::URG;
    expect(&lab, Probe::tcp(source, 22, xmas), Verdict::Drop, "--tcp-flags");
    // A lone SYN+ACK is INVALID; a lone ACK is NEW (conntrack picks up connections mid-stream).
    expect(&lab, Probe::tcp(source, 22, TcpFlags::SYN | TcpFlags::ACK), Verdict::Reject, "INVALID");
    expect(&lab, Probe::tcp(source, 22, TcpFlags::ACK), Verdict::Drop, "! --tcp-flags FIN,SYN,RST,ACK SYN");
    expect(&lab, Probe::tcp(source, 22, TcpFlags::SYN), Verdict::Accept, "policy ACCEPT");
}

#[test]
fn the_oracle_sees_interfaces_protocols_and_sources() {
    if !ready("kernel oracle: interfaces and protocols") {
        return;
    }
    let lab = Lab::new(2).expect("lab");
    let v4 = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -i eth1 -p tcp -m tcp --dport 3306 -j ACCEPT\n\
        -A INPUT -p udp -m udp --dport 53 -j ACCEPT\n\
        -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n\
        -A INPUT -s 203.0.113.0/24 -j REJECT --reject-with icmp-admin-prohibited\n\
        COMMIT\n";
    let v6 = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
        -A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT\n\
        COMMIT\n";
    lab.load(Family::V4, v4).expect("load v4");
    lab.load(Family::V6, v6).expect("load v6");
    let source = ip("198.51.100.30");
    let mysql = Probe::tcp(source, 3306, TcpFlags::SYN);
    expect(&lab, mysql.on_link(1), Verdict::Accept, "-i eth1");
    expect(&lab, mysql, Verdict::Drop, "policy DROP");
    expect(&lab, Probe::udp(source, 53), Verdict::Accept, "--dport 53");
    expect(&lab, Probe::ping(source), Verdict::Accept, "--icmp-type 8");
    expect(&lab, Probe::ping(ip("2001:db8:3::30")), Verdict::Accept, "--icmpv6-type 128");
    expect(&lab, Probe::tcp(ip("203.0.113.99"), 25, TcpFlags::SYN), Verdict::Reject, "-s 203.0.113.0/24");
    let hits = lab.probe(&Probe::udp(source, 53)).expect("probe").hits;
    assert_eq!(hits.len(), 1, "exactly one counter moves for one accepted packet: {hits:#?}");
    assert_eq!((hits[0].chain.as_str(), hits[0].position, hits[0].packets), ("INPUT", Some(2), 1));
}

#[test]
fn labs_delete_their_namespaces() {
    if !ready("kernel oracle: cleanup") {
        return;
    }
    let lab = Lab::new(1).expect("lab");
    let name = lab.server().name().to_owned();
    let listed = || std::process::Command::new("ip").args(["netns", "list"]).output().expect("ip netns list").stdout;
    assert!(String::from_utf8_lossy(&listed()).contains(&name));
    drop(lab);
    assert!(!String::from_utf8_lossy(&listed()).contains(&name), "{name} outlived its lab");
}

/// The design's protections, in the kernel: scans dropped by their rules, ping following the
/// toggle, the SSH limit dropping the connection past the limit, blocked sources dropped first.
#[test]
fn the_protections_behave_in_the_kernel() {
    use portcullis_engine::design::{Ping, Protections, SshLimit};
    if !ready("kernel oracle: protections") {
        return;
    }
    let lab = Lab::new(1).expect("lab");
    let mut design = slice_design();
    design.set_block_list(Source::parse_list("198.51.100.66").expect("source"));
    design.set_protections(Protections { ssh_limit: Some(SshLimit { connections: 2, seconds: 600 }), ..Protections::default() }).expect("valid protections");
    lab.load(Family::V4, &render(&design.compile(Family::V4))).expect("load");
    let stranger = ip("198.51.100.9");
    let null = TcpFlags::NONE;
    let xmas = TcpFlags::FIN | TcpFlags::SYN | TcpFlags::RST | TcpFlags::PSH | TcpFlags::ACK | TcpFlags::URG;
    // Conntrack marks NULL and XMAS packets INVALID before the scan rules see them.
    expect(&lab, Probe::tcp(stranger, 80, null), Verdict::Drop, "drop invalid packets");
    expect(&lab, Probe::tcp(stranger, 80, xmas), Verdict::Drop, "drop invalid packets");
    expect(&lab, Probe::tcp(stranger, 80, TcpFlags::ACK), Verdict::Drop, "drop new connections without SYN");
    expect(&lab, Probe::ping(stranger), Verdict::Accept, "ping, at most 1/s");
    expect(&lab, Probe::tcp(ip("198.51.100.66"), 80, TcpFlags::SYN), Verdict::Drop, "blocked: 198.51.100.66");
    let admin = ip(ADMIN_V4);
    expect(&lab, Probe::tcp(admin, 22, TcpFlags::SYN).from_port(41_001), Verdict::Accept, "SSH from");
    expect(&lab, Probe::tcp(admin, 22, TcpFlags::SYN).from_port(41_002), Verdict::Accept, "SSH from");
    expect(&lab, Probe::tcp(admin, 22, TcpFlags::SYN).from_port(41_003), Verdict::Drop, "SSH limit: drop past 2");
    // Ping off: echo requests meet the policy.
    design.set_protections(Protections { ping: Ping::Off, ..Protections::default() }).expect("valid");
    lab.load(Family::V4, &render(&design.compile(Family::V4))).expect("load");
    expect(&lab, Probe::ping(stranger), Verdict::Drop, "policy DROP");
}
