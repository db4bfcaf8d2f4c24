//! Text → words with spans: the lossless first step of every import.

mod words;

pub use words::{split_words, Word, MAX_WORD_BYTES};

/// Each line of `text` without its line ending, with its span (offsets from `base`, the text's
/// own offset in a larger one).
pub(crate) fn lines(text: &str, base: usize) -> impl Iterator<Item = (crate::diagnostic::Span, &str)> {
    let mut offset = base;
    text.split_inclusive('\n').map(move |raw| {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        (crate::diagnostic::Span::new(start, start + line.len()), line)
    })
}
