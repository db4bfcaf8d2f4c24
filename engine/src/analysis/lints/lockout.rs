//! `lockout` (L007).
//!
//! **What it does**: proves the administrator can still use SSH with the final rules: every
//! packet of a connection from each admin source (`--admin-from`, per family) to the SSH port
//! (`--admin-ssh`, default 22) on any interface but `lo` gets through — the SYN (INPUT, NEW),
//! the server's SYN+ACK (OUTPUT, ESTABLISHED), then both directions of the open connection
//! (see [`crate::analysis::apply`]). The finding's witness is the first such packet that INPUT or
//! OUTPUT drops or rejects (as the simulator's first outcome shows). Without admin sources, it
//! fires when no source at all gets that packet through. The intermediate states of an apply
//! procedure are `apply-lockout`'s (L019).
//!
//! **Why it matters**: loading the rules over SSH cuts the session and every later one.
//!
//! **Example**: `:INPUT DROP` with `-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j ACCEPT`
//! when the admin connects from 203.0.113.7.
//!
//! **Fix**: accept the admin's SSH before any rule that drops it.

use super::Context;
use crate::analysis::apply::{ssh_denials, SshPacket};
use crate::analysis::Finding;
use crate::diagnostic::Code;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let options = context.options;
    let family = context.universe.family;
    let anywhere = options.admin_from.is_empty();
    let port = options.admin_ssh_port;
    // One finding: the first packet of a connection that is denied.
    let Some(denial) = ssh_denials(context.ruleset, options).into_iter().next() else { return };
    let packet = denial.witness.as_ref().map_or_else(String::new, |packet| format!(" ({packet})"));
    let message = if denial.packet == SshPacket::LoginSyn {
        let who = match (&denial.witness, anywhere) {
            (_, true) => "from any address".to_owned(),
            (Some(witness), false) => format!("from {}", witness.source),
            (None, false) => "from the admin".to_owned(),
        };
        format!("{family} SSH to port {port} {who} is dropped{packet}: loading these rules over SSH locks you out")
    } else {
        format!("{family} {} (port {port}) is dropped{packet}: loading these rules over SSH locks you out", denial.packet.describe())
    };
    let help = if denial.packet == SshPacket::LoginSyn {
        format!("accept `-p tcp --dport {port}` from the admin's addresses before any rule that drops them")
    } else {
        "accept `-m conntrack --ctstate ESTABLISHED,RELATED` in INPUT and OUTPUT before any rule that drops it".to_owned()
    };
    let finding = Finding::new(context.ruleset, Code::Lockout, Some(denial.expect.decided_by.clone()), message)
        .witness(denial.witness, Some(denial.expect))
        .help(help);
    out.push(finding);
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

    #[test]
    fn replies_dropped_in_output_lock_out_too() {
        let found = findings(":INPUT ACCEPT [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -p udp -j ACCEPT", "lockout");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].expect.as_ref().unwrap().decided_by.chain, "OUTPUT");
        assert!(found[0].diagnostic.message.contains("SYN+ACK"), "{}", found[0].diagnostic.message);
        assert!(findings(":INPUT ACCEPT [0:0]\n:OUTPUT DROP [0:0]\n-A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT", "lockout").is_empty());
    }
}
