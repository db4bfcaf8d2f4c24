//! The packet's walk through the tables and chains, in the kernel's order for its path, with a
//! trace of every rule visited. A rule that may match forks the walk, so the result lists every
//! possible outcome instead of guessing.


use serde::Serialize;

use super::matching::{evaluate_at, Truth};
use super::packet::{Packet, Path, Translated};
use crate::model::{BuiltinChain, Chain, ChainName, ConnState, Ct, Policy, RejectWith, RuleLoc, Ruleset, TableName, Target};

/// What happened at one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum StepResult {
    /// Every match held; the target was taken.
    Matched {
        /// The target's name.
        target: String,
    },
    /// A match failed.
    NotMatched {
        /// The option that failed.
        on: String,
    },
    /// A match depends on what the packet does not tell; this branch assumes it matched.
    MayMatchTaken {
        /// The uncertain option.
        on: String,
        /// The target's name.
        target: String,
    },
    /// As above; this branch assumes it did not match.
    MayMatchSkipped {
        /// The uncertain option.
        on: String,
    },
    /// The end of a built-in chain: its policy applied.
    Policy {
        /// The policy.
        policy: String,
    },
}

/// One visited rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// The rule.
    pub rule: RuleLoc,
    /// What happened there.
    #[serde(flatten)]
    pub result: StepResult,
}

/// The fate of the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Let through.
    Accept,
    /// Discarded silently.
    Drop,
    /// Discarded with an error reply.
    Reject,
}

/// One possible outcome: verdict, deciding rule, the rules visited, and the packet as NAT left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// The reply a REJECT sends.
    pub reject_with: Option<RejectWith>,
    /// The rule (or policy) that decided: the last terminating decision, the filter table's first.
    pub decided_by: Option<RuleLoc>,
    /// Every rule visited, in order.
    pub trace: Vec<Step>,
    /// The packet after address translation and marks.
    pub packet: Packet,
}

/// The most outcomes explored before the walk stops forking (each "may match" doubles them).
pub(super) const MAX_OUTCOMES: usize = 64;
/// Deepest chain nesting followed (the kernel refuses loops; this guards malformed models).
pub(super) const MAX_DEPTH: usize = 64;
/// Most jumps and gotos one walk takes: a goto loop keeps the stack short, so the depth limit
/// alone would not end it (the kernel refuses loops; this guards malformed models).
pub(super) const MAX_JUMPS: usize = 4096;

/// Follows a jump (`-j chain`) or a goto (`-g chain`) on a call stack of (chain, next rule):
/// a goto does not come back — returning lands in the caller's caller, or in the built-in
/// chain's policy. `false` when the walk is too deep or too long: the packet is dropped.
pub(super) fn enter_chain<C>(stack: &mut Vec<(C, usize)>, jumps: &mut usize, chain: C, goto: bool) -> bool {
    *jumps += 1;
    if stack.len() >= MAX_DEPTH || *jumps > MAX_JUMPS {
        return false;
    }
    if goto {
        if stack.len() > 1 {
            stack.pop();
        } else if let Some(top) = stack.last_mut() {
            top.1 = usize::MAX;
        }
    }
    stack.push((chain, 0));
    true
}

/// The built-in chains a path crosses, each with its tables in priority order.
pub(super) fn hooks(path: Path) -> &'static [(BuiltinChain, &'static [TableName])] {
    use BuiltinChain::{Forward, Input, Output, Postrouting, Prerouting};
    use TableName::{Filter, Mangle, Nat, Raw, Security};
    match path {
        Path::Input => &[(Prerouting, &[Raw, Mangle, Nat]), (Input, &[Mangle, Filter, Security, Nat])],
        Path::Forward => &[(Prerouting, &[Raw, Mangle, Nat]), (Forward, &[Mangle, Filter, Security]), (Postrouting, &[Mangle, Nat])],
        Path::Output => &[(Output, &[Raw, Mangle, Nat, Filter, Security]), (Postrouting, &[Mangle, Nat])],
    }
}

#[derive(Clone)]
struct Walk {
    packet: Packet,
    trace: Vec<Step>,
    decided_by: Option<RuleLoc>,
    filter_decided: bool,
    /// Which hook and table the walk is in.
    hook: usize,
    table: usize,
    /// Call stack of (chain, next rule index).
    stack: Vec<(ChainName, usize)>,
    /// Jumps and gotos taken so far.
    jumps: usize,
}

enum Flow {
    Next,
    EndTable,
    Final(Verdict, Option<RejectWith>),
}

