//! Benchmark (not a test): lint and FORWARD matrix of a generated university router
//! ([`router::generate`]: VLAN sub-interfaces, a hundred user chains, RETURN-heavy dispatch,
//! `recent` / `limit` LOG chains, ipsets, NAT), at the real dump's size (5,600 rules) and along a
//! curve of sizes, each figure next to its goal and to a reference measured in the same run.
//!
//! Peak memory is per phase: each measured phase runs in a child process (this example re-run
//! with `--phase NAME RULES`), which generates and imports the dump, runs the phase and reports
//! its time and its `VmHWM` (the whole process, as `portcullis lint` would use). A child that
//! exceeds the time budget is stopped, and larger sizes of that phase are skipped.
//!
//! ```sh
//! cargo run --profile native -p portcullis-engine --example bench_router
//! RULES=5600 CURVE=1000,2000,5000,10000,20000 BUDGET=60 RUNS=3 cargo run --profile native -p portcullis-engine --example bench_router
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss)]

use std::collections::BTreeMap;
use std::io::Read as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_engine::analysis::forward_matrix::{forward_matrix, forward_matrix_per_pair, forward_summary};
use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::import::import;

#[path = "common/router.rs"]
mod router;
#[path = "common/ruleset.rs"]
mod ruleset;

/// Lint goal (seconds, MB) and FORWARD matrix goal (seconds, MB, text lines), from issue 20.
const LINT_GOAL: (f64, f64) = (0.3, 150.0);
const MATRIX_GOAL: (f64, f64, f64) = (10.0, 1024.0, 5_000.0);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|value| value.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, phase, rules] = args.as_slice() {
        if flag == "--phase" {
            run_phase(phase, rules.parse().unwrap());
            return;
        }
    }
    let rules: usize = env_or("RULES", router::DEFAULT_RULES);
    let budget = Duration::from_secs(env_or("BUDGET", 60));
    let curve: Vec<usize> = std::env::var("CURVE")
        .unwrap_or_else(|_| "1000,2000,5000,10000,20000".to_owned())
        .split(',')
        .filter_map(|size| size.trim().parse().ok())
        .collect();

    let shape = measure("shape", rules, budget).unwrap();
    println!(
        "router: {} rules ({} filter, {} nat), {} chains, {} VLANs, {} interface classes, {:.0} KB of text",
        shape["rules"], shape["filter"], shape["nat"], shape["chains"], shape["vlans"], shape["classes"], shape["bytes"] / 1000.0
    );
    println!("(time: best of RUNS={} runs in the child; memory: the child's peak, VmHWM)", env_or("RUNS", 3_usize));
    let import = measure("import", rules, budget).unwrap();
    println!("import                {:>9.1} ms {:>8.1} MB   (the baseline every phase below includes)", import["ms"], import["mb"]);
    if let Some(lint) = measure("lint", rules, budget) {
        println!(
            "lint                  {:>9.1} ms {:>8.1} MB   goal <= {:.0} ms: {:.2}x, <= {:.0} MB: {:.2}x   ({} findings)",
            lint["ms"], lint["mb"], LINT_GOAL.0 * 1000.0, lint["ms"] / (LINT_GOAL.0 * 1000.0), LINT_GOAL.1, lint["mb"] / LINT_GOAL.1, lint["findings"]
        );
        if let Some(naive) = measure("naive", rules, budget) {
            println!(
                "reference: naive     {:>9.1} ms {:>8.1} MB   (pairwise per chain, no jumps: {} dead rules); ratio lint / naive {:.2}",
                naive["ms"], naive["mb"], naive["dead"], lint["ms"] / naive["ms"].max(1e-9)
            );
        }
    } else {
        println!("lint: over the {}s budget", budget.as_secs());
    }
    if let Some(summary) = measure("summary", rules, budget) {
        println!(
            "FORWARD summary       {:>9.1} ms {:>8.1} MB   goal <= {:.0} s: {:.3}x, <= {:.0} MB: {:.2}x   (`portcullis matrix --forward`, text)",
            summary["ms"], summary["mb"], MATRIX_GOAL.0, summary["ms"] / (MATRIX_GOAL.0 * 1000.0), MATRIX_GOAL.1, summary["mb"] / MATRIX_GOAL.1
        );
        println!(
            "  text                {:>9.0} lines            goal <= {:.0}: {:.2}x   ({} ports, {} interface classes)",
            summary["lines"], MATRIX_GOAL.2, summary["lines"] / MATRIX_GOAL.2, summary["ports"], summary["classes"]
        );
    } else {
        println!("FORWARD summary: over the {}s budget", budget.as_secs());
    }
    let matrix = measure("matrix", rules, budget);
    if let Some(matrix) = &matrix {
        println!(
            "FORWARD matrix, JSON  {:>9.1} ms {:>8.1} MB   goal <= {:.0} s: {:.3}x, <= {:.0} MB: {:.2}x   (`--format json`: every pair, every area)",
            matrix["ms"], matrix["mb"], MATRIX_GOAL.0, matrix["ms"] / (MATRIX_GOAL.0 * 1000.0), MATRIX_GOAL.1, matrix["mb"] / MATRIX_GOAL.1
        );
        println!(
            "  JSON                {:>9.0} lines            ({} rows, {} interface pairs, {} areas; {:.1} MB; lines pretty-printed)",
            matrix["json_lines"], matrix["rows"], matrix["pairs"], matrix["areas"], matrix["json_bytes"] / 1e6
        );
    } else {
        println!("FORWARD matrix, JSON: over the {}s budget", budget.as_secs());
    }
    match (measure("reference", rules, budget), &matrix) {
        (Some(reference), Some(matrix)) => println!(
            "reference: per pair  {:>9.1} ms {:>8.1} MB   (the matrix pair by pair, as before); ratio matrix / reference {:.3}, same rows: {}",
            reference["ms"], reference["mb"], matrix["ms"] / reference["ms"].max(1e-9), if reference["digest"].to_bits() == matrix["digest"].to_bits() { "yes" } else { "NO" }
        ),
        _ => println!("reference: per pair   over the {}s budget (the matrix pair by pair, as before)", budget.as_secs()),
    }

    println!("\ncurve (time, peak memory; '-' past the {}s budget):", budget.as_secs());
    println!(
        "{:>7} {:>7} {:>6} {:>9} {:>8} {:>11} {:>10} {:>7} {:>11} {:>10} {:>12}",
        "rules", "chains", "VLANs", "lint ms", "lint MB", "summary ms", "summary MB", "lines", "matrix ms", "matrix MB", "reference ms"
    );
    let mut over = BTreeMap::new();
    for size in curve {
        let shape = measure("shape", size, budget).unwrap();
        let mut run = |phase: &'static str| {
            if over.contains_key(phase) {
                return None;
            }
            let found = measure(phase, size, budget);
            if found.is_none() {
                over.insert(phase, size);
            }
            found
        };
        let (lint, summary, matrix, reference) = (run("lint"), run("summary"), run("matrix"), run("reference"));
        let cell = |found: &Option<BTreeMap<String, f64>>, key: &str, digits: usize| found.as_ref().map_or_else(|| "-".to_owned(), |map| format!("{:.digits$}", map[key]));
        println!(
            "{:>7} {:>7} {:>6} {:>9} {:>8} {:>11} {:>10} {:>7} {:>11} {:>10} {:>12}",
            shape["rules"],
            shape["chains"],
            shape["vlans"],
            cell(&lint, "ms", 1),
            cell(&lint, "mb", 1),
            cell(&summary, "ms", 1),
            cell(&summary, "mb", 1),
            cell(&summary, "lines", 0),
            cell(&matrix, "ms", 1),
            cell(&matrix, "mb", 1),
            cell(&reference, "ms", 0)
        );
    }
}

