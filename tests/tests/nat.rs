//! NAT and per-interface services of a design, in the real kernel: three namespaces (an outside
//! client, the router that loads the design, an inside host), real TCP listeners and connections
//! (`socat`), documentation addresses only. The same checks run with the `rules.v4` / `rules.v6`
//! exports and with the nft export, and the engine's simulator must agree with the kernel on
//! every connection's first packet.
//!
//! ```text
//! client  wan0 203.0.113.2  2001:db8:1::2 ── eth0 203.0.113.1  2001:db8:1::1  ROUTER
//! inside  lan0 198.51.100.10 2001:db8:2::10 ── eth1 198.51.100.1 2001:db8:2::1
//! ```

use std::net::IpAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_e2e::fixtures::{router_design, CLIENT, INSIDE, ROUTER_IN, ROUTER_OUT};
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::design::Design;
use portcullis_engine::export::{nft, save};
use portcullis_engine::model::Family;
use portcullis_engine::simulate::{simulate, Packet, Verdict};

/// The three namespaces, wired and addressed; deleted on drop (after the listeners).
struct Topology {
    listeners: Vec<Child>,
    client: Netns,
    router: Netns,
    inside: Netns,
}

fn link(a: &Netns, a_name: &str, b: &Netns, b_name: &str) -> Result<(), String> {
    a.exec("ip", &["link", "add", a_name, "type", "veth", "peer", "name", b_name, "netns", b.name()])?;
    a.exec("ip", &["link", "set", a_name, "up"])?;
    b.exec("ip", &["link", "set", b_name, "up"]).map(drop)
}

fn address(netns: &Netns, device: &str, v4: &str, v6: &str) -> Result<(), String> {
    netns.exec("ip", &["addr", "add", &format!("{v4}/24"), "dev", device])?;
    netns.exec("ip", &["-6", "addr", "add", &format!("{v6}/64"), "dev", device, "nodad"]).map(drop)
}

impl Topology {
    fn new() -> Result<Self, String> {
        let (client, router, inside) = (Netns::create("natc")?, Netns::create("natr")?, Netns::create("nath")?);
        for netns in [&client, &router, &inside] {
            netns.sysctl(&["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.default.router_solicitations=0"])?;
        }
        link(&router, "eth0", &client, "wan0")?;
        link(&router, "eth1", &inside, "lan0")?;
        address(&router, "eth0", ROUTER_OUT[0], ROUTER_OUT[1])?;
        address(&router, "eth1", ROUTER_IN[0], ROUTER_IN[1])?;
        address(&client, "wan0", CLIENT[0], CLIENT[1])?;
        address(&inside, "lan0", INSIDE[0], INSIDE[1])?;
        // Both ends route through the router, so without masquerading the outside would see the
        // inside host's own address, and the client could try the inside host directly.
        for (netns, gateway) in [(&client, ROUTER_OUT), (&inside, ROUTER_IN)] {
            netns.exec("ip", &["route", "add", "default", "via", gateway[0]])?;
            netns.exec("ip", &["-6", "route", "add", "default", "via", gateway[1]])?;
        }
        // The design's exports never set these; a router needs them (docs/design-file.md, NAT).
        router.sysctl(&["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"])?;
        let mut topology = Self { listeners: Vec::new(), client, router, inside };
        for (which, port, tag) in [(1, 8080, "router-8080"), (1, 5432, "router-5432"), (2, 443, "inside-443"), (2, 22, "inside-22"), (0, 9000, "outside-9000")]
        {
            topology.listen(which, port, tag)?;
        }
        Ok(topology)
    }

    fn netns(&self, which: usize) -> &Netns {
        [&self.client, &self.router, &self.inside][which]
    }

