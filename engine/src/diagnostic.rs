//! Findings as data: every problem the engine reports is a [`Diagnostic`] with a stable
//! [`Code`], a severity, a message, the span it is about, and a help line; [`Frame`] shows a
//! span in its text as a code frame.

use std::fmt;

mod frame;

pub use crate::codes::Code;
pub use frame::{Frame, FrameLine};

/// A byte range in the text that was read, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize, serde::Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// Probably not what was meant.
    Warning,
    /// iptables would refuse it, or it is unsafe.
    Error,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 3] = [Severity::Info, Severity::Warning, Severity::Error];

    /// The lower-case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    /// Stable code, registered in [`crate::codes`].
    pub code: Code,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, in one sentence.
    pub message: String,
    /// The narrowest span the finding is about.
    pub span: Span,
    /// Further spans that explain it ("because of this rule"), each with a label.
    pub secondary: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding of `code` at its default severity.
    #[must_use]
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self { code, severity: code.severity(), message: message.into(), span, secondary: Vec::new(), help: None }
    }

    /// Adds a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Overrides the code's default severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Adds a secondary span with a label.
    #[must_use]
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }
}

/// A parse result: the value, and every diagnostic found on the way (the parse never stops early).
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    /// What could be read.
    pub value: T,
    /// Problems found, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Parsed<T> {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.first_error().is_some()
    }

    /// The first error, in source order.
    pub fn first_error(&self) -> Option<&Diagnostic> {
        self.diagnostics.iter().find(|diagnostic| diagnostic.severity == Severity::Error)
    }
}

/// Line and column (both 1-based, columns in characters) of byte offsets in a text.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Self { line_starts }
    }

    /// The 1-based line and column of byte `offset` in `text` (the text given to [`new`](Self::new)).
    pub fn position(&self, text: &str, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|&start| start <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = text.get(start..offset.min(text.len())).map_or(1, |prefix| prefix.chars().count() + 1);
        (line, column)
    }

    /// The text of 1-based `line`, without its newline.
    pub fn line<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let start = self.line_starts.get(line.wrapping_sub(1)).copied().unwrap_or(text.len());
        let end = self.line_starts.get(line).map_or(text.len(), |next| next.saturating_sub(1));
        text.get(start..end.max(start)).unwrap_or_default()
    }
}
