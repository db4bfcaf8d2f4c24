//! The workbench's rule form: fields read from a rule, written back onto it, everything the
//! form does not show kept in place, every bad field reported with its own message.

use portcullis_engine::export::save::render_rule;
use portcullis_engine::import::import;
use portcullis_engine::model::{ConnState, Family, Rule};
use portcullis_engine::workbench::{Field, RuleForm, TargetChoice};

/// The rule of a one-rule IPv4 save file (FORWARD takes both `-i` and `-o`).
fn rule(text: &str) -> Rule {
    let save = format!("*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD {text}\nCOMMIT\n");
    let parsed = import(&save, Some(Family::V4));
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    let chain = parsed.value.rulesets[0].tables[0].chains.iter().find(|chain| chain.name.as_str() == "FORWARD").expect("the chain");
    chain.rules[0].meaning()
}

fn shown(rule: &Rule) -> String {
    render_rule(rule, Family::V4).trim_start().to_owned()
}

#[test]
fn an_unchanged_form_gives_back_the_same_rule_for_every_shape_it_reads() {
    for text in [
        "-s 203.0.113.0/24 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
        "! -s 198.51.100.7/32 -o eth0 -p udp -m udp --sport 53 -j DROP",
        "-p tcp -m tcp ! --dport 80:90 --tcp-flags FIN,SYN,RST,ACK SYN -j REJECT --reject-with tcp-reset",
        "-p tcp -m tcp --dport 22 -m state --state NEW -m recent --set --name ssh --mask 255.255.255.255 --rsource",
        "-m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment \"replies\" -j ACCEPT",
        "-p tcp -m multiport --dports 80,443 -j LOG --log-prefix \"web: \"",
        "-o eth1 -j NFLOG --nflog-group 2",
    ] {
        let before = rule(text);
        let after = RuleForm::of(&before).to_rule(Family::V4, &before).unwrap_or_else(|errors| panic!("{text}: {errors:?}"));
        assert_eq!(shown(&after), shown(&before), "{text}");
    }
}

#[test]
fn edits_land_where_the_old_values_were_and_keep_what_the_form_does_not_show() {
    let before = rule("-p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN -m recent --set --name ssh --mask 255.255.255.255 --rsource -j ACCEPT");
    let mut form = RuleForm::of(&before);
    assert_eq!((form.protocol.as_str(), form.destination_port.as_str()), ("tcp", "22"));
    form.destination_port = "2222".into();
    form.states = vec![ConnState::New];
    form.comment = "admin ssh".into();
    form.target = TargetChoice::Drop;
    let after = form.to_rule(Family::V4, &before).unwrap();
    assert_eq!(
        shown(&after),
        "-p tcp -m tcp --dport 2222 --tcp-flags FIN,SYN,RST,ACK SYN -m conntrack --ctstate NEW -m recent --set --name ssh --mask 255.255.255.255 --rsource -m comment --comment \"admin ssh\" -j DROP"
    );
    // Clearing the fields removes what they added and nothing else.
    let mut cleared = RuleForm::of(&after);
    cleared.states.clear();
    cleared.comment.clear();
    cleared.destination_port.clear();
    let bare = cleared.to_rule(Family::V4, &after).unwrap();
    assert_eq!(shown(&bare), "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m recent --set --name ssh --mask 255.255.255.255 --rsource -j DROP");
}

#[test]
fn every_bad_field_is_reported_with_its_own_message_and_nothing_is_built() {
    let form = RuleForm {
        source: "203.0.113.7/24".into(),
        destination: "2001:db8::1".into(),
        in_interface: "a-name-far-too-long".into(),
        protocol: "tcpp".into(),
        source_port: "70000".into(),
        destination_port: "90:80".into(),
        target: TargetChoice::Jump("bad name".into()),
        comment: "say \"hi\" $(reboot)".into(),
        ..RuleForm::default()
    };
    let errors = form.to_rule(Family::V4, &Rule::default()).unwrap_err();
    let fields: Vec<Field> = errors.iter().map(|error| error.field).collect();
    assert_eq!(
        fields,
        [Field::Source, Field::Destination, Field::InInterface, Field::Protocol, Field::SourcePort, Field::DestinationPort, Field::Target, Field::Comment]
    );
    assert!(errors[0].message.contains("203.0.113.0/24"), "host bits come with the fix: {}", errors[0]);
    assert!(errors[5].message.contains("80:90"), "{}", errors[5]);
}

#[test]
fn ports_need_tcp_or_udp_and_icmp_must_fit_the_family() {
    let ports_without_protocol = RuleForm { destination_port: "22".into(), ..RuleForm::default() };
    let errors = ports_without_protocol.to_rule(Family::V4, &Rule::default()).unwrap_err();
    assert_eq!(errors[0].field, Field::DestinationPort);
    let icmp_in_v6 = RuleForm { protocol: "icmp".into(), ..RuleForm::default() };
    assert_eq!(icmp_in_v6.to_rule(Family::V6, &Rule::default()).unwrap_err()[0].field, Field::Protocol);
    let udp = RuleForm { protocol: "udp".into(), destination_port: "53".into(), target: TargetChoice::Accept, ..RuleForm::default() };
    assert_eq!(shown(&udp.to_rule(Family::V4, &Rule::default()).unwrap()), "-p udp -m udp --dport 53 -j ACCEPT");
}
