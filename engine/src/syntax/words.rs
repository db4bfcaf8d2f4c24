//! Splitting a line into words exactly as `iptables-restore` does (`iptables/xshared.c`,
//! `add_param_to_argv`):
//!
//! - words are separated by spaces, tabs and newlines;
//! - only double quotes quote; they group text and are removed, and a closing quote ends the word
//!   (`ab"c d"e` is the two words `abc d` and `e`; `""` is one empty word);
//! - a backslash escapes the next character only inside quotes; outside quotes it is literal;
//! - a word may be at most 1023 bytes.

use std::borrow::Cow;

use crate::diagnostic::{Code, Diagnostic, Span};

/// The longest word iptables accepts (its buffer is 1024 bytes including the NUL).
pub const MAX_WORD_BYTES: usize = 1023;

/// One word and the span of the source text it came from (quotes included).
///
/// A word without quotes borrows its text from the line (no allocation: the importer reads
/// hundreds of thousands of words); a quoted one owns the text after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word<'a> {
    /// The word after quote removal.
    pub text: Cow<'a, str>,
    /// Where it was written.
    pub span: Span,
}

/// Splits `line` (starting at byte `offset` of the whole text) into words.
///
/// # Examples
/// ```
/// use portcullis_engine::syntax::split_words;
/// let mut diagnostics = Vec::new();
/// let words = split_words(r#"-A INPUT -m comment --comment "say \"hi\"" -j ACCEPT"#, 0, &mut diagnostics);
/// let texts: Vec<&str> = words.iter().map(|w| &*w.text).collect();
/// assert_eq!(texts, ["-A", "INPUT", "-m", "comment", "--comment", "say \"hi\"", "-j", "ACCEPT"]);
/// assert!(diagnostics.is_empty());
/// ```
pub fn split_words<'a>(line: &'a str, offset: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<Word<'a>> {
    let bytes = line.as_bytes();
    let mut words = Vec::with_capacity(bytes.len() / 6 + 1);
    let mut at = 0;
    while at < bytes.len() {
        // Separators are ASCII, so byte positions stay on character boundaries.
        if matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && !matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r' | b'"') {
            at += 1;
        }
        if at == bytes.len() || bytes[at] != b'"' {
            // The common case: no quote, the word is a slice of the line.
            finish(&mut words, Cow::Borrowed(&line[start..at]), Span::new(offset + start, offset + at), diagnostics);
            continue;
        }
        at = quoted(line, offset, start, at, &mut words, diagnostics);
    }
    words
}

/// Reads a word with a quote in it: `line[start..quote]` is its unquoted beginning and
/// `line[quote]` the opening `"`. Returns where reading goes on.
fn quoted<'a>(line: &'a str, offset: usize, start: usize, quote: usize, words: &mut Vec<Word<'a>>, diagnostics: &mut Vec<Diagnostic>) -> usize {
    let mut current = String::from(&line[start..quote]);
    let mut escaped = false;
    for (relative, c) in line[quote + 1..].char_indices() {
        let at = quote + 1 + relative;
        if escaped {
            current.push(c);
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            // A closing quote ends the word.
            finish(words, Cow::Owned(current), Span::new(offset + start, offset + at + 1), diagnostics);
            return at + 1;
        } else {
            current.push(c);
        }
    }
    diagnostics.push(
        Diagnostic::new(Code::UnterminatedQuote, Span::new(offset + quote, offset + line.len()), "this quote is never closed")
            .with_help("add the closing `\"`; inside quotes, write `\\\"` for a quote character"),
    );
    finish(words, Cow::Owned(current), Span::new(offset + start, offset + line.len()), diagnostics);
    line.len()
}

fn finish<'a>(words: &mut Vec<Word<'a>>, text: Cow<'a, str>, span: Span, diagnostics: &mut Vec<Diagnostic>) {
    if text.len() > MAX_WORD_BYTES {
        diagnostics.push(
            Diagnostic::new(Code::WordTooLong, span, format!("this word is {} bytes; iptables accepts at most {MAX_WORD_BYTES}", text.len()))
                .with_help("shorten it (comments may hold at most 255 bytes)"),
        );
    }
    words.push(Word { text, span });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split_words(line, 0, &mut Vec::new()).into_iter().map(|word| word.text.into_owned()).collect()
    }

    #[test]
    fn quotes_group_and_vanish() {
        assert_eq!(texts(r#"--comment "a b"  -j X"#), ["--comment", "a b", "-j", "X"]);
        assert_eq!(texts(r#"ab"c d"e"#), ["abc d", "e"]);
        assert_eq!(texts(r#""""#), [""]);
    }

    #[test]
    fn backslash_escapes_only_inside_quotes() {
        assert_eq!(texts(r#"a\"b""#), [r"a\b"]);
        assert_eq!(texts(r#""a\"b\\c""#), [r#"a"b\c"#]);
        assert_eq!(texts(r"a\ b"), [r"a\", "b"]);
    }

    #[test]
    fn spans_cover_the_written_text() {
        let words = split_words(r#"  -m  "x y""#, 10, &mut Vec::new());
        assert_eq!(words[0].span, Span::new(12, 14));
        assert_eq!(words[1].span, Span::new(16, 21));
    }

    #[test]
    fn unterminated_quotes_and_long_words_are_reported() {
        let mut diagnostics = Vec::new();
        let words = split_words(r#"--comment "open"#, 0, &mut diagnostics);
        assert_eq!(words.last().map(|word| &*word.text), Some("open"));
        assert_eq!(diagnostics[0].code, Code::UnterminatedQuote);
        let mut diagnostics = Vec::new();
        split_words(&"x".repeat(2000), 0, &mut diagnostics);
        assert_eq!(diagnostics[0].code, Code::WordTooLong);
    }
}
