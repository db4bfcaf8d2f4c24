//! Shell scripts of iptables commands, as the tutorials write them:
//!
//! ```sh
//! IPT=/sbin/iptables
//! $IPT -F
//! sudo iptables -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT   # comments are fine
//! ip6tables -P INPUT DROP; ip6tables -A INPUT -i lo -j ACCEPT
//! ```
//!
//! Words follow the shell: single quotes are literal, double quotes allow `\"`, `\\`, `\$`;
//! a backslash outside quotes escapes the next character, and before a newline joins lines;
//! `#` starts a comment; `;`, `&&` and `||` separate commands; `NAME=value` lines assign variables
//! that later `$NAME` / `${NAME}` expand. Other commands are reported (info) and skipped. The
//! result is what the script leaves behind when run on an empty firewall.

use std::collections::BTreeMap;

use super::chain_index::ChainIndex;
use super::commands::apply;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::{Family, Ruleset, TableName};
use crate::syntax::Word;

/// Programs that run iptables, and their family.
const PROGRAMS: &[(&str, Family)] = &[
    ("iptables", Family::V4),
    ("iptables-legacy", Family::V4),
    ("iptables-nft", Family::V4),
    ("ip6tables", Family::V6),
    ("ip6tables-legacy", Family::V6),
    ("ip6tables-nft", Family::V6),
];

/// Reads a script into `rulesets` (IPv4 first, then IPv6), calling `after` with each iptables
/// command's span and the ruleset it changed, as that command leaves it.
pub(crate) fn read(text: &str, rulesets: &mut [Ruleset; 2], diagnostics: &mut Vec<Diagnostic>, after: &mut dyn FnMut(Span, &Ruleset)) {
    let mut variables: BTreeMap<String, String> = BTreeMap::new();
    let mut indexes = [ChainIndex::default(), ChainIndex::default()];
    for (words, span) in commands(text, diagnostics) {
        let expanded = expand(&words, &variables, diagnostics);
        if let [only] = expanded.as_slice() {
            if let Some((name, value)) = assignment(&only.text) {
                variables.insert(name.to_owned(), value.to_owned());
                continue;
            }
        }
        let mut rest = expanded.as_slice();
        while rest.first().is_some_and(|word| word.text == "sudo") {
            rest = &rest[1..];
            while rest.first().is_some_and(|word| word.text.starts_with('-')) {
                rest = &rest[1..];
            }
        }
        let Some(program) = rest.first() else { continue };
        let base = program.text.rsplit('/').next().unwrap_or_default();
        match PROGRAMS.iter().find(|(name, _)| *name == base) {
            Some((_, family)) => {
                let index = usize::from(*family == Family::V6);
                apply(&mut rulesets[index], &mut indexes[index], TableName::Filter, &rest[1..], span, diagnostics);
                after(span, &rulesets[index]);
            }
            None => diagnostics.push(
                Diagnostic::new(Code::NotIptables, span, format!("`{}` is not an iptables command; skipped", program.text))
                    .with_help("only iptables and ip6tables commands change the firewall this script builds"),
            ),
        }
    }
}

fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    valid.then_some((name, value))
}

/// A word while it is being read: its text, where variables may be expanded.
#[derive(Debug, Clone)]
struct Piece {
    text: String,
    /// Byte ranges of `text` that are literal (single-quoted or escaped): no expansion there.
    literal: Vec<(usize, usize)>,
    span: Span,
}

impl Piece {
    fn at(offset: usize) -> Self {
        Self { text: String::new(), literal: Vec::new(), span: Span::new(offset, offset) }
    }
}

