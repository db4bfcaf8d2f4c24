//! `portcullis lint`: the exact analysis of a ruleset, with a witness packet for each finding.

use std::fmt::Write as _;
use std::path::Path;

use ipnet::IpNet;
use portcullis_engine::analysis::{host_bits, lint, lint_pair, Finding, LintOptions, RuleLoc};
use portcullis_engine::design::Design;
use portcullis_engine::diagnostic::{Diagnostic, LineIndex, Severity, Span};
use portcullis_engine::analysis::apply::{commands_lockout, script_lockout};
use portcullis_engine::export::{commands, save};
use portcullis_engine::model::{Family, Ruleset};

use crate::ReportFormat;

/// One text that was read: its name, the text the spans point into, its rulesets, and the
/// reader's errors.
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) rulesets: Vec<Ruleset>,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

/// Everything read: one source for a dump or script, one per family for a design file (its
/// compiled rules, which the spans point into) and a third for its commands export.
pub(crate) struct Loaded {
    pub(crate) sources: Vec<Source>,
    /// The design, when a design file was read.
    pub(crate) design: Option<Design>,
    /// The source holding iptables commands whose every step is checked for lockouts: the
    /// script read, or a design's commands export.
    pub(crate) commands: Option<usize>,
}

impl Loaded {
    /// Every ruleset read.
    pub(crate) fn rulesets(&self) -> impl Iterator<Item = &Ruleset> {
        self.sources.iter().flat_map(|source| &source.rulesets)
    }

    /// Whether the reader found errors.
    pub(crate) fn has_errors(&self) -> bool {
        self.sources.iter().any(|source| !source.diagnostics.is_empty())
    }
}

fn source(name: String, text: String, family: Option<Family>) -> Source {
    let parsed = portcullis_engine::import::import(&text, family);
    let diagnostics = parsed.diagnostics.into_iter().filter(|diagnostic| diagnostic.severity == Severity::Error).collect();
    Source { name, text, rulesets: parsed.value.rulesets, diagnostics }
}

/// Reads a dump, a script or a design file.
pub(crate) fn load(file: &Path) -> Result<Loaded, String> {
    let (name, text) = crate::read_input(file)?;
    if !text.trim_start().starts_with('{') {
        let script = portcullis_engine::import::detect_format(&text) == portcullis_engine::import::Format::Script;
        return Ok(Loaded { sources: vec![source(name, text, None)], design: None, commands: script.then_some(0) });
    }
    let design = Design::from_json(&text).map_err(|error| format!("{name}: {error}"))?;
    let compiled = [design.compile(Family::V4), design.compile(Family::V6)];
    let mut sources: Vec<Source> = compiled
        .iter()
        .map(|ruleset| source(format!("{name} (compiled {} rules)", ruleset.family), save::render(ruleset), Some(ruleset.family)))
        .collect();
    // The steps are checked, but the rules are the compiled ones above: no ruleset here.
    let commands = commands::render_pair(&compiled[0], &compiled[1]);
    sources.push(Source { name: format!("{name} (commands export)"), text: commands, rulesets: Vec::new(), diagnostics: Vec::new() });
    Ok(Loaded { commands: Some(sources.len() - 1), sources, design: Some(design) })
}

/// Reads `--admin-from`: a network, or an address (a /32 or /128).
pub(crate) fn parse_network(text: &str) -> Result<IpNet, String> {
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .map(|net| net.trunc())
        .map_err(|_| format!("`{text}` is not an address or a network (203.0.113.7, 198.51.100.0/24, 2001:db8::/32)"))
}

