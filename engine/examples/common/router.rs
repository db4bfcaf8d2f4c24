//! A generated `iptables-save` dump in the shape of a real university router, for the benchmarks
//! (a module of the examples, not an example itself: it has no `main`).
//!
//! The router forwards between an uplink (`eth0`), a management port (`eth2`) and VLAN
//! sub-interfaces of a trunk (`eth1.1010`, `eth1.1020`…). Its filter table is FORWARD-heavy:
//!
//! - FORWARD accepts `RELATED,ESTABLISHED`, drops `INVALID` and a blocklist ipset, sends ICMP to a
//!   rate-limited chain, then dispatches by `-i` to each VLAN's egress chain (`vNNNN-out`) and by
//!   `-o` to its ingress chain (`vNNNN-in`), which hands its servers' traffic to a service chain
//!   (`vNNNN-svc`) and its per-subnet ACLs to another (`vNNNN-acl`). Most of these chains end in
//!   (and are full of) `RETURN`, so a packet comes back to FORWARD and meets the next dispatch.
//! - Addresses overlap and nest: each VLAN has a campus network `10.N.0.0/16`, subnets (/24, /25,
//!   /26) and hosts inside it, and a public slice (a /27 of `192.0.2.0/24`, `198.51.100.0/24` or
//!   `203.0.113.0/24`, slices shared by VLANs beyond 24); ACLs name other VLANs' networks, ranges
//!   (`-m iprange`) and the whole `10.0.0.0/8`.
//! - LOG chains rate-limited by `-m limit`, SSH brute-force guards by `-m recent`, ipset matches,
//!   conntrack states, multiport, a long tail of service ports, and DNAT / SNAT in the nat table.
//!
//! Deterministic (a seeded xorshift generator): the same text for the same size. The size is a
//! target rule count over every table; the dump has that many rules exactly. The number of VLANs
//! grows with the square root of the size (20 at the default 5,600 rules), so a bigger router has
//! both more interfaces and more rules per interface. Text for a benchmark, never loaded into a
//! kernel: it uses documentation and private address blocks only.
// Each benchmark uses a part of it.
#![allow(dead_code)]

use std::fmt::Write as _;

/// The default size: the real dump issue 20 measured.
pub(crate) const DEFAULT_RULES: usize = 5_600;

/// A seeded xorshift generator.
struct Rng(u64);

