//! Verdicts without traces, for many packets: the same walk as [`super::simulate`] (tables and
//! chains in the kernel's order, jumps, gotos, RETURN, marks, NOTRACK, address translation, a
//! fork at every uncertain match), but no step is recorded and no text is built, and chains are
//! found by index instead of by name. A property test (`tests/verdicts.rs`) checks on generated
//! rulesets and packets that every outcome — verdict, deciding rule, rewritten packet — equals the
//! traced walk's.
//!
//! ```
//! use portcullis_engine::import::import;
//! use portcullis_engine::simulate::{verdicts, Packet, Verdict};
//!
//! let rules = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
//! let ruleset = import(rules, None).value.rulesets.remove(0);
//! let packets = [Packet::parse("tcp 203.0.113.7:51000 -> 198.51.100.1:22 syn").unwrap()];
//! let results = verdicts(&ruleset, &packets);
//! assert_eq!(results[0].verdict(), Some(Verdict::Accept));
//! assert_eq!(results[0].outcomes[0].decided_by.as_ref().unwrap().index, Some(1));
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

use ipnet::IpNet;

use super::matching::{truth, Truth};
use super::packet::Packet;
use super::walk::{enter_chain, hooks, rewrite, Verdict, MAX_OUTCOMES};
use crate::model::RuleLoc;
use crate::model::{Chain, ChainName, ConnState, Ct, Module, Negated, Policy, Protocol, RejectWith, Rule, Ruleset, Table, TableName, Target};

/// One possible outcome, without the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    /// The verdict.
    pub verdict: Verdict,
    /// The reply a REJECT sends.
    pub reject_with: Option<RejectWith>,
    /// The rule (or policy) that decided, as in [`super::Outcome::decided_by`].
    pub decided_by: Option<RuleLoc>,
    /// The packet after address translation, marks and NOTRACK, when a target changed it
    /// (`None`: the packet as given; see [`Decided::packet_or`]).
    pub packet: Option<Packet>,
}

impl Decided {
    /// The packet at the end of the walk: the rewritten one, or `given` when nothing rewrote it.
    pub fn packet_or<'a>(&'a self, given: &'a Packet) -> &'a Packet {
        self.packet.as_ref().unwrap_or(given)
    }
}

/// Every possible outcome of one packet, the first assuming no uncertain match matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdicts {
    /// The outcomes, in the order [`super::simulate`] gives them.
    pub outcomes: Vec<Decided>,
}

impl Verdicts {
    /// The verdict when every outcome agrees, `None` (MAYBE) when it depends on what the packet does not tell.
    pub fn verdict(&self) -> Option<Verdict> {
        let first = self.outcomes.first()?.verdict;
        self.outcomes.iter().all(|outcome| outcome.verdict == first).then_some(first)
    }

    /// Whether no uncertain match was met.
    pub fn is_certain(&self) -> bool {
        self.outcomes.len() == 1
    }
}

/// The verdicts of each packet of `packets` (each should be of the ruleset's family).
pub fn verdicts(ruleset: &Ruleset, packets: &[Packet]) -> Vec<Verdicts> {
    let prepared = Prepared::new(ruleset);
    let mut pending = Vec::new();
    packets.iter().map(|packet| prepared.walk(packet, &mut pending)).collect()
}

/// A ruleset indexed for the walk: tables by name, chains by index, jump targets resolved.
#[derive(Debug)]
pub struct Prepared<'r> {
    /// Per table name (in [`TableName`] order of `slot`): the table, if the ruleset has it.
    tables: [Option<PreparedTable<'r>>; 5],
}

#[derive(Debug)]
struct PreparedTable<'r> {
    table: &'r Table,
    /// Index of each chain by name (the first chain of a name, as a search by name finds).
    by_name: HashMap<&'r ChainName, usize>,
    /// Per chain, per rule: the chain a jump or goto leads to (`None`: undefined).
    targets: Vec<Vec<Option<usize>>>,
    /// Per chain, per rule: addresses and protocol as numbers, to turn most packets away
    /// before the full evaluation.
    filters: Vec<Vec<Prefilter>>,
}

