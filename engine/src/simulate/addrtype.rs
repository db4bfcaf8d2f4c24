//! `-m addrtype --dst-type` where the engine can answer it: on the INPUT hook, for the
//! destination, without `--limit-iface-in`. One definition for the simulator
//! ([`super::matching`]) and the exact analysis (`analysis::compile`), so both answer alike.
//!
//! # Why INPUT is decidable
//! Routing has already chosen local delivery for every packet on the INPUT hook (after any DNAT
//! or REDIRECT of PREROUTING), so its destination is one of the host's own addresses, a
//! broadcast or a multicast address. The kernel types an IPv4 destination with `inet_addr_type`:
//! `0.0.0.0/8` and `255.255.255.255` are BROADCAST, `224.0.0.0/4` is MULTICAST, and any other
//! address takes its type from the local routing table: LOCAL for the host's own addresses,
//! BROADCAST for a subnet's broadcast address. The engine does not know the host's subnets, so
//! its model is: a packet that arrived as a link-layer unicast (`pkttype` unicast) is addressed to
//! one of the host's addresses (LOCAL); a link-layer broadcast or multicast to such an address
//! may be a subnet broadcast ("maybe"). The one case the model gets wrong, checked in the real
//! kernel: a subnet broadcast (`192.0.2.255` on a `/24`) sent to the host's own link-layer
//! address is BROADCAST there, LOCAL here; such a packet should be simulated as a link-layer
//! broadcast, which is how senders send it. IPv6 types are flags, not one value (`match_type6`):
//! only `--dst-type LOCAL` alone is answered, LOCAL for a unicast-class destination of a
//! link-layer unicast (an anycast address of the host is left out of the model), "maybe" else.
//!
//! Elsewhere the answer depends on the host: in PREROUTING a later DNAT may still change the
//! destination, and on FORWARD / OUTPUT any address may or may not be the host's. `--src-type`
//! and `--limit-iface-in` / `--limit-iface-out` are always "maybe".

use std::net::IpAddr;

use ipnet::IpNet;

use super::matching::Truth;
use crate::model::{AddrType, AddressTypes, BuiltinChain, Family, PacketType};

/// IPv4 destinations the kernel types as BROADCAST whatever the host's addresses.
pub(crate) const BROADCAST_V4: [&str; 2] = ["0.0.0.0/8", "255.255.255.255/32"];
/// IPv4 multicast.
pub(crate) const MULTICAST_V4: &str = "224.0.0.0/4";
/// IPv6 destinations that are not unicast-class: unspecified, multicast, IPv4-mapped.
pub(crate) const NOT_UNICAST_V6: [&str; 3] = ["::/128", "ff00::/8", "::ffff:0:0/96"];

/// The networks of `texts` (constants above; they always parse).
pub(crate) fn networks(texts: &[&str]) -> Vec<IpNet> {
    texts.iter().filter_map(|text| text.parse().ok()).collect()
}

/// Whether `--dst-type` of `types` is answered from the packet on `hook`.
pub(crate) fn decidable(types: &AddrType, hook: BuiltinChain) -> bool {
    hook == BuiltinChain::Input && types.source.is_none() && types.limit_interface.is_none() && types.destination.is_some()
}

/// What a destination is on the INPUT hook, as far as the engine can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InputDestination {
    /// One of the host's own addresses.
    Local,
    /// A broadcast address whatever the host's subnets (IPv4 `0.0.0.0/8`, `255.255.255.255`).
    Broadcast,
    /// A multicast address (IPv4).
    Multicast,
    /// Depends on the host's addresses, or an IPv6 type the engine does not model.
    Unknown,
}

impl InputDestination {
    /// The class of `destination` arriving as `packet_type`.
    pub(crate) fn of(destination: IpAddr, packet_type: PacketType) -> Self {
        let within = |texts: &[&str]| networks(texts).iter().any(|net| net.contains(&destination));
        match destination {
            IpAddr::V4(_) if within(&BROADCAST_V4) => Self::Broadcast,
            IpAddr::V4(_) if within(&[MULTICAST_V4]) => Self::Multicast,
            IpAddr::V6(_) if within(&NOT_UNICAST_V6) => Self::Unknown,
            _ if packet_type == PacketType::Unicast => Self::Local,
            _ => Self::Unknown,
        }
    }

