//! The `portcullis` binary, run as a user would.

use std::process::Command;

fn portcullis(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_portcullis")).args(args).output().expect("the binary runs")
}

fn write_design(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("portcullis-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write design");
    path
}

#[test]
fn export_prints_the_same_text_as_the_engine() {
    let text = r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7","2001:db8::7"]},{"service":"http"}]}"#;
    let path = write_design("slice.json", text);
    let design = portcullis_engine::design::Design::from_json(text).unwrap();
    for (format, family) in [
        ("save-v4", portcullis_engine::model::Family::V4),
        ("save-v6", portcullis_engine::model::Family::V6),
    ] {
        let output = portcullis(&["export", "--design", path.to_str().unwrap(), "--format", format]);
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let expected = portcullis_engine::export::save::render(&design.compile(family));
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
    }
}

#[test]
fn a_bad_design_is_a_clear_error() {
    let path = write_design("bad.json", r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7/24"]}]}"#);
    let output = portcullis(&["export", "--design", path.to_str().unwrap(), "--format", "save-v4"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("bad.json"), "{stderr}");
    assert!(stderr.contains("host bits set"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let output = portcullis(&["export", "--design", "/nonexistent/design.json", "--format", "save-v6"]);
    assert_eq!(output.status.code(), Some(2), "I/O errors exit with 2");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/design.json"));
}

#[test]
fn an_unknown_format_lists_the_known_ones() {
    let output = portcullis(&["export", "--design", "x.json", "--format", "pdf"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for format in ["save-v4", "save-v6", "script", "commands", "nft", "json"] {
        assert!(stderr.contains(format), "{format} missing: {stderr}");
    }
}

// With the default protections, the SSH limit among them (a meter in the nft export).
const SLICE: &str = r#"{"version":3,"services":[{"service":"ssh","sources":["203.0.113.7","2001:db8::7"]},{"service":"http"}]}"#;

fn export(path: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["export", "--design", path.to_str().expect("UTF-8 path")];
    all.extend_from_slice(args);
    portcullis(&all)
}

#[test]
fn every_format_prints_what_the_engine_exports() {
    use portcullis_engine::export::{commands, nft, script};
    use portcullis_engine::model::Family;
    let path = write_design("formats.json", SLICE);
    let design = portcullis_engine::design::Design::from_json(SLICE).unwrap();
    let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
    let options = script::ScriptOptions { distro: script::Distro::Rhel, rollback_seconds: 30, ssh_port: 2222 };
    let cases = [
        (vec!["--format", "commands"], format!("{}\n{}", commands::render(&v4), commands::render(&v6))),
        (vec!["--format", "nft"], nft::render(&v4, &v6).unwrap().text),
        (vec!["--format", "json"], design.to_json()),
        (vec!["--format", "script"], script::render(&v4, &v6, &script::ScriptOptions::default()).unwrap()),
        (
            vec!["--format", "script", "--distro", "rhel", "--rollback", "30", "--ssh-port", "2222"],
            script::render(&v4, &v6, &options).unwrap(),
        ),
    ];
    for (args, expected) in cases {
        let output = export(&path, &args);
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected, "{args:?}");
    }
}

#[test]
fn json_round_trips_the_design() {
    let path = write_design("round.json", SLICE);
    let output = export(&path, &["--format", "json"]);
    let text = String::from_utf8(output.stdout).unwrap();
    let again = portcullis_engine::design::Design::from_json(&text).unwrap();
    assert_eq!(again, portcullis_engine::design::Design::from_json(SLICE).unwrap());
}

#[test]
fn bad_script_flags_are_usage_errors() {
    let path = write_design("flags.json", SLICE);
    for (args, needle) in [
        (vec!["--format", "save-v4", "--distro", "debian"], "--distro only applies to --format script"),
        (vec!["--format", "nft", "--rollback", "60"], "--rollback only applies to --format script"),
        (vec!["--format", "script", "--distro", "gentoo"], "possible values"),
        (vec!["--format", "script", "--rollback", "0"], "0 is not in 1..=86400"),
        (vec!["--format", "script", "--rollback", "soon"], "invalid value"),
        (vec!["--format", "script", "--ssh-port", "70000"], "invalid value"),
    ] {
        let output = export(&path, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

fn corpus(path: &str) -> String {
    format!("{}/../tests/corpus/{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_prints_code_frames_and_exits_1_on_errors() {
    let output = portcullis(&["check", &corpus("invalid/tutorial-placeholders.sh")]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).unwrap().replace(&corpus(""), "tests/corpus/");
    insta::assert_snapshot!(text);
}

#[test]
fn check_json_is_a_stable_array() {
    let output = portcullis(&["check", "--format", "json", &corpus("invalid/tutorial-placeholders.sh")]);
    assert_eq!(output.status.code(), Some(1));
    let items: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let first = &items[0];
    for key in ["code", "kind", "severity", "message", "line", "column", "end_line", "end_column", "help"] {
        assert!(first.get(key).is_some(), "{key} missing in {first}");
    }
    assert_eq!(first["line"], 2);
}

#[test]
fn check_exits_0_on_clean_input_and_reads_stdin() {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["check", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n").unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn fmt_prints_canonical_save_text_for_each_family() {
    let output = portcullis(&["fmt", &corpus("import/seeds.sh")]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("(IPv4 rules)"));
    // The tutorials flush INPUT late (`iptables -F INPUT`): the real kernel agrees on this result.
    assert!(text.contains("-A OUTPUT -p tcp -m multiport --dports 80,443 -m conntrack --ctstate ESTABLISHED -j ACCEPT"));
    let missing = portcullis(&["fmt", "/nonexistent"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn design_prints_a_preset_that_exports() {
    let output = portcullis(&["design", "--preset", "web-mail"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let preset: portcullis_engine::design::Preset = "web-mail".parse().unwrap();
    assert_eq!(portcullis_engine::design::Design::from_json(&text).unwrap(), preset.design());
    let path = write_design("web-mail.json", &text);
    let output = portcullis(&["export", "--design", path.to_str().unwrap(), "--format", "save-v4"]);
    assert!(String::from_utf8(output.stdout).unwrap().contains("--dport 993 "));
}

#[test]
fn an_unknown_preset_lists_the_choices() {
    let output = portcullis(&["design", "--preset", "webmail"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("choose one of: web, mail, web-mail, database, bastion, empty"), "{stderr}");
}
