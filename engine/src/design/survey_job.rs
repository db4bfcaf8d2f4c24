//! The server survey as a job for the analysis worker: the wizard's page sends the paste and
//! gets back the design that fits it, its choices and the findings in words. Reading a survey
//! needs the dump importer, which the wizard's page does not carry; the worker has it.
//!
//! Both messages are JSON of the design file's own layer, like [`super::review_job`]'s:
//! `{"survey": "<the paste>"}` in, `{"survey": {"recognised", "summary", "design", "choices",
//! "findings"}}` out.
//!
//! # Examples
//! ```
//! use portcullis_engine::design::survey_job::{answer_message, read_reply, to_message};
//! let paste = "$ ip -br addr\neth0 UP 203.0.113.10/24\n$ ss -tln\n\
//!     State  Recv-Q Send-Q Local Address:Port Peer Address:Port\n\
//!     LISTEN 0      128    0.0.0.0:22         0.0.0.0:*\n";
//! let reply = read_reply(&answer_message(&to_message(paste)).unwrap()).unwrap();
//! assert!(reply.recognised);
//! let design = reply.design().unwrap();
//! assert!(design.services().any(|(service, _)| service.as_str() == "ssh"));
//! assert!(answer_message(r#"{"review": "{}"}"#).is_none(), "another job's message");
//! ```

use super::file::json::{self, Json, Value};
use super::file::read::{boolean, list, text, Fields, Read};
use super::Design;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::survey::survey;

/// What the worker found in a paste.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyReply {
    /// Whether anything in the paste was recognised (else the design is not to be opened).
    pub recognised: bool,
    /// One sentence: how many sockets and interfaces, which other tools.
    pub summary: String,
    /// The design that fits the server, as a design file.
    pub design_json: String,
    /// Each decision the design made, in words.
    pub choices: Vec<String>,
    /// Lines that could not be read and conflicts, in words (`line 4: …`).
    pub findings: Vec<String>,
}

impl SurveyReply {
    /// The survey of `paste`, as the worker answers it.
    pub fn of(paste: &str) -> Self {
        let found = survey(paste);
        let (design, choices) = found.design();
        let lines = LineIndex::new(paste);
        let mut diagnostics = found.diagnostics.clone();
        diagnostics.extend(found.conflicts(&design));
        let findings = diagnostics.iter().map(|diagnostic| in_words(diagnostic, paste, &lines)).collect();
        let recognised = found.has_listener_output || !found.interfaces.is_empty() || !found.tools.is_empty();
        let tools = if found.tools.is_empty() { String::new() } else { format!("; other tools: {}", found.tools.join(", ")) };
        let summary = format!("{} listening sockets, {} interfaces{tools}.", found.listeners.len(), found.interfaces.len());
        Self { recognised, summary, design_json: design.to_json(), choices: choices.into_iter().map(|choice| choice.text).collect(), findings }
    }

    /// The design that fits the server.
    ///
    /// # Errors
    /// When the design does not open (a reply from another version of Portcullis).
    pub fn design(&self) -> Result<Design, String> {
        Design::from_json(&self.design_json).map_err(|error| format!("the survey's design does not open: {error}"))
    }

    fn to_json(&self) -> Json {
        Json::object(vec![
            ("recognised", Json::new(Value::Bool(self.recognised))),
            ("summary", Json::string(self.summary.as_str())),
            ("design", Json::string(self.design_json.as_str())),
            ("choices", Json::strings(self.choices.iter().cloned())),
            ("findings", Json::strings(self.findings.iter().cloned())),
        ])
    }
}

/// `line 4: message (S002 survey-unreadable-line)` for a finding on a line of the paste, `message (code)` otherwise.
fn in_words(diagnostic: &Diagnostic, paste: &str, lines: &LineIndex) -> String {
    let code = format!("{} {}", diagnostic.code.as_str(), diagnostic.code.slug());
    if diagnostic.span.end > diagnostic.span.start {
        format!("line {}: {} ({code})", lines.position(paste, diagnostic.span.start).0, diagnostic.message)
    } else {
        format!("{} ({code})", diagnostic.message)
    }
}

