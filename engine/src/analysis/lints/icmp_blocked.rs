//! `icmp-blocked` (L011).
//!
//! **What it does**: checks that the ICMP the Internet needs reaches the host through INPUT:
//! IPv4 destination unreachable / fragmentation needed (3/4) and time exceeded (11), as RELATED
//! packets; IPv6 packet too big (2), RELATED, and neighbour discovery (133-136, hop limit 255,
//! which conntrack leaves UNTRACKED). One finding per message type that is dropped, with it as
//! witness.
//!
//! **Why it matters**: without "fragmentation needed" / "packet too big", path MTU discovery
//! fails and large transfers hang; without neighbour discovery IPv6 does not work at all.
//!
//! **Example**: `-A INPUT -p icmp -j DROP`.
//!
//! **Fix**: accept `--ctstate ESTABLISHED,RELATED`; on IPv6 accept `ICMPv6` types 133-136.

use super::{denies, Context};
use crate::analysis::compile::state_index;
use crate::analysis::space::{Ints, ICMP_CODE, ICMP_TYPE, PROTO, STATE, TTL};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState, Family};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let related = state_index(ConnState::Related);
    let messages: &[(u8, u128, u128, u128, &str)] = match context.universe.family {
        Family::V4 => &[(1, 3, 4, related, "fragmentation needed (ICMP 3/4)"), (1, 11, 0, related, "time exceeded (ICMP 11)")],
        Family::V6 => &[
            (58, 2, 0, related, "packet too big (ICMPv6 2)"),
            (58, 133, 0, state_index(ConnState::Untracked), "router solicitation (ICMPv6 133)"),
            (58, 134, 0, state_index(ConnState::Untracked), "router advertisement (ICMPv6 134)"),
            (58, 135, 0, state_index(ConnState::Untracked), "neighbour solicitation (ICMPv6 135)"),
            (58, 136, 0, state_index(ConnState::Untracked), "neighbour advertisement (ICMPv6 136)"),
        ],
    };
    for &(protocol, kind, code, state, name) in messages {
        let mut fields = vec![
            (PROTO, Ints::single(u128::from(protocol))),
            (ICMP_TYPE, Ints::single(kind)),
            (ICMP_CODE, Ints::single(code)),
            (STATE, Ints::single(state)),
        ];
        if kind >= 133 {
            fields.push((TTL, Ints::single(255)));
        }
        let probe = context.probe(flow, &fields);
        if let Some(finding) = context.decided(flow, &probe, denies, Code::IcmpBlocked, |_| format!("essential ICMP is dropped: {name}")) {
            out.push(finding.help(if protocol == 1 {
                "accept `--ctstate ESTABLISHED,RELATED` before dropping ICMP (path MTU discovery needs it)"
            } else {
                "accept ICMPv6 packet-too-big (RELATED) and neighbour discovery types 133-136 (RFC 4890)"
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT ACCEPT [0:0]\n-A INPUT -p icmp -j DROP", "icmp-blocked").len(), 2);
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "icmp-blocked").is_empty());
    }
}
