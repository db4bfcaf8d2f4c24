//! `lockout` (L007).
//!
//! **What it does**: proves the administrator can still open SSH: a TCP SYN, conntrack NEW, from
//! each admin source (`--admin-from`, per family) to the SSH port (`--admin-ssh`, default 22)
//! arriving on any interface but `lo`. The finding's witness is such a packet that INPUT drops
//! or rejects (as the simulator's first outcome shows). Without admin sources, it fires when no
//! source at all can open SSH.
//!
//! **Why it matters**: loading the rules over SSH cuts the session and every later one.
//!
//! **Example**: `:INPUT DROP` with `-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j ACCEPT`
//! when the admin connects from 203.0.113.7.
//!
//! **Fix**: accept the admin's SSH before any rule that drops it.

use super::{denies, Context};
use crate::analysis::compile::network;
use crate::analysis::space::{Ints, DPORT, FLAGS, PROTO, SRC, STATE};
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState};
use crate::simulate::Verdict;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let family = context.universe.family;
    let options = context.options;
    let sources = options.admin_from.iter().filter(|net| family.contains(net)).fold(Ints::empty(), |acc, net| acc.union(&network(family, net)));
    let anywhere = options.admin_from.is_empty();
    if sources.is_empty() && !anywhere {
        return;
    }
    let mut fields = vec![
        (PROTO, Ints::single(6)),
        (DPORT, Ints::single(u128::from(options.admin_ssh_port))),
        (FLAGS, Ints::single(2)),
        (STATE, Ints::single(crate::analysis::compile::state_index(ConnState::New))),
    ];
    if !anywhere {
        fields.push((SRC, sources));
    }
    let probe = context.probe(flow, &fields);
    if anywhere && flow.decisions.iter().any(|decision| decision.verdict == Verdict::Accept && decision.set.meets(&probe)) {
        return;
    }
    let port = options.admin_ssh_port;
    let finding = context.decided(flow, &probe, denies, Code::Lockout, |finding| {
        let packet = finding.witness.as_ref().map_or_else(String::new, |packet| format!(" ({packet})"));
        let who = if anywhere { "from any address".to_owned() } else { format!("from {}", packet_source(finding)) };
        format!("{family} SSH to port {port} {who} is dropped{packet}: loading these rules over SSH locks you out")
    });
    if let Some(finding) = finding {
        out.push(finding.help(format!("accept `-p tcp --dport {port}` from the admin's addresses before any rule that drops them")));
    }
}

fn packet_source(finding: &Finding) -> String {
    finding.witness.as_ref().map_or_else(|| "the admin".to_owned(), |packet| packet.source.to_string())
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail() {
        let found = findings(":INPUT DROP [0:0]\n-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -j ACCEPT", "lockout");
        assert_eq!(found.len(), 1);
        assert!(found[0].witness.as_ref().unwrap().source.to_string().starts_with("203.0.113."));
        assert_eq!(findings(":INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j REJECT", "lockout").len(), 1);
    }

    #[test]
    fn pass() {
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22 -j ACCEPT", "lockout").is_empty());
        assert!(findings(":INPUT ACCEPT [0:0]", "lockout").is_empty());
    }
}
