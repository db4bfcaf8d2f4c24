//! The importer on the host: scripts and save files read as the tools read them, properties
//! (round trip, never panics) and input limits. The differential tests against the real
//! iptables live in `tests/tests/import.rs` and `tests/tests/validity.rs`.

use std::fmt::Write as _;

use portcullis_engine::diagnostic::{Code, Severity};
use portcullis_engine::export::save::render_tables;
use portcullis_engine::import::{import, Format, MAX_INPUT_BYTES};
use portcullis_engine::model::{
    AddrType, AddressRange, AddressTypes, ConnAddress, ConnDirection, ConnMarkAction, ConnState, ConnStates, ConnStatus,
    ConnTrack, Connlimit, ExpireRange, Family, HashRate, Hashlimit, IcmpType, IpRange, LengthRange, MacAddress, MarkValue,
    Module, Negated, Nflog, PacketType, PortDirection, PortSpec, Protocol, Recent, RecentAction, Rule, StringAlgorithm,
    StringMatch, Target, TcpFlags, TimeMatch, TtlComparison, TtlMatch, ALL_MONTHDAYS, ALL_WEEKDAYS, DATE_MAX,
};
use proptest::prelude::*;

fn rules(text: &str, family: Family) -> String {
    let parsed = import(text, None);
    let errors: Vec<_> = parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    parsed.value.ruleset(family).map(render_tables).unwrap_or_default()
}

fn codes(text: &str) -> Vec<Code> {
    import(text, None).diagnostics.iter().map(|diagnostic| diagnostic.code).collect()
}

#[test]
fn scripts_expand_variables_join_lines_and_skip_other_commands() {
    let script = r#"#!/bin/sh
IPT=/sbin/iptables
ADMIN="203.0.113.7"
$IPT -F
${IPT} -A INPUT -s $ADMIN -p tcp \
    --dport 22 -j ACCEPT   # the admin
sudo iptables -P INPUT DROP; echo done
ip6tables -A INPUT -i lo -j ACCEPT && ip6tables -P INPUT DROP
service iptables save
"#;
    let parsed = import(script, None);
    assert_eq!(parsed.value.format, Format::Script);
    let info: Vec<_> = parsed.diagnostics.iter().filter(|d| d.code == Code::NotIptables).collect();
    assert_eq!(info.len(), 2, "echo and service are reported: {:#?}", parsed.diagnostics);
    assert!(info.iter().all(|d| d.severity == Severity::Info));
    let v4 = rules(script, Family::V4);
    assert!(v4.contains(":INPUT DROP [0:0]"), "{v4}");
    assert!(v4.contains("-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22 -j ACCEPT"), "{v4}");
    let v6 = rules(script, Family::V6);
    assert!(v6.contains(":INPUT DROP [0:0]\n") && v6.contains("-A INPUT -i lo -j ACCEPT"), "{v6}");
}

#[test]
fn editing_commands_change_the_ruleset_like_iptables() {
    let script = "iptables -A INPUT -p tcp --dport 1 -j ACCEPT
iptables -A INPUT -p tcp --dport 2 -j ACCEPT
iptables -A INPUT -p tcp --dport 3 -j ACCEPT
iptables -I INPUT 2 -p tcp --dport 9 -j DROP
iptables -D INPUT -p tcp --dport 1 -j ACCEPT
iptables -R INPUT 1 -p udp --dport 53 -j ACCEPT
iptables -D INPUT 3
iptables -N old
iptables -E old new
iptables -A new -j RETURN
iptables -A INPUT -j new
iptables -N gone
iptables -X gone
";
    let v4 = rules(script, Family::V4);
    let body: Vec<&str> = v4.lines().filter(|line| line.starts_with("-A")).collect();
    assert_eq!(
        body,
        [
            "-A INPUT -p udp -m udp --dport 53 -j ACCEPT",
            "-A INPUT -p tcp -m tcp --dport 2 -j ACCEPT",
            "-A INPUT -j new",
            "-A new -j RETURN",
        ]
    );
    assert!(!v4.contains("gone"));
}

