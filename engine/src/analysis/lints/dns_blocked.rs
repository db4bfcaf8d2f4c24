//! `dns-blocked` (L009).
//!
//! **What it does**: checks that the host can resolve names: a UDP query, NEW, to port 53 must
//! leave through OUTPUT, and its reply, ESTABLISHED, from port 53 must come back through INPUT.
//! The witness is the query or reply that is dropped.
//!
//! **Why it matters**: without DNS, package updates, mail delivery and most software fail in
//! confusing ways.
//!
//! **Example**: `:OUTPUT DROP` without `-A OUTPUT -p udp --dport 53 -j ACCEPT`.
//!
//! **Fix**: accept UDP (and TCP) to port 53 in OUTPUT and ESTABLISHED replies in INPUT.

use super::{denies, Context};
use crate::analysis::compile::state_index;
use crate::analysis::space::{Ints, DPORT, PROTO, SPORT, STATE};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let checks = [
        (BuiltinChain::Output, (DPORT, Ints::single(53)), ConnState::New, "DNS queries (UDP to port 53) are dropped in OUTPUT", "accept `-A OUTPUT -p udp --dport 53`"),
        (BuiltinChain::Input, (SPORT, Ints::single(53)), ConnState::Established, "DNS replies (UDP from port 53) are dropped in INPUT", "accept `--ctstate ESTABLISHED,RELATED` in INPUT"),
    ];
    for (chain, port, state, message, help) in checks {
        let Some(flow) = context.flow(chain) else { continue };
        let probe = context.probe(flow, &[(PROTO, Ints::single(17)), port, (STATE, Ints::single(state_index(state)))]);
        if let Some(finding) = context.decided(flow, &probe, denies, Code::DnsBlocked, |_| message.to_owned()) {
            out.push(finding.help(help));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":OUTPUT DROP [0:0]\n-A OUTPUT -p tcp -m tcp --dport 443 -j ACCEPT", "dns-blocked").len(), 1);
        assert!(findings(":OUTPUT DROP [0:0]\n-A OUTPUT -p udp -m udp --dport 53 -j ACCEPT", "dns-blocked").is_empty());
    }
}
