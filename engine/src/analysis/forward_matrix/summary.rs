//! The forwarding matrix said in a few lines a person can read.
//!
//! The matrix has a row per port and group of interface pairs: a router with twenty VLANs and
//! hundreds of ports has hundreds of thousands of them. The summary instead has a line per box of
//! (port, arriving interface, leaving interface, source, destination), in order, each with the
//! verdict and the deciding rule, and **first match wins**: a line holds for what the lines above
//! it leave. Read that way, a line can say much less than what its rule takes exactly: `any ->
//! 192.0.2.10` for a server's rule, though spoofed sources were dropped above it, or
//! `everything else` for the last one. Each class of the matrix (a deciding rule) is widened box
//! by box, field by field, to "any" wherever what it then covers beyond its own packets is taken
//! by the lines above; so the summary is exact, however short: [`ForwardSummary::decide`] reads
//! it back, and the tests check it against the matrix and the simulator.
//!
//! The full detail (every interface pair, every area) stays in [`super::ForwardMatrix`] and its JSON.
//!
//! ```
//! use portcullis_engine::analysis::forward_matrix::forward_summary;
//! use portcullis_engine::import::import;
//! use portcullis_engine::model::Protocol;
//!
//! let text = "*filter\n:FORWARD DROP [0:0]\n-A FORWARD -i eth0 ! -s 192.0.2.0/24 -j DROP\n-A FORWARD -d 198.51.100.80 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n";
//! let summary = forward_summary(&import(text, None).value.rulesets[0]);
//! // Interface classes: `eth0`, which a rule names, and `*`, every other name.
//! let web = &summary.lines[1];
//! assert_eq!((web.arriving.as_str(), web.sources.as_str(), web.destinations.as_str()), ("any", "any", "198.51.100.80"));
//! assert!(summary.lines[2].everything_else);
//! let from = |source: &str| summary.decide(Protocol::TCP, 80, "eth0", "*", source.parse().unwrap(), "198.51.100.80".parse().unwrap());
//! assert_eq!(from("203.0.113.9").unwrap().decided_by.index, Some(1));
//! assert_eq!(from("192.0.2.9").unwrap().decided_by.index, Some(2));
//! ```

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;

use super::boxes::BoxIndex;
use super::{partitions, Partitions};
use crate::analysis::compile::{address_number, Universe};
use crate::analysis::matrix::describe;
use crate::analysis::space::{Cube, Dim, Ints, Space, DPORT, DST, IN, OUT, SRC};
use crate::analysis::RuleLoc;
use crate::model::{Family, Protocol, Ruleset};
use crate::simulate::Verdict;

/// The service field: the summary keeps a port's index (among the ports the rules name) in the
/// destination-port field of its boxes.
const SERVICE: Dim = DPORT;
/// The fields a line constrains, in the order a box is widened.
const FIELDS: [Dim; 5] = [SERVICE, IN, OUT, SRC, DST];

/// One line: a box of (service, arriving, leaving, source, destination), its verdict and rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryLine {
    /// Protocols and ports: `any` (of the ports rules name), `tcp/22,80 udp/53`, or `any but …`.
    pub services: String,
    /// Arriving interface classes: `any`, `eth1.1010, eth2`, or `any but …`.
    pub arriving: String,
    /// Leaving interface classes, likewise.
    pub leaving: String,
    /// Source addresses: `any`, networks and ranges, or `not …` (the complement).
    pub sources: String,
    /// Destination addresses, likewise.
    pub destinations: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
    /// Whether this is the last line and holds for everything the lines above leave.
    pub everything_else: bool,
    area: Cube,
}

/// The forwarding matrix of one ruleset, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardSummary {
    /// The family.
    pub family: Family,
    /// The protocols and destination ports the rules name (the matrix's ports).
    pub services: Vec<(Protocol, u16)>,
    /// The interface classes a forwarded packet can arrive on or leave by.
    pub interfaces: Vec<String>,
    /// Arriving interface classes no line tells apart (groups of two or more): they behave alike.
    pub arriving_alike: Vec<Vec<String>>,
    /// Leaving interface classes no line tells apart.
    pub leaving_alike: Vec<Vec<String>>,
    /// The lines, in order: first match wins.
    pub lines: Vec<SummaryLine>,
    /// The label of every interface class, by class number.
    labels: Vec<String>,
}

/// The summary of `ruleset`'s forwarding matrix (no lines without a filter FORWARD chain or
/// without a port its rules name).
pub fn forward_summary(ruleset: &Ruleset) -> ForwardSummary {
    match partitions(ruleset) {
        Some(partitions) => summarise(&partitions),
        None => ForwardSummary {
            family: ruleset.family,
            services: Vec::new(),
            interfaces: Vec::new(),
            arriving_alike: Vec::new(),
            leaving_alike: Vec::new(),
            lines: Vec::new(),
            labels: Vec::new(),
        },
    }
}