    /// A listener on `port` (IPv4 and IPv6) that answers each connection with `tag` and the
    /// address it sees the connection come from. Bounded by `timeout`; stopped on drop.
    fn listen(&mut self, which: usize, port: u16, tag: &str) -> Result<(), String> {
        let name = self.netns(which).name().to_owned();
        for listen in [format!("TCP4-LISTEN:{port},fork,reuseaddr"), format!("TCP6-LISTEN:{port},fork,reuseaddr,ipv6only=1")] {
            let reply = format!("SYSTEM:echo {tag} $SOCAT_PEERADDR");
            let child = Command::new("ip")
                .args(["netns", "exec", &name, "timeout", "120", "socat", "-T", "5", &listen, &reply])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|error| format!("cannot start socat: {error}"))?;
            self.listeners.push(child);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.netns(which).exec("ss", &["-Hltn", &format!("sport = :{port}")]).is_ok_and(|out| out.lines().count() >= 2) {
            if Instant::now() > deadline {
                return Err(format!("the listener on port {port} never came up"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// Connects from namespace `which` to `to`:`port`; the listener's answer, or `None` when no
    /// connection was made within 2 seconds.
    fn connect(&self, which: usize, to: &str, port: u16) -> Option<String> {
        let target = if to.contains(':') { format!("TCP6:[{to}]:{port},connect-timeout=2") } else { format!("TCP4:{to}:{port},connect-timeout=2") };
        let answer = self.netns(which).exec("timeout", &["6", "socat", "-T", "3", "-", &target]).ok()?;
        // socat writes an IPv6 peer in full and bracketed: print it canonically.
        let (tag, peer) = answer.trim().split_once(' ')?;
        let peer: IpAddr = peer.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
        Some(format!("{tag} {peer}"))
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        for child in &mut self.listeners {
            // TERM reaches `timeout` (this child, by its id), which passes it on to socat.
            let _ = Command::new("kill").args(["-s", "TERM", &child.id().to_string()]).status();
            let _ = child.wait();
        }
    }
}

/// One connection: from which namespace, to where, which listener must answer (or `None`: no
/// connection), and the first packet as the router's simulator sees it.
struct Case {
    from: usize,
    to: String,
    port: u16,
    answer: Option<String>,
    packet: String,
}

fn cases(family: Family) -> Vec<Case> {
    let i = usize::from(family == Family::V6);
    let (client, out, inside, inner) = (CLIENT[i], ROUTER_OUT[i], INSIDE[i], ROUTER_IN[i]);
    let endpoint = |address: &str, port: u16| if i == 1 { format!("[{address}]:{port}") } else { format!("{address}:{port}") };
    let case = |from, to: &str, port, answer: Option<String>, packet: String| Case { from, to: to.to_owned(), port, answer, packet };
    let from_client = |to: &str, port, rest: &str| format!("tcp {} -> {} {rest} syn new", endpoint(client, 40000), endpoint(to, port));
    let mut list = vec![
        // The redirect reaches 8080; 8080 itself stays closed.
        case(0, out, 80, Some(format!("router-8080 {client}")), from_client(out, 80, "in eth0")),
        case(0, out, 8080, None, from_client(out, 8080, "in eth0")),
        // The forward reaches the inside host (which sees the client itself); the host's port
        // is not open to direct traffic.
        case(0, out, 8443, Some(format!("inside-443 {client}")), from_client(out, 8443, "in eth0 out eth1")),
        case(0, inside, 443, None, from_client(inside, 443, "in eth0 out eth1")),
        // The masqueraded inside host reaches the outside, which sees the router's address.
        case(
            2,
            client,
            9000,
            Some(format!("outside-9000 {out}")),
            format!("tcp {} -> {} in eth1 out eth0 syn new", endpoint(inside, 40000), endpoint(client, 9000)),
        ),
        // The database only on the inside interface.
        case(2, inner, 5432, Some(format!("router-5432 {inside}")), format!("tcp {} -> {} in eth1 syn new", endpoint(inside, 40000), endpoint(inner, 5432))),
        case(0, out, 5432, None, from_client(out, 5432, "in eth0")),
    ];
    if family == Family::V4 {
        // 2222 is forwarded only for 192.0.2.99: the client reaches nothing.
        list.push(case(0, out, 2222, None, from_client(out, 2222, "in eth0")));
    }
    list
}

fn check(topology: &Topology, design: &Design, label: &str) {
    for family in Family::ALL {
        let ruleset = design.compile(family);
        for case in cases(family) {
            let answer = topology.connect(case.from, &case.to, case.port);
            assert_eq!(answer, case.answer, "{label}: {family} connection to {}:{} ({})", case.to, case.port, case.packet);
            let packet = Packet::parse(&case.packet).unwrap_or_else(|error| panic!("{}: {error}", case.packet));
            let simulated = simulate(&ruleset, &packet);
            let expected = if case.answer.is_some() { Verdict::Accept } else { Verdict::Drop };
            assert_eq!(simulated.verdict(), Some(expected), "{label}: the simulator disagrees with the kernel on `{}`", case.packet);
        }
    }
}

fn ready() -> bool {
    can_run(
        "kernel NAT",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("nft"), Need::Program("socat"), Need::Program("ss")],
    )
}

#[test]
fn redirects_port_forwards_masquerading_and_interfaces_work_in_the_kernel() {
    if !ready() {
        return;
    }
    let design = router_design();
    let topology = Topology::new().unwrap_or_else(|error| panic!("topology: {error}"));
    // Without any rule every connection is made: the checks below are the rules' doing.
    assert_eq!(topology.connect(0, ROUTER_OUT[0], 8080), Some(format!("router-8080 {}", CLIENT[0])));
    assert_eq!(topology.connect(2, CLIENT[0], 9000), Some(format!("outside-9000 {}", INSIDE[0])));

    topology.router.exec_with_input("iptables-restore", &[], Some(&save::render(&design.compile(Family::V4)))).expect("load v4");
    topology.router.exec_with_input("ip6tables-restore", &[], Some(&save::render(&design.compile(Family::V6)))).expect("load v6");
    check(&topology, &design, "iptables");

    // The nft export alone must behave the same.
    topology.router.exec("nft", &["flush", "ruleset"]).expect("flush");
    topology.router.exec("conntrack", &["-F"]).ok();
    let export = nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).expect("translatable");
    topology.router.exec_with_input("nft", &["-f", "-"], Some(&export.text)).expect("load nft");
    check(&topology, &design, "nft");
}

#[test]
fn addresses_are_documentation_ones() {
    for address in CLIENT.iter().chain(&ROUTER_OUT).chain(&ROUTER_IN).chain(&INSIDE) {
        let ip: IpAddr = address.parse().expect("address");
        let documentation = match ip {
            IpAddr::V4(v4) => matches!(v4.octets(), [192, 0, 2, _] | [198, 51, 100, _] | [203, 0, 113, _]),
            IpAddr::V6(v6) => v6.segments()[..2] == [0x2001, 0x0db8],
        };
        assert!(documentation, "{address}");
    }
}
