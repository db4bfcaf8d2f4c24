//! `deprecated-state` (L017).
//!
//! **What it does**: finds `-m state --state …`.
//!
//! **Why it matters**: the `state` match is an old alias kept for compatibility; `conntrack`
//! does the same and more, and nftables translations expect it.
//!
//! **Example**: `-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT`.
//!
//! **Fix**: `-m conntrack --ctstate RELATED,ESTABLISHED`.

use super::Context;
use crate::analysis::Finding;
use crate::diagnostic::Code;
use crate::model::Module;

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for (loc, rule) in super::all_rules(context.ruleset) {
        let Some(states) = rule.modules.iter().find_map(|module| match module {
            Module::State(states) => Some(states),
            _ => None,
        }) else {
            continue;
        };
        let negation = if states.negated { "! " } else { "" };
        out.push(
            Finding::new(context.ruleset, Code::DeprecatedState, Some(loc.clone()), format!("{loc} uses the deprecated `-m state`"))
                .help(format!("write `-m conntrack {negation}--ctstate {}`", states.value)),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings("-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT", "deprecated-state").len(), 1);
        assert!(findings("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "deprecated-state").is_empty());
    }
}
