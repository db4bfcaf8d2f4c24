//! The trace-free verdict path (`simulate::verdicts`) gives every outcome of the traced walk
//! (`simulate::simulate`): same verdicts in the same order, same deciding rule, same rewritten
//! packet — on generated rulesets (jumps, gotos, RETURN, undefined chains, loops, uncertain
//! matches that fork the walk, marks, NOTRACK, NAT in several tables) and generated packets.

use std::fmt::Write as _;

use portcullis_engine::diagnostic::{Code, Severity};
use portcullis_engine::import::import;
use portcullis_engine::model::Ruleset;
use portcullis_engine::simulate::{simulate, verdicts, Packet, Verdict};
use proptest::prelude::*;

const MATCHES: &[&str] = &[
    "",
    "-s 192.0.2.0/25",
    "! -s 192.0.2.0/24",
    "-d 198.51.100.1/32",
    "-i eth0",
    "-i eth+",
    "! -i lo",
    "-o eth1",
    "-p tcp",
    "-p udp",
    "-p icmp",
    "-p tcp -m tcp --dport 22",
    "-p tcp -m tcp --dport 20:80 --tcp-flags SYN,ACK SYN",
    "-p tcp -m tcp ! --sport 1024:65535",
    "-p udp -m udp --dport 53",
    "-p tcp -m multiport --dports 22,80,443",
    "-p icmp -m icmp --icmp-type 8",
    "-m conntrack --ctstate RELATED,ESTABLISHED",
    "-m conntrack --ctstate NEW",
    "-m state --state INVALID",
    "-m conntrack --ctstate DNAT",
    "-m mark --mark 0x1/0xff",
    "-m limit --limit 5/sec",
    "-p tcp -m tcp --dport 22 -m recent --name ssh --rcheck --seconds 60",
    "-m string --string evil --algo bm",
    "-m length --length 0:100",
    "-m ttl --ttl-lt 10",
    "-f",
];

