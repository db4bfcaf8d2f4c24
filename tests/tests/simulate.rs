//! The simulation corpus against the engine's simulator, and against the real kernel: both must
//! give the verdict written in the corpus, and the same deciding rule.

use portcullis_e2e::kernel::{Lab, Verdict as KernelVerdict};
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::simulation::{corpus, probe, Case, CorpusFile, Expected};
use portcullis_engine::import::import;
use portcullis_engine::model::{Ruleset, TableName};
use portcullis_engine::simulate::{simulate, Verdict};

fn ruleset(file: &CorpusFile, case: &Case) -> Ruleset {
    let parsed = import(&file.rules, Some(case.packet.family));
    assert!(!parsed.has_errors(), "{}: {:#?}", file.path.display(), parsed.diagnostics);
    parsed.value.ruleset(case.packet.family).cloned().unwrap_or_else(|| Ruleset::new(case.packet.family))
}

fn kernel_verdict(verdict: KernelVerdict) -> Verdict {
    match verdict {
        KernelVerdict::Accept => Verdict::Accept,
        KernelVerdict::Drop => Verdict::Drop,
        KernelVerdict::Reject => Verdict::Reject,
    }
}

#[test]
fn the_engine_gives_the_corpus_verdicts() {
    let mut checked = 0;
    for file in corpus() {
        for case in &file.cases {
            let simulation = simulate(&ruleset(&file, case), &case.packet);
            let place = format!("{}:{} `{}`", file.path.display(), case.line, case.text);
            match &case.expected {
                Expected::Maybe => assert!(simulation.verdict().is_none() || !simulation.is_certain(), "{place}: {simulation:#?}"),
                Expected::Decided { verdict, chain, position } => {
                    assert_eq!(simulation.verdict(), Some(*verdict), "{place}: {:#?}", simulation.outcomes[0].trace);
                    let decided = simulation.outcomes[0].decided_by.as_ref().unwrap_or_else(|| panic!("{place}: no deciding rule"));
                    assert_eq!(
                        (decided.table, decided.chain.as_str(), decided.index),
                        (TableName::Filter.as_str(), chain.as_str(), *position),
                        "{place}: {:#?}",
                        simulation.outcomes[0].trace
                    );
                }
            }
            checked += 1;
        }
    }
    eprintln!("simulation corpus: {checked} packets agree with the engine");
    assert!(checked >= 25, "the corpus shrank to {checked} packets");
}

#[test]
fn the_kernel_agrees_with_the_engine_on_the_corpus() {
    if !can_run("simulation corpus vs kernel", &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")]) {
        return;
    }
    let lab = Lab::new(3).expect("lab");
    let (mut agreed, mut disagreements) = (0, Vec::new());
    for file in corpus() {
        let mut loaded = None;
        for case in &file.cases {
            let Some(probe) = probe(&case.packet) else { continue };
            if loaded != Some(case.packet.family) {
                lab.load(case.packet.family, &file.rules).unwrap_or_else(|error| panic!("{}: {error}", file.path.display()));
                loaded = Some(case.packet.family);
            }
            let observation = lab.probe(&probe).unwrap_or_else(|error| panic!("{}:{}: {error}", file.path.display(), case.line));
            let simulation = simulate(&ruleset(&file, case), &case.packet);
            let kernel = observation.verdict().map(kernel_verdict);
            let decision = observation.filter_decision().map(|hit| (hit.chain.clone(), hit.position));
            let engine_decisions: Vec<_> = simulation
                .outcomes
                .iter()
                .map(|outcome| (Some(outcome.verdict), outcome.decided_by.as_ref().map(|rule| (rule.chain.clone(), rule.index))))
                .collect();
            if engine_decisions.contains(&(kernel, decision.clone())) {
                agreed += 1;
            } else {
                disagreements.push(format!(
                    "{}:{} `{}`\n    kernel: {kernel:?} by {decision:?}\n    engine: {engine_decisions:?}",
                    file.path.display(),
                    case.line,
                    case.text
                ));
            }
        }
    }
    eprintln!("simulation corpus: {agreed} of {} probes agree with the kernel", agreed + disagreements.len());
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert!(agreed >= 20, "too few probes reached the kernel: {agreed}");
}
