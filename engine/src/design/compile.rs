//! Design → ruleset.

use crate::model::{
    BuiltinChain, Chain, Comment, ConnState, ConnTrack, ConnStates, Family, IcmpType, Interface, Module, Negated, Policy,
    Protocol, Rule, Ruleset, Table, TableName, Target,
};

use std::collections::BTreeSet;

use super::{nat_rules, protections, Access, Design, InterfaceName, ServiceId, Source};
use crate::model::PortSpec;

/// `ICMPv6` types a host must accept or IPv6 breaks (RFC 4890 §4.4.1): router solicitation and
/// advertisement, neighbour solicitation and advertisement.
const NEIGHBOUR_DISCOVERY: [(u8, &str); 4] = [
    (133, "router solicitation"),
    (134, "router advertisement"),
    (135, "neighbour solicitation"),
    (136, "neighbour advertisement"),
];

pub(super) fn accept(rule: Rule, why: &str) -> Rule {
    Rule { target: Some(Target::Accept), ..rule }.commented(&Comment::sanitize(&format!("portcullis: {why}")))
}

pub(super) fn ports_module(protocol: Protocol, ports: PortSpec) -> Module {
    let destination_port = Some(Negated::plain(ports));
    if protocol == Protocol::UDP {
        Module::Udp { source_port: None, destination_port }
    } else {
        Module::Tcp { source_port: None, destination_port, flags: None, option: None }
    }
}

pub(super) fn commented(rule: Rule, why: &str) -> Rule {
    rule.commented(&Comment::sanitize(&format!("portcullis: {why}")))
}

pub(super) fn compile(design: &Design, family: Family) -> Ruleset {
    let protections = design.protections();
    let mut input = Chain::builtin(BuiltinChain::Input, protections.input_policy.policy());
    if protections.allow_loopback {
        let loopback = Rule { in_interface: Some(Negated::plain(Interface::loopback())), ..Rule::default() };
        input.rules.push(accept(loopback, "loopback"));
    }
    for source in design.block_list().iter().filter(|source| source.family() == family) {
        let rule = from_source(&Rule { target: Some(protections::block_target(protections.block_action, family)), ..Rule::default() }, *source);
        input.rules.push(commented(rule, &format!("blocked: {source}")));
    }
    for (rule, why) in protections::early_drops(protections) {
        input.rules.push(commented(rule, why));
    }
    if protections.allow_established {
        let replies = ConnStates::new([ConnState::Related, ConnState::Established])
            .unwrap_or_else(|| unreachable!("two states given"));
        let replies = Rule { modules: vec![Module::ConnTrack(ConnTrack::states(replies))], ..Rule::default() };
        input.rules.push(accept(replies, "replies to connections already allowed"));
    }
    if family == Family::V6 {
        for (icmp_type, name) in NEIGHBOUR_DISCOVERY {
            let rule = Rule {
                protocol: Some(Negated::plain(Protocol::ICMPV6)),
                modules: vec![Module::Icmp6(Negated::plain(IcmpType { icmp_type: Some(icmp_type), code: None }))],
                ..Rule::default()
            };
            input.rules.push(accept(rule, &format!("IPv6 {name} (RFC 4890)")));
        }
    }
    for (rule, why) in protections::icmp_accepts(protections, family) {
        input.rules.push(accept(rule, &why));
    }
    for (service, access) in design.services() {
        let info = service.info();
        let before = input.rules.len();
        service_rules(&mut input.rules, design, family, info.name(), info.ports(), access, design.interfaces(service));
        // The SSH limit goes before SSH's accepts, in a family where SSH is open at all.
        if let (Some(limit), true) = (protections.ssh_limit, service == ServiceId::SSH && input.rules.len() > before) {
            let port = info.ports().first().map_or(22, |(_, ports)| ports.first());
            let limit_rules = protections::ssh_limit(limit, port, family).map(|(rule, why)| commented(rule, &why));
            input.rules.splice(before..before, limit_rules);
        }
    }
    for (service, access) in design.custom_services() {
        let name = format!("{} (custom)", service.name());
        service_rules(&mut input.rules, design, family, &name, &service.ports(), access, design.custom_interfaces(service.name()));
    }
    let nat = nat_rules::compile(design, family);
    input.rules.extend(nat.input);
    // Under an ACCEPT policy nothing is dropped at the end: a log rule there would log every
    // accepted packet as "dropped".
    if let (Some(log), protections::DefaultPolicy::Drop) = (&protections.log_dropped, protections.input_policy) {
        input.rules.push(commented(protections::log_dropped(log), "log what is about to be dropped"));
    }
    let output_policy = if protections.restricted_output { Policy::Drop } else { Policy::Accept };
    let mut output = Chain::builtin(BuiltinChain::Output, output_policy);
    for (rule, why) in protections::output_rules(protections, family) {
        output.rules.push(commented(rule, &why));
    }
    let mut forward = Chain::builtin(BuiltinChain::Forward, protections.forward_policy.policy());
    forward.rules = nat.forward;
    let mut chains = vec![input, forward, output];
    // Docker's FORWARD jumps to DOCKER-USER: no rule of the design does.
    chains.extend(super::containers::docker_user(design, family));
    let filter = Table { name: TableName::Filter, chains };
    let mut tables = vec![filter];
    if !nat.prerouting.is_empty() || !nat.postrouting.is_empty() {
        let mut table = Table::new(TableName::Nat);
        for chain in &mut table.chains {
            match chain.name.builtin() {
                Some(BuiltinChain::Prerouting) => chain.rules.clone_from(&nat.prerouting),
                Some(BuiltinChain::Postrouting) => chain.rules.clone_from(&nat.postrouting),
                _ => {}
            }
        }
        tables.push(table);
    }
    Ruleset { family, tables }
}

