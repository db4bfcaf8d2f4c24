//! Rules in plain words: one sentence per rule, for the app's hover/focus explanations and the
//! workbench's rule list.
//!
//! The common matches (protocol, ports, addresses, interfaces, connection states, ICMP types,
//! rate limits, the SSH limit lists) are said in words; anything else is quoted as iptables
//! words, so nothing a rule does is hidden from the sentence.

use std::fmt::Write as _;

use crate::export::save;
use crate::model::{
    ConnState, ConnTrack, Family, Module, Negated, PortDirection, PortSpec, RecentAction, Rule, Target,
};

/// One sentence saying what `rule` does, e.g. `Accept TCP to port 22 from 203.0.113.7/32 —
/// "SSH from office".`
///
/// # Examples
/// ```
/// use portcullis_engine::explain::explain;
/// use portcullis_engine::import::import;
/// use portcullis_engine::model::Family;
/// let parsed = import("*filter\n-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT\nCOMMIT\n", Some(Family::V4));
/// let ruleset = &parsed.value.rulesets[0];
/// let rule = &ruleset.tables[0].chains.iter().find(|chain| chain.name.as_str() == "INPUT").unwrap().rules[0];
/// assert_eq!(explain(rule, Family::V4), "Accept TCP to port 22 from 203.0.113.7/32, when it starts a new connection.");
/// ```
pub fn explain(rule: &Rule, family: Family) -> String {
    let mut what = action(rule.target.as_ref(), family);
    let mut conditions: Vec<String> = Vec::new();
    let mut comment = None;
    what.push(' ');
    what.push_str(&traffic(rule, &mut conditions));
    address(&mut what, "from", rule.source.as_ref().map(|net| not(net.negated, net.value)));
    address(&mut what, "to", rule.destination.as_ref().map(|net| not(net.negated, net.value)));
    if let Some(interface) = &rule.in_interface {
        let _ = write!(what, " arriving on {}", not(interface.negated, interface.value.as_str()));
    }
    if let Some(interface) = &rule.out_interface {
        let _ = write!(what, " leaving by {}", not(interface.negated, interface.value.as_str()));
    }
    match rule.fragment {
        Some(false) => conditions.push("only fragments after the first".to_owned()),
        Some(true) => conditions.push("no fragments after the first".to_owned()),
        None => {}
    }
    for module in &rule.modules {
        match module {
            Module::Comment(text) => comment = Some(text.clone()),
            Module::Tcp { .. } | Module::Udp { .. } | Module::Multiport { .. } | Module::Icmp(_) | Module::Icmp6(_) => {}
            other => conditions.push(condition(other)),
        }
    }
    let mut sentence = what;
    if !conditions.is_empty() {
        let _ = write!(sentence, ", when {}", conditions.join(" and "));
    }
    if let Some(comment) = comment {
        let shown = comment.strip_prefix("portcullis: ").unwrap_or(&comment);
        let _ = write!(sentence, " — \u{201c}{shown}\u{201d}");
    }
    sentence.push('.');
    sentence
}

fn not(negated: bool, value: impl std::fmt::Display) -> String {
    if negated { format!("anything but {value}") } else { value.to_string() }
}

fn address(out: &mut String, word: &str, value: Option<String>) {
    if let Some(value) = value {
        let _ = write!(out, " {word} {value}");
    }
}

/// The verb of the sentence.
fn action(target: Option<&Target>, family: Family) -> String {
    let Some(target) = target else { return "Count (no action)".to_owned() };
    match target {
        Target::Accept => "Accept".to_owned(),
        Target::Drop => "Drop (silently)".to_owned(),
        Target::Reject(with) => format!("Refuse (answering {with})"),
        Target::Return => "Return to the calling chain for".to_owned(),
        Target::Log(log) => match &log.prefix {
            Some(prefix) => format!("Log (prefix \u{201c}{}\u{201d}) and go on with", prefix.trim_end()),
            None => "Log and go on with".to_owned(),
        },
        Target::Jump(chain) => format!("Go through chain {} for", chain.as_str()),
        Target::Goto(chain) => format!("Continue in chain {} (no return) for", chain.as_str()),
        Target::Masquerade(_) => "Give the outgoing interface's address as source to".to_owned(),
        Target::NoTrack => "Exempt from connection tracking".to_owned(),
        other => {
            let mut words = String::new();
            save::render_target(&mut words, other, family);
            format!("Apply `{}` to", words.trim_start())
        }
    }
}

