//! Design → ruleset.

use crate::model::{
    BuiltinChain, Chain, Comment, ConnState, ConnTrack, ConnStates, Family, IcmpType, Interface, Module, Negated, Policy,
    Protocol, Rule, Ruleset, Table, TableName, Target,
};

use super::{Access, Design};

/// `ICMPv6` types a host must accept or IPv6 breaks (RFC 4890 §4.4.1): router solicitation and
/// advertisement, neighbour solicitation and advertisement.
const NEIGHBOUR_DISCOVERY: [(u8, &str); 4] = [
    (133, "router solicitation"),
    (134, "router advertisement"),
    (135, "neighbour solicitation"),
    (136, "neighbour advertisement"),
];

fn accept(rule: Rule, why: &str) -> Rule {
    Rule { target: Some(Target::Accept), ..rule }.commented(&Comment::sanitize(&format!("portcullis: {why}")))
}

fn ports_module(protocol: Protocol, ports: crate::model::PortSpec) -> Module {
    let destination_port = Some(Negated::plain(ports));
    if protocol == Protocol::UDP {
        Module::Udp { source_port: None, destination_port }
    } else {
        Module::Tcp { source_port: None, destination_port, flags: None, option: None }
    }
}

pub(super) fn compile(design: &Design, family: Family) -> Ruleset {
    let mut input = Chain::builtin(BuiltinChain::Input, Policy::Drop);
    let loopback = Rule { in_interface: Some(Negated::plain(Interface::loopback())), ..Rule::default() };
    input.rules.push(accept(loopback, "loopback"));
    let replies = ConnStates::new([ConnState::Related, ConnState::Established])
        .unwrap_or_else(|| unreachable!("two states given"));
    let replies = Rule { modules: vec![Module::ConnTrack(ConnTrack::states(replies))], ..Rule::default() };
    input.rules.push(accept(replies, "replies to connections already allowed"));
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
    for (service, access) in design.services() {
        let info = service.info();
        for &(protocol, ports) in info.ports {
            let service_rule = Rule {
                protocol: Some(Negated::plain(protocol)),
                modules: vec![ports_module(protocol, ports)],
                ..Rule::default()
            };
            match access {
                Access::Everyone => input.rules.push(accept(service_rule, &format!("{} from anywhere", info.name))),
                Access::Only(sources) => {
                    for source in sources.iter().filter(|source| family.contains(&source.net())) {
                        let rule = Rule { source: Some(Negated::plain(source.net())), ..service_rule.clone() };
                        input.rules.push(accept(rule, &format!("{} from {source}", info.name)));
                    }
                }
            }
        }
    }
    let filter = Table {
        name: TableName::Filter,
        chains: vec![
            input,
            Chain::builtin(BuiltinChain::Forward, Policy::Drop),
            Chain::builtin(BuiltinChain::Output, Policy::Accept),
        ],
    };
    Ruleset { family, tables: vec![filter] }
}
