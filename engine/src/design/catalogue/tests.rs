//! Validation of the catalogue's data.

use std::collections::BTreeSet;

use super::*;

fn is_slug(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.ends_with('-')
}

#[test]
fn the_catalogue_has_at_least_80_services() {
    assert!(CATALOGUE.len() >= 80, "only {} services", CATALOGUE.len());
}

#[test]
fn ids_and_aliases_are_unique_slugs() {
    let mut seen = BTreeSet::new();
    for info in CATALOGUE {
        assert!(is_slug(info.id.as_str()), "id `{}` is not a lower-case slug", info.id);
        assert!(seen.insert(info.id.as_str()), "id `{}` is used twice", info.id);
    }
    for info in CATALOGUE {
        for alias in info.aliases {
            assert!(is_slug(alias), "alias `{alias}` of {} is not a lower-case slug", info.id);
            assert!(seen.insert(alias), "alias `{alias}` of {} is already an id or an alias", info.id);
        }
    }
}

#[test]
fn every_port_is_a_valid_tcp_or_udp_port_or_range() {
    for info in CATALOGUE {
        assert!(!info.ports.is_empty(), "{} has no ports", info.id);
        for (protocol, ports) in info.ports {
            assert!([Protocol::TCP, Protocol::UDP].contains(protocol), "{} uses {protocol}", info.id);
            assert!(ports.first() >= 1, "{} uses port 0", info.id);
            assert!(ports.first() <= ports.last(), "{} has a reversed range {ports}", info.id);
        }
        let distinct: BTreeSet<_> = info.ports.iter().collect();
        assert_eq!(distinct.len(), info.ports.len(), "{} lists a port twice", info.id);
    }
}

#[test]
fn secure_alternatives_exist_and_are_not_cleartext() {
    for info in CATALOGUE {
        if let Some(alternative) = info.secure_alternative {
            assert!(info.cleartext, "{} has an alternative but is not cleartext", info.id);
            assert_ne!(alternative, info.id, "{} is its own alternative", info.id);
            let target = CATALOGUE.iter().find(|other| other.id.as_str() == alternative.as_str());
            let target = target.unwrap_or_else(|| panic!("{}: alternative `{alternative}` is not in the catalogue", info.id));
            assert!(!target.cleartext, "{}: alternative {alternative} is cleartext itself", info.id);
        }
    }
}

#[test]
fn every_entry_is_explained() {
    for info in CATALOGUE {
        assert!(!info.name.trim().is_empty(), "{} has no name", info.id);
        let explanation = info.explanation.trim();
        assert!(explanation.len() >= 30, "{} has no real explanation", info.id);
        assert!(explanation.ends_with('.'), "{}'s explanation is not a sentence", info.id);
        assert!(!explanation.contains('\n'), "{}'s explanation is more than one paragraph", info.id);
    }
}

#[test]
fn every_purpose_is_listed_and_used() {
    let used: BTreeSet<Purpose> = CATALOGUE.iter().map(|info| info.purpose).collect();
    let listed: BTreeSet<Purpose> = Purpose::ALL.into_iter().collect();
    assert_eq!(listed.len(), Purpose::ALL.len(), "a purpose is listed twice");
    assert_eq!(used, listed);
}

#[test]
fn databases_and_container_apis_are_high_risk() {
    for id in ["mysql", "postgresql", "mongodb", "redis", "memcached", "elasticsearch", "docker", "docker-tls"] {
        assert_eq!(ServiceId::new(id).map(|id| id.info().risk), Ok(Risk::High), "{id}");
    }
    for info in CATALOGUE.iter().filter(|info| info.purpose == Purpose::Database) {
        assert_eq!(info.risk, Risk::High, "{} is a database", info.id);
    }
}

/// The services the seed tutorials open, with their exact ports.
#[test]
fn the_tutorial_services_have_their_exact_ports() {
    let tcp = |port| (Protocol::TCP, PortSpec::single(port));
    let udp = |port| (Protocol::UDP, PortSpec::single(port));
    let expected: [(ServiceId, &[(Protocol, PortSpec)]); 19] = [
        (ServiceId::SSH, &[tcp(22)]),
        (ServiceId::HTTP, &[tcp(80)]),
        (ServiceId::HTTPS, &[tcp(443)]),
        (ServiceId::SMTP, &[tcp(25)]),
        (ServiceId::SMTPS, &[tcp(465)]),
        (ServiceId::SUBMISSION, &[tcp(587)]),
        (ServiceId::POP3, &[tcp(110)]),
        (ServiceId::POP3S, &[tcp(995)]),
        (ServiceId::IMAP, &[tcp(143)]),
        (ServiceId::IMAPS, &[tcp(993)]),
        (ServiceId::MYSQL, &[tcp(3306)]),
        (ServiceId::POSTGRESQL, &[tcp(5432)]),
        (ServiceId::DNS, &[tcp(53), udp(53)]),
        (ServiceId::FTP, &[tcp(20), tcp(21)]),
        (ServiceId::RSYNC, &[tcp(873)]),
        (ServiceId::LDAP, &[tcp(389)]),
        (ServiceId::SVN, &[tcp(3690)]),
        (ServiceId::IMAP3, &[tcp(220)]),
        (ServiceId::WEBCACHE, &[tcp(8080)]),
    ];
    let slugs = [
        "ssh", "http", "https", "smtp", "smtps", "submission", "pop3", "pop3s", "imap", "imaps", "mysql",
        "postgresql", "dns", "ftp", "rsync", "ldap", "svn", "imap3", "webcache",
    ];
    for ((id, ports), slug) in expected.into_iter().zip(slugs) {
        assert_eq!(id.as_str(), slug);
        assert_eq!(id.info().ports, ports, "{id}");
    }
}

