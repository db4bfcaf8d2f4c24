//! `no-established` (L008).
//!
//! **What it does**: checks that replies to the host's own connections come back: a TCP ACK,
//! conntrack ESTABLISHED, from a web server's port 443 to an ephemeral port (32768-60999). The
//! witness is such a reply INPUT drops.
//!
//! **Why it matters**: without `--ctstate ESTABLISHED,RELATED -j ACCEPT` under a DROP policy,
//! the host cannot download updates, resolve names or reach any API.
//!
//! **Example**: `:INPUT DROP` with only service accepts.
//!
//! **Fix**: `-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT`, near the top.

use super::{denies, Context};
use crate::analysis::compile::state_index;
use crate::analysis::space::{Ints, DPORT, FLAGS, PROTO, SPORT, STATE};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let probe = context.probe(
        flow,
        &[
            (PROTO, Ints::single(6)),
            (SPORT, Ints::single(443)),
            (DPORT, Ints::range(32_768, 60_999)),
            (FLAGS, Ints::single(0x10)),
            (STATE, Ints::single(state_index(ConnState::Established))),
        ],
    );
    let finding = context.decided(flow, &probe, denies, Code::NoEstablished, |finding| {
        let by = finding.expect.as_ref().map_or_else(String::new, |expect| format!(" by {}", expect.decided_by));
        format!("replies to the host's own connections are dropped{by}: updates, DNS and APIs break")
    });
    if let Some(finding) = finding {
        out.push(finding.help("add `-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT` near the top"));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "no-established").len(), 1);
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "no-established").is_empty());
    }
}