    /// Whether `--dst-type types` (not negated) holds for a destination of this class.
    pub(crate) fn matches(self, family: Family, types: AddressTypes) -> Truth {
        let named = |name: &str| Truth::from(types.contains(name));
        match (family, self) {
            (Family::V4, Self::Local) => named("LOCAL"),
            (Family::V4, Self::Broadcast) => named("BROADCAST"),
            (Family::V4, Self::Multicast) => named("MULTICAST"),
            // IPv6: only LOCAL alone is modelled (a local address is also UNICAST there, and
            // ANYCAST / UNREACHABLE come from a route lookup).
            (Family::V6, Self::Local) if types == local_only() => Truth::Yes,
            (_, Self::Unknown) | (Family::V6, _) => Truth::Maybe,
        }
    }
}

fn local_only() -> AddressTypes {
    AddressTypes::parse("LOCAL").unwrap_or(AddressTypes(0))
}

/// The answer of `-m addrtype` with [`decidable`] options for `packet` on INPUT.
pub(crate) fn destination_matches(types: &AddrType, family: Family, destination: IpAddr, packet_type: PacketType) -> Truth {
    let Some(wanted) = &types.destination else { return Truth::Yes };
    InputDestination::of(destination, packet_type).matches(family, wanted.value).negate_if(wanted.negated)
}

#[cfg(test)]
mod tests {
    use crate::analysis::compile::{address_number, rule_matches, Universe};
    use crate::analysis::space::{Ints, DST, PKTTYPE};
    use crate::import::import;
    use crate::model::{BuiltinChain, PacketType};
    use crate::simulate::{simulate, Packet, Path, Truth, Verdict};

    const PACKET_TYPES: [PacketType; 4] = [PacketType::Unicast, PacketType::Broadcast, PacketType::Multicast, PacketType::OtherHost];

    fn ruleset(family: &str, chain: &str, rule: &str) -> crate::model::Ruleset {
        let text = format!("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A {chain} {rule} -j DROP\nCOMMIT\n");
        let family = if family == "v6" { crate::model::Family::V6 } else { crate::model::Family::V4 };
        import(&text, Some(family)).value.rulesets.remove(0)
    }

    fn answer(rule: &str, destination: &str, packet_type: PacketType) -> Truth {
        let ruleset = ruleset(if destination.contains(':') { "v6" } else { "v4" }, "INPUT", rule);
        let source = if destination.contains(':') { "2001:db8:1::7" } else { "203.0.113.7" };
        let mut packet = Packet::parse(&format!("udp {source} -> {destination} in eth0")).expect("packet");
        packet.packet_type = packet_type;
        let rule = &ruleset.tables[0].chains[0].rules[0];
        super::super::matching::evaluate_at(rule, &packet, BuiltinChain::Input).truth
    }

    #[test]
    fn destinations_on_input() {
        use PacketType::{Broadcast, Unicast};
        let local = "-m addrtype --dst-type LOCAL";
        assert_eq!(answer(local, "198.51.100.1", Unicast), Truth::Yes);
        assert_eq!(answer(local, "127.0.0.1", Unicast), Truth::Yes);
        assert_eq!(answer(local, "255.255.255.255", Unicast), Truth::No);
        assert_eq!(answer(local, "224.0.0.251", PacketType::Multicast), Truth::No);
        // A link-layer broadcast to an ordinary address may be a subnet broadcast.
        assert_eq!(answer(local, "192.0.2.255", Broadcast), Truth::Maybe);
        assert_eq!(answer("-m addrtype ! --dst-type LOCAL", "198.51.100.1", Unicast), Truth::No);
        assert_eq!(answer("-m addrtype --dst-type UNICAST", "198.51.100.1", Unicast), Truth::No);
        assert_eq!(answer("-m addrtype --dst-type BROADCAST", "255.255.255.255", Broadcast), Truth::Yes);
        assert_eq!(answer("-m addrtype --dst-type BROADCAST", "0.0.0.0", Broadcast), Truth::Yes);
        assert_eq!(answer("-m addrtype --dst-type MULTICAST", "224.0.0.251", PacketType::Multicast), Truth::Yes);
        assert_eq!(answer("-m addrtype --dst-type LOCAL,MULTICAST", "224.0.0.251", Unicast), Truth::Yes);
        // IPv6: LOCAL alone is answered; other types and special addresses are not.
        assert_eq!(answer(local, "2001:db8::1", Unicast), Truth::Yes);
        assert_eq!(answer(local, "ff02::fb", PacketType::Multicast), Truth::Maybe);
        assert_eq!(answer("-m addrtype --dst-type UNICAST", "2001:db8::1", Unicast), Truth::Maybe);
        // Source types and interface-limited lookups depend on the host's addresses.
        assert_eq!(answer("-m addrtype --src-type LOCAL", "198.51.100.1", Unicast), Truth::Maybe);
        assert_eq!(answer("-m addrtype --dst-type LOCAL --limit-iface-in", "198.51.100.1", Unicast), Truth::Maybe);
    }

