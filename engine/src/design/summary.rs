//! The design in plain words: who may reach what, in a few sentences a beginner can check.

use std::fmt;

use ipnet::IpNet;

use super::{Access, ContainerExposure, DefaultPolicy, Design, Ping};
use crate::collections::SortedMap;
use crate::design::Source;

/// One sentence of the summary: these people may reach these services.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    /// Who: `anywhere`, or the groups and addresses, e.g. `office (203.0.113.7)`.
    pub who: String,
    /// What: service names with their ports, e.g. `SSH (TCP 22)`, in design order.
    pub services: Vec<String>,
}

/// The plain-language summary of a design.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Access, Design, ServiceId, Source};
/// let mut design = Design::default();
/// design.allow(ServiceId::HTTP, vec![]);
/// design.allow(ServiceId::HTTPS, vec![]);
/// let office: portcullis_engine::design::Name = "office".parse().unwrap();
/// design.set_group(office.clone(), Source::parse_list("203.0.113.7").unwrap());
/// design.allow_access(ServiceId::SSH, Access::only(vec![office], vec![])).unwrap();
/// assert_eq!(
///     design.summary().to_string(),
///     "From anywhere: HTTP (TCP 80), HTTPS (TCP 443). From office (203.0.113.7): SSH (TCP 22). \
///      Everything else: dropped. Ping: answered, at most 1 per second."
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Who may reach what, anywhere first.
    pub lines: Vec<SummaryLine>,
    /// Address translation, one sentence per entry: redirects, port forwards, masquerades.
    pub nat: Vec<String>,
    /// Who reaches the ports Docker publishes, when the design says (it runs Docker).
    pub containers: Option<String>,
    /// How ping is answered.
    pub ping: String,
    /// Whether what no rule accepts is dropped (the INPUT policy DROP) rather than accepted.
    pub rest_dropped: bool,
    /// The careful defaults turned off, one sentence each: replies not accepted, loopback not
    /// accepted, forwarded traffic accepted. Empty for a careful design.
    pub cautions: Vec<String>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.lines {
            write!(f, "From {}: {}. ", line.who, line.services.join(", "))?;
        }
        let rest = if self.lines.is_empty() { "Every incoming connection" } else { "Everything else" };
        let fate = if self.rest_dropped { "dropped" } else { "accepted (the INPUT policy is ACCEPT)" };
        write!(f, "{rest}: {fate}. Ping: {}.", self.ping)?;
        for sentence in self.nat.iter().chain(&self.containers).chain(&self.cautions) {
            write!(f, " {sentence}.")?;
        }
        Ok(())
    }
}

impl Design {
    /// Who may reach what, grouped by identical sources, in plain words.
    pub fn summary(&self) -> Summary {
        let mut by_who: SortedMap<(bool, String), Vec<String>> = SortedMap::new();
        let open = self
            .services()
            .map(|(id, access)| (format!("{} ({}){}", id.info().name(), id.info().ports_text(), on(self.interfaces(id))), access))
            .chain(self.custom_services().map(|(service, access)| {
                let interfaces = on(self.custom_interfaces(service.name()));
                (format!("{} ({}){interfaces}", service.name(), service.ports_text()), access)
            }));
        for (service, access) in open {
            let Some(who) = self.who(access) else { continue };
            // `false` sorts first: "anywhere" leads.
            by_who.get_or_insert_with((who != "anywhere", who), Vec::new).push(service);
        }
        let lines = by_who.into_iter().map(|((_, who), services)| SummaryLine { who, services }).collect();
        // Echo requests the ping rules leave undecided meet the INPUT policy.
        let ping = match self.protections().ping {
            _ if self.protections().input_policy == DefaultPolicy::Accept => "answered (the INPUT policy accepts it)".to_owned(),
            Ping::Off => "not answered".to_owned(),
            Ping::Limited { per_second } => format!("answered, at most {per_second} per second"),
            Ping::On => "answered".to_owned(),
        };
        let rest_dropped = self.protections().input_policy == DefaultPolicy::Drop;
        Summary { lines, nat: self.nat_sentences(), containers: self.containers_sentence(), ping, rest_dropped, cautions: self.cautions() }
    }

