//! Published container ports: who may reach the ports Docker publishes (`docker run -p 8080:80`).
//!
//! Docker publishes a port by a DNAT rule in the nat table's PREROUTING (its `DOCKER` chain): the
//! packet's destination becomes the container's address before the routing decision, so it is
//! forwarded (FORWARD, then Docker's chains) and never meets INPUT. An INPUT rule for that port
//! neither opens nor protects the container. Docker leaves one chain to the admin for such
//! rules, `DOCKER-USER`, which its FORWARD rules jump to first; [`ContainerPorts`] is the
//! design's choice of what goes there:
//!
//! - [`ContainerExposure::Everyone`]: Docker's default, no rule;
//! - [`ContainerExposure::Trusted`]: only the design's groups and these sources from outside;
//! - [`ContainerExposure::HostOnly`]: nobody from outside; the host itself (its traffic to a
//!   published port never crosses FORWARD) and the containers still reach them.
//!
//! optionally limited to some published ports (a transport and a port list; the others keep
//! Docker's default). A design without the choice (`None`, the default) says the server runs no
//! Docker, and nothing is emitted.
//!
//! # The rules
//! For `Trusted` and `HostOnly`, [`Design::compile`] adds the user chain `DOCKER-USER` to the
//! filter table (no rule of the design jumps to it: Docker's own FORWARD does):
//! ```text
//! -A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN
//! -A DOCKER-USER -i docker0 -j RETURN
//! -A DOCKER-USER -i br-+ -j RETURN
//! -A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -j RETURN
//! -A DOCKER-USER -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -j DROP
//! … the same for -o br-+ (user-defined networks), and per listed port
//! ```
//! (each with a `portcullis: containers: …` comment). Replies and the containers' own traffic
//! return to Docker's chains first; then a new connection to a published port (conntrack's DNAT
//! status, original direction, and its original destination port: the port the client dialled,
//! not the container's, which DNAT put in the packet) passes from trusted sources and is dropped
//! from any other. The `-o docker0` / `-o br-+` limits keep the design's own port forwards,
//! which DNAT rewrites too, out of it. `RETURN` rather than `ACCEPT`: what passes still meets
//! Docker's own chains (which published port goes to which container, network isolation).
//!
//! # Examples
//! ```
//! use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design, PublishedPorts, Transport};
//! use portcullis_engine::model::Family;
//!
//! let mut design = Design::default();
//! let ports = PublishedPorts::new(Transport::Tcp, "8080".parse().unwrap());
//! let exposure = ContainerExposure::trusted(vec![], vec!["203.0.113.7".parse().unwrap()]);
//! design.set_containers(Some(ContainerPorts::new(exposure, Some(ports)))).unwrap();
//! let rules = portcullis_engine::export::save::render(&design.compile(Family::V4));
//! assert!(rules.contains(":DOCKER-USER - [0:0]"));
//! assert!(rules.contains("-A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL"));
//! assert!(!rules.contains("-j DOCKER-USER"), "Docker's FORWARD jumps to it");
//! ```

use super::compile::{commented, from_source, sources_of};
use super::{Access, Design, Name, PortList, Source, Transport};
use crate::model::{
    Chain, ConnDirection, ConnState, ConnStates, ConnTrack, Family, Interface, Module, Negated, PortSpec, Protocol, Rule, Target, UserChain,
};

/// The chain Docker leaves to the admin, jumped to first by Docker's FORWARD rules.
pub const DOCKER_USER: &str = "DOCKER-USER";

/// The bridges Docker's containers sit behind: `docker0` (the default network) and `br-+`
/// (every user-defined network, `br-` and 12 hex digits of its id).
pub const DOCKER_BRIDGES: [&str; 2] = ["docker0", "br-+"];

/// From where the published ports may be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerExposure {
    /// From every address: Docker's default; no rule is generated.
    Everyone,
    /// From outside, only the sources of these groups and these inline sources (each sorted,
    /// without repeats). Both empty: nobody from outside, like [`ContainerExposure::HostOnly`].
    /// A family without any of these sources is closed from outside.
    Trusted {
        /// Names of the design's groups.
        groups: Vec<Name>,
        /// Sources written for the containers alone.
        sources: Vec<Source>,
    },
    /// Nobody from outside: only the host itself and the containers reach them.
    HostOnly,
}

