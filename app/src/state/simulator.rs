//! The simulator's state as plain data: the packet presets, the typed edits of the packet form,
//! what a run of the simulator gave (one packet or a conversation), the marks its trace leaves on
//! the rules table, and the trace as indented lines for the panel. The presets themselves are
//! the engine's ([`PacketPreset`]).
//!
//! The packet's text form (the CLI's, [`Packet::parse`]) is the one source of truth: the form
//! reads its fields from the parsed text and each form edit writes the text back.

use std::net::IpAddr;

use portcullis_engine::analysis::rule_at;
use portcullis_engine::export::save::render_appended;
use portcullis_engine::model::{ConnState, Family, Protocol, RuleLoc, Ruleset, TableName, TcpFlags};
use portcullis_engine::simulate::{converse, simulate, Conversation, Packet, Path, Simulation, Step, StepResult};
use portcullis_engine::workbench::presets::PacketPreset;
use portcullis_engine::workbench::Draft;

use super::bench_view::{TraceMark, TraceMarks};

/// A preset's id in test ids.
pub(crate) fn preset_slug(preset: PacketPreset) -> &'static str {
    match preset {
        PacketPreset::SshFromInternet => "ssh",
        PacketPreset::WebVisitor => "web",
        PacketPreset::DnsReply => "dns-reply",
        PacketPreset::XmasScan => "xmas",
        PacketPreset::Ping => "ping",
    }
}

/// A field of the packet form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormField {
    Path,
    InInterface,
    OutInterface,
    Source,
    Destination,
    Protocol,
    SourcePort,
    DestinationPort,
    IcmpType,
    State,
}

/// The TCP flags the form offers, with their bits.
pub(crate) const FLAGS: [(&str, u8); 6] = [("syn", 0x02), ("ack", 0x10), ("fin", 0x01), ("rst", 0x04), ("psh", 0x08), ("urg", 0x20)];

/// The conntrack states the form offers.
pub(crate) const STATES: [ConnState; 5] = [ConnState::New, ConnState::Established, ConnState::Related, ConnState::Invalid, ConnState::Untracked];

/// `packet` with `field` set to `value` as typed, or why `value` does not fit.
pub(crate) fn edit(packet: &Packet, field: FormField, value: &str) -> Result<Packet, String> {
    let value = value.trim();
    let mut packet = packet.clone();
    let port = |text: &str| text.parse::<u16>().map_err(|_| format!("`{text}` is not a port (0-65535)"));
    match field {
        FormField::Path => {
            packet.path = match value {
                "input" => Path::Input,
                "forward" => Path::Forward,
                "output" => Path::Output,
                other => return Err(format!("`{other}` is not a path (input, forward, output)")),
            };
            let (wants_in, wants_out) = match packet.path {
                Path::Input => (true, false),
                Path::Forward => (true, true),
                Path::Output => (false, true),
            };
            packet.in_interface = wants_in.then(|| packet.in_interface.clone().unwrap_or_else(|| "eth0".to_owned()));
            packet.out_interface = wants_out.then(|| packet.out_interface.clone().unwrap_or_else(|| if wants_in { "eth1" } else { "eth0" }.to_owned()));
        }
        FormField::InInterface => packet.in_interface = Some(interface(value)?),
        FormField::OutInterface => packet.out_interface = Some(interface(value)?),
        FormField::Source => packet.source = address(value, packet.family)?,
        FormField::Destination => packet.destination = address(value, packet.family)?,
        FormField::Protocol => {
            packet.protocol = match value {
                "tcp" => Protocol::TCP,
                "udp" => Protocol::UDP,
                "icmp" if packet.family == Family::V4 => Protocol::ICMP,
                "icmpv6" if packet.family == Family::V6 => Protocol::ICMPV6,
                other => return Err(format!("`{other}` is not a protocol of {} here (tcp, udp, {})", packet.family, icmp_name(packet.family))),
            };
            if packet.protocol == Protocol::TCP && packet.tcp_flags.bits() == 0 {
                packet.tcp_flags = if packet.state == ConnState::New { TcpFlags::SYN } else { TcpFlags::from_bits(0x10) };
            }
        }
        FormField::SourcePort => packet.source_port = port(value)?,
        FormField::DestinationPort => packet.destination_port = port(value)?,
        FormField::IcmpType => {
            let (kind, code) = value.split_once('/').unwrap_or((value, "0"));
            let number = |text: &str, what: &str| text.trim().parse::<u8>().map_err(|_| format!("`{text}` is not an ICMP {what} (0-255)"));
            packet.icmp_type = number(kind, "type")?;
            packet.icmp_code = number(code, "code")?;
        }
        FormField::State => {
            packet.state = STATES
                .into_iter()
                .find(|state| state.as_str().eq_ignore_ascii_case(value))
                .ok_or_else(|| format!("`{value}` is not a state (new, established, related, invalid, untracked)"))?;
        }
    }
    Ok(packet)
}

