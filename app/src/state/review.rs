//! What the wizard derives from a design: the rules each step adds (a plain function of the
//! design, called from a memo), and the review — the summary, the rules' explanations, the
//! findings and the files — which the analysis worker answers ([`CheckedReview`]).

use portcullis_engine::design::preview::{PreviewRule, RuleScope};
use portcullis_engine::design::review_job::{read_reply, Review, ReviewFinding, ReviewJob};
use portcullis_engine::design::Design;
use portcullis_engine::export::script::Distro;

use super::Step;
use crate::worker::{self, Reply};

/// The rules a step is about: those that would not be there without what the step edits (all
/// rules at the start and in the review). The protections step also holds the advanced options
/// (interfaces, NAT). See [`RuleScope`].
pub(crate) fn step_rules(design: &Design, step: Step) -> Vec<PreviewRule> {
    let scope = match step {
        Step::Start | Step::Review => RuleScope::All,
        Step::Services | Step::Access => RuleScope::Services,
        Step::Protections => RuleScope::Protections,
    };
    design.preview(scope)
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
            Reply::Crashed => Err(worker::CRASHED_TWICE.to_owned()),
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

    /// The design in plain words (none when the checks did not run).
    pub(crate) fn summary(&self) -> Option<&str> {
        self.outcome.as_ref().ok().map(|review| review.summary.as_str())
    }

    /// What `rule` does, in words, if this review explains it. An explanation depends only on
    /// the rule, so a review of an earlier design still explains the rules it had.
    pub(crate) fn explanation(&self, rule: &PreviewRule) -> Option<&str> {
        self.outcome.as_ref().ok()?.explanation(rule.family, &rule.text)
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
    use portcullis_engine::model::Family;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn each_step_shows_the_rules_of_its_scope() {
        let design = Preset::Web.design();
        let services = step_rules(&design, Step::Services);
        assert_eq!(step_rules(&design, Step::Access), services, "the access step edits the services' sources");
        assert!(services.iter().any(|rule| rule.text.contains("--dport 443") && rule.family == Family::V6));
        assert!(step_rules(&design, Step::Protections).iter().all(|rule| !rule.text.contains("--dport 443")));
        assert_eq!(step_rules(&design, Step::Start), step_rules(&design, Step::Review));
        assert!(step_rules(&design, Step::Review).len() > services.len());
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
        assert!(closed.summary().is_some_and(|summary| summary.contains("Everything else")), "{:?}", closed.summary());
        for step in [Step::Services, Step::Protections, Step::Review] {
            for rule in step_rules(&design, step) {
                assert!(closed.explanation(&rule).is_some_and(|words| words.ends_with('.')), "{step:?}: {rule:?}");
            }
        }
    }
}
