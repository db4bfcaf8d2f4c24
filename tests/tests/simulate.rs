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
    if !can_run(
        "simulation corpus vs kernel",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")],
    ) {
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
    if !can_run(
        "generated simulation differential",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")],
    ) {
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

/// A value of a matrix description (`any`, `a.b.c.d`, `net/len`, `first-last`) among `candidates`.
fn pick_in(descriptions: &[String], candidates: &[std::net::Ipv4Addr]) -> Option<std::net::Ipv4Addr> {
    let contains = |text: &str, address: std::net::Ipv4Addr| -> bool {
        if text == "any" {
            return true;
        }
        if let Some((net, length)) = text.split_once('/') {
            let (Ok(net), Ok(length)) = (net.parse::<std::net::Ipv4Addr>(), length.parse::<u32>()) else { return false };
            let mask = u32::MAX.checked_shl(32 - length).unwrap_or(0);
            return u32::from(address) & mask == u32::from(net);
        }
        match text.split_once('-') {
            Some((first, last)) => {
                first.parse::<std::net::Ipv4Addr>().is_ok_and(|first| first <= address) && last.parse::<std::net::Ipv4Addr>().is_ok_and(|last| address <= last)
            }
            None => text.parse::<std::net::Ipv4Addr>() == Ok(address),
        }
    };
    candidates.iter().copied().find(|address| descriptions.iter().any(|text| contains(text, *address)))
}

/// The forwarding matrix against the kernel: for every row between two different links of the
/// lab and every area of every class, a NEW connection from a source of the area to a
/// destination of the area on the leaving link's network is forwarded by the server, and the
/// kernel's verdict and deciding rule (counters) are the class's.
#[test]
fn forward_matrix_classes_agree_with_the_kernel() {
    if !can_run(
        "forward matrix against the kernel",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("conntrack"), Need::Program("nft")],
    ) {
        return;
    }
    let path = format!("{}/corpus/matrix/forward.rules", env!("CARGO_MANIFEST_DIR"));
    let rules = std::fs::read_to_string(&path).unwrap();
    let ruleset = import(&rules, None).value.rulesets.remove(0);
    let table = portcullis_engine::analysis::forward_matrix::forward_matrix(&ruleset);
    let lab = Lab::new(3).expect("lab");
    lab.enable_forwarding().expect("forwarding");
    lab.load(portcullis_engine::model::Family::V4, &rules).expect("the kernel loads the rules");
    let networks = ["192.0.2", "198.51.100", "203.0.113"];
    let mut checked = 0;
    for row in &table.rows {
        for (arriving, leaving) in &row.interfaces {
            let (Some(from), Some(to)) = (arriving.strip_prefix("eth"), leaving.strip_prefix("eth")) else { continue };
            let (Ok(from), Ok(to)) = (from.parse::<usize>(), to.parse::<usize>()) else { continue };
            if from == to {
                continue;
            }
            for class in &row.classes {
                for area in &class.areas {
                    let sources: Vec<std::net::Ipv4Addr> = networks
                        .iter()
                        .chain(["10.9.8"].iter())
                        .flat_map(|net| [format!("{net}.130"), format!("{net}.9")])
                        .map(|text| text.parse().unwrap())
                        .collect();
                    let destinations: Vec<std::net::Ipv4Addr> =
                        [9, 53, 80, 200].iter().map(|host| format!("{}.{host}", networks[to]).parse().unwrap()).collect();
                    let (Some(source), Some(destination)) = (pick_in(&area.sources, &sources), pick_in(&area.destinations, &destinations)) else { continue };
                    let proto = if row.protocol == portcullis_engine::model::Protocol::TCP { "tcp" } else { "udp" };
                    let flags = if proto == "tcp" { " syn" } else { "" };
                    let text = format!("{proto} {source}:40000 -> {destination}:{} in eth{from} out eth{to}{flags} new", row.port);
                    let packet = portcullis_engine::simulate::Packet::parse(&text).unwrap();
                    let observation = lab.probe(&probe(&packet).expect("a probe")).unwrap_or_else(|error| panic!("{text}: {error}"));
                    let hit = observation.filter_decision().unwrap_or_else(|| panic!("{text}: no filter decision"));
                    assert_eq!(hit.chain, "FORWARD", "{text}");
                    assert_eq!(observation.verdict().map(kernel_verdict), Some(class.verdict), "{text}");
                    assert_eq!(hit.position, class.decided_by.index, "{text}");
                    checked += 1;
                }
            }
        }
    }
    eprintln!("forward matrix: {checked} areas agree with the kernel");
    assert!(checked >= 8, "too few areas reached the kernel: {checked}");
}
