//! The design compiler and its save-file export: snapshots of whole files, and properties.

use portcullis_engine::design::{Access, CustomService, Design, Name, PortList, ServiceId, Source, Transport};
use portcullis_engine::export::save::render;
use portcullis_engine::model::{Comment, Family, COMMENT_MAX_BYTES};
use proptest::prelude::*;

mod support;
use support::any_design;

fn sources(list: &str) -> Vec<Source> {
    Source::parse_list(list).expect("valid sources")
}

/// The seed tutorial's server: web + mail, SSH only from the admin's address (both families).
fn tutorial_server() -> Design {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, sources("203.0.113.7, 2001:db8:1::7"));
    for service in [ServiceId::HTTP, ServiceId::HTTPS, ServiceId::SMTP, ServiceId::SMTPS] {
        design.allow(service, vec![]);
    }
    for service in [ServiceId::POP3, ServiceId::POP3S, ServiceId::IMAP, ServiceId::IMAPS] {
        design.allow(service, vec![]);
    }
    design.allow(ServiceId::MYSQL, sources("198.51.100.0/24"));
    design
}

#[test]
fn tutorial_server_rules_v4() {
    insta::assert_snapshot!(render(&tutorial_server().compile(Family::V4)));
}

#[test]
fn tutorial_server_rules_v6() {
    insta::assert_snapshot!(render(&tutorial_server().compile(Family::V6)));
}

#[test]
fn empty_design_is_the_bare_baseline() {
    insta::assert_snapshot!(render(&Design::default().compile(Family::V4)));
}

#[test]
fn tutorial_server_design_file() {
    insta::assert_snapshot!(tutorial_server().to_json());
}

#[test]
fn a_service_restricted_to_one_family_stays_closed_on_the_other() {
    let mut design = Design::default();
    design.allow(ServiceId::MYSQL, sources("198.51.100.0/24"));
    let v4 = render(&design.compile(Family::V4));
    let v6 = render(&design.compile(Family::V6));
    assert!(v4.contains("-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 3306"));
    assert!(!v6.contains("--dport 3306"), "{v6}");
}

/// The rules of `design` for `family`, without the baseline.
fn service_lines(design: &Design, family: Family) -> Vec<String> {
    render(&design.compile(family))
        .lines()
        // The service rules: those accepting a port (the SSH limit's rules match port 22 too).
        .filter(|line| line.contains("--dport") && line.ends_with("-j ACCEPT"))
        .map(str::to_owned)
        .collect()
}

/// The tutorial's server with the office as a group, a desk range, and a custom service.
fn grouped_server() -> Design {
    let name = |text: &str| text.parse::<Name>().expect("valid name");
    let ports = |text: &str| text.parse::<PortList>().expect("valid ports");
    let (office, monitoring) = (name("office"), name("monitoring"));
    let mut design = Design::default();
    design.set_group(office.clone(), sources("203.0.113.7, 2001:db8:1::7, 198.51.100.10-198.51.100.20"));
    design.set_group(monitoring.clone(), sources("192.0.2.50, 2001:db8:2::10-2001:db8:2::1f"));
    let ssh = Access::only(vec![office.clone()], sources("192.0.2.99"));
    design.allow_access(ServiceId::SSH, ssh).expect("the group exists");
    design.allow(ServiceId::HTTPS, vec![]);
    design.allow(ServiceId::DNS, vec![]);
    let exporter = ServiceId::find("node-exporter").expect("in the catalogue");
    design.allow_access(exporter, Access::only(vec![monitoring.clone(), office], vec![])).expect("the groups exist");
    let game = CustomService::new(name("game"), Transport::TcpAndUdp, ports("27015, 27020-27030"));
    design.add_custom_service(game, Access::Everyone).expect("no groups");
    let metrics = CustomService::new(name("metrics"), Transport::Tcp, ports("9256"));
    design.add_custom_service(metrics, Access::only(vec![monitoring], vec![])).expect("the group exists");
    design
}

#[test]
fn grouped_server_rules_v4() {
    insta::assert_snapshot!(render(&grouped_server().compile(Family::V4)));
}

#[test]
fn grouped_server_rules_v6() {
    insta::assert_snapshot!(render(&grouped_server().compile(Family::V6)));
}

#[test]
fn grouped_server_design_file() {
    let text = grouped_server().to_json();
    assert_eq!(Design::from_json(&text).unwrap(), grouped_server());
    insta::assert_snapshot!(text);
}

