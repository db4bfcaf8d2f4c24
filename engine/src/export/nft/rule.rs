//! One iptables rule → the statements of one nft rule, or the reason it has no exact translation.
//!
//! Statements keep the rule's order (base matches, then modules in order, then the target): nft
//! evaluates left to right like iptables, which matters for stateful matches such as `limit`.
//! The match over [`Module`] and [`Target`] is exhaustive: every variant either translates exactly
//! or is refused by name.

use std::fmt::Write as _;

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::{
    ConnDirection, ConnState, ConnStates, ConnTrack, IcmpType, Interface, Log, Masquerade, Module, Nat, Negated,
    PortDirection, PortSpec, Protocol, RejectWith, Rule, Target,
};
use crate::model::{AddressRange, Family};

use super::recent::Meter;

/// A translated rule: its statements without any family qualifier, and whether they already
/// restrict it to its family (an `ip`/`ip6` address match does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Statements {
    pub(super) text: String,
    pub(super) family_bound: bool,
    /// Harmless changes made on the way (a comment shortened, a quote replaced).
    pub(super) notes: Vec<String>,
}

/// Translates `rule` of `family`; `chain_name` maps a user chain to its nft name; `meter` is what
/// its `-m recent` stands for when it closes the brute-force idiom (see [`super::recent`]).
pub(super) fn translate(rule: &Rule, family: Family, chain_name: &dyn Fn(&str) -> String, meter: Option<&Meter>) -> Result<Statements, String> {
    let mut out = Vec::<String>::new();
    let mut notes = Vec::new();
    let mut family_bound = false;
    let mut comments = Vec::new();
    for (value, side) in [(&rule.source, "saddr"), (&rule.destination, "daddr")] {
        if let Some(net) = value {
            if let Some(text) = address(net, side)? {
                out.push(text);
                family_bound = true;
            }
        }
    }
    for (value, name) in [(&rule.in_interface, "iifname"), (&rule.out_interface, "oifname")] {
        if let Some(Negated { negated, value }) = value {
            out.push(format!("{name} {}\"{}\"", not(*negated), interface(value)?));
        }
    }
    let protocol = match &rule.protocol {
        Some(Negated { negated: false, value }) => Some(*value),
        Some(Negated { negated: true, value }) => {
            if rule.modules.iter().any(|module| matches!(module, Module::Tcp { .. } | Module::Udp { .. } | Module::Multiport { .. })) {
                return Err("`! -p` with a port match has no exact nft translation".to_owned());
            }
            out.push(format!("meta l4proto != {}", protocol_name(*value)));
            None
        }
        None => None,
    };
    if let Some(protocol) = protocol {
        if !rule.modules.first().is_some_and(|module| implies(module, protocol)) {
            out.push(format!("meta l4proto {}", protocol_name(protocol)));
        }
    }
    match (rule.fragment, family) {
        (None, _) => {}
        (Some(negated), Family::V4) => out.push(format!("ip frag-off & 0x1fff {} 0", if negated { "==" } else { "!=" })),
        (Some(_), Family::V6) => return Err("`-f` does not exist for IPv6".to_owned()),
    }
    // An address range binds the rule to its family as an address does.
    family_bound |= rule.modules.iter().any(|module| matches!(module, Module::IpRange(range) if range.source.is_some() || range.destination.is_some()));
    for module in &rule.modules {
        module_statements(module, protocol, meter, &mut out, &mut comments)?;
    }
    if let Some(target) = &rule.target {
        out.push(target_statement(target, family, chain_name, &mut notes)?);
    } else if out.is_empty() {
        out.push("counter".to_owned());
    }
    let mut text = out.join(" ");
    if !comments.is_empty() {
        let joined = comments.join("; ");
        let clean = nft_string(&joined, 128, false);
        if clean != joined {
            notes.push(format!("comment `{joined}` written as `{clean}`"));
        }
        let _ = write!(text, " comment \"{clean}\"");
    }
    Ok(Statements { text, family_bound, notes })
}

