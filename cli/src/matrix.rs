//! `portcullis matrix`: who can reach which port, by classes of source addresses.

use std::fmt::Write as _;

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