/// The rule matching `source` (`-s NET` or `-m iprange --src-range A-B`) added to `rule`.
pub(super) fn from_source(rule: &Rule, source: Source) -> Rule {
    let mut rule = rule.clone();
    if let Some(net) = source.net() {
        rule.source = Some(Negated::plain(net));
    } else if let Some(range) = source.range() {
        let range = crate::model::AddressRange { first: range.first(), last: range.last() };
        let iprange = crate::model::IpRange { source: Some(Negated::plain(range)), destination: None };
        rule.modules.insert(0, Module::IpRange(iprange));
    }
    rule
}

/// Who may connect, for one family: `None` for everyone, otherwise each source of the family
/// once, labelled with the first group it comes from (`office (203.0.113.7/32)`) or itself.
pub(super) fn sources_of(design: &Design, access: &Access, family: Family) -> Option<Vec<(Source, String)>> {
    if *access == Access::Everyone {
        return None;
    }
    let mut done = BTreeSet::new();
    let grouped = access.groups().iter().flat_map(|group| {
        let sources = design.group(group).unwrap_or_default();
        sources.iter().map(move |source| (*source, Some(group)))
    });
    let inline = access.sources().iter().map(|source| (*source, None));
    let mut list = Vec::new();
    for (source, group) in grouped.chain(inline) {
        if source.family() != family || !done.insert(source) {
            continue;
        }
        let label = match group {
            Some(group) => format!("{group} ({source})"),
            None => source.to_string(),
        };
        list.push((source, label));
    }
    Some(list)
}

/// `rule` once per interface (`-i IF`, and ` on IF` added to `why`), or once as it is when
/// `interfaces` is empty.
pub(super) fn on_interfaces(rule: &Rule, why: &str, interfaces: &[InterfaceName]) -> Vec<(Rule, String)> {
    if interfaces.is_empty() {
        return vec![(rule.clone(), why.to_owned())];
    }
    interfaces
        .iter()
        .map(|interface| {
            let rule = Rule { in_interface: Some(Negated::plain(interface.to_interface())), ..rule.clone() };
            (rule, format!("{why} on {interface}"))
        })
        .collect()
}

/// One accepting rule per port, source and interface of one service, each commented with the
/// service, the group the source comes from and the interface. A source listed twice (in two
/// groups, or in a group and inline) gets one rule, commented with the first group.
fn service_rules(rules: &mut Vec<Rule>, design: &Design, family: Family, service: &str, ports: &[(Protocol, PortSpec)], access: &Access, interfaces: &[InterfaceName]) {
    let sources = sources_of(design, access, family);
    for &(protocol, ports) in ports {
        let service_rule = Rule {
            protocol: Some(Negated::plain(protocol)),
            modules: vec![ports_module(protocol, ports)],
            ..Rule::default()
        };
        let each: Vec<(Rule, String)> = match &sources {
            None => vec![(service_rule, format!("{service} from anywhere"))],
            Some(list) => list.iter().map(|(source, label)| (from_source(&service_rule, *source), format!("{service} from {label}"))).collect(),
        };
        for (rule, why) in each {
            for (rule, why) in on_interfaces(&rule, &why, interfaces) {
                rules.push(accept(rule, &why));
            }
        }
    }
}
