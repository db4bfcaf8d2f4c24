//! The lint of realistic dumps of a ufw host, a Docker host and a fail2ban host
//! (`tests/corpus/import/*-host.rules`): every finding pinned, so a false finding shows here
//! first. ufw's `ufw-not-local` chain RETURNs only packets with `-m addrtype --dst-type LOCAL`
//! (or MULTICAST, BROADCAST) and drops the rest: the engine must know that every packet on INPUT
//! is addressed to the host, or it sees ufw lock the admin out.

#![allow(clippy::unwrap_used)] // fixtures are test data: stop where they fail

use portcullis_engine::analysis::{lint, LintOptions};
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::import::import;
use portcullis_engine::model::Ruleset;
use portcullis_engine::simulate::{simulate, Packet, Verdict};

fn host_text(name: &str) -> String {
    let path = format!("{}/../tests/corpus/import/{name}-host.rules", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn ruleset(text: &str) -> Ruleset {
    let parsed = import(text, None);
    assert!(!parsed.diagnostics.iter().any(|d| d.severity == Severity::Error), "{:#?}", parsed.diagnostics);
    parsed.value.rulesets.into_iter().next().unwrap()
}

fn admin() -> LintOptions {
    LintOptions { admin_ssh_port: 22, admin_from: vec!["198.51.100.0/24".parse().unwrap()], ..LintOptions::default() }
}

/// The codes found, in order, and each finding as text for messages.
fn codes(ruleset: &Ruleset, options: &LintOptions) -> (Vec<&'static str>, String) {
    let findings = lint(ruleset, options);
    let text = findings.iter().map(|f| format!("{} {}", f.diagnostic.code.as_str(), f.diagnostic.message)).collect::<Vec<_>>().join("\n");
    (findings.iter().map(|f| f.diagnostic.code.as_str()).collect(), text)
}

#[test]
fn the_ufw_host_lets_the_admin_in() {
    let ufw = ruleset(&host_text("ufw"));
    for options in [LintOptions::default(), admin()] {
        let (found, text) = codes(&ufw, &options);
        // Eight chains ufw declares but does not use in this configuration (logging off, no
        // `limit` rule), and HTTP open to everyone: true, and nothing else.
        assert_eq!(found, [vec!["L006"; 8], vec!["L014"]].concat(), "{text}");
        assert!(text.contains("HTTP (TCP 80)"), "{text}");
    }
    // The simulator agrees, with no uncertain match on the way: ufw-not-local returns the SYN.
    let syn = Packet::parse("tcp 203.0.113.7:40000 -> 198.51.100.1:22 in eth0 syn new").unwrap();
    let result = simulate(&ufw, &syn);
    assert!(result.is_certain(), "{:?}", result.outcomes);
    let decided = result.outcomes[0].decided_by.as_ref().unwrap();
    assert_eq!((result.verdict(), decided.chain.as_str(), decided.index), (Some(Verdict::Accept), "ufw-user-input", Some(1)));
}

#[test]
fn the_ufw_host_still_locks_out_when_ssh_is_dropped() {
    let allow = "-A ufw-user-input -p tcp -m tcp --dport 22 -m comment --comment \"\\'dapp_OpenSSH\\'\" -j ACCEPT";
    let original = host_text("ufw");
    assert!(original.contains(allow));
    // SSH no longer allowed: the INPUT policy drops it after ufw's chains.
    let closed = ruleset(&original.replace(allow, ""));
    // SSH denied by a rule of ufw-user-input.
    let denied = ruleset(&original.replace(allow, "-A ufw-user-input -p tcp -m tcp --dport 22 -j DROP"));
    for (ruleset, chain, index) in [(&closed, "INPUT", None), (&denied, "ufw-user-input", Some(1))] {
        for options in [LintOptions::default(), admin()] {
            let findings = lint(ruleset, &options);
            let lockout = findings.iter().find(|f| f.diagnostic.code.as_str() == "L007").unwrap_or_else(|| panic!("no lockout: {findings:#?}"));
            let expect = lockout.expect.as_ref().unwrap();
            assert_eq!((expect.verdict, expect.decided_by.chain.as_str(), expect.decided_by.index), (Verdict::Drop, chain, index));
            let replay = simulate(ruleset, lockout.witness.as_ref().unwrap());
            assert_eq!(replay.verdict(), Some(Verdict::Drop), "{:?}", replay.outcomes);
        }
    }
}

#[test]
fn the_docker_and_fail2ban_hosts() {
    // Docker: INPUT accepts SSH without dropping INVALID first (true). fail2ban: nothing.
    let (docker, text) = codes(&ruleset(&host_text("docker")), &admin());
    assert_eq!(docker, ["L010"], "{text}");
    let fail2ban = ruleset(&host_text("fail2ban"));
    let (found, text) = codes(&fail2ban, &admin());
    assert!(found.is_empty(), "{text}");
    // An admin network fail2ban has banned addresses of is locked out (for those addresses).
    let banned = LintOptions { admin_from: vec!["203.0.113.0/24".parse().unwrap()], ..admin() };
    let findings = lint(&fail2ban, &banned);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0].witness.as_ref().unwrap().source.to_string(), "203.0.113.45");
}
