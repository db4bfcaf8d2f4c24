//! Quick fixes for lint findings, as data: [`fixes`] offers them, [`Draft::apply`] applies one.
//!
//! A fix is offered only when it is safe, and each one is checked before it is offered: it is
//! applied to a copy of the draft, the copy is linted again, and the fix is dropped unless the
//! finding is gone and no error-severity finding has appeared (no code has more errors than
//! before).
//!
//! - `redundant-rule` (L003): delete the redundant rule (other rules give its packets the same
//!   verdict, so nothing changes but the rule count).
//! - `shadowed-rule` (L002): move the rule just above the first rule with another action that
//!   takes its packets, when those rules are all in its chain and the move leaves fewer
//!   shadowed rules and no more redundant ones than before
//!   (moving a DROP above an ACCEPT of the very same packets would only shadow the ACCEPT: not
//!   offered).
//! - `no-established` (L008): insert `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` at
//!   the top of INPUT.
//!
//! # Examples
//! ```
//! use portcullis_engine::analysis::{lint, LintOptions};
//! use portcullis_engine::import::import;
//! use portcullis_engine::model::Family;
//! use portcullis_engine::workbench::{fixes, Draft};
//!
//! let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -p tcp -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
//! let mut draft = Draft::from_imported(&import(text, None).value);
//! let findings = lint(&draft.effective(Family::V4), &LintOptions::default());
//! let shadowed = findings.iter().find(|f| f.diagnostic.code.slug() == "shadowed-rule").unwrap();
//! let offered = fixes(&draft, shadowed);
//! assert_eq!(offered[0].title, "Move INPUT rule 3 above INPUT rule 2");
//! draft.apply(&offered[0]).unwrap();
//! let after = lint(&draft.effective(Family::V4), &LintOptions::default());
//! assert!(after.iter().all(|f| f.diagnostic.code.slug() != "shadowed-rule"));
//! ```

use std::collections::BTreeMap;

use super::draft::{ChainLoc, Draft, RowLoc};
use super::edit::EditError;
use crate::analysis::{lint, Finding, LintOptions};
use crate::diagnostic::{Code, Severity};
use crate::model::{BuiltinChain, ConnState, ConnStates, ConnTrack, Module, Rule, TableName, Target};

/// What a fix does to the draft.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FixAction {
    /// Delete the rule at `row`.
    DeleteRule {
        /// The rule to delete.
        row: RowLoc,
    },
    /// Move the rule at `row` so that it sits just above `above` (same chain).
    MoveAbove {
        /// The rule to move.
        row: RowLoc,
        /// The first rule that took its packets.
        above: RowLoc,
    },
    /// Insert `rule` as row `position` of `chain`.
    InsertRule {
        /// Where.
        chain: ChainLoc,
        /// 0-based position.
        position: usize,
        /// The rule.
        rule: Box<Rule>,
    },
}

/// A quick fix: a plain-words title for the button, and the edit it makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, e.g. "Delete INPUT rule 4 (redundant)".
    pub title: String,
    /// The edit.
    pub action: FixAction,
}

/// `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`: replies to connections already allowed.
///
/// # Examples
/// ```
/// use portcullis_engine::model::Family;
/// let rule = portcullis_engine::workbench::fixes::established_accept();
/// assert_eq!(portcullis_engine::export::save::render_rule(&rule, Family::V4), " -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
/// ```
pub fn established_accept() -> Rule {
    let states = ConnStates::new([ConnState::Related, ConnState::Established]);
    let modules = states.map(|states| Module::ConnTrack(ConnTrack::states(states))).into_iter().collect();
    Rule { modules, target: Some(Target::Accept), ..Rule::default() }
}

impl Draft {
    /// Applies a fix offered by [`fixes`]; returns the row it deleted, moved or inserted (where
    /// it is now; for a deletion, where it was).
    ///
    /// # Errors
    /// When the draft changed since the fix was offered and the edit no longer fits.
    pub fn apply(&mut self, fix: &Fix) -> Result<RowLoc, EditError> {
        match &fix.action {
            FixAction::DeleteRule { row } => self.delete_rule(row).map(|_| row.clone()),
            FixAction::MoveAbove { row, above } => {
                let position = if above.row < row.row { above.row } else { above.row.saturating_sub(1) };
                self.move_rule(row, &above.chain_loc(), position)
            }
            FixAction::InsertRule { chain, position, rule } => self.insert_rule(chain, *position, (**rule).clone()),
        }
    }
}

/// Error findings per code: a fix may not raise any of these counts.
fn errors_by_code(findings: &[Finding]) -> BTreeMap<Code, usize> {
    let mut counts = BTreeMap::new();
    for finding in findings.iter().filter(|finding| finding.diagnostic.severity == Severity::Error) {
        *counts.entry(finding.diagnostic.code).or_insert(0) += 1;
    }
    counts
}

