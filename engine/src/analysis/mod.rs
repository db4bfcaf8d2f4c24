//! Exact analysis of a ruleset: lints with witness packets, and the service matrix.
//!
//! # Sets of packets
//! Packets are points in a space of fields (source and destination address as `u128`, protocol,
//! ports, interface class, TCP flags, ICMP type and code, conntrack state, mark, fragment,
//! length, TTL, packet type). A set of packets is a union of boxes ([`space`]), so intersection,
//! difference and emptiness are exact: no finding rests on sampling, and each comes with a
//! concrete [`Packet`] picked from the set it is about. Interface names are split into the
//! classes the ruleset's `-i`/`-o` patterns tell apart ([`compile::Interfaces`]): each name
//! mentioned, one per `+` prefix, and "any other name".
//!
//! # Uncertain matches
//! Matches the simulator answers "maybe" for (limit, hashlimit, recent, connlimit, string,
//! time, set, owner, mac, addrtype, connmark, conntrack status/expiry, TCP options, unknown
//! modules) give a rule two sets: what it matches for sure (nothing) and what it may match
//! (as if the uncertain match were absent). The policy:
//! - a rule that only *may* match never takes packets away from later rules, so it never makes
//!   another rule shadowed or redundant, and it never decides a lockout;
//! - its *may* set is used to prove that it can never match (`never-matches`) or that every
//!   packet it could match is taken earlier (`shadowed-rule`);
//! - findings about verdicts (lockout, no-established…) use the simulator's first outcome: every
//!   uncertain match not matched. The witness replays to exactly that outcome.
//!
//! # Scope
//! The lints analyse the filter table: INPUT, FORWARD and OUTPUT, following jumps and gotos into
//! user chains and `RETURN` back (a user chain reached from several places is analysed with the
//! union of what reaches it). raw, mangle and nat are not taken into account: with rules there
//! that drop packets or rewrite marks or addresses, a witness may replay differently. A user
//! chain no built-in chain reaches is only reported as unused. `host-bits-set` needs the text:
//! the model keeps networks masked (as iptables does), so [`host_bits`] reads the source text.
//!
//! # Examples
//! ```
//! use portcullis_engine::analysis::{lint, LintOptions};
//! use portcullis_engine::import::import;
//!
//! let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j DROP\nCOMMIT\n";
//! let ruleset = import(text, None).value.rulesets.remove(0);
//! let findings = lint(&ruleset, &LintOptions::default());
//! let shadowed = findings.iter().find(|f| f.diagnostic.code.slug() == "shadowed-rule").unwrap();
//! assert_eq!(shadowed.witness.as_ref().unwrap().destination_port, 80);
//! ```

pub mod compile;
mod flow;
mod lints;
pub mod matrix;
mod parts;
#[cfg(test)]
mod space_props;
pub mod space;

use std::fmt;

use ipnet::IpNet;

pub use lints::{host_bits, lint_pair};

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::{Family, Rule, Ruleset, TableName};
use crate::simulate::{Packet, Verdict};

/// Where a rule sits: table, chain and 1-based index (`None` for the chain's policy).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleLoc {
    /// The table.
    pub table: TableName,
    /// The chain's name.
    pub chain: String,
    /// 1-based position, `None` for the policy.
    pub index: Option<usize>,
}

impl fmt::Display for RuleLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "{} rule {index}", self.chain),
            None => write!(f, "the {} policy", self.chain),
        }
    }
}

/// What the simulator shows for a witness (its first outcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expectation {
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
}

/// One finding: a diagnostic, the rules it is about, and a witness packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Code, severity, message, span, help.
    pub diagnostic: Diagnostic,
    /// The ruleset's family.
    pub family: Family,
    /// The rule the finding is about.
    pub rule: Option<RuleLoc>,
    /// Rules that explain it (the blocking rules of a shadowed rule, the later rule of a redundant one).
    pub related: Vec<RuleLoc>,
    /// A packet that shows the problem.
    pub witness: Option<Packet>,
    /// What [`crate::simulate::simulate`] shows for the witness.
    pub expect: Option<Expectation>,
}

/// Facts the lints cannot read from the rules.
#[derive(Debug, Clone)]
pub struct LintOptions {
    /// The port the administrator's SSH server listens on.
    pub admin_ssh_port: u16,
    /// Where the administrator connects from; empty: anywhere (a lockout is then "nobody can connect").
    pub admin_from: Vec<IpNet>,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self { admin_ssh_port: 22, admin_from: Vec::new() }
    }
}

/// Every finding for one ruleset, in a stable order (by code, then by rule).
pub fn lint(ruleset: &Ruleset, options: &LintOptions) -> Vec<Finding> {
    lints::run(ruleset, options)
}

/// The rule at `loc`, if it exists.
pub fn rule_at<'r>(ruleset: &'r Ruleset, loc: &RuleLoc) -> Option<&'r Rule> {
    let table = ruleset.table(loc.table)?;
    let chain = table.chains.iter().find(|chain| chain.name.as_str() == loc.chain)?;
    chain.rules.get(loc.index?.checked_sub(1)?)
}

pub(crate) fn span_of(ruleset: &Ruleset, loc: Option<&RuleLoc>) -> Span {
    loc.and_then(|loc| rule_at(ruleset, loc)).and_then(|rule| rule.origin).unwrap_or_default()
}

impl Finding {
    pub(crate) fn new(ruleset: &Ruleset, code: Code, rule: Option<RuleLoc>, message: impl Into<String>) -> Self {
        let diagnostic = Diagnostic::new(code, span_of(ruleset, rule.as_ref()), message);
        Self { diagnostic, family: ruleset.family, rule, related: Vec::new(), witness: None, expect: None }
    }

    #[must_use]
    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.diagnostic = self.diagnostic.with_help(help);
        self
    }

    #[must_use]
    pub(crate) fn related(mut self, ruleset: &Ruleset, related: Vec<RuleLoc>, label: &str) -> Self {
        for loc in &related {
            if let Some(span) = rule_at(ruleset, loc).and_then(|rule| rule.origin) {
                self.diagnostic = self.diagnostic.with_secondary(span, format!("{label} ({loc})"));
            }
        }
        self.related = related;
        self
    }

    #[must_use]
    pub(crate) fn witness(mut self, witness: Option<Packet>, expect: Option<Expectation>) -> Self {
        self.witness = witness;
        self.expect = if self.witness.is_some() { expect } else { None };
        self
    }
}
