//! Surveys of real-looking pastes from Debian 12, Ubuntu 24.04, RHEL 9 and Alpine (files in
//! `engine/tests/data/survey/`).

use super::*;
use crate::design::ServiceId;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/data/survey/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn opened(design: &crate::design::Design) -> Vec<&'static str> {
    design.services().map(|(service, _)| service.as_str()).collect()
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|diagnostic| diagnostic.code.slug()).collect()
}

#[test]
fn debian_12_web_server() {
    let found = survey(&fixture("debian12.txt"));
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    assert_eq!(found.listeners.len(), 11);
    assert_eq!(found.interfaces.iter().map(|interface| interface.name.as_str()).collect::<Vec<_>>(), ["lo", "eth0"]);
    assert!(found.tools.is_empty());
    let (design, choices) = found.design();
    assert_eq!(opened(&design), ["ssh", "http", "https"]);
    let said: Vec<&str> = choices.iter().map(|choice| choice.text.as_str()).collect();
    assert!(said.iter().any(|text| text.starts_with("TCP 5432 (postgres on 127.0.0.1:5432): listens on loopback only")), "{said:#?}");
    assert!(said.iter().any(|text| text.starts_with("UDP 68 (dhclient on 0.0.0.0:68): the DHCP client → no rule needed")), "{said:#?}");
    assert!(found.conflicts(&design).is_empty(), "{:?}", found.conflicts(&design));
}

#[test]
fn ubuntu_24_04_with_docker_fail2ban_and_a_database() {
    let text = fixture("ubuntu2404.txt");
    let found = survey(&text);
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    assert_eq!(found.tools, ["Docker", "fail2ban"]);
    assert_eq!(found.published, [PublishedPort { protocol: "tcp".to_owned(), port: 8080, to: "172.17.0.2:80".to_owned() }]);
    assert_eq!(found.interfaces[1].addresses.len(), 3, "`metric 100` is not an address");
    let (design, choices) = found.design();
    assert_eq!(opened(&design), ["ssh", "node-exporter"], "MySQL must not face the internet; 8080 is Docker's: {choices:#?}");
    assert!(choices.iter().any(|choice| choice.text.contains("opened for everyone; better restricted to trusted sources")), "{choices:#?}");
    assert_eq!(design.published_ports().len(), 1);
    assert!(choices.iter().any(|choice| choice.text.contains("MySQL / MariaDB must not face the internet → left closed")), "{choices:#?}");
    assert!(choices.iter().any(|choice| choice.text.starts_with("TCP 8080 (docker-proxy on 0.0.0.0:8080): a port Docker publishes")), "{choices:#?}");
    let conflicts = found.conflicts(&design);
    assert_eq!(codes(&conflicts), ["survey-closed-listener"], "{conflicts:?}");
    let line = &text[conflicts[0].span.start..conflicts[0].span.end];
    assert!(line.contains("mysqld"), "the conflict points at its line: {line}");
    // A design that opens HTTPS with nothing listening, and no containers choice.
    let mut other = crate::design::Design::default();
    other.allow(ServiceId::HTTPS, vec![]);
    let conflicts = found.conflicts(&other);
    assert!(codes(&conflicts).contains(&"survey-nothing-listens") && codes(&conflicts).contains(&"survey-published-port"), "{conflicts:?}");
}

#[test]
fn rhel_9_with_ssh_on_its_own_port() {
    let found = survey(&fixture("rhel9.txt"));
    assert!(found.diagnostics.is_empty(), "{:?}", found.diagnostics);
    let (design, choices) = found.design();
    assert_eq!(opened(&design), ["https"], "{choices:#?}");
    let custom: Vec<String> = design.custom_services().map(|(service, _)| service.name().to_string()).collect();
    assert_eq!(custom, ["ssh-2222"]);
    assert!(found.listeners.iter().any(|listener| listener.bind == Bind::Address("192.0.2.10".parse().unwrap())));
}

#[test]
fn alpine_busybox_netstat_with_cut_and_stray_lines() {
    let text = fixture("alpine.txt");
    let found = survey(&text);
    assert_eq!(codes(&found.diagnostics), ["survey-unreadable-line", "survey-unrecognised-line", "survey-unreadable-line"]);
    let cut = &found.diagnostics[0];
    assert_eq!(&text[cut.span.start..cut.span.end], "tcp        0      0 0.0.0.0:30");
    assert!(found.diagnostics[2].message.contains("`http`"), "{}", found.diagnostics[2].message);
    let sshd = &found.listeners[0];
    assert_eq!((sshd.process.as_deref(), sshd.pid), (Some("sshd"), Some(2011)));
    assert_eq!(found.listeners[1].process.as_deref(), Some("nginx"));
    let (design, choices) = found.design();
    assert_eq!(opened(&design), ["ssh", "http", "wireguard"], "{choices:#?}");
    assert!(choices.iter().any(|choice| choice.text.starts_with("UDP 51820 (on 0.0.0.0:51820): WireGuard")), "a port without a program: {choices:#?}");
    assert!(choices.iter().any(|choice| choice.text.starts_with("TCP 6379 (redis-server on 127.0.0.1:6379): listens on loopback only")), "{choices:#?}");
}

#[test]
fn garbage_and_dump_errors_are_reported_where_they_are() {
    let found = survey("just some text\nand more\n");
    assert_eq!(codes(&found.diagnostics), ["survey-unrecognised-line", "survey-unrecognised-line", "survey-nothing-recognised"]);
    let text = "ip -br addr\neth0 UP 192.0.2.1/24\n*filter\n:INPUT DENY [0:0]\nCOMMIT\n";
    let found = survey(text);
    let bad = found.diagnostics.iter().find(|diagnostic| diagnostic.code == Code::BadChainDeclaration).expect("the dump's error");
    assert!(text[bad.span.start..].starts_with(":INPUT DENY"), "the dump's span is moved to the paste: {:?}", bad.span);
    assert!(survey("").diagnostics.is_empty());
    let hostile = "\0\u{202e}tcp LISTEN 0 1 [::]:99999 x\n".repeat(3);
    assert_eq!(survey(&hostile).listeners.len(), 0);
}
