//! The edits a [`Draft`] allows, each a named method that checks its arguments first: a failed
//! edit returns an [`EditError`] and leaves the draft as it was.

use std::fmt;

use super::draft::{ChainLoc, Draft, DraftChain, DraftTable, Row, RowLoc};
use crate::model::{BuiltinChain, ChainName, ChainNameError, Counters, Family, Policy, Rule, TableName, Target, UserChain};

/// Why an edit was refused. Each variant says what was asked and why it cannot be done.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EditError {
    /// The family's draft has no such table (only edits that add a rule or a chain create one).
    NoTable {
        /// The family.
        family: Family,
        /// The table asked for.
        table: TableName,
    },
    /// The table has no chain of that name.
    NoChain {
        /// The family.
        family: Family,
        /// The table.
        table: TableName,
        /// The chain name asked for.
        chain: String,
    },
    /// The chain has no row at that position.
    NoRow {
        /// The row asked for.
        loc: RowLoc,
        /// How many rows the chain has.
        rows: usize,
    },
    /// A position to insert or move to lies past the end of the chain.
    BadPosition {
        /// The 0-based position asked for.
        position: usize,
        /// How many rows the chain has (the largest valid position).
        rows: usize,
    },
    /// The row is already first (moving up) or last (moving down).
    AtEdge {
        /// The row.
        loc: RowLoc,
    },
    /// Rules only move between chains of the same table and family.
    OtherTable {
        /// Where the rule is.
        from: ChainLoc,
        /// Where it was to go.
        to: ChainLoc,
    },
    /// The table has no such built-in chain (e.g. `raw` has no INPUT), so no policy to set.
    NotInTable {
        /// The table.
        table: TableName,
        /// The built-in chain asked for.
        chain: BuiltinChain,
    },
    /// Built-in chains cannot be renamed or deleted.
    BuiltinChain {
        /// The chain.
        chain: BuiltinChain,
    },
    /// iptables would refuse the name.
    BadChainName(ChainNameError),
    /// A chain of that name already exists in the table.
    ChainExists {
        /// The name.
        chain: String,
    },
    /// Rules still jump to the chain, so it cannot be deleted (`iptables -X` refuses too).
    ChainInUse {
        /// The chain.
        chain: String,
        /// The rows that jump or go to it, disabled ones included.
        jumped_from: Vec<RowLoc>,
    },
    /// The rule jumps to a chain the table does not have (`iptables -A` refuses it too).
    UndefinedJump {
        /// The missing chain.
        chain: String,
    },
    /// iptables would refuse the rule in that chain: `-i` in OUTPUT, `DNAT` in filter, an
    /// address of the other family…
    NotAllowedHere {
        /// The chain.
        chain: ChainLoc,
        /// What iptables objects to, in the importer's words.
        reason: String,
    },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::NoTable { family, table } => write!(f, "the {family} rules have no {table} table"),
            EditError::NoChain { family, table, chain } => write!(f, "the {family} {table} table has no chain `{chain}`"),
            EditError::NoRow { loc, rows } => {
                write!(f, "{} has {rows} rules; there is no rule {}", loc.chain, loc.row + 1)
            }
            EditError::BadPosition { position, rows } => {
                write!(f, "cannot put a rule at position {} of a chain of {rows} rules", position + 1)
            }
            EditError::AtEdge { loc } => write!(f, "rule {} of {} cannot move further that way", loc.row + 1, loc.chain),
            EditError::OtherTable { from, to } => write!(
                f,
                "a rule of the {} {} table cannot move to the {} {} table: rules only move within one table",
                from.family, from.table, to.family, to.table
            ),
            EditError::NotInTable { table, chain } => write!(f, "the {table} table has no {} chain", chain.as_str()),
            EditError::BuiltinChain { chain } => {
                write!(f, "{} is a built-in chain: it cannot be renamed or deleted", chain.as_str())
            }
            EditError::BadChainName(error) => error.fmt(f),
            EditError::ChainExists { chain } => write!(f, "a chain called `{chain}` already exists in this table"),
            EditError::ChainInUse { chain, jumped_from } => write!(
                f,
                "`{chain}` cannot be deleted: {} rule(s) still jump to it (first: rule {} of {}); delete or change them first",
                jumped_from.len(),
                jumped_from.first().map_or(0, |loc| loc.row + 1),
                jumped_from.first().map_or("", |loc| loc.chain.as_str()),
            ),
            EditError::UndefinedJump { chain } => {
                write!(f, "the rule jumps to `{chain}`, which this table does not have; add the chain first")
            }
            EditError::NotAllowedHere { chain, reason } => {
                write!(f, "iptables would refuse this rule in {} ({} {}): {reason}", chain.chain, chain.family, chain.table)
            }
        }
    }
}