#[test]
fn refusals_are_diagnostics_with_spans_and_the_parse_goes_on() {
    let text = "iptables -A INPUT --dport 22 -j ACCEPT\niptables -A NOWHERE -j ACCEPT\niptables -A INPUT -p tcp --dport 80 -j ACCEPT\niptables -D INPUT 7\n";
    let parsed = import(text, None);
    let found: Vec<Code> = parsed.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(found, [Code::NeedsProtocol, Code::ChainNotFound, Code::RuleNotFound]);
    let first = &parsed.diagnostics[0];
    assert_eq!(&text[first.span.start..first.span.end], "--dport");
    assert!(first.help.is_some());
    let v4 = render_tables(parsed.value.ruleset(Family::V4).expect("v4"));
    assert!(v4.contains("--dport 80"), "later lines still count: {v4}");
}

#[test]
fn save_files_check_their_structure() {
    assert_eq!(codes("-A INPUT -j ACCEPT\n"), [Code::UnexpectedLine]);
    assert_eq!(codes("*filters\nCOMMIT\n"), [Code::UnknownTable, Code::UnexpectedLine]);
    assert_eq!(codes("*filter\n:INPUT DENY [0:0]\nCOMMIT\n"), [Code::BadChainDeclaration]);
    assert_eq!(codes("*filter\n:bad chain - [0:0]\n"), [Code::MissingCommit, Code::BadChainDeclaration]);
    assert_eq!(codes("*filter\n:-bad - [0:0]\nCOMMIT\n"), [Code::InvalidChainName]);
    assert_eq!(codes("*filter\n-A INPUT -j NOWHERE\nCOMMIT\n"), [Code::UndefinedJump]);
    assert_eq!(codes("*filter\n-A INPUT -m comment --comment \"open\nCOMMIT\n"), [Code::UnterminatedQuote]);
    assert_eq!(codes("*nat\n-A PREROUTING -j REJECT\nCOMMIT\n"), [Code::WrongTableForTarget]);
    assert_eq!(codes("*filter\n-A OUTPUT -i eth0 -j ACCEPT\nCOMMIT\n"), [Code::WrongChainForOption]);
    assert_eq!(codes("*filter\n-A INPUT -s example.com -j DROP\nCOMMIT\n"), [Code::HostName]);
}

#[test]
fn counters_and_family_are_read() {
    let text = "# Generated by ip6tables-save v1.8.9\n*filter\n:INPUT DROP [12:3456]\n[5:300] -A INPUT -p tcp -j ACCEPT\nCOMMIT\n";
    let parsed = import(text, None);
    let ruleset = parsed.value.ruleset(Family::V6).expect("an IPv6 ruleset");
    let input = &ruleset.tables[0].chains[0];
    assert_eq!((input.counters.packets, input.counters.bytes), (12, 3456));
    assert_eq!(input.rules[0].counters.map(|c| c.packets), Some(5));
}

#[test]
fn oversized_input_is_refused_quickly() {
    let huge = "#".repeat(MAX_INPUT_BYTES + 1);
    assert_eq!(codes(&huge), [Code::InputTooLarge]);
}

#[test]
fn a_large_dump_is_read_whole() {
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n");
    for index in 0..20_000u32 {
        let _ = writeln!(text, "-A INPUT -s 198.51.{}.{}/32 -p tcp -m tcp --dport {} -j ACCEPT", index / 256 % 256, index % 256, index % 65_535 + 1);
    }
    text.push_str("COMMIT\n");
    let parsed = import(&text, None);
    assert!(parsed.diagnostics.is_empty());
    assert_eq!(parsed.value.rulesets[0].tables[0].chains[0].rules.len(), 20_000);
}

fn port_spec() -> impl Strategy<Value = PortSpec> {
    (any::<u16>(), any::<u16>()).prop_map(|(a, b)| PortSpec::range(a.min(b), a.max(b)).expect("ordered"))
}

fn negated<T: std::fmt::Debug + Clone>(value: impl Strategy<Value = T>) -> impl Strategy<Value = Negated<T>> {
    (any::<bool>(), value).prop_map(|(negated, value)| Negated { negated, value })
}

fn states() -> impl Strategy<Value = ConnStates> {
    prop::sample::subsequence(
        vec![ConnState::Invalid, ConnState::New, ConnState::Related, ConnState::Established, ConnState::Untracked],
        1..=5,
    )
    .prop_map(|chosen| ConnStates::new(chosen).expect("non-empty"))
}

fn ipv4_net() -> impl Strategy<Value = ipnet::IpNet> {
    (any::<[u8; 4]>(), 1u8..=32)
        .prop_map(|(octets, prefix)| ipnet::IpNet::from(ipnet::Ipv4Net::new(octets.into(), prefix).expect("prefix").trunc()))
}

