//! The workbench across a reload, as plain data: what goes into `localStorage` and how it is read
//! back. The side effects (reading at start, saving after edits) live in `persistence`.
//!
//! One entry, [`BENCH_KEY`], apart from the wizard's `portcullis.design.*` and
//! `portcullis.current`. It holds the rules as edited and (when they differ) as imported, each a
//! [`StoredDraft`] (the `iptables-save` text of every row, disabled ones included, and which rows
//! are disabled), and the family shown. Undo steps, the selection, the import box's text and the
//! import report are not kept.
//!
//! Size: at most [`MAX_STORED_BYTES`]; past it, or past the browser's quota, nothing is saved,
//! the entry is removed (a reload then starts empty rather than with older rules) and a notice
//! says so; the page keeps working.

use portcullis_engine::model::Family;
use portcullis_engine::workbench::StoredDraft;
use serde::{Deserialize, Serialize};

use super::workbench::Workbench;

/// The workbench's entry.
pub(crate) const BENCH_KEY: &str = "portcullis.workbench";
/// Where an entry that could not be read is moved, so the next save does not overwrite it.
pub(crate) const UNREADABLE_KEY: &str = "portcullis.workbench.unreadable";
/// What the entry says it is: another program's value under the same key is not read as ours.
const FORMAT: &str = "portcullis-workbench";
/// The envelope's version (each draft inside has its own).
const VERSION: u32 = 1;

/// The largest entry saved: 3 MB, about 30,000 rules (or 15,000 edited after an import, which
/// keeps both). Browsers give a site about 5 MB of `localStorage` (Chromium and Firefox count
/// UTF-16 units: 5 Mi characters), shared with the wizard's saved designs.
pub(crate) const MAX_STORED_BYTES: usize = 3_000_000;

#[derive(Serialize, Deserialize)]
struct StoredBench {
    format: String,
    version: u32,
    /// `"v4"` or `"v6"`: the family shown.
    family: String,
    /// The rules as edited.
    draft: StoredDraft,
    /// The rules as imported, when they differ from the edited ones ("these flows change").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    original: Option<StoredDraft>,
}

/// The entry for `bench`.
pub(crate) fn to_text(bench: &Workbench) -> String {
    let stored = StoredBench {
        format: FORMAT.to_owned(),
        version: VERSION,
        family: if bench.family() == Family::V6 { "v6" } else { "v4" }.to_owned(),
        draft: StoredDraft::of(bench.draft()),
        original: (bench.original() != bench.draft()).then(|| StoredDraft::of(bench.original())),
    };
    // Strings, numbers and lists only: serializing cannot fail.
    serde_json::to_string(&stored).unwrap_or_default()
}

/// The workbench an entry holds, or why it cannot be read (as a sentence's end: "… because it …").
pub(crate) fn from_text(text: &str) -> Result<Workbench, String> {
    /// What every version has: read first, so a newer layout is named as such.
    #[derive(Deserialize)]
    struct Header {
        format: String,
        version: u32,
    }
    let not_ours = |error: serde_json::Error| format!("it is not a saved workbench ({error})");
    let header: Header = serde_json::from_str(text).map_err(not_ours)?;
    if header.format != FORMAT {
        return Err(format!("it is not a saved workbench (it says it is \u{201c}{}\u{201d})", header.format));
    }
    if header.version != VERSION {
        return Err(format!("it was saved by a newer Portcullis (format {}; this one reads format {VERSION})", header.version));
    }
    let stored: StoredBench = serde_json::from_str(text).map_err(not_ours)?;
    let family = match stored.family.as_str() {
        "v4" => Family::V4,
        "v6" => Family::V6,
        other => return Err(format!("it names no family (\u{201c}{other}\u{201d})")),
    };
    let draft = stored.draft.restore().map_err(|error| error.to_string())?;
    let original = match stored.original {
        Some(original) => original.restore().map_err(|error| error.to_string())?,
        None => draft.clone(),
    };
    Ok(Workbench::restored(draft, original, family))
}

/// Why the workbench could not be saved, as the notice shown.
pub(crate) fn too_large_notice(bytes: usize) -> String {
    format!(
        "The workbench is too large to keep in this browser ({:.1} MB; at most {:.1} MB): it will not survive a reload. Export the rules to keep them.",
        megabytes(bytes),
        megabytes(MAX_STORED_BYTES)
    )
}

/// The browser refused the write (its quota is full, or storage is off).
pub(crate) const REFUSED_NOTICE: &str =
    "The browser refused to save the workbench (storage full or switched off): it will not survive a reload. Export the rules to keep them.";

/// The notice when the entry could not be read.
pub(crate) fn unreadable_notice(reason: &str, moved: bool) -> String {
    let kept = if moved { format!(" It was moved to \u{201c}{UNREADABLE_KEY}\u{201d} in this browser's storage.") } else { String::new() };
    format!("The saved workbench could not be opened because {reason}; the workbench starts empty.{kept}")
}

#[allow(clippy::cast_precision_loss, reason = "a size shown to one decimal")]
fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use portcullis_engine::import::import;
    use portcullis_engine::model::{BuiltinChain, TableName};
    use portcullis_engine::workbench::ChainLoc;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    const DUMP: &str = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 23 -j ACCEPT\nCOMMIT\n";

    #[wasm_bindgen_test]
    fn an_edited_import_comes_back_with_its_original_family_and_flags() {
        let mut bench = Workbench::default();
        bench.load(DUMP, &import(DUMP, None));
        let input = ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Input);
        bench.edit(|draft| draft.set_enabled(&input.row(1), false)).expect("a row to disable");
        bench.edit(|draft| draft.add_chain(Family::V6, TableName::Filter, "from-v6").map(drop)).expect("a new chain");
        bench.show_family(Family::V6);
        let restored = from_text(&to_text(&bench)).expect("reads back");
        assert_eq!(restored.draft(), bench.draft());
        assert_eq!(restored.original(), bench.original());
        assert_ne!(restored.original(), restored.draft(), "the imported rules are kept apart from the edits");
        assert_eq!(restored.family(), Family::V6);
        assert!(!restored.can_undo(), "undo steps are not kept");
    }

    #[wasm_bindgen_test]
    fn an_unedited_import_is_stored_once() {
        let mut bench = Workbench::default();
        bench.load(DUMP, &import(DUMP, None));
        let text = to_text(&bench);
        assert_eq!(text.matches("--dport 23").count(), 1, "{text}");
        assert_eq!(from_text(&text).expect("reads back").original(), bench.draft());
    }

    #[wasm_bindgen_test]
    fn foreign_and_damaged_entries_are_refused_with_a_reason() {
        assert!(from_text("[1, 2").unwrap_err().contains("not a saved workbench"));
        let foreign = to_text(&Workbench::default()).replace(FORMAT, "someone-else");
        assert!(from_text(&foreign).unwrap_err().contains("someone-else"));
        let newer = to_text(&Workbench::default()).replacen("\"version\":1", "\"version\":7", 1);
        assert!(from_text(&newer).unwrap_err().contains("newer Portcullis"));
        let mut bench = Workbench::default();
        bench.load(DUMP, &import(DUMP, None));
        let damaged = to_text(&bench).replace("--dport 23", "--dport 99999");
        assert!(from_text(&damaged).unwrap_err().contains("IPv4 rules do not read back"), "{}", from_text(&damaged).unwrap_err());
    }
}
