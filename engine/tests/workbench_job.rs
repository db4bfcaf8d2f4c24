//! The workbench's analysis as worker messages: answering a job gives exactly what analysing
//! the draft's rulesets directly gives (fixtures, a disabled rule, IPv6, generated rulesets),
//! and a message that is not a job gets an error, never a panic.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use portcullis_engine::analysis::LintOptions;
use portcullis_engine::import::import;
use portcullis_engine::model::{BuiltinChain, ChainName, Family, Ruleset, TableName};
use portcullis_engine::workbench::job::{analyse_family, answer, read_answer, AnalysisJob, AnalysisReport};
use portcullis_engine::workbench::{Draft, RowLoc};
use proptest::prelude::*;

fn draft_of(text: &str) -> Draft {
    let parsed = import(text, None);
    assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
    Draft::from_imported(&parsed.value)
}

/// Findings and matrices computed on this thread, as the page did before the worker.
fn direct(draft: &Draft, revision: u64, options: &LintOptions) -> AnalysisReport {
    let [(mut findings, v4), (v6_findings, v6)] = Family::ALL.map(|family| analyse_family(&draft.effective(family), options));
    findings.extend(v6_findings);
    AnalysisReport { revision, findings, matrices: [v4, v6] }
}

/// The same through the worker's protocol: JSON job in, JSON report out.
fn through_worker(draft: &Draft, revision: u64, options: &LintOptions) -> AnalysisReport {
    let rulesets: [Ruleset; 2] = Family::ALL.map(|family| draft.effective(family));
    let job = AnalysisJob::new(revision, [&rulesets[0], &rulesets[1]], options.clone());
    read_answer(&answer(&job.to_message())).unwrap()
}

fn input_row(row: usize) -> RowLoc {
    RowLoc { family: Family::V4, table: TableName::Filter, chain: ChainName::Builtin(BuiltinChain::Input), row }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../tests/corpus/import/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn the_worker_reports_what_the_page_computes_for_each_fixture() {
    for name in ["ufw-host.rules", "docker-host.rules", "fail2ban-host.rules"] {
        let draft = draft_of(&fixture(name));
        let expected = direct(&draft, 3, &LintOptions::default());
        assert!(!expected.findings.is_empty(), "{name}: the owned chains at least are reported");
        assert_eq!(through_worker(&draft, 3, &LintOptions::default()), expected, "{name}");
    }
}

#[test]
fn disabled_rules_ipv6_and_the_admin_address_travel_with_the_job() {
    let text = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n\
                -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n\
                -A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 -j ACCEPT\n\
                -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n";
    let v6 = import("*filter\n:INPUT DROP [0:0]\n-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n", Some(Family::V6));
    let mut imported = import(text, None).value;
    imported.rulesets.push(v6.value.ruleset(Family::V6).unwrap().clone());
    let mut draft = Draft::from_imported(&imported);
    let ssh = input_row(1);
    draft.set_enabled(&ssh, false).unwrap();
    let options = LintOptions { admin_ssh_port: 22, admin_from: vec!["203.0.113.7/32".parse().unwrap()], ..LintOptions::default() };
    let expected = direct(&draft, 9, &options);
    assert!(expected.findings.iter().any(|finding| finding.family == Family::V4 && finding.diagnostic.code.as_str() == "L007"), "SSH disabled: a lockout");
    assert!(expected.matrices[1].rows.iter().any(|row| row.port == 22), "the IPv6 matrix has SSH");
    assert_eq!(through_worker(&draft, 9, &options), expected);
}

#[test]
fn an_answer_that_is_not_a_report_is_an_error() {
    assert!(read_answer("{\"Ok\": 3}").unwrap_err().starts_with("not an analysis report"));
    assert_eq!(read_answer("{\"Err\": \"boom\"}"), Err("boom".to_owned()));
}

#[test]
fn a_message_that_is_not_a_job_is_answered_with_an_error() {
    for message in ["", "null", "{\"revision\": 1}", "[1,2]", "\u{0}garbage"] {
        assert!(read_answer(&answer(message)).unwrap_err().starts_with("not an analysis job"), "{message:?}");
    }
    let job = serde_json::json!({ "revision": 1, "rules": ["*filter\n-A NOWHERE -j ACCEPT\nCOMMIT\n", ""], "options": { "admin_ssh_port": 22, "admin_from": [] } });
    assert!(read_answer(&answer(&job.to_string())).unwrap_err().contains("do not read back"), "rules that do not parse are reported, not analysed");
}

const LINES: [&str; 14] = [
    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "-A INPUT -p tcp -j DROP",
    "-A INPUT -p tcp --dport 22 -j ACCEPT",
    "-A INPUT -s 198.51.100.0/24 -p tcp --dport 22 -j DROP",
    "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT",
    "-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset",
    "-A INPUT -i lo -j ACCEPT",
    "-A INPUT -p udp --dport 53 -j ACCEPT",
    "-A INPUT -s 203.0.113.0/24 -j web",
    "-A INPUT -p icmp -j DROP",
    "-A INPUT -m limit --limit 5/min -j LOG --log-prefix \"in: \"",
    "-A web -p tcp --dport 8080 -j ACCEPT",
    "-A web -j RETURN",
    "-A INPUT -j DROP",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    /// Any generated ruleset, with any rule disabled: the worker's report equals the direct analysis.
    #[test]
    fn the_worker_agrees_with_the_page(picks in prop::collection::vec(0..LINES.len(), 0..10), disabled in prop::option::of(0usize..10), policy_drop: bool) {
        let policy = if policy_drop { "DROP" } else { "ACCEPT" };
        let rules: String = picks.iter().flat_map(|at| [LINES[*at], "\n"]).collect();
        let mut draft = draft_of(&format!("*filter\n:INPUT {policy} [0:0]\n:web - [0:0]\n{rules}COMMIT\n"));
        if let Some(row) = disabled {
            let input_rows = picks.iter().filter(|at| !LINES[**at].starts_with("-A web")).count();
            if row < input_rows {
                draft.set_enabled(&input_row(row), false).unwrap();
            }
        }
        prop_assert_eq!(through_worker(&draft, 1, &LintOptions::default()), direct(&draft, 1, &LintOptions::default()));
    }
}
