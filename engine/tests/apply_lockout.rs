//! No step of the commands export locks the admin out: every command of every preset and of
//! generated designs (with any protections) is replayed, and after each the admin's SSH — a new
//! login and the running session, IPv4 and IPv6 — is checked exactly. The apply script's stages
//! are checked too. A reordered export (policies first) shows the check can fail.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

mod support;

use portcullis_engine::analysis::apply::{commands_lockout, script_lockout};
use portcullis_engine::analysis::LintOptions;
use portcullis_engine::design::{Design, Preset};
use portcullis_engine::export::commands::render_pair;
use portcullis_engine::model::{Family, Ruleset};
use proptest::prelude::*;

fn open() -> [Ruleset; 2] {
    [Ruleset::new(Family::V4), Ruleset::new(Family::V6)]
}

/// The admins to check: the design's own SSH sources, documentation networks, and anyone.
fn admins(design: &Design) -> Vec<LintOptions> {
    let documentation = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap(), "2001:db8:1::/48".parse().unwrap()], ..LintOptions::default() };
    LintOptions::from_design(design).into_iter().chain([documentation, LintOptions::default()]).collect()
}

fn step_findings(design: &Design) -> Vec<String> {
    let compiled = [design.compile(Family::V4), design.compile(Family::V6)];
    let text = render_pair(&compiled[0], &compiled[1]);
    let mut out = Vec::new();
    for options in admins(design) {
        // From a fresh server, and re-applied over the same rules.
        for start in [open(), compiled.clone()] {
            out.extend(commands_lockout(&text, start, &options).into_iter().map(|finding| finding.diagnostic.message));
        }
        out.extend(script_lockout(&open(), &compiled, &options).into_iter().map(|finding| finding.diagnostic.message));
    }
    out
}

#[test]
fn no_preset_export_locks_out_at_any_step() {
    for preset in Preset::ALL {
        let found = step_findings(&preset.design());
        assert!(found.is_empty(), "{}: {found:#?}", preset.slug());
    }
}

#[test]
fn policies_set_before_the_rules_are_caught() {
    let design = Preset::Web.design();
    let v4 = design.compile(Family::V4);
    let text = render_pair(&v4, &design.compile(Family::V6));
    // The unsafe order the tutorials warn about: the final policies typed first.
    let (policies, rest): (Vec<&str>, Vec<&str>) = text.lines().partition(|line| line.contains(" -P ") && !line.ends_with(" ACCEPT"));
    let reordered: String = policies.iter().chain(&rest).flat_map(|line| [*line, "\n"]).collect();
    let options = LintOptions::from_design(&design).unwrap();
    let found = commands_lockout(&reordered, open(), &options);
    assert_eq!(found.len(), 2, "one per family: {found:#?}");
    assert!(found.iter().all(|finding| finding.diagnostic.code.slug() == "apply-lockout"));
    assert!(found[0].diagnostic.message.contains("`iptables -P INPUT DROP`"), "{}", found[0].diagnostic.message);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_generated_design_export_locks_out_at_any_step(design in support::any_protected_design()) {
        let found = step_findings(&design);
        prop_assert!(found.is_empty(), "{found:#?}\n{}", design.to_json());
    }
}

#[test]
fn the_witness_of_a_step_replays_in_the_state_that_step_leaves() {
    let path = format!("{}/../tests/corpus/lint/apply-lockout/fail.rules", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };
    let found = commands_lockout(&text, open(), &options);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (step, witness, expect) = (found[0].step.clone().unwrap(), found[0].witness.clone().unwrap(), found[0].expect.clone().unwrap());
    assert_eq!((step.number, step.what.as_str()), (1, "iptables -P INPUT DROP"));
    let mut states = Vec::new();
    portcullis_engine::import::replay(&text, open(), |_, ruleset| states.push(ruleset.clone()));
    let outcome = &portcullis_engine::simulate::simulate(&states[step.number - 1], &witness).outcomes[0];
    assert_eq!(outcome.verdict, expect.verdict);
    assert_eq!(outcome.decided_by.as_ref().unwrap().index, expect.decided_by.index);
    // In the final state the same packet is accepted: the step, not the result, locks out.
    let last = &portcullis_engine::simulate::simulate(states.last().unwrap(), &witness).outcomes[0];
    assert_eq!(last.verdict, portcullis_engine::simulate::Verdict::Accept);
}
