//! An `nft -f` file: the IPv4 and IPv6 rulesets as one `table inet portcullis` with the same
//! meaning.
//!
//! # Layout
//! ```text
//! table inet portcullis {}          # make sure the table exists, so that
//! delete table inet portcullis      # deleting it (and every stale chain) cannot fail;
//! table inet portcullis { … }       # then the new table, all in one atomic transaction
//! ```
//! Deleting rather than flushing also removes chains a previous version had and this one has not,
//! so loading the file twice leaves exactly one copy. Other tables (iptables' own, Docker's) are
//! untouched.
//!
//! # Beside Docker
//! nft runs every base chain of a hook, and a packet passes only if each accepts it: with Docker
//! on the server, a forward chain with policy drop would drop every container packet Docker's
//! own (iptables) chains accept. [`NftOptions::docker`] (a design's containers choice, see
//! `docker`) makes the forward chain start by letting Docker's traffic through, after the
//! design's `DOCKER-USER` rules, which decide who reaches published ports.
//!
//! Each iptables chain becomes one nft chain: built-in chains of `filter` are the base chains
//! `input`, `forward`, `output` (`type filter`, priority `filter`); other tables' built-in chains
//! are `nat_prerouting` (`type nat`, `dstnat`), `nat_postrouting` (`srcnat`), `mangle_…`,
//! `raw_…`, `security_…` at their iptables priorities. User chains keep their names (prefixed by
//! `TABLE_` outside `filter`).
//!
//! # Two families, one table
//! The rules of a chain are merged family by family: rules that translate to the same statements
//! in both families (the longest common subsequence, so each family keeps its own order) are
//! written once; a rule only one family has is bound to it — by its `ip`/`ip6` address match, or
//! else by a leading `meta nfproto ipv4|ipv6`. A packet of one family therefore meets exactly its
//! family's rules, in order. When the two families' policies differ, the chain's policy is
//! `accept` and a last `meta nfproto … drop` rule stands in for the `DROP` one.
//!
//! # What cannot be translated
//! Interfaces, addresses and `iprange` ranges, protocols, `tcp`/`udp` ports and flags,
//! `multiport`, `icmp`/`icmp6` types, conntrack state/status/direction, `state`, `limit`,
//! comments, and the targets ACCEPT,
//! DROP, RETURN, REJECT, LOG, jumps, gotos, DNAT, SNAT, MASQUERADE, REDIRECT, NOTRACK and TRACE
//! translate exactly. The brute-force idiom of `-m recent` (a `--set` rule, then an `--update
//! --seconds S --hitcount H` rule on the same packets: the design's SSH limit) becomes a meter, a
//! per-source token bucket in a dynamic set; `recent` module docs say exactly how its meaning
//! differs. Anything else is an [`NftError`] naming every such rule: a rule is never
//! dropped or broadened silently. Harmless changes (a comment over nft's 128 bytes shortened, a
//! `"` in a comment written `'`) are reported as notes.

mod docker;
mod recent;
mod rule;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use crate::model::{BuiltinChain, ChainName, Family, Policy, Rule, Ruleset, TableName};

use rule::{translate, Statements};

/// Written above the sets of `recent` meters, for whoever reads the file.
const METER_NOTE: &str = "\t# Brute-force limits (iptables `-m recent`): per source address, N new connections at once,\n\
    \t# then N per window (a token bucket; `recent` instead blocks until the source is quiet).\n";

/// The name of the nft table the export writes.
pub const TABLE: &str = "portcullis";

/// What the export knows beyond the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NftOptions {
    /// Docker runs on the server: the forward chain lets its container traffic through (see
    /// the `docker` module). Also on, whatever this says, for rulesets holding a `DOCKER-USER`
    /// chain no rule jumps to (a design's containers rules, which wait for Docker's FORWARD).
    pub docker: bool,
}

impl NftOptions {
    /// The options a design asks for: Docker when it has a containers choice.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design};
    /// use portcullis_engine::export::nft::NftOptions;
    /// let mut design = Design::default();
    /// assert!(!NftOptions::for_design(&design).docker);
    /// design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, None))).unwrap();
    /// assert!(NftOptions::for_design(&design).docker);
    /// ```
    pub fn for_design(design: &crate::design::Design) -> Self {
        Self { docker: design.containers().is_some() }
    }
}

/// The file text, with notes on harmless changes made on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NftExport {
    /// The `nft -f` file.
    pub text: String,
    /// Harmless changes (comments and log prefixes adjusted to what nft accepts).
    pub notes: Vec<NftIssue>,
}

