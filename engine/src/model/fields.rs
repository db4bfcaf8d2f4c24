//! Matches on fields of the packet itself, which a simulator decides exactly: address ranges,
//! MAC address, address types, firewall marks, length, TTL / hop limit, packet type, bridge ports.
//! Each value type parses what iptables accepts and prints what `iptables-save` prints.

use std::fmt;
use std::net::IpAddr;

use super::{Interface, Negated};

/// Prints ` [!] FLAG VALUE` when `value` is set.
pub(crate) fn write_option<T: fmt::Display>(f: &mut fmt::Formatter<'_>, flag: &str, value: Option<&Negated<T>>) -> fmt::Result {
    match value {
        Some(Negated { negated: true, value }) => write!(f, " ! {flag} {value}"),
        Some(Negated { negated: false, value }) => write!(f, " {flag} {value}"),
        None => Ok(()),
    }
}

/// Prints an inclusive range as iptables does: the single value when both ends are equal, else
/// `FIRST{separator}LAST` (`:` for match ports and lengths, `-` for NAT ports and ids).
pub(crate) fn write_range<T: fmt::Display + PartialEq + Copy>(f: &mut fmt::Formatter<'_>, first: T, last: T, separator: char) -> fmt::Result {
    if first == last {
        write!(f, "{first}")
    } else {
        write!(f, "{first}{separator}{last}")
    }
}

/// Prints ` [!] FLAG` for a negatable flag without value.
pub(crate) fn write_flag(f: &mut fmt::Formatter<'_>, flag: &str, value: Option<bool>) -> fmt::Result {
    match value {
        Some(true) => write!(f, " ! {flag}"),
        Some(false) => write!(f, " {flag}"),
        None => Ok(()),
    }
}

/// An unsigned number as C's `strtoul(…, 0)` reads it: `0x` hex, leading `0` octal, else decimal.
///
/// # Examples
/// ```
/// use portcullis_engine::model::parse_c_number;
/// assert_eq!(parse_c_number("0x10"), Some(16));
/// assert_eq!(parse_c_number("010"), Some(8));
/// assert_eq!(parse_c_number("-1"), None);
/// ```
pub fn parse_c_number(text: &str) -> Option<u64> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        (hex, 16)
    } else if text.len() > 1 && text.starts_with('0') {
        (&text[1..], 8)
    } else {
        (text, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// An inclusive address range `FIRST-LAST` (`-m iprange`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressRange {
    /// First address.
    pub first: IpAddr,
    /// Last address (a range with `last < first` is accepted by iptables and never matches).
    pub last: IpAddr,
}

impl AddressRange {
    /// Reads `a-b` (or a single address) of one family.
    ///
    /// # Errors
    /// When either side is not an address, or the two are of different families.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (first, last) = text.split_once('-').unwrap_or((text, text));
        let address = |part: &str| part.parse::<IpAddr>().map_err(|_| format!("`{part}` is not an IP address"));
        let (first, last) = (address(first)?, address(last)?);
        if first.is_ipv4() != last.is_ipv4() {
            return Err(format!("`{text}` mixes IPv4 and IPv6"));
        }
        Ok(Self { first, last })
    }

    /// Whether `address` lies in the range.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.first <= address && address <= self.last
    }
}

impl fmt::Display for AddressRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// `-m iprange`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IpRange {
    /// `--src-range`
    pub source: Option<Negated<AddressRange>>,
    /// `--dst-range`
    pub destination: Option<Negated<AddressRange>>,
}

impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_option(f, "--src-range", self.source.as_ref())?;
        write_option(f, "--dst-range", self.destination.as_ref())
    }
}

/// An Ethernet address (`-m mac --mac-source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacAddress(pub [u8; 6]);

impl MacAddress {
    /// Reads six `:`-separated hex bytes (one or two digits each, any case).
    ///
    /// # Errors
    /// When the text is not a MAC address.
    pub fn parse(text: &str) -> Result<Self, String> {
        let parts: Vec<&str> = text.split(':').collect();
        let bad = || format!("`{text}` is not a MAC address (six hex bytes like 02:00:5e:10:00:01)");
        if parts.len() != 6 {
            return Err(bad());
        }
        let mut bytes = [0; 6];
        for (byte, part) in bytes.iter_mut().zip(parts) {
            if part.is_empty() || part.len() > 2 {
                return Err(bad());
            }
            *byte = u8::from_str_radix(part, 16).map_err(|_| bad())?;
        }
        Ok(Self(bytes))
    }
}

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hex: Vec<String> = self.0.iter().map(|byte| format!("{byte:02x}")).collect();
        f.write_str(&hex.join(":"))
    }
}