fn not(negated: bool) -> &'static str {
    if negated {
        "!= "
    } else {
        ""
    }
}

fn address(net: &Negated<IpNet>, side: &str) -> Result<Option<String>, String> {
    let prefix = match net.value {
        IpNet::V4(_) => "ip",
        IpNet::V6(_) => "ip6",
    };
    if net.value.prefix_len() == 0 {
        // Every address of the family: the family qualifier says it all.
        return if net.negated { Err("a negated `/0` address never matches".to_owned()) } else { Ok(None) };
    }
    let value = if net.value.prefix_len() == net.value.max_prefix_len() { net.value.addr().to_string() } else { net.value.to_string() };
    Ok(Some(format!("{prefix} {side} {}{value}", not(net.negated))))
}

/// `-m iprange --src-range A-B` → `ip saddr A-B` (nft refuses a reversed range, which iptables
/// accepts and never matches).
fn address_range(range: &Negated<AddressRange>, side: &str) -> Result<String, String> {
    let AddressRange { first, last } = range.value;
    if last < first {
        return Err(format!("the reversed range `{first}-{last}` never matches; nft refuses it"));
    }
    let prefix = match (first, last) {
        (IpAddr::V4(_), IpAddr::V4(_)) => "ip",
        (IpAddr::V6(_), IpAddr::V6(_)) => "ip6",
        _ => return Err(format!("the range `{first}-{last}` mixes IPv4 and IPv6")),
    };
    let value = if first == last { first.to_string() } else { format!("{first}-{last}") };
    Ok(format!("{prefix} {side} {}{value}", not(range.negated)))
}

/// An interface name as an nft string: `+` → `*`; any character nft would read specially refused.
fn interface(name: &Interface) -> Result<String, String> {
    let text = name.as_str();
    let (stem, wildcard) = text.strip_suffix('+').map_or((text, false), |stem| (stem, true));
    if !stem.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':' | '@')) {
        return Err(format!("interface `{text}` holds characters nft cannot match literally"));
    }
    Ok(if wildcard { format!("{stem}*") } else { stem.to_owned() })
}

/// Names for the protocols nft knows without `/etc/protocols` differences; numbers otherwise.
fn protocol_name(protocol: Protocol) -> String {
    match protocol.number() {
        1 => "icmp".to_owned(),
        6 => "tcp".to_owned(),
        17 => "udp".to_owned(),
        33 => "dccp".to_owned(),
        58 => "ipv6-icmp".to_owned(),
        132 => "sctp".to_owned(),
        136 => "udplite".to_owned(),
        number => number.to_string(),
    }
}

/// Whether `module`'s first statement already requires `protocol` (so `meta l4proto` is implied).
fn implies(module: &Module, protocol: Protocol) -> bool {
    match module {
        Module::Tcp { source_port, destination_port, flags, option } => {
            protocol == Protocol::TCP && (source_port.is_some() || destination_port.is_some() || flags.is_some() || option.is_some())
        }
        Module::Udp { source_port, destination_port } => {
            protocol == Protocol::UDP && (source_port.is_some() || destination_port.is_some())
        }
        Module::Multiport { .. } => port_protocol(Some(protocol)).is_ok(),
        Module::Icmp(icmp) => protocol == Protocol::ICMP && icmp.value.icmp_type.is_some(),
        Module::Icmp6(icmp) => protocol == Protocol::ICMPV6 && icmp.value.icmp_type.is_some(),
        _ => false,
    }
}

fn port_protocol(protocol: Option<Protocol>) -> Result<&'static str, String> {
    match protocol.map(Protocol::number) {
        Some(6) => Ok("tcp"),
        Some(17) => Ok("udp"),
        Some(33) => Ok("dccp"),
        Some(132) => Ok("sctp"),
        Some(136) => Ok("udplite"),
        _ => Err("a port match needs `-p tcp`, `udp`, `sctp`, `udplite` or `dccp`".to_owned()),
    }
}

