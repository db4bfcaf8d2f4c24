//! The kernel oracle: which rules does the real Linux kernel apply to a packet?
//!
//! A [`Lab`] is a server namespace and a client namespace joined by one veth pair per server link
//! (`eth0`, `eth1`…). Documentation addresses only:
//!
//! | link | server IPv4 | server IPv6 |
//! |------|-------------|-------------|
//! | `eth0` | 192.0.2.1/24 | `2001:db8::1/64` |
//! | `eth1` | 198.51.100.1/24 | `2001:db8:1::1/64` |
//! | `eth2` | 203.0.113.1/24 | `2001:db8:2::1/64` |
//!
//! The client has no IP stack at all (IPv6 disabled, no addresses): probes leave it through a
//! packet socket, so it adds no noise. The server has no link-local address, no duplicate address
//! detection, an unreachable default route, and a native nftables chain that drops whatever the
//! server itself sends before any iptables hook sees it: nothing but the probe moves a counter.
//! Each probe starts from an empty conntrack table; the verdict is read from the difference of
//! `iptables-save -c` counters before and after the probe, never from timing.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use portcullis_engine::model::Family;

use crate::packet::{frame, Probe};
use crate::Netns;

/// Server addresses per link, IPv4 then IPv6.
const LINK_ADDRESSES: [(&str, &str); 3] = [("192.0.2.1/24", "2001:db8::1/64"), ("198.51.100.1/24", "2001:db8:1::1/64"), ("203.0.113.1/24", "2001:db8:2::1/64")];

/// A native nftables table, invisible to `iptables-save`, that drops everything the server itself
/// sends before any iptables hook sees it (raw is at priority -300): the host's own replies (TCP
/// RST, ICMP errors, echo replies) would otherwise move OUTPUT counters.
const SILENCE_SERVER: &str = "table inet portcullis_lab {
    chain silence_host_output { type filter hook output priority -400; policy drop; }
}
";

/// Counts every incoming packet before and after the chains at priority `filter` (0), so an nft
/// export's verdict shows without touching its rules.
const NFT_WITNESS: &str = "table inet portcullis_witness {
    chain before { type filter hook input priority -10; policy accept; counter; }
    chain after { type filter hook input priority 10; policy accept; counter; }
}
";

/// How long a probe may take to show up in the counters before the oracle gives up.
const PROBE_DEADLINE: Duration = Duration::from_secs(5);

fn server_mac(link: usize) -> [u8; 6] {
    [0x02, 0x50, 0x43, 0x00, 0x00, u8::try_from(link).unwrap_or(0)]
}

fn client_mac(link: usize) -> [u8; 6] {
    [0x02, 0x50, 0x43, 0x00, 0x01, u8::try_from(link).unwrap_or(0)]
}

fn mac_text(mac: [u8; 6]) -> String {
    mac.iter().map(|byte| format!("{byte:02x}")).collect::<Vec<_>>().join(":")
}

/// A server and a client namespace, joined by veth pairs; deleted on drop.
#[derive(Debug)]
pub struct Lab {
    server: Netns,
    client: Netns,
    links: usize,
}

