//! The matrix diff: imported against edited, IPv4 against IPv6, and (property) exact against
//! the simulator: every change it lists replays with the claimed verdicts on both sides, and
//! every source whose verdict differs is inside a listed change.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use portcullis_engine::design::{Design, ServiceId};
use portcullis_engine::import::import;
use portcullis_engine::model::{Family, Ruleset};
use portcullis_engine::simulate::{simulate, Packet, Verdict};
use portcullis_engine::workbench::{diff_matrices, diff_rulesets, FlowChange};
use proptest::prelude::*;

fn rules(family: Family, lines: &str) -> Ruleset {
    let parsed = import(&format!("*filter\n:INPUT DROP [0:0]\n{lines}COMMIT\n"), Some(family));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    parsed.value.rulesets.into_iter().next().unwrap()
}

fn summaries(changes: &[FlowChange]) -> Vec<String> {
    changes.iter().map(FlowChange::summary).collect()
}

#[test]
fn deleting_the_only_rule_of_a_port_shows() {
    let before = rules(Family::V4, "-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 8080 -j ACCEPT\n");
    let after = rules(Family::V4, "-A INPUT -p tcp --dport 22 -j ACCEPT\n");
    assert_eq!(summaries(&diff_rulesets(&before, &after)), ["TCP 8080 from anywhere: accepted → dropped"]);
    // From the plain matrices, port 8080 is a key only one side has: not compared.
    let plain = diff_matrices(&portcullis_engine::analysis::matrix::matrix(&before), &portcullis_engine::analysis::matrix::matrix(&after));
    assert!(plain.is_empty(), "{plain:?}");
    assert!(diff_rulesets(&before, &before).is_empty());
}

#[test]
fn narrowing_a_service_lists_exactly_the_sources_that_lose_it() {
    let before = rules(Family::V4, "-A INPUT -p tcp --dport 22 -j ACCEPT\n");
    let after = rules(Family::V4, "-A INPUT -s 203.0.113.0/24 -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset\n");
    let changes = diff_rulesets(&before, &after);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].before.sources, ["0.0.0.0-203.0.112.255", "203.0.114.0-255.255.255.255"]);
    assert_eq!(summaries(&changes), ["TCP 22 from 0.0.0.0-203.0.112.255, 203.0.114.0-255.255.255.255: accepted → rejected"]);
    assert_eq!(changes[0].after.decided_by.to_string(), "INPUT rule 2");
}

#[test]
fn a_new_deciding_rule_with_the_same_verdict_is_no_change() {
    let before = rules(Family::V4, "-A INPUT -p tcp --dport 80 -j ACCEPT\n");
    let after = rules(Family::V4, "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n");
    assert_eq!(summaries(&diff_rulesets(&before, &after)), ["TCP 443 from anywhere: dropped → accepted"]);
}

#[test]
fn interface_classes_are_kept_apart() {
    let before = rules(Family::V4, "-A INPUT -i eth1 -p udp --dport 161 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n");
    let after = rules(Family::V4, "-A INPUT -p tcp --dport 22 -j ACCEPT\n");
    let changes = diff_rulesets(&before, &after);
    assert_eq!(summaries(&changes), ["UDP 161 from anywhere on eth1: accepted → dropped"]);
}

#[test]
fn ipv4_against_ipv6() {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, vec!["203.0.113.7".parse().unwrap(), "2001:db8::7".parse().unwrap()]);
    design.allow(ServiceId::HTTP, vec![]);
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    assert!(diff_rulesets(&v4, &v6).is_empty(), "the same design in both families: {:?}", summaries(&diff_rulesets(&v4, &v6)));
    let v4 = rules(Family::V4, "-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -s 203.0.113.7 -p tcp --dport 22 -j ACCEPT\n");
    let v6 = rules(Family::V6, "-A INPUT -s 2001:db8::7 -p tcp --dport 22 -j ACCEPT\n");
    let changes = diff_rulesets(&v4, &v6);
    assert_eq!(summaries(&changes), ["TCP 80 from anywhere: accepted → dropped"]);
    assert_eq!(changes[0].before.decided_by.to_string(), "INPUT rule 1");
    let v6_open = rules(Family::V6, "-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n");
    let changes = diff_rulesets(&v4, &v6_open);
    assert_eq!(summaries(&changes), ["TCP 22 from 0.0.0.0-203.0.113.6, 203.0.113.8-255.255.255.255 / anywhere: dropped → accepted"]);
}

