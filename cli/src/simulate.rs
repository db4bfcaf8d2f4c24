//! `portcullis simulate`: one packet (`--packet`) or a JSON-lines batch (`--packets`) through a
//! ruleset, with the verdict, the deciding rule and the trace.

use std::fmt::Write as _;

use std::path::Path;

use portcullis_engine::analysis::{rule_at, RuleLoc};
use portcullis_engine::diagnostic::LineIndex;
use portcullis_engine::export::save::render_appended;
use portcullis_engine::model::{Family, Rule, Ruleset};
use portcullis_engine::simulate::{converse, simulate, Packet, PacketJson, Prepared, Simulation, StepResult};
use serde_json::json;

use crate::lint::Loaded;

/// The rulesets of RULES, read as `lint` reads them: a dump, a script, or a design file (JSON)
/// compiled for both families (lines then point into the compiled rules).
pub(crate) struct Rules {
    loaded: Loaded,
}

impl Rules {
    /// Reads `file`; reader errors are returned as code frames.
    ///
    /// # Errors
    /// The outer error is an I/O or design-file problem (usage, exit 2); the inner one lists the
    /// reader's errors (exit 1).
    pub(crate) fn load(file: &Path) -> Result<Result<Self, String>, String> {
        let loaded = crate::lint::load(file)?;
        if loaded.has_errors() {
            let frames: String =
                loaded.sources.iter().map(|source| crate::report::text(&source.name, &source.text, &source.diagnostics)).collect();
            let name = file.display();
            return Ok(Err(format!("{name} has errors; `portcullis check {name}` shows them\n{frames}")));
        }
        Ok(Ok(Self { loaded }))
    }

    /// The source holding `family`'s ruleset, and that ruleset.
    fn find(&self, family: Family) -> Option<(&crate::lint::Source, &Ruleset)> {
        self.loaded.sources.iter().find_map(|source| source.rulesets.iter().find(|ruleset| ruleset.family == family).map(|ruleset| (source, ruleset)))
    }

    fn ruleset(&self, family: Family) -> Ruleset {
        self.find(family).map_or_else(|| Ruleset::new(family), |(_, ruleset)| ruleset.clone())
    }

    fn rule(&self, family: Family, reference: &RuleLoc) -> Option<Rule> {
        let (_, ruleset) = self.find(family)?;
        rule_at(ruleset, reference).cloned()
    }

    fn line(&self, family: Family, reference: &RuleLoc) -> Option<usize> {
        let (source, ruleset) = self.find(family)?;
        let offset = rule_at(ruleset, reference)?.origin?.start;
        Some(LineIndex::new(&source.text).position(&source.text, offset).0)
    }

    /// Simulates `packet` in the ruleset of its family.
    pub(crate) fn simulate(&self, packet: &Packet) -> Simulation {
        // Borrowed, not cloned: a batch simulates many packets in the same ruleset.
        match self.find(packet.family) {
            Some((_, ruleset)) => simulate(ruleset, packet),
            None => simulate(&Ruleset::new(packet.family), packet),
        }
    }

    fn rule_json(&self, family: Family, reference: Option<&RuleLoc>) -> serde_json::Value {
        match reference {
            Some(reference) if reference.index.is_some() => json!({
                "table": reference.table.as_str(),
                "chain": reference.chain,
                "index": reference.index,
                "line": self.line(family, reference),
            }),
            _ => serde_json::Value::Null,
        }
    }

    /// The JSON result of one packet: verdict, deciding rule (null for a policy), outcomes, trace.
    pub(crate) fn result_json(&self, packet: &Packet, simulation: &Simulation) -> serde_json::Value {
        let verdict = simulation.verdict().map_or("MAYBE".to_owned(), |verdict| format!("{verdict:?}").to_ascii_uppercase());
        let first = &simulation.outcomes[0];
        let rule = if simulation.verdict().is_some() && simulation.is_certain() { self.rule_json(packet.family, first.decided_by.as_ref()) } else { serde_json::Value::Null };
        let outcomes: Vec<serde_json::Value> = simulation
            .outcomes
            .iter()
            .map(|outcome| json!({
                "verdict": format!("{:?}", outcome.verdict).to_ascii_uppercase(),
                "rule": self.rule_json(packet.family, outcome.decided_by.as_ref()),
                "packet": outcome.packet.to_string(),
            }))
            .collect();
        json!({
            "packet": packet.to_string(),
            "verdict": verdict,
            "rule": rule,
            "outcomes": outcomes,
            "trace": first.trace,
        })
    }

