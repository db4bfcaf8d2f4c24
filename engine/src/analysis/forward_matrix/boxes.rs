//! Boxes bucketed by interface pair, to find the few that may meet a given box.
//!
//! The summary asks, thousands of times, whether a widened box is covered by the boxes of the
//! lines above it. Nearly every box of a router's matrix is about one arriving or one leaving
//! interface (its rules sit in per-interface chains), so looking only in the buckets of the
//! pairs a box covers skips almost all of them.

use crate::analysis::space::{Cube, Space, DIMS, IN, OUT};

/// Boxes, each listed under every (arriving, leaving) pair it covers.
#[derive(Debug, Default)]
pub(super) struct BoxIndex {
    cubes: Vec<Cube>,
    /// By `arriving * classes + leaving`, the boxes covering that pair.
    buckets: Vec<Vec<u32>>,
    classes: usize,
    /// Per box, the last query that saw it (a box sits in many buckets).
    seen: Vec<u32>,
    query: u32,
}

impl BoxIndex {
    /// An empty index over interface classes `0..classes`.
    pub(super) fn new(classes: usize) -> Self {
        Self { buckets: vec![Vec::new(); classes * classes], classes, ..Self::default() }
    }

    /// The pairs `cube` covers, as bucket numbers.
    fn pairs(&self, cube: &Cube) -> Vec<usize> {
        let values = |dim| -> Vec<usize> {
            cube.field(dim).intervals().iter().flat_map(|&(low, high)| low..=high).filter_map(|class| usize::try_from(class).ok()).filter(|&class| class < self.classes).collect()
        };
        let leaving = values(OUT);
        values(IN).into_iter().flat_map(|arriving| leaving.iter().map(move |out| arriving * self.classes + out)).collect()
    }

    /// Adds the boxes of `space`.
    pub(super) fn extend(&mut self, space: Space) {
        for cube in space.0 {
            let at = u32::try_from(self.cubes.len()).unwrap_or(u32::MAX);
            for bucket in self.pairs(&cube) {
                self.buckets[bucket].push(at);
            }
            self.cubes.push(cube);
            self.seen.push(0);
        }
    }

    /// The boxes that meet `cube`, each once.
    pub(super) fn meeting(&mut self, cube: &Cube) -> Vec<&Cube> {
        self.query = self.query.wrapping_add(1);
        if self.query == 0 {
            self.seen.iter_mut().for_each(|seen| *seen = 0);
            self.query = 1;
        }
        let mut found = Vec::new();
        for bucket in self.pairs(cube) {
            for &at in &self.buckets[bucket] {
                let index = at as usize;
                if self.seen[index] != self.query {
                    self.seen[index] = self.query;
                    if self.cubes[index].meets(cube) {
                        found.push(index);
                    }
                }
            }
        }
        found.sort_unstable();
        found.into_iter().map(|index| &self.cubes[index]).collect()
    }

    /// Whether some box holds the packet `point`.
    pub(super) fn holds(&mut self, point: &[u128; DIMS]) -> bool {
        let (Ok(arriving), Ok(leaving)) = (usize::try_from(point[IN]), usize::try_from(point[OUT])) else { return false };
        if arriving >= self.classes || leaving >= self.classes {
            return false;
        }
        self.buckets[arriving * self.classes + leaving].iter().any(|&at| self.cubes[at as usize].holds(point))
    }
}
