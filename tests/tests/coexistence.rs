//! The apply script on a shared server, in the kernel: a host namespace holding the real shapes
//! of Docker's chains (a published port 8080 → a "container" namespace behind a `docker0`
//! bridge, a second user network), fail2ban's chains with bans, ufw's leftover chains and
//! kube-proxy's `KUBE-FIREWALL`, and a client namespace. The script refuses Kubernetes without
//! `--coexist`; with it, while our rules are live, every other tool's line is still there, in
//! order, and real TCP connections go as the design and the other tools say: the published port
//! answers, a banned address is still refused on SSH, a closed port is dropped. Without a
//! confirmation the rollback leaves the rules byte for byte as they were. IPv4 and IPv6.

use std::process::{Child, Command, Stdio};

use portcullis_e2e::apply::{confirm, normalized, saved, temp_dir, Run};
use portcullis_e2e::iptables::check_shell_script;
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design, ServiceId};
use portcullis_engine::export::script::{self, Distro, ScriptOptions};
use portcullis_engine::export::Exports;
use portcullis_engine::model::Family;

/// Docker 24 with one published port (8080 → 192.0.2.2:80) and a second user network, fail2ban
/// with one ban, ufw's chains left behind by `ufw disable`, and kube-proxy's firewall chain.
const SHARED_V4: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
:KUBE-FIREWALL - [0:0]
:f2b-sshd - [0:0]
:ufw-before-input - [0:0]
:ufw-user-input - [0:0]
-A INPUT -j KUBE-FIREWALL
-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A FORWARD -o br-1a2b3c4d5e6f -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o br-1a2b3c4d5e6f -j DOCKER
-A FORWARD -i br-1a2b3c4d5e6f ! -o br-1a2b3c4d5e6f -j ACCEPT
-A FORWARD -i br-1a2b3c4d5e6f -o br-1a2b3c4d5e6f -j ACCEPT
-A OUTPUT -j KUBE-FIREWALL
-A DOCKER -d 192.0.2.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -i br-1a2b3c4d5e6f ! -o br-1a2b3c4d5e6f -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -o br-1a2b3c4d5e6f -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
-A KUBE-FIREWALL -m comment --comment \"kubernetes firewall for dropping marked packets\" -m mark --mark 0x8000/0x8000 -j DROP
-A f2b-sshd -s 203.0.113.45/32 -j REJECT --reject-with icmp-port-unreachable
-A f2b-sshd -j RETURN
-A ufw-before-input -i lo -j ACCEPT
-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A ufw-user-input -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 192.0.2.0/25 ! -o docker0 -j MASQUERADE
-A POSTROUTING -s 192.0.2.128/25 ! -o br-1a2b3c4d5e6f -j MASQUERADE
-A POSTROUTING -s 192.0.2.2/32 -d 192.0.2.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER -i br-1a2b3c4d5e6f -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.0.2.2:80
COMMIT
";

/// The same server's IPv6 side: Docker with IPv6 (8080 → `[2001:db8:d0c::2]:80`), fail2ban's ban.
const SHARED_V6: &str = "*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-USER - [0:0]
:f2b-sshd - [0:0]
-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 2001:db8:d0c::2/128 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-USER -j RETURN
-A f2b-sshd -s 2001:db8:1::45/128 -j REJECT --reject-with icmp6-port-unreachable
-A f2b-sshd -j RETURN
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 2001:db8:d0c::/64 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination [2001:db8:d0c::2]:80
COMMIT
";

/// A listener that answers `ok` to every connection, killed on drop.
struct Listener(Child);

