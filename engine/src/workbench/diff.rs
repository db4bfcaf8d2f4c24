//! The flows that change between two service matrices ([`crate::analysis::matrix`]): the
//! imported ruleset against the edited one, or the IPv4 matrix against the IPv6 one.
//!
//! A matrix row is keyed by protocol, destination port and interface class, and partitions the
//! source addresses into classes, each with a verdict and its deciding rule. The diff walks the
//! keys both matrices have:
//!
//! - **Same family**: the source classes of both sides are intersected exactly (as address
//!   intervals), and every non-empty intersection whose verdict differs is one change, with the
//!   deciding rule of each side. The deciding rule alone changing (same verdict) is not a flow
//!   change.
//! - **IPv4 against IPv6**: addresses cannot be compared, so a key changes when the verdicts its
//!   sources get differ: each pair of a class of one side and a class of the other with
//!   different verdicts, one of which the other side gives no source at all, is a change (SSH
//!   open to one admin address in each family is not a change; HTTP open in IPv4 and closed in
//!   IPv6 is).
//!
//! Interface classes are matched by label: a name one side mentions and the other does not
//! falls, on the other side, in its longest `prefix+` class, else in `*` (exact when both name
//! the same interfaces, as the two families of one ruleset do). [`diff_matrices`] skips a port
//! one matrix has no row for (no rule there names it); [`diff_rulesets`] computes both matrices
//! over the union of their ports, so deleting the only rule for a port shows up. Ports neither
//! ruleset names are no key of either matrix (as in the matrix itself): a new
//! `-p tcp -j REJECT` shows on the named ports only.
//!
//! # Examples
//! ```
//! use portcullis_engine::import::import;
//! use portcullis_engine::workbench::diff::diff_rulesets;
//!
//! let before = import("*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n", None).value.rulesets.remove(0);
//! let after = import("*filter\n:INPUT DROP [0:0]\nCOMMIT\n", None).value.rulesets.remove(0);
//! let changes = diff_rulesets(&before, &after);
//! assert_eq!(changes.len(), 1);
//! assert_eq!(changes[0].summary(), "TCP 22 from anywhere: accepted → dropped");
//! assert_eq!(changes[0].before.decided_by.to_string(), "INPUT rule 1");
//! assert_eq!(changes[0].after.decided_by.to_string(), "the INPUT policy");
//! ```

use std::net::IpAddr;

use crate::analysis::matrix::{matrix_with_ports, Class, Matrix, Row};
use crate::model::{Family, Protocol, RuleLoc, Ruleset};
use crate::simulate::Verdict;

/// One side of a change: the sources it is about, their verdict and the deciding rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Side {
    /// The sources (`any`, addresses, networks, ranges), as the matrix writes them.
    pub sources: Vec<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
}

/// A flow whose verdict changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowChange {
    /// The protocol.
    pub protocol: Protocol,
    /// The destination port.
    pub port: u16,
    /// The interface classes it holds for (`*`: any interface no rule names).
    pub interfaces: Vec<String>,
    /// The first matrix's side (the imported ruleset, or IPv4).
    pub before: Side,
    /// The second matrix's side (the edited ruleset, or IPv6).
    pub after: Side,
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "accepted",
        Verdict::Drop => "dropped",
        Verdict::Reject => "rejected",
    }
}

fn sources_words(sources: &[String]) -> String {
    if sources.iter().any(|source| source == "any") {
        return "anywhere".to_owned();
    }
    let shown = sources.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
    match sources.len() {
        0..=3 => shown,
        more => format!("{shown} and {} more", more - 3),
    }
}

