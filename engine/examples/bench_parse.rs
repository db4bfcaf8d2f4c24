//! `make bench-parse`: how fast the importer reads a large `iptables-save` dump, next to the real
//! `iptables-restore --test` on the same file (run in a throwaway network namespace, as root).
//!
//! Prints the input size, the best of several runs for each, the ratio, MB/s and peak memory.
//! A benchmark, not a test: nothing here fails on a slow machine.
#![allow(clippy::print_stdout, clippy::cast_precision_loss)]

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_engine::import::import;

/// A dump of `rules` rules over 100 user chains, with many modules, like a busy real host.
fn dump(rules: usize) -> String {
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for chain in 0..100 {
        let _ = writeln!(text, ":chain-{chain:03} - [0:0]");
    }
    for chain in 0..100 {
        let _ = writeln!(text, "-A INPUT -p tcp -m tcp --dport {} -j chain-{chain:03}", 1000 + chain);
    }
    for index in 0..rules.saturating_sub(100) {
        let chain = index % 100;
        let (a, b) = (index / 256 % 256, index % 256);
        let rule = match index % 6 {
            0 => format!("-s 198.51.{a}.{b}/32 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m comment --comment \"admin host {index}\" -j ACCEPT"),
            1 => format!("-s 203.0.{a}.0/24 -p udp -m udp --sport 53 -j ACCEPT"),
            2 => format!("-p tcp -m multiport --dports 80,443,{} -m limit --limit 50/sec --limit-burst 100 -j ACCEPT", 8000 + b),
            3 => format!("-i eth{} -p icmp -m icmp --icmp-type 8 -m recent --set --name ping{b} --mask 255.255.255.255 --rsource -j ACCEPT", a % 4),
            4 => format!("-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m hashlimit --hashlimit-above 20/sec --hashlimit-burst 5 --hashlimit-mode srcip --hashlimit-name h{b} -j DROP"),
            _ => format!("-d 192.0.2.{b}/32 -j LOG --log-prefix \"drop {index} \" --log-level 6"),
        };
        let _ = writeln!(text, "-A chain-{chain:03} {rule}");
    }
    text.push_str("COMMIT\n");
    text
}

fn best_of(runs: usize, mut work: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn restore_test(text: &str, netns: &str) -> Result<(), String> {
    let mut child = Command::new("ip")
        .args(["netns", "exec", netns, "iptables-restore", "--test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| error.to_string())?;
    child.stdin.take().ok_or("no stdin")?.write_all(text.as_bytes()).map_err(|error| error.to_string())?;
    let output = child.wait_with_output().map_err(|error| error.to_string())?;
    if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) }
}

fn main() {
    let text = dump(5_000);
    let megabytes = text.len() as f64 / 1_000_000.0;
    let parsed = import(&text, None);
    let rules: usize = parsed.value.rulesets.iter().flat_map(|r| &r.tables).flat_map(|t| &t.chains).map(|c| c.rules.len()).sum();
    assert!(!parsed.has_errors(), "the generated dump must parse cleanly: {:?}", parsed.diagnostics.first());
    let ours = best_of(10, || {
        std::hint::black_box(import(std::hint::black_box(&text), None));
    });
    println!("input: {rules} rules, 100 user chains, {} bytes ({megabytes:.2} MB)", text.len());
    println!("portcullis import: {:>9.2} ms  ({:.1} MB/s)", ours.as_secs_f64() * 1000.0, megabytes / ours.as_secs_f64());
    if let Some(peak) = peak_memory_kib() {
        println!("peak memory (whole process): {:.1} MB", peak as f64 / 1024.0);
    }
    let netns = format!("pcl-bench-{}", std::process::id());
    let created = Command::new("ip").args(["netns", "add", &netns]).status().is_ok_and(|status| status.success());
    if !created {
        println!("iptables-restore --test: not measured (needs root and iproute2)");
        return;
    }
    let theirs = match restore_test(&text, &netns) {
        Ok(()) => Some(best_of(3, || {
            let _ = restore_test(&text, &netns);
        })),
        Err(error) => {
            println!("iptables-restore --test refused the dump: {error}");
            None
        }
    };
    let _ = Command::new("ip").args(["netns", "del", &netns]).status();
    if let Some(theirs) = theirs {
        println!("iptables-restore --test: {:>9.2} ms", theirs.as_secs_f64() * 1000.0);
        println!("ratio: portcullis is {:.1}x faster (target: at least 5x)", theirs.as_secs_f64() / ours.as_secs_f64());
    }
}
