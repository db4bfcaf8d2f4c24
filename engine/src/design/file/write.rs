//! A design → the JSON value of its save file, every field in the order and with the omissions
//! of the format (lists left out when empty, except `services` and a group's `sources`;
//! `ssh_limit` and `log_dropped` written as `null` when off; `containers` left out when absent,
//! and then the version is 5).

use super::json::{Json, Value};
use super::DESIGN_FILE_VERSION;
use crate::design::{
    Access, BlockAction, ContainerPorts, DefaultPolicy, Design, InterfaceName, Masquerade, Name, Nat, Ping, PortForward, Protections, Redirect, Source,
};

/// The save file of `design`.
pub(super) fn file(design: &Design) -> Json {
    let version = if design.containers().is_some() { DESIGN_FILE_VERSION } else { super::VERSION_WITHOUT_CONTAINERS };
    let mut members = vec![("version", Json::number(u64::from(version)))];
    let groups: Vec<Json> = design
        .groups()
        .map(|(name, sources)| Json::object(vec![("name", Json::string(name.as_str())), ("sources", sources_json(sources))]))
        .collect();
    push_list(&mut members, "groups", groups);
    let services = design.services().map(|(service, access)| {
        let mut entry = vec![("service", Json::string(service.to_string()))];
        push_access(&mut entry, access);
        push_interfaces(&mut entry, design.interfaces(service));
        Json::object(entry)
    });
    members.push(("services", Json::new(Value::Array(services.collect()))));
    let custom_services = design.custom_services().map(|(service, access)| {
        let mut entry = vec![
            ("name", Json::string(service.name().as_str())),
            ("protocol", Json::string(service.transport().as_str())),
            ("ports", Json::string(service.port_list().to_string())),
        ];
        push_access(&mut entry, access);
        push_interfaces(&mut entry, design.custom_interfaces(service.name()));
        Json::object(entry)
    });
    push_list(&mut members, "custom_services", custom_services.collect());
    members.push(("protections", protections(design.protections())));
    push_list(&mut members, "block_list", design.block_list().iter().map(|source| Json::string(source.to_string())).collect());
    if !design.nat().is_empty() {
        members.push(("nat", nat(design.nat())));
    }
    if let Some(choice) = design.containers() {
        members.push(("containers", containers(choice)));
    }
    Json::object(members)
}

fn containers(choice: &ContainerPorts) -> Json {
    let exposure = choice.exposure();
    let mut members = vec![("exposure", Json::string(exposure.as_str()))];
    if !exposure.groups().is_empty() {
        members.push(("groups", names_json(exposure.groups())));
    }
    if !exposure.sources().is_empty() {
        members.push(("sources", sources_json(exposure.sources())));
    }
    if let Some(ports) = choice.ports() {
        members.push(("protocol", Json::string(ports.transport().as_str())));
        members.push(("ports", Json::string(ports.port_list().to_string())));
    }
    Json::object(members)
}

/// Adds the list `items` as `key` unless it is empty.
fn push_list(members: &mut Vec<(&'static str, Json)>, key: &'static str, items: Vec<Json>) {
    if !items.is_empty() {
        members.push((key, Json::new(Value::Array(items))));
    }
}

fn sources_json(sources: &[Source]) -> Json {
    Json::strings(sources.iter().map(ToString::to_string))
}

fn names_json(names: &[Name]) -> Json {
    Json::strings(names.iter().map(|name| name.as_str().to_owned()))
}

/// `groups` and `sources`, each unless empty (both empty: open to everyone).
fn push_access(members: &mut Vec<(&'static str, Json)>, access: &Access) {
    if !access.groups().is_empty() {
        members.push(("groups", names_json(access.groups())));
    }
    if !access.sources().is_empty() {
        members.push(("sources", sources_json(access.sources())));
    }
}

fn push_interfaces(members: &mut Vec<(&'static str, Json)>, interfaces: &[InterfaceName]) {
    if !interfaces.is_empty() {
        members.push(("interfaces", Json::strings(interfaces.iter().map(|name| name.as_str().to_owned()))));
    }
}

fn protections(protections: &Protections) -> Json {
    let policy = |policy: DefaultPolicy| {
        Json::string(match policy {
            DefaultPolicy::Drop => "drop",
            DefaultPolicy::Accept => "accept",
        })
    };
    let flag = |on: bool| Json::new(Value::Bool(on));
    let ping = match protections.ping {
        Ping::Off => Json::object(vec![("mode", Json::string("off"))]),
        Ping::Limited { per_second } => {
            Json::object(vec![("mode", Json::string("limited")), ("per_second", Json::number(per_second.into()))])
        }
        Ping::On => Json::object(vec![("mode", Json::string("on"))]),
    };
    let ssh_limit = protections.ssh_limit.map_or(Json::new(Value::Null), |limit| {
        Json::object(vec![("connections", Json::number(limit.connections.into())), ("seconds", Json::number(limit.seconds.into()))])
    });
    let log_dropped = protections
        .log_dropped
        .as_ref()
        .map_or(Json::new(Value::Null), |log| Json::object(vec![("per_minute", Json::number(log.per_minute.into()))]));
    let block_action = match protections.block_action {
        BlockAction::Drop => "drop",
        BlockAction::Reject => "reject",
    };
    Json::object(vec![
        ("input_policy", policy(protections.input_policy)),
        ("forward_policy", policy(protections.forward_policy)),
        ("allow_loopback", flag(protections.allow_loopback)),
        ("allow_established", flag(protections.allow_established)),
        ("drop_invalid", flag(protections.drop_invalid)),
        ("drop_scans", flag(protections.drop_scans)),
        ("ping", ping),
        ("ssh_limit", ssh_limit),
        ("block_outgoing_smtp", flag(protections.block_outgoing_smtp)),
        ("restricted_output", flag(protections.restricted_output)),
        ("log_dropped", log_dropped),
        ("block_action", Json::string(block_action)),
    ])
}

fn nat(nat: &Nat) -> Json {
    let mut members = Vec::new();
    push_list(&mut members, "redirects", nat.redirects.iter().map(redirect).collect());
    push_list(&mut members, "port_forwards", nat.port_forwards.iter().map(port_forward).collect());
    push_list(&mut members, "masquerades", nat.masquerades.iter().map(masquerade).collect());
    Json::object(members)
}

fn redirect(redirect: &Redirect) -> Json {
    let mut members = vec![
        ("protocol", Json::string(redirect.transport().as_str())),
        ("port", Json::number(redirect.port().into())),
        ("to_port", Json::number(redirect.to_port().into())),
    ];
    push_interfaces(&mut members, redirect.interfaces());
    Json::object(members)
}

fn port_forward(forward: &PortForward) -> Json {
    let mut members = vec![
        ("protocol", Json::string(forward.transport().as_str())),
        ("port", Json::number(forward.port().into())),
        ("to", Json::string(forward.to().to_string())),
        ("to_port", Json::number(forward.to_port().into())),
    ];
    push_interfaces(&mut members, forward.interfaces());
    push_access(&mut members, forward.access());
    Json::object(members)
}

fn masquerade(masquerade: &Masquerade) -> Json {
    Json::object(vec![
        ("network", Json::string(masquerade.network().to_string())),
        ("out_interface", Json::string(masquerade.out_interface().as_str())),
    ])
}
