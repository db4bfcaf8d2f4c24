//! The design: what the user wants, in their words, and its compilation into rulesets.
//!
//! A [`Design`] lists the services to open — from the [`CATALOGUE`] or custom ones — and, for
//! each, who may connect: everyone, or named groups of trusted sources ("office", "monitoring")
//! and/or sources written inline. Sources are addresses, CIDR networks or address ranges, IPv4 or
//! IPv6. [`Preset`]s give a starting design for common server roles.
//!
//! Compiling a design for a [`Family`] gives the ruleset the seed tutorials teach, done right:
//! policies INPUT DROP, FORWARD DROP, OUTPUT ACCEPT; loopback accepted; replies
//! (`ESTABLISHED,RELATED`) accepted — each of these a [`Protections`] choice with that careful
//! default, and turning one off shows up in [`Design::lint`]; on IPv6 the neighbour discovery messages without which IPv6
//! stops working (RFC 4890); then one rule per service, port, trusted source and input interface
//! (a service may be limited to interfaces, e.g. a database only on the private `eth1`), each
//! commented with the service, the group it comes from and the interface. A design's [`Nat`]
//! entries (redirects, port forwards, masquerading) add the `nat` table and the INPUT / FORWARD
//! rules that accept exactly the translated traffic (see the `nat` module). A design's
//! [`ContainerPorts`] choice says how the ports Docker publishes may be reached from outside, in
//! Docker's `DOCKER-USER` chain (see the `containers` module).
//!
//! # Examples
//! ```
//! use portcullis_engine::design::{Access, CustomService, Design, Name, ServiceId, Source, Transport};
//! use portcullis_engine::model::Family;
//!
//! let mut design = Design::default();
//! let office: Name = "office".parse().unwrap();
//! design.set_group(office.clone(), Source::parse_list("203.0.113.7, 198.51.100.10-198.51.100.20").unwrap());
//! design.allow_access(ServiceId::SSH, Access::only(vec![office.clone()], vec![])).unwrap();
//! design.allow(ServiceId::HTTPS, vec![]);
//! let game = CustomService::new("game".parse().unwrap(), Transport::Udp, "27015".parse().unwrap());
//! design.add_custom_service(game, Access::Everyone).unwrap();
//!
//! let rules = portcullis_engine::export::save::render(&design.compile(Family::V4));
//! assert!(rules.contains("-s 203.0.113.7/32 -p tcp -m tcp --dport 22 -m comment --comment \"portcullis: SSH from office (203.0.113.7/32)\""));
//! assert!(rules.contains("-m iprange --src-range 198.51.100.10-198.51.100.20"));
//! assert!(rules.contains("-p udp -m udp --dport 27015"));
//! // A group in use cannot be removed.
//! assert!(design.remove_group(&office).is_err());
//! ```

mod catalogue;
mod compile;
mod containers;
mod custom;
mod file;
mod interface;
mod name;
mod nat;
mod nat_rules;
mod preset;
pub mod preview;
mod protections;
mod review;
pub mod review_job;
pub mod survey_job;
pub mod samples;
mod source;
mod summary;

pub use catalogue::{Purpose, Risk, ServiceId, ServiceInfo, UnknownService, CATALOGUE};
pub use containers::{ContainerExposure, ContainerPorts, PublishedPorts, DOCKER_BRIDGES, DOCKER_USER};
pub use custom::{CustomService, PortList, PortListError, Transport, PORT_LIST_MAX};
pub use file::{DesignFileError, DESIGN_FILE_VERSION};
pub use interface::{InterfaceName, InterfaceNameError};
pub use name::{Name, NameError, NAME_MAX_LEN};
pub use nat::{Masquerade, Nat, NatError, PortForward, Redirect, INTERFACES_MAX};
pub use preset::{Preset, UnknownPreset};
pub use protections::{BlockAction, DefaultPolicy, LogDropped, Ping, Protections, SshLimit, LOG_PREFIX};
pub use source::{AddressRange, Source, SourceError};
pub use summary::{Summary, SummaryLine};

use std::fmt;

use crate::collections::SortedMap;
use crate::model::{Family, Ruleset};

