//! Saved designs and share links, as plain data: what goes into `localStorage` and into the URL
//! fragment, and how it is read back. Reading never loses anything: an entry that does not parse
//! is reported and left where it is.

use std::fmt::Write as _;

use portcullis_engine::collections::SortedMap;
use portcullis_engine::design::Design;

/// Each saved design lives under this prefix followed by its name.
pub(crate) const DESIGN_KEY_PREFIX: &str = "portcullis.design.";
/// The name of the design last worked on.
pub(crate) const CURRENT_KEY: &str = "portcullis.current";
/// The fragment key of a shared design: `#design=…`.
const FRAGMENT_KEY: &str = "design=";
/// The longest design name.
pub(crate) const NAME_MAX_CHARS: usize = 60;
/// The name used when none was chosen.
pub(crate) const DEFAULT_NAME: &str = "My server";

/// Checks a design's name: 1 to 60 characters, no control characters; surrounding spaces are
/// dropped.
pub(crate) fn design_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("give the design a name".to_owned());
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("use at most {NAME_MAX_CHARS} characters"));
    }
    if name.chars().any(char::is_control) {
        return Err("a name cannot hold line breaks or other control characters".to_owned());
    }
    Ok(name.to_owned())
}

/// The designs found in storage, and what could not be read.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shelf {
    pub(crate) designs: SortedMap<String, Design>,
    /// One message per entry that could not be read (it stays in storage untouched).
    pub(crate) problems: Vec<String>,
}

/// Reads the saved designs from storage entries (`key`, `value`); other keys are ignored.
pub(crate) fn read_shelf(entries: impl IntoIterator<Item = (String, String)>) -> Shelf {
    let mut shelf = Shelf::default();
    for (key, value) in entries {
        let Some(name) = key.strip_prefix(DESIGN_KEY_PREFIX) else { continue };
        match Design::from_json(&value) {
            Ok(design) => {
                shelf.designs.insert(name.to_owned(), design);
            }
            Err(error) => shelf.problems.push(format!("The saved design \u{201c}{name}\u{201d} could not be opened ({error}); it was left untouched.")),
        }
    }
    shelf
}

/// The storage key of a design.
pub(crate) fn design_key(name: &str) -> String {
    format!("{DESIGN_KEY_PREFIX}{name}")
}

/// A name not yet on the shelf: `name`, else `name 2`, `name 3`…
pub(crate) fn free_name(shelf: &SortedMap<String, Design>, name: &str) -> String {
    if !shelf.contains_key(name) {
        return name.to_owned();
    }
    // One of the first `len + 2` candidates is free: the shelf cannot hold them all.
    (2..shelf.len() + 3).map(|n| format!("{name} {n}")).find(|candidate| !shelf.contains_key(candidate)).unwrap_or_default()
}

/// The URL fragment (without `#`) that carries `design`: its JSON without layout whitespace,
/// percent-encoded.
pub(crate) fn share_fragment(design: &Design) -> String {
    let mut fragment = FRAGMENT_KEY.to_owned();
    for byte in compact_json(&design.to_json()).bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            fragment.push(char::from(byte));
        } else {
            let _ = write!(fragment, "%{byte:02X}");
        }
    }
    fragment
}

/// The design in a URL fragment (with or without `#`): `None` when the fragment carries none,
/// otherwise the design or why it cannot be opened.
pub(crate) fn design_from_fragment(fragment: &str) -> Option<Result<Design, String>> {
    let encoded = fragment.trim_start_matches('#').strip_prefix(FRAGMENT_KEY)?;
    Some(percent_decode(encoded).and_then(|json| Design::from_json(&json).map_err(|error| format!("The shared link's design could not be opened: {error}"))))
}

/// `json` without the whitespace between its tokens (strings are kept as they are).
fn compact_json(json: &str) -> String {
    let mut compact = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            compact.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !c.is_whitespace() {
            in_string = c == '"';
            compact.push(c);
        }
    }
    compact
}

fn percent_decode(text: &str) -> Result<String, String> {
    let broken = || "The shared link is damaged (it was probably cut short when copied).".to_owned();
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.bytes();
    while let Some(byte) = rest.next() {
        if byte == b'%' {
            let high = rest.next().and_then(|digit| char::from(digit).to_digit(16)).ok_or_else(broken)?;
            let low = rest.next().and_then(|digit| char::from(digit).to_digit(16)).ok_or_else(broken)?;
            bytes.push(u8::try_from(high * 16 + low).map_err(|_| broken())?);
        } else {
            bytes.push(byte);
        }
    }
    String::from_utf8(bytes).map_err(|_| broken())
}

#[cfg(test)]
mod tests {
    use portcullis_engine::design::{Preset, ServiceId};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_shared_link_round_trips_every_preset() {
        for preset in Preset::ALL {
            let design = preset.design();
            let fragment = share_fragment(&design);
            assert!(fragment.bytes().all(|byte| byte.is_ascii_graphic()), "{fragment}");
            assert!(!fragment.contains("%20") && !fragment.contains("%0A"), "no layout whitespace: {fragment}");
            assert_eq!(design_from_fragment(&format!("#{fragment}")), Some(Ok(design)));
        }
    }

    #[wasm_bindgen_test]
    fn compacting_keeps_strings_whole() {
        assert_eq!(compact_json("{\n  \"a b\": [ 1, \"x \\\" y\" ]\n}"), "{\"a b\":[1,\"x \\\" y\"]}");
    }

    #[wasm_bindgen_test]
    fn damaged_or_foreign_fragments_are_explained_or_ignored() {
        assert_eq!(design_from_fragment("#top"), None);
        assert_eq!(design_from_fragment(""), None);
        let cut = share_fragment(&Preset::Web.design());
        let cut = &cut[..cut.len() / 2];
        assert!(design_from_fragment(cut).is_some_and(|result| result.is_err()));
        assert!(design_from_fragment("design=%7").is_some_and(|result| result.unwrap_err().contains("damaged")));
    }

    #[wasm_bindgen_test]
    fn a_corrupt_entry_is_reported_and_the_rest_is_read() {
        let mut design = Design::default();
        design.allow(ServiceId::SSH, Vec::new());
        let shelf =
            read_shelf([(design_key("good"), design.to_json()), (design_key("broken"), "{not json".to_owned()), ("unrelated".to_owned(), "x".to_owned())]);
        assert_eq!(shelf.designs.keys().collect::<Vec<_>>(), ["good"]);
        assert_eq!(shelf.problems.len(), 1);
        assert!(shelf.problems[0].contains("broken") && shelf.problems[0].contains("left untouched"), "{:?}", shelf.problems);
    }

    #[wasm_bindgen_test]
    fn names_are_checked_and_made_unique() {
        assert_eq!(design_name("  Web box "), Ok("Web box".to_owned()));
        assert!(design_name(" ").is_err());
        assert!(design_name("a\nb").is_err());
        assert!(design_name(&"x".repeat(61)).is_err());
        let mut shelf = SortedMap::new();
        shelf.insert("Web".to_owned(), Design::default());
        shelf.insert("Web 2".to_owned(), Design::default());
        assert_eq!(free_name(&shelf, "Web"), "Web 3");
        assert_eq!(free_name(&shelf, "Mail"), "Mail");
    }
}