/// Well-known ports of the rest, as `/etc/services` and firewalld give them.
#[test]
fn common_services_have_their_registered_ports() {
    let cases = [
        ("ntp", "UDP 123"),
        ("openvpn", "UDP 1194"),
        ("wireguard", "UDP 51820"),
        ("redis", "TCP 6379"),
        ("mongodb", "TCP 27017"),
        ("elasticsearch", "TCP 9200, TCP 9300"),
        ("memcached", "TCP 11211, UDP 11211"),
        ("rdp", "TCP 3389, UDP 3389"),
        ("smb", "TCP 445, TCP 139, UDP 137:138"),
        ("docker", "TCP 2375"),
        ("docker-tls", "TCP 2376"),
        ("kubernetes-api", "TCP 6443"),
        ("prometheus", "TCP 9090"),
        ("node-exporter", "TCP 9100"),
        ("mosh", "UDP 60000:61000"),
        ("minecraft", "TCP 25565"),
        ("ldaps", "TCP 636"),
        ("telnet", "TCP 23"),
    ];
    for (id, ports) in cases {
        assert_eq!(ServiceId::new(id).map(|id| id.info().ports_text()).as_deref(), Ok(ports), "{id}");
    }
}

#[test]
fn ids_are_ordered_as_the_catalogue_lists_them() {
    let ids: Vec<ServiceId> = ServiceId::all().collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
    assert!(ServiceId::SSH < ServiceId::HTTP);
    assert!(ServiceId::HTTP < ServiceId::MYSQL);
}

#[test]
fn ids_parse_and_serialize_as_their_slug() {
    for id in ServiceId::all() {
        assert_eq!(id.as_str().parse::<ServiceId>(), Ok(id));
        assert_eq!(id.info().id(), id);
    }
    let mut design = crate::design::Design::default();
    for id in ServiceId::all() {
        design.allow(id, Vec::new());
    }
    let file = design.to_json();
    for id in ServiceId::all() {
        assert!(file.contains(&format!("\"service\": \"{id}\"\n")), "{id}");
    }
    assert_eq!(crate::design::Design::from_json(&file).unwrap(), design);
    assert_eq!(" HTTPS ".parse::<ServiceId>(), Ok(ServiceId::HTTPS));
}

#[test]
fn aliases_find_their_entry_but_are_not_ids() {
    assert_eq!(ServiceId::find("domain"), Some(ServiceId::DNS));
    assert_eq!(ServiceId::find("Samba").map(ServiceId::as_str), Some("smb"));
    assert_eq!(ServiceId::find("imap2"), Some(ServiceId::IMAP));
    assert_eq!(ServiceId::find("ssh"), Some(ServiceId::SSH));
    assert_eq!(ServiceId::find("nothing"), None);
    let error = "domain".parse::<ServiceId>().unwrap_err();
    assert_eq!(error.suggestion(), Some(ServiceId::DNS));
    assert!(error.to_string().contains("did you mean `dns` (DNS)?"), "{error}");
}

#[test]
fn unknown_ids_get_a_near_miss_or_a_pointer_to_custom_services() {
    let error = "postgressql".parse::<ServiceId>().unwrap_err();
    assert_eq!(error.suggestion(), Some(ServiceId::POSTGRESQL));
    let error = "quake-arena-server".parse::<ServiceId>().unwrap_err();
    assert_eq!(error.text(), "quake-arena-server");
    assert_eq!(error.suggestion(), None);
    assert!(error.to_string().contains("unknown service `quake-arena-server`"));
    assert!(error.to_string().contains("custom service"));
    let file = r#"{"version":5,"services":[{"service":"quake"}]}"#;
    assert!(crate::design::Design::from_json(file).unwrap_err().to_string().contains("unknown service `quake`"));
    let long = "x".repeat(10_000);
    assert_eq!(long.parse::<ServiceId>().unwrap_err().suggestion(), None);
}
