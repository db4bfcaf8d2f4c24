//! JSON values → the file's entries and the design types, with messages that say what was
//! expected, what was found and where (`services[2].sources[0]`, line and column).
//!
//! Every object is read against the list of its fields: a field not in the list is refused (a
//! typo must not silently drop a restriction), and so is a field given twice. A field left out
//! takes its default where the format has one and is refused where it has none.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use super::json::{Json, Value};
use super::{CustomEntry, FileV2, GroupEntry, ServiceEntry};
use crate::design::{
    Access, BlockAction, ContainerExposure, ContainerPorts, DefaultPolicy, PublishedPorts, InterfaceName, LogDropped, Masquerade, Name, Nat, Ping, PortForward, PortList, Protections,
    Redirect, ServiceId, Source, SshLimit, Transport,
};

/// A value of the file that is not what its place asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::design) struct ValueError {
    /// What is wrong, without the place.
    message: String,
    /// Where, as a path from the top: `services[2].sources[0]`; empty for the top level.
    path: String,
    /// The byte offset of the value (or of the object missing a field).
    pub(super) at: usize,
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() { "the top level" } else { &self.path };
        write!(f, "{} at {path}", self.message)
    }
}

pub(in crate::design) type Read<T> = Result<T, ValueError>;

pub(in crate::design) fn refuse(json: &Json, path: &str, message: String) -> ValueError {
    ValueError { message, path: path.to_owned(), at: json.at }
}

fn field_path(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// `names` as a message lists the choices: `` `a` ``, `` `a` or `b` ``, `` one of `a`, `b`, `c` ``.
fn choices(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [first, second] => format!("{first} or {second}"),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

/// What a message calls the value found: `` integer `7` ``, `string "ssh"`, `an array`.
fn found(json: &Json) -> String {
    match &json.value {
        Value::Null => "null".to_owned(),
        Value::Bool(value) => format!("boolean `{value}`"),
        Value::Number(text) => format!("number `{}`", crate::design::shown(text)),
        Value::String(text) => format!("string \"{}\"", crate::design::shown(text)),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}

fn invalid_type(json: &Json, path: &str, expected: &str) -> ValueError {
    refuse(json, path, format!("invalid type: {}, expected {expected}", found(json)))
}

/// An object's fields, checked against the names its place allows.
pub(in crate::design) struct Fields<'v> {
    object: &'v Json,
    path: String,
    names: &'static [&'static str],
    values: Vec<Option<&'v Json>>,
}

impl<'v> Fields<'v> {
    /// Reads `json` as an object whose fields are among `names`, each at most once.
    pub(in crate::design) fn of(json: &'v Json, path: &str, names: &'static [&'static str]) -> Read<Self> {
        let Value::Object(members) = &json.value else { return Err(invalid_type(json, path, "an object")) };
        let mut values = vec![None; names.len()];
        for (key, value) in members {
            let shown = crate::design::shown(key);
            let Some(index) = names.iter().position(|name| name == key) else {
                let message = format!("unknown field `{shown}`, expected {}", choices(names));
                return Err(refuse(value, &field_path(path, &shown), message));
            };
            if values[index].is_some() {
                return Err(refuse(value, &field_path(path, key), format!("duplicate field `{key}`")));
            }
            values[index] = Some(value);
        }
        Ok(Self { object: json, path: path.to_owned(), names, values })
    }

    /// The field `name` (one of the names given) with its path, if present.
    pub(in crate::design) fn get(&self, name: &str) -> Option<(&'v Json, String)> {
        let index = self.names.iter().position(|known| *known == name)?;
        self.values.get(index).copied().flatten().map(|value| (value, field_path(&self.path, name)))
    }

    /// The field `name`, which the format requires.
    pub(in crate::design) fn required(&self, name: &str) -> Read<(&'v Json, String)> {
        self.get(name).ok_or_else(|| refuse(self.object, &self.path, format!("missing field `{name}`")))
    }

    /// The field `name`, which the format requires, read with `item`.
    pub(in crate::design) fn read<T>(&self, name: &str, item: fn(&Json, &str) -> Read<T>) -> Read<T> {
        let (json, path) = self.required(name)?;
        item(json, &path)
    }

    /// The list in field `name`, each item read with `item`; empty when left out.
    pub(in crate::design) fn list<T>(&self, name: &str, item: fn(&Json, &str) -> Read<T>) -> Read<Vec<T>> {
        self.get(name).map_or_else(|| Ok(Vec::new()), |(json, path)| list(json, &path, item))
    }
}

pub(in crate::design) fn list<T>(json: &Json, path: &str, item: fn(&Json, &str) -> Read<T>) -> Read<Vec<T>> {
    let Value::Array(items) = &json.value else { return Err(invalid_type(json, path, "an array")) };
    items.iter().enumerate().map(|(index, value)| item(value, &format!("{path}[{index}]"))).collect()
}

pub(in crate::design) fn string<'v>(json: &'v Json, path: &str) -> Read<&'v str> {
    match &json.value {
        Value::String(text) => Ok(text),
        _ => Err(invalid_type(json, path, "a string")),
    }
}

