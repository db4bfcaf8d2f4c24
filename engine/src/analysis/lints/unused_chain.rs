//! `unused-chain` (L006).
//!
//! **What it does**: finds user chains no rule of their table jumps or goes to.
//!
//! **Why it matters**: their rules never run; often a forgotten `-j` after `-N`.
//!
//! **Example**: `-N ssh-in` with rules, and no `-A INPUT … -j ssh-in`.
//!
//! **Fix**: add the jump, or delete the chain.

use super::Context;
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{ChainName, Target};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for table in &context.ruleset.tables {
        for chain in &table.chains {
            let ChainName::User(user) = &chain.name else { continue };
            let called = table.chains.iter().flat_map(|chain| &chain.rules).any(|rule| {
                matches!(&rule.target, Some(Target::Jump(to) | Target::Goto(to)) if to == user)
            });
            if !called {
                let span = chain.rules.first().and_then(|rule| rule.origin).unwrap_or_default();
                let mut finding = Finding::new(context.ruleset, Code::UnusedChain, None, format!("chain `{}` of the {} table is never jumped to", user.as_str(), table.name))
                    .help(format!("add `-j {}` where its rules should run, or delete the chain", user.as_str()));
                finding.diagnostic.span = span;
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":spare - [0:0]\n-A spare -j DROP", "unused-chain").len(), 1);
        assert!(findings(":used - [0:0]\n-A INPUT -j used\n-A used -j DROP", "unused-chain").is_empty());
    }
}