fn ports(value: PortSpec) -> String {
    if value.first() == value.last() {
        value.first().to_string()
    } else {
        format!("{}-{}", value.first(), value.last())
    }
}

fn port_statements(out: &mut Vec<String>, name: &str, source: Option<&Negated<PortSpec>>, destination: Option<&Negated<PortSpec>>) {
    for (value, side) in [(source, "sport"), (destination, "dport")] {
        if let Some(Negated { negated, value }) = value {
            out.push(format!("{name} {side} {}{}", not(*negated), ports(*value)));
        }
    }
}

fn icmp_statements(out: &mut Vec<String>, name: &str, icmp: &Negated<IcmpType>) -> Result<(), String> {
    match (icmp.value.icmp_type, icmp.value.code, icmp.negated) {
        (None, _, false) => {}
        (None, _, true) => return Err("`! --icmp-type any` never matches".to_owned()),
        (Some(icmp_type), None, negated) => out.push(format!("{name} type {}{icmp_type}", not(negated))),
        (Some(icmp_type), Some(code), false) => out.push(format!("{name} type {icmp_type} {name} code {code}")),
        (Some(_), Some(_), true) => return Err("a negated ICMP type with a code has no exact nft translation".to_owned()),
    }
    Ok(())
}

/// `--ctstate SNAT` / `DNAT` are the connection's NAT status bits (`xt_conntrack.c` sets them from
/// `IPS_SRC_NAT` / `IPS_DST_NAT`): nft's `ct status snat` / `dnat`. A set mixing them with real
/// states is an "or" across two keys, which one nft expression cannot say.
fn nat_states(states: &Negated<ConnStates>) -> Option<Result<String, String>> {
    let all = states.value.states();
    let bits: Vec<&str> = all
        .iter()
        .filter_map(|state| match state {
            ConnState::Snat => Some("snat"),
            ConnState::Dnat => Some("dnat"),
            _ => None,
        })
        .collect();
    if bits.is_empty() {
        return None;
    }
    if bits.len() != all.len() {
        return Some(Err("conntrack states mixing SNAT/DNAT with other states have no exact nft translation".to_owned()));
    }
    Some(Ok(if states.negated {
        format!("ct status & ({}) == 0", bits.join(" | "))
    } else {
        format!("ct status {}", bits.join(","))
    }))
}

fn states(states: &Negated<ConnStates>) -> Result<String, String> {
    if let Some(translated) = nat_states(states) {
        return translated;
    }
    let mut names = Vec::new();
    for state in states.value.states() {
        names.push(match state {
            ConnState::Invalid => "invalid",
            ConnState::New => "new",
            ConnState::Related => "related",
            ConnState::Established => "established",
            ConnState::Untracked => "untracked",
            ConnState::Snat | ConnState::Dnat => unreachable!("nat_states takes every set holding SNAT or DNAT"),
        });
    }
    Ok(if states.negated { format!("ct state & ({}) == 0", names.join(" | ")) } else { format!("ct state {}", names.join(",")) })
}