/// Who may connect to a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Access {
    /// Any address on the internet.
    Everyone,
    /// Only the sources of these groups and these inline sources. A service whose sources are all
    /// of one family stays closed on the other; one restricted to an empty group is closed.
    Only {
        /// Names of the design's groups, sorted, without repeats.
        groups: Vec<Name>,
        /// Sources written for this service alone, sorted, without repeats.
        sources: Vec<Source>,
    },
}

impl Access {
    /// `Everyone` for an empty list, otherwise `Only` the sources, sorted and without repeats.
    pub fn from_sources(sources: Vec<Source>) -> Self {
        Self::only(Vec::new(), sources)
    }

    /// `Only` these groups and sources, sorted and without repeats; `Everyone` when both are
    /// empty.
    pub fn only(mut groups: Vec<Name>, mut sources: Vec<Source>) -> Self {
        groups.sort_unstable();
        groups.dedup();
        sources.sort_unstable();
        sources.dedup();
        if groups.is_empty() && sources.is_empty() {
            Access::Everyone
        } else {
            Access::Only { groups, sources }
        }
    }

    /// The inline sources, empty for `Everyone`.
    pub fn sources(&self) -> &[Source] {
        match self {
            Access::Everyone => &[],
            Access::Only { sources, .. } => sources,
        }
    }

    /// The groups, empty for `Everyone`.
    pub fn groups(&self) -> &[Name] {
        match self {
            Access::Everyone => &[],
            Access::Only { groups, .. } => groups,
        }
    }

    /// The same access in canonical form (see [`Access::only`]).
    fn normalized(self) -> Self {
        match self {
            Access::Everyone => Access::Everyone,
            Access::Only { groups, sources } => Access::only(groups, sources),
        }
    }
}

/// `text` as error messages show it: at most 64 characters, `…` after a cut, so a pasted
/// megabyte cannot flood the message (the whole text stays available to the caller).
pub(crate) fn shown(text: &str) -> String {
    let mut shown: String = text.chars().take(64).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    shown
}

/// `c` between single quotes as error messages show it: ASCII controls and quotes escaped
/// (`'\t'`, `'\''`), any other character as itself. Not `{c:?}`: char's `Debug` pulls the
/// standard library's Unicode printability tables into the wizard's wasm.
pub(crate) fn quoted_char(c: char) -> String {
    if c == '"' {
        "'\"'".to_owned()
    } else if c.is_ascii() {
        format!("'{}'", c.escape_default())
    } else if c.is_control() {
        format!("'{}'", c.escape_unicode())
    } else {
        format!("'{c}'")
    }
}

/// Why a change to a design was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignError {
    kind: DesignErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum DesignErrorKind {
    UnknownGroup { group: Name, service: String },
    GroupInUse { group: Name, services: Vec<String> },
    Nat(NatError),
    NatClash(String),
    NotOpen(String),
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            DesignErrorKind::UnknownGroup { group, service } => {
                write!(f, "{service} refers to the group `{group}`, which does not exist; create it first")
            }
            DesignErrorKind::GroupInUse { group, services } => write!(
                f,
                "the group `{group}` is still used by {}; remove it from them first",
                services.join(", ")
            ),
            DesignErrorKind::Nat(error) => write!(f, "{error}"),
            DesignErrorKind::NatClash(message) => f.write_str(message),
            DesignErrorKind::NotOpen(service) => write!(f, "{service} is not open: open it before choosing its interfaces"),
        }
    }
}

impl std::error::Error for DesignError {}

/// What the user wants: groups of trusted sources, the services to open and who may reach each.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Access, Design, ServiceId};
/// let mut design = Design::default();
/// design.allow(ServiceId::HTTPS, vec![]);
/// assert_eq!(design.access(ServiceId::HTTPS), Some(&Access::Everyone));
/// design.close(ServiceId::HTTPS);
/// assert_eq!(design.access(ServiceId::HTTPS), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Design {
    groups: SortedMap<Name, Vec<Source>>,
    services: SortedMap<ServiceId, Access>,
    custom_services: SortedMap<Name, (CustomService, Access)>,
    protections: Protections,
    block_list: Vec<Source>,
    /// Input interfaces a catalogue service is limited to (absent: every interface).
    service_interfaces: SortedMap<ServiceId, Vec<InterfaceName>>,
    /// Input interfaces a custom service is limited to (absent: every interface).
    custom_interfaces: SortedMap<Name, Vec<InterfaceName>>,
    nat: Nat,
    /// Published container ports (absent: this server runs no Docker).
    containers: Option<ContainerPorts>,
}

