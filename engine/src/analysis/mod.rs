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
//! time, set, owner, mac, addrtype but `--dst-type` on INPUT, connmark, conntrack status/expiry, TCP options, unknown
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
//! that drop packets or rewrite marks or addresses, a witness may replay differently (the one
//! exception reads nat as a fact: `docker-bypass` takes the ports Docker publishes from the nat
//! `DOCKER` chain, and reports without a witness). A user chain no built-in chain reaches is only
//! reported as unused (except Docker's `DOCKER-USER`, which Docker's own FORWARD reaches). `host-bits-set` needs the text:
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

pub mod apply;
pub mod compile;
mod flow;
pub mod forward_matrix;
mod lints;
pub mod matrix;
mod parts;
#[cfg(test)]
mod space_props;
pub mod space;


use ipnet::IpNet;

pub use lints::{host_bits, lint_pair};

use crate::diagnostic::{Code, Diagnostic, Span};
pub use crate::model::RuleLoc;
use crate::model::{Family, PortSpec, Protocol, Rule, Ruleset};
use crate::simulate::{Packet, Verdict};

/// What the simulator shows for a witness (its first outcome).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Expectation {
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding rule or policy.
    pub decided_by: RuleLoc,
}

/// One finding: a diagnostic, the rules it is about, and a witness packet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// The step of an apply procedure the finding is about (`apply-lockout`): the witness and
    /// the deciding rule are those of the state that step leaves.
    pub step: Option<apply::Step>,
}

/// Facts the lints cannot read from the rules.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LintOptions {
    /// The port the administrator's SSH server listens on.
    pub admin_ssh_port: u16,
    /// Where the administrator connects from; empty: anywhere (a lockout is then "nobody can connect").
    pub admin_from: Vec<IpNet>,
    /// Ports Docker publishes on this host, as a design's containers choice lists them
    /// ([`crate::design::ContainerPorts`]): the design's own rules do not show them. In a dump,
    /// the nat table's `DOCKER` chain shows them and `docker-bypass` reads them from there too.
    #[serde(default)]
    pub published_ports: Vec<(Protocol, PortSpec)>,
}

impl Default for LintOptions {
    fn default() -> Self {
        Self { admin_ssh_port: 22, admin_from: Vec::new(), published_ports: Vec::new() }
    }
}

impl LintOptions {
    /// The admin's SSH as a design states it: port 22 from the sources SSH is open to (its
    /// groups' and its own; any address when it is open to everyone). `None` when the design
    /// keeps SSH closed: there is no admin access to protect.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::analysis::LintOptions;
    /// use portcullis_engine::design::{Design, ServiceId};
    /// let mut design = Design::default();
    /// assert!(LintOptions::from_design(&design).is_none());
    /// design.allow(ServiceId::SSH, vec!["198.51.100.10-198.51.100.13".parse().unwrap()]);
    /// let options = LintOptions::from_design(&design).unwrap();
    /// assert_eq!(options.admin_from, vec!["198.51.100.10/31".parse().unwrap(), "198.51.100.12/31".parse().unwrap()]);
    /// ```
    pub fn from_design(design: &crate::design::Design) -> Option<Self> {
        let access = design.access(crate::design::ServiceId::SSH)?;
        let groups = access.groups().iter().filter_map(|name| design.group(name)).flatten();
        let mut admin_from: Vec<IpNet> = Vec::new();
        for source in groups.chain(access.sources()).copied() {
            match (source.net(), source.range()) {
                (Some(net), _) => admin_from.push(net),
                (None, Some(range)) => admin_from.extend(covering(range.first(), range.last())),
                (None, None) => {}
            }
        }
        admin_from.sort();
        admin_from.dedup();
        // Restricted to empty groups only: SSH is closed, as the compiler makes it.
        if admin_from.is_empty() && !matches!(access, crate::design::Access::Everyone) {
            return None;
        }
        Some(Self { admin_from, ..Self::default() })
    }
}

/// The fewest networks that cover `first..=last` exactly.
fn covering(first: std::net::IpAddr, last: std::net::IpAddr) -> Vec<IpNet> {
    use std::net::IpAddr;
    match (first, last) {
        (IpAddr::V4(first), IpAddr::V4(last)) => ipnet::Ipv4Subnets::new(first, last, 0).map(IpNet::V4).collect(),
        (IpAddr::V6(first), IpAddr::V6(last)) => ipnet::Ipv6Subnets::new(first, last, 0).map(IpNet::V6).collect(),
        _ => Vec::new(),
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
        Self { diagnostic, family: ruleset.family, rule, related: Vec::new(), witness: None, expect: None, step: None }
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