fn interface(text: &str) -> Result<String, String> {
    // The kernel's IFNAMSIZ is 16 bytes with the terminating zero.
    if text.is_empty() || text.len() > 15 || text.contains(char::is_whitespace) {
        return Err("an interface name is 1 to 15 characters without spaces (e.g. eth0)".to_owned());
    }
    Ok(text.to_owned())
}

fn address(text: &str, family: Family) -> Result<IpAddr, String> {
    let address: IpAddr = text.parse().map_err(|_| format!("`{text}` is not an IP address"))?;
    if address.is_ipv4() != (family == Family::V4) {
        return Err(format!("the rules shown are {family}: write an {family} address"));
    }
    Ok(address)
}

/// The ICMP protocol's name in `family`.
pub(crate) fn icmp_name(family: Family) -> &'static str {
    match family {
        Family::V4 => "icmp",
        Family::V6 => "icmpv6",
    }
}

/// `packet` with one TCP flag set or cleared.
pub(crate) fn with_flag(packet: &Packet, bit: u8, on: bool) -> Packet {
    let mut packet = packet.clone();
    let bits = if on { packet.tcp_flags.bits() | bit } else { packet.tcp_flags.bits() & !bit };
    packet.tcp_flags = TcpFlags::from_bits(bits);
    packet
}

/// `packet` carried over to `family`: the same kind of packet between the presets' stranger and
/// server of that family (an address has no counterpart in the other family to translate to).
pub(crate) fn to_family(packet: &Packet, family: Family) -> Packet {
    if packet.family == family {
        return packet.clone();
    }
    let example = PacketPreset::SshFromInternet.packet(family);
    let mut moved = packet.clone();
    moved.family = family;
    moved.source = example.source;
    moved.destination = example.destination;
    // Echo request / reply and the common errors have their ICMPv6 counterparts.
    let icmp = [(8, 128), (0, 129), (3, 1), (11, 3)];
    match (packet.protocol, family) {
        (Protocol::ICMP, Family::V6) => {
            moved.protocol = Protocol::ICMPV6;
            moved.icmp_type = icmp.iter().find(|(v4, _)| *v4 == packet.icmp_type).map_or(128, |(_, v6)| *v6);
        }
        (Protocol::ICMPV6, Family::V4) => {
            moved.protocol = Protocol::ICMP;
            moved.icmp_type = icmp.iter().find(|(_, v6)| *v6 == packet.icmp_type).map_or(8, |(v4, _)| *v4);
        }
        _ => {}
    }
    moved
}

/// What the simulator computed for a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Run {
    /// The packet alone.
    Single(Simulation),
    /// The packet as a request and the replies to it.
    Conversation(Conversation),
}

/// Simulates `packet` (or its conversation) on the effective rules of the packet's family.
pub(crate) fn run(draft: &Draft, packet: &Packet, conversation: bool) -> (Ruleset, Run) {
    let ruleset = draft.effective(packet.family);
    let run = if conversation { Run::Conversation(converse(&ruleset, packet)) } else { Run::Single(simulate(&ruleset, packet)) };
    (ruleset, run)
}

impl Run {
    /// Every simulation of the run, in order.
    pub(crate) fn simulations(&self) -> Vec<&Simulation> {
        match self {
            Run::Single(simulation) => vec![simulation],
            Run::Conversation(conversation) => conversation.exchanges.iter().map(|exchange| &exchange.simulation).collect(),
        }
    }
}