fn verdict(ruleset: &Ruleset, source: &str, port: u16) -> Verdict {
    let packet = Packet::parse(&format!("tcp {source}:40000 -> 192.0.2.200:{port} in eth0 syn new")).unwrap();
    simulate(ruleset, &packet).verdict().unwrap()
}

const LINES: [&str; 8] = [
    "-A INPUT -p tcp --dport 22 -j ACCEPT\n",
    "-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j DROP\n",
    "-A INPUT -s 203.0.113.0/25 -p tcp -j ACCEPT\n",
    "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\n",
    "-A INPUT -s 192.0.2.0/24 -p tcp --dport 80 -j REJECT --reject-with tcp-reset\n",
    "-A INPUT -p tcp --dport 8080 -j ACCEPT\n",
    "-A INPUT -s 198.51.100.128/25 -j DROP\n",
    "-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n",
];

const SOURCES: [&str; 7] = ["192.0.2.1", "198.51.100.1", "198.51.100.200", "203.0.113.1", "203.0.113.200", "10.0.0.1", "255.255.255.254"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn the_diff_agrees_with_the_simulator(a in prop::collection::vec(0..LINES.len(), 0..6), b in prop::collection::vec(0..LINES.len(), 0..6)) {
        let pick = |picks: &[usize]| picks.iter().map(|at| LINES[*at]).collect::<String>();
        let (before, after) = (rules(Family::V4, &pick(&a)), rules(Family::V4, &pick(&b)));
        let changes = diff_rulesets(&before, &after);
        for change in &changes {
            // The first address of each listed source replays with the claimed verdicts.
            for source in &change.before.sources {
                let first = if source == "any" { "0.0.0.0" } else { source.split(['/', '-']).next().unwrap() };
                prop_assert_eq!(verdict(&before, first, change.port), change.before.verdict, "{} {}", change.summary(), first);
                prop_assert_eq!(verdict(&after, first, change.port), change.after.verdict, "{} {}", change.summary(), first);
            }
        }
        // The matrices' keys: the ports either ruleset names (a port no rule names is no row).
        let named: Vec<u16> = [&before, &after].iter().flat_map(|ruleset| portcullis_engine::analysis::matrix::matrix(ruleset).rows).map(|row| row.port).collect();
        for port in [22u16, 80, 443, 8080].into_iter().filter(|port| named.contains(port)) {
            for source in SOURCES {
                let (old, new) = (verdict(&before, source, port), verdict(&after, source, port));
                let address: std::net::Ipv4Addr = source.parse().unwrap();
                let listed = changes.iter().any(|change| change.port == port && change.before.sources.iter().any(|listed| {
                    let (first, last) = match listed.split_once('-') {
                        Some((first, last)) => (first.parse::<std::net::Ipv4Addr>().unwrap(), last.parse().unwrap()),
                        None if listed == "any" => (std::net::Ipv4Addr::UNSPECIFIED, std::net::Ipv4Addr::BROADCAST),
                        None => {
                            let net: ipnet::Ipv4Net = listed.parse().unwrap_or_else(|_| ipnet::Ipv4Net::from(listed.parse::<std::net::Ipv4Addr>().unwrap()));
                            (net.network(), net.broadcast())
                        }
                    };
                    first <= address && address <= last
                }));
                prop_assert_eq!(old != new, listed, "{} port {}: {:?} → {:?} in {:?}", source, port, old, new, summaries(&changes));
            }
        }
    }
}