/// A string, owned.
pub(in crate::design) fn text(json: &Json, path: &str) -> Read<String> {
    string(json, path).map(str::to_owned)
}

pub(in crate::design) fn boolean(json: &Json, path: &str) -> Read<bool> {
    match json.value {
        Value::Bool(value) => Ok(value),
        _ => Err(invalid_type(json, path, "a boolean")),
    }
}

/// A whole number from 0 to `max`, written without sign, fraction or exponent.
fn count(json: &Json, path: &str, max: u64) -> Read<u64> {
    let expected = || format!("a whole number from 0 to {max}");
    match (&json.value, json.unsigned()) {
        (Value::Number(_), Some(number)) if number <= max => Ok(number),
        (Value::Number(_), _) => Err(refuse(json, path, format!("invalid value: {}, expected {}", found(json), expected()))),
        _ => Err(invalid_type(json, path, &expected())),
    }
}

fn count_u32(json: &Json, path: &str) -> Read<u32> {
    count(json, path, u64::from(u32::MAX)).map(|number| u32::try_from(number).unwrap_or(u32::MAX))
}

fn port(json: &Json, path: &str) -> Read<u16> {
    count(json, path, u64::from(u16::MAX)).map(|number| u16::try_from(number).unwrap_or(u16::MAX))
}

/// A string parsed with `FromStr`, its error as the message.
fn parsed<T: FromStr>(json: &Json, path: &str) -> Read<T>
where
    T::Err: fmt::Display,
{
    string(json, path)?.parse().map_err(|error: T::Err| refuse(json, path, error.to_string()))
}

/// The index in `names` of the string `json` holds.
pub(in crate::design) fn variant(json: &Json, path: &str, names: &[&str]) -> Read<usize> {
    let text = string(json, path)?;
    names.iter().position(|name| *name == text).ok_or_else(|| {
        refuse(json, path, format!("unknown variant `{}`, expected {}", crate::design::shown(text), choices(names)))
    })
}

fn transport(json: &Json, path: &str) -> Read<Transport> {
    let names = Transport::ALL.map(Transport::as_str);
    variant(json, path, &names).map(|index| Transport::ALL.get(index).copied().unwrap_or(Transport::Tcp))
}

fn service_id(json: &Json, path: &str) -> Read<ServiceId> {
    parsed(json, path)
}

fn source(json: &Json, path: &str) -> Read<Source> {
    parsed(json, path)
}

fn name(json: &Json, path: &str) -> Read<Name> {
    parsed(json, path)
}

fn interface(json: &Json, path: &str) -> Read<InterfaceName> {
    parsed(json, path)
}

fn address(json: &Json, path: &str) -> Read<IpAddr> {
    let text = string(json, path)?;
    text.parse().map_err(|_| refuse(json, path, format!("`{}` is not an IP address", crate::design::shown(text))))
}

/// The fields of the top level, by the version that introduced them.
const FILE_V1: &[&str] = &["version", "services"];
const FILE_V2: &[&str] = &["version", "groups", "services", "custom_services", "protections", "block_list", "nat", "containers"];
const SERVICE_V1: &[&str] = &["service", "sources"];
const SERVICE_V2: &[&str] = &["service", "groups", "sources", "interfaces"];

/// The file of `version` (1 to 6) in the layout of version 2 and later. Version 1 knew only
/// services with sources (`services` required); versions 2 to 6 share one layout, whose later
/// fields the caller refuses in files too old for them.
pub(super) fn file(json: &Json, version: u32) -> Read<FileV2> {
    if version == 1 {
        let fields = Fields::of(json, "", FILE_V1)?;
        fields.required("version")?;
        let services = fields.required("services").and_then(|(services, path)| list(services, &path, service_v1))?;
        return Ok(FileV2 { services, ..FileV2::default() });
    }
    let fields = Fields::of(json, "", FILE_V2)?;
    fields.required("version")?;
    let protections = match fields.get("protections") {
        None | Some((Json { value: Value::Null, .. }, _)) => None,
        Some((json, path)) => Some(protections(json, &path)?),
    };
    Ok(FileV2 {
        groups: fields.list("groups", group)?,
        services: fields.list("services", service)?,
        custom_services: fields.list("custom_services", custom_service)?,
        protections,
        block_list: fields.list("block_list", source)?,
        nat: fields.get("nat").map_or_else(|| Ok(Nat::default()), |(json, path)| nat(json, &path))?,
        containers: fields.get("containers").map_or(Ok(None), |(json, path)| optional(json, &path, containers))?,
    })
}

