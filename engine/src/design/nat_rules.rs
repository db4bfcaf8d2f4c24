//! The rules of a design's NAT entries (see [`super::nat`] for what each entry compiles to and
//! why the filter rules accept only translated traffic).

use ipnet::IpNet;

use super::compile::{accept, commented, from_source, on_interfaces, ports_module, sources_of};
use super::{protections, Design, PortForward, Redirect};
use crate::model::{
    ConnState, ConnStates, ConnTrack, Family, Masquerade as NatPorts, Module, Nat as NatTarget, NatRange,
    Negated, PortRange, PortSpec, Protocol, Rule, Target,
};

/// The rules of every NAT entry of one family, by chain.
#[derive(Default)]
pub(super) struct NatRules {
    /// nat PREROUTING: REDIRECT and DNAT.
    pub(super) prerouting: Vec<Rule>,
    /// nat POSTROUTING: MASQUERADE.
    pub(super) postrouting: Vec<Rule>,
    /// filter INPUT: redirected traffic.
    pub(super) input: Vec<Rule>,
    /// filter FORWARD: block list, INVALID, replies, forwarded and masqueraded traffic.
    pub(super) forward: Vec<Rule>,
}

fn states(states: impl IntoIterator<Item = ConnState>) -> ConnStates {
    ConnStates::new(states).unwrap_or_else(|| unreachable!("states are given"))
}

/// `-m conntrack --ctstate DNAT --ctorigdstport PORT`: the connection was translated, and its
/// first packet was sent to `port`. A packet sent straight to the translated port has no DNAT.
fn translated_from(port: u16) -> Module {
    Module::ConnTrack(ConnTrack {
        state: Some(Negated::plain(states([ConnState::Dnat]))),
        original_destination_port: Some(Negated::plain(PortSpec::single(port))),
        ..ConnTrack::default()
    })
}

fn port_rule(protocol: Protocol, port: u16) -> Rule {
    Rule {
        protocol: Some(Negated::plain(protocol)),
        modules: vec![ports_module(protocol, PortSpec::single(port))],
        ..Rule::default()
    }
}

fn single(port: u16) -> PortRange {
    PortRange { first: port, last: port }
}

fn redirect(rules: &mut NatRules, redirect: &Redirect) {
    for protocol in redirect.transport().protocols() {
        let name = protocol.to_string().to_ascii_uppercase();
        let (from, to) = (redirect.port(), redirect.to_port());
        let why = format!("redirect {name} {from} to {to}");
        let target = Target::Redirect(NatPorts { ports: Some(single(to)), ..NatPorts::default() });
        let nat = Rule { target: Some(target), ..port_rule(*protocol, from) };
        for (rule, why) in on_interfaces(&nat, &why, redirect.interfaces()) {
            rules.prerouting.push(commented(rule, &why));
        }
        let mut allowed = port_rule(*protocol, to);
        allowed.modules.push(translated_from(from));
        for (rule, why) in on_interfaces(&allowed, &format!("{name} {from} redirected to {to}"), redirect.interfaces()) {
            rules.input.push(accept(rule, &why));
        }
    }
}

fn port_forward(rules: &mut NatRules, design: &Design, forward: &PortForward) {
    let sources = sources_of(design, forward.access(), forward.family());
    for protocol in forward.transport().protocols() {
        let name = protocol.to_string().to_ascii_uppercase();
        let what = format!("{name} {} to {}", forward.port(), forward.destination());
        let to = NatRange { addresses: Some((forward.to(), forward.to())), ports: Some(single(forward.to_port())) };
        let target = Target::Dnat(NatTarget { to, random: false, random_fully: false, persistent: false });
        let nat = Rule { target: Some(target), ..port_rule(*protocol, forward.port()) };
        let mut allowed = port_rule(*protocol, forward.to_port());
        allowed.destination = Some(Negated::plain(IpNet::from(forward.to())));
        allowed.modules.push(translated_from(forward.port()));
        let each: Vec<(Rule, Rule, String)> = match &sources {
            None => vec![(nat, allowed, format!("{what} from anywhere"))],
            Some(list) => list
                .iter()
                .map(|(source, label)| (from_source(&nat, *source), from_source(&allowed, *source), format!("{what} from {label}")))
                .collect(),
        };
        for (nat, allowed, why) in each {
            for (rule, why) in on_interfaces(&nat, &format!("forward {why}"), forward.interfaces()) {
                rules.prerouting.push(commented(rule, &why));
            }
            for (rule, why) in on_interfaces(&allowed, &format!("forwarded {why}"), forward.interfaces()) {
                rules.forward.push(accept(rule, &why));
            }
        }
    }
}

/// The NAT and filter rules of `design`'s NAT entries for `family`.
pub(super) fn compile(design: &Design, family: Family) -> NatRules {
    let nat = design.nat();
    let mut rules = NatRules::default();
    for entry in &nat.redirects {
        redirect(&mut rules, entry);
    }
    for entry in nat.port_forwards.iter().filter(|forward| forward.family() == family) {
        port_forward(&mut rules, design, entry);
    }
    for entry in nat.masquerades.iter().filter(|masquerade| masquerade.network().family() == family) {
        let network = entry.network();
        let out = Some(Negated::plain(entry.out_interface().to_interface()));
        let why = format!("masquerade {network} out of {}", entry.out_interface());
        let masquerade = Rule { out_interface: out.clone(), target: Some(Target::Masquerade(NatPorts::default())), ..Rule::default() };
        rules.postrouting.push(commented(from_source(&masquerade, network), &why));
        let new = Rule {
            out_interface: out,
            modules: vec![Module::ConnTrack(ConnTrack::states(states([ConnState::New])))],
            ..Rule::default()
        };
        rules.forward.push(accept(from_source(&new, network), &format!("new connections from {network} out of {} (masqueraded)", entry.out_interface())));
    }
    if !rules.forward.is_empty() {
        rules.forward.splice(0..0, forward_head(design, family));
    }
    rules
}

/// What FORWARD does first once it forwards anything: drop the block list (and INVALID packets,
/// with that protection on), accept replies and the rest of allowed connections.
fn forward_head(design: &Design, family: Family) -> Vec<Rule> {
    let protections = design.protections();
    let mut head = Vec::new();
    for source in design.block_list().iter().filter(|source| source.family() == family) {
        let block = Rule { target: Some(protections::block_target(protections.block_action, family)), ..Rule::default() };
        head.push(commented(from_source(&block, *source), &format!("blocked: {source}")));
    }
    if protections.drop_invalid {
        let invalid = Rule {
            modules: vec![Module::ConnTrack(ConnTrack::states(states([ConnState::Invalid])))],
            target: Some(Target::Drop),
            ..Rule::default()
        };
        head.push(commented(invalid, "drop invalid forwarded packets"));
    }
    let replies = Rule {
        modules: vec![Module::ConnTrack(ConnTrack::states(states([ConnState::Related, ConnState::Established])))],
        ..Rule::default()
    };
    head.push(accept(replies, "replies and the rest of forwarded connections"));
    head
}