fn expand(words: &[Piece], variables: &BTreeMap<String, String>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Word<'static>> {
    words
        .iter()
        .map(|piece| {
            let mut out = String::new();
            let text = piece.text.as_str();
            let mut index = 0;
            while index < text.len() {
                let literal = piece.literal.iter().any(|(start, end)| (*start..*end).contains(&index));
                let rest = &text[index..];
                if !literal && rest.starts_with('$') {
                    let (name, used) = if let Some(braced) = rest.strip_prefix("${") {
                        match braced.find('}') {
                            Some(end) => (&braced[..end], end + 3),
                            None => ("", 1),
                        }
                    } else {
                        let length = rest[1..].find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len() - 1);
                        (&rest[1..=length], length + 1)
                    };
                    if !name.is_empty() {
                        match variables.get(name) {
                            Some(value) => out.push_str(value),
                            None => {
                                diagnostics.push(
                                    Diagnostic::new(Code::UnresolvedVariable, piece.span, format!("`${name}` is never assigned in this script"))
                                        .with_help(format!("assign it (`{name}=value`) before use; it is kept as written")),
                                );
                                out.push_str(&rest[..used]);
                            }
                        }
                        index += used;
                        continue;
                    }
                }
                let c = rest.chars().next().unwrap_or_default();
                out.push(c);
                index += c.len_utf8();
            }
            Word { text: out.into(), span: piece.span }
        })
        .collect()
}

/// Splits the script into commands of shell words, each with the span of its whole command.
fn commands(text: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<(Vec<Piece>, Span)> {
    let mut commands = Vec::new();
    let mut words: Vec<Piece> = Vec::new();
    let mut current: Option<Piece> = None;
    let mut command_start: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    let finish_word = |current: &mut Option<Piece>, words: &mut Vec<Piece>, end: usize| {
        if let Some(mut piece) = current.take() {
            piece.span.end = end;
            words.push(piece);
        }
    };
    while let Some((at, c)) = chars.next() {
        if !c.is_whitespace() && c != '#' {
            command_start.get_or_insert(at);
        }
        match c {
            '\\' => match chars.next() {
                Some((_, '\n')) | None => {}
                Some((_, escaped)) => {
                    let piece = current.get_or_insert_with(|| Piece::at(at));
                    let start = piece.text.len();
                    piece.text.push(escaped);
                    piece.literal.push((start, piece.text.len()));
                }
            },
            '\'' => {
                let piece = current.get_or_insert_with(|| Piece::at(at));
                let start = piece.text.len();
                let mut closed = false;
                for (_, inner) in chars.by_ref() {
                    if inner == '\'' {
                        closed = true;
                        break;
                    }
                    piece.text.push(inner);
                }
                piece.literal.push((start, piece.text.len()));
                if !closed {
                    diagnostics.push(Diagnostic::new(Code::UnterminatedQuote, Span::new(at, text.len()), "this single quote is never closed"));
                }
            }
            '"' => {
                let piece = current.get_or_insert_with(|| Piece::at(at));
                let mut closed = false;
                while let Some((_, inner)) = chars.next() {
                    match inner {
                        '"' => {
                            closed = true;
                            break;
                        }
                        '\\' => match chars.peek().map(|(_, next)| *next) {
                            Some(next @ ('"' | '\\' | '$' | '`')) => {
                                chars.next();
                                let start = piece.text.len();
                                piece.text.push(next);
                                piece.literal.push((start, piece.text.len()));
                            }
                            Some('\n') => {
                                chars.next();
                            }
                            _ => piece.text.push('\\'),
                        },
                        other => piece.text.push(other),
                    }
                }
                if !closed {
                    diagnostics.push(Diagnostic::new(Code::UnterminatedQuote, Span::new(at, text.len()), "this double quote is never closed"));
                }
            }
            '#' if current.is_none() => {
                while chars.peek().is_some_and(|(_, next)| *next != '\n') {
                    chars.next();
                }
            }
            ' ' | '\t' | '\r' => finish_word(&mut current, &mut words, at),
            '\n' | ';' | '&' | '|' => {
                finish_word(&mut current, &mut words, at);
                if matches!(c, '&' | '|') && chars.peek().is_some_and(|(_, next)| *next == c) {
                    chars.next();
                }
                if !words.is_empty() {
                    let start = command_start.unwrap_or(at);
                    commands.push((std::mem::take(&mut words), Span::new(start, at)));
                }
                command_start = None;
            }
            other => current.get_or_insert_with(|| Piece::at(at)).text.push(other),
        }
    }
    finish_word(&mut current, &mut words, text.len());
    if !words.is_empty() {
        commands.push((words, Span::new(command_start.unwrap_or(0), text.len())));
    }
    commands
}
