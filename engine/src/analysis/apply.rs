//! The administrator's SSH in every state of an apply procedure, not only the last.
//!
//! # What "locked out" means
//! An SSH connection needs packets both ways, through INPUT and OUTPUT of the filter table:
//!
//! | packet | chain | conntrack state |
//! |---|---|---|
//! | the client's SYN | INPUT | NEW |
//! | the server's SYN+ACK | OUTPUT | ESTABLISHED (a reply) |
//! | every later client packet (ACK) | INPUT | ESTABLISHED |
//! | every later server packet (ACK) | OUTPUT | ESTABLISHED |
//!
//! The admin typing the commands over SSH already has a connection: it lives on as long as the
//! two ESTABLISHED packets pass (the **session**). Anyone else, or the admin after a dropped
//! connection, needs all but the last four-way to pass from the SYN on (a **new login**). A
//! state that cuts the session leaves the admin unable to type the command that would repair
//! it: that is the lockout this module reports as an error. A state that only refuses new logins
//! lets the running session go on (the usual `ESTABLISHED,RELATED` accept keeps it), but a
//! connection dropped at that moment cannot come back: a warning.
//!
//! The final state of a family is the `lockout` lint's (L007) business; `apply-lockout` (L019)
//! reports only what the intermediate states add: a packet the final rules let through that an
//! earlier step drops.
//!
//! # The procedures
//! - **Commands** ([`crate::export::commands`], or any script of `iptables` commands): each
//!   command is a state. [`commands_lockout`] replays the script one command at a time with
//!   [`crate::import::replay`], from a given starting firewall (an open one for a fresh server).
//! - **Apply script** ([`crate::export::script`]): `portcullis-load` loads a whole family's owned
//!   chains in one `iptables-restore --noflush` transaction, so its states are: IPv4 loaded while IPv6 is still the old rules, both loaded, and, if
//!   the change is not confirmed, both rolled back to the old rules. [`script_lockout`] checks
//!   them; with the old rules unknown they are taken to be what the admin used to connect.
//!
//! # Examples
//! ```
//! use portcullis_engine::analysis::apply::commands_lockout;
//! use portcullis_engine::analysis::LintOptions;
//! use portcullis_engine::model::{Family, Ruleset};
//!
//! let script = "iptables -P INPUT DROP\n\
//!               iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n\
//!               iptables -A INPUT -p tcp --dport 22 -j ACCEPT\n";
//! let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };
//! let open = [Ruleset::new(Family::V4), Ruleset::new(Family::V6)];
//! let findings = commands_lockout(script, open, &options);
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].diagnostic.code.slug(), "apply-lockout");
//! assert_eq!(findings[0].diagnostic.span.start, 0); // the first command: `-P INPUT DROP`
//! assert!(findings[0].diagnostic.message.contains("session"));
//! ```

use super::compile::{network, state_index, witness, Universe};
use super::flow::{Decision, Flow};
use super::space::{Ints, Space, DPORT, DST, FLAGS, FRAG, IN, OUT, PKTTYPE, PROTO, SPORT, SRC, STATE};
use super::{Expectation, Finding, LintOptions};
use crate::diagnostic::{Code, Severity, Span};
use crate::model::{BuiltinChain, ConnState, Family, Ruleset};
use crate::simulate::{Packet, Verdict};

/// One packet of an SSH connection, as [the table above](self) lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SshPacket {
    /// The client's SYN (INPUT, NEW).
    LoginSyn,
    /// The server's SYN+ACK (OUTPUT, ESTABLISHED).
    LoginSynAck,
    /// A client packet of an open connection (INPUT, ESTABLISHED).
    SessionIn,
    /// A server packet of an open connection (OUTPUT, ESTABLISHED).
    SessionOut,
}

impl SshPacket {
    /// Every packet, in the order a connection sends them.
    pub const ALL: [SshPacket; 4] = [SshPacket::LoginSyn, SshPacket::LoginSynAck, SshPacket::SessionIn, SshPacket::SessionOut];

    /// Whether a running session needs this packet.
    pub fn session(self) -> bool {
        matches!(self, SshPacket::SessionIn | SshPacket::SessionOut)
    }

    /// Whether a new login needs this packet.
    pub fn login(self) -> bool {
        self != SshPacket::SessionOut
    }

