//! Generators shared by the engine's integration tests: designs with random groups, services,
//! custom services, (in [`any_protected_design`]) protections, and (in [`any_full_design`])
//! interfaces and NAT entries too.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use portcullis_engine::design::{
    Access, BlockAction, CustomService, DefaultPolicy, Design, InterfaceName, LogDropped, Masquerade, Name, Nat, Ping, PortForward,
    PortList, Protections, Redirect, SshLimit, Source, Transport, CATALOGUE,
};
use proptest::prelude::*;

pub fn any_source() -> impl Strategy<Value = Source> {
    let parse = |text: String| text.parse::<Source>().expect("a generated source is valid");
    prop_oneof![
        (any::<[u8; 4]>(), 0u8..=32).prop_map(move |(octets, prefix)| {
            parse(ipnet::Ipv4Net::new(octets.into(), prefix).expect("prefix <= 32").trunc().to_string())
        }),
        (any::<[u16; 8]>(), 0u8..=128).prop_map(move |(segments, prefix)| {
            parse(ipnet::Ipv6Net::new(segments.into(), prefix).expect("prefix <= 128").trunc().to_string())
        }),
        (any::<u32>(), any::<u32>()).prop_map(move |(a, b)| {
            let (first, last) = (std::net::Ipv4Addr::from(a.min(b)), std::net::Ipv4Addr::from(a.max(b)));
            parse(format!("{first}-{last}"))
        }),
        (any::<u128>(), any::<u128>()).prop_map(move |(a, b)| {
            let (first, last) = (std::net::Ipv6Addr::from(a.min(b)), std::net::Ipv6Addr::from(a.max(b)));
            parse(format!("{first}-{last}"))
        }),
    ]
}

pub const GROUP_NAMES: [&str; 4] = ["office", "monitoring", "app-servers", "vpn_2"];

/// Group names to restrict to (indices into the design's groups) and inline sources.
pub fn any_access() -> impl Strategy<Value = (Vec<usize>, Vec<Source>)> {
    (prop::collection::vec(0..GROUP_NAMES.len(), 0..3), prop::collection::vec(any_source(), 0..3))
}

pub fn any_custom_service() -> impl Strategy<Value = CustomService> {
    let port = (1u16..=u16::MAX, 0u16..200).prop_map(|(first, width)| {
        let last = first.saturating_add(width);
        if width % 2 == 0 { first.to_string() } else { format!("{first}-{last}") }
    });
    let transport = prop_oneof![Just(Transport::Tcp), Just(Transport::Udp), Just(Transport::TcpAndUdp)];
    (0..3usize, transport, prop::collection::vec(port, 1..4)).prop_map(|(name, transport, ports)| {
        let name: Name = ["game", "api", "metrics-7"][name].parse().expect("valid name");
        let ports: PortList = ports.join(",").parse().expect("valid ports");
        CustomService::new(name, transport, ports)
    })
}

pub fn any_design() -> impl Strategy<Value = Design> {
    let groups = prop::collection::vec((0..GROUP_NAMES.len(), prop::collection::vec(any_source(), 0..4)), 0..4);
    let services = prop::collection::vec((0..CATALOGUE.len(), any_access()), 0..8);
    let customs = prop::collection::vec((any_custom_service(), any_access()), 0..3);
    (groups, services, customs).prop_map(|(groups, services, customs)| {
        let mut design = Design::default();
        for (index, list) in groups {
            design.set_group(GROUP_NAMES[index].parse().expect("valid name"), list);
        }
        let defined: Vec<Name> = design.groups().map(|(name, _)| name.clone()).collect();
        let access = |(indices, sources): (Vec<usize>, Vec<Source>)| {
            let groups = indices.iter().filter_map(|index| defined.get(*index).cloned()).collect();
            Access::only(groups, sources)
        };
        for (index, chosen) in services {
            design.allow_access(CATALOGUE[index].id(), access(chosen)).expect("groups exist");
        }
        for (service, chosen) in customs {
            design.add_custom_service(service, access(chosen)).expect("groups exist");
        }
        design
    })
}


/// Any valid protections.
pub fn any_protections() -> impl Strategy<Value = Protections> {
    let ping = prop_oneof![Just(Ping::Off), (1u32..=100).prop_map(|per_second| Ping::Limited { per_second }), Just(Ping::On)];
    let limit = prop::option::of((1u32..=19, 1u32..=86_400).prop_map(|(connections, seconds)| SshLimit { connections, seconds }));
    let log = prop::option::of((1u32..=600).prop_map(|per_minute| LogDropped { per_minute }));
    let action = prop_oneof![Just(BlockAction::Drop), Just(BlockAction::Reject)];
    let policy = || prop_oneof![Just(DefaultPolicy::Drop), Just(DefaultPolicy::Accept)];
    let policies = (policy(), policy());
    (any::<[bool; 6]>(), ping, limit, log, action, policies).prop_map(
        |(flags, ping, ssh_limit, log_dropped, block_action, (input_policy, forward_policy))| Protections {
            input_policy,
            forward_policy,
            allow_loopback: flags[4],
            allow_established: flags[5],
            drop_invalid: flags[0],
            drop_scans: flags[1],
            ping,
            ssh_limit,
            block_outgoing_smtp: flags[2],
            restricted_output: flags[3],
            log_dropped,
            block_action,
        },
    )
}

/// [`any_design`] with any protections and a block list.
pub fn any_protected_design() -> impl Strategy<Value = Design> {
    (any_design(), any_protections(), prop::collection::vec(any_source(), 0..3)).prop_map(|(mut design, protections, blocked)| {
        design.set_protections(protections).expect("generated protections are in range");
        design.set_block_list(blocked);
        design
    })
}

