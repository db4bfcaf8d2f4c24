use proptest::prelude::*;

use super::*;
use crate::design::samples::fifty_rule_design;
use crate::design::{Preset, ServiceId};

fn designs() -> Vec<Design> {
    let mut designs: Vec<Design> = Preset::ALL.iter().map(|preset| preset.design()).collect();
    designs.push(Design::default());
    designs.push(fifty_rule_design());
    designs
}

/// What the page gets back for `job`, through both messages.
fn through_the_worker(job: &ReviewJob) -> Result<Review, ReplyError> {
    let reply = answer_message(&job.to_message()).expect("a review job is answered");
    read_reply(&reply)
}

#[test]
fn every_design_and_distribution_reads_back_as_reviewed_on_the_spot() {
    for design in designs() {
        for distro in Distro::ALL {
            let job = ReviewJob { design: design.clone(), distro };
            let direct = Review::of(&design, &job.script_options());
            assert_eq!(through_the_worker(&job), Ok(direct), "{distro:?}");
        }
    }
}

#[test]
fn the_review_lists_lockouts_first_with_their_rule_and_holds_every_file() {
    let mut design = Preset::Web.design();
    let open = Review::of(&design, &ScriptOptions::default());
    assert!(open.findings.iter().all(|finding| finding.code != Code::Lockout), "{:#?}", open.findings);
    assert!(open.files.script.as_ref().is_ok_and(|script| script.starts_with("#!/bin/bash")));
    assert!(open.files.rules_v4.contains("--dport 443") && open.files.rules_v6.contains("--dport 443"));
    assert!(open.files.commands.contains("ip6tables"));
    assert!(open.files.nft.as_ref().is_ok_and(|nft| nft.contains("table inet")));
    assert_eq!(Design::from_json(&open.files.design_json).ok(), Some(design.clone()));
    design.close(ServiceId::SSH);
    let closed = Review::of(&design, &ScriptOptions::default());
    assert_eq!(closed.findings.first().map(|finding| finding.code), Some(Code::Lockout), "{:#?}", closed.findings);
    let with_rule = closed.findings.iter().find_map(|finding| finding.rule.as_deref());
    assert!(with_rule.is_some_and(|rule| rule.starts_with("-A ")), "{:#?}", closed.findings);
}

#[test]
fn every_rule_any_step_previews_is_explained_and_the_design_summarised() {
    for design in designs() {
        let review = through_the_worker(&ReviewJob { design: design.clone(), distro: Distro::Debian }).expect("a review");
        assert_eq!(review.summary, design.summary().to_string());
        for scope in RuleScope::ALL {
            for (shown, explanation) in design.preview_with(scope, explain) {
                assert_eq!(review.explanation(shown.family, &shown.text), Some(explanation.as_str()), "{scope:?}: {}", shown.text);
            }
        }
        let distinct: std::collections::BTreeSet<_> = review.explanations.iter().map(|known| (known.family, known.rule.as_str())).collect();
        assert_eq!(distinct.len(), review.explanations.len(), "each rule explained once");
        assert_eq!(review.explanation(Family::V4, "-A INPUT -j NOTHING"), None);
    }
}

#[test]
fn the_distribution_reaches_the_script() {
    let job = ReviewJob { design: Preset::Web.design(), distro: Distro::Rhel };
    let review = through_the_worker(&job).expect("a review");
    assert!(review.files.script.expect("a script").contains("/etc/sysconfig/iptables"));
}

#[test]
fn files_that_cannot_be_made_and_findings_without_help_or_rule_read_back() {
    let review = Review {
        summary: String::new(),
        explanations: vec![RuleExplanation { family: Family::V6, rule: "-A INPUT -j ACCEPT".to_owned(), explanation: "Accept \"all\".".to_owned() }],
        findings: vec![ReviewFinding {
            code: Code::DefaultAccept,
            severity: Severity::Warning,
            family: Family::V6,
            message: "quotes \" and \\ and\nlines".to_owned(),
            help: None,
            rule: None,
        }],
        files: ReviewFiles {
            script: Err("no script: why".to_owned()),
            rules_v4: String::new(),
            rules_v6: "\u{1}\t".to_owned(),
            commands: "é ✓".to_owned(),
            nft: Err("no nft".to_owned()),
            design_json: "{}".to_owned(),
        },
    };
    let reply = Json::object(vec![("review", review.to_json())]).pretty();
    assert_eq!(read_reply(&reply), Ok(review));
}

