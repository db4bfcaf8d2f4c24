//! Does a rule match a packet? Three-valued: matches that depend on history or on things outside
//! the packet (rate limits, address lists, payload, clock, sockets, ipset contents) "may match".

use std::net::IpAddr;

use ipnet::IpNet;

use super::packet::{Packet, Path};
use crate::model::{
    BuiltinChain, ConnState, ConnStates, ConnTrack, Interface, Module, Negated, PortDirection, PortSpec, Protocol, RecentAction, Rule,
    TtlComparison,
};

/// A match's answer for one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    /// It matches.
    Yes,
    /// It does not match.
    No,
    /// It depends on something the packet does not tell.
    Maybe,
}

impl Truth {
    pub(crate) fn from(value: bool) -> Self {
        if value {
            Truth::Yes
        } else {
            Truth::No
        }
    }

    pub(crate) fn negate_if(self, negated: bool) -> Self {
        match (self, negated) {
            (Truth::Yes, true) => Truth::No,
            (Truth::No, true) => Truth::Yes,
            (truth, _) => truth,
        }
    }

    fn and(self, other: impl FnOnce() -> Truth) -> Truth {
        match self {
            Truth::No => Truth::No,
            Truth::Yes => other(),
            Truth::Maybe => match other() {
                Truth::No => Truth::No,
                _ => Truth::Maybe,
            },
        }
    }
}

/// The first part of a rule that fails (or may fail), as text for the trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    /// The overall answer.
    pub truth: Truth,
    /// The option that decided a `No`, or the first that made it `Maybe`.
    pub on: Option<String>,
}

fn negated_check<T>(value: Option<&Negated<T>>, test: impl FnOnce(&T) -> Truth) -> Truth {
    value.map_or(Truth::Yes, |Negated { negated, value }| test(value).negate_if(*negated))
}

fn interface_matches(pattern: &Interface, name: Option<&str>) -> Truth {
    let Some(name) = name else { return Truth::No };
    let pattern = pattern.as_str();
    Truth::from(match pattern.strip_suffix('+') {
        Some(prefix) => name.starts_with(prefix),
        None => name == pattern,
    })
}

fn port_in(spec: PortSpec, port: u16) -> bool {
    spec.first() <= port && port <= spec.last()
}

fn has_ports(packet: &Packet) -> bool {
    matches!(packet.protocol.number(), 6 | 17 | 33 | 132 | 136)
}

fn states_match(states: &ConnStates, packet: &Packet) -> Truth {
    if states.contains(packet.state) {
        return Truth::Yes;
    }
    // SNAT / DNAT are status bits of translated connections. The walk records the translations it
    // applies; a NEW packet met them all (its connection starts here), for any other packet an
    // earlier packet's translation is unknown.
    let translated = packet.translated;
    let dnat = translated.is_some_and(|t| t.destination_rewritten);
    let snat = translated.is_some_and(|t| t.source_rewritten);
    if (states.contains(ConnState::Dnat) && dnat) || (states.contains(ConnState::Snat) && snat) {
        return Truth::Yes;
    }
    if (states.contains(ConnState::Snat) || states.contains(ConnState::Dnat)) && packet.state != ConnState::New {
        return Truth::Maybe;
    }
    Truth::No
}

fn within(net: &IpNet, address: IpAddr) -> bool {
    net.contains(&address)
}