    #[test]
    fn elsewhere_the_host_decides() {
        let ruleset = ruleset("v4", "FORWARD", "-m addrtype --dst-type LOCAL");
        let rule = &ruleset.tables[0].chains[1].rules[0];
        let packet = Packet::parse("udp 203.0.113.7 -> 198.51.100.1 in eth0").expect("packet");
        for hook in [BuiltinChain::Prerouting, BuiltinChain::Forward, BuiltinChain::Output, BuiltinChain::Postrouting] {
            assert_eq!(super::super::matching::evaluate_at(rule, &packet, hook).truth, Truth::Maybe, "{hook:?}");
        }
        // In PREROUTING (nat, before a DNAT) the walk forks; in INPUT it does not.
        let nat = import(
            "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j ACCEPT\nCOMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -m addrtype --dst-type LOCAL -j ACCEPT\nCOMMIT\n",
            Some(crate::model::Family::V4),
        )
        .value
        .rulesets
        .remove(0);
        let result = simulate(&nat, &packet);
        assert_eq!(result.verdict(), Some(Verdict::Accept));
        assert_eq!(result.outcomes.len(), 2, "PREROUTING may match, INPUT matches: {:?}", result.outcomes);
    }

    /// The analysis's sets say what the simulator says, for every destination class and link-layer type.
    #[test]
    fn the_analysis_agrees_with_the_simulator() {
        let rules = [
            "-m addrtype --dst-type LOCAL",
            "-m addrtype ! --dst-type LOCAL",
            "-m addrtype --dst-type BROADCAST",
            "-m addrtype --dst-type UNICAST",
            "-m addrtype --dst-type LOCAL,MULTICAST",
            "-m addrtype ! --dst-type MULTICAST,BROADCAST",
            "-m addrtype --src-type LOCAL",
        ];
        let destinations = ["198.51.100.1", "192.0.2.255", "255.255.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.251", "239.255.255.250", "2001:db8::1", "ff02::fb", "::", "::ffff:192.0.2.1"];
        for rule in rules {
            for destination in destinations {
                let v6 = destination.contains(':');
                if v6 && !rule.contains("LOCAL") {
                    continue; // BROADCAST is refused for IPv6; the rest is "maybe" there
                }
                let ruleset = ruleset(if v6 { "v6" } else { "v4" }, "INPUT", rule);
                let universe = Universe::of(&ruleset);
                let matches = rule_matches(&universe, &ruleset.tables[0].chains[0].rules[0], Path::Input);
                let address = address_number(universe.family, destination.parse().expect("address")).expect("number");
                for (index, packet_type) in PACKET_TYPES.into_iter().enumerate() {
                    let point = |space: &crate::analysis::space::Space| {
                        !space.restrict(DST, &Ints::single(address)).restrict(PKTTYPE, &Ints::single(index as u128)).is_empty()
                    };
                    let expected = answer(rule, destination, packet_type);
                    let what = format!("{rule} to {destination} as {packet_type:?}: simulator {expected:?}");
                    assert_eq!(point(&matches.definite), expected == Truth::Yes, "{what}");
                    assert_eq!(point(&matches.possible), expected != Truth::No, "{what}");
                }
            }
        }
    }
}
