//! The importer against the real tools. For every file of `tests/corpus/import/`, the real
//! iptables loads it in a throwaway namespace (save files with `iptables-restore`, scripts run by
//! bash) and `iptables-save` dumps the result; the engine's canonical print of its own import of
//! the same file must be byte-identical (comment lines aside).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use portcullis_e2e::iptables::without_comments;
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::Netns;
use portcullis_engine::export::save::render_tables;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

fn corpus(extension: &str) -> Vec<PathBuf> {
    let folder = portcullis_e2e::workspace_root().join("tests/corpus/import");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("tests/corpus/import exists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|found| found == extension))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .{extension} files in {}", folder.display());
    files
}

fn ours(path: &Path, family: Family) -> String {
    let text = std::fs::read_to_string(path).expect("read corpus file");
    let parsed = import(&text, None);
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == portcullis_engine::diagnostic::Severity::Error).collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    parsed.value.ruleset(family).map(render_tables).unwrap_or_default()
}

fn ready() -> bool {
    can_run("import differential", &[Need::Root, Need::Program("ip"), Need::Program("iptables-restore"), Need::Program("bash"), Need::Program("ipset")])
}

#[test]
fn save_files_print_back_exactly_as_iptables_save_prints_them() {
    if !ready() {
        return;
    }
    for path in corpus("rules") {
        let family = if path.to_string_lossy().ends_with("-v6.rules") { Family::V6 } else { Family::V4 };
        let (restore, save) = match family {
            Family::V4 => ("iptables-restore", "iptables-save"),
            Family::V6 => ("ip6tables-restore", "ip6tables-save"),
        };
        let text = std::fs::read_to_string(&path).expect("read");
        let netns = Netns::create("import").expect("namespace");
        netns.exec_with_input(restore, &[], Some(&text)).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        let theirs = without_comments(&netns.exec(save, &[]).expect("save"));
        assert_eq!(ours(&path, family), theirs, "{}", path.display());
    }
}

#[test]
fn scripts_leave_the_ruleset_iptables_leaves() {
    if !ready() {
        return;
    }
    for path in corpus("sh") {
        let netns = Netns::create("script").expect("namespace");
        // `sudo` may be missing where tests run as root: a shell function stands in for it.
        let run = format!("sudo() {{ \"$@\"; }}; set -e; source '{}'", path.display());
        netns.exec("bash", &["-c", &run]).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        for (family, save) in [(Family::V4, "iptables-save"), (Family::V6, "ip6tables-save")] {
            let theirs = without_comments(&netns.exec(save, &[]).expect("save"));
            let mine = ours(&path, family);
            if mine.is_empty() {
                assert!(!theirs.contains("-A "), "{}: {family} rules we did not read:\n{theirs}", path.display());
            } else {
                assert_eq!(mine, theirs, "{} ({family})", path.display());
            }
        }
    }
}

#[test]
fn generated_rules_print_back_exactly_as_iptables_save_prints_them() {
    if !ready() {
        return;
    }
    let count: usize = std::env::var("PORTCULLIS_GENERATED_RULES").ok().and_then(|n| n.parse().ok()).unwrap_or(400);
    let mut rng = portcullis_e2e::generate::Rng::new(0x5eed_1234);
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n");
    for _ in 0..count {
        let _ = writeln!(text, "-A INPUT {}", portcullis_e2e::generate::typed_rule_v4(&mut rng));
    }
    text.push_str("COMMIT\n");
    let netns = Netns::create("generated").expect("namespace");
    netns.exec_with_input("iptables-restore", &[], Some(&text)).unwrap_or_else(|error| panic!("{error}\n{text}"));
    let theirs = without_comments(&netns.exec("iptables-save", &[]).expect("save"));
    let parsed = import(&text, Some(Family::V4));
    assert!(!parsed.has_errors(), "{:#?}", parsed.diagnostics);
    let mine = render_tables(&parsed.value.rulesets[0]);
    for (line, (ours, kernel)) in mine.lines().zip(theirs.lines()).enumerate() {
        assert_eq!(ours, kernel, "line {} of the canonical text differs; input rule: {:?}", line + 1, text.lines().nth(line));
    }
    assert_eq!(mine.lines().count(), theirs.lines().count());
    eprintln!("generated differential: {count} rules printed identically");
}

/// What `iptables-save; ip6tables-save` prints, pasted as one text: the engine reads both
/// families and prints each back as the real tools do.
#[test]
fn both_dumps_pasted_together_print_back_per_family() {
    if !ready() {
        return;
    }
    let folder = portcullis_e2e::workspace_root().join("tests/corpus/import");
    let netns = Netns::create("both").expect("namespace");
    for (file, restore) in [("modules-v4.rules", "iptables-restore"), ("icmp6-v6.rules", "ip6tables-restore")] {
        let text = std::fs::read_to_string(folder.join(file)).expect("read");
        netns.exec_with_input(restore, &[], Some(&text)).unwrap_or_else(|error| panic!("{file}: {error}"));
    }
    let v4 = netns.exec("iptables-save", &[]).expect("save");
    let v6 = netns.exec("ip6tables-save", &[]).expect("save");
    let parsed = import(&format!("{v4}{v6}"), None);
    assert!(!parsed.has_errors(), "{:#?}", parsed.diagnostics);
    for (family, theirs) in [(Family::V4, &v4), (Family::V6, &v6)] {
        let ours = parsed.value.ruleset(family).map(render_tables).unwrap_or_default();
        assert_eq!(ours, without_comments(theirs), "{family}");
    }
}
