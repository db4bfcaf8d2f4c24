//! The kernel oracle on every preset and every example (the tutorial's server among them), both
//! families, expectations derived from the design itself (never from its rules): each service
//! port is reachable from each of its sources and, when restricted, not from a stranger; a closed
//! port is closed; blocked sources are refused first; NULL, XMAS and NEW-without-SYN packets are
//! dropped by their rules; ping follows the toggle; the reply to the server's own DNS query is
//! accepted (and the same datagram without the query is not); the SSH limit lets exactly its
//! number of new connections through from one source and drops the next.

use std::collections::BTreeMap;
use std::net::IpAddr;

use portcullis_e2e::fixtures::presets_and_examples;
use portcullis_e2e::kernel::{Lab, Verdict};
use portcullis_e2e::packet::{Probe, TcpFlags};
use portcullis_e2e::require::{can_run, Need};
use portcullis_engine::design::{Access, Design, Ping, Source};
use portcullis_engine::export::save::render;
use portcullis_engine::model::{Family, PortSpec, Protocol};

/// An open port: its protocol, number, the name its rules' comments carry and who may reach it.
struct Door {
    protocol: Protocol,
    port: u16,
    name: String,
    access: Access,
}

fn doors(design: &Design) -> Vec<Door> {
    let mut doors = Vec::new();
    let mut add = |ports: &[(Protocol, PortSpec)], name: String, access: &Access| {
        for (protocol, spec) in ports {
            doors.push(Door { protocol: *protocol, port: spec.first(), name: name.clone(), access: access.clone() });
        }
    };
    for (service, access) in design.services() {
        add(service.info().ports(), service.info().name().to_owned(), access);
    }
    for (service, access) in design.custom_services() {
        add(&service.ports(), format!("{} (custom)", service.name()), access);
    }
    doors
}

/// Every source `access` lets in, groups resolved, of `family`.
fn sources_of(design: &Design, access: &Access, family: Family) -> Vec<Source> {
    let grouped = access.groups().iter().flat_map(|group| design.group(group).unwrap_or_default().iter().copied());
    let mut all: Vec<Source> = grouped.chain(access.sources().iter().copied()).filter(|source| source.family() == family).collect();
    all.dedup();
    all
}

/// An address inside `source`: the network's first address, or the range's first.
fn inside(source: Source) -> IpAddr {
    source.net().map(|net| net.addr()).or_else(|| source.range().map(portcullis_engine::design::AddressRange::first)).expect("a network or a range")
}

fn covers(source: Source, address: IpAddr) -> bool {
    source.net().is_some_and(|net| net.contains(&address)) || source.range().is_some_and(|range| range.first() <= address && address <= range.last())
}

/// The lab, with the SSH SYNs sent per source (the SSH limit counts them all).
struct Oracle {
    lab: Lab,
    ssh_syns: BTreeMap<IpAddr, u32>,
    ssh_port: u16,
    name: String,
}

impl Oracle {
    /// Asserts the verdict and that the deciding rule's text contains `decided_by`.
    fn expect(&mut self, probe: Probe, verdict: Verdict, decided_by: &str) {
        self.expect_after(probe, &[], verdict, decided_by);
    }

    fn expect_after(&mut self, probe: Probe, entries: &[Vec<String>], verdict: Verdict, decided_by: &str) {
        if let portcullis_e2e::packet::Transport::Tcp { dport, flags, .. } = probe.transport {
            if dport == self.ssh_port && flags == TcpFlags::SYN {
                *self.ssh_syns.entry(probe.source).or_default() += 1;
            }
        }
        let name = &self.name;
        let observation = self.lab.probe_after(&probe, entries).unwrap_or_else(|error| panic!("{name}: {error}"));
        let decision = observation.filter_decision().unwrap_or_else(|| panic!("{name}: no decision for {probe:?}: {observation:?}"));
        assert_eq!(observation.verdict(), Some(verdict), "{name}: {probe:?} → {observation:#?}");
        assert!(decision.text.contains(decided_by), "{name}: {probe:?} decided by `{}`, expected `{decided_by}`", decision.text);
    }
}

