//! Exact sets of packets: unions of boxes, each box a set of values per field.
//!
//! Every field of a packet the analysis looks at is a number (addresses as `u128`, interfaces as
//! class indexes, conntrack states as indexes…). An [`Ints`] is a set of such numbers kept as
//! sorted, disjoint, non-adjacent inclusive intervals; a [`Cube`] gives one [`Ints`] per field
//! and stands for their product; a [`Space`] is a finite union of cubes. Intersection, difference
//! and emptiness are exact, so a finding never rests on sampling.

/// A field of the packet, as an index into a [`Cube`].
pub(crate) type Dim = usize;

/// Source address.
pub(crate) const SRC: Dim = 0;
/// Destination address.
pub(crate) const DST: Dim = 1;
/// Protocol number.
pub(crate) const PROTO: Dim = 2;
/// Source port.
pub(crate) const SPORT: Dim = 3;
/// Destination port.
pub(crate) const DPORT: Dim = 4;
/// Arriving interface class.
pub(crate) const IN: Dim = 5;
/// Leaving interface class.
pub(crate) const OUT: Dim = 6;
/// TCP flags (six bits).
pub(crate) const FLAGS: Dim = 7;
/// ICMP type.
pub(crate) const ICMP_TYPE: Dim = 8;
/// ICMP code.
pub(crate) const ICMP_CODE: Dim = 9;
/// Conntrack state index (see `compile::STATES`).
pub(crate) const STATE: Dim = 10;
/// Firewall mark.
pub(crate) const MARK: Dim = 11;
/// Non-first fragment (0 / 1).
pub(crate) const FRAG: Dim = 12;
/// Total length.
pub(crate) const LENGTH: Dim = 13;
/// TTL / hop limit.
pub(crate) const TTL: Dim = 14;
/// Link-layer packet type index.
pub(crate) const PKTTYPE: Dim = 15;
/// How many fields a cube has.
pub(crate) const DIMS: usize = 16;

/// A set of numbers: sorted, disjoint, non-adjacent inclusive intervals.
///
/// Most fields of most boxes are one interval, so that case is kept inline: building, cloning
/// and dropping a box then allocates nothing (the analysis makes millions of them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ints(Repr);

/// `One` exactly when there is one interval (so derived equality is set equality).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    One((u128, u128)),
    Many(Vec<(u128, u128)>),
}

impl Default for Repr {
    fn default() -> Self {
        Self::Many(Vec::new())
    }
}

impl Ints {
    /// The empty set.
    pub fn empty() -> Self {
        Self(Repr::Many(Vec::new()))
    }

    /// `first..=last` (empty when reversed).
    pub fn range(first: u128, last: u128) -> Self {
        if first <= last {
            Self(Repr::One((first, last)))
        } else {
            Self::empty()
        }
    }

    /// One value.
    pub fn single(value: u128) -> Self {
        Self(Repr::One((value, value)))
    }

    /// The set of `values` (any order, duplicates allowed).
    pub fn from_values(values: impl IntoIterator<Item = u128>) -> Self {
        Self::normalize(values.into_iter().map(|value| (value, value)).collect())
    }

    /// The intervals, in order.
    pub fn intervals(&self) -> &[(u128, u128)] {
        match &self.0 {
            Repr::One(interval) => std::slice::from_ref(interval),
            Repr::Many(intervals) => intervals,
        }
    }

    /// Appends an interval above (and not adjacent to) every interval already in the set.
    fn push(&mut self, interval: (u128, u128)) {
        match &mut self.0 {
            Repr::Many(intervals) if intervals.is_empty() => self.0 = Repr::One(interval),
            Repr::Many(intervals) => intervals.push(interval),
            Repr::One(only) => self.0 = Repr::Many(vec![*only, interval]),
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Many(intervals) if intervals.is_empty())
    }

    /// Whether `value` is in the set.
    pub fn contains(&self, value: u128) -> bool {
        let intervals = self.intervals();
        let at = intervals.partition_point(|&(_, last)| last < value);
        intervals.get(at).is_some_and(|&(first, _)| first <= value)
    }

    /// The smallest value.
    pub fn min(&self) -> Option<u128> {
        self.intervals().first().map(|&(first, _)| first)
    }

