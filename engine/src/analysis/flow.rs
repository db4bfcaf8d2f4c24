//! The flow of packet sets through one built-in chain of the filter table: which packets reach
//! each rule, which each rule decides, and what the policy gets.
//!
//! Jumps are followed into user chains (and come back, minus what the chain decided or, for a
//! goto, continue in the caller's caller); `RETURN` hands packets back; in a built-in chain it
//! hands them to the policy. A rule that only *may* match (see [`super::compile`]) never removes
//! packets: the walk goes on with every packet, and a jump it may take is also walked, but what
//! is decided there is marked uncertain. So what reaches each rule is an over-approximation over
//! every way the uncertain matches could go, and the *certain* decisions are exactly those of
//! the simulator's first outcome (every uncertain match not matched). A rewrite of the packet
//! (MARK, NOTRACK) or a jump loop makes later decisions uncertain.

use std::cell::OnceCell;
use std::collections::BTreeMap;

use super::compile::{rule_matches, Matches, Universe};
use super::parts::Parts;
use super::space::{Ints, Space, DPORT, MARK, PROTO, STATE};
use super::RuleLoc;
use crate::model::{BuiltinChain, Chain, ChainName, Ct, Policy, Ruleset, Table, TableName, Target};
use crate::simulate::{Path, Verdict};

/// Deepest nesting of user chains followed.
const MAX_DEPTH: usize = 32;

/// What the analysis learnt about one rule.
#[derive(Debug, Clone)]
pub(crate) struct RuleFacts {
    /// What the rule matches.
    pub(crate) matches: Matches,
    /// Whether it matches exactly what it may match (no uncertain match).
    exact: bool,
    /// Whether a packet it may match may reach it.
    pub(crate) reached: bool,
    /// Reached and matched for sure (over every way uncertain matches go).
    pub(crate) hit: Space,
    /// Reached and matched when no uncertain match matched.
    pub(crate) certain_hit: Space,
}

/// A verdict given to a set of packets.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// The deciding rule (index `None`: the policy).
    pub(crate) by: RuleLoc,
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// The packets.
    pub(crate) set: Space,
    /// Whether the simulator's first outcome agrees for every packet of the set.
    pub(crate) certain: bool,
}

/// The analysis of one built-in chain of the filter table.
#[derive(Debug, Clone)]
pub(crate) struct Flow {
    /// The chain.
    pub(crate) chain: BuiltinChain,
    /// Its path.
    pub(crate) path: Path,
    /// The policy.
    pub(crate) policy: Policy,
    /// Facts per visited rule, by chain name and 0-based index.
    pub(crate) rules: BTreeMap<(String, usize), RuleFacts>,
    /// Every decision, in walk order; the policy's last.
    pub(crate) decisions: Vec<Decision>,
    exact: bool,
    /// Per decision, the protocols and destination ports its packets have (built on first use).
    reach_index: OnceCell<Vec<(Ints, Ints)>>,
}

fn path_of(chain: BuiltinChain) -> Path {
    match chain {
        BuiltinChain::Output => Path::Output,
        BuiltinChain::Forward | BuiltinChain::Postrouting => Path::Forward,
        BuiltinChain::Input | BuiltinChain::Prerouting => Path::Input,
    }
}

pub(crate) fn verdict_of(target: &Target) -> Option<Verdict> {
    match target {
        Target::Accept => Some(Verdict::Accept),
        Target::Drop => Some(Verdict::Drop),
        Target::Reject(_) => Some(Verdict::Reject),
        _ => None,
    }
}

impl Flow {
    /// Walks filter `chain` of `ruleset`, if the filter table has it.
    pub(crate) fn run(ruleset: &Ruleset, universe: &Universe, chain: BuiltinChain) -> Option<Self> {
        let table = ruleset.table(TableName::Filter)?;
        let root = table.chain(&ChainName::Builtin(chain))?;
        let policy = root.policy.unwrap_or(Policy::Accept);
        let mut flow = Self { chain, path: path_of(chain), policy, rules: BTreeMap::new(), decisions: Vec::new(), exact: true, reach_index: OnceCell::new() };
        let mut stack = vec![chain.as_str().to_owned()];
        let end = flow.walk(universe, table, root, universe.entering(chain), true, &mut stack);
        let verdict = if policy == Policy::Accept { Verdict::Accept } else { Verdict::Drop };
        let by = RuleLoc { table: TableName::Filter, chain: chain.as_str().to_owned(), index: None };
        flow.decisions.push(Decision { by, verdict, set: end, certain: flow.exact });
        Some(flow)
    }

    /// The facts of rule `index` (0-based) of `chain`, if the walk reached it.
    pub(crate) fn facts(&self, chain: &str, index: usize) -> Option<&RuleFacts> {
        self.rules.get(&(chain.to_owned(), index))
    }

