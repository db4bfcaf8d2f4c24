//! Docker beside the nft table: the forward base chain's first rules when Docker runs on the
//! server.
//!
//! nftables runs every base chain on a hook, and a packet passes only if each accepts it: our
//! `forward` chain (policy drop under FORWARD DROP) would drop every container packet Docker's
//! own iptables chains accept, whether Docker writes them with iptables-nft or iptables-legacy.
//! So when Docker runs, the forward chain starts by letting Docker's traffic through, and leaves
//! the decision to Docker's chains (a packet must pass them too):
//! ```text
//! jump DOCKER-USER                                 # the design's exposure rules, when it has them
//! iifname "docker0" accept                         # the containers' own traffic, out and between them
//! iifname "br-*" accept
//! oifname "docker0" ct state established,related accept   # replies to the containers
//! oifname "br-*" ct state established,related accept
//! oifname "docker0" ct status dnat accept          # connections to published ports
//! oifname "br-*" ct status dnat accept
//! ```
//! The `DOCKER-USER` chain of the table is the design's, translated like any chain: for a
//! design that limits published ports to trusted sources or to the host, it returns what may
//! pass and drops the rest, exactly as its iptables twin does in Docker's `DOCKER-USER`. The
//! design's own forward rules (port forwards) follow, unchanged.

use crate::design::{DOCKER_BRIDGES, DOCKER_USER};
use crate::model::{ChainName, Comment, ConnState, ConnStates, ConnTrack, Interface, Module, Negated, Rule, Ruleset, TableName, Target, UserChain};

/// Whether `ruleset` holds a `DOCKER-USER` chain in its filter table.
pub(super) fn has_docker_user(ruleset: &Ruleset) -> bool {
    docker_user_chain().is_some_and(|name| ruleset.table(TableName::Filter).is_some_and(|table| table.chain(&ChainName::User(name)).is_some()))
}

/// Whether `ruleset` holds a `DOCKER-USER` chain no rule jumps to: rules that wait for Docker's
/// FORWARD to jump there (a design's containers choice), not a dump of a Docker host (whose
/// FORWARD jumps to it, and is translated as it is).
pub(super) fn awaits_docker(ruleset: &Ruleset) -> bool {
    let Some(filter) = ruleset.table(TableName::Filter) else { return false };
    let jumped = filter.chains.iter().flat_map(|chain| &chain.rules).any(|rule| {
        matches!(&rule.target, Some(Target::Jump(to) | Target::Goto(to)) if to.as_str() == DOCKER_USER)
    });
    has_docker_user(ruleset) && !jumped
}

fn docker_user_chain() -> Option<UserChain> {
    UserChain::new(DOCKER_USER).ok()
}

fn commented(rule: Rule, why: &str) -> Rule {
    rule.commented(&Comment::sanitize(&format!("portcullis: containers: {why}")))
}

fn bridge(name: &str) -> Option<Negated<Interface>> {
    Interface::new(name).ok().map(Negated::plain)
}

fn conntrack(conntrack: ConnTrack) -> Module {
    Module::ConnTrack(conntrack)
}

/// The rules that open the forward chain when Docker runs (see the module docs), as iptables
/// rules for the translator; `jump` adds the jump to the table's `DOCKER-USER` first.
pub(super) fn forward_rules(jump: bool) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(chain) = docker_user_chain().filter(|_| jump) {
        rules.push(commented(Rule::new(Target::Jump(chain)), "who may reach published ports (DOCKER-USER)"));
    }
    let replies = ConnStates::new([ConnState::Related, ConnState::Established]).map(ConnTrack::states);
    let published = ConnStates::new([ConnState::Dnat]).map(ConnTrack::states);
    for name in DOCKER_BRIDGES {
        let from = Rule { in_interface: bridge(name), ..Rule::new(Target::Accept) };
        rules.push(commented(from, &format!("traffic from containers on {name}, as Docker's chains decide")));
    }
    for (states, why) in [(replies, "replies to containers on"), (published, "published ports of containers on")] {
        for name in DOCKER_BRIDGES {
            let modules = states.clone().map(conntrack).into_iter().collect();
            let to = Rule { out_interface: bridge(name), modules, ..Rule::new(Target::Accept) };
            rules.push(commented(to, &format!("{why} {name}, as Docker's chains decide")));
        }
    }
    rules
}
