//! `invalid-not-dropped` (L010).
//!
//! **What it does**: finds packets conntrack marks INVALID that INPUT accepts (arriving on any
//! interface but `lo`). The witness is such a packet.
//!
//! **Why it matters**: INVALID packets belong to no connection: scans with odd flags, spoofed
//! replies, broken middleboxes. Accepting them by port lets them reach services.
//!
//! **Example**: `-A INPUT -p tcp --dport 80 -j ACCEPT` with no INVALID rule before it.
//!
//! **Fix**: `-A INPUT -m conntrack --ctstate INVALID -j DROP` near the top.

use super::Context;
use crate::analysis::compile::state_index;
use crate::analysis::space::{Ints, STATE};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState};
use crate::simulate::Verdict;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let probe = context.probe(flow, &[(STATE, Ints::single(state_index(ConnState::Invalid)))]);
    let finding = context.decided(flow, &probe, |verdict| verdict == Verdict::Accept, Code::InvalidNotDropped, |finding| {
        let by = finding.expect.as_ref().map_or_else(String::new, |expect| format!(" by {}", expect.decided_by));
        format!("packets in state INVALID are accepted{by}")
    });
    if let Some(finding) = finding {
        out.push(finding.help("add `-A INPUT -m conntrack --ctstate INVALID -j DROP` near the top"));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT", "invalid-not-dropped").len(), 1);
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate INVALID -j DROP\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT", "invalid-not-dropped").is_empty());
    }
}
