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
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot read /nonexistent/design.json"));
}

#[test]
fn an_unknown_format_lists_the_known_ones() {
    let output = portcullis(&["export", "--design", "x.json", "--format", "nft"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("save-v4") && stderr.contains("save-v6"), "{stderr}");
}
