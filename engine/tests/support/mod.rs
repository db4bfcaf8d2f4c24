//! Generators shared by the engine's integration tests: designs with random groups, services,
//! custom services and (in [`any_protected_design`]) protections.

#![allow(dead_code, unreachable_pub)] // each test file uses a part

use portcullis_engine::design::{Access, BlockAction, CustomService, DefaultPolicy, Design, LogDropped, Name, Ping, PortList, Protections, SshLimit, Source, Transport, CATALOGUE};
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