/// Walks `packet` through `ruleset`; every possible outcome, the first being the one where no
/// uncertain match matched.
pub(super) fn walk(ruleset: &Ruleset, packet: &Packet) -> Vec<Outcome> {
    let start = Walk {
        packet: packet.clone(),
        trace: Vec::new(),
        decided_by: None,
        filter_decided: false,
        hook: 0,
        table: 0,
        stack: Vec::new(),
        jumps: 0,
    };
    let mut pending = vec![start];
    let mut outcomes = Vec::new();
    while let Some(mut walk) = pending.pop() {
        let outcome = run(ruleset, &mut walk, &mut pending, outcomes.len());
        outcomes.push(outcome);
    }
    outcomes.reverse();
    outcomes
}

fn run(ruleset: &Ruleset, walk: &mut Walk, pending: &mut Vec<Walk>, explored: usize) -> Outcome {
    let hooks = hooks(walk.packet.path);
    loop {
        let Some((hook, tables)) = hooks.get(walk.hook) else {
            return finish(walk, Verdict::Accept, None);
        };
        let Some(table_name) = tables.get(walk.table) else {
            walk.hook += 1;
            walk.table = 0;
            continue;
        };
        let table = ruleset.tables.iter().find(|table| table.name == *table_name);
        // NAT chains see only the first packet of a connection.
        let skip_nat = *table_name == TableName::Nat && walk.packet.state != ConnState::New;
        let Some(table) = table.filter(|_| !skip_nat) else {
            walk.table += 1;
            continue;
        };
        if walk.stack.is_empty() {
            walk.stack.push((ChainName::Builtin(*hook), 0));
        }
        match step(table.name, &table.chains, walk, pending, explored) {
            Flow::Next => {}
            Flow::EndTable => {
                walk.stack.clear();
                walk.table += 1;
            }
            Flow::Final(verdict, with) => return finish(walk, verdict, with),
        }
    }
}

fn finish(walk: &Walk, verdict: Verdict, reject_with: Option<RejectWith>) -> Outcome {
    Outcome { verdict, reject_with, decided_by: walk.decided_by.clone(), trace: walk.trace.clone(), packet: walk.packet.clone() }
}

fn decide(walk: &mut Walk, table: TableName, rule: RuleLoc) {
    if table == TableName::Filter {
        walk.decided_by = Some(rule);
        walk.filter_decided = true;
    } else if !walk.filter_decided {
        walk.decided_by = Some(rule);
    }
}

/// Advances the walk by one rule (or one chain end) of the chain on top of the stack.
fn step(table: TableName, chains: &[Chain], walk: &mut Walk, pending: &mut Vec<Walk>, explored: usize) -> Flow {
    let Some((chain_name, index)) = walk.stack.last().cloned() else { return Flow::EndTable };
    let Some(chain) = chains.iter().find(|chain| chain.name == chain_name) else {
        // A built-in chain the table does not have: nothing to do in it.
        return Flow::EndTable;
    };
    let Some(rule) = chain.rules.get(index) else {
        return chain_end(table, chain, walk);
    };
    if let Some(top) = walk.stack.last_mut() {
        top.1 += 1;
    }
    let reference = RuleLoc { table, chain: chain.name.as_str().to_owned(), index: Some(index + 1) };
    let hook = hooks(walk.packet.path).get(walk.hook).map_or(walk.packet.path.filter_chain(), |(hook, _)| *hook);
    let evaluation = evaluate_at(rule, &walk.packet, hook);
    let target_name = rule.target.as_ref().map_or_else(|| "(none)".to_owned(), |target| target.name().to_owned());
    let on = evaluation.on.clone().unwrap_or_default();
    match evaluation.truth {
        Truth::No => {
            walk.trace.push(Step { rule: reference, result: StepResult::NotMatched { on } });
            return Flow::Next;
        }
        Truth::Maybe if explored + pending.len() + 1 < MAX_OUTCOMES => {
            let mut skipped = walk.clone();
            skipped.trace.push(Step { rule: reference.clone(), result: StepResult::MayMatchSkipped { on: on.clone() } });
            pending.push(skipped);
            walk.trace.push(Step { rule: reference.clone(), result: StepResult::MayMatchTaken { on, target: target_name } });
        }
        Truth::Maybe => {
            // Too many forks: assume the uncertain match does not match, and say so.
            walk.trace.push(Step { rule: reference, result: StepResult::MayMatchSkipped { on } });
            return Flow::Next;
        }
        Truth::Yes => walk.trace.push(Step { rule: reference.clone(), result: StepResult::Matched { target: target_name } }),
    }
    let Some(target) = &rule.target else { return Flow::Next };
    apply(table, target, reference, walk, chains)
}

