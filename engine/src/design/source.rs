//! Trusted sources: the addresses a service is restricted to.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use ipnet::IpNet;

use crate::model::Family;

/// A validated trusted source: one IPv4/IPv6 address, a network in CIDR notation, or a range of
/// addresses `first-last` of one family.
///
/// Unlike iptables, which silently masks `203.0.113.7/24` to `203.0.113.0/24`, a design refuses a
/// network with host bits set: such a typo would open the service to 255 more addresses. A range
/// must not be reversed and must not mix IPv4 and IPv6.
///
/// # Examples
/// ```
/// use portcullis_engine::design::Source;
/// let office: Source = "203.0.113.7".parse().unwrap();
/// assert_eq!(office.to_string(), "203.0.113.7/32");
/// assert!("203.0.113.7/24".parse::<Source>().is_err());
/// assert!("2001:db8::/32".parse::<Source>().is_ok());
/// let desks: Source = "198.51.100.10 - 198.51.100.20".parse().unwrap();
/// assert_eq!(desks.to_string(), "198.51.100.10-198.51.100.20");
/// assert!("198.51.100.20-198.51.100.10".parse::<Source>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source(SourceKind);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum SourceKind {
    Net(IpNet),
    Range(AddressRange),
}

/// An inclusive range of addresses of one family, `first <= last`: what `-m iprange
/// --src-range` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AddressRange {
    first: IpAddr,
    last: IpAddr,
}

impl AddressRange {
    /// The first address of the range.
    pub fn first(self) -> IpAddr {
        self.first
    }

    /// The last address of the range.
    pub fn last(self) -> IpAddr {
        self.last
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// Why a text is not a trusted source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceError {
    text: String,
    kind: SourceErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum SourceErrorKind {
    Empty,
    NotAnAddress,
    BadPrefix,
    HostBitsSet { network: IpNet, host: IpNet },
    MixedRange,
    ReversedRange,
}

impl SourceError {
    /// The text that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = super::shown(&self.text);
        match &self.kind {
            SourceErrorKind::Empty => f.write_str("an address is needed here"),
            SourceErrorKind::NotAnAddress => write!(
                f,
                "`{text}` is not an IP address, network or range (examples: 203.0.113.7, 198.51.100.0/24, 2001:db8::/32, 198.51.100.10-198.51.100.20)"
            ),
            SourceErrorKind::BadPrefix => write!(
                f,
                "`{text}` has an invalid prefix length (IPv4 allows /0 to /32, IPv6 /0 to /128)"
            ),
            SourceErrorKind::HostBitsSet { network, host } => write!(
                f,
                "`{text}` has host bits set: write {network} for the whole network or {host} for one address"
            ),
            SourceErrorKind::MixedRange => {
                write!(f, "`{text}` mixes an IPv4 and an IPv6 address; a range stays within one family")
            }
            SourceErrorKind::ReversedRange => {
                write!(f, "`{text}` is reversed: write the lower address first")
            }
        }
    }
}

impl std::error::Error for SourceError {}

impl Source {
    /// The network this source is, unless it is a range.
    pub fn net(self) -> Option<IpNet> {
        match self.0 {
            SourceKind::Net(net) => Some(net),
            SourceKind::Range(_) => None,
        }
    }

    /// The range of addresses this source is, unless it is a network.
    pub fn range(self) -> Option<AddressRange> {
        match self.0 {
            SourceKind::Net(_) => None,
            SourceKind::Range(range) => Some(range),
        }
    }

