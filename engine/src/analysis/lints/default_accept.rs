//! `default-accept` (L015).
//!
//! **What it does**: finds INPUT and FORWARD chains whose policy is ACCEPT and that packets
//! (from an interface other than `lo`) reach the end of: there is no final catch-all drop. The
//! witness is a packet the policy accepts.
//!
//! **Why it matters**: every service not explicitly closed is open, including ones installed later.
//!
//! **Example**: `:INPUT ACCEPT [0:0]` with a few DROP rules.
//!
//! **Fix**: set the policy to DROP (after accepting what is needed), or end with `-j DROP`.

use super::Context;
use crate::analysis::compile::witness;
use crate::analysis::{Expectation, Finding};
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, Policy};
use crate::simulate::Verdict;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for chain in [BuiltinChain::Input, BuiltinChain::Forward] {
        let Some(flow) = context.flow(chain) else { continue };
        if flow.policy != Policy::Accept {
            continue;
        }
        let probe = context.probe(flow, &[]);
        let Some(policy) = flow.decisions.last().filter(|decision| decision.certain && decision.by.index.is_none()) else { continue };
        let packets = policy.set.intersect(&probe);
        if packets.is_empty() {
            continue;
        }
        let name = chain.as_str();
        let expect = Expectation { verdict: Verdict::Accept, decided_by: policy.by.clone() };
        out.push(
            Finding::new(context.ruleset, Code::DefaultAccept, Some(policy.by.clone()), format!("the {name} policy is ACCEPT and packets reach it: everything not dropped is let in"))
                .witness(witness(&context.universe, &packets, flow.path), Some(expect))
                .help(format!("set `:{name} DROP` after accepting what is needed, or end {name} with `-j DROP`")),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 23 -j DROP", "default-accept").len(), 1);
        assert!(findings(":INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -j DROP", "default-accept").is_empty());
    }
}
