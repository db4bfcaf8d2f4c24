//! From rules to packet sets: the interface classes of a ruleset, the set of packets each rule
//! matches for sure (`definite`) and the set it may match (`possible`), and witness packets.
//!
//! The sets follow [`crate::simulate::evaluate`] exactly: a packet is in `definite` when the
//! simulator answers "yes", in `possible` unless it answers "no". Modules that depend on history
//! or on things outside the packet (limit, hashlimit, recent, connlimit, string, time, set,
//! owner, mac, addrtype but `--dst-type` on INPUT, connmark, conntrack status / expiry, TCP options, unknown modules) make
//! the answer "maybe" ([`crate::simulate::is_undecidable`], shared with the simulator): they
//! shrink `definite` to nothing and leave `possible` unconstrained.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::space::{Cube, Dim, Ints, Space, DPORT, DST, FLAGS, FRAG, ICMP_CODE, ICMP_TYPE, IN, LENGTH, MARK, OUT, PKTTYPE, PROTO, SPORT, SRC, STATE, TTL};
use crate::model::{
    BuiltinChain, ConnState, ConnStates, ConnTrack, Family, Interface, Module, Negated, PacketType, PortDirection, PortSpec,
    Protocol, RecentAction, Rule, Ruleset, TtlComparison,
};
use crate::simulate::{Packet, Path};

/// The conntrack states a packet can have, by index in the `STATE` field.
pub(crate) const STATES: [ConnState; 5] =
    [ConnState::Invalid, ConnState::New, ConnState::Related, ConnState::Established, ConnState::Untracked];
const PACKET_TYPES: [PacketType; 4] = [PacketType::Unicast, PacketType::Broadcast, PacketType::Multicast, PacketType::OtherHost];
/// Protocols with ports, as the simulator's `multiport` sees them.
const PORT_PROTOCOLS: [u128; 5] = [6, 17, 33, 132, 136];

/// Index of `state` in [`STATES`].
pub(crate) fn state_index(state: ConnState) -> u128 {
    STATES.iter().position(|known| *known == state).map_or(0, |at| at as u128)
}

/// The interface names of a ruleset, split into classes that every `-i`/`-o` pattern of the
/// ruleset treats alike. Class 0 is "no interface"; each class has a representative name.
#[derive(Debug, Clone)]
pub struct Interfaces {
    names: Vec<Option<String>>,
    labels: Vec<String>,
}

impl Interfaces {
    /// The classes for every interface pattern `ruleset` mentions.
    pub fn of(ruleset: &Ruleset) -> Self {
        let mut exact: Vec<String> = Vec::new();
        let mut prefixes: Vec<String> = Vec::new();
        for rule in ruleset.tables.iter().flat_map(|table| &table.chains).flat_map(|chain| &chain.rules) {
            for pattern in [&rule.in_interface, &rule.out_interface].into_iter().flatten() {
                match pattern.value.as_str().strip_suffix('+') {
                    Some(prefix) => prefixes.push(prefix.to_owned()),
                    None => exact.push(pattern.value.as_str().to_owned()),
                }
            }
        }
        exact.sort();
        exact.dedup();
        prefixes.sort();
        prefixes.dedup();
        let longest = |name: &str| prefixes.iter().filter(|prefix| name.starts_with(prefix.as_str())).max_by_key(|p| p.len()).cloned();
        let usable = |name: &str, wanted: Option<&String>| {
            name.len() <= 15 && !exact.iter().any(|known| known == name) && longest(name).as_ref() == wanted
        };
        let mut names: Vec<Option<String>> = vec![None];
        let mut labels = vec!["(none)".to_owned()];
        // "Other": a name no pattern mentions (a typical external interface if possible).
        let other = ["eth0", "ens3", "wan0", "if0", "z9"].into_iter().map(str::to_owned).chain((0..100).map(|n| format!("x{n}")));
        if let Some(name) = other.into_iter().find(|name| usable(name, None)) {
            names.push(Some(name));
            labels.push("*".to_owned());
        }
        names.extend(exact.iter().cloned().map(Some));
        labels.extend(exact.iter().cloned());
        for prefix in &prefixes {
            let candidates = (0..100).map(|n| format!("{prefix}{n}")).chain(["x", "y", "_"].map(|s| format!("{prefix}{s}")));
            if let Some(name) = candidates.into_iter().find(|name| usable(name, Some(prefix))) {
                names.push(Some(name));
                labels.push(format!("{prefix}+"));
            }
        }
        Self { names, labels }
    }

