//! The design save file: versioned JSON, kept apart from [`Design`] so the file format can evolve
//! with migrations while the in-memory design stays simple.
//!
//! How it is read and written, in layers (no serde: its deserializer, monomorphised for every
//! type of the file, was the largest part of the format in the wizard's wasm):
//! - `json`: text ⇄ a JSON value tree (objects in the order written, each value's offset for
//!   line and column; size and depth limits; never panics) and the pretty printer, which writes
//!   exactly what the serde-based writer of earlier versions wrote;
//! - `read`: value tree → the file's entries and the design types, refusing unknown and repeated
//!   fields, missing required ones and wrong types with the place (`services[2].sources[0]`);
//!   every value goes through its type's validating constructor;
//! - `write`: design → value tree, in the format's field order and omissions;
//! - here: the version probe, the rules of each version, and entries → [`Design`] (duplicates,
//!   groups that do not exist, NAT clashes).
//!
//! Version 6 (written by this Portcullis for a design with the choice) is version 5 plus
//! `containers`, how the ports Docker publishes may be reached (see the `containers` module):
//! ```json
//! { "version": 6,
//!   "containers": { "exposure": "trusted", "groups": ["office"], "sources": ["192.0.2.7/32"],
//!                   "protocol": "tcp", "ports": "8080,8443" } }
//! ```
//! `exposure` is `"everyone"` (Docker's default), `"trusted"` (only `groups` and `sources`, each
//! optional when empty) or `"host-only"` (nobody from outside); only `trusted` has `groups` and
//! `sources`. `protocol` and `ports` (as in a custom service) go together: the published ports
//! the exposure applies to; without them it applies to every published port. A design without
//! the choice (this server runs no Docker) is written as version 5, byte for byte what the
//! previous Portcullis wrote: saved files and share links keep their text, and that Portcullis
//! still opens them. A file of versions 2 to 5 naming `containers` is refused.
//!
//! Version 5 is version 4 plus four protections that were fixed
//! before: the INPUT and FORWARD policies, the loopback accept and the accept of replies
//! (conntrack `ESTABLISHED,RELATED`). Each is optional, with the previous fixed behaviour as
//! its default:
//! ```json
//! { "version": 5,
//!   "protections": { "input_policy": "drop", "forward_policy": "drop",
//!                    "allow_loopback": true, "allow_established": true } }
//! ```
//! A policy is `"drop"` or `"accept"` (REJECT is not a chain policy in iptables). Files of
//! versions 1 to 4 open with the fixed behaviour they were written for (DROP, DROP, on, on), and
//! a version 3 or 4 file naming one of these fields is refused: a Portcullis of that version
//! would have refused it too.
//!
//! Version 4 is version 3 plus `interfaces` on services and custom
//! services (the input interfaces a service is limited to) and `nat` (see the `nat` module):
//! ```json
//! { "version": 4,
//!   "services": [ { "service": "postgresql", "interfaces": ["eth1"] } ],
//!   "nat": {
//!     "redirects": [ { "protocol": "tcp", "port": 80, "to_port": 8080 } ],
//!     "port_forwards": [ { "protocol": "tcp", "port": 8443, "to": "198.51.100.10", "to_port": 443,
//!                          "interfaces": ["eth0"], "groups": ["office"], "sources": ["192.0.2.7"] } ],
//!     "masquerades": [ { "network": "198.51.100.0/24", "out_interface": "eth0" } ] } }
//! ```
//! Every list may be left out when empty; a port forward without `groups` and `sources` is open
//! to everyone. Files of versions 1 to 3 open unchanged (no interfaces, no NAT).
//!
//! Version 3 is version 2 plus `protections` (every field optional, the careful defaults
//! otherwise) and `block_list`:
//! ```json
//! { "version": 3,
//!   "services": [ { "service": "ssh", "sources": ["203.0.113.7/32"] } ],
//!   "protections": { "drop_invalid": true, "drop_scans": true, "ping": { "mode": "limited", "per_second": 1 },
//!                    "ssh_limit": { "connections": 4, "seconds": 60 }, "block_outgoing_smtp": false,
//!                    "restricted_output": false, "log_dropped": { "per_minute": 5 }, "block_action": "drop" },
//!   "block_list": ["198.51.100.66/32"] }
//! ```
//!
//! Version 2 (read; opened with the default protections):
//! ```json
//! { "version": 2,
//!   "groups": [ { "name": "office", "sources": ["203.0.113.7/32", "198.51.100.10-198.51.100.20"] } ],
//!   "services": [ { "service": "ssh", "groups": ["office"] },
//!                 { "service": "mysql", "sources": ["198.51.100.0/24"] },
//!                 { "service": "http" } ],
//!   "custom_services": [ { "name": "game", "protocol": "udp", "ports": "27015,27020:27030" } ] }
//! ```
//! A service or custom service without `groups` and `sources` is open to everyone. `groups`,
//! `services` and `custom_services` may be left out when empty. Unknown fields are refused, so a
//! typo cannot silently drop a restriction.
//!
//! Version 1 (read and migrated; it had neither groups nor custom services):
//! ```json
//! { "version": 1,
//!   "services": [ { "service": "ssh", "sources": ["203.0.113.7/32"] }, { "service": "http" } ] }
//! ```