    /// What the packet is, in words.
    pub fn describe(self) -> &'static str {
        match self {
            SshPacket::LoginSyn => "the SYN of a new SSH login",
            SshPacket::LoginSynAck => "the server's SYN+ACK answering a new SSH login",
            SshPacket::SessionIn => "a packet from the admin on an open SSH connection",
            SshPacket::SessionOut => "a packet to the admin on an open SSH connection",
        }
    }

    fn chain(self) -> BuiltinChain {
        match self {
            SshPacket::LoginSyn | SshPacket::SessionIn => BuiltinChain::Input,
            SshPacket::LoginSynAck | SshPacket::SessionOut => BuiltinChain::Output,
        }
    }

    fn flags(self) -> u128 {
        match self {
            SshPacket::LoginSyn => 0x02,
            SshPacket::LoginSynAck => 0x12,
            SshPacket::SessionIn | SshPacket::SessionOut => 0x10,
        }
    }

    fn state(self) -> ConnState {
        if self == SshPacket::LoginSyn { ConnState::New } else { ConnState::Established }
    }
}

/// One packet of the admin's SSH that a ruleset drops or rejects, with the witness and the
/// deciding rule (the simulator's first outcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// Which packet.
    pub packet: SshPacket,
    /// A packet of that kind from (or to) the admin, which the rules deny.
    pub witness: Option<Packet>,
    /// The verdict and the deciding rule for the witness.
    pub expect: Expectation,
}

/// The packets of the admin's SSH that `ruleset` denies, in [`SshPacket::ALL`] order. Without
/// admin sources (`options.admin_from` empty) a packet is denied when no address at all gets it
/// through; with sources of the other family only, nothing is denied.
pub fn ssh_denials(ruleset: &Ruleset, options: &LintOptions) -> Vec<Denial> {
    let universe = Universe::of(ruleset);
    let family = ruleset.family;
    let sources = options.admin_from.iter().filter(|net| family.contains(net)).fold(Ints::empty(), |acc, net| acc.union(&network(family, net)));
    let anywhere = options.admin_from.is_empty();
    if sources.is_empty() && !anywhere {
        return Vec::new();
    }
    let input = Flow::run(ruleset, &universe, BuiltinChain::Input);
    let output = Flow::run(ruleset, &universe, BuiltinChain::Output);
    let port = Ints::single(u128::from(options.admin_ssh_port));
    let mut out = Vec::new();
    for packet in SshPacket::ALL {
        let flow = if packet.chain() == BuiltinChain::Input { input.as_ref() } else { output.as_ref() };
        let Some(flow) = flow else { continue };
        let incoming = packet.chain() == BuiltinChain::Input;
        let (admin, server, interface) = if incoming { (SRC, DPORT, IN) } else { (DST, SPORT, OUT) };
        let mut fields = vec![
            (FRAG, Ints::single(0)),
            (PKTTYPE, Ints::single(0)),
            (PROTO, Ints::single(6)),
            (server, port.clone()),
            (FLAGS, Ints::single(packet.flags())),
            (STATE, Ints::single(state_index(packet.state()))),
            (interface, universe.interfaces.external()),
        ];
        // SSH to the server is unicast: a broadcast or multicast destination is no login.
        fields.push((if incoming { DST } else { SRC }, universe.unicast_destinations()));
        if !anywhere {
            fields.push((admin, sources.clone()));
        }
        let probe = fields.iter().fold(universe.entering(flow.chain), |space, (dim, values)| space.restrict(*dim, values));
        if anywhere && flow.decisions.iter().any(|decision| decision.verdict == Verdict::Accept && decision.set.meets(&probe)) {
            continue;
        }
        if let Some((decision, packets)) = flow.first_decision(&probe, super::lints::denies) {
            out.push(denial(&universe, flow, packet, decision, &packets));
        }
    }
    out
}

fn denial(universe: &Universe, flow: &Flow, packet: SshPacket, decision: &Decision, packets: &Space) -> Denial {
    Denial {
        packet,
        witness: witness(universe, packets, flow.path),
        expect: Expectation { verdict: decision.verdict, decided_by: decision.by.clone() },
    }
}

/// One state of an apply procedure: what was run to reach it, and where that is written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// 1-based position in the procedure (counting both families' steps).
    pub number: usize,
    /// The command or stage, for messages (`iptables -P INPUT DROP`, `IPv4 rules loaded`).
    pub what: String,
    /// Where it is written in the procedure's text (empty for a stage of the apply script).
    pub span: Span,
}