    /// How many classes.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether there is only the "no interface" class (never: "other" always exists unless a `+` pattern covers everything).
    pub fn is_empty(&self) -> bool {
        self.names.len() <= 1
    }

    /// The representative name of class `index` (`None` for "no interface").
    pub fn name(&self, index: u128) -> Option<&str> {
        usize::try_from(index).ok().and_then(|at| self.names.get(at)).and_then(Option::as_deref)
    }

    /// What class `index` stands for: a name, `prefix+` (other names with that prefix), `*`
    /// (names no pattern mentions) or `(none)`.
    pub fn label(&self, index: u128) -> &str {
        usize::try_from(index).ok().and_then(|at| self.labels.get(at)).map_or("?", String::as_str)
    }

    /// The classes `pattern` matches.
    fn matching(&self, pattern: &Interface) -> Ints {
        let pattern = pattern.as_str();
        Ints::from_values(self.names.iter().enumerate().filter_map(|(at, name)| {
            let name = name.as_deref()?;
            let hit = match pattern.strip_suffix('+') {
                Some(prefix) => name.starts_with(prefix),
                None => name == pattern,
            };
            hit.then_some(at as u128)
        }))
    }

    /// Every class but "no interface".
    pub(crate) fn some(&self) -> Ints {
        Ints::range(1, self.names.len() as u128 - 1)
    }

    /// The class a packet on interface `name` falls in: its own when a rule names it, else the
    /// longest `prefix+` that covers it, else "names no pattern mentions".
    pub(crate) fn class_of(&self, name: &str) -> Ints {
        let exact = self.names.iter().position(|known| known.as_deref() == Some(name));
        let prefix = || {
            self.labels
                .iter()
                .enumerate()
                .filter_map(|(at, label)| Some((at, label.strip_suffix('+')?)))
                .filter(|(_, prefix)| name.starts_with(prefix))
                .max_by_key(|(_, prefix)| prefix.len())
                .map(|(at, _)| at)
        };
        let other = || self.labels.iter().position(|label| label == "*");
        exact.or_else(prefix).or_else(other).map_or_else(Ints::empty, |at| Ints::single(at as u128))
    }

    /// Every class but "no interface" and `lo`.
    pub(crate) fn external(&self) -> Ints {
        self.some().minus(&self.matching(&Interface::loopback()))
    }
}

/// What the analysis knows about one ruleset: its family and interface classes.
#[derive(Debug, Clone)]
pub struct Universe {
    /// The family.
    pub family: Family,
    /// Interface classes.
    pub interfaces: Interfaces,
}

fn address_bits(family: Family) -> u128 {
    match family {
        Family::V4 => u128::from(u32::MAX),
        Family::V6 => u128::MAX,
    }
}

/// The number of an address (`None` for the other family).
pub(crate) fn address_number(family: Family, address: IpAddr) -> Option<u128> {
    match (family, address) {
        (Family::V4, IpAddr::V4(v4)) => Some(u128::from(u32::from(v4))),
        (Family::V6, IpAddr::V6(v6)) => Some(u128::from(v6)),
        _ => None,
    }
}

/// The address numbered `number`.
pub(crate) fn address_of(family: Family, number: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(u32::try_from(number).unwrap_or(u32::MAX))),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(number)),
    }
}

/// The numbers of a network (empty for the other family).
pub(crate) fn network(family: Family, net: &ipnet::IpNet) -> Ints {
    match (address_number(family, net.network()), address_number(family, net.broadcast())) {
        (Some(first), Some(last)) => Ints::range(first, last),
        _ => Ints::empty(),
    }
}

impl Universe {
    /// The universe of `ruleset`.
    pub fn of(ruleset: &Ruleset) -> Self {
        Self { family: ruleset.family, interfaces: Interfaces::of(ruleset) }
    }

