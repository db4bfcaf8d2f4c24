//! The design save file: versioned JSON, kept apart from [`Design`] so the file format can evolve
//! with migrations while the in-memory design stays simple.
//!
//! Version 5 (written by this Portcullis) is version 4 plus four protections that were fixed
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

use std::fmt;

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

use super::{
    Access, CustomService, Design, DesignError, InterfaceName, Name, Nat, PortList, Protections, ServiceId, Source, Transport,
};

/// The version this Portcullis writes, and the newest it reads.
pub const DESIGN_FILE_VERSION: u32 = 5;

/// Why a text is not a design file this Portcullis can open.
#[derive(Debug)]
pub struct DesignFileError {
    kind: DesignFileErrorKind,
}

#[derive(Debug)]
#[non_exhaustive]
enum DesignFileErrorKind {
    NotJson(serde_json::Error),
    NoVersion,
    TooNew(u64),
    Invalid { version: u32, error: serde_json::Error },
    DuplicateService(ServiceId),
    DuplicateGroup(Name),
    DuplicateCustomService(Name),
    Design(DesignError),
    NeedsVersion { field: &'static str, version: u32 },
    Protections(String),
}

/// `message` with every value between backticks cut as [`super::shown`] cuts it: serde's
/// messages ("unknown variant" and the value) quote the whole offending value.
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
            DesignFileErrorKind::NotJson(error) => write!(f, "not a design file: the text is not JSON ({error})"),
            DesignFileErrorKind::NoVersion => {
                f.write_str("not a design file: it has no numeric `version` field at the top level")
            }
            DesignFileErrorKind::TooNew(version) => write!(
                f,
                "this design file is version {version}, made by a newer Portcullis; this one reads up to version {DESIGN_FILE_VERSION}"
            ),
            DesignFileErrorKind::Invalid { version, error } => {
                write!(f, "invalid design file (version {version}): {}", shorten_quoted(&error.to_string()))
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
            DesignFileErrorKind::NotJson(error) | DesignFileErrorKind::Invalid { error, .. } => Some(error),
            DesignFileErrorKind::Design(error) => Some(error),
            DesignFileErrorKind::NoVersion
            | DesignFileErrorKind::TooNew(_)
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

/// The first look at a file: its version, and the names in its protections. Any JSON is taken
/// for both and only its shape is kept (no `serde_json::Value` tree: the wizard's wasm would
/// carry its code just for this probe).
#[derive(Deserialize)]
struct VersionProbe {
    #[serde(default)]
    version: Shape,
    /// Only looked at for the fields of version 5.
    #[serde(default)]
    protections: Shape,
}

/// The protections that were fixed behaviour before version 5.
const VERSION_5_PROTECTIONS: [&str; 4] = ["input_policy", "forward_policy", "allow_loopback", "allow_established"];

impl VersionProbe {
    fn version(&self) -> Option<u64> {
        match self.version {
            Shape::Count(version) => Some(version),
            Shape::Keys(_) | Shape::Other => None,
        }
    }

    /// Whether the file's protections name a field of version 5.
    fn has_version_5_fields(&self) -> bool {
        match &self.protections {
            Shape::Keys(fields) => fields.iter().any(|field| VERSION_5_PROTECTIONS.contains(&field.as_str())),
            Shape::Count(_) | Shape::Other => false,
        }
    }
}

/// What the probe keeps of any JSON value.
#[derive(Default)]
enum Shape {
    /// A non-negative integer.
    Count(u64),
    /// An object's keys.
    Keys(Vec<String>),
    /// Anything else, or nothing.
    #[default]
    Other,
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor)
    }
}

struct ShapeVisitor;

