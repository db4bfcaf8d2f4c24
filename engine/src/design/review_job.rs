//! The wizard's review as messages, so that it runs in a Web Worker: the lint and the exports are
//! most of the engine's code, and a page that only sends a [`ReviewJob`] and reads the reply
//! ([`read_reply`]) does not carry them (the wizard's page is 62 KB gzip lighter). Nor does it
//! carry the plain-words summary and the rules' explanations (6 KB more): the review answers
//! them too, the explanations of every rule any step of the wizard previews. The worker is a
//! thin shell around [`answer_message`]; the CLI and the tests call [`Review::of`] directly.
//!
//! Both messages are JSON written and read by the design file's own JSON layer (no serde: the
//! page already holds it for the design file). A job is
//! `{"review": "<the design file's text>", "distro": "debian"}`; the reply is
//! `{"review": {"summary": "...", "explanations": [...], "findings": [...], "files": {...}}}` or
//! `{"error": "why"}`. A reply that does not
//! read back is refused with the place and the reason, never a panic.
//!
//! # Examples
//! ```
//! use portcullis_engine::design::review_job::{answer_message, read_reply, Review, ReviewJob};
//! use portcullis_engine::design::{Design, Preset};
//! use portcullis_engine::export::script::Distro;
//! let job = ReviewJob { design: Design::default(), distro: Distro::Debian };
//! let reply = answer_message(&job.to_message()).expect("a review job");
//! let review = read_reply(&reply).unwrap();
//! assert_eq!(review.findings[0].code.slug(), "lockout", "SSH closed: nobody can log in");
//! assert_eq!(review, Review::of(&job.design, &job.script_options()));
//! assert!(answer_message(r#"{"revision": 1}"#).is_none(), "not a review job: another protocol's");
//! ```

use std::fmt;

use super::file::json::{self, Json, Value};
use super::file::read::{optional, refuse, text, variant, Fields, Read};
use super::preview::RuleScope;
use super::Design;
use crate::analysis::rule_at;
use crate::codes::Code;
use crate::diagnostic::Severity;
use crate::export::save::render_appended;
use crate::export::script::{Distro, ScriptOptions};
use crate::explain::explain;
use crate::export::Exports;
use crate::model::Family;

/// What the worker is asked: review this design, its script persisting for this distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewJob {
    pub design: Design,
    pub distro: Distro,
}

/// One finding as the review lists it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReviewFinding {
    pub code: Code,
    pub severity: Severity,
    pub family: Family,
    pub message: String,
    pub help: Option<String>,
    /// The rule it is about, as `-A CHAIN …` text.
    pub rule: Option<String>,
}

/// Every file the review offers: its text, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewFiles {
    pub script: Result<String, String>,
    pub rules_v4: String,
    pub rules_v6: String,
    pub commands: String,
    pub nft: Result<String, String>,
    pub design_json: String,
}

/// A generated rule in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleExplanation {
    pub family: Family,
    /// The rule as the preview shows it ([`super::preview::PreviewRule::text`]).
    pub rule: String,
    pub explanation: String,
}

/// What the review shows: the design in plain words, the explanation of each rule the wizard's
/// steps preview, the findings (lockouts first) and the files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// [`Design::summary`] as text.
    pub summary: String,
    /// One per distinct rule of every [`RuleScope`], in order of first appearance.
    pub explanations: Vec<RuleExplanation>,
    pub findings: Vec<ReviewFinding>,
    pub files: ReviewFiles,
}

impl ReviewJob {
    /// The script's options: the job's distribution, the other options' defaults.
    pub fn script_options(&self) -> ScriptOptions {
        ScriptOptions { distro: self.distro, ..ScriptOptions::default() }
    }

    /// The job as the message the worker reads.
    pub fn to_message(&self) -> String {
        Json::object(vec![("review", Json::string(self.design.to_json())), ("distro", Json::string(self.distro.as_str()))]).pretty()
    }

    /// Reads a job: `None` when `message` is not a review job at all (a JSON object whose first
    /// field is `review`), so that the worker can hand it to another protocol.
    ///
    /// # Errors
    /// Why a review job cannot be run: a design file that does not open, an unknown distribution.
    pub fn from_message(message: &str) -> Option<Result<Self, String>> {
        // Other protocols' messages can be megabytes long: they are told apart before parsing.
        let first_field = message.trim_start().strip_prefix('{')?.trim_start();
        if !first_field.starts_with("\"review\"") {
            return None;
        }
        Some(json::parse(message).map_err(|error| format!("not a review job: {error}")).and_then(|parsed| read_job(&parsed)))
    }
}

