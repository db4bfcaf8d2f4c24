//! Browser benchmark (not a test; ignored unless asked for): full lint + service matrix on the
//! generated 5,000-rule ruleset with 100 user chains (the one `bench_lint` uses natively), in
//! WebAssembly in headless Chromium, next to the naive pairwise reference measured in the same
//! run. `make bench-browser` runs it with the release profile (the one the site ships) and
//! prints the ratio to the native figure.
//!
//! Web dependencies (`wasm-bindgen-test`, `js-sys`) are dev-dependencies for wasm32 only: the
//! engine itself has none.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)]

#[path = "../examples/common/ruleset.rs"]
mod ruleset;

use portcullis_engine::analysis::matrix::matrix;
use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::import::import;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Milliseconds since the epoch, from the browser's clock (`std::time` has none in wasm32).
fn now() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: make bench-browser"]
fn lint_and_matrix_in_the_browser() {
    let runs = 5;
    let ruleset = import(&ruleset::generate(100), None).value.rulesets.remove(0);
    let rules: usize = ruleset.tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum();
    let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };
    let (mut totals, mut naives) = (Vec::new(), Vec::new());
    let (mut findings, mut rows) = (0, 0);
    for _ in 0..runs {
        let start = now();
        findings = lint(&ruleset, &options).len();
        rows = matrix(&ruleset).rows.len();
        totals.push(now() - start);
        let start = now();
        std::hint::black_box(ruleset::naive_dead_rules(&ruleset));
        naives.push(now() - start);
    }
    totals.sort_by(f64::total_cmp);
    naives.sort_by(f64::total_cmp);
    let (best, median, naive) = (totals[0], totals[runs / 2], naives[0]);
    console_log!("BENCH-BROWSER {rules} rules, 100 user chains: {findings} findings, {rows} matrix rows; best / median of {runs} runs");
    console_log!("BENCH-BROWSER lint + matrix (wasm) {best:.0} ms / {median:.0} ms   target <= 500 ms: {}", if best <= 500.0 { "met" } else { "NOT met" });
    console_log!("BENCH-BROWSER naive reference (wasm) {naive:.0} ms   ratio ours / naive {:.2}", best / naive.max(1.0));
    console_log!("BENCH-WASM-MS {best:.1}");
}