impl<'de> serde::de::Visitor<'de> for ShapeVisitor {
    type Value = Shape;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_u64<E>(self, number: u64) -> Result<Shape, E> {
        Ok(Shape::Count(number))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
        let mut keys = Vec::new();
        while let Some((key, IgnoredAny)) = map.next_entry::<String, IgnoredAny>()? {
            keys.push(key);
        }
        Ok(Shape::Keys(keys))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Shape, E> {
        Ok(Shape::Other)
    }
    fn visit_unit<E>(self) -> Result<Shape, E> {
        Ok(Shape::Other)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV1 {
    #[serde(rename = "version")]
    _version: u32,
    services: Vec<ServiceEntryV1>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntryV1 {
    service: ServiceId,
    #[serde(default)]
    sources: Vec<Source>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileV2 {
    version: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<GroupEntryV2>,
    #[serde(default)]
    services: Vec<ServiceEntryV2>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    custom_services: Vec<CustomEntryV2>,
    /// Version 3: the protections (the careful defaults when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    protections: Option<Protections>,
    /// Version 3: blocked sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    block_list: Vec<Source>,
    /// Version 4: redirects, port forwards, masquerading.
    #[serde(default, skip_serializing_if = "Nat::is_empty")]
    nat: Nat,
}

impl FileV2 {
    /// Whether the file uses a field of version 4.
    fn has_version_4_fields(&self) -> bool {
        !self.nat.is_empty()
            || self.services.iter().any(|entry| !entry.interfaces.is_empty())
            || self.custom_services.iter().any(|entry| !entry.interfaces.is_empty())
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupEntryV2 {
    name: Name,
    sources: Vec<Source>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceEntryV2 {
    service: ServiceId,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Source>,
    /// Version 4: the input interfaces the service is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<InterfaceName>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomEntryV2 {
    name: Name,
    protocol: Transport,
    ports: PortList,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    groups: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<Source>,
    /// Version 4: the input interfaces the service is limited to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    interfaces: Vec<InterfaceName>,
}

/// Version 1 → version 2: the same services, no groups, no custom services.
fn migrate_v1(file: FileV1) -> FileV2 {
    FileV2 {
        version: 2,
        groups: Vec::new(),
        services: file
            .services
            .into_iter()
            .map(|entry| ServiceEntryV2 { service: entry.service, groups: Vec::new(), sources: entry.sources, interfaces: Vec::new() })
            .collect(),
        custom_services: Vec::new(),
        protections: None,
        block_list: Vec::new(),
        nat: Nat::default(),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str, version: u32) -> Result<T, DesignFileError> {
    serde_json::from_str(text).map_err(|error| DesignFileErrorKind::Invalid { version, error }.into())
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
        let probe: VersionProbe = serde_json::from_str(text).map_err(DesignFileErrorKind::NotJson)?;
        let version = probe.version().ok_or(DesignFileErrorKind::NoVersion)?;
        let file = match version {
            0 => return Err(DesignFileErrorKind::NoVersion.into()),
            1 => migrate_v1(parse(text, 1)?),
            2 => {
                // Version 2 had no protections or block list: files gain the careful defaults.
                let file: FileV2 = parse(text, 2)?;
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
                let file: FileV2 = parse(text, 3)?;
                if file.has_version_4_fields() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "interfaces / nat", version: 4 }.into());
                }
                file
            }
            // Version 4 files hold no version 5 protection (checked above): they open with the
            // fixed DROP policies, loopback and replies accepted, as written.
            4 => parse(text, 4)?,
            5 => parse(text, 5)?,
            newer => return Err(DesignFileErrorKind::TooNew(newer).into()),
        };
        Design::try_from(file)
    }

    /// The design as a save file of the current version: pretty, deterministic JSON.
    pub fn to_json(&self) -> String {
        let entry = |access: &Access| (access.groups().to_vec(), access.sources().to_vec());
        let file = FileV2 {
            version: DESIGN_FILE_VERSION,
            groups: self
                .groups()
                .map(|(name, sources)| GroupEntryV2 { name: name.clone(), sources: sources.to_vec() })
                .collect(),
            services: self
                .services()
                .map(|(service, access)| {
                    let (groups, sources) = entry(access);
                    ServiceEntryV2 { service, groups, sources, interfaces: self.interfaces(service).to_vec() }
                })
                .collect(),
            custom_services: self
                .custom_services()
                .map(|(service, access)| {
                    let (groups, sources) = entry(access);
                    CustomEntryV2 {
                        name: service.name().clone(),
                        protocol: service.transport(),
                        ports: service.port_list().clone(),
                        groups,
                        sources,
                        interfaces: self.custom_interfaces(service.name()).to_vec(),
                    }
                })
                .collect(),
            protections: Some(self.protections().clone()),
            block_list: self.block_list().to_vec(),
            nat: self.nat().clone(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .unwrap_or_else(|error| unreachable!("plain structs always serialize: {error}"));
        text.push('\n');
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Design::from_json(text).unwrap_err().to_string()
    }

    #[test]
    fn refusals_say_why() {
        assert!(error("not json").contains("not JSON"));
        assert!(error(r#"{"services":[]}"#).contains("no numeric `version`"));
        assert!(error(r#"{"version":"1","services":[]}"#).contains("no numeric `version`"));
        assert!(error(r#"{"version":0,"services":[]}"#).contains("no numeric `version`"));
        for not_a_count in ["-1", "5.0", "null", "true", "[5]", r#"{"n":5}"#] {
            let text = format!(r#"{{"version":{not_a_count},"services":[]}}"#);
            assert!(error(&text).contains("no numeric `version`"), "{not_a_count}: {}", error(&text));
        }
        assert_eq!(
            error(r#"{"version":6,"services":[]}"#),
            "this design file is version 6, made by a newer Portcullis; this one reads up to version 5"
        );
        assert!(error(r#"{"version":1,"services":[{"service":"quake"}]}"#).contains("unknown service `quake`"));
        assert!(error(r#"{"version":2,"services":[{"service":"postgres"}]}"#).contains("did you mean `postgresql`"));
        assert!(error(r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7/24"]}]}"#)
            .contains("host bits set"));
        assert!(error(r#"{"version":1,"services":[{"service":"ssh"},{"service":"ssh"}]}"#).contains("listed twice"));
        assert!(error(r#"{"version":1,"services":[],"extra":true}"#).contains("unknown field `extra`"));
        // Version 1 had no groups: a v1 file with them is refused, not half-read.
        assert!(error(r#"{"version":1,"services":[],"groups":[]}"#).contains("unknown field `groups`"));
    }

    #[test]
    fn version_2_refusals_say_why() {
        let group = r#"{"name":"office","sources":["203.0.113.7"]}"#;
        assert!(error(&format!(r#"{{"version":2,"groups":[{group},{group}]}}"#)).contains("group `office` is defined twice"));
        assert!(error(r#"{"version":2,"groups":[{"name":"Office","sources":[]}]}"#).contains("try `office`"));
        assert!(error(r#"{"version":2,"services":[{"service":"ssh","groups":["office"]}]}"#)
            .contains("SSH refers to the group `office`, which does not exist"));
        assert!(error(r#"{"version":2,"services":[{"service":"ssh","group":["office"]}]}"#).contains("unknown field `group`"));
        let custom = r#"{"name":"game","protocol":"udp","ports":"27015"}"#;
        assert!(error(&format!(r#"{{"version":2,"custom_services":[{custom},{custom}]}}"#))
            .contains("custom service `game` is defined twice"));
        assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"icmp","ports":"1"}]}"#)
            .contains("unknown variant `icmp`"));
        assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"udp","ports":"0"}]}"#)
            .contains("port 0 is reserved"));
        assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"udp","ports":"9-1"}]}"#)
            .contains("reversed"));
        assert!(error(r#"{"version":2,"groups":[{"name":"a","sources":["10.0.0.9-10.0.0.1"]}]}"#).contains("reversed"));
    }

    #[test]
    fn a_version_1_file_migrates() {
        let v1 = r#"{
          "version": 1,
          "services": [
            { "service": "ssh", "sources": ["203.0.113.7/32", "2001:db8:1::7/128"] },
            { "service": "http" },
            { "service": "mysql", "sources": ["198.51.100.0/24"] }
          ]
        }"#;
        let design = Design::from_json(v1).unwrap();
        let mut expected = Design::default();
        expected.allow(ServiceId::SSH, Source::parse_list("2001:db8:1::7, 203.0.113.7").unwrap());
        expected.allow(ServiceId::HTTP, vec![]);
        expected.allow(ServiceId::MYSQL, Source::parse_list("198.51.100.0/24").unwrap());
        assert_eq!(design, expected);
        let saved = design.to_json();
        assert!(saved.starts_with("{\n  \"version\": 5,\n"), "{saved}");
        assert_eq!(Design::from_json(&saved).unwrap(), expected);
    }

    #[test]
    fn a_minimal_version_2_file_is_an_empty_design() {
        assert_eq!(Design::from_json(r#"{"version":2}"#).unwrap(), Design::default());
        assert_eq!(Design::from_json(r#"{"version":3}"#).unwrap(), Design::default());
        assert_eq!(Design::from_json(r#"{"version":4}"#).unwrap(), Design::default());
        assert_eq!(Design::from_json(r#"{"version":5}"#).unwrap(), Design::default());
        let saved = Design::default().to_json();
        assert!(saved.starts_with("{\n  \"version\": 5,\n  \"services\": [],\n  \"protections\": {"), "{saved}");
    }

    #[test]
    fn protections_and_block_lists_round_trip_and_need_version_3() {
        let text = r#"{"version":3,"protections":{"ping":{"mode":"off"},"restricted_output":true},"block_list":["198.51.100.66"]}"#;
        let design = Design::from_json(text).unwrap();
        assert_eq!(design.protections().ping, super::super::Ping::Off);
        assert!(design.protections().restricted_output && design.protections().drop_invalid, "absent fields keep their defaults");
        assert_eq!(design.block_list().len(), 1);
        assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
        assert!(error(r#"{"version":2,"block_list":["198.51.100.66"]}"#).contains("from version 3 on"));
        assert!(error(r#"{"version":3,"protections":{"ssh_limit":{"connections":50,"seconds":60}}}"#).contains("1 to 19"));
        assert!(error(r#"{"version":3,"protections":{"pingg":{"mode":"off"}}}"#).contains("unknown field"));
    }

    #[test]
    fn interfaces_and_nat_round_trip_and_need_version_4() {
        let text = r#"{"version":4,
          "groups":[{"name":"office","sources":["203.0.113.7"]}],
          "services":[{"service":"postgresql","interfaces":["eth1","eth1"]}],
          "custom_services":[{"name":"game","protocol":"udp","ports":"27015","interfaces":["eth0"]}],
          "nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":8080}],
                 "port_forwards":[{"protocol":"tcp","port":8443,"to":"198.51.100.10","to_port":443,"groups":["office"]}],
                 "masquerades":[{"network":"198.51.100.0/24","out_interface":"eth0"}]}}"#;
        let design = Design::from_json(text).unwrap();
        assert_eq!(design.interfaces(ServiceId::POSTGRESQL).len(), 1);
        assert_eq!(design.custom_interfaces(&"game".parse().unwrap()).len(), 1);
        assert_eq!(design.nat().port_forwards.len(), 1);
        assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
        assert!(error(r#"{"version":3,"services":[{"service":"ssh","interfaces":["eth0"]}]}"#).contains("from version 4 on"));
        assert!(error(r#"{"version":2,"nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":8080}]}}"#)
            .contains("from version 4 on"));
        assert!(error(r#"{"version":1,"services":[{"service":"ssh","interfaces":["eth0"]}]}"#).contains("unknown field"));
        assert!(error(r#"{"version":4,"services":[{"service":"ssh","interfaces":["eth0:1"]}]}"#).contains("holds ':'"));
        assert!(error(r#"{"version":4,"nat":{"port_forwards":[{"protocol":"tcp","port":1,"to":"198.51.100.10","to_port":1,"groups":["x"]}]}}"#)
            .contains("refers to the group `x`"));
        assert!(error(r#"{"version":4,"nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":81},{"protocol":"tcp+udp","port":80,"to_port":82}]}}"#)
            .contains("already translates"));
        assert!(error(r#"{"version":4,"nat":{"redirect":[]}}"#).contains("unknown field `redirect`"));
    }

    #[test]
    fn older_files_keep_the_fixed_policies_loopback_and_replies() {
        use super::super::DefaultPolicy;
        let v3 = r#"{"version":3,"services":[{"service":"ssh"}],"protections":{"ping":{"mode":"off"}}}"#;
        let v4 = r#"{"version":4,"services":[{"service":"ssh","interfaces":["eth0"]}],"protections":{"drop_invalid":false}}"#;
        let v1 = r#"{"version":1,"services":[{"service":"ssh"}]}"#;
        for text in [v1, r#"{"version":2}"#, v3, v4] {
            let protections = Design::from_json(text).unwrap().protections().clone();
            assert_eq!((protections.input_policy, protections.forward_policy), (DefaultPolicy::Drop, DefaultPolicy::Drop), "{text}");
            assert!(protections.allow_loopback && protections.allow_established, "{text}");
            let rules = crate::export::save::render(&Design::from_json(text).unwrap().compile(crate::model::Family::V4));
            assert!(rules.contains(":INPUT DROP") && rules.contains(":FORWARD DROP"), "{rules}");
            assert!(rules.contains("-A INPUT -i lo -m comment --comment \"portcullis: loopback\" -j ACCEPT")
                && rules.contains("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment"), "{rules}");
        }
    }

    #[test]
    fn policies_loopback_and_replies_round_trip_and_need_version_5() {
        use super::super::DefaultPolicy;
        let text = r#"{"version":5,"protections":{"input_policy":"accept","forward_policy":"accept","allow_loopback":false,"allow_established":false}}"#;
        let design = Design::from_json(text).unwrap();
        let protections = design.protections();
        assert_eq!((protections.input_policy, protections.forward_policy), (DefaultPolicy::Accept, DefaultPolicy::Accept));
        assert!(!protections.allow_loopback && !protections.allow_established);
        assert!(protections.drop_invalid, "absent fields keep their defaults");
        let saved = design.to_json();
        assert!(saved.contains("\"input_policy\": \"accept\"") && saved.contains("\"allow_established\": false"), "{saved}");
        assert_eq!(Design::from_json(&saved).unwrap(), design);
        for version in [3, 4] {
            let old = text.replace("\"version\":5", &format!("\"version\":{version}"));
            assert!(error(&old).contains("`protections: input_policy / forward_policy / allow_loopback / allow_established` exists from version 5 on"), "{}", error(&old));
            let one = format!(r#"{{"version":{version},"protections":{{"allow_loopback":true}}}}"#);
            assert!(error(&one).contains("from version 5 on"), "{one}");
        }
        assert!(error(r#"{"version":2,"protections":{"allow_loopback":false}}"#).contains("from version 3 on"));
        assert!(error(r#"{"version":5,"protections":{"input_policy":"reject"}}"#).contains("unknown variant `reject`"));
        assert!(error(r#"{"version":5,"protections":{"allow_loopback":"no"}}"#).contains("invalid type"));
    }
}
