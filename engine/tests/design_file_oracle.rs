//! TEMPORARY differential check against the serde-based design file code the engine used before
//! its own JSON layer: the same files are written byte for byte, and the same texts are opened or
//! refused. Removed with the serde derives of the design types.

#![allow(dead_code, clippy::all, clippy::pedantic)]

use std::fmt;

use portcullis_engine::design::{Access, CustomService, Design, InterfaceName, Name, Nat, PortList, Protections, ServiceId, Source, Transport, DESIGN_FILE_VERSION};
use proptest::prelude::*;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

mod support;

#[derive(Debug)]
enum DesignFileErrorKind {
    NotJson(serde_json::Error),
    NoVersion,
    TooNew(u64),
    Invalid { version: u32, error: serde_json::Error },
    DuplicateService(ServiceId),
    DuplicateGroup(Name),
    DuplicateCustomService(Name),
    Design(String),
    NeedsVersion { field: &'static str, version: u32 },
    Protections(String),
}
type DesignFileError = DesignFileErrorKind;

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
    serde_json::from_str(text).map_err(|error| DesignFileErrorKind::Invalid { version, error })
}

fn old_design(file: FileV2) -> Result<Design, DesignFileError> {
    {
        let mut design = Design::default();
        for group in file.groups {
            if design.group(&group.name).is_some() {
                return Err(DesignFileErrorKind::DuplicateGroup(group.name));
            }
            design.set_group(group.name, group.sources);
        }
        for entry in file.services {
            if design.access(entry.service).is_some() {
                return Err(DesignFileErrorKind::DuplicateService(entry.service));
            }
            design
                .allow_access(entry.service, Access::only(entry.groups, entry.sources))
                .map_err(|e| DesignFileErrorKind::Design(e.to_string()))?;
            design.limit_to_interfaces(entry.service, entry.interfaces).map_err(|e| DesignFileErrorKind::Design(e.to_string()))?;
        }
        for entry in file.custom_services {
            if design.custom_services().any(|(service, _)| *service.name() == entry.name) {
                return Err(DesignFileErrorKind::DuplicateCustomService(entry.name));
            }
            let service = CustomService::new(entry.name.clone(), entry.protocol, entry.ports);
            design
                .add_custom_service(service, Access::only(entry.groups, entry.sources))
                .map_err(|e| DesignFileErrorKind::Design(e.to_string()))?;
            design.limit_custom_to_interfaces(&entry.name, entry.interfaces).map_err(|e| DesignFileErrorKind::Design(e.to_string()))?;
        }
        if let Some(protections) = file.protections {
            design.set_protections(protections).map_err(DesignFileErrorKind::Protections)?;
        }
        design.set_block_list(file.block_list);
        design.set_nat(file.nat).map_err(|e| DesignFileErrorKind::Design(e.to_string()))?;
        Ok(design)
    }
}

fn old_from_json(text: &str) -> Result<Design, DesignFileError> {
        let probe: VersionProbe = serde_json::from_str(text).map_err(DesignFileErrorKind::NotJson)?;
        let version = probe.version().ok_or(DesignFileErrorKind::NoVersion)?;
        let file = match version {
            0 => return Err(DesignFileErrorKind::NoVersion),
            1 => migrate_v1(parse(text, 1)?),
            2 => {
                // Version 2 had no protections or block list: files gain the careful defaults.
                let file: FileV2 = parse(text, 2)?;
                if file.protections.is_some() || !file.block_list.is_empty() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "protections / block_list", version: 3 });
                }
                if file.has_version_4_fields() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "interfaces / nat", version: 4 });
                }
                file
            }
            3 | 4 if probe.has_version_5_fields() => {
                let field = "protections: input_policy / forward_policy / allow_loopback / allow_established";
                return Err(DesignFileErrorKind::NeedsVersion { field, version: 5 });
            }
            3 => {
                let file: FileV2 = parse(text, 3)?;
                if file.has_version_4_fields() {
                    return Err(DesignFileErrorKind::NeedsVersion { field: "interfaces / nat", version: 4 });
                }
                file
            }
            // Version 4 files hold no version 5 protection (checked above): they open with the
            // fixed DROP policies, loopback and replies accepted, as written.
            4 => parse(text, 4)?,
            5 => parse(text, 5)?,
            newer => return Err(DesignFileErrorKind::TooNew(newer)),
        };
        old_design(file)
    }

