//! The forwarding matrix, computed port by port over every interface pair at once
//! (`forward_matrix`), equals the first, pair-by-pair computation (`forward_matrix_per_pair`),
//! row for row, on generated rulesets of many shapes and on a generated router; every area of
//! every class replays through the traced simulator to its verdict and rule; and the summary
//! (`forward_summary`, first match wins) decides every sampled (port, pair, source,
//! destination) as the matrix does.

use std::fmt::Write as _;
use std::net::IpAddr;

use portcullis_engine::analysis::forward_matrix::{forward_matrix, forward_matrix_per_pair, forward_summary, ForwardMatrix, ForwardSummary};
use portcullis_engine::diagnostic::{Code, Severity};
use portcullis_engine::import::import;
use portcullis_engine::model::{Protocol, Ruleset};
use portcullis_engine::simulate::{simulate, Packet};
use proptest::prelude::*;

#[path = "../examples/common/router.rs"]
mod router;

/// Matches a FORWARD rule may have: interfaces (names, VLANs, prefixes, negations), nested and
/// overlapping addresses, ports, states, uncertain matches (limit, recent, set).
const MATCHES: &[&str] = &[
    "",
    "-i eth0",
    "-o eth0",
    "-i eth1.10",
    "-o eth1.20",
    "-i eth1.+",
    "-o eth1.+",
    "! -i eth0",
    "-i vlan+ -o eth0",
    "-s 10.0.0.0/8",
    "-s 10.1.0.0/16",
    "! -s 10.1.0.0/16",
    "-s 10.1.2.0/24 -o eth0",
    "-d 192.0.2.0/24",
    "-d 192.0.2.10",
    "-d 192.0.2.0/25 -s 10.1.0.0/16",
    "-m iprange --src-range 10.1.0.5-10.1.3.9",
    "-p tcp -m tcp --dport 22",
    "-p tcp -m tcp --dport 80",
    "-p tcp -m multiport --dports 80,443",
    "-p udp -m udp --dport 53",
    "-p tcp -m tcp --dport 1000:2000",
    "-m conntrack --ctstate RELATED,ESTABLISHED",
    "-m conntrack --ctstate NEW",
    "-m limit --limit 5/min",
    "-p tcp -m tcp --dport 22 -m recent --name ssh --rcheck --seconds 60",
    "-m set --match-set blocked src",
    // Fields the matrix leaves free: a pair goes to the first rule that decides some packet
    // between its addresses, so these make decisions overlap once projected.
    "-p tcp -m tcp --sport 1024:65535",
    "-m length --length 0:500",
    "-m ttl --ttl-lt 5",
];

/// Matches on fields the traced replay fixes (source port 40000, default length and TTL).
const FREE_FIELDS: [&str; 3] = ["--sport", "--length", "--ttl"];

const TARGETS: &[&str] = &["ACCEPT", "DROP", "REJECT", "RETURN", "LOG", "CHAIN", "GOTO", "MARK --set-xmark 0x1/0xff"];

type Rules = Vec<(usize, usize, usize, usize)>;

fn rule(chain: &str, (first, second, target, pick): (usize, usize, usize, usize), chains: usize) -> String {
    let target = match TARGETS[target % TARGETS.len()] {
        "CHAIN" if chains > 0 => format!("-j u{}", pick % chains),
        "GOTO" if chains > 0 => format!("-g u{}", pick % chains),
        "CHAIN" | "GOTO" => "-j ACCEPT".to_owned(),
        // Rarely: a rewrite makes later decisions uncertain (the matrix is then not a partition).
        "MARK --set-xmark 0x1/0xff" if pick % 4 != 0 => "-j DROP".to_owned(),
        other => format!("-j {other}"),
    };
    // Two matches, unless they name the same option twice.
    let (a, b) = (MATCHES[first % MATCHES.len()], MATCHES[second % MATCHES.len()]);
    let clash = ["-i", "-o", "-s", "-d", "-p", "-m"].iter().any(|option| a.contains(&format!("{option} ")) && b.contains(&format!("{option} ")));
    let matches = if clash || a == b { a.to_owned() } else { format!("{a} {b}") };
    format!("-A {chain} {matches} {target}")
}