fn count(findings: &[Finding], codes: &[Code]) -> usize {
    findings.iter().filter(|finding| codes.contains(&finding.diagnostic.code)).count()
}

/// The fixes that are safe for `finding`, a finding of [`lint`] on `draft.effective(family)`
/// with default [`LintOptions`]; see [`fixes_with`] for other options. Empty when no fix is
/// known or none passes the check.
pub fn fixes(draft: &Draft, finding: &Finding) -> Vec<Fix> {
    fixes_with(draft, finding, &LintOptions::default())
}

/// [`fixes`] for findings linted with `options` (the admin's SSH port and addresses), which the
/// check of each fix uses too.
pub fn fixes_with(draft: &Draft, finding: &Finding, options: &LintOptions) -> Vec<Fix> {
    let family = finding.family;
    let row = finding.rule.as_ref().and_then(|loc| draft.row_of(family, loc));
    let candidates: Vec<Fix> = match (finding.diagnostic.code, row) {
        (Code::RedundantRule, Some(row)) => {
            let title = format!("Delete {} (redundant)", rule_name(draft, &row));
            vec![Fix { title, action: FixAction::DeleteRule { row } }]
        }
        (Code::ShadowedRule, Some(row)) => {
            let blockers: Option<Vec<RowLoc>> = finding.related.iter().map(|loc| draft.row_of(family, loc)).collect();
            let blockers = blockers.filter(|blockers| blockers.iter().all(|blocker| blocker.chain == row.chain && blocker.table == row.table));
            // Above the first blocker with another action: those with the rule's own action
            // (an ESTABLISHED accept before an ACCEPT) take packets it would treat alike.
            let target = |loc: &RowLoc| draft.row(loc).and_then(|found| found.rule.target.clone());
            let above = blockers.and_then(|blockers| {
                let differing = blockers.iter().filter(|blocker| target(blocker) != target(&row)).min_by_key(|blocker| blocker.row);
                differing.or_else(|| blockers.iter().min_by_key(|blocker| blocker.row)).cloned()
            });
            let above = above.filter(|above| above.row < row.row);
            above
                .map(|above| {
                    let title = format!("Move {} above {}", rule_name(draft, &row), rule_name(draft, &above));
                    Fix { title, action: FixAction::MoveAbove { row, above } }
                })
                .into_iter()
                .collect()
        }
        (Code::NoEstablished, _) => {
            let chain = ChainLoc::builtin(family, TableName::Filter, BuiltinChain::Input);
            let title = "Accept replies: add `-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` at the top of INPUT".to_owned();
            vec![Fix { title, action: FixAction::InsertRule { chain, position: 0, rule: Box::new(established_accept()) } }]
        }
        _ => Vec::new(),
    };
    candidates.into_iter().filter(|fix| is_safe(draft, finding, fix, options)).collect()
}

/// `INPUT rule 3` as the effective ruleset counts it (the row's own number when disabled).
fn rule_name(draft: &Draft, row: &RowLoc) -> String {
    draft.rule_loc(row).map_or_else(|| format!("{} row {}", row.chain, row.row + 1), |loc| loc.to_string())
}

/// Applies `fix` to a copy and lints again: the finding must be gone and no error count may grow.
fn is_safe(draft: &Draft, finding: &Finding, fix: &Fix, options: &LintOptions) -> bool {
    let family = finding.family;
    let before = lint(&draft.effective(family), options);
    let mut fixed = draft.clone();
    let Ok(moved) = fixed.apply(fix) else { return false };
    let after = lint(&fixed.effective(family), options);
    let before_errors = errors_by_code(&before);
    let no_new_errors =
        errors_by_code(&after).iter().all(|(code, count)| before_errors.get(code).is_some_and(|before| count <= before));
    let gone = match &fix.action {
        FixAction::DeleteRule { .. } => true,
        FixAction::MoveAbove { .. } => {
            let codes = [Code::ShadowedRule, Code::RedundantRule];
            let at = fixed.rule_loc(&moved);
            let still = after.iter().any(|other| codes.contains(&other.diagnostic.code) && other.rule.is_some() && other.rule == at);
            // Fewer shadowed rules, and not more redundant ones: the problem is gone, not moved.
            let shadowed = count(&after, &codes[..1]) < count(&before, &codes[..1]);
            !still && shadowed && count(&after, &codes[1..]) <= count(&before, &codes[1..])
        }
        FixAction::InsertRule { .. } => count(&after, &[finding.diagnostic.code]) < count(&before, &[finding.diagnostic.code]),
    };
    gone && no_new_errors
}
