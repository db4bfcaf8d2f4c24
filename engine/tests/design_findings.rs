//! The careful defaults that used to be fixed (DROP policies, loopback, replies) are choices now:
//! turning one off must show its finding in the design's review (`Design::lint`), with a witness
//! the simulator replays to the same verdict and deciding rule.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use std::fmt::Write as _;

use portcullis_engine::analysis::Finding;
use portcullis_engine::design::{DefaultPolicy, Design, Preset, Protections};
use portcullis_engine::model::Family;
use portcullis_engine::simulate::simulate;

/// The web preset with `change` made to its protections.
fn web_with(change: impl FnOnce(&mut Protections)) -> Design {
    let mut design = Preset::Web.design();
    let mut protections = design.protections().clone();
    change(&mut protections);
    design.set_protections(protections).unwrap();
    design
}

/// The slugs of `design`'s findings, each with its family, and every witness replayed.
fn kinds(design: &Design) -> Vec<(&'static str, Family)> {
    let findings = design.lint();
    for finding in &findings {
        replays(design, finding);
    }
    findings.iter().map(|finding| (finding.diagnostic.code.slug(), finding.family)).collect()
}

fn replays(design: &Design, finding: &Finding) {
    let (Some(witness), Some(expect)) = (&finding.witness, &finding.expect) else { return };
    let outcome = &simulate(&design.compile(finding.family), witness).outcomes[0];
    assert_eq!(outcome.verdict, expect.verdict, "{}: {witness}", finding.diagnostic.message);
    let by = outcome.decided_by.as_ref().unwrap();
    assert_eq!((by.chain.as_str(), by.index), (expect.decided_by.chain.as_str(), expect.decided_by.index), "{witness}");
}

/// The findings of `kind`, as text for a snapshot: family, message, witness.
fn shown(design: &Design, kind: &str) -> String {
    let mut out = String::new();
    for finding in design.lint().iter().filter(|finding| finding.diagnostic.code.slug() == kind) {
        let witness = finding.witness.as_ref().map(ToString::to_string).unwrap_or_default();
        let _ = writeln!(out, "{} {}: {}\n  witness: {witness}", finding.family, finding.diagnostic.code, finding.diagnostic.message);
    }
    out
}

const BOTH: [Family; 2] = [Family::V4, Family::V6];

#[test]
fn the_careful_defaults_have_none_of_these_findings() {
    let found = kinds(&Preset::Web.design());
    for kind in ["no-established", "default-accept", "loopback-blocked", "dns-blocked"] {
        assert!(found.iter().all(|(slug, _)| *slug != kind), "{kind} in {found:?}");
    }
}

#[test]
fn replies_not_accepted_are_no_established_and_dns_blocked() {
    let design = web_with(|protections| protections.allow_established = false);
    let found = kinds(&design);
    for family in BOTH {
        assert!(found.contains(&("no-established", family)), "{found:?}");
        assert!(found.contains(&("dns-blocked", family)), "{found:?}");
    }
    insta::assert_snapshot!(shown(&design, "no-established"));
    // Under an accepting INPUT policy the replies get in by the policy: no such finding.
    let accepting = web_with(|protections| {
        protections.allow_established = false;
        protections.input_policy = DefaultPolicy::Accept;
    });
    assert!(kinds(&accepting).iter().all(|(slug, _)| *slug != "no-established"));
}

#[test]
fn an_accepting_policy_is_default_accept() {
    let input = web_with(|protections| protections.input_policy = DefaultPolicy::Accept);
    let found = kinds(&input);
    assert_eq!(found.iter().filter(|(slug, _)| *slug == "default-accept").count(), 2, "INPUT in each family: {found:?}");
    insta::assert_snapshot!(shown(&input, "default-accept"));
    let forward = web_with(|protections| protections.forward_policy = DefaultPolicy::Accept);
    let said = shown(&forward, "default-accept");
    assert_eq!(said.matches("FORWARD policy is ACCEPT").count(), 2, "{said}");
    assert!(!said.contains("INPUT"), "{said}");
}

#[test]
fn loopback_not_accepted_is_loopback_blocked() {
    let design = web_with(|protections| protections.allow_loopback = false);
    let found = kinds(&design);
    for family in BOTH {
        assert!(found.contains(&("loopback-blocked", family)), "{found:?}");
    }
    insta::assert_snapshot!(shown(&design, "loopback-blocked"));
}

#[test]
fn an_accepting_input_policy_logs_nothing_as_dropped() {
    let design = web_with(|protections| protections.input_policy = DefaultPolicy::Accept);
    let rules = portcullis_engine::export::save::render(&design.compile(Family::V4));
    assert!(rules.contains(":INPUT ACCEPT") && !rules.contains("-j LOG"), "{rules}");
    assert!(kinds(&design).iter().all(|(slug, _)| *slug != "log-unlimited"));
}
