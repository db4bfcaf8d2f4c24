//! A draft as text, to keep it across a reload (the app puts it in `localStorage`) and bring it
//! back exactly: the same rows in the same chains, the same enabled flags, user chains in the
//! same order, the same policies and counters, both families.
//!
//! Each family is kept as `iptables-save` text of **every** row (disabled ones too), with the
//! chains declared in the draft's order (not sorted by name as [`crate::export::save`] prints
//! them), each rule's counters as a `[packets:bytes]` prefix, plus two lists aligned with the
//! rows in text order: which rows are disabled, and where each rule was first read from (a span
//! of the text the user imported, which the findings point at). Reading it back goes through the
//! importer, so a stored draft cannot smuggle in a rule the editor would refuse.
//!
//! ```text
//! StoredDraft = { "version": 1, "v4": family, "v6": family }
//! family      = { "text": save text, "disabled": [row index…], "origins": [[start, end] | null…] }
//! ```

use std::fmt::{self, Write as _};

use serde::{Deserialize, Serialize};

use super::draft::{Draft, DraftRuleset, DraftTable, Row};
use crate::diagnostic::Span;
use crate::export::save::{render_appended, write_chain_declaration};
use crate::import::import;
use crate::model::Family;

/// The stored format's version: bumped (with a migration) when the layout changes.
const VERSION: u32 = 1;

/// A [`Draft`] in a form that serializes to JSON: see the module documentation.
///
/// # Examples
/// ```
/// use portcullis_engine::import::import;
/// use portcullis_engine::model::{BuiltinChain, Family, TableName};
/// use portcullis_engine::workbench::{ChainLoc, Draft, StoredDraft};
///
/// let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 23 -j ACCEPT\nCOMMIT\n";
/// let mut draft = Draft::from_imported(&import(text, None).value);
/// let input = ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Input);
/// draft.set_enabled(&input.row(0), false).unwrap();
/// draft.add_chain(Family::V6, TableName::Filter, "ssh-in").unwrap();
/// let json = StoredDraft::of(&draft).to_json();
/// assert_eq!(StoredDraft::from_json(&json).unwrap().restore().unwrap(), draft);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDraft {
    version: u32,
    v4: StoredRuleset,
    v6: StoredRuleset,
}

/// One family of a [`StoredDraft`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredRuleset {
    /// `iptables-save` text of every row, disabled ones included.
    text: String,
    /// The 0-based indices, in text order, of the disabled rows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    disabled: Vec<usize>,
    /// Where each row was read from, in text order; empty when no row has an origin.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    origins: Vec<Option<[usize; 2]>>,
}

/// Why a stored draft could not be read back. Nothing is half-restored: the caller keeps what
/// it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDraftError {
    kind: StoredDraftErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StoredDraftErrorKind {
    /// Not JSON of this layout (another program's data, a truncated write).
    NotAStoredDraft(String),
    /// A version this build does not know (written by a newer Portcullis).
    Version(u32),
    /// A family's text does not read back cleanly.
    Rules { family: Family, message: String },
    /// The lists of disabled rows or origins do not fit the rows.
    Rows { family: Family, rows: usize },
}

impl fmt::Display for StoredDraftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            StoredDraftErrorKind::NotAStoredDraft(why) => write!(f, "it is not a saved workbench ({why})"),
            StoredDraftErrorKind::Version(version) => {
                write!(f, "it was saved by a newer Portcullis (format {version}; this one reads format {VERSION})")
            }
            StoredDraftErrorKind::Rules { family, message } => write!(f, "its {family} rules do not read back: {message}"),
            StoredDraftErrorKind::Rows { family, rows } => {
                write!(f, "its {family} lists of disabled rules or origins do not fit its {rows} rules")
            }
        }
    }
}

impl std::error::Error for StoredDraftError {}

