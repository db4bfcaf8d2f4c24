//! The workbench's state as plain data: the pasted text, what the last import found, the ruleset
//! as imported and as edited (a [`Draft`] of both families), the selection, and undo/redo. Every
//! change goes through a named mutation; a failed edit changes nothing and says why.

use portcullis_engine::design::Design;
use portcullis_engine::diagnostic::Parsed;
use portcullis_engine::import::Imported;
use portcullis_engine::model::{Family, Policy, RuleLoc};
use portcullis_engine::workbench::{ChainLoc, Draft, EditError, RowLoc};

use super::history::History;
use super::import_text::ImportReport;

/// Undo steps kept: a draft can hold tens of thousands of rules, so fewer than for a design.
const UNDO_DEPTH: usize = 30;

/// One line of the rules table: a chain heading, or a rule of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum TableRow {
    /// A chain: its place, its policy (built-in chains) and how many rows it has.
    Chain { chain: ChainLoc, policy: Option<Policy>, rows: usize },
    /// A rule of the chain above.
    Rule(RowLoc),
}

/// The workbench.
#[derive(Debug, Clone)]
pub(crate) struct Workbench {
    /// The text in the import box, as typed.
    input: String,
    /// What the last import found.
    report: Option<ImportReport>,
    /// The rules as last imported or opened: "these flows change" compares against it.
    original: Draft,
    /// The rules as edited.
    draft: Draft,
    history: History<Draft>,
    /// The family the table, simulator and matrix show.
    family: Family,
    /// The row the editor shows.
    selected: Option<RowLoc>,
    /// Rows a finding names (the rule and the rules that explain it), highlighted in the table.
    marked: Vec<RowLoc>,
    /// Counts changes to the draft: analysis of an older revision is stale.
    revision: u64,
    /// Why the last edit was refused.
    refusal: Option<String>,
}

impl Default for Workbench {
    fn default() -> Self {
        let empty = Draft::from_rulesets(&portcullis_engine::model::Ruleset::new(Family::V4), &portcullis_engine::model::Ruleset::new(Family::V6));
        Self {
            input: String::new(),
            report: None,
            original: empty.clone(),
            draft: empty,
            history: History::with_depth(UNDO_DEPTH),
            family: Family::V4,
            selected: None,
            marked: Vec::new(),
            revision: 0,
            refusal: None,
        }
    }
}

impl Workbench {
    /// The workbench as a reload finds it: the rules as edited and as imported, the family
    /// shown; no undo steps, no selection, no import report.
    pub(crate) fn restored(draft: Draft, original: Draft, family: Family) -> Self {
        Self { original, draft, family, ..Self::default() }
    }

    pub(crate) fn input(&self) -> &str {
        &self.input
    }

    pub(crate) fn set_input(&mut self, text: String) {
        self.input = text;
    }

    pub(crate) fn report(&self) -> Option<&ImportReport> {
        self.report.as_ref()
    }

    pub(crate) fn draft(&self) -> &Draft {
        &self.draft
    }

    pub(crate) fn original(&self) -> &Draft {
        &self.original
    }

    pub(crate) fn family(&self) -> Family {
        self.family
    }

    /// How many rules the draft holds, both families, disabled ones included.
    pub(crate) fn rule_count(&self) -> usize {
        Family::ALL
            .iter()
            .flat_map(|family| self.draft.ruleset(*family).tables())
            .flat_map(portcullis_engine::workbench::DraftTable::chains)
            .map(|chain| chain.rows().len())
            .sum()
    }

    pub(crate) fn revision(&self) -> u64 {
        self.revision
    }

    pub(crate) fn selected(&self) -> Option<&RowLoc> {
        self.selected.as_ref()
    }

    pub(crate) fn marked(&self) -> &[RowLoc] {
        &self.marked
    }

