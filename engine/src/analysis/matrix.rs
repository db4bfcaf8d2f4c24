//! The service matrix: for traffic to the host (filter INPUT), for each protocol and destination
//! port some rule mentions, the partition of source addresses into classes the firewall treats
//! alike, with the verdict and the deciding rule of each class.
//!
//! The probe of a row is a NEW connection (a SYN for TCP) to that port, arriving on one
//! interface class other than `lo` (rows with the same partition are merged), not a fragment. Other fields
//! (destination address, source port, mark…) are left free: a source is put in the class of the
//! first rule that decides some packet from it, which is exact unless rules also tell apart
//! those fields. Uncertain matches are taken as not matching (the simulator's first outcome).
//!
//! ```
//! use portcullis_engine::analysis::matrix::matrix;
//! use portcullis_engine::import::import;
//!
//! let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
//! let table = matrix(&import(text, None).value.rulesets[0]);
//! let row = &table.rows[0];
//! assert_eq!((row.port, row.classes.len()), (22, 2));
//! assert_eq!(row.classes[0].sources, vec!["10.0.0.0/8".to_owned()]);
//! ```

use std::collections::BTreeSet;

use serde_json::json;

use super::compile::{address_of, state_index, Universe};
use super::flow::Flow;
use super::space::{Ints, Space, DPORT, FLAGS, FRAG, IN, PKTTYPE, PROTO, SRC, STATE};
use super::RuleLoc;
use crate::model::{BuiltinChain, ConnState, Family, Module, PortDirection, Protocol, Ruleset};
use crate::simulate::Verdict;

/// A set of sources the firewall treats alike for one row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Class {
    /// The sources, as networks (`10.0.0.0/8`) or ranges (`10.0.0.1-10.0.0.5`); `any` for all.
    pub sources: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
}

/// One protocol and port, on some interfaces.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Row {
    /// The protocol.
    pub protocol: Protocol,
    /// The destination port.
    pub port: u16,
    /// Interface classes this row holds for (`*`: any interface no rule names).
    pub interfaces: Vec<String>,
    /// The partition of sources, in rule order.
    pub classes: Vec<Class>,
}

/// The matrix of one ruleset.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Matrix {
    /// The family.
    pub family: Family,
    /// Rows by protocol and port.
    pub rows: Vec<Row>,
}

