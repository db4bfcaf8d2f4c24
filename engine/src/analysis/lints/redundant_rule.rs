//! `redundant-rule` (L003).
//!
//! **What it does**: finds rules whose removal changes no verdict: either every packet they match
//! is taken earlier by rules with the same action, or every packet they take would, without
//! them, go on to a later rule with the same action (and meet no rule with a target in between).
//! The witness is a packet the rule decides; without the rule, the later rule decides it alike.
//!
//! **Why it matters**: dead weight that makes a ruleset harder to read and to change safely.
//!
//! **Example**: `-A INPUT -p tcp --dport 22 -s 10.0.0.0/8 -j ACCEPT` above
//! `-A INPUT -p tcp --dport 22 -j ACCEPT`.
//!
//! **Fix**: delete the rule.

use super::shadowed_rule::unreachable;
use super::Context;
use crate::analysis::compile::witness;
use crate::analysis::flow::verdict_of;
use crate::analysis::{Expectation, Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::TableName;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    out.extend(unreachable(context, Code::RedundantRule).into_iter().filter(|found| found.same_action).map(|found| found.finding));
    let Some(table) = context.ruleset.table(TableName::Filter) else { return };
    for chain in &table.chains {
        let name = chain.name.as_str();
        'rules: for (index, rule) in chain.rules.iter().enumerate() {
            let Some(verdict) = rule.target.as_ref().and_then(verdict_of) else { continue };
            let mut later = None;
            let mut evidence = None;
            let mut visited = false;
            for flow in &context.flows {
                let Some(facts) = flow.facts(name, index) else { continue };
                visited = true;
                if !facts.matches.is_exact() || !facts.hit_is_certain() {
                    continue 'rules;
                }
                if facts.hit_is_empty() {
                    continue 'rules;
                }
                let mut found = None;
                for (after, next) in chain.rules.iter().enumerate().skip(index + 1) {
                    let Some(next_facts) = flow.facts(name, after) else { continue 'rules };
                    let Some(target) = &next.target else { continue };
                    if !facts.hit_meets(&next_facts.matches.possible) {
                        continue;
                    }
                    // A later rule that no packet reaches is reported itself; not both.
                    let live = next_facts.reached;
                    if live && verdict_of(target) == Some(verdict) && next_facts.matches.is_exact() && facts.hit_within(&next_facts.matches.definite) {
                        found = Some(after);
                    }
                    break;
                }
                let Some(after) = found else { continue 'rules };
                if later.is_some_and(|seen| seen != after) {
                    continue 'rules;
                }
                later = Some(after);
                if evidence.is_none() {
                    evidence = facts.first_hit().and_then(|taken| witness(&context.universe, taken, flow.path));
                }
            }
            let Some(after) = later.filter(|_| visited) else { continue };
            let loc = RuleLoc { table: TableName::Filter, chain: name.to_owned(), index: Some(index + 1) };
            let next = RuleLoc { table: TableName::Filter, chain: name.to_owned(), index: Some(after + 1) };
            out.push(
                Finding::new(context.ruleset, Code::RedundantRule, Some(loc.clone()), format!("{loc} is redundant: without it, {next} gives its packets the same verdict"))
                    .related(context.ruleset, vec![next], "does the same")
                    .witness(evidence, Some(Expectation { verdict, decided_by: loc }))
                    .help("delete the rule"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail() {
        let earlier = findings("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "redundant-rule");
        assert_eq!(earlier.len(), 1, "{earlier:?}");
        let later = findings("-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "redundant-rule");
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].related[0].index, Some(2));
    }

    #[test]
    fn pass() {
        // A DROP in between changes the verdict of the first rule's packets.
        assert!(findings("-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -s 10.0.0.0/16 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "redundant-rule").is_empty());
    }
}
