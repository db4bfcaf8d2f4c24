//! The editable ruleset: both families as the user edits them, each rule with an `enabled` flag,
//! and the mapping between a draft row and the rule address of the effective ruleset.

use std::sync::Arc;

use crate::design::Design;
use crate::import::Imported;
use crate::model::{BuiltinChain, ChainName, Counters, Family, Policy, Rule, RuleLoc, Ruleset, Table, TableName};

/// One row of a draft chain: a rule and whether it takes part in the effective ruleset. A
/// disabled rule keeps its place, so enabling it again puts it back where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The rule as edited.
    pub rule: Rule,
    /// Whether the rule is in [`Draft::effective`].
    pub enabled: bool,
}

/// One chain of a draft: its name, its policy (built-in chains only) and its rows in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftChain {
    pub(super) name: ChainName,
    pub(super) policy: Option<Policy>,
    pub(super) counters: Counters,
    /// Shared between copies of the draft until one changes them ([`DraftChain::rows_mut`]):
    /// undo keeps a copy of the whole draft before each edit, and with 10,000 rules a deep copy
    /// took milliseconds of the edit's frame; now it copies one pointer per chain, and an edit
    /// copies only the rows of the chains it changes. Comparing two copies skips shared rows.
    pub(super) rows: Arc<Vec<Row>>,
}

impl DraftChain {
    /// The chain's name.
    pub fn name(&self) -> &ChainName {
        &self.name
    }

    /// The policy of a built-in chain; `None` for a user chain.
    pub fn policy(&self) -> Option<Policy> {
        self.policy
    }

    /// Every row, enabled or not, in order.
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// The rows to change: copied first if another copy of the draft shares them.
    pub(super) fn rows_mut(&mut self) -> &mut Vec<Row> {
        Arc::make_mut(&mut self.rows)
    }
}

/// One table of a draft: built-in chains first (the kernel's order), then user chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftTable {
    pub(super) name: TableName,
    pub(super) chains: Vec<DraftChain>,
}

impl DraftTable {
    /// Which table.
    pub fn name(&self) -> TableName {
        self.name
    }

    /// The chains in print order.
    pub fn chains(&self) -> &[DraftChain] {
        &self.chains
    }

    /// The chain called `name`.
    pub fn chain(&self, name: &str) -> Option<&DraftChain> {
        self.chains.iter().find(|chain| chain.name.as_str() == name)
    }

    fn new(name: TableName) -> Self {
        Self::from_table(&Table::new(name))
    }

    pub(super) fn from_table(table: &Table) -> Self {
        let chains = table
            .chains
            .iter()
            .map(|chain| DraftChain {
                name: chain.name.clone(),
                policy: chain.policy,
                counters: chain.counters,
                rows: Arc::new(chain.rules.iter().map(|rule| Row { rule: rule.clone(), enabled: true }).collect()),
            })
            .collect();
        Self { name: table.name, chains }
    }
}

/// The draft of one family: the tables it configures, in `iptables-save` order. A table that is
/// absent is left untouched by an export, as by `iptables-restore`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRuleset {
    pub(super) family: Family,
    pub(super) tables: Vec<DraftTable>,
}

impl DraftRuleset {
    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The tables in print order.
    pub fn tables(&self) -> &[DraftTable] {
        &self.tables
    }

    /// The table `name`, if the draft configures it.
    pub fn table(&self, name: TableName) -> Option<&DraftTable> {
        self.tables.iter().find(|table| table.name == name)
    }

    pub(super) fn table_mut(&mut self, name: TableName) -> Option<&mut DraftTable> {
        self.tables.iter_mut().find(|table| table.name == name)
    }

    /// The table `name`, created with its built-in chains (policy ACCEPT) if absent.
    pub(super) fn table_or_new(&mut self, name: TableName) -> &mut DraftTable {
        let at = match self.tables.iter().position(|table| table.name == name) {
            Some(at) => at,
            None => {
                let at = self.tables.partition_point(|table| table.name < name);
                self.tables.insert(at, DraftTable::new(name));
                at
            }
        };
        &mut self.tables[at]
    }

    fn from_ruleset(ruleset: &Ruleset) -> Self {
        Self { family: ruleset.family, tables: ruleset.tables.iter().map(DraftTable::from_table).collect() }
    }

