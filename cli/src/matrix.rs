//! `portcullis matrix`: who can reach which port, by classes of source addresses; with
//! `--forward`, which forwarded traffic passes between which interfaces, by classes of
//! (source, destination) pairs: summarised as text, in full as JSON.

use std::fmt::Write as _;

use portcullis_engine::analysis::forward_matrix::{forward_matrix, forward_summary, ForwardMatrix};
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

/// The forwarding matrices of every ruleset read: in JSON the full matrix (every interface pair,
/// every area); as text its summary (first match wins), which a person can read.
pub(crate) fn report_forward(rulesets: &[portcullis_engine::model::Ruleset], format: ReportFormat) -> String {
    match format {
        ReportFormat::Json => {
            let matrices: Vec<ForwardMatrix> = rulesets.iter().map(forward_matrix).collect();
            let mut out = serde_json::Value::Array(matrices.iter().map(ForwardMatrix::to_json).collect()).to_string();
            out.push('\n');
            out
        }
        ReportFormat::Text => rulesets.iter().map(|ruleset| forward_summary(ruleset).to_string()).collect(),
    }
}