/// One rule (or chain) the export had to change or could not translate, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NftIssue {
    /// The family of the ruleset it belongs to.
    pub family: Family,
    /// Its table.
    pub table: TableName,
    /// Its chain, as iptables names it.
    pub chain: String,
    /// Its position in the chain, from 1; `None` when the chain itself is the problem.
    pub position: Option<usize>,
    /// The rule in `iptables-save` syntax (empty for a chain).
    pub rule: String,
    /// What is wrong, or what was changed.
    pub reason: String,
}

impl fmt::Display for NftIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} table {} chain {}", self.family, self.table, self.chain)?;
        if let Some(position) = self.position {
            write!(f, " rule {position} (`-A {}{}`)", self.chain, self.rule)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Rules the nft export cannot translate exactly: every one of them, never only the first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NftError {
    issues: Vec<NftIssue>,
}

impl NftError {
    /// Every rule or chain that could not be translated, in ruleset order.
    pub fn issues(&self) -> &[NftIssue] {
        &self.issues
    }
}

impl fmt::Display for NftError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rule(s) have no exact nftables translation:", self.issues.len())?;
        for issue in &self.issues {
            write!(f, "\n  {issue}")?;
        }
        Ok(())
    }
}

impl std::error::Error for NftError {}

/// Renders the IPv4 and IPv6 rulesets as one `nft -f` file.
///
/// # Errors
/// An [`NftError`] listing every rule without an exact translation (and chains whose names nft
/// cannot read), or when the rulesets are not of families IPv4 and IPv6 in that order.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Design, ServiceId, Source};
/// use portcullis_engine::export::nft::render;
/// use portcullis_engine::model::Family;
/// let mut design = Design::default();
/// design.allow(ServiceId::SSH, vec!["203.0.113.7".parse::<Source>().unwrap()]);
/// let export = render(&design.compile(Family::V4), &design.compile(Family::V6)).unwrap();
/// assert!(export.text.contains("type filter hook input priority filter; policy drop;"));
/// assert!(export.text.contains("ip saddr 203.0.113.7 tcp dport 22 accept"));
/// // The default SSH limit (4 new connections in 60 s) as a meter.
/// assert!(export.text.contains("update @recent_portcullis-ssh_v4 { ip saddr limit rate over 4/minute burst 4 packets } drop"));
/// ```
pub fn render(v4: &Ruleset, v6: &Ruleset) -> Result<NftExport, NftError> {
    render_with(v4, v6, NftOptions::default())
}

