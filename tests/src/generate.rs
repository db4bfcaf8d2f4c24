//! Deterministic generators of iptables input for differential runs: the same seed always gives
//! the same text, so a disagreement can be replayed.

/// A small, seeded xorshift generator (no dependency, reproducible everywhere).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed` (0 is replaced, xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number below `bound` (which must be > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound.max(1)
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let index = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        &items[index]
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A port as people write it; service names only where `/etc/services` has them for the protocol.
fn port(rng: &mut Rng, tcp: bool) -> String {
    let names: &[&str] = if tcp {
        &["ssh", "http", "https", "smtp", "domain", "imaps", "22", "80", "443", "8080", "0", "65535"]
    } else {
        &["domain", "ntp", "https", "syslog", "53", "123", "51820", "0", "65535"]
    };
    (*rng.pick(names)).to_owned()
}

fn port_spec(rng: &mut Rng, tcp: bool) -> String {
    match rng.below(4) {
        0 => format!("{}:{}", rng.below(1000), 1000 + rng.below(64_000)),
        1 => format!("{}:", 1024 + rng.below(1000)),
        _ => port(rng, tcp),
    }
}

fn bang(rng: &mut Rng) -> &'static str {
    if rng.chance(20) {
        "! "
    } else {
        ""
    }
}

/// One rule's options for `-A INPUT`, drawn from what the engine types, written the many ways
/// people write them (service names, implicit modules, options in any order).
pub fn typed_rule_v4(rng: &mut Rng) -> String {
    let mut parts: Vec<String> = Vec::new();
    if rng.chance(40) {
        let network = format!("{}.{}.{}.{}/{}", rng.pick(&[192, 198, 203]), rng.below(256), rng.below(256), rng.below(256), 8 + rng.below(25));
        parts.push(format!("{}-s {network}", bang(rng)));
    }
    if rng.chance(20) {
        parts.push(format!("{}-d 192.0.2.{}", bang(rng), rng.below(256)));
    }
    if rng.chance(30) {
        parts.push(format!("{}-i {}", bang(rng), rng.pick(&["eth0", "eth1", "lo", "wg+", "veth+"])));
    }
    match rng.below(5) {
        0 | 1 => {
            parts.push("-p tcp".to_owned());
            if rng.chance(50) {
                parts.push("-m tcp".to_owned());
            }
            if rng.chance(60) {
                parts.push(format!("{}--dport {}", bang(rng), port_spec(rng, true)));
            }
            if rng.chance(30) {
                parts.push(format!("{}--sport {}", bang(rng), port_spec(rng, true)));
            }
            match rng.below(4) {
                0 => parts.push(format!("{}--syn", bang(rng))),
                1 => {
                    parts.push(format!("--tcp-flags {} {}", rng.pick(&["ALL", "SYN,ACK", "FIN,SYN,RST,ACK"]), rng.pick(&["NONE", "SYN", "ALL", "FIN,URG,PSH"])));
                }
                _ => {}
            }
        }
        2 => {
            parts.push("-p udp".to_owned());
            parts.push(format!("--dport {}", port_spec(rng, false)));
        }
        3 => {
            parts.push(format!("-p icmp --icmp-type {}", rng.pick(&["echo-request", "8", "3/4", "time-exceeded", "any", "destination-unreachable", "ping"])));
        }
        _ => {
            let tcp = rng.chance(50);
            let protocol = if tcp { "tcp" } else { "udp" };
            let (first, last) = (rng.below(1000), 1000 + rng.below(60_000));
            parts.push(format!("-p {protocol} -m multiport {}--dports {},{},{first}:{last}", bang(rng), port(rng, tcp), port(rng, tcp)));
        }
    }
    if rng.chance(40) {
        let states = ["NEW", "ESTABLISHED,RELATED", "INVALID", "NEW,ESTABLISHED", "RELATED", "UNTRACKED"];
        let module = if rng.chance(50) { "-m conntrack --ctstate" } else { "-m state --state" };
        parts.push(format!("{module} {}{}", bang(rng), rng.pick(&states)).replace("--ctstate ! ", "! --ctstate ").replace("--state ! ", "! --state "));
    }
    if rng.chance(20) {
        parts.push(format!(
            "-m limit --limit {} --limit-burst {}",
            rng.pick(&["5/min", "1/s", "60/minute", "3/hour", "10/second", "2/day"]),
            1 + rng.below(20)
        ));
    }
    if rng.chance(30) {
        parts.push(format!("-m comment --comment {}", rng.pick(&["ssh", "\"web from anywhere\"", "\"it's \\\"quoted\\\"\"", "x-y_z"])));
    }
    // Base options in any order: iptables-save prints them as -s -d -i -p whatever was written.
    let base = parts.iter().take_while(|part| !part.contains("-p ")).count();
    if base > 1 && rng.chance(50) {
        parts[..base].reverse();
    }
    let target = match rng.below(6) {
        0 => "-j DROP".to_owned(),
        1 => format!("-j REJECT --reject-with {}", rng.pick(&["icmp-port-unreachable", "icmp-host-prohibited", "icmp-admin-prohibited", "port-unreach"])),
        2 => format!("-j LOG --log-prefix \"{}\" --log-level {}", rng.pick(&["IPT: ", "drop", "x y"]), rng.pick(&["4", "debug", "info", "7"])),
        3 => "-j RETURN".to_owned(),
        _ => "-j ACCEPT".to_owned(),
    };
    parts.push(target);
    parts.join(" ")
}

mod validity;

pub use validity::{validity_case, ValidityCase};

mod simulation;

pub use simulation::{simulation_packet, simulation_ruleset};

mod design;

pub use design::design;