/// Every finding for what was read, reader errors first, each with the index of its source.
pub(crate) fn findings(loaded: &Loaded, options: &LintOptions) -> Vec<(usize, Finding)> {
    let mut out: Vec<(usize, Finding)> = Vec::new();
    for (at, source) in loaded.sources.iter().enumerate() {
        out.extend(source.diagnostics.iter().map(|diagnostic| {
            (at, Finding { diagnostic: diagnostic.clone(), family: Family::V4, rule: None, related: Vec::new(), witness: None, expect: None, step: None })
        }));
        out.extend(host_bits(&source.text).into_iter().map(|finding| (at, finding)));
        for ruleset in &source.rulesets {
            out.extend(lint(ruleset, options).into_iter().map(|finding| (at, finding)));
            // Other tools' chains (Docker, ufw, fail2ban…): what exporting would do to them. A
            // design's rules are all its own: its DOCKER-USER chain is the one Docker leaves to
            // the admin, not a copy of Docker's.
            if loaded.design.is_none() {
                out.extend(portcullis_engine::workbench::owner_findings(ruleset).into_iter().map(|finding| (at, finding)));
            }
        }
    }
    let of = |family: Family| {
        loaded.sources.iter().enumerate().find_map(|(at, source)| source.rulesets.iter().find(|ruleset| ruleset.family == family).map(|ruleset| (at, ruleset)))
    };
    if let (Some((at4, v4)), Some((at6, v6))) = (of(Family::V4), of(Family::V6)) {
        out.extend(lint_pair(v4, v6, options).into_iter().map(|finding| (if finding.family == Family::V4 { at4 } else { at6 }, finding)));
    }
    // Every intermediate state: each command from an open firewall, and for a design the apply
    // script's stages (iptables-restore loads one family at a time).
    if let Some(at) = loaded.commands.filter(|_| !loaded.has_errors()) {
        let open = Family::ALL.map(Ruleset::new);
        let text = loaded.sources.get(at).map_or("", |source| source.text.as_str());
        out.extend(commands_lockout(text, open.clone(), options).into_iter().map(|finding| (at, finding)));
        if let Some(design) = &loaded.design {
            let compiled = Family::ALL.map(|family| design.compile(family));
            out.extend(script_lockout(&open, &compiled, options).into_iter().map(|finding| (at, finding)));
        }
    }
    for (at, finding) in &mut out {
        let text = loaded.sources.get(*at).map_or("", |source| source.text.as_str());
        if let Some(loc) = finding.rule.as_ref().filter(|loc| loc.index.is_none() && finding.diagnostic.span == Span::default()) {
            finding.diagnostic.span = policy_span(text, &loc.chain, finding.family).unwrap_or_default();
        }
    }
    out
}

/// Where the policy of `chain` is set for `family`: the last `:CHAIN POLICY` or `-P CHAIN` line
/// (in a script, an `ip6tables` line for IPv6 and another for IPv4, when there are both).
fn policy_span(text: &str, chain: &str, family: Family) -> Option<Span> {
    let mut candidates = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let words: Vec<&str> = line.split_whitespace().collect();
        let declared = words.first().is_some_and(|word| word.strip_prefix(':') == Some(chain));
        let set = words.windows(2).any(|pair| matches!(pair[0], "-P" | "--policy") && pair[1] == chain);
        if declared || set {
            let trimmed = line.trim_end();
            let start = offset + (trimmed.len() - trimmed.trim_start().len());
            candidates.push((Span::new(start, offset + trimmed.len()), line.contains("ip6tables")));
        }
        offset += line.len();
    }
    let wanted = family == Family::V6;
    let of_family: Vec<Span> = candidates.iter().filter(|(_, v6)| *v6 == wanted).map(|(span, _)| *span).collect();
    of_family.last().or_else(|| candidates.last().map(|(span, _)| span)).copied()
}

fn rule_json(loc: &RuleLoc) -> serde_json::Value {
    serde_json::json!({"table": loc.table.as_str(), "chain": loc.chain, "index": loc.index})
}

/// The findings as code frames with their witness, or as a JSON array.
pub(crate) fn report(loaded: &Loaded, findings: &[(usize, Finding)], format: ReportFormat) -> String {
    let indexes: Vec<LineIndex> = loaded.sources.iter().map(|source| LineIndex::new(&source.text)).collect();
    let source = |at: usize| loaded.sources.get(at).map_or(("", ""), |source| (source.name.as_str(), source.text.as_str()));
    match format {
        ReportFormat::Text => {
            let mut out = String::new();
            for (at, finding) in findings {
                let (name, text) = source(*at);
                out.push_str(&crate::report::text(name, text, std::slice::from_ref(&finding.diagnostic)));
                if let Some(witness) = &finding.witness {
                    let _ = write!(out, "      = witness: {witness}");
                    if let Some(expect) = &finding.expect {
                        let _ = write!(out, " -> {:?} by {}", expect.verdict, expect.decided_by);
                    }
                    out.push('\n');
                }
            }
            out
        }
        ReportFormat::Json => {
            let items: Vec<serde_json::Value> = findings
                .iter()
                .map(|(at, finding)| {
                    let diagnostic = &finding.diagnostic;
                    let position = indexes.get(*at).map_or((1, 1), |index| index.position(source(*at).1, diagnostic.span.start));
                    let mut item = crate::report::fields(diagnostic, position);
                    item["family"] = (if finding.family == Family::V4 { "v4" } else { "v6" }).into();
                    item["rule"] = serde_json::json!(finding.rule.as_ref().map(rule_json));
                    item["related"] = finding.related.iter().map(rule_json).collect();
                    item["witness"] = serde_json::json!(finding.witness.as_ref().map(ToString::to_string));
                    item["expect"] = serde_json::json!(finding.expect.as_ref().map(|expect| serde_json::json!({
                        "verdict": expect.verdict,
                        "rule": rule_json(&expect.decided_by),
                    })));
                    item["source"] = source(*at).0.into();
                    item["step"] = serde_json::json!(finding.step.as_ref().map(|step| serde_json::json!({"number": step.number, "command": step.what})));
                    item
                })
                .collect();
            let mut out = serde_json::Value::Array(items).to_string();
            out.push('\n');
            out
        }
    }
}
