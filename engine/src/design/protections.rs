//! The protections the seed tutorials teach, each one choice with the default a careful admin
//! would pick, and the rules each adds.

use crate::model::{
    ConnState, ConnStates, ConnTrack, Family, IcmpType, Log, Module, Negated, Policy, PortSpec, Protocol, Rate, Recent,
    RecentAction, RejectWith, Rule, Target, TcpFlags,
};

/// What a built-in chain does with a packet no rule decided. REJECT is not a policy in
/// iptables (only ACCEPT and DROP are), so the choice is between these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultPolicy {
    /// Dropped: only what a rule accepts gets in. The careful default.
    Drop,
    /// Accepted: everything no rule drops gets in, including services installed later.
    /// Reported by the `default-accept` finding.
    Accept,
}

impl DefaultPolicy {
    /// The chain policy.
    pub fn policy(self) -> Policy {
        match self {
            DefaultPolicy::Drop => Policy::Drop,
            DefaultPolicy::Accept => Policy::Accept,
        }
    }
}

/// Whether the host answers ping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ping {
    /// Echo requests are dropped (other ICMP still flows: it is essential).
    Off,
    /// Answered up to `per_second` per second (burst 5): enough for a person, not for a flood.
    Limited {
        /// Echo requests per second, 1 to 100.
        per_second: u32,
    },
    /// Always answered.
    On,
}

/// The SSH brute-force limit: new connections per source within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SshLimit {
    /// New connections allowed per source within `seconds` (the next one is dropped), 1 to 19
    /// (the kernel remembers 20 per address).
    pub connections: u32,
    /// The window, 1 to 86400 seconds.
    pub seconds: u32,
}

/// What happens to traffic from a blocked address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockAction {
    /// Silently discarded.
    Drop,
    /// Refused with an ICMP error.
    Reject,
}

/// Logging of dropped packets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogDropped {
    /// Log lines per minute at most, 1 to 600.
    pub per_minute: u32,
}

/// The protections of a design; `Default` is what a careful admin would choose.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one bool per independent toggle the user sees
pub struct Protections {
    /// What INPUT does with packets no rule accepted (DROP by default).
    pub input_policy: DefaultPolicy,
    /// What FORWARD does with packets no rule accepted (DROP by default: this server is not a
    /// router unless NAT entries make it one, and those accept exactly their traffic).
    pub forward_policy: DefaultPolicy,
    /// Accept everything arriving on the loopback interface `lo` (the server talking to itself:
    /// a web app to its local database, a local DNS resolver). On by default.
    pub allow_loopback: bool,
    /// Accept in INPUT the replies to connections already allowed, by conntrack state
    /// (`-m conntrack --ctstate ESTABLISHED,RELATED`, not the deprecated `-m state`). On by
    /// default: without it, replies to the server's own connections (DNS, updates) are dropped.
    pub allow_established: bool,
    /// Drop packets conntrack marks INVALID.
    pub drop_invalid: bool,
    /// Drop NULL and XMAS scans and new TCP connections that do not start with SYN.
    pub drop_scans: bool,
    /// Ping answers.
    pub ping: Ping,
    /// The SSH brute-force limit (applies when SSH is open), or none.
    pub ssh_limit: Option<SshLimit>,
    /// Block outgoing mail (port 25) from this host, against spam from a compromised server.
    pub block_outgoing_smtp: bool,
    /// Allow only DNS, NTP, HTTP and HTTPS out (and replies), instead of everything.
    pub restricted_output: bool,
    /// Log dropped incoming packets (rate limited, prefix `portcullis-drop: `), or not.
    pub log_dropped: Option<LogDropped>,
    /// What blocked sources get.
    pub block_action: BlockAction,
}

impl Default for Protections {
    fn default() -> Self {
        Self {
            input_policy: DefaultPolicy::Drop,
            forward_policy: DefaultPolicy::Drop,
            allow_loopback: true,
            allow_established: true,
            drop_invalid: true,
            drop_scans: true,
            ping: Ping::Limited { per_second: 1 },
            ssh_limit: Some(SshLimit { connections: 4, seconds: 60 }),
            block_outgoing_smtp: false,
            restricted_output: false,
            log_dropped: Some(LogDropped { per_minute: 5 }),
            block_action: BlockAction::Drop,
        }
    }
}

/// The prefix of logged drops (`grep portcullis-drop /var/log/kern.log`).
pub const LOG_PREFIX: &str = "portcullis-drop: ";