/// A network as numbers: an address matches when `address & mask == bits`.
#[derive(Debug, Clone, Copy)]
struct Net {
    v4: bool,
    bits: u128,
    mask: u128,
    negated: bool,
}

impl Net {
    fn of(net: &Negated<IpNet>) -> Self {
        let (v4, bits, mask) = match net.value {
            IpNet::V4(v4) => (true, u128::from(u32::from(v4.network())), u128::from(u32::from(v4.netmask()))),
            IpNet::V6(v6) => (false, u128::from(v6.network()), u128::from(v6.netmask())),
        };
        Self { v4, bits, mask, negated: net.negated }
    }

    /// Whether `address` surely fails the match (`false` when unsure: another family).
    fn rejects(&self, address: IpAddr) -> bool {
        let number = match (self.v4, address) {
            (true, IpAddr::V4(v4)) => u128::from(u32::from(v4)),
            (false, IpAddr::V6(v6)) => u128::from(v6),
            _ => return false,
        };
        (number & self.mask == self.bits) == self.negated
    }
}

/// The parts of a rule that are plain numbers: a packet these reject, the rule does not match
/// (the same answer as [`truth`], found with a few comparisons).
#[derive(Debug, Clone, Copy)]
struct Prefilter {
    source: Option<Net>,
    destination: Option<Net>,
    protocol: Option<(Protocol, bool)>,
    /// A `-m tcp` / `-m udp` destination port range (not negated): the module fails outside it.
    destination_port: Option<(u16, u16)>,
}

impl Prefilter {
    fn of(rule: &Rule) -> Self {
        Self {
            source: rule.source.as_ref().map(Net::of),
            destination: rule.destination.as_ref().map(Net::of),
            protocol: rule.protocol.as_ref().map(|protocol| (protocol.value, protocol.negated)),
            destination_port: rule.modules.iter().find_map(|module| match module {
                Module::Tcp { destination_port: Some(Negated { negated: false, value }), .. }
                | Module::Udp { destination_port: Some(Negated { negated: false, value }), .. } => Some((value.first(), value.last())),
                _ => None,
            }),
        }
    }

    fn rejects(&self, packet: &Packet) -> bool {
        self.protocol.is_some_and(|(protocol, negated)| (protocol == packet.protocol) == negated)
            || self.source.is_some_and(|net| net.rejects(packet.source))
            || self.destination.is_some_and(|net| net.rejects(packet.destination))
            || self.destination_port.is_some_and(|(first, last)| packet.destination_port < first || packet.destination_port > last)
    }
}

fn slot(name: TableName) -> usize {
    match name {
        TableName::Raw => 0,
        TableName::Mangle => 1,
        TableName::Nat => 2,
        TableName::Filter => 3,
        TableName::Security => 4,
    }
}

/// A chain and where it sits: (table slot, chain index).
type ChainAt = (usize, usize);

/// A position on the call stack: the chain (`None`: a chain the table does not have) and the next rule.
type Frame = (Option<usize>, usize);

#[derive(Clone)]
struct State<'p> {
    /// Borrowed until a target rewrites it.
    packet: Cow<'p, Packet>,
    /// Deciding rule: table slot, chain index, rule index (`None`: policy).
    decided_by: Option<(ChainAt, Option<usize>)>,
    filter_decided: bool,
    hook: usize,
    table: usize,
    stack: Vec<Frame>,
    /// Jumps and gotos taken so far.
    jumps: usize,
}

enum Next {
    Continue,
    EndTable,
    Final(Verdict, Option<RejectWith>),
}

