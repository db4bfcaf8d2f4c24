//! `portcullis survey`, run as a user would, on the Ubuntu 24.04 fixture.

use std::process::Command;

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/data/survey").join(name)
}

#[test]
fn a_survey_prints_what_runs_and_writes_a_design_that_fits() {
    let design = std::env::temp_dir().join(format!("portcullis-survey-{}.json", std::process::id()));
    let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .args(["survey", fixture("ubuntu2404.txt").to_str().unwrap(), "--design-out", design.to_str().unwrap()])
        .output()
        .expect("runs");
    let out = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{out}{}", String::from_utf8_lossy(&output.stderr));
    assert!(out.contains("Other tools with rules: Docker, fail2ban"), "{out}");
    assert!(out.contains("Docker publishes TCP 8080 → 172.17.0.2:80"), "{out}");
    assert!(out.contains("warning[S010]"), "the MySQL conflict: {out}");
    let saved = portcullis_engine::design::Design::from_json(&std::fs::read_to_string(&design).expect("design written")).expect("a design file");
    assert!(saved.services().any(|(service, _)| service.as_str() == "ssh"));
    assert_eq!(saved.published_ports().len(), 1);
    let _ = std::fs::remove_file(design);
}

#[test]
fn json_output_and_a_failing_exit_for_unread_lines() {
    let output = Command::new(env!("CARGO_BIN_EXE_portcullis")).args(["survey", fixture("alpine.txt").to_str().unwrap(), "--format", "json"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(value["survey"]["listeners"][0]["process"], "sshd");
    assert_eq!(value["survey"]["listeners"][0]["bind"]["kind"], "all");
    let codes: Vec<&str> = value["findings"].as_array().expect("findings").iter().filter_map(|finding| finding["code"].as_str()).collect();
    assert!(codes.contains(&"S002") && codes.contains(&"S001"), "{codes:?}");
    assert!(value["choices"].as_array().is_some_and(|choices| !choices.is_empty()));
}