/// [`render`] with what the rules do not say: whether Docker runs on the server.
///
/// # Errors
/// As [`render`].
///
/// # Examples
/// ```
/// use portcullis_engine::design::{ContainerExposure, ContainerPorts, Design};
/// use portcullis_engine::export::nft::{render_with, NftOptions};
/// use portcullis_engine::model::Family;
/// let mut design = Design::default();
/// design.set_containers(Some(ContainerPorts::new(ContainerExposure::Everyone, None))).unwrap();
/// let export = render_with(&design.compile(Family::V4), &design.compile(Family::V6), NftOptions::for_design(&design)).unwrap();
/// assert!(export.text.contains("oifname \"docker0\" ct status dnat accept"));
/// assert!(!export.text.contains("flush ruleset"));
/// ```
pub fn render_with(v4: &Ruleset, v6: &Ruleset, options: NftOptions) -> Result<NftExport, NftError> {
    let mut issues = Vec::new();
    let mut notes = Vec::new();
    for (ruleset, family) in [(v4, Family::V4), (v6, Family::V6)] {
        if ruleset.family != family {
            issues.push(NftIssue {
                family,
                table: TableName::Filter,
                chain: String::new(),
                position: None,
                rule: String::new(),
                reason: format!("expected the {family} ruleset here, got the {} one", ruleset.family),
            });
        }
    }
    if !issues.is_empty() {
        return Err(NftError { issues });
    }
    let mut body = String::new();
    let mut names = BTreeSet::new();
    // Docker's traffic through the forward chain, translated like any rule (family-neutral).
    let docker = options.docker || docker::awaits_docker(v4) || docker::awaits_docker(v6);
    let jump = docker::has_docker_user(v4) || docker::has_docker_user(v6);
    let docker_rules = if docker { docker::forward_rules(jump) } else { Vec::new() };
    let docker_lines: Vec<Statements> = docker_rules
        .iter()
        .filter_map(|rule| match translate(rule, Family::V4, &|user| nft_chain(TableName::Filter, user, false), None) {
            Ok(statements) => Some(statements),
            Err(reason) => {
                issues.push(chain_issue(TableName::Filter, &ChainName::Builtin(BuiltinChain::Forward), reason));
                None
            }
        })
        .collect();
    // The sets meters use, by name (declared before the chains).
    let mut sets = BTreeMap::new();
    let family_rules: [Vec<&Rule>; 2] = [v4, v6].map(|ruleset| {
        ruleset.tables.iter().flat_map(|table| table.chains.iter().flat_map(|chain| chain.rules.iter())).collect()
    });
    for table in [TableName::Filter, TableName::Nat, TableName::Mangle, TableName::Raw, TableName::Security] {
        let tables = [v4.table(table), v6.table(table)];
        if tables.iter().all(Option::is_none) {
            continue;
        }
        // Built-in chains in the kernel's order, then user chains by name, over both families.
        let mut chains: Vec<ChainName> = table.builtin_chains().iter().map(|chain| ChainName::Builtin(*chain)).collect();
        let users: BTreeSet<ChainName> = tables
            .iter()
            .flatten()
            .flat_map(|t| t.chains.iter().map(|chain| chain.name.clone()))
            .filter(|name| name.builtin().is_none())
            .collect();
        chains.extend(users);
        for chain in &chains {
            let name = nft_chain(table, chain.as_str(), chain.builtin().is_some());
            if let Err(reason) = valid_name(&name, chain.builtin().is_some()) {
                issues.push(chain_issue(table, chain, reason));
            } else if !names.insert(name.clone()) {
                issues.push(chain_issue(table, chain, format!("its nft name `{name}` is taken by another chain")));
            }
            let mut lines = [Vec::new(), Vec::new()];
            let mut policies = [Policy::Accept, Policy::Accept];
            for (index, family) in Family::ALL.into_iter().enumerate() {
                let Some(found) = tables[index].and_then(|t| t.chain(chain)) else { continue };
                policies[index] = found.policy.unwrap_or(Policy::Accept);
                let user = |user: &str| nft_chain(table, user, false);
                let issue = |position: usize, rule: &Rule, reason: String| NftIssue {
                    family,
                    table,
                    chain: chain.as_str().to_owned(),
                    position: Some(position + 1),
                    rule: crate::export::save::render_rule(rule, family),
                    reason,
                };
                let rules = &found.rules;
                let mut position = 0;
                while let Some(rule) = rules.get(position) {
                    // The `recent` brute-force idiom: a `--set` rule and the `--update` rule after it
                    // become one rule with a meter.
                    let next = rules.get(position + 1);
                    let paired = recent::set_name(rule)
                        .zip(next)
                        .and_then(|(name, check)| recent::meter(rule, check, family, recent::uses(&family_rules[index], name)));
                    let (rule, position_of, meter) = match (paired, next) {
                        (Some(Ok(meter)), Some(check)) => (check, position + 1, Some(meter)),
                        (Some(Err(reason)), Some(check)) => {
                            issues.push(issue(position + 1, check, reason));
                            position += 2;
                            continue;
                        }
                        _ => (rule, position, None),
                    };
                    match translate(rule, family, &user, meter.as_ref()) {
                        Ok(statements) => {
                            notes.extend(statements.notes.iter().cloned().map(|note| issue(position_of, rule, note)));
                            if let Some(meter) = meter {
                                notes.extend(meter.rounding_note().map(|note| issue(position_of, rule, note)));
                                sets.insert(meter.set.clone(), meter.declaration());
                            }
                            lines[index].push(statements);
                        }
                        Err(reason) => issues.push(issue(position_of, rule, reason)),
                    }
                    position = position_of + 1;
                }
            }
            let [lines_v4, lines_v6] = lines;
            let mut merged = merge(&lines_v4, &lines_v6);
            if (table, chain.builtin()) == (TableName::Filter, Some(BuiltinChain::Forward)) {
                merged.splice(0..0, docker_lines.iter().map(|statements| (statements, None)));
            }
            write_chain(&mut body, &name, table, chain.builtin(), policies, &merged);
        }
    }
    if !issues.is_empty() {
        return Err(NftError { issues });
    }
    let mut text = String::from(
        "#!/usr/sbin/nft -f\n\
         # Generated by Portcullis: the IPv4 and IPv6 rules as one nftables table.\n\
         # Check with `nft -c -f FILE`, load with `nft -f FILE`. Loading replaces only this table; do not\n\
         # also load the iptables rules: a packet must pass every table that sees it.\n",
    );
    let _ = write!(text, "table inet {TABLE} {{}}\ndelete table inet {TABLE}\ntable inet {TABLE} {{\n");
    if !sets.is_empty() {
        text.push_str(METER_NOTE);
    }
    for declaration in sets.values() {
        text.push_str(declaration);
    }
    let _ = writeln!(text, "{body}}}");
    Ok(NftExport { text, notes })
}

fn chain_issue(table: TableName, chain: &ChainName, reason: String) -> NftIssue {
    NftIssue { family: Family::V4, table, chain: chain.as_str().to_owned(), position: None, rule: String::new(), reason }
}

