//! Rules, their targets and their comments.

use std::fmt;

use super::Match;

/// The longest comment the kernel's `comment` match stores, in bytes.
pub const COMMENT_MAX_BYTES: usize = 255;

/// What a rule does with a packet it matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// `-j ACCEPT`
    Accept,
    /// `-j DROP`
    Drop,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
        })
    }
}

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

/// One rule: every match must hold for the target to be taken.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Rule {
    /// Conditions, in the order they are printed and evaluated.
    pub matches: Vec<Match>,
    /// Why the rule exists, printed with `-m comment`.
    pub comment: Option<Comment>,
    /// What happens to a matching packet.
    pub target: Target,
}