    fn effective(&self) -> Ruleset {
        let tables = self
            .tables
            .iter()
            .map(|table| Table {
                name: table.name,
                chains: table
                    .chains
                    .iter()
                    .map(|chain| crate::model::Chain {
                        name: chain.name.clone(),
                        policy: chain.policy,
                        counters: chain.counters,
                        rules: chain.rows.iter().filter(|row| row.enabled).map(|row| row.rule.clone()).collect(),
                    })
                    .collect(),
            })
            .collect();
        Ruleset { family: self.family, tables }
    }
}

/// A chain of a draft: family, table and chain name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChainLoc {
    /// The family.
    pub family: Family,
    /// The table.
    pub table: TableName,
    /// The chain.
    pub chain: ChainName,
}

impl ChainLoc {
    /// A built-in chain of `table`.
    pub fn builtin(family: Family, table: TableName, chain: BuiltinChain) -> Self {
        Self { family, table, chain: ChainName::Builtin(chain) }
    }

    /// The row at 0-based `row` of this chain.
    #[must_use]
    pub fn row(&self, row: usize) -> RowLoc {
        RowLoc { family: self.family, table: self.table, chain: self.chain.clone(), row }
    }
}

/// A row of a draft: family, table, chain and **0-based** position among all the chain's rows,
/// disabled ones included. (A [`RuleLoc`] counts from 1 and only enabled rules:
/// [`Draft::rule_loc`] and [`Draft::row_of`] convert.)
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RowLoc {
    /// The family.
    pub family: Family,
    /// The table.
    pub table: TableName,
    /// The chain.
    pub chain: ChainName,
    /// 0-based position in the chain's rows.
    pub row: usize,
}

impl RowLoc {
    /// The chain this row is in.
    pub fn chain_loc(&self) -> ChainLoc {
        ChainLoc { family: self.family, table: self.table, chain: self.chain.clone() }
    }
}

/// The rulesets of both families as the user edits them. Every edit is a named method that
/// checks its arguments and returns a typed [`super::EditError`] instead of panicking; a failed
/// edit leaves the draft unchanged.
///
/// # Examples
/// ```
/// use portcullis_engine::import::import;
/// use portcullis_engine::model::{BuiltinChain, Family, RuleLoc, TableName};
/// use portcullis_engine::workbench::{ChainLoc, Draft};
///
/// let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 23 -j ACCEPT\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
/// let mut draft = Draft::from_imported(&import(text, None).value);
/// let input = ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Input);
/// draft.set_enabled(&input.row(0), false).unwrap(); // telnet off, kept in place
/// let effective = draft.effective(Family::V4);
/// assert_eq!(effective.tables[0].chains[0].rules.len(), 1);
/// // The effective "INPUT rule 1" is the draft's second row.
/// let loc = RuleLoc { table: TableName::Filter, chain: "INPUT".to_owned(), index: Some(1) };
/// assert_eq!(draft.row_of(Family::V4, &loc), Some(input.row(1)));
/// assert_eq!(draft.rule_loc(&input.row(1)), Some(loc));
/// assert_eq!(draft.rule_loc(&input.row(0)), None); // disabled: not in the effective ruleset
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub(super) v4: DraftRuleset,
    pub(super) v6: DraftRuleset,
}

impl Draft {
    /// A draft of two rulesets, every rule enabled. A ruleset of the wrong family is ignored
    /// (that family's draft starts empty).
    pub fn from_rulesets(v4: &Ruleset, v6: &Ruleset) -> Self {
        let of = |ruleset: &Ruleset, family| {
            if ruleset.family == family {
                DraftRuleset::from_ruleset(ruleset)
            } else {
                DraftRuleset { family, tables: Vec::new() }
            }
        };
        Self { v4: of(v4, Family::V4), v6: of(v6, Family::V6) }
    }

    /// What an import read, every rule enabled; a family the text did not configure starts with
    /// no tables (an export leaves it untouched).
    pub fn from_imported(imported: &Imported) -> Self {
        let empty = |family| Ruleset::new(family);
        let v4 = imported.ruleset(Family::V4).cloned().unwrap_or_else(|| empty(Family::V4));
        let v6 = imported.ruleset(Family::V6).cloned().unwrap_or_else(|| empty(Family::V6));
        Self::from_rulesets(&v4, &v6)
    }