impl Rng {
    fn below(&mut self, bound: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        // The remainder is below `bound`, which is a usize.
        usize::try_from(self.0 % bound as u64).unwrap_or(0)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Ports servers offer: a common head and, drawn elsewhere, a long tail of high ports.
const COMMON_TCP: [u16; 32] = [
    20, 21, 22, 25, 80, 110, 143, 389, 443, 445, 465, 587, 636, 993, 995, 1433, 1521, 2049, 3306, 3389, 5432, 5900, 6443, 8000, 8080,
    8443, 8888, 9000, 9090, 9200, 27017, 5666,
];
const COMMON_UDP: [u16; 10] = [53, 67, 69, 123, 161, 162, 500, 514, 1194, 4500];

/// How many VLANs a router of `rules` rules has: 20 × sqrt(rules / 5,600), rounded; at least 4.
pub(crate) fn vlans_for(rules: usize) -> usize {
    // The nearest n to sqrt(rules × 400 / 5,600): the largest with (n - 1/2)² <= rules / 14.
    let target = rules * 4 / 14;
    (1..=rules).take_while(|n| (2 * n - 1) * (2 * n - 1) <= target).last().unwrap_or(0).max(4)
}

/// One VLAN's addresses.
struct Vlan {
    /// The 802.1Q id (`eth1.ID`).
    id: usize,
    /// The second octet of its campus network `10.N.0.0/16`.
    net: usize,
    /// Its public /27: the network's first three octets and the slice's first host.
    public: (&'static str, usize),
}

impl Vlan {
    fn new(index: usize) -> Self {
        const PUBLIC: [&str; 3] = ["192.0.2", "198.51.100", "203.0.113"];
        let slice = index % 24;
        Self { id: 1010 + 10 * index, net: index + 1, public: (PUBLIC[slice / 8], slice % 8 * 32) }
    }

    fn interface(&self) -> String {
        format!("eth1.{}", self.id)
    }

    fn campus(&self) -> String {
        format!("10.{}.0.0/16", self.net)
    }

    fn public_net(&self) -> String {
        format!("{}.{}/27", self.public.0, self.public.1)
    }

    /// A public server address (host `n` of the slice, 1..=30).
    fn server(&self, n: usize) -> String {
        format!("{}.{}", self.public.0, self.public.1 + 1 + n % 30)
    }

    /// A campus subnet, nested: a /24, a /25 or a /26 inside `10.N.0.0/16`.
    fn subnet(&self, rng: &mut Rng) -> String {
        let third = rng.below(64);
        match rng.below(4) {
            0 | 1 => format!("10.{}.{third}.0/24", self.net),
            2 => format!("10.{}.{third}.{}/25", self.net, rng.below(2) * 128),
            _ => format!("10.{}.{third}.{}/26", self.net, rng.below(4) * 64),
        }
    }
}

/// A dump of exactly `rules` rules (at least a few hundred; fewer are rounded up).
pub(crate) fn generate(rules: usize) -> String {
    let count = vlans_for(rules);
    let vlans: Vec<Vlan> = (0..count).map(Vlan::new).collect();
    let mut rng = Rng(0x0005_eed0_fa11_2024 ^ rules as u64);
    let mut filter = Chains::default();
    let mut nat = Chains::default();

    // Shared chains: logging (rate-limited), SSH guard (recent), ICMP, blocklists (ipset).
    for (chain, prefix, verdict) in [("log-drop", "FW-DROP", "DROP"), ("log-reject", "FW-REJECT", "REJECT --reject-with icmp-port-unreachable"), ("log-spoof", "FW-SPOOF", "DROP"), ("log-invalid", "FW-INVALID", "DROP")] {
        filter.add(chain, &format!("-m limit --limit 5/min --limit-burst 10 -j LOG --log-prefix \"{prefix}: \" --log-level 4"));
        filter.add(chain, &format!("-j {verdict}"));
    }
    filter.add("log-brute", "-m limit --limit 2/min -j LOG --log-prefix \"FW-BRUTE: \"");
    filter.add("log-brute", "-j DROP");
    filter.add("ssh-guard", "-m recent --set --name ssh --mask 255.255.255.255 --rsource");
    filter.add("ssh-guard", "-m recent --update --seconds 60 --hitcount 6 --name ssh --mask 255.255.255.255 --rsource -j log-brute");
    filter.add("ssh-guard", "-s 10.0.0.0/8 -j ACCEPT");
    filter.add("ssh-guard", "-m recent --update --seconds 600 --hitcount 3 --name ssh --mask 255.255.255.255 --rsource -j log-brute");
    filter.add("ssh-guard", "-j ACCEPT");
    filter.add("icmp-in", "-p icmp -m icmp --icmp-type 8 -m limit --limit 20/sec --limit-burst 50 -j ACCEPT");
    filter.add("icmp-in", "-p icmp -m icmp --icmp-type 8 -j log-drop");
    filter.add("icmp-in", "-p icmp -m icmp --icmp-type 3 -j ACCEPT");
    filter.add("icmp-in", "-p icmp -m icmp --icmp-type 11 -j ACCEPT");
    filter.add("icmp-in", "-p icmp -j log-drop");
    filter.add("blocklist", "-m set --match-set bl-drop src -j log-drop");
    filter.add("blocklist", "-m set --match-set bl-scanners src -m recent --rcheck --seconds 3600 --name scan -j log-drop");
    filter.add("blocklist", "-s 192.0.2.240/28 -i eth0 -j log-spoof");
    filter.add("blocklist", "-s 10.0.0.0/8 -i eth0 -j log-spoof");
    filter.add("blocklist", "-j RETURN");

    // The router itself.
    for line in [
        "-i lo -j ACCEPT",
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-m conntrack --ctstate INVALID -j log-invalid",
        "-j blocklist",
        "-p icmp -j icmp-in",
        "-i eth2 -s 10.250.0.0/24 -p tcp -m tcp --dport 22 -j ACCEPT",
        "-s 10.250.0.0/24 -p udp -m udp --dport 161 -j ACCEPT",
        "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ssh-guard",
        "-i eth1.+ -p udp -m multiport --dports 67,68 -j ACCEPT",
        "-i eth1.+ -p udp -m udp --dport 53 -j ACCEPT",
        "-i eth1.+ -p tcp -m tcp --dport 53 -j ACCEPT",
        "-p ospf -j ACCEPT",
        "-j log-drop",
    ] {
        filter.add("INPUT", line);
    }

    // FORWARD: state, blocklists, ICMP, then dispatch by interface.
    for line in [
        "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
        "-m conntrack --ctstate INVALID -j log-invalid",
        "-j blocklist",
        "-p icmp -j icmp-in",
        "-i eth1.+ -o eth0 -p tcp -m multiport --dports 135,137,138,139,445 -j log-reject",
        "-i eth1.+ -o eth0 -p udp -m multiport --dports 135,137,138,139 -j log-reject",
        "-i eth2 -s 10.250.0.0/24 -j ACCEPT",
    ] {
        filter.add("FORWARD", line);
    }
    for vlan in &vlans {
        let (id, interface) = (vlan.id, vlan.interface());
        filter.add("FORWARD", &format!("-i {interface} -j v{id}-out"));
    }
    for vlan in &vlans {
        let (id, interface) = (vlan.id, vlan.interface());
        filter.add("FORWARD", &format!("-o {interface} -j v{id}-in"));
    }
    filter.add("FORWARD", "-i eth0 -o eth1.+ -p tcp -m tcp --dport 25 -j log-reject");
    filter.add("FORWARD", "-i eth1.+ -o eth0 -j ACCEPT");
    filter.add("FORWARD", "-j log-drop");

    // Per VLAN: a fixed skeleton, then the rest of the budget spread over its chains.
    let mut tail_ports: Vec<u16> = Vec::new();
    for (index, vlan) in vlans.iter().enumerate() {
        skeleton(&mut filter, &mut nat, vlan, &vlans, index);
    }
    let fixed = filter.rules + nat.rules;
    let rest = rules.saturating_sub(fixed);
    for (index, vlan) in vlans.iter().enumerate() {
        let share = rest / vlans.len() + usize::from(index < rest % vlans.len());
        for n in 0..share {
            body(&mut filter, &mut nat, vlan, &vlans, n, &mut rng, &mut tail_ports);
        }
    }
    // Every user chain's declaration, then the rules.
    let mut text = String::from("# Generated by portcullis bench: a university router (documentation and private addresses only)\n");
    text.push_str("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
    nat.print(&mut text);
    text.push_str("COMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    filter.print(&mut text);
    text.push_str("COMMIT\n");
    text
}

/// Each VLAN's fixed rules: anti-spoofing, dispatch to its service and ACL chains, NAT.
fn skeleton(filter: &mut Chains, nat: &mut Chains, vlan: &Vlan, vlans: &[Vlan], index: usize) {
    let (id, campus, public) = (vlan.id, vlan.campus(), vlan.public_net());
    let out = format!("v{id}-out");
    // Leaving the VLAN: its servers' traffic is FORWARD's business, anything else must be from its network.
    filter.add(&out, &format!("-s {public} -j RETURN"));
    filter.add(&out, &format!("! -s {campus} -j log-spoof"));
    filter.add(&out, &format!("-s {campus} -m set --match-set quarantine src -j log-reject"));
    let into = format!("v{id}-in");
    filter.add(&into, &format!("-d {public} -j v{id}-svc"));
    filter.add(&into, &format!("-d {campus} -j v{id}-acl"));
    filter.add(&into, "-j RETURN");
    let acl = format!("v{id}-acl");
    filter.add(&acl, "-s 10.250.0.0/24 -p tcp -m multiport --dports 22,3389,5900 -j ACCEPT");
    // Every VLAN trusts its neighbour a little (overlapping ACLs).
    let neighbour = &vlans[(index + 1) % vlans.len()];
    filter.add(&acl, &format!("-s {} -p tcp -m tcp --dport 445 -j ACCEPT", neighbour.campus()));
    let svc = format!("v{id}-svc");
    filter.add(&svc, &format!("-d {} -p tcp -m multiport --dports 80,443 -j ACCEPT", vlan.server(0)));
    filter.add(&svc, &format!("-d {} -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ssh-guard", vlan.server(1)));
    nat.add("POSTROUTING", &format!("-s {campus} -o eth0 -j SNAT --to-source 198.51.100.{}", 200 + index % 50));
}

/// The `n`th extra rule of a VLAN: a service, an ACL entry, an egress restriction, a DNAT.
fn body(filter: &mut Chains, nat: &mut Chains, vlan: &Vlan, vlans: &[Vlan], n: usize, rng: &mut Rng, tail_ports: &mut Vec<u16>) {
    let id = vlan.id;
    let svc = format!("v{id}-svc");
    let acl = format!("v{id}-acl");
    let out = format!("v{id}-out");
    let other = &vlans[rng.below(vlans.len())];
    let port = |rng: &mut Rng, tail: &mut Vec<u16>| -> u16 {
        match rng.below(10) {
            0..=5 => *rng.pick(&COMMON_TCP),
            // A tail of ports, partly shared between VLANs (a vendor's agent port on many hosts).
            6 | 7 if !tail.is_empty() => *rng.pick(tail),
            _ => {
                let fresh = u16::try_from(1024 + rng.below(60_000)).unwrap_or(8080);
                tail.push(fresh);
                fresh
            }
        }
    };
    match n % 20 {
        // Services on public servers (most of a router's rules).
        0..=6 => {
            let server = vlan.server(rng.below(30));
            let line = match rng.below(6) {
                0 => format!("-d {server} -p tcp -m multiport --dports {},{},{} -j ACCEPT", port(rng, tail_ports), port(rng, tail_ports), port(rng, tail_ports)),
                1 => format!("-d {server} -p udp -m udp --dport {} -j ACCEPT", rng.pick(&COMMON_UDP)),
                2 => format!("-s 10.0.0.0/8 -d {server} -p tcp -m tcp --dport {} -j ACCEPT", port(rng, tail_ports)),
                3 => format!("-s {} -d {server} -p tcp -m tcp --dport {} -m conntrack --ctstate NEW -j ACCEPT", other.campus(), port(rng, tail_ports)),
                4 => format!("-d {server} -p tcp -m tcp --dport {} -j log-reject", port(rng, tail_ports)),
                _ => format!("-d {server} -p tcp -m tcp --dport {} -j ACCEPT", port(rng, tail_ports)),
            };
            filter.add(&svc, &line);
        }
        // A server taken out of service: RETURN first (the caller decides), then its rules are dead.
        7 => filter.add(&svc, &format!("-d {}/31 -j RETURN", vlan.server(2 * rng.below(15)))),
        // Per-subnet ACLs inside the campus network, nested and overlapping.
        8..=11 => {
            let subnet = vlan.subnet(rng);
            let line = match rng.below(5) {
                0 => format!("-s {} -d {subnet} -p tcp -m tcp --dport {} -j ACCEPT", other.campus(), port(rng, tail_ports)),
                1 => format!("-d {subnet} -s {} -j RETURN", other.subnet(rng)),
                2 => format!("-m iprange --src-range 10.{}.{}.10-10.{}.{}.99 -d {subnet} -p tcp -m multiport --dports 22,80,443 -j ACCEPT", other.net, rng.below(64), other.net, rng.below(64)),
                3 => format!("-d {subnet} -p udp -m udp --dport {} -j ACCEPT", rng.pick(&COMMON_UDP)),
                _ => format!("-d {subnet} -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ssh-guard"),
            };
            filter.add(&acl, &line);
        }
        12 => filter.add(&acl, &format!("-s {} -j RETURN", other.campus())),
        // Egress restrictions of subnets.
        13..=15 => {
            let subnet = vlan.subnet(rng);
            let line = match rng.below(4) {
                0 => format!("-s {subnet} -o eth0 -p tcp -m multiport --dports 25,465,587 -j log-reject"),
                1 => format!("-s {subnet} -o eth0 -p tcp -m tcp --dport {} -j log-drop", port(rng, tail_ports)),
                2 => format!("-s {subnet} -o {} -j ACCEPT", other.interface()),
                _ => format!("-s {subnet} -m set --match-set labs-{} dst -j ACCEPT", vlan.id),
            };
            filter.add(&out, &line);
        }
        16 => filter.add(&out, &format!("-s {} -j RETURN", vlan.subnet(rng))),
        // Port forwards from the uplink to campus hosts.
        17 => {
            let public = vlan.server(rng.below(30));
            let (high, low) = (port(rng, tail_ports), *rng.pick(&COMMON_TCP));
            let inside = format!("10.{}.{}.{}", vlan.net, rng.below(64), 1 + rng.below(250));
            nat.add("PREROUTING", &format!("-d {public} -i eth0 -p tcp -m tcp --dport {high} -j DNAT --to-destination {inside}:{low}"));
        }
        // Logged, limited drops of noisy traffic to the VLAN.
        18 => filter.add(&acl, &format!("-d {} -p udp -m multiport --dports 137,138,1900,5353 -m limit --limit 1/min -j LOG --log-prefix \"FW-NOISE: \"", vlan.subnet(rng))),
        _ => filter.add(&svc, &format!("-d {} -m recent --name probe{id} --rcheck --seconds 300 -j log-drop", vlan.server(rng.below(30)))),
    }
}

/// The chains of one table, in the order they were first named, with their rules.
#[derive(Default)]
struct Chains {
    order: Vec<String>,
    lines: Vec<(usize, String)>,
    rules: usize,
}

impl Chains {
    fn add(&mut self, chain: &str, rule: &str) {
        let at = match self.order.iter().position(|known| known == chain) {
            Some(at) => at,
            None => {
                self.order.push(chain.to_owned());
                self.order.len() - 1
            }
        };
        self.lines.push((at, format!("-A {chain} {rule}")));
        self.rules += 1;
    }

    fn print(&self, text: &mut String) {
        const BUILTIN: [&str; 5] = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];
        for chain in self.order.iter().filter(|chain| !BUILTIN.contains(&chain.as_str())) {
            let _ = writeln!(text, ":{chain} - [0:0]");
        }
        // iptables-save prints chain by chain.
        for at in 0..self.order.len() {
            for (_, line) in self.lines.iter().filter(|(owner, _)| *owner == at) {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
}
