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
//! - [`owners`]: chains and rules written by Docker, ufw, fail2ban, firewalld, kube-proxy,
//!   libvirt and Cilium, and what exporting would do to them ([`owned`] as data,
//!   [`owner_findings`] as warnings L021–L027).
//! - [`fixes`]: quick fixes for lint findings (delete a redundant rule, move a shadowed rule
//!   above what shadows it, accept ESTABLISHED,RELATED replies), each checked by linting the
//!   fixed draft before it is offered; [`Draft::apply`] applies one.
//! - [`diff`]: the flows whose verdict changes between two service matrices (imported against
//!   edited, IPv4 against IPv6), each with the deciding rule of both sides.
//! - [`StoredDraft`]: a draft as text (the `iptables-save` text of every row, disabled ones
//!   included, and which rows are disabled) that reads back into the same draft, so the app can
//!   keep the workbench across a reload.
//! - [`presets`]: the simulator's packet presets ("SSH from the internet", "web visitor",
//!   "reply to my DNS query", "XMAS scan", "ping") for either family, on documentation addresses.
//! - [`job`]: the analysis (findings and matrices) as JSON messages, for the app's Web Worker;
//!   the same result as analysing the rulesets directly.
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

pub mod diff;
mod draft;
mod edit;
pub mod fixes;
mod form;
pub mod job;
pub mod owners;
pub mod presets;
mod stored;

pub use diff::{diff_matrices, diff_rulesets, FlowChange};
pub use draft::{ChainLoc, Draft, DraftChain, DraftRuleset, DraftTable, Row, RowLoc};
pub use edit::EditError;
pub use fixes::{fixes, fixes_with, Fix, FixAction};
pub use form::{Field, FieldError, RuleForm, TargetChoice};
pub use owners::{owned, owner_findings, Owned, Owner};
pub use presets::PacketPreset;
pub use stored::{StoredDraft, StoredDraftError};
