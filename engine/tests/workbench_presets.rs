//! The simulator's packet presets on the tutorial server's compiled rules (web and mail open,
//! SSH only from the admin, the database from one network), both families.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use portcullis_engine::design::{Design, ServiceId, Source};
use portcullis_engine::model::Family;
use portcullis_engine::simulate::{simulate, Verdict};
use portcullis_engine::workbench::PacketPreset;

fn tutorial_server() -> Design {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, Source::parse_list("203.0.113.7, 2001:db8:1::7").unwrap());
    for service in [ServiceId::HTTP, ServiceId::HTTPS, ServiceId::SMTP, ServiceId::SMTPS] {
        design.allow(service, vec![]);
    }
    for service in [ServiceId::POP3, ServiceId::POP3S, ServiceId::IMAP, ServiceId::IMAPS] {
        design.allow(service, vec![]);
    }
    design.allow(ServiceId::MYSQL, Source::parse_list("198.51.100.0/24").unwrap());
    design
}

#[test]
fn each_preset_gets_the_expected_verdict_on_the_tutorial_server() {
    use Verdict::{Accept, Drop};
    // Ping is accepted within the design's default rate limit (1/s), dropped beyond: the
    // simulator gives both outcomes.
    let expected: [(PacketPreset, &[Verdict]); 5] = [
        (PacketPreset::SshFromInternet, &[Drop]),
        (PacketPreset::WebVisitor, &[Accept]),
        (PacketPreset::DnsReply, &[Accept]),
        (PacketPreset::XmasScan, &[Drop]),
        (PacketPreset::Ping, &[Drop, Accept]),
    ];
    assert_eq!(expected.map(|(preset, _)| preset), PacketPreset::ALL);
    let design = tutorial_server();
    for family in Family::ALL {
        let ruleset = design.compile(family);
        for (preset, verdicts) in expected {
            let packet = preset.packet(family);
            assert_eq!(packet.family, family);
            let result = simulate(&ruleset, &packet);
            // Each verdict once, in the order the outcomes first give it (rate limits fork the walk).
            let mut got: Vec<Verdict> = Vec::new();
            for outcome in &result.outcomes {
                if !got.contains(&outcome.verdict) {
                    got.push(outcome.verdict);
                }
            }
            assert_eq!(got, verdicts, "{} ({family}): {packet} → {result:?}", preset.title());
        }
    }
}

#[test]
fn presets_round_trip_through_the_text_form_on_documentation_addresses() {
    let documentation: [ipnet::IpNet; 4] =
        ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"].map(|net| net.parse().unwrap());
    for family in Family::ALL {
        for preset in PacketPreset::ALL {
            let packet = preset.packet(family);
            assert_eq!(portcullis_engine::simulate::Packet::parse(&packet.to_string()).unwrap(), packet, "{}", preset.title());
            for address in [packet.source, packet.destination] {
                assert!(documentation.iter().any(|net| net.contains(&address)), "{address}");
            }
            assert!(!preset.description().is_empty());
        }
    }
}
