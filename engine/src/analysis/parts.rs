//! A set of packets kept as groups, each with a box that holds it, so that an operation with a
//! rule skips every group whose box the rule's set misses.
//!
//! Why: packets a user chain hands back to its caller (by `RETURN` or by falling off its end)
//! are what the caller's jump sent in minus what the chain decided: often hundreds of boxes, all
//! inside the jump's own set (say one source /16). A built-in chain that dispatches to 100 such
//! chains would otherwise carry tens of thousands of boxes past every later rule; grouped, each
//! later rule looks at one box per returned set. The set is the same either way: only the work
//! to intersect and subtract changes.

use super::space::{Cube, Space};

/// A union of spaces, each with its hull.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parts {
    groups: Vec<(Cube, Space)>,
}

impl Parts {
    /// The packets of `space`, as one group.
    pub(crate) fn of(space: Space) -> Self {
        let mut parts = Self::default();
        parts.absorb(space);
        parts
    }

    /// Adds the packets of `space` as a group of their own.
    pub(crate) fn absorb(&mut self, space: Space) {
        if let Some(hull) = space.hull() {
            self.groups.push((hull, space));
        }
    }

    /// The packets in `other`.
    pub(crate) fn intersect(&self, other: &Space) -> Space {
        let mut out = Space::empty();
        for (hull, space) in &self.groups {
            if !other.misses(hull) {
                out.absorb(space.intersect(other));
            }
        }
        out
    }

    /// Takes out the packets in `other` and returns them.
    pub(crate) fn take(&mut self, other: &Space) -> Space {
        let mut inside = Space::empty();
        for (hull, space) in &mut self.groups {
            if !other.misses(hull) {
                let (hit, rest) = std::mem::take(space).split(other);
                inside.absorb(hit);
                *space = rest;
            }
        }
        self.groups.retain(|(_, space)| !space.is_empty());
        inside
    }

    /// Every packet, as one space (the groups' boxes in order).
    pub(crate) fn into_space(self) -> Space {
        let mut out = Space::empty();
        for (_, space) in self.groups {
            out.absorb(space);
        }
        out
    }
}
