//! Snapshots of every export for the tutorial's server (`examples/tutorial-web-mail.json`): web
//! and mail for everyone, SSH only from the office address, the careful default protections.

use portcullis_engine::design::{Design, ServiceId, Source};
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::export::{commands, nft, save, script};
use portcullis_engine::model::Family;

fn tutorial_server() -> Design {
    Design::from_json(include_str!("../../examples/tutorial-web-mail.json")).expect("the example loads")
}

#[test]
fn tutorial_server_save_v4() {
    insta::assert_snapshot!(save::render(&tutorial_server().compile(Family::V4)));
}

#[test]
fn tutorial_server_save_v6() {
    insta::assert_snapshot!(save::render(&tutorial_server().compile(Family::V6)));
}

#[test]
fn tutorial_server_commands() {
    let design = tutorial_server();
    let text = format!("{}\n{}", commands::render(&design.compile(Family::V4)), commands::render(&design.compile(Family::V6)));
    insta::assert_snapshot!(text);
}

#[test]
fn tutorial_server_nft() {
    // The whole design, SSH limit included (as a meter).
    let design = tutorial_server();
    let export = nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).expect("translatable");
    assert!(export.notes.is_empty(), "{:?}", export.notes);
    insta::assert_snapshot!(export.text);
}

#[test]
fn tutorial_server_script() {
    let design = tutorial_server();
    let options = ScriptOptions { distro: Distro::Debian, ..ScriptOptions::default() };
    let text = script::render(&design.compile(Family::V4), &design.compile(Family::V6), &options)
        .expect("script");
    insta::assert_snapshot!(text);
}

#[test]
fn tutorial_server_json() {
    insta::assert_snapshot!(tutorial_server().to_json());
}

#[test]
fn exports_are_deterministic() {
    let (a, b) = (tutorial_server(), tutorial_server());
    for family in Family::ALL {
        assert_eq!(commands::render(&a.compile(family)), commands::render(&b.compile(family)));
    }
    let nft = |design: &Design| nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).map(|export| export.text);
    assert_eq!(nft(&a), nft(&b));
}

/// A router-shaped design: a redirect 80 → 8080, port forwards of both families (one for a trusted
/// group only, one on an interface), masquerading of a private network per family, the database
/// only on the private interface, and a block list that FORWARD honours too.
fn router() -> Design {
    use portcullis_engine::design::{Access, InterfaceName, Masquerade, Name, Nat, PortForward, Redirect, Transport};
    let interface = |name: &str| name.parse::<InterfaceName>().expect("valid interface");
    let mut design = Design::default();
    let office: Name = "office".parse().expect("valid name");
    design.set_group(office.clone(), Source::parse_list("203.0.113.7, 2001:db8:1::7").expect("valid sources"));
    design.allow(ServiceId::POSTGRESQL, vec![]);
    design.limit_to_interfaces(ServiceId::POSTGRESQL, vec![interface("eth1")]).expect("open service");
    design.set_block_list(Source::parse_list("198.51.100.66, 2001:db8:66::/48").expect("valid sources"));
    let forward = |transport, port, to: &str, to_port, interfaces, access| {
        PortForward::new(transport, port, to.parse().expect("address"), to_port, interfaces, access).expect("valid forward")
    };
    let nat = Nat {
        redirects: vec![Redirect::new(Transport::Tcp, 80, 8080, vec![]).expect("valid redirect")],
        port_forwards: vec![
            forward(Transport::Tcp, 8443, "198.51.100.10", 443, vec![interface("eth0")], Access::Everyone),
            forward(Transport::TcpAndUdp, 2222, "2001:db8:2::10", 22, vec![], Access::only(vec![office], vec![])),
        ],
        masquerades: vec![
            Masquerade::new("198.51.100.0/24".parse().expect("net"), interface("eth0")).expect("valid masquerade"),
            Masquerade::new("2001:db8:2::/64".parse().expect("net"), interface("eth0")).expect("valid masquerade"),
        ],
    };
    design.set_nat(nat).expect("no clash");
    design
}

