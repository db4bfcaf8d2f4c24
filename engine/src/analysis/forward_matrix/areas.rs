//! A set of (source, destination) address pairs in one canonical form: the sources grouped by
//! the set of destinations they may reach. The same set always reads the same, however the
//! analysis happened to cut it into boxes, so two ways of computing a matrix can be compared
//! row by row, and an area says "these sources, to these destinations" with no overlap.

use std::collections::HashMap;

use super::Area;
use crate::analysis::compile::Universe;
use crate::analysis::matrix::describe;
use crate::analysis::space::Ints;

/// The areas of the union of `boxes` (each any of its sources to any of its destinations):
/// one area per distinct set of destinations, with every source that reaches exactly that set,
/// in the order of their lowest source.
pub(super) fn areas<'a>(universe: &Universe, boxes: impl IntoIterator<Item = (&'a Ints, &'a Ints)>) -> Vec<Area> {
    let boxes: Vec<(&Ints, &Ints)> = boxes.into_iter().collect();
    // Every source where some box starts or ends: between two of them, the same boxes hold.
    let mut starts: Vec<u128> = Vec::new();
    for (sources, _) in &boxes {
        for &(first, last) in sources.intervals() {
            starts.push(first);
            if let Some(after) = last.checked_add(1) {
                starts.push(after);
            }
        }
    }
    starts.sort_unstable();
    starts.dedup();
    let mut groups: Vec<(Ints, Vec<Ints>)> = Vec::new();
    let mut by_destinations: HashMap<Ints, usize> = HashMap::new();
    for (at, &first) in starts.iter().enumerate() {
        let last = starts.get(at + 1).map_or(u128::MAX, |next| next - 1);
        let reached = Ints::union_all(boxes.iter().filter(|(sources, _)| sources.contains(first)).map(|(_, destinations)| (*destinations).clone()));
        if reached.is_empty() {
            continue;
        }
        let piece = Ints::range(first, last);
        match by_destinations.get(&reached) {
            Some(&group) => groups[group].1.push(piece),
            None => {
                by_destinations.insert(reached.clone(), groups.len());
                groups.push((reached, vec![piece]));
            }
        }
    }
    // Groups are made in the order of their lowest source already.
    groups
        .into_iter()
        .map(|(destinations, sources)| Area { sources: describe(universe, &Ints::union_all(sources)), destinations: describe(universe, &destinations) })
        .collect()
}
