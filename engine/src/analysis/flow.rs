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
use std::sync::Arc;

use super::compile::{rule_matches, Matches, Universe};
use super::parts::Parts;
use super::space::{Cube, Ints, Space, DPORT, MARK, PROTO, STATE};
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
    /// Reached and matched for sure, walk by walk (a chain jumped to from several rules is
    /// walked once per jump): each walk's packets, shared with the decision made of them, and
    /// whether they are certain (the walk of the simulator's first outcome, every uncertain
    /// match not matched). Their union is what the rule matches over every way uncertain
    /// matches go.
    hits: Vec<Hit>,
}

/// The packets of one walk that reached a rule and matched it, with the box that holds them
/// (most questions about a rule's packets are answered "no" by the box alone).
#[derive(Debug, Clone)]
struct Hit {
    packets: Arc<Space>,
    hull: Cube,
    certain: bool,
}

impl RuleFacts {
    /// Whether some packet of `other` reaches the rule and is matched for sure.
    pub(crate) fn hit_meets(&self, other: &Space) -> bool {
        self.hits.iter().any(|hit| !other.misses(&hit.hull) && hit.packets.meets(other))
    }

    /// Every packet that reaches the rule and is matched for sure.
    pub(crate) fn hit(&self) -> Space {
        Space(self.hits.iter().flat_map(|hit| hit.packets.cubes().iter().cloned()).collect())
    }

    /// Whether every packet that reaches the rule and is matched for sure is in `other`.
    pub(crate) fn hit_within(&self, other: &Space) -> bool {
        self.hits.iter().all(|hit| hit.packets.is_subset(other))
    }

    /// Whether no packet reaches the rule and is matched for sure.
    pub(crate) fn hit_is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    /// The packets of the first walk that reached the rule and matched it (the first packets of [`RuleFacts::hit`]).
    pub(crate) fn first_hit(&self) -> Option<&Space> {
        self.hits.first().map(|hit| &*hit.packets)
    }

    /// Whether every packet the rule matches for sure, it matches in the simulator's first outcome.
    pub(crate) fn hit_is_certain(&self) -> bool {
        self.hits.iter().all(|hit| hit.certain)
    }

    /// The packets of `other` the rule matches in the simulator's first outcome.
    pub(crate) fn certain_hit_in(&self, other: &Space) -> Space {
        let certain = self.hits.iter().filter(|hit| hit.certain && !other.misses(&hit.hull));
        Space(certain.flat_map(|hit| hit.packets.intersect(other).0).collect())
    }
}

/// A verdict given to a set of packets.
#[derive(Debug, Clone)]
pub(crate) struct Decision {
    /// The deciding rule (index `None`: the policy).
    pub(crate) by: RuleLoc,
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// The packets (shared with the deciding rule's facts).
    pub(crate) set: Arc<Space>,
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
    /// Per user chain, whether a walk of it may keep its packets within `outer` ([`Flow::pure`]).
    pure: BTreeMap<String, bool>,
}

/// Jumps that send more boxes than this into a pure chain are walked within them ([`Flow::follow`]).
const LAZY_FROM: usize = 32;

/// The packets a jump sent in, kept aside while the walk of the chain follows the boxes its
/// rules make: every set of that walk stands for its intersection with them.
#[derive(Debug)]
struct Outer {
    packets: Arc<Space>,
    hull: Cube,
}

impl Outer {
    /// The packets of `local` within `self` (`None` when there are none): all of them, shared,
    /// when one box of `local` holds every packet.
    fn within(&self, local: &Space) -> Option<Arc<Space>> {
        if local.cubes().iter().any(|cube| self.hull.within(cube)) {
            return Some(Arc::clone(&self.packets));
        }
        let inside = self.packets.intersect(local);
        (!inside.is_empty()).then(|| Arc::new(inside))
    }
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
        let mut flow = Self { chain, path: path_of(chain), policy, rules: BTreeMap::new(), decisions: Vec::new(), exact: true, reach_index: OnceCell::new(), pure: BTreeMap::new() };
        let mut stack = vec![chain.as_str().to_owned()];
        let end = flow.walk(universe, table, root, universe.entering(chain), None, true, &mut stack);
        let verdict = if policy == Policy::Accept { Verdict::Accept } else { Verdict::Drop };
        let by = RuleLoc { table: TableName::Filter, chain: chain.as_str().to_owned(), index: None };
        flow.decisions.push(Decision { by, verdict, set: Arc::new(end), certain: flow.exact });
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

    /// Whether no chain `chain` can reach rewrites packets (MARK, NOTRACK) or loops: a walk of
    /// it may then keep its packets inside those a jump sent in (see [`Outer`]).
    fn pure(&mut self, table: &Table, chain: &Chain, visiting: &mut Vec<String>) -> bool {
        let name = chain.name.as_str();
        if let Some(&known) = self.pure.get(name) {
            return known;
        }
        if visiting.iter().any(|seen| seen == name) {
            return false;
        }
        visiting.push(name.to_owned());
        let mut pure = true;
        for rule in &chain.rules {
            pure = match &rule.target {
                Some(Target::Mark(_) | Target::NoTrack | Target::Ct(Ct { notrack: true, .. })) => false,
                Some(Target::Jump(user) | Target::Goto(user)) => table.chain(&ChainName::User(user.clone())).is_none_or(|sub| self.pure(table, sub, visiting)),
                _ => true,
            };
            if !pure {
                break;
            }
        }
        visiting.pop();
        self.pure.insert(name.to_owned(), pure);
        pure
    }

