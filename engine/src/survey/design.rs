//! From a survey to a design, and a design checked against the survey.

use serde::Serialize;

use super::{Listener, PublishedPort, Survey};
use crate::codes::Code;
use crate::design::{
    Access, ContainerExposure, ContainerPorts, CustomService, Design, PublishedPorts, Risk, ServiceId, Transport, CATALOGUE,
};
use crate::diagnostic::{Diagnostic, Span};
use crate::model::Protocol;

/// One decision [`Survey::design`] made, in words, with the line of the paste it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Choice {
    /// What was decided and why.
    pub text: String,
    /// The byte range of the line it comes from (`(0, 0)` when it comes from no single line).
    #[serde(skip)]
    pub line: (usize, usize),
}

/// DHCP clients listen on UDP 68 but read their answers from a raw socket, before the firewall.
const DHCP_CLIENTS: [&str; 5] = ["dhclient", "udhcpc", "systemd-network", "NetworkManager", "dhcpcd"];

fn transport_name(protocol: Protocol) -> &'static str {
    if protocol == Protocol::UDP {
        "UDP"
    } else {
        "TCP"
    }
}

/// The catalogue service on `protocol`/`port`; among several, the one the program's name names
/// (`sshd` → SSH), else one with exactly that port rather than a range.
fn service_for(protocol: Protocol, port: u16, process: Option<&str>) -> Option<ServiceId> {
    let serves = |info: &&crate::design::ServiceInfo| {
        info.ports().iter().any(|(at, ports)| *at == protocol && ports.first() <= port && port <= ports.last())
    };
    let candidates: Vec<_> = CATALOGUE.iter().filter(serves).collect();
    let process = process.map(str::to_ascii_lowercase).unwrap_or_default();
    let named = |info: &&&crate::design::ServiceInfo| {
        let id = info.id().as_str();
        !process.is_empty() && (process.starts_with(id) || id.starts_with(&process) || info.aliases().iter().any(|alias| process.starts_with(alias)))
    };
    let exact = |info: &&&crate::design::ServiceInfo| info.ports().iter().any(|(at, ports)| *at == protocol && ports.first() == port && ports.last() == port);
    candidates.iter().find(named).or_else(|| candidates.iter().find(exact)).or_else(|| candidates.first()).map(|info| info.id())
}

/// One socket per protocol and port: the reachable one when there is one.
fn by_port(listeners: &[Listener]) -> Vec<&Listener> {
    let mut kept: Vec<&Listener> = Vec::new();
    for listener in listeners {
        match kept.iter_mut().find(|seen| seen.protocol == listener.protocol && seen.port == listener.port) {
            Some(seen) if !seen.bind.is_reachable() && listener.bind.is_reachable() => *seen = listener,
            Some(_) => {}
            None => kept.push(listener),
        }
    }
    kept
}

fn is_published(survey: &Survey, listener: &Listener) -> bool {
    listener.process.as_deref() == Some("docker-proxy")
        || survey.published.iter().any(|published| published.port == listener.port && published.protocol == transport_name(listener.protocol).to_ascii_lowercase())
}

fn is_dhcp_client(listener: &Listener) -> bool {
    listener.protocol == Protocol::UDP && listener.port == 68 && listener.process.as_deref().is_some_and(|process| DHCP_CLIENTS.iter().any(|client| process.starts_with(client)))
}

fn who(listener: &Listener) -> String {
    let what = format!("{} {}", transport_name(listener.protocol), listener.port);
    match &listener.process {
        Some(process) => format!("{what} ({process} on {})", listener.local),
        None => format!("{what} (on {})", listener.local),
    }
}