impl ForwardSummary {
    /// The line that decides a NEW connection to `protocol`/`port` arriving on interface class
    /// `arriving` and leaving by `leaving` (labels as in [`ForwardSummary::interfaces`]), from
    /// `source` to `destination`: the first line that holds for it. `None` for a port the rules
    /// do not name, an unknown label or an address of the other family.
    pub fn decide(&self, protocol: Protocol, port: u16, arriving: &str, leaving: &str, source: IpAddr, destination: IpAddr) -> Option<&SummaryLine> {
        let service = self.services.iter().position(|known| *known == (protocol, port))?;
        let class = |label: &str| self.labels.iter().position(|known| known == label);
        let point = [
            (SERVICE, service as u128),
            (IN, class(arriving)? as u128),
            (OUT, class(leaving)? as u128),
            (SRC, address_number(self.family, source)?),
            (DST, address_number(self.family, destination)?),
        ];
        self.lines.iter().find(|line| point.iter().all(|&(dim, value)| line.area.field(dim).contains(value)))
    }
}

/// A class of the matrix over every port: (service, arriving, leaving, source, destination).
struct Class {
    first: usize,
    verdict: Verdict,
    by: RuleLoc,
    set: Space,
}

fn summarise(partitions: &Partitions) -> ForwardSummary {
    let universe = &partitions.universe;
    let services: Vec<(Protocol, u16)> = partitions.ports.iter().map(|port| (Protocol::from_number(port.protocol), port.port)).collect();
    let labels: Vec<String> = (0..universe.interfaces.len() as u128).map(|class| universe.interfaces.label(class).to_owned()).collect();
    let external: Vec<u128> = partitions.external.intervals().iter().flat_map(|&(low, high)| low..=high).collect();
    let mut summary = ForwardSummary {
        family: partitions.family,
        services: services.clone(),
        interfaces: external.iter().map(|&class| labels[usize::try_from(class).unwrap_or(0)].clone()).collect(),
        arriving_alike: Vec::new(),
        leaving_alike: Vec::new(),
        lines: Vec::new(),
        labels,
    };
    let Some(last_service) = (services.len() as u128).checked_sub(1) else { return summary };
    let full = universe.full_cube().with(SERVICE, Ints::range(0, last_service)).with(IN, partitions.external.clone()).with(OUT, partitions.external.clone());

    // Each (verdict, rule) over every port, in the order of its first decision.
    let mut classes: Vec<Class> = Vec::new();
    let mut by_key: HashMap<(Verdict, &RuleLoc), usize> = HashMap::new();
    for (service, port) in partitions.ports.iter().enumerate() {
        for class in &port.classes {
            let lifted = Space(class.set.cubes().iter().map(|cube| cube.with(SERVICE, Ints::single(service as u128))).collect());
            match by_key.get(&(class.verdict, &class.by)) {
                Some(&at) => {
                    classes[at].set.absorb(lifted);
                    classes[at].first = classes[at].first.min(class.first);
                }
                None => {
                    by_key.insert((class.verdict, &class.by), classes.len());
                    classes.push(Class { first: class.first, verdict: class.verdict, by: class.by.clone(), set: lifted });
                }
            }
        }
    }
    // Any order reads exactly (each line is widened only over the lines above it): rule order.
    // The rest's class goes last and holds for everything else.
    classes.sort_by_key(|class| class.first);
    if let Some(rest) = &partitions.rest {
        let key = classes.iter().position(|class| class.verdict == rest.verdict && class.by == rest.by);
        let class = key.map_or_else(|| Class { first: rest.first, verdict: rest.verdict, by: rest.by.clone(), set: Space::empty() }, |at| classes.remove(at));
        classes.push(class);
    }
    let mut before = BoxIndex::new(universe.interfaces.len());
    let count = classes.len();
    for (at, class) in classes.into_iter().enumerate() {
        let set = class.set.coalesced();
        let line = |area: Cube, everything_else: bool| SummaryLine {
            services: describe_services(&services, area.field(SERVICE), full.field(SERVICE)),
            arriving: describe_interfaces(universe, area.field(IN), full.field(IN)),
            leaving: describe_interfaces(universe, area.field(OUT), full.field(OUT)),
            sources: describe_addresses(universe, area.field(SRC)),
            destinations: describe_addresses(universe, area.field(DST)),
            verdict: class.verdict,
            decided_by: class.by.clone(),
            everything_else,
            area,
        };
        if at + 1 == count && partitions.rest.is_some() {
            summary.lines.push(line(full.clone(), true));
            break;
        }
        let mut own = BoxIndex::new(universe.interfaces.len());
        own.extend(set.clone());
        let mut boxes: Vec<Cube> = Vec::new();
        for cube in set.cubes() {
            // Already inside a widened box of the class: nothing to add.
            if boxes.iter().any(|kept| cube.within(kept)) {
                continue;
            }
            let mut wide = cube.clone();
            for dim in FIELDS {
                if wide.field(dim) != full.field(dim) {
                    let trial = wide.with(dim, full.field(dim).clone());
                    if covered(&trial, &mut own, &mut before) {
                        wide = trial;
                    }
                }
            }
            if !boxes.iter().any(|kept| wide.within(kept)) {
                boxes.retain(|kept| !kept.within(&wide));
                boxes.push(wide);
            }
        }
        summary.lines.extend(Space(boxes).coalesced().0.into_iter().map(|area| line(area, false)));
        before.extend(set);
    }
    summary.arriving_alike = alike(&summary, &external, IN);
    summary.leaving_alike = alike(&summary, &external, OUT);
    summary
}