#[test]
fn a_source_in_two_groups_gets_one_rule_named_after_the_first() {
    let mut design = Design::default();
    let (a, b): (Name, Name) = ("a".parse().unwrap(), "b".parse().unwrap());
    design.set_group(a.clone(), sources("203.0.113.7"));
    design.set_group(b.clone(), sources("203.0.113.7, 203.0.113.8"));
    design.allow_access(ServiceId::SSH, Access::only(vec![b, a], sources("203.0.113.7"))).unwrap();
    let lines = service_lines(&design, Family::V4);
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(lines[0].contains("-s 203.0.113.7/32 ") && lines[0].contains("\"portcullis: SSH from a (203.0.113.7/32)\""));
    assert!(lines[1].contains("-s 203.0.113.8/32 ") && lines[1].contains("\"portcullis: SSH from b (203.0.113.8/32)\""));
}

#[test]
fn a_service_restricted_to_an_empty_group_stays_closed() {
    let design = portcullis_engine::design::Preset::Database.design();
    for family in Family::ALL {
        assert!(service_lines(&design, family).iter().all(|line| line.contains("--dport 22 ")));
    }
}

/// How a source appears in a rule.
fn source_match(source: Source) -> String {
    match (source.net(), source.range()) {
        (Some(net), _) => format!("-s {net} "),
        (_, Some(range)) => format!("-m iprange --src-range {range} "),
        (None, None) => unreachable!("a source is a network or a range"),
    }
}

/// Every port of every open service with its access.
fn open_ports(design: &Design) -> Vec<(Vec<(portcullis_engine::model::Protocol, portcullis_engine::model::PortSpec)>, Access)> {
    let mut open: Vec<_> = design.services().map(|(id, access)| (id.info().ports().to_vec(), access.clone())).collect();
    open.extend(design.custom_services().map(|(service, access)| (service.ports(), access.clone())));
    open
}

proptest! {
    #[test]
    fn design_files_round_trip(design in any_design()) {
        let text = design.to_json();
        prop_assert_eq!(Design::from_json(&text).unwrap(), design);
    }

    #[test]
    fn every_open_port_and_source_has_exactly_its_rules(design in any_design()) {
        for family in Family::ALL {
            let lines = service_lines(&design, family);
            let mut expected_rules = 0;
            for (ports, access) in open_ports(&design) {
                let mut allowed: Vec<Source> = access.groups().iter()
                    .flat_map(|group| design.group(group).unwrap_or_default().to_vec())
                    .chain(access.sources().iter().copied())
                    .filter(|source| source.family() == family)
                    .collect();
                allowed.sort_unstable();
                allowed.dedup();
                for (protocol, spec) in ports {
                    let port = format!("-m {protocol} --dport {spec} ");
                    if access == Access::Everyone {
                        expected_rules += 1;
                        prop_assert!(lines.iter().any(|line| line.contains(&port) && line.contains("from anywhere")));
                    }
                    for source in &allowed {
                        expected_rules += 1;
                        let needle = source_match(*source);
                        prop_assert!(lines.iter().any(|line| line.contains(&needle) && line.contains(&port)), "missing {} {}", needle, port);
                    }
                }
            }
            prop_assert_eq!(lines.len(), expected_rules);
        }
    }

    #[test]
    fn comments_never_escape_their_quotes(text in ".{0,400}") {
        let comment = Comment::sanitize(&text);
        prop_assert!(comment.as_str().len() <= COMMENT_MAX_BYTES);
        prop_assert!(comment.as_str().chars().all(|c| (' '..='~').contains(&c) && !"\"\\$`".contains(c)));
    }

    #[test]
    fn source_text_never_panics(text in "\\PC{0,40}") {
        let _ = text.parse::<Source>();
        let _ = Source::parse_list(&text);
    }

    #[test]
    fn user_text_never_panics(text in "\\PC{0,60}") {
        let _ = text.parse::<Name>();
        let _ = text.parse::<PortList>();
        let _ = text.parse::<ServiceId>();
        let _ = text.parse::<portcullis_engine::design::Preset>();
        let _ = Design::from_json(&text);
    }

    #[test]
    fn accepted_names_are_safe_in_comments_and_scripts(text in "[ -~]{0,40}") {
        if let Ok(name) = text.parse::<Name>() {
            prop_assert!(name.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'));
            let comment = Comment::sanitize(name.as_str());
            prop_assert_eq!(comment.as_str(), name.as_str());
        }
    }
}

#[test]
fn the_ssh_limit_only_guards_a_family_where_ssh_is_open() {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, sources("203.0.113.7"));
    let v4 = render(&design.compile(Family::V4));
    let v6 = render(&design.compile(Family::V6));
    let limit = v4.find("SSH limit: remember").expect("the limit guards IPv4 SSH");
    assert!(limit < v4.find("SSH from").expect("the SSH accept"), "the limit comes before the accept:\n{v4}");
    assert!(!v6.contains("--dport 22"), "SSH is closed on IPv6, limit included:\n{v6}");
}
