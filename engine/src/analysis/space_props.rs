//! Property tests of the set algebra against plain sets of points: the compact representation
//! (one interval inline, boxes cut in place, grouped parts) must give exactly the same sets.

use std::collections::BTreeSet;

use proptest::prelude::*;

use super::parts::Parts;
use super::space::{Cube, Ints, Space, DIMS, DPORT, SRC};

fn ints(values: &BTreeSet<u8>) -> Ints {
    Ints::from_values(values.iter().map(|value| u128::from(*value)))
}

fn points(set: &Ints) -> BTreeSet<u8> {
    (0..32_u8).filter(|value| set.contains(u128::from(*value))).collect()
}

/// Boxes over two fields (source, destination port) with values 0..6; the other fields are one value.
fn cube(sources: &BTreeSet<u8>, ports: &BTreeSet<u8>) -> Cube {
    Cube(Box::new(std::array::from_fn(|dim| match dim {
        SRC => ints(sources),
        DPORT => ints(ports),
        _ => Ints::single(0),
    })))
}

fn space(boxes: &[(BTreeSet<u8>, BTreeSet<u8>)]) -> Space {
    let mut out = Space::empty();
    for (sources, ports) in boxes {
        out.absorb(Space::cube(cube(sources, ports)));
    }
    out
}

fn members(space: &Space) -> BTreeSet<(u8, u8)> {
    let mut out = BTreeSet::new();
    for cube in space.cubes() {
        assert!(!cube.is_empty(), "a space holds no empty box");
        for x in points(cube.field(SRC)) {
            for y in points(cube.field(DPORT)) {
                out.insert((x, y));
            }
        }
    }
    out
}

fn small_set() -> impl Strategy<Value = BTreeSet<u8>> {
    proptest::collection::btree_set(0..6_u8, 0..5)
}

fn boxes() -> impl Strategy<Value = Vec<(BTreeSet<u8>, BTreeSet<u8>)>> {
    proptest::collection::vec((small_set(), small_set()), 0..5)
}

proptest! {
    #[test]
    fn ints_match_sets(a in proptest::collection::btree_set(0..24_u8, 0..10), b in proptest::collection::btree_set(0..24_u8, 0..10)) {
        let (x, y) = (ints(&a), ints(&b));
        prop_assert_eq!(points(&x.union(&y)), a.union(&b).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(points(&x.intersect(&y)), a.intersection(&b).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(points(&x.minus(&y)), a.difference(&b).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(points(&Ints::union_all([x.clone(), y.clone()])), a.union(&b).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(x.overlaps(&y), !a.is_disjoint(&b));
        prop_assert_eq!(x.is_subset(&y), a.is_subset(&b));
        prop_assert_eq!(x.is_empty(), a.is_empty());
        // Equal sets compare equal whatever operations built them.
        prop_assert_eq!(x.union(&y) == y.union(&x), true);
        prop_assert_eq!(x.minus(&y).union(&x.intersect(&y)), x.clone());
    }

    #[test]
    fn spaces_match_sets(a in boxes(), b in boxes()) {
        let (x, y) = (space(&a), space(&b));
        let (ma, mb) = (members(&x), members(&y));
        prop_assert_eq!(members(&x.intersect(&y)), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(members(&x.minus(&y)), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(x.meets(&y), !ma.is_disjoint(&mb));
        let (inside, outside) = x.clone().split(&y);
        prop_assert_eq!(members(&inside), ma.intersection(&mb).copied().collect::<BTreeSet<_>>());
        prop_assert_eq!(members(&outside), ma.difference(&mb).copied().collect::<BTreeSet<_>>());
        let sources: BTreeSet<u8> = ma.iter().map(|(x, _)| *x).collect();
        prop_assert_eq!(points(&x.project(SRC)), sources);
        if let Some(hull) = x.hull() {
            prop_assert!(x.is_subset(&Space::cube(hull)));
        }
        // Grouped parts: the same sets as one space.
        let mut parts = Parts::of(x.clone());
        parts.absorb(y.clone());
        let union: BTreeSet<_> = ma.union(&mb).copied().collect();
        prop_assert_eq!(members(&parts.intersect(&y)), mb.clone());
        let taken = parts.take(&x);
        prop_assert_eq!(members(&taken), ma.clone());
        prop_assert_eq!(members(&parts.into_space()), union.difference(&ma).copied().collect::<BTreeSet<_>>());
    }
}

#[test]
fn boxes_have_every_field() {
    assert_eq!(cube(&BTreeSet::from([1]), &BTreeSet::from([2])).0.len(), DIMS);
}
