use super::*;
use crate::model::{Chain, Interface, Module, Negated, Protocol, Rule, Target, UserChain};

fn input(ruleset: &mut Ruleset) -> &mut Chain {
    let table = ruleset.table_mut(TableName::Filter);
    table.chain_mut(&ChainName::Builtin(BuiltinChain::Input)).expect("INPUT exists")
}

fn pair() -> (Ruleset, Ruleset) {
    (Ruleset::new(Family::V4), Ruleset::new(Family::V6))
}

#[test]
fn rules_both_families_share_are_written_once_in_order() {
    let (mut v4, mut v6) = pair();
    let loopback = Rule { in_interface: Some(Negated::plain(Interface::loopback())), ..Rule::new(Target::Accept) };
    let web = Rule {
        protocol: Some(Negated::plain(Protocol::TCP)),
        modules: vec![Module::Tcp { source_port: None, destination_port: Some(Negated::plain(crate::model::PortSpec::single(80))), flags: None, option: None }],
        ..Rule::new(Target::Accept)
    };
    let only_v6 = Rule { protocol: Some(Negated::plain(Protocol::ICMPV6)), ..Rule::new(Target::Accept) };
    let admin = Rule { source: Some(Negated::plain("203.0.113.7/32".parse().unwrap())), ..Rule::new(Target::Accept) };
    input(&mut v4).rules = vec![loopback.clone(), admin, web.clone()];
    input(&mut v6).rules = vec![loopback, only_v6, web];
    let text = render(&v4, &v6).unwrap().text;
    let body: Vec<&str> = text.lines().skip_while(|line| !line.contains("chain input")).take(6).map(str::trim).collect();
    assert_eq!(
        body,
        [
            "chain input {",
            "type filter hook input priority filter; policy accept;",
            "iifname \"lo\" accept",
            "ip saddr 203.0.113.7 accept",
            "meta nfproto ipv6 meta l4proto ipv6-icmp accept",
            "tcp dport 80 accept",
        ]
    );
}

#[test]
fn different_policies_become_a_family_bound_drop() {
    let (mut v4, mut v6) = pair();
    input(&mut v4).policy = Some(Policy::Drop);
    v6.table_mut(TableName::Filter);
    let text = render(&v4, &v6).unwrap().text;
    assert!(text.contains("policy accept;\n\t\tmeta nfproto ipv4 drop comment \"IPv4 policy DROP\"\n"), "{text}");
}

#[test]
fn every_untranslatable_rule_is_listed() {
    let (mut v4, v6) = pair();
    let odd = Rule { modules: vec![Module::Unknown { name: "quota".to_owned(), args: vec!["--quota".to_owned(), "5".to_owned()] }], ..Rule::new(Target::Drop) };
    let either = Rule {
        protocol: Some(Negated::plain(Protocol::TCP)),
        modules: vec![Module::Multiport { direction: crate::model::PortDirection::Either, ports: Negated::plain(vec![crate::model::PortSpec::single(1)]) }],
        ..Rule::new(Target::Drop)
    };
    input(&mut v4).rules = vec![Rule::new(Target::Accept), odd, either];
    let error = render(&v4, &v6).unwrap_err();
    assert_eq!(error.issues().len(), 2);
    let message = error.to_string();
    assert!(message.contains("rule 2 (`-A INPUT -m quota --quota 5 -j DROP`): `-m quota`"), "{message}");
    assert!(message.contains("rule 3") && message.contains("--ports"), "{message}");
}

#[test]
fn chain_names_nft_cannot_read_are_refused() {
    let (mut v4, v6) = pair();
    for name in ["counter", "my$chain"] {
        v4.table_mut(TableName::Filter).chains.push(Chain::user(UserChain::new(name).unwrap()));
    }
    v4.table_mut(TableName::Filter).chains.push(Chain::user(UserChain::new("ufw-user-input").unwrap()));
    let error = render(&v4, &v6).unwrap_err();
    let chains: Vec<&str> = error.issues().iter().map(|issue| issue.chain.as_str()).collect();
    assert_eq!(chains, ["counter", "my$chain"]);
}

#[test]
fn comments_and_prefixes_are_made_literal_with_a_note() {
    let (mut v4, v6) = pair();
    let log = crate::model::Log { prefix: Some("drop $HOME \"x\" ".to_owned()), level: 6, ..crate::model::Log::default() };
    let rule = Rule { modules: vec![Module::Comment("say \"hi\" ü".to_owned())], ..Rule::new(Target::Log(log)) };
    input(&mut v4).rules = vec![rule];
    let export = render(&v4, &v6).unwrap();
    assert!(export.text.contains("meta nfproto ipv4 log prefix \"drop _HOME 'x' \" level info comment \"say 'hi' ü\""), "{}", export.text);
    assert_eq!(export.notes.len(), 2);
}

#[test]
fn swapped_families_are_an_error() {
    let (v4, v6) = pair();
    assert!(render(&v6, &v4).is_err());
}