/// Whether every packet of `trial` is in `own` or in `before`.
fn covered(trial: &Cube, own: &mut BoxIndex, before: &mut BoxIndex) -> bool {
    let rest = Space::cube(trial.clone()).without_cubes(own.meeting(trial));
    if rest.is_empty() {
        return true;
    }
    // Most trials fail: a corner of what is left that no earlier box holds says so at once.
    for cube in rest.cubes().iter().take(8) {
        if cube.corner().is_some_and(|corner| !before.holds(&corner)) {
            return false;
        }
    }
    let Some(hull) = rest.hull() else { return true };
    rest.without_cubes(before.meeting(&hull)).is_empty()
}

/// Groups of two or more interface classes that every line holds for together or not at all.
fn alike(summary: &ForwardSummary, external: &[u128], dim: Dim) -> Vec<Vec<String>> {
    let mut groups: Vec<(Vec<bool>, Vec<String>)> = Vec::new();
    for &class in external {
        let signature: Vec<bool> = summary.lines.iter().map(|line| line.area.field(dim).contains(class)).collect();
        let label = summary.labels[usize::try_from(class).unwrap_or(0)].clone();
        match groups.iter_mut().find(|(known, _)| *known == signature) {
            Some(group) => group.1.push(label),
            None => groups.push((signature, vec![label])),
        }
    }
    groups.into_iter().map(|(_, labels)| labels).filter(|labels| labels.len() > 1).collect()
}

/// `any`, the items, or `any but` the others, whichever is shorter.
fn either(set: &Ints, full: &Ints, list: impl Fn(&Ints) -> String) -> String {
    if set == full {
        return "any".to_owned();
    }
    let (inside, outside) = (list(set), format!("any but {}", list(&full.minus(set))));
    if outside.len() < inside.len() { outside } else { inside }
}

fn describe_services(services: &[(Protocol, u16)], set: &Ints, full: &Ints) -> String {
    either(set, full, |set| {
        let mut groups: Vec<(Protocol, Vec<String>)> = Vec::new();
        for &(protocol, port) in set.intervals().iter().flat_map(|&(low, high)| low..=high).filter_map(|at| services.get(usize::try_from(at).ok()?)) {
            match groups.last_mut() {
                Some((known, ports)) if *known == protocol => ports.push(port.to_string()),
                _ => groups.push((protocol, vec![port.to_string()])),
            }
        }
        groups.iter().map(|(protocol, ports)| format!("{protocol}/{}", ports.join(","))).collect::<Vec<_>>().join(" ")
    })
}

fn describe_interfaces(universe: &Universe, set: &Ints, full: &Ints) -> String {
    either(set, full, |set| set.intervals().iter().flat_map(|&(low, high)| low..=high).map(|class| universe.interfaces.label(class)).collect::<Vec<_>>().join(", "))
}

fn describe_addresses(universe: &Universe, set: &Ints) -> String {
    let domain = universe.domain(SRC);
    if *set == domain {
        return "any".to_owned();
    }
    let (inside, outside) = (describe(universe, set).join(", "), format!("not {}", describe(universe, &domain.minus(set)).join(", ")));
    if outside.len() < inside.len() { outside } else { inside }
}

impl fmt::Display for SummaryLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = format!("{:?}", self.verdict).to_uppercase();
        if self.everything_else {
            return write!(f, "{:<80} {verdict:<7} {}", "everything else", self.decided_by);
        }
        let interfaces = format!("{} -> {}", self.arriving, self.leaving);
        let addresses = format!("{} -> {}", self.sources, self.destinations);
        write!(f, "{:<16} {interfaces:<24} {addresses:<38} {verdict:<7} {}", self.services, self.decided_by)
    }
}

impl fmt::Display for ForwardSummary {
    /// Nothing without lines; else a header, the interface classes that behave alike, and the lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lines.is_empty() {
            return Ok(());
        }
        writeln!(
            f,
            "{} FORWARD: NEW connections to {} ports the rules name, between {} interface classes; first match wins (a line holds for what the lines above it leave)",
            self.family,
            self.services.len(),
            self.interfaces.len()
        )?;
        for (side, groups) in [("arriving", &self.arriving_alike), ("leaving", &self.leaving_alike)] {
            for group in groups {
                writeln!(f, "  alike when {side}: {}", group.join(", "))?;
            }
        }
        writeln!(f, "  {:<16} {:<24} {:<38} {:<7} rule", "port", "in -> out", "source -> destination", "verdict")?;
        for line in &self.lines {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}