    /// The full domain of field `dim`.
    pub(crate) fn domain(&self, dim: Dim) -> Ints {
        match dim {
            SRC | DST => Ints::range(0, address_bits(self.family)),
            PROTO | ICMP_TYPE | ICMP_CODE | TTL => Ints::range(0, 255),
            SPORT | DPORT | LENGTH => Ints::range(0, 65_535),
            IN | OUT => Ints::range(0, self.interfaces.len() as u128 - 1),
            FLAGS => Ints::range(0, 63),
            STATE => Ints::range(0, STATES.len() as u128 - 1),
            MARK => Ints::range(0, u128::from(u32::MAX)),
            FRAG => Ints::range(0, 1),
            _ => Ints::range(0, PACKET_TYPES.len() as u128 - 1),
        }
    }

    /// Every packet.
    pub(crate) fn full_cube(&self) -> Cube {
        Cube(Box::new(std::array::from_fn(|dim| self.domain(dim))))
    }

    /// Every packet whose field `dim` is in `values`.
    pub(crate) fn only(&self, dim: Dim, values: Ints) -> Space {
        Space::cube(self.full_cube().with(dim, values))
    }

    /// Every packet.
    pub(crate) fn all(&self) -> Space {
        Space::cube(self.full_cube())
    }

    /// Every packet that can cross built-in chain `chain` of the filter table.
    pub(crate) fn entering(&self, chain: BuiltinChain) -> Space {
        let none = Ints::single(0);
        let some = self.interfaces.some();
        let (input, output) = match chain {
            BuiltinChain::Input | BuiltinChain::Prerouting => (some, none),
            BuiltinChain::Output => (none, some),
            BuiltinChain::Forward | BuiltinChain::Postrouting => (some.clone(), some),
        };
        Space::cube(self.full_cube().with(IN, input).with(OUT, output))
    }

    /// Destination addresses a packet from anywhere can be sent to: not broadcast (IPv4
    /// `0.0.0.0/8`, `255.255.255.255`), not multicast, not unspecified (IPv6 `::`). Multicast and
    /// broadcast reach a link or a multicast domain, never the whole internet.
    pub(crate) fn unicast_destinations(&self) -> Ints {
        use crate::simulate::addrtype::{networks, BROADCAST_V4, MULTICAST_V4};
        let special: &[&str] = match self.family {
            Family::V4 => &[BROADCAST_V4[0], BROADCAST_V4[1], MULTICAST_V4],
            Family::V6 => &["::/128", "ff00::/8"],
        };
        networks(special).iter().fold(self.domain(DST), |acc, net| acc.minus(&network(self.family, net)))
    }

    /// `dim` in `values`, or not in `values` when `negated`.
    fn field(&self, dim: Dim, values: Ints, negated: bool) -> Space {
        let values = if negated { self.domain(dim).minus(&values) } else { values };
        self.only(dim, values)
    }
}

/// What a rule matches: for sure, and possibly.
#[derive(Debug, Clone)]
pub struct Matches {
    /// Packets the simulator says "yes" to.
    pub definite: Space,
    /// Packets the simulator does not say "no" to.
    pub possible: Space,
}

impl Matches {
    fn exact(space: Space) -> Self {
        Self { definite: space.clone(), possible: space }
    }

    fn maybe(possible: Space) -> Self {
        Self { definite: Space::empty(), possible }
    }

    #[allow(clippy::needless_pass_by_value)] // reads as a conjunction of values
    fn and(self, other: Matches) -> Self {
        let definite = self.definite.intersect(&other.definite);
        // Both exact (the usual case): one intersection serves both sets.
        let possible = if self.possible == self.definite && other.possible == other.definite {
            definite.clone()
        } else {
            self.possible.intersect(&other.possible)
        };
        Self { definite, possible }
    }

    /// Whether the simulator decides every packet exactly.
    pub fn is_exact(&self) -> bool {
        self.possible.is_subset(&self.definite)
    }
}

fn ports(spec: PortSpec) -> Ints {
    Ints::range(u128::from(spec.first()), u128::from(spec.last()))
}

fn negated_field<T>(universe: &Universe, dim: Dim, value: Option<&Negated<T>>, values: impl FnOnce(&T) -> Ints) -> Space {
    match value {
        None => universe.all(),
        Some(Negated { negated, value }) => universe.field(dim, values(value), *negated),
    }
}

