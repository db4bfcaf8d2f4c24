//! The forwarding matrix computed the first way: every interface pair on its own, each
//! intersecting every certain decision of FORWARD. Slow on a router (ports × pairs ×
//! decisions), and kept as the oracle the faster [`super::forward_matrix`] is tested and
//! benchmarked against: both give the same rows, row for row.

use super::{areas, ForwardClass, ForwardMatrix, ForwardRow};
use crate::analysis::compile::Universe;
use crate::analysis::flow::{Decision, Flow};
use crate::analysis::matrix::{new_connections, ports};
use crate::analysis::space::{Cube, Ints, Space, DST, IN, OUT, SRC};
use crate::analysis::RuleLoc;
use crate::model::{BuiltinChain, Protocol, Ruleset};
use crate::simulate::Verdict;

/// The forwarding matrix of `ruleset`, pair by pair (the reference; use
/// [`super::forward_matrix`]).
#[doc(hidden)]
pub fn forward_matrix_per_pair(ruleset: &Ruleset) -> ForwardMatrix {
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
            let areas = areas::areas(universe, space.cubes().iter().map(|cube| (cube.field(SRC), cube.field(DST))));
            ForwardClass { areas, verdict, decided_by }
        })
        .collect()
}