pub(super) mod json;
pub(super) mod read;
mod write;

use std::fmt;

use super::{
    Access, ContainerPorts, CustomService, Design, DesignError, InterfaceName, Name, Nat, PortList, Protections, ServiceId, Source, Transport,
};
use json::{Json, JsonError, Value};
use read::ValueError;

/// The newest version this Portcullis reads and writes (it writes version 5 for a design that
/// needs nothing of version 6).
pub const DESIGN_FILE_VERSION: u32 = 6;

/// The version written for a design without the containers choice.
const VERSION_WITHOUT_CONTAINERS: u32 = 5;

/// Why a text is not a design file this Portcullis can open.
#[derive(Debug)]
pub struct DesignFileError {
    kind: DesignFileErrorKind,
}

#[derive(Debug)]
#[non_exhaustive]
enum DesignFileErrorKind {
    NotJson(JsonError),
    NoVersion,
    TooNew(u64),
    Invalid { version: u32, error: ValueError, line: usize, column: usize },
    DuplicateService(ServiceId),
    DuplicateGroup(Name),
    DuplicateCustomService(Name),
    Design(DesignError),
    NeedsVersion { field: &'static str, version: u32 },
    Protections(String),
}

/// `message` with every value between backticks cut as [`super::shown`] cuts it: the messages
/// of the design types quote the offending value, which a file may make a megabyte long.
fn shorten_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(512));
    for (index, part) in message.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        // Odd parts lie between backticks.
        if index % 2 == 1 {
            out.push_str(&super::shown(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

impl fmt::Display for DesignFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DesignFileErrorKind::NotJson(error) => write!(f, "not a design file: {error}"),
            DesignFileErrorKind::NoVersion => {
                f.write_str("not a design file: it has no numeric `version` field at the top level")
            }
            DesignFileErrorKind::TooNew(version) => write!(
                f,
                "this design file is version {version}, made by a newer Portcullis; this one reads up to version {DESIGN_FILE_VERSION}"
            ),
            DesignFileErrorKind::Invalid { version, error, line, column } => {
                let error = shorten_quoted(&error.to_string());
                write!(f, "invalid design file (version {version}): {error} (line {line} column {column})")
            }
            DesignFileErrorKind::DuplicateService(service) => {
                write!(f, "invalid design file: service `{service}` is listed twice; merge its sources into one entry")
            }
            DesignFileErrorKind::DuplicateGroup(group) => {
                write!(f, "invalid design file: group `{group}` is defined twice; merge its sources into one entry")
            }
            DesignFileErrorKind::DuplicateCustomService(name) => {
                write!(f, "invalid design file: custom service `{name}` is defined twice; give each its own name")
            }
            DesignFileErrorKind::Design(error) => write!(f, "invalid design file: {error}"),
            DesignFileErrorKind::NeedsVersion { field, version } => {
                write!(f, "invalid design file: `{field}` exists from version {version} on; write \"version\": {version}")
            }
            DesignFileErrorKind::Protections(message) => write!(f, "invalid design file: {message}"),
        }
    }
}

