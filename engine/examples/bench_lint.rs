//! Benchmark (not a test): full lint + service matrix on a generated 5,000-rule ruleset with 100
//! user chains, against a naive reference measured in the same run.
//!
//! The reference is the textbook exact method without the flow analysis: for each rule, subtract
//! every earlier rule of its chain from what it matches (pairwise, chain by chain, jumps not
//! followed), which finds fewer problems and is the usual first implementation.
//!
//! ```sh
//! cargo run --profile native -p portcullis-engine --example bench_lint
//! ```
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::time::Instant;

use portcullis_engine::analysis::compile::{rule_matches, Universe};
use portcullis_engine::analysis::matrix::matrix;
use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::import::import;
use portcullis_engine::model::{ChainName, TableName};
use portcullis_engine::simulate::Path;

/// 100 user chains of 49 rules (a /16 each, ports, sources, ACCEPT/DROP/RETURN), jumped to from INPUT.
fn generate(chains: u32) -> String {
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for chain in 0..chains {
        let _ = writeln!(text, ":c{chain} - [0:0]");
    }
    text.push_str("-A INPUT -i lo -j ACCEPT\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    for chain in 0..chains {
        let _ = writeln!(text, "-A INPUT -s 10.{chain}.0.0/16 -j c{chain}");
    }
    // 2 + 100 rules in INPUT; 100 x 49 in the user chains = 5,002 rules.
    for chain in 0..chains {
        for rule in 0..49_u32 {
            let port = 1000 + (chain * 7 + rule * 13) % 2000;
            let host = rule * 5 % 256;
            let line = match rule % 7 {
                0 => format!("-A c{chain} -s 10.{chain}.{host}.0/24 -p tcp -m tcp --dport {port} -j ACCEPT"),
                1 => format!("-A c{chain} -p udp -m udp --dport {port} -j DROP"),
                2 => format!("-A c{chain} -s 10.{chain}.{host}.0/25 -p tcp -m tcp --dport {port}:{} -j REJECT", port + 20),
                3 => format!("-A c{chain} -p tcp -m multiport --dports {port},{},{} -j ACCEPT", port + 1, port + 3),
                4 => format!("-A c{chain} -s 10.{chain}.{host}.128/25 -j RETURN"),
                5 => format!("-A c{chain} -p tcp -m tcp --dport {port} -m conntrack --ctstate NEW -j ACCEPT"),
                _ => format!("-A c{chain} -p icmp -m icmp --icmp-type 8 -m limit --limit 5/sec -j ACCEPT"),
            };
            text.push_str(&line);
            text.push('\n');
        }
    }
    text.push_str("COMMIT\n");
    text
}

fn main() {
    let chains: u32 = std::env::var("CHAINS").ok().and_then(|n| n.parse().ok()).unwrap_or(100);
    let text = generate(chains);
    let ruleset = import(&text, None).value.rulesets.remove(0);
    let rules: usize = ruleset.tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum();
    let options = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..LintOptions::default() };

    let start = Instant::now();
    let findings = lint(&ruleset, &options);
    let lint_time = start.elapsed();
    let start = Instant::now();
    let table = matrix(&ruleset);
    let matrix_time = start.elapsed();

    let start = Instant::now();
    let universe = Universe::of(&ruleset);
    let mut naive_dead = 0;
    for chain in &ruleset.table(TableName::Filter).unwrap().chains {
        let path = if chain.name == ChainName::Builtin(portcullis_engine::model::BuiltinChain::Output) { Path::Output } else { Path::Input };
        let sets: Vec<_> = chain.rules.iter().map(|rule| rule_matches(&universe, rule, path)).collect();
        for (index, set) in sets.iter().enumerate() {
            let mut rest = set.possible.clone();
            for earlier in &sets[..index] {
                rest = rest.minus(&earlier.definite);
            }
            naive_dead += usize::from(rest.is_empty());
        }
    }
    let naive_time = start.elapsed();

    let ours = lint_time + matrix_time;
    println!("{rules} rules, {chains} user chains: {} findings, {} matrix rows", findings.len(), table.rows.len());
    println!("lint   {:>8.1} ms", lint_time.as_secs_f64() * 1000.0);
    println!("matrix {:>8.1} ms", matrix_time.as_secs_f64() * 1000.0);
    println!("total  {:>8.1} ms (target <= 250 ms native)", ours.as_secs_f64() * 1000.0);
    println!(
        "naive pairwise reference (chain by chain, no jumps): {:.1} ms, {naive_dead} dead rules; ratio ours/naive {:.2}",
        naive_time.as_secs_f64() * 1000.0,
        ours.as_secs_f64() / naive_time.as_secs_f64().max(1e-9)
    );
}
