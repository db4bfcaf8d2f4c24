//! Every preset and every example, and generated designs, through every real tool: the save
//! files through `iptables-restore --test` / `ip6tables-restore --test`, the nft file through
//! `nft -c -f`, the apply script (each distribution) and the commands through `bash -n` and
//! `shellcheck`. Nothing is stripped: the default SSH limit included.

use portcullis_e2e::fixtures::presets_and_examples;
use portcullis_e2e::generate::{design as generated_design, Rng};
use portcullis_e2e::judge::{Judge, TOOLS};
use portcullis_e2e::require::{can_run, Need};
use portcullis_engine::export::script::{Distro, ScriptOptions};

fn ready(suite: &str) -> bool {
    let mut needs = vec![Need::Root];
    needs.extend(TOOLS.iter().map(|tool| Need::Program(tool)));
    can_run(suite, &needs)
}

#[test]
fn every_preset_and_example_passes_every_tool() {
    if !ready("all tools: presets and examples") {
        return;
    }
    let judge = Judge::new("all").expect("judge");
    let designs = presets_and_examples();
    assert!(designs.len() >= 12, "6 presets and at least 6 examples: {}", designs.len());
    for (name, design) in designs {
        for distro in Distro::ALL {
            let options = ScriptOptions { distro, ..ScriptOptions::default() };
            judge.judge(&design, &options).unwrap_or_else(|error| panic!("{name} ({distro}): {error}"));
        }
    }
}

/// Generated designs (`PORTCULLIS_GENERATED_DESIGNS`, 40 by default; `PORTCULLIS_DESIGN_SEED`
/// picks another seed). A failure prints the design file, the seed and the case.
#[test]
fn generated_designs_pass_every_tool() {
    if !ready("all tools: generated designs") {
        return;
    }
    let count: u64 = std::env::var("PORTCULLIS_GENERATED_DESIGNS").ok().and_then(|text| text.parse().ok()).unwrap_or(40);
    let seed: u64 = std::env::var("PORTCULLIS_DESIGN_SEED").ok().and_then(|text| text.parse().ok()).unwrap_or(0x5eed_0004);
    let judge = Judge::new("generated").expect("judge");
    let mut rng = Rng::new(seed);
    let started = std::time::Instant::now();
    for case in 0..count {
        let design = generated_design(&mut rng);
        let options = ScriptOptions {
            distro: *rng.pick(&Distro::ALL),
            rollback_seconds: 1 + u32::try_from(rng.below(86_400)).unwrap_or(0),
            ssh_port: 1 + u16::try_from(rng.below(65_535)).unwrap_or(0),
        };
        if let Err(error) = judge.judge(&design, &options) {
            panic!("generated design {case} (seed {seed}) fails: {error}\ndesign file:\n{}", design.to_json());
        }
    }
    eprintln!("{count} generated designs passed every tool in {:.1} s", started.elapsed().as_secs_f64());
}