    /// The decisions that may give a verdict to some packet of `protocol` to destination `port`
    /// (a cheap test on the decision's protocols and ports, before any set operation).
    pub(crate) fn decisions_for(&self, protocol: u8, port: u16) -> impl Iterator<Item = &Decision> {
        let index = self.reach_index.get_or_init(|| {
            self.decisions.iter().map(|decision| (decision.set.project(PROTO), decision.set.project(DPORT))).collect()
        });
        self.decisions.iter().zip(index).filter(move |(_, (protocols, ports))| {
            protocols.contains(u128::from(protocol)) && ports.contains(u128::from(port))
        }).map(|(decision, _)| decision)
    }

    /// The first certain decision that gives some packet of `probe` a verdict `wanted`, and that packet set.
    pub(crate) fn first_decision(&self, probe: &Space, wanted: impl Fn(Verdict) -> bool) -> Option<(&Decision, Space)> {
        self.decisions.iter().filter(|decision| decision.certain && wanted(decision.verdict)).find_map(|decision| {
            let both = decision.set.intersect(probe);
            (!both.is_empty()).then_some((decision, both))
        })
    }

    /// Walks `chain` with the packets `reach`; returns the packets that leave it back to the caller.
    fn walk(&mut self, universe: &Universe, table: &Table, chain: &Chain, reach: Space, certain: bool, stack: &mut Vec<String>) -> Space {
        let name = chain.name.as_str().to_owned();
        let mut reach = Parts::of(reach);
        let mut leaving = Space::empty();
        for (index, rule) in chain.rules.iter().enumerate() {
            let path = self.path;
            let facts = self.rules.entry((name.clone(), index)).or_insert_with(|| {
                let matches = rule_matches(universe, rule, path);
                let exact = matches.possible == matches.definite;
                RuleFacts { matches, exact, reached: false, hit: Space::empty(), certain_hit: Space::empty() }
            });
            // A jump that cannot be followed (undefined chain, loop) leaves the packets' fate unknown.
            let sub = match &rule.target {
                Some(Target::Jump(user) | Target::Goto(user)) => {
                    let looping = stack.iter().any(|seen| seen == user.as_str()) || stack.len() >= MAX_DEPTH;
                    table.chain(&ChainName::User(user.clone())).filter(|_| !looping)
                }
                _ => None,
            };
            // Whether the packets the rule surely matches go no further in this chain.
            let removes = match &rule.target {
                Some(target) => verdict_of(target).is_some() || matches!(target, Target::Return) || sub.is_some(),
                None => false,
            };
            let maybe = if facts.exact {
                Space::empty()
            } else {
                facts.reached = facts.reached || reach.meets(&facts.matches.possible);
                reach.intersect(&facts.matches.possible).minus(&facts.matches.definite)
            };
            let hit = if removes { reach.take(&facts.matches.definite) } else { reach.intersect(&facts.matches.definite) };
            facts.reached = facts.reached || !hit.is_empty();
            let sure = certain && self.exact;
            if sure {
                facts.certain_hit.absorb(hit.clone());
            }
            facts.hit.absorb(hit.clone());
            let by = RuleLoc { table: TableName::Filter, chain: name.clone(), index: Some(index + 1) };
            let Some(target) = &rule.target else { continue };
            if let Some(verdict) = verdict_of(target) {
                if !hit.is_empty() {
                    self.decisions.push(Decision { by, verdict, set: hit, certain: sure });
                }
                continue;
            }
            match target {
                Target::Return => leaving.absorb(hit),
                Target::Jump(_) | Target::Goto(_) => {
                    let Some(sub) = sub else {
                        self.exact = false;
                        continue;
                    };
                    let user = sub.name.as_str().to_owned();
                    stack.push(user);
                    let back = if hit.is_empty() { Space::empty() } else { self.walk(universe, table, sub, hit, certain, stack) };
                    if !maybe.is_empty() {
                        self.walk(universe, table, sub, maybe, false, stack);
                    }
                    stack.pop();
                    if matches!(target, Target::Jump(_)) {
                        reach.absorb(back);
                    } else {
                        leaving.absorb(back);
                    }
                }
                Target::Mark(_) | Target::NoTrack | Target::Ct(Ct { notrack: true, .. }) if !hit.is_empty() || !maybe.is_empty() => {
                    // The packet is rewritten: follow it loosely, and trust no later decision.
                    let dim = if matches!(target, Target::Mark(_)) { MARK } else { STATE };
                    let touched = hit.union(&maybe);
                    let rewritten = Space(touched.cubes().iter().map(|cube| cube.with(dim, universe.domain(dim))).collect());
                    reach.absorb(rewritten);
                    self.exact = false;
                }
                _ => {}
            }
        }
        leaving.absorb(reach.into_space());
        leaving
    }
}