fn conntrack() -> impl Strategy<Value = ConnTrack> {
    let direction = prop_oneof![Just(ConnDirection::Original), Just(ConnDirection::Reply)];
    (
        // Always a state: `-m conntrack` without options does not load.
        negated(states()).prop_map(Some),
        prop::option::of(negated(prop_oneof![Just(Protocol::TCP), Just(Protocol::UDP), Just(Protocol::ICMP)])),
        prop::option::of(negated(ipv4_net().prop_map(ConnAddress))),
        prop::option::of(negated(port_spec())),
        prop::option::of(negated((0u8..16).prop_map(ConnStatus))),
        prop::option::of(negated((0u32..100, 0u32..100).prop_map(|(a, b)| ExpireRange { min: a.min(b), max: a.max(b) }))),
        prop::option::of(direction),
    )
        .prop_map(|(state, protocol, reply_destination, original_destination_port, status, expire, direction)| ConnTrack {
            state,
            protocol,
            reply_destination,
            original_destination_port,
            status,
            expire,
            direction,
            ..ConnTrack::default()
        })
}

/// Typed modules beyond ports and states, each in a shape iptables accepts in filter INPUT.
fn packet_field_module() -> impl Strategy<Value = Module> {
    let mark = (any::<u32>(), any::<u32>()).prop_map(|(value, mask)| MarkValue { value, mask });
    let length = (any::<u16>(), any::<u16>()).prop_map(|(min, max)| LengthRange { min, max });
    let range = (any::<[u8; 4]>(), any::<[u8; 4]>())
        .prop_map(|(first, last)| AddressRange { first: std::net::IpAddr::from(first), last: std::net::IpAddr::from(last) });
    let comparison = prop_oneof![
        Just(TtlComparison::Equal),
        Just(TtlComparison::NotEqual),
        Just(TtlComparison::LessThan),
        Just(TtlComparison::GreaterThan)
    ];
    let packet_type = prop_oneof![Just(PacketType::Unicast), Just(PacketType::Broadcast), Just(PacketType::Multicast), Just(PacketType::OtherHost)];
    let recent = (0usize..4, any::<bool>(), 0u32..100, 0u32..30, "[a-z]{1,8}", any::<bool>()).prop_map(
        |(action, negated, seconds, hit_count, name, by_destination)| {
            let actions = [RecentAction::Set, RecentAction::Check, RecentAction::Update, RecentAction::Remove];
            let mut recent = Recent::new(actions[action], Family::V4);
            if action == 1 || action == 2 {
                (recent.seconds, recent.hit_count) = (seconds, hit_count);
            }
            Recent { negated, name, by_destination, ..recent }
        },
    );
    let rate = (1u32..10_000, prop_oneof![Just("sec"), Just("min"), Just("hour"), Just("day")])
        .prop_map(|(count, unit)| HashRate::parse(&format!("{count}/{unit}")).expect("a valid rate").0);
    let hashlimit = (any::<bool>(), rate, 1u32..100, 0u8..16, "[a-z]{1,8}", 1u32..100_000, 0u8..=32).prop_map(
        |(above, rate, burst, mode, name, expire, source_mask)| Hashlimit {
            above,
            rate,
            burst,
            mode,
            name,
            size: 0,
            max: 0,
            gc_interval: 1000,
            expire,
            source_mask,
            destination_mask: 32,
            full_mask: 32,
        },
    );
    let time = (0u32..86_400, 0u32..86_400, any::<u32>(), any::<u8>(), 0u32..=DATE_MAX).prop_map(
        |(start, stop, monthdays, weekdays, date_start)| TimeMatch {
            start,
            stop,
            // At least one day: an empty day set does not print back.
            monthdays: (monthdays & ALL_MONTHDAYS).max(2),
            weekdays: (weekdays & ALL_WEEKDAYS).max(2),
            date_start,
            contiguous: stop < start,
            ..TimeMatch::default()
        },
    );
    let string = (any::<bool>(), prop::collection::vec(any::<u8>(), 1..20), any::<bool>(), any::<u16>()).prop_map(
        |(negated, pattern, kmp, to)| StringMatch {
            negated,
            pattern,
            algorithm: if kmp { StringAlgorithm::KnuthMorrisPratt } else { StringAlgorithm::BoyerMoore },
            from: 0,
            to,
            ignore_case: false,
        },
    );
    prop_oneof![
        negated(mark.clone()).prop_map(Module::Mark),
        negated(mark).prop_map(Module::ConnMark),
        negated(length).prop_map(Module::Length),
        negated(any::<[u8; 6]>().prop_map(MacAddress)).prop_map(Module::Mac),
        (prop::option::of(negated(range.clone())), negated(range))
            .prop_map(|(source, destination)| Module::IpRange(IpRange { source, destination: Some(destination) })),
        (comparison, any::<u8>()).prop_map(|(comparison, value)| Module::Ttl(TtlMatch { comparison, value })),
        negated(packet_type).prop_map(Module::PacketType),
        negated((1u16..4096).prop_map(AddressTypes))
            .prop_map(|destination| Module::AddrType(AddrType { source: None, destination: Some(destination), limit_interface: None })),
        (any::<bool>(), any::<u32>(), 0u8..=32, any::<bool>())
            .prop_map(|(above, limit, mask, by_destination)| Module::Connlimit(Connlimit { above, limit, mask, by_destination })),
        recent.prop_map(Module::Recent),
        hashlimit.prop_map(Module::Hashlimit),
        time.prop_map(Module::Time),
        string.prop_map(Module::String),
        conntrack().prop_map(Module::ConnTrack),
    ]
}