    fn normalize(mut pieces: Vec<(u128, u128)>) -> Self {
        pieces.sort_unstable();
        let mut out = Self::empty();
        let mut open: Option<(u128, u128)> = None;
        for (first, last) in pieces {
            match &mut open {
                Some(previous) if first <= previous.1.saturating_add(1) => previous.1 = previous.1.max(last),
                _ => {
                    if let Some(done) = open.replace((first, last)) {
                        out.push(done);
                    }
                }
            }
        }
        if let Some(done) = open {
            out.push(done);
        }
        out
    }

    /// The union of many sets (one sort, where folding [`Ints::union`] would copy each time).
    pub fn union_all(sets: impl IntoIterator<Item = Self>) -> Self {
        let mut pieces = Vec::new();
        for set in sets {
            pieces.extend_from_slice(set.intervals());
        }
        Self::normalize(pieces)
    }

    /// Union.
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        if let (Repr::One((a0, a1)), Repr::One((b0, b1))) = (&self.0, &other.0) {
            let (low, high) = if a0 <= b0 { ((*a0, *a1), (*b0, *b1)) } else { ((*b0, *b1), (*a0, *a1)) };
            if high.0 <= low.1.saturating_add(1) {
                return Self::range(low.0, low.1.max(high.1));
            }
            return Self(Repr::Many(vec![low, high]));
        }
        if self.is_empty() {
            return other.clone();
        }
        if other.is_empty() {
            return self.clone();
        }
        Self::normalize(self.intervals().iter().chain(other.intervals()).copied().collect())
    }

    /// Intersection.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        if let (Repr::One((a0, a1)), Repr::One((b0, b1))) = (&self.0, &other.0) {
            return Self::range(*a0.max(b0), *a1.min(b1));
        }
        let (a, b) = (self.intervals(), other.intervals());
        let (mut i, mut j) = (0, 0);
        let mut out = Self::empty();
        while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
            let (first, last) = (a0.max(b0), a1.min(b1));
            if first <= last {
                out.push((first, last));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        out
    }

    /// `self` without `other`.
    #[must_use]
    pub fn minus(&self, other: &Self) -> Self {
        let mut out = Self::empty();
        for &(first, last) in self.intervals() {
            let mut start = first;
            let mut open = true;
            for &(b0, b1) in other.intervals() {
                if b1 < start || b0 > last {
                    continue;
                }
                if b0 > start {
                    out.push((start, b0 - 1));
                }
                if b1 >= last {
                    open = false;
                    break;
                }
                start = b1 + 1;
            }
            if open {
                out.push((start, last));
            }
        }
        out
    }

    /// Whether `self` is a subset of `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        if let (Repr::One((a0, a1)), Repr::One((b0, b1))) = (&self.0, &other.0) {
            return b0 <= a0 && a1 <= b1;
        }
        self.minus(other).is_empty()
    }

    /// Whether the two share a value (without building the intersection).
    pub fn overlaps(&self, other: &Self) -> bool {
        if let (Repr::One((a0, a1)), Repr::One((b0, b1))) = (&self.0, &other.0) {
            return a0.max(b0) <= a1.min(b1);
        }
        let (a, b) = (self.intervals(), other.intervals());
        let (mut i, mut j) = (0, 0);
        while let (Some(&(a0, a1)), Some(&(b0, b1))) = (a.get(i), b.get(j)) {
            if a0.max(b0) <= a1.min(b1) {
                return true;
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        false
    }
}

/// A box: the product of one [`Ints`] per field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cube(pub(crate) Box<[Ints; DIMS]>);

impl Cube {
    /// The set of values of field `dim`.
    pub fn field(&self, dim: Dim) -> &Ints {
        &self.0[dim]
    }

    /// Whether any field is empty.
    pub fn is_empty(&self) -> bool {
        self.0.iter().any(Ints::is_empty)
    }

    /// Field `dim` replaced, in place.
    #[must_use]
    pub(crate) fn with_field(mut self, dim: Dim, values: Ints) -> Self {
        self.0[dim] = values;
        self
    }

    /// The cube with field `dim` replaced.
    #[must_use]
    pub fn with(&self, dim: Dim, values: Ints) -> Self {
        let mut cube = self.clone();
        cube.0[dim] = values;
        cube
    }

    fn intersect(&self, other: &Self) -> Option<Self> {
        if self.disjoint(other) {
            return None;
        }
        // Every field overlaps, so no intersection below is empty.
        Some(Self(Box::new(std::array::from_fn(|dim| self.0[dim].intersect(&other.0[dim])))))
    }

    /// Whether the two boxes share a packet.
    pub(crate) fn meets(&self, other: &Self) -> bool {
        !self.disjoint(other)
    }

    /// The packet with every field at its lowest value (`None` when empty).
    pub(crate) fn corner(&self) -> Option<[u128; DIMS]> {
        let mut point = [0; DIMS];
        for (value, field) in point.iter_mut().zip(self.0.iter()) {
            *value = field.min()?;
        }
        Some(point)
    }

    /// Whether the box holds the packet `point`.
    pub(crate) fn holds(&self, point: &[u128; DIMS]) -> bool {
        self.0.iter().zip(point).all(|(field, value)| field.contains(*value))
    }

    /// Whether every packet of `self` is in `other`.
    pub(crate) fn within(&self, other: &Self) -> bool {
        self.0.iter().zip(other.0.iter()).all(|(a, b)| a.is_subset(b))
    }

    fn disjoint(&self, other: &Self) -> bool {
        // The fields rules tell apart most often first: most pairs are decided in one or two.
        const ORDER: [Dim; DIMS] = [DPORT, PROTO, SRC, STATE, IN, DST, SPORT, FLAGS, ICMP_TYPE, ICMP_CODE, OUT, MARK, FRAG, LENGTH, TTL, PKTTYPE];
        ORDER.iter().any(|&dim| !self.0[dim].overlaps(&other.0[dim]))
    }

    /// `self` cut by `other` (which it must meet): the part inside `other`, and the rest as
    /// disjoint cubes. Reuses `self`'s allocation for the inside.
    fn cut(mut self, other: &Self) -> (Self, Vec<Self>) {
        let mut outside = Vec::new();
        for dim in 0..DIMS {
            if self.0[dim].is_subset(&other.0[dim]) {
                continue;
            }
            let beyond = self.0[dim].minus(&other.0[dim]);
            let within = self.0[dim].intersect(&other.0[dim]);
            outside.push(self.clone().with_field(dim, beyond));
            self.0[dim] = within;
        }
        (self, outside)
    }
}

/// A set of packets: a union of cubes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Space(pub(crate) Vec<Cube>);

impl Space {
    /// No packet.
    pub fn empty() -> Self {
        Self(Vec::new())
    }

    /// One cube (nothing if it is empty).
    pub fn cube(cube: Cube) -> Self {
        if cube.is_empty() {
            Self::empty()
        } else {
            Self(vec![cube])
        }
    }

    /// The cubes.
    pub fn cubes(&self) -> &[Cube] {
        &self.0
    }

    /// Whether it holds no packet.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Intersection.
    #[must_use]
    pub fn intersect(&self, other: &Self) -> Self {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                if let Some(both) = a.intersect(b) {
                    out.push(both);
                }
            }
        }
        Self(out)
    }

    /// Whether the two share a packet.
    pub fn meets(&self, other: &Self) -> bool {
        self.0.iter().any(|a| other.0.iter().any(|b| !a.disjoint(b)))
    }

    /// Every packet of `self` that is not in `other`.
    #[must_use]
    pub fn minus(&self, other: &Self) -> Self {
        self.clone().without(other)
    }

    /// `self` without `other`, reusing `self`'s cubes.
    #[must_use]
    pub fn without(self, other: &Self) -> Self {
        self.without_cubes(&other.0)
    }

    /// `self` without each of `cubes`, reusing `self`'s cubes.
    #[must_use]
    pub(crate) fn without_cubes<'a>(mut self, cubes: impl IntoIterator<Item = &'a Cube>) -> Self {
        let mut settled = self.0.len();
        for b in cubes {
            if self.0.is_empty() {
                break;
            }
            if self.0.iter().all(|a| a.disjoint(b)) {
                continue;
            }
            let mut next = Vec::with_capacity(self.0.len() + 4);
            for a in self.0.drain(..) {
                if a.disjoint(b) {
                    next.push(a);
                } else {
                    next.extend(a.cut(b).1);
                }
            }
            self.0 = next;
            if self.0.len() > 16 && self.0.len() > 2 * settled {
                self.0 = coalesce(std::mem::take(&mut self.0));
                settled = self.0.len();
            }
        }
        self
    }

    /// Adds the packets of `other`.
    pub fn absorb(&mut self, other: Space) {
        self.0.extend(other.0);
    }

    /// Union (cubes may overlap: a space is the union of its cubes).
    #[must_use]
    pub fn union(&self, other: &Self) -> Self {
        let mut cubes = self.0.clone();
        cubes.extend(other.0.iter().cloned());
        Self(cubes)
    }

    /// Whether every packet of `self` is in `other`.
    pub fn is_subset(&self, other: &Self) -> bool {
        self.minus(other).is_empty()
    }

    /// The values field `dim` takes over the packets of `self` that are also in `other`
    /// (without building the intersection).
    pub fn project_meeting(&self, other: &Self, dim: Dim) -> Ints {
        let mut pieces = Vec::new();
        for a in &self.0 {
            for b in &other.0 {
                if !a.disjoint(b) {
                    pieces.extend_from_slice(a.0[dim].intersect(&b.0[dim]).intervals());
                }
            }
        }
        Ints::normalize(pieces)
    }

    /// The values field `dim` takes over the whole set.
    pub fn project(&self, dim: Dim) -> Ints {
        match self.0.as_slice() {
            [] => Ints::empty(),
            [only] => only.0[dim].clone(),
            cubes => Ints::normalize(cubes.iter().flat_map(|cube| cube.0[dim].intervals()).copied().collect()),
        }
    }

    /// The smallest box holding every packet (each field one interval), if any.
    pub(crate) fn hull(&self) -> Option<Cube> {
        let mut cubes = self.0.iter();
        let first = cubes.next()?;
        let span = |ints: &Ints| ints.intervals().first().map(|&(low, _)| low).zip(ints.intervals().last().map(|&(_, high)| high));
        let mut bounds: [(u128, u128); DIMS] = std::array::from_fn(|dim| span(&first.0[dim]).unwrap_or((1, 0)));
        for cube in cubes {
            for (dim, bound) in bounds.iter_mut().enumerate() {
                if let Some((low, high)) = span(&cube.0[dim]) {
                    *bound = (bound.0.min(low), bound.1.max(high));
                }
            }
        }
        Some(Cube(Box::new(bounds.map(|(low, high)| Ints::range(low, high)))))
    }

    /// Whether no packet of `self` is in `cube`.
    pub(crate) fn misses(&self, cube: &Cube) -> bool {
        self.0.iter().all(|a| a.disjoint(cube))
    }

    /// The packets of `self` in `other`, and those not in `other`: the same sets, in the same
    /// order, as `intersect` and `without`, in one pass when `other` is one box (most rules).
    pub(crate) fn split(self, other: &Self) -> (Self, Self) {
        let [b] = other.0.as_slice() else {
            let inside = self.intersect(other);
            return (inside, self.without(other));
        };
        if self.0.iter().all(|a| a.disjoint(b)) {
            return (Self::empty(), self);
        }
        let settled = self.0.len();
        let mut inside = Vec::new();
        let mut outside = Vec::with_capacity(settled + 4);
        for a in self.0 {
            if a.disjoint(b) {
                outside.push(a);
            } else {
                let (within, beyond) = a.cut(b);
                inside.push(within);
                outside.extend(beyond);
            }
        }
        if outside.len() > 16 && outside.len() > 2 * settled {
            outside = coalesce(outside);
        }
        (Self(inside), Self(outside))
    }

    /// The same set in as few cubes as merging neighbours finds (see `coalesce`).
    #[must_use]
    pub(crate) fn coalesced(self) -> Self {
        if self.0.len() < 2 {
            return self;
        }
        Self(coalesce(self.0))
    }

    /// The packets whose field `dim` is in `values`.
    #[must_use]
    pub fn restrict(&self, dim: Dim, values: &Ints) -> Self {
        Self(self.0.iter().filter_map(|cube| {
            let cut = cube.0[dim].intersect(values);
            (!cut.is_empty()).then(|| cube.with(dim, cut))
        }).collect())
    }
}

