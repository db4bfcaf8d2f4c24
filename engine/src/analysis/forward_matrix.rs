//! The service matrix of forwarded traffic (filter FORWARD): for each pair of interface classes
//! (arriving, leaving) and each protocol and destination port FORWARD's rules mention, the
//! partition of (source, destination) address pairs into classes the firewall treats alike, with
//! the verdict and the deciding rule of each class.
//!
//! As for the incoming matrix ([`super::matrix`]), the probe of a row is a NEW connection (a SYN
//! for TCP) to that port, not a fragment, unicast, on interfaces other than `lo`; other fields
//! are left free, and a pair of addresses goes to the first rule that decides some packet
//! between them. Pairs of interface classes with the same partition share a row. A class is a
//! list of *areas*, each a box: any of its sources to any of its destinations; the sources of
//! different areas differ, and an area's sources reach exactly its destinations, so a set of
//! pairs always reads the same.
//!
//! # How
//! Each port is partitioned once over (arriving, leaving, source, destination) together, not
//! once per interface pair: the certain decisions of FORWARD that may give that port a verdict
//! (a test on each decision's protocols and ports first), each narrowed to the port's probe and
//! projected onto those four fields, minus the pairs earlier decisions took. When the certain
//! decisions partition every packet (no rewrite, every jump followed), the last one that decides
//! anything takes every pair left, and its (often the most fragmented) set is never intersected:
//! the rows, read off by interface pair, give it what the pair's other classes leave. [`forward_matrix_per_pair`] is the first,
//! pair-by-pair way, kept as the oracle: both give the same rows.
//!
//! A matrix lists every interface pair of every port: thousands of lines for a router with
//! twenty VLANs. [`forward_summary`] says the same in a few lines a person can read.
//!
//! ```
//! use portcullis_engine::analysis::forward_matrix::forward_matrix;
//! use portcullis_engine::import::import;
//!
//! let text = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -i eth1 -o eth0 -s 10.0.0.0/8 -d 192.0.2.0/24 -p tcp --dport 443 -j ACCEPT\nCOMMIT\n";
//! let table = forward_matrix(&import(text, None).value.rulesets[0]);
//! let row = table.rows.iter().find(|row| row.interfaces.contains(&("eth1".to_owned(), "eth0".to_owned()))).unwrap();
//! assert_eq!(row.port, 443);
//! assert_eq!(row.classes[0].areas[0].sources, vec!["10.0.0.0/8".to_owned()]);
//! assert_eq!(row.classes[0].areas[0].destinations, vec!["192.0.2.0/24".to_owned()]);
//! ```

use std::collections::HashMap;

use serde_json::json;

use super::compile::Universe;
use super::flow::{Decision, Flow};
use super::matrix::{new_connections, ports};
use super::space::{Cube, Ints, Space, DPORT, DST, IN, OUT, PROTO, SRC};
use super::RuleLoc;
use crate::model::{BuiltinChain, Family, Protocol, Ruleset};
use crate::simulate::Verdict;

mod areas;
mod boxes;
mod reference;
mod summary;

#[doc(hidden)]
pub use reference::forward_matrix_per_pair;
pub use summary::{forward_summary, ForwardSummary, SummaryLine};

/// Any of `sources` to any of `destinations`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Area {
    /// Source addresses, as networks or ranges; `any` for all.
    pub sources: Vec<String>,
    /// Destination addresses, likewise.
    pub destinations: Vec<String>,
}

/// The address pairs one rule (or the policy) decides for a row.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForwardClass {
    /// The pairs: each area's sources reach exactly its destinations (see [`areas`]).
    pub areas: Vec<Area>,
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
}

/// One protocol and port, between some interface classes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRow {
    /// The protocol.
    pub protocol: Protocol,
    /// The destination port.
    pub port: u16,
    /// (arriving, leaving) interface classes this row holds for (`*`: any name no rule names).
    pub interfaces: Vec<(String, String)>,
    /// The partition of address pairs, in rule order.
    pub classes: Vec<ForwardClass>,
}