fn read_job(json: &Json) -> Result<ReviewJob, String> {
    let fields = Fields::of(json, "", &["review", "distro"]).map_err(|error| format!("not a review job: {error}"))?;
    let design = fields.read("review", text).map_err(|error| format!("not a review job: {error}"))?;
    let design = Design::from_json(&design).map_err(|error| format!("the design sent for review does not open: {error}"))?;
    let distro = fields.read("distro", distro).map_err(|error| format!("not a review job: {error}"))?;
    Ok(ReviewJob { design, distro })
}

impl Review {
    /// Summarises, explains, lints and exports `design`.
    pub fn of(design: &Design, options: &ScriptOptions) -> Self {
        let rulesets = [design.compile(Family::V4), design.compile(Family::V6)];
        let findings = design
            .lint()
            .into_iter()
            .map(|finding| {
                let ruleset = rulesets.iter().find(|ruleset| ruleset.family == finding.family);
                let rule = finding.rule.as_ref().and_then(|at| {
                    let rule = rule_at(ruleset?, at)?;
                    Some(render_appended(&at.chain, rule, finding.family))
                });
                let diagnostic = finding.diagnostic;
                ReviewFinding {
                    code: diagnostic.code,
                    severity: diagnostic.severity,
                    family: finding.family,
                    message: diagnostic.message,
                    help: diagnostic.help,
                    rule,
                }
            })
            .collect();
        let exports = Exports::of(design, options);
        let files = ReviewFiles {
            script: exports.script.map_err(|error| error.to_string()),
            rules_v4: exports.rules_v4,
            rules_v6: exports.rules_v6,
            commands: exports.commands,
            nft: exports.nft.map(|nft| nft.text).map_err(|error| error.to_string()),
            design_json: exports.design_json,
        };
        Self { summary: design.summary().to_string(), explanations: explanations(design), findings, files }
    }

    /// The explanation of the rule shown as `text` in `family`, if the review explains it.
    pub fn explanation(&self, family: Family, text: &str) -> Option<&str> {
        self.explanations
            .iter()
            .find(|known| known.family == family && known.rule == text)
            .map(|known| known.explanation.as_str())
    }

    fn to_json(&self) -> Json {
        let findings = self.findings.iter().map(ReviewFinding::to_json).collect();
        let files = &self.files;
        let explanations = self.explanations.iter().map(RuleExplanation::to_json).collect();
        Json::object(vec![
            ("summary", Json::string(self.summary.as_str())),
            ("explanations", Json::new(Value::Array(explanations))),
            ("findings", Json::new(Value::Array(findings))),
            (
                "files",
                Json::object(vec![
                    ("script", outcome(&files.script)),
                    ("rules_v4", Json::string(files.rules_v4.as_str())),
                    ("rules_v6", Json::string(files.rules_v6.as_str())),
                    ("commands", Json::string(files.commands.as_str())),
                    ("nft", outcome(&files.nft)),
                    ("design_json", Json::string(files.design_json.as_str())),
                ]),
            ),
        ])
    }
}

impl ReviewFinding {
    fn to_json(&self) -> Json {
        let mut members = vec![
            ("code", Json::string(self.code.as_str())),
            ("severity", Json::string(self.severity.as_str())),
            ("family", Json::string(self.family.name())),
            ("message", Json::string(self.message.as_str())),
        ];
        members.extend(self.help.as_deref().map(|help| ("help", Json::string(help))));
        members.extend(self.rule.as_deref().map(|rule| ("rule", Json::string(rule))));
        Json::object(members)
    }
}

/// Every distinct rule that a step of the wizard previews, explained.
fn explanations(design: &Design) -> Vec<RuleExplanation> {
    let mut explained = std::collections::BTreeSet::new();
    let mut explanations = Vec::new();
    for scope in RuleScope::ALL {
        for (shown, explanation) in design.preview_with(scope, explain) {
            if explained.insert((shown.family, shown.text.clone())) {
                explanations.push(RuleExplanation { family: shown.family, rule: shown.text, explanation });
            }
        }
    }
    explanations
}

impl RuleExplanation {
    fn to_json(&self) -> Json {
        Json::object(vec![
            ("family", Json::string(self.family.name())),
            ("rule", Json::string(self.rule.as_str())),
            ("explanation", Json::string(self.explanation.as_str())),
        ])
    }
}

/// `{"ok": text}` or `{"error": why}`.
fn outcome(file: &Result<String, String>) -> Json {
    match file {
        Ok(text) => Json::object(vec![("ok", Json::string(text.as_str()))]),
        Err(why) => Json::object(vec![("error", Json::string(why.as_str()))]),
    }
}