fn conntrack(conntrack: &ConnTrack, out: &mut Vec<String>) -> Result<(), String> {
    let ConnTrack {
        state,
        protocol,
        original_source,
        original_destination,
        reply_source,
        reply_destination,
        original_source_port,
        original_destination_port,
        reply_source_port,
        reply_destination_port,
        status,
        expire,
        direction,
    } = conntrack;
    let untranslated = protocol.is_some()
        || original_source.is_some()
        || original_destination.is_some()
        || reply_source.is_some()
        || reply_destination.is_some()
        || expire.is_some();
    if untranslated {
        return Err(
            "`-m conntrack` options other than --ctstate, --ctstatus, --ctdir and the tuple ports are not translated".to_owned(),
        );
    }
    if let Some(state) = state {
        out.push(states(state)?);
    }
    // The ports of the connection's original and reply tuples (`--ctorigdstport 80`: the
    // connection's first packet went to port 80, whatever NAT made of it).
    let tuple_ports = [
        (original_source_port, "original proto-src"),
        (original_destination_port, "original proto-dst"),
        (reply_source_port, "reply proto-src"),
        (reply_destination_port, "reply proto-dst"),
    ];
    for (value, key) in tuple_ports {
        if let Some(Negated { negated, value }) = value {
            out.push(format!("ct {key} {}{}", not(*negated), ports(*value)));
        }
    }
    if let Some(Negated { negated, value }) = status {
        let names: Vec<String> = value.to_string().to_ascii_lowercase().split(',').map(|name| name.replace('_', "-")).collect();
        if value.0 == 0 {
            return Err("`--ctstatus NONE` has no exact nft translation".to_owned());
        }
        out.push(if *negated { format!("ct status & ({}) == 0", names.join(" | ")) } else { format!("ct status {}", names.join(",")) });
    }
    match direction {
        Some(ConnDirection::Original) => out.push("ct direction original".to_owned()),
        Some(ConnDirection::Reply) => out.push("ct direction reply".to_owned()),
        None => {}
    }
    Ok(())
}

fn module_statements(
    module: &Module,
    protocol: Option<Protocol>,
    meter: Option<&Meter>,
    out: &mut Vec<String>,
    comments: &mut Vec<String>,
) -> Result<(), String> {
    let refuse = |name: &str| Err(format!("`-m {name}` has no exact nft translation in this export"));
    match module {
        Module::Tcp { source_port, destination_port, flags, option } => {
            if protocol != Some(Protocol::TCP) {
                return Err("`-m tcp` needs `-p tcp`".to_owned());
            }
            if option.is_some() {
                return Err("`--tcp-option` has no exact nft translation in this export".to_owned());
            }
            port_statements(out, "tcp", source_port.as_ref(), destination_port.as_ref());
            if let Some(Negated { negated, value: (mask, set) }) = flags {
                let names = |flags: crate::model::TcpFlags| flags.to_string().to_ascii_lowercase().replace(',', " | ");
                let set = if set.bits() == 0 { "0x0".to_owned() } else { names(*set) };
                let mask = if mask.bits() == 0 { "0x0".to_owned() } else { names(*mask) };
                out.push(format!("tcp flags & ({mask}) {} {set}", if *negated { "!=" } else { "==" }));
            }
        }
        Module::Udp { source_port, destination_port } => {
            if protocol != Some(Protocol::UDP) {
                return Err("`-m udp` needs `-p udp`".to_owned());
            }
            port_statements(out, "udp", source_port.as_ref(), destination_port.as_ref());
        }
        Module::Multiport { direction, ports: list } => {
            let name = port_protocol(protocol)?;
            let side = match direction {
                PortDirection::Source => "sport",
                PortDirection::Destination => "dport",
                PortDirection::Either => return Err("`--ports` (source or destination) has no exact nft translation".to_owned()),
            };
            let items: Vec<String> = list.value.iter().map(|port| ports(*port)).collect();
            out.push(format!("{name} {side} {}{{ {} }}", not(list.negated), items.join(", ")));
        }
        Module::Icmp(icmp) => icmp_statements(out, "icmp", icmp)?,
        Module::Icmp6(icmp) => icmp_statements(out, "icmpv6", icmp)?,
        Module::ConnTrack(value) => conntrack(value, out)?,
        Module::State(value) => out.push(states(value)?),
        Module::Limit { rate, burst } => {
            let text = rate.to_string();
            let (count, unit) = text.split_once('/').unwrap_or((&text, "sec"));
            let unit = match unit {
                "min" => "minute",
                "hour" => "hour",
                "day" => "day",
                _ => "second",
            };
            out.push(format!("limit rate {count}/{unit} burst {burst} packets"));
        }
        Module::Comment(text) => comments.push(text.clone()),
        Module::Recent(_) => match meter {
            Some(meter) => out.push(meter.statement()),
            None => {
                return Err("`-m recent` translates only as the brute-force pair (`--set`, then `--update --seconds S \
                            --hitcount H` on the same packets, the list used by nothing else)"
                    .to_owned())
            }
        },
        Module::Hashlimit(_) => return refuse("hashlimit"),
        Module::Connlimit(_) => return refuse("connlimit"),
        Module::IpRange(range) => {
            for (value, side) in [(&range.source, "saddr"), (&range.destination, "daddr")] {
                if let Some(range) = value {
                    out.push(address_range(range, side)?);
                }
            }
        }
        Module::Mac(_) => return refuse("mac"),
        Module::AddrType(_) => return refuse("addrtype"),
        Module::Mark(_) => return refuse("mark"),
        Module::ConnMark(_) => return refuse("connmark"),
        Module::Length(_) => return refuse("length"),
        Module::Ttl(_) => return refuse("ttl"),
        Module::HopLimit(_) => return refuse("hl"),
        Module::PacketType(_) => return refuse("pkttype"),
        Module::Physdev(_) => return refuse("physdev"),
        Module::String(_) => return refuse("string"),
        Module::Time(_) => return refuse("time"),
        Module::Owner(_) => return refuse("owner"),
        Module::Set(_) => return refuse("set"),
        Module::Unknown { name, .. } => return refuse(name),
    }
    Ok(())
}

