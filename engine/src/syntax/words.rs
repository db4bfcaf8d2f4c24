//! Splitting a line into words exactly as `iptables-restore` does (`iptables/xshared.c`,
//! `add_param_to_argv`):
//!
//! - words are separated by spaces, tabs and newlines;
//! - only double quotes quote; they group text and are removed, and a closing quote ends the word
//!   (`ab"c d"e` is the two words `abc d` and `e`; `""` is one empty word);
//! - a backslash escapes the next character only inside quotes; outside quotes it is literal;
//! - a word may be at most 1023 bytes.

use crate::diagnostic::{Code, Diagnostic, Span};

/// The longest word iptables accepts (its buffer is 1024 bytes including the NUL).
pub const MAX_WORD_BYTES: usize = 1023;

/// One word and the span of the source text it came from (quotes included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal.
    pub text: String,
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
/// let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
/// assert_eq!(texts, ["-A", "INPUT", "-m", "comment", "--comment", "say \"hi\"", "-j", "ACCEPT"]);
/// assert!(diagnostics.is_empty());
/// ```
pub fn split_words(line: &str, offset: usize, diagnostics: &mut Vec<Diagnostic>) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut start: Option<usize> = None;
    let mut quoted = false;
    let mut escaped = false;
    let mut quote_start = 0;
    for (at, c) in line.char_indices() {
        if quoted {
            if escaped {
                current.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
                let first = start.take().unwrap_or(at);
                finish(&mut words, &mut current, Span::new(offset + first, offset + at + 1), diagnostics);
            } else {
                current.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                quote_start = at;
                start.get_or_insert(at);
            }
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(first) = start.take() {
                    finish(&mut words, &mut current, Span::new(offset + first, offset + at), diagnostics);
                }
            }
            _ => {
                current.push(c);
                start.get_or_insert(at);
            }
        }
    }
    if quoted {
        diagnostics.push(
            Diagnostic::new(
                Code::UnterminatedQuote,
                Span::new(offset + quote_start, offset + line.len()),
                "this quote is never closed",
            )
            .with_help("add the closing `\"`; inside quotes, write `\\\"` for a quote character"),
        );
    }
    if let Some(first) = start {
        finish(&mut words, &mut current, Span::new(offset + first, offset + line.len()), diagnostics);
    }
    words
}

fn finish(words: &mut Vec<Word>, current: &mut String, span: Span, diagnostics: &mut Vec<Diagnostic>) {
    if current.len() > MAX_WORD_BYTES {
        diagnostics.push(
            Diagnostic::new(Code::WordTooLong, span, format!("this word is {} bytes; iptables accepts at most {MAX_WORD_BYTES}", current.len()))
                .with_help("shorten it (comments may hold at most 255 bytes)"),
        );
    }
    words.push(Word { text: std::mem::take(current), span });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split_words(line, 0, &mut Vec::new()).into_iter().map(|word| word.text).collect()
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
        assert_eq!(words.last().map(|word| word.text.as_str()), Some("open"));
        assert_eq!(diagnostics[0].code, Code::UnterminatedQuote);
        let mut diagnostics = Vec::new();
        split_words(&"x".repeat(2000), 0, &mut diagnostics);
        assert_eq!(diagnostics[0].code, Code::WordTooLong);
    }
}