fn probe(protocol: Protocol, source: IpAddr, port: u16, from_port: u16) -> Probe {
    if protocol == Protocol::UDP {
        Probe::udp(source, port).from_port(from_port)
    } else {
        Probe::tcp(source, port, TcpFlags::SYN).from_port(from_port)
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

#[allow(clippy::too_many_lines)] // one walk over a design's promises, in the order a reader checks them
fn oracle(name: &str, design: &Design) {
    let lab = Lab::new(1).expect("lab");
    for family in Family::ALL {
        lab.load(family, &render(&design.compile(family))).unwrap_or_else(|error| panic!("{name} {family}: {error}"));
    }
    let mut oracle = Oracle { lab, ssh_syns: BTreeMap::new(), ssh_port: 22, name: name.to_owned() };
    let protections = design.protections().clone();
    let doors = doors(design);
    let mut from_port = 41_000;
    let mut fresh = || {
        from_port += 1;
        from_port
    };
    for family in Family::ALL {
        let (stranger, resolver) = match family {
            Family::V4 => (ip("203.0.113.99"), ip("192.0.2.53")),
            Family::V6 => (ip("2001:db8:ffff::99"), ip("2001:db8::53")),
        };
        let everywhere: Vec<Source> = design.groups().flat_map(|(_, sources)| sources.iter().copied()).chain(design.block_list().iter().copied()).collect();
        let inline = design
            .services()
            .flat_map(|(_, access)| access.sources().to_vec())
            .chain(design.custom_services().flat_map(|(_, access)| access.sources().to_vec()));
        for source in everywhere.into_iter().chain(inline) {
            assert!(!covers(source, stranger) && !covers(source, resolver), "{name}: the test's stranger or resolver is in {source}");
        }
        // Each door: open to its sources, closed to a stranger when restricted.
        for door in &doors {
            if door.access == Access::Everyone {
                let why = format!("portcullis: {} from anywhere", door.name);
                oracle.expect(probe(door.protocol, stranger, door.port, fresh()), Verdict::Accept, &why);
                continue;
            }
            for source in sources_of(design, &door.access, family) {
                let why = format!("portcullis: {} from", door.name);
                oracle.expect(probe(door.protocol, inside(source), door.port, fresh()), Verdict::Accept, &why);
            }
            let open_to_all = doors.iter().any(|other| other.access == Access::Everyone && other.protocol == door.protocol && other.port == door.port);
            if !open_to_all {
                oracle.expect(probe(door.protocol, stranger, door.port, fresh()), Verdict::Drop, "policy DROP");
            }
        }
        // A closed port, TCP and UDP.
        for (protocol, port) in [(Protocol::TCP, 8081), (Protocol::UDP, 9999)] {
            assert!(!doors.iter().any(|door| door.protocol == protocol && door.port == port), "{name}: pick another closed port");
            oracle.expect(probe(protocol, stranger, port, fresh()), Verdict::Drop, "policy DROP");
        }
        // Blocked sources are refused before anything else.
        for source in design.block_list().iter().filter(|source| source.family() == family) {
            let verdict = match protections.block_action {
                portcullis_engine::design::BlockAction::Drop => Verdict::Drop,
                portcullis_engine::design::BlockAction::Reject => Verdict::Reject,
            };
            oracle.expect(Probe::tcp(inside(*source), 443, TcpFlags::SYN).from_port(fresh()), verdict, "portcullis: blocked: ");
        }
        // Scans: conntrack marks NULL and XMAS INVALID; a lone ACK is NEW without SYN.
        let xmas = TcpFlags::FIN | TcpFlags::SYN | TcpFlags::RST | TcpFlags::PSH | TcpFlags::ACK | TcpFlags::URG;
        assert!(protections.drop_invalid && protections.drop_scans, "{name}: the careful defaults");
        oracle.expect(Probe::tcp(stranger, 80, TcpFlags::NONE).from_port(fresh()), Verdict::Drop, "drop invalid packets");
        oracle.expect(Probe::tcp(stranger, 80, xmas).from_port(fresh()), Verdict::Drop, "drop invalid packets");
        oracle.expect(Probe::tcp(stranger, 80, TcpFlags::ACK).from_port(fresh()), Verdict::Drop, "drop new connections without SYN");
        // Ping follows the toggle.
        match protections.ping {
            Ping::Off => oracle.expect(Probe::ping(stranger), Verdict::Drop, "policy DROP"),
            Ping::On => oracle.expect(Probe::ping(stranger), Verdict::Accept, "portcullis: ping\""),
            Ping::Limited { per_second } => oracle.expect(Probe::ping(stranger), Verdict::Accept, &format!("ping, at most {per_second}/s")),
        }
        // The answer to the server's own DNS query (the entry its query leaves in conntrack) is
        // accepted; the same datagram with no query before it is not.
        let server = oracle.lab.server_address(0, family).expect("server address");
        let query = ["-p", "udp", "-s", &server.to_string(), "-d", &resolver.to_string(), "--sport", "40053", "--dport", "53", "--timeout", "30"]
            .map(str::to_owned)
            .to_vec();
        let answer = Probe::udp(resolver, 40_053).from_port(53);
        oracle.expect_after(answer, &[query], Verdict::Accept, "replies to connections already allowed");
        oracle.expect(answer, Verdict::Drop, "policy DROP");
        // The SSH limit: counting every SSH SYN a source sent, the one past the limit is dropped.
        let ssh = doors.iter().find(|door| door.port == oracle.ssh_port && door.protocol == Protocol::TCP);
        if let (Some(limit), Some(ssh)) = (protections.ssh_limit, ssh) {
            let source =
                if ssh.access == Access::Everyone { Some(stranger) } else { sources_of(design, &ssh.access, family).first().map(|source| inside(*source)) };
            if let Some(source) = source {
                while oracle.ssh_syns.get(&source).copied().unwrap_or(0) < limit.connections {
                    oracle.expect(Probe::tcp(source, 22, TcpFlags::SYN).from_port(fresh()), Verdict::Accept, "portcullis: SSH from");
                }
                let why = format!("SSH limit: drop past {} new connections", limit.connections);
                oracle.expect(Probe::tcp(source, 22, TcpFlags::SYN).from_port(fresh()), Verdict::Drop, &why);
            }
        }
    }
}

#[test]
fn every_preset_and_example_behaves_in_the_kernel() {
    if !can_run(
        "kernel oracle: presets and examples",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")],
    ) {
        return;
    }
    let designs = presets_and_examples();
    assert!(designs.iter().any(|(name, _)| name == "tutorial-web-mail.json"), "the tutorial's server is judged");
    for (name, design) in designs {
        oracle(&name, &design);
    }
}

/// Asserts the kernel's verdict on one probe, its chain and that the deciding rule's text holds
/// `decided_by`.
fn judged(what: &str, observation: Result<portcullis_e2e::kernel::Observation, String>, verdict: Verdict, chain: &str, decided_by: &str) {
    let observation = observation.unwrap_or_else(|error| panic!("{what}: {error}"));
    let decision = observation.filter_decision().unwrap_or_else(|| panic!("{what}: no decision: {observation:?}"));
    assert_eq!(observation.verdict(), Some(verdict), "{what}: {observation:#?}");
    assert_eq!(decision.chain, chain, "{what}: {observation:#?}");
    assert!(decision.text.contains(decided_by), "{what}: decided by `{}`, expected `{decided_by}`", decision.text);
}

/// The careful defaults that used to be fixed, turned off one at a time (and all together), in
/// the kernel, with the web preset as it comes for contrast: the reply to the server's own DNS
/// query and to its own HTTPS connection (conntrack entries made as the server's outgoing
/// connections would) is dropped without the `ESTABLISHED,RELATED` accept; a connection the
/// server makes to itself (a frame injected on its `lo`: 127.0.0.1 / `::1` to a local database
/// port, and UDP to a local resolver) is dropped without the loopback accept; a closed port is
/// let in under INPUT ACCEPT; a packet routed through the server is forwarded under FORWARD
/// ACCEPT.
#[test]
#[allow(clippy::too_many_lines)] // one table of expectations per variant, read top to bottom
fn the_careful_defaults_turned_off_behave_in_the_kernel() {
    if !can_run(
        "kernel oracle: careful defaults turned off",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")],
    ) {
        return;
    }
    let lab = Lab::new(2).expect("lab");
    lab.enable_forwarding().expect("forwarding");
    let mut designs = vec![("web, as it comes".to_owned(), portcullis_engine::design::Preset::Web.design())];
    designs.extend(portcullis_e2e::fixtures::careful_defaults_turned_off());
    let mut from_port = 42_000;
    for (name, design) in designs {
        for family in Family::ALL {
            lab.load(family, &render(&design.compile(family))).unwrap_or_else(|error| panic!("{name} {family}: {error}"));
        }
        let protections = design.protections().clone();
        let input_accepts = protections.input_policy == portcullis_engine::design::DefaultPolicy::Accept;
        for family in Family::ALL {
            let (stranger, resolver, beyond, localhost) = match family {
                Family::V4 => (ip("203.0.113.99"), ip("192.0.2.53"), ip("198.51.100.9"), ip("127.0.0.1")),
                Family::V6 => (ip("2001:db8:ffff::99"), ip("2001:db8::53"), ip("2001:db8:1::9"), ip("::1")),
            };
            let server = lab.server_address(0, family).expect("server address").to_string();
            let what = |case: &str| format!("{name} ({family}): {case}");
            from_port += 10;
            // Replies: the server's own DNS query and HTTPS connection, then their answers.
            let dns_query = ["-p", "udp", "-s", &server, "-d", &resolver.to_string(), "--sport", &from_port.to_string(), "--dport", "53", "--timeout", "30"];
            let https = [
                "-p",
                "tcp",
                "-s",
                &server,
                "-d",
                &stranger.to_string(),
                "--sport",
                &(from_port + 1).to_string(),
                "--dport",
                "443",
                "--state",
                "ESTABLISHED",
                "--timeout",
                "30",
            ];
            let dns_answer = Probe::udp(resolver, from_port).from_port(53);
            let https_answer = Probe::tcp(stranger, from_port + 1, TcpFlags::ACK).from_port(443);
            let replies: [(&str, Probe, &[&str]); 2] = [("DNS answer", dns_answer, &dns_query), ("HTTPS answer", https_answer, &https)];
            for (case, answer, entry) in replies {
                let entry: Vec<String> = entry.iter().map(|word| (*word).to_owned()).collect();
                let seen = lab.probe_after(&answer, &[entry]);
                match (protections.allow_established, input_accepts) {
                    (true, _) => judged(&what(case), seen, Verdict::Accept, "INPUT", "replies to connections already allowed"),
                    (false, true) => judged(&what(case), seen, Verdict::Accept, "INPUT", "policy ACCEPT"),
                    (false, false) => judged(&what(case), seen, Verdict::Drop, "INPUT", "policy DROP"),
                }
            }
            // The server talking to itself: a local database (TCP 3306, closed to the world)
            // and a local resolver (UDP 53).
            for (case, probe) in [
                ("local database", Probe::tcp(localhost, 3306, TcpFlags::SYN).from_port(from_port + 2)),
                ("local resolver", Probe::udp(localhost, 53).from_port(from_port + 3)),
            ] {
                let seen = lab.probe_loopback(&probe);
                match (protections.allow_loopback, input_accepts) {
                    (true, _) => judged(&what(case), seen, Verdict::Accept, "INPUT", "portcullis: loopback"),
                    (false, true) => judged(&what(case), seen, Verdict::Accept, "INPUT", "policy ACCEPT"),
                    (false, false) => judged(&what(case), seen, Verdict::Drop, "INPUT", "policy DROP"),
                }
            }
            // A closed port, from a stranger.
            let closed = lab.probe(&Probe::tcp(stranger, 8081, TcpFlags::SYN).from_port(from_port + 4));
            if input_accepts {
                judged(&what("closed port"), closed, Verdict::Accept, "INPUT", "policy ACCEPT");
            } else {
                judged(&what("closed port"), closed, Verdict::Drop, "INPUT", "policy DROP");
            }
            // A connection routed through the server, to the network of its second link.
            let routed = Probe { destination: Some(beyond), ..Probe::tcp(stranger, 80, TcpFlags::SYN).from_port(from_port + 5) };
            let seen = lab.probe(&routed);
            match protections.forward_policy {
                portcullis_engine::design::DefaultPolicy::Accept => judged(&what("routed"), seen, Verdict::Accept, "FORWARD", "policy ACCEPT"),
                portcullis_engine::design::DefaultPolicy::Drop => judged(&what("routed"), seen, Verdict::Drop, "FORWARD", "policy DROP"),
            }
        }
    }
}
