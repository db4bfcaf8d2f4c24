//! Rules other tools own, found in realistic dumps of a ufw host, a Docker host and a fail2ban
//! host (`tests/corpus/import/*-host.rules`, which the e2e import test also loads into the real
//! kernel and compares with `iptables-save`), and in small firewalld, kube-proxy and libvirt
//! dumps.

#![allow(clippy::unwrap_used)] // fixtures are test data: stop where they fail

use portcullis_engine::diagnostic::Severity;
use portcullis_engine::import::import;
use portcullis_engine::model::{Family, Ruleset, TableName};
use portcullis_engine::workbench::{owned, owner_findings, Owner};

fn host(name: &str) -> Ruleset {
    let path = format!("{}/../tests/corpus/import/{name}-host.rules", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = import(&text, None);
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{path}: {errors:#?}");
    assert_eq!(parsed.value.rulesets.len(), 1);
    parsed.value.rulesets.into_iter().next().unwrap()
}

fn names(ruleset: &Ruleset, owner: Owner) -> Vec<String> {
    let found = owned(ruleset);
    let of = found.iter().find(|owned| owned.owner == owner).unwrap();
    of.chains.iter().map(|(table, chain)| format!("{table}/{}", chain.as_str())).collect()
}

#[test]
fn the_ufw_host_is_all_ufw() {
    let ruleset = host("ufw");
    let found = owned(&ruleset);
    assert_eq!(found.len(), 1, "{found:#?}");
    let ufw = &found[0];
    assert_eq!(ufw.owner, Owner::Ufw);
    assert_eq!(ufw.chains.len(), 32);
    assert!(ufw.owns_chain(TableName::Filter, "ufw-user-input"));
    // Every rule of INPUT, FORWARD and OUTPUT is a jump into a ufw chain.
    assert_eq!(ufw.rules.len(), 18);
    assert_eq!(ufw.rules[0].to_string(), "INPUT rule 1");
    assert!(ufw.on_export.contains("ufw disable"));
}

#[test]
fn the_docker_host_has_docker_chains_in_filter_and_nat() {
    let ruleset = host("docker");
    let found = owned(&ruleset);
    assert_eq!(found.iter().map(|owned| owned.owner).collect::<Vec<_>>(), [Owner::Docker]);
    assert_eq!(
        names(&ruleset, Owner::Docker),
        ["filter/DOCKER", "filter/DOCKER-ISOLATION-STAGE-1", "filter/DOCKER-ISOLATION-STAGE-2", "filter/DOCKER-USER", "nat/DOCKER"]
    );
    let docker = &found[0];
    let rules: Vec<String> = docker.rules.iter().map(|loc| format!("{}/{loc}", loc.table)).collect();
    // FORWARD's jumps and its rules on docker0 and the user bridge; nat's jumps and the
    // MASQUERADE of container traffic. INPUT's own rules (lo, SSH, ping) are the admin's.
    assert!(rules.contains(&"filter/FORWARD rule 1".to_owned()), "{rules:?}");
    assert!(rules.contains(&"filter/FORWARD rule 10".to_owned()), "{rules:?}");
    assert!(rules.contains(&"nat/PREROUTING rule 1".to_owned()), "{rules:?}");
    assert!(rules.contains(&"nat/POSTROUTING rule 2".to_owned()), "{rules:?}");
    assert!(!rules.iter().any(|rule| rule.starts_with("filter/INPUT")), "{rules:?}");
    assert!(docker.on_export.contains("filter and nat tables") && docker.on_export.contains("DOCKER-USER"));
}

#[test]
fn the_fail2ban_host_freezes_its_bans() {
    let ruleset = host("fail2ban");
    let found = owned(&ruleset);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].owner, Owner::Fail2ban);
    assert_eq!(names(&ruleset, Owner::Fail2ban), ["filter/f2b-nginx-http-auth", "filter/f2b-postfix", "filter/f2b-sshd"]);
    assert_eq!(found[0].rules_in_chains, 7);
    assert_eq!(found[0].rules.iter().map(ToString::to_string).collect::<Vec<_>>(), ["INPUT rule 1", "INPUT rule 2", "INPUT rule 3"]);
    assert!(found[0].on_export.contains("frozen into static rules that never expire"));
}

