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

use std::collections::{BTreeMap, HashMap, HashSet};

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
        // Only chains of one strongly connected component can loop through each other: the
        // search from each start stays inside its component (linear in the chains when none
        // loops, as in a dump of 100,000 chains jumping one to the next).
        let component = components(&edges);
        let mut reported: Vec<Vec<&str>> = Vec::new();
        let mut searched: HashMap<usize, usize> = HashMap::new();
        for start in edges.keys().copied() {
            let Some(&own) = component.get(start) else { continue };
            // A loop through hundreds of chains is found from its first starts; searching from
            // every one of them would only find it again, at a cost that grows as its square.
            let starts = searched.entry(own).or_default();
            *starts += 1;
            if *starts > STARTS_PER_COMPONENT {
                continue;
            }
            // A depth-first search from the start; a back edge to it is a cycle through it.
            // Each chain is reached once, from the chain recorded as its parent.
            let mut stack: Vec<(&str, Option<usize>)> = vec![(start, None)];
            let mut parent: HashMap<&str, &str> = HashMap::new();
            while let Some((at, first)) = stack.pop() {
                for &(next, index) in edges.get(at).map_or(&[][..], Vec::as_slice) {
                    let first = first.or(Some(index));
                    if next == start {
                        let mut cycle = vec![at];
                        while let Some(&before) = parent.get(cycle[cycle.len() - 1]) {
                            cycle.push(before);
                        }
                        cycle.reverse();
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
                    } else if component.get(next) == Some(&own) && !parent.contains_key(next) {
                        parent.insert(next, at);
                        stack.push((next, first));
                    }
                }
            }
        }
    }
}

/// How many chains of one loop the search starts from (see [`check`]).
const STARTS_PER_COMPONENT: usize = 32;

/// The strongly connected component of each chain that lies on a loop (Tarjan's algorithm,
/// without recursion: a dump may nest thousands of chains). Chains on no loop are left out.
fn components<'a>(edges: &BTreeMap<&'a str, Vec<(&'a str, usize)>>) -> HashMap<&'a str, usize> {
    let mut order: HashMap<&str, (usize, usize)> = HashMap::new(); // chain -> (index, low link)
    let mut on_stack: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = Vec::new();
    let mut component: HashMap<&str, usize> = HashMap::new();
    let mut components = 0;
    let callees = |chain: &str| edges.get(chain).map_or(&[][..], Vec::as_slice);
    for &root in edges.keys() {
        if order.contains_key(root) {
            continue;
        }
        // (chain, next edge to look at)
        let mut work: Vec<(&str, usize)> = vec![(root, 0)];
        while let Some(&mut (at, ref mut next_edge)) = work.last_mut() {
            if *next_edge == 0 && !order.contains_key(at) {
                let index = order.len();
                order.insert(at, (index, index));
                stack.push(at);
                on_stack.insert(at);
            }
            if let Some(&(callee, _)) = callees(at).get(*next_edge) {
                *next_edge += 1;
                match order.get(callee) {
                    None => work.push((callee, 0)),
                    Some(&(index, _)) if on_stack.contains(callee) => {
                        let low = &mut order.get_mut(at).expect("visited").1;
                        *low = (*low).min(index);
                    }
                    Some(_) => {}
                }
                continue;
            }
            work.pop();
            let (index, low) = order[at];
            if let Some(&(parent, _)) = work.last() {
                let parent_low = &mut order.get_mut(parent).expect("visited").1;
                *parent_low = (*parent_low).min(low);
            }
            if index == low {
                let mut members = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack.remove(member);
                    members.push(member);
                    if member == at {
                        break;
                    }
                }
                let loops = members.len() > 1 || callees(at).iter().any(|&(callee, _)| callee == at);
                if loops {
                    component.extend(members.into_iter().map(|member| (member, components)));
                    components += 1;
                }
            }
        }
    }
    component
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