fn old_to_json(design: &Design) -> String {
        let entry = |access: &Access| (access.groups().to_vec(), access.sources().to_vec());
        let file = FileV2 {
            version: DESIGN_FILE_VERSION,
            groups: design
                .groups()
                .map(|(name, sources)| GroupEntryV2 { name: name.clone(), sources: sources.to_vec() })
                .collect(),
            services: design
                .services()
                .map(|(service, access)| {
                    let (groups, sources) = entry(access);
                    ServiceEntryV2 { service, groups, sources, interfaces: design.interfaces(service).to_vec() }
                })
                .collect(),
            custom_services: design
                .custom_services()
                .map(|(service, access)| {
                    let (groups, sources) = entry(access);
                    CustomEntryV2 {
                        name: service.name().clone(),
                        protocol: service.transport(),
                        ports: service.port_list().clone(),
                        groups,
                        sources,
                        interfaces: design.custom_interfaces(service.name()).to_vec(),
                    }
                })
                .collect(),
            protections: Some(design.protections().clone()),
            block_list: design.block_list().to_vec(),
            nat: design.nat().clone(),
        };
        let mut text = serde_json::to_string_pretty(&file)
            .unwrap_or_else(|error| unreachable!("plain structs always serialize: {error}"));
        text.push('\n');
        text
    }

/// Texts near a design file: bytes cut, doubled or replaced by JSON's own characters.
fn mutated() -> impl Strategy<Value = String> {
    let edit = (any::<prop::sample::Index>(), 0u8..4, prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"", "null", "0", "1", "-1", "1.5", "true", "\"x\"", " ", "\\u0041", "5", "3", "\"version\":", "\"nat\":{}", "\"ping\":{\"mode\":\"off\"}",
    ]));
    (support::any_full_design(), prop::collection::vec(edit, 1..4)).prop_map(|(design, edits)| {
        let mut text = design.to_json();
        for (index, kind, piece) in edits {
            let mut at = index.index(text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            match kind {
                0 => { let end = (at + 1 + index.index(8)).min(text.len()); let mut end = end; while !text.is_char_boundary(end) { end -= 1; } text.replace_range(at..end.max(at), ""); }
                1 => text.insert_str(at, piece),
                2 => { let end = (at + piece.len()).min(text.len()); let mut end = end; while !text.is_char_boundary(end) { end -= 1; } text.replace_range(at..end.max(at), piece); }
                _ => text = text.replacen("\"version\": 5", &format!("\"version\": {}", 1 + index.index(5)), 1),
            }
        }
        text
    })
}

fn category(error: &str) -> &str {
    error.split(':').next().unwrap_or(error)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn the_writer_writes_what_serde_wrote(design in support::any_full_design()) {
        prop_assert_eq!(design.to_json(), old_to_json(&design));
    }

    #[test]
    fn the_reader_opens_and_refuses_what_serde_did(text in mutated()) {
        let old = old_from_json(&text);
        let new = Design::from_json(&text);
        match (&old, &new) {
            (Ok(old), Ok(new)) => prop_assert_eq!(old, new),
            (Err(_), Err(_)) => {}
            _ => prop_assert!(false, "old {:?}\nnew {:?}\n{}", old.as_ref().map(|_| ()), new.as_ref().map(|_| ()).map_err(|e| e.to_string()), text),
        }
    }
}

#[test]
fn stats() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = mutated();
    let (mut both_ok, mut both_err, mut differ) = (0, 0, 0);
    let mut kinds = std::collections::BTreeMap::new();
    for _ in 0..20000 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        match (old_from_json(&text), Design::from_json(&text)) {
            (Ok(a), Ok(b)) => { assert_eq!(a, b); both_ok += 1 }
            (Err(a), Err(b)) => { both_err += 1; *kinds.entry(format!("{} | {}", category(&format!("{a:?}")).chars().take(20).collect::<String>(), category(&b.to_string()))).or_insert(0) += 1; }
            (a, b) => { differ += 1; if differ < 20 { eprintln!("DIFF old={:?} new={:?}\n{text}", a.map(|_| ()), b.map(|_| ()).map_err(|e| e.to_string())); } }
        }
    }
    eprintln!("ok {both_ok} err {both_err} differ {differ}");
    for (k, v) in kinds { eprintln!("{v:6} {k}"); }
}
