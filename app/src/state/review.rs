//! What the wizard derives from a design: the rules each step adds, explained, and the findings
//! as the review shows them. Plain functions of the design, called from memos (the findings
//! from a task after the edit's frame: see [`CheckedFindings`]).

use portcullis_engine::design::{Design, Nat, Ping, Protections};
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::explain::explain;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::model::{Family, TableName};

use super::Step;

/// One generated rule as a step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ShownRule {
    pub(crate) family: Family,
    /// As `iptables-save` prints it, with `-t TABLE` when not in `filter`.
    pub(crate) text: String,
    /// What it does, in words.
    pub(crate) explanation: String,
}

/// Every rule of `design`, both families, in order.
fn all_rules(design: &Design) -> Vec<ShownRule> {
    let mut shown = Vec::new();
    for family in Family::ALL {
        let ruleset = design.compile(family);
        for table in &ruleset.tables {
            let table_flag = if table.name == TableName::Filter { String::new() } else { format!("-t {} ", table.name.as_str()) };
            for chain in &table.chains {
                for rule in &chain.rules {
                    let text = format!("{table_flag}-A {}{}", chain.name, render_rule(rule, family));
                    shown.push(ShownRule { family, text, explanation: explain(rule, family) });
                }
            }
        }
    }
    shown
}

/// The rules a step is about: those that would not be there without what the step edits (all
/// rules at the start and in the review). Service rules are found with the protections off, as
/// some protections (the SSH limit) exist only for open services. The protections step also
/// holds the advanced options (interfaces, NAT), so its rules include the NAT rules and the
/// service rules an interface limit changes.
pub(crate) fn step_rules(design: &Design, step: Step) -> Vec<ShownRule> {
    match step {
        Step::Start | Step::Review => all_rules(design),
        Step::Services | Step::Access => {
            let bare = without_protections(design);
            added_rules(&bare, &without_services(&bare))
        }
        Step::Protections => added_rules(design, &without_advanced(&without_protections(design))),
    }
}

/// The rules of `design` that `baseline` does not have (each rule of the baseline cancels one
/// equal rule).
fn added_rules(design: &Design, baseline: &Design) -> Vec<ShownRule> {
    let mut remaining = all_rules(baseline);
    all_rules(design)
        .into_iter()
        .filter(|rule| match remaining.iter().position(|other| other.family == rule.family && other.text == rule.text) {
            Some(at) => {
                remaining.remove(at);
                false
            }
            None => true,
        })
        .collect()
}

fn without_services(design: &Design) -> Design {
    let mut bare = design.clone();
    for (id, _) in design.services() {
        bare.close(id);
    }
    for (service, _) in design.custom_services() {
        bare.remove_custom_service(service.name());
    }
    bare
}

/// `design` with no NAT entry and every service on every interface.
fn without_advanced(design: &Design) -> Design {
    let mut bare = design.clone();
    // Every service named here is open and the lists are empty: the engine cannot refuse.
    for (id, _) in design.services() {
        let _ = bare.limit_to_interfaces(id, Vec::new());
    }
    for (service, _) in design.custom_services() {
        let _ = bare.limit_custom_to_interfaces(service.name(), Vec::new());
    }
    let _ = bare.set_nat(Nat::default());
    bare
}

fn without_protections(design: &Design) -> Design {
    let mut bare = design.clone();
    let none = Protections {
        allow_loopback: false,
        allow_established: false,
        drop_invalid: false,
        drop_scans: false,
        ping: Ping::Off,
        ssh_limit: None,
        block_outgoing_smtp: false,
        restricted_output: false,
        log_dropped: None,
        ..Protections::default()
    };
    // The values above are all in range; a refusal would only leave the protections as they are.
    let _ = bare.set_protections(none);
    bare.set_block_list(Vec::new());
    bare
}

/// One finding as the review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ShownFinding {
    /// The stable slug, e.g. `lockout`.
    pub(crate) kind: &'static str,
    pub(crate) severity: Severity,
    pub(crate) family: Family,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// The rule it is about, as text.
    pub(crate) rule: Option<String>,
}

