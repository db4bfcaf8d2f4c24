//! Rules and their comments.

use ipnet::IpNet;

use super::{Counters, Interface, Module, Negated, Protocol, Target};
use crate::diagnostic::Span;

/// The longest comment the kernel's `comment` match stores, in bytes.
pub const COMMENT_MAX_BYTES: usize = 255;

/// A rule comment that is safe to print anywhere: printable ASCII without quotes, backslashes,
/// `$` or backticks, at most [`COMMENT_MAX_BYTES`] bytes. Anything else the user typed is replaced,
/// so no comment can break out of its quotes in a save file or a shell script.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Comment(String);

impl Comment {
    /// Sanitizes `text` into a comment.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::Comment;
    /// assert_eq!(Comment::sanitize("SSH \"admin\" $(reboot)").as_str(), "SSH 'admin' _(reboot)");
    /// ```
    pub fn sanitize(text: &str) -> Self {
        let mut clean: String = text
            .chars()
            .map(|c| match c {
                '"' | '`' => '\'',
                '\\' | '$' => '_',
                ' '..='~' => c,
                _ => '?',
            })
            .collect();
        clean.truncate(COMMENT_MAX_BYTES); // all ASCII, so any index is a char boundary
        Self(clean)
    }

    /// The sanitized text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One rule: the base matches (`-s -d -i -o -p -f`), match modules in order, and a target
/// (a rule without one only counts packets).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Rule {
    /// `-s`
    pub source: Option<Negated<IpNet>>,
    /// `-d`
    pub destination: Option<Negated<IpNet>>,
    /// `-i`
    pub in_interface: Option<Negated<Interface>>,
    /// `-o`
    pub out_interface: Option<Negated<Interface>>,
    /// `-p`
    pub protocol: Option<Negated<Protocol>>,
    /// `-f` (`Some(false)`) or `! -f` (`Some(true)`): second and later fragments only, or never.
    pub fragment: Option<bool>,
    /// `-m …` modules in the order they are evaluated and printed.
    pub modules: Vec<Module>,
    /// `-j` / `-g`.
    pub target: Option<Target>,
    /// Counters read from `[packets:bytes]`.
    pub counters: Option<Counters>,
    /// Where the rule was read from, for diagnostics.
    pub origin: Option<Span>,
}

impl Rule {
    /// A rule that takes `target` for every packet.
    pub fn new(target: Target) -> Self {
        Self { target: Some(target), ..Self::default() }
    }

    /// The rule with its comment set (sanitized).
    #[must_use]
    pub fn commented(mut self, comment: &Comment) -> Self {
        self.modules.push(Module::Comment(comment.as_str().to_owned()));
        self
    }

    /// The rule without counters and origin: what it means, not where it was read.
    #[must_use]
    pub fn meaning(&self) -> Rule {
        Rule { counters: None, origin: None, ..self.clone() }
    }
}
