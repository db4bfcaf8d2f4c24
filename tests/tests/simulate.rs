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
                        (TableName::Filter, chain.as_str(), *position),
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

/// Random rulesets × random packets, engine against kernel; `PORTCULLIS_GENERATED_SIMULATIONS`
/// sets the number of packets (1,000 by default, 20 per ruleset).
#[test]
fn generated_rulesets_and_packets_agree_with_the_kernel() {
    if !can_run("generated simulation differential", &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")]) {
        return;
    }
    let total: usize = std::env::var("PORTCULLIS_GENERATED_SIMULATIONS").ok().and_then(|text| text.parse().ok()).unwrap_or(1000);
    let seed = std::env::var("PORTCULLIS_SIMULATION_SEED").ok().and_then(|text| text.parse().ok()).unwrap_or(20_261_121);
    let mut rng = portcullis_e2e::generate::Rng::new(seed);
    let lab = Lab::new(3).expect("lab");
    let (mut agreed, mut uncertain, mut disagreements) = (0, 0, Vec::new());
    let mut done = 0;
    while done < total {
        let rules = portcullis_e2e::generate::simulation_ruleset(&mut rng);
        let parsed = import(&rules, Some(portcullis_engine::model::Family::V4));
        assert!(!parsed.has_errors(), "generated rules the engine refuses:\n{rules}\n{:#?}", parsed.diagnostics);
        let ruleset = parsed.value.rulesets.into_iter().next().expect("a ruleset");
        lab.load(portcullis_engine::model::Family::V4, &rules).unwrap_or_else(|error| panic!("the kernel refuses:\n{rules}\n{error}"));
        for _ in 0..20.min(total - done) {
            done += 1;
            let packet = portcullis_e2e::generate::simulation_packet(&mut rng);
            let probe = probe(&packet).expect("generated packets can be probed");
            let observation = lab.probe(&probe).unwrap_or_else(|error| panic!("{error}\n{rules}"));
            let kernel = (observation.verdict().map(kernel_verdict), observation.filter_decision().map(|hit| (hit.chain.clone(), hit.position)));
            let simulation = simulate(&ruleset, &packet);
            if !simulation.is_certain() {
                uncertain += 1;
            }
            let engine: Vec<_> = simulation
                .outcomes
                .iter()
                .map(|outcome| (Some(outcome.verdict), outcome.decided_by.as_ref().map(|rule| (rule.chain.clone(), rule.index))))
                .collect();
            if engine.contains(&kernel) {
                agreed += 1;
            } else if disagreements.len() < 5 {
                disagreements.push(format!("packet: {packet}\n{rules}kernel: {kernel:?}\nengine: {engine:?}\n"));
            }
        }
    }
    eprintln!("simulation differential (generated, seed {seed}): {agreed} of {done} packets agree with the kernel ({uncertain} with uncertain matches)");
    assert!(disagreements.is_empty(), "first disagreements (minimal repro: the rules and the packet):\n{}", disagreements.join("\n"));
}