fn ruleset_text(forward: &Rules, users: &[Rules], accept: bool) -> String {
    let mut text = format!("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD {} [0:0]\n:OUTPUT ACCEPT [0:0]\n", if accept { "ACCEPT" } else { "DROP" });
    for at in 0..users.len() {
        let _ = writeln!(text, ":u{at} - [0:0]");
    }
    for &item in forward {
        let _ = writeln!(text, "{}", rule("FORWARD", item, users.len()));
    }
    for (at, rules) in users.iter().enumerate() {
        for &item in rules {
            let _ = writeln!(text, "{}", rule(&format!("u{at}"), item, users.len()));
        }
    }
    text.push_str("COMMIT\n");
    text
}

fn rules(most: usize) -> impl Strategy<Value = Rules> {
    proptest::collection::vec((0..100_usize, 0..100_usize, 0..100_usize, 0..100_usize), 0..most)
}

/// Inclusive address ranges, low to high.
type Ranges = Vec<(u32, u32)>;

/// The numbers of an address list (`any`, `a.b.c.d`, `a.b.c.d/n`, `first-last`), as ranges.
fn ranges(texts: &[String]) -> Ranges {
    let number = |text: &str| u32::from(text.parse::<std::net::Ipv4Addr>().expect("an IPv4 address"));
    texts
        .iter()
        .map(|text| match text.as_str() {
            "any" => (0, u32::MAX),
            text => match (text.split_once('/'), text.split_once('-')) {
                (Some((address, bits)), _) => {
                    let bits: u32 = bits.parse().expect("a prefix length");
                    let first = number(address);
                    (first, first | u32::MAX.checked_shr(bits).unwrap_or(0))
                }
                (None, Some((first, last))) => (number(first), number(last)),
                (None, None) => (number(text), number(text)),
            },
        })
        .collect()
}

fn address(number: u32) -> IpAddr {
    IpAddr::V4(number.into())
}

/// A name on interface class `label`: itself, one more name for `prefix+`, one no rule names for `*`.
fn interface(label: &str) -> String {
    match label {
        "*" => "zz9".to_owned(),
        label => label.strip_suffix('+').map_or_else(|| label.to_owned(), |prefix| format!("{prefix}x9")),
    }
}