/// Runs `phase` on a router of `rules` rules in a child process; its figures, or `None` past `budget`.
fn measure(phase: &str, rules: usize, budget: Duration) -> Option<BTreeMap<String, f64>> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--phase", phase, &rules.to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "phase {phase} at {rules} rules failed");
            break;
        }
        if start.elapsed() > budget {
            // Our own child, by its handle.
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let figures = out
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .filter_map(|(key, value)| Some((key.to_owned(), value.parse().ok()?)))
        .collect();
    Some(figures)
}

/// The child's side: generate, import, run one phase, print `key=value` figures.
fn run_phase(phase: &str, rules: usize) {
    let runs = env_or("RUNS", 3_usize).max(1);
    let text = router::generate(rules);
    let start = Instant::now();
    let parsed = import(&text, None);
    let import_ms = start.elapsed().as_secs_f64() * 1000.0;
    assert!(!parsed.has_errors(), "the generated router must import cleanly: {:?}", parsed.diagnostics.first());
    let ruleset = parsed.value.rulesets.into_iter().next().unwrap();
    let mut figures: Vec<(&str, f64)> = Vec::new();
    match phase {
        "shape" => {
            let count = |table: &str| ruleset.tables.iter().filter(|found| found.name.as_str() == table).flat_map(|found| &found.chains).map(|chain| chain.rules.len()).sum::<usize>();
            let chains: usize = ruleset.tables.iter().map(|table| table.chains.len()).sum();
            let universe = portcullis_engine::analysis::compile::Universe::of(&ruleset);
            figures.extend([
                ("rules", (count("filter") + count("nat")) as f64),
                ("filter", count("filter") as f64),
                ("nat", count("nat") as f64),
                ("chains", chains as f64),
                ("vlans", router::vlans_for(rules) as f64),
                ("classes", universe.interfaces.len() as f64),
                ("bytes", text.len() as f64),
            ]);
        }
        "import" => figures.push(("ms", import_ms)),
        "lint" => {
            let options = LintOptions { admin_from: vec!["10.250.0.0/24".parse().unwrap()], ..LintOptions::default() };
            let mut found = 0;
            let ms = best(runs, || found = lint(&ruleset, &options).len());
            figures.extend([("ms", ms), ("findings", found as f64)]);
        }
        "naive" => {
            let mut dead = 0;
            let ms = best(runs, || dead = ruleset::naive_dead_rules(&ruleset));
            figures.extend([("ms", ms), ("dead", dead as f64)]);
        }
        "summary" => {
            // What `portcullis matrix --forward` does: the summary and its text.
            let mut text = String::new();
            let ms = best(runs, || text = forward_summary(&ruleset).to_string());
            let summary = forward_summary(&ruleset);
            figures.extend([
                ("ms", ms),
                ("lines", text.lines().count() as f64),
                ("ports", summary.services.len() as f64),
                ("classes", summary.interfaces.len() as f64),
            ]);
        }
        "matrix" | "reference" => {
            // `--format json`: the full matrix; or the same, pair by pair.
            let compute = if phase == "matrix" { forward_matrix } else { forward_matrix_per_pair };
            let mut json = String::new();
            let ms = best(runs.min(2), || json = compute(&ruleset).to_json().to_string());
            let table = compute(&ruleset);
            let pretty = serde_json::to_string_pretty(&table.to_json()).unwrap();
            let areas: usize = table.rows.iter().flat_map(|row| &row.classes).map(|class| class.areas.len()).sum();
            figures.extend([
                ("ms", ms),
                ("rows", table.rows.len() as f64),
                ("pairs", table.rows.iter().map(|row| row.interfaces.len()).sum::<usize>() as f64),
                ("areas", areas as f64),
                ("json_bytes", json.len() as f64),
                ("json_lines", pretty.lines().count() as f64),
                ("digest", f64::from(digest(&json))),
            ]);
        }
        other => panic!("unknown phase {other}"),
    }
    figures.push(("mb", peak_kib() as f64 / 1024.0));
    let line: Vec<String> = figures.iter().map(|(key, value)| format!("{key}={value}")).collect();
    println!("{}", line.join(" "));
}

/// A short fingerprint of a text, to compare two outputs across processes.
fn digest(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
}

/// The best time of `runs` runs of `work`, in milliseconds.
fn best(runs: usize, mut work: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

/// This process's peak resident memory (`VmHWM`), in KiB.
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find(|line| line.starts_with("VmHWM:")).unwrap_or("VmHWM: 0 kB");
    line.split_whitespace().nth(1).and_then(|value| value.parse().ok()).unwrap_or(0)
}