#[test]
fn router_save_v4() {
    insta::assert_snapshot!(save::render(&router().compile(Family::V4)));
}

#[test]
fn router_save_v6() {
    insta::assert_snapshot!(save::render(&router().compile(Family::V6)));
}

#[test]
fn router_commands() {
    let design = router();
    let text = format!("{}\n{}", commands::render(&design.compile(Family::V4)), commands::render(&design.compile(Family::V6)));
    insta::assert_snapshot!(text);
}

#[test]
fn router_nft() {
    let mut design = router();
    let protections = portcullis_engine::design::Protections { ssh_limit: None, ..design.protections().clone() };
    design.set_protections(protections).expect("valid protections");
    let export = nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).expect("translatable");
    assert!(export.notes.is_empty(), "{:?}", export.notes);
    assert!(export.text.contains("tcp dport 8080 ct status dnat ct original proto-dst 80 accept"), "{}", export.text);
    insta::assert_snapshot!(export.text);
}

#[test]
fn router_script_warns_about_forwarding_without_changing_it() {
    let design = router();
    let options = ScriptOptions { distro: Distro::Debian, ..ScriptOptions::default() };
    let text = script::render(&design.compile(Family::V4), &design.compile(Family::V6), &options)
        .expect("script");
    assert!(text.contains("IPv4 forwarding is off: run 'sysctl -w net.ipv4.ip_forward=1'"));
    assert!(text.contains("IPv6 forwarding is off: run 'sysctl -w net.ipv6.conf.all.forwarding=1'"));
    assert!(!text.lines().any(|line| line.trim_start().starts_with("sysctl")), "the script never changes sysctls");
}

#[test]
fn router_json() {
    let text = router().to_json();
    assert_eq!(Design::from_json(&text).expect("reads back"), router());
    insta::assert_snapshot!(text);
}

/// Every rule the router design adds carries a comment naming its intent.
#[test]
fn router_rules_are_all_commented() {
    for family in Family::ALL {
        let rules = save::render(&router().compile(family));
        for line in rules.lines().filter(|line| line.starts_with("-A ")) {
            assert!(line.contains("--comment \"portcullis: "), "{line}");
        }
    }
}

/// The simulator applies the redirect and reads the original port and the DNAT bit as the kernel
/// does (tests/tests/nat.rs checks the same packets in the kernel): port 80 is accepted by the
/// redirect's INPUT rule, 8080 sent directly is not.
#[test]
fn router_simulation_follows_the_translation() {
    use portcullis_engine::simulate::{simulate, Packet, Verdict};
    let v4 = router().compile(Family::V4);
    let redirected = simulate(&v4, &Packet::parse("tcp 203.0.113.2:40000 -> 203.0.113.1:80 in eth0 syn new").expect("packet"));
    assert_eq!(redirected.verdict(), Some(Verdict::Accept));
    let outcome = &redirected.outcomes[0];
    assert_eq!((outcome.packet.destination_port, outcome.decided_by.as_ref().map(|rule| rule.chain.as_str())), (8080, Some("INPUT")));
    assert_eq!(outcome.packet.translated.map(|t| (t.destination_port, t.destination_rewritten)), Some((80, true)));
    let direct = simulate(&v4, &Packet::parse("tcp 203.0.113.2:40000 -> 203.0.113.1:8080 in eth0 syn new").expect("packet"));
    assert_eq!(direct.verdict(), Some(Verdict::Drop));
    let forwarded = simulate(&v4, &Packet::parse("tcp 203.0.113.2:40000 -> 203.0.113.1:8443 in eth0 out eth1 syn new").expect("packet"));
    assert_eq!(forwarded.verdict(), Some(Verdict::Accept));
    let straight = simulate(&v4, &Packet::parse("tcp 203.0.113.2:40000 -> 198.51.100.10:443 in eth0 out eth1 syn new").expect("packet"));
    assert_eq!(straight.verdict(), Some(Verdict::Drop));
    // FORWARD drops INVALID packets before anything else.
    let running = simulate(&v4, &Packet::parse("tcp 203.0.113.2:40000 -> 198.51.100.10:443 in eth0 out eth1 ack invalid").expect("packet"));
    assert_eq!(running.verdict(), Some(Verdict::Drop));
}

