//! `portcullis lint` and `portcullis matrix`, run as a user would, over the lint fixtures
//! (`tests/corpus/lint/<kind>/{fail,pass}.rules`).

use std::process::Command;

const ADMIN: [&str; 4] = ["--admin-from", "203.0.113.0/24", "--admin-from", "2001:db8:1::/48"];

fn portcullis(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis")).args(args).output().expect("the binary runs")
}

fn corpus(path: &str) -> String {
    format!("{}/../tests/corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn kinds(path: &str) -> Vec<String> {
    let mut args = vec!["lint", "--format", "json", path];
    args.extend(ADMIN);
    let output = portcullis(&args);
    assert!(matches!(output.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&output.stderr));
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    items.as_array().expect("an array").iter().map(|item| item["kind"].as_str().expect("a kind").to_owned()).collect()
}

fn fixture_kinds() -> Vec<String> {
    let mut kinds: Vec<String> = std::fs::read_dir(corpus("lint"))
        .expect("the lint fixtures")
        .map(|entry| entry.expect("a fixture folder").file_name().to_string_lossy().into_owned())
        .collect();
    kinds.sort();
    kinds
}

#[test]
fn every_fail_fixture_triggers_its_kind_and_no_pass_fixture_does() {
    let kinds_seen = fixture_kinds();
    assert!(kinds_seen.len() >= 17, "{kinds_seen:?}");
    for kind in kinds_seen {
        let dir = corpus(&format!("lint/{kind}"));
        let mut files: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|entry| entry.unwrap().path().display().to_string()).collect();
        files.sort();
        for file in files {
            let found = kinds(&file);
            // By the file's own name: a kind may hold `fail` (`fail2ban-order`).
            let name = std::path::Path::new(&file).file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            if name.starts_with("fail") {
                assert!(found.contains(&kind), "{file} should trigger {kind}: {found:?}");
            } else {
                assert!(!found.contains(&kind), "{file} should not trigger {kind}: {found:?}");
            }
        }
    }
}

#[test]
fn fail_fixtures_print_code_frames_with_witnesses() {
    for kind in fixture_kinds() {
        let path = corpus(&format!("lint/{kind}/fail.rules"));
        let mut args = vec!["lint", path.as_str()];
        args.extend(ADMIN);
        let output = portcullis(&args);
        let text = String::from_utf8(output.stdout).unwrap().replace(&corpus(""), "tests/corpus/");
        insta::assert_snapshot!(format!("lint-{kind}"), text);
    }
}

#[test]
fn lint_json_carries_the_witness_and_exit_codes_follow_severity() {
    let mut args = vec!["lint", "--format", "json"];
    let path = corpus("lint/lockout/fail.rules");
    args.push(&path);
    args.extend(ADMIN);
    let output = portcullis(&args);
    assert_eq!(output.status.code(), Some(1), "a lockout is an error");
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let lockout = items.as_array().unwrap().iter().find(|item| item["kind"] == "lockout").unwrap();
    for key in ["code", "kind", "severity", "message", "line", "column", "help", "witness"] {
        assert!(lockout.get(key).is_some(), "{key} missing in {lockout}");
    }
    let witness = lockout["witness"].as_str().unwrap();
    assert!(witness.starts_with("tcp 203.0.113.") && witness.contains(":22 "), "{witness}");
    // The witness text is a packet `simulate` reads.
    assert!(portcullis_engine::simulate::Packet::parse(witness).is_ok());
    let clean = corpus("lint/lockout/pass.rules");
    let mut args = vec!["lint", clean.as_str()];
    args.extend(ADMIN);
    assert_eq!(portcullis(&args).status.code(), Some(0));
    assert_eq!(portcullis(&["lint", "/nonexistent"]).status.code(), Some(2));
    assert_eq!(portcullis(&["lint", &clean, "--admin-from", "not-a-net"]).status.code(), Some(2));
}