impl Lab {
    /// Builds a lab whose server has `links` interfaces (1 to 3).
    ///
    /// # Errors
    /// When a namespace, link, address or sysctl cannot be set up (usually: not root).
    pub fn new(links: usize) -> Result<Self, String> {
        if !(1..=LINK_ADDRESSES.len()).contains(&links) {
            return Err(format!("a lab has 1 to {} links, not {links}", LINK_ADDRESSES.len()));
        }
        let server = Netns::create("srv")?;
        let client = Netns::create("cli")?;
        client.sysctl(&["net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"])?;
        server.sysctl(&[
            "net.ipv4.conf.all.rp_filter=0",
            "net.ipv4.conf.default.rp_filter=0",
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
            "net.ipv6.conf.default.addr_gen_mode=1",
            "net.ipv6.conf.default.router_solicitations=0",
        ])?;
        for (link, (v4, v6)) in LINK_ADDRESSES.iter().enumerate().take(links) {
            let name = format!("eth{link}");
            let peer = format!("peer{link}");
            let (server_address, client_address) = (mac_text(server_mac(link)), mac_text(client_mac(link)));
            server.exec(
                "ip",
                &["link", "add", &name, "address", &server_address, "type", "veth", "peer", "name", &peer, "address", &client_address, "netns", client.name()],
            )?;
            server.exec("ip", &["addr", "add", v4, "dev", &name])?;
            server.exec("ip", &["-6", "addr", "add", v6, "dev", &name, "nodad"])?;
            server.sysctl(&[&format!("net.ipv4.conf.{name}.rp_filter=0")])?;
            server.exec("ip", &["link", "set", &name, "up"])?;
            client.exec("ip", &["link", "set", &peer, "up"])?;
        }
        server.exec("ip", &["route", "add", "unreachable", "default"])?;
        server.exec("ip", &["-6", "route", "add", "unreachable", "default"])?;
        server.exec_with_input("nft", &["-f", "-"], Some(SILENCE_SERVER))?;
        let lab = Self { server, client, links };
        lab.wait_for_carrier()?;
        Ok(lab)
    }