/// The values field `dim` may take under an optional, possibly negated match (`None`: any).
fn negated_values<T>(universe: &Universe, dim: Dim, value: Option<&Negated<T>>, values: impl FnOnce(&T) -> Ints) -> Option<(Dim, Ints)> {
    let Negated { negated, value } = value?;
    let values = values(value);
    Some((dim, if *negated { universe.domain(dim).minus(&values) } else { values }))
}

/// The one box of packets whose fields are in the given sets (the same set as intersecting
/// one [`Universe::only`] per field, built without the intermediate boxes: rules are compiled
/// by the thousand).
fn fields(universe: &Universe, constraints: impl IntoIterator<Item = Option<(Dim, Ints)>>) -> Space {
    let mut cube = universe.full_cube();
    for (dim, values) in constraints.into_iter().flatten() {
        let narrowed = cube.field(dim).intersect(&values);
        cube = cube.with_field(dim, narrowed);
    }
    Space::cube(cube)
}

fn states(universe: &Universe, set: &ConnStates, negated: bool) -> Matches {
    let inside = Ints::from_values(STATES.iter().filter(|state| set.contains(**state)).map(|state| state_index(*state)));
    let translated = set.contains(ConnState::Snat) || set.contains(ConnState::Dnat);
    let yes = universe.only(STATE, inside.clone());
    let no_or_maybe = universe.field(STATE, inside, true);
    match (negated, translated) {
        (false, false) => Matches::exact(yes),
        (false, true) => Matches { definite: yes, possible: universe.all() },
        (true, false) => Matches::exact(no_or_maybe),
        (true, true) => Matches { definite: Space::empty(), possible: no_or_maybe },
    }
}

fn mark_values(value: u32, mask: u32) -> Option<Ints> {
    if value & !mask != 0 {
        return Some(Ints::empty());
    }
    if mask == 0 {
        return Some(Ints::range(0, u128::from(u32::MAX)));
    }
    let low = mask.trailing_zeros();
    // Bits below the mask's lowest bit are free (one interval); free bits above it are enumerated.
    let free_bits: Vec<u32> = (low..32).filter(|bit| mask & (1 << bit) == 0).collect();
    if free_bits.len() > 8 {
        return None;
    }
    let span = if low == 0 { 0 } else { (1_u32 << low) - 1 };
    Some((0..(1_u32 << free_bits.len())).fold(Ints::empty(), |acc, combo| {
        let high = free_bits.iter().enumerate().fold(value, |bits, (at, bit)| if combo & (1 << at) != 0 { bits | (1 << bit) } else { bits });
        acc.union(&Ints::range(u128::from(high), u128::from(high | span)))
    }))
}

fn conntrack(universe: &Universe, conntrack: &ConnTrack) -> Matches {
    let mut result = conntrack.state.as_ref().map_or_else(|| Matches::exact(universe.all()), |state| states(universe, &state.value, state.negated));
    if let Some(protocol) = &conntrack.protocol {
        result = result.and(Matches::exact(universe.field(PROTO, Ints::single(u128::from(protocol.value.number())), protocol.negated)));
    }
    if conntrack.status.is_some() || conntrack.expire.is_some() {
        result = result.and(Matches::maybe(universe.all()));
    }
    let family = universe.family;
    let address = |dim: Dim, value: &Option<Negated<crate::model::ConnAddress>>| negated_field(universe, dim, value.as_ref(), |net| network(family, &net.0));
    let port = |dim: Dim, value: &Option<Negated<PortSpec>>| match value {
        None => universe.all(),
        Some(Negated { negated, value }) => {
            let hit = Space::cube(universe.full_cube().with(PROTO, Ints::from_values(PORT_PROTOCOLS)).with(dim, ports(*value)));
            if *negated { universe.all().minus(&hit) } else { hit }
        }
    };
    let tuple = [&conntrack.original_source, &conntrack.original_destination, &conntrack.reply_source, &conntrack.reply_destination]
        .iter()
        .any(|field| field.is_some())
        || [&conntrack.original_source_port, &conntrack.original_destination_port, &conntrack.reply_source_port, &conntrack.reply_destination_port]
            .iter()
            .any(|field| field.is_some())
        || conntrack.direction.is_some();
    if !tuple {
        return result;
    }
    let new = universe.only(STATE, Ints::single(state_index(ConnState::New)));
    let mut exact = new.clone();
    if conntrack.direction == Some(crate::model::ConnDirection::Reply) {
        exact = Space::empty();
    }
    for part in [
        address(SRC, &conntrack.original_source),
        address(DST, &conntrack.original_destination),
        address(DST, &conntrack.reply_source),
        address(SRC, &conntrack.reply_destination),
        port(SPORT, &conntrack.original_source_port),
        port(DPORT, &conntrack.original_destination_port),
        port(DPORT, &conntrack.reply_source_port),
        port(SPORT, &conntrack.reply_destination_port),
    ] {
        exact = exact.intersect(&part);
    }
    let others = universe.all().minus(&new);
    result.and(Matches { definite: exact.clone(), possible: exact.union(&others) })
}

