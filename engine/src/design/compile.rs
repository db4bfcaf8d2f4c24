//! Design → ruleset.

use crate::model::{
    BuiltinChain, Chain, Comment, ConnState, ConnStates, Family, Interface, Match, Policy,
    Protocol, Rule, Ruleset, Table, TableName, Target,
};

use super::{Access, Design};

/// ICMPv6 types a host must accept or IPv6 breaks (RFC 4890 §4.4.1): router solicitation and
/// advertisement, neighbour solicitation and advertisement.
const NEIGHBOUR_DISCOVERY: [(u8, &str); 4] = [
    (133, "router solicitation"),
    (134, "router advertisement"),
    (135, "neighbour solicitation"),
    (136, "neighbour advertisement"),
];

fn accept(matches: Vec<Match>, why: &str) -> Rule {
    Rule { matches, comment: Some(Comment::sanitize(&format!("portcullis: {why}"))), target: Target::Accept }
}

pub(super) fn compile(design: &Design, family: Family) -> Ruleset {
    let mut input = Chain::builtin(BuiltinChain::Input, Policy::Drop);
    input.rules.push(accept(vec![Match::InInterface(Interface::loopback())], "loopback"));
    let replies = ConnStates::new([ConnState::Related, ConnState::Established])
        .unwrap_or_else(|| unreachable!("two states given"));
    input.rules.push(accept(vec![Match::ConnTrack(replies)], "replies to connections already allowed"));
    if family == Family::V6 {
        for (icmp_type, name) in NEIGHBOUR_DISCOVERY {
            input.rules.push(accept(
                vec![Match::Protocol(Protocol::Icmpv6), Match::Icmpv6Type(icmp_type)],
                &format!("IPv6 {name} (RFC 4890)"),
            ));
        }
    }
    for (service, access) in design.services() {
        let info = service.info();
        for &(protocol, ports) in info.ports {
            let service_matches = [Match::Protocol(protocol), Match::DestinationPort(protocol, ports)];
            match access {
                Access::Everyone => input
                    .rules
                    .push(accept(service_matches.to_vec(), &format!("{} from anywhere", info.name))),
                Access::Only(sources) => {
                    for source in sources.iter().filter(|source| family.contains(&source.net())) {
                        let mut matches = vec![Match::Source(source.net())];
                        matches.extend(service_matches.iter().cloned());
                        input.rules.push(accept(matches, &format!("{} from {source}", info.name)));
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
