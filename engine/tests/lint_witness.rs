//! Every witness of every lint fixture replayed through the simulator: it shows the behaviour the
//! finding claims (verdict and deciding rule), and a rule found redundant because of a later rule
//! can be deleted without changing the witness's verdict.

#![allow(clippy::unwrap_used)] // fixtures are test data: stop where they fail

use portcullis_engine::analysis::{lint, lint_pair, rule_at, Finding, LintOptions};
use portcullis_engine::import::import;
use portcullis_engine::model::{Family, Ruleset};
use portcullis_engine::simulate::simulate;

fn fixtures() -> Vec<(String, String)> {
    let root = format!("{}/../tests/corpus/lint", env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for kind in std::fs::read_dir(&root).unwrap() {
        for file in std::fs::read_dir(kind.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    out.sort();
    out
}

fn options() -> LintOptions {
    LintOptions { admin_ssh_port: 22, admin_from: vec!["203.0.113.0/24".parse().unwrap(), "2001:db8:1::/48".parse().unwrap()], ..LintOptions::default() }
}

fn replay(name: &str, ruleset: &Ruleset, finding: &Finding) -> bool {
    let (Some(witness), Some(expect)) = (&finding.witness, &finding.expect) else { return false };
    let outcome = &simulate(ruleset, witness).outcomes[0];
    let by = outcome.decided_by.as_ref().expect("a decision");
    let what = format!("{name}: {} {witness}", finding.diagnostic.message);
    assert_eq!(outcome.verdict, expect.verdict, "{what}");
    assert_eq!((by.table, by.chain.as_str(), by.index), (expect.decided_by.table, expect.decided_by.chain.as_str(), expect.decided_by.index), "{what}");
    // The text form reads back to the same packet.
    let reread = portcullis_engine::simulate::Packet::parse(&witness.to_string()).unwrap();
    assert_eq!(simulate(ruleset, &reread).outcomes[0].verdict, expect.verdict, "{what} (as text)");
    let kind = finding.diagnostic.code.slug();
    if kind == "shadowed-rule" || kind == "redundant-rule" {
        let rule = finding.rule.as_ref().unwrap();
        if finding.related.iter().all(|related| related.index < rule.index) {
            // Taken earlier: the witness is one of the rule's packets, decided by a blocking rule.
            assert!(finding.related.contains(&expect.decided_by), "{what}");
            let shadowed = rule_at(ruleset, rule).unwrap();
            let truth = portcullis_engine::simulate::evaluate(shadowed, witness).truth;
            assert_ne!(truth, portcullis_engine::simulate::Truth::No, "{what}: the rule must match its witness");
        } else {
            // Made redundant by a later rule: delete it, the later rule decides alike.
            let mut without = ruleset.clone();
            let table = without.tables.iter_mut().find(|table| table.name == rule.table).unwrap();
            let chain = table.chains.iter_mut().find(|chain| chain.name.as_str() == rule.chain).unwrap();
            chain.rules.remove(rule.index.unwrap() - 1);
            let outcome = &simulate(&without, witness).outcomes[0];
            assert_eq!(outcome.verdict, expect.verdict, "{what} (without the rule)");
            let later = finding.related[0].index.unwrap() - 1;
            assert_eq!(outcome.decided_by.as_ref().unwrap().index, Some(later), "{what} (without the rule)");
        }
    }
    true
}

#[test]
fn every_witness_replays_as_claimed() {
    let mut replayed = Vec::new();
    for (name, text) in fixtures() {
        let rulesets = import(&text, None).value.rulesets;
        for ruleset in &rulesets {
            for finding in lint(ruleset, &options()) {
                if replay(&name, ruleset, &finding) {
                    replayed.push(finding.diagnostic.code.slug());
                }
            }
        }
        if let (Some(v4), Some(v6)) = (
            rulesets.iter().find(|ruleset| ruleset.family == Family::V4),
            rulesets.iter().find(|ruleset| ruleset.family == Family::V6),
        ) {
            for finding in lint_pair(v4, v6, &options()) {
                let ruleset = if finding.family == Family::V4 { v4 } else { v6 };
                if replay(&name, ruleset, &finding) {
                    replayed.push(finding.diagnostic.code.slug());
                }
            }
        }
    }
    replayed.sort_unstable();
    replayed.dedup();
    for kind in [
        "shadowed-rule", "redundant-rule", "lockout", "no-established", "dns-blocked", "invalid-not-dropped", "icmp-blocked",
        "exposed-risky-service", "cleartext-service", "default-accept", "dual-stack-mismatch",
    ] {
        assert!(replayed.contains(&kind), "no {kind} witness was replayed: {replayed:?}");
    }
}

#[test]
fn lint_is_deterministic_and_never_panics_on_odd_rules() {
    for (_, text) in fixtures() {
        for ruleset in import(&text, None).value.rulesets {
            assert_eq!(lint(&ruleset, &options()), lint(&ruleset, &options()));
        }
    }
    let odd = "*filter\n:INPUT DROP [0:0]\n:a - [0:0]\n-A INPUT -i eth+ -o ppp+ -j a\n-A INPUT ! -i + -j ACCEPT\n-A a -m mark --mark 0x5/0xf0f0f0f1 -j RETURN\n-A a -g a\n-A a -m recent --set -j MARK --set-mark 3\n-A INPUT -m u32 --u32 \"0>>22&0x3C@12>>26&0x3C@0=0\" -j DROP\nCOMMIT\n";
    for ruleset in import(odd, None).value.rulesets {
        let _ = lint(&ruleset, &LintOptions::default());
        let _ = portcullis_engine::analysis::matrix::matrix(&ruleset);
    }
}