/// `examples/docker-host.json`: published container ports 8080 and 9000-9001 only from the
/// office, in Docker's `DOCKER-USER` chain.
fn docker_host() -> Design {
    Design::from_json(include_str!("../../examples/docker-host.json")).expect("the example loads")
}

#[test]
fn docker_host_save_v4() {
    insta::assert_snapshot!(save::render(&docker_host().compile(Family::V4)));
}

#[test]
fn docker_host_save_v6() {
    insta::assert_snapshot!(save::render(&docker_host().compile(Family::V6)));
}

#[test]
fn docker_host_nft() {
    // The design's own file, and the bundle, say Docker runs: the forward chain lets its traffic
    // through after the design's DOCKER-USER rules; plain `render` sees the waiting chain too.
    let design = docker_host();
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    let export = nft::render_with(&v4, &v6, nft::NftOptions::for_design(&design)).expect("translatable");
    assert!(export.notes.is_empty(), "{:?}", export.notes);
    assert_eq!(nft::render(&v4, &v6).map(|plain| plain.text), Ok(export.text.clone()));
    let bundle = portcullis_engine::export::Exports::of(&design, &ScriptOptions::default());
    assert_eq!(bundle.nft.map(|nft| nft.text), Ok(export.text.clone()));
    assert!(!export.text.contains("flush ruleset"));
    insta::assert_snapshot!(export.text);
}

#[test]
fn docker_everyone_keeps_the_iptables_rules_and_opens_nft_forward_to_docker() {
    use portcullis_engine::design::{ContainerExposure, ContainerPorts};
    let mut design = docker_host();
    let before = (save::render(&design.compile(Family::V4)), save::render(&design.compile(Family::V6)));
    design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, None))).expect("no group named");
    let mut without = design.clone();
    without.set_containers(None).expect("none");
    for family in Family::ALL {
        assert_eq!(save::render(&design.compile(family)), save::render(&without.compile(family)), "Docker's default: no rule");
    }
    assert_ne!(save::render(&design.compile(Family::V4)), before.0, "the office-only rules are gone");
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    let plain = nft::render(&v4, &v6).expect("translatable").text;
    assert!(!plain.contains("docker0"), "nothing says Docker runs: {plain}");
    let text = nft::render_with(&v4, &v6, nft::NftOptions::for_design(&design)).expect("translatable").text;
    let forward = text.split("chain forward {").nth(1).and_then(|rest| rest.split("\n\t}").next()).expect("a forward chain");
    assert!(!forward.contains("jump DOCKER-USER"), "{forward}");
    for rule in [
        "iifname \"docker0\" accept",
        "iifname \"br-*\" accept",
        "oifname \"docker0\" ct state related,established accept",
        "oifname \"br-*\" ct status dnat accept",
    ] {
        assert!(forward.contains(rule), "{rule}: {forward}");
    }
}

