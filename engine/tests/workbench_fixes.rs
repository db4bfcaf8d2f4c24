//! Quick fixes: for each kind, a ruleset where the finding fires, the fix applied, the finding
//! gone; a fix that would only move the problem is not offered; and (property) applying any
//! offered fix to any generated ruleset never adds an error-severity finding.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use portcullis_engine::analysis::matrix::matrix;
use portcullis_engine::analysis::{lint, rule_at, Finding, LintOptions};
use portcullis_engine::export::save;
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;
use portcullis_engine::workbench::{diff_rulesets, fixes, Draft, FixAction};
use proptest::prelude::*;

fn draft(rules: &str) -> Draft {
    let text = format!("*filter\n{rules}COMMIT\n");
    let parsed = import(&text, None);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    Draft::from_imported(&parsed.value)
}

fn findings(draft: &Draft, slug: &str) -> Vec<Finding> {
    lint(&draft.effective(Family::V4), &LintOptions::default()).into_iter().filter(|f| f.diagnostic.code.slug() == slug).collect()
}

fn render(draft: &Draft) -> String {
    portcullis_engine::export::save::render_tables(&draft.effective(Family::V4))
}

const REPLIES: &str = "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n";

#[test]
fn a_redundant_rule_is_deleted() {
    let mut draft = draft(&format!(":INPUT DROP [0:0]\n{REPLIES}-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"));
    let found = findings(&draft, "redundant-rule");
    assert_eq!(found.len(), 1);
    let offered = fixes(&draft, &found[0]);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].title, "Delete INPUT rule 3 (redundant)");
    let before = matrix(&draft.effective(Family::V4));
    draft.apply(&offered[0]).unwrap();
    assert!(findings(&draft, "redundant-rule").is_empty());
    assert_eq!(render(&draft).matches("--dport 22").count(), 1);
    assert_eq!(matrix(&draft.effective(Family::V4)), before, "deleting a redundant rule changes no verdict");
}

#[test]
fn a_shadowed_rule_moves_above_what_shadows_it() {
    let mut draft = draft(&format!(":INPUT DROP [0:0]\n{REPLIES}-A INPUT -p tcp -j REJECT --reject-with tcp-reset\n-A INPUT -p udp --dport 53 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"));
    let found = findings(&draft, "shadowed-rule");
    assert_eq!(found.len(), 1);
    let offered = fixes(&draft, &found[0]);
    assert_eq!(offered.len(), 1);
    assert_eq!(offered[0].title, "Move INPUT rule 4 above INPUT rule 2");
    let moved = draft.apply(&offered[0]).unwrap();
    assert_eq!(moved.row, 1);
    assert!(findings(&draft, "shadowed-rule").is_empty());
    assert!(render(&draft).contains("--dport 22 -j ACCEPT\n-A INPUT -p tcp -j REJECT"), "{}", render(&draft));
}

#[test]
fn a_move_that_only_shadows_the_other_rule_is_not_offered() {
    // The DROP is shadowed by an ACCEPT of exactly its packets: moving it up would shadow the
    // ACCEPT instead (and change what the rules do): no quick fix.
    let draft = draft(&format!(":INPUT DROP [0:0]\n{REPLIES}-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j DROP\n"));
    let found = findings(&draft, "shadowed-rule");
    assert_eq!(found.len(), 1);
    assert!(fixes(&draft, &found[0]).is_empty());
}

#[test]
fn missing_replies_get_the_established_accept_at_the_top_of_input() {
    let mut draft = draft(":INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\n");
    let found = findings(&draft, "no-established");
    assert_eq!(found.len(), 1);
    let offered = fixes(&draft, &found[0]);
    assert_eq!(offered.len(), 1);
    assert!(matches!(offered[0].action, FixAction::InsertRule { position: 0, .. }));
    draft.apply(&offered[0]).unwrap();
    assert!(findings(&draft, "no-established").is_empty());
    assert!(render(&draft).contains(":OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo"));
}

#[test]
fn findings_without_a_known_fix_get_none() {
    let draft = draft(&format!(":INPUT ACCEPT [0:0]\n{REPLIES}-A INPUT -p tcp --dport 23 -j ACCEPT\n"));
    let all = lint(&draft.effective(Family::V4), &LintOptions::default());
    assert!(!all.is_empty());
    for finding in all.iter().filter(|f| !["redundant-rule", "shadowed-rule", "no-established"].contains(&f.diagnostic.code.slug())) {
        assert!(fixes(&draft, finding).is_empty(), "{finding:?}");
    }
}

const LINES: [&str; 12] = [
    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A INPUT -p tcp -j DROP",
    "-A INPUT -p tcp --dport 22 -j ACCEPT",
    "-A INPUT -p tcp --dport 22 -j ACCEPT",
    "-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j DROP",
    "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT",
    "-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -p udp --dport 53 -j ACCEPT",
    "-A INPUT -s 203.0.113.0/24 -j ACCEPT",
    "-A INPUT -p icmp -j DROP",
    "-A INPUT -j DROP",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Any offered fix, applied, leaves no error-severity code with more findings than before,
    /// and removes its own finding's problem: a deleted redundant rule changes no verdict, a move or
    /// an insert leaves one finding fewer of its code about its rule.
    #[test]
    fn offered_fixes_never_add_errors(picks in prop::collection::vec(0..LINES.len(), 1..8), policy_drop: bool) {
        let policy = if policy_drop { "DROP" } else { "ACCEPT" };
        let rules: String = picks.iter().flat_map(|at| [LINES[*at], "\n"]).collect();
        let draft = draft(&format!(":INPUT {policy} [0:0]\n{rules}"));
        let before = lint(&draft.effective(Family::V4), &LintOptions::default());
        let errors = |findings: &[Finding], code| findings.iter().filter(|f| f.diagnostic.severity == Severity::Error && f.diagnostic.code == code).count();
        for finding in &before {
            for fix in fixes(&draft, finding) {
                let mut fixed = draft.clone();
                fixed.apply(&fix).unwrap();
                let after = lint(&fixed.effective(Family::V4), &LintOptions::default());
                for other in &after {
                    prop_assert!(errors(&after, other.diagnostic.code) <= errors(&before, other.diagnostic.code), "{} added {:?}", fix.title, other);
                }
                // The problem fixed is gone. Deleting a redundant rule must not change what any
                // packet gets (the service matrix, sources and verdicts, stays the same): it can
                // make another rule redundant in turn, a new and true finding. A move or an
                // insert leaves fewer findings of its code about a rule with the fixed rule's text.
                let (before_rules, after_rules) = (draft.effective(Family::V4), fixed.effective(Family::V4));
                if matches!(fix.action, FixAction::DeleteRule { .. }) {
                    let changed = diff_rulesets(&before_rules, &after_rules);
                    prop_assert!(changed.is_empty(), "{} changed what packets get: {:?}", fix.title, changed);
                    continue;
                }
                let text_of = |ruleset: &portcullis_engine::model::Ruleset, finding: &Finding| {
                    finding.rule.as_ref().and_then(|loc| rule_at(ruleset, loc)).map(|rule| save::render_rule(&rule.meaning(), Family::V4))
                };
                let fixed_text = text_of(&before_rules, finding);
                let same = |findings: &[Finding], ruleset| {
                    findings.iter().filter(|f| f.diagnostic.code == finding.diagnostic.code && text_of(ruleset, f) == fixed_text).count()
                };
                prop_assert!(same(&after, &after_rules) < same(&before, &before_rules), "{} left {:?}", fix.title, finding);
            }
        }
    }
}
