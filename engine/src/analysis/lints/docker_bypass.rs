//! `docker-bypass` (L028).
//!
//! **What it does**: finds the rules of INPUT (and of the chains INPUT jumps to) that accept new
//! connections to a port Docker publishes. The published ports are read from the nat table's
//! `DOCKER` chain, where Docker writes one DNAT per published port
//! (`-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80`,
//! with its interface and address limits), and, for a design, from the ports its containers
//! choice lists ([`LintOptions::published_ports`](crate::analysis::LintOptions)). Only rules
//! that open ports count (a `--dport`, or `-m multiport --dports`), not catch-alls such as
//! `-i eth1 -j ACCEPT`. No witness: the simulator would show the INPUT rule accepting, which is
//! exactly what the kernel does not do.
//!
//! **Why it matters**: Docker publishes a port with a DNAT in PREROUTING, before the routing
//! decision: the connection's destination becomes the container's address, so it is forwarded
//! (FORWARD, `DOCKER-USER`, Docker's own chains) and never meets INPUT. The INPUT rule neither
//! opens the port (it is open without it) nor protects it (a source limit or a DROP there does
//! nothing): the most common surprise of a firewall on a Docker host.
//!
//! **Example**: `-A INPUT -s 203.0.113.0/24 -p tcp --dport 8080 -j ACCEPT` with `docker run -p
//! 8080:80`: the whole internet still reaches the container.
//!
//! **Fix**: remove the INPUT rule; choose who reaches published ports in `DOCKER-USER`, which
//! Docker's FORWARD jumps to first (in a design: the containers choice, with the rules it
//! generates there).

use std::collections::BTreeSet;

use super::Context;
use crate::analysis::compile::{network, rule_matches, state_index};
use crate::analysis::space::{Ints, Space, DPORT, DST, FLAGS, PROTO, STATE};
use crate::analysis::{rule_at, Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ChainName, ConnState, Module, Negated, PortDirection, PortSpec, Protocol, Rule, TableName, Target};
use crate::simulate::{Path, Verdict};

/// Docker's chain of DNATs in the nat table, one per published port.
const DOCKER_NAT_CHAIN: &str = "DOCKER";

/// One published port: the packets it takes away from INPUT, how to name it, and the DNAT rule
/// that publishes it (none for a port a design lists).
struct Published {
    protocol: Protocol,
    packets: Space,
    name: String,
    by: Option<RuleLoc>,
}

fn port_name(protocol: Protocol, ports: PortSpec) -> String {
    format!("{} {ports}", protocol.to_string().to_ascii_uppercase())
}

/// Whether `rule` opens ports: a plain (not negated) destination port match.
fn opens_ports(rule: &Rule) -> bool {
    rule.modules.iter().any(|module| match module {
        Module::Tcp { destination_port: Some(Negated { negated: false, .. }), .. }
        | Module::Udp { destination_port: Some(Negated { negated: false, .. }), .. } => true,
        Module::Multiport { direction: PortDirection::Destination | PortDirection::Either, ports } => !ports.negated,
        _ => false,
    })
}

/// The destination port of a DNAT rule, as Docker writes it (`-p tcp -m tcp --dport 8080`).
fn dnat_port(rule: &Rule) -> Option<(Protocol, PortSpec)> {
    let protocol = rule.protocol.as_ref().filter(|protocol| !protocol.negated)?.value;
    rule.modules.iter().find_map(|module| match module {
        Module::Tcp { destination_port: Some(Negated { negated: false, value }), .. }
        | Module::Udp { destination_port: Some(Negated { negated: false, value }), .. } => Some((protocol, *value)),
        _ => None,
    })
}

