//! Random valid designs: catalogue services and custom services (port lists and ranges, TCP,
//! UDP or both), open to everyone or to groups and inline sources of both families (addresses,
//! networks, ranges), every protection toggled and tuned, block lists. Names and numbers go to
//! the edges of what the design accepts (32-character names, 32-entry port lists, limits at
//! their bounds) so the exports meet them.

use std::net::{Ipv4Addr, Ipv6Addr};

use portcullis_engine::design::{
    Access, BlockAction, CustomService, DefaultPolicy, Design, LogDropped, Name, Ping, Protections, Source, SshLimit, Transport, CATALOGUE,
};

use super::Rng;

/// The documentation networks addresses are drawn from.
const V4_NETWORKS: [[u8; 3]; 3] = [[192, 0, 2], [198, 51, 100], [203, 0, 113]];

fn v4(rng: &mut Rng) -> Ipv4Addr {
    let [a, b, c] = *rng.pick(&V4_NETWORKS);
    Ipv4Addr::new(a, b, c, u8::try_from(rng.below(256)).unwrap_or(0))
}

fn v6(rng: &mut Rng) -> Ipv6Addr {
    let segment = |rng: &mut Rng| u16::try_from(rng.below(0x1_0000)).unwrap_or(0);
    let (s2, s3, s7) = (segment(rng), if rng.chance(50) { 0 } else { segment(rng) }, segment(rng));
    Ipv6Addr::new(0x2001, 0xdb8, s2, s3, 0, 0, if rng.chance(30) { segment(rng) } else { 0 }, s7)
}

/// One source as people type it: an address, a network without host bits, or a range.
fn source(rng: &mut Rng) -> String {
    match (rng.below(6), rng.chance(50)) {
        (0 | 1, true) => v4(rng).to_string(),
        (0 | 1, false) => v6(rng).to_string(),
        (2 | 3, true) => {
            let prefix = 24 + rng.below(9);
            let bits = u32::from(v4(rng)) & (u32::MAX << (32 - prefix));
            format!("{}/{prefix}", Ipv4Addr::from(bits))
        }
        (2 | 3, false) => {
            let prefix = 32 + rng.below(97);
            let mask = if prefix == 128 { u128::MAX } else { !(u128::MAX >> prefix) };
            format!("{}/{prefix}", Ipv6Addr::from(u128::from(v6(rng)) & mask))
        }
        (_, true) => {
            let first = v4(rng);
            let last = u32::from(first).saturating_add(u32::try_from(rng.below(40)).unwrap_or(0));
            let last = Ipv4Addr::from(last.min(u32::from(first) | 0xff));
            format!("{first}-{last}")
        }
        (_, false) => {
            let first = v6(rng);
            let last = Ipv6Addr::from(u128::from(first).saturating_add(u128::from(rng.below(1_000))));
            format!("{first}-{last}")
        }
    }
}

fn sources(rng: &mut Rng, most: u64) -> Vec<Source> {
    let texts: Vec<String> = (0..rng.below(most + 1)).map(|_| source(rng)).collect();
    Source::parse_list(&texts.join(", ")).unwrap_or_else(|error| panic!("the generator made a bad source list {texts:?}: {error}"))
}

/// A valid name: a letter or digit, then letters, digits, `-`, `_`; sometimes the longest allowed.
fn name(rng: &mut Rng, taken: &[Name]) -> Name {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
    loop {
        let length = if rng.chance(15) { 32 } else { 1 + rng.below(12) };
        let mut text = String::new();
        text.push(char::from(*rng.pick(FIRST)));
        for _ in 1..length {
            text.push(char::from(*rng.pick(REST)));
        }
        let name = Name::new(&text).unwrap_or_else(|error| panic!("the generator made a bad name {text:?}: {error}"));
        if !taken.contains(&name) {
            return name;
        }
    }
}

/// Who may reach a service: everyone, or some of `groups` and inline sources.
fn access(rng: &mut Rng, groups: &[Name]) -> Access {
    if rng.chance(35) {
        return Access::Everyone;
    }
    let chosen: Vec<Name> = groups.iter().filter(|_| rng.chance(40)).cloned().collect();
    Access::only(chosen, sources(rng, 3))
}

fn port_list(rng: &mut Rng) -> String {
    let entries = if rng.chance(10) { 32 } else { 1 + rng.below(5) };
    let mut parts = Vec::new();
    for _ in 0..entries {
        let first = 1 + rng.below(65_535);
        if rng.chance(30) {
            let last = (first + rng.below(2_000)).min(65_535);
            parts.push(format!("{first}-{last}"));
        } else {
            parts.push(first.to_string());
        }
    }
    parts.join(", ")
}

fn protections(rng: &mut Rng) -> Protections {
    let ping = match rng.below(3) {
        0 => Ping::Off,
        1 => Ping::On,
        _ => Ping::Limited { per_second: *rng.pick(&[1, 2, 7, 100]) },
    };
    let ssh_limit = rng.chance(75).then(|| SshLimit { connections: *rng.pick(&[1, 4, 5, 19]), seconds: *rng.pick(&[1, 13, 60, 61, 600, 3_601, 86_400]) });
    let chosen = Protections {
        drop_invalid: rng.chance(80),
        drop_scans: rng.chance(80),
        ping,
        ssh_limit,
        block_outgoing_smtp: rng.chance(30),
        restricted_output: rng.chance(30),
        log_dropped: rng.chance(70).then(|| LogDropped { per_minute: *rng.pick(&[1, 5, 600]) }),
        block_action: if rng.chance(50) { BlockAction::Drop } else { BlockAction::Reject },
        ..Protections::default()
    };
    // Drawn last, so the choices above stay what earlier seeds gave.
    let policy = |rng: &mut Rng| if rng.chance(15) { DefaultPolicy::Accept } else { DefaultPolicy::Drop };
    Protections { input_policy: policy(rng), forward_policy: policy(rng), allow_loopback: rng.chance(85), allow_established: rng.chance(85), ..chosen }
}

/// A random valid design.
///
/// # Panics
/// When the generator itself makes an invalid value (a bug in it, named).
pub fn design(rng: &mut Rng) -> Design {
    let mut design = Design::default();
    let mut groups: Vec<Name> = Vec::new();
    for _ in 0..rng.below(4) {
        let group = name(rng, &groups);
        let members = sources(rng, 5);
        design.set_group(group.clone(), members);
        groups.push(group);
    }
    let services = 1 + rng.below(10);
    for _ in 0..services {
        let info = rng.pick(CATALOGUE);
        let access = access(rng, &groups);
        design.allow_access(info.id(), access).unwrap_or_else(|error| panic!("generated groups exist: {error}"));
    }
    let mut custom: Vec<Name> = Vec::new();
    for _ in 0..rng.below(4) {
        let service = name(rng, &custom);
        let transport = *rng.pick(&[Transport::Tcp, Transport::Udp, Transport::TcpAndUdp]);
        let text = port_list(rng);
        let ports = text.parse().unwrap_or_else(|error| panic!("the generator made a bad port list {text:?}: {error}"));
        let access = access(rng, &groups);
        design
            .add_custom_service(CustomService::new(service.clone(), transport, ports), access)
            .unwrap_or_else(|error| panic!("generated groups exist: {error}"));
        custom.push(service);
    }
    design.set_protections(protections(rng)).unwrap_or_else(|error| panic!("the generator made bad protections: {error}"));
    let block_list = sources(rng, 3);
    design.set_block_list(block_list);
    design
}
