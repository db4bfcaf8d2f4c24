//! The engine half of the size probes: everything the wizard asks of the engine.

use portcullis_engine::design::{Design, Preset};
use portcullis_engine::explain::explain;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::export::script::ScriptOptions;
use portcullis_engine::export::Exports;
use portcullis_engine::model::Family;

/// What the wizard derives from a design file (or a preset): every rule explained, the findings,
/// the summary and the six exports, concatenated so that nothing is optimised away.
pub(crate) fn derive_all(design_file: &str, preset: usize) -> String {
    let design = match Preset::ALL.get(preset) {
        Some(preset) => preset.design(),
        None => Design::from_json(design_file).unwrap_or_default(),
    };
    let mut out = design.summary().to_string();
    for family in Family::ALL {
        let ruleset = design.compile(family);
        for rule in ruleset.tables.iter().flat_map(|table| table.chains.iter().flat_map(|chain| chain.rules.iter())) {
            out.push_str(&render_rule(rule, family));
            out.push_str(&explain(rule, family));
        }
    }
    for finding in design.lint() {
        out.push_str(finding.diagnostic.code.slug());
        out.push_str(&finding.diagnostic.message);
    }
    let exports = Exports::of(&design, &ScriptOptions::default());
    for text in [exports.script.map_err(|error| error.to_string()), exports.nft.map(|nft| nft.text).map_err(|error| error.to_string())] {
        out.push_str(&text.unwrap_or_else(|error| error));
    }
    for text in [exports.rules_v4, exports.rules_v6, exports.commands, exports.design_json] {
        out.push_str(&text);
    }
    out
}
