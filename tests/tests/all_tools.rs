//! Every preset and every example, and generated designs, through every real tool: the save
//! files through `iptables-restore --test` / `ip6tables-restore --test`, the nft file through
//! `nft -c -f`, the apply script (each distribution) and the commands through `bash -n` and
//! `shellcheck`. Nothing is stripped: the default SSH limit included.

use portcullis_e2e::fixtures::presets_and_examples;
use portcullis_e2e::generate::{design as generated_design, Rng};
use portcullis_e2e::judge::{Judge, TOOLS};
use portcullis_e2e::require::{can_run, Need};
use portcullis_engine::design::DefaultPolicy;
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::model::Family;

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

/// The web preset with the once-fixed defaults turned off (replies, loopback, INPUT and FORWARD
/// policies; one at a time and all together) through every tool, and the nft export saying the
/// same as the iptables files: the policy it chose, and no loopback or replies accept when off.
#[test]
fn the_careful_defaults_turned_off_pass_every_tool_and_translate_to_nft() {
    if !ready("all tools: careful defaults turned off") {
        return;
    }
    let judge = Judge::new("off").expect("judge");
    for (name, design) in portcullis_e2e::fixtures::careful_defaults_turned_off() {
        for distro in Distro::ALL {
            let options = ScriptOptions { distro, ..ScriptOptions::default() };
            judge.judge(&design, &options).unwrap_or_else(|error| panic!("{name} ({distro}): {error}"));
        }
        let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
        let nft = portcullis_engine::export::nft::render(&v4, &v6).expect("the design translates").text;
        let chain = |hook: &str| -> String {
            let start = nft.find(&format!("type filter hook {hook} priority filter;")).unwrap_or_else(|| panic!("{name}: no {hook} chain:\n{nft}"));
            nft[start..].split("\n\t}").next().unwrap_or_default().to_owned()
        };
        let protections = design.protections();
        for (hook, policy) in [("input", protections.input_policy), ("forward", protections.forward_policy)] {
            let word = match policy {
                DefaultPolicy::Drop => "drop",
                DefaultPolicy::Accept => "accept",
            };
            assert!(chain(hook).starts_with(&format!("type filter hook {hook} priority filter; policy {word};")), "{name}: {hook}:\n{nft}");
        }
        let input = chain("input");
        assert_eq!(input.contains("iifname \"lo\" accept"), protections.allow_loopback, "{name}:\n{input}");
        assert_eq!(input.contains("ct state related,established accept"), protections.allow_established, "{name}:\n{input}");
        assert_eq!(input.contains("log prefix"), protections.input_policy == DefaultPolicy::Drop, "{name}: a log of drops only under DROP:\n{input}");
    }
}
