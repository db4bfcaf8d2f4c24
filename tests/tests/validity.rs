//! Differential validity: for every rule of `tests/corpus/validity.txt`, and for generated rules
//! (many mutated towards invalid on purpose), the engine refuses it (an error diagnostic) exactly
//! when the kernel refuses to load it. A real load in a namespace is the judge:
//! `iptables-restore --test` misses some refusals.
//!
//! `PORTCULLIS_GENERATED_VALIDITY=N` runs N generated rules (600 by default) and
//! `PORTCULLIS_VALIDITY_SEED=S` another seed; a disagreement prints its corpus line, so it can be
//! copied into `validity.txt` as a named regression.

use std::time::{Duration, Instant};

use portcullis_e2e::generate::{validity_case, Rng};
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

const BUILTIN_CHAINS: [&str; 5] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

/// A whole save file for one rule: a user chain `CUSTOM` in the table (and the rule's own chain,
/// when it is a user chain with another name), then the rule.
fn save_file(table: &str, chain: &str, options: &str) -> String {
    let own = if chain == "CUSTOM" || BUILTIN_CHAINS.contains(&chain) { String::new() } else { format!(":{chain} - [0:0]\n") };
    format!("*{table}\n:CUSTOM - [0:0]\n{own}-A {chain} {options}\nCOMMIT\n")
}

/// The kernel's verdict, the engine's verdict, and the engine's findings for one corpus line.
struct Verdicts {
    kernel: Result<(), String>,
    engine: bool,
    findings: String,
}

/// Loads `line` (`FAMILY TABLE CHAIN OPTIONS`) for real in `netns` and reads it with the engine.
fn judge(netns: &Netns, line: &str) -> Verdicts {
    let mut parts = line.splitn(4, ' ');
    let (Some(family), Some(table), Some(chain), Some(options)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        panic!("malformed corpus line: {line}");
    };
    let (family, restore) = if family == "v6" { (Family::V6, "ip6tables-restore") } else { (Family::V4, "iptables-restore") };
    let text = save_file(table, chain, options);
    // `timeout` bounds every load; its own exit status 124 is a hang, never a verdict.
    let kernel = netns.exec_with_input("timeout", &["20", restore], Some(&text)).map(drop);
    if let Err(error) = &kernel {
        assert!(!error.contains("exit status: 124"), "{restore} hung on: {line}");
    }
    let parsed = import(&text, Some(family));
    let findings = parsed.diagnostics.iter().map(|d| format!("{:?} {:?}: {}", d.severity, d.code, d.message)).collect::<Vec<_>>().join("; ");
    Verdicts { kernel, engine: !parsed.has_errors(), findings }
}

/// Judges every line; returns (agreed, kernel-refused count, disagreements as printable text).
fn differential(lines: impl Iterator<Item = String>, role: &str, budget: Duration) -> (usize, usize, Vec<String>) {
    let netns = Netns::create(role).expect("namespace");
    let started = Instant::now();
    let (mut agreed, mut refused, mut disagreements) = (0, 0, Vec::new());
    for line in lines {
        assert!(started.elapsed() < budget, "the validity differential ran over its {budget:?} budget");
        let verdicts = judge(&netns, &line);
        refused += usize::from(verdicts.kernel.is_err());
        if verdicts.kernel.is_ok() == verdicts.engine {
            agreed += 1;
        } else {
            let kernel = verdicts
                .kernel
                .err()
                .map_or_else(|| "accepts".to_owned(), |error| format!("refuses ({})", error.lines().find(|line| !line.starts_with("Try ")).unwrap_or("")));
            let engine = if verdicts.engine { "accepts" } else { "refuses" };
            disagreements.push(format!("{line}\n    kernel {kernel}\n    engine {engine}: [{}]", verdicts.findings));
        }
    }
    (agreed, refused, disagreements)
}

fn needs() -> bool {
    can_run(
        "validity differential",
        &[Need::Root, Need::Program("ip"), Need::Program("timeout"), Need::Program("iptables-restore"), Need::Program("ip6tables-restore")],
    )
}

#[test]
fn the_engine_refuses_exactly_what_the_kernel_refuses() {
    if !needs() {
        return;
    }
    let corpus = std::fs::read_to_string(portcullis_e2e::workspace_root().join("tests/corpus/validity.txt")).expect("corpus");
    let lines = corpus.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#')).map(str::to_owned);
    let (agreed, _, disagreements) = differential(lines, "valid", Duration::from_mins(2));
    eprintln!("validity differential: {agreed} of {} rules agree", agreed + disagreements.len());
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}

#[test]
fn on_generated_rules_the_engine_refuses_exactly_what_the_kernel_refuses() {
    if !needs() {
        return;
    }
    let count = std::env::var("PORTCULLIS_GENERATED_VALIDITY").ok().and_then(|value| value.parse().ok()).unwrap_or(600_usize);
    let seed = std::env::var("PORTCULLIS_VALIDITY_SEED").ok().and_then(|value| value.parse().ok()).unwrap_or(0x0bad_5eed_u64);
    let mut rng = Rng::new(seed);
    let lines = (0..count).map(|_| validity_case(&mut rng).to_string());
    // About 0.1 s a rule even on a busy 2-core machine; a hang fails instead of stalling CI.
    let budget = Duration::from_secs(60 + u64::try_from(count).unwrap_or(u64::MAX) / 5);
    let (agreed, refused, disagreements) = differential(lines, "genvalid", budget);
    eprintln!("validity differential (generated): {agreed} of {count} agree (seed {seed}; {} loaded, {refused} refused by the kernel)", count - refused);
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    // A generator that drifted to all-valid or all-invalid would prove little.
    assert!(count < 100 || (refused > count / 5 && count - refused > count / 5), "unbalanced corpus: {refused} of {count} refused");
}