impl std::error::Error for EditError {}

/// The user chain a rule jumps or goes to.
fn jump_of(rule: &Rule) -> Option<&UserChain> {
    match &rule.target {
        Some(Target::Jump(chain) | Target::Goto(chain)) => Some(chain),
        _ => None,
    }
}

/// Whether iptables accepts `rule` in chain `at` of `table` (`None`: the table the draft lacks,
/// as a fresh host has it). The rule is printed as a one-rule save file and read back by the
/// importer, so every check the importer makes (interfaces per hook, targets per table and
/// chain, addresses per family, jumps) applies to edits too.
fn check_rule(table: Option<&DraftTable>, at: &ChainLoc, rule: &Rule) -> Result<(), EditError> {
    use std::fmt::Write as _;
    let user_chains: Vec<&str> = table.map_or_else(Vec::new, |table| {
        table.chains.iter().filter(|chain| chain.name.builtin().is_none()).map(|chain| chain.name.as_str()).collect()
    });
    if let Some(chain) = jump_of(rule).filter(|chain| !user_chains.contains(&chain.as_str())) {
        return Err(EditError::UndefinedJump { chain: chain.as_str().to_owned() });
    }
    let mut text = format!("*{}\n", at.table);
    for chain in at.table.builtin_chains() {
        let _ = writeln!(text, ":{} ACCEPT [0:0]", chain.as_str());
    }
    for chain in &user_chains {
        let _ = writeln!(text, ":{chain} - [0:0]");
    }
    let _ = writeln!(text, "{}\nCOMMIT", crate::export::save::render_appended(at.chain.as_str(), rule, at.family));
    let read = crate::import::import(&text, Some(at.family));
    match read.diagnostics.into_iter().find(|diagnostic| diagnostic.severity == crate::diagnostic::Severity::Error) {
        Some(problem) => Err(EditError::NotAllowedHere { chain: at.clone(), reason: problem.message }),
        None => Ok(()),
    }
}

/// Whether `loc` is a built-in chain of its table: editing it creates the table when absent.
fn creates_table(loc: &ChainLoc) -> bool {
    loc.chain.builtin().is_some_and(|chain| loc.table.builtin_chains().contains(&chain))
}

fn no_chain(family: Family, table: TableName, chain: &str) -> EditError {
    EditError::NoChain { family, table, chain: chain.to_owned() }
}

impl Draft {
    fn table_mut_or_err(&mut self, family: Family, table: TableName) -> Result<&mut DraftTable, EditError> {
        self.ruleset_mut(family).table_mut(table).ok_or(EditError::NoTable { family, table })
    }

    /// The table of `loc`, created when `loc` names one of its built-in chains (adding a rule to
    /// an absent table's built-in chain configures that table).
    fn table_for(&mut self, loc: &ChainLoc) -> Result<&mut DraftTable, EditError> {
        if creates_table(loc) {
            Ok(self.ruleset_mut(loc.family).table_or_new(loc.table))
        } else {
            self.table_mut_or_err(loc.family, loc.table)
        }
    }