impl<'r> Prepared<'r> {
    /// Indexes `ruleset`.
    pub fn new(ruleset: &'r Ruleset) -> Self {
        let mut tables: [Option<PreparedTable<'r>>; 5] = Default::default();
        for table in &ruleset.tables {
            let at = slot(table.name);
            if tables[at].is_some() {
                continue; // the walk uses the first table of a name
            }
            let mut by_name = HashMap::new();
            for (index, chain) in table.chains.iter().enumerate() {
                by_name.entry(&chain.name).or_insert(index);
            }
            let targets = table
                .chains
                .iter()
                .map(|chain| {
                    chain
                        .rules
                        .iter()
                        .map(|rule| match &rule.target {
                            Some(Target::Jump(user) | Target::Goto(user)) => by_name.get(&ChainName::User(user.clone())).copied(),
                            _ => None,
                        })
                        .collect()
                })
                .collect();
            let filters = table.chains.iter().map(|chain| chain.rules.iter().map(Prefilter::of).collect()).collect();
            tables[at] = Some(PreparedTable { table, by_name, targets, filters });
        }
        Self { tables }
    }

    /// Every possible outcome of `packet`, as [`super::simulate`] gives them, without traces.
    pub fn verdicts(&self, packet: &Packet) -> Verdicts {
        self.walk(packet, &mut Vec::new())
    }

    /// As [`Prepared::verdicts`], with the caller's (empty) list of forks to explore, reused
    /// from packet to packet.
    fn walk<'p>(&self, packet: &'p Packet, pending: &mut Vec<State<'p>>) -> Verdicts {
        let stack = Vec::with_capacity(4);
        pending.push(State { packet: Cow::Borrowed(packet), decided_by: None, filter_decided: false, hook: 0, table: 0, stack, jumps: 0 });
        let mut outcomes = Vec::with_capacity(1);
        while let Some(state) = pending.pop() {
            let outcome = self.run(state, pending, outcomes.len());
            outcomes.push(outcome);
        }
        outcomes.reverse();
        Verdicts { outcomes }
    }

    fn run<'p>(&self, mut state: State<'p>, pending: &mut Vec<State<'p>>, explored: usize) -> Decided {
        let hooks = hooks(state.packet.path);
        loop {
            let Some((hook, tables)) = hooks.get(state.hook) else {
                return self.finish(state, Verdict::Accept, None);
            };
            let Some(table_name) = tables.get(state.table) else {
                state.hook += 1;
                state.table = 0;
                continue;
            };
            // NAT chains see only the first packet of a connection.
            let skip_nat = *table_name == TableName::Nat && state.packet.state != ConnState::New;
            let at = slot(*table_name);
            let Some(table) = self.tables[at].as_ref().filter(|_| !skip_nat) else {
                state.table += 1;
                continue;
            };
            if state.stack.is_empty() {
                state.stack.push((table.by_name.get(&ChainName::Builtin(*hook)).copied(), 0));
            }
            match step(at, table, &mut state, pending, explored) {
                Next::Continue => {}
                Next::EndTable => {
                    state.stack.clear();
                    state.table += 1;
                }
                Next::Final(verdict, with) => return self.finish(state, verdict, with),
            }
        }
    }

    fn finish(&self, state: State<'_>, verdict: Verdict, reject_with: Option<RejectWith>) -> Decided {
        let decided_by = state.decided_by.and_then(|((at, chain), index)| {
            let prepared = self.tables[at].as_ref()?;
            let chain = prepared.table.chains.get(chain)?;
            Some(RuleLoc { table: prepared.table.name, chain: chain.name.as_str().to_owned(), index: index.map(|index| index + 1) })
        });
        let packet = match state.packet {
            Cow::Owned(packet) => Some(packet),
            Cow::Borrowed(_) => None,
        };
        Decided { verdict, reject_with, decided_by, packet }
    }
}

fn decide(state: &mut State<'_>, at: usize, chain: usize, index: Option<usize>) {
    let is_filter = at == slot(TableName::Filter);
    if is_filter || !state.filter_decided {
        state.decided_by = Some(((at, chain), index));
    }
    state.filter_decided |= is_filter;
}

