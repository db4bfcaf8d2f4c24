use portcullis_engine::design::{Preset, ServiceId, Transport};
use portcullis_engine::export::save;
use portcullis_engine::model::Family;
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;
use crate::state::review::step_rules;
use crate::state::Step;

fn v4(wizard: &Wizard) -> String {
    save::render(&wizard.design().compile(Family::V4))
}

fn v6(wizard: &Wizard) -> String {
    save::render(&wizard.design().compile(Family::V6))
}

const MYSQL: ServiceKey = ServiceKey::Catalogue(ServiceId::MYSQL);

fn forward<'a>(port: &'a str, host: &'a str, to_port: &'a str, sources: &'a str) -> ForwardText<'a> {
    ForwardText { transport: Transport::Tcp, port, host, to_port, interfaces: "", sources }
}

#[wasm_bindgen_test]
fn fields_are_checked_one_by_one_with_the_engines_words() {
    assert_eq!(parse_port(" 8080 "), Ok(8080));
    assert!(parse_port("").is_err_and(|error| error.contains("needed")));
    assert!(parse_port("0").is_err_and(|error| error.contains("port 0")));
    assert!(parse_port("70000").is_err_and(|error| error.contains("1 to 65535")));
    assert!(parse_port(&"9".repeat(10_000)).is_err_and(|error| error.len() < 200), "a pasted flood is cut in the message");
    assert_eq!(parse_interfaces("eth1, wg0 eth1").map(|list| list.len()), Ok(3), "repeats are the engine's to fold");
    assert_eq!(parse_interfaces("  "), Ok(Vec::new()));
    assert!(parse_interfaces("eth1, eth 0/1").is_err_and(|error| error.contains("'/'")));
    assert!(parse_host("127.0.0.1").is_err_and(|error| error.contains("loopback")));
    assert!(parse_host("198.51.100.10/24").is_err_and(|error| error.contains("not an IP address")));
    assert!(parse_host("2001:db8::10").is_ok());
    assert!(parse_network("198.51.100.1-198.51.100.9").is_err_and(|error| error.contains("range")));
    assert!(parse_network("0.0.0.0/0").is_err_and(|error| error.contains("every address")));
    assert!(parse_network("198.51.100.0/24").is_ok());
    assert!(parse_interface("").is_err_and(|error| error.contains("needed")));
}

#[wasm_bindgen_test]
fn a_service_is_limited_to_an_interface_and_a_bad_name_changes_nothing() {
    let mut wizard = Wizard::default();
    wizard.set_open(ServiceId::MYSQL, true);
    wizard.edit_interfaces(&MYSQL, "eth1");
    assert_eq!(wizard.interfaces_error(&MYSQL), None);
    let limited = v4(&wizard);
    assert!(limited.contains("-A INPUT -i eth1 -p tcp -m tcp --dport 3306"), "{limited}");
    wizard.edit_interfaces(&MYSQL, "eth1, eth0:1");
    assert!(wizard.interfaces_error(&MYSQL).is_some_and(|error| error.contains("':'")));
    assert_eq!(wizard.interfaces_text(&MYSQL), "eth1, eth0:1");
    assert_eq!(v4(&wizard), limited, "a typo changes nothing");
    wizard.undo();
    assert!(wizard.interfaces(&MYSQL).is_empty(), "one undo takes back the typing");
    assert_eq!(wizard.interfaces_text(&MYSQL), "");
    wizard.redo();
    assert_eq!(wizard.interfaces_text(&MYSQL), "eth1");

    let closed = ServiceKey::Catalogue(ServiceId::HTTP);
    wizard.edit_interfaces(&closed, "eth1");
    assert!(wizard.interfaces_error(&closed).is_some_and(|error| error.contains("not open")));
}

#[wasm_bindgen_test]
fn a_custom_service_keeps_its_interfaces_when_its_sources_change() {
    let mut wizard = Wizard::default();
    wizard.add_custom("game", Transport::Udp, "27015").unwrap_or_else(|error| panic!("{error}"));
    let game = ServiceKey::Custom("game".parse().unwrap_or_else(|error| panic!("{error:?}")));
    wizard.edit_interfaces(&game, "eth1");
    wizard.edit_sources(&game, "198.51.100.0/24");
    assert_eq!(wizard.interfaces(&game).iter().map(InterfaceName::as_str).collect::<Vec<_>>(), ["eth1"]);
    assert!(v4(&wizard).contains("-A INPUT -s 198.51.100.0/24 -i eth1 -p udp -m udp --dport 27015"), "{}", v4(&wizard));
}

