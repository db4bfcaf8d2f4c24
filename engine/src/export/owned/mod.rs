//! Owned chains: the form of a ruleset the apply script loads beside other tools' rules.
//!
//! A server is shared: Docker, fail2ban, libvirt… keep chains and rules of their own in the same
//! tables. Loading a whole `rules.v4` with `iptables-restore` replaces them all. The apply script
//! instead loads the rules in chains Portcullis owns, and touches nothing else:
//!
//! - each built-in chain `B` of the ruleset becomes the user chain `PORTCULLIS-B`, holding its
//!   rules; when `B`'s policy is DROP, a last `-j DROP` stands for the policy, so that rules after
//!   the hook (an earlier hand-made firewall) never decide what the design decides;
//! - `B` itself holds one rule, the hook `-A B -j PORTCULLIS-B`; the loader (`portcullis-load`,
//!   written by the script) inserts it after the other tools' rules of `B` (fail2ban's bans are
//!   still checked first), or at the top when there are none;
//! - a user chain `U` becomes `PORTCULLIS-U` (jumps renamed), except the chains Portcullis hooks
//!   into without owning them ([`ANCHORS`]: Docker's `DOCKER-USER`, the one chain Docker leaves
//!   to the admin): there, `U` holds only the hook to `PORTCULLIS-U`, inserted at its top;
//! - other tools' chains and their rules in built-in chains (an imported dump that holds them)
//!   are left out: they stay on the server as they are ([`OwnedRuleset::left_out`]).
//!
//! The result is a plain [`Ruleset`]: loaded alone into an empty kernel (or simulated), it decides
//! every packet as the original does (the tests check this on every preset with the simulator).
//! Built-in policies stay in the file: the loader sets a DROP policy, and never turns another
//! tool's DROP into ACCEPT (an ACCEPT policy in the design means "Portcullis does not filter this
//! chain by policy"; the rules in `PORTCULLIS-B` still apply).
//!
//! # Examples
//! ```
//! use portcullis_engine::design::Preset;
//! use portcullis_engine::export::owned;
//! use portcullis_engine::model::Family;
//! let owned = owned::owned(&Preset::Web.design().compile(Family::V4)).unwrap();
//! let text = owned::render(&owned);
//! assert!(text.contains("\n-A INPUT -j PORTCULLIS-INPUT\n"));
//! assert!(text.contains("-A PORTCULLIS-INPUT -p tcp -m tcp --dport 443"));
//! assert!(text.contains("-A PORTCULLIS-INPUT -m comment --comment \"portcullis: INPUT policy DROP\" -j DROP\n"));
//! ```

use std::fmt;

use crate::model::{Chain, ChainName, Comment, Policy, Rule, Ruleset, Table, Target, UserChain};
use crate::workbench::owners::{self, Owned};

/// The prefix of every chain Portcullis owns.
pub const PREFIX: &str = "PORTCULLIS-";

/// Chains of other tools that Portcullis hooks into without owning them: `DOCKER-USER`, where
/// Docker's documentation puts the admin's rules for published container ports. The loader
/// creates one when it is missing (Docker keeps an existing `DOCKER-USER` and its rules when it
/// starts), so the rules load, and do nothing, on a server without Docker.
pub const ANCHORS: [&str; 1] = ["DOCKER-USER"];

/// A ruleset in owned form, and what of the original was left to other tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedRuleset {
    /// Built-in chains holding only hooks, the `PORTCULLIS-…` chains, the anchors.
    pub ruleset: Ruleset,
    /// Other tools' chains and rules of the original, not part of the owned form.
    pub left_out: Vec<Owned>,
}

/// Why a ruleset has no owned form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedError {
    chain: String,
}

impl fmt::Display for OwnedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the chain `{}` is too long to be owned by Portcullis: `{PREFIX}{}` would be longer than iptables' 28 bytes; rename it to at most {} bytes",
            self.chain,
            self.chain,
            UserChain::MAX_BYTES - PREFIX.len()
        )
    }
}

impl std::error::Error for OwnedError {}