/// Follows a procedure one state at a time and keeps, per family, the first state that cuts the
/// admin's running session and the first that refuses new logins, leaving out what the final
/// rules deny anyway (the `lockout` lint reports that).
#[derive(Debug)]
pub struct StepCheck<'o> {
    options: &'o LintOptions,
    /// Per family (IPv4, IPv6): the packets the final rules deny.
    final_denials: [Vec<SshPacket>; 2],
    cut: [Option<Finding>; 2],
    refused: [Option<Finding>; 2],
}

fn slot(family: Family) -> usize {
    usize::from(family == Family::V6)
}

impl<'o> StepCheck<'o> {
    /// A check against the procedure's final rulesets (any order; a family it does not hold is
    /// taken to deny nothing at the end).
    pub fn new(finals: &[Ruleset], options: &'o LintOptions) -> Self {
        let mut final_denials: [Vec<SshPacket>; 2] = [Vec::new(), Vec::new()];
        for ruleset in finals {
            final_denials[slot(ruleset.family)] = ssh_denials(ruleset, options).into_iter().map(|denial| denial.packet).collect();
        }
        Self { options, final_denials, cut: [None, None], refused: [None, None] }
    }

    /// The state `ruleset` (of its family) that `step` left.
    pub fn step(&mut self, step: &Step, ruleset: &Ruleset) {
        let at = slot(ruleset.family);
        if self.cut[at].is_some() {
            return;
        }
        let denials: Vec<Denial> =
            ssh_denials(ruleset, self.options).into_iter().filter(|denial| !self.final_denials[at].contains(&denial.packet)).collect();
        if let Some(denial) = denials.iter().find(|denial| denial.packet.session()) {
            self.cut[at] = Some(finding(ruleset, step, denial, "cuts the admin's running SSH session", Severity::Error));
        } else if let (None, Some(denial)) = (&self.refused[at], denials.iter().find(|denial| denial.packet.login())) {
            let what = "refuses new SSH logins (the running session survives; a dropped connection could not come back)";
            self.refused[at] = Some(finding(ruleset, step, denial, what, Severity::Warning));
        }
    }

    /// The findings: per family, the first cut session, else the first refused login.
    pub fn finish(self) -> Vec<Finding> {
        self.cut.into_iter().zip(self.refused).filter_map(|(cut, refused)| cut.or(refused)).collect()
    }
}

fn finding(ruleset: &Ruleset, step: &Step, denial: &Denial, what: &str, severity: Severity) -> Finding {
    let family = ruleset.family;
    let packet = denial.witness.as_ref().map_or_else(String::new, |packet| format!(" ({packet})"));
    let message = format!(
        "{family} step {} (`{}`) {what}: {}{packet} is {} by {}",
        step.number,
        step.what,
        denial.packet.describe(),
        if denial.expect.verdict == Verdict::Reject { "rejected" } else { "dropped" },
        denial.expect.decided_by,
    );
    let mut finding = Finding::new(ruleset, Code::ApplyLockout, Some(denial.expect.decided_by.clone()), message)
        .help("accept the admin's SSH and `--ctstate ESTABLISHED,RELATED` before any step that drops packets: append the rules while the policies are ACCEPT, and set the DROP policies last")
        .witness(denial.witness.clone(), Some(denial.expect.clone()));
    finding.step = Some(step.clone());
    let rule_span = finding.diagnostic.span;
    finding.diagnostic.span = step.span;
    finding.diagnostic.severity = severity;
    if rule_span != Span::default() && rule_span != step.span {
        finding.diagnostic = finding.diagnostic.with_secondary(rule_span, format!("denied here ({})", denial.expect.decided_by));
    }
    finding
}

/// The intermediate states of a script of iptables commands run from `start` (IPv4, IPv6):
/// a finding per family for the first command that cuts the admin's session (or, if none,
/// refuses new logins) when the script's final rules do not.
pub fn commands_lockout(text: &str, start: [Ruleset; 2], options: &LintOptions) -> Vec<Finding> {
    let finals = crate::import::replay(text, start.clone(), |_, _| {}).value;
    let mut check = StepCheck::new(&finals, options);
    let mut number = 0;
    crate::import::replay(text, start, |span, ruleset| {
        number += 1;
        let what = text.get(span.start..span.end).unwrap_or_default().trim().to_owned();
        check.step(&Step { number, what, span }, ruleset);
    });
    check.finish()
}