impl std::error::Error for DesignFileError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            DesignFileErrorKind::NotJson(error) => Some(error),
            DesignFileErrorKind::Design(error) => Some(error),
            DesignFileErrorKind::NoVersion
            | DesignFileErrorKind::TooNew(_)
            | DesignFileErrorKind::Invalid { .. }
            | DesignFileErrorKind::DuplicateService(_)
            | DesignFileErrorKind::DuplicateGroup(_)
            | DesignFileErrorKind::DuplicateCustomService(_)
            | DesignFileErrorKind::NeedsVersion { .. }
            | DesignFileErrorKind::Protections(_) => None,
        }
    }
}

impl From<DesignFileErrorKind> for DesignFileError {
    fn from(kind: DesignFileErrorKind) -> Self {
        Self { kind }
    }
}

/// The protections that were fixed behaviour before version 5.
const VERSION_5_PROTECTIONS: [&str; 4] = ["input_policy", "forward_policy", "allow_loopback", "allow_established"];

/// The first look at a file: the members of its top-level object (none when the text is JSON
/// but no object), where its version and the names in its protections are found before the
/// file is read in the layout of its version.
struct VersionProbe<'v> {
    members: &'v [(String, Json)],
}

impl<'v> VersionProbe<'v> {
    fn new(json: &'v Json) -> Self {
        match &json.value {
            Value::Object(members) => Self { members },
            _ => Self { members: &[] },
        }
    }

    /// The first member named `key`.
    fn member(&self, key: &str) -> Option<&'v Json> {
        self.members.iter().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// The version, when it is a non-negative integer.
    fn version(&self) -> Option<u64> {
        self.member("version").and_then(Json::unsigned)
    }

    /// Whether the file's protections name a field of version 5.
    fn has_version_5_fields(&self) -> bool {
        match self.member("protections").map(|protections| &protections.value) {
            Some(Value::Object(fields)) => fields.iter().any(|(field, _)| VERSION_5_PROTECTIONS.contains(&field.as_str())),
            _ => false,
        }
    }
}

/// A design file of any version, in the layout of version 2 and later (a version 1 file is read
/// into it: the same services, no groups, no custom services).
#[derive(Default)]
struct FileV2 {
    groups: Vec<GroupEntry>,
    services: Vec<ServiceEntry>,
    custom_services: Vec<CustomEntry>,
    /// Version 3: the protections (the careful defaults when absent or `null`).
    protections: Option<Protections>,
    /// Version 3: blocked sources.
    block_list: Vec<Source>,
    /// Version 4: redirects, port forwards, masquerading.
    nat: Nat,
    /// Version 6: published container ports.
    containers: Option<ContainerPorts>,
}

impl FileV2 {
    /// Whether the file uses a field of version 4.
    fn has_version_4_fields(&self) -> bool {
        !self.nat.is_empty()
            || self.services.iter().any(|entry| !entry.interfaces.is_empty())
            || self.custom_services.iter().any(|entry| !entry.interfaces.is_empty())
    }
}

struct GroupEntry {
    name: Name,
    sources: Vec<Source>,
}

struct ServiceEntry {
    service: ServiceId,
    groups: Vec<Name>,
    sources: Vec<Source>,
    /// Version 4: the input interfaces the service is limited to.
    interfaces: Vec<InterfaceName>,
}

struct CustomEntry {
    name: Name,
    protocol: Transport,
    ports: PortList,
    groups: Vec<Name>,
    sources: Vec<Source>,
    /// Version 4: the input interfaces the service is limited to.
    interfaces: Vec<InterfaceName>,
}

/// The file of `version` in `json`, read in that version's layout.
fn parse(text: &str, json: &Json, version: u32) -> Result<FileV2, DesignFileError> {
    read::file(json, version).map_err(|error| {
        let (line, column) = json::position(text, error.at);
        DesignFileErrorKind::Invalid { version, error, line, column }.into()
    })
}

impl TryFrom<FileV2> for Design {
    type Error = DesignFileError;