/// Rules of the typed subset, in the canonical shape iptables-save prints.
fn typed_rule() -> impl Strategy<Value = Rule> {
    let tcp = (
        prop::option::of(negated(port_spec())),
        prop::option::of(negated(port_spec())),
        prop::option::of(negated((0u8..64, 0u8..64).prop_map(|(m, s)| (TcpFlags::from_bits(m), TcpFlags::from_bits(s))))),
    )
        .prop_map(|(source_port, destination_port, flags)| Module::Tcp { source_port, destination_port, flags, option: None });
    let multiport = (prop_oneof![Just(PortDirection::Source), Just(PortDirection::Destination), Just(PortDirection::Either)], negated(prop::collection::vec(any::<u16>().prop_map(PortSpec::single), 1..15)))
        .prop_map(|(direction, ports)| Module::Multiport { direction, ports });
    let extra = prop_oneof![
        negated(states()).prop_map(|states| Module::ConnTrack(ConnTrack { state: Some(states), ..ConnTrack::default() })),
        negated(states()).prop_map(Module::State),
        packet_field_module(),
        packet_field_module(),
        "[a-zA-Z0-9 :_\"'\\\\-]{0,40}".prop_map(Module::Comment),
        multiport,
    ];
    let source = prop::option::of(negated(ipv4_net()));
    let target = prop_oneof![
        Just(Target::Accept),
        Just(Target::Drop),
        Just(Target::Return),
        (any::<u32>(), any::<u32>()).prop_map(|(value, mask)| Target::Mark(MarkValue { value, mask })),
        (any::<u16>(), prop::option::of("[a-z ]{1,20}"), prop::option::of(any::<u32>()), any::<u16>())
            .prop_map(|(group, prefix, size, threshold)| Target::Nflog(Nflog { group, prefix, size, threshold })),
        (any::<u32>(), any::<u32>()).prop_map(|(nfmask, ctmask)| Target::ConnMark(ConnMarkAction::Restore { nfmask, ctmask })),
    ];
    (source, prop::option::of(tcp), prop::collection::vec(extra, 0..3), prop::option::of(target)).prop_map(
        |(source, tcp, mut modules, target)| {
            let protocol = Some(Negated::plain(Protocol::TCP));
            if let Some(tcp) = tcp {
                modules.insert(0, tcp);
            }
            Rule { source, protocol, modules, target, ..Rule::default() }
        },
    )
}