/// Routing address types (`-m addrtype`), in the kernel's bit order.
pub const ADDRESS_TYPES: [&str; 12] = [
    "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW",
    "NAT", "XRESOLVE",
];

/// A set of address types, one bit per entry of [`ADDRESS_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AddressTypes(pub u16);

impl AddressTypes {
    /// Reads a comma-separated list of type names (any case).
    ///
    /// # Errors
    /// When a name is not an address type.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut bits = 0;
        for name in text.split(',') {
            let index = ADDRESS_TYPES.iter().position(|known| known.eq_ignore_ascii_case(name)).ok_or_else(|| {
                format!("`{name}` is not an address type ({})", ADDRESS_TYPES.join(", "))
            })?;
            bits |= 1 << index;
        }
        Ok(Self(bits))
    }

    /// Whether the set holds `name`.
    pub fn contains(self, name: &str) -> bool {
        ADDRESS_TYPES.iter().position(|known| *known == name).is_some_and(|index| self.0 & (1 << index) != 0)
    }
}

impl fmt::Display for AddressTypes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> =
            ADDRESS_TYPES.iter().enumerate().filter(|(index, _)| self.0 & (1 << index) != 0).map(|(_, name)| *name).collect();
        f.write_str(&names.join(","))
    }
}

/// Which interface `-m addrtype` looks addresses up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitInterface {
    /// `--limit-iface-in` (not in OUTPUT / POSTROUTING)
    In,
    /// `--limit-iface-out` (not in PREROUTING / INPUT)
    Out,
}

/// `-m addrtype`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddrType {
    /// `--src-type`
    pub source: Option<Negated<AddressTypes>>,
    /// `--dst-type`
    pub destination: Option<Negated<AddressTypes>>,
    /// `--limit-iface-in` / `--limit-iface-out`
    pub limit_interface: Option<LimitInterface>,
}

impl fmt::Display for AddrType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_option(f, "--src-type", self.source.as_ref())?;
        write_option(f, "--dst-type", self.destination.as_ref())?;
        match self.limit_interface {
            Some(LimitInterface::In) => f.write_str(" --limit-iface-in"),
            Some(LimitInterface::Out) => f.write_str(" --limit-iface-out"),
            None => Ok(()),
        }
    }
}

/// A 32-bit mark and mask, `VALUE[/MASK]` (`-m mark`, `-m connmark`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MarkValue {
    /// Compared after masking.
    pub value: u32,
    /// Bits compared (all by default).
    pub mask: u32,
}

impl MarkValue {
    /// Reads `VALUE[/MASK]`, numbers as `strtoul` reads them.
    ///
    /// # Errors
    /// When a part is not a 32-bit unsigned number.
    pub fn parse(text: &str) -> Result<Self, String> {
        let number = |part: &str| {
            parse_c_number(part)
                .and_then(|value| u32::try_from(value).ok())
                .ok_or_else(|| format!("`{part}` is not a 32-bit mark (decimal, 0x hex or 0 octal)"))
        };
        match text.split_once('/') {
            Some((value, mask)) => Ok(Self { value: number(value)?, mask: number(mask)? }),
            None => Ok(Self { value: number(text)?, mask: u32::MAX }),
        }
    }
}

impl fmt::Display for MarkValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:x}", self.value)?;
        if self.mask != u32::MAX {
            write!(f, "/0x{:x}", self.mask)?;
        }
        Ok(())
    }
}

/// An inclusive `u16` range printed `N` or `MIN:MAX` (`-m length`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LengthRange {
    /// Smallest length.
    pub min: u16,
    /// Largest length (smaller than `min`: accepted, never matches).
    pub max: u16,
}

impl LengthRange {
    /// Reads `N`, `MIN:MAX`, `MIN:` or `:MAX`.
    ///
    /// # Errors
    /// When a bound is not a number from 0 to 65535.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bound = |part: &str, default: u16| {
            if part.is_empty() {
                return Ok(default);
            }
            part.parse::<u16>().map_err(|_| format!("`{part}` is not a length from 0 to 65535"))
        };
        match text.split_once(':') {
            Some((min, max)) => Ok(Self { min: bound(min, 0)?, max: bound(max, u16::MAX)? }),
            None if text.is_empty() => Err("the length is missing".to_owned()),
            None => bound(text, 0).map(|value| Self { min: value, max: value }),
        }
    }
}