/// A cheap, deterministic hash of a set of numbers.
fn fingerprint(ints: &Ints) -> u64 {
    ints.intervals().iter().fold(0x9e37_79b9_7f4a_7c15_u64, |acc, &(first, last)| {
        let mix = |acc: u64, value: u128| {
            #[allow(clippy::cast_possible_truncation)] // folding the halves of the number
            let folded = (value as u64) ^ ((value >> 64) as u64).rotate_left(29);
            (acc ^ folded).wrapping_mul(0x0100_0000_01b3).rotate_left(31)
        };
        mix(mix(acc, first), last)
    })
}

/// A hasher for keys that are hashes already (`coalesce`'s fingerprints): no second hash.
#[derive(Default)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Merges cubes that differ in one field only (their union is then one cube) until nothing
/// changes; the set is the same, and fragmentation from differences stays bounded.
///
/// Each pass over a field keys every cube by a hash of its other fields; cubes with the same key
/// are chained in order (`next`), and a cube merges into the first earlier one equal in every
/// other field. Fingerprints are kept per cube and field, updated on merge.
fn coalesce(mut cubes: Vec<Cube>) -> Vec<Cube> {
    use std::collections::HashMap;
    const NONE: usize = usize::MAX;
    let mut prints: Vec<[u64; DIMS]> = cubes.iter().map(|cube| std::array::from_fn(|dim| fingerprint(&cube.0[dim]))).collect();
    // Key -> (first, last) cube of its chain; `next` links a chain in insertion order.
    let mut chains: HashMap<u64, (usize, usize), std::hash::BuildHasherDefault<Prehashed>> = HashMap::default();
    let mut next: Vec<usize> = Vec::new();
    loop {
        let before = cubes.len();
        for dim in 0..DIMS {
            chains.clear();
            chains.reserve(cubes.len());
            next.clear();
            let mut merged: Vec<Cube> = Vec::with_capacity(cubes.len());
            let mut merged_prints: Vec<[u64; DIMS]> = Vec::with_capacity(cubes.len());
            for (cube, print) in cubes.into_iter().zip(prints) {
                let key = print.iter().enumerate().filter(|(at, _)| *at != dim).fold(0_u64, |acc, (at, value)| {
                    (acc ^ value.rotate_left(u32::try_from(at).unwrap_or(0) * 4)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
                });
                let mut same = None;
                if let Some(&(first, _)) = chains.get(&key) {
                    let mut at = first;
                    while at != NONE {
                        let equal = merged_prints[at].iter().zip(&print).enumerate().all(|(d, (a, b))| d == dim || a == b)
                            && merged[at].0.iter().zip(cube.0.iter()).enumerate().all(|(d, (a, b))| d == dim || a == b);
                        if equal {
                            same = Some(at);
                            break;
                        }
                        at = next[at];
                    }
                }
                match same {
                    Some(at) => {
                        let joined = merged[at].0[dim].union(&cube.0[dim]);
                        merged_prints[at][dim] = fingerprint(&joined);
                        merged[at].0[dim] = joined;
                    }
                    None => {
                        let at = merged.len();
                        next.push(NONE);
                        match chains.get_mut(&key) {
                            Some(chain) => {
                                next[chain.1] = at;
                                chain.1 = at;
                            }
                            None => {
                                chains.insert(key, (at, at));
                            }
                        }
                        merged.push(cube);
                        merged_prints.push(print);
                    }
                }
            }
            cubes = merged;
            prints = merged_prints;
        }
        if cubes.len() == before {
            return cubes;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Cube {
        Cube(Box::new(std::array::from_fn(|_| Ints::range(0, 9))))
    }

    #[test]
    fn ints_algebra() {
        let a = Ints::range(0, 10).union(&Ints::range(20, 30));
        let b = Ints::range(5, 25);
        assert_eq!(a.intersect(&b).intervals(), &[(5, 10), (20, 25)]);
        assert_eq!(a.minus(&b).intervals(), &[(0, 4), (26, 30)]);
        assert_eq!(Ints::range(0, 3).union(&Ints::range(4, 6)).intervals(), &[(0, 6)]);
        assert!(Ints::range(3, 2).is_empty());
        assert!(a.contains(20) && !a.contains(15));
        assert_eq!(Ints::range(0, u128::MAX).minus(&Ints::single(u128::MAX)).intervals(), &[(0, u128::MAX - 1)]);
    }

    #[test]
    fn difference_is_exact() {
        let all = Space::cube(full());
        let hole = Space::cube(full().with(SRC, Ints::range(2, 3)).with(DPORT, Ints::single(5)));
        let rest = all.minus(&hole);
        assert!(!rest.meets(&hole));
        assert!(rest.union(&hole).is_subset(&all) && all.is_subset(&rest.union(&hole)));
        assert!(all.minus(&all).is_empty());
        assert_eq!(rest.project(SRC), Ints::range(0, 9));
    }
}
