//! The JSON the design file is made of: a value tree read from text and written back pretty.
//!
//! Hand-written and not generic on purpose: `serde_json`'s deserializer is monomorphised for every
//! type it reads, which cost the wizard's wasm some 70 KB for this one file format. Here there is
//! one parser and one printer; `read` and `write` turn the tree into design types and back.
//!
//! What it guarantees:
//! - the grammar of RFC 8259 exactly: no comments, no trailing commas, no single quotes, no
//!   raw control characters in strings; every escape, `\u` surrogate pairs included (a lone
//!   surrogate is refused, as it is no character);
//! - objects keep their keys in the order written, repeats included (the reader refuses them
//!   and names the field);
//! - each value keeps the byte offset it starts at, for messages with a line and column;
//! - numbers keep the text they were written with, so `1.0`, `1e2` and `-0` can be refused
//!   where a count is expected instead of being rounded into one;
//! - at most [`TEXT_MAX_BYTES`] of text and [`DEPTH_MAX`] nested arrays and objects, and no
//!   panic on any input;
//! - [`Json::pretty`] writes exactly what `serde_json::to_string_pretty` wrote (two spaces,
//!   `"key": value`, `[]` and `{}` when empty), so saved designs stay byte-identical.

use std::fmt;

/// The longest text read: far more than any design (a design of a hundred services and groups
/// is some 20 KB), small enough that a wrong file cannot hold the page up.
pub(super) const TEXT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// The deepest nesting of arrays and objects read (a design file needs 5), as `serde_json`'s.
pub(super) const DEPTH_MAX: usize = 128;

/// A JSON value and the byte offset in the text where it starts (0 for values built to write).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::design) struct Json {
    pub(in crate::design) at: usize,
    pub(in crate::design) value: Value,
}

/// The kinds of JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::design) enum Value {
    Null,
    Bool(bool),
    /// The number as written (valid JSON number syntax).
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// The members in the order written, repeated keys included.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A value to write.
    pub(in crate::design) fn new(value: Value) -> Self {
        Self { at: 0, value }
    }

    /// An unsigned integer to write.
    pub(super) fn number(number: u64) -> Self {
        Self::new(Value::Number(number.to_string()))
    }

    /// A string to write.
    pub(in crate::design) fn string(text: impl Into<String>) -> Self {
        Self::new(Value::String(text.into()))
    }

    /// An array of strings to write.
    pub(in crate::design) fn strings(items: impl IntoIterator<Item = String>) -> Self {
        Self::new(Value::Array(items.into_iter().map(Self::string).collect()))
    }

    /// An object to write, its members in this order.
    pub(in crate::design) fn object(members: Vec<(&str, Json)>) -> Self {
        Self::new(Value::Object(members.into_iter().map(|(key, value)| (key.to_owned(), value)).collect()))
    }

    /// The value as a non-negative integer written without sign, fraction or exponent.
    pub(super) fn unsigned(&self) -> Option<u64> {
        match &self.value {
            Value::Number(text) if text.bytes().all(|byte| byte.is_ascii_digit()) => text.parse().ok(),
            _ => None,
        }
    }

    /// The value as `serde_json::to_string_pretty` wrote it.
    pub(in crate::design) fn pretty(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, 0);
        out
    }

    fn write(&self, out: &mut String, depth: usize) {
        let indent = |out: &mut String, depth: usize| (0..depth).for_each(|_| out.push_str("  "));
        match &self.value {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(text) => out.push_str(text),
            Value::String(text) => write_string(out, text),
            Value::Array(items) if items.is_empty() => out.push_str("[]"),
            Value::Object(members) if members.is_empty() => out.push_str("{}"),
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    out.push_str(if index == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    item.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    out.push_str(if index == 0 { "\n" } else { ",\n" });
                    indent(out, depth + 1);
                    write_string(out, key);
                    out.push_str(": ");
                    value.write(out, depth + 1);
                }
                out.push('\n');
                indent(out, depth);
                out.push('}');
            }
        }
    }
}

