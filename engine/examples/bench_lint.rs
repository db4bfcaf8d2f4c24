//! Benchmark (not a test): full lint + service matrix on a generated 5,000-rule ruleset with 100
//! user chains, against a naive reference measured in the same run.
//!
//! The reference is the textbook exact method without the flow analysis: for each rule, subtract
//! every earlier rule of its chain from what it matches (pairwise, chain by chain, jumps not
//! followed), which finds fewer problems and is the usual first implementation.
//!
//! ```sh
//! cargo run --profile native -p portcullis-engine --example bench_lint
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::time::Instant;

use portcullis_engine::analysis::matrix::matrix;
use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::import::import;

#[path = "common/ruleset.rs"]
mod ruleset;
use ruleset::generate;

fn main() {
    let chains: u32 = std::env::var("CHAINS").ok().and_then(|n| n.parse().ok()).unwrap_or(100);
    let text = generate(chains);
    let ruleset = import(&text, None).value.rulesets.remove(0);
    let rules: usize = ruleset.tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum();
    let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };

    // Best and median of several runs: the machine is shared, and the best run is the one least
    // disturbed by other work (the same for ours and the reference).
    let runs: usize = std::env::var("RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(7).max(1);
    let (mut lint_times, mut matrix_times, mut totals, mut naive_times) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut findings, mut rows, mut naive_dead) = (0, 0, 0);
    for _ in 0..runs {
        let start = Instant::now();
        findings = lint(&ruleset, &options).len();
        let lint_time = start.elapsed();
        let start = Instant::now();
        rows = matrix(&ruleset).rows.len();
        let matrix_time = start.elapsed();
        let start = Instant::now();
        naive_dead = ruleset::naive_dead_rules(&ruleset);
        naive_times.push(start.elapsed().as_secs_f64() * 1000.0);
        lint_times.push(lint_time.as_secs_f64() * 1000.0);
        matrix_times.push(matrix_time.as_secs_f64() * 1000.0);
        totals.push((lint_time + matrix_time).as_secs_f64() * 1000.0);
    }
    let (lint_best, lint_median) = best_and_median(&mut lint_times);
    let (matrix_best, matrix_median) = best_and_median(&mut matrix_times);
    let (total_best, total_median) = best_and_median(&mut totals);
    let (naive_best, naive_median) = best_and_median(&mut naive_times);
    println!("{rules} rules, {chains} user chains: {findings} findings, {rows} matrix rows; best / median of {runs} runs");
    println!("lint                 {lint_best:>8.1} ms / {lint_median:>8.1} ms");
    println!("matrix               {matrix_best:>8.1} ms / {matrix_median:>8.1} ms");
    println!("lint + matrix        {total_best:>8.1} ms / {total_median:>8.1} ms   target <= 250 ms native: {}", if total_best <= 250.0 { "met" } else { "NOT met" });
    println!("naive reference      {naive_best:>8.1} ms / {naive_median:>8.1} ms   (pairwise, chain by chain, no jumps: {naive_dead} dead rules)");
    println!("ratio ours / naive   {:>8.2}   (best runs)", total_best / naive_best.max(1e-9));
}

/// Sorts `times` and returns the smallest and the median.
fn best_and_median(times: &mut [f64]) -> (f64, f64) {
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2])
}
