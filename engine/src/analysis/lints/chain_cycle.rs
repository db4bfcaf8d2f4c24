//! `chain-cycle` (L005).
//!
//! **What it does**: finds user chains that jump (or go) back to themselves, directly or through
//! other chains.
//!
//! **Why it matters**: the kernel refuses a loop (`iptables-restore: Too many levels of symbolic
//! links`), so the whole file fails to load.
//!
//! **Example**: `-A a -j b` and `-A b -j a`.
//!
//! **Fix**: break the loop: one of the chains must not call back.

use std::collections::BTreeMap;

use super::Context;
use crate::analysis::{Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::Target;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for table in &context.ruleset.tables {
        // chain -> (callee, rule index)
        let mut edges: BTreeMap<&str, Vec<(&str, usize)>> = BTreeMap::new();
        for chain in &table.chains {
            for (index, rule) in chain.rules.iter().enumerate() {
                if let Some(Target::Jump(user) | Target::Goto(user)) = &rule.target {
                    edges.entry(chain.name.as_str()).or_default().push((user.as_str(), index));
                }
            }
        }
        // A depth-first search from each chain; a back edge to the start is a cycle through it.
        let mut reported: Vec<Vec<&str>> = Vec::new();
        for start in edges.keys().copied() {
            let mut stack: Vec<(&str, Vec<&str>, Option<usize>)> = vec![(start, vec![start], None)];
            let mut seen: Vec<&str> = Vec::new();
            while let Some((at, path, first)) = stack.pop() {
                for &(next, index) in edges.get(at).map_or(&[][..], Vec::as_slice) {
                    let first = first.or(Some(index));
                    if next == start {
                        let mut cycle = path.clone();
                        let mut key = cycle.clone();
                        key.sort_unstable();
                        if reported.contains(&key) {
                            continue;
                        }
                        reported.push(key);
                        cycle.push(start);
                        let loc = RuleLoc { table: table.name, chain: start.to_owned(), index: first.map(|index| index + 1) };
                        out.push(
                            Finding::new(context.ruleset, Code::ChainCycle, Some(loc), format!("chains loop: {}", cycle.join(" -> ")))
                                .help("break the loop: one of these chains must not call back; the kernel refuses the whole table"),
                        );
                    } else if !seen.contains(&next) {
                        seen.push(next);
                        let mut longer = path.clone();
                        longer.push(next);
                        stack.push((next, longer, first));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{lint, LintOptions};
    use crate::model::{Chain, Family, Rule, Ruleset, TableName, Target, UserChain};

    fn ruleset(loop_back: bool) -> Ruleset {
        let mut ruleset = Ruleset::new(Family::V4);
        let (a, b) = (UserChain::new("a").unwrap(), UserChain::new("b").unwrap());
        let mut first = Chain::user(a.clone());
        first.rules.push(Rule::new(Target::Jump(b.clone())));
        let mut second = Chain::user(b);
        if loop_back {
            second.rules.push(Rule::new(Target::Jump(a)));
        }
        ruleset.table_mut(TableName::Filter).chains.extend([first, second]);
        ruleset
    }

    #[test]
    fn fail_and_pass() {
        let count = |ruleset: &Ruleset| lint(ruleset, &LintOptions::default()).iter().filter(|f| f.diagnostic.code.slug() == "chain-cycle").count();
        assert_eq!(count(&ruleset(true)), 1);
        assert_eq!(count(&ruleset(false)), 0);
    }
}