    /// A batch: each packet's JSON line, with its trace (`traced`) or from the trace-free path.
    pub(crate) fn batch(&self, traced: bool) -> Batch<'_> {
        let prepare = |family| self.find(family).map(|(_, ruleset)| Prepared::new(ruleset));
        let fast = if traced { None } else { Some([prepare(Family::V4), prepare(Family::V6)]) };
        Batch { rules: self, fast }
    }

    /// The trace for people: every visited rule, then the verdict.
    pub(crate) fn result_text(&self, packet: &Packet, simulation: &Simulation) -> String {
        let mut out = format!("packet: {packet}\n");
        for (number, outcome) in simulation.outcomes.iter().enumerate() {
            if simulation.outcomes.len() > 1 {
                let _ = writeln!(out, "outcome {} of {}:", number + 1, simulation.outcomes.len());
            }
            for step in &outcome.trace {
                let place = match step.rule.index {
                    Some(index) => format!("{} {} #{index}", step.rule.table, step.rule.chain),
                    None => format!("{} {} policy", step.rule.table, step.rule.chain),
                };
                let text = self.rule(packet.family, &step.rule).map(|rule| render_appended(&step.rule.chain, &rule, packet.family));
                let result = match &step.result {
                    StepResult::Matched { target } => format!("matched -> {target}"),
                    StepResult::NotMatched { on } => format!("no ({on})"),
                    StepResult::MayMatchTaken { on, target } => format!("may match ({on}); assumed yes -> {target}"),
                    StepResult::MayMatchSkipped { on } => format!("may match ({on}); assumed no"),
                    StepResult::Policy { policy } => format!("policy {policy}"),
                };
                let _ = writeln!(out, "  {place:<28} {result}");
                if let Some(text) = text {
                    let _ = writeln!(out, "  {:<28}   {text}", "");
                }
            }
            let decided = match &outcome.decided_by {
                Some(reference) => match (reference.index, self.line(packet.family, reference)) {
                    (Some(index), Some(line)) => format!(" by {} {} rule {index} (line {line})", reference.table, reference.chain),
                    (Some(index), None) => format!(" by {} {} rule {index}", reference.table, reference.chain),
                    (None, _) => format!(" by the {} {} policy", reference.table, reference.chain),
                },
                None => String::new(),
            };
            let _ = writeln!(out, "verdict: {}{decided}", format!("{:?}", outcome.verdict).to_ascii_uppercase());
        }
        if simulation.verdict().is_none() {
            out.push_str("the verdict depends on matches the packet alone cannot decide (MAYBE)\n");
        }
        out
    }
}

impl Rules {
    /// A request and its replies, each with its trace (text) or as a JSON array.
    pub(crate) fn conversation(&self, request: &Packet, json: bool) -> String {
        let ruleset = self.ruleset(request.family);
        let conversation = converse(&ruleset, request);
        if json {
            let items: Vec<serde_json::Value> = conversation
                .exchanges
                .iter()
                .map(|exchange| {
                    let mut item = self.result_json(&exchange.packet, &exchange.simulation);
                    item["label"] = json!(exchange.label);
                    item
                })
                .collect();
            return format!("{:#}\n", serde_json::Value::Array(items));
        }
        let mut out = String::new();
        for exchange in &conversation.exchanges {
            let _ = writeln!(out, "== {}", exchange.label);
            out.push_str(&self.result_text(&exchange.packet, &exchange.simulation));
        }
        out.push_str(if conversation.completes() { "the conversation completes\n" } else { "the conversation breaks here\n" });
        out
    }
}

/// The packets of a `--packets` batch through one loaded ruleset.
pub(crate) struct Batch<'r> {
    rules: &'r Rules,
    /// Without traces: the ruleset of each family (v4, v6) indexed once (`None`: no ruleset of
    /// that family, so every chain is empty and every policy ACCEPT).
    fast: Option<[Option<Prepared<'r>>; 2]>,
}

impl Batch<'_> {
    /// One packet's JSON line: `{packet, verdict, rule, outcomes}`, and `trace` when traced.
    pub(crate) fn result_json(&self, packet: &Packet) -> serde_json::Value {
        let Some(fast) = &self.fast else { return self.rules.result_json(packet, &self.rules.simulate(packet)) };
        let slot = usize::from(packet.family == Family::V6);
        let empty;
        let verdicts = match &fast[slot] {
            Some(prepared) => prepared.verdicts(packet),
            None => {
                empty = Ruleset::new(packet.family);
                Prepared::new(&empty).verdicts(packet)
            }
        };
        let rules = self.rules;
        let certain = verdicts.verdict().filter(|_| verdicts.is_certain());
        let rule = match (certain, verdicts.outcomes.first()) {
            (Some(_), Some(first)) => rules.rule_json(packet.family, first.decided_by.as_ref()),
            _ => serde_json::Value::Null,
        };
        let outcomes: Vec<serde_json::Value> = verdicts
            .outcomes
            .iter()
            .map(|outcome| json!({
                "verdict": format!("{:?}", outcome.verdict).to_ascii_uppercase(),
                "rule": rules.rule_json(packet.family, outcome.decided_by.as_ref()),
                "packet": outcome.packet_or(packet).to_string(),
            }))
            .collect();
        let verdict = verdicts.verdict().map_or("MAYBE".to_owned(), |verdict| format!("{verdict:?}").to_ascii_uppercase());
        json!({"packet": packet.to_string(), "verdict": verdict, "rule": rule, "outcomes": outcomes})
    }
}

/// Reads the packets of a JSON-lines text, one result or error per line.
pub(crate) fn packets_from_lines(text: &str) -> Vec<Result<Packet, String>> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(number, line)| {
            let json: PacketJson = serde_json::from_str(line).map_err(|error| format!("line {}: {error}", number + 1))?;
            Packet::from_json(&json).map_err(|error| format!("line {}: {error}", number + 1))
        })
        .collect()
}