fn chain_end(table: TableName, chain: &Chain, walk: &mut Walk) -> Flow {
    walk.stack.pop();
    if !walk.stack.is_empty() {
        return Flow::Next; // implicit RETURN from a user chain
    }
    let policy = chain.policy.unwrap_or(Policy::Accept);
    let reference = RuleLoc { table, chain: chain.name.as_str().to_owned(), index: None };
    walk.trace.push(Step { rule: reference.clone(), result: StepResult::Policy { policy: policy.to_string() } });
    decide(walk, table, reference);
    match policy {
        Policy::Accept => Flow::EndTable,
        Policy::Drop => Flow::Final(Verdict::Drop, None),
    }
}

/// Records that NAT rewrites the packet's destination (`true`) or source: the first rewrite keeps
/// the original tuple, as conntrack does.
fn translate(packet: &mut Packet, destination: bool) {
    let original = packet.translated.get_or_insert(Translated {
        source: packet.source,
        destination: packet.destination,
        source_port: packet.source_port,
        destination_port: packet.destination_port,
        destination_rewritten: false,
        source_rewritten: false,
    });
    if destination {
        original.destination_rewritten = true;
    } else {
        original.source_rewritten = true;
    }
}

/// What a rewriting target (MARK, NOTRACK, DNAT, REDIRECT, SNAT, MASQUERADE) does to the
/// packet; other targets leave it as it is. Shared by the traced walk and the verdict-only path
/// so both always rewrite alike.
pub(super) fn rewrite(packet: &mut Packet, target: &Target) {
    match target {
        Target::Mark(mark) => packet.mark = (packet.mark & !mark.mask) ^ mark.value,
        Target::NoTrack | Target::Ct(Ct { notrack: true, .. }) => packet.state = ConnState::Untracked,
        Target::Dnat(nat) => {
            translate(packet, true);
            if let Some((first, _)) = nat.to.addresses {
                packet.destination = first;
            }
            if let Some(ports) = nat.to.ports {
                packet.destination_port = ports.first;
            }
        }
        Target::Redirect(redirect) => {
            // REDIRECT sends the packet to the host itself: its destination stays this host's address.
            translate(packet, true);
            if let Some(ports) = redirect.ports {
                packet.destination_port = ports.first;
            }
        }
        Target::Snat(nat) => {
            translate(packet, false);
            if let Some((first, _)) = nat.to.addresses {
                packet.source = first;
            }
        }
        Target::Masquerade(_) => translate(packet, false),
        _ => {}
    }
}

fn apply(table: TableName, target: &Target, reference: RuleLoc, walk: &mut Walk, chains: &[Chain]) -> Flow {
    match target {
        Target::Accept => {
            decide(walk, table, reference);
            Flow::EndTable
        }
        Target::Drop => {
            decide(walk, table, reference);
            Flow::Final(Verdict::Drop, None)
        }
        Target::Reject(with) => {
            decide(walk, table, reference);
            Flow::Final(Verdict::Reject, Some(*with))
        }
        Target::Return => {
            if walk.stack.len() == 1 {
                // RETURN in a built-in chain: its policy decides.
                let builtin = walk.stack[0].0.clone();
                if let Some(chain) = chains.iter().find(|chain| chain.name == builtin) {
                    return chain_end(table, chain, walk);
                }
                return Flow::EndTable;
            }
            walk.stack.pop();
            Flow::Next
        }
        Target::Jump(chain) | Target::Goto(chain) => {
            let goto = matches!(target, Target::Goto(_));
            if !enter_chain(&mut walk.stack, &mut walk.jumps, ChainName::User(chain.clone()), goto) {
                return Flow::Final(Verdict::Drop, None);
            }
            Flow::Next
        }
        Target::Mark(_) | Target::NoTrack | Target::Ct(Ct { notrack: true, .. }) => {
            rewrite(&mut walk.packet, target);
            Flow::Next
        }
        Target::Dnat(_) | Target::Redirect(_) | Target::Snat(_) | Target::Masquerade(_) => {
            rewrite(&mut walk.packet, target);
            Flow::EndTable
        }
        Target::Log(_)
        | Target::Nflog(_)
        | Target::ConnMark(_)
        | Target::Ct(_)
        | Target::TcpMss(_)
        | Target::Trace
        | Target::Set(_)
        | Target::Unknown { .. } => Flow::Next,
    }
}