fn conntrack_matches(conntrack: &ConnTrack, packet: &Packet) -> Truth {
    let mut truth = negated_check(conntrack.state.as_ref(), |states| states_match(states, packet));
    truth = truth.and(|| negated_check(conntrack.protocol.as_ref(), |protocol| Truth::from(*protocol == packet.protocol)));
    let tuple_fields = conntrack.original_source.is_some()
        || conntrack.original_destination.is_some()
        || conntrack.reply_source.is_some()
        || conntrack.reply_destination.is_some()
        || conntrack.original_source_port.is_some()
        || conntrack.original_destination_port.is_some()
        || conntrack.reply_source_port.is_some()
        || conntrack.reply_destination_port.is_some()
        || conntrack.direction.is_some();
    if conntrack.status.is_some() || conntrack.expire.is_some() {
        truth = truth.and(|| Truth::Maybe);
    }
    if !tuple_fields {
        return truth;
    }
    // A NEW packet travels in the original direction and its tuple is the packet's own (NAT aside);
    // for other packets the direction is unknown.
    if packet.state != ConnState::New {
        return truth.and(|| Truth::Maybe);
    }
    let address = |value: &Option<Negated<crate::model::ConnAddress>>, address: IpAddr| {
        negated_check(value.as_ref(), |net| Truth::from(within(&net.0, address)))
    };
    let port = |value: &Option<Negated<PortSpec>>, port: u16| {
        negated_check(value.as_ref(), |spec| Truth::from(has_ports(packet) && port_in(*spec, port)))
    };
    // The original tuple is the packet before any rewrite; the reply tuple answers the rewritten
    // packet (its source is where DNAT sent the packet).
    let (source, destination, source_port, destination_port) = packet.translated.map_or(
        (packet.source, packet.destination, packet.source_port, packet.destination_port),
        |t| (t.source, t.destination, t.source_port, t.destination_port),
    );
    truth
        .and(|| address(&conntrack.original_source, source))
        .and(|| address(&conntrack.original_destination, destination))
        .and(|| address(&conntrack.reply_source, packet.destination))
        .and(|| address(&conntrack.reply_destination, packet.source))
        .and(|| port(&conntrack.original_source_port, source_port))
        .and(|| port(&conntrack.original_destination_port, destination_port))
        .and(|| port(&conntrack.reply_source_port, packet.destination_port))
        .and(|| port(&conntrack.reply_destination_port, packet.source_port))
        .and(|| Truth::from(conntrack.direction != Some(crate::model::ConnDirection::Reply)))
}

/// The answer of one module for a packet crossing built-in chain `hook`.
pub(crate) fn module_matches(module: &Module, packet: &Packet, hook: BuiltinChain) -> Truth {
    if is_undecidable(module, packet.path, hook) {
        return Truth::Maybe;
    }
    let tcp = packet.protocol == Protocol::TCP;
    match module {
        Module::Tcp { source_port, destination_port, flags, option } => Truth::from(tcp)
            .and(|| negated_check(source_port.as_ref(), |spec| Truth::from(port_in(*spec, packet.source_port))))
            .and(|| negated_check(destination_port.as_ref(), |spec| Truth::from(port_in(*spec, packet.destination_port))))
            .and(|| {
                negated_check(flags.as_ref(), |(mask, set)| Truth::from(packet.tcp_flags.bits() & mask.bits() == set.bits()))
            })
            .and(|| if option.is_some() { Truth::Maybe } else { Truth::Yes }),
        Module::Udp { source_port, destination_port } => Truth::from(packet.protocol == Protocol::UDP)
            .and(|| negated_check(source_port.as_ref(), |spec| Truth::from(port_in(*spec, packet.source_port))))
            .and(|| negated_check(destination_port.as_ref(), |spec| Truth::from(port_in(*spec, packet.destination_port)))),
        Module::Multiport { direction, ports } => Truth::from(has_ports(packet)).and(|| {
            let hit = |port: u16| ports.value.iter().any(|spec| port_in(*spec, port));
            let found = match direction {
                PortDirection::Source => hit(packet.source_port),
                PortDirection::Destination => hit(packet.destination_port),
                PortDirection::Either => hit(packet.source_port) || hit(packet.destination_port),
            };
            Truth::from(found).negate_if(ports.negated)
        }),
        Module::Icmp(icmp) | Module::Icmp6(icmp) => {
            let protocol = if matches!(module, Module::Icmp(_)) { Protocol::ICMP } else { Protocol::ICMPV6 };
            Truth::from(packet.protocol == protocol && !packet.fragment).and(|| {
                let value = &icmp.value;
                let found = value.icmp_type.is_none_or(|kind| kind == packet.icmp_type)
                    && value.code.is_none_or(|code| code == packet.icmp_code);
                Truth::from(found).negate_if(icmp.negated)
            })
        }
        Module::ConnTrack(conntrack) => conntrack_matches(conntrack, packet),
        Module::State(states) => states_match(&states.value, packet).negate_if(states.negated),
        Module::Comment(_) => Truth::Yes,
        Module::Recent(recent) if recent.action == RecentAction::Set => Truth::from(!recent.negated),
        Module::IpRange(range) => negated_check(range.source.as_ref(), |range| Truth::from(range.contains(packet.source)))
            .and(|| negated_check(range.destination.as_ref(), |range| Truth::from(range.contains(packet.destination)))),
        Module::Mark(mark) => Truth::from(packet.mark & mark.value.mask == mark.value.value).negate_if(mark.negated),
        Module::Length(length) => {
            Truth::from(length.value.min <= packet.length && packet.length <= length.value.max).negate_if(length.negated)
        }
        Module::Ttl(ttl) | Module::HopLimit(ttl) => Truth::from(match ttl.comparison {
            TtlComparison::Equal => packet.ttl == ttl.value,
            TtlComparison::NotEqual => packet.ttl != ttl.value,
            TtlComparison::LessThan => packet.ttl < ttl.value,
            TtlComparison::GreaterThan => packet.ttl > ttl.value,
        }),
        Module::PacketType(packet_type) => Truth::from(packet.packet_type == packet_type.value).negate_if(packet_type.negated),
        // The simulator's packets are never bridged: every positive physdev test fails.
        Module::Physdev(physdev) => {
            let absent = |negated: bool| Truth::from(negated);
            negated_check(physdev.input.as_ref(), |_| Truth::No)
                .and(|| negated_check(physdev.output.as_ref(), |_| Truth::No))
                .and(|| physdev.is_in.map_or(Truth::Yes, absent))
                .and(|| physdev.is_out.map_or(Truth::Yes, absent))
                .and(|| physdev.is_bridged.map_or(Truth::Yes, absent))
        }
        // Not on OUTPUT (on OUTPUT `is_undecidable` answered above): no local socket.
        Module::Owner(_) => Truth::No,
        // Only where `is_undecidable` let it through: the destination on INPUT.
        Module::AddrType(types) => super::addrtype::destination_matches(types, packet.family, packet.destination, packet.packet_type),
        // The rest depends on what the packet does not tell; `is_undecidable` (one exhaustive
        // list) already answered "maybe" for each of them.
        _ => Truth::Maybe,
    }
}