/// The worker's whole protocol for the review: a [`ReviewJob`] message in, the reply out;
/// `None` when `message` is not a review job. Never panics.
pub fn answer_message(message: &str) -> Option<String> {
    let reply = match ReviewJob::from_message(message)? {
        Ok(job) => Json::object(vec![("review", Review::of(&job.design, &job.script_options()).to_json())]),
        Err(error) => Json::object(vec![("error", Json::string(error))]),
    };
    Some(reply.pretty())
}

/// Why a reply is not a review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyError(String);

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReplyError {}

/// Reads the worker's reply to a job.
///
/// # Errors
/// The worker's error (a design that did not open), or why the message is not a reply.
pub fn read_reply(message: &str) -> Result<Review, ReplyError> {
    let parsed = json::parse(message).map_err(|error| ReplyError(format!("the review's reply is not JSON: {error}")))?;
    let fields = Fields::of(&parsed, "", &["review", "error"]).map_err(not_a_reply)?;
    if let Some((error, path)) = fields.get("error") {
        return Err(ReplyError(text(error, &path).map_err(not_a_reply)?));
    }
    let (review, path) = fields.required("review").map_err(not_a_reply)?;
    read_review(review, &path).map_err(not_a_reply)
}

fn not_a_reply(error: impl fmt::Display) -> ReplyError {
    ReplyError(format!("the review's reply does not read back: {error}"))
}

fn read_review(json: &Json, path: &str) -> Read<Review> {
    let fields = Fields::of(json, path, &["summary", "explanations", "findings", "files"])?;
    let summary = fields.read("summary", text)?;
    let explanations = fields.list("explanations", read_explanation)?;
    let findings = fields.list("findings", read_finding)?;
    let files = fields.read("files", read_files)?;
    Ok(Review { summary, explanations, findings, files })
}

fn read_files(json: &Json, path: &str) -> Read<ReviewFiles> {
    let files = Fields::of(json, path, &["script", "rules_v4", "rules_v6", "commands", "nft", "design_json"])?;
    Ok(ReviewFiles {
        script: files.read("script", read_outcome)?,
        rules_v4: files.read("rules_v4", text)?,
        rules_v6: files.read("rules_v6", text)?,
        commands: files.read("commands", text)?,
        nft: files.read("nft", read_outcome)?,
        design_json: files.read("design_json", text)?,
    })
}

fn read_explanation(json: &Json, path: &str) -> Read<RuleExplanation> {
    let fields = Fields::of(json, path, &["family", "rule", "explanation"])?;
    Ok(RuleExplanation { family: fields.read("family", read_family)?, rule: fields.read("rule", text)?, explanation: fields.read("explanation", text)? })
}

/// `IPv4` or `IPv6` ([`Family::name`]).
fn read_family(json: &Json, path: &str) -> Read<Family> {
    Ok(Family::ALL[variant(json, path, &Family::ALL.map(Family::name))?])
}

fn read_finding(json: &Json, path: &str) -> Read<ReviewFinding> {
    let fields = Fields::of(json, path, &["code", "severity", "family", "message", "help", "rule"])?;
    let optional_text = |name: &str| fields.get(name).map_or(Ok(None), |(json, path)| optional(json, &path, text));
    Ok(ReviewFinding {
        code: fields.read("code", read_code)?,
        severity: fields.read("severity", read_severity)?,
        family: fields.read("family", read_family)?,
        message: fields.read("message", text)?,
        help: optional_text("help")?,
        rule: optional_text("rule")?,
    })
}

fn read_code(json: &Json, path: &str) -> Read<Code> {
    let codes: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
    Ok(Code::ALL[variant(json, path, &codes)?])
}

fn read_severity(json: &Json, path: &str) -> Read<Severity> {
    Ok(Severity::ALL[variant(json, path, &Severity::ALL.map(Severity::as_str))?])
}

/// `{"ok": text}` or `{"error": why}`: exactly one of the two.
fn read_outcome(json: &Json, path: &str) -> Read<Result<String, String>> {
    let fields = Fields::of(json, path, &["ok", "error"])?;
    match (fields.get("ok"), fields.get("error")) {
        (Some((file, file_path)), None) => Ok(Ok(text(file, &file_path)?)),
        (None, Some((why, why_path))) => Ok(Err(text(why, &why_path)?)),
        _ => Err(refuse(json, path, "expected exactly one of `ok` and `error`".to_owned())),
    }
}

fn distro(json: &Json, path: &str) -> Read<Distro> {
    Ok(Distro::ALL[variant(json, path, &Distro::ALL.map(Distro::as_str))?])
}

#[cfg(test)]
#[path = "review_job_tests.rs"]
mod tests;

