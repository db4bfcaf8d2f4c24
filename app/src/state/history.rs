//! Undo and redo over whole values (a design, a workbench draft): snapshots are simpler and safer
//! than inverse operations.

/// How many steps back undo can go by default (a design is small).
const DEPTH: usize = 200;

/// The values before (`past`) and after (`future`) the current one.
#[derive(Debug, Clone)]
pub(crate) struct History<T> {
    past: Vec<T>,
    future: Vec<T>,
    /// The field of the last recorded edit: further edits of the same field (typing) join it.
    last_field: Option<String>,
    /// How many steps back undo can go.
    depth: usize,
}

impl<T> Default for History<T> {
    fn default() -> Self {
        Self::with_depth(DEPTH)
    }
}

impl<T> History<T> {
    /// A history that keeps `depth` steps (large values keep fewer).
    pub(crate) fn with_depth(depth: usize) -> Self {
        Self { past: Vec::new(), future: Vec::new(), last_field: None, depth }
    }

    /// Records that the design was `before` until an edit of `field` (`None`: an edit that never
    /// joins another). Typing in one field makes one undo step, not one per key.
    pub(crate) fn record(&mut self, before: T, field: Option<&str>) {
        let joins = field.is_some() && field == self.last_field.as_deref();
        if !joins {
            self.past.push(before);
            if self.past.len() > self.depth {
                self.past.remove(0);
            }
        }
        self.future.clear();
        self.last_field = field.map(str::to_owned);
    }

    /// The design to go back to, given the current one; `None` at the start.
    pub(crate) fn undo(&mut self, current: T) -> Option<T> {
        let previous = self.past.pop()?;
        self.future.push(current);
        self.last_field = None;
        Some(previous)
    }

    /// The design to go forward to, given the current one; `None` at the newest.
    pub(crate) fn redo(&mut self, current: T) -> Option<T> {
        let next = self.future.pop()?;
        self.past.push(current);
        self.last_field = None;
        Some(next)
    }

    pub(crate) fn can_undo(&self) -> bool {
        !self.past.is_empty()
    }

    pub(crate) fn can_redo(&self) -> bool {
        !self.future.is_empty()
    }

    /// Forgets everything: another design was opened.
    pub(crate) fn clear(&mut self) {
        self.past.clear();
        self.future.clear();
        self.last_field = None;
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::design::{Design, ServiceId};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn with(service: ServiceId) -> Design {
        let mut design = Design::default();
        design.allow(service, Vec::new());
        design
    }

    #[wasm_bindgen_test]
    fn typing_in_one_field_is_one_step_and_redo_is_cleared_by_an_edit() {
        let mut history = History::default();
        history.record(Design::default(), Some("sources-ssh"));
        history.record(with(ServiceId::SSH), Some("sources-ssh"));
        assert_eq!(history.undo(with(ServiceId::HTTP)), Some(Design::default()));
        assert!(!history.can_undo());
        assert_eq!(history.redo(Design::default()), Some(with(ServiceId::HTTP)));
        history.undo(with(ServiceId::HTTP));
        history.record(Design::default(), None);
        assert!(!history.can_redo(), "a new edit drops the redo branch");
    }

    #[wasm_bindgen_test]
    fn history_is_bounded() {
        let mut history = History::default();
        for _ in 0..DEPTH + 10 {
            history.record(Design::default(), None);
        }
        let mut steps = 0;
        while history.undo(Design::default()).is_some() {
            steps += 1;
        }
        assert_eq!(steps, DEPTH);
    }
}