/// The chain Portcullis owns for `name`: `PORTCULLIS-NAME` (a name already owned stays).
///
/// # Errors
/// When the owned name would be longer than iptables allows.
pub fn owned_name(name: &str) -> Result<UserChain, OwnedError> {
    let owned = if name.starts_with(PREFIX) { name.to_owned() } else { format!("{PREFIX}{name}") };
    UserChain::new(&owned).map_err(|_| OwnedError { chain: name.to_owned() })
}

/// `ruleset` in owned form (see the module docs).
///
/// # Errors
/// When a chain's owned name would be longer than 28 bytes.
pub fn owned(ruleset: &Ruleset) -> Result<OwnedRuleset, OwnedError> {
    let left_out = owners::owned(ruleset);
    let foreign_chain = |table, name: &str| {
        !ANCHORS.contains(&name) && left_out.iter().any(|owned| owned.owns_chain(table, name))
    };
    let foreign_rule = |table, chain: &str, index: usize| {
        left_out.iter().any(|owned| {
            owned.rules.iter().any(|at| at.table == table && at.chain == chain && at.index == Some(index))
        })
    };
    let mut tables = Vec::new();
    for table in &ruleset.tables {
        let rename = |target: &Option<Target>| -> Result<Option<Target>, OwnedError> {
            Ok(match target {
                Some(Target::Jump(chain)) if !foreign_chain(table.name, chain.as_str()) => {
                    Some(Target::Jump(owned_name(chain.as_str())?))
                }
                Some(Target::Goto(chain)) if !foreign_chain(table.name, chain.as_str()) => {
                    Some(Target::Goto(owned_name(chain.as_str())?))
                }
                other => other.clone(),
            })
        };
        let mut chains = Vec::new();
        let mut owned_chains = Vec::new();
        for chain in &table.chains {
            let name = chain.name.as_str();
            if foreign_chain(table.name, name) {
                continue;
            }
            let mut rules = Vec::new();
            for (at, rule) in chain.rules.iter().enumerate() {
                if foreign_rule(table.name, name, at + 1) {
                    continue;
                }
                let mut rule = Rule { target: rename(&rule.target)?, counters: None, origin: None, ..rule.clone() };
                // RETURN from a built-in chain applies its policy at once.
                if let (Some(Target::Return), Some(_), Some(Policy::Drop)) = (&rule.target, chain.name.builtin(), chain.policy) {
                    rule.target = Some(Target::Drop);
                }
                rules.push(rule);
            }
            let drop_policy = chain.policy == Some(Policy::Drop) && chain.name.builtin().is_some();
            if drop_policy {
                let why = Comment::sanitize(&format!("portcullis: {name} policy DROP"));
                rules.push(Rule::new(Target::Drop).commented(&why));
            }
            let own = owned_name(name)?;
            let hook = Rule::new(Target::Jump(own.clone()));
            match &chain.name {
                ChainName::Builtin(builtin) => {
                    let mut hooked = Chain::builtin(*builtin, chain.policy.unwrap_or(Policy::Accept));
                    if !rules.is_empty() {
                        hooked.rules.push(hook);
                        owned_chains.push(Chain { rules, ..Chain::user(own) });
                    }
                    chains.push(hooked);
                }
                ChainName::User(user) if ANCHORS.contains(&user.as_str()) => {
                    chains.push(Chain { rules: vec![hook], ..Chain::user(user.clone()) });
                    owned_chains.push(Chain { rules, ..Chain::user(own) });
                }
                ChainName::User(_) => owned_chains.push(Chain { rules, ..Chain::user(own) }),
            }
        }
        chains.extend(owned_chains);
        tables.push(Table { name: table.name, chains });
    }
    Ok(OwnedRuleset { ruleset: Ruleset { family: ruleset.family, tables }, left_out })
}

/// The owned form in `iptables-save` format, with a header that says how it is loaded.
pub fn render(owned: &OwnedRuleset) -> String {
    let mut out = format!(
        "# Generated by Portcullis ({} rules, owned chains only). The apply script's portcullis-load\n\
         # loads it beside other tools' rules (iptables-restore --noflush); plain iptables-restore\n\
         # would replace every chain of these tables.\n",
        owned.ruleset.family
    );
    out.push_str(&super::save::render_tables(&owned.ruleset));
    out
}

#[cfg(test)]
mod tests;
