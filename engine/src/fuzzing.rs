//! The properties the fuzz targets check (`fuzz/`, `make fuzz`), one function per reader, so
//! that the stable test suite replays the fuzzers' corpus and every crash they found
//! (`engine/tests/fuzz_corpus.rs`) through exactly the same checks. Each panics when its
//! property fails; none panics on any input otherwise.

use crate::design::Design;
use crate::export::save;
use crate::import::import;
use crate::simulate::Packet;

/// Reading never panics; a ruleset read without errors prints to text that reads back without
/// errors and prints the same again.
pub fn import_round_trip(text: &str) {
    let imported = import(text, None);
    if imported.diagnostics.iter().any(|diagnostic| diagnostic.severity == crate::diagnostic::Severity::Error) {
        return;
    }
    for ruleset in &imported.value.rulesets {
        let printed = save::render(ruleset);
        let again = import(&printed, Some(ruleset.family));
        let errors: Vec<_> = again.diagnostics.iter().filter(|diagnostic| diagnostic.severity == crate::diagnostic::Severity::Error).collect();
        assert!(errors.is_empty(), "the printed rules do not read back: {errors:?}\n{printed}");
        let reprinted: Vec<String> = again.value.rulesets.iter().map(save::render).collect();
        assert_eq!(reprinted, std::slice::from_ref(&printed), "printing is not stable");
    }
}

/// A design file either opens or is refused; one that opens writes a file that opens to the same
/// design and writes the same bytes.
pub fn design_file_round_trip(text: &str) {
    let Ok(design) = Design::from_json(text) else { return };
    let written = design.to_json();
    let again = Design::from_json(&written).unwrap_or_else(|error| panic!("a written design does not open: {error}\n{written}"));
    assert_eq!(again, design, "the design changed on the way through its file");
    assert_eq!(again.to_json(), written, "writing is not stable");
}

/// The survey never panics, its spans lie on the paste, and its design compiles.
pub fn survey(text: &str) {
    let found = crate::survey::survey(text);
    for diagnostic in &found.diagnostics {
        assert!(diagnostic.span.start <= diagnostic.span.end && diagnostic.span.end <= text.len(), "a span off the paste: {diagnostic:?}");
        assert!(text.is_char_boundary(diagnostic.span.start) && text.is_char_boundary(diagnostic.span.end), "a span inside a character: {diagnostic:?}");
    }
    let (design, _) = found.design();
    let _ = found.conflicts(&design);
    let _ = design.compile(crate::model::Family::V4);
}

/// A packet that reads prints to text that reads back to the same packet.
pub fn packet_round_trip(text: &str) {
    let Ok(packet) = Packet::parse(text) else { return };
    let printed = packet.to_string();
    let again = Packet::parse(&printed).unwrap_or_else(|error| panic!("`{printed}` (from `{text}`) does not read back: {error}"));
    assert_eq!(again, packet, "`{text}` printed as `{printed}` reads back as another packet");
}