/// The stages of the apply script ([`crate::export::script`]) from the rules `old` to `new`
/// (both IPv4 then IPv6): IPv4 restored, IPv6 restored, and the rollback if unconfirmed.
pub fn script_stages(old: &[Ruleset; 2], new: &[Ruleset; 2]) -> Vec<(Step, Ruleset)> {
    let stage = |number: usize, what: &str, ruleset: &Ruleset| (Step { number, what: what.to_owned(), span: Span::default() }, ruleset.clone());
    vec![
        stage(1, "iptables-restore rules.v4 (IPv6 still the old rules)", &new[0]),
        stage(2, "ip6tables-restore rules.v6", &new[1]),
        stage(3, "rollback: iptables-restore of the backup", &old[0]),
        stage(4, "rollback: ip6tables-restore of the backup", &old[1]),
    ]
}

/// The apply script's stages from `old` to `new`, checked like [`commands_lockout`]'s.
pub fn script_lockout(old: &[Ruleset; 2], new: &[Ruleset; 2], options: &LintOptions) -> Vec<Finding> {
    let mut check = StepCheck::new(old, options);
    // The procedure ends on `old` only when it is rolled back; on `new` otherwise: what either
    // end denies is the final lint's business.
    let ends = StepCheck::new(new, options);
    for at in 0..2 {
        check.final_denials[at].extend(ends.final_denials[at].iter().copied());
    }
    for (step, ruleset) in script_stages(old, new) {
        check.step(&step, &ruleset);
    }
    check.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> LintOptions {
        LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap(), "2001:db8:1::/48".parse().unwrap()], ..LintOptions::default() }
    }

    fn open() -> [Ruleset; 2] {
        [Ruleset::new(Family::V4), Ruleset::new(Family::V6)]
    }

    #[test]
    fn a_drop_policy_before_the_accepts_cuts_the_session() {
        let script = "iptables -P INPUT DROP\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n";
        let found = commands_lockout(script, open(), &options());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].diagnostic.severity, Severity::Error);
        assert_eq!(found[0].witness.as_ref().unwrap().state, ConnState::Established);
        assert!(found[0].diagnostic.message.starts_with("IPv4 step 1 (`iptables -P INPUT DROP`)"), "{}", found[0].diagnostic.message);
    }

    #[test]
    fn established_first_only_refuses_new_logins() {
        let script = "ip6tables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\nip6tables -P INPUT DROP\nip6tables -A INPUT -p tcp --dport 22 -j ACCEPT\n";
        let found = commands_lockout(script, open(), &options());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].family, found[0].diagnostic.severity), (Family::V6, Severity::Warning));
        assert_eq!(found[0].diagnostic.span.start, script.find("ip6tables -P").unwrap());
        assert_eq!(found[0].witness.as_ref().unwrap().state, ConnState::New);
    }

    #[test]
    fn flushing_a_chain_with_a_drop_policy_cuts_the_session() {
        let script = "iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\niptables -F INPUT\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\n";
        let found = commands_lockout(script, open(), &options());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].diagnostic.message.contains("step 4 (`iptables -F INPUT`)"), "{}", found[0].diagnostic.message);
    }

    #[test]
    fn an_output_drop_policy_before_the_reply_accept_cuts_the_session() {
        let script = "iptables -P OUTPUT DROP\niptables -A OUTPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n";
        let found = commands_lockout(script, open(), &options());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].expect.as_ref().unwrap().decided_by.chain, "OUTPUT");
    }

    #[test]
    fn what_the_final_rules_deny_is_left_to_the_lockout_lint() {
        // SSH is never opened: the final state denies new logins, so no step adds anything.
        let script = "iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -P INPUT DROP\n";
        assert!(commands_lockout(script, open(), &options()).is_empty());
    }

    #[test]
    fn safe_orders_pass() {
        let script = "iptables -P INPUT ACCEPT\niptables -F\niptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\niptables -A INPUT -p tcp --dport 22 -j ACCEPT\niptables -P INPUT DROP\n";
        assert!(commands_lockout(script, open(), &options()).is_empty());
    }

    #[test]
    fn the_script_stages_are_the_families_loaded_one_after_the_other() {
        let closed = crate::import::import("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", Some(Family::V4)).value.rulesets.remove(0);
        let stages = script_stages(&open(), &[closed.clone(), Ruleset::new(Family::V6)]);
        assert_eq!(stages.len(), 4);
        assert_eq!(stages[0].1, closed);
        // The closed v4 rules are the final state: the `lockout` lint's finding, not a step's.
        assert!(script_lockout(&open(), &[closed, Ruleset::new(Family::V6)], &options()).is_empty());
    }
}
