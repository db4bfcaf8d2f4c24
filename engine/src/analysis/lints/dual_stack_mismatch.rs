//! `dual-stack-mismatch` (L012).
//!
//! **What it does**: given the IPv4 and the IPv6 ruleset, finds catalogue services whose port
//! accepts NEW connections in one family's INPUT (from some source) and in no case in the
//! other's. The finding belongs to the family where the port is open; its witness is a
//! connection accepted there.
//!
//! **Why it matters**: clients prefer IPv6 when they have it; a service open on one family only
//! works for some users, or a port closed on IPv4 is wide open on IPv6.
//!
//! **Example**: port 80 accepted in `rules.v4`, nothing about it in `rules.v6`.
//!
//! **Fix**: open (or close) the port in both families.

use super::Context;
use crate::analysis::compile::{state_index, witness};
use crate::analysis::space::{Ints, DPORT, FLAGS, PROTO, STATE};
use crate::analysis::{Expectation, Finding, LintOptions};
use crate::design::CATALOGUE;
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState, Protocol, Ruleset};
use crate::simulate::Verdict;

/// The `dual-stack-mismatch` findings of an IPv4 and an IPv6 ruleset (each finding's family
/// says which one it is about). The other lints run on each ruleset with [`super::super::lint`].
pub fn lint_pair(v4: &Ruleset, v6: &Ruleset, options: &LintOptions) -> Vec<Finding> {
    let contexts = [Context::new(v4, options), Context::new(v6, options)];
    let mut out = Vec::new();
    let mut seen: Vec<(Protocol, u16)> = Vec::new();
    for service in CATALOGUE {
        for &(protocol, ports) in service.ports() {
            let port = ports.first();
            if seen.contains(&(protocol, port)) {
                continue;
            }
            seen.push((protocol, port));
            let open: Vec<Option<Finding>> = contexts.iter().map(|context| accepted(context, protocol, port)).collect();
            let [first, second] = [&open[0], &open[1]];
            let (found, closed) = match (first, second) {
                (Some(finding), None) => (finding, &contexts[1]),
                (None, Some(finding)) => (finding, &contexts[0]),
                _ => continue,
            };
            let mut finding = found.clone();
            let transport = if protocol == Protocol::TCP { "TCP" } else { "UDP" };
            finding.diagnostic.message = format!(
                "{} ({transport} {port}) is open in {} but closed in {}",
                service.name(),
                finding.family,
                closed.universe.family
            );
            out.push(finding.help("open (or close) the port in both families"));
        }
    }
    out
}

fn accepted(context: &Context<'_>, protocol: Protocol, port: u16) -> Option<Finding> {
    let flow = context.flow(BuiltinChain::Input)?;
    let mut fields = vec![
        (PROTO, Ints::single(u128::from(protocol.number()))),
        (DPORT, Ints::single(u128::from(port))),
        (STATE, Ints::single(state_index(ConnState::New))),
    ];
    if protocol == Protocol::TCP {
        fields.push((FLAGS, Ints::single(2)));
    }
    let probe = context.probe(flow, &fields);
    let (decision, packets) = flow.first_decision(&probe, |verdict| verdict == Verdict::Accept)?;
    let expect = Expectation { verdict: decision.verdict, decided_by: decision.by.clone() };
    Some(
        Finding::new(context.ruleset, Code::DualStackMismatch, Some(decision.by.clone()), String::new())
            .witness(witness(&context.universe, &packets, flow.path), Some(expect)),
    )
}

#[cfg(test)]
mod tests {
    use super::lint_pair;
    use crate::analysis::LintOptions;
    use crate::import::import;
    use crate::model::Family;

    fn pair(v4: &str, v6: &str) -> usize {
        let read = |body: &str, family| import(&format!("*filter\n:INPUT DROP [0:0]\n{body}\nCOMMIT\n"), Some(family)).value.rulesets.remove(0);
        lint_pair(&read(v4, Family::V4), &read(v6, Family::V6), &LintOptions::default()).len()
    }

    #[test]
    fn fail_and_pass() {
        assert_eq!(pair("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT", ""), 1);
        assert_eq!(pair("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT", "-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 80 -j ACCEPT"), 0);
    }
}
