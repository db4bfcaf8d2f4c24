//! Benchmark (not a test): packet simulation on the generated 5,000-rule ruleset with 100 user
//! chains (the one `bench_lint` analyses), each figure next to a reference measured in the same run.
//!
//! - Batch: [`verdicts`] (trace-free, chains by index) in packets per second, against the traced
//!   walk ([`simulate`], which names every visited rule and failing match) used per packet, as
//!   `portcullis simulate --packets` did before the fast path existed.
//! - Single-packet trace: [`simulate`] per packet (mean and worst), against the verdict alone for
//!   the same packets (what the trace costs).
//!
//! ```sh
//! cargo run --profile native -p portcullis-engine --example bench_simulate
//! ```
// Casts: every random number is bounded by `Rng::below` to fit its field.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::cast_precision_loss, clippy::cast_possible_truncation)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Instant;

use portcullis_engine::import::import;
use portcullis_engine::model::{ConnState, Protocol, TcpFlags};
use portcullis_engine::simulate::{simulate, verdicts, Packet, Path, Prepared};

#[path = "common/ruleset.rs"]
mod ruleset;

/// A seeded xorshift generator: the same packets every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

/// Packets arriving on eth0: most from the 10.C.0.0/16 networks the user chains handle, the rest
/// from elsewhere; TCP, UDP and ICMP to ports the rules name; mostly NEW.
fn packets(count: usize) -> Vec<Packet> {
    let mut rng = Rng(0x5eed_1234_abcd_0042);
    (0..count)
        .map(|_| {
            let source = if rng.below(10) < 7 {
                Ipv4Addr::new(10, rng.below(100) as u8, rng.below(256) as u8, rng.below(256) as u8)
            } else {
                Ipv4Addr::new(203, 0, 113, rng.below(256) as u8)
            };
            let protocol = match rng.below(10) {
                0..=5 => Protocol::TCP,
                6..=8 => Protocol::UDP,
                _ => Protocol::ICMP,
            };
            let mut packet = Packet::new(protocol, IpAddr::V4(source), IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1))).unwrap();
            packet.path = Path::Input;
            packet.in_interface = Some("eth0".to_owned());
            packet.source_port = 40_000 + rng.below(20_000) as u16;
            packet.destination_port = 1000 + rng.below(2100) as u16;
            packet.tcp_flags = TcpFlags::from_bits(2);
            packet.icmp_type = 8;
            packet.state = match rng.below(10) {
                0..=6 => ConnState::New,
                7 | 8 => ConnState::Established,
                _ => ConnState::Invalid,
            };
            packet
        })
        .collect()
}

fn best(runs: usize, mut once: impl FnMut() -> f64) -> f64 {
    (0..runs).map(|_| once()).fold(f64::INFINITY, f64::min)
}

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(5).max(1);
    let text = ruleset::generate(100);
    let ruleset = import(&text, None).value.rulesets.remove(0);
    let rules: usize = ruleset.tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum();
    let batch = packets(200_000);
    let sample = &batch[..5_000];

    // Batch, fast path (indexing the ruleset included).
    let fast_seconds = best(runs, || {
        let start = Instant::now();
        let results = verdicts(&ruleset, &batch);
        std::hint::black_box(results);
        start.elapsed().as_secs_f64()
    });
    // Batch, reference: the traced walk per packet.
    let traced_seconds = best(runs, || {
        let start = Instant::now();
        for packet in sample {
            std::hint::black_box(simulate(&ruleset, packet));
        }
        start.elapsed().as_secs_f64()
    });
    let fast_rate = batch.len() as f64 / fast_seconds;
    let traced_rate = sample.len() as f64 / traced_seconds;

    // Single-packet traces: mean and worst of 1,000 (each packet's best of the runs: a shared
    // machine pauses a process now and then, the same for every implementation), against the
    // verdict alone for the same packets.
    let singles = &batch[..1_000];
    let mut each = vec![f64::INFINITY; singles.len()];
    for _ in 0..runs {
        for (packet, best) in singles.iter().zip(&mut each) {
            let start = Instant::now();
            std::hint::black_box(simulate(&ruleset, packet));
            *best = best.min(start.elapsed().as_secs_f64());
        }
    }
    let trace_total: f64 = each.iter().sum();
    let worst = each.iter().copied().fold(0.0, f64::max);
    let prepared = Prepared::new(&ruleset);
    let verdict_total = best(runs, || {
        let start = Instant::now();
        for packet in singles {
            std::hint::black_box(prepared.verdicts(packet));
        }
        start.elapsed().as_secs_f64()
    });

    // The two paths agree on the sample (the property test proves it on generated rulesets).
    let fast = verdicts(&ruleset, sample);
    let agree = sample.iter().zip(&fast).filter(|(packet, quick)| {
        let full = simulate(&ruleset, packet);
        full.outcomes.len() == quick.outcomes.len()
            && full.outcomes.iter().zip(&quick.outcomes).all(|(a, b)| a.verdict == b.verdict && a.decided_by == b.decided_by)
    });
    let agree = agree.count();
    let maybe = fast.iter().filter(|result| result.verdict().is_none()).count();

    let trace_mean_ms = trace_total / singles.len() as f64 * 1000.0;
    let verdict_mean_ms = verdict_total / singles.len() as f64 * 1000.0;
    println!("{rules} rules, 100 user chains; {} packets (best of {runs} runs)", batch.len());
    println!(
        "batch verdicts        {:>12.0} packets/s   target >= 1,000,000: {}",
        fast_rate,
        if fast_rate >= 1_000_000.0 { "met" } else { "NOT met" }
    );
    println!("reference: traced walk {:>11.0} packets/s   ratio fast / reference {:.1}x", traced_rate, fast_rate / traced_rate);
    println!(
        "single-packet trace   {:>9.4} ms mean, {:.4} ms worst   target < 1 ms: {}",
        trace_mean_ms,
        worst * 1000.0,
        if worst < 0.001 { "met" } else { "NOT met" }
    );
    println!("reference: verdict alone {:>6.4} ms mean   ratio trace / verdict {:.1}x", verdict_mean_ms, trace_mean_ms / verdict_mean_ms.max(1e-12));
    println!("agreement on {} sample packets: {agree} equal ({maybe} MAYBE)", sample.len());
}