/// What `module` matches, for rules of a chain on `path`.
fn module(universe: &Universe, module: &Module, path: Path) -> Matches {
    let u = universe;
    let proto = |number: u8| u.only(PROTO, Ints::single(u128::from(number)));
    // The analysis reads the filter table: its rules run on the path's filter chain.
    if crate::simulate::is_undecidable(module, path, path.filter_chain()) {
        return Matches::maybe(u.all());
    }
    match module {
        Module::Tcp { source_port, destination_port, flags, option } => {
            let flags = negated_values(u, FLAGS, flags.as_ref(), |(mask, set)| {
                Ints::from_values((0..64_u8).filter(|bits| bits & mask.bits() == set.bits()).map(u128::from))
            });
            let base = fields(u, [
                Some((PROTO, Ints::single(6))),
                negated_values(u, SPORT, source_port.as_ref(), |spec| ports(*spec)),
                negated_values(u, DPORT, destination_port.as_ref(), |spec| ports(*spec)),
                flags,
            ]);
            if option.is_some() { Matches::maybe(base) } else { Matches::exact(base) }
        }
        Module::Udp { source_port, destination_port } => Matches::exact(fields(u, [
            Some((PROTO, Ints::single(17))),
            negated_values(u, SPORT, source_port.as_ref(), |spec| ports(*spec)),
            negated_values(u, DPORT, destination_port.as_ref(), |spec| ports(*spec)),
        ])),
        Module::Multiport { direction, ports: list } => {
            let values = list.value.iter().fold(Ints::empty(), |acc, spec| acc.union(&ports(*spec)));
            let with_ports = u.only(PROTO, Ints::from_values(PORT_PROTOCOLS));
            let hit = match direction {
                PortDirection::Source => u.only(SPORT, values),
                PortDirection::Destination => u.only(DPORT, values),
                PortDirection::Either => u.only(SPORT, values.clone()).union(&u.only(DPORT, values)),
            };
            let chosen = if list.negated { u.all().minus(&hit) } else { hit };
            Matches::exact(with_ports.intersect(&chosen))
        }
        Module::Icmp(icmp) | Module::Icmp6(icmp) => {
            let number = if matches!(module, Module::Icmp(_)) { 1 } else { 58 };
            let base = proto(number).intersect(&u.only(FRAG, Ints::single(0)));
            let kind = icmp.value.icmp_type.map_or_else(|| u.domain(ICMP_TYPE), |kind| Ints::single(u128::from(kind)));
            let code = icmp.value.code.map_or_else(|| u.domain(ICMP_CODE), |code| Ints::single(u128::from(code)));
            let hit = Space::cube(u.full_cube().with(ICMP_TYPE, kind).with(ICMP_CODE, code));
            let chosen = if icmp.negated { u.all().minus(&hit) } else { hit };
            Matches::exact(base.intersect(&chosen))
        }
        Module::ConnTrack(ct) => conntrack(u, ct),
        Module::State(set) => states(u, &set.value, set.negated),
        Module::Comment(_) => Matches::exact(u.all()),
        Module::Recent(recent) if recent.action == RecentAction::Set => {
            Matches::exact(if recent.negated { Space::empty() } else { u.all() })
        }
        Module::IpRange(range) => {
            let family = u.family;
            let span = |range: &crate::model::AddressRange| match (address_number(family, range.first), address_number(family, range.last)) {
                (Some(first), Some(last)) => Ints::range(first, last),
                _ => Ints::empty(),
            };
            Matches::exact(negated_field(u, SRC, range.source.as_ref(), span).intersect(&negated_field(u, DST, range.destination.as_ref(), span)))
        }
        Module::Mark(mark) => match mark_values(mark.value.value, mark.value.mask) {
            Some(values) => Matches::exact(u.field(MARK, values, mark.negated)),
            None => Matches::maybe(u.all()),
        },
        Module::Length(length) => {
            Matches::exact(u.field(LENGTH, Ints::range(u128::from(length.value.min), u128::from(length.value.max)), length.negated))
        }
        Module::Ttl(ttl) | Module::HopLimit(ttl) => {
            let value = u128::from(ttl.value);
            let values = match ttl.comparison {
                TtlComparison::Equal => Ints::single(value),
                TtlComparison::NotEqual => Ints::range(0, 255).minus(&Ints::single(value)),
                TtlComparison::LessThan if value == 0 => Ints::empty(),
                TtlComparison::LessThan => Ints::range(0, value - 1),
                TtlComparison::GreaterThan => Ints::range(value + 1, 255),
            };
            Matches::exact(u.only(TTL, values))
        }
        Module::PacketType(kind) => {
            let index = PACKET_TYPES.iter().position(|known| *known == kind.value).unwrap_or(0);
            Matches::exact(u.field(PKTTYPE, Ints::single(index as u128), kind.negated))
        }
        Module::Physdev(_) => {
            // Never bridged: the answer does not depend on the packet.
            let probe = Packet::new(Protocol::TCP, IpAddr::V4(Ipv4Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::LOCALHOST));
            let alone = Rule { modules: vec![module.clone()], ..Rule::default() };
            let yes = probe.is_ok_and(|probe| crate::simulate::evaluate(&alone, &probe).truth == crate::simulate::Truth::Yes);
            Matches::exact(if yes { u.all() } else { Space::empty() })
        }
        // Not on OUTPUT (`is_undecidable` answered on OUTPUT): no local socket.
        Module::Owner(_) => Matches::exact(Space::empty()),
        // Only where `is_undecidable` let it through: the destination on INPUT.
        Module::AddrType(types) => addrtype(u, types),
        // Undecidable: answered above from the simulator's one list.
        _ => Matches::maybe(u.all()),
    }
}

