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

fn recent(action: crate::model::RecentAction, seconds: u32, hit_count: u32) -> Module {
    let mut recent = crate::model::Recent::new(action, Family::V4);
    "ssh".clone_into(&mut recent.name);
    recent.seconds = seconds;
    recent.hit_count = hit_count;
    Module::Recent(recent)
}

fn ssh_new(port: u16, last: Module, target: Option<Target>) -> Rule {
    use crate::model::{ConnState, ConnStates, ConnTrack, PortSpec};
    let states = ConnStates::new([ConnState::New]).unwrap();
    Rule {
        protocol: Some(Negated::plain(Protocol::TCP)),
        modules: vec![
            Module::Tcp { source_port: None, destination_port: Some(Negated::plain(PortSpec::single(port))), flags: None, option: None },
            Module::ConnTrack(ConnTrack::states(states)),
            last,
        ],
        target,
        ..Rule::default()
    }
}

#[test]
fn the_recent_brute_force_pair_becomes_one_meter_rule_and_a_set() {
    use crate::model::RecentAction::{Set, Update};
    let (mut v4, v6) = pair();
    input(&mut v4).rules = vec![ssh_new(22, recent(Set, 0, 0), None), ssh_new(22, recent(Update, 600, 3), Some(Target::Drop))];
    let export = render(&v4, &v6).unwrap();
    assert!(export.notes.is_empty(), "{:?}", export.notes);
    let text = export.text;
    assert!(text.contains("\tset recent_ssh_v4 {\n\t\ttype ipv4_addr\n\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout 600s\n\t}\n"), "{text}");
    // Two connections per 600 s: a burst of 2, refilled at 12 per hour.
    let rule = "meta nfproto ipv4 tcp dport 22 ct state new update @recent_ssh_v4 { ip saddr limit rate over 12/hour burst 2 packets } drop";
    assert!(text.contains(rule), "{text}");
    assert_eq!(text.matches("tcp dport 22").count(), 1, "the --set rule has no rule of its own: {text}");
}

#[test]
fn a_window_no_nft_unit_divides_is_rounded_with_a_note() {
    use crate::model::RecentAction::{Set, Update};
    let (mut v4, v6) = pair();
    input(&mut v4).rules = vec![ssh_new(22, recent(Set, 0, 0), None), ssh_new(22, recent(Update, 13, 5), Some(Target::Drop))];
    let export = render(&v4, &v6).unwrap();
    assert!(export.text.contains("limit rate over 186092/week burst 4 packets"), "{}", export.text);
    assert_eq!(export.notes.len(), 1);
    assert!(export.notes[0].reason.contains("4 new connections in 13 s written as a refill of 186092/week"), "{:?}", export.notes);
}

#[test]
fn recent_outside_the_idiom_is_refused_rule_by_rule() {
    use crate::model::RecentAction::{Check, Set, Update};
    let cases = [
        // A lone check.
        vec![ssh_new(22, recent(Update, 60, 5), Some(Target::Drop))],
        // The pair on different packets (ports 22 and 2222).
        vec![ssh_new(22, recent(Set, 0, 0), None), ssh_new(2222, recent(Update, 60, 5), Some(Target::Drop))],
        // `--rcheck` does not record the dropped attempts the way `--update` does.
        vec![ssh_new(22, recent(Set, 0, 0), None), ssh_new(22, recent(Check, 60, 5), Some(Target::Drop))],
        // A third rule also uses the list.
        vec![
            ssh_new(22, recent(Set, 0, 0), None),
            ssh_new(22, recent(Update, 60, 5), Some(Target::Drop)),
            ssh_new(80, recent(Check, 60, 1), Some(Target::Drop)),
        ],
    ];
    for rules in cases {
        let (mut v4, v6) = pair();
        let count = rules.len();
        input(&mut v4).rules = rules;
        let error = render(&v4, &v6).unwrap_err();
        assert_eq!(error.issues().len(), count, "{error}");
        assert!(error.issues().iter().all(|issue| issue.reason.contains("brute-force pair")), "{error}");
    }
    // A pair whose check drops everything is named for that.
    let (mut v4, v6) = pair();
    input(&mut v4).rules = vec![ssh_new(22, recent(Set, 0, 0), None), ssh_new(22, recent(Update, 60, 1), Some(Target::Drop))];
    let error = render(&v4, &v6).unwrap_err();
    assert_eq!((error.issues().len(), error.issues()[0].position), (1, Some(2)), "{error}");
    assert!(error.to_string().contains("`--hitcount` below 2"), "{error}");
}

#[test]
fn address_ranges_translate_and_reversed_ones_are_refused() {
    use crate::model::{AddressRange, IpRange};
    let range = |text: &str| {
        let range = Negated::plain(AddressRange::parse(text).unwrap());
        Rule { modules: vec![Module::IpRange(IpRange { source: Some(range), destination: None })], ..Rule::new(Target::Accept) }
    };
    let (mut v4, mut v6) = pair();
    input(&mut v4).rules = vec![range("198.51.100.10-198.51.100.20")];
    input(&mut v6).rules = vec![range("2001:db8:2::10-2001:db8:2::1f")];
    let text = render(&v4, &v6).unwrap().text;
    assert!(text.contains("\t\tip saddr 198.51.100.10-198.51.100.20 accept\n\t\tip6 saddr 2001:db8:2::10-2001:db8:2::1f accept\n"), "{text}");
    let (mut v4, v6) = pair();
    input(&mut v4).rules = vec![range("198.51.100.20-198.51.100.10")];
    assert!(render(&v4, &v6).unwrap_err().to_string().contains("reversed range"));
}