/// The forwarding matrix of one ruleset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardMatrix {
    /// The family.
    pub family: Family,
    /// Rows by protocol and port.
    pub rows: Vec<ForwardRow>,
}

/// The pairs one decision takes for one port: (arriving, leaving, source, destination), every
/// other field free.
#[derive(Debug, Clone)]
struct PortClass {
    set: Space,
    verdict: Verdict,
    by: RuleLoc,
    /// The decision's position among the certain decisions.
    first: usize,
}

/// One protocol and port, partitioned.
#[derive(Debug, Clone)]
struct PortPartition {
    protocol: u8,
    port: u16,
    /// In decision order; without the rest (see [`Partitions::rest`]).
    classes: Vec<PortClass>,
}

/// Every port of FORWARD partitioned, with what reading them needs.
#[derive(Debug, Clone)]
struct Partitions {
    family: Family,
    universe: Universe,
    /// The interface classes a forwarded packet can arrive on or leave by (not `lo`, not none).
    external: Ints,
    ports: Vec<PortPartition>,
    /// When the certain decisions partition every packet: the last that decides anything, which
    /// takes every pair the classes leave, at every port. Its pairs are not computed (they are
    /// the most fragmented set of all); the rows compute them pair by pair, the summary says
    /// `everything else`.
    rest: Option<PortClass>,
}

/// The (arriving, leaving, source, destination) of the packets of `space`, every other field free.
fn plane(universe: &Universe, space: &Space) -> Space {
    let full = universe.full_cube();
    let cubes = space.cubes().iter().map(|cube| {
        [IN, OUT, SRC, DST].into_iter().fold(full.clone(), |plane, dim| plane.with_field(dim, cube.field(dim).clone()))
    });
    Space(cubes.collect()).coalesced()
}

/// Every port FORWARD's rules name, partitioned (`None` without a filter FORWARD chain).
fn partitions(ruleset: &Ruleset) -> Option<Partitions> {
    let universe = Universe::of(ruleset);
    let flow = Flow::run(ruleset, &universe, BuiltinChain::Forward)?;
    let external = universe.interfaces.external();
    let entering = universe.entering(BuiltinChain::Forward).restrict(IN, &external).restrict(OUT, &external);
    let certain: Vec<&Decision> = flow.decisions.iter().filter(|decision| decision.certain).collect();
    // The policy's decision is certain exactly when the certain decisions partition every packet
    // that enters; the last of them that decides anything then takes whatever is left.
    let partitioned = flow.decisions.last().is_some_and(|policy| policy.certain);
    let last = certain.iter().rposition(|decision| !decision.set.is_empty()).filter(|_| partitioned);
    let considered = &certain[..last.unwrap_or(certain.len())];
    let covers: Vec<(Ints, Ints)> = considered.iter().map(|decision| (decision.set.project(PROTO), decision.set.project(DPORT))).collect();
    let mut out = Vec::new();
    for (protocol, port) in ports(ruleset, &flow) {
        let base = new_connections(entering.clone(), protocol, port);
        let mut assigned = Space::empty();
        let mut settled = 0;
        let mut classes: Vec<PortClass> = Vec::new();
        for (at, decision) in considered.iter().enumerate() {
            let (protocols, ports) = &covers[at];
            if !(protocols.contains(u128::from(protocol)) && ports.contains(u128::from(port))) {
                continue;
            }
            let candidates = plane(&universe, &decision.set.intersect(&base));
            let Some(hull) = candidates.hull() else { continue };
            // Only the pairs already taken that meet these candidates can take any away.
            let taken = candidates.without_cubes(assigned.cubes().iter().filter(|cube| cube.meets(&hull))).coalesced();
            if taken.is_empty() {
                continue;
            }
            assigned.absorb(taken.clone());
            if assigned.cubes().len() > 64 && assigned.cubes().len() > 2 * settled {
                assigned = assigned.coalesced();
                settled = assigned.cubes().len();
            }
            // One class per decision: a pair's classes are in the order of the first decision
            // that takes some of its pairs, which differs from pair to pair.
            classes.push(PortClass { set: taken, verdict: decision.verdict, by: decision.by.clone(), first: at });
        }
        out.push(PortPartition { protocol, port, classes });
    }
    let rest = last.map(|at| PortClass { set: Space::empty(), verdict: certain[at].verdict, by: certain[at].by.clone(), first: at });
    Some(Partitions { family: ruleset.family, universe, external, ports: out, rest })
}

