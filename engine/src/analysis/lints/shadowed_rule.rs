//! `shadowed-rule` (L002).
//!
//! **What it does**: finds rules that no packet reaches: every packet the rule could match is
//! taken earlier (in the chain, or by a chain it jumps to) by rules with a different action. The
//! finding names the blocking rules, and its witness is a packet the rule matches that the first
//! blocking rule decides. Rules that only *may* match (rate limits, address lists…) never block.
//!
//! **Why it matters**: the rule was meant to do something and never does: an ACCEPT behind a
//! broader DROP leaves a service closed, a DROP behind a broader ACCEPT leaves it open.
//!
//! **Example**: `-A INPUT -p tcp -j DROP` then `-A INPUT -p tcp --dport 22 -j ACCEPT`.
//!
//! **Fix**: move the rule above the blocking rules, or narrow them.
//!
//! When every blocking rule has the rule's own action, the finding is `redundant-rule` instead.

use super::Context;
use crate::analysis::compile::witness;
use crate::analysis::flow::verdict_of;
use crate::analysis::{Expectation, Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::TableName;

/// A rule no packet reaches, and what takes its packets.
pub(super) struct Unreachable {
    pub(super) same_action: bool,
    pub(super) finding: Finding,
}

/// Every rule of the filter table that some built-in chain visits and no packet reaches.
pub(super) fn unreachable(context: &Context<'_>, code: Code) -> Vec<Unreachable> {
    let Some(table) = context.ruleset.table(TableName::Filter) else { return Vec::new() };
    let mut out = Vec::new();
    for chain in &table.chains {
        let name = chain.name.as_str();
        for (index, rule) in chain.rules.iter().enumerate() {
            let visits: Vec<_> = context.flows.iter().filter_map(|flow| flow.facts(name, index).map(|facts| (flow, facts))).collect();
            let Some((_, first)) = visits.first() else { continue };
            let possible = &first.matches.possible;
            if possible.is_empty() || visits.iter().any(|(_, facts)| facts.reached) {
                continue;
            }
            let mut blockers = Vec::new();
            let mut evidence = None;
            for (earlier, other) in chain.rules.iter().enumerate().take(index) {
                let Some(target) = &other.target else { continue };
                let mut blocks = false;
                for (flow, _) in &visits {
                    let Some(facts) = flow.facts(name, earlier) else { continue };
                    blocks = blocks || facts.hit_meets(possible);
                    // Prefer a witness from a blocking rule whose action differs: the real cause.
                    let differs = verdict_of(target) != rule.target.as_ref().and_then(verdict_of);
                    let better = evidence.as_ref().is_none_or(|(_, _, differed)| differs && !differed);
                    let Some(verdict) = verdict_of(target).filter(|_| better) else { continue };
                    let taken = facts.certain_hit_in(possible);
                    if !taken.is_empty() {
                        let by = RuleLoc { table: TableName::Filter, chain: name.to_owned(), index: Some(earlier + 1) };
                        evidence = Some((witness(&context.universe, &taken, flow.path), Expectation { verdict, decided_by: by }, differs));
                    }
                }
                if blocks {
                    blockers.push((RuleLoc { table: TableName::Filter, chain: name.to_owned(), index: Some(earlier + 1) }, verdict_of(target)));
                }
            }
            if blockers.is_empty() {
                continue; // the chain itself is not reached: the jump to it is reported
            }
            let own = rule.target.as_ref().and_then(verdict_of);
            let same_action = own.is_some() && blockers.iter().all(|(_, verdict)| *verdict == own);
            let loc = RuleLoc { table: TableName::Filter, chain: name.to_owned(), index: Some(index + 1) };
            let names: Vec<String> = blockers.iter().map(|(loc, _)| loc.to_string()).collect();
            let message = if same_action {
                format!("{loc} is redundant: every packet it matches is already taken, with the same action, by {}", names.join(", "))
            } else {
                format!("{loc} is never reached: every packet it matches is taken earlier by {}", names.join(", "))
            };
            let blockers: Vec<RuleLoc> = blockers.into_iter().map(|(loc, _)| loc).collect();
            let (packet, expect) = evidence.map_or((None, None), |(packet, expect, _)| (packet, Some(expect)));
            let label = if same_action { "already takes its packets" } else { "takes its packets first" };
            let finding = Finding::new(context.ruleset, code, Some(loc.clone()), message)
                .related(context.ruleset, blockers, label)
                .witness(packet, expect)
                .help(if same_action { "delete the rule" } else { "move the rule above the rules that take its packets, or narrow them" });
            out.push(Unreachable { same_action, finding });
        }
    }
    out
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    out.extend(unreachable(context, Code::ShadowedRule).into_iter().filter(|found| !found.same_action).map(|found| found.finding));
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail() {
        let found = findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "shadowed-rule");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].related.len(), 1);
        assert_eq!(found[0].witness.as_ref().unwrap().destination_port, 22);
        // Through a user chain.
        let found = findings(":INPUT DROP [0:0]\n:deny - [0:0]\n-A INPUT -j deny\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A deny -j REJECT", "shadowed-rule");
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn pass() {
        // An uncertain rule never shadows.
        assert!(findings("-A INPUT -p tcp -m limit --limit 1/sec -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "shadowed-rule").is_empty());
        // A partial overlap is not a shadow; nor is RETURN of other packets.
        assert!(findings("-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "shadowed-rule").is_empty());
    }
}