pub fn any_transport() -> impl Strategy<Value = Transport> {
    prop_oneof![Just(Transport::Tcp), Just(Transport::Udp), Just(Transport::TcpAndUdp)]
}

pub const INTERFACE_NAMES: [&str; 5] = ["eth0", "eth1", "wg0", "br-lan.100", "veth+"];

pub fn any_interfaces() -> impl Strategy<Value = Vec<InterfaceName>> {
    prop::collection::vec((0..INTERFACE_NAMES.len()).prop_map(|index| INTERFACE_NAMES[index].parse().expect("valid interface")), 0..3)
}

/// A NAT entry before it meets a design: a redirect, a port forward (with group indices as in
/// [`any_access`]) or a masquerade.
#[derive(Debug, Clone)]
pub enum NatEntry {
    Redirect(Redirect),
    Forward { transport: Transport, port: u16, to: std::net::IpAddr, to_port: u16, interfaces: Vec<InterfaceName>, access: (Vec<usize>, Vec<Source>) },
    Masquerade(Masquerade),
}

pub fn any_nat_entry() -> impl Strategy<Value = NatEntry> {
    let redirect = (any_transport(), 1u16.., 1u16.., any_interfaces())
        .prop_filter_map("a redirect to another port", |(transport, from, to, interfaces)| Redirect::new(transport, from, to, interfaces).ok())
        .prop_map(NatEntry::Redirect);
    let host = prop_oneof![
        any::<u8>().prop_map(|last| std::net::IpAddr::from([198, 51, 100, last.clamp(1, 254)])),
        any::<u16>().prop_map(|last| std::net::IpAddr::from([0x2001, 0xdb8, 0, 0, 0, 0, 0, last.max(1)])),
    ];
    let forward = (any_transport(), 1u16.., host, 1u16.., any_interfaces(), any_access())
        .prop_map(|(transport, port, to, to_port, interfaces, access)| NatEntry::Forward { transport, port, to, to_port, interfaces, access });
    let network = any_source().prop_filter("a network, not every address", |source| source.net().is_some_and(|net| net.prefix_len() > 0));
    let masquerade = (network, 0..INTERFACE_NAMES.len())
        .prop_map(|(network, out)| NatEntry::Masquerade(Masquerade::new(network, INTERFACE_NAMES[out].parse().expect("valid interface")).expect("a network")))
        .boxed();
    prop_oneof![redirect, forward, masquerade]
}

/// [`any_protected_design`] with interfaces on some services and NAT entries (each entry that
/// would clash with the ones before it is left out).
pub fn any_full_design() -> impl Strategy<Value = Design> {
    (any_protected_design(), prop::collection::vec(any_interfaces(), 0..4), prop::collection::vec(any_nat_entry(), 0..5)).prop_map(
        |(mut design, interfaces, entries)| {
            let services: Vec<_> = design.services().map(|(id, _)| id).collect();
            for (service, list) in services.into_iter().zip(interfaces.iter()) {
                design.limit_to_interfaces(service, list.clone()).expect("an open service");
            }
            let customs: Vec<Name> = design.custom_services().map(|(service, _)| service.name().clone()).collect();
            for (name, list) in customs.iter().zip(interfaces.iter().rev()) {
                design.limit_custom_to_interfaces(name, list.clone()).expect("a custom service");
            }
            let defined: Vec<Name> = design.groups().map(|(name, _)| name.clone()).collect();
            let mut nat = Nat::default();
            for entry in entries {
                let mut candidate = nat.clone();
                match entry {
                    NatEntry::Redirect(redirect) => candidate.redirects.push(redirect),
                    NatEntry::Forward { transport, port, to, to_port, interfaces, access: (indices, sources) } => {
                        let groups = indices.iter().filter_map(|index| defined.get(*index).cloned()).collect();
                        let forward = PortForward::new(transport, port, to, to_port, interfaces, Access::only(groups, sources));
                        candidate.port_forwards.push(forward.expect("a host address and ports above 0"));
                    }
                    NatEntry::Masquerade(masquerade) => candidate.masquerades.push(masquerade),
                }
                if design.set_nat(candidate.clone()).is_ok() {
                    nat = candidate;
                }
            }
            design
        },
    )
}

/// A containers choice as generated: the exposure (0 everyone, 1 trusted, 2 host only), the
/// trusted groups (indices into the design's) and sources, and the published ports, if listed.
pub type ContainersChoice = (u8, (Vec<usize>, Vec<Source>), Option<(Transport, PortList)>);

/// A containers choice (any exposure, every published port or a list).
pub fn any_containers() -> impl Strategy<Value = ContainersChoice> {
    let ports = (any_transport(), prop::collection::vec(1u16..=u16::MAX, 1..4))
        .prop_map(|(transport, ports)| (transport, ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(",").parse().expect("valid ports")));
    (0u8..3, any_access(), prop::option::of(ports))
}

/// [`any_full_design`] with a containers choice, or without one.
pub fn any_docker_design() -> impl Strategy<Value = Design> {
    use portcullis_engine::design::{ContainerExposure, ContainerPorts, PublishedPorts};
    (any_full_design(), prop::option::of(any_containers())).prop_map(|(mut design, choice)| {
        let defined: Vec<Name> = design.groups().map(|(name, _)| name.clone()).collect();
        let choice = choice.map(|(kind, (indices, sources), ports)| {
            let exposure = match kind {
                0 => ContainerExposure::Everyone,
                1 => ContainerExposure::trusted(indices.iter().filter_map(|index| defined.get(*index).cloned()).collect(), sources),
                _ => ContainerExposure::HostOnly,
            };
            ContainerPorts::new(exposure, ports.map(|(transport, list)| PublishedPorts::new(transport, list)))
        });
        design.set_containers(choice).expect("only the design's groups");
        design
    })
}