impl ContainerExposure {
    /// Every kind, in the order the app offers them, with the name the design file uses.
    pub const NAMES: [&'static str; 3] = ["everyone", "trusted", "host-only"];

    /// `Trusted` these groups and sources, sorted and without repeats (kept even when both are
    /// empty: the user chose trusted sources and has not named any yet).
    pub fn trusted(mut groups: Vec<Name>, mut sources: Vec<Source>) -> Self {
        groups.sort_unstable();
        groups.dedup();
        sources.sort_unstable();
        sources.dedup();
        Self::Trusted { groups, sources }
    }

    /// The name the design file uses: `everyone`, `trusted` or `host-only`.
    pub fn as_str(&self) -> &'static str {
        match self {
            ContainerExposure::Everyone => "everyone",
            ContainerExposure::Trusted { .. } => "trusted",
            ContainerExposure::HostOnly => "host-only",
        }
    }

    /// The groups of `Trusted`, empty otherwise.
    pub fn groups(&self) -> &[Name] {
        match self {
            ContainerExposure::Trusted { groups, .. } => groups,
            ContainerExposure::Everyone | ContainerExposure::HostOnly => &[],
        }
    }

    /// The inline sources of `Trusted`, empty otherwise.
    pub fn sources(&self) -> &[Source] {
        match self {
            ContainerExposure::Trusted { sources, .. } => sources,
            ContainerExposure::Everyone | ContainerExposure::HostOnly => &[],
        }
    }

    /// The same exposure in canonical form (see [`ContainerExposure::trusted`]).
    fn normalized(self) -> Self {
        match self {
            ContainerExposure::Trusted { groups, sources } => Self::trusted(groups, sources),
            other => other,
        }
    }
}

/// Published ports by transport and number, as `docker run -p` gives them on the host side
/// (`-p 8080:80` publishes host port 8080).
///
/// # Examples
/// ```
/// use portcullis_engine::design::{PublishedPorts, Transport};
/// let ports = PublishedPorts::new(Transport::TcpAndUdp, "8443, 8080".parse().unwrap());
/// assert_eq!(ports.ports_text(), "TCP 8080, TCP 8443, UDP 8080, UDP 8443");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PublishedPorts {
    transport: Transport,
    ports: PortList,
}

impl PublishedPorts {
    /// The ports of `list` on `transport` (a [`PortList`] is already validated).
    pub fn new(transport: Transport, ports: PortList) -> Self {
        Self { transport, ports }
    }

    /// TCP, UDP or both.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The ports, as given.
    pub fn port_list(&self) -> &PortList {
        &self.ports
    }

    /// Every protocol-and-port pair, TCP first.
    pub fn ports(&self) -> Vec<(Protocol, PortSpec)> {
        self.transport.protocols().iter().flat_map(|protocol| self.ports.ports().iter().map(move |ports| (*protocol, *ports))).collect()
    }

    /// The ports as people read them, e.g. `TCP 8080, UDP 8080`.
    pub fn ports_text(&self) -> String {
        super::catalogue::ports_text(&self.ports())
    }
}

/// The design's choice for published container ports: who may reach them from outside, and
/// which published ports it applies to (`None`: every one).
///
/// # Examples
/// ```
/// use portcullis_engine::design::{ContainerExposure, ContainerPorts};
/// let containers = ContainerPorts::new(ContainerExposure::HostOnly, None);
/// assert_eq!(containers.exposure(), &ContainerExposure::HostOnly);
/// assert!(containers.ports().is_none(), "every published port");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPorts {
    exposure: ContainerExposure,
    ports: Option<PublishedPorts>,
}

impl ContainerPorts {
    /// The choice; the groups it names are checked when the design takes it
    /// ([`Design::set_containers`]).
    pub fn new(exposure: ContainerExposure, ports: Option<PublishedPorts>) -> Self {
        Self { exposure: exposure.normalized(), ports }
    }

    /// From where the ports may be reached.
    pub fn exposure(&self) -> &ContainerExposure {
        &self.exposure
    }

    /// The published ports the exposure applies to; `None`: every published port.
    pub fn ports(&self) -> Option<&PublishedPorts> {
        self.ports.as_ref()
    }