impl FlowChange {
    /// The change in plain words: `TCP 22 from anywhere: accepted → dropped` (with ` on eth1`
    /// for an interface class other than `*`, and both sides' sources when they differ).
    pub fn summary(&self) -> String {
        let protocol = self.protocol.to_string().to_ascii_uppercase();
        let sources = if self.before.sources == self.after.sources {
            sources_words(&self.before.sources)
        } else {
            format!("{} / {}", sources_words(&self.before.sources), sources_words(&self.after.sources))
        };
        let interfaces = if self.interfaces.iter().all(|label| label == "*") {
            String::new()
        } else {
            format!(" on {}", self.interfaces.join(", "))
        };
        format!(
            "{protocol} {} from {sources}{interfaces}: {} → {}",
            self.port,
            verdict_word(self.before.verdict),
            verdict_word(self.after.verdict)
        )
    }
}

/// The row of `matrix` for `protocol`/`port` that holds interface class `label`, or the class
/// `label`'s interfaces fall in when `matrix` does not name them.
fn resolve<'m>(matrix: &'m Matrix, protocol: Protocol, port: u16, label: &str) -> Option<&'m Row> {
    let rows: Vec<&Row> = matrix.rows.iter().filter(|row| row.protocol == protocol && row.port == port).collect();
    let holding = |wanted: &str| rows.iter().copied().find(|row| row.interfaces.iter().any(|have| have == wanted));
    if let Some(row) = holding(label) {
        return Some(row);
    }
    // The longest `prefix+` class of this matrix that covers the label's names.
    let name = if label == "*" { "" } else { label.strip_suffix('+').unwrap_or(label) };
    let covering = rows
        .iter()
        .flat_map(|row| row.interfaces.iter().map(move |have| (row, have)))
        .filter_map(|(row, have)| have.strip_suffix('+').filter(|prefix| name.starts_with(prefix)).map(|prefix| (prefix.len(), *row)))
        .max_by_key(|(length, _)| *length);
    covering.map(|(_, row)| row).or_else(|| holding("*"))
}

/// Address intervals of a class's sources (both ends included).
fn intervals(family: Family, sources: &[String]) -> Vec<(u128, u128)> {
    let top = if family == Family::V4 { u128::from(u32::MAX) } else { u128::MAX };
    let number = |text: &str| -> Option<u128> {
        match text.parse::<IpAddr>().ok()? {
            IpAddr::V4(address) => Some(u128::from(u32::from(address))),
            IpAddr::V6(address) => Some(u128::from(address)),
        }
    };
    let mut out: Vec<(u128, u128)> = sources
        .iter()
        .filter_map(|source| {
            if source == "any" {
                return Some((0, top));
            }
            if let Some((first, last)) = source.split_once('-') {
                return Some((number(first)?, number(last)?));
            }
            let net: ipnet::IpNet = source.parse().ok().or_else(|| source.parse::<IpAddr>().ok().map(ipnet::IpNet::from))?;
            let first = number(&net.network().to_string())?;
            let last = number(&net.broadcast().to_string())?;
            Some((first, last))
        })
        .collect();
    out.sort_unstable();
    out
}

fn intersect(left: &[(u128, u128)], right: &[(u128, u128)]) -> Vec<(u128, u128)> {
    let mut out = Vec::new();
    for &(a, b) in left {
        for &(c, d) in right {
            let (first, last) = (a.max(c), b.min(d));
            if first <= last {
                out.push((first, last));
            }
        }
    }
    out.sort_unstable();
    out
}

fn address(family: Family, value: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(u32::try_from(value).unwrap_or(u32::MAX).into()),
        Family::V6 => IpAddr::V6(value.into()),
    }
}

/// Intervals written as the matrix writes sources: `any`, an address, a network or a range.
fn describe(family: Family, set: &[(u128, u128)]) -> Vec<String> {
    let top = if family == Family::V4 { u128::from(u32::MAX) } else { u128::MAX };
    if set == [(0, top)] {
        return vec!["any".to_owned()];
    }
    let bits = if family == Family::V4 { 32 } else { 128 };
    set.iter()
        .map(|&(first, last)| {
            let size = last - first;
            let aligned = size.checked_add(1).is_some_and(u128::is_power_of_two) && first & size == 0;
            if first == last {
                address(family, first).to_string()
            } else if aligned {
                format!("{}/{}", address(family, first), bits - (128 - size.leading_zeros()))
            } else {
                format!("{}-{}", address(family, first), address(family, last))
            }
        })
        .collect()
}