impl Design {
    /// Opens `service` to `sources`, or to everyone when `sources` is empty; replaces any earlier
    /// access for that service.
    pub fn allow(&mut self, service: ServiceId, sources: Vec<Source>) {
        self.services.insert(service, Access::from_sources(sources));
    }

    /// Opens `service` with `access`; replaces any earlier access for that service.
    ///
    /// # Errors
    /// When `access` names a group the design does not have.
    pub fn allow_access(&mut self, service: ServiceId, access: Access) -> Result<(), DesignError> {
        let access = access.normalized();
        self.check_groups(&access, || service.info().name().to_owned())?;
        self.services.insert(service, access);
        Ok(())
    }

    /// Closes `service` (and forgets its interfaces).
    pub fn close(&mut self, service: ServiceId) {
        self.services.remove(&service);
        self.service_interfaces.remove(&service);
    }

    /// Limits the open `service` to traffic arriving on `interfaces` (e.g. a database only on the
    /// private `eth1`); an empty list lifts the limit. Kept sorted, without repeats.
    ///
    /// # Errors
    /// When the service is not open, or more than [`INTERFACES_MAX`] interfaces are given.
    pub fn limit_to_interfaces(&mut self, service: ServiceId, interfaces: Vec<InterfaceName>) -> Result<(), DesignError> {
        if self.access(service).is_none() {
            return Err(DesignError { kind: DesignErrorKind::NotOpen(service.info().name().to_owned()) });
        }
        let interfaces = nat::interface_list(interfaces).map_err(|error| DesignError { kind: DesignErrorKind::Nat(error) })?;
        if interfaces.is_empty() {
            self.service_interfaces.remove(&service);
        } else {
            self.service_interfaces.insert(service, interfaces);
        }
        Ok(())
    }

    /// The interfaces `service` is limited to; empty: every interface.
    pub fn interfaces(&self, service: ServiceId) -> &[InterfaceName] {
        self.service_interfaces.get(&service).map_or(&[], Vec::as_slice)
    }

    /// Limits the custom service `name` to `interfaces`, like [`Design::limit_to_interfaces`].
    ///
    /// # Errors
    /// When there is no such custom service, or more than [`INTERFACES_MAX`] interfaces are given.
    pub fn limit_custom_to_interfaces(&mut self, name: &Name, interfaces: Vec<InterfaceName>) -> Result<(), DesignError> {
        if !self.custom_services.contains_key(name) {
            return Err(DesignError { kind: DesignErrorKind::NotOpen(format!("the custom service `{name}`")) });
        }
        let interfaces = nat::interface_list(interfaces).map_err(|error| DesignError { kind: DesignErrorKind::Nat(error) })?;
        if interfaces.is_empty() {
            self.custom_interfaces.remove(name);
        } else {
            self.custom_interfaces.insert(name.clone(), interfaces);
        }
        Ok(())
    }

    /// The interfaces the custom service `name` is limited to; empty: every interface.
    pub fn custom_interfaces(&self, name: &Name) -> &[InterfaceName] {
        self.custom_interfaces.get(name).map_or(&[], Vec::as_slice)
    }

    /// The NAT entries.
    pub fn nat(&self) -> &Nat {
        &self.nat
    }

    /// Replaces the NAT entries.
    ///
    /// # Errors
    /// When a port forward names a group the design does not have, or two entries clash (the same
    /// protocol and public port translated twice in one family; a network masqueraded twice out
    /// of one interface).
    pub fn set_nat(&mut self, nat: Nat) -> Result<(), DesignError> {
        for forward in &nat.port_forwards {
            self.check_groups(forward.access(), || format!("the forward of port {}", forward.port()))?;
        }
        if let Some(clash) = nat.clash() {
            return Err(DesignError { kind: DesignErrorKind::NatClash(clash) });
        }
        self.nat = nat;
        Ok(())
    }

