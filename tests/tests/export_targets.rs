//! The commands, nft and script exports judged by the real tools in throwaway namespaces:
//! the commands leave exactly the ruleset `iptables-save` prints; the nft file passes `nft -c`
//! and loads (twice); the script passes `bash -n` and `shellcheck`, applies the rules, rolls back
//! to the exact previous ruleset without a confirmation, keeps them with one from a new session,
//! and refuses one from the applying session.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use portcullis_e2e::apply::{confirm, normalized, save_tool, saved, temp_dir, Run};
use portcullis_e2e::fixtures::{every_service_design, router_design, slice_design};
use portcullis_e2e::iptables::check_shell_script;
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::design::Design;
use portcullis_engine::export::script::{self, Distro, ScriptOptions};
use portcullis_engine::export::{commands, nft, save};
use portcullis_engine::model::{Family, Ruleset};

/// A canary the injected comment tries to create: it must never exist.
fn canary(dir: &Path) -> PathBuf {
    dir.join("canary")
}

/// Hand-written rulesets beyond what the designer makes: user chains, nat, log, reject, limits,
/// and a comment full of quotes, shell syntax and unicode.
fn tricky(dir: &Path) -> (Ruleset, Ruleset) {
    let canary = canary(dir).display().to_string();
    let v4 = format!(
        r#"*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:LOGDROP - [0:0]
:ufw-user-input - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 1/sec --limit-burst 4 -j ACCEPT
-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 -m comment --comment "it's \"quoted\" $(touch {canary}) `touch {canary}`; ü ✓" -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
-A INPUT -i eth+ -p udp -m udp --dport 53 -j ufw-user-input
-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j LOGDROP
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with icmp-host-prohibited
-A LOGDROP -m limit --limit 5/min -j LOG --log-prefix "dropped 'x': " --log-level 6
-A LOGDROP -j DROP
-A ufw-user-input -s 198.51.100.0/24 -j RETURN
-A ufw-user-input -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080
-A PREROUTING -i eth0 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.10:22
-A POSTROUTING -s 192.168.1.0/24 -o eth0 -j MASQUERADE
-A POSTROUTING -s 10.0.0.0/8 -o eth1 -j SNAT --to-source 192.0.2.1
COMMIT
"#
    );
    let v6 = r#"*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:ufw-user-input - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT
-A INPUT -s 2001:db8:1::7/128 -p tcp -m tcp --dport 22 -m comment --comment "v6 'admin' ü" -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443,8000:8080 -j ACCEPT
-A INPUT -i eth+ -p udp -m udp --dport 53 -j ufw-user-input
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with icmp6-adm-prohibited
-A ufw-user-input -s 2001:db8:5::/48 -j RETURN
-A ufw-user-input -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 8080
-A POSTROUTING -s fd00::/8 -o eth0 -j MASQUERADE
COMMIT
"#;
    let read = |text: &str, family| {
        let parsed = portcullis_engine::import::import(text, Some(family));
        assert!(!parsed.has_errors(), "fixture does not import: {:?}", parsed.diagnostics);
        parsed.value.ruleset(family).cloned().expect("the fixture has this family")
    };
    (read(&v4, Family::V4), read(v6, Family::V6))
}

fn pairs(dir: &Path) -> Vec<(&'static str, Ruleset, Ruleset)> {
    let design = |design: Design| (design.compile(Family::V4), design.compile(Family::V6));
    let mut all = Vec::new();
    for (name, (v4, v6)) in [
        ("empty", design(Design::default())),
        ("slice", design(slice_design())),
        ("every service", design(every_service_design())),
        ("router", design(router_design())),
        ("tricky", tricky(dir)),
    ] {
        all.push((name, v4, v6));
    }
    all
}

