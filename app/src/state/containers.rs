//! The wizard's choice for published container ports: whether the server runs Docker, and who
//! may reach the ports its containers publish (everyone, trusted groups and addresses, or only
//! the server and its containers), optionally only for some ports.
//!
//! Like the rest of [`Wizard`], only values the engine accepts reach the design: the sources and
//! ports fields keep their text and message in the wizard's drafts while they are refused.

use portcullis_engine::design::{ContainerExposure, ContainerPorts, Name, PortList, PortListError, PublishedPorts, Source, Transport};

use super::{Draft, Wizard};

/// The kind of choice, as the wizard's radio buttons offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainersKind {
    /// This server runs no Docker: nothing is generated.
    NoDocker,
    /// Docker's default: published ports are open to every address.
    Everyone,
    /// Only the trusted groups and addresses chosen below.
    Trusted,
    /// Nobody from outside: the server itself and its containers only.
    HostOnly,
}

impl ContainersKind {
    /// Every kind, in the order offered.
    pub(crate) const ALL: [Self; 4] = [Self::NoDocker, Self::Everyone, Self::Trusted, Self::HostOnly];

    /// The id used in test ids.
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Self::NoDocker => "none",
            Self::Everyone => "everyone",
            Self::Trusted => "trusted",
            Self::HostOnly => "host-only",
        }
    }
}

const SOURCES_FIELD: &str = "containers-sources";
const PORTS_FIELD: &str = "containers-ports";

/// The published ports typed in the field; empty: every published port.
///
/// # Errors
/// The engine's message.
fn parse_published_ports(text: &str) -> Result<Option<PortList>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|error: PortListError| error.to_string())
}

impl Wizard {
    /// The kind of the design's containers choice.
    pub(crate) fn containers_kind(&self) -> ContainersKind {
        match self.design.containers().map(ContainerPorts::exposure) {
            None => ContainersKind::NoDocker,
            Some(ContainerExposure::Everyone) => ContainersKind::Everyone,
            Some(ContainerExposure::Trusted { .. }) => ContainersKind::Trusted,
            Some(ContainerExposure::HostOnly) => ContainersKind::HostOnly,
        }
    }

    fn containers_ports(&self) -> Option<PublishedPorts> {
        self.design.containers().and_then(ContainerPorts::ports).cloned()
    }

    /// Replaces the choice with `exposure` and `ports`, as one undoable step.
    fn set_containers(&mut self, field: Option<&str>, exposure: Option<ContainerExposure>, ports: Option<PublishedPorts>) -> Result<(), String> {
        let choice = exposure.map(|exposure| ContainerPorts::new(exposure, ports));
        self.change(field, |design| design.set_containers(choice)).map_err(|error| error.to_string())
    }

    /// Chooses the kind; the listed ports stay, and so do the trusted sources when switching
    /// back to trusted within one visit (they are in the sources field's text).
    pub(crate) fn set_containers_kind(&mut self, kind: ContainersKind) {
        let ports = self.containers_ports();
        let exposure = match kind {
            ContainersKind::NoDocker => None,
            ContainersKind::Everyone => Some(ContainerExposure::Everyone),
            ContainersKind::Trusted => {
                let sources = Source::parse_list(&self.containers_sources_text()).unwrap_or_default();
                Some(ContainerExposure::trusted(self.containers_groups(), sources))
            }
            ContainersKind::HostOnly => Some(ContainerExposure::HostOnly),
        };
        // Only the design's own groups are ever kept: the engine cannot refuse.
        let _ = self.set_containers(None, exposure, ports);
    }

    /// The trusted groups (empty unless the kind is trusted).
    pub(crate) fn containers_groups(&self) -> Vec<Name> {
        self.design.containers().map(|containers| containers.exposure().groups().to_vec()).unwrap_or_default()
    }

    /// Lets `group` reach the published ports, or not (only while the kind is trusted).
    ///
    /// # Errors
    /// The engine's message (a group that does not exist).
    pub(crate) fn set_containers_group(&mut self, group: &Name, allowed: bool) -> Result<(), String> {
        let Some(ContainerExposure::Trusted { groups, sources }) = self.design.containers().map(ContainerPorts::exposure).cloned() else {
            return Ok(());
        };
        let mut groups: Vec<Name> = groups.into_iter().filter(|name| name != group).collect();
        if allowed {
            groups.push(group.clone());
        }
        let ports = self.containers_ports();
        self.set_containers(None, Some(ContainerExposure::trusted(groups, sources)), ports)
    }

    /// The trusted addresses typed, or the design's.
    pub(crate) fn containers_sources_text(&self) -> String {
        self.drafts.get(SOURCES_FIELD).map_or_else(
            || self.design.containers().map(|containers| Source::list_text(containers.exposure().sources())).unwrap_or_default(),
            |draft| draft.text.clone(),
        )
    }

    pub(crate) fn containers_sources_error(&self) -> Option<String> {
        self.drafts.get(SOURCES_FIELD).and_then(|draft| draft.error.clone())
    }