/// The job for `paste`.
pub fn to_message(paste: &str) -> String {
    Json::object(vec![("survey", Json::string(paste))]).pretty()
}

/// The worker's protocol for the survey: a job message in, the reply out; `None` when `message`
/// is not a survey job. Never panics.
pub fn answer_message(message: &str) -> Option<String> {
    // Other jobs are large (thousands of rules): look at the key before parsing.
    if !message.trim_start().strip_prefix('{')?.trim_start().starts_with("\"survey\"") {
        return None;
    }
    let reply = match json::parse(message).map_err(|error| error.to_string()).and_then(|parsed| read_job(&parsed)) {
        Ok(paste) => Json::object(vec![("survey", SurveyReply::of(&paste).to_json())]),
        Err(error) => Json::object(vec![("error", Json::string(format!("not a survey job: {error}")))]),
    };
    Some(reply.pretty())
}

fn read_job(json: &Json) -> Result<String, String> {
    let fields = Fields::of(json, "", &["survey"]).map_err(|error| error.to_string())?;
    fields.read("survey", text).map_err(|error| error.to_string())
}

/// Reads the worker's reply to a survey job.
///
/// # Errors
/// The worker's error, or why the message is not a survey reply.
pub fn read_reply(message: &str) -> Result<SurveyReply, String> {
    let parsed = json::parse(message).map_err(|error| format!("the survey's reply is not JSON: {error}"))?;
    let fields = Fields::of(&parsed, "", &["survey", "error"]).map_err(not_a_reply)?;
    if let Some((error, path)) = fields.get("error") {
        return Err(text(error, &path).map_err(not_a_reply)?);
    }
    fields.read("survey", read_survey).map_err(not_a_reply)
}

fn not_a_reply(error: impl std::fmt::Display) -> String {
    format!("the survey's reply does not read back: {error}")
}

fn read_survey(json: &Json, path: &str) -> Read<SurveyReply> {
    let fields = Fields::of(json, path, &["recognised", "summary", "design", "choices", "findings"])?;
    Ok(SurveyReply {
        recognised: fields.read("recognised", boolean)?,
        summary: fields.read("summary", text)?,
        design_json: fields.read("design", text)?,
        choices: fields.read("choices", |json, path| list(json, path, text))?,
        findings: fields.read("findings", |json, path| list(json, path, text))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_reads_back_as_written_and_findings_name_their_line() {
        let paste = "$ ss -tlnp\nState Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
            LISTEN 0 128 0.0.0.0:22 0.0.0.0:* users:((\"sshd\",pid=1,fd=3))\nLISTEN 0 128 0.0.0.0:4\n";
        let reply = SurveyReply::of(paste);
        assert_eq!(read_reply(&answer_message(&to_message(paste)).expect("a survey job")), Ok(reply.clone()));
        assert!(reply.findings.iter().any(|finding| finding.starts_with("line 4: ") && finding.ends_with("(S002 survey-unreadable-line)")), "{:?}", reply.findings);
        assert!(reply.choices.iter().any(|choice| choice.contains("sshd")), "{:?}", reply.choices);
    }

    #[test]
    fn bad_messages_get_an_error_and_other_jobs_none() {
        assert!(answer_message(r#"{"revision": 3, "v4": ""}"#).is_none());
        assert!(answer_message("not json").is_none());
        let error = read_reply(&answer_message(r#"{"survey": 3}"#).expect("a survey job")).expect_err("a number is no paste");
        assert!(error.contains("not a survey job"), "{error}");
        let nothing = SurveyReply::of("hello\n");
        assert!(!nothing.recognised);
        assert!(read_reply("[1]").is_err());
    }
}