    fn chain_mut(&mut self, loc: &ChainLoc) -> Result<&mut DraftChain, EditError> {
        let table = self.table_mut_or_err(loc.family, loc.table)?;
        table.chains.iter_mut().find(|chain| chain.name == loc.chain).ok_or_else(|| no_chain(loc.family, loc.table, loc.chain.as_str()))
    }

    fn check_row(&self, loc: &RowLoc) -> Result<(), EditError> {
        if self.ruleset(loc.family).table(loc.table).is_none() {
            return Err(EditError::NoTable { family: loc.family, table: loc.table });
        }
        let chain = self.chain(&loc.chain_loc()).ok_or_else(|| no_chain(loc.family, loc.table, loc.chain.as_str()))?;
        if loc.row < chain.rows.len() { Ok(()) } else { Err(EditError::NoRow { loc: loc.clone(), rows: chain.rows.len() }) }
    }

    /// Inserts `rule` (enabled) so that it becomes row `position` (0-based) of the chain, as
    /// `iptables -I CHAIN position+1` does; `position` equal to the number of rows appends.
    ///
    /// # Errors
    /// No such chain, a position past the end, a jump to a chain the table lacks, or a rule
    /// iptables would refuse in that chain.
    pub fn insert_rule(&mut self, at: &ChainLoc, position: usize, rule: Rule) -> Result<RowLoc, EditError> {
        let rows = match (self.ruleset(at.family).table(at.table), self.chain(at)) {
            (Some(table), Some(chain)) => {
                check_rule(Some(table), at, &rule)?;
                chain.rows.len()
            }
            // Adding to a built-in chain of a table the draft lacks configures that table.
            (None, None) if creates_table(at) => {
                check_rule(None, at, &rule)?;
                0
            }
            _ => return Err(no_chain(at.family, at.table, at.chain.as_str())),
        };
        if position > rows {
            return Err(EditError::BadPosition { position, rows });
        }
        self.chain_mut_created(at)?.rows_mut().insert(position, Row { rule, enabled: true });
        Ok(at.row(position))
    }

    /// Appends `rule` (enabled) to the chain, as `iptables -A` does.
    ///
    /// # Errors
    /// As [`Draft::insert_rule`].
    pub fn append_rule(&mut self, at: &ChainLoc, rule: Rule) -> Result<RowLoc, EditError> {
        let rows = self.chain(at).map_or(0, |chain| chain.rows.len());
        self.insert_rule(at, rows, rule)
    }

    /// Replaces the rule at `loc` (keeping its enabled flag); returns the rule it replaced.
    ///
    /// # Errors
    /// No such row, a jump to a chain the table lacks, or a rule iptables would refuse there.
    pub fn replace_rule(&mut self, loc: &RowLoc, rule: Rule) -> Result<Rule, EditError> {
        self.check_row(loc)?;
        check_rule(self.ruleset(loc.family).table(loc.table), &loc.chain_loc(), &rule)?;
        let row = &mut self.chain_mut(&loc.chain_loc())?.rows_mut()[loc.row];
        Ok(std::mem::replace(&mut row.rule, rule))
    }

    /// Deletes the row at `loc`; returns it.
    ///
    /// # Errors
    /// No such row.
    pub fn delete_rule(&mut self, loc: &RowLoc) -> Result<Row, EditError> {
        self.check_row(loc)?;
        Ok(self.chain_mut(&loc.chain_loc())?.rows_mut().remove(loc.row))
    }

