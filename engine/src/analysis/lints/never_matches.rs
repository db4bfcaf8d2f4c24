//! `never-matches` (L001).
//!
//! **What it does**: finds rules no packet can match: `-s 10.0.0.0/8 -m iprange --src-range
//! 192.168.0.1-192.168.0.9`, `-p tcp -m conntrack --ctproto udp`, `--ctstate NEW` with `--ctstate` negated, a
//! reversed address range.
//!
//! **Why it matters**: the rule was meant to do something and does nothing.
//!
//! **Example**: `-A INPUT -p tcp -m conntrack --ctproto udp -j ACCEPT`.
//!
//! **Fix**: correct the contradicting matches, or delete the rule.

use super::Context;
use crate::analysis::Finding;
use crate::diagnostic::Code;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    let universe = &context.universe;
    for (loc, rule) in super::all_rules(context.ruleset) {
        if loc.table != crate::model::TableName::Filter {
            continue;
        }
        let path = crate::simulate::Path::Forward;
        let matches = crate::analysis::compile::rule_matches(universe, rule, path);
        let owner_only = rule.modules.iter().any(|module| matches!(module, crate::model::Module::Owner(_)));
        if matches.possible.is_empty() && !owner_only {
            out.push(
                Finding::new(context.ruleset, Code::NeverMatches, Some(loc.clone()), format!("{loc} can never match: its matches contradict each other"))
                    .help("correct the contradicting matches (addresses, protocol and protocol module, states), or delete the rule"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail() {
        assert_eq!(findings("-A INPUT -p tcp -m conntrack --ctproto 17 -j ACCEPT", "never-matches").len(), 1);
        assert_eq!(findings("-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate ESTABLISHED -j ACCEPT", "never-matches").len(), 1);
        assert_eq!(findings("-A INPUT -s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9 -j DROP", "never-matches").len(), 1);
        assert_eq!(findings("-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.1 -j DROP", "never-matches").len(), 1);
    }

    #[test]
    fn pass() {
        assert!(findings("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -m limit --limit 1/sec -j ACCEPT", "never-matches").is_empty());
    }
}
