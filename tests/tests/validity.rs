//! Differential validity: for every rule of `tests/corpus/validity.txt`, the engine refuses it
//! (an error diagnostic) exactly when the kernel refuses to load it. A real load in a namespace is
//! the judge: `iptables-restore --test` misses some refusals.

use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

fn save_file(table: &str, chain: &str, options: &str) -> String {
    let custom = if table == "filter" { ":CUSTOM - [0:0]\n" } else { "" };
    format!("*{table}\n{custom}-A {chain} {options}\nCOMMIT\n")
}

#[test]
fn the_engine_refuses_exactly_what_the_kernel_refuses() {
    if !can_run("validity differential", &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore")]) {
        return;
    }
    let corpus = std::fs::read_to_string(portcullis_e2e::workspace_root().join("tests/corpus/validity.txt")).expect("corpus");
    let netns = Netns::create("valid").expect("namespace");
    let (mut agreed, mut disagreements) = (0, Vec::new());
    for line in corpus.lines().filter(|line| !line.trim().is_empty() && !line.starts_with('#')) {
        let mut parts = line.splitn(4, ' ');
        let (Some(family), Some(table), Some(chain), Some(options)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            panic!("malformed corpus line: {line}");
        };
        let (family, restore) = if family == "v6" { (Family::V6, "ip6tables-restore") } else { (Family::V4, "iptables-restore") };
        let text = save_file(table, chain, options);
        let kernel_accepts = netns.exec_with_input(restore, &[], Some(&text)).is_ok();
        let parsed = import(&text, Some(family));
        let engine_accepts = !parsed.has_errors();
        if kernel_accepts == engine_accepts {
            agreed += 1;
        } else {
            disagreements.push(format!("{line}\n    kernel accepts: {kernel_accepts}, engine: {:#?}", parsed.diagnostics));
        }
    }
    eprintln!("validity differential: {agreed} of {} rules agree", agreed + disagreements.len());
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