impl Listener {
    fn start(netns: &Netns, port: u16) -> Self {
        let child = Command::new("ip")
            .args(["netns", "exec", netns.name(), "socat", &format!("TCP6-LISTEN:{port},fork,reuseaddr,ipv6only=0"), "SYSTEM:echo ok"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("socat runs");
        Self(child)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What a TCP connection met.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// The listener answered.
    Answered,
    /// Refused (a REJECT, or nothing listening).
    Refused,
    /// No answer within the timeout (a DROP).
    Silent,
}

/// A server namespace behind a client, with a "container" behind the server's `docker0`.
struct Lab {
    server: Netns,
    container: Netns,
    client: Netns,
    _listeners: Vec<Listener>,
}

fn run(program: &str, args: &[&str]) {
    let output = Command::new(program).args(args).output().expect("runs");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

impl Lab {
    fn new() -> Self {
        let (server, container, client) = (Netns::create("shared").expect("ns"), Netns::create("container").expect("ns"), Netns::create("client").expect("ns"));
        run("ip", &["link", "add", "eth0", "netns", server.name(), "type", "veth", "peer", "name", "eth0", "netns", client.name()]);
        run("ip", &["link", "add", "vc0", "netns", server.name(), "type", "veth", "peer", "name", "eth0", "netns", container.name()]);
        let quiet =
            ["net.ipv6.conf.all.accept_ra=0", "net.ipv6.conf.default.accept_ra=0", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"];
        for netns in [&server, &container, &client] {
            netns.sysctl(&quiet).expect("sysctl");
        }
        server.sysctl(&["net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]).expect("forwarding");
        let sh = |netns: &Netns, commands: &[&[&str]]| {
            for command in commands {
                netns.exec("ip", command).unwrap_or_else(|error| panic!("{command:?}: {error}"));
            }
        };
        sh(
            &server,
            &[
                &["link", "add", "docker0", "type", "bridge"],
                &["addr", "add", "192.0.2.1/25", "dev", "docker0"],
                &["addr", "add", "2001:db8:d0c::1/64", "dev", "docker0", "nodad"],
                &["link", "set", "docker0", "up"],
                &["link", "set", "vc0", "master", "docker0", "up"],
                &["addr", "add", "198.51.100.1/24", "dev", "eth0"],
                &["addr", "add", "203.0.113.1/24", "dev", "eth0"],
                &["addr", "add", "2001:db8:1::1/64", "dev", "eth0", "nodad"],
                &["link", "set", "eth0", "up"],
            ],
        );
        sh(
            &container,
            &[
                &["addr", "add", "192.0.2.2/25", "dev", "eth0"],
                &["addr", "add", "2001:db8:d0c::2/64", "dev", "eth0", "nodad"],
                &["link", "set", "eth0", "up"],
                &["route", "add", "default", "via", "192.0.2.1"],
                &["-6", "route", "add", "default", "via", "2001:db8:d0c::1"],
            ],
        );
        sh(
            &client,
            &[
                &["addr", "add", "198.51.100.10/24", "dev", "eth0"],
                &["addr", "add", "203.0.113.7/24", "dev", "eth0"],
                &["addr", "add", "203.0.113.45/24", "dev", "eth0"],
                &["addr", "add", "2001:db8:1::10/64", "dev", "eth0", "nodad"],
                &["addr", "add", "2001:db8:1::45/64", "dev", "eth0", "nodad"],
                &["link", "set", "eth0", "up"],
            ],
        );
        let listeners = vec![Listener::start(&container, 80), Listener::start(&server, 22), Listener::start(&server, 3306)];
        std::thread::sleep(std::time::Duration::from_millis(300));
        Self { server, container, client, _listeners: listeners }
    }

    /// A TCP connection from the client's `from` to `to`:`port` (2 s timeout).
    fn connect(&self, from: &str, to: &str, port: u16) -> Reach {
        let (from, to) = if to.contains(':') { (format!("[{from}]"), format!("[{to}]")) } else { (from.to_owned(), to.to_owned()) };
        let kind = if to.starts_with('[') { "TCP6" } else { "TCP4" };
        let output = Command::new("ip")
            .args(["netns", "exec", self.client.name(), "socat", "-T", "3", "-", &format!("{kind}:{to}:{port},bind={from},connect-timeout=2")])
            .stdin(Stdio::null())
            .output()
            .expect("socat runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if String::from_utf8_lossy(&output.stdout).trim() == "ok" {
            Reach::Answered
        } else if stderr.contains("refused") {
            Reach::Refused
        } else {
            assert!(stderr.contains("timed out") || stderr.contains("Operation now in progress"), "unexpected socat error: {stderr}");
            Reach::Silent
        }
    }

    /// Each probe `(from, to, port, expected, why)` goes as expected.
    fn expect(&self, probes: &[(&str, &str, u16, Reach, &str)]) {
        for &(from, to, port, expected, why) in probes {
            assert_eq!(self.connect(from, to, port), expected, "{why}: {from} → {to}:{port}");
        }
    }

    fn load(&self, family: Family, text: &str) {
        let tool = if family == Family::V4 { "iptables-restore" } else { "ip6tables-restore" };
        self.server.exec_with_input(tool, &[], Some(text)).expect("fixture loads");
    }

    /// Flushes conntrack so that no connection of an earlier probe is seen again.
    fn forget_connections(&self) {
        let _ = self.server.exec("conntrack", &["-F"]);
        let _ = self.container.exec("conntrack", &["-F"]);
    }
}

/// Each line of `before` that is no built-in policy and not ours (chains, rules of every other
/// tool), in order, is in `after`.
fn assert_kept(before: &str, after: &str, family: &str) {
    let builtin_declaration = |line: &&str| line.starts_with(':') && !line.ends_with("- [0:0]");
    let wanted: Vec<&str> = before.lines().filter(|line| !builtin_declaration(line) && !line.contains("PORTCULLIS-")).collect();
    let present: std::collections::HashSet<&str> = wanted.iter().copied().collect();
    let found: Vec<&str> = after.lines().filter(|line| !builtin_declaration(line) && present.contains(line)).collect();
    assert_eq!(found, wanted, "{family}: another tool's line changed, moved or went missing:\n{after}");
}

fn design() -> Design {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, vec![]);
    design.allow(ServiceId::HTTP, vec![]);
    design
}

#[test]
fn the_script_keeps_every_other_tool_and_their_traffic_while_live_and_rolls_back_exactly() {
    if !can_run(
        "apply beside Docker, fail2ban, ufw and kube-proxy in namespaces",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("socat"), Need::Program("setsid"), Need::Program("conntrack")],
    ) {
        return;
    }
    let dir = temp_dir("coexistence");
    let lab = Lab::new();
    lab.load(Family::V4, SHARED_V4);
    lab.load(Family::V6, SHARED_V6);
    let before = saved(&lab.server);
    // The lab works as a Docker host does: the published port answers from outside.
    assert_eq!(lab.connect("203.0.113.7", "203.0.113.1", 8080), Reach::Answered, "the lab's published port");
    assert_eq!(lab.connect("2001:db8:1::10", "2001:db8:1::1", 8080), Reach::Answered, "the lab's published IPv6 port");
    assert_eq!(lab.connect("203.0.113.45", "203.0.113.1", 22), Reach::Refused, "the lab's fail2ban ban");

    let design = design();
    let text = script::render(&design.compile(Family::V4), &design.compile(Family::V6), &ScriptOptions { rollback_seconds: 60, ..ScriptOptions::default() })
        .expect("script");
    let script = dir.join("apply.sh");
    std::fs::write(&script, text).expect("write");
    check_shell_script(&script).unwrap_or_else(|error| panic!("{error}"));

    // Kubernetes' chains: refused without --coexist, nothing changed.
    let (code, output) = Run::start(&lab.server, &script, &dir, 60).wait();
    assert_eq!(code, Some(1), "{output}");
    assert!(output.contains("Kubernetes (kube-proxy) keeps KUBE-… chains") && output.contains("--coexist"), "{output}");
    assert_eq!(saved(&lab.server), before, "a refusal must change nothing");

    // With --coexist: applied beside every other tool.
    let mut live = Run::start_with(&lab.server, &script, &["--coexist"], &dir, 60);
    live.confirm_command();
    let during = saved(&lab.server);
    assert_kept(&before.0, &during.0, "IPv4");
    assert_kept(&before.1, &during.1, "IPv6");
    let output = live.text();
    assert!(output.contains("plan (IPv4): filter: INPUT jumps to PORTCULLIS-INPUT after the 2 rule(s) of other tools"), "{output}");
    assert!(output.contains("plan (IPv4): filter: INPUT policy ACCEPT -> DROP"), "{output}");
    assert!(during.0.contains("-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A INPUT -j PORTCULLIS-INPUT\n"), "{}", during.0);
    assert!(during.0.contains("-A FORWARD -i br-1a2b3c4d5e6f -o br-1a2b3c4d5e6f -j ACCEPT\n-A FORWARD -j PORTCULLIS-FORWARD\n"), "{}", during.0);
    lab.forget_connections();
    lab.expect(&[
        ("203.0.113.7", "203.0.113.1", 8080, Reach::Answered, "Docker's published port, through FORWARD"),
        ("198.51.100.10", "198.51.100.1", 22, Reach::Answered, "SSH, open to everyone"),
        ("203.0.113.45", "203.0.113.1", 22, Reach::Refused, "fail2ban's ban, checked before our rules"),
        ("198.51.100.10", "198.51.100.1", 3306, Reach::Silent, "a port the design keeps closed"),
        ("2001:db8:1::10", "2001:db8:1::1", 8080, Reach::Answered, "Docker's published IPv6 port"),
        ("2001:db8:1::10", "2001:db8:1::1", 22, Reach::Answered, "SSH over IPv6"),
        ("2001:db8:1::45", "2001:db8:1::1", 22, Reach::Refused, "fail2ban's IPv6 ban"),
        ("2001:db8:1::10", "2001:db8:1::1", 3306, Reach::Silent, "a closed port over IPv6"),
    ]);
    // Loading again changes nothing (the hooks are not doubled).
    let state = dir.join("state/portcullis-load").display().to_string();
    let applied = std::fs::read_dir(dir.join("backups")).expect("backups").flatten().map(|entry| entry.path()).max().expect("a backup");
    for family in ["4", "6"] {
        lab.server.exec("bash", &[&state, family, &applied.join(format!("applied.v{family}")).display().to_string()]).expect("loads again");
    }
    assert_eq!(saved(&lab.server), during, "a second load changed the rules");

    let (code, output) = live.wait();
    assert_eq!(code, Some(3), "{output}");
    assert_eq!(saved(&lab.server), before, "the rollback did not restore the shared server exactly");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_boot_files_load_only_our_chains_beside_what_is_there() {
    if !can_run("persistence files in namespaces", &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("setsid")]) {
        return;
    }
    let dir = temp_dir("persistence");
    let design = design();
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    for distro in [Distro::Debian, Distro::Alpine] {
        let root = dir.join(format!("root-{distro}"));
        let text = script::render(&v4, &v6, &ScriptOptions { distro, rollback_seconds: 30, ..ScriptOptions::default() }).expect("script");
        let script = dir.join("apply.sh");
        std::fs::write(&script, text).expect("write");
        let netns = Netns::create("persist").expect("ns");
        let mut command = Run::start_with_env(&netns, &script, &[("PORTCULLIS_PERSIST_ROOT", root.display().to_string())], &dir, 30);
        let (path, token) = command.confirm_command();
        assert!(confirm(&path, &token, true).status.success());
        let (code, output) = command.wait();
        assert_eq!(code, Some(0), "{output}");
        assert!(output.contains("boot files written under"), "{output}");
        let service = match distro {
            Distro::Alpine => std::fs::read_to_string(root.join("etc/init.d/portcullis")).expect("OpenRC service"),
            _ => std::fs::read_to_string(root.join("etc/systemd/system/portcullis.service")).expect("systemd unit"),
        };
        assert!(service.contains("docker") && service.contains("fail2ban"), "ordered before Docker and fail2ban: {service}");
        assert!(service.contains("/usr/local/sbin/portcullis-load 4 /etc/portcullis/rules.v4"), "{service}");
        // At boot, in a fresh kernel, then again with Docker's chains present (a restart).
        let loader = root.join("usr/local/sbin/portcullis-load").display().to_string();
        let boot = Netns::create("boot").expect("ns");
        for (family, file) in [("4", "rules.v4"), ("6", "rules.v6")] {
            boot.exec("bash", &[&loader, family, &root.join("etc/portcullis").join(file).display().to_string()]).expect("boot load");
        }
        let owned = |ruleset| portcullis_engine::export::save::render_tables(&portcullis_engine::export::owned::owned(ruleset).expect("owned").ruleset);
        assert_eq!(saved(&boot), (owned(&v4), owned(&v6)), "{distro}: the boot load differs from the owned chains");
        boot.exec_with_input("iptables-restore", &["--noflush"], Some(SHARED_V4)).expect("Docker starts");
        let with_docker = normalized(&boot.exec("iptables-save", &[]).expect("save"));
        boot.exec("bash", &[&loader, "4", &root.join("etc/portcullis/rules.v4").display().to_string()]).expect("reload");
        let reloaded = normalized(&boot.exec("iptables-save", &[]).expect("save"));
        assert_kept(&with_docker, &reloaded, "reload beside Docker");
        assert!(reloaded.contains("-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A INPUT -j PORTCULLIS-INPUT\n"), "{reloaded}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn published_ports_open_only_to_trusted_sources_and_the_rules_load_without_docker() {
    if !can_run(
        "published container ports in namespaces",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("socat"), Need::Program("setsid"), Need::Program("conntrack")],
    ) {
        return;
    }
    let dir = temp_dir("containers");
    let mut design = design();
    let trusted = vec!["198.51.100.0/24".parse().expect("source"), "2001:db8:1::10".parse().expect("source")];
    let exposure = ContainerExposure::trusted(vec![], trusted);
    design.set_containers(Some(ContainerPorts::new(exposure, None))).expect("containers");
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    let text = script::render(&v4, &v6, &ScriptOptions { rollback_seconds: 60, ..ScriptOptions::default() }).expect("script");
    let script = dir.join("apply.sh");
    std::fs::write(&script, text).expect("write");

    // Docker is not there: the rules load, DOCKER-USER holds only our hook, nothing jumps to it.
    let bare = Netns::create("no-docker").expect("ns");
    let mut run = Run::start(&bare, &script, &dir, 60);
    let (path, token) = run.confirm_command();
    let rules = saved(&bare);
    assert!(rules.0.contains(":DOCKER-USER - [0:0]\n") && rules.0.contains("-A DOCKER-USER -j PORTCULLIS-DOCKER-USER\n"), "{}", rules.0);
    assert!(!rules.0.contains("-j DOCKER-USER"), "{}", rules.0);
    assert!(confirm(&path, &token, true).status.success());
    assert_eq!(run.wait().0, Some(0));

    // Beside Docker (the lab without kube-proxy): trusted sources reach the published port, others do not.
    let lab = Lab::new();
    let without_kube: String = SHARED_V4.split_inclusive('\n').filter(|line| !line.contains("KUBE-")).collect();
    lab.load(Family::V4, &without_kube);
    lab.load(Family::V6, SHARED_V6);
    let before = saved(&lab.server);
    let mut live = Run::start(&lab.server, &script, &dir, 60);
    let (path, token) = live.confirm_command();
    let during = saved(&lab.server);
    assert_kept(&before.0, &during.0, "IPv4");
    assert_kept(&before.1, &during.1, "IPv6");
    assert!(during.0.contains("-A DOCKER-USER -j PORTCULLIS-DOCKER-USER\n-A DOCKER-USER -j RETURN\n"), "our hook before Docker's RETURN:\n{}", during.0);
    lab.forget_connections();
    lab.expect(&[
        ("198.51.100.10", "198.51.100.1", 8080, Reach::Answered, "a trusted source to the published port"),
        ("203.0.113.7", "203.0.113.1", 8080, Reach::Silent, "an untrusted source to the published port"),
        ("203.0.113.7", "203.0.113.1", 22, Reach::Answered, "SSH is still open to everyone"),
        ("203.0.113.45", "203.0.113.1", 22, Reach::Refused, "fail2ban's ban"),
        ("2001:db8:1::10", "2001:db8:1::1", 8080, Reach::Answered, "a trusted IPv6 source to the published port"),
        ("2001:db8:1::45", "2001:db8:1::1", 8080, Reach::Silent, "an untrusted IPv6 source to the published port"),
    ]);
    assert!(confirm(&path, &token, true).status.success());
    let (code, output) = live.wait();
    assert_eq!(code, Some(0), "{output}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_nft_export_beside_docker_and_fail2ban_lets_trusted_sources_reach_containers_and_keeps_bans() {
    if !can_run(
        "the nft export beside Docker in namespaces",
        &[Need::Root, Need::Program("ip"), Need::Program("nft"), Need::Program("iptables-restore"), Need::Program("socat"), Need::Program("conntrack")],
    ) {
        return;
    }
    let dir = temp_dir("containers-nft");
    let mut design = design();
    let trusted = vec!["198.51.100.0/24".parse().expect("source"), "2001:db8:1::10".parse().expect("source")];
    design.set_containers(Some(ContainerPorts::new(ContainerExposure::trusted(vec![], trusted), None))).expect("containers");
    let export = Exports::of(&design, &ScriptOptions::default()).nft.expect("nft export");
    let file = dir.join("rules.nft");
    std::fs::write(&file, &export.text).expect("write");
    let path = file.display().to_string();

    let lab = Lab::new();
    lab.load(Family::V4, SHARED_V4);
    lab.load(Family::V6, SHARED_V6);
    let before = saved(&lab.server);
    lab.server.exec("nft", &["-f", &path]).unwrap_or_else(|error| panic!("nft -f: {error}\n{}", export.text));
    assert_eq!(saved(&lab.server), before, "the nft file changed another tool's iptables rules");
    lab.forget_connections();
    lab.expect(&[
        ("198.51.100.10", "198.51.100.1", 8080, Reach::Answered, "a trusted source to the published port"),
        ("203.0.113.7", "203.0.113.1", 8080, Reach::Silent, "an untrusted source to the published port"),
        ("203.0.113.7", "203.0.113.1", 22, Reach::Answered, "SSH, open to everyone"),
        ("203.0.113.45", "203.0.113.1", 22, Reach::Refused, "fail2ban's ban, in its own table"),
        ("198.51.100.10", "198.51.100.1", 3306, Reach::Silent, "a port the design keeps closed"),
        ("2001:db8:1::10", "2001:db8:1::1", 8080, Reach::Answered, "a trusted IPv6 source to the published port"),
        ("2001:db8:1::45", "2001:db8:1::1", 8080, Reach::Silent, "an untrusted IPv6 source to the published port"),
        ("2001:db8:1::45", "2001:db8:1::1", 22, Reach::Refused, "fail2ban's IPv6 ban"),
    ]);
    // Loading again replaces only our table; deleting it leaves the server as the other tools made it.
    lab.server.exec("nft", &["-f", &path]).expect("loads again");
    lab.server.exec("nft", &["delete", "table", "inet", "portcullis"]).expect("delete our table");
    assert_eq!(saved(&lab.server), before);
    lab.forget_connections();
    assert_eq!(lab.connect("203.0.113.7", "203.0.113.1", 8080), Reach::Answered, "Docker's default again");
    let _ = std::fs::remove_dir_all(dir);
}