impl Survey {
    /// A design for what the server runs: SSH always (so the admin can log in); each other
    /// catalogue service that listens beyond loopback, open to everyone unless it must not face
    /// the internet (databases, caches, admin panels: left closed, to open for trusted
    /// sources); Docker's published ports kept as they are now (open to everyone), listed so
    /// the review can explain them. Each decision comes back as a [`Choice`].
    pub fn design(&self) -> (Design, Vec<Choice>) {
        let mut design = Design::default();
        let mut choices = Vec::new();
        let mut own_ssh_port = false;
        let mut say = |text: String, listener: Option<&Listener>| choices.push(Choice { text, line: listener.map_or((0, 0), |listener| listener.line) });
        for listener in by_port(&self.listeners) {
            let what = who(listener);
            if !listener.bind.is_reachable() {
                say(format!("{what}: listens on loopback only → no rule needed (nothing outside can reach it)"), Some(listener));
                continue;
            }
            if is_published(self, listener) {
                say(format!("{what}: a port Docker publishes → under Containers, not INPUT (Docker sends it through FORWARD)"), Some(listener));
                continue;
            }
            if is_dhcp_client(listener) {
                say(format!("{what}: the DHCP client → no rule needed (it reads answers before the firewall)"), Some(listener));
                continue;
            }
            let process_is_sshd = listener.process.as_deref().is_some_and(|process| process.starts_with("sshd"));
            if process_is_sshd && listener.port != 22 {
                let name = format!("ssh-{}", listener.port).parse().unwrap_or_else(|_| unreachable!("ssh-N is a valid name"));
                let ports = listener.port.to_string().parse().unwrap_or_else(|_| unreachable!("a port is a valid list"));
                if design.add_custom_service(CustomService::new(name, Transport::Tcp, ports), Access::Everyone).is_ok() {
                    own_ssh_port = true;
                    say(format!("{what}: SSH on its own port → opened as the custom service ssh-{} for everyone", listener.port), Some(listener));
                }
                continue;
            }
            match service_for(listener.protocol, listener.port, listener.process.as_deref()) {
                Some(service) if service.info().risk() == Risk::High => say(
                    format!("{what}: {} must not face the internet → left closed; open it to trusted sources on the Access step", service.info().name()),
                    Some(listener),
                ),
                Some(service) => {
                    if design.services().all(|(open, _)| open != service) {
                        design.allow(service, vec![]);
                        let advice = if service.info().risk() == Risk::Medium { "; better restricted to trusted sources on the Access step" } else { "" };
                        say(format!("{what}: {} → opened for everyone{advice}", service.info().name()), Some(listener));
                    }
                }
                None => say(
                    format!("{what}: not a service Portcullis knows → left closed; add it as a custom service if others must reach it"),
                    Some(listener),
                ),
            }
        }
        if !own_ssh_port && design.services().all(|(open, _)| open != ServiceId::SSH) {
            design.allow(ServiceId::SSH, vec![]);
            say("SSH (TCP 22) → opened for everyone, so you can still log in; restrict it to your own addresses on the Access step".to_owned(), None);
        }
        if !self.published.is_empty() || self.tools.iter().any(|tool| tool == "Docker") {
            let ports = published_ports(&self.published);
            let shown = if self.published.is_empty() {
                "Docker runs here".to_owned()
            } else {
                let list: Vec<String> = self.published.iter().map(|port| format!("{} {} → {}", port.protocol.to_ascii_uppercase(), port.port, port.to)).collect();
                format!("Docker publishes {}", list.join(", "))
            };
            if design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, ports))).is_ok() {
                say(format!("{shown} → kept open to everyone, as now; restrict who reaches containers on the Protections step"), None);
            }
        }
        (design, choices)
    }

    /// What `design` does not fit in what the server runs: a service listening beyond loopback
    /// that the design keeps closed, a port the design opens that nothing listens on, ports
    /// Docker publishes while the design has no choice for them.
    pub fn conflicts(&self, design: &Design) -> Vec<Diagnostic> {
        let mut open: Vec<(Protocol, u16, u16)> = Vec::new();
        for (service, _) in design.services() {
            open.extend(service.info().ports().iter().map(|(protocol, ports)| (*protocol, ports.first(), ports.last())));
        }
        for (service, _) in design.custom_services() {
            open.extend(service.ports().iter().map(|(protocol, ports)| (*protocol, ports.first(), ports.last())));
        }
        let opened = |protocol: Protocol, port: u16| open.iter().any(|(at, first, last)| *at == protocol && *first <= port && port <= *last);
        let mut found = Vec::new();
        for listener in by_port(&self.listeners) {
            if !listener.bind.is_reachable() || is_published(self, listener) || is_dhcp_client(listener) || opened(listener.protocol, listener.port) {
                continue;
            }
            let span = Span::new(listener.line.0, listener.line.1);
            found.push(
                Diagnostic::new(Code::SurveyClosedListener, span, format!("{} listens beyond loopback, and the design keeps it closed: nobody outside reaches it", who(listener)))
                    .with_help("open it in the design if others must reach it, or make it listen on 127.0.0.1 only"),
            );
        }
        if self.has_listener_output {
            for (protocol, first, last) in &open {
                let listens = self.listeners.iter().any(|listener| listener.protocol == *protocol && *first <= listener.port && listener.port <= *last);
                if !listens {
                    let ports = if first == last { first.to_string() } else { format!("{first}:{last}") };
                    found.push(
                        Diagnostic::new(Code::SurveyNothingListens, Span::new(0, 0), format!("the design opens {} {ports}, but nothing listens on it", transport_name(*protocol)))
                            .with_help("an open port nothing uses only widens what can be probed: close it, or start the service"),
                    );
                }
            }
        }
        if design.containers().is_none() {
            for port in &self.published {
                found.push(
                    Diagnostic::new(
                        Code::SurveyPublishedPort,
                        Span::new(0, 0),
                        format!("Docker publishes {} {} → {}, and the design has no choice for container ports", port.protocol.to_ascii_uppercase(), port.port, port.to),
                    )
                    .with_help("published ports go through FORWARD, not INPUT: say who may reach them under Containers"),
                );
            }
        }
        found
    }
}

/// The published ports as the design's list (`None` when Docker publishes none: every one).
fn published_ports(published: &[PublishedPort]) -> Option<PublishedPorts> {
    if published.is_empty() {
        return None;
    }
    let (tcp, udp) = (published.iter().any(|port| port.protocol == "tcp"), published.iter().any(|port| port.protocol == "udp"));
    let transport = match (tcp, udp) {
        (true, true) => Transport::TcpAndUdp,
        (false, true) => Transport::Udp,
        _ => Transport::Tcp,
    };
    let mut ports: Vec<u16> = published.iter().map(|port| port.port).collect();
    ports.sort_unstable();
    ports.dedup();
    let list: Vec<String> = ports.iter().map(u16::to_string).collect();
    list.join(", ").parse().ok().map(|list| PublishedPorts::new(transport, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_picks_among_services_on_one_port() {
        assert_eq!(service_for(Protocol::TCP, 22, Some("sshd")), Some(ServiceId::SSH));
        assert_eq!(service_for(Protocol::TCP, 443, Some("nginx")).map(ServiceId::as_str), Some("https"));
        assert_eq!(service_for(Protocol::TCP, 65000, None), None);
    }
}