    /// Records the trusted addresses typed; a list the engine accepts becomes the choice's.
    pub(crate) fn edit_containers_sources(&mut self, text: &str) {
        let error = match Source::parse_list(text) {
            Ok(sources) => match self.design.containers().map(ContainerPorts::exposure) {
                Some(ContainerExposure::Trusted { groups, .. }) => {
                    let exposure = ContainerExposure::trusted(groups.clone(), sources);
                    let ports = self.containers_ports();
                    self.set_containers(Some(SOURCES_FIELD), Some(exposure), ports).err()
                }
                _ => None,
            },
            Err(error) => Some(error.to_string()),
        };
        self.drafts.insert(SOURCES_FIELD.to_owned(), Draft { text: text.to_owned(), error });
    }

    /// The published ports typed, or the design's (empty: every published port).
    pub(crate) fn containers_ports_text(&self) -> String {
        self.drafts
            .get(PORTS_FIELD)
            .map_or_else(|| self.containers_ports().map(|ports| ports.port_list().to_string()).unwrap_or_default(), |draft| draft.text.clone())
    }

    pub(crate) fn containers_ports_error(&self) -> Option<String> {
        self.drafts.get(PORTS_FIELD).and_then(|draft| draft.error.clone())
    }

    /// Whether the choice lists its published ports (rather than meaning every one).
    pub(crate) fn containers_lists_ports(&self) -> bool {
        self.containers_ports().is_some()
    }

    /// The transport of the listed ports (TCP until chosen).
    pub(crate) fn containers_transport(&self) -> Transport {
        self.containers_ports().map_or(Transport::Tcp, |ports| ports.transport())
    }

    /// Records the published ports typed; a list the engine accepts (or an empty field: every
    /// published port) becomes the choice's.
    pub(crate) fn edit_containers_ports(&mut self, text: &str) {
        let error = match parse_published_ports(text) {
            Ok(list) => {
                let transport = self.containers_transport();
                let exposure = self.design.containers().map(|containers| containers.exposure().clone());
                let ports = list.map(|list| PublishedPorts::new(transport, list));
                self.set_containers(Some(PORTS_FIELD), exposure, ports).err()
            }
            Err(error) => Some(error),
        };
        self.drafts.insert(PORTS_FIELD.to_owned(), Draft { text: text.to_owned(), error });
    }

    /// Chooses the transport of the listed ports (nothing to change while every port is meant).
    pub(crate) fn set_containers_transport(&mut self, transport: Transport) {
        let Some(ports) = self.containers_ports() else { return };
        let exposure = self.design.containers().map(|containers| containers.exposure().clone());
        let _ = self.set_containers(None, exposure, Some(PublishedPorts::new(transport, ports.port_list().clone())));
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::export::save;
    use portcullis_engine::model::Family;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn docker_user(wizard: &Wizard, family: Family) -> Vec<String> {
        save::render(&wizard.design().compile(family)).lines().filter(|line| line.starts_with("-A DOCKER-USER")).map(str::to_owned).collect()
    }

    #[wasm_bindgen_test]
    fn each_kind_writes_its_rules_and_no_docker_writes_none() {
        let mut wizard = Wizard::default();
        let plain = save::render(&wizard.design().compile(Family::V4));
        assert_eq!(wizard.containers_kind(), ContainersKind::NoDocker);
        wizard.set_containers_kind(ContainersKind::Everyone);
        assert_eq!(wizard.containers_kind(), ContainersKind::Everyone);
        assert_eq!(save::render(&wizard.design().compile(Family::V4)), plain, "Docker's default needs no rule");
        wizard.set_containers_kind(ContainersKind::HostOnly);
        assert!(docker_user(&wizard, Family::V6).iter().any(|line| line.contains("-o docker0 -m conntrack --ctstate DNAT --ctdir ORIGINAL")));
        wizard.undo();
        assert_eq!(wizard.containers_kind(), ContainersKind::Everyone, "one undo per choice");
        wizard.set_containers_kind(ContainersKind::NoDocker);
        assert!(wizard.design().containers().is_none());
    }

    #[wasm_bindgen_test]
    fn trusted_groups_addresses_and_ports_reach_the_rules_and_typos_change_nothing() {
        let mut wizard = Wizard::default();
        let office = wizard.add_group("office").expect("a new group");
        wizard.edit_group(&office, "203.0.113.7");
        wizard.set_containers_kind(ContainersKind::Trusted);
        wizard.set_containers_group(&office, true).expect("the group exists");
        wizard.edit_containers_sources("2001:db8::/32");
        wizard.edit_containers_ports("8080");
        wizard.set_containers_transport(Transport::TcpAndUdp);
        let rules = docker_user(&wizard, Family::V4);
        assert!(
            rules.iter().any(|line| line.starts_with("-A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p udp -m conntrack --ctstate DNAT --ctorigdstport 8080")),
            "{rules:#?}"
        );
        assert!(docker_user(&wizard, Family::V6).iter().any(|line| line.starts_with("-A DOCKER-USER -s 2001:db8::/32 -o br-+ -p tcp")));
        let before = wizard.design().clone();
        wizard.edit_containers_ports("8080, 0");
        assert!(wizard.containers_ports_error().is_some_and(|error| error.contains("port 0")));
        wizard.edit_containers_sources("203.0.113.7/24");
        assert!(wizard.containers_sources_error().is_some_and(|error| error.contains("host bits")));
        assert_eq!(wizard.design(), &before, "refused text changes nothing");
        assert!(wizard.remove_group(&office).is_err_and(|error| error.contains("published container ports")));
        wizard.edit_containers_ports("");
        assert!(wizard.design().containers().is_some_and(|containers| containers.ports().is_none()), "empty: every published port");
    }
}