    /// Whether this choice asks for rules (every exposure but `Everyone` does).
    pub fn has_rules(&self) -> bool {
        !matches!(self.exposure, ContainerExposure::Everyone)
    }
}

fn interface(name: &str) -> Negated<Interface> {
    Negated::plain(Interface::new(name).unwrap_or_else(|_| unreachable!("a valid interface name")))
}

/// `-m conntrack --ctstate DNAT [--ctorigdstport P] --ctdir ORIGINAL`: a connection to a
/// published port, by the port the client dialled.
fn published(port: Option<PortSpec>) -> Module {
    let states = ConnStates::new([ConnState::Dnat]).unwrap_or_else(|| unreachable!("one state given"));
    Module::ConnTrack(ConnTrack {
        state: Some(Negated::plain(states)),
        original_destination_port: port.map(Negated::plain),
        direction: Some(ConnDirection::Original),
        ..ConnTrack::default()
    })
}

fn returning(rule: Rule, why: &str) -> Rule {
    commented(Rule { target: Some(Target::Return), ..rule }, &format!("containers: {why}"))
}

/// The `DOCKER-USER` chain the design's containers choice asks for in `family` (see the module
/// docs), or `None` when it asks for none.
pub(super) fn docker_user(design: &Design, family: Family) -> Option<Chain> {
    let containers = design.containers()?;
    // Who passes from outside, as the services' compiler lists them (groups resolved, this
    // family only, each source once).
    let trusted = match containers.exposure() {
        ContainerExposure::Everyone => return None,
        ContainerExposure::Trusted { groups, sources } => {
            let access = Access::Only { groups: groups.clone(), sources: sources.clone() };
            sources_of(design, &access, family).unwrap_or_default()
        }
        ContainerExposure::HostOnly => Vec::new(),
    };
    let name = UserChain::new(DOCKER_USER).unwrap_or_else(|_| unreachable!("a valid chain name"));
    let mut chain = Chain::user(name);
    let replies = Rule { modules: vec![super::protections::states(&[ConnState::Related, ConnState::Established])], ..Rule::default() };
    chain.rules.push(returning(replies, "replies and connections already allowed"));
    for (bridge, what) in DOCKER_BRIDGES.iter().zip(["traffic from containers on docker0", "traffic from containers on user networks (br-+)"]) {
        chain.rules.push(returning(Rule { in_interface: Some(interface(bridge)), ..Rule::default() }, what));
    }
    let ports: Vec<Option<(Protocol, PortSpec)>> = match containers.ports() {
        Some(ports) => ports.ports().into_iter().map(Some).collect(),
        None => vec![None],
    };
    for port in ports {
        let (protocol, what) = match port {
            Some((protocol, ports)) => (Some(Negated::plain(protocol)), super::catalogue::ports_text(&[(protocol, ports)])),
            None => (None, "every port".to_owned()),
        };
        for bridge in DOCKER_BRIDGES {
            let base = Rule {
                out_interface: Some(interface(bridge)),
                protocol: protocol.clone(),
                modules: vec![published(port.map(|(_, ports)| ports))],
                ..Rule::default()
            };
            for (source, label) in &trusted {
                chain.rules.push(returning(from_source(&base, *source), &format!("published {what} to {bridge} from {label}")));
            }
            let from = if trusted.is_empty() { "from outside" } else { "from anywhere else" };
            let drop = Rule { target: Some(Target::Drop), ..base };
            chain.rules.push(commented(drop, &format!("containers: published {what} to {bridge} {from}")));
        }
    }
    Some(chain)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::save;

    fn design(exposure: ContainerExposure, ports: Option<&str>) -> Design {
        let mut design = Design::default();
        let office: Name = "office".parse().unwrap();
        design.set_group(office, Source::parse_list("203.0.113.7, 2001:db8::7").unwrap());
        let ports = ports.map(|ports| PublishedPorts::new(Transport::Tcp, ports.parse().unwrap()));
        design.set_containers(Some(ContainerPorts::new(exposure, ports))).unwrap();
        design
    }

    fn docker_user_lines(design: &Design, family: Family) -> Vec<String> {
        save::render(&design.compile(family)).lines().filter(|line| line.starts_with("-A DOCKER-USER")).map(str::to_owned).collect()
    }

    #[test]
    fn everyone_and_no_docker_add_nothing() {
        let plain = save::render(&Design::default().compile(Family::V4));
        for exposure in [None, Some(ContainerExposure::Everyone)] {
            let mut design = Design::default();
            design.set_containers(exposure.map(|exposure| ContainerPorts::new(exposure, None))).unwrap();
            assert_eq!(save::render(&design.compile(Family::V4)), plain, "byte-identical to a design without the choice");
        }
    }

    #[test]
    fn trusted_sources_pass_and_the_rest_is_dropped_per_bridge_and_port() {
        let trusted = ContainerExposure::trusted(vec!["office".parse().unwrap()], vec![]);
        let lines = docker_user_lines(&design(trusted, Some("8080,9000-9001")), Family::V4);
        let expected = [
            "-A DOCKER-USER -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"portcullis: containers: replies and connections already allowed\" -j RETURN",
            "-A DOCKER-USER -i docker0 -m comment --comment \"portcullis: containers: traffic from containers on docker0\" -j RETURN",
            "-A DOCKER-USER -i br-+ -m comment --comment \"portcullis: containers: traffic from containers on user networks (br-+)\" -j RETURN",
            "-A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment \"portcullis: containers: published TCP 8080 to docker0 from office (203.0.113.7/32)\" -j RETURN",
            "-A DOCKER-USER -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment \"portcullis: containers: published TCP 8080 to docker0 from anywhere else\" -j DROP",
            "-A DOCKER-USER -s 203.0.113.7/32 -o br-+ -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment \"portcullis: containers: published TCP 8080 to br-+ from office (203.0.113.7/32)\" -j RETURN",
            "-A DOCKER-USER -o br-+ -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment \"portcullis: containers: published TCP 8080 to br-+ from anywhere else\" -j DROP",
        ];
        assert_eq!(lines[..expected.len()], expected);
        assert_eq!(lines.len(), 3 + 2 * 2 * 2, "two ports, two bridges, one trusted source and the drop each");
        assert!(lines[7].contains("--ctorigdstport 9000:9001"), "{}", lines[7]);
        let v6 = docker_user_lines(&design(ContainerExposure::trusted(vec!["office".parse().unwrap()], vec![]), None), Family::V6);
        assert!(v6.iter().any(|line| line.starts_with("-A DOCKER-USER -s 2001:db8::7/128 -o docker0 -m conntrack --ctstate DNAT --ctdir ORIGINAL")), "{v6:#?}");
    }

    #[test]
    fn host_only_and_sourceless_families_drop_everything_from_outside() {
        let host_only = docker_user_lines(&design(ContainerExposure::HostOnly, None), Family::V4);
        assert_eq!(host_only.len(), 5);
        assert_eq!(
            host_only[3],
            "-A DOCKER-USER -o docker0 -m conntrack --ctstate DNAT --ctdir ORIGINAL -m comment --comment \"portcullis: containers: published every port to docker0 from outside\" -j DROP"
        );
        // IPv4 sources only: IPv6 is closed from outside, as a service would be.
        let v4_only = ContainerExposure::trusted(vec![], Source::parse_list("198.51.100.0/24").unwrap());
        assert_eq!(docker_user_lines(&design(v4_only, None), Family::V6), host_only);
        // Ranges are matched with iprange, as for services.
        let range = ContainerExposure::trusted(vec![], Source::parse_list("198.51.100.10-198.51.100.20").unwrap());
        assert!(docker_user_lines(&design(range, None), Family::V4).iter().any(|line| line.contains("-m iprange --src-range 198.51.100.10-198.51.100.20")));
    }

    #[test]
    fn the_groups_it_names_must_exist_and_stay() {
        let mut design = Design::default();
        let office: Name = "office".parse().unwrap();
        let choice = ContainerPorts::new(ContainerExposure::trusted(vec![office.clone()], vec![]), None);
        assert!(design.set_containers(Some(choice.clone())).unwrap_err().to_string().contains("the choice for published container ports refers to the group `office`"));
        design.set_group(office.clone(), vec![]);
        design.set_containers(Some(choice)).unwrap();
        assert!(design.remove_group(&office).unwrap_err().to_string().contains("still used by the choice for published container ports"));
        design.set_containers(None).unwrap();
        design.remove_group(&office).unwrap();
    }
}