/// Every area of `table`: its first and last source to its first and last destination, on the
/// row's first interface pairs, decided alike by the traced simulator (when `replay`) and by the
/// summary; and sampled points checked against the summary wherever the matrix covers them.
fn check(ruleset: &Ruleset, table: &ForwardMatrix, summary: &ForwardSummary, replay: bool, most_pairs: usize) {
    for row in &table.rows {
        let proto = if row.protocol == Protocol::TCP { "tcp" } else { "udp" };
        for (arriving, leaving) in row.interfaces.iter().take(most_pairs) {
            let classes: Vec<_> = row.classes.iter().map(|class| (class, class.areas.iter().map(|area| (ranges(&area.sources), ranges(&area.destinations))).collect::<Vec<_>>())).collect();
            for (class, areas) in &classes {
                for (sources, destinations) in areas {
                    for &(source, destination) in &[(sources[0].0, destinations[0].0), (sources[sources.len() - 1].1, destinations[destinations.len() - 1].1)] {
                        let line = summary.decide(row.protocol, row.port, arriving, leaving, address(source), address(destination));
                        let line = line.unwrap_or_else(|| panic!("no summary line for {proto}/{} {arriving} -> {leaving} {source} -> {destination}\n{summary}", row.port));
                        assert_eq!((line.verdict, &line.decided_by), (class.verdict, &class.decided_by), "{proto}/{} {arriving} -> {leaving} {} -> {}\n{summary}", row.port, address(source), address(destination));
                        if replay {
                            let syn = if proto == "tcp" { " syn" } else { "" };
                            let text = format!("{proto} {}:40000 -> {}:{} in {} out {}{syn} new", address(source), address(destination), row.port, interface(arriving), interface(leaving));
                            let outcome = &simulate(ruleset, &Packet::parse(&text).expect("a packet of the matrix")).outcomes[0];
                            assert_eq!(outcome.verdict, class.verdict, "{text}");
                            assert_eq!(outcome.decided_by.as_ref(), Some(&class.decided_by), "{text}");
                        }
                    }
                }
            }
            // Points between the areas: the class whose area holds one, if any, is the summary's.
            let samples = [0x0a01_0203, 0x0a01_0001, 0x0a00_0001, 0x0a02_0001, 0xc000_020a, 0xc000_0281, 0xcb00_7109, 0x0800_0808];
            for &source in &samples {
                for &destination in &samples {
                    let holds = |(sources, destinations): &(Ranges, Ranges)| {
                        sources.iter().any(|&(low, high)| (low..=high).contains(&source)) && destinations.iter().any(|&(low, high)| (low..=high).contains(&destination))
                    };
                    let Some((class, _)) = classes.iter().find(|(_, areas)| areas.iter().any(holds)) else { continue };
                    let line = summary.decide(row.protocol, row.port, arriving, leaving, address(source), address(destination)).expect("a summary line");
                    assert_eq!((line.verdict, &line.decided_by), (class.verdict, &class.decided_by), "{proto}/{} {arriving} -> {leaving} {} -> {}\n{summary}", row.port, address(source), address(destination));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn port_by_port_equals_pair_by_pair_and_the_summary_reads_back(
        forward in rules(10), users in proptest::collection::vec(rules(6), 0..3), accept in any::<bool>(),
    ) {
        let text = ruleset_text(&forward, &users, accept);
        let parsed = import(&text, None);
        let unexpected: Vec<_> = parsed.diagnostics.iter().filter(|found| found.severity == Severity::Error && found.code != Code::UndefinedJump).collect();
        prop_assert!(unexpected.is_empty(), "{:?}\n{}", unexpected, text);
        let ruleset = &parsed.value.rulesets[0];
        let table = forward_matrix(ruleset);
        prop_assert_eq!(&table, &forward_matrix_per_pair(ruleset), "{}", text);
        let replay = !FREE_FIELDS.iter().any(|option| text.contains(option));
        check(ruleset, &table, &forward_summary(ruleset), replay, usize::MAX);
    }
}

/// The generated university router (VLANs, per-interface chains, RETURN-heavy dispatch, ipsets,
/// `recent`): the same rows both ways, and a summary that reads back and is far shorter.
#[test]
fn a_router_has_the_same_rows_both_ways_and_a_short_summary() {
    let text = router::generate(300);
    let parsed = import(&text, None);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics.first());
    let ruleset = &parsed.value.rulesets[0];
    let table = forward_matrix(ruleset);
    assert_eq!(table, forward_matrix_per_pair(ruleset));
    let summary = forward_summary(ruleset);
    check(ruleset, &table, &summary, false, 3);
    let detail: usize = table.rows.iter().map(|row| 1 + row.classes.iter().map(|class| class.areas.len()).sum::<usize>()).sum();
    let lines = summary.to_string().lines().count();
    assert!(lines * 10 < detail, "{lines} summary lines for {detail} lines of detail");
    assert!(summary.lines.last().is_some_and(|line| line.everything_else), "{summary}");
}

/// Generated cases reach what the matrix must handle: uncertain matches, user chains and a
/// rewrite (where the certain decisions no longer partition the packets).
#[test]
fn generated_cases_cover_uncertain_matches_chains_and_rewrites() {
    let text = ruleset_text(&vec![(26, 0, 1, 0), (25, 0, 0, 0), (5, 17, 5, 0), (24, 0, 7, 4), (13, 18, 0, 0)], &[vec![(10, 20, 1, 0), (0, 0, 3, 0)]], false);
    let ruleset = import(&text, None).value.rulesets.remove(0);
    assert!(text.contains("--match-set") && text.contains("-j u0") && text.contains("MARK"), "{text}");
    let table = forward_matrix(&ruleset);
    assert!(!table.rows.is_empty());
    assert_eq!(table, forward_matrix_per_pair(&ruleset));
}
