//! The injection corpus in every text field of a design file: each value is refused with a
//! message that says what is wrong with which kind of value (and stays short however long the
//! value), or, when blanks around a valid value are all it adds, accepted as that value alone.
//! What free text can still reach an export (comments, log prefixes, chain and interface names
//! of imported rules) is run for real with a canary in `tests/tests/export_targets.rs`.

use portcullis_engine::design::Design;
use serde_json::json;

/// Payloads: quotes, command substitutions, backticks, newlines, `;`, unicode, option-like and
/// very long strings.
fn corpus() -> Vec<String> {
    let mut corpus: Vec<String> = [
        "it's", "\"quoted\"", "$(touch /tmp/portcullis-canary)", "`touch /tmp/portcullis-canary`", "${HOME}", "a\nb",
        "\n$(id)\n", "a;b", ";touch c;", "a|b&c>d", "\\", "ü✓日本", "\u{202e}rtl", "-j ACCEPT", "--comment x", "#x", "'\"'\"'", "\t",
        "\u{0}",
    ]
    .iter()
    .map(|text| (*text).to_owned())
    .collect();
    corpus.push("x".repeat(10_000));
    corpus.push(format!("$({})", "a".repeat(5_000)));
    corpus
}

/// A design file with `value` in one field; `valid` is a value that field accepts; `kind` a piece
/// of the message every refusal of that field must hold.
struct Field {
    name: &'static str,
    valid: &'static str,
    kind: &'static [&'static str],
    file: fn(&str) -> serde_json::Value,
}

fn fields() -> Vec<Field> {
    vec![
        Field { name: "group name", valid: "office", kind: &["the name `", "a name is needed"], file: |v| json!({"version": 3, "groups": [{"name": v, "sources": []}]}) },
        Field {
            name: "group source",
            valid: "203.0.113.7",
            kind: &["is not an IP address, network or range", "an address is needed"],
            file: |v| json!({"version": 3, "groups": [{"name": "office", "sources": [v]}]}),
        },
        Field { name: "service id", valid: "ssh", kind: &["unknown service `"], file: |v| json!({"version": 3, "services": [{"service": v}]}) },
        Field {
            name: "service's group",
            valid: "office",
            kind: &["the name `", "a name is needed"],
            file: |v| json!({"version": 3, "groups": [{"name": "office", "sources": []}], "services": [{"service": "ssh", "groups": [v]}]}),
        },
        Field {
            name: "service's source",
            valid: "203.0.113.7",
            kind: &["is not an IP address, network or range", "an address is needed"],
            file: |v| json!({"version": 3, "services": [{"service": "ssh", "sources": [v]}]}),
        },
        Field {
            name: "custom service name",
            valid: "game",
            kind: &["the name `", "a name is needed"],
            file: |v| json!({"version": 3, "custom_services": [{"name": v, "protocol": "udp", "ports": "27015"}]}),
        },
        Field {
            name: "custom service protocol",
            valid: "udp",
            kind: &["unknown variant"],
            file: |v| json!({"version": 3, "custom_services": [{"name": "game", "protocol": v, "ports": "27015"}]}),
        },
        Field {
            name: "custom service ports",
            valid: "27015",
            kind: &["is not a port", "at least one port is needed"],
            file: |v| json!({"version": 3, "custom_services": [{"name": "game", "protocol": "udp", "ports": v}]}),
        },
        Field {
            name: "custom service's source",
            valid: "203.0.113.7",
            kind: &["is not an IP address, network or range", "an address is needed"],
            file: |v| json!({"version": 3, "custom_services": [{"name": "game", "protocol": "udp", "ports": "27015", "sources": [v]}]}),
        },
        Field { name: "ping mode", valid: "on", kind: &["unknown variant"], file: |v| json!({"version": 3, "protections": {"ping": {"mode": v}}}) },
        Field { name: "block action", valid: "drop", kind: &["unknown variant"], file: |v| json!({"version": 3, "protections": {"block_action": v}}) },
        Field {
            name: "block list entry",
            valid: "198.51.100.66",
            kind: &["is not an IP address, network or range", "an address is needed"],
            file: |v| json!({"version": 3, "block_list": [v]}),
        },
    ]
}

#[test]
fn every_text_field_refuses_the_corpus_with_a_clear_short_message() {
    let mut refused = 0;
    for field in fields() {
        let accepted = Design::from_json(&(field.file)(field.valid).to_string());
        assert!(accepted.is_ok(), "{}: the valid value `{}` must load: {:?}", field.name, field.valid, accepted.err().map(|e| e.to_string()));
        for payload in corpus() {
            for value in [payload.clone(), format!("{}{payload}", field.valid), format!("{payload}{}", field.valid)] {
                let text = (field.file)(&value).to_string();
                match Design::from_json(&text) {
                    Err(error) => {
                        let message = error.to_string();
                        assert!(field.kind.iter().any(|kind| message.contains(kind)), "{}: {value:?} refused without saying why: {message}", field.name);
                        assert!(message.chars().count() < 400, "{}: the message repeats a long value: {} chars", field.name, message.chars().count());
                        refused += 1;
                    }
                    Ok(design) => {
                        // Only blanks around a valid value may be accepted, as the value alone.
                        assert_eq!(value.trim(), field.valid, "{}: {value:?} was accepted", field.name);
                        let saved = design.to_json();
                        assert!(!saved.contains(&value), "{}: {value:?} kept verbatim", field.name);
                    }
                }
            }
        }
    }
    assert!(refused > 600, "the corpus must be refused field by field, not accepted: {refused}");
}
