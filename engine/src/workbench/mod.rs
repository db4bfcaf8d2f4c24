//! The expert's workbench, engine side: what the app's rules editor, findings panel, matrix diff
//! and simulator presets call. Plain data in, plain data out; no formatting for a UI.
//!
//! - [`Draft`]: both families' rulesets as the user edits them, each rule with an `enabled`
//!   flag. Edits are named methods ([`Draft::insert_rule`], [`Draft::move_rule`],
//!   [`Draft::delete_chain`]…) that return a typed [`EditError`] instead of panicking, and leave
//!   the draft unchanged when refused. [`Draft::effective`] is the ruleset of the enabled rules,
//!   which the lints, the simulator, the matrices and the exports take;
//!   [`Draft::rule_loc`] and [`Draft::row_of`] translate between a draft [`RowLoc`] (0-based,
//!   disabled rows counted) and the [`crate::model::RuleLoc`] that findings, traces and matrix
//!   cells name (1-based, enabled rules only).
//! - [`RuleForm`]: the rule editor's typed fields, read from a rule and written back onto it,
//!   each field checked with its own message; what the form does not show is kept in place.
//!
//! # Examples
//! ```
//! use portcullis_engine::design::{Design, ServiceId};
//! use portcullis_engine::model::{BuiltinChain, Family, Rule, TableName, Target};
//! use portcullis_engine::workbench::{ChainLoc, Draft};
//!
//! // Open a wizard design in the workbench and add a custom rule on top.
//! let mut design = Design::default();
//! design.allow(ServiceId::HTTP, vec![]);
//! let mut draft = Draft::from_design(&design);
//! let input = ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Input);
//! let row = draft.insert_rule(&input, 0, Rule::new(Target::Drop)).unwrap();
//! assert_eq!(draft.rule_loc(&row).unwrap().to_string(), "INPUT rule 1");
//! let rules = portcullis_engine::export::save::render(&draft.effective(Family::V4));
//! assert!(rules.contains("-A INPUT -j DROP\n"));
//! ```

mod draft;
mod edit;
mod form;

pub use draft::{ChainLoc, Draft, DraftChain, DraftRuleset, DraftTable, Row, RowLoc};
pub use edit::EditError;
pub use form::{Field, FieldError, RuleForm, TargetChoice};