    pub(crate) fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }

    pub(crate) fn can_undo(&self) -> bool {
        self.history.can_undo()
    }

    pub(crate) fn can_redo(&self) -> bool {
        self.history.can_redo()
    }

    /// Replaces the rules by what `text` was read into (undo brings the previous rules back).
    /// The family shown becomes the first one the text configured.
    pub(crate) fn load(&mut self, text: &str, parsed: &Parsed<Imported>) {
        let imported = &parsed.value;
        self.report = Some(ImportReport::new(text, imported, &parsed.diagnostics));
        let draft = Draft::from_imported(imported);
        if let Some(first) = imported.rulesets.first() {
            self.family = first.family;
        }
        self.replace(draft);
    }

    /// Opens a wizard design's rules to edit further (undo brings the previous rules back).
    pub(crate) fn open_design(&mut self, design: &Design) {
        self.report = None;
        self.family = Family::V4;
        self.replace(Draft::from_design(design));
    }

    fn replace(&mut self, draft: Draft) {
        let before = std::mem::replace(&mut self.draft, draft);
        self.history.record(before, None);
        self.original = self.draft.clone();
        self.after_change();
        self.selected = None;
        self.marked.clear();
    }

    pub(crate) fn show_family(&mut self, family: Family) {
        if self.family != family {
            self.family = family;
            self.selected = None;
            self.marked.clear();
        }
    }

    pub(crate) fn select(&mut self, row: Option<RowLoc>) {
        if let Some(row) = &row {
            self.family = row.family;
        }
        self.selected = row;
    }

    /// Highlights the rows of the effective rules `locs` of `family` (a finding's rule and the
    /// rules that explain it) and selects the first.
    pub(crate) fn mark(&mut self, family: Family, locs: &[RuleLoc]) {
        self.family = family;
        self.marked = locs.iter().filter_map(|loc| self.draft.row_of(family, loc)).collect();
        self.selected = self.marked.first().cloned();
    }

    /// Applies `edit` to the draft as one undo step; a refused edit changes nothing and is
    /// remembered as [`refusal`](Self::refusal). Returns what the edit returned, `None` when refused.
    pub(crate) fn edit<T>(&mut self, edit: impl FnOnce(&mut Draft) -> Result<T, EditError>) -> Option<T> {
        match self.try_edit(edit) {
            Ok(value) => Some(value),
            Err(error) => {
                self.refusal = Some(error.to_string());
                None
            }
        }
    }

    /// Applies `edit` as one undo step, like [`edit`](Self::edit), but hands a refusal back to
    /// the caller (a form that shows it next to its field) instead of the table's message.
    pub(crate) fn try_edit<T>(&mut self, edit: impl FnOnce(&mut Draft) -> Result<T, EditError>) -> Result<T, EditError> {
        let before = self.draft.clone();
        match edit(&mut self.draft) {
            Ok(value) => {
                if self.draft != before {
                    self.history.record(before, None);
                    self.after_change();
                }
                self.refusal = None;
                Ok(value)
            }
            Err(error) => {
                // The draft's edits leave it unchanged when they refuse; restoring costs nothing more.
                self.draft = before;
                Err(error)
            }
        }
    }

    /// Applies `edit` and selects the row it returns (an inserted, moved or duplicated rule).
    pub(crate) fn edit_and_select(&mut self, edit: impl FnOnce(&mut Draft) -> Result<RowLoc, EditError>) {
        if let Some(row) = self.edit(edit) {
            self.selected = Some(row);
        }
    }

    pub(crate) fn undo(&mut self) {
        if let Some(previous) = self.history.undo(self.draft.clone()) {
            self.draft = previous;
            self.after_change();
        }
    }

    pub(crate) fn redo(&mut self) {
        if let Some(next) = self.history.redo(self.draft.clone()) {
            self.draft = next;
            self.after_change();
        }
    }

    /// Keeps the selection pointing at rows that still exist after a change.
    fn after_change(&mut self) {
        self.revision += 1;
        let draft = &self.draft;
        if self.selected.as_ref().is_some_and(|row| draft.row(row).is_none()) {
            self.selected = None;
        }
        self.marked.retain(|row| draft.row(row).is_some());
    }
}