#[test]
fn findings_carry_the_codes_and_point_at_the_jumps() {
    for (name, slug, line_start) in [
        ("ufw", "owned-by-ufw", "-A INPUT -j ufw-before-logging-input"),
        ("docker", "owned-by-docker", "-A FORWARD -j DOCKER-USER"),
        ("fail2ban", "owned-by-fail2ban", "-A INPUT -p tcp -m multiport --dports 80,443 -j f2b-nginx-http-auth"),
    ] {
        let path = format!("{}/../tests/corpus/import/{name}-host.rules", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap();
        let ruleset = import(&text, None).value.rulesets.remove(0);
        let findings = owner_findings(&ruleset);
        assert_eq!(findings.len(), 1, "{name}");
        let finding = &findings[0];
        assert_eq!(finding.diagnostic.code.slug(), slug);
        assert_eq!(finding.diagnostic.severity, Severity::Warning);
        let span = finding.diagnostic.span;
        assert_eq!(&text[span.start..span.end], line_start, "{name}");
        assert!(finding.diagnostic.help.as_ref().unwrap().contains("Loading rules.v4/rules.v6 by hand replaces the whole"));
        assert_eq!(finding.related.len() + 1, owned(&ruleset)[0].rules.len());
    }
}

#[test]
fn firewalld_kube_proxy_libvirt_and_cilium() {
    let text = "*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:CILIUM_INPUT - [0:0]
:FORWARD_IN_ZONES - [0:0]
:INPUT_ZONES - [0:0]
:INPUT_direct - [0:0]
:IN_public - [0:0]
:IN_public_allow - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
:LIBVIRT_INP - [0:0]
-A INPUT -j LIBVIRT_INP
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j INPUT_direct
-A INPUT -j INPUT_ZONES
-A INPUT -j KUBE-FIREWALL
-A INPUT -m comment --comment \"cilium-feeder: CILIUM_INPUT\" -j CILIUM_INPUT
-A FORWARD -i virbr0 -o virbr0 -j ACCEPT
-A FORWARD -j FORWARD_IN_ZONES
-A INPUT_ZONES -g IN_public
-A IN_public -j IN_public_allow
-A IN_public_allow -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW,UNTRACKED -j ACCEPT
-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 53 -j ACCEPT
COMMIT
";
    let parsed = import(text, None);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    let ruleset = &parsed.value.rulesets[0];
    let found = owned(ruleset);
    let owners: Vec<Owner> = found.iter().map(|owned| owned.owner).collect();
    assert_eq!(owners, [Owner::Firewalld, Owner::KubeProxy, Owner::Libvirt, Owner::Cilium]);
    assert_eq!(names(ruleset, Owner::Firewalld), ["filter/FORWARD_IN_ZONES", "filter/INPUT_ZONES", "filter/INPUT_direct", "filter/IN_public", "filter/IN_public_allow"]);
    let libvirt = found.iter().find(|owned| owned.owner == Owner::Libvirt).unwrap();
    assert_eq!(libvirt.rules.iter().map(ToString::to_string).collect::<Vec<_>>(), ["INPUT rule 1", "FORWARD rule 1"]);
    let codes: Vec<&str> = owner_findings(ruleset).iter().map(|finding| finding.diagnostic.code.as_str()).collect();
    assert_eq!(codes, ["L024", "L025", "L026", "L027"]);
}

#[test]
fn zone_like_names_alone_are_not_firewalld_and_a_wizard_design_owns_nothing() {
    let text = "*filter\n:INPUT ACCEPT [0:0]\n:IN_office - [0:0]\n-A INPUT -j IN_office\nCOMMIT\n";
    assert!(owned(&import(text, None).value.rulesets[0]).is_empty());
    let mut design = portcullis_engine::design::Design::default();
    design.allow(portcullis_engine::design::ServiceId::SSH, vec![]);
    for family in Family::ALL {
        assert!(owned(&design.compile(family)).is_empty());
    }
}
