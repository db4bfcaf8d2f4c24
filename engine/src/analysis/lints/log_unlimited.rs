//! `log-unlimited` (L018).
//!
//! **What it does**: finds `-j LOG` rules without `-m limit` (or `-m hashlimit`) in the same rule.
//!
//! **Why it matters**: a flood of matching packets becomes a flood of kernel log lines that
//! fills the disk and hides everything else.
//!
//! **Example**: `-A INPUT -j LOG --log-prefix "dropped: "`.
//!
//! **Fix**: add `-m limit --limit 5/min` to the rule.

use super::Context;
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::{Module, Target};

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for (loc, rule) in super::all_rules(context.ruleset) {
        let logs = matches!(rule.target, Some(Target::Log(_)));
        let limited = rule.modules.iter().any(|module| matches!(module, Module::Limit { .. } | Module::Hashlimit(_)));
        if logs && !limited {
            out.push(
                Finding::new(context.ruleset, Code::LogUnlimited, Some(loc.clone()), format!("{loc} logs every matching packet, without a rate limit"))
                    .help("add `-m limit --limit 5/min` to the rule"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings("-A INPUT -j LOG", "log-unlimited").len(), 1);
        assert!(findings("-A INPUT -m limit --limit 5/min -j LOG", "log-unlimited").is_empty());
    }
}