/// Advances the walk by one rule (or one chain end) of the chain on top of the stack.
fn step<'p>(at: usize, table: &PreparedTable<'_>, state: &mut State<'p>, pending: &mut Vec<State<'p>>, explored: usize) -> Next {
    let Some(&(chain_index, start)) = state.stack.last() else { return Next::EndTable };
    // A built-in chain the table does not have, or a jump to an undefined chain: the table ends.
    let Some((chain_index, chain)) = chain_index.and_then(|at| Some((at, table.table.chains.get(at)?))) else {
        return Next::EndTable;
    };
    let filters = table.filters.get(chain_index).map_or(&[][..], Vec::as_slice);
    // The rules the packet surely fails go by in this loop, without leaving the chain.
    let mut index = start;
    let hook = hooks(state.packet.path).get(state.hook).map_or(state.packet.path.filter_chain(), |(hook, _)| *hook);
    let (rule, truth) = loop {
        let Some(rule) = chain.rules.get(index) else {
            return chain_end(at, chain_index, chain, state);
        };
        index += 1;
        if filters.get(index - 1).is_some_and(|filter| filter.rejects(&state.packet)) {
            continue;
        }
        match truth(rule, &state.packet, hook) {
            Truth::No => {}
            truth => break (rule, truth),
        }
    };
    if let Some(top) = state.stack.last_mut() {
        top.1 = index;
    }
    let index = index - 1;
    match truth {
        Truth::Maybe if explored + pending.len() + 1 < MAX_OUTCOMES => pending.push(state.clone()),
        Truth::Maybe => return Next::Continue,
        Truth::Yes | Truth::No => {}
    }
    let Some(target) = &rule.target else { return Next::Continue };
    let jump_to = table.targets.get(chain_index).and_then(|rules| rules.get(index)).copied().flatten();
    apply(at, table, (chain_index, index), target, jump_to, state)
}

fn chain_end(at: usize, chain_index: usize, chain: &Chain, state: &mut State<'_>) -> Next {
    state.stack.pop();
    if !state.stack.is_empty() {
        return Next::Continue; // implicit RETURN from a user chain
    }
    decide(state, at, chain_index, None);
    match chain.policy.unwrap_or(Policy::Accept) {
        Policy::Accept => Next::EndTable,
        Policy::Drop => Next::Final(Verdict::Drop, None),
    }
}

fn apply(at: usize, table: &PreparedTable<'_>, (chain, index): (usize, usize), target: &Target, jump_to: Option<usize>, state: &mut State<'_>) -> Next {
    match target {
        Target::Accept => {
            decide(state, at, chain, Some(index));
            Next::EndTable
        }
        Target::Drop => {
            decide(state, at, chain, Some(index));
            Next::Final(Verdict::Drop, None)
        }
        Target::Reject(with) => {
            decide(state, at, chain, Some(index));
            Next::Final(Verdict::Reject, Some(*with))
        }
        Target::Return => {
            if let [(Some(builtin), _)] = state.stack.as_slice() {
                // RETURN in a built-in chain: its policy decides.
                let builtin = *builtin;
                return match table.table.chains.get(builtin) {
                    Some(chain) => chain_end(at, builtin, chain, state),
                    None => Next::EndTable,
                };
            }
            if state.stack.len() == 1 {
                return Next::EndTable;
            }
            state.stack.pop();
            Next::Continue
        }
        Target::Jump(_) | Target::Goto(_) => {
            if !enter_chain(&mut state.stack, &mut state.jumps, jump_to, matches!(target, Target::Goto(_))) {
                return Next::Final(Verdict::Drop, None);
            }
            Next::Continue
        }
        Target::Mark(_) | Target::NoTrack | Target::Ct(Ct { notrack: true, .. }) => {
            rewrite(state.packet.to_mut(), target);
            Next::Continue
        }
        Target::Dnat(_) | Target::Redirect(_) | Target::Snat(_) | Target::Masquerade(_) => {
            rewrite(state.packet.to_mut(), target);
            Next::EndTable
        }
        Target::Log(_)
        | Target::Nflog(_)
        | Target::ConnMark(_)
        | Target::Ct(_)
        | Target::TcpMss(_)
        | Target::Trace
        | Target::Set(_)
        | Target::Unknown { .. } => Next::Continue,
    }
}