    /// The fixed-looking defaults turned off, in words. Under an INPUT policy of ACCEPT, replies
    /// and loopback traffic are accepted by the policy anyway, so only the policy is said.
    fn cautions(&self) -> Vec<String> {
        let protections = self.protections();
        let mut cautions = Vec::new();
        if protections.input_policy == DefaultPolicy::Drop {
            if !protections.allow_established {
                cautions.push(
                    "Replies to the server's own connections: dropped (no ESTABLISHED,RELATED accept), so DNS, updates and every outgoing connection fail"
                        .to_owned(),
                );
            }
            if !protections.allow_loopback {
                cautions.push(
                    "Traffic the server sends to itself (loopback): dropped unless a service above allows it, so local databases and resolvers fail"
                        .to_owned(),
                );
            }
        }
        if protections.forward_policy == DefaultPolicy::Accept {
            cautions.push("Forwarded traffic (when routing is on): accepted (the FORWARD policy is ACCEPT)".to_owned());
        }
        cautions
    }

    /// `Published container ports (TCP 8080): from office (203.0.113.7) only`, or `None` without
    /// the choice.
    fn containers_sentence(&self) -> Option<String> {
        let containers = self.containers()?;
        let which = containers.ports().map_or_else(|| "Published container ports".to_owned(), |ports| format!("Published container ports ({})", ports.ports_text()));
        let who = match containers.exposure() {
            ContainerExposure::Everyone => "from anywhere (Docker's default)".to_owned(),
            ContainerExposure::Trusted { groups, sources } => {
                let access = Access::Only { groups: groups.clone(), sources: sources.clone() };
                match self.who(&access) {
                    Some(who) => format!("from {who} only"),
                    None => "from this server and its containers only (no trusted source yet)".to_owned(),
                }
            }
            ContainerExposure::HostOnly => "from this server and its containers only".to_owned(),
        };
        Some(format!("{which}: {who}"))
    }

    fn nat_sentences(&self) -> Vec<String> {
        let nat = self.nat();
        let mut sentences: Vec<String> = nat
            .redirects
            .iter()
            .map(|redirect| {
                let protocols = redirect.transport().as_str().to_ascii_uppercase();
                format!("{protocols} port {} redirected to port {} here{}", redirect.port(), redirect.to_port(), on(redirect.interfaces()))
            })
            .collect();
        sentences.extend(nat.port_forwards.iter().map(|forward| {
            let to = match forward.to() {
                std::net::IpAddr::V6(address) => format!("[{address}]"),
                address @ std::net::IpAddr::V4(_) => address.to_string(),
            };
            let who = self.who(forward.access()).unwrap_or_else(|| "nobody yet".to_owned());
            format!(
                "{} port {} forwarded to {to}:{} from {who}{}",
                forward.transport().as_str().to_ascii_uppercase(),
                forward.port(),
                forward.to_port(),
                on(forward.interfaces())
            )
        }));
        sentences.extend(nat.masquerades.iter().map(|masquerade| {
            format!("{} goes out to the internet by {} under this server's address", masquerade.network(), masquerade.out_interface())
        }));
        sentences
    }

    /// `anywhere`, or the groups (with their sources) and inline sources; `None` when the access
    /// lets nobody in (only empty groups).
    fn who(&self, access: &Access) -> Option<String> {
        let Access::Only { groups, sources } = access else { return Some("anywhere".to_owned()) };
        let mut parts: Vec<String> = groups
            .iter()
            .filter_map(|name| {
                let members = self.group(name).filter(|members| !members.is_empty())?;
                Some(format!("{name} ({})", Source::list_text(members)))
            })
            .collect();
        if !sources.is_empty() {
            parts.push(Source::list_text(sources));
        }
        (!parts.is_empty()).then(|| parts.join(" and "))
    }