#[test]
fn matrix_partitions_sources_per_port() {
    let path = corpus("lint/redundant-rule/pass.rules");
    let output = portcullis(&["matrix", "--format", "json", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let tables: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = tables[0]["rows"].as_array().unwrap();
    let https = rows.iter().find(|row| row["port"] == 443).unwrap();
    let classes = https["classes"].as_array().unwrap();
    assert_eq!(classes[0]["sources"][0], "198.51.100.0/24");
    assert_eq!(classes[0]["verdict"], "ACCEPT");
    assert_eq!(classes.last().unwrap()["verdict"], "DROP");
    let text = portcullis(&["matrix", &path]);
    let text = String::from_utf8(text.stdout).unwrap();
    insta::assert_snapshot!("matrix-redundant-pass", text);
}

#[test]
fn a_design_file_is_linted_in_both_families_without_errors() {
    let design = portcullis(&["design", "--preset", "web-mail"]);
    let dir = std::env::temp_dir().join(format!("portcullis-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("web-mail.json");
    std::fs::write(&path, &design.stdout).unwrap();
    let output = portcullis(&["lint", "--format", "json", path.to_str().unwrap(), "--admin-from", "203.0.113.7"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stdout));
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let families: Vec<&str> = items.as_array().unwrap().iter().filter_map(|item| item["family"].as_str()).collect();
    assert!(families.contains(&"v4") && families.contains(&"v6"), "{items}");
    let matrix = portcullis(&["matrix", "--format", "json", path.to_str().unwrap()]);
    let tables: serde_json::Value = serde_json::from_slice(&matrix.stdout).unwrap();
    assert_eq!(tables.as_array().unwrap().len(), 2);
}

/// A design's own DOCKER-USER chain is not another tool's; its published container ports are
/// facts the lints use: opening one on INPUT is the Docker bypass.
#[test]
fn a_design_with_containers_is_linted_with_its_published_ports() {
    let dir = std::env::temp_dir().join(format!("portcullis-lint-docker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("docker.json");
    let design = r#"{"version":6,"services":[{"service":"ssh","sources":["203.0.113.7"]}],
        "custom_services":[{"name":"web-app","protocol":"tcp","ports":"8080"}],
        "containers":{"exposure":"host-only","protocol":"tcp","ports":"8080"}}"#;
    std::fs::write(&path, design).unwrap();
    let kinds = |path: &std::path::Path| {
        let output = portcullis(&["lint", "--format", "json", path.to_str().unwrap()]);
        let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        items.as_array().unwrap().iter().map(|item| item["kind"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    let found = kinds(&path);
    assert_eq!(found.iter().filter(|kind| *kind == "docker-bypass").count(), 2, "IPv4 and IPv6: {found:?}");
    assert!(!found.iter().any(|kind| kind.starts_with("owned-by-") || kind == "unused-chain"), "{found:?}");
    std::fs::write(&path, design.replace(r#""custom_services":[{"name":"web-app","protocol":"tcp","ports":"8080"}],"#, "")).unwrap();
    assert!(!kinds(&path).iter().any(|kind| kind == "docker-bypass"));
}

#[test]
fn lint_checks_every_step_of_a_script_and_of_a_design_export() {
    let path = corpus("lint/apply-lockout/fail.rules");
    let mut args = vec!["lint", "--format", "json", path.as_str()];
    args.extend(ADMIN);
    let output = portcullis(&args);
    assert_eq!(output.status.code(), Some(1), "a cut session is an error");
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let step = items.as_array().unwrap().iter().find(|item| item["kind"] == "apply-lockout").expect("an apply-lockout finding");
    assert_eq!(step["step"], serde_json::json!({"number": 1, "command": "iptables -P INPUT DROP"}));
    assert_eq!((step["line"].as_u64(), step["severity"].as_str()), (Some(2), Some("error")));
    assert!(step["witness"].as_str().unwrap().ends_with("ack established"), "{step}");
    // Every preset's design file: no step of its exports locks its own admin out.
    for preset in ["web", "mail", "web-mail", "database", "bastion", "empty"] {
        let design = portcullis(&["design", "--preset", preset]);
        let file = std::env::temp_dir().join(format!("portcullis-lint-steps-{}-{preset}.json", std::process::id()));
        std::fs::write(&file, &design.stdout).unwrap();
        let output = portcullis(&["lint", "--format", "json", file.to_str().unwrap()]);
        std::fs::remove_file(&file).unwrap();
        let items: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let kinds: Vec<&str> = items.as_array().unwrap().iter().filter_map(|item| item["kind"].as_str()).collect();
        assert!(!kinds.contains(&"apply-lockout"), "{preset}: {kinds:?}");
        // The empty preset keeps SSH closed: its final rules lock out, which `lockout` says.
        assert_eq!(kinds.contains(&"lockout"), preset == "empty", "{preset}: {kinds:?}");
    }
}

#[test]
fn matrix_forward_partitions_address_pairs_per_interface_pair() {
    let path = corpus("matrix/forward.rules");
    let output = portcullis(&["matrix", "--forward", "--format", "json", &path]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let tables: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let table = &tables[0];
    assert_eq!((table["family"].as_str(), table["chain"].as_str()), (Some("v4"), Some("FORWARD")));
    let rows = table["rows"].as_array().unwrap();
    let web = rows
        .iter()
        .find(|row| row["port"] == 80 && row["interfaces"].as_array().unwrap().contains(&serde_json::json!({"in": "eth0", "out": "eth2"})))
        .expect("a row for HTTP from the WAN to the DMZ");
    let verdicts: Vec<(&str, Option<u64>)> =
        web["classes"].as_array().unwrap().iter().map(|class| (class["verdict"].as_str().unwrap(), class["rule"]["index"].as_u64())).collect();
    assert_eq!(verdicts, [("DROP", Some(4)), ("ACCEPT", Some(5)), ("DROP", None)], "{web}");
    assert_eq!(web["classes"][0]["areas"][0], serde_json::json!({"sources": ["192.0.2.128/25"], "destinations": ["any"]}));
    let text = String::from_utf8(portcullis(&["matrix", "--forward", &path]).stdout).unwrap();
    insta::assert_snapshot!("matrix-forward", text);
}