fn side(sources: Vec<String>, class: &Class) -> Side {
    Side { sources, verdict: class.verdict, decided_by: class.decided_by.clone() }
}

/// The changes of one key (a row of each matrix).
fn row_changes(before: (&Matrix, &Row), after: (&Matrix, &Row)) -> Vec<(Side, Side)> {
    let ((left, left_row), (right, right_row)) = (before, after);
    let mut out = Vec::new();
    if left.family == right.family {
        for old in &left_row.classes {
            let old_set = intervals(left.family, &old.sources);
            for new in right_row.classes.iter().filter(|new| new.verdict != old.verdict) {
                let common = intersect(&old_set, &intervals(right.family, &new.sources));
                if !common.is_empty() {
                    let sources = describe(left.family, &common);
                    out.push((side(sources.clone(), old), side(sources, new)));
                }
            }
        }
    } else {
        let given = |row: &Row| row.classes.iter().map(|class| class.verdict).collect::<Vec<_>>();
        let (old_verdicts, new_verdicts) = (given(left_row), given(right_row));
        for old in &left_row.classes {
            for new in right_row.classes.iter().filter(|new| new.verdict != old.verdict) {
                if !new_verdicts.contains(&old.verdict) || !old_verdicts.contains(&new.verdict) {
                    out.push((side(old.sources.clone(), old), side(new.sources.clone(), new)));
                }
            }
        }
    }
    out
}

/// Every flow whose verdict differs between `before` and `after`, over the protocol/port keys
/// both have, ordered by protocol, port and first appearance; a change that holds for several
/// interface classes is listed once with all of them.
pub fn diff_matrices(before: &Matrix, after: &Matrix) -> Vec<FlowChange> {
    let mut keys: Vec<(Protocol, u16)> = before.rows.iter().map(|row| (row.protocol, row.port)).collect();
    keys.sort_by_key(|(protocol, port)| (protocol.number(), *port));
    keys.dedup();
    let mut changes: Vec<FlowChange> = Vec::new();
    for (protocol, port) in keys {
        let mut labels: Vec<&String> = Vec::new();
        for row in before.rows.iter().chain(&after.rows).filter(|row| row.protocol == protocol && row.port == port) {
            for label in &row.interfaces {
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
        }
        for label in labels {
            let (Some(old), Some(new)) = (resolve(before, protocol, port, label), resolve(after, protocol, port, label)) else {
                continue;
            };
            for (old_side, new_side) in row_changes((before, old), (after, new)) {
                let same = |change: &FlowChange| {
                    change.protocol == protocol && change.port == port && change.before == old_side && change.after == new_side
                };
                match changes.iter_mut().find(|change| same(change)) {
                    Some(change) => change.interfaces.push(label.clone()),
                    None => changes.push(FlowChange { protocol, port, interfaces: vec![label.clone()], before: old_side, after: new_side }),
                }
            }
        }
    }
    changes
}

/// [`diff_matrices`] of the two rulesets' matrices, each computed over the ports either
/// ruleset names, so a port whose only rule was deleted still shows its change.
pub fn diff_rulesets(before: &Ruleset, after: &Ruleset) -> Vec<FlowChange> {
    let first = (crate::analysis::matrix::matrix(before), crate::analysis::matrix::matrix(after));
    let ports: Vec<(Protocol, u16)> = first.0.rows.iter().chain(&first.1.rows).map(|row| (row.protocol, row.port)).collect();
    diff_matrices(&matrix_with_ports(before, &ports), &matrix_with_ports(after, &ports))
}