    /// The networks the SSH service is open to, for the lockout check: `None` when SSH is
    /// closed, an empty list when it is open to everyone. Address ranges are given as the
    /// smallest networks covering them exactly.
    pub fn ssh_sources(&self) -> Option<Vec<IpNet>> {
        let access = self.access(super::ServiceId::SSH)?;
        let Access::Only { groups, sources } = access else { return Some(Vec::new()) };
        let members = groups.iter().filter_map(|name| self.group(name)).flatten().chain(sources);
        Some(members.flat_map(|source| source_networks(*source)).collect())
    }
}

/// ` on eth1` for services limited to interfaces, nothing otherwise.
fn on(interfaces: &[super::InterfaceName]) -> String {
    if interfaces.is_empty() {
        return String::new();
    }
    let names: Vec<String> = interfaces.iter().map(ToString::to_string).collect();
    format!(" on {}", names.join(", "))
}

/// The networks that make up a source exactly.
fn source_networks(source: Source) -> Vec<IpNet> {
    if let Some(net) = source.net() {
        return vec![net];
    }
    let Some(range) = source.range() else { return Vec::new() };
    match (range.first(), range.last()) {
        (std::net::IpAddr::V4(first), std::net::IpAddr::V4(last)) => {
            ipnet::Ipv4Subnets::new(first, last, 0).map(IpNet::V4).collect()
        }
        (std::net::IpAddr::V6(first), std::net::IpAddr::V6(last)) => {
            ipnet::Ipv6Subnets::new(first, last, 0).map(IpNet::V6).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Name, ServiceId};

    #[test]
    fn nothing_open_says_every_connection_is_dropped() {
        let mut design = Design::default();
        design.set_protections(crate::design::Protections { ping: Ping::Off, ..Default::default() }).unwrap();
        assert_eq!(design.summary().to_string(), "Every incoming connection: dropped. Ping: not answered.");
        assert_eq!(design.ssh_sources(), None);
    }

    #[test]
    fn turned_off_defaults_are_said() {
        use crate::design::{DefaultPolicy, Protections};
        let mut design = Design::default();
        design.allow(ServiceId::HTTPS, Vec::new());
        let off = Protections { allow_established: false, allow_loopback: false, forward_policy: DefaultPolicy::Accept, ..Protections::default() };
        design.set_protections(off.clone()).unwrap();
        assert_eq!(
            design.summary().to_string(),
            "From anywhere: HTTPS (TCP 443). Everything else: dropped. Ping: answered, at most 1 per second. \
             Replies to the server's own connections: dropped (no ESTABLISHED,RELATED accept), so DNS, updates and every outgoing connection fail. \
             Traffic the server sends to itself (loopback): dropped unless a service above allows it, so local databases and resolvers fail. \
             Forwarded traffic (when routing is on): accepted (the FORWARD policy is ACCEPT)."
        );
        // Under an accepting INPUT policy, replies and loopback get in by the policy.
        design.set_protections(Protections { input_policy: DefaultPolicy::Accept, forward_policy: DefaultPolicy::Drop, ..off }).unwrap();
        assert_eq!(
            design.summary().to_string(),
            "From anywhere: HTTPS (TCP 443). Everything else: accepted (the INPUT policy is ACCEPT). Ping: answered (the INPUT policy accepts it)."
        );
        assert!(Design::default().summary().cautions.is_empty());
    }

    #[test]
    fn services_restricted_to_an_empty_group_are_not_listed() {
        let mut design = Design::default();
        let app: Name = "app-servers".parse().unwrap();
        design.set_group(app.clone(), Vec::new());
        design.allow_access(ServiceId::MYSQL, Access::only(vec![app], Vec::new())).unwrap();
        design.allow(ServiceId::SSH, Vec::new());
        let summary = design.summary();
        assert_eq!(summary.lines, [SummaryLine { who: "anywhere".into(), services: vec!["SSH (TCP 22)".into()] }]);
        assert_eq!(design.ssh_sources(), Some(Vec::new()));
    }

    #[test]
    fn ssh_sources_cover_groups_inline_sources_and_ranges() {
        let mut design = Design::default();
        let office: Name = "office".parse().unwrap();
        design.set_group(office.clone(), Source::parse_list("203.0.113.7, 2001:db8::/64").unwrap());
        let inline = Source::parse_list("198.51.100.4-198.51.100.7, 198.51.100.8").unwrap();
        design.allow_access(ServiceId::SSH, Access::only(vec![office], inline)).unwrap();
        let nets: Vec<String> = design.ssh_sources().unwrap().iter().map(ToString::to_string).collect();
        assert_eq!(nets, ["203.0.113.7/32", "2001:db8::/64", "198.51.100.8/32", "198.51.100.4/30"]);
        assert_eq!(
            design.summary().to_string(),
            "From office (203.0.113.7, 2001:db8::/64) and 198.51.100.8, 198.51.100.4-198.51.100.7: SSH (TCP 22). \
             Everything else: dropped. Ping: answered, at most 1 per second."
        );
    }

    #[test]
    fn interfaces_and_translations_are_said() {
        use crate::design::{Masquerade, Nat, PortForward, Redirect, Transport};
        let mut design = Design::default();
        design.allow(ServiceId::POSTGRESQL, Vec::new());
        design.limit_to_interfaces(ServiceId::POSTGRESQL, vec!["eth1".parse().unwrap()]).unwrap();
        let nat = Nat {
            redirects: vec![Redirect::new(Transport::Tcp, 80, 8080, Vec::new()).unwrap()],
            port_forwards: vec![PortForward::new(Transport::Tcp, 8443, "198.51.100.10".parse().unwrap(), 443, Vec::new(), Access::Everyone).unwrap()],
            masquerades: vec![Masquerade::new("198.51.100.0/24".parse().unwrap(), "eth0".parse().unwrap()).unwrap()],
        };
        design.set_nat(nat).unwrap();
        let said = design.summary().to_string();
        assert!(said.contains("From anywhere: PostgreSQL (TCP 5432) on eth1."), "{said}");
        assert!(said.contains("TCP port 80 redirected to port 8080 here."), "{said}");
        assert!(said.contains("TCP port 8443 forwarded to 198.51.100.10:443 from anywhere."), "{said}");
        assert!(said.contains("198.51.100.0/24 goes out to the internet by eth0 under this server's address."), "{said}");
    }

    #[test]
    fn published_container_ports_are_said() {
        use crate::design::{ContainerPorts, PublishedPorts, Transport};
        let mut design = Design::default();
        let office: Name = "office".parse().unwrap();
        design.set_group(office.clone(), Source::parse_list("203.0.113.7").unwrap());
        let said = |design: &mut Design, exposure, ports: Option<&str>| {
            let ports = ports.map(|ports| PublishedPorts::new(Transport::Tcp, ports.parse().unwrap()));
            design.set_containers(Some(ContainerPorts::new(exposure, ports))).unwrap();
            design.summary().containers.unwrap_or_default()
        };
        assert_eq!(said(&mut design, ContainerExposure::Everyone, None), "Published container ports: from anywhere (Docker's default)");
        assert_eq!(
            said(&mut design, ContainerExposure::trusted(vec![office], vec![]), Some("8080")),
            "Published container ports (TCP 8080): from office (203.0.113.7) only"
        );
        assert_eq!(said(&mut design, ContainerExposure::HostOnly, None), "Published container ports: from this server and its containers only");
        assert!(design.summary().to_string().ends_with("Ping: answered, at most 1 per second. Published container ports: from this server and its containers only."));
        design.set_containers(None).unwrap();
        assert_eq!(design.summary().containers, None);
    }
}