/// A string nft reads literally: at most `max` bytes, `"` → `'`, control characters → `?`, and
/// (in log prefixes, where nft expands variables) `$` → `_`.
pub(super) fn nft_string(text: &str, max: usize, dollar: bool) -> String {
    let mut clean = String::new();
    for c in text.chars() {
        let c = match c {
            '"' => '\'',
            '$' if dollar => '_',
            c if c.is_control() => '?',
            c => c,
        };
        if clean.len() + c.len_utf8() > max {
            break;
        }
        clean.push(c);
    }
    clean
}

fn log_statement(log: &Log, notes: &mut Vec<String>) -> String {
    let mut text = "log".to_owned();
    if let Some(prefix) = &log.prefix {
        let clean = nft_string(prefix, 127, true);
        if &clean != prefix {
            notes.push(format!("log prefix `{prefix}` written as `{clean}`"));
        }
        let _ = write!(text, " prefix \"{clean}\"");
    }
    if log.level != 4 {
        let level = ["emerg", "alert", "crit", "err", "warn", "notice", "info", "debug"];
        let _ = write!(text, " level {}", level.get(usize::from(log.level)).unwrap_or(&"warn"));
    }
    if log.tcp_sequence && log.tcp_options {
        text.push_str(" flags tcp sequence,options");
    } else if log.tcp_sequence {
        text.push_str(" flags tcp sequence");
    } else if log.tcp_options {
        text.push_str(" flags tcp options");
    }
    for (set, flag) in [(log.ip_options, " flags ip options"), (log.uid, " flags skuid"), (log.macdecode, " flags ether")] {
        if set {
            text.push_str(flag);
        }
    }
    text
}

