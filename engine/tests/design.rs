//! The design compiler and its save-file export: snapshots of whole files, and properties.

use portcullis_engine::design::{Design, ServiceId, Source, CATALOGUE};
use portcullis_engine::export::save::render;
use portcullis_engine::model::{Comment, Family, COMMENT_MAX_BYTES};
use proptest::prelude::*;

fn sources(list: &str) -> Vec<Source> {
    Source::parse_list(list).expect("valid sources")
}

/// The seed tutorial's server: web + mail, SSH only from the admin's address (both families).
fn tutorial_server() -> Design {
    let mut design = Design::default();
    design.allow(ServiceId::Ssh, sources("203.0.113.7, 2001:db8:1::7"));
    for service in [ServiceId::Http, ServiceId::Https, ServiceId::Smtp, ServiceId::Smtps] {
        design.allow(service, vec![]);
    }
    for service in [ServiceId::Pop3, ServiceId::Pop3s, ServiceId::Imap, ServiceId::Imaps] {
        design.allow(service, vec![]);
    }
    design.allow(ServiceId::Mysql, sources("198.51.100.0/24"));
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
    design.allow(ServiceId::Mysql, sources("198.51.100.0/24"));
    let v4 = render(&design.compile(Family::V4));
    let v6 = render(&design.compile(Family::V6));
    assert!(v4.contains("-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 3306"));
    assert!(!v6.contains("--dport 3306"), "{v6}");
}

fn any_design() -> impl Strategy<Value = Design> {
    let source = prop_oneof![
        (any::<[u8; 4]>(), 0u8..=32).prop_map(|(octets, prefix)| {
            let net = ipnet::Ipv4Net::new(octets.into(), prefix).expect("prefix <= 32").trunc();
            net.to_string().parse::<Source>().expect("a truncated network is a valid source")
        }),
        (any::<[u16; 8]>(), 0u8..=128).prop_map(|(segments, prefix)| {
            let net = ipnet::Ipv6Net::new(segments.into(), prefix).expect("prefix <= 128").trunc();
            net.to_string().parse::<Source>().expect("a truncated network is a valid source")
        }),
    ];
    let choice = (0..CATALOGUE.len(), prop::collection::vec(source, 0..4));
    prop::collection::vec(choice, 0..8).prop_map(|choices| {
        let mut design = Design::default();
        for (index, list) in choices {
            design.allow(CATALOGUE[index].id, list);
        }
        design
    })
}

proptest! {
    #[test]
    fn design_files_round_trip(design in any_design()) {
        let text = design.to_json();
        prop_assert_eq!(Design::from_json(&text).unwrap(), design);
    }

    #[test]
    fn every_open_service_and_source_has_a_rule(design in any_design()) {
        for family in Family::ALL {
            let text = render(&design.compile(family));
            for (service, access) in design.services() {
                let port = format!("--dport {} ", service.info().ports[0].1);
                let in_family: Vec<_> = access.sources().iter().filter(|s| family.contains(&s.net())).collect();
                if access.sources().is_empty() {
                    prop_assert!(text.lines().any(|line| line.contains(&port) && !line.contains(" -s ")));
                }
                for source in in_family {
                    let needle = format!("-s {source} -p tcp -m tcp {port}");
                    prop_assert!(text.contains(&needle), "missing {}", needle);
                }
            }
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
}