/// Protocol and ports: `TCP to port 22`, `ICMP echo-request`, `all traffic`.
fn traffic(rule: &Rule, conditions: &mut Vec<String>) -> String {
    let mut out = match &rule.protocol {
        Some(Negated { negated: false, value }) => protocol_name(&value.to_string()),
        Some(Negated { negated: true, value }) => format!("all but {}", protocol_name(&value.to_string())),
        None => "all traffic".to_owned(),
    };
    for module in &rule.modules {
        match module {
            Module::Tcp { source_port, destination_port, flags, option } => {
                ports(&mut out, source_port.as_ref(), destination_port.as_ref());
                if let Some(flags) = flags {
                    let (mask, set) = &flags.value;
                    let bang = if flags.negated { "not " } else { "" };
                    conditions.push(format!("the TCP flags {mask} are {bang}exactly {set}"));
                }
                if let Some(option) = option {
                    conditions.push(format!("TCP option {} is {}present", option.value, if option.negated { "not " } else { "" }));
                }
            }
            Module::Udp { source_port, destination_port } => {
                ports(&mut out, source_port.as_ref(), destination_port.as_ref());
            }
            Module::Multiport { direction, ports: list_negated } => {
                let list: Vec<String> = list_negated.value.iter().map(ToString::to_string).collect();
                let side = match direction {
                    PortDirection::Source => "from ports",
                    PortDirection::Destination => "to ports",
                    PortDirection::Either => "from or to ports",
                };
                let _ = write!(out, " {side} {}", not(list_negated.negated, list.join(", ")));
            }
            Module::Icmp(kind) | Module::Icmp6(kind) => {
                let family = if matches!(module, Module::Icmp(_)) { Family::V4 } else { Family::V6 };
                let name = crate::import::icmp_type_name(kind.value, family).map_or_else(|| format!("type {}", kind.value), str::to_owned);
                let _ = write!(out, " {}", not(kind.negated, name));
            }
            _ => {}
        }
    }
    out
}

fn protocol_name(iptables_name: &str) -> String {
    match iptables_name {
        "ipv6-icmp" | "icmpv6" => "ICMPv6".to_owned(),
        other => other.to_ascii_uppercase(),
    }
}

fn ports(out: &mut String, source: Option<&Negated<PortSpec>>, destination: Option<&Negated<PortSpec>>) {
    if let Some(port) = destination {
        let _ = write!(out, " to port {}", not(port.negated, port.value));
    }
    if let Some(port) = source {
        let _ = write!(out, " from port {}", not(port.negated, port.value));
    }
}

/// A match other than protocol, ports and comment, in words where it is common.
fn condition(module: &Module) -> String {
    match module {
        Module::ConnTrack(conntrack) if *conntrack == ConnTrack { state: conntrack.state.clone(), ..ConnTrack::default() } => {
            conntrack.state.as_ref().map_or_else(String::new, |states| state_words(states.negated, states.value.states().iter()))
        }
        Module::State(states) => state_words(states.negated, states.value.states().iter()),
        Module::Limit { rate, burst } => format!("under {rate} on average (bursts of {burst})"),
        Module::Recent(recent) => {
            let list = &recent.name;
            match recent.action {
                RecentAction::Set => format!("always, noting the source in the list \u{201c}{list}\u{201d}"),
                RecentAction::Remove => format!("removing the source from the list \u{201c}{list}\u{201d}"),
                RecentAction::Check | RecentAction::Update => {
                    let mut words = format!("the source is {}in the list \u{201c}{list}\u{201d}", if recent.negated { "not " } else { "" });
                    if recent.hit_count > 0 {
                        let _ = write!(words, " with {} or more hits", recent.hit_count);
                    }
                    if recent.seconds > 0 {
                        let _ = write!(words, " in the last {} seconds", recent.seconds);
                    }
                    words
                }
            }
        }
        other => {
            let mut words = String::new();
            save::render_module(&mut words, other);
            format!("`{}` matches", words.trim_start())
        }
    }
}

