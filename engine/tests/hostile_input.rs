//! Input no server would print but a paste can hold: each gets a clear diagnostic where it is,
//! never a panic, and the rest is still read.

use portcullis_engine::diagnostic::Code;
use portcullis_engine::import::import;
use portcullis_engine::model::Family;

fn codes(text: &str) -> Vec<Code> {
    import(text, Some(Family::V4)).diagnostics.iter().map(|diagnostic| diagnostic.code).collect()
}

#[test]
fn a_nul_byte_is_reported_where_it_is_and_the_rest_is_read() {
    let text = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment \"a\0b\" -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n";
    let imported = import(text, Some(Family::V4));
    let nul = imported.diagnostics.iter().find(|diagnostic| diagnostic.code == Code::NulByte).expect("reported");
    assert_eq!(&text[nul.span.start..nul.span.end], "\0");
    assert_eq!(imported.value.rulesets[0].tables[0].chains[0].rules.len(), 2, "both rules read");
    // In a script too, once per line.
    assert_eq!(codes("iptables -A INPUT -j DROP # \0\0\n").iter().filter(|code| **code == Code::NulByte).count(), 1);
}

#[test]
fn huge_inputs_and_words_get_their_limits_in_words() {
    let huge = "#".repeat(51 * 1024 * 1024);
    assert_eq!(codes(&huge), [Code::InputTooLarge]);
    let long = format!("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment \"{}\" -j DROP\nCOMMIT\n", "x".repeat(300_000));
    assert!(codes(&long).contains(&Code::WordTooLong));
    let many_words = format!("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT {}-j DROP\nCOMMIT\n", "-p tcp ".repeat(20_000));
    assert!(codes(&many_words).contains(&Code::DuplicateOption));
}

#[test]
fn control_characters_and_lookalikes_never_panic() {
    for text in [
        "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 192.0.2.1\u{202e} -j DROP\nCOMMIT\n",
        "*filter\n:INPUT\u{00a0}ACCEPT [0:0]\nCOMMIT\n",
        "*filter\n-A \u{0130}NPUT -j DROP\nCOMMIT\n",
        "\u{feff}*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n",
        "*filter\r\n:INPUT ACCEPT [0:0]\r\n-A INPUT -j DROP\r\nCOMMIT\r\n",
    ] {
        let _ = import(text, None);
    }
}