/// The forwarding matrix of `ruleset` (no rows without a filter FORWARD chain).
pub fn forward_matrix(ruleset: &Ruleset) -> ForwardMatrix {
    let Some(partitions) = partitions(ruleset) else { return ForwardMatrix { family: ruleset.family, rows: Vec::new() } };
    let universe = &partitions.universe;
    let external: Vec<u128> = partitions.external.intervals().iter().flat_map(|&(low, high)| low..=high).collect();
    let mut position = vec![None; universe.interfaces.len()];
    for (at, class) in external.iter().enumerate() {
        if let Some(slot) = usize::try_from(*class).ok().and_then(|index| position.get_mut(index)) {
            *slot = Some(at);
        }
    }
    let values = |set: &Ints| -> Vec<usize> {
        set.intervals().iter().flat_map(|&(low, high)| low..=high).filter_map(|class| usize::try_from(class).ok().and_then(|index| position.get(index).copied().flatten())).collect()
    };
    let count = external.len();
    let full = universe.full_cube();
    let mut rows: Vec<ForwardRow> = Vec::new();
    for partition in &partitions.ports {
        // Per interface pair, the boxes of each class, in class order.
        let mut pairs: Vec<Vec<(&PortClass, &Cube)>> = vec![Vec::new(); count * count];
        for class in &partition.classes {
            for cube in class.set.cubes() {
                let leaving = values(cube.field(OUT));
                for arriving in values(cube.field(IN)) {
                    for &out in &leaving {
                        pairs[arriving * count + out].push((class, cube));
                    }
                }
            }
        }
        let mut row_of: HashMap<Vec<ForwardClass>, usize> = HashMap::new();
        for (at, boxes) in pairs.iter().enumerate() {
            let (arriving, leaving) = (external[at / count], external[at % count]);
            // The rest of the pair's address pairs, after every class.
            let rest = partitions.rest.as_ref().map(|rest| {
                let pair = full.with(IN, Ints::single(arriving)).with(OUT, Ints::single(leaving));
                (rest, Space::cube(pair).without_cubes(boxes.iter().map(|(_, cube)| *cube)).coalesced())
            });
            // Decisions with the same verdict and rule make one class, where the first of them is.
            let mut grouped: Vec<(&PortClass, Vec<(&Ints, &Ints)>)> = Vec::new();
            let last = rest.iter().flat_map(|(class, space)| space.cubes().iter().map(move |cube| (*class, cube)));
            for (class, cube) in boxes.iter().copied().chain(last) {
                let piece = (cube.field(SRC), cube.field(DST));
                match grouped.iter_mut().find(|(known, _)| known.verdict == class.verdict && known.by == class.by) {
                    Some((_, pieces)) => pieces.push(piece),
                    None => grouped.push((class, vec![piece])),
                }
            }
            let classes: Vec<ForwardClass> = grouped
                .into_iter()
                .map(|(class, pieces)| ForwardClass { areas: areas::areas(universe, pieces), verdict: class.verdict, decided_by: class.by.clone() })
                .collect();
            let pair = (universe.interfaces.label(arriving).to_owned(), universe.interfaces.label(leaving).to_owned());
            match row_of.get(&classes) {
                Some(&row) => rows[row].interfaces.push(pair),
                None => {
                    row_of.insert(classes.clone(), rows.len());
                    rows.push(ForwardRow { protocol: Protocol::from_number(partition.protocol), port: partition.port, interfaces: vec![pair], classes });
                }
            }
        }
    }
    ForwardMatrix { family: partitions.family, rows }
}

