//! Names the user gives: trusted-source groups and custom services.

use std::fmt;
use std::str::FromStr;

/// The longest name, in bytes.
pub const NAME_MAX_LEN: usize = 32;

/// A validated name for a group of trusted sources (`office`, `monitoring`) or a custom service
/// (`game-server`): 1 to [`NAME_MAX_LEN`] lower-case ASCII letters, digits, `-` and `_`, starting
/// with a letter or digit.
///
/// Names end up in rule comments and in shell scripts, so nothing else is accepted: no spaces,
/// quotes, `$` or non-ASCII letters that could look like something else.
///
/// # Examples
/// ```
/// use portcullis_engine::design::Name;
/// let office: Name = "office".parse().unwrap();
/// assert_eq!(office.as_str(), "office");
/// assert!("Office".parse::<Name>().unwrap_err().to_string().contains("try `office`"));
/// assert!("a b".parse::<Name>().is_err());
/// assert!("$(reboot)".parse::<Name>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(String);

/// Why a text is not a [`Name`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameError {
    text: String,
    kind: NameErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum NameErrorKind {
    Empty,
    TooLong,
    UpperCase,
    BadStart,
    BadCharacter(char),
}

impl NameError {
    /// The text that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match self.kind {
            NameErrorKind::Empty => f.write_str("a name is needed here"),
            NameErrorKind::TooLong => write!(f, "the name `{text}` is too long: use at most {NAME_MAX_LEN} characters"),
            NameErrorKind::UpperCase => write!(
                f,
                "the name `{text}` has upper-case letters: names use lower case, try `{}`",
                text.to_ascii_lowercase()
            ),
            NameErrorKind::BadStart => write!(f, "the name `{text}` must start with a letter or a digit"),
            NameErrorKind::BadCharacter(c) => write!(
                f,
                "the name `{text}` contains {}: use only lower-case letters, digits, `-` and `_`",
                super::quoted_char(c)
            ),
        }
    }
}

impl std::error::Error for NameError {}

impl Name {
    /// Validates `text` (surrounding blanks ignored).
    ///
    /// # Errors
    /// When the text is empty, too long, or holds anything but lower-case letters, digits, `-`
    /// and `_`, or starts with `-` or `_`.
    pub fn new(text: &str) -> Result<Self, NameError> {
        let trimmed = text.trim();
        let fail = |kind| {
            // Keep the message readable whatever was pasted.
            let shown: String = trimmed.chars().take(NAME_MAX_LEN + 8).collect();
            Err(NameError { text: shown, kind })
        };
        if trimmed.is_empty() {
            return fail(NameErrorKind::Empty);
        }
        if trimmed.len() > NAME_MAX_LEN {
            return fail(NameErrorKind::TooLong);
        }
        if let Some(bad) = trimmed.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_')) {
            return fail(NameErrorKind::BadCharacter(bad));
        }
        if trimmed.chars().any(|c| c.is_ascii_uppercase()) {
            return fail(NameErrorKind::UpperCase);
        }
        if trimmed.starts_with(['-', '_']) {
            return fail(NameErrorKind::BadStart);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Name {
    type Err = NameError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::new(text)
    }
}

impl TryFrom<String> for Name {
    type Error = NameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::new(&text)
    }
}

impl From<Name> for String {
    fn from(name: Name) -> Self {
        name.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        Name::new(text).unwrap_err().to_string()
    }

    #[test]
    fn good_names_are_kept() {
        for text in ["office", "monitoring", "app-servers", "db_2", "9lives", &"a".repeat(NAME_MAX_LEN)] {
            assert_eq!(Name::new(text).map(String::from).as_deref(), Ok(text));
        }
        assert_eq!(Name::new("  office ").unwrap().as_str(), "office");
    }

    #[test]
    fn refusals_say_why() {
        assert!(message("").contains("a name is needed"));
        assert!(message(&"a".repeat(NAME_MAX_LEN + 1)).contains("at most 32"));
        assert!(message("Office").contains("try `office`"));
        assert!(message("-office").contains("must start with a letter or a digit"));
        assert!(message("office berlin").contains("contains ' '"));
        assert!(message("o\"ffice").contains("contains '\"'"));
        assert!(message("$(reboot)").contains("contains '$'"));
        assert!(message("bü").contains("contains 'ü'"));
        assert!(message("a\nb").contains("contains '\\n'"));
    }

    #[test]
    fn design_files_validate_too() {
        let file = |name: &str| format!(r#"{{"version":5,"groups":[{{"name":"{name}","sources":[]}}]}}"#);
        assert!(crate::design::Design::from_json(&file("Office")).is_err());
        let design = crate::design::Design::from_json(&file("office")).unwrap();
        assert_eq!(design.groups().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), ["office"]);
    }
}
