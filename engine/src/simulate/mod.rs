//! Packet simulation: what happens to THIS packet, and why.
//!
//! [`simulate`] walks a [`Packet`] through a [`Ruleset`] in the kernel's order for its path
//! (raw → mangle → nat → filter → security in PREROUTING / INPUT / FORWARD / OUTPUT /
//! POSTROUTING), follows jumps, gotos and RETURN, applies marks, NOTRACK and address translation,
//! and records every rule it visits. Matches the engine cannot decide from the packet alone
//! (rate limits, address lists, payload, clock, sockets) "may match": the walk then forks, and the
//! result lists every possible outcome. For many packets, [`verdicts`] (or [`Prepared`]) gives
//! the same outcomes without the traces, tens of times faster.
//!
//! ```
//! use portcullis_engine::import::import;
//! use portcullis_engine::model::Family;
//! use portcullis_engine::simulate::{simulate, Packet, Verdict};
//!
//! let rules = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";
//! let ruleset = import(rules, Some(Family::V4)).value.rulesets.remove(0);
//! let result = simulate(&ruleset, &Packet::parse("tcp 203.0.113.7:51000 -> 198.51.100.1:22 syn").unwrap());
//! assert_eq!(result.verdict(), Some(Verdict::Accept));
//! let web = simulate(&ruleset, &Packet::parse("tcp 203.0.113.7:51000 -> 198.51.100.1:80 syn").unwrap());
//! assert_eq!(web.verdict(), Some(Verdict::Drop));
//! assert_eq!(web.outcomes[0].decided_by.as_ref().unwrap().index, None); // the policy decided
//! ```

pub(crate) mod addrtype;
mod conversation;
mod matching;
mod packet;
mod verdicts;
mod walk;

pub use conversation::{converse, Conversation, Exchange};
pub use matching::{evaluate, is_undecidable, Evaluation, Truth};
pub use packet::{Packet, PacketError, PacketJson, Path, Translated};
pub use verdicts::{verdicts, Decided, Prepared, Verdicts};
pub use walk::{Outcome, Step, StepResult, Verdict};

use crate::model::Ruleset;

/// Every possible outcome of one packet (one when no uncertain match was met).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The outcomes, the first assuming no uncertain match matched.
    pub outcomes: Vec<Outcome>,
}

impl Simulation {
    /// The verdict when every outcome agrees, `None` when it depends on what the packet does not tell.
    pub fn verdict(&self) -> Option<Verdict> {
        let first = self.outcomes.first()?.verdict;
        self.outcomes.iter().all(|outcome| outcome.verdict == first).then_some(first)
    }

    /// Whether an uncertain match was met.
    pub fn is_certain(&self) -> bool {
        self.outcomes.len() == 1
    }
}

/// Walks `packet` through `ruleset` (which should be of the packet's family).
pub fn simulate(ruleset: &Ruleset, packet: &Packet) -> Simulation {
    Simulation { outcomes: walk::walk(ruleset, packet) }
}
