//! The workbench's analysis as messages, so that it can run in a Web Worker while the page keeps
//! painting: an [`AnalysisJob`] carries both families' effective rules as `iptables-save` text
//! (the canonical text every export and import already agree on), and [`answer`] turns it into
//! an [`AnalysisReport`] — the findings and the service matrices, exactly what analysing the
//! rulesets directly gives ([`analyse_family`]).
//!
//! Both messages are JSON strings: the worker is a thin shell around [`answer`]. The findings
//! and matrices travel in their derived serde form, an internal wire format between two builds
//! of the same engine; the CLI's documented JSON is `Matrix::to_json` and the lint report.
//!
//! # Examples
//! ```
//! use portcullis_engine::analysis::LintOptions;
//! use portcullis_engine::import::import;
//! use portcullis_engine::model::{Family, Ruleset};
//! use portcullis_engine::workbench::job::{answer, read_answer, AnalysisJob};
//!
//! let parsed = import("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n", Some(Family::V4));
//! let v4 = parsed.value.ruleset(Family::V4).unwrap().clone();
//! let job = AnalysisJob::new(7, [&v4, &Ruleset::new(Family::V6)], LintOptions::default());
//! let report = read_answer(&answer(&job.to_message())).unwrap();
//! assert_eq!(report.revision, 7);
//! assert!(report.findings.iter().any(|finding| finding.diagnostic.code.as_str() == "L007"), "INPUT DROP with no SSH rule locks the admin out");
//! ```

use serde::{Deserialize, Serialize};

use super::owner_findings;
use crate::analysis::matrix::{matrix, Matrix};
use crate::analysis::{lint, Finding, LintOptions};
use crate::diagnostic::Span;
use crate::export::save::render_tables;
use crate::import::import;
use crate::model::{Family, Ruleset};

/// The worker's first message, once it listens: jobs sent earlier would be lost. Never a
/// valid answer (answers are JSON objects).
pub const READY: &str = "ready";

/// What the worker is asked: analyse these rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AnalysisJob {
    /// The draft revision the rules come from; the report carries it back.
    pub revision: u64,
    /// The effective rules of each family as `iptables-save` text, IPv4 first.
    pub rules: [String; 2],
    /// The lints' facts (the admin's SSH port and address).
    pub options: LintOptions,
}

impl AnalysisJob {
    /// A job for `rulesets` (IPv4 first).
    pub fn new(revision: u64, rulesets: [&Ruleset; 2], options: LintOptions) -> Self {
        Self { revision, rules: rulesets.map(render_tables), options }
    }

    /// The job as the message the worker reads.
    pub fn to_message(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Reads the worker's answer to a job.
///
/// # Errors
/// The worker's error, or why the message is not a report.
pub fn read_answer(message: &str) -> Result<AnalysisReport, String> {
    serde_json::from_str::<Result<AnalysisReport, String>>(message).unwrap_or_else(|error| Err(format!("not an analysis report: {error}")))
}

/// What the worker answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalysisReport {
    /// The job's revision.
    pub revision: u64,
    /// Both families' findings, IPv4 first.
    pub findings: Vec<Finding>,
    /// The service matrix of each family, IPv4 first.
    pub matrices: [Matrix; 2],
}

/// One family's findings as the workbench shows them: the lints, then the rules other tools own.
///
/// Without spans: a draft's rules keep the spans of the text they were imported from, which
/// edits leave behind and a worker's copy does not have; the workbench names rules by place
/// ([`Finding::rule`], [`Finding::related`]), never by span.
pub fn lint_family(ruleset: &Ruleset, options: &LintOptions) -> Vec<Finding> {
    let mut findings = lint(ruleset, options);
    findings.extend(owner_findings(ruleset));
    for finding in &mut findings {
        let diagnostic = &mut finding.diagnostic;
        diagnostic.span = Span::default();
        diagnostic.secondary.iter_mut().for_each(|(span, _)| *span = Span::default());
        if let Some(step) = &mut finding.step {
            step.span = Span::default();
        }
    }
    findings
}

/// One family's findings and service matrix.
pub fn analyse_family(ruleset: &Ruleset, options: &LintOptions) -> (Vec<Finding>, Matrix) {
    (lint_family(ruleset, options), matrix(ruleset))
}

/// Runs a job: reads back each family's rules and analyses them.
///
/// # Errors
/// Only when a family's text does not read back, which would be a bug in the export or the
/// import (the message says which family and why).
pub fn run(job: &AnalysisJob) -> Result<AnalysisReport, String> {
    let mut findings = Vec::new();
    let mut matrices = Vec::with_capacity(2);
    for (family, text) in Family::ALL.into_iter().zip(&job.rules) {
        let ruleset = read_back(text, family)?;
        let (found, matrix) = analyse_family(&ruleset, &job.options);
        findings.extend(found);
        matrices.push(matrix);
    }
    let matrices: [Matrix; 2] = matrices.try_into().map_err(|_| "one matrix per family".to_owned())?;
    Ok(AnalysisReport { revision: job.revision, findings, matrices })
}

fn read_back(text: &str, family: Family) -> Result<Ruleset, String> {
    let parsed = import(text, Some(family));
    if let Some(error) = parsed.first_error() {
        return Err(format!("the {family} rules sent for analysis do not read back: {} ({})", error.message, error.code.as_str()));
    }
    Ok(parsed.value.ruleset(family).cloned().unwrap_or_else(|| Ruleset::new(family)))
}

/// The worker's whole protocol: a JSON [`AnalysisJob`] in, a JSON `Result<AnalysisReport,
/// String>` out. Never panics: a message that is not a job is answered with an error.
pub fn answer(message: &str) -> String {
    let reply = serde_json::from_str::<AnalysisJob>(message)
        .map_err(|error| format!("not an analysis job: {error}"))
        .and_then(|job| run(&job));
    serde_json::to_string(&reply).unwrap_or_else(|error| {
        serde_json::to_string(&Err::<AnalysisReport, String>(format!("the report cannot be written: {error}"))).unwrap_or_default()
    })
}
