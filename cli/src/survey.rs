//! `portcullis survey`: what a server runs, from pasted `ss`, `ip -br addr` and `iptables-save`
//! output, and the design that fits it.

use std::fmt::Write as _;

use portcullis_engine::survey::{Bind, Survey};

use crate::report;
use crate::ReportFormat;

/// The report for `survey` of `text` (read from `name`); its design's choices and conflicts too.
pub(crate) fn render(name: &str, text: &str, survey: &Survey, format: ReportFormat) -> String {
    let (design, choices) = survey.design();
    let mut diagnostics = survey.diagnostics.clone();
    diagnostics.extend(survey.conflicts(&design));
    match format {
        ReportFormat::Json => {
            let findings: serde_json::Value = serde_json::from_str(&report::json(text, &diagnostics)).unwrap_or_default();
            let value = serde_json::json!({
                "survey": survey,
                "choices": choices.iter().map(|choice| choice.text.as_str()).collect::<Vec<_>>(),
                "findings": findings,
            });
            format!("{value:#}\n")
        }
        ReportFormat::Text => {
            let mut out = String::new();
            let _ = writeln!(out, "Listening ({}):", survey.listeners.len());
            for listener in &survey.listeners {
                let reach = match listener.bind {
                    Bind::All => "every address",
                    Bind::Loopback => "loopback only",
                    Bind::Address(_) => "one address",
                };
                let program = listener.process.as_deref().unwrap_or("-");
                let _ = writeln!(out, "  {:<4} {:<28} {:<16} {program}", if listener.protocol == portcullis_engine::model::Protocol::UDP { "udp" } else { "tcp" }, listener.local, reach);
            }
            let _ = writeln!(out, "Interfaces ({}):", survey.interfaces.len());
            for interface in &survey.interfaces {
                let addresses: Vec<String> = interface.addresses.iter().map(ToString::to_string).collect();
                let _ = writeln!(out, "  {:<16} {:<8} {}", interface.name, interface.state, addresses.join(" "));
            }
            let tools = if survey.tools.is_empty() { "none".to_owned() } else { survey.tools.join(", ") };
            let _ = writeln!(out, "Other tools with rules: {tools}");
            for port in &survey.published {
                let _ = writeln!(out, "Docker publishes {} {} → {}", port.protocol.to_ascii_uppercase(), port.port, port.to);
            }
            let _ = writeln!(out, "Design:");
            for choice in &choices {
                let _ = writeln!(out, "  - {}", choice.text);
            }
            out.push_str(&report::text(name, text, &diagnostics));
            out
        }
    }
}
