//! `fail2ban-order` (L029).
//!
//! **What it does**: for each hook in INPUT that sends packets to a fail2ban jail's chain
//! (`-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd`, one per jail, holding its bans),
//! finds whether new connections the hook is for are accepted earlier in INPUT, so that they
//! never reach it. The witness is such a connection, accepted by the earlier rule.
//!
//! **Why it matters**: fail2ban bans an address by adding a `REJECT` to the jail's chain; a packet
//! accepted before the hook never meets the ban, so the jail keeps counting failed logins and
//! banning, and the banned host logs in again as if nothing happened. It happens when a
//! firewall is loaded after fail2ban with its accepts above fail2ban's hook (fail2ban inserts
//! the hook at the top when it starts, `iptables -I INPUT`). Replies to connections already
//! open are not counted: an `ESTABLISHED` accept before the hook is the usual order.
//!
//! **Example**: `-A INPUT -p tcp --dport 22 -j ACCEPT` then
//! `-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd`.
//!
//! **Fix**: put the hook first (restart fail2ban after loading the rules: it inserts its hooks
//! at the top again). Portcullis' apply script leaves fail2ban's hook where it is and hooks its
//! own rules after it, so bans apply before the design's accepts.

use super::Context;
use crate::analysis::compile::{state_index, witness};
use crate::analysis::space::{Ints, FLAGS, PROTO, STATE};
use crate::analysis::{Expectation, Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState, Protocol, TableName, Target};
use crate::simulate::Verdict;

/// The prefix of fail2ban's chains (`f2b-<jail>`).
const FAIL2BAN_PREFIX: &str = "f2b-";

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let Some(input) = context.ruleset.table(TableName::Filter).and_then(|table| table.chain(&crate::model::ChainName::Builtin(BuiltinChain::Input))) else {
        return;
    };
    for (at, hook) in input.rules.iter().enumerate() {
        let Some(Target::Jump(jail) | Target::Goto(jail)) = &hook.target else { continue };
        if !jail.as_str().starts_with(FAIL2BAN_PREFIX) {
            continue;
        }
        let Some(facts) = flow.facts(BuiltinChain::Input.as_str(), at) else { continue };
        // New connections the hook is for (a SYN for TCP), from outside.
        let mut fields = vec![(STATE, Ints::single(state_index(ConnState::New)))];
        let tcp = Ints::single(u128::from(Protocol::TCP.number()));
        if facts.matches.definite.project(PROTO).is_subset(&tcp) {
            fields.push((FLAGS, Ints::single(2)));
        }
        // Those that surely never reach it: an earlier rule took them.
        let missed = context.probe(flow, &fields).intersect(&facts.matches.definite).minus(&facts.hit());
        let Some((decision, packets)) = flow.first_decision(&missed, |verdict| verdict == Verdict::Accept) else { continue };
        let Some(witness) = witness(&context.universe, &packets, flow.path) else { continue };
        let hook_at = RuleLoc { table: TableName::Filter, chain: BuiltinChain::Input.as_str().to_owned(), index: Some(at + 1) };
        let jail_name = jail.as_str().strip_prefix(FAIL2BAN_PREFIX).unwrap_or(jail.as_str());
        let port = format!("{} {}", witness.protocol.to_string().to_ascii_uppercase(), witness.destination_port);
        let message = format!(
            "this rule accepts new connections to {port} before {hook_at} sends them to fail2ban's `{}`: the bans of the jail `{jail_name}` never apply to them",
            jail.as_str()
        );
        let first = crate::export::save::render_appended("INPUT", hook, context.ruleset.family).replacen("-A INPUT", "-I INPUT 1", 1);
        let help = format!(
            "put fail2ban's hook before this rule (`{first}`); fail2ban inserts its hooks at the top when it starts, so restarting it after loading these rules (systemctl restart fail2ban) does it. The Portcullis apply script keeps fail2ban's hook and hooks its own chains after it"
        );
        let expect = Expectation { verdict: decision.verdict, decided_by: decision.by.clone() };
        let finding = Finding::new(context.ruleset, Code::Fail2banOrder, Some(decision.by.clone()), message)
            .related(context.ruleset, vec![hook_at], "fail2ban's hook")
            .witness(Some(witness), Some(expect))
            .help(help);
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    const JAIL: &str = ":f2b-sshd - [0:0]\n-A f2b-sshd -s 192.0.2.45/32 -j REJECT --reject-with icmp-port-unreachable\n-A f2b-sshd -j RETURN";

    #[test]
    fn fail_and_pass() {
        let late = format!(":INPUT DROP [0:0]\n{JAIL}\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd");
        let found = findings(&late, "fail2ban-order");
        assert_eq!(found.len(), 1, "{found:#?}");
        let finding = &found[0];
        assert_eq!(finding.rule.as_ref().map(ToString::to_string).as_deref(), Some("INPUT rule 2"));
        assert_eq!(finding.related[0].to_string(), "INPUT rule 3");
        assert!(finding.diagnostic.message.contains("accepts new connections to TCP 22 before INPUT rule 3 sends them to fail2ban's `f2b-sshd`: the bans of the jail `sshd` never apply"), "{}", finding.diagnostic.message);
        assert!(finding.diagnostic.help.as_deref().is_some_and(|help| help.contains("`-I INPUT 1 -p tcp -m multiport --dports 22 -j f2b-sshd`")), "{:?}", finding.diagnostic.help);
        assert_eq!(finding.witness.as_ref().map(|packet| packet.destination_port), Some(22));
        // The hook first (the ESTABLISHED accept before it is the usual order), or an accept of
        // other ports or sources only: bans apply.
        let early = format!(":INPUT DROP [0:0]\n{JAIL}\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
        assert!(findings(&early, "fail2ban-order").is_empty());
        let other = format!(":INPUT DROP [0:0]\n{JAIL}\n-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd");
        assert!(findings(&other, "fail2ban-order").is_empty());
        // A partial overlap still counts: some addresses are never banned.
        let office = format!(":INPUT DROP [0:0]\n{JAIL}\n-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd");
        assert_eq!(findings(&office, "fail2ban-order").len(), 1);
    }
}