    /// Who may reach `service`, or `None` when it is closed.
    pub fn access(&self, service: ServiceId) -> Option<&Access> {
        self.services.get(&service)
    }

    /// The open catalogue services in catalogue order.
    pub fn services(&self) -> impl Iterator<Item = (ServiceId, &Access)> {
        self.services.iter().map(|(id, access)| (*id, access))
    }

    /// Creates the group `name`, or replaces its sources; sources are kept sorted, without
    /// repeats. A group may be empty: services restricted to it alone stay closed.
    pub fn set_group(&mut self, name: Name, mut sources: Vec<Source>) {
        sources.sort_unstable();
        sources.dedup();
        self.groups.insert(name, sources);
    }

    /// Removes the group `name` (nothing happens when there is none).
    ///
    /// # Errors
    /// When a service still refers to the group.
    pub fn remove_group(&mut self, name: &Name) -> Result<(), DesignError> {
        let mut users: Vec<String> = self
            .services()
            .filter(|(_, access)| access.groups().contains(name))
            .map(|(id, _)| id.info().name().to_owned())
            .collect();
        users.extend(
            self.custom_services()
                .filter(|(_, access)| access.groups().contains(name))
                .map(|(service, _)| service.name().to_string()),
        );
        users.extend(
            self.nat
                .port_forwards
                .iter()
                .filter(|forward| forward.access().groups().contains(name))
                .map(|forward| format!("the forward of port {}", forward.port())),
        );
        if self.containers.as_ref().is_some_and(|containers| containers.exposure().groups().contains(name)) {
            users.push("the choice for published container ports".to_owned());
        }
        if !users.is_empty() {
            return Err(DesignError { kind: DesignErrorKind::GroupInUse { group: name.clone(), services: users } });
        }
        self.groups.remove(name);
        Ok(())
    }

    /// The sources of the group `name`, if the design has it.
    pub fn group(&self, name: &Name) -> Option<&[Source]> {
        self.groups.get(name).map(Vec::as_slice)
    }

    /// Every group with its sources, by name.
    pub fn groups(&self) -> impl Iterator<Item = (&Name, &[Source])> {
        self.groups.iter().map(|(name, sources)| (name, sources.as_slice()))
    }

    /// Adds the custom service, open with `access`; replaces a custom service of the same name.
    ///
    /// # Errors
    /// When `access` names a group the design does not have.
    pub fn add_custom_service(&mut self, service: CustomService, access: Access) -> Result<(), DesignError> {
        let access = access.normalized();
        self.check_groups(&access, || format!("the custom service `{}`", service.name()))?;
        self.custom_services.insert(service.name().clone(), (service, access));
        Ok(())
    }

    /// Removes the custom service `name`, returning it if there was one.
    pub fn remove_custom_service(&mut self, name: &Name) -> Option<CustomService> {
        self.custom_interfaces.remove(name);
        self.custom_services.remove(name).map(|(service, _)| service)
    }

    /// Every custom service with who may reach it, by name.
    pub fn custom_services(&self) -> impl Iterator<Item = (&CustomService, &Access)> {
        self.custom_services.values().map(|(service, access)| (service, access))
    }

    /// The protections chosen (the careful defaults unless changed).
    pub fn protections(&self) -> &Protections {
        &self.protections
    }

    /// Replaces the protections.
    ///
    /// # Errors
    /// When a number is out of its range (the message names the range).
    pub fn set_protections(&mut self, protections: Protections) -> Result<(), String> {
        protections.validate()?;
        self.protections = protections;
        Ok(())
    }

    /// Addresses and networks whose traffic is blocked before anything else.
    pub fn block_list(&self) -> &[Source] {
        &self.block_list
    }

    /// Replaces the block list (sorted, without repeats).
    pub fn set_block_list(&mut self, mut sources: Vec<Source>) {
        sources.sort_unstable();
        sources.dedup();
        self.block_list = sources;
    }

    /// How the ports Docker publishes may be reached; `None`: this server runs no Docker.
    pub fn containers(&self) -> Option<&ContainerPorts> {
        self.containers.as_ref()
    }

