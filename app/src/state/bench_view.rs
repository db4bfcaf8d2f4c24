//! What the workbench's panels share besides the [`Workbench`] itself: the open panel, the
//! analysis of the current draft (computed off the edit's frame), the packet the simulator
//! shows and the marks its trace leaves on the rules table.

use std::collections::HashMap;

use leptos::prelude::RwSignal;
use portcullis_engine::analysis::matrix::{matrix, Matrix};
use portcullis_engine::analysis::{Finding, LintOptions};
use portcullis_engine::model::Family;
use portcullis_engine::workbench::job::{self, AnalysisJob};
use portcullis_engine::workbench::RowLoc;

use super::workbench::Workbench;

/// The panel beside the rules table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Panel {
    /// The selected rule: its meaning, findings and the edit form.
    Rule,
    /// Fire a packet through the rules.
    Simulate,
    /// Create, rename and delete user chains.
    Chains,
    /// Every finding, by severity.
    Findings,
    /// Who can reach which port.
    Matrix,
    /// The files to load on the server.
    Export,
}

impl Panel {
    pub(crate) const ALL: [Panel; 6] = [Panel::Rule, Panel::Chains, Panel::Simulate, Panel::Findings, Panel::Matrix, Panel::Export];

    pub(crate) fn slug(self) -> &'static str {
        match self {
            Panel::Rule => "rule",
            Panel::Simulate => "simulate",
            Panel::Chains => "chains",
            Panel::Findings => "findings",
            Panel::Matrix => "matrix",
            Panel::Export => "export",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Panel::Rule => "Rule",
            Panel::Simulate => "Simulate",
            Panel::Chains => "Chains",
            Panel::Findings => "Findings",
            Panel::Matrix => "Who can reach what",
            Panel::Export => "Export",
        }
    }
}

/// Findings and matrices of one revision of the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Analysis {
    /// The draft revision this was computed from.
    pub(crate) revision: u64,
    /// Both families' findings, IPv4 first.
    pub(crate) findings: Vec<Finding>,
    /// The service matrix of each family, IPv4 first.
    pub(crate) matrices: [Matrix; 2],
    /// Where it ran.
    pub(crate) analyser: Analyser,
}

impl Analysis {
    /// The findings about the draft row `row`.
    pub(crate) fn findings_of<'a>(&'a self, bench: &'a Workbench, row: &'a RowLoc) -> impl Iterator<Item = &'a Finding> + 'a {
        let loc = bench.draft().rule_loc(row);
        self.findings.iter().filter(move |finding| finding.family == row.family && loc.is_some() && finding.rule == loc)
    }

    pub(crate) fn matrix(&self, family: Family) -> &Matrix {
        &self.matrices[usize::from(family == Family::V6)]
    }
}

/// Rulesets with more rules than this (both families) are checked on request, not after every
/// edit, when the page has no analysis worker: their analysis freezes the page for a moment.
pub(crate) const AUTO_ANALYSIS_LIMIT: usize = 3_000;

/// Where an analysis ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Analyser {
    /// In the analysis worker, off the page's thread.
    Worker,
    /// On the page's thread (no worker on this page, or it failed).
    Page,
}

impl Analyser {
    pub(crate) fn slug(self) -> &'static str {
        match self {
            Analyser::Worker => "worker",
            Analyser::Page => "page",
        }
    }
}

/// Lints one family of the current draft: the lints and the rules other tools own.
pub(crate) fn lint_family(bench: &Workbench, family: Family, options: &LintOptions) -> Vec<Finding> {
    job::lint_family(&bench.draft().effective(family), options)
}

/// The service matrix of one family of the current draft.
pub(crate) fn matrix_of_family(bench: &Workbench, family: Family) -> Matrix {
    matrix(&bench.draft().effective(family))
}

/// The analysis worker's job for the current draft.
pub(crate) fn analysis_job(bench: &Workbench, options: LintOptions) -> AnalysisJob {
    let [v4, v6] = Family::ALL.map(|family| bench.draft().effective(family));
    AnalysisJob::new(bench.revision(), [&v4, &v6], options)
}

/// What the simulator's trace says about one rule it visited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TraceMark {
    /// The packet matched it: its target ran.
    Matched,
    /// Not matched, and why (the first match that failed).
    NotMatched(String),
    /// The engine cannot tell from the packet alone (a rate limit, an address list…).
    MayMatch(String),
}

/// The rows the last simulated packet visited, with what happened at each.
pub(crate) type TraceMarks = HashMap<RowLoc, TraceMark>;

/// The workbench's shared signals, provided as a context by the workbench.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BenchContext {
    pub(crate) bench: RwSignal<Workbench>,
    pub(crate) panel: RwSignal<Panel>,
    /// The latest analysis, possibly of an older revision while the new one is computed.
    pub(crate) analysis: RwSignal<Option<Analysis>>,
    /// Bumped by "check now": analyses a ruleset too large to check after every edit.
    pub(crate) analyse_now: RwSignal<u64>,
    /// The packet the simulator shows, in the CLI's text form; set by "simulate this witness".
    pub(crate) packet: RwSignal<String>,
    /// The marks of the last simulation on the rules table.
    pub(crate) trace: RwSignal<TraceMarks>,
}
