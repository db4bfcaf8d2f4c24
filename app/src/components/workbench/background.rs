//! The workbench's analysis, off the edit's frame: once edits pause, the newest draft is linted
//! and mapped in the analysis worker (`crate::worker`), so even 10,000 rules never freeze the
//! page. A page without a worker analyses on its own thread, one family's lint or matrix per
//! task so it paints in between, and a ruleset larger than [`AUTO_ANALYSIS_LIMIT`] only when
//! asked ("Check now"). An analysis overtaken by a newer edit is dropped.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_engine::analysis::LintOptions;
use portcullis_engine::model::Family;

use crate::browser;
use crate::state::bench_view::{analysis_job, lint_family, matrix_of_family, Analyser, Analysis, BenchContext, AUTO_ANALYSIS_LIMIT};
use crate::state::workbench::Workbench;
use crate::worker::{self, WorkerAnswer};

/// How long after the last edit the analysis starts, so a burst of edits runs it once.
const ANALYSIS_DELAY_MS: i32 = 120;

/// Analyses every new revision of the draft (see the module documentation).
pub(super) fn analyse_in_background(context: BenchContext) {
    let BenchContext { bench, analysis, analyse_now, .. } = context;
    Effect::new(move |asked_before: Option<u64>| {
        let revision = bench.with(Workbench::revision);
        let asked = analyse_now.get();
        let requested = asked_before.is_some_and(|before| before != asked);
        if !requested && !worker::available() && bench.with_untracked(Workbench::rule_count) > AUTO_ANALYSIS_LIMIT {
            return asked;
        }
        spawn_local(async move {
            browser::pause(ANALYSIS_DELAY_MS).await;
            let current = move || bench.try_with_untracked(Workbench::revision) == Some(revision);
            if !current() {
                return;
            }
            let Some(job) = bench.try_with_untracked(|bench| analysis_job(bench, LintOptions::default())) else { return };
            let done = match worker::analyse(&job).await {
                WorkerAnswer::Report(report) => Some(Analysis { revision, findings: report.findings, matrices: report.matrices, analyser: Analyser::Worker }),
                WorkerAnswer::Overtaken => return,
                WorkerAnswer::Failed(message) => {
                    leptos::logging::warn!("the analysis worker failed ({message}); analysing on the page");
                    analyse_on_page(context, revision).await
                }
                WorkerAnswer::Unavailable => analyse_on_page(context, revision).await,
            };
            if let Some(done) = done.filter(|_| current()) {
                analysis.try_set(Some(done));
            }
        });
        asked
    });
}

/// The analysis on the page's thread: the lint and the matrix of a family are separate tasks
/// (with 10,000 rules each takes about a second) and the page paints between them. `None` when
/// a newer revision overtook it.
async fn analyse_on_page(context: BenchContext, revision: u64) -> Option<Analysis> {
    let bench = context.bench;
    let current = move || bench.try_with_untracked(Workbench::revision) == Some(revision);
    let options = LintOptions::default();
    let mut findings = Vec::new();
    let mut matrices = Vec::new();
    for family in Family::ALL {
        if !current() {
            return None;
        }
        findings.extend(bench.try_with_untracked(|bench| lint_family(bench, family, &options))?);
        browser::pause(0).await;
        if !current() {
            return None;
        }
        matrices.push(bench.try_with_untracked(|bench| matrix_of_family(bench, family))?);
        browser::pause(0).await;
    }
    let [v4, v6] = <[_; 2]>::try_from(matrices).ok()?;
    Some(Analysis { revision, findings, matrices: [v4, v6], analyser: Analyser::Page })
}