fn service_v1(json: &Json, path: &str) -> Read<ServiceEntry> {
    let fields = Fields::of(json, path, SERVICE_V1)?;
    Ok(ServiceEntry {
        service: fields.read("service", service_id)?,
        groups: Vec::new(),
        sources: fields.list("sources", source)?,
        interfaces: Vec::new(),
    })
}

fn service(json: &Json, path: &str) -> Read<ServiceEntry> {
    let fields = Fields::of(json, path, SERVICE_V2)?;
    Ok(ServiceEntry {
        service: fields.read("service", service_id)?,
        groups: fields.list("groups", name)?,
        sources: fields.list("sources", source)?,
        interfaces: fields.list("interfaces", interface)?,
    })
}

fn group(json: &Json, path: &str) -> Read<GroupEntry> {
    let fields = Fields::of(json, path, &["name", "sources"])?;
    let group_name = fields.read("name", name)?;
    let sources = fields.required("sources").and_then(|(sources, path)| list(sources, &path, source))?;
    Ok(GroupEntry { name: group_name, sources })
}

fn custom_service(json: &Json, path: &str) -> Read<CustomEntry> {
    let fields = Fields::of(json, path, &["name", "protocol", "ports", "groups", "sources", "interfaces"])?;
    Ok(CustomEntry {
        name: fields.read("name", name)?,
        protocol: fields.read("protocol", transport)?,
        ports: fields.read("ports", parsed::<PortList>)?,
        groups: fields.list("groups", name)?,
        sources: fields.list("sources", source)?,
        interfaces: fields.list("interfaces", interface)?,
    })
}

/// The protections: every field optional, the careful default otherwise. Numbers are read
/// here and checked against their ranges when the design takes them.
fn protections(json: &Json, path: &str) -> Read<Protections> {
    const NAMES: &[&str] = &[
        "input_policy",
        "forward_policy",
        "allow_loopback",
        "allow_established",
        "drop_invalid",
        "drop_scans",
        "ping",
        "ssh_limit",
        "block_outgoing_smtp",
        "restricted_output",
        "log_dropped",
        "block_action",
    ];
    let fields = Fields::of(json, path, NAMES)?;
    let mut protections = Protections::default();
    let policy = |name: &str, default: DefaultPolicy| -> Read<DefaultPolicy> {
        let Some((json, path)) = fields.get(name) else { return Ok(default) };
        variant(json, &path, &["drop", "accept"]).map(|index| if index == 0 { DefaultPolicy::Drop } else { DefaultPolicy::Accept })
    };
    protections.input_policy = policy("input_policy", protections.input_policy)?;
    protections.forward_policy = policy("forward_policy", protections.forward_policy)?;
    let flag = |name: &str, default: bool| fields.get(name).map_or(Ok(default), |(json, path)| boolean(json, &path));
    protections.allow_loopback = flag("allow_loopback", protections.allow_loopback)?;
    protections.allow_established = flag("allow_established", protections.allow_established)?;
    protections.drop_invalid = flag("drop_invalid", protections.drop_invalid)?;
    protections.drop_scans = flag("drop_scans", protections.drop_scans)?;
    protections.block_outgoing_smtp = flag("block_outgoing_smtp", protections.block_outgoing_smtp)?;
    protections.restricted_output = flag("restricted_output", protections.restricted_output)?;
    if let Some((json, path)) = fields.get("ping") {
        protections.ping = ping(json, &path)?;
    }
    if let Some((json, path)) = fields.get("ssh_limit") {
        protections.ssh_limit = optional(json, &path, ssh_limit)?;
    }
    if let Some((json, path)) = fields.get("log_dropped") {
        protections.log_dropped = optional(json, &path, log_dropped)?;
    }
    if let Some((json, path)) = fields.get("block_action") {
        protections.block_action =
            if variant(json, &path, &["drop", "reject"])? == 0 { BlockAction::Drop } else { BlockAction::Reject };
    }
    Ok(protections)
}

/// `null` as none, anything else read with `read`.
pub(in crate::design) fn optional<T>(json: &Json, path: &str, read: fn(&Json, &str) -> Read<T>) -> Read<Option<T>> {
    match json.value {
        Value::Null => Ok(None),
        _ => read(json, path).map(Some),
    }
}