/// The findings of `design`, lockouts first.
pub(crate) fn findings(design: &Design) -> Vec<ShownFinding> {
    let rulesets = [design.compile(Family::V4), design.compile(Family::V6)];
    design
        .lint()
        .into_iter()
        .map(|finding| {
            let ruleset = rulesets.iter().find(|ruleset| ruleset.family == finding.family);
            let rule = finding.rule.as_ref().and_then(|loc| {
                let rule = portcullis_engine::analysis::rule_at(ruleset?, loc)?;
                Some(format!("-A {}{}", loc.chain, render_rule(rule, finding.family)))
            });
            ShownFinding {
                kind: finding.diagnostic.code.slug(),
                severity: finding.diagnostic.severity,
                family: finding.family,
                message: finding.diagnostic.message,
                help: finding.diagnostic.help,
                rule,
            }
        })
        .collect()
}

/// The findings the review shows and the design they are the findings of.
///
/// Linting both families takes longer than a frame (8–16 ms for 50 rules), so an edit's frame
/// shows its rules and exports at once and the findings of the previous design, marked as being
/// checked; the new findings come in a task right after that frame. Until they do,
/// [`is_of`](Self::is_of) tells the review that its findings (and so its lockout check) are not
/// those of the design on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedFindings {
    design: Design,
    findings: Vec<ShownFinding>,
}

impl CheckedFindings {
    /// Lints `design` (both families).
    pub(crate) fn of(design: &Design) -> Self {
        Self { design: design.clone(), findings: findings(design) }
    }

    /// Whether these are the findings of `design`.
    pub(crate) fn is_of(&self, design: &Design) -> bool {
        self.design == *design
    }

    pub(crate) fn findings(&self) -> &[ShownFinding] {
        &self.findings
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::design::{Preset, ServiceId};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn each_step_shows_the_rules_it_adds() {
        let design = Preset::Web.design();
        let services = step_rules(&design, Step::Services);
        assert!(services.iter().any(|rule| rule.text.contains("--dport 443") && rule.family == Family::V6));
        assert!(services.iter().all(|rule| !rule.text.contains("INVALID")), "{services:#?}");
        let protections = step_rules(&design, Step::Protections);
        assert!(protections.iter().any(|rule| rule.text.contains("--ctstate INVALID") && rule.text.ends_with("-j DROP")), "{protections:#?}");
        assert!(protections.iter().all(|rule| !rule.text.contains("--dport 443")));
        for toggle in ["portcullis: loopback", "portcullis: replies to connections already allowed"] {
            assert!(protections.iter().any(|rule| rule.text.contains(toggle)), "{toggle} is a protection now: {protections:#?}");
            assert!(services.iter().all(|rule| !rule.text.contains(toggle)), "{toggle}");
        }
        let all = step_rules(&design, Step::Review);
        assert!(all.len() > services.len() + protections.len(), "the baseline rules are only in the full view");
        assert!(all.iter().all(|rule| rule.explanation.ends_with('.')));
    }

    #[wasm_bindgen_test]
    fn a_closed_ssh_is_a_lockout_listed_first() {
        let mut design = Preset::Web.design();
        assert!(findings(&design).iter().all(|finding| finding.kind != "lockout"));
        design.close(ServiceId::SSH);
        let shown = findings(&design);
        assert_eq!(shown.first().map(|finding| finding.kind), Some("lockout"), "{shown:#?}");
    }

    #[wasm_bindgen_test]
    fn checked_findings_know_which_design_they_belong_to() {
        let mut design = Preset::Web.design();
        let checked = CheckedFindings::of(&design);
        assert!(checked.is_of(&design));
        assert!(checked.findings().iter().all(|finding| finding.kind != "lockout"));
        design.close(ServiceId::SSH);
        assert!(!checked.is_of(&design), "an edit makes them stale until checked again");
        assert_eq!(CheckedFindings::of(&design).findings().first().map(|finding| finding.kind), Some("lockout"));
    }
}