    /// Moves the row at `from` so that it becomes row `position` (0-based, counted after it was
    /// taken out) of chain `to`, which may be another chain of the same table and family.
    ///
    /// # Errors
    /// No such row or chain, another table, a position past the end, or a chain where iptables
    /// would refuse the rule (`-i` moved into OUTPUT).
    pub fn move_rule(&mut self, from: &RowLoc, to: &ChainLoc, position: usize) -> Result<RowLoc, EditError> {
        self.check_row(from)?;
        if from.family != to.family || from.table != to.table {
            return Err(EditError::OtherTable { from: from.chain_loc(), to: to.clone() });
        }
        let target = self.chain(to).ok_or_else(|| no_chain(to.family, to.table, to.chain.as_str()))?;
        let rows = target.rows.len() - usize::from(from.chain == to.chain);
        if position > rows {
            return Err(EditError::BadPosition { position, rows });
        }
        if from.chain != to.chain {
            let rule = self.row(from).map(|row| row.rule.clone()).unwrap_or_default();
            check_rule(self.ruleset(to.family).table(to.table), to, &rule)?;
        }
        let row = self.chain_mut(&from.chain_loc())?.rows_mut().remove(from.row);
        self.chain_mut(to)?.rows_mut().insert(position, row);
        Ok(to.row(position))
    }

    /// Moves the row at `loc` one place up; returns where it is now.
    ///
    /// # Errors
    /// No such row, or the row is first.
    pub fn move_up(&mut self, loc: &RowLoc) -> Result<RowLoc, EditError> {
        self.check_row(loc)?;
        let position = loc.row.checked_sub(1).ok_or_else(|| EditError::AtEdge { loc: loc.clone() })?;
        self.move_rule(loc, &loc.chain_loc(), position)
    }

    /// Moves the row at `loc` one place down; returns where it is now.
    ///
    /// # Errors
    /// No such row, or the row is last.
    pub fn move_down(&mut self, loc: &RowLoc) -> Result<RowLoc, EditError> {
        self.check_row(loc)?;
        let rows = self.chain(&loc.chain_loc()).map_or(0, |chain| chain.rows.len());
        if loc.row + 1 >= rows {
            return Err(EditError::AtEdge { loc: loc.clone() });
        }
        self.move_rule(loc, &loc.chain_loc(), loc.row + 1)
    }

    /// Puts a copy of the row at `loc` (same rule, same enabled flag) right after it; returns
    /// the copy's place.
    ///
    /// # Errors
    /// No such row.
    pub fn duplicate_rule(&mut self, loc: &RowLoc) -> Result<RowLoc, EditError> {
        self.check_row(loc)?;
        let chain = self.chain_mut(&loc.chain_loc())?;
        let copy = chain.rows[loc.row].clone();
        chain.rows_mut().insert(loc.row + 1, copy);
        Ok(loc.chain_loc().row(loc.row + 1))
    }

    /// Enables or disables the row at `loc`. A disabled rule keeps its place but is not in the
    /// effective ruleset.
    ///
    /// # Errors
    /// No such row.
    pub fn set_enabled(&mut self, loc: &RowLoc, enabled: bool) -> Result<(), EditError> {
        self.check_row(loc)?;
        self.chain_mut(&loc.chain_loc())?.rows_mut()[loc.row].enabled = enabled;
        Ok(())
    }

    /// Sets the policy of a built-in chain (creating the table if the draft lacks it, as
    /// `iptables -P` would on a fresh host).
    ///
    /// # Errors
    /// The table has no such built-in chain.
    pub fn set_policy(&mut self, family: Family, table: TableName, chain: BuiltinChain, policy: Policy) -> Result<(), EditError> {
        if !table.builtin_chains().contains(&chain) {
            return Err(EditError::NotInTable { table, chain });
        }
        self.chain_mut_created(&ChainLoc::builtin(family, table, chain))?.policy = Some(policy);
        Ok(())
    }

    fn chain_mut_created(&mut self, loc: &ChainLoc) -> Result<&mut DraftChain, EditError> {
        let table = self.table_for(loc)?;
        table.chains.iter_mut().find(|chain| chain.name == loc.chain).ok_or_else(|| no_chain(loc.family, loc.table, loc.chain.as_str()))
    }

