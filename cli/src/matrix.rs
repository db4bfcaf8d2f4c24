//! `portcullis matrix`: who can reach which port, by classes of source addresses; with
//! `--forward`, which forwarded traffic passes between which interfaces, by classes of
//! (source, destination) pairs.

use std::fmt::Write as _;

use portcullis_engine::analysis::forward_matrix::{forward_matrix, ForwardMatrix};
use portcullis_engine::analysis::matrix::{matrix, Matrix};

use crate::ReportFormat;

/// The matrices of every ruleset read.
pub(crate) fn report(matrices: &[Matrix], format: ReportFormat) -> String {
    match format {
        ReportFormat::Json => {
            let mut out = serde_json::Value::Array(matrices.iter().map(Matrix::to_json).collect()).to_string();
            out.push('\n');
            out
        }
        ReportFormat::Text => {
            let mut out = String::new();
            for table in matrices {
                for row in &table.rows {
                    let _ = writeln!(out, "{} INPUT {}/{} on {}", table.family, row.protocol, row.port, row.interfaces.join(", "));
                    for class in &row.classes {
                        let _ = writeln!(out, "  {:<40} {:<7} {}", class.sources.join(", "), format!("{:?}", class.verdict).to_uppercase(), class.decided_by);
                    }
                }
            }
            out
        }
    }
}

/// The matrices of `rulesets`.
pub(crate) fn matrices(rulesets: &[portcullis_engine::model::Ruleset]) -> Vec<Matrix> {
    rulesets.iter().map(matrix).collect()
}

/// The forwarding matrices of every ruleset read.
pub(crate) fn report_forward(rulesets: &[portcullis_engine::model::Ruleset], format: ReportFormat) -> String {
    let matrices: Vec<ForwardMatrix> = rulesets.iter().map(forward_matrix).collect();
    match format {
        ReportFormat::Json => {
            let mut out = serde_json::Value::Array(matrices.iter().map(ForwardMatrix::to_json).collect()).to_string();
            out.push('\n');
            out
        }
        ReportFormat::Text => {
            let mut out = String::new();
            for table in &matrices {
                for row in &table.rows {
                    let pairs: Vec<String> = row.interfaces.iter().map(|(arriving, leaving)| format!("{arriving} -> {leaving}")).collect();
                    let _ = writeln!(out, "{} FORWARD {}/{} on {}", table.family, row.protocol, row.port, pairs.join(", "));
                    for class in &row.classes {
                        let verdict = format!("{:?}", class.verdict).to_uppercase();
                        for area in &class.areas {
                            let pair = format!("{} -> {}", area.sources.join(", "), area.destinations.join(", "));
                            let _ = writeln!(out, "  {pair:<60} {verdict:<7} {}", class.decided_by);
                        }
                    }
                }
            }
            out
        }
    }
}