    /// The address family of this source.
    pub fn family(self) -> Family {
        let address = match self.0 {
            SourceKind::Net(net) => net.addr(),
            SourceKind::Range(range) => range.first,
        };
        if address.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    /// Sources as people write them: comma separated, addresses without `/32` or `/128`; what
    /// [`Source::parse_list`] reads back.
    ///
    /// ```
    /// use portcullis_engine::design::Source;
    /// let sources = Source::parse_list("203.0.113.7/32 2001:db8::/32").unwrap();
    /// assert_eq!(Source::list_text(&sources), "203.0.113.7, 2001:db8::/32");
    /// ```
    pub fn list_text(sources: &[Source]) -> String {
        sources
            .iter()
            .map(|source| match source.net() {
                Some(net) if net.prefix_len() == net.max_prefix_len() => net.addr().to_string(),
                _ => source.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Parses a list of sources separated by commas and/or whitespace; empty text is an empty list.
    ///
    /// # Errors
    /// The first item that is not a valid source.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::design::Source;
    /// let list = Source::parse_list("203.0.113.7, 2001:db8::/32").unwrap();
    /// assert_eq!(list.len(), 2);
    /// assert!(Source::parse_list("").unwrap().is_empty());
    /// assert!(Source::parse_list("203.0.113.7, nonsense").is_err());
    /// ```
    pub fn parse_list(text: &str) -> Result<Vec<Source>, SourceError> {
        text.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|item| !item.is_empty())
            .map(str::parse)
            .collect()
    }
}

impl FromStr for Source {
    type Err = SourceError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let fail = |kind| Err(SourceError { text: trimmed.to_owned(), kind });
        if trimmed.is_empty() {
            return fail(SourceErrorKind::Empty);
        }
        if let Some((first, last)) = trimmed.split_once('-') {
            let (Ok(first), Ok(last)) = (first.trim().parse::<IpAddr>(), last.trim().parse::<IpAddr>()) else {
                return fail(SourceErrorKind::NotAnAddress);
            };
            if first.is_ipv4() != last.is_ipv4() {
                return fail(SourceErrorKind::MixedRange);
            }
            if first > last {
                return fail(SourceErrorKind::ReversedRange);
            }
            return Ok(Self(SourceKind::Range(AddressRange { first, last })));
        }
        let net = match trimmed.split_once('/') {
            None => match trimmed.parse::<IpAddr>() {
                Ok(addr) => IpNet::from(addr),
                Err(_) => return fail(SourceErrorKind::NotAnAddress),
            },
            Some((addr, prefix)) => {
                let Ok(addr) = addr.parse::<IpAddr>() else {
                    return fail(SourceErrorKind::NotAnAddress);
                };
                let Ok(prefix) = prefix.parse::<u8>() else {
                    return fail(SourceErrorKind::BadPrefix);
                };
                match IpNet::new(addr, prefix) {
                    Ok(net) => net,
                    Err(_) => return fail(SourceErrorKind::BadPrefix),
                }
            }
        };
        if net.trunc() != net {
            return fail(SourceErrorKind::HostBitsSet { network: net.trunc(), host: IpNet::from(net.addr()) });
        }
        Ok(Self(SourceKind::Net(net)))
    }
}

impl TryFrom<String> for Source {
    type Error = SourceError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<Source> for String {
    fn from(source: Source) -> Self {
        source.to_string()
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            SourceKind::Net(net) => write!(f, "{net}"),
            SourceKind::Range(range) => write!(f, "{range}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_addresses_become_host_networks() {
        assert_eq!("203.0.113.7".parse::<Source>().unwrap().to_string(), "203.0.113.7/32");
        assert_eq!(" 2001:db8::7 ".parse::<Source>().unwrap().to_string(), "2001:db8::7/128");
    }

    #[test]
    fn refusals_say_why() {
        let message = |text: &str| text.parse::<Source>().unwrap_err().to_string();
        assert!(message("203.0.113.7/24").contains("write 203.0.113.0/24"));
        assert!(message("203.0.113.7/24").contains("203.0.113.7/32 for one address"));
        assert!(message("203.0.113.0/33").contains("invalid prefix length"));
        assert!(message("203.0.113.0/x").contains("invalid prefix length"));
        assert!(message("example.com").contains("is not an IP address"));
        assert!(message("256.1.1.1").contains("is not an IP address"));
        assert!(message("").contains("an address is needed"));
    }

    #[test]
    fn lists_split_on_commas_and_spaces() {
        let list = Source::parse_list(" 203.0.113.7,198.51.100.0/24\n2001:db8::/32 ,").unwrap();
        let shown: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["203.0.113.7/32", "198.51.100.0/24", "2001:db8::/32"]);
        let error = Source::parse_list("203.0.113.7, 203.0.113.300").unwrap_err();
        assert_eq!(error.text(), "203.0.113.300");
    }

    #[test]
    fn ranges_stay_within_one_family_and_in_order() {
        let range: Source = "2001:db8::10-2001:db8::1f".parse().unwrap();
        assert_eq!(range.family(), Family::V6);
        assert_eq!(range.net(), None);
        assert_eq!(range.range().map(|range| range.last().to_string()).as_deref(), Some("2001:db8::1f"));
        let single: Source = "198.51.100.7-198.51.100.7".parse().unwrap();
        assert_eq!(single.to_string(), "198.51.100.7-198.51.100.7");
        assert_eq!(single.family(), Family::V4);
        let message = |text: &str| text.parse::<Source>().unwrap_err().to_string();
        assert!(message("198.51.100.20-198.51.100.10").contains("is reversed"));
        assert!(message("198.51.100.1-2001:db8::1").contains("mixes an IPv4 and an IPv6"));
        assert!(message("198.51.100.1-").contains("is not an IP address"));
        assert!(message("198.51.100.0/24-198.51.100.255").contains("is not an IP address"));
        assert!(message("a-b").contains("is not an IP address"));
    }

    #[test]
    fn design_files_validate_too() {
        let file = |source: &str| format!(r#"{{"version":5,"block_list":["{source}"]}}"#);
        assert!(crate::design::Design::from_json(&file("203.0.113.7/24")).is_err());
        let design = crate::design::Design::from_json(&file("198.51.100.0/24")).unwrap();
        assert!(design.to_json().contains("\n  \"block_list\": [\n    \"198.51.100.0/24\"\n  ]"), "{}", design.to_json());
    }
}