impl Protections {
    /// Checks every number is in its range.
    ///
    /// # Errors
    /// The first value out of range, with the range.
    pub fn validate(&self) -> Result<(), String> {
        if let Ping::Limited { per_second } = self.ping {
            if !(1..=100).contains(&per_second) {
                return Err(format!("ping limit {per_second}/s: use 1 to 100 per second"));
            }
        }
        if let Some(limit) = self.ssh_limit {
            if !(1..=19).contains(&limit.connections) || !(1..=86_400).contains(&limit.seconds) {
                return Err(format!(
                    "SSH limit {} connections in {} s: use 1 to 19 connections within 1 to 86400 seconds",
                    limit.connections, limit.seconds
                ));
            }
        }
        if let Some(log) = &self.log_dropped {
            if !(1..=600).contains(&log.per_minute) {
                return Err(format!("log limit {}/min: use 1 to 600 per minute", log.per_minute));
            }
        }
        Ok(())
    }
}

pub(super) fn states(states: &[ConnState]) -> Module {
    Module::ConnTrack(ConnTrack::states(ConnStates::new(states.iter().copied()).unwrap_or_else(|| unreachable!("states given"))))
}

fn tcp_flags(mask: u8, set: u8) -> Module {
    let flags = Some(Negated::plain((TcpFlags::from_bits(mask), TcpFlags::from_bits(set))));
    Module::Tcp { source_port: None, destination_port: None, flags, option: None }
}

/// `-p tcp`, for a rule's `protocol` field.
const TCP: Option<Negated<Protocol>> = Some(Negated { negated: false, value: Protocol::TCP });

/// Rules dropping INVALID packets and scans, each with why (before the ESTABLISHED accept).
pub(super) fn early_drops(protections: &Protections) -> Vec<(Rule, &'static str)> {
    let mut rules = Vec::new();
    if protections.drop_invalid {
        rules.push((Rule { modules: vec![states(&[ConnState::Invalid])], ..Rule::default() }, "drop invalid packets"));
    }
    if protections.drop_scans {
        rules.push((Rule { protocol: TCP, modules: vec![tcp_flags(0x3f, 0)], ..Rule::default() }, "drop NULL scans"));
        rules.push((Rule { protocol: TCP, modules: vec![tcp_flags(0x3f, 0x3f)], ..Rule::default() }, "drop XMAS scans"));
        rules.push((Rule { protocol: TCP, modules: vec![tcp_flags(0x3f, 0x29)], ..Rule::default() }, "drop FIN-PSH-URG scans"));
        let not_syn = Module::Tcp {
            source_port: None,
            destination_port: None,
            flags: Some(Negated { negated: true, value: (TcpFlags::SYN_MASK, TcpFlags::SYN) }),
            option: None,
        };
        rules.push((Rule { protocol: TCP, modules: vec![not_syn, states(&[ConnState::New])], ..Rule::default() }, "drop new connections without SYN"));
    }
    rules.into_iter().map(|(rule, why)| (Rule { target: Some(Target::Drop), ..rule }, why)).collect()
}

fn icmp(family: Family, icmp_type: u8) -> Rule {
    let value = Negated::plain(IcmpType { icmp_type: Some(icmp_type), code: None });
    let (protocol, module) = match family {
        Family::V4 => (Protocol::ICMP, Module::Icmp(value)),
        Family::V6 => (Protocol::ICMPV6, Module::Icmp6(value)),
    };
    Rule { protocol: Some(Negated::plain(protocol)), modules: vec![module], ..Rule::default() }
}

/// ICMP every host needs (RFC 1122 / RFC 4890): path MTU discovery, traceroute, error reports.
const ESSENTIAL_V4: [(u8, &str); 3] = [(3, "destination unreachable (incl. fragmentation needed)"), (11, "time exceeded"), (12, "parameter problem")];
const ESSENTIAL_V6: [(u8, &str); 4] = [(1, "destination unreachable"), (2, "packet too big"), (3, "time exceeded"), (4, "parameter problem")];

/// Accepted ICMP: the essential error messages, then ping as chosen; each with why.
pub(super) fn icmp_accepts(protections: &Protections, family: Family) -> Vec<(Rule, String)> {
    let essential: &[(u8, &str)] = if family == Family::V4 { &ESSENTIAL_V4 } else { &ESSENTIAL_V6 };
    let mut rules: Vec<(Rule, String)> =
        essential.iter().map(|(kind, name)| (icmp(family, *kind), format!("ICMP {name} (essential)"))).collect();
    let echo = if family == Family::V4 { 8 } else { 128 };
    match protections.ping {
        Ping::Off => {}
        Ping::On => rules.push((icmp(family, echo), "ping".to_owned())),
        Ping::Limited { per_second } => {
            let mut rule = icmp(family, echo);
            let rate = Rate::per(per_second, 1).unwrap_or_else(|| unreachable!("validated rate"));
            rule.modules.push(Module::Limit { rate, burst: 5 });
            rules.push((rule, format!("ping, at most {per_second}/s")));
        }
    }
    rules
}