#[test]
fn messages_of_other_protocols_are_not_review_jobs() {
    for message in ["ready", "", "[]", "{}", r#"{"revision": 3, "rules": ["", ""]}"#, r#"{"distro": "debian", "review": ""}"#] {
        assert!(ReviewJob::from_message(message).is_none(), "{message}");
        assert!(answer_message(message).is_none(), "{message}");
    }
}

#[test]
fn a_job_that_cannot_run_is_answered_with_why() {
    let cases = [
        (r#"{"review": "{\"version\": 99}", "distro": "debian"}"#, "the design sent for review does not open"),
        (r#"{"review": "{\"version\": 5}", "distro": "gentoo"}"#, "unknown variant `gentoo`"),
        (r#"{"review": 5, "distro": "debian"}"#, "expected a string at review"),
        (r#"{"review": "{\"version\": 5}"}"#, "missing field `distro`"),
        (r#"{"review": "{\"version\": 5}", "distro": "debian", "extra": 1}"#, "unknown field `extra`"),
        (r#" { "review": "#, "not a review job: the text is not JSON"),
    ];
    for (message, expected) in cases {
        let reply = answer_message(message).expect("a review job");
        let error = read_reply(&reply).expect_err(message).to_string();
        assert!(error.contains(expected), "{message}: {error}");
    }
}

#[test]
fn a_reply_that_does_not_read_back_says_where() {
    let job = ReviewJob { design: Design::default(), distro: Distro::Debian };
    let reply = answer_message(&job.to_message()).expect("a review job");
    assert!(reply.contains("\"L007\""), "the closed design's lockout: {reply}");
    let cases = [
        (reply.replacen("\"L007\"", "\"L999\"", 1), "unknown variant `L999`"),
        (reply.replacen("\"L007\"", "\"L999\"", 1), "review.findings[0].code"),
        (reply.replacen("\"error\"", "\"fatal\"", 1), "review.findings[0].severity"),
        (reply.replacen("\"rules_v4\"", "\"rules_v5\"", 1), "unknown field `rules_v5`"),
        (reply.replacen("\"findings\"", "\"finding\"", 1), "unknown field `finding`"),
        (reply.replacen("\"explanation\":", "\"explained\":", 1), "unknown field `explained`, expected one of `family`, `rule`, `explanation` at review.explanations[0].explained"),
        (reply.replacen("\"summary\"", "\"summery\"", 1), "unknown field `summery`"),
        (reply.replacen("\"IPv4\"", "4", 1), "expected a string"),
        (reply.replacen("\"IPv4\"", "\"ipv5\"", 1), "unknown variant `ipv5`, expected `IPv4` or `IPv6`"),
        (reply.replacen("{\n        \"ok\"", "{\n        \"error\": \"\",\n        \"ok\"", 1), "expected exactly one of `ok` and `error` at review.files.script"),
        (reply[..reply.len() / 2].to_owned(), "not JSON"),
        ("{}".to_owned(), "missing field `review`"),
        (r#"{"error": 3}"#.to_owned(), "expected a string at error"),
    ];
    for (message, expected) in cases {
        let error = read_reply(&message).expect_err(expected).to_string();
        assert!(error.contains(expected), "{expected}: {error}");
    }
    assert_eq!(read_reply(r#"{"error": "the worker's own words"}"#).map_err(|error| error.to_string()), Err("the worker's own words".to_owned()));
}

proptest! {
    #[test]
    fn any_text_is_answered_or_refused_without_a_panic(text in any::<String>()) {
        let _ = read_reply(&text);
        if let Some(reply) = answer_message(&text) {
            prop_assert!(read_reply(&reply).is_err(), "only a valid design file is reviewed: {}", text);
        }
    }

    #[test]
    fn a_job_reads_back_as_written(preset in 0..Preset::ALL.len(), distro in 0..Distro::ALL.len()) {
        let job = ReviewJob { design: Preset::ALL[preset].design(), distro: Distro::ALL[distro] };
        prop_assert_eq!(ReviewJob::from_message(&job.to_message()), Some(Ok(job)));
    }
}
