//! The engine half of the size probes: everything the wizard's page asks of the engine (the
//! summary, the rules' explanations, the lint and the exports run in the analysis worker: the
//! page writes the review's job and reads its reply).

use portcullis_engine::design::preview::RuleScope;
use portcullis_engine::design::review_job::{read_reply, ReviewJob};
use portcullis_engine::design::{Design, Preset};
use portcullis_engine::export::script::Distro;

/// What the wizard's page derives from a design file (or a preset): each step's rules, the
/// design file written back, the review's job and its reply read (the reply here is the file's
/// text, so that nothing is optimised away), concatenated.
pub(crate) fn derive_all(design_file: &str, preset: usize) -> String {
    let design = match Preset::ALL.get(preset) {
        Some(preset) => preset.design(),
        None => Design::from_json(design_file).unwrap_or_default(),
    };
    let mut out = String::new();
    for scope in RuleScope::ALL {
        design.preview(scope).iter().for_each(|shown| out.push_str(&shown.text));
    }
    out.push_str(&design.to_json());
    out.push_str(&ReviewJob { design, distro: Distro::Debian }.to_message());
    match read_reply(design_file) {
        Ok(review) => {
            out.push_str(&review.summary);
            review.explanations.iter().for_each(|known| out.push_str(&known.explanation));
            review.findings.iter().for_each(|finding| out.push_str(&finding.message));
        }
        Err(error) => out.push_str(&error.to_string()),
    }
    out
}