    fn wait_for_carrier(&self) -> Result<(), String> {
        let deadline = Instant::now() + PROBE_DEADLINE;
        for link in 0..self.links {
            let path = format!("/sys/class/net/peer{link}/carrier");
            while !self.client.exec("cat", &[&path]).is_ok_and(|text| text.trim() == "1") {
                if Instant::now() > deadline {
                    return Err(format!("link peer{link} never came up"));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    /// The server's address on `link` in `family`.
    pub fn server_address(&self, link: usize, family: Family) -> Option<IpAddr> {
        let (v4, v6) = LINK_ADDRESSES.get(link)?;
        let with_prefix = if family == Family::V4 { v4 } else { v6 };
        with_prefix.split('/').next()?.parse().ok()
    }

    /// Makes the server a router: packets to another link's network cross FORWARD (and leave
    /// through that link) instead of being dropped by routing. Off by default, so probes of the
    /// other tests never reach FORWARD.
    ///
    /// # Errors
    /// When the sysctls cannot be set.
    pub fn enable_forwarding(&self) -> Result<(), String> {
        self.server.sysctl(&["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"])
    }

    /// The server namespace, to inspect or run tools in.
    pub fn server(&self) -> &Netns {
        &self.server
    }

    /// Replaces the server's ruleset of `family` with `rules` (`iptables-save` format).
    ///
    /// # Errors
    /// When `iptables-restore` refuses the rules; the error holds its message.
    pub fn load(&self, family: Family, rules: &str) -> Result<(), String> {
        self.server.exec_with_input(restore_program(family), &[], Some(rules)).map(drop)
    }

    /// Sends `probe` to the server and reports which rules the kernel applied to it.
    ///
    /// # Errors
    /// When the probe cannot be built or sent, or never reaches any counted rule or policy.
    pub fn probe(&self, probe: &Probe) -> Result<Observation, String> {
        self.probe_after(probe, &[])
    }

    /// Like [`Lab::probe`], with conntrack entries created after the flush and before the probe:
    /// each item holds the arguments of one `conntrack -I` (e.g. the server's own DNS query, so
    /// that the probe is its reply).
    ///
    /// # Errors
    /// As [`Lab::probe`], and when `conntrack -I` refuses an entry.
    pub fn probe_after(&self, probe: &Probe, entries: &[Vec<String>]) -> Result<Observation, String> {
        let family = if probe.source.is_ipv4() { Family::V4 } else { Family::V6 };
        let (link, bytes) = self.frame(probe)?;
        self.flush_conntrack();
        for entry in entries {
            let args: Vec<&str> = std::iter::once("-I").chain(entry.iter().map(String::as_str)).collect();
            self.server.exec("conntrack", &args)?;
        }
        self.observe(probe, family, || crate::wire::send_frame(self.client.name(), &format!("peer{link}"), bytes))
    }

    /// Sends `probe` as the server's own connection to itself: its source must be the loopback
    /// address of its family (127.0.0.1 or `::1`), and it goes to that same address. The frame is
    /// injected on the server's `lo` by a packet socket, so it skips the OUTPUT hook (where the
    /// lab silences the server) and arrives in INPUT on `lo` exactly as looped-back traffic does.
    ///
    /// # Errors
    /// When the source is not a loopback address, `lo` cannot be brought up, or as [`Lab::probe`].
    pub fn probe_loopback(&self, probe: &Probe) -> Result<Observation, String> {
        if !probe.source.is_loopback() {
            return Err(format!("a loopback probe comes from 127.0.0.1 or ::1, not {}", probe.source));
        }
        let family = if probe.source.is_ipv4() { Family::V4 } else { Family::V6 };
        self.server.exec("ip", &["link", "set", "lo", "up"])?;
        // Real looped-back packets carry the route OUTPUT gave them; an injected one is routed
        // afresh, and IPv4 routing calls it martian (a 127.0.0.0/8 address, a source address of
        // this host) unless `route_localnet` and `accept_local` are set on `lo`.
        self.server.sysctl(&["net.ipv4.conf.lo.route_localnet=1", "net.ipv4.conf.lo.accept_local=1"])?;
        let bytes = frame(probe, probe.source, [0; 6], [0; 6])?;
        self.flush_conntrack();
        self.observe(probe, family, || crate::wire::send_frame(self.server.name(), "lo", bytes))
    }

    /// The counters `send` moves in `family`'s ruleset.
    fn observe(&self, probe: &Probe, family: Family, send: impl FnOnce() -> Result<(), String>) -> Result<Observation, String> {
        let before = self.counters(family)?;
        send()?;
        let deadline = Instant::now() + PROBE_DEADLINE;
        loop {
            let after = self.counters(family)?;
            if after != before {
                // One more read: a packet's counters move together, so a second read that agrees
                // shows the traversal was complete.
                let settled = self.counters(family)?;
                return Ok(Observation { hits: difference(&before, &settled)? });
            }
            if Instant::now() > deadline {
                return Err(format!("the probe {probe:?} never reached a counted rule or policy"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The link and Ethernet frame of `probe`.
    fn frame(&self, probe: &Probe) -> Result<(usize, Vec<u8>), String> {
        let family = if probe.source.is_ipv4() { Family::V4 } else { Family::V6 };
        if probe.link >= self.links {
            return Err(format!("probe on link {} but the lab has {} links", probe.link, self.links));
        }
        let destination = probe.destination.or_else(|| self.server_address(probe.link, family)).ok_or("no server address for the probe")?;
        Ok((probe.link, frame(probe, destination, client_mac(probe.link), server_mac(probe.link))?))
    }

    /// A fresh conntrack table: a probe's state must not depend on the probes before it.
    fn flush_conntrack(&self) {
        for conntrack_family in ["ipv4", "ipv6"] {
            let _ = self.server.exec("conntrack", &["-F", "-f", conntrack_family]);
        }
    }

    /// Loads an `nft -f` file into the server (with `nft -f`, as a user would), next to a witness
    /// table whose two input chains count every incoming packet before (priority -10) and after
    /// (priority 10) the file's `filter`-priority chains: see [`Lab::nft_probe`].
    ///
    /// # Errors
    /// When `nft` refuses the file.
    pub fn load_nft(&self, text: &str) -> Result<(), String> {
        self.server.exec_with_input("nft", &["-f", "-"], Some(text))?;
        self.server.exec_with_input("nft", &["-f", "-"], Some(NFT_WITNESS)).map(drop)
    }

    /// Sends `probe` to a server loaded with [`Lab::load_nft`]: `Accept` when the packet got past
    /// the priority-0 chains (the witness after them counted it), `Drop` when only the witness
    /// before them did. Conntrack is flushed first; nft sets (meters) are not.
    ///
    /// # Errors
    /// When the probe cannot be sent or never reaches the first witness.
    pub fn nft_probe(&self, probe: &Probe) -> Result<Verdict, String> {
        let (link, bytes) = self.frame(probe)?;
        self.flush_conntrack();
        let before = self.witness()?;
        crate::wire::send_frame(self.client.name(), &format!("peer{link}"), bytes)?;
        let deadline = Instant::now() + PROBE_DEADLINE;
        loop {
            let after = self.witness()?;
            if after.0 > before.0 {
                let settled = self.witness()?;
                return Ok(if settled.1 > before.1 { Verdict::Accept } else { Verdict::Drop });
            }
            if Instant::now() > deadline {
                return Err(format!("the probe {probe:?} never reached the nft input hook"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The witness counters: packets seen before and after the filter chains.
    fn witness(&self) -> Result<(u64, u64), String> {
        let text = self.server.exec("nft", &["list", "table", "inet", "portcullis_witness"])?;
        let count = |chain: &str| -> Result<u64, String> {
            let body = text.split(&format!("chain {chain} {{")).nth(1).ok_or(format!("no witness chain {chain}"))?;
            let packets = body.split("counter packets ").nth(1).and_then(|rest| rest.split_whitespace().next());
            packets.and_then(|number| number.parse().ok()).ok_or(format!("no counter in witness chain {chain}: {text}"))
        };
        Ok((count("before")?, count("after")?))
    }

    fn counters(&self, family: Family) -> Result<Vec<Counter>, String> {
        let program = match family {
            Family::V4 => "iptables-save",
            Family::V6 => "ip6tables-save",
        };
        Ok(parse_counters(&self.server.exec(program, &["-c"])?))
    }
}

fn restore_program(family: Family) -> &'static str {
    match family {
        Family::V4 => "iptables-restore",
        Family::V6 => "ip6tables-restore",
    }
}

/// One counter of `iptables-save -c`: a rule (1-based position) or a chain policy.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counter {
    table: String,
    chain: String,
    position: Option<usize>,
    text: String,
    packets: u64,
}

fn parse_counters(save: &str) -> Vec<Counter> {
    let mut counters = Vec::new();
    let mut table = String::new();
    let mut positions: Vec<(String, usize)> = Vec::new();
    let packets_of = |bracket: &str| -> u64 { bracket.trim_start_matches('[').split(':').next().and_then(|packets| packets.parse().ok()).unwrap_or(0) };
    for line in save.lines() {
        if let Some(name) = line.strip_prefix('*') {
            name.clone_into(&mut table);
            positions.clear();
        } else if let Some(declaration) = line.strip_prefix(':') {
            let mut words = declaration.split_whitespace();
            let (Some(chain), Some(policy), Some(bracket)) = (words.next(), words.next(), words.next()) else {
                continue;
            };
            if policy != "-" {
                counters.push(Counter {
                    table: table.clone(),
                    chain: chain.to_owned(),
                    position: None,
                    text: format!("policy {policy}"),
                    packets: packets_of(bracket),
                });
            }
        } else if let Some((bracket, rule)) = line.split_once("] -A ") {
            let chain = rule.split_whitespace().next().unwrap_or_default().to_owned();
            let position = match positions.iter_mut().find(|(name, _)| *name == chain) {
                Some((_, count)) => {
                    *count += 1;
                    *count
                }
                None => {
                    positions.push((chain.clone(), 1));
                    1
                }
            };
            counters.push(Counter { table: table.clone(), chain, position: Some(position), text: format!("-A {rule}"), packets: packets_of(bracket) });
        }
    }
    counters
}

fn difference(before: &[Counter], after: &[Counter]) -> Result<Vec<Hit>, String> {
    if before.len() != after.len() {
        return Err("the ruleset changed while the probe was in flight".to_owned());
    }
    let mut hits = Vec::new();
    for (old, new) in before.iter().zip(after) {
        if (&old.table, &old.chain, old.position) != (&new.table, &new.chain, new.position) {
            return Err("the ruleset changed while the probe was in flight".to_owned());
        }
        if new.packets > old.packets {
            hits.push(Hit {
                table: new.table.clone(),
                chain: new.chain.clone(),
                position: new.position,
                text: new.text.clone(),
                packets: new.packets - old.packets,
            });
        }
    }
    Ok(hits)
}

/// A rule (or chain policy) whose packet counter the probe moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Table name as iptables prints it (`filter`, `nat`…).
    pub table: String,
    /// Chain name.
    pub chain: String,
    /// 1-based rule position within the chain, or `None` for the chain's policy.
    pub position: Option<usize>,
    /// The rule as `iptables-save` prints it (`-A INPUT …`), or `policy DROP`.
    pub text: String,
    /// How many packets moved the counter (1 for a single probe).
    pub packets: u64,
}

impl Hit {
    /// The action this hit stands for: the rule's `-j` target or the policy.
    pub fn action(&self) -> Option<String> {
        match self.position {
            None => self.text.strip_prefix("policy ").map(str::to_owned),
            Some(_) => {
                // The engine's splitter reads saved rules exactly as iptables-restore does.
                let words = portcullis_engine::syntax::split_words(&self.text, 0, &mut Vec::new());
                let flag = words.iter().position(|word| word.text == "-j" || word.text == "-g")?;
                words.get(flag + 1).map(|word| word.text.to_string())
            }
        }
    }
}

/// What the kernel finally did with the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Let through (a rule's `ACCEPT` or an `ACCEPT` policy).
    Accept,
    /// Discarded silently.
    Drop,
    /// Refused with an error reply.
    Reject,
}

/// Every rule and policy the kernel applied to one probe, in ruleset order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    /// The counters that moved.
    pub hits: Vec<Hit>,
}

impl Observation {
    /// The rule or policy of the `filter` table that decided: the last hit with a terminating
    /// action (for rulesets without user chains, the only one).
    pub fn filter_decision(&self) -> Option<&Hit> {
        self.hits.iter().filter(|hit| hit.table == "filter").rfind(|hit| matches!(hit.action().as_deref(), Some("ACCEPT" | "DROP" | "REJECT")))
    }

    /// The verdict of the `filter` table, if the probe reached it.
    pub fn verdict(&self) -> Option<Verdict> {
        match self.filter_decision()?.action()?.as_str() {
            "ACCEPT" => Some(Verdict::Accept),
            "DROP" => Some(Verdict::Drop),
            "REJECT" => Some(Verdict::Reject),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_per_chain_position() {
        let save = "*filter\n:INPUT DROP [3:180]\n:FORWARD DROP [0:0]\n:USER - [0:0]\n\
                    [1:60] -A INPUT -i lo -j ACCEPT\n[0:0] -A INPUT -j USER\n[2:120] -A USER -p tcp -j DROP\nCOMMIT\n";
        let counters = parse_counters(save);
        assert_eq!(counters.len(), 5);
        assert_eq!((counters[0].chain.as_str(), counters[0].position, counters[0].packets), ("INPUT", None, 3));
        assert_eq!(counters[3].position, Some(2));
        assert_eq!((counters[4].chain.as_str(), counters[4].position, counters[4].packets), ("USER", Some(1), 2));
    }

    #[test]
    fn the_decision_is_the_last_terminating_hit() {
        let hit = |position, text: &str| Hit { table: "filter".into(), chain: "INPUT".into(), position, text: text.into(), packets: 1 };
        let observation = Observation { hits: vec![hit(Some(1), "-A INPUT -m comment --comment \"a -j DROP\" -j LOG"), hit(None, "policy DROP")] };
        assert_eq!(observation.verdict(), Some(Verdict::Drop));
        let accepted = Observation { hits: vec![hit(Some(3), "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT")] };
        assert_eq!(accepted.verdict(), Some(Verdict::Accept));
        assert_eq!(Observation { hits: vec![] }.verdict(), None);
    }
}
