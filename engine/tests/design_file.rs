//! The design file's text stays byte-identical across changes to how it is written and read:
//! saved designs and share links made by an earlier Portcullis must open to the same design and
//! save to the same text.
//!
//! `tests/data/design-files.txt` holds design files written by the serde-based writer the
//! engine used up to the version that replaced it with its own JSON layer (generated designs with
//! groups, services, custom services, interfaces, protections, block lists and NAT, then each
//! preset); `tests/data/migrated-files.txt` holds what that writer made of older-version files.
//! Each must still read and write back exactly. `PORTCULLIS_BLESS=1` rewrites both files from the
//! current writer (only for a deliberate format change, reviewed in the diff).
//!
//! Properties: any design (NAT and interfaces included) reads back from its file, and no text
//! (random, or a design file with random edits) makes reading panic.

use std::path::PathBuf;

use portcullis_engine::design::{Design, Preset};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

mod support;

/// Separates files in the data files: no JSON text holds a line of its own like it.
const SEPARATOR: &str = "\n=====\n";

/// How many generated designs the data file holds.
const GENERATED: usize = 48;

/// Files of versions 1 to 4 (and a version 5 one written by hand), as users may still have them.
const OLDER_FILES: [&str; 7] = [
    r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7/32","2001:db8:1::7"]},{"service":"http"}]}"#,
    r#"{ "version": 2,
      "groups": [ { "name": "office", "sources": ["203.0.113.7/32", "198.51.100.10-198.51.100.20"] } ],
      "services": [ { "service": "ssh", "groups": ["office"] },
                    { "service": "mysql", "sources": ["198.51.100.0/24"] },
                    { "service": "http" } ],
      "custom_services": [ { "name": "game", "protocol": "udp", "ports": "27015,27020:27030" } ] }"#,
    r#"{ "version": 3,
      "services": [ { "service": "ssh", "sources": ["203.0.113.7/32"] } ],
      "protections": { "drop_invalid": true, "drop_scans": false, "ping": { "mode": "limited", "per_second": 3 },
                       "ssh_limit": null, "block_outgoing_smtp": true,
                       "restricted_output": false, "log_dropped": { "per_minute": 5 }, "block_action": "reject" },
      "block_list": ["198.51.100.66/32"] }"#,
    r#"{"version":3,"protections":{"ping":{"mode":"off"},"log_dropped":null}}"#,
    r#"{ "version": 4,
      "groups": [ { "name": "office", "sources": ["192.0.2.7"] } ],
      "services": [ { "service": "postgresql", "interfaces": ["eth1", "eth1", "eth0"] } ],
      "nat": {
        "redirects": [ { "protocol": "tcp", "port": 80, "to_port": 8080 } ],
        "port_forwards": [ { "protocol": "tcp+udp", "port": 8443, "to": "198.51.100.10", "to_port": 443,
                             "interfaces": ["eth0"], "groups": ["office"], "sources": ["192.0.2.7"] },
                           { "protocol": "udp", "port": 53, "to": "2001:db8::53", "to_port": 53 } ],
        "masquerades": [ { "network": "198.51.100.0/24", "out_interface": "eth0" } ] } }"#,
    r#"{"version":4,"services":[],"protections":{"ping":{"mode":"on"}},"nat":{}}"#,
    r#"{"version":5,"protections":{"input_policy":"accept","forward_policy":"drop","allow_loopback":false,"allow_established":true,"ssh_limit":{"seconds":30,"connections":2}}}"#,
];

fn data_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

/// The generated designs, the same on every run (a fixed seed), then each preset.
fn designs() -> Vec<Design> {
    let mut runner = TestRunner::deterministic();
    let strategy = support::any_full_design();
    let mut designs: Vec<Design> = (0..GENERATED)
        .map(|_| strategy.new_tree(&mut runner).expect("the strategy generates").current())
        .collect();
    designs.extend(Preset::ALL.iter().map(|preset| preset.design()));
    designs
}

/// The texts of a data file, or (with `PORTCULLIS_BLESS=1`) `fresh` written to it.
fn stored(name: &str, fresh: impl FnOnce() -> Vec<String>) -> Vec<String> {
    let path = data_file(name);
    if std::env::var_os("PORTCULLIS_BLESS").is_some() {
        let texts = fresh();
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("the data folder can be made");
        std::fs::write(&path, texts.join(SEPARATOR)).expect("the data file can be written");
    }
    read(name)
}