impl ForwardMatrix {
    /// The JSON form: `{family, chain: "FORWARD", rows: [{protocol, port, interfaces: [{in, out}],
    /// classes: [{areas: [{sources, destinations}], verdict, rule: {table, chain, index}}]}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let classes: Vec<serde_json::Value> = row
                    .classes
                    .iter()
                    .map(|class| {
                        let areas: Vec<serde_json::Value> =
                            class.areas.iter().map(|area| json!({"sources": area.sources, "destinations": area.destinations})).collect();
                        json!({
                            "areas": areas,
                            "verdict": class.verdict,
                            "rule": {"table": class.decided_by.table.as_str(), "chain": class.decided_by.chain, "index": class.decided_by.index},
                        })
                    })
                    .collect();
                let interfaces: Vec<serde_json::Value> = row.interfaces.iter().map(|(arriving, leaving)| json!({"in": arriving, "out": leaving})).collect();
                json!({"protocol": row.protocol.to_string(), "port": row.port, "interfaces": interfaces, "classes": classes})
            })
            .collect();
        json!({"family": if self.family == Family::V4 { "v4" } else { "v6" }, "chain": "FORWARD", "rows": rows})
    }
}

#[cfg(test)]
mod tests {
    use super::forward_matrix;
    use crate::import::import;
    use crate::simulate::{simulate, Packet};

    fn first(text: &str, fallback: &str) -> String {
        if text == "any" { fallback.to_owned() } else { text.split(['/', '-']).next().unwrap_or(text).to_owned() }
    }

    #[test]
    fn every_area_replays_through_the_simulator() {
        let text = "*filter\n:FORWARD DROP [0:0]\n:lan - [0:0]\n-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n-A FORWARD -i eth1 -o wan+ -j lan\n-A FORWARD -d 192.0.2.80 -p tcp -m tcp --dport 80 -j ACCEPT\n-A lan -s 10.0.0.0/8 -p tcp -m multiport --dports 80,443 -j ACCEPT\n-A lan -s 10.9.0.0/16 -j REJECT\n-A lan -p udp -m udp --dport 53 -j ACCEPT\nCOMMIT\n";
        let ruleset = import(text, None).value.rulesets.remove(0);
        let table = forward_matrix(&ruleset);
        assert!(table.rows.iter().any(|row| row.classes.len() >= 2), "{table:#?}");
        let mut replayed = 0;
        for row in &table.rows {
            let (arriving, leaving) = &row.interfaces[0];
            let name = |label: &str| match label {
                "*" => "eth0".to_owned(),
                label => label.replace('+', "0"),
            };
            for class in &row.classes {
                for area in &class.areas {
                    for (source, destination) in area.sources.iter().zip(area.destinations.iter().cycle()) {
                        let (proto, syn) = if row.protocol == crate::model::Protocol::TCP { ("tcp", " syn") } else { ("udp", "") };
                        let packet = format!(
                            "{proto} {}:40000 -> {}:{} in {} out {}{syn} new",
                            first(source, "198.51.100.9"),
                            first(destination, "203.0.113.9"),
                            row.port,
                            name(arriving),
                            name(leaving)
                        );
                        let packet = Packet::parse(&packet).unwrap();
                        let outcome = &simulate(&ruleset, &packet).outcomes[0];
                        assert_eq!(outcome.verdict, class.verdict, "{packet} in {row:?}");
                        let by = outcome.decided_by.as_ref().unwrap();
                        assert_eq!((by.chain.as_str(), by.index), (class.decided_by.chain.as_str(), class.decided_by.index), "{packet}");
                        replayed += 1;
                    }
                }
            }
        }
        assert!(replayed >= 6, "{replayed}");
    }
}
