//! The service matrix of forwarded traffic (filter FORWARD): for each pair of interface classes
//! (arriving, leaving) and each protocol and destination port FORWARD's rules mention, the
//! partition of (source, destination) address pairs into classes the firewall treats alike, with
//! the verdict and the deciding rule of each class.
//!
//! As for the incoming matrix ([`super::matrix`]), the probe of a row is a NEW connection (a SYN
//! for TCP) to that port, not a fragment, unicast, on interfaces other than `lo`; other fields
//! are left free, and a pair of addresses goes to the first rule that decides some packet
//! between them. Pairs of interface classes with the same partition share a row. A class is a
//! list of *areas*, each a box: any of its sources to any of its destinations.
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

use serde_json::json;

use super::compile::Universe;
use super::flow::{Decision, Flow};
use super::matrix::{describe, new_connections, ports};
use super::space::{Cube, Ints, Space, DST, IN, OUT, SRC};
use super::RuleLoc;
use crate::model::{BuiltinChain, Family, Protocol, Ruleset};
use crate::simulate::Verdict;

/// Any of `sources` to any of `destinations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Area {
    /// Source addresses, as networks or ranges; `any` for all.
    pub sources: Vec<String>,
    /// Destination addresses, likewise.
    pub destinations: Vec<String>,
}

/// The address pairs one rule (or the policy) decides for a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardClass {
    /// The pairs, as boxes.
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

/// The forwarding matrix of `ruleset` (no rows without a filter FORWARD chain).
pub fn forward_matrix(ruleset: &Ruleset) -> ForwardMatrix {
    let universe = Universe::of(ruleset);
    let mut rows: Vec<ForwardRow> = Vec::new();
    let Some(flow) = Flow::run(ruleset, &universe, BuiltinChain::Forward) else { return ForwardMatrix { family: ruleset.family, rows } };
    let exact = flow.decisions.iter().all(|decision| decision.certain);
    let decisions: Vec<&Decision> = flow.decisions.iter().filter(|decision| decision.certain).collect();
    let external = universe.interfaces.external();
    for (protocol, port) in ports(ruleset, &flow) {
        let base = new_connections(universe.entering(BuiltinChain::Forward), protocol, port);
        let start = rows.len();
        for &(low, high) in external.intervals() {
            for arriving in low..=high {
                for &(out_low, out_high) in external.intervals() {
                    for leaving in out_low..=out_high {
                        let probe = base.restrict(IN, &Ints::single(arriving)).restrict(OUT, &Ints::single(leaving));
                        let classes = partition(&universe, &decisions, &probe, exact);
                        let pair = (universe.interfaces.label(arriving).to_owned(), universe.interfaces.label(leaving).to_owned());
                        match rows[start..].iter_mut().find(|row| row.classes == classes) {
                            Some(row) => row.interfaces.push(pair),
                            None => rows.push(ForwardRow { protocol: Protocol::from_number(protocol), port, interfaces: vec![pair], classes }),
                        }
                    }
                }
            }
        }
    }
    ForwardMatrix { family: ruleset.family, rows }
}

/// The (source, destination) pairs of `space`, every other field free.
fn addresses(universe: &Universe, space: &Space) -> Space {
    let full = universe.full_cube();
    Space(space.cubes().iter().map(|cube| full.with(SRC, cube.field(SRC).clone()).with(DST, cube.field(DST).clone())).collect::<Vec<Cube>>())
}

/// The boxes of a space of address pairs, merged while two share their sources or their
/// destinations (exact: every other field is free), so a class reads as few areas as it can.
fn merged(space: &Space) -> Vec<(Ints, Ints)> {
    let mut boxes: Vec<(Ints, Ints)> = space.cubes().iter().map(|cube| (cube.field(SRC).clone(), cube.field(DST).clone())).collect();
    let mut changed = true;
    while changed {
        changed = false;
        'search: for i in 0..boxes.len() {
            for j in i + 1..boxes.len() {
                let (a, b) = (&boxes[i], &boxes[j]);
                let joined = if a.0 == b.0 {
                    Some((a.0.clone(), a.1.union(&b.1)))
                } else if a.1 == b.1 {
                    Some((a.0.union(&b.0), a.1.clone()))
                } else {
                    None
                };
                if let Some(joined) = joined {
                    boxes[i] = joined;
                    boxes.remove(j);
                    changed = true;
                    break 'search;
                }
            }
        }
    }
    boxes
}

fn partition(universe: &Universe, decisions: &[&Decision], probe: &Space, exact: bool) -> Vec<ForwardClass> {
    let mut assigned = Space::empty();
    let mut classes: Vec<(Space, Verdict, RuleLoc)> = Vec::new();
    let pairs = addresses(universe, probe);
    for (at, decision) in decisions.iter().enumerate() {
        // What no rule decided goes to the policy: no need to intersect its (fragmented) set.
        let last_of_exact = exact && at + 1 == decisions.len() && decision.by.index.is_none();
        let candidates = if last_of_exact { pairs.clone() } else { addresses(universe, &decision.set.intersect(probe)) };
        let taken = candidates.without(&assigned);
        if taken.is_empty() {
            continue;
        }
        assigned.absorb(taken.clone());
        match classes.iter_mut().find(|(_, verdict, by)| *verdict == decision.verdict && *by == decision.by) {
            Some(class) => class.0.absorb(taken),
            None => classes.push((taken, decision.verdict, decision.by.clone())),
        }
    }
    classes
        .into_iter()
        .map(|(space, verdict, decided_by)| {
            let areas = merged(&space)
                .iter()
                .map(|(sources, destinations)| Area { sources: describe(universe, sources), destinations: describe(universe, destinations) })
                .collect();
            ForwardClass { areas, verdict, decided_by }
        })
        .collect()
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
                        let proto = if row.protocol == crate::model::Protocol::TCP { "tcp" } else { "udp" };
                        let packet = format!(
                            "{proto} {}:40000 -> {}:{} in {} out {} syn new",
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