/// The design's DOCKER-USER rules in a Docker-shaped ruleset, through the simulator: Docker's
/// DNAT of host port 8080 to a container (to the host's address: the simulator cannot tell
/// `-m addrtype --dst-type LOCAL`), Docker's FORWARD jumping to DOCKER-USER first, then
/// accepting published traffic to the container. The office reaches the container, a stranger
/// does not; the design's own port forwards and the containers' own traffic are untouched.
#[test]
fn docker_host_rules_decide_published_ports_in_docker_shaped_chains() {
    use portcullis_engine::design::{Access, ContainerExposure, ContainerPorts, Nat, PortForward, Transport};
    use portcullis_engine::simulate::{simulate, Packet, Verdict};
    let docker = "-A FORWARD -j DOCKER-USER\n\
        -A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
        -A FORWARD -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT\n\
        -A FORWARD -i docker0 ! -o docker0 -j ACCEPT\n";
    let nat = "*nat\n:PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -d 198.51.100.1/32 -j DOCKER\n\
        -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\nCOMMIT\n";
    let text = save::render(&docker_host().compile(Family::V4));
    let (filter, rest) = text.split_once("COMMIT\n").expect("the filter table");
    assert!(rest.trim().is_empty(), "no nat table of the design's own: {rest}");
    let shaped = format!("{filter}{docker}COMMIT\n{nat}");
    let parsed = portcullis_engine::import::import(&shaped, Some(Family::V4));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let ruleset = &parsed.value.rulesets[0];
    let verdict = |packet: &str| {
        let outcome = simulate(ruleset, &Packet::parse(packet).expect("packet")).outcomes.remove(0);
        (outcome.verdict, outcome.decided_by.map(|by| (by.chain, by.index)))
    };
    let office = verdict("tcp 203.0.113.7:40000 -> 198.51.100.1:8080 in eth0 out docker0 syn new");
    assert_eq!(office, (Verdict::Accept, Some(("FORWARD".to_owned(), Some(3)))), "through DOCKER-USER, accepted by Docker");
    let stranger = verdict("tcp 192.0.2.99:40000 -> 198.51.100.1:8080 in eth0 out docker0 syn new");
    assert_eq!(stranger.0, Verdict::Drop);
    assert_eq!(stranger.1.map(|(chain, _)| chain).as_deref(), Some("DOCKER-USER"));
    let outgoing = verdict("tcp 172.17.0.2:40000 -> 192.0.2.80:443 in docker0 out eth0 syn new");
    assert_eq!(outgoing, (Verdict::Accept, Some(("FORWARD".to_owned(), Some(4)))), "containers' own traffic returns to Docker's rules");

    // Nobody from outside, beside a port forward of the design's own (DNATed too, but not to a
    // Docker bridge): the forward still passes, the container is closed to the office as well.
    let mut closed = docker_host();
    closed.set_containers(Some(ContainerPorts::new(ContainerExposure::HostOnly, None))).expect("no group named");
    let forward = PortForward::new(Transport::Tcp, 8443, "198.51.100.10".parse().expect("address"), 443, Vec::new(), Access::Everyone).expect("valid");
    closed.set_nat(Nat { port_forwards: vec![forward], ..Nat::default() }).expect("no clash");
    let text = save::render(&closed.compile(Family::V4))
        .replacen("-A FORWARD ", "-A FORWARD -j DOCKER-USER\n-A FORWARD ", 1)
        .replacen("-A DOCKER-USER ", &format!("{}-A DOCKER-USER ", docker.trim_start_matches("-A FORWARD -j DOCKER-USER\n")), 1)
        .replacen(":PREROUTING ACCEPT [0:0]\n", ":PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n", 1)
        .replacen("-A PREROUTING ", "-A PREROUTING -d 198.51.100.1/32 -j DOCKER\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80\n-A PREROUTING ", 1);
    let parsed = portcullis_engine::import::import(&text, Some(Family::V4));
    assert!(!parsed.has_errors(), "{:?}\n{text}", parsed.diagnostics);
    let ruleset = &parsed.value.rulesets[0];
    let verdict = |packet: &str| simulate(ruleset, &Packet::parse(packet).expect("packet")).outcomes.remove(0);
    let office = verdict("tcp 203.0.113.7:40000 -> 198.51.100.1:8080 in eth0 out docker0 syn new");
    assert_eq!((office.verdict, office.decided_by.map(|by| by.chain)), (Verdict::Drop, Some("DOCKER-USER".to_owned())), "{text}");
    let forwarded = verdict("tcp 192.0.2.99:40000 -> 198.51.100.1:8443 in eth0 out eth1 syn new");
    assert_eq!(forwarded.verdict, Verdict::Accept, "{text}");
    assert!(forwarded.trace.iter().any(|step| step.rule.chain == "DOCKER-USER"), "it crossed DOCKER-USER: {:#?}", forwarded.trace);
}