/// The texts of a data file.
fn read(name: &str) -> Vec<String> {
    let path = data_file(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    text.split(SEPARATOR).map(str::to_owned).collect()
}

#[test]
fn stored_design_files_read_and_write_back_byte_for_byte() {
    let files = stored("design-files.txt", || designs().iter().map(Design::to_json).collect());
    assert_eq!(files.len(), GENERATED + Preset::ALL.len());
    let mut with_nat = 0;
    for (index, text) in files.iter().enumerate() {
        let design = Design::from_json(text).unwrap_or_else(|error| panic!("file {index}: {error}\n{text}"));
        assert_eq!(&design.to_json(), text, "file {index} writes back differently");
        with_nat += usize::from(!design.nat().is_empty());
    }
    // The data exercises every part of the format, not only the simple ones.
    assert!(with_nat >= GENERATED / 4, "only {with_nat} files have NAT entries");
    for needle in ["\"interfaces\"", "\"custom_services\"", "\"groups\"", "\"block_list\"", "\"ssh_limit\": null", "\"log_dropped\": null", "\"mode\": \"off\"", "\"per_second\"", "\"tcp+udp\"", "\"port_forwards\"", "\"masquerades\"", "\"redirects\"", "\"input_policy\": \"accept\""] {
        assert!(files.iter().any(|text| text.contains(needle)), "no stored file holds {needle}");
    }
}

#[test]
fn generated_designs_write_the_stored_files() {
    let files = read("design-files.txt");
    for (index, (design, text)) in designs().iter().zip(&files).enumerate() {
        assert_eq!(&design.to_json(), text, "design {index} writes differently from the stored file");
    }
}

#[test]
fn older_versions_migrate_to_the_stored_files() {
    let fresh = || OLDER_FILES.iter().map(|text| Design::from_json(text).expect("an older file opens").to_json()).collect();
    let migrated = stored("migrated-files.txt", fresh);
    assert_eq!(migrated.len(), OLDER_FILES.len());
    for (old, new) in OLDER_FILES.iter().zip(&migrated) {
        let design = Design::from_json(old).unwrap_or_else(|error| panic!("{error}\n{old}"));
        assert_eq!(&design.to_json(), new, "{old}");
        assert_eq!(Design::from_json(new).expect("a migrated file opens"), design);
    }
}

/// A design file with a few random edits: bytes cut, JSON pieces put in or written over.
fn edited_file() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "0", "-1", "1.5e3", "true", "\"x\"", " ", "\n", "é", "😀",
        "\"version\": 3", "\"nat\": {}", "\"ping\": {\"mode\": \"off\"}", "\"ssh_limit\": null", "[[[[[[[[",
    ]);
    let edit = (any::<prop::sample::Index>(), 0u8..3, pieces, 0usize..12);
    (support::any_full_design(), prop::collection::vec(edit, 1..5)).prop_map(|(design, edits)| {
        let mut text = design.to_json();
        for (place, kind, piece, length) in edits {
            let boundary = |text: &str, mut at: usize| {
                at = at.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                at
            };
            let at = boundary(&text, place.index(text.len() + 1));
            let end = boundary(&text, at + length).max(at);
            match kind {
                0 => text.replace_range(at..end, ""),
                1 => text.insert_str(at, piece),
                _ => text.replace_range(at..end, piece),
            }
        }
        text
    })
}

proptest! {
    #[test]
    fn full_designs_round_trip(design in support::any_full_design()) {
        let text = design.to_json();
        let read = Design::from_json(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
        prop_assert_eq!(read.to_json(), text);
        prop_assert_eq!(read, design);
    }

    #[test]
    fn designs_with_containers_round_trip(design in support::any_docker_design()) {
        let text = design.to_json();
        let version = if design.containers().is_some() { "6" } else { "5" };
        prop_assert!(text.starts_with(&format!("{{\n  \"version\": {version},\n")), "{}", text);
        let read = Design::from_json(&text).unwrap_or_else(|error| panic!("{error}\n{text}"));
        prop_assert_eq!(read.to_json(), text);
        prop_assert_eq!(read, design);
    }

    #[test]
    fn edited_files_never_panic(text in edited_file()) {
        if let Err(error) = Design::from_json(&text) {
            prop_assert!(!error.to_string().is_empty());
        }
    }

    #[test]
    fn any_text_never_panics(text in "\\PC{0,300}|[\\[\\]{}\":,0-9a-z\\\\ -]{0,300}") {
        let _ = Design::from_json(&text).map_err(|error| error.to_string());
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Design::from_json(&String::from_utf8_lossy(&bytes)).map_err(|error| error.to_string());
    }
}
