//! `undefined-chain` (L004).
//!
//! **What it does**: finds jumps and gotos to a chain the table does not define. The importer
//! already refuses them in text (P026); this catches models built by code or edited in the app.
//!
//! **Why it matters**: `iptables-restore` refuses the whole file.
//!
//! **Example**: `-A INPUT -j NOWHERE` without `:NOWHERE - [0:0]`.
//!
//! **Fix**: declare the chain, or correct its name.

use super::Context;
use crate::analysis::{Finding, RuleLoc};
use crate::diagnostic::Code;
use crate::model::{ChainName, Target};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for table in &context.ruleset.tables {
        let defined: std::collections::HashSet<&ChainName> = table.chains.iter().map(|chain| &chain.name).collect();
        for chain in &table.chains {
            for (index, rule) in chain.rules.iter().enumerate() {
                let Some(Target::Jump(user) | Target::Goto(user)) = &rule.target else { continue };
                if !defined.contains(&ChainName::User(user.clone())) {
                    let loc = RuleLoc { table: table.name, chain: chain.name.as_str().to_owned(), index: Some(index + 1) };
                    out.push(
                        Finding::new(context.ruleset, Code::UndefinedChain, Some(loc.clone()), format!("{loc} jumps to `{}`, which the {} table does not define", user.as_str(), table.name))
                            .help(format!("declare it (`:{} - [0:0]`) or correct the name", user.as_str())),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::{lint, LintOptions};
    use crate::model::{BuiltinChain, ChainName, Family, Rule, Ruleset, TableName, Target, UserChain};

    #[test]
    fn fail_and_pass() {
        let mut ruleset = Ruleset::new(Family::V4);
        let table = ruleset.table_mut(TableName::Filter);
        let input = table.chain_mut(&ChainName::Builtin(BuiltinChain::Input)).unwrap();
        input.rules.push(Rule::new(Target::Jump(UserChain::new("nowhere").unwrap())));
        let kinds = |ruleset: &Ruleset| lint(ruleset, &LintOptions::default()).iter().filter(|f| f.diagnostic.code.slug() == "undefined-chain").count();
        assert_eq!(kinds(&ruleset), 1);
        ruleset.table_mut(TableName::Filter).chains.push(crate::model::Chain::user(UserChain::new("nowhere").unwrap()));
        assert_eq!(kinds(&ruleset), 0);
    }
}