fn reject(with: RejectWith, family: Family) -> Result<&'static str, String> {
    Ok(match (with, family) {
        (RejectWith::PortUnreachable, _) => "reject with icmpx type port-unreachable",
        (RejectWith::AdminProhibited, _) => "reject with icmpx type admin-prohibited",
        (RejectWith::TcpReset, _) => "reject with tcp reset",
        (RejectWith::NetUnreachable, Family::V4) => "reject with icmp type net-unreachable",
        (RejectWith::HostUnreachable, Family::V4) => "reject with icmp type host-unreachable",
        (RejectWith::ProtoUnreachable, Family::V4) => "reject with icmp type prot-unreachable",
        (RejectWith::NetProhibited, Family::V4) => "reject with icmp type net-prohibited",
        (RejectWith::HostProhibited, Family::V4) => "reject with icmp type host-prohibited",
        (RejectWith::NoRoute, Family::V6) => "reject with icmpv6 type no-route",
        (RejectWith::AddrUnreachable, Family::V6) => "reject with icmpv6 type addr-unreachable",
        (RejectWith::PolicyFail, Family::V6) => "reject with icmpv6 type policy-fail",
        (RejectWith::RejectRoute, Family::V6) => "reject with icmpv6 type reject-route",
        (
            RejectWith::NetUnreachable
            | RejectWith::HostUnreachable
            | RejectWith::ProtoUnreachable
            | RejectWith::NetProhibited
            | RejectWith::HostProhibited
            | RejectWith::NoRoute
            | RejectWith::AddrUnreachable
            | RejectWith::PolicyFail
            | RejectWith::RejectRoute,
            _,
        ) => {
            let other = if family == Family::V4 { Family::V6 } else { Family::V4 };
            return Err(format!("`--reject-with {}` does not exist for {family}", with.name(other)));
        }
    })
}

fn nat(kind: &str, nat: &Nat, family: Family) -> Result<String, String> {
    let Some((first, last)) = nat.to.addresses else {
        return Err(format!("{kind} to a port only has no exact nft translation; name the address"));
    };
    let (prefix, bracket) = match family {
        Family::V4 => ("ip", false),
        Family::V6 => ("ip6", nat.to.ports.is_some()),
    };
    if bracket && first != last {
        return Err(format!("{kind} to an IPv6 address range with ports is not translated"));
    }
    let mut text = format!("{kind} {prefix} to {}", nat.to);
    let flags: Vec<&str> = [(nat.random, "random"), (nat.random_fully, "fully-random"), (nat.persistent, "persistent")]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
    if !flags.is_empty() {
        let _ = write!(text, " {}", flags.join(","));
    }
    Ok(text)
}

fn masquerade(kind: &str, value: Masquerade) -> String {
    let mut text = kind.to_owned();
    if let Some(ports) = value.ports {
        let _ = write!(text, " to :{ports}");
    }
    let flags: Vec<&str> = [(value.random, "random"), (value.random_fully, "fully-random")]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
    if !flags.is_empty() {
        let _ = write!(text, " {}", flags.join(","));
    }
    text
}

fn target_statement(target: &Target, family: Family, chain_name: &dyn Fn(&str) -> String, notes: &mut Vec<String>) -> Result<String, String> {
    let refuse = |name: &str| Err(format!("`-j {name}` has no exact nft translation in this export"));
    Ok(match target {
        Target::Accept => "accept".to_owned(),
        Target::Drop => "drop".to_owned(),
        Target::Return => "return".to_owned(),
        Target::Reject(with) => reject(*with, family)?.to_owned(),
        Target::Log(log) => log_statement(log, notes),
        Target::Jump(chain) => format!("jump {}", chain_name(chain.as_str())),
        Target::Goto(chain) => format!("goto {}", chain_name(chain.as_str())),
        Target::Dnat(value) => nat("dnat", value, family)?,
        Target::Snat(value) => nat("snat", value, family)?,
        Target::Masquerade(value) => masquerade("masquerade", *value),
        Target::Redirect(value) => masquerade("redirect", *value),
        Target::NoTrack => "notrack".to_owned(),
        Target::Ct(ct) if ct.notrack && ct.helper.is_none() && ct.zone.is_none() => "notrack".to_owned(),
        Target::Trace => "meta nftrace set 1".to_owned(),
        Target::Ct(_) => return refuse("CT"),
        Target::Nflog(_) => return refuse("NFLOG"),
        Target::Mark(_) => return refuse("MARK"),
        Target::ConnMark(_) => return refuse("CONNMARK"),
        Target::TcpMss(_) => return refuse("TCPMSS"),
        Target::Set(_) => return refuse("SET"),
        Target::Unknown { name, .. } => return refuse(name),
    })
}