/// `-m addrtype --dst-type` on INPUT: the destination classes of
/// [`crate::simulate::addrtype::InputDestination`], each answered as the simulator answers it.
fn addrtype(u: &Universe, types: &crate::model::AddrType) -> Matches {
    use crate::simulate::addrtype::{networks, InputDestination, BROADCAST_V4, MULTICAST_V4, NOT_UNICAST_V6};
    use crate::simulate::Truth;
    let Some(wanted) = &types.destination else { return Matches::exact(u.all()) };
    let within = |texts: &[&str]| networks(texts).iter().fold(Ints::empty(), |acc, net| acc.union(&network(u.family, net)));
    let unicast_frame = Ints::single(0);
    let (broadcast, multicast, not_unicast) = match u.family {
        Family::V4 => (within(&BROADCAST_V4), within(&[MULTICAST_V4]), Ints::empty()),
        Family::V6 => (Ints::empty(), Ints::empty(), within(&NOT_UNICAST_V6)),
    };
    let special = u.only(DST, broadcast.union(&multicast).union(&not_unicast));
    let ordinary = u.all().minus(&special);
    let local = ordinary.restrict(PKTTYPE, &unicast_frame);
    let classes = [
        (InputDestination::Broadcast, u.only(DST, broadcast)),
        (InputDestination::Multicast, u.only(DST, multicast)),
        (InputDestination::Local, local.clone()),
        (InputDestination::Unknown, u.only(DST, not_unicast).union(&ordinary.minus(&local))),
    ];
    let (mut definite, mut refused) = (Space::empty(), Space::empty());
    for (class, set) in classes {
        match class.matches(u.family, wanted.value).negate_if(wanted.negated) {
            Truth::Yes => definite.absorb(set),
            Truth::No => refused.absorb(set),
            Truth::Maybe => {}
        }
    }
    Matches { possible: u.all().minus(&refused), definite }
}

