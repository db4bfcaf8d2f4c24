//! Interface names the user types: where a service listens (`eth1`), where NAT applies.

use std::fmt;
use std::str::FromStr;

use crate::model::Interface;

/// A validated network interface name for a design: `eth1`, `ens3`, `wg0`, `br-lan`,
/// `eth0.100`, or a prefix with iptables' wildcard `eth+`.
///
/// The importer reads any name iptables reads ([`Interface::new`]: 1 to 15 bytes, no NUL or
/// newline); a design is stricter because its names reach rule comments, shell scripts and nft
/// strings: ASCII letters, digits, `-`, `_` and `.` only (the kernel itself refuses `/`, `:` and
/// whitespace, and the names `.` and `..`), optionally ending in `+`.
///
/// # Examples
/// ```
/// use portcullis_engine::design::InterfaceName;
/// let private: InterfaceName = "eth1".parse().unwrap();
/// assert_eq!(private.as_str(), "eth1");
/// assert!("eth+".parse::<InterfaceName>().is_ok());
/// assert!("a-name-over-15-bytes".parse::<InterfaceName>().unwrap_err().to_string().contains("15"));
/// assert!("eth 1".parse::<InterfaceName>().is_err());
/// assert!("..".parse::<InterfaceName>().is_err());
/// assert!("eth0/1".parse::<InterfaceName>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InterfaceName(String);

/// Why a text is not an [`InterfaceName`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceNameError {
    text: String,
    kind: InterfaceNameErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum InterfaceNameErrorKind {
    Empty,
    TooLong,
    Dots,
    BadCharacter(char),
    WildcardOnly,
}

impl fmt::Display for InterfaceNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = &self.text;
        match self.kind {
            InterfaceNameErrorKind::Empty => f.write_str("an interface name is needed here (e.g. eth1)"),
            InterfaceNameErrorKind::TooLong => {
                write!(f, "the interface name `{text}` is too long: Linux allows at most 15 characters")
            }
            InterfaceNameErrorKind::Dots => write!(f, "`{text}` cannot be an interface name"),
            InterfaceNameErrorKind::BadCharacter(c) => write!(
                f,
                "the interface name `{text}` holds {}: use letters, digits, `-`, `_` and `.` (and `+` at the end for every interface starting with the name)",
                super::quoted_char(c)
            ),
            InterfaceNameErrorKind::WildcardOnly => {
                write!(f, "`{text}` matches every interface: leave the interfaces out instead")
            }
        }
    }
}

impl std::error::Error for InterfaceNameError {}

impl InterfaceName {
    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as the iptables model holds it.
    pub fn to_interface(&self) -> Interface {
        Interface::new(&self.0).unwrap_or_else(|error| unreachable!("a design interface name is a valid iptables one: {error}"))
    }
}

impl FromStr for InterfaceName {
    type Err = InterfaceNameError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |kind| Err(InterfaceNameError { text: text.chars().take(40).collect(), kind });
        let stem = text.strip_suffix('+').unwrap_or(text);
        if text.is_empty() {
            return fail(InterfaceNameErrorKind::Empty);
        }
        if stem.is_empty() {
            return fail(InterfaceNameErrorKind::WildcardOnly);
        }
        if let Some(bad) = stem.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))) {
            return fail(InterfaceNameErrorKind::BadCharacter(bad));
        }
        if stem == "." || stem == ".." {
            return fail(InterfaceNameErrorKind::Dots);
        }
        // The same limit the importer applies (IFNAMSIZ less the terminating NUL).
        if Interface::new(text).is_err() {
            return fail(InterfaceNameErrorKind::TooLong);
        }
        Ok(Self(text.to_owned()))
    }
}

impl TryFrom<String> for InterfaceName {
    type Error = InterfaceNameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<InterfaceName> for String {
    fn from(name: InterfaceName) -> Self {
        name.0
    }
}

impl fmt::Display for InterfaceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        text.parse::<InterfaceName>().unwrap_err().to_string()
    }

    #[test]
    fn names_follow_the_kernel_and_stay_inert() {
        for good in ["eth0", "ens3", "wg0", "br-lan", "eth0.100", "veth_a", "eth+", "abcdefghijklmno"] {
            assert_eq!(good.parse::<InterfaceName>().map(String::from), Ok(good.to_owned()));
        }
        assert!(refusal("").contains("needed"));
        assert!(refusal("abcdefghijklmnop").contains("at most 15"));
        assert!(refusal(".").contains("cannot be"));
        assert!(refusal("..").contains("cannot be"));
        assert!(refusal("+").contains("every interface"));
        for (bad, c) in [("eth 0", "' '"), ("eth0/1", "'/'"), ("eth0:1", "':'"), ("e\"$(x)", "'\"'"), ("ethé", "'é'"), ("eth\t", "'\\t'")] {
            assert!(refusal(bad).contains(c), "{bad}: {}", refusal(bad));
        }
        let file = r#"{"version":5,"services":[{"service":"ssh","interfaces":["eth 1"]}]}"#;
        assert!(crate::design::Design::from_json(file).unwrap_err().to_string().contains("holds ' '"));
        assert_eq!("eth+".parse::<InterfaceName>().unwrap().to_interface().as_str(), "eth+");
    }
}