#[wasm_bindgen_test]
fn redirects_are_added_refused_and_removed_as_undoable_steps() {
    let mut wizard = Wizard::with_design(Preset::Web.design());
    assert!(wizard.add_redirect(Transport::Tcp, "80", "80", "").is_err_and(|error| error.contains("itself")));
    assert!(wizard.add_redirect(Transport::Tcp, "80", "x", "").is_err_and(|error| error.contains("not a port")));
    assert!(wizard.nat().is_empty() && !wizard.can_undo(), "a refused entry changes nothing");
    wizard.add_redirect(Transport::Tcp, "80", "8080", "eth0").unwrap_or_else(|error| panic!("{error}"));
    for rules in [v4(&wizard), v6(&wizard)] {
        assert!(
            rules.lines().any(|rule| rule.starts_with("-A PREROUTING -i eth0 -p tcp -m tcp --dport 80 ") && rule.ends_with("-j REDIRECT --to-ports 8080")),
            "{rules}"
        );
    }
    assert!(wizard.add_redirect(Transport::TcpAndUdp, "80", "8081", "").is_err_and(|error| error.contains("80")), "the same public port twice is a clash");
    assert_eq!(wizard.nat().redirects.len(), 1);
    wizard.remove_redirect(5);
    assert_eq!(wizard.nat().redirects.len(), 1, "removing what is not there changes nothing");
    wizard.remove_redirect(0);
    assert!(wizard.nat().is_empty() && !v4(&wizard).contains("REDIRECT"));
    wizard.undo();
    assert_eq!(wizard.nat().redirects.len(), 1);
}

#[wasm_bindgen_test]
fn port_forwards_reach_an_internal_host_from_trusted_sources_only() {
    let mut wizard = Wizard::with_design(Preset::Web.design());
    assert!(wizard.add_port_forward(forward("8443", "127.0.0.1", "443", "")).is_err_and(|error| error.contains("loopback")));
    assert!(wizard.add_port_forward(forward("8443", "198.51.100.10", "443", "nonsense")).is_err());
    assert!(wizard.nat().is_empty());
    wizard.add_port_forward(forward("8443", "198.51.100.10", "443", "203.0.113.7")).unwrap_or_else(|error| panic!("{error}"));
    let rules = v4(&wizard);
    assert!(rules.contains("-j DNAT --to-destination 198.51.100.10:443"), "{rules}");
    assert!(rules.contains("-s 203.0.113.7/32"), "only the trusted source: {rules}");
    assert!(!v6(&wizard).contains("DNAT"), "an IPv4 host is forwarded in IPv4 only");
    wizard.add_port_forward(forward("2222", "2001:db8::22", "", "")).unwrap_or_else(|error| panic!("{error}"));
    assert!(v6(&wizard).contains("--to-destination [2001:db8::22]:2222"), "an empty inner port is the public one: {}", v6(&wizard));
    wizard.remove_port_forward(0);
    assert_eq!(wizard.nat().port_forwards.len(), 1);
    assert!(!v4(&wizard).contains("DNAT"));
}

#[wasm_bindgen_test]
fn masquerades_are_validated_and_shown_in_the_protections_step() {
    let mut wizard = Wizard::with_design(Preset::Web.design());
    assert!(wizard.add_masquerade("0.0.0.0/0", "eth0").is_err_and(|error| error.contains("every address")));
    assert!(wizard.add_masquerade("198.51.100.0/24", "").is_err_and(|error| error.contains("needed")));
    wizard.add_masquerade("198.51.100.0/24", "eth0").unwrap_or_else(|error| panic!("{error}"));
    assert!(wizard.add_masquerade("198.51.100.0/24", "eth0").is_err(), "the same network out of one interface twice is a clash");
    assert!(
        v4(&wizard).lines().any(|rule| rule.starts_with("-A POSTROUTING -s 198.51.100.0/24 -o eth0 ") && rule.ends_with("-j MASQUERADE")),
        "{}",
        v4(&wizard)
    );
    wizard.edit_interfaces(&ServiceKey::Catalogue(ServiceId::SSH), "eth1");
    let shown: Vec<String> = step_rules(wizard.design(), Step::Protections).into_iter().map(|rule| rule.text).collect();
    assert!(shown.iter().any(|rule| rule.contains("-t nat -A POSTROUTING") && rule.contains("MASQUERADE")), "{shown:#?}");
    assert!(shown.iter().any(|rule| rule.contains("-i eth1") && rule.contains("--dport 22")), "a limited service: {shown:#?}");
    assert!(shown.iter().all(|rule| !rule.contains("--dport 443")), "untouched services stay out: {shown:#?}");
    wizard.remove_masquerade(0);
    assert!(wizard.nat().masquerades.is_empty());
}