impl fmt::Display for LengthRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_range(f, self.min, self.max, ':')
    }
}

/// How `-m ttl` / `-m hl` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TtlComparison {
    /// `--ttl-eq`
    Equal,
    /// `! --ttl-eq`
    NotEqual,
    /// `--ttl-lt`
    LessThan,
    /// `--ttl-gt`
    GreaterThan,
}

/// `-m ttl` (IPv4) or `-m hl` (IPv6 hop limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TtlMatch {
    /// The comparison.
    pub comparison: TtlComparison,
    /// The value compared with.
    pub value: u8,
}

impl TtlMatch {
    /// Prints the options with `prefix` `ttl` or `hl`.
    pub(crate) fn write(self, f: &mut fmt::Formatter<'_>, prefix: &str) -> fmt::Result {
        let value = self.value;
        match self.comparison {
            TtlComparison::Equal => write!(f, " --{prefix}-eq {value}"),
            TtlComparison::NotEqual => write!(f, " ! --{prefix}-eq {value}"),
            TtlComparison::LessThan => write!(f, " --{prefix}-lt {value}"),
            TtlComparison::GreaterThan => write!(f, " --{prefix}-gt {value}"),
        }
    }
}

/// Link-layer packet type (`-m pkttype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PacketType {
    /// `unicast` (also read as `host`): addressed to this host.
    Unicast,
    /// `broadcast`
    Broadcast,
    /// `multicast`
    Multicast,
    /// `otherhost`: addressed to another host (promiscuous mode).
    OtherHost,
}

impl PacketType {
    /// Reads a packet type name (any case).
    ///
    /// # Errors
    /// When the name is not one iptables accepts.
    pub fn parse(text: &str) -> Result<Self, String> {
        Ok(match text.to_ascii_lowercase().as_str() {
            "unicast" | "host" => Self::Unicast,
            "broadcast" => Self::Broadcast,
            "multicast" => Self::Multicast,
            "otherhost" => Self::OtherHost,
            _ => return Err(format!("`{text}` is not a packet type (unicast, broadcast, multicast, otherhost)")),
        })
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unicast => "unicast",
            Self::Broadcast => "broadcast",
            Self::Multicast => "multicast",
            Self::OtherHost => "otherhost",
        })
    }
}

/// `-m physdev`: the bridge ports of a bridged packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Physdev {
    /// `--physdev-in`
    pub input: Option<Negated<Interface>>,
    /// `--physdev-out`
    pub output: Option<Negated<Interface>>,
    /// `--physdev-is-in` (`Some(true)` when negated)
    pub is_in: Option<bool>,
    /// `--physdev-is-out`
    pub is_out: Option<bool>,
    /// `--physdev-is-bridged`
    pub is_bridged: Option<bool>,
}

impl fmt::Display for Physdev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |value: &Option<Negated<Interface>>| {
            value.as_ref().map(|Negated { negated, value }| Negated { negated: *negated, value: value.as_str().to_owned() })
        };
        write_flag(f, "--physdev-is-in", self.is_in)?;
        write_option(f, "--physdev-in", name(&self.input).as_ref())?;
        write_flag(f, "--physdev-is-out", self.is_out)?;
        write_option(f, "--physdev-out", name(&self.output).as_ref())?;
        write_flag(f, "--physdev-is-bridged", self.is_bridged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_iptables_save_prints_them() {
        assert_eq!(MacAddress::parse("2:0:0:A:b:c").unwrap().to_string(), "02:00:00:0a:0b:0c");
        assert!(MacAddress::parse("02:00:00:aa:bb").is_err());
        assert_eq!(MarkValue::parse("10/255").unwrap().to_string(), "0xa/0xff");
        assert_eq!(MarkValue::parse("010").unwrap().to_string(), "0x8");
        assert!(MarkValue::parse("0x100000000").is_err());
        assert_eq!(LengthRange::parse("100:").unwrap().to_string(), "100:65535");
        assert_eq!(LengthRange::parse(":200").unwrap().to_string(), "0:200");
        assert_eq!(LengthRange::parse("5:5").unwrap().to_string(), "5");
        assert!(LengthRange::parse("70000").is_err());
        assert_eq!(AddressTypes::parse("local,UNICAST").unwrap().to_string(), "UNICAST,LOCAL");
        assert_eq!(PacketType::parse("host").unwrap().to_string(), "unicast");
        assert!(AddressRange::parse("192.0.2.1-2001:db8::1").is_err());
    }
}