proptest! {
    #[test]
    fn printing_then_reading_gives_the_same_rules(rules_in in prop::collection::vec(typed_rule(), 1..6)) {
        let mut ruleset = portcullis_engine::model::Ruleset::new(Family::V4);
        let table = ruleset.table_mut(portcullis_engine::model::TableName::Filter);
        table.chains[0].rules.clone_from(&rules_in);
        let text = render_tables(&ruleset);
        let parsed = import(&text, Some(Family::V4));
        prop_assert!(!parsed.has_errors(), "{text}\n{:#?}", parsed.diagnostics);
        let back: Vec<Rule> = parsed.value.rulesets[0].tables[0].chains[0].rules.iter().map(Rule::meaning).collect();
        prop_assert_eq!(back, rules_in, "{}", text);
    }

    #[test]
    fn no_input_makes_the_importer_panic(text in "\\PC{0,200}") {
        let _ = import(&text, None);
    }

    #[test]
    fn no_iptables_like_line_makes_it_panic(words in prop::collection::vec(prop_oneof![
        Just("-A"), Just("-I"), Just("-D"), Just("-N"), Just("-X"), Just("-P"), Just("-E"), Just("-R"), Just("!"),
        Just("-p"), Just("tcp"), Just("--dport"), Just("22:"), Just("-m"), Just("comment"), Just("--comment"), Just("\""),
        Just("-j"), Just("ACCEPT"), Just("INPUT"), Just("-s"), Just("10.0.0.0/8,::1"), Just("-t"), Just("nat"),
        Just("1"), Just("0"), Just("-g"), Just("X"), Just("*filter"), Just("COMMIT"), Just("\n"), Just(":X - [0:0]"),
        Just("$V"), Just("'"), Just("\\"), Just("iptables"), Just("ip6tables"), Just(";"), Just("multiport"),
        Just("--dports"), Just("-c"), Just("[1:2]"), Just("icmp"), Just("--icmp-type"), Just("-i"), Just("-o"),
        Just("recent"), Just("--set"), Just("--seconds"), Just("hashlimit"), Just("--hashlimit-upto"), Just("5/min"),
        Just("--hashlimit-name"), Just("time"), Just("--timestart"), Just("25:61"), Just("--weekdays"), Just("S"),
        Just("string"), Just("--hex-string"), Just("|4"), Just("--algo"), Just("DNAT"), Just("--to-destination"),
        Just("[::1]:"), Just("1-"), Just("MARK"), Just("--set-mark"), Just("0x/"), Just("CONNMARK"), Just("--mask"),
        Just("mac"), Just("--mac-source"), Just("::::::"), Just("set"), Just("--match-set"), Just("conntrack"),
        Just("--ctexpire"), Just(":"), Just("NFLOG"), Just("--nflog-prefix"), Just("owner"), Just("--uid-owner"),
    ], 0..40)) {
        let line = words.join(" ");
        let _ = import(&line, None);
        let _ = import(&format!("*filter\n{line}\nCOMMIT\n"), None);
        let _ = import(&format!("iptables {line}"), None);
    }
}

#[test]
fn icmp_types_print_as_numbers() {
    let v4 = rules("iptables -A INPUT -p icmp --icmp-type fragmentation-needed -j ACCEPT", Family::V4);
    assert!(v4.contains("-p icmp -m icmp --icmp-type 3/4 -j ACCEPT"), "{v4}");
    let parsed = IcmpType { icmp_type: Some(8), code: None };
    assert_eq!(parsed.to_string(), "8");
}

/// Found by the round-trip property: getopt gives `--comment` the next word whatever it looks
/// like, so `-D` here is a comment, not a second command.
#[test]
fn a_value_that_looks_like_a_command_is_a_value() {
    let v4 = rules("*filter\n-A INPUT -p tcp -m comment --comment -D -j ACCEPT\nCOMMIT\n", Family::V4);
    assert!(v4.contains("-A INPUT -p tcp -m comment --comment -D -j ACCEPT"), "{v4}");
    let v4 = rules("iptables -A INPUT -m comment --comment -s -j DROP", Family::V4);
    assert!(v4.contains("--comment -s -j DROP"), "{v4}");
}

/// `iptables-save; ip6tables-save` pasted as one text: each dump goes to its own family, and
/// findings point into the right dump.
#[test]
fn two_dumps_in_one_text_give_both_families() {
    let text = "*filter\n:INPUT DROP [0:0]\n-A INPUT -s 192.0.2.1/32 -j ACCEPT\nCOMMIT\n\
                *filter\n:INPUT DROP [0:0]\n-A INPUT -s 2001:db8::1/128 -j ACCEPT\n-A INPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n";
    let parsed = import(text, None);
    let families: Vec<Family> = parsed.value.rulesets.iter().map(|ruleset| ruleset.family).collect();
    assert_eq!(families, [Family::V4, Family::V6]);
    assert_eq!(parsed.value.ruleset(Family::V6).map(|ruleset| ruleset.tables[0].chains[0].rules.len()), Some(1));
    let error = parsed.diagnostics.iter().find(|d| d.severity == Severity::Error).expect("the bad port");
    assert_eq!(&text[error.span.start..error.span.end], "--dport 99999");
    // One family given: one ruleset, as before.
    assert_eq!(import(text, Some(Family::V6)).value.rulesets.len(), 1);
}
