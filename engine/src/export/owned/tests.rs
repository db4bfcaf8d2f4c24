use super::*;
use crate::design::{samples, Preset};
use crate::export::save;
use crate::import::import;
use crate::model::Family;
use crate::simulate::{simulate, Packet};

/// Packets of every path, protocol, state and a spread of ports and sources.
fn packets(family: Family) -> Vec<Packet> {
    let (sources, local) = match family {
        Family::V4 => (["203.0.113.7", "198.51.100.10", "192.0.2.1"], "192.0.2.200"),
        Family::V6 => (["2001:db8::7", "2001:db8:1::10", "2001:db8:2::1"], "2001:db8::200"),
    };
    let ports = [1, 22, 25, 53, 80, 123, 443, 587, 993, 2222, 3306, 5432, 8080];
    let wheres = ["in eth0", "in eth1", "in lo", "out eth0", "in eth0 out eth1", "in eth1 out docker0"];
    let mut packets = Vec::new();
    for source in sources {
        for port in ports {
            for place in wheres {
                let (src, dst) = match family {
                    Family::V4 => (format!("{source}:40000"), format!("{local}:{port}")),
                    Family::V6 => (format!("[{source}]:40000"), format!("[{local}]:{port}")),
                };
                for tail in ["syn new", "ack established", "ack invalid"] {
                    packets.push(Packet::parse(&format!("tcp {src} -> {dst} {place} {tail}")).expect("tcp packet"));
                }
                packets.push(Packet::parse(&format!("udp {src} -> {dst} {place} new")).expect("udp packet"));
            }
        }
        let ping = if family == Family::V4 { "icmp" } else { "icmpv6" };
        packets.push(Packet::parse(&format!("{ping} {source} -> {local} in eth0 new")).expect("ping"));
    }
    packets
}

fn designs() -> Vec<(String, crate::design::Design)> {
    let mut designs: Vec<_> = Preset::ALL.iter().map(|preset| (preset.to_string(), preset.design())).collect();
    designs.push(("fifty rules".to_owned(), samples::fifty_rule_design()));
    designs
}

#[test]
fn the_owned_form_decides_every_packet_as_the_original() {
    let mut compared = 0;
    for (name, design) in designs() {
        for family in [Family::V4, Family::V6] {
            let original = design.compile(family);
            let mut owned = owned(&original).expect("owned form").ruleset;
            // An earlier firewall's rule after each hook must never decide what the design decides.
            for table in &mut owned.tables {
                for chain in table.chains.iter_mut().filter(|chain| chain.name.builtin().is_some() && !chain.rules.is_empty()) {
                    chain.rules.push(Rule::new(Target::Accept));
                }
            }
            for packet in packets(family) {
                let (expected, got) = (simulate(&original, &packet).verdict(), simulate(&owned, &packet).verdict());
                assert_eq!(got, expected, "{name} {family}: {packet:?}");
                compared += 1;
            }
        }
    }
    assert!(compared > 10_000, "{compared} packets compared");
}

#[test]
fn built_in_chains_hold_only_hooks_and_the_owned_text_reads_back() {
    for (name, design) in designs() {
        for family in [Family::V4, Family::V6] {
            let owned = owned(&design.compile(family)).expect("owned form");
            for table in &owned.ruleset.tables {
                for chain in &table.chains {
                    if let ChainName::Builtin(builtin) = chain.name {
                        assert!(chain.rules.len() <= 1, "{name}: {builtin:?} holds {} rules", chain.rules.len());
                        for rule in &chain.rules {
                            let Some(Target::Jump(to)) = &rule.target else { panic!("{name}: {builtin:?} holds a rule that is no hook") };
                            assert_eq!(to.as_str(), format!("{PREFIX}{}", builtin.as_str()));
                        }
                    } else {
                        assert!(chain.name.as_str().starts_with(PREFIX) || ANCHORS.contains(&chain.name.as_str()), "{name}: {}", chain.name);
                    }
                }
            }
            let text = render(&owned);
            let parsed = import(&text, Some(family));
            assert!(!parsed.has_errors(), "{name}: {:?}", parsed.diagnostics);
            assert_eq!(save::render_tables(&parsed.value.rulesets[0]), save::render_tables(&owned.ruleset), "{name}");
        }
    }
}

#[test]
fn other_tools_chains_are_left_out_and_user_chains_renamed() {
    let dump = "*filter\n:INPUT DROP [5:300]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:DOCKER-USER - [0:0]\n:LOGDROP - [0:0]\n:f2b-sshd - [0:0]\n\
        -A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -s 192.0.2.9/32 -j RETURN\n-A INPUT -j LOGDROP\n\
        -A FORWARD -j DOCKER-USER\n-A FORWARD -o docker0 -j DOCKER\n-A DOCKER-USER -j RETURN\n-A LOGDROP -j LOG\n-A LOGDROP -j DROP\n\
        -A f2b-sshd -s 203.0.113.45/32 -j REJECT --reject-with icmp-port-unreachable\n-A f2b-sshd -j RETURN\nCOMMIT\n";
    let parsed = import(dump, Some(Family::V4));
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let owned = owned(&parsed.value.rulesets[0]).expect("owned form");
    let text = render(&owned);
    let tables = save::render_tables(&owned.ruleset);
    assert_eq!(
        tables,
        "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER-USER - [0:0]\n:PORTCULLIS-DOCKER-USER - [0:0]\n:PORTCULLIS-FORWARD - [0:0]\n:PORTCULLIS-INPUT - [0:0]\n:PORTCULLIS-LOGDROP - [0:0]\n\
         -A INPUT -j PORTCULLIS-INPUT\n-A FORWARD -j PORTCULLIS-FORWARD\n-A DOCKER-USER -j PORTCULLIS-DOCKER-USER\n-A PORTCULLIS-DOCKER-USER -j RETURN\n\
         -A PORTCULLIS-FORWARD -m comment --comment \"portcullis: FORWARD policy DROP\" -j DROP\n\
         -A PORTCULLIS-INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A PORTCULLIS-INPUT -s 192.0.2.9/32 -j DROP\n-A PORTCULLIS-INPUT -j PORTCULLIS-LOGDROP\n\
         -A PORTCULLIS-INPUT -m comment --comment \"portcullis: INPUT policy DROP\" -j DROP\n-A PORTCULLIS-LOGDROP -j LOG\n-A PORTCULLIS-LOGDROP -j DROP\nCOMMIT\n"
    );
    assert!(text.starts_with("# Generated by Portcullis (IPv4 rules, owned chains only)"), "{text}");
    let tools: Vec<&str> = owned.left_out.iter().map(|owned| owned.owner.name()).collect();
    assert_eq!(tools, ["Docker", "fail2ban"]);
}

#[test]
fn a_chain_too_long_to_own_is_refused_with_the_limit() {
    let dump = "*filter\n:INPUT ACCEPT [0:0]\n:a-chain-of-twenty-chars - [0:0]\n-A INPUT -j a-chain-of-twenty-chars\nCOMMIT\n";
    let parsed = import(dump, Some(Family::V4));
    let error = owned(&parsed.value.rulesets[0]).unwrap_err();
    assert!(error.to_string().contains("at most 17 bytes"), "{error}");
    assert_eq!(owned_name("PORTCULLIS-INPUT").unwrap().as_str(), "PORTCULLIS-INPUT");
}
