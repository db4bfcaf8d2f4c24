//! A design's containers choice (every exposure, every published port or a list of TCP and UDP
//! ports, beside a port forward of its own) through the real tools: the save files through
//! `iptables-restore --test` / `ip6tables-restore --test`, the script and the commands through
//! `bash -n` and `shellcheck`, the nft file through `nft -c -f`; then the nft file loaded (twice)
//! into a namespace that already holds Docker-shaped iptables-nft chains, which stay exactly as
//! they were (the file replaces only `table inet portcullis`, never `flush ruleset`), with the
//! forward chain letting Docker's traffic through after the design's `DOCKER-USER` rules.
//! What the packets do in the kernel is the coexistence suite's (`tests/tests/coexistence.rs`).

use portcullis_e2e::fixtures::router_design;
use portcullis_e2e::judge::{Judge, TOOLS};
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design, PublishedPorts, Source, Transport};
use portcullis_engine::export::script::ScriptOptions;
use portcullis_engine::export::Exports;
use portcullis_engine::model::Family;

/// Docker 24's chains for one container on `docker0` with host port 8080 published to its port 80.
const DOCKER_V4: &str = "*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
";

/// The router fixture (a port forward, masquerading) with every containers choice.
fn designs() -> Vec<(String, Design)> {
    let base = router_design();
    let group = base.groups().next().map(|(name, _)| name.clone());
    let exposures = [
        ContainerExposure::Everyone,
        ContainerExposure::trusted(group.into_iter().collect(), Source::parse_list("2001:db8:7::/48, 198.51.100.20-198.51.100.29").expect("valid")),
        ContainerExposure::trusted(Vec::new(), Vec::new()),
        ContainerExposure::HostOnly,
    ];
    let mut out = Vec::new();
    for exposure in exposures {
        for ports in [None, Some(PublishedPorts::new(Transport::TcpAndUdp, "8080, 9000-9001".parse().expect("valid")))] {
            let mut design = base.clone();
            let name = format!("{} on {}", exposure.as_str(), ports.as_ref().map_or_else(|| "every port".to_owned(), PublishedPorts::ports_text));
            design.set_containers(Some(ContainerPorts::new(exposure.clone(), ports))).expect("the fixture's own group");
            out.push((name, design));
        }
    }
    out
}

#[test]
fn every_containers_choice_passes_every_tool() {
    let mut needs = vec![Need::Root];
    needs.extend(TOOLS.iter().map(|tool| Need::Program(tool)));
    if !can_run("docker exports: every tool", &needs) {
        return;
    }
    let judge = Judge::new("docker").expect("judge");
    for (name, design) in designs() {
        judge.judge(&design, &ScriptOptions::default()).unwrap_or_else(|error| panic!("{name}: {error}"));
        let rules = portcullis_engine::export::save::render(&design.compile(Family::V4));
        let restricted = !matches!(design.containers().map(ContainerPorts::exposure), Some(ContainerExposure::Everyone));
        assert_eq!(rules.contains(":DOCKER-USER - [0:0]"), restricted, "{name}: {rules}");
        assert!(!rules.contains("-j DOCKER-USER"), "{name}: Docker's FORWARD jumps there, not ours");
    }
}

#[test]
fn the_nft_file_loads_beside_docker_and_leaves_its_chains_alone() {
    if !can_run(
        "docker exports: nft beside Docker",
        &[Need::Root, Need::Program("ip"), Need::Program("nft"), Need::Program("iptables-restore"), Need::Program("iptables-save")],
    ) {
        return;
    }
    let dir = std::env::temp_dir().join(format!("portcullis-docker-nft-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, design) in designs() {
        let netns = Netns::create("docker-nft").expect("namespace");
        netns.exec_with_input("iptables-restore", &[], Some(DOCKER_V4)).unwrap_or_else(|error| panic!("Docker's chains: {error}"));
        let docker_before = netns.exec("iptables-save", &[]).expect("save");
        let export = Exports::of(&design, &ScriptOptions::default()).nft.unwrap_or_else(|error| panic!("{name}: {error}"));
        assert!(!export.text.contains("flush ruleset"), "{name}");
        let file = dir.join("rules.nft");
        std::fs::write(&file, &export.text).expect("write");
        let path = file.to_str().expect("UTF-8 path");
        netns.exec("nft", &["-c", "-f", path]).unwrap_or_else(|error| panic!("{name}: nft -c refused: {error}\n{}", export.text));
        netns.exec("nft", &["-f", path]).unwrap_or_else(|error| panic!("{name}: nft -f refused: {error}"));
        netns.exec("nft", &["-f", path]).unwrap_or_else(|error| panic!("{name}: loading again failed: {error}"));
        let strip_counters =
            |text: &str| text.lines().filter(|line| !line.starts_with('#')).map(|line| line.split(" [").next().unwrap_or(line).to_owned()).collect::<Vec<_>>();
        let docker_after = netns.exec("iptables-save", &[]).expect("save");
        assert_eq!(strip_counters(&docker_after), strip_counters(&docker_before), "{name}: Docker's chains changed");
        let ours = netns.exec("nft", &["list", "table", "inet", "portcullis"]).expect("list");
        let forward = ours.split("chain forward {").nth(1).and_then(|rest| rest.split("\n\t}").next()).unwrap_or_else(|| panic!("{name}: {ours}"));
        let restricted = !matches!(design.containers().map(ContainerPorts::exposure), Some(ContainerExposure::Everyone));
        assert_eq!(forward.contains("jump DOCKER-USER"), restricted, "{name}: {forward}");
        let jump = forward.find("jump DOCKER-USER").unwrap_or(0);
        let published = forward.find("oifname \"docker0\" ct status dnat accept").unwrap_or_else(|| panic!("{name}: {forward}"));
        let own = forward.find("198.51.100.").unwrap_or(usize::MAX);
        assert!(jump <= published && published < own, "{name}: the exposure, then Docker's traffic, then the design's own rules: {forward}");
        if restricted {
            assert!(ours.contains("chain DOCKER-USER {") && ours.contains("ct direction original drop"), "{name}: {ours}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}
