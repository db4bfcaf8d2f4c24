//! The design file's reading, refusals and migrations; `tests/design_file.rs` holds files
//! written by earlier versions that must read and write back byte for byte.

use super::*;
use crate::design::{DefaultPolicy, Ping};

fn error(text: &str) -> String {
    Design::from_json(text).unwrap_err().to_string()
}

#[test]
fn refusals_say_why() {
    assert!(error("not json").contains("not JSON"));
    assert!(error(r#"{"services":[]}"#).contains("no numeric `version`"));
    assert!(error(r#"{"version":"1","services":[]}"#).contains("no numeric `version`"));
    assert!(error(r#"{"version":0,"services":[]}"#).contains("no numeric `version`"));
    for not_a_count in ["-1", "5.0", "null", "true", "[5]", r#"{"n":5}"#] {
        let text = format!(r#"{{"version":{not_a_count},"services":[]}}"#);
        assert!(error(&text).contains("no numeric `version`"), "{not_a_count}: {}", error(&text));
    }
    assert_eq!(
        error(r#"{"version":7,"services":[]}"#),
        "this design file is version 7, made by a newer Portcullis; this one reads up to version 6"
    );
    assert!(error(r#"{"version":1,"services":[{"service":"quake"}]}"#).contains("unknown service `quake`"));
    assert!(error(r#"{"version":2,"services":[{"service":"postgres"}]}"#).contains("did you mean `postgresql`"));
    assert!(error(r#"{"version":1,"services":[{"service":"ssh","sources":["203.0.113.7/24"]}]}"#)
        .contains("host bits set"));
    assert!(error(r#"{"version":1,"services":[{"service":"ssh"},{"service":"ssh"}]}"#).contains("listed twice"));
    assert!(error(r#"{"version":1,"services":[],"extra":true}"#).contains("unknown field `extra`"));
    // Version 1 had no groups: a v1 file with them is refused, not half-read.
    assert!(error(r#"{"version":1,"services":[],"groups":[]}"#).contains("unknown field `groups`"));
}

#[test]
fn version_2_refusals_say_why() {
    let group = r#"{"name":"office","sources":["203.0.113.7"]}"#;
    assert!(error(&format!(r#"{{"version":2,"groups":[{group},{group}]}}"#)).contains("group `office` is defined twice"));
    assert!(error(r#"{"version":2,"groups":[{"name":"Office","sources":[]}]}"#).contains("try `office`"));
    assert!(error(r#"{"version":2,"services":[{"service":"ssh","groups":["office"]}]}"#)
        .contains("SSH refers to the group `office`, which does not exist"));
    assert!(error(r#"{"version":2,"services":[{"service":"ssh","group":["office"]}]}"#).contains("unknown field `group`"));
    let custom = r#"{"name":"game","protocol":"udp","ports":"27015"}"#;
    assert!(error(&format!(r#"{{"version":2,"custom_services":[{custom},{custom}]}}"#))
        .contains("custom service `game` is defined twice"));
    assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"icmp","ports":"1"}]}"#)
        .contains("unknown variant `icmp`"));
    assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"udp","ports":"0"}]}"#)
        .contains("port 0 is reserved"));
    assert!(error(r#"{"version":2,"custom_services":[{"name":"game","protocol":"udp","ports":"9-1"}]}"#)
        .contains("reversed"));
    assert!(error(r#"{"version":2,"groups":[{"name":"a","sources":["10.0.0.9-10.0.0.1"]}]}"#).contains("reversed"));
}

#[test]
fn a_version_1_file_migrates() {
    let v1 = r#"{
      "version": 1,
      "services": [
        { "service": "ssh", "sources": ["203.0.113.7/32", "2001:db8:1::7/128"] },
        { "service": "http" },
        { "service": "mysql", "sources": ["198.51.100.0/24"] }
      ]
    }"#;
    let design = Design::from_json(v1).unwrap();
    let mut expected = Design::default();
    expected.allow(ServiceId::SSH, Source::parse_list("2001:db8:1::7, 203.0.113.7").unwrap());
    expected.allow(ServiceId::HTTP, vec![]);
    expected.allow(ServiceId::MYSQL, Source::parse_list("198.51.100.0/24").unwrap());
    assert_eq!(design, expected);
    let saved = design.to_json();
    assert!(saved.starts_with("{\n  \"version\": 5,\n"), "{saved}");
    assert_eq!(Design::from_json(&saved).unwrap(), expected);
}

#[test]
fn a_minimal_version_2_file_is_an_empty_design() {
    assert_eq!(Design::from_json(r#"{"version":2}"#).unwrap(), Design::default());
    assert_eq!(Design::from_json(r#"{"version":3}"#).unwrap(), Design::default());
    assert_eq!(Design::from_json(r#"{"version":4}"#).unwrap(), Design::default());
    assert_eq!(Design::from_json(r#"{"version":5}"#).unwrap(), Design::default());
    assert_eq!(Design::from_json(r#"{"version":6}"#).unwrap(), Design::default());
    let saved = Design::default().to_json();
    assert!(saved.starts_with("{\n  \"version\": 5,\n  \"services\": [],\n  \"protections\": {"), "{saved}");
}

#[test]
fn protections_and_block_lists_round_trip_and_need_version_3() {
    let text = r#"{"version":3,"protections":{"ping":{"mode":"off"},"restricted_output":true},"block_list":["198.51.100.66"]}"#;
    let design = Design::from_json(text).unwrap();
    assert_eq!(design.protections().ping, Ping::Off);
    assert!(design.protections().restricted_output && design.protections().drop_invalid, "absent fields keep their defaults");
    assert_eq!(design.block_list().len(), 1);
    assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
    assert!(error(r#"{"version":2,"block_list":["198.51.100.66"]}"#).contains("from version 3 on"));
    assert!(error(r#"{"version":3,"protections":{"ssh_limit":{"connections":50,"seconds":60}}}"#).contains("1 to 19"));
    assert!(error(r#"{"version":3,"protections":{"pingg":{"mode":"off"}}}"#).contains("unknown field"));
}

#[test]
fn interfaces_and_nat_round_trip_and_need_version_4() {
    let text = r#"{"version":4,
      "groups":[{"name":"office","sources":["203.0.113.7"]}],
      "services":[{"service":"postgresql","interfaces":["eth1","eth1"]}],
      "custom_services":[{"name":"game","protocol":"udp","ports":"27015","interfaces":["eth0"]}],
      "nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":8080}],
             "port_forwards":[{"protocol":"tcp","port":8443,"to":"198.51.100.10","to_port":443,"groups":["office"]}],
             "masquerades":[{"network":"198.51.100.0/24","out_interface":"eth0"}]}}"#;
    let design = Design::from_json(text).unwrap();
    assert_eq!(design.interfaces(ServiceId::POSTGRESQL).len(), 1);
    assert_eq!(design.custom_interfaces(&"game".parse().unwrap()).len(), 1);
    assert_eq!(design.nat().port_forwards.len(), 1);
    assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
    assert!(error(r#"{"version":3,"services":[{"service":"ssh","interfaces":["eth0"]}]}"#).contains("from version 4 on"));
    assert!(error(r#"{"version":2,"nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":8080}]}}"#)
        .contains("from version 4 on"));
    assert!(error(r#"{"version":1,"services":[{"service":"ssh","interfaces":["eth0"]}]}"#).contains("unknown field"));
    assert!(error(r#"{"version":4,"services":[{"service":"ssh","interfaces":["eth0:1"]}]}"#).contains("holds ':'"));
    assert!(error(r#"{"version":4,"nat":{"port_forwards":[{"protocol":"tcp","port":1,"to":"198.51.100.10","to_port":1,"groups":["x"]}]}}"#)
        .contains("refers to the group `x`"));
    assert!(error(r#"{"version":4,"nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":81},{"protocol":"tcp+udp","port":80,"to_port":82}]}}"#)
        .contains("already translates"));
    assert!(error(r#"{"version":4,"nat":{"redirect":[]}}"#).contains("unknown field `redirect`"));
}

#[test]
fn older_files_keep_the_fixed_policies_loopback_and_replies() {
    let v3 = r#"{"version":3,"services":[{"service":"ssh"}],"protections":{"ping":{"mode":"off"}}}"#;
    let v4 = r#"{"version":4,"services":[{"service":"ssh","interfaces":["eth0"]}],"protections":{"drop_invalid":false}}"#;
    let v1 = r#"{"version":1,"services":[{"service":"ssh"}]}"#;
    for text in [v1, r#"{"version":2}"#, v3, v4] {
        let protections = Design::from_json(text).unwrap().protections().clone();
        assert_eq!((protections.input_policy, protections.forward_policy), (DefaultPolicy::Drop, DefaultPolicy::Drop), "{text}");
        assert!(protections.allow_loopback && protections.allow_established, "{text}");
        let rules = crate::export::save::render(&Design::from_json(text).unwrap().compile(crate::model::Family::V4));
        assert!(rules.contains(":INPUT DROP") && rules.contains(":FORWARD DROP"), "{rules}");
        assert!(rules.contains("-A INPUT -i lo -m comment --comment \"portcullis: loopback\" -j ACCEPT")
            && rules.contains("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -m comment"), "{rules}");
    }
}

#[test]
fn policies_loopback_and_replies_round_trip_and_need_version_5() {
    let text = r#"{"version":5,"protections":{"input_policy":"accept","forward_policy":"accept","allow_loopback":false,"allow_established":false}}"#;
    let design = Design::from_json(text).unwrap();
    let protections = design.protections();
    assert_eq!((protections.input_policy, protections.forward_policy), (DefaultPolicy::Accept, DefaultPolicy::Accept));
    assert!(!protections.allow_loopback && !protections.allow_established);
    assert!(protections.drop_invalid, "absent fields keep their defaults");
    let saved = design.to_json();
    assert!(saved.contains("\"input_policy\": \"accept\"") && saved.contains("\"allow_established\": false"), "{saved}");
    assert_eq!(Design::from_json(&saved).unwrap(), design);
    for version in [3, 4] {
        let old = text.replace("\"version\":5", &format!("\"version\":{version}"));
        assert!(error(&old).contains("`protections: input_policy / forward_policy / allow_loopback / allow_established` exists from version 5 on"), "{}", error(&old));
        let one = format!(r#"{{"version":{version},"protections":{{"allow_loopback":true}}}}"#);
        assert!(error(&one).contains("from version 5 on"), "{one}");
    }
    assert!(error(r#"{"version":2,"protections":{"allow_loopback":false}}"#).contains("from version 3 on"));
    assert!(error(r#"{"version":5,"protections":{"input_policy":"reject"}}"#).contains("unknown variant `reject`"));
    assert!(error(r#"{"version":5,"protections":{"allow_loopback":"no"}}"#).contains("invalid type"));
}

#[test]
fn refusals_name_the_place_with_its_line_and_column() {
    let text = "{\n  \"version\": 5,\n  \"services\": [\n    { \"service\": \"ssh\" },\n    { \"service\": \"http\" },\n    { \"service\": \"https\", \"sources\": [7] }\n  ]\n}\n";
    assert_eq!(
        error(text),
        "invalid design file (version 5): invalid type: number `7`, expected a string at services[2].sources[0] (line 6 column 39)"
    );
    let typo = text.replace("\"sources\": [7]", "\"sourcs\": []");
    assert_eq!(
        error(&typo),
        "invalid design file (version 5): unknown field `sourcs`, expected one of `service`, `groups`, `sources`, `interfaces` at services[2].sourcs (line 6 column 37)"
    );
    assert_eq!(
        error(r#"{"version":5,"protections":{"ssh_limit":{"connections":4}}}"#),
        "invalid design file (version 5): missing field `seconds` at protections.ssh_limit (line 1 column 41)"
    );
    assert_eq!(error(r#"{"version":1}"#), "invalid design file (version 1): missing field `services` at the top level (line 1 column 1)");
    assert!(error(r#"{"version":5,"nat":{"redirects":[{"protocol":"tcp","port":70000,"to_port":1}]}}"#)
        .contains("invalid value: number `70000`, expected a whole number from 0 to 65535 at nat.redirects[0].port (line 1 column 59)"));
    assert!(error(r#"{"version":5,"nat":{"port_forwards":[{"protocol":"tcp","port":80,"to":"300.1.1.1","to_port":80}]}}"#)
        .contains("`300.1.1.1` is not an IP address at nat.port_forwards[0].to"));
    assert!(error(r#"{"version":5,"nat":{"redirects":[{"protocol":"tcp","port":80,"to_port":80}]}}"#)
        .contains("to itself changes nothing; open the service instead at nat.redirects[0] (line 1 column 34)"));
    assert_eq!(
        error("{\"version\":5,\n\"services\":[}"),
        "not a design file: the text is not JSON (expected a value at line 2 column 13)"
    );
}

#[test]
fn long_values_are_shortened_in_refusals() {
    let long = "x".repeat(1000);
    for text in [
        format!(r#"{{"version":5,"services":[{{"service":"{long}"}}]}}"#),
        format!(r#"{{"version":5,"protections":{{"block_action":"{long}"}}}}"#),
        format!(r#"{{"version":5,"{long}":1}}"#),
        format!(r#"{{"version":5,"services":[{{"service":"ssh","sources":["{long}"]}}]}}"#),
        format!(r#"{{"version":5,"block_list":[{long}]}}"#).replace('x', "1"),
    ] {
        let message = error(&text);
        assert!(message.len() < 400 && message.contains('…'), "{message}");
    }
}

#[test]
fn fields_given_twice_are_refused() {
    assert!(error(r#"{"version":5,"services":[],"services":[]}"#).contains("duplicate field `services` at services"));
    assert!(error(r#"{"version":5,"version":5}"#).contains("duplicate field `version`"));
    assert!(error(r#"{"version":5,"protections":{"ping":{"mode":"off","mode":"on"}}}"#)
        .contains("duplicate field `mode` at protections.ping.mode"));
}

/// The serde-based reader took a few shapes by accident, none of which Portcullis ever wrote:
/// structs written as arrays (a whole file as `[5]`), and any extra field next to ping's `off` and
/// `on` modes. They are refused like any other unknown shape.
#[test]
fn shapes_serde_took_by_accident_are_refused() {
    assert!(error("[5]").contains("no numeric `version`"));
    assert!(error(r#"[1,[{"service":"ssh"}]]"#).contains("no numeric `version`"));
    assert!(error("null").contains("no numeric `version`"));
    assert!(error(r#"{"version":5,"protections":{"ssh_limit":[4,60]}}"#)
        .contains("invalid type: an array, expected an object at protections.ssh_limit"));
    assert!(error(r#"{"version":5,"protections":{"ping":{"mode":"off","x":1}}}"#).contains("unknown field `x`"));
    assert!(error(r#"{"version":5,"protections":{"ping":{"mode":"on","per_second":1}}}"#)
        .contains("unknown field `per_second`: only mode `limited` has it"));
}

#[test]
fn what_serde_took_still_opens() {
    for text in [
        r#"{"version":5,"protections":null}"#,
        r#"{"version":2,"protections":null}"#,
        r#"{"version":5,"protections":{"ssh_limit":null,"log_dropped":null}}"#,
        r#"{"version":5,"protections":{"ping":{"per_second":2,"mode":"limited"}}}"#,
        r#"{"vers\u0069on":5,"services":[{"service":"s\u0073h"}]}"#,
        "\t\r\n {\"version\":5}\n\n",
        r#"{"version":2,"nat":{}}"#,
    ] {
        assert!(Design::from_json(text).is_ok(), "{text}: {}", error(text));
    }
    let no_limits = Design::from_json(r#"{"version":5,"protections":{"ssh_limit":null,"log_dropped":null}}"#).unwrap();
    assert_eq!((no_limits.protections().ssh_limit, no_limits.protections().log_dropped.clone()), (None, None));
    assert!(no_limits.to_json().contains("\"ssh_limit\": null") && no_limits.to_json().contains("\"log_dropped\": null"));
}

#[test]
fn containers_round_trip_need_version_6_and_leave_other_designs_at_version_5() {
    use crate::design::{ContainerExposure, Transport};
    let text = r#"{"version":6,"groups":[{"name":"office","sources":["192.0.2.7"]}],
      "containers":{"exposure":"trusted","groups":["office","office"],"sources":["198.51.100.0/24"],"protocol":"tcp+udp","ports":"8443, 8080"}}"#;
    let design = Design::from_json(text).unwrap();
    let containers = design.containers().expect("the choice is read");
    assert_eq!(containers.exposure().groups().len(), 1, "kept canonical");
    assert_eq!(containers.ports().map(|ports| (ports.transport(), ports.port_list().to_string())), Some((Transport::TcpAndUdp, "8080,8443".to_owned())));
    let saved = design.to_json();
    assert!(saved.starts_with("{\n  \"version\": 6,\n"), "{saved}");
    assert!(saved.ends_with("  \"containers\": {\n    \"exposure\": \"trusted\",\n    \"groups\": [\n      \"office\"\n    ],\n    \"sources\": [\n      \"198.51.100.0/24\"\n    ],\n    \"protocol\": \"tcp+udp\",\n    \"ports\": \"8080,8443\"\n  }\n}\n"), "{saved}");
    assert_eq!(Design::from_json(&saved).unwrap(), design);
    for (file, exposure) in [
        (r#"{"version":6,"containers":{"exposure":"everyone"}}"#, ContainerExposure::Everyone),
        (r#"{"version":6,"containers":{"exposure":"host-only","protocol":"tcp","ports":"80"}}"#, ContainerExposure::HostOnly),
        (r#"{"version":6,"containers":{"exposure":"trusted"}}"#, ContainerExposure::trusted(vec![], vec![])),
    ] {
        let design = Design::from_json(file).unwrap();
        assert_eq!(design.containers().map(|containers| containers.exposure().clone()), Some(exposure), "{file}");
        assert_eq!(Design::from_json(&design.to_json()).unwrap(), design, "{file}");
    }
    // Without the choice, what earlier versions wrote, byte for byte.
    let mut plain = design.clone();
    plain.set_containers(None).unwrap();
    assert!(plain.to_json().starts_with("{\n  \"version\": 5,\n") && !plain.to_json().contains("containers"));
    assert_eq!(Design::from_json(r#"{"version":6,"containers":null}"#).unwrap(), Design::default());
    for version in 2..=5 {
        let old = format!(r#"{{"version":{version},"containers":{{"exposure":"everyone"}}}}"#);
        assert!(error(&old).contains("`containers` exists from version 6 on; write \"version\": 6"), "{}", error(&old));
    }
    assert!(error(r#"{"version":1,"services":[],"containers":{"exposure":"everyone"}}"#).contains("unknown field `containers`"));
}

#[test]
fn containers_refusals_say_why() {
    assert!(error(r#"{"version":6,"containers":{}}"#).contains("missing field `exposure` at containers"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"some"}}"#)
        .contains("unknown variant `some`, expected one of `everyone`, `trusted`, `host-only` at containers.exposure"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"host-only","sources":["192.0.2.7"]}}"#)
        .contains("only exposure `trusted` has groups and sources at containers.sources"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"trusted","ports":"80"}}"#).contains("`protocol` and `ports` go together"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"trusted","protocol":"tcp","ports":"0"}}"#).contains("port 0 is reserved"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"trusted","protocol":"icmp","ports":"1"}}"#).contains("unknown variant `icmp`"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"trusted","sources":["192.0.2.7/24"]}}"#).contains("host bits set"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"trusted","groups":["office"]}}"#)
        .contains("the choice for published container ports refers to the group `office`, which does not exist"));
    assert!(error(r#"{"version":6,"containers":{"exposure":"everyone","port":"80"}}"#).contains("unknown field `port`"));
}