fn state_words<'s>(negated: bool, states: impl Iterator<Item = &'s ConnState>) -> String {
    let words: Vec<&str> = states
        .map(|state| match state {
            ConnState::New => "it starts a new connection",
            ConnState::Established => "it belongs to a connection already set up",
            ConnState::Related => "it is related to one (an ICMP error, FTP data)",
            ConnState::Invalid => "conntrack finds it invalid",
            ConnState::Untracked => "it is not tracked",
            ConnState::Snat => "its connection's source was rewritten",
            ConnState::Dnat => "its connection's destination was rewritten",
        })
        .collect();
    let joined = words.join(" or ");
    if negated { format!("not ({joined})") } else { joined }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Design, ServiceId};

    fn sentences(rules: &str, family: Family) -> Vec<String> {
        let parsed = crate::import::import(&format!("*filter\n{rules}COMMIT\n"), Some(family));
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let ruleset = &parsed.value.rulesets[0];
        ruleset.tables.iter().flat_map(|table| &table.chains).flat_map(|chain| &chain.rules).map(|rule| explain(rule, family)).collect()
    }

    #[test]
    fn the_tutorial_rules_read_as_sentences() {
        let text = "\
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE -j DROP
-A INPUT -p tcp -m tcp ! --syn -m state --state NEW -j DROP
-A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 1/sec -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT
-A INPUT -s 198.51.100.0/24 -j REJECT --reject-with icmp-port-unreachable
-A INPUT -m limit --limit 5/min -j LOG --log-prefix \"dropped: \"
-A INPUT -p tcp -m tcp --dport 22 -m recent --update --seconds 60 --hitcount 4 --name SSH --rsource -j DROP
-A INPUT -m hashlimit --hashlimit-upto 10/sec --hashlimit-name h -j ACCEPT
";
        assert_eq!(
            sentences(text, Family::V4),
            [
                "Accept all traffic arriving on lo.",
                "Accept all traffic, when it is related to one (an ICMP error, FTP data) or it belongs to a connection already set up.",
                "Drop (silently) TCP, when the TCP flags FIN,SYN,RST,PSH,ACK,URG are exactly NONE.",
                "Drop (silently) TCP, when the TCP flags FIN,SYN,RST,ACK are not exactly SYN and it starts a new connection.",
                "Accept ICMP echo-request, when under 1/sec on average (bursts of 5).",
                "Accept TCP to ports 80, 443.",
                "Refuse (answering icmp-port-unreachable) all traffic from 198.51.100.0/24.",
                "Log (prefix \u{201c}dropped:\u{201d}) and go on with all traffic, when under 5/min on average (bursts of 5).",
                "Drop (silently) TCP to port 22, when the source is in the list \u{201c}SSH\u{201d} with 4 or more hits in the last 60 seconds.",
                "Accept all traffic, when `-m hashlimit --hashlimit-upto 10/sec --hashlimit-burst 5 --hashlimit-name h` matches.",
            ]
        );
    }

    #[test]
    fn design_rules_quote_their_intent() {
        let mut design = Design::default();
        design.allow(ServiceId::HTTPS, Vec::new());
        let ruleset = design.compile(Family::V6);
        let said: Vec<String> =
            ruleset.tables.iter().flat_map(|table| &table.chains).flat_map(|chain| &chain.rules).map(|rule| explain(rule, Family::V6)).collect();
        assert!(said.iter().any(|sentence| sentence.starts_with("Accept TCP to port 443") && sentence.contains("\u{201c}HTTPS")), "{said:#?}");
        assert!(said.iter().any(|sentence| sentence.contains("ICMPv6 neighbour-solicitation")), "{said:#?}");
    }
}
