//! `unused-chain` (L006).
//!
//! **What it does**: finds user chains no rule of their table jumps or goes to. Docker's
//! `DOCKER-USER` in the filter table is not reported: Docker's own FORWARD rule jumps to it (it
//! is the chain Docker leaves to the admin, where a design's containers choice puts its rules),
//! so a ruleset that holds it without the jump is one meant to load beside Docker. Without
//! Docker it is never reached, and harmless.
//!
//! **Why it matters**: their rules never run; often a forgotten `-j` after `-N`.
//!
//! **Example**: `-N ssh-in` with rules, and no `-A INPUT … -j ssh-in`.
//!
//! **Fix**: add the jump, or delete the chain.

use std::collections::HashSet;

use super::Context;
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::design::DOCKER_USER;
use crate::model::{ChainName, TableName, Target, UserChain};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for table in &context.ruleset.tables {
        // Every chain some rule jumps to, once: a search of every rule per chain made a dump
        // of thousands of chains quadratic.
        let called: HashSet<&UserChain> = table
            .chains
            .iter()
            .flat_map(|chain| &chain.rules)
            .filter_map(|rule| match &rule.target {
                Some(Target::Jump(to) | Target::Goto(to)) => Some(to),
                _ => None,
            })
            .collect();
        for chain in &table.chains {
            let ChainName::User(user) = &chain.name else { continue };
            if table.name == TableName::Filter && user.as_str() == DOCKER_USER {
                continue;
            }
            if !called.contains(user) {
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
        // Docker's FORWARD jumps to DOCKER-USER; a design's containers rules wait there for it.
        assert!(findings(":DOCKER-USER - [0:0]\n-A DOCKER-USER -o docker0 -j DROP", "unused-chain").is_empty());
        assert_eq!(findings(":DOCKER-USERS - [0:0]\n-A DOCKER-USERS -j DROP", "unused-chain").len(), 1);
    }
}