    /// A wizard design opened in the workbench: its compiled rulesets for both families, to
    /// edit further.
    pub fn from_design(design: &Design) -> Self {
        Self::from_rulesets(&design.compile(Family::V4), &design.compile(Family::V6))
    }

    /// The draft of `family`.
    pub fn ruleset(&self, family: Family) -> &DraftRuleset {
        match family {
            Family::V4 => &self.v4,
            Family::V6 => &self.v6,
        }
    }

    pub(super) fn ruleset_mut(&mut self, family: Family) -> &mut DraftRuleset {
        match family {
            Family::V4 => &mut self.v4,
            Family::V6 => &mut self.v6,
        }
    }

    /// The chain at `loc`, if it exists.
    pub fn chain(&self, loc: &ChainLoc) -> Option<&DraftChain> {
        self.ruleset(loc.family).table(loc.table)?.chain(loc.chain.as_str())
    }

    /// The row at `loc`, if it exists.
    pub fn row(&self, loc: &RowLoc) -> Option<&Row> {
        self.chain(&loc.chain_loc())?.rows.get(loc.row)
    }

    /// The ruleset of `family` with only the enabled rules: what lints, the simulator, the
    /// matrices and the exports work on.
    pub fn effective(&self, family: Family) -> Ruleset {
        self.ruleset(family).effective()
    }

    /// The effective ruleset's address of the row at `loc`: `None` when the row is disabled or
    /// does not exist.
    pub fn rule_loc(&self, loc: &RowLoc) -> Option<RuleLoc> {
        let chain = self.chain(&loc.chain_loc())?;
        if !chain.rows.get(loc.row)?.enabled {
            return None;
        }
        let index = chain.rows[..loc.row].iter().filter(|row| row.enabled).count() + 1;
        Some(RuleLoc { table: loc.table, chain: loc.chain.as_str().to_owned(), index: Some(index) })
    }

    /// The draft row of an effective rule (as a finding, a trace or a matrix cell names it):
    /// `None` for a policy or a rule that does not exist.
    pub fn row_of(&self, family: Family, loc: &RuleLoc) -> Option<RowLoc> {
        let wanted = loc.index?.checked_sub(1)?;
        let table = self.ruleset(family).table(loc.table)?;
        let chain = table.chain(&loc.chain)?;
        let row = chain.rows.iter().enumerate().filter(|(_, row)| row.enabled).nth(wanted)?.0;
        Some(RowLoc { family, table: loc.table, chain: chain.name.clone(), row })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::import::import;

    const TEXT: &str = "*filter\n:INPUT DROP [0:0]\n:web - [0:0]\n-A INPUT -j web\n-A INPUT -p udp -j DROP\n-A web -p tcp --dport 80 -j ACCEPT\n-A web -p tcp --dport 443 -j ACCEPT\nCOMMIT\n";

    fn chain<'d>(draft: &'d Draft, name: &str) -> &'d DraftChain {
        draft.ruleset(Family::V4).table(TableName::Filter).and_then(|table| table.chain(name)).expect("the chain")
    }

    #[test]
    fn a_copy_shares_rows_until_an_edit_and_the_edit_never_reaches_the_copy() {
        let mut draft = Draft::from_imported(&import(TEXT, None).value);
        let copy = draft.clone();
        assert!(Arc::ptr_eq(&chain(&draft, "web").rows, &chain(&copy, "web").rows), "a copy shares the rows");
        let web = ChainLoc { family: Family::V4, table: TableName::Filter, chain: chain(&draft, "web").name.clone() };
        draft.move_down(&web.row(0)).expect("a row below");
        assert_eq!(copy, Draft::from_imported(&import(TEXT, None).value), "the copy (undo's) is as it was");
        assert_ne!(draft, copy);
        assert!(!Arc::ptr_eq(&chain(&draft, "web").rows, &chain(&copy, "web").rows), "the edited chain has its own rows");
        assert!(Arc::ptr_eq(&chain(&draft, "INPUT").rows, &chain(&copy, "INPUT").rows), "the others are still shared");
        draft.set_enabled(&web.row(0), false).expect("a row");
        assert!(chain(&copy, "web").rows.iter().all(|row| row.enabled));
    }
}
