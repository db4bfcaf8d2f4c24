//! Dumps with tens of thousands of chains — a 30,000-deep line of jumps, a ring of 3,000 chains
//! with a small loop inside, a dump of 30,000 counted rules — are read, printed and linted
//! whole, with the right findings. Each took minutes or more when the reader and three lints
//! looked chains up by a search per line (quadratic, and cubic for `chain-cycle`); these tests
//! would hang again if one did.

use std::fmt::Write as _;

use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::diagnostic::Code;
use portcullis_engine::export::save;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

/// `chains` user chains, INPUT jumping to the first, each to the next; the last accepts.
fn line_of_jumps(chains: usize) -> String {
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for index in 0..chains {
        writeln!(text, ":c{index} - [0:0]").expect("a String takes any text");
    }
    text.push_str("-A INPUT -j c0\n");
    for index in 0..chains - 1 {
        write!(text, "-A c{index} -p tcp --dport {} -j DROP\n-A c{index} -j c{}\n", index % 60_000 + 1, index + 1).expect("a String takes any text");
    }
    write!(text, "-A c{} -j ACCEPT\nCOMMIT\n", chains - 1).expect("a String takes any text");
    text
}

#[test]
fn thirty_thousand_nested_chains_are_read_printed_and_linted() {
    let text = line_of_jumps(30_000);
    let imported = import(&text, Some(Family::V4));
    assert!(imported.diagnostics.is_empty(), "{:?}", imported.diagnostics.first());
    let ruleset = &imported.value.rulesets[0];
    assert_eq!(ruleset.tables[0].chains.len(), 30_003);
    let printed = save::render(ruleset);
    let again = import(&printed, Some(Family::V4));
    assert!(again.diagnostics.is_empty() && save::render(&again.value.rulesets[0]) == printed, "printed, it reads back the same");
    assert!(printed.contains("-A c29998 -j c29999\n-A c29999 -j ACCEPT\n"));
    let findings = lint(ruleset, &LintOptions::default());
    let codes: Vec<Code> = findings.iter().map(|finding| finding.diagnostic.code).collect();
    assert!(!codes.contains(&Code::UnusedChain) && !codes.contains(&Code::ChainCycle) && !codes.contains(&Code::UndefinedChain), "{codes:?}");
}

#[test]
fn a_ring_of_three_thousand_chains_and_a_small_loop_inside_it_are_reported() {
    let chains = 3_000;
    let mut text = String::from("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for index in 0..chains {
        writeln!(text, ":c{index} - [0:0]").expect("a String takes any text");
    }
    text.push_str(":spare - [0:0]\n-A INPUT -j c0\n");
    for index in 0..chains {
        writeln!(text, "-A c{index} -j c{}", (index + 1) % chains).expect("a String takes any text");
    }
    // A loop of its own, found from its first chain (`a` sorts before every `c…`).
    text.push_str(":a - [0:0]\n:b - [0:0]\n-A INPUT -j a\n-A a -j b\n-A b -j a\n-A b -j nowhere\nCOMMIT\n");
    let imported = import(&text, Some(Family::V4));
    let ruleset = &imported.value.rulesets[0];
    let findings = lint(ruleset, &LintOptions::default());
    let loops: Vec<&str> = findings.iter().filter(|finding| finding.diagnostic.code == Code::ChainCycle).map(|finding| finding.diagnostic.message.as_str()).collect();
    assert!(loops.contains(&"chains loop: a -> b -> a"), "{loops:?}");
    assert!(loops.iter().any(|message| message.starts_with("chains loop: c0 -> c1 -> c2 -> ") && message.matches(" -> ").count() == chains), "the ring");
    let unused: Vec<&str> = findings.iter().filter(|finding| finding.diagnostic.code == Code::UnusedChain).map(|finding| finding.diagnostic.message.as_str()).collect();
    assert_eq!(unused, ["chain `spare` of the filter table is never jumped to"]);
    assert!(imported.diagnostics.iter().any(|diagnostic| diagnostic.code == Code::UndefinedJump), "{:?}", imported.diagnostics);
}

#[test]
fn counters_of_thirty_thousand_rules_are_kept_on_their_rules() {
    let mut text = String::from("*filter\n:INPUT ACCEPT [7:700]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:web - [0:0]\n");
    for index in 0..30_000 {
        let chain = if index % 2 == 0 { "INPUT" } else { "web" };
        writeln!(text, "[{index}:{}] -A {chain} -s 192.0.2.{}/32 -j ACCEPT", index * 60, index % 256).expect("a String takes any text");
    }
    text.push_str("COMMIT\n");
    let imported = import(&text, Some(Family::V4));
    assert!(imported.diagnostics.is_empty(), "{:?}", imported.diagnostics.first());
    let table = &imported.value.rulesets[0].tables[0];
    let web = table.chains.iter().find(|chain| chain.name.as_str() == "web").expect("web");
    assert_eq!(web.rules.len(), 15_000);
    let last = web.rules.last().and_then(|rule| rule.counters).expect("counters");
    assert_eq!((last.packets, last.bytes), (29_999, 29_999 * 60));
}