    fn try_from(file: FileV2) -> Result<Self, Self::Error> {
        let mut design = Design::default();
        for group in file.groups {
            if design.group(&group.name).is_some() {
                return Err(DesignFileErrorKind::DuplicateGroup(group.name).into());
            }
            design.set_group(group.name, group.sources);
        }
        for entry in file.services {
            if design.access(entry.service).is_some() {
                return Err(DesignFileErrorKind::DuplicateService(entry.service).into());
            }
            design
                .allow_access(entry.service, Access::only(entry.groups, entry.sources))
                .map_err(DesignFileErrorKind::Design)?;
            design.limit_to_interfaces(entry.service, entry.interfaces).map_err(DesignFileErrorKind::Design)?;
        }
        for entry in file.custom_services {
            if design.custom_services().any(|(service, _)| *service.name() == entry.name) {
                return Err(DesignFileErrorKind::DuplicateCustomService(entry.name).into());
            }
            let service = CustomService::new(entry.name.clone(), entry.protocol, entry.ports);
            design
                .add_custom_service(service, Access::only(entry.groups, entry.sources))
                .map_err(DesignFileErrorKind::Design)?;
            design.limit_custom_to_interfaces(&entry.name, entry.interfaces).map_err(DesignFileErrorKind::Design)?;
        }
        if let Some(protections) = file.protections {
            design.set_protections(protections).map_err(DesignFileErrorKind::Protections)?;
        }
        design.set_block_list(file.block_list);
        design.set_nat(file.nat).map_err(DesignFileErrorKind::Design)?;
        design.set_containers(file.containers).map_err(DesignFileErrorKind::Design)?;
        Ok(design)
    }
}

impl Design {
    /// Reads a design file of any version this Portcullis knows, migrating older ones.
    ///
    /// # Errors
    /// When the text is not JSON, has no version, is from a newer Portcullis, has a field this
    /// version does not know, or holds an invalid value (an unknown service, a bad address or
    /// name, a service or group listed twice, a group that does not exist).
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::{Design, ServiceId};
    /// let design = Design::from_json(r#"{"version":1,"services":[{"service":"ssh"}]}"#).unwrap();
    /// assert!(design.access(ServiceId::SSH).is_some());
    /// assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
    /// assert!(Design::from_json(r#"{"version":99,"services":[]}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Self, DesignFileError> {
        let json = json::parse(text).map_err(DesignFileErrorKind::NotJson)?;
        let probe = VersionProbe::new(&json);
        let version = probe.version().ok_or(DesignFileErrorKind::NoVersion)?;
        if (2..6).contains(&version) && probe.member("containers").is_some() {
            return Err(DesignFileErrorKind::NeedsVersion { field: "containers", version: 6 }.into());
        }
        let file = match version {
            0 => return Err(DesignFileErrorKind::NoVersion.into()),
            1 => parse(text, &json, 1)?,
            2 => {
                // Version 2 had no protections or block list: files gain the careful defaults.
                let file = parse(text, &json, 2)?;
                if file.protections.is_some() || !file.block_list.is_empty() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "protections / block_list", version: 3 }.into());
                }
                if file.has_version_4_fields() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "interfaces / nat", version: 4 }.into());
                }
                file
            }
            3 | 4 if probe.has_version_5_fields() => {
                let field = "protections: input_policy / forward_policy / allow_loopback / allow_established";
                return Err(DesignFileErrorKind::NeedsVersion { field, version: 5 }.into());
            }
            3 => {
                let file = parse(text, &json, 3)?;
                if file.has_version_4_fields() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "interfaces / nat", version: 4 }.into());
                }
                file
            }
            // Version 4 files hold no version 5 protection (checked above): they open with the
            // fixed DROP policies, loopback and replies accepted, as written.
            4 => parse(text, &json, 4)?,
            5 => parse(text, &json, 5)?,
            6 => parse(text, &json, 6)?,
            newer => return Err(DesignFileErrorKind::TooNew(newer).into()),
        };
        Design::try_from(file)
    }

    /// The design as a save file of the current version: pretty, deterministic JSON.
    pub fn to_json(&self) -> String {
        let mut text = write::file(self).pretty();
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests;