/// The marks every visited rule gets: a rule that matched on some visit is matched, one that
/// may match on some outcome is "may match", the others say which match failed.
pub(crate) fn marks(draft: &Draft, family: Family, run: &Run) -> TraceMarks {
    let mut marks = TraceMarks::new();
    let steps = run.simulations().into_iter().flat_map(|simulation| &simulation.outcomes).flat_map(|outcome| &outcome.trace);
    for step in steps {
        let Some(row) = draft.row_of(family, &step.rule) else { continue };
        let mark = match &step.result {
            StepResult::Matched { .. } => TraceMark::Matched,
            StepResult::NotMatched { on } => TraceMark::NotMatched(on.clone()),
            StepResult::MayMatchTaken { on, .. } | StepResult::MayMatchSkipped { on } => TraceMark::MayMatch(on.clone()),
            StepResult::Policy { .. } => continue,
        };
        let rank = |mark: &TraceMark| match mark {
            TraceMark::NotMatched(_) => 0,
            TraceMark::Matched => 1,
            TraceMark::MayMatch(_) => 2,
        };
        if marks.get(&row).is_none_or(|old| rank(old) < rank(&mark)) {
            marks.insert(row, mark);
        }
    }
    marks
}

/// One line of a trace as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TraceLine {
    /// Chain nesting: 0 in a built-in chain, one more per jump.
    pub(crate) depth: usize,
    /// The walk came back from a user chain to this one.
    pub(crate) returned: bool,
    /// Where: `filter INPUT #3` or `filter INPUT policy`.
    pub(crate) place: String,
    /// The rule as `iptables-save` writes it (none for a policy).
    pub(crate) text: Option<String>,
    /// What happened, in words.
    pub(crate) result: String,
    /// How the table marks it: `matched`, `missed`, `maybe` or `policy`.
    pub(crate) kind: &'static str,
    /// The effective rule, to select it in the table.
    pub(crate) rule: RuleLoc,
}

/// The lines of one outcome's trace, indented by chain: a rule whose target is a user chain
/// pushes it, and a step back in a chain below pops to it (RETURN or the chain's end).
pub(crate) fn trace_lines(ruleset: &Ruleset, family: Family, trace: &[Step]) -> Vec<TraceLine> {
    let mut stack: Vec<(TableName, &str)> = Vec::new();
    let mut jumped_to: Option<(TableName, &str)> = None;
    let mut lines = Vec::with_capacity(trace.len());
    for step in trace {
        let here = (step.rule.table, step.rule.chain.as_str());
        let depth_before = stack.len();
        if let Some(at) = stack.iter().position(|chain| *chain == here) {
            stack.truncate(at + 1);
        } else if jumped_to == Some(here) {
            stack.push(here);
        } else {
            stack = vec![here];
        }
        let returned = stack.len() < depth_before && !lines.is_empty();
        let (result, kind, target) = match &step.result {
            StepResult::Matched { target } => (format!("matched → {target}"), "matched", Some(target.as_str())),
            StepResult::NotMatched { on } => (format!("not matched: {on}"), "missed", None),
            StepResult::MayMatchTaken { on, target } => (format!("may match ({on}); this outcome takes it → {target}"), "maybe", Some(target.as_str())),
            StepResult::MayMatchSkipped { on } => (format!("may match ({on}); this outcome skips it"), "maybe", None),
            StepResult::Policy { policy } => (format!("end of the chain: policy {policy}"), "policy", None),
        };
        jumped_to = target.map(|target| (step.rule.table, target));
        let place = match step.rule.index {
            Some(index) => format!("{} {} #{index}", step.rule.table, step.rule.chain),
            None => format!("{} {} policy", step.rule.table, step.rule.chain),
        };
        let text = rule_at(ruleset, &step.rule).map(|rule| render_appended(&step.rule.chain, rule, family));
        lines.push(TraceLine { depth: stack.len().saturating_sub(1), returned, place, text, result, kind, rule: step.rule.clone() });
    }
    lines
}
