//! Printing diagnostics: code frames for people, JSON for programs.

use std::fmt::Write as _;

use portcullis_engine::diagnostic::{Diagnostic, Frame, LineIndex};

/// `file:line:col: severity[CODE]: message`, the span's first line, carets under its part of
/// that line ([`Frame`]), and the help.
pub(crate) fn text(name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    let mut out = String::new();
    for diagnostic in diagnostics {
        let (line, column) = index.position(source, diagnostic.span.start);
        let _ = writeln!(out, "{name}:{line}:{column}: {}[{}]: {}", diagnostic.severity, diagnostic.code, diagnostic.message);
        if let Some(first) = Frame::new(source, &index, diagnostic.span, 0).lines.first() {
            let _ = writeln!(out, "{:>5} | {}", first.number, first.text);
            let _ = writeln!(out, "      | {}{}", first.caret_indent(), "^".repeat(first.caret_count()));
        }
        if let Some(help) = &diagnostic.help {
            let _ = writeln!(out, "      = help: {help}");
        }
    }
    out
}

/// The JSON fields every finding has: `{code, kind, severity, message, line, column, help}`.
pub(crate) fn fields(diagnostic: &Diagnostic, (line, column): (usize, usize)) -> serde_json::Value {
    serde_json::json!({
        "code": diagnostic.code.as_str(),
        "kind": diagnostic.code.slug(),
        "severity": diagnostic.severity.as_str(),
        "message": diagnostic.message,
        "line": line,
        "column": column,
        "help": diagnostic.help,
    })
}

/// A JSON array of `{code, kind, severity, message, line, column, end_line, end_column, help}`.
pub(crate) fn json(source: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(source);
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut item = fields(diagnostic, index.position(source, diagnostic.span.start));
            let (end_line, end_column) = index.position(source, diagnostic.span.end);
            item["end_line"] = end_line.into();
            item["end_column"] = end_column.into();
            item
        })
        .collect();
    let mut out = serde_json::Value::Array(items).to_string();
    out.push('\n');
    out
}
