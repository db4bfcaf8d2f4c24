//! The rules a view of the wizard shows: every rule of a design, or only those one step adds
//! (the open services, or the protections and advanced options), each as `iptables-save` prints
//! it. The wizard's page lists them as the user edits; the analysis worker explains them in
//! words (`review_job`), so the page does not carry the explanations' code.
//!
//! # Examples
//! ```
//! use portcullis_engine::design::preview::RuleScope;
//! use portcullis_engine::design::Preset;
//! let design = Preset::Web.design();
//! let services = design.preview(RuleScope::Services);
//! assert!(services.iter().any(|shown| shown.text.contains("--dport 443")));
//! assert!(services.iter().all(|shown| !shown.text.contains("INVALID")), "protections are another step's");
//! assert!(design.preview(RuleScope::All).len() > services.len());
//! ```

use super::{Design, Nat, Ping, Protections};
use crate::export::save::render_appended;
use crate::model::{Family, Rule, TableName};

/// Which of a design's rules a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleScope {
    /// Every rule of both families (the start and the review).
    All,
    /// The rules the open services add, found with the protections off: some protections (the
    /// SSH limit) exist only for open services.
    Services,
    /// The rules the protections and the advanced options add: the NAT rules, the containers
    /// rules (`DOCKER-USER`), and the service rules an interface limit changes.
    Protections,
}

impl RuleScope {
    pub const ALL: [Self; 3] = [Self::All, Self::Services, Self::Protections];
}

/// One generated rule of a preview.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PreviewRule {
    pub family: Family,
    /// As `iptables-save` prints it, with `-t TABLE` when not in `filter`.
    pub text: String,
}

impl Design {
    /// The rules `scope` shows, in order.
    pub fn preview(&self, scope: RuleScope) -> Vec<PreviewRule> {
        self.preview_with(scope, |_, _| ()).into_iter().map(|(shown, ())| shown).collect()
    }

    /// The rules `scope` shows, in order, each with what `describe` says of it (the analysis
    /// worker's explanations; the page, which only lists the rules, asks nothing).
    pub fn preview_with<T>(&self, scope: RuleScope, describe: impl Fn(&Rule, Family) -> T + Copy) -> Vec<(PreviewRule, T)> {
        match scope {
            RuleScope::All => all_rules(self, describe),
            RuleScope::Services => {
                let bare = without_protections(self);
                added_rules(&bare, &without_services(&bare), describe)
            }
            RuleScope::Protections => added_rules(self, &without_advanced(&without_protections(self)), describe),
        }
    }
}

/// Every rule of `design`, both families, in order.
fn all_rules<T>(design: &Design, describe: impl Fn(&Rule, Family) -> T) -> Vec<(PreviewRule, T)> {
    let mut shown = Vec::new();
    for family in Family::ALL {
        let ruleset = design.compile(family);
        for table in &ruleset.tables {
            let table_flag = if table.name == TableName::Filter { String::new() } else { format!("-t {} ", table.name.as_str()) };
            for chain in &table.chains {
                for rule in &chain.rules {
                    let text = format!("{table_flag}{}", render_appended(chain.name.as_str(), rule, family));
                    shown.push((PreviewRule { family, text }, describe(rule, family)));
                }
            }
        }
    }
    shown
}

/// The rules of `design` that `baseline` does not have (each rule of the baseline cancels one
/// equal rule).
fn added_rules<T>(design: &Design, baseline: &Design, describe: impl Fn(&Rule, Family) -> T) -> Vec<(PreviewRule, T)> {
    let mut remaining: Vec<PreviewRule> = all_rules(baseline, |_, _| ()).into_iter().map(|(shown, ())| shown).collect();
    all_rules(design, describe)
        .into_iter()
        .filter(|(rule, _)| match remaining.iter().position(|other| other == rule) {
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

/// `design` with no NAT entry, no containers choice and every service on every interface.
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
    // No choice names no group: the engine cannot refuse.
    let _ = bare.set_containers(None);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Preset, ServiceId};

    fn texts(design: &Design, scope: RuleScope) -> Vec<String> {
        design.preview(scope).into_iter().map(|shown| shown.text).collect()
    }

    #[test]
    fn each_scope_shows_the_rules_its_step_adds() {
        let design = Preset::Web.design();
        let services = design.preview(RuleScope::Services);
        assert!(services.iter().any(|rule| rule.text.contains("--dport 443") && rule.family == Family::V6));
        assert!(services.iter().all(|rule| !rule.text.contains("INVALID")), "{services:#?}");
        let protections = texts(&design, RuleScope::Protections);
        assert!(protections.iter().any(|text| text.contains("--ctstate INVALID") && text.ends_with("-j DROP")), "{protections:#?}");
        assert!(protections.iter().all(|text| !text.contains("--dport 443")));
        for toggle in ["portcullis: loopback", "portcullis: replies to connections already allowed"] {
            assert!(protections.iter().any(|text| text.contains(toggle)), "{toggle} is a protection now: {protections:#?}");
            assert!(services.iter().all(|rule| !rule.text.contains(toggle)), "{toggle}");
        }
        let all = design.preview(RuleScope::All);
        assert!(all.len() > services.len() + protections.len(), "the baseline rules are only in the full view");
    }

    #[test]
    fn each_rule_is_shown_as_rendered_in_its_table() {
        let mut design = Preset::Web.design();
        let redirect = crate::design::Redirect::new(crate::design::Transport::Tcp, 80, 8080, Vec::new()).expect("valid");
        design.set_nat(Nat { redirects: vec![redirect], ..Nat::default() }).expect("a valid redirect");
        for (shown, rendered) in design.preview_with(RuleScope::All, |rule, family| (rule.clone(), family)) {
            let without_table = shown.text.strip_prefix("-t nat ").unwrap_or(&shown.text);
            let chain = without_table.strip_prefix("-A ").and_then(|rest| rest.split(' ').next()).expect("-A CHAIN");
            assert_eq!(without_table, render_appended(chain, &rendered.0, rendered.1));
            assert_eq!(shown.family, rendered.1);
        }
        assert!(texts(&design, RuleScope::Protections).iter().any(|text| text.starts_with("-t nat -A PREROUTING")));
        design.close(ServiceId::SSH);
        assert!(texts(&design, RuleScope::Services).iter().all(|text| !text.contains("--dport 22")));
    }

    #[test]
    fn the_containers_rules_are_shown_with_the_advanced_options() {
        use crate::design::{ContainerExposure, ContainerPorts};
        let mut design = Preset::Web.design();
        design.set_containers(Some(ContainerPorts::new(ContainerExposure::HostOnly, None))).expect("no group named");
        let advanced = texts(&design, RuleScope::Protections);
        assert_eq!(advanced.iter().filter(|text| text.starts_with("-A DOCKER-USER ")).count(), 2 * 5, "{advanced:#?}");
        assert!(texts(&design, RuleScope::Services).iter().all(|text| !text.contains("DOCKER-USER")));
    }
}
