//! Where one edit's time goes (a benchmark, ignored by test runs; `make bench-wizard` runs it
//! with the release profile): each derived value the Review step recomputes after an edit,
//! timed alone on the same 50-rule design as the browser benchmark (`tests/tests/bench_wizard.rs`):
//! both take it from `portcullis_engine::design::samples::fifty_rule_design`.

use portcullis_engine::design::review_job::{answer_message, read_reply, ReviewJob};
use portcullis_engine::design::samples::{fifty_rule_design, rule_count};
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::export::Exports;
use portcullis_engine::model::Family;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use super::review::step_rules;
use super::Step;

/// `performance.now()` (sub-millisecond, in Node and in browsers), or `Date.now()` without it.
fn now() -> f64 {
    use wasm_bindgen::JsCast as _;
    let performance = js_sys::Reflect::get(&js_sys::global(), &"performance".into()).ok();
    performance
        .and_then(|performance| {
            let now = js_sys::Reflect::get(&performance, &"now".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
            now.call0(&performance).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// The median ms of `runs` calls of `work`.
pub(super) fn median_ms<R>(runs: usize, mut work: impl FnMut() -> R) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = now();
            std::hint::black_box(work());
            now() - start
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times.get(runs / 2).copied().unwrap_or(f64::NAN)
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: make bench-wizard"]
fn where_an_edit_spends_its_time() {
    let design = fifty_rule_design();
    let runs = 31;
    let job = || ReviewJob { design: design.clone(), distro: Distro::Debian };
    // The worker's answer, made once: the page only writes the job and reads the reply.
    let reply = answer_message(&job().to_message()).unwrap_or_default();
    let parts = [
        ("compile (IPv4 + IPv6)", median_ms(runs, || (design.compile(Family::V4), design.compile(Family::V6)))),
        ("rules preview, all rules (compile + render)", median_ms(runs, || step_rules(&design, Step::Review))),
        ("rules preview of the Services step (4 compiles + render)", median_ms(runs, || step_rules(&design, Step::Services))),
        ("findings (compile + lint, both families; in the worker)", median_ms(runs, || design.lint())),
        ("every export (script, rules.v4/v6, commands, nft, JSON; in the worker)", median_ms(runs, || Exports::of(&design, &ScriptOptions::default()))),
        ("the review's messages on the page (write the job, read the reply)", median_ms(runs, || (job().to_message(), read_reply(&reply)))),
        ("summary (in the worker)", median_ms(runs, || design.summary().to_string())),
        ("design JSON (autosave)", median_ms(runs, || design.to_json())),
    ];
    console_log!(
        "BENCH-PROFILE {} IPv4 rules, {} IPv6 rules; median of {runs} runs each (V8 in Node)",
        rule_count(&design, Family::V4),
        rule_count(&design, Family::V6)
    );
    for (what, ms) in parts {
        console_log!("BENCH-PROFILE {ms:>6.2} ms  {what}");
    }
}