/// The two rules of the SSH limit for `port`: record each new connection, drop past the limit.
pub(super) fn ssh_limit(limit: SshLimit, port: u16, family: Family) -> [(Rule, String); 2] {
    let base = Rule {
        protocol: TCP,
        modules: vec![
            Module::Tcp { source_port: None, destination_port: Some(Negated::plain(PortSpec::single(port))), flags: None, option: None },
            states(&[ConnState::New]),
        ],
        ..Rule::default()
    };
    // One list per family: the kernel keeps one address mask per list name, taken from the
    // first rule that uses it, so an IPv6 rule sharing the IPv4 rules' list sees every IPv6
    // address cut to its first 32 bits, and one IPv6 source would lock out its whole /32
    // (seen in the kernel oracle, tests/tests/kernel_designs.rs).
    let name = match family {
        Family::V4 => "portcullis-ssh",
        Family::V6 => "portcullis-ssh6",
    };
    let mut record = Recent::new(RecentAction::Set, family);
    name.clone_into(&mut record.name);
    let mut check = Recent::new(RecentAction::Update, family);
    name.clone_into(&mut check.name);
    check.seconds = limit.seconds;
    check.hit_count = limit.connections + 1;
    let mut set = base.clone();
    set.modules.push(Module::Recent(record));
    let mut drop = base;
    drop.modules.push(Module::Recent(check));
    drop.target = Some(Target::Drop);
    [
        (set, "SSH limit: remember each new connection".to_owned()),
        (drop, format!("SSH limit: drop past {} new connections in {} s", limit.connections, limit.seconds)),
    ]
}

/// The logging rule at the end of INPUT.
pub(super) fn log_dropped(log: &LogDropped) -> Rule {
    let rate = Rate::per(log.per_minute, 60).unwrap_or_else(|| unreachable!("validated rate"));
    let target = Target::Log(Log { prefix: Some(LOG_PREFIX.to_owned()), ..Log::default() });
    Rule { modules: vec![Module::Limit { rate, burst: 5 }], target: Some(target), ..Rule::default() }
}

/// The target for blocked sources.
pub(super) fn block_target(action: BlockAction, family: Family) -> Target {
    match (action, family) {
        (BlockAction::Drop, _) => Target::Drop,
        (BlockAction::Reject, _) => Target::Reject(RejectWith::AdminProhibited),
    }
}

/// OUTPUT rules: outgoing mail blocked, and the allowed list when output is restricted.
pub(super) fn output_rules(protections: &Protections, family: Family) -> Vec<(Rule, String)> {
    let mut rules = Vec::new();
    let port = |protocol: Protocol, port: u16| {
        let destination_port = Some(Negated::plain(PortSpec::single(port)));
        let module = if protocol == Protocol::UDP {
            Module::Udp { source_port: None, destination_port }
        } else {
            Module::Tcp { source_port: None, destination_port, flags: None, option: None }
        };
        Rule { protocol: Some(Negated::plain(protocol)), modules: vec![module], ..Rule::default() }
    };
    if protections.block_outgoing_smtp {
        let mut rule = port(Protocol::TCP, 25);
        rule.target = Some(Target::Reject(RejectWith::TcpReset));
        rules.push((rule, "block outgoing mail (port 25)".to_owned()));
    }
    if protections.restricted_output {
        let accept = |rule: Rule| Rule { target: Some(Target::Accept), ..rule };
        let loopback = Rule { out_interface: Some(Negated::plain(crate::model::Interface::loopback())), ..Rule::default() };
        rules.push((accept(loopback), "loopback".to_owned()));
        let replies = Rule { modules: vec![states(&[ConnState::Related, ConnState::Established])], ..Rule::default() };
        rules.push((accept(replies), "replies to allowed connections".to_owned()));
        for (protocol, number, name) in [
            (Protocol::UDP, 53, "DNS"),
            (Protocol::TCP, 53, "DNS over TCP"),
            (Protocol::UDP, 123, "NTP"),
            (Protocol::TCP, 80, "HTTP (updates)"),
            (Protocol::TCP, 443, "HTTPS (updates)"),
        ] {
            rules.push((accept(port(protocol, number)), format!("out: {name}")));
        }
        let icmp_out = Rule {
            protocol: Some(Negated::plain(if family == Family::V4 { Protocol::ICMP } else { Protocol::ICMPV6 })),
            ..Rule::default()
        };
        rules.push((accept(icmp_out), "out: ICMP".to_owned()));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_has_its_own_ssh_list() {
        let name = |family| match &ssh_limit(SshLimit { connections: 4, seconds: 60 }, 22, family)[0].0.modules[2] {
            Module::Recent(recent) => recent.name.clone(),
            other => panic!("the third match is the recent list, not {other:?}"),
        };
        assert_ne!(name(Family::V4), name(Family::V6), "a shared list masks IPv6 addresses to /32 in the kernel");
    }
}