    /// Adds an empty user chain called `name` to the table (creating the table if needed), as
    /// `iptables -N` does.
    ///
    /// # Errors
    /// A name iptables refuses, or one the table already has.
    pub fn add_chain(&mut self, family: Family, table: TableName, name: &str) -> Result<ChainLoc, EditError> {
        let chain = UserChain::new(name).map_err(EditError::BadChainName)?;
        if self.ruleset(family).table(table).is_some_and(|draft| draft.chain(name).is_some()) {
            return Err(EditError::ChainExists { chain: name.to_owned() });
        }
        let draft = self.ruleset_mut(family).table_or_new(table);
        draft.chains.push(DraftChain { name: ChainName::User(chain.clone()), policy: None, counters: Counters::default(), rows: std::sync::Arc::default() });
        Ok(ChainLoc { family, table, chain: ChainName::User(chain) })
    }

    /// Renames a user chain, and every jump and goto to it with it (as `iptables -E` does).
    ///
    /// # Errors
    /// No such chain, a built-in chain, a name iptables refuses, or one the table already has.
    pub fn rename_chain(&mut self, family: Family, table: TableName, old: &str, new: &str) -> Result<ChainLoc, EditError> {
        let draft = self.ruleset(family).table(table).ok_or(EditError::NoTable { family, table })?;
        let existing = draft.chain(old).ok_or_else(|| no_chain(family, table, old))?;
        if let ChainName::Builtin(chain) = existing.name {
            return Err(EditError::BuiltinChain { chain });
        }
        let renamed = UserChain::new(new).map_err(EditError::BadChainName)?;
        if old != new && draft.chain(new).is_some() {
            return Err(EditError::ChainExists { chain: new.to_owned() });
        }
        let draft = self.table_mut_or_err(family, table)?;
        for chain in &mut draft.chains {
            if chain.name.as_str() == old {
                chain.name = ChainName::User(renamed.clone());
            }
            // Only a chain with a jump to the renamed one is copied out of the rows it shares.
            if !chain.rows.iter().any(|row| jump_of(&row.rule).is_some_and(|to| to.as_str() == old)) {
                continue;
            }
            for row in chain.rows_mut() {
                match &mut row.rule.target {
                    Some(Target::Jump(to) | Target::Goto(to)) if to.as_str() == old => *to = renamed.clone(),
                    _ => {}
                }
            }
        }
        Ok(ChainLoc { family, table, chain: ChainName::User(renamed) })
    }

    /// Every row of the table (enabled or not, outside the chain itself) that jumps or goes to
    /// the chain called `name`.
    pub fn jumps_to(&self, family: Family, table: TableName, name: &str) -> Vec<RowLoc> {
        let Some(draft) = self.ruleset(family).table(table) else { return Vec::new() };
        let mut found = Vec::new();
        for chain in draft.chains.iter().filter(|chain| chain.name.as_str() != name) {
            for (row, rule) in chain.rows.iter().enumerate() {
                if jump_of(&rule.rule).is_some_and(|to| to.as_str() == name) {
                    found.push(RowLoc { family, table, chain: chain.name.clone(), row });
                }
            }
        }
        found
    }

    /// Deletes a user chain and its rules. Refused while any other rule (even a disabled one)
    /// jumps to it, as `iptables -X` refuses a chain that is still referenced.
    ///
    /// # Errors
    /// No such chain, a built-in chain, or a chain still jumped to.
    pub fn delete_chain(&mut self, family: Family, table: TableName, name: &str) -> Result<(), EditError> {
        let draft = self.ruleset(family).table(table).ok_or(EditError::NoTable { family, table })?;
        let existing = draft.chain(name).ok_or_else(|| no_chain(family, table, name))?;
        if let ChainName::Builtin(chain) = existing.name {
            return Err(EditError::BuiltinChain { chain });
        }
        let jumped_from = self.jumps_to(family, table, name);
        if !jumped_from.is_empty() {
            return Err(EditError::ChainInUse { chain: name.to_owned(), jumped_from });
        }
        self.table_mut_or_err(family, table)?.chains.retain(|chain| chain.name.as_str() != name);
        Ok(())
    }
}