/// Whether the answer of `module` for a packet on `path`, crossing built-in chain `hook`, depends
/// on what the packet does not tell — history (limit, hashlimit, recent except `--set`,
/// connlimit), the host (addrtype but `--dst-type` on INPUT, owner on OUTPUT, mac, connmark), payload (string), the clock (time), ipset contents (set) or
/// an unknown module — so that both the simulator ([`evaluate`]) and the exact analysis answer
/// "maybe" for every packet. The one list of modules the engine cannot decide exactly (parts of
/// modules it decides otherwise — TCP options, conntrack status and expiry, SNAT/DNAT states,
/// a conntrack tuple of a packet that is not NEW — are "maybe" in both places too).
///
/// # Examples
/// ```
/// use portcullis_engine::model::{AddrType, AddressTypes, BuiltinChain, Module, Negated};
/// use portcullis_engine::simulate::{is_undecidable, Path};
/// let input = BuiltinChain::Input;
/// assert!(is_undecidable(&Module::Unknown { name: "u32".to_owned(), args: vec![] }, Path::Input, input));
/// assert!(!is_undecidable(&Module::Comment("ssh".to_owned()), Path::Input, input));
/// let local = Negated { negated: false, value: AddressTypes::parse("LOCAL").unwrap() };
/// let addrtype = Module::AddrType(AddrType { source: None, destination: Some(local), limit_interface: None });
/// assert!(!is_undecidable(&addrtype, Path::Input, input)); // every packet on INPUT is for the host
/// assert!(is_undecidable(&addrtype, Path::Input, BuiltinChain::Prerouting)); // a DNAT may follow
/// ```
pub fn is_undecidable(module: &Module, path: Path, hook: BuiltinChain) -> bool {
    match module {
        Module::Limit { .. }
        | Module::Hashlimit(_)
        | Module::Connlimit(_)
        | Module::Mac(_)
        | Module::ConnMark(_)
        | Module::String(_)
        | Module::Time(_)
        | Module::Set(_)
        | Module::Unknown { .. } => true,
        Module::Recent(recent) => recent.action != RecentAction::Set,
        Module::Owner(_) => path == Path::Output,
        Module::AddrType(types) => !super::addrtype::decidable(types, hook),
        Module::Tcp { .. }
        | Module::Udp { .. }
        | Module::Multiport { .. }
        | Module::Icmp(_)
        | Module::Icmp6(_)
        | Module::ConnTrack(_)
        | Module::State(_)
        | Module::Comment(_)
        | Module::IpRange(_)
        | Module::Mark(_)
        | Module::Length(_)
        | Module::Ttl(_)
        | Module::HopLimit(_)
        | Module::PacketType(_)
        | Module::Physdev(_) => false,
    }
}