    /// Walks `chain` with `sent` (whose packets a jump sends in) and returns what comes back: in
    /// one of two ways, with the same sets.
    ///
    /// A jump's packets are often many boxes (a caller's sources, one interface's networks…)
    /// that the chain's rules, about destinations and ports, cut again and again: each rule
    /// multiplies the boxes. When there are many and the chain cannot rewrite a packet, the walk
    /// keeps them aside as `outer`, follows only the boxes its rules make from their hull, and
    /// intersects with `outer` what it records: a rule's packets are `outer ∩` its own, as
    /// intersecting commutes with every step of the walk.
    #[allow(clippy::too_many_arguments)] // the walk's state, passed down
    fn follow(&mut self, universe: &Universe, table: &Table, sub: &Chain, sent: Space, outer: Option<&Outer>, certain: bool, stack: &mut Vec<String>) -> Space {
        if outer.is_some() {
            return self.walk(universe, table, sub, sent, outer, certain, stack);
        }
        if sent.cubes().len() <= LAZY_FROM || !self.pure(table, sub, &mut Vec::new()) {
            return self.walk(universe, table, sub, sent.coalesced(), None, certain, stack);
        }
        // Merging pays for itself but on the largest sets (a catch-all's, intersected once).
        let sent = if sent.cubes().len() <= 8192 { sent.coalesced() } else { sent };
        let Some(hull) = sent.hull() else { return Space::empty() };
        let outer = Outer { packets: Arc::new(sent), hull };
        let back = self.walk(universe, table, sub, Space::cube(outer.hull.clone()), Some(&outer), certain, stack);
        outer.within(&back).map(Arc::unwrap_or_clone).unwrap_or_default()
    }

    /// Walks `chain` with the packets `reach` (within `outer`, when given); returns the packets
    /// that leave it back to the caller (likewise).
    #[allow(clippy::too_many_arguments)] // the walk's state, passed down
    fn walk(&mut self, universe: &Universe, table: &Table, chain: &Chain, reach: Space, outer: Option<&Outer>, certain: bool, stack: &mut Vec<String>) -> Space {
        let name = chain.name.as_str().to_owned();
        let mut reach = Parts::of(reach);
        let mut leaving = Space::empty();
        for (index, rule) in chain.rules.iter().enumerate() {
            let path = self.path;
            let facts = self.rules.entry((name.clone(), index)).or_insert_with(|| {
                let matches = rule_matches(universe, rule, path);
                let exact = matches.possible == matches.definite;
                RuleFacts { matches, exact, reached: false, hits: Vec::new() }
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
                let seen = reach.intersect(&facts.matches.possible);
                facts.reached = facts.reached || outer.map_or(!seen.is_empty(), |outer| outer.packets.meets(&seen));
                seen.minus(&facts.matches.definite)
            };
            let mut hit = if removes { reach.take(&facts.matches.definite) } else { reach.intersect(&facts.matches.definite) };
            // The rule's packets: `hit` itself, or within `outer`.
            let packets = match outer {
                None => (!hit.is_empty()).then(|| Arc::new(std::mem::take(&mut hit))),
                Some(outer) => outer.within(&hit),
            };
            facts.reached = facts.reached || packets.is_some();
            let sure = certain && self.exact;
            let by = RuleLoc { table: TableName::Filter, chain: name.clone(), index: Some(index + 1) };
            if let Some(shared) = packets {
                if let Some(hull) = shared.hull() {
                    facts.hits.push(Hit { packets: Arc::clone(&shared), hull, certain: sure });
                }
                if let Some(verdict) = rule.target.as_ref().and_then(verdict_of) {
                    self.decisions.push(Decision { by, verdict, set: shared, certain: sure });
                    continue;
                }
                if outer.is_none() {
                    hit = Arc::unwrap_or_clone(shared);
                }
            } else if rule.target.as_ref().is_some_and(|target| verdict_of(target).is_some()) {
                continue;
            }
            let Some(target) = &rule.target else { continue };
            match target {
                Target::Return => leaving.absorb(hit),
                Target::Jump(_) | Target::Goto(_) => {
                    let Some(sub) = sub else {
                        self.exact = false;
                        continue;
                    };
                    let user = sub.name.as_str().to_owned();
                    stack.push(user);
                    let reached = outer.map_or(!hit.is_empty(), |outer| outer.packets.meets(&hit));
                    let back = if reached { self.follow(universe, table, sub, hit, outer, certain, stack) } else { Space::empty() };
                    if outer.map_or(!maybe.is_empty(), |outer| outer.packets.meets(&maybe)) {
                        self.follow(universe, table, sub, maybe, outer, false, stack);
                    }
                    stack.pop();
                    if matches!(target, Target::Jump(_)) {
                        reach.absorb(back);
                    } else {
                        leaving.absorb(back);
                    }
                }
                // Never within `outer`: such a chain is not pure.
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
        // What goes back: the caller's later rules cut it again.
        leaving.coalesced()
    }
}