/// The nft name of an iptables chain.
fn nft_chain(table: TableName, name: &str, builtin: bool) -> String {
    let name = if builtin { name.to_ascii_lowercase() } else { name.to_owned() };
    match table {
        TableName::Filter => name,
        other => format!("{}_{name}", other.as_str()),
    }
}

/// Whether nft reads `name` as a chain name: an identifier that cannot be one of its keywords
/// (keywords are single lower-case words such as `tcp` or `counter`).
fn valid_name(name: &str, builtin: bool) -> Result<(), String> {
    let mut chars = name.chars();
    let identifier = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'));
    if !identifier {
        return Err("nft chain names are letters, digits, `_`, `-`, `.` and `/`, starting with a letter; rename the chain".to_owned());
    }
    if !builtin && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Err("a one-word lower-case name may be an nft keyword; rename the chain (e.g. with an upper-case letter or `-`)".to_owned());
    }
    Ok(())
}

/// A merged line: the statements, and the family they are bound to (`None`: both).
type Line<'a> = (&'a Statements, Option<Family>);

/// Merges the two families' rules, keeping their longest common subsequence once.
fn merge<'a>(v4: &'a [Statements], v6: &'a [Statements]) -> Vec<Line<'a>> {
    let (n, m) = (v4.len(), v6.len());
    let mut lines = Vec::with_capacity(n + m);
    // Bounded work: beyond 4 million cells the rules are simply kept apart (still exact).
    if n.saturating_mul(m) > 4_000_000 {
        lines.extend(v4.iter().map(|s| (s, Some(Family::V4))));
        lines.extend(v6.iter().map(|s| (s, Some(Family::V6))));
        return lines;
    }
    // suffix[i][j]: length of the longest common subsequence of v4[i..] and v6[j..].
    let mut suffix = vec![vec![0_usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            suffix[i][j] = if v4[i].text == v6[j].text { suffix[i + 1][j + 1] + 1 } else { suffix[i + 1][j].max(suffix[i][j + 1]) };
        }
    }
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && v4[i].text == v6[j].text {
            lines.push((&v4[i], None));
            i += 1;
            j += 1;
        } else if i < n && (j == m || suffix[i + 1][j] >= suffix[i][j + 1]) {
            lines.push((&v4[i], Some(Family::V4)));
            i += 1;
        } else {
            lines.push((&v6[j], Some(Family::V6)));
            j += 1;
        }
    }
    lines
}

fn nfproto(family: Family) -> &'static str {
    match family {
        Family::V4 => "meta nfproto ipv4",
        Family::V6 => "meta nfproto ipv6",
    }
}

/// The base chain declaration of a built-in chain.
fn hook(table: TableName, chain: BuiltinChain) -> String {
    let hook = chain.as_str().to_ascii_lowercase();
    let (kind, priority) = match (table, chain) {
        (TableName::Filter, _) => ("filter", "filter"),
        // nft accepts the names `dstnat` / `srcnat` only on their own hooks.
        (TableName::Nat, BuiltinChain::Prerouting) => ("nat", "dstnat"),
        (TableName::Nat, BuiltinChain::Output) => ("nat", "-100"),
        (TableName::Nat, BuiltinChain::Input) => ("nat", "100"),
        (TableName::Nat, _) => ("nat", "srcnat"),
        (TableName::Mangle, BuiltinChain::Output) => ("route", "mangle"),
        (TableName::Mangle, _) => ("filter", "mangle"),
        (TableName::Raw, _) => ("filter", "raw"),
        (TableName::Security, _) => ("filter", "security"),
    };
    format!("type {kind} hook {hook} priority {priority};")
}

fn policy_word(policy: Policy) -> &'static str {
    match policy {
        Policy::Accept => "accept",
        Policy::Drop => "drop",
    }
}

fn write_chain(out: &mut String, name: &str, table: TableName, builtin: Option<BuiltinChain>, policies: [Policy; 2], lines: &[Line<'_>]) {
    let _ = writeln!(out, "\tchain {name} {{");
    let same = policies[0] == policies[1];
    if let Some(chain) = builtin {
        let policy = if same { policies[0] } else { Policy::Accept };
        let _ = writeln!(out, "\t\t{} policy {};", hook(table, chain), policy_word(policy));
    }
    for (statements, family) in lines {
        match family {
            Some(family) if !statements.family_bound => {
                let _ = writeln!(out, "\t\t{} {}", nfproto(*family), statements.text);
            }
            _ => {
                let _ = writeln!(out, "\t\t{}", statements.text);
            }
        }
    }
    if builtin.is_some() && !same {
        for (family, policy) in Family::ALL.into_iter().zip(policies) {
            if policy == Policy::Drop {
                let _ = writeln!(out, "\t\t{} drop comment \"{family} policy DROP\"", nfproto(family));
            }
        }
    }
    out.push_str("\t}\n");
}

#[cfg(test)]
mod tests;