/// The name a module is shown by in a trace.
fn module_name(module: &Module) -> String {
    let printed = crate::export::save::render_rule(&Rule { modules: vec![module.clone()], ..Rule::default() }, crate::model::Family::V4);
    printed.trim().to_owned()
}

/// Evaluates every match of `rule` against `packet`, in iptables' order, as the filter table of
/// the packet's path sees it ([`Path::filter_chain`]).
pub fn evaluate(rule: &Rule, packet: &Packet) -> Evaluation {
    evaluate_at(rule, packet, packet.path.filter_chain())
}

/// [`evaluate`] for a rule of a chain reached from built-in chain `hook`.
pub(crate) fn evaluate_at(rule: &Rule, packet: &Packet, hook: BuiltinChain) -> Evaluation {
    let mut maybe_on: Option<String> = None;
    let mut checks: Vec<(Truth, Box<dyn Fn() -> String + '_>)> = vec![
        (negated_check(rule.source.as_ref(), |net| Truth::from(within(net, packet.source))), Box::new(|| "-s".to_owned())),
        (negated_check(rule.destination.as_ref(), |net| Truth::from(within(net, packet.destination))), Box::new(|| "-d".to_owned())),
        (
            negated_check(rule.in_interface.as_ref(), |interface| interface_matches(interface, packet.in_interface.as_deref())),
            Box::new(|| "-i".to_owned()),
        ),
        (
            negated_check(rule.out_interface.as_ref(), |interface| interface_matches(interface, packet.out_interface.as_deref())),
            Box::new(|| "-o".to_owned()),
        ),
        (negated_check(rule.protocol.as_ref(), |protocol| Truth::from(*protocol == packet.protocol)), Box::new(|| "-p".to_owned())),
        (
            rule.fragment.map_or(Truth::Yes, |negated| Truth::from(packet.fragment).negate_if(negated)),
            Box::new(|| "-f".to_owned()),
        ),
    ];
    for module in &rule.modules {
        checks.push((module_matches(module, packet, hook), Box::new(move || module_name(module))));
    }
    for (truth, name) in checks {
        match truth {
            Truth::No => return Evaluation { truth: Truth::No, on: Some(name()) },
            Truth::Maybe if maybe_on.is_none() => maybe_on = Some(name()),
            _ => {}
        }
    }
    match maybe_on {
        Some(on) => Evaluation { truth: Truth::Maybe, on: Some(on) },
        None => Evaluation { truth: Truth::Yes, on: None },
    }
}

/// The overall answer of [`evaluate`] without naming the failing option: no text is built, so
/// it costs a few comparisons per rule (the batch verdict path, [`super::verdicts`]).
pub(crate) fn truth(rule: &Rule, packet: &Packet, hook: BuiltinChain) -> Truth {
    let mut maybe = false;
    let mut check = |truth: Truth| match truth {
        Truth::No => false,
        Truth::Maybe => {
            maybe = true;
            true
        }
        Truth::Yes => true,
    };
    let holds = check(negated_check(rule.source.as_ref(), |net| Truth::from(within(net, packet.source))))
        && check(negated_check(rule.destination.as_ref(), |net| Truth::from(within(net, packet.destination))))
        && check(negated_check(rule.in_interface.as_ref(), |interface| interface_matches(interface, packet.in_interface.as_deref())))
        && check(negated_check(rule.out_interface.as_ref(), |interface| interface_matches(interface, packet.out_interface.as_deref())))
        && check(negated_check(rule.protocol.as_ref(), |protocol| Truth::from(*protocol == packet.protocol)))
        && check(rule.fragment.map_or(Truth::Yes, |negated| Truth::from(packet.fragment).negate_if(negated)))
        && rule.modules.iter().all(|module| check(module_matches(module, packet, hook)));
    match (holds, maybe) {
        (false, _) => Truth::No,
        (true, true) => Truth::Maybe,
        (true, false) => Truth::Yes,
    }
}