/// The ports a chain's reached rules name as destination ports.
pub(crate) fn ports(ruleset: &Ruleset, flow: &Flow) -> BTreeSet<(u8, u16)> {
    let mut out = BTreeSet::new();
    let Some(table) = ruleset.table(crate::model::TableName::Filter) else { return out };
    for (chain, index) in flow.rules.keys() {
        let Some(rule) = table.chains.iter().find(|found| found.name.as_str() == chain).and_then(|found| found.rules.get(*index)) else { continue };
        let protocol = rule.protocol.as_ref().filter(|protocol| !protocol.negated).map(|protocol| protocol.value.number());
        for module in &rule.modules {
            match module {
                Module::Tcp { destination_port: Some(port), .. } => {
                    out.insert((6, port.value.first()));
                }
                Module::Udp { destination_port: Some(port), .. } => {
                    out.insert((17, port.value.first()));
                }
                Module::Multiport { direction: PortDirection::Destination | PortDirection::Either, ports } => {
                    for spec in &ports.value {
                        out.insert((protocol.unwrap_or(6), spec.first()));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Source addresses as networks or ranges.
/// `space` narrowed to the first packet of a new connection to `protocol`/`port`: unfragmented,
/// unicast, conntrack NEW, and a lone SYN for TCP — what a matrix row is about.
pub(crate) fn new_connections(space: Space, protocol: u8, port: u16) -> Space {
    let mut fields = vec![
        (FRAG, Ints::single(0)),
        (PKTTYPE, Ints::single(0)),
        (PROTO, Ints::single(u128::from(protocol))),
        (DPORT, Ints::single(u128::from(port))),
        (STATE, Ints::single(state_index(ConnState::New))),
    ];
    if protocol == 6 {
        fields.push((FLAGS, Ints::single(2)));
    }
    fields.iter().fold(space, |space, (dim, values)| space.restrict(*dim, values))
}

pub(crate) fn describe(universe: &Universe, set: &Ints) -> Vec<String> {
    if universe.domain(SRC).is_subset(set) {
        return vec!["any".to_owned()];
    }
    let family = universe.family;
    set.intervals()
        .iter()
        .map(|&(first, last)| {
            let size = last - first;
            let bits = if family == Family::V4 { 32 } else { 128 };
            let host_bits = 128 - size.leading_zeros();
            let aligned = size.checked_add(1).is_some_and(u128::is_power_of_two) && first & size == 0;
            if first == last {
                address_of(family, first).to_string()
            } else if aligned {
                format!("{}/{}", address_of(family, first), bits - host_bits)
            } else {
                format!("{}-{}", address_of(family, first), address_of(family, last))
            }
        })
        .collect()
}

/// The service matrix of `ruleset` (no rows without a filter INPUT chain).
pub fn matrix(ruleset: &Ruleset) -> Matrix {
    matrix_with_ports(ruleset, &[])
}

/// The service matrix with rows for `extra` protocol/port pairs too, even when no rule of
/// `ruleset` names them: to compare two rulesets over the same ports (see
/// [`crate::workbench::diff`]).
///
/// # Examples
/// ```
/// use portcullis_engine::analysis::matrix::matrix_with_ports;
/// use portcullis_engine::import::import;
/// use portcullis_engine::model::Protocol;
///
/// let text = "*filter\n:INPUT DROP [0:0]\nCOMMIT\n";
/// let table = matrix_with_ports(&import(text, None).value.rulesets[0], &[(Protocol::TCP, 8080)]);
/// assert_eq!(table.rows[0].port, 8080);
/// assert_eq!(table.rows[0].classes[0].decided_by.to_string(), "the INPUT policy");
/// ```
pub fn matrix_with_ports(ruleset: &Ruleset, extra: &[(Protocol, u16)]) -> Matrix {
    let universe = Universe::of(ruleset);
    let mut rows: Vec<Row> = Vec::new();
    let Some(flow) = Flow::run(ruleset, &universe, BuiltinChain::Input) else { return Matrix { family: ruleset.family, rows } };
    // Each certain decision with the protocols and ports it covers, to skip the others quickly.
    let exact = flow.decisions.iter().all(|decision| decision.certain);
    let decisions: Vec<(&super::flow::Decision, Ints, Ints)> = flow
        .decisions
        .iter()
        .filter(|decision| decision.certain)
        .map(|decision| {
            let cheap = exact && decision.by.index.is_none();
            let covers = |dim| if cheap { Ints::empty() } else { decision.set.project(dim) };
            (decision, covers(PROTO), covers(DPORT))
        })
        .collect();
    let mut wanted = ports(ruleset, &flow);
    wanted.extend(extra.iter().map(|(protocol, port)| (protocol.number(), *port)));
    for (protocol, port) in wanted {
        let relevant: Vec<&super::flow::Decision> = decisions
            .iter()
            .filter(|(decision, protocols, ports)| {
                (exact && decision.by.index.is_none()) || (protocols.contains(u128::from(protocol)) && ports.contains(u128::from(port)))
            })
            .map(|(decision, _, _)| *decision)
            .collect();
        let base = new_connections(universe.entering(BuiltinChain::Input), protocol, port);
        let mut by_class: Vec<(String, Vec<Class>)> = Vec::new();
        for (low, high) in universe.interfaces.external().intervals().iter().copied() {
            for class in low..=high {
                let probe = base.restrict(IN, &Ints::single(class));
                by_class.push((universe.interfaces.label(class).to_owned(), partition(&universe, &relevant, &probe, exact)));
            }
        }
        let start = rows.len();
        for (label, classes) in by_class {
            match rows[start..].iter_mut().find(|row| row.classes == classes) {
                Some(row) => row.interfaces.push(label),
                None => rows.push(Row { protocol: Protocol::from_number(protocol), port, interfaces: vec![label], classes }),
            }
        }
    }
    Matrix { family: ruleset.family, rows }
}

fn partition(universe: &Universe, decisions: &[&super::flow::Decision], probe: &Space, exact: bool) -> Vec<Class> {
    let mut assigned = Ints::empty();
    let mut classes: Vec<(Ints, Verdict, RuleLoc)> = Vec::new();
    let sources = probe.project(SRC);
    for (at, decision) in decisions.iter().enumerate() {
        // Decisions split the packets that enter: what no rule decided goes to the policy, so the
        // policy's (often fragmented) set need not be intersected.
        let last_of_exact = exact && at + 1 == decisions.len() && decision.by.index.is_none();
        let taken = if last_of_exact { sources.minus(&assigned) } else { decision.set.project_meeting(probe, SRC).minus(&assigned) };
        if taken.is_empty() {
            continue;
        }
        assigned = assigned.union(&taken);
        match classes.iter_mut().find(|(_, verdict, by)| *verdict == decision.verdict && *by == decision.by) {
            Some(class) => class.0 = class.0.union(&taken),
            None => classes.push((taken, decision.verdict, decision.by.clone())),
        }
    }
    classes.into_iter().map(|(sources, verdict, decided_by)| Class { sources: describe(universe, &sources), verdict, decided_by }).collect()
}

impl Matrix {
    /// The JSON form: `{family, chain: "INPUT", rows: [{protocol, port, interfaces, classes: [{sources, verdict, rule}]}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        let rows: Vec<serde_json::Value> = self
            .rows
            .iter()
            .map(|row| {
                let classes: Vec<serde_json::Value> = row
                    .classes
                    .iter()
                    .map(|class| {
                        json!({
                            "sources": class.sources,
                            "verdict": class.verdict,
                            "rule": {"table": class.decided_by.table.as_str(), "chain": class.decided_by.chain, "index": class.decided_by.index},
                        })
                    })
                    .collect();
                json!({"protocol": row.protocol.to_string(), "port": row.port, "interfaces": row.interfaces, "classes": classes})
            })
            .collect();
        json!({"family": if self.family == Family::V4 { "v4" } else { "v6" }, "chain": "INPUT", "rows": rows})
    }
}

#[cfg(test)]
mod tests {
    use super::matrix;
    use crate::import::import;
    use crate::simulate::{simulate, Packet, Verdict};

    #[test]
    fn partition_follows_the_rules_and_the_simulator() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -i eth1 -p udp -m udp --dport 53 -j ACCEPT\nCOMMIT\n";
        let ruleset = import(text, None).value.rulesets.remove(0);
        let table = matrix(&ruleset);
        let ssh = table.rows.iter().find(|row| row.port == 22).unwrap();
        assert_eq!(ssh.classes.len(), 2);
        assert_eq!(ssh.classes[0].sources, vec!["10.0.0.0/8".to_owned()]);
        assert_eq!(ssh.classes[1].sources, vec!["0.0.0.0-9.255.255.255".to_owned(), "11.0.0.0-255.255.255.255".to_owned()]);
        for (source, verdict) in [("10.1.2.3", Verdict::Drop), ("11.0.0.1", Verdict::Accept)] {
            let packet = Packet::parse(&format!("tcp {source}:40000 -> 192.0.2.1:22 in {} syn new", "eth0")).unwrap();
            assert_eq!(simulate(&ruleset, &packet).verdict(), Some(verdict));
        }
        let dns: Vec<_> = table.rows.iter().filter(|row| row.port == 53).collect();
        assert_eq!(dns.len(), 2, "eth1 differs from the other interfaces: {dns:?}");
    }

    #[test]
    fn every_class_replays_through_the_simulator() {
        let text = "*filter\n:INPUT DROP [0:0]\n:ssh - [0:0]\n-A INPUT -i lo -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ssh\n-A INPUT -s 192.0.2.0/24 -p tcp -m multiport --dports 80,443 -j REJECT\n-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\n-A INPUT -i eth1 -p udp -m udp --dport 161 -j ACCEPT\n-A ssh -s 10.0.0.0/8 -j ACCEPT\n-A ssh -s 10.1.0.0/16 -j DROP\n-A ssh -m iprange --src-range 172.16.0.5-172.16.0.9 -j ACCEPT\n-A ssh -j RETURN\nCOMMIT\n";
        let ruleset = import(text, None).value.rulesets.remove(0);
        let table = matrix(&ruleset);
        assert!(table.rows.len() >= 4, "{table:?}");
        for row in &table.rows {
            for class in &row.classes {
                for source in &class.sources {
                    let first = match source.as_str() {
                        "any" => "198.51.100.9".to_owned(),
                        text => text.split(['/', '-']).next().unwrap().to_owned(),
                    };
                    let interface = if row.interfaces[0] == "*" { "eth0" } else { row.interfaces[0].as_str() };
                    let proto = if row.protocol == crate::model::Protocol::TCP { "tcp" } else { "udp" };
                    let flags = if proto == "tcp" { " syn" } else { "" };
                    let packet = Packet::parse(&format!("{proto} {first}:40000 -> 192.0.2.200:{} in {interface}{flags} new", row.port)).unwrap();
                    let outcome = &simulate(&ruleset, &packet).outcomes[0];
                    assert_eq!(outcome.verdict, class.verdict, "{packet} in {row:?}");
                    let by = outcome.decided_by.as_ref().unwrap();
                    assert_eq!((by.chain.as_str(), by.index), (class.decided_by.chain.as_str(), class.decided_by.index), "{packet}");
                }
            }
        }
    }
}