/// `text` quoted, escaped as `serde_json` escapes: `"` and `\`, the short escapes for backspace,
/// form feed, newline, carriage return and tab, `\u00XX` (lower-case hex) for other control
/// characters; everything else as is.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let byte = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[byte >> 4]));
                out.push(char::from(HEX[byte & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The 1-based line and column (in characters) of the byte `offset` of `text`.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.as_bytes().get(..offset).unwrap_or(text.as_bytes());
    let line_start = before.iter().rposition(|&byte| byte == b'\n').map_or(0, |newline| newline + 1);
    let line = before.split(|&byte| byte == b'\n').count();
    // UTF-8 continuation bytes do not start a character.
    let column = 1 + before[line_start..].iter().filter(|&&byte| byte & 0xC0 != 0x80).count();
    (line, column)
}

/// Why a text is not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(in crate::design) struct JsonError {
    kind: JsonErrorKind,
    line: usize,
    column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JsonErrorKind {
    TooLarge(usize),
    TooDeep,
    End,
    ExpectedValue,
    ExpectedKey,
    ExpectedColon,
    ExpectedCommaOrEnd(u8),
    TrailingComma,
    Trailing,
    ControlCharacter,
    BadEscape,
    LoneSurrogate,
    BadNumber,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            JsonErrorKind::TooLarge(bytes) => {
                return write!(f, "the text is {bytes} bytes long; a design file holds at most {TEXT_MAX_BYTES}");
            }
            JsonErrorKind::TooDeep => "arrays and objects nested too deep",
            JsonErrorKind::End => "the text ends too early",
            JsonErrorKind::ExpectedValue => "expected a value",
            JsonErrorKind::ExpectedKey => "expected a field name in double quotes",
            JsonErrorKind::ExpectedColon => "expected `:` after the field name",
            JsonErrorKind::ExpectedCommaOrEnd(b']') => "expected `,` or `]`",
            JsonErrorKind::ExpectedCommaOrEnd(_) => "expected `,` or `}`",
            JsonErrorKind::TrailingComma => "a comma before the closing bracket",
            JsonErrorKind::Trailing => "more text after the value",
            JsonErrorKind::ControlCharacter => "a control character (U+0000 to U+001F) inside a string; write it escaped",
            JsonErrorKind::BadEscape => "an invalid escape in a string",
            JsonErrorKind::LoneSurrogate => "a `\\u` escape of half a surrogate pair",
            JsonErrorKind::BadNumber => "an invalid number",
        };
        write!(f, "the text is not JSON ({what} at line {} column {})", self.line, self.column)
    }
}

impl std::error::Error for JsonError {}

