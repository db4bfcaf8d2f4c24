//! Every export of one design at once: what the app's export tabs and `portcullis export` show.

use super::nft::{NftError, NftExport};
use super::script::{ScriptError, ScriptOptions};
use super::{commands, nft, save, script};
use crate::design::Design;
use crate::model::Family;

/// The files a design exports to, each as the server reads it.
#[derive(Debug, Clone)]
pub struct Exports {
    /// `rules.v4`, for `iptables-restore`.
    pub rules_v4: String,
    /// `rules.v6`, for `ip6tables-restore`.
    pub rules_v6: String,
    /// Plain `iptables` then `ip6tables` commands, in order.
    pub commands: String,
    /// One `nft -f` file, or the rules nftables cannot express.
    pub nft: Result<NftExport, NftError>,
    /// The safe apply script, or why there is none.
    pub script: Result<String, ScriptError>,
    /// The design file itself.
    pub design_json: String,
}

impl Exports {
    /// Compiles `design` for both families and renders every export.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::Preset;
    /// use portcullis_engine::export::{Exports, script::ScriptOptions};
    /// let exports = Exports::of(&Preset::Web.design(), &ScriptOptions::default());
    /// assert!(exports.rules_v4.contains("--dport 443"));
    /// assert!(exports.script.unwrap().starts_with("#!/bin/bash"));
    /// ```
    pub fn of(design: &Design, options: &ScriptOptions) -> Self {
        let (v4, v6) = (design.compile(Family::V4), design.compile(Family::V6));
        let (rules_v4, rules_v6) = (save::render(&v4), save::render(&v6));
        let script = script::render(&v4, &v6, options);
        Self {
            commands: commands::render_pair(&v4, &v6),
            nft: nft::render_with(&v4, &v6, nft::NftOptions::for_design(design)),
            script,
            design_json: design.to_json(),
            rules_v4,
            rules_v6,
        }
    }
}