const FILTER_TARGETS: &[&str] = &["ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "MARK --set-xmark 0x1/0xffffffff", "CHAIN", "GOTO", "UNDEFINED"];

fn rule(matches: usize, target: usize, chain: &str, chains: usize, pick: usize) -> String {
    let target = match FILTER_TARGETS[target % FILTER_TARGETS.len()] {
        "CHAIN" if chains > 0 => format!("-j u{}", pick % chains),
        "GOTO" if chains > 0 => format!("-g u{}", pick % chains),
        "UNDEFINED" | "CHAIN" | "GOTO" => "-j nowhere".to_owned(),
        other => format!("-j {other}"),
    };
    let mut matches = MATCHES[matches % MATCHES.len()];
    // iptables refuses `-i` in OUTPUT and `-o` in INPUT.
    if (chain == "OUTPUT" && matches.contains("-i ")) || (chain == "INPUT" && matches.contains("-o ")) {
        matches = "";
    }
    format!("-A {chain} {matches} {target}")
}

type Rules = Vec<(usize, usize, usize)>;

fn ruleset_text(builtin: &[Rules; 3], users: &[Rules], policies: [bool; 3], nat: &Rules, raw_notrack: bool) -> String {
    let mut text = String::new();
    if raw_notrack {
        text.push_str("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p udp -m udp --dport 123 -j NOTRACK\nCOMMIT\n");
    }
    text.push_str("*mangle\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 443 -j MARK --set-xmark 0x1/0xff\nCOMMIT\n");
    text.push_str("*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
    for (at, (matches, target, _)) in nat.iter().enumerate() {
        let kind = target % 4;
        let target = match kind {
            0 => "-j DNAT --to-destination 192.0.2.9:8080".to_owned(),
            1 => "-j REDIRECT --to-ports 3128".to_owned(),
            2 => "-j RETURN".to_owned(),
            _ => "-j ACCEPT".to_owned(),
        };
        // DNAT and REDIRECT with a port need `-p tcp`; RETURN and ACCEPT take any match.
        let other = MATCHES[(matches + at) % MATCHES.len()];
        let matches = if kind < 2 || matches % 2 == 0 || other.contains("-o ") { "-p tcp -m tcp --dport 80" } else { other };
        let _ = writeln!(text, "-A PREROUTING {matches} {target}");
    }
    text.push_str("-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n*filter\n");
    for (name, accept) in ["INPUT", "FORWARD", "OUTPUT"].iter().zip(policies) {
        let _ = writeln!(text, ":{name} {} [0:0]", if accept { "ACCEPT" } else { "DROP" });
    }
    for at in 0..users.len() {
        let _ = writeln!(text, ":u{at} - [0:0]");
    }
    for (name, rules) in ["INPUT", "FORWARD", "OUTPUT"].iter().zip(builtin) {
        for &(matches, target, pick) in rules {
            text.push_str(&rule(matches, target, name, users.len(), pick));
            text.push('\n');
        }
    }
    for (at, rules) in users.iter().enumerate() {
        for &(matches, target, pick) in rules {
            text.push_str(&rule(matches, target, &format!("u{at}"), users.len(), pick));
            text.push('\n');
        }
    }
    text.push_str("COMMIT\n");
    text
}

fn rules(most: usize) -> impl Strategy<Value = Rules> {
    proptest::collection::vec((0..100_usize, 0..100_usize, 0..100_usize), 0..most)
}

fn packet_text() -> impl Strategy<Value = String> {
    let protocols = prop_oneof![Just("tcp"), Just("udp"), Just("icmp")];
    let sources = prop_oneof![Just("192.0.2.7"), Just("192.0.2.200"), Just("203.0.113.7"), Just("127.0.0.1")];
    let destinations = prop_oneof![Just("198.51.100.1"), Just("192.0.2.9"), Just("203.0.113.1")];
    let ports = prop_oneof![Just(22_u16), Just(53), Just(80), Just(123), Just(443), Just(1000), Just(51000)];
    let paths = prop_oneof![Just("input in eth0"), Just("input in lo"), Just("forward in eth0 out eth1"), Just("output out eth1"), Just("forward in wg0 out eth2")];
    let flags = prop_oneof![Just("syn"), Just("ack"), Just("syn ack"), Just("fin ack"), Just("")];
    let states = prop_oneof![Just("new"), Just("established"), Just("related"), Just("invalid"), Just("untracked")];
    let extras = prop_oneof![Just(""), Just("mark 1"), Just("len 60"), Just("len 1400"), Just("ttl 5"), Just("type 8")];
    (protocols, sources, destinations, ports.clone(), ports, paths, flags, states, extras).prop_map(
        |(protocol, source, destination, sport, dport, path, flags, state, extra)| {
            // Flags are TCP's and a type is ICMP's: the packet parser refuses them elsewhere.
            let flags = if protocol == "tcp" { flags } else { "" };
            let extra = if extra == "type 8" && protocol != "icmp" { "" } else { extra };
            let ports = |address: &str, port: u16| if protocol == "icmp" { address.to_owned() } else { format!("{address}:{port}") };
            format!("{protocol} {} -> {} {path} {flags} {state} {extra}", ports(source, sport), ports(destination, dport))
        },
    )
}

fn assert_same(ruleset: &Ruleset, packets: &[Packet]) -> Result<(), TestCaseError> {
    let fast = verdicts(ruleset, packets);
    for (packet, fast) in packets.iter().zip(&fast) {
        let traced = simulate(ruleset, packet);
        prop_assert_eq!(fast.outcomes.len(), traced.outcomes.len(), "{}", packet);
        for (quick, full) in fast.outcomes.iter().zip(&traced.outcomes) {
            prop_assert_eq!(quick.verdict, full.verdict, "{}", packet);
            prop_assert_eq!(quick.reject_with, full.reject_with, "{}", packet);
            prop_assert_eq!(&quick.decided_by, &full.decided_by, "{}", packet);
            prop_assert_eq!(quick.packet_or(packet), &full.packet, "{}", packet);
        }
        prop_assert_eq!(fast.verdict(), traced.verdict(), "{}", packet);
        prop_assert_eq!(fast.is_certain(), traced.is_certain(), "{}", packet);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fast_path_equals_traced_walk(
        input in rules(8), forward in rules(6), output in rules(4),
        users in proptest::collection::vec(rules(6), 0..4),
        policies in any::<[bool; 3]>(), nat in rules(3), raw_notrack in any::<bool>(),
        packets in proptest::collection::vec(packet_text(), 1..12),
    ) {
        let text = ruleset_text(&[input, forward, output], &users, policies, &nat, raw_notrack);
        let parsed = import(&text, None);
        // A jump to an undefined chain is an error the importer reports, and keeps the rule for.
        let unexpected: Vec<_> = parsed.diagnostics.iter().filter(|found| found.severity == Severity::Error && found.code != Code::UndefinedJump).collect();
        prop_assert!(unexpected.is_empty(), "{:?}\n{}", unexpected, text);
        let ruleset = &parsed.value.rulesets[0];
        let packets: Vec<Packet> = packets.iter().map(|text| Packet::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"))).collect();
        assert_same(ruleset, &packets)?;
    }
}

/// The generator reaches every kind of result: certain verdicts of each kind, MAYBE, forks that
/// agree, a user chain's rule deciding, NAT rewriting the packet.
#[test]
fn generated_cases_cover_maybe_and_jumps() {
    let text = ruleset_text(
        &[vec![(22, 0, 0), (11, 6, 0), (17, 0, 0)], vec![(0, 7, 1)], vec![]],
        &[vec![(11, 1, 0), (0, 3, 0)], vec![(8, 2, 0)]],
        [false, false, true],
        &vec![(0, 0, 0)],
        true,
    );
    let ruleset = import(&text, None).value.rulesets.remove(0);
    let packets: Vec<Packet> = [
        "tcp 203.0.113.7:51000 -> 198.51.100.1:22 input in eth0 syn new",
        "tcp 203.0.113.7:51000 -> 198.51.100.1:80 input in eth0 syn new",
        "udp 203.0.113.7:51000 -> 198.51.100.1:123 input in eth0 new",
        "tcp 203.0.113.7:51000 -> 198.51.100.1:443 forward in eth0 out eth1 ack established",
    ]
    .iter()
    .map(|text| Packet::parse(text).unwrap())
    .collect();
    let results = verdicts(&ruleset, &packets);
    assert!(results.iter().any(|result| !result.is_certain()), "a fork: {results:?}");
    assert!(results.iter().any(|result| result.verdict().is_none()), "a MAYBE: {results:?}");
    assert!(results.iter().any(|result| result.outcomes[0].decided_by.as_ref().is_some_and(|by| by.chain.starts_with('u'))), "{results:?}");
    assert!(results.iter().any(|result| result.outcomes[0].packet.as_ref().is_some_and(|packet| packet.destination_port == 8080)), "DNAT: {results:?}");
    assert!(results.iter().any(|result| result.verdict() == Some(Verdict::Reject)), "{results:?}");
    assert!(results.iter().any(|result| result.outcomes.iter().any(|outcome| outcome.verdict == Verdict::Drop)), "{results:?}");
    assert_same(&ruleset, &packets).unwrap();
}

/// A goto loop (which the kernel refuses, but a model can hold) ends the walk instead of hanging it.
#[test]
fn goto_loop_ends() {
    let text = "*filter\n:INPUT ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A INPUT -g a\n-A a -g b\n-A b -g a\nCOMMIT\n";
    let ruleset = import(text, None).value.rulesets.remove(0);
    let packet = Packet::parse("tcp 203.0.113.7:51000 -> 198.51.100.1:22 syn").unwrap();
    assert_eq!(simulate(&ruleset, &packet).verdict(), Some(Verdict::Drop));
    assert_same(&ruleset, &[packet]).unwrap();
}