/// Every published port the ruleset's nat `DOCKER` chain and the lint options know.
fn published(context: &Context<'_>) -> Vec<Published> {
    let universe = &context.universe;
    let mut out = Vec::new();
    let docker = context.ruleset.table(TableName::Nat).and_then(|table| {
        let name = crate::model::UserChain::new(DOCKER_NAT_CHAIN).ok()?;
        table.chain(&ChainName::User(name))
    });
    for (at, rule) in docker.map(|chain| chain.rules.as_slice()).unwrap_or_default().iter().enumerate() {
        let (Some(Target::Dnat(_)), Some((protocol, ports))) = (&rule.target, dnat_port(rule)) else { continue };
        let packets = rule_matches(universe, rule, Path::Input).definite;
        let by = RuleLoc { table: TableName::Nat, chain: DOCKER_NAT_CHAIN.to_owned(), index: Some(at + 1) };
        out.push(Published { protocol, packets, name: port_name(protocol, ports), by: Some(by) });
    }
    for &(protocol, ports) in &context.options.published_ports {
        let packets = universe
            .all()
            .restrict(PROTO, &Ints::single(u128::from(protocol.number())))
            .restrict(DPORT, &Ints::range(u128::from(ports.first()), u128::from(ports.last())));
        out.push(Published { protocol, packets, name: port_name(protocol, ports), by: None });
    }
    out
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(flow) = context.flow(BuiltinChain::Input) else { return };
    let mut reported = BTreeSet::new();
    for port in published(context) {
        // New connections, as a client from outside opens them (a SYN for TCP).
        let mut fields = vec![(STATE, Ints::single(state_index(ConnState::New)))];
        if port.protocol == Protocol::TCP {
            fields.push((FLAGS, Ints::single(2)));
        }
        // To an address of the host a client can dial: a port published on 127.0.0.1 only is
        // out of reach from outside (the kernel drops loopback destinations from the wire).
        let loopback: ipnet::IpNet = match context.ruleset.family {
            crate::model::Family::V4 => ipnet::IpNet::V4(ipnet::Ipv4Net::new(std::net::Ipv4Addr::LOCALHOST, 8).unwrap_or_default()),
            crate::model::Family::V6 => ipnet::IpNet::V6(ipnet::Ipv6Net::new(std::net::Ipv6Addr::LOCALHOST, 128).unwrap_or_default()),
        };
        fields.push((DST, context.universe.unicast_destinations().minus(&network(context.ruleset.family, &loopback))));
        let probe = context.probe(flow, &fields).intersect(&port.packets);
        if probe.is_empty() {
            continue;
        }
        for decision in flow.decisions.iter().filter(|decision| decision.verdict == Verdict::Accept && decision.by.index.is_some()) {
            let opens = rule_at(context.ruleset, &decision.by).is_some_and(opens_ports);
            if !opens || !decision.set.meets(&probe) || !reported.insert(decision.by.clone()) {
                continue;
            }
            let how = match &port.by {
                Some(by) => format!("Docker publishes it ({by} of the nat table DNATs it to a container)"),
                None => "the design's containers choice lists it as a published container port".to_owned(),
            };
            let message = format!(
                "this rule accepts {}, but {how}: Docker's DNAT in PREROUTING sends those connections through FORWARD to the container, so they never reach INPUT and this rule neither opens nor protects it",
                port.name
            );
            let help = "remove this rule. Published ports go through FORWARD and DOCKER-USER, the chain Docker leaves to you: restrict them there \
                        (e.g. `-I DOCKER-USER -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 ! -s 203.0.113.0/24 -j DROP`), \
                        or in a Portcullis design choose who may reach published container ports (the containers choice)";
            let mut finding = Finding::new(context.ruleset, Code::DockerBypass, Some(decision.by.clone()), message).help(help);
            if let Some(by) = &port.by {
                finding = finding.related(context.ruleset, vec![by.clone()], "Docker's DNAT");
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;
    use crate::analysis::{lint, LintOptions};
    use crate::design::{ContainerExposure, ContainerPorts, Design, PublishedPorts, ServiceId, Transport};
    use crate::import::import;
    use crate::model::Family;

    const DOCKER_NAT: &str = "*nat\n:PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n\
        -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n\
        -A DOCKER -i docker0 -j RETURN\n\
        -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n\
        -A DOCKER -d 127.0.0.1/32 ! -i docker0 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 172.17.0.3:9000\nCOMMIT\n";

    fn dump(filter: &str) -> Vec<crate::analysis::Finding> {
        let text = format!("*filter\n:INPUT DROP [0:0]\n{filter}\nCOMMIT\n{DOCKER_NAT}");
        let parsed = import(&text, None);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let ruleset = &parsed.value.rulesets[0];
        lint(ruleset, &LintOptions::default()).into_iter().filter(|finding| finding.diagnostic.code.slug() == "docker-bypass").collect()
    }

    #[test]
    fn fail_and_pass() {
        let found = dump("-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 8080 -j ACCEPT\n-A INPUT -p tcp -m multiport --dports 80,8080 -j ACCEPT");
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].diagnostic.message.contains("accepts TCP 8080, but Docker publishes it (DOCKER rule 2 of the nat table"), "{}", found[0].diagnostic.message);
        assert_eq!(found[0].related[0].to_string(), "DOCKER rule 2");
        assert!(found[0].witness.is_none());
        // Other ports, catch-alls, and a port published on 127.0.0.1 only (packets from outside
        // to the host's address on 9000 do reach INPUT).
        assert!(dump("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -i eth1 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 9000 -j ACCEPT").is_empty());
        // UDP 8080 is not what Docker publishes here.
        assert!(dump("-A INPUT -p udp -m udp --dport 8080 -j ACCEPT").is_empty());
        // Without Docker's nat chain there is nothing to bypass.
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT", "docker-bypass").is_empty());
    }

    #[test]
    fn a_design_that_opens_its_published_container_port_on_input() {
        let mut design = Design::default();
        design.allow(ServiceId::SSH, Vec::new());
        let game = crate::design::CustomService::new("web-app".parse().unwrap(), Transport::Tcp, "8080".parse().unwrap());
        design.add_custom_service(game, crate::design::Access::Everyone).unwrap();
        let ports = PublishedPorts::new(Transport::Tcp, "8080, 8443".parse().unwrap());
        design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, Some(ports)))).unwrap();
        let found: Vec<_> = design.lint().into_iter().filter(|finding| finding.diagnostic.code.slug() == "docker-bypass").collect();
        assert_eq!(found.len(), 2, "one per family: {found:#?}");
        assert!(found[0].diagnostic.message.contains("the design's containers choice lists it"), "{}", found[0].diagnostic.message);
        assert!(found.iter().all(|finding| finding.rule.as_ref().is_some_and(|rule| rule.chain == "INPUT")));
        assert_eq!(found.iter().map(|finding| finding.family).collect::<Vec<_>>(), [Family::V4, Family::V6]);
        // The containers choice alone, or every published port unnamed: nothing to say.
        design.remove_custom_service(&"web-app".parse().unwrap());
        assert!(design.lint().iter().all(|finding| finding.diagnostic.code.slug() != "docker-bypass"));
    }
}
