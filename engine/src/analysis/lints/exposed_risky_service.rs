//! `exposed-risky-service` (L013).
//!
//! **What it does**: for each catalogue service of High risk (databases, Redis, memcached, the
//! Docker API, admin panels, file shares), finds whether a NEW connection to its port is
//! accepted in INPUT from every source address (on some interface other than `lo`). The
//! witness is such a connection.
//!
//! **Why it matters**: these services are scanned for and attacked within minutes of facing the
//! Internet; most were never meant to. Only unicast destinations count: a rule for a multicast
//! group (mDNS on 224.0.0.251) or a broadcast serves the local link, not the internet.
//!
//! **Example**: `-A INPUT -p tcp --dport 3306 -j ACCEPT`.
//!
//! **Fix**: restrict the rule to trusted sources (`-s`), or to an internal interface (`-i`).

use super::Context;
use crate::analysis::compile::{state_index, witness};
use crate::analysis::space::{Ints, DPORT, DST, FLAGS, IN, PROTO, SRC, STATE};
use crate::analysis::{Expectation, Finding};
use crate::design::{Risk, ServiceInfo, CATALOGUE};
use crate::diagnostic::Code;
use crate::model::{BuiltinChain, ConnState, Protocol};
use crate::simulate::Verdict;

/// A finding when `service`'s first open port accepts NEW connections from every source.
pub(super) fn open_to_all(context: &Context<'_>, service: &ServiceInfo, code: Code, message: impl Fn(&str) -> String) -> Option<Finding> {
    let flow = context.flow(BuiltinChain::Input)?;
    let domain = context.universe.domain(SRC);
    for (protocol, ports) in service.ports() {
        let mut fields = vec![(PROTO, Ints::single(u128::from(protocol.number()))), (DPORT, Ints::single(u128::from(ports.first())))];
        fields.push((STATE, Ints::single(state_index(ConnState::New))));
        // From every address means over the internet: to a unicast address of the host (a rule
        // for a multicast group, such as ufw's mDNS accept for 224.0.0.251, serves the link only).
        fields.push((DST, context.universe.unicast_destinations()));
        if *protocol == Protocol::TCP {
            fields.push((FLAGS, Ints::single(2)));
        }
        let probe = context.probe(flow, &fields);
        for (low, high) in context.universe.interfaces.external().intervals().iter().copied() {
            for class in low..=high {
                let on_class = probe.restrict(IN, &Ints::single(class));
                let accepted = Ints::union_all(
                    flow.decisions_for(protocol.number(), ports.first())
                        .filter(|decision| decision.certain && decision.verdict == Verdict::Accept)
                        .map(|decision| decision.set.project_meeting(&on_class, SRC)),
                );
                if !domain.is_subset(&accepted) {
                    continue;
                }
                let (decision, packets) = flow.first_decision(&on_class, |verdict| verdict == Verdict::Accept)?;
                let port = format!("{} {}", if *protocol == Protocol::TCP { "TCP" } else { "UDP" }, ports.first());
                let finding = Finding::new(context.ruleset, code, Some(decision.by.clone()), message(&port))
                    .witness(witness(&context.universe, &packets, flow.path), Some(Expectation { verdict: decision.verdict, decided_by: decision.by.clone() }));
                return Some(finding);
            }
        }
    }
    None
}

pub(super) fn check(context: &Context<'_>, out: &mut Vec<Finding>) {
    for service in CATALOGUE.iter().filter(|service| service.risk() == Risk::High) {
        let name = service.name();
        let finding = open_to_all(context, service, Code::ExposedRiskyService, |port| {
            format!("{name} ({port}) is reachable from every address: it must not face the Internet")
        });
        if let Some(finding) = finding {
            out.push(finding.help("restrict the rule to trusted sources (`-s`) or an internal interface (`-i`)"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::lints::testing::findings;

    #[test]
    fn fail_and_pass() {
        assert_eq!(findings(":INPUT DROP [0:0]\n-A INPUT -p tcp -m tcp --dport 3306 -j ACCEPT", "exposed-risky-service").len(), 1);
        assert!(findings(":INPUT DROP [0:0]\n-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 3306 -j ACCEPT", "exposed-risky-service").is_empty());
    }
}
