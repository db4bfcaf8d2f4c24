//! A pasted or opened text as the workbench read it: its diagnostics turned into code frames
//! (the engine's [`Frame`]: numbered lines around each problem, the problem's part of each
//! underlined — the CLI prints the same frames) — what the import view shows, computed once per
//! import.

use portcullis_engine::diagnostic::{Diagnostic, Frame, FrameLine, LineIndex, Severity};
use portcullis_engine::import::{Format, Imported};
use portcullis_engine::workbench::owned;

/// How many lines of context a frame shows above and below the problem's lines.
const CONTEXT_LINES: usize = 1;
/// Frames shown at most; the rest are counted so nothing is silently dropped.
pub(crate) const MAX_FRAMES: usize = 200;

/// One diagnostic with the lines around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeFrame {
    pub(crate) severity: Severity,
    /// The stable code, e.g. `E004`.
    pub(crate) code: String,
    /// `line:column` of the start.
    pub(crate) position: String,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
    /// Secondary spans as `line:column — label`.
    pub(crate) notes: Vec<String>,
    /// The span's lines and [`CONTEXT_LINES`] around them, the span's part of each underlined.
    pub(crate) lines: Vec<FrameLine>,
}

/// Rules another tool wrote, as the import report lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnedSummary {
    /// `Docker (IPv4)`.
    pub(crate) owner: String,
    /// The tool's chains, `table/chain`.
    pub(crate) chains: Vec<String>,
    /// How many rules are the tool's (in its chains and jumps into them).
    pub(crate) rules: usize,
    /// What exporting would do to them.
    pub(crate) on_export: String,
}

/// The last import's text and what reading it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportReport {
    pub(crate) format: Format,
    pub(crate) line_count: usize,
    pub(crate) rule_count: usize,
    pub(crate) frames: Vec<CodeFrame>,
    /// Diagnostics beyond [`MAX_FRAMES`], counted.
    pub(crate) more: usize,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    /// Rules owned by other tools (Docker, ufw, fail2ban…).
    pub(crate) owners: Vec<OwnedSummary>,
}

impl ImportReport {
    /// The report of `text`, read into `imported` with `diagnostics`.
    pub(crate) fn new(text: &str, imported: &Imported, diagnostics: &[Diagnostic]) -> Self {
        let format = imported.format;
        let rulesets = &imported.rulesets;
        let rule_count = rule_count(imported);
        let owners = rulesets
            .iter()
            .flat_map(owned)
            .map(|owned| OwnedSummary {
                owner: format!("{} ({})", owned.owner.name(), owned.family),
                chains: owned.chains.iter().map(|(table, chain)| format!("{}/{}", table.as_str(), chain.as_str())).collect(),
                rules: owned.rules_in_chains + owned.rules.len(),
                on_export: owned.on_export,
            })
            .collect();
        let index = LineIndex::new(text);
        let count = |severity| diagnostics.iter().filter(|diagnostic| diagnostic.severity == severity).count();
        Self {
            format,
            line_count: text.lines().count(),
            rule_count,
            frames: diagnostics.iter().take(MAX_FRAMES).map(|diagnostic| frame(text, &index, diagnostic)).collect(),
            more: diagnostics.len().saturating_sub(MAX_FRAMES),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            owners,
        }
    }
}

/// How many rules an import read, every family and table.
pub(crate) fn rule_count(imported: &Imported) -> usize {
    imported.rulesets.iter().flat_map(|ruleset| &ruleset.tables).flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum()
}

fn frame(text: &str, index: &LineIndex, diagnostic: &Diagnostic) -> CodeFrame {
    let (first, column) = index.position(text, diagnostic.span.start);
    let notes = diagnostic
        .secondary
        .iter()
        .map(|(span, label)| {
            let (line, column) = index.position(text, span.start);
            format!("{line}:{column} — {label}")
        })
        .collect();
    CodeFrame {
        severity: diagnostic.severity,
        code: diagnostic.code.as_str().to_owned(),
        position: format!("{first}:{column}"),
        message: diagnostic.message.clone(),
        help: diagnostic.help.clone(),
        notes,
        lines: Frame::new(text, index, diagnostic.span, CONTEXT_LINES).lines,
    }
}

#[cfg(test)]
mod tests {
    use portcullis_engine::import::import;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn frames_underline_the_bad_option_with_a_line_of_context() {
        let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n";
        let parsed = import(text, None);
        let report = ImportReport::new(text, &parsed.value, &parsed.diagnostics);
        assert_eq!(report.errors, 1, "{:?}", parsed.diagnostics);
        let frame = &report.frames[0];
        assert_eq!(frame.position, "3:17", "the frame starts at the option whose value is bad");
        let numbers: Vec<usize> = frame.lines.iter().map(|line| line.number).collect();
        assert_eq!(numbers, [2, 3, 4]);
        assert_eq!(frame.lines[1].marked(), "--dport 99999");
        assert_eq!(frame.lines[1].before(), "-A INPUT -p tcp ");
        assert_eq!(frame.lines[1].after(), " -j ACCEPT");
        assert_eq!(frame.lines[0].marked(), "", "context lines are not underlined");
    }

    #[wasm_bindgen_test]
    fn an_empty_span_still_marks_something_and_multibyte_text_is_safe() {
        let text = "iptables -A INPUT -s ä€ -j ACCEPT\n";
        let parsed = import(text, None);
        let report = ImportReport::new(text, &parsed.value, &parsed.diagnostics);
        assert!(report.errors >= 1);
        assert!(report.frames.iter().all(|frame| frame.lines.iter().any(|line| !line.marked().is_empty())));
    }
}