#[test]
fn commands_rebuild_exactly_the_ruleset_in_a_fresh_namespace() {
    if !can_run("commands export", &[Need::Root, Need::Program("ip"), Need::Program("iptables"), Need::Program("bash")]) {
        return;
    }
    let dir = temp_dir("commands");
    for (name, v4, v6) in pairs(&dir) {
        let netns = Netns::create("cmds").expect("namespace");
        for ruleset in [&v4, &v6] {
            let text = commands::render(ruleset);
            netns.exec_with_input("bash", &["-e", "-s"], Some(&text)).unwrap_or_else(|error| panic!("{name}: {error}\n{text}"));
            let saved = netns.exec(save_tool(ruleset.family), &[]).expect("save");
            assert_eq!(normalized(&saved), save::render_tables(ruleset), "{name} {}: the commands left another ruleset", ruleset.family);
        }
    }
    assert!(!canary(&dir).exists(), "a comment reached the shell");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nft_files_pass_nft_check_and_load_twice() {
    if !can_run("nft export", &[Need::Root, Need::Program("ip"), Need::Program("nft")]) {
        return;
    }
    let dir = temp_dir("nft");
    for (name, v4, v6) in pairs(&dir) {
        let export = nft::render(&v4, &v6).unwrap_or_else(|error| panic!("{name}: {error}"));
        let file = dir.join("rules.nft");
        std::fs::write(&file, &export.text).expect("write");
        let path = file.to_str().expect("utf-8 path");
        let netns = Netns::create("nft").expect("namespace");
        netns.exec("nft", &["-c", "-f", path]).unwrap_or_else(|error| panic!("{name}: nft -c refused: {error}\n{}", export.text));
        netns.exec("nft", &["-f", path]).unwrap_or_else(|error| panic!("{name}: nft -f refused: {error}"));
        let first = netns.exec("nft", &["list", "table", "inet", "portcullis"]).expect("list");
        netns.exec("nft", &["-f", path]).unwrap_or_else(|error| panic!("{name}: loading again failed: {error}"));
        let second = netns.exec("nft", &["list", "table", "inet", "portcullis"]).expect("list");
        assert_eq!(first, second, "{name}: loading twice must leave one copy");
        assert!(first.contains("hook input"), "{name}: {first}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn scripts_pass_bash_n_and_shellcheck_for_every_distribution() {
    if !can_run("script export", &[Need::Program("bash"), Need::Program("shellcheck")]) {
        return;
    }
    let dir = temp_dir("script-lint");
    let router = router_design();
    for (name, (v4, v6)) in [("tricky", tricky(&dir)), ("router", (router.compile(Family::V4), router.compile(Family::V6)))] {
        for distro in Distro::ALL {
            let options = ScriptOptions { distro, ..ScriptOptions::default() };
            let text = script::render(&v4, &v6, &options).expect("script");
            let file = dir.join(format!("apply-{name}-{distro}.sh"));
            std::fs::write(&file, text).expect("write");
            check_shell_script(&file).unwrap_or_else(|error| panic!("{name} {distro}: {error}"));
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// `ruleset` in the owned chains the script loads.
fn owned_form(ruleset: &Ruleset) -> Ruleset {
    portcullis_engine::export::owned::owned(ruleset).expect("owned form").ruleset
}

/// What loading `owned` beside `old` leaves, when every rule of `old`'s built-in chains belongs
/// to another tool: `old`'s rules, then the hooks; `owned`'s policies; both sets of user chains.
fn beside(old: &Ruleset, owned: &Ruleset) -> Ruleset {
    let mut merged = old.clone();
    for table in &owned.tables {
        let Some(at) = merged.tables.iter().position(|kept| kept.name == table.name) else {
            merged.tables.push(table.clone());
            continue;
        };
        let kept = &mut merged.tables[at];
        for chain in &table.chains {
            match kept.chain_mut(&chain.name) {
                Some(existing) if chain.name.builtin().is_some() => {
                    existing.policy = chain.policy;
                    existing.rules.extend(chain.rules.iter().cloned());
                }
                Some(_) => {}
                None => kept.chains.push(chain.clone()),
            }
        }
    }
    merged
}

#[test]
fn the_script_applies_rolls_back_and_keeps_only_confirmed_rules() {
    if !can_run(
        "script run in a namespace",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("setsid"), Need::Program("nft")],
    ) {
        return;
    }
    let dir = temp_dir("script-run");
    let (v4, v6) = tricky(&dir);
    let text = script::render(&v4, &v6, &ScriptOptions { rollback_seconds: 120, ..ScriptOptions::default() }).expect("script");
    let script = dir.join("apply.sh");
    std::fs::write(&script, text).expect("write");
    let netns = Netns::create("script").expect("namespace");
    // An earlier firewall on IPv4 (another tool's chain, a rule), nothing at all on IPv6.
    let old = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:DOCKER-USER - [0:0]\n-A INPUT -s 192.0.2.1/32 -j DOCKER-USER\n-A DOCKER-USER -j DROP\nCOMMIT\n";
    netns.exec_with_input("iptables-restore", &[], Some(old)).expect("old rules");
    let before = saved(&netns);
    let old = portcullis_engine::import::import(old, Some(Family::V4)).value.rulesets.remove(0);
    let expected = (save::render_tables(&beside(&old, &owned_form(&v4))), save::render_tables(&owned_form(&v6)));

    // 1. No confirmation: applied, then rolled back to exactly what was there.
    let mut run = Run::start(&netns, &script, &dir, 3);
    run.confirm_command();
    assert_eq!(saved(&netns), expected, "the applied rules differ from the owned chains beside the old rules");
    let (code, output) = run.wait();
    assert_eq!(code, Some(3), "{output}");
    assert!(output.contains("NOT CONFIRMED"), "{output}");
    assert!(output.contains("iptables backend: nf_tables") || output.contains("iptables backend: legacy"), "{output}");
    assert!(output.contains("chains of other tools, kept exactly as they are: DOCKER-USER"), "{output}");
    assert!(output.contains("plan (IPv4): filter: INPUT jumps to PORTCULLIS-INPUT after the 1 rule(s) of other tools"), "{output}");
    assert_eq!(saved(&netns), before, "the rollback did not restore the previous rules exactly");

    // 2. A confirmation from the applying session is refused; the rules still roll back.
    let mut run = Run::start(&netns, &script, &dir, 4);
    let (path, token) = run.confirm_command();
    let refused = confirm(&path, &token, false);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("REFUSED"), "{refused:?}");
    let (code, output) = run.wait();
    assert_eq!(code, Some(3), "{output}");
    assert_eq!(saved(&netns), before);

    // 3. A confirmation from a new session keeps the rules.
    let mut run = Run::start(&netns, &script, &dir, 20);
    let (path, token) = run.confirm_command();
    let accepted = confirm(&path, &token, true);
    assert!(accepted.status.success(), "{accepted:?}");
    let (code, output) = run.wait();
    assert_eq!(code, Some(0), "{output}");
    assert!(output.contains("to undo: iptables-restore <"), "{output}");
    assert_eq!(saved(&netns), expected, "confirmed rules must stay");

    assert!(!canary(&dir).exists(), "a comment reached the shell");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn quoted_words_reach_programs_byte_for_byte() {
    if !can_run("shell quoting", &[Need::Program("bash"), Need::Program("sh")]) {
        return;
    }
    let mut words: Vec<String> = [
        "",
        " ",
        "plain",
        "it's",
        "''",
        "\"",
        "\\",
        "$(touch x)",
        "`id`",
        "${HOME}",
        "a;b|c&d",
        "#not a comment",
        "line\nbreak",
        "tab\there",
        "ü ✓ 日本",
        "*",
        "~",
        "!event",
        "-j",
        "--comment=x",
        "%s",
        "a'b'c",
        "'\\''",
    ]
    .iter()
    .map(|word| (*word).to_owned())
    .collect();
    // Every printable ASCII character, alone and in a word.
    words.extend((b' '..=b'~').map(|byte| format!("{0}x{0}", char::from(byte))));
    let quoted: Vec<String> = words.iter().map(|word| commands::quote(word)).collect();
    for shell in ["bash", "sh"] {
        let script = format!("printf '%s\\0' {}", quoted.join(" "));
        let output = Command::new(shell).args(["-c", &script]).output().expect("shell runs");
        assert!(output.status.success(), "{shell}: {}", String::from_utf8_lossy(&output.stderr));
        let received: Vec<String> = String::from_utf8(output.stdout).expect("UTF-8").split_terminator('\0').map(str::to_owned).collect();
        assert_eq!(received, words, "{shell} received other words");
    }
}

/// Shell syntax in every free-text slot a ruleset has: user chain names, interface names, log
/// prefixes and comments (quotes, `$(…)`, backticks, `;`, `|`, `&`, `${…}`, unicode, a long one).
/// Names cannot hold blanks, so their payloads use `${IFS}`, and create `c` in the working
/// directory if ever run; the comment creates the absolute canary.
fn hostile(dir: &Path, family: Family) -> Ruleset {
    let canary = canary(dir).display().to_string();
    let long = "ü✓".repeat(50);
    let text = format!(
        r#"*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:$(touch${{IFS}}c) - [0:0]
:`touch${{IFS}}c` - [0:0]
:;touch${{IFS}}c;|x& - [0:0]
:'$(touch${{IFS}}c)' - [0:0]
:ü✓日本 - [0:0]
-A INPUT -i $(touch${{IFS}}c) -j ACCEPT
-A INPUT -i `touch${{IFS}}c` -j ACCEPT
-A OUTPUT -o ;touch${{IFS}}c; -j ACCEPT
-A INPUT -j $(touch${{IFS}}c)
-A INPUT -j `touch${{IFS}}c`
-A INPUT -j ;touch${{IFS}}c;|x&
-A INPUT -j '$(touch${{IFS}}c)'
-A INPUT -j ü✓日本
-A INPUT -m limit --limit 1/sec -j LOG --log-prefix "$(touch${{IFS}}c) "
-A INPUT -m limit --limit 1/sec -j LOG --log-prefix "`touch c`;'x' \"q\""
-A INPUT -m comment --comment "$(touch {canary}) `touch {canary}` 'x' \"y\" ; | & ${{HOME}} \\ ü ✓" -j ACCEPT
-A INPUT -m comment --comment "{long}" -j ACCEPT
COMMIT
"#
    );
    let parsed = portcullis_engine::import::import(&text, Some(family));
    assert!(!parsed.has_errors(), "the hostile fixture does not import: {:?}", parsed.diagnostics);
    parsed.value.ruleset(family).cloned().expect("the fixture has this family")
}

#[test]
fn shell_syntax_in_every_free_text_slot_stays_inert_in_commands_and_script() {
    if !can_run(
        "injection corpus in namespaces",
        &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("setsid"), Need::Program("shellcheck")],
    ) {
        return;
    }
    let dir = temp_dir("hostile");
    let (v4, v6) = (hostile(&dir, Family::V4), hostile(&dir, Family::V6));
    // The commands, run by bash in a fresh namespace (working directory: the canary folder).
    for ruleset in [&v4, &v6] {
        let netns = Netns::create("hostile-cmds").expect("namespace");
        let text = commands::render(ruleset);
        let mut child = Command::new("ip")
            .args(["netns", "exec", netns.name(), "bash", "-e", "-s"])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bash runs");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), text.as_bytes()).expect("write");
        let output = child.wait_with_output().expect("bash ends");
        assert!(output.status.success(), "{}: {}\n{text}", ruleset.family, String::from_utf8_lossy(&output.stderr));
        let saved = netns.exec(save_tool(ruleset.family), &[]).expect("save");
        assert_eq!(normalized(&saved), save::render_tables(ruleset), "{}: the commands left another ruleset", ruleset.family);
    }
    // The apply script: linted, run, confirmed from a new session; the rules arrive byte for byte.
    let text = script::render(&v4, &v6, &ScriptOptions { rollback_seconds: 30, ..ScriptOptions::default() }).expect("script");
    let script = dir.join("apply.sh");
    std::fs::write(&script, text).expect("write");
    check_shell_script(&script).unwrap_or_else(|error| panic!("{error}"));
    let netns = Netns::create("hostile-script").expect("namespace");
    let mut run = Run::start(&netns, &script, &dir, 30);
    let (path, token) = run.confirm_command();
    let accepted = confirm(&path, &token, true);
    assert!(accepted.status.success(), "{accepted:?}");
    let (code, output) = run.wait();
    assert_eq!(code, Some(0), "{output}");
    let expected = (save::render_tables(&owned_form(&v4)), save::render_tables(&owned_form(&v6)));
    assert_eq!(saved(&netns), expected, "the rules must arrive byte for byte");
    for file in [canary(&dir), dir.join("c")] {
        assert!(!file.exists(), "{} exists: text from the rules reached the shell", file.display());
    }
    let _ = std::fs::remove_dir_all(dir);
}
