//! Where a workbench edit's time goes with 10,000 rules (a benchmark, ignored by test runs;
//! `make bench-workbench` runs it with the release profile): the state work an edit does before
//! the page updates, each part timed alone, as `tests/tests/bench_workbench.rs` edits in the
//! browser.

use std::fmt::Write as _;

use portcullis_engine::explain::explain;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::import::import;
use portcullis_engine::model::{ChainName, Family, TableName, UserChain};
use portcullis_engine::workbench::ChainLoc;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

use super::edit_profile::median_ms;
use super::workbench::Workbench;

/// 40 user chains of 250 rules (ports, multiport, conntrack, LOG), dispatched from INPUT.
fn ten_thousand_rules() -> String {
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for chain in 0..40 {
        let _ = writeln!(text, ":svc-{chain:02} - [0:0]");
    }
    for chain in 0..40 {
        let _ = writeln!(text, "-A INPUT -s 198.51.100.{}/32 -j svc-{chain:02}", chain + 1);
    }
    for chain in 0..40 {
        for at in 0..249 {
            let port = 1024 + chain * 251 + at * 7;
            let _ = match at % 4 {
                0 => writeln!(text, "-A svc-{chain:02} -s 203.0.113.{}/32 -p tcp -m tcp --dport {port} -j ACCEPT", at % 200 + 1),
                1 => writeln!(text, "-A svc-{chain:02} -p tcp -m multiport --dports {port},{} -j ACCEPT", port + 1),
                2 => writeln!(text, "-A svc-{chain:02} -p tcp -m tcp --dport {port} -m conntrack --ctstate NEW -j ACCEPT"),
                _ => writeln!(text, "-A svc-{chain:02} -p tcp -m tcp --dport {port} -m limit --limit 10/min -j LOG --log-prefix \"svc \""),
            };
        }
    }
    text.push_str("COMMIT\n");
    text
}

#[wasm_bindgen_test]
#[ignore = "a benchmark: make bench-workbench"]
fn where_a_workbench_edit_spends_its_time() {
    let text = ten_thousand_rules();
    let mut bench = Workbench::default();
    bench.set_input(text.clone());
    bench.load(&text, &import(&text, None));
    let row = ChainLoc { family: Family::V4, table: TableName::Filter, chain: ChainName::User(UserChain::new("svc-00").expect("a chain name")) }.row(100);
    let runs = 21;
    let found = bench.draft().row(&row).cloned().expect("row 100 of svc-00");
    let parts = [
        (
            "move a rule (Workbench::edit: the draft cloned for undo, compared, the move)",
            median_ms(runs, || {
                let below = bench.edit(|draft| draft.move_down(&row));
                below.and_then(|below| bench.edit(|draft| draft.move_up(&below)))
            }) / 2.0,
        ),
        ("the draft cloned", median_ms(runs, || bench.draft().clone())),
        ("the draft compared with an equal one", {
            let copy = bench.draft().clone();
            median_ms(runs, || *bench.draft() == copy)
        }),
        ("the import box's text copied (700 KB)", median_ms(runs, || bench.input().to_owned())),
        ("one row: rule rendered and explained", median_ms(runs, || (render_rule(&found.rule, Family::V4), explain(&found.rule, Family::V4)))),
        ("one row: its place in the effective ruleset", median_ms(runs, || bench.draft().rule_loc(&row))),
    ];
    console_log!("BENCH-PROFILE {} rules; median of {runs} runs each (wasm32, release)", bench.rule_count());
    for (what, ms) in parts {
        console_log!("BENCH-PROFILE {ms:>7.3} ms  {what}");
    }
}
