//! What the wizard derives from a design: the rules each step adds, explained (plain functions
//! of the design, called from memos), and the review's findings and files, which the analysis
//! worker answers ([`CheckedReview`]).

use portcullis_engine::design::review_job::{read_reply, Review, ReviewFinding, ReviewJob};
use portcullis_engine::design::{Design, Nat, Ping, Protections};
use portcullis_engine::explain::explain;
use portcullis_engine::export::script::Distro;
use portcullis_engine::export::save::render_appended;
use portcullis_engine::model::{Family, TableName};

use super::Step;
use crate::worker::{self, Reply};

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
                    let text = format!("{table_flag}{}", render_appended(chain.name.as_str(), rule, family));
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

/// The review of one design with its script for one distribution, as the analysis worker
/// answered it (the wizard's page does not carry the lint and the exports: see
/// `portcullis_engine::design::review_job`), or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CheckedReview {
    design: Design,
    distro: Distro,
    outcome: Result<Review, String>,
}

/// What the review says when the worker cannot run the checks.
const NO_WORKER: &str = "The checks could not start: this browser did not run Portcullis' analysis worker. \
    Reload the page to try again; the exports stay held until the rules are checked.";

impl CheckedReview {
    /// Asks the worker to review `design`; `None` when a newer job overtook this one.
    pub(crate) async fn of(design: Design, distro: Distro) -> Option<Self> {
        let job = ReviewJob { design, distro };
        let outcome = match worker::ask(&job.to_message()).await {
            Reply::Answer(message) => read_reply(&message).map_err(|error| format!("The checks failed: {error}")),
            Reply::Overtaken => return None,
            Reply::Unavailable => Err(NO_WORKER.to_owned()),
        };
        Some(Self { design: job.design, distro, outcome })
    }

    /// Whether this is the review of `design` for `distro`.
    pub(crate) fn is_of(&self, design: &Design, distro: Distro) -> bool {
        self.distro == distro && self.design == *design
    }

    /// The findings, lockouts first (none when the checks did not run).
    pub(crate) fn findings(&self) -> &[ReviewFinding] {
        self.outcome.as_ref().map_or(&[], |review| review.findings.as_slice())
    }

    /// Why the checks did not run.
    pub(crate) fn error(&self) -> Option<&str> {
        self.outcome.as_ref().err().map(String::as_str)
    }

    /// The files in the review's tab order (script, rules.v4, rules.v6, commands, nftables,
    /// design file): each text, or why there is none.
    pub(crate) fn files(&self) -> Vec<Result<String, String>> {
        match &self.outcome {
            Ok(Review { files, .. }) => vec![
                files.script.clone(),
                Ok(files.rules_v4.clone()),
                Ok(files.rules_v6.clone()),
                Ok(files.commands.clone()),
                files.nft.clone().map_err(|error| format!("No nftables file: {error}")),
                Ok(files.design_json.clone()),
            ],
            Err(error) => vec![Err(error.clone()); 6],
        }
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::design::{Preset, ServiceId};
    use portcullis_engine::export::script::Distro;
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
    async fn the_review_lists_a_closed_ssh_first_and_knows_which_design_it_is_of() {
        crate::worker::answer_reviews_on_page();
        let mut design = Preset::Web.design();
        let open = CheckedReview::of(design.clone(), Distro::Rhel).await.expect("answered");
        assert!(open.is_of(&design, Distro::Rhel) && !open.is_of(&design, Distro::Debian));
        assert!(open.findings().iter().all(|finding| finding.code.slug() != "lockout"));
        let files = open.files();
        assert_eq!(files.len(), 6);
        assert!(files[0].as_ref().is_ok_and(|script| script.contains("/etc/sysconfig/iptables")), "{files:?}");
        assert_eq!(files[5].as_deref().ok(), Some(design.to_json().as_str()));
        design.close(ServiceId::SSH);
        assert!(!open.is_of(&design, Distro::Rhel), "an edit makes it stale until reviewed again");
        let closed = CheckedReview::of(design.clone(), Distro::Rhel).await.expect("answered");
        assert_eq!(closed.findings().first().map(|finding| finding.code.slug()), Some("lockout"));
        assert_eq!(closed.error(), None);
    }
}