/// Reads `text` as one JSON value (blanks around it allowed).
///
/// # Errors
/// When `text` is not JSON, is longer than [`TEXT_MAX_BYTES`] or nests deeper than [`DEPTH_MAX`].
pub(in crate::design) fn parse(text: &str) -> Result<Json, JsonError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), at: 0, depth: 0 };
    if text.len() > TEXT_MAX_BYTES {
        return Err(parser.error(JsonErrorKind::TooLarge(text.len())));
    }
    let value = parser.value()?;
    parser.skip_blanks();
    if parser.at < parser.bytes.len() {
        return Err(parser.error(JsonErrorKind::Trailing));
    }
    Ok(value)
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, kind: JsonErrorKind) -> JsonError {
        let (line, column) = position(self.text, self.at);
        JsonError { kind, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// Skips blanks, then takes `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        self.skip_blanks();
        let found = self.peek() == Some(byte);
        if found {
            self.at += 1;
        }
        found
    }

    fn value(&mut self) -> Result<Json, JsonError> {
        self.skip_blanks();
        let at = self.at;
        let value = match self.peek() {
            None => return Err(self.error(JsonErrorKind::End)),
            Some(b'{') => self.nested(Self::object)?,
            Some(b'[') => self.nested(Self::array)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(_) => return Err(self.error(JsonErrorKind::ExpectedValue)),
        };
        Ok(Json { at, value })
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        if self.bytes.get(self.at..self.at + word.len()) == Some(word.as_bytes()) {
            self.at += word.len();
            Ok(value)
        } else {
            Err(self.error(JsonErrorKind::ExpectedValue))
        }
    }

    /// An array or object (`read` with the opening bracket next), one level deeper.
    fn nested(&mut self, read: fn(&mut Self) -> Result<Value, JsonError>) -> Result<Value, JsonError> {
        if self.depth == DEPTH_MAX {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        self.depth += 1;
        self.at += 1;
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn array(&mut self) -> Result<Value, JsonError> {
        let mut items = Vec::new();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            if !self.another_item(b']')? {
                return Ok(Value::Array(items));
            }
        }
    }

    /// After an item of an array or object that `close` ends: `false` at its end, `true` after
    /// the comma before another item.
    fn another_item(&mut self, close: u8) -> Result<bool, JsonError> {
        if self.eat(close) {
            return Ok(false);
        }
        if !self.eat(b',') {
            return Err(self.end_error(close));
        }
        if self.eat(close) {
            self.at -= 1;
            return Err(self.error(JsonErrorKind::TrailingComma));
        }
        Ok(true)
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        let mut members = Vec::new();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_blanks();
            if self.peek() != Some(b'"') {
                return Err(self.end_error(b'"'));
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return Err(self.error(JsonErrorKind::ExpectedColon));
            }
            members.push((key, self.value()?));
            if !self.another_item(b'}')? {
                return Ok(Value::Object(members));
            }
        }
    }

    /// The error for a missing separator: the text ended, or something else came.
    fn end_error(&self, closing: u8) -> JsonError {
        match (self.peek(), closing) {
            (None, _) => self.error(JsonErrorKind::End),
            (Some(_), b'"') => self.error(JsonErrorKind::ExpectedKey),
            (Some(_), closing) => self.error(JsonErrorKind::ExpectedCommaOrEnd(closing)),
        }
    }

    /// A string, the opening quote next.
    fn string(&mut self) -> Result<String, JsonError> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // The bytes looked for are ASCII, so `start..self.at` always cuts `text` between
            // characters.
            let start = self.at;
            while matches!(self.peek(), Some(byte) if byte != b'"' && byte != b'\\' && byte >= b' ') {
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at).unwrap_or_default());
            match self.peek() {
                None => return Err(self.error(JsonErrorKind::End)),
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                Some(_) => return Err(self.error(JsonErrorKind::ControlCharacter)),
            }
        }
    }

    /// The character of an escape, the backslash taken.
    fn escape(&mut self) -> Result<char, JsonError> {
        let Some(letter) = self.peek() else { return Err(self.error(JsonErrorKind::End)) };
        self.at += 1;
        let c = match letter {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(),
            _ => {
                self.at -= 1;
                return Err(self.error(JsonErrorKind::BadEscape));
            }
        };
        Ok(c)
    }

    /// The character of a `\u` escape (two for a surrogate pair), `\u` taken.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.bytes.get(self.at..self.at + 2) != Some(b"\\u".as_slice()) {
                    return Err(self.error(JsonErrorKind::LoneSurrogate));
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error(JsonErrorKind::LoneSurrogate));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error(JsonErrorKind::LoneSurrogate)),
            code => code,
        };
        char::from_u32(code).ok_or_else(|| self.error(JsonErrorKind::BadEscape))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|byte| char::from(byte).to_digit(16));
            let Some(digit) = digit else { return Err(self.error(JsonErrorKind::BadEscape)) };
            code = code * 16 + digit;
            self.at += 1;
        }
        Ok(code)
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, as written.
    fn number(&mut self) -> Result<String, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error(JsonErrorKind::BadNumber)),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.required_digits()?;
        }
        Ok(self.text.get(start..self.at).unwrap_or_default().to_owned())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error(JsonErrorKind::BadNumber));
        }
        self.digits();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Value {
        parse(text).unwrap_or_else(|error| panic!("{text}: {error}")).value
    }

    fn refusal(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_kind_of_value_keeping_order_and_offsets() {
        let json = parse(" {\"b\": [1, -2.5e+3, true, false, null], \"a\": {}, \"b\": \"x\"} ").unwrap();
        assert_eq!(json.at, 1);
        let Value::Object(members) = json.value else { panic!("an object") };
        let keys: Vec<&str> = members.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["b", "a", "b"], "order and repeats kept");
        assert_eq!(members[0].1.at, 7);
        let Value::Array(items) = &members[0].1.value else { panic!("an array") };
        assert_eq!(items[1].value, Value::Number("-2.5e+3".to_owned()));
        assert_eq!((items[0].unsigned(), items[1].unsigned()), (Some(1), None));
        assert_eq!(parsed("18446744073709551615"), Value::Number("18446744073709551615".to_owned()));
        assert_eq!(parse("18446744073709551616").unwrap().unsigned(), None, "too big for a count");
        for not_a_count in ["-0", "1.0", "1e2", "-1"] {
            assert_eq!(parse(not_a_count).unwrap().unsigned(), None, "{not_a_count}");
        }
    }

    #[test]
    fn reads_every_escape() {
        assert_eq!(
            parsed(r#""a\"\\\/\b\f\n\r\t\u0041\u00e9\ud83d\ude00€""#),
            Value::String("a\"\\/\u{8}\u{c}\n\r\tAé😀€".to_owned())
        );
        assert!(refusal(r#""\ud800""#).contains("half a surrogate pair"));
        assert!(refusal(r#""\ud800\u0041""#).contains("half a surrogate pair"));
        assert!(refusal(r#""\udc00""#).contains("half a surrogate pair"));
        assert!(refusal(r#""\x""#).contains("invalid escape"));
        assert!(refusal(r#""\u12g4""#).contains("invalid escape"));
        assert!(refusal("\"a\tb\"").contains("control character"));
    }

    #[test]
    fn refusals_say_what_and_where() {
        assert_eq!(refusal(""), "the text is not JSON (the text ends too early at line 1 column 1)");
        assert_eq!(refusal("{\n  \"a\": 1,\n}"), "the text is not JSON (a comma before the closing bracket at line 3 column 1)");
        assert!(refusal("[1,]").contains("a comma before the closing bracket at line 1 column 4"));
        assert!(refusal("{'a': 1}").contains("expected a field name in double quotes at line 1 column 2"));
        assert!(refusal("{\"a\" 1}").contains("expected `:`"));
        assert!(refusal("[1 2]").contains("expected `,` or `]`"));
        assert!(refusal("{\"a\":1 \"b\":2}").contains("expected `,` or `}`"));
        assert!(refusal("{} x").contains("more text after the value at line 1 column 4"));
        assert!(refusal("nul").contains("expected a value"));
        assert!(refusal("[é]").contains("expected a value at line 1 column 2"));
        assert!(refusal("é\n ü x").contains("expected a value at line 1 column 1"));
        for bad in ["01", "-", "1.", "1e", ".5", "+1", "1.e3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(refusal("[1, {\"a\": [").contains("ends too early"));
    }

    #[test]
    fn nesting_and_size_are_limited() {
        let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(parse(&deep(DEPTH_MAX)).is_ok());
        assert!(refusal(&deep(DEPTH_MAX + 1)).contains("nested too deep at line 1 column 129"));
        assert!(refusal(&deep(100_000)).contains("nested too deep"));
        let huge = format!("\"{}\"", "a".repeat(TEXT_MAX_BYTES));
        assert!(refusal(&huge).contains("holds at most"));
    }

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(position("ab\ncdé f", 0), (1, 1));
        assert_eq!(position("ab\ncdé f", 3), (2, 1));
        assert_eq!(position("ab\ncdé f", 8), (2, 5));
        assert_eq!(position("ab", 99), (1, 3), "past the end: the end");
    }

    #[test]
    fn writes_as_serde_json_pretty_did() {
        let value = Json::object(vec![
            ("version", Json::number(5)),
            ("empty", Json::new(Value::Array(vec![]))),
            ("nothing", Json::object(vec![])),
            ("list", Json::strings(["a".to_owned(), "q\"\\\u{1}\u{1f}\n\t\u{7f}é".to_owned()])),
            ("inner", Json::object(vec![("on", Json::new(Value::Bool(true))), ("off", Json::new(Value::Null))])),
        ]);
        let expected = "{\n  \"version\": 5,\n  \"empty\": [],\n  \"nothing\": {},\n  \"list\": [\n    \"a\",\n    \"q\\\"\\\\\\u0001\\u001f\\n\\t\u{7f}é\"\n  ],\n  \"inner\": {\n    \"on\": true,\n    \"off\": null\n  }\n}";
        assert_eq!(value.pretty(), expected);
        assert_eq!(parse(expected).unwrap().pretty(), expected, "what is written reads back the same");
    }
}
