//! `portcullis simulate`: one packet (`--packet`) or a JSON-lines batch (`--packets`) through a
//! ruleset, with the verdict, the deciding rule and the trace.

use std::fmt::Write as _;

use portcullis_engine::design::Design;
use portcullis_engine::diagnostic::LineIndex;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::model::{Family, Rule, Ruleset};
use portcullis_engine::simulate::{converse, simulate, Packet, PacketJson, RuleRef, Simulation, StepResult};
use serde_json::json;

/// The rulesets of RULES: anything `check` reads, or a design file (JSON) compiled for both families.
pub(crate) struct Rules {
    /// The text they were read from (empty for a design: its rules have no lines).
    pub(crate) text: String,
    /// One ruleset per family present.
    pub(crate) rulesets: Vec<Ruleset>,
}

impl Rules {
    /// Reads `text` named `name`; errors are printed as code frames and returned as `Err`.
    pub(crate) fn read(name: &str, text: String) -> Result<Self, String> {
        if text.trim_start().starts_with('{') {
            let design = Design::from_json(&text).map_err(|error| format!("{name}: {error}"))?;
            let rulesets = Family::ALL.iter().map(|family| design.compile(*family)).collect();
            return Ok(Self { text: String::new(), rulesets });
        }
        let parsed = portcullis_engine::import::import(&text, None);
        if parsed.has_errors() {
            return Err(format!("{name} has errors; `portcullis check {name}` shows them\n{}", crate::report::text(name, &text, &parsed.diagnostics)));
        }
        Ok(Self { text, rulesets: parsed.value.rulesets })
    }

    fn ruleset(&self, family: Family) -> Ruleset {
        self.rulesets.iter().find(|ruleset| ruleset.family == family).cloned().unwrap_or_else(|| Ruleset::new(family))
    }

    fn rule(&self, family: Family, reference: &RuleRef) -> Option<Rule> {
        let ruleset = self.rulesets.iter().find(|ruleset| ruleset.family == family)?;
        let table = ruleset.tables.iter().find(|table| table.name.as_str() == reference.table)?;
        let chain = table.chains.iter().find(|chain| chain.name.as_str() == reference.chain)?;
        chain.rules.get(reference.index?.checked_sub(1)?).cloned()
    }

    fn line(&self, reference: &RuleRef) -> Option<usize> {
        let offset = reference.origin?;
        (!self.text.is_empty()).then(|| LineIndex::new(&self.text).position(&self.text, offset).0)
    }

    /// Simulates `packet` in the ruleset of its family.
    pub(crate) fn simulate(&self, packet: &Packet) -> Simulation {
        simulate(&self.ruleset(packet.family), packet)
    }

    fn rule_json(&self, reference: Option<&RuleRef>) -> serde_json::Value {
        match reference {
            Some(reference) if reference.index.is_some() => json!({
                "table": reference.table,
                "chain": reference.chain,
                "index": reference.index,
                "line": self.line(reference),
            }),
            _ => serde_json::Value::Null,
        }
    }

    /// The JSON result of one packet: verdict, deciding rule (null for a policy), outcomes, trace.
    pub(crate) fn result_json(&self, packet: &Packet, simulation: &Simulation) -> serde_json::Value {
        let verdict = simulation.verdict().map_or("MAYBE".to_owned(), |verdict| format!("{verdict:?}").to_ascii_uppercase());
        let first = &simulation.outcomes[0];
        let rule = if simulation.verdict().is_some() && simulation.is_certain() { self.rule_json(first.decided_by.as_ref()) } else { serde_json::Value::Null };
        let outcomes: Vec<serde_json::Value> = simulation
            .outcomes
            .iter()
            .map(|outcome| json!({
                "verdict": format!("{:?}", outcome.verdict).to_ascii_uppercase(),
                "rule": self.rule_json(outcome.decided_by.as_ref()),
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
                let text = self.rule(packet.family, &step.rule).map(|rule| format!("-A {}{}", step.rule.chain, render_rule(&rule, packet.family)));
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
                Some(reference) => match (reference.index, self.line(reference)) {
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