/// `{"mode": "off"}`, `{"mode": "limited", "per_second": N}` or `{"mode": "on"}`.
fn ping(json: &Json, path: &str) -> Read<Ping> {
    let fields = Fields::of(json, path, &["mode", "per_second"])?;
    let (mode, mode_path) = fields.required("mode")?;
    let mode = variant(mode, &mode_path, &["off", "limited", "on"])?;
    if mode == 1 {
        return Ok(Ping::Limited { per_second: fields.read("per_second", count_u32)? });
    }
    if let Some((value, value_path)) = fields.get("per_second") {
        return Err(refuse(value, &value_path, "unknown field `per_second`: only mode `limited` has it".to_owned()));
    }
    Ok(if mode == 0 { Ping::Off } else { Ping::On })
}

fn ssh_limit(json: &Json, path: &str) -> Read<SshLimit> {
    let fields = Fields::of(json, path, &["connections", "seconds"])?;
    Ok(SshLimit { connections: fields.read("connections", count_u32)?, seconds: fields.read("seconds", count_u32)? })
}

fn log_dropped(json: &Json, path: &str) -> Read<LogDropped> {
    let fields = Fields::of(json, path, &["per_minute"])?;
    Ok(LogDropped { per_minute: fields.read("per_minute", count_u32)? })
}

/// `{"exposure": "everyone" | "trusted" | "host-only", "groups": [...], "sources": [...],
/// "protocol": "tcp", "ports": "8080"}`: only `trusted` has `groups` and `sources`; `protocol`
/// and `ports` go together.
fn containers(json: &Json, path: &str) -> Read<ContainerPorts> {
    let fields = Fields::of(json, path, &["exposure", "groups", "sources", "protocol", "ports"])?;
    let (kind, kind_path) = fields.required("exposure")?;
    let exposure = match variant(kind, &kind_path, &ContainerExposure::NAMES)? {
        0 => ContainerExposure::Everyone,
        1 => ContainerExposure::trusted(fields.list("groups", name)?, fields.list("sources", source)?),
        _ => ContainerExposure::HostOnly,
    };
    if !matches!(exposure, ContainerExposure::Trusted { .. }) {
        if let Some((value, value_path)) = fields.get("groups").or_else(|| fields.get("sources")) {
            return Err(refuse(value, &value_path, "only exposure `trusted` has groups and sources".to_owned()));
        }
    }
    let ports = match (fields.get("protocol"), fields.get("ports")) {
        (None, None) => None,
        (Some(_), Some(_)) => Some(PublishedPorts::new(fields.read("protocol", transport)?, fields.read("ports", parsed::<PortList>)?)),
        (Some((value, value_path)), None) | (None, Some((value, value_path))) => {
            return Err(refuse(value, &value_path, "`protocol` and `ports` go together: give both, or neither for every published port".to_owned()));
        }
    };
    Ok(ContainerPorts::new(exposure, ports))
}

fn nat(json: &Json, path: &str) -> Read<Nat> {
    let fields = Fields::of(json, path, &["redirects", "port_forwards", "masquerades"])?;
    Ok(Nat {
        redirects: fields.list("redirects", redirect)?,
        port_forwards: fields.list("port_forwards", port_forward)?,
        masquerades: fields.list("masquerades", masquerade)?,
    })
}

fn redirect(json: &Json, path: &str) -> Read<Redirect> {
    let fields = Fields::of(json, path, &["protocol", "port", "to_port", "interfaces"])?;
    let (protocol, from, to) = (fields.read("protocol", transport)?, fields.read("port", port)?, fields.read("to_port", port)?);
    Redirect::new(protocol, from, to, fields.list("interfaces", interface)?).map_err(|error| refuse(json, path, error.to_string()))
}

fn port_forward(json: &Json, path: &str) -> Read<PortForward> {
    let fields = Fields::of(json, path, &["protocol", "port", "to", "to_port", "interfaces", "groups", "sources"])?;
    let (protocol, from) = (fields.read("protocol", transport)?, fields.read("port", port)?);
    let (to, to_port) = (fields.read("to", address)?, fields.read("to_port", port)?);
    let interfaces = fields.list("interfaces", interface)?;
    let access = Access::only(fields.list("groups", name)?, fields.list("sources", source)?);
    PortForward::new(protocol, from, to, to_port, interfaces, access).map_err(|error| refuse(json, path, error.to_string()))
}

fn masquerade(json: &Json, path: &str) -> Read<Masquerade> {
    let fields = Fields::of(json, path, &["network", "out_interface"])?;
    let (network, out) = (fields.read("network", source)?, fields.read("out_interface", interface)?);
    Masquerade::new(network, out).map_err(|error| refuse(json, path, error.to_string()))
}
