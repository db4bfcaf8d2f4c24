//! Where each chain of a ruleset being read sits, so that each line finds its chain at once: a
//! dump may declare 100,000 chains, and a search of every chain per line made reading it
//! quadratic (100,000 chains took minutes).

use std::collections::HashMap;

use crate::model::{ChainName, Table, TableName};

/// Positions of chains in their table's `chains`, per table, kept beside one ruleset.
#[derive(Debug, Default)]
pub(crate) struct ChainIndex {
    tables: HashMap<TableName, HashMap<ChainName, usize>>,
}

impl ChainIndex {
    /// The positions of `table`'s chains, rebuilt if the table changed behind the index's back
    /// (a chain count that differs: a safety net, the commands keep it up to date).
    pub(crate) fn of(&mut self, table: &Table) -> &HashMap<ChainName, usize> {
        let positions = self.tables.entry(table.name).or_default();
        if positions.len() != table.chains.len() {
            *positions = table.chains.iter().enumerate().map(|(at, chain)| (chain.name.clone(), at)).collect();
        }
        positions
    }

    /// The position of `name` in `table`.
    pub(crate) fn position(&mut self, table: &Table, name: &ChainName) -> Option<usize> {
        self.of(table).get(name).copied()
    }

    /// `name` was pushed as `table`'s last chain.
    pub(crate) fn pushed(&mut self, table: &Table, name: ChainName) {
        let last = table.chains.len() - 1;
        let positions = self.tables.entry(table.name).or_default();
        if positions.len() == last {
            positions.insert(name, last);
        }
    }

    /// `table`'s chains were removed or renamed: read them again when next asked.
    pub(crate) fn forget(&mut self, table: TableName) {
        self.tables.remove(&table);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Chain, UserChain};

    #[test]
    fn positions_follow_pushes_and_are_read_again_after_a_change() {
        let mut table = Table::new(TableName::Filter);
        let mut index = ChainIndex::default();
        let name = |text: &str| ChainName::User(UserChain::new(text).expect("valid"));
        assert_eq!(index.position(&table, &ChainName::Builtin(crate::model::BuiltinChain::Forward)), Some(1));
        table.chains.push(Chain::user(UserChain::new("a").expect("valid")));
        index.pushed(&table, name("a"));
        assert_eq!(index.position(&table, &name("a")), Some(3));
        table.chains.remove(0);
        index.forget(TableName::Filter);
        assert_eq!(index.position(&table, &name("a")), Some(2));
        // A change the index was not told of, with another chain count: read again.
        table.chains.push(Chain::user(UserChain::new("b").expect("valid")));
        assert_eq!(index.position(&table, &name("b")), Some(3));
    }
}
