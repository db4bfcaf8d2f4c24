//! The lints, one a file. Each documents What it does / Why it matters / Example / Fix, and ends
//! with pass / fail vectors; the fixtures in `tests/corpus/lint/<kind>/` exercise them end to end.

mod chain_cycle;
mod cleartext_service;
mod default_accept;
mod deprecated_state;
mod dns_blocked;
mod docker_bypass;
mod dual_stack_mismatch;
mod exposed_risky_service;
mod fail2ban_order;
mod host_bits_set;
mod icmp_blocked;
mod invalid_not_dropped;
mod lockout;
mod log_unlimited;
mod loopback_blocked;
mod never_matches;
mod no_established;
mod redundant_rule;
mod shadowed_rule;
mod undefined_chain;
mod unused_chain;

pub use dual_stack_mismatch::lint_pair;
pub use host_bits_set::host_bits;

use super::compile::Universe;
use super::flow::Flow;
use super::space::{Dim, Ints, Space, FRAG, IN, PKTTYPE};
use super::{Expectation, Finding, LintOptions};
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, Ruleset};
use crate::simulate::Verdict;

/// What every lint reads.
pub(crate) struct Context<'a> {
    pub(crate) ruleset: &'a Ruleset,
    pub(crate) universe: Universe,
    pub(crate) flows: Vec<Flow>,
    pub(crate) options: &'a LintOptions,
}

impl<'a> Context<'a> {
    pub(crate) fn new(ruleset: &'a Ruleset, options: &'a LintOptions) -> Self {
        let universe = Universe::of(ruleset);
        let flows = [BuiltinChain::Input, BuiltinChain::Forward, BuiltinChain::Output]
            .into_iter()
            .filter_map(|chain| Flow::run(ruleset, &universe, chain))
            .collect();
        Self { ruleset, universe, flows, options }
    }

    pub(crate) fn flow(&self, chain: BuiltinChain) -> Option<&Flow> {
        self.flows.iter().find(|flow| flow.chain == chain)
    }

    /// Ordinary packets crossing `flow` (not on `lo`, unicast, not fragments) with `fields` fixed.
    pub(crate) fn probe(&self, flow: &Flow, fields: &[(Dim, Ints)]) -> Space {
        let mut space = self.universe.entering(flow.chain);
        let mut fixed = vec![(FRAG, Ints::single(0)), (PKTTYPE, Ints::single(0))];
        if flow.chain != BuiltinChain::Output {
            fixed.push((IN, self.universe.interfaces.external()));
        }
        for (dim, values) in fixed.iter().chain(fields) {
            space = space.restrict(*dim, values);
        }
        space
    }

    /// A finding at the first certain decision of `flow` that gives a packet of `probe` a verdict
    /// `wanted`, with that packet as witness.
    pub(crate) fn decided(&self, flow: &Flow, probe: &Space, wanted: impl Fn(Verdict) -> bool, code: Code, message: impl FnOnce(&Finding) -> String) -> Option<Finding> {
        let (decision, packets) = flow.first_decision(probe, wanted)?;
        let witness = super::compile::witness(&self.universe, &packets, flow.path);
        let mut finding = Finding::new(self.ruleset, code, Some(decision.by.clone()), String::new());
        finding = finding.witness(witness, Some(Expectation { verdict: decision.verdict, decided_by: decision.by.clone() }));
        finding.diagnostic.message = message(&finding);
        Some(finding)
    }
}

pub(crate) fn denies(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Drop | Verdict::Reject)
}

/// Every lint on one ruleset, sorted by code, then rule.
pub(crate) fn run(ruleset: &Ruleset, options: &LintOptions) -> Vec<Finding> {
    let context = Context::new(ruleset, options);
    let mut out = Vec::new();
    never_matches::check(&context, &mut out);
    shadowed_rule::check(&context, &mut out);
    redundant_rule::check(&context, &mut out);
    undefined_chain::check(&context, &mut out);
    chain_cycle::check(&context, &mut out);
    unused_chain::check(&context, &mut out);
    lockout::check(&context, &mut out);
    no_established::check(&context, &mut out);
    dns_blocked::check(&context, &mut out);
    invalid_not_dropped::check(&context, &mut out);
    icmp_blocked::check(&context, &mut out);
    exposed_risky_service::check(&context, &mut out);
    cleartext_service::check(&context, &mut out);
    default_accept::check(&context, &mut out);
    deprecated_state::check(&context, &mut out);
    log_unlimited::check(&context, &mut out);
    loopback_blocked::check(&context, &mut out);
    docker_bypass::check(&context, &mut out);
    fail2ban_order::check(&context, &mut out);
    out.sort_by(|a, b| (a.diagnostic.code, &a.rule, a.diagnostic.span).cmp(&(b.diagnostic.code, &b.rule, b.diagnostic.span)));
    out
}

/// Every rule of every chain of every table, with its location.
pub(crate) fn all_rules(ruleset: &Ruleset) -> impl Iterator<Item = (super::RuleLoc, &crate::model::Rule)> {
    ruleset.tables.iter().flat_map(|table| {
        table.chains.iter().flat_map(move |chain| {
            chain.rules.iter().enumerate().map(move |(index, rule)| {
                (super::RuleLoc { table: table.name, chain: chain.name.as_str().to_owned(), index: Some(index + 1) }, rule)
            })
        })
    })
}

#[cfg(test)]
pub(crate) mod testing {
    use super::super::{lint, Finding, LintOptions};
    use crate::import::import;
    use crate::simulate::simulate;

    /// The findings of `kind` for the filter rules `body` (lines after `*filter`, before `COMMIT`).
    pub(crate) fn findings(body: &str, kind: &str) -> Vec<Finding> {
        let text = format!("*filter\n{body}\nCOMMIT\n");
        let parsed = import(&text, None);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };
        let mut out = Vec::new();
        for ruleset in &parsed.value.rulesets {
            for finding in lint(ruleset, &options) {
                if let (Some(witness), Some(expect)) = (&finding.witness, &finding.expect) {
                    let outcome = &simulate(ruleset, witness).outcomes[0];
                    assert_eq!(outcome.verdict, expect.verdict, "{witness}");
                    let by = outcome.decided_by.as_ref().unwrap();
                    assert_eq!((by.chain.as_str(), by.index), (expect.decided_by.chain.as_str(), expect.decided_by.index), "{witness}");
                }
                if finding.diagnostic.code.slug() == kind {
                    out.push(finding);
                }
            }
        }
        out
    }
}