impl StoredDraft {
    /// `draft` as text.
    pub fn of(draft: &Draft) -> Self {
        Self { version: VERSION, v4: StoredRuleset::of(draft.ruleset(Family::V4)), v6: StoredRuleset::of(draft.ruleset(Family::V6)) }
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        // Plain strings, numbers and lists: serializing them cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads the JSON text [`StoredDraft::to_json`] wrote.
    ///
    /// # Errors
    /// Not JSON of this layout, or a newer format version.
    pub fn from_json(text: &str) -> Result<Self, StoredDraftError> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let versioned: Versioned = serde_json::from_str(text).map_err(|error| StoredDraftErrorKind::NotAStoredDraft(error.to_string()).into_error())?;
        if versioned.version != VERSION {
            return Err(StoredDraftErrorKind::Version(versioned.version).into_error());
        }
        serde_json::from_str(text).map_err(|error| StoredDraftErrorKind::NotAStoredDraft(error.to_string()).into_error())
    }

    /// The draft again, exactly as it was stored.
    ///
    /// # Errors
    /// A newer format version, a family's text that the importer refuses (an error diagnostic), or lists of disabled
    /// rows and origins that do not fit its rows.
    pub fn restore(&self) -> Result<Draft, StoredDraftError> {
        // Checked here too: a stored draft embedded in a larger document is read without
        // [`StoredDraft::from_json`].
        if self.version != VERSION {
            return Err(StoredDraftErrorKind::Version(self.version).into_error());
        }
        Ok(Draft { v4: self.v4.restore(Family::V4)?, v6: self.v6.restore(Family::V6)? })
    }
}

impl StoredDraftErrorKind {
    fn into_error(self) -> StoredDraftError {
        StoredDraftError { kind: self }
    }
}

impl StoredRuleset {
    fn of(draft: &DraftRuleset) -> Self {
        let mut text = String::new();
        let mut disabled = Vec::new();
        let mut origins = Vec::new();
        let mut index = 0;
        for table in &draft.tables {
            let _ = writeln!(text, "*{}", table.name);
            // The draft's own chain order (render_tables sorts user chains): a reload keeps it.
            for chain in &table.chains {
                write_chain_declaration(&mut text, &chain.name, chain.policy, chain.counters);
            }
            for chain in &table.chains {
                for row in chain.rows.iter() {
                    if let Some(counters) = row.rule.counters {
                        let _ = write!(text, "[{}:{}] ", counters.packets, counters.bytes);
                    }
                    let _ = writeln!(text, "{}", render_appended(chain.name.as_str(), &row.rule, draft.family));
                    if !row.enabled {
                        disabled.push(index);
                    }
                    origins.push(row.rule.origin.map(|span| [span.start, span.end]));
                    index += 1;
                }
            }
            text.push_str("COMMIT\n");
        }
        if origins.iter().all(Option::is_none) {
            origins.clear();
        }
        Self { text, disabled, origins }
    }

    fn restore(&self, family: Family) -> Result<DraftRuleset, StoredDraftError> {
        if self.text.trim().is_empty() {
            // A family the draft does not configure: no tables (reading "" would guess a script).
            return if self.disabled.is_empty() && self.origins.is_empty() {
                Ok(DraftRuleset { family, tables: Vec::new() })
            } else {
                Err(StoredDraftErrorKind::Rows { family, rows: 0 }.into_error())
            };
        }
        let parsed = import(&self.text, Some(family));
        if let Some(error) = parsed.first_error() {
            return Err(StoredDraftErrorKind::Rules { family, message: error.message.clone() }.into_error());
        }
        let Some(ruleset) = parsed.value.ruleset(family) else {
            return Err(StoredDraftErrorKind::Rules { family, message: "no rules of this family".to_owned() }.into_error());
        };
        let mut tables: Vec<DraftTable> = ruleset.tables.iter().map(DraftTable::from_table).collect();
        let rows = tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rows.len()).sum::<usize>();
        let origins_fit = self.origins.is_empty() || self.origins.len() == rows;
        if !origins_fit || self.disabled.iter().any(|index| *index >= rows) {
            return Err(StoredDraftErrorKind::Rows { family, rows }.into_error());
        }
        let disabled: std::collections::BTreeSet<usize> = self.disabled.iter().copied().collect();
        let all_rows = tables.iter_mut().flat_map(|table| &mut table.chains).flat_map(|chain| chain.rows_mut().iter_mut());
        for (index, row) in all_rows.enumerate() {
            let Row { rule, enabled } = row;
            *enabled = !disabled.contains(&index);
            rule.origin = self.origins.get(index).copied().flatten().map(|[start, end]| Span::new(start, end));
        }
        Ok(DraftRuleset { family, tables })
    }
}
