//! `loopback-blocked` (L020).
//!
//! **What it does**: checks that the host can talk to itself: a new connection arriving on the
//! loopback interface `lo`, from and to a loopback address (127.0.0.0/8, `::1`), must pass
//! INPUT. The witness is such a packet INPUT drops.
//!
//! **Why it matters**: much of a server talks to itself over `lo` — a web application to its
//! database on 127.0.0.1, a local DNS resolver (systemd-resolved on 127.0.0.53), PHP-FPM, a
//! mail filter. Dropping that traffic breaks them in ways that look like the service is down.
//!
//! **Example**: `:INPUT DROP` with service accepts but no `-i lo -j ACCEPT`.
//!
//! **Fix**: `-A INPUT -i lo -j ACCEPT`, first in INPUT.

use super::{denies, Context};
use crate::analysis::compile::state_index;
use crate::analysis::space::{Ints, DST, FLAGS, FRAG, IN, PKTTYPE, PROTO, SRC, STATE};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState, Family};

/// The loopback addresses of a family, as the analysis numbers addresses.
fn loopback_addresses(family: Family) -> Ints {
    match family {
        Family::V4 => Ints::range(u128::from(u32::from_be_bytes([127, 0, 0, 0])), u128::from(u32::from_be_bytes([127, 255, 255, 255]))),
        Family::V6 => Ints::single(1),
    }
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let addresses = loopback_addresses(context.universe.family);
    let mut loopback = context.universe.entering(flow.chain);
    for (dim, values) in [
        (IN, context.universe.interfaces.class_of("lo")),
        (SRC, addresses.clone()),
        (DST, addresses),
        (STATE, Ints::single(state_index(ConnState::New))),
        (FRAG, Ints::single(0)),
        (PKTTYPE, Ints::single(0)),
    ] {
        loopback = loopback.restrict(dim, &values);
    }
    // The first packet of a real connection: a TCP SYN, else a UDP datagram (a local resolver).
    // A NULL or XMAS packet on `lo` dropped by a scan rule is no loss.
    let tcp_syn = loopback.restrict(PROTO, &Ints::single(6)).restrict(FLAGS, &Ints::single(0x02));
    let udp = loopback.restrict(PROTO, &Ints::single(17));
    let finding = [tcp_syn, udp].iter().find_map(|probe| {
        context.decided(flow, probe, denies, Code::LoopbackBlocked, |finding| {
            let by = finding.expect.as_ref().map_or_else(String::new, |expect| format!(" by {}", expect.decided_by));
            format!("connections the host makes to itself on `lo` are dropped{by}: local databases, resolvers and sockets break")
        })
    });
    if let Some(mut finding) = finding {
        // The witness names its interface class by a representative (`eth0` when no rule names
        // `lo`); `lo` is in that class, so the witness says `lo` and replays alike.
        if let Some(witness) = &mut finding.witness {
            witness.in_interface = Some("lo".to_owned());
        }
        out.push(finding.help("add `-A INPUT -i lo -j ACCEPT` first in INPUT"));
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        let fail = findings(":INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", "loopback-blocked");
        assert_eq!(fail.len(), 1);
        let witness = fail[0].witness.as_ref().map(ToString::to_string).unwrap_or_default();
        assert!(witness.contains("127.") && witness.contains(" in lo"), "{witness}");
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT", "loopback-blocked").is_empty());
        // Interfaces named by prefix: `lo` is covered by `l+`, not by `eth+`.
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -i l+ -j ACCEPT\n-A INPUT -i eth+ -j DROP", "loopback-blocked").is_empty());
        assert_eq!(findings(":INPUT DROP [0:0]\n-A INPUT -i eth+ -j ACCEPT", "loopback-blocked").len(), 1);
        // Dropping outside traffic that claims a loopback source is not this finding.
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT ! -i lo -s 127.0.0.0/8 -j DROP\n-A INPUT -i lo -j ACCEPT", "loopback-blocked").is_empty());
        assert!(findings(":INPUT ACCEPT [0:0]", "loopback-blocked").is_empty());
        // Only odd packets (scans) dropped on `lo`: nothing a real connection sends.
        assert!(findings(":INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --tcp-flags ALL NONE -j DROP", "loopback-blocked").is_empty());
        // TCP accepted on `lo` but not UDP: the local resolver breaks.
        let udp = findings(":INPUT DROP [0:0]\n-A INPUT -i lo -p tcp -j ACCEPT", "loopback-blocked");
        assert!(udp.len() == 1 && udp[0].witness.as_ref().is_some_and(|witness| witness.to_string().starts_with("udp ")), "{udp:?}");
    }
}
