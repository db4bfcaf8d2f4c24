//! The generated ruleset every analysis and simulation benchmark uses (a module of the examples,
//! not an example itself: it has no `main`).
// Each benchmark uses a part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

use portcullis_engine::analysis::compile::{rule_matches, Universe};
use portcullis_engine::model::{BuiltinChain, ChainName, Ruleset, TableName};
use portcullis_engine::simulate::Path;

/// 100 user chains of 49 rules (a /16 each, ports, sources, ACCEPT/DROP/RETURN), jumped to from INPUT.
pub(crate) fn generate(chains: u32) -> String {
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

/// The naive reference: for each rule, subtract every earlier rule of its chain from what it
/// matches (pairwise, chain by chain, jumps not followed) and count the rules left with nothing.
/// The textbook exact method without the flow analysis, and the usual first implementation.
pub(crate) fn naive_dead_rules(ruleset: &Ruleset) -> usize {
    let universe = Universe::of(ruleset);
    let mut naive_dead = 0;
    for chain in ruleset.table(TableName::Filter).map(|table| table.chains.as_slice()).unwrap_or_default() {
        let path = if chain.name == ChainName::Builtin(BuiltinChain::Output) { Path::Output } else { Path::Input };
        let sets: Vec<_> = chain.rules.iter().map(|rule| rule_matches(&universe, rule, path)).collect();
        for (index, set) in sets.iter().enumerate() {
            let mut rest = set.possible.clone();
            for earlier in &sets[..index] {
                rest = rest.minus(&earlier.definite);
            }
            naive_dead += usize::from(rest.is_empty());
        }
    }
    naive_dead
}