/// What `rule` matches in a chain on `path`.
pub fn rule_matches(universe: &Universe, rule: &Rule, path: Path) -> Matches {
    let u = universe;
    let family = u.family;
    let mut result = Matches::exact(fields(u, [
        negated_values(u, SRC, rule.source.as_ref(), |net| network(family, net)),
        negated_values(u, DST, rule.destination.as_ref(), |net| network(family, net)),
        negated_values(u, IN, rule.in_interface.as_ref(), |name| u.interfaces.matching(name)),
        negated_values(u, OUT, rule.out_interface.as_ref(), |name| u.interfaces.matching(name)),
        negated_values(u, PROTO, rule.protocol.as_ref(), |protocol| Ints::single(u128::from(protocol.number()))),
    ]));
    if let Some(negated) = rule.fragment {
        result = result.and(Matches::exact(u.field(FRAG, Ints::single(1), negated)));
    }
    for part in &rule.modules {
        if result.possible.is_empty() {
            break;
        }
        result = result.and(module(u, part, path));
    }
    result
}

fn pick(values: &Ints, preferred: &[u128]) -> u128 {
    preferred.iter().copied().find(|value| values.contains(*value)).or_else(|| {
        values.intervals().first().map(|&(first, last)| if last - first >= 2 { first + 1 } else { first })
    }).unwrap_or(0)
}

/// A packet of `space` on `path`, preferring ordinary values (documentation addresses, SYN, NEW).
pub fn witness(universe: &Universe, space: &Space, path: Path) -> Option<Packet> {
    let cube = space.cubes().first()?;
    let family = universe.family;
    let (src, dst) = match family {
        Family::V4 => (u128::from(u32::from(Ipv4Addr::new(203, 0, 113, 7))), u128::from(u32::from(Ipv4Addr::new(198, 51, 100, 1)))),
        Family::V6 => (u128::from("2001:db8:1::7".parse::<Ipv6Addr>().ok()?), u128::from("2001:db8::1".parse::<Ipv6Addr>().ok()?)),
    };
    let state = pick(cube.field(STATE), &[1, 3]);
    let flags = if state == 1 { [2, 0x10] } else { [0x10, 2] };
    let proto = u8::try_from(pick(cube.field(PROTO), &[6, 17, 1, 58])).unwrap_or(6);
    let mut packet = Packet::new(Protocol::from_number(proto), address_of(family, pick(cube.field(SRC), &[src])), address_of(family, pick(cube.field(DST), &[dst]))).ok()?;
    let small = |value: u128| u8::try_from(value).unwrap_or(u8::MAX);
    let port = |value: u128| u16::try_from(value).unwrap_or(u16::MAX);
    packet.path = path;
    packet.in_interface = universe.interfaces.name(pick(cube.field(IN), &[1])).map(str::to_owned);
    packet.out_interface = universe.interfaces.name(pick(cube.field(OUT), &[1])).map(str::to_owned);
    packet.source_port = port(pick(cube.field(SPORT), &[40_000, 443, 53]));
    packet.destination_port = port(pick(cube.field(DPORT), &[22, 80, 443, 40_000]));
    packet.tcp_flags = crate::model::TcpFlags::from_bits(small(pick(cube.field(FLAGS), &flags)));
    packet.icmp_type = small(pick(cube.field(ICMP_TYPE), &[8, 128]));
    packet.icmp_code = small(pick(cube.field(ICMP_CODE), &[0]));
    packet.state = STATES.get(usize::try_from(state).unwrap_or(0)).copied().unwrap_or(ConnState::New);
    packet.mark = u32::try_from(pick(cube.field(MARK), &[0])).unwrap_or(0);
    packet.fragment = pick(cube.field(FRAG), &[0]) == 1;
    packet.length = port(pick(cube.field(LENGTH), &[60]));
    packet.ttl = small(pick(cube.field(TTL), &[64, 255]));
    packet.packet_type = PACKET_TYPES.get(usize::try_from(pick(cube.field(PKTTYPE), &[0])).unwrap_or(0)).copied().unwrap_or(PacketType::Unicast);
    Some(packet)
}