    /// Replaces the choice for published container ports (`None`: this server runs no Docker).
    ///
    /// # Errors
    /// When the exposure names a group the design does not have.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design};
    /// let mut design = Design::default();
    /// design.set_containers(Some(ContainerPorts::new(ContainerExposure::HostOnly, None))).unwrap();
    /// assert_eq!(design.containers().map(ContainerPorts::exposure), Some(&ContainerExposure::HostOnly));
    /// let unknown = ContainerExposure::trusted(vec!["office".parse().unwrap()], vec![]);
    /// assert!(design.set_containers(Some(ContainerPorts::new(unknown, None))).is_err());
    /// ```
    pub fn set_containers(&mut self, containers: Option<ContainerPorts>) -> Result<(), DesignError> {
        if let Some(containers) = &containers {
            let exposure = containers.exposure();
            let access = Access::Only { groups: exposure.groups().to_vec(), sources: exposure.sources().to_vec() };
            self.check_groups(&access, || "the choice for published container ports".to_owned())?;
        }
        self.containers = containers;
        Ok(())
    }

    /// The ruleset this design asks for, for one address family.
    pub fn compile(&self, family: Family) -> Ruleset {
        compile::compile(self, family)
    }

    fn check_groups(&self, access: &Access, service: impl Fn() -> String) -> Result<(), DesignError> {
        match access.groups().iter().find(|group| !self.groups.contains_key(*group)) {
            Some(group) => {
                Err(DesignError { kind: DesignErrorKind::UnknownGroup { group: group.clone(), service: service() } })
            }
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        text.parse().unwrap()
    }

    #[test]
    fn quoted_characters_show_as_char_debug_would_for_what_users_type() {
        for (c, expected) in [(' ', "' '"), ('A', "'A'"), ('\t', "'\\t'"), ('\'', "'\\''"), ('"', "'\"'"), ('é', "'é'"), ('\u{85}', "'\\u{85}'")] {
            assert_eq!(quoted_char(c), expected);
        }
    }

    #[test]
    fn access_to_a_missing_group_is_refused() {
        let mut design = Design::default();
        let error = design.allow_access(ServiceId::SSH, Access::only(vec![name("office")], vec![])).unwrap_err();
        assert_eq!(error.to_string(), "SSH refers to the group `office`, which does not exist; create it first");
        assert_eq!(design.access(ServiceId::SSH), None);
        design.set_group(name("office"), vec![]);
        design.allow_access(ServiceId::SSH, Access::only(vec![name("office")], vec![])).unwrap();
        assert_eq!(design.access(ServiceId::SSH).map(Access::groups), Some(&[name("office")][..]));
    }

    #[test]
    fn groups_in_use_stay_until_released() {
        let mut design = Design::default();
        design.set_group(name("monitoring"), Source::parse_list("198.51.100.9").unwrap());
        let access = Access::only(vec![name("monitoring")], vec![]);
        design.allow_access("node-exporter".parse().unwrap(), access.clone()).unwrap();
        let exporter = CustomService::new(name("exporter"), Transport::Tcp, "9256".parse().unwrap());
        design.add_custom_service(exporter, access).unwrap();
        let error = design.remove_group(&name("monitoring")).unwrap_err();
        assert!(error.to_string().contains("still used by Prometheus node exporter, exporter"), "{error}");
        design.close("node-exporter".parse().unwrap());
        assert!(design.remove_custom_service(&name("exporter")).is_some());
        design.remove_group(&name("monitoring")).unwrap();
        assert_eq!(design.groups().count(), 0);
    }

    #[test]
    fn access_is_kept_canonical() {
        let sources = Source::parse_list("203.0.113.9 203.0.113.7 203.0.113.9").unwrap();
        let access = Access::only(vec![name("b"), name("a"), name("b")], sources);
        assert_eq!(access.groups(), [name("a"), name("b")]);
        assert_eq!(access.sources().len(), 2);
        assert_eq!(Access::only(vec![], vec![]), Access::Everyone);
        let mut design = Design::default();
        design.set_group(name("a"), vec![]);
        let unsorted = Access::Only { groups: vec![name("a"), name("a")], sources: vec![] };
        design.allow_access(ServiceId::SSH, unsorted).unwrap();
        assert_eq!(design.access(ServiceId::SSH).map(Access::groups), Some(&[name("a")][..]));
    }
}
