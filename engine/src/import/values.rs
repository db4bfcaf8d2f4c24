//! Values of options: addresses, ports, ICMP types — read as iptables reads them.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use crate::model::{Family, IcmpType, PortSpec};

/// Service names Debian 12's `/etc/services` (netbase) gives to the ports tutorials use, and
/// whether it names them for TCP and for UDP: iptables asks `getservbyname(name, proto)`, so
/// `--dport http` works for tcp but not for udp. The browser has no `/etc/services`.
const SERVICES: &[(&str, u16, bool, bool)] = &[
    ("ftp-data", 20, true, false),
    ("ftp", 21, true, false),
    ("ssh", 22, true, false),
    ("telnet", 23, true, false),
    ("smtp", 25, true, false),
    ("time", 37, true, true),
    ("whois", 43, true, false),
    ("tacacs", 49, true, true),
    ("domain", 53, true, true),
    ("bootps", 67, false, true),
    ("bootpc", 68, false, true),
    ("tftp", 69, false, true),
    ("gopher", 70, true, false),
    ("finger", 79, true, false),
    ("http", 80, true, false),
    ("www", 80, true, false),
    ("kerberos", 88, true, true),
    ("pop3", 110, true, false),
    ("sunrpc", 111, true, true),
    ("auth", 113, true, false),
    ("nntp", 119, true, false),
    ("ntp", 123, false, true),
    ("epmap", 135, true, false),
    ("netbios-ns", 137, false, true),
    ("netbios-dgm", 138, false, true),
    ("netbios-ssn", 139, true, false),
    ("imap2", 143, true, false),
    ("imap", 143, true, false),
    ("snmp", 161, true, true),
    ("snmp-trap", 162, true, true),
    ("bgp", 179, true, false),
    ("ldap", 389, true, true),
    ("https", 443, true, true),
    ("microsoft-ds", 445, true, false),
    ("submissions", 465, true, false),
    ("ssmtp", 465, true, false),
    ("smtps", 465, true, false),
    ("isakmp", 500, false, true),
    ("syslog", 514, true, true),
    ("printer", 515, true, false),
    ("submission", 587, true, false),
    ("ipp", 631, true, false),
    ("ldaps", 636, true, true),
    ("rsync", 873, true, false),
    ("ftps-data", 989, true, false),
    ("ftps", 990, true, false),
    ("imaps", 993, true, false),
    ("pop3s", 995, true, false),
    ("openvpn", 1194, true, true),
    ("ms-sql-s", 1433, true, false),
    ("l2tp", 1701, false, true),
    ("radius", 1812, true, true),
    ("nfs", 2049, true, true),
    ("mysql", 3306, true, false),
    ("ms-wbt-server", 3389, true, false),
    ("svn", 3690, true, false),
    ("sip", 5060, true, true),
    ("postgresql", 5432, true, false),
    ("x11", 6000, true, false),
    ("http-alt", 8080, true, false),
    ("webcache", 8080, true, false),
];

/// A help line when `text` looks like a tutorial's placeholder (`[port number]`, `<ip>`,
/// `YOUR_IP_ADDRESS`) rather than a value.
pub(crate) fn placeholder_help(text: &str) -> Option<&'static str> {
    let bracketed = text.starts_with(['[', '<']) || text.ends_with([']', '>']);
    let shouted = text.len() > 3 && text.contains('_') && text.chars().all(|c| c.is_ascii_uppercase() || c == '_');
    (bracketed || shouted).then_some("this looks like a placeholder from a tutorial: replace it with your real value")
}

/// Reads an unsigned number as C's `strtoul(text, NULL, 0)` does for iptables: an optional `+`,
/// then hexadecimal after `0x`, octal after a leading `0`, else decimal; the whole word must be
/// read. `None` on anything else (including overflow).
pub(crate) fn c_number(text: &str) -> Option<u64> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    let (digits, radix) = if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        (hex, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (&digits[1..], 8)
    } else {
        (digits, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Reads one port: a number 0-65535 (C syntax: `0x50` and `010` too) or a service name known
/// for `tcp` (else UDP).
pub(crate) fn port(text: &str, tcp: bool) -> Result<u16, String> {
    if let Some(number) = c_number(text) {
        return u16::try_from(number).map_err(|_| format!("port {number} is out of range (0-65535)"));
    }
    if let Some((_, number, ..)) = SERVICES.iter().find(|(name, _, for_tcp, for_udp)| *name == text && if tcp { *for_tcp } else { *for_udp }) {
        return Ok(*number);
    }
    if let Some((_, number, ..)) = SERVICES.iter().find(|(name, ..)| *name == text) {
        let (this, other) = if tcp { ("TCP", "UDP") } else { ("UDP", "TCP") };
        return Err(format!("`{text}` names a {other} service, not a {this} one; write the port number ({number})"));
    }
    Err(match placeholder_help(text) {
        Some(help) => format!("`{text}` is not a port: {help}"),
        None => format!("`{text}` is not a port number or a known service name"),
    })
}

/// Reads one port of the `udp` module as iptables 1.8.9 does: decimal only, any service name
/// (whatever its protocol), and numbers past 65535 wrap around (`70000` is port 4464) — the
/// kernel loads them. Returns the port and whether it wrapped.
pub(crate) fn udp_port(text: &str) -> Result<(u16, bool), String> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        // strtoul, then stored in 32 bits (all ones is the parser's error value), then 16.
        let number = digits.parse::<u64>().ok().and_then(|number| u32::try_from(number & u64::from(u32::MAX)).ok());
        return match number {
            Some(number) if number != u32::MAX => Ok((u16::try_from(number & 0xffff).unwrap_or(0), number > 0xffff)),
            _ => Err(format!("`{text}` is not a port number")),
        };
    }
    SERVICES.iter().find(|(name, ..)| *name == text).map(|(_, number, ..)| (*number, false)).ok_or_else(|| match placeholder_help(text) {
        Some(help) => format!("`{text}` is not a port: {help}"),
        None => format!("`{text}` is not a port number or a known service name"),
    })
}

/// A value that is refused, and whether callers treat it specially.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ValueError {
    /// A host name where an address belongs (iptables would resolve it once, at load time).
    HostName(String),
    /// A port range written high to low (udp keeps it and never matches; tcp refuses it).
    ReversedRange(String),
    /// Any other bad value.
    Invalid(String),
}

impl ValueError {
    /// The message for the user.
    pub(crate) fn message(self) -> String {
        match self {
            ValueError::HostName(message) | ValueError::ReversedRange(message) | ValueError::Invalid(message) => message,
        }
    }
}

impl From<String> for ValueError {
    fn from(message: String) -> Self {
        ValueError::Invalid(message)
    }
}

/// Reads `PORT`, `FIRST:LAST`, `FIRST:` or `:LAST` (service names looked up for `tcp` or UDP).
pub(crate) fn port_range(text: &str, tcp: bool) -> Result<PortSpec, ValueError> {
    range_of(text, |port_text| port(port_text, tcp))
}

/// [`port_range`] for the `udp` module ([`udp_port`]); also whether a port wrapped past 65535.
pub(crate) fn udp_port_range(text: &str) -> Result<(PortSpec, bool), ValueError> {
    let mut wrapped = false;
    let spec = range_of(text, |port_text| {
        let (number, wraps) = udp_port(port_text)?;
        wrapped |= wraps;
        Ok(number)
    })?;
    Ok((spec, wrapped))
}

fn range_of(text: &str, mut port: impl FnMut(&str) -> Result<u16, String>) -> Result<PortSpec, ValueError> {
    match text.split_once(':') {
        None => Ok(port(text).map(PortSpec::single)?),
        Some((first, last)) => {
            let first = if first.is_empty() { 0 } else { port(first)? };
            let last = if last.is_empty() { u16::MAX } else { port(last)? };
            PortSpec::range(first, last).ok_or_else(|| {
                ValueError::ReversedRange(format!("the port range `{text}` is reversed: write the smaller port first"))
            })
        }
    }
}

/// Reads a comma-separated `multiport` list (at most 15 ports, a range counting two).
pub(crate) fn port_list(text: &str, tcp: bool) -> Result<Vec<PortSpec>, String> {
    if let Some(open) = text.split(',').find(|item| item.starts_with(':') || item.ends_with(':')) {
        return Err(format!("multiport ranges need both ends: `{open}`"));
    }
    let ports = text.split(',').map(|item| port_range(item, tcp)).collect::<Result<Vec<_>, _>>().map_err(ValueError::message)?;
    let slots: usize = ports.iter().map(|spec| if spec.first() == spec.last() { 1 } else { 2 }).sum();
    if slots > 15 {
        return Err(format!("`{text}` lists too many ports: multiport takes at most 15 (a range counts two)"));
    }
    Ok(ports)
}

/// Reads an address or network of `family`: `ADDR`, `ADDR/LEN` or `ADDR/MASK` (a contiguous
/// mask). IPv4 addresses and lengths are read as iptables reads them (`xtables.c`,
/// `__numeric_to_ipaddr`): each part in C syntax (`0x0a`, `012`), missing trailing parts zero
/// (`10.1` is 10.1.0.0). Host bits are masked off, as iptables does.
pub(crate) fn network(text: &str, family: Family) -> Result<IpNet, ValueError> {
    let (address, prefix) = match text.split_once('/') {
        Some((address, prefix)) => (address, Some(prefix)),
        None => (text, None),
    };
    let parsed = match family {
        Family::V4 => ipv4_address(address).map(IpAddr::V4).ok_or(()),
        Family::V6 => address.parse::<std::net::Ipv6Addr>().map(IpAddr::V6).map_err(drop),
    };
    let address: IpAddr = match (family, parsed) {
        (_, Ok(address)) => address,
        (_, Err(())) if address.parse::<IpAddr>().is_ok() || (family == Family::V6 && ipv4_address(address).is_some()) => {
            return Err(format!("`{address}` is not an {family} address; use the other family's tool").into());
        }
        (_, Err(())) => {
            return Err(if address.chars().any(|c| c.is_ascii_alphabetic()) && !address.contains(':') {
                ValueError::HostName(format!("`{address}` is a host name; iptables would look it up once, at load time — write the address instead"))
            } else {
                ValueError::Invalid(format!("`{address}` is not an {family} address"))
            })
        }
    };
    let max = if family == Family::V4 { 32 } else { 128 };
    let length = match prefix {
        None => max,
        Some(prefix) => match c_number(prefix).and_then(|length| u8::try_from(length).ok()) {
            Some(length) => length,
            None if family == Family::V4 && prefix.contains('.') => mask_length(ipv4_address(prefix).map(|mask| u128::from(u32::from(mask)) << 96), prefix)?,
            None if family == Family::V6 && prefix.contains(':') => mask_length(prefix.parse::<std::net::Ipv6Addr>().ok().map(u128::from), prefix)?,
            None => return Err(format!("`/{prefix}` is not a prefix length").into()),
        },
    };
    IpNet::new(address, length)
        .map(|net| net.trunc())
        .map_err(|_| format!("`/{length}` is too long a prefix for an {family} address").into())
}

/// An IPv4 address as iptables' own parser reads it: one to four dot-separated parts in C
/// syntax, each at most 255, missing trailing parts zero. `None` where it would try DNS.
fn ipv4_address(text: &str) -> Option<Ipv4Addr> {
    // iptables copies the text into a 20-byte buffer first: longer text is cut.
    let mut octets = [0_u8; 4];
    let mut parts = text.split('.');
    for octet in &mut octets {
        let Some(part) = parts.next() else { break };
        *octet = u8::try_from(c_number(part)?).ok()?;
    }
    parts.next().is_none().then(|| Ipv4Addr::from(octets))
}

/// The prefix length of a mask (IPv4 masks are shifted to the top of the 128 bits).
fn mask_length(bits: Option<u128>, mask: &str) -> Result<u8, String> {
    let bits = bits.ok_or_else(|| format!("`/{mask}` is not a prefix length or mask"))?;
    let length = u8::try_from(bits.leading_ones()).unwrap_or(128);
    if bits.checked_shl(u32::from(length)).unwrap_or(0) != 0 {
        // iptables loads it, but a network with holes is no CIDR network: Portcullis cannot
        // represent it (yet), so it refuses it rather than change its meaning.
        return Err(format!("`/{mask}` is not a contiguous mask; Portcullis reads only contiguous masks — write a prefix length"));
    }
    Ok(length)
}

/// ICMP type names `iptables -p icmp --icmp-type` accepts, with their type and code.
const ICMP_NAMES: &[(&str, u8, Option<u8>)] = &[
    ("echo-reply", 0, None), ("pong", 0, None), ("destination-unreachable", 3, None),
    ("network-unreachable", 3, Some(0)), ("host-unreachable", 3, Some(1)), ("protocol-unreachable", 3, Some(2)),
    ("port-unreachable", 3, Some(3)), ("fragmentation-needed", 3, Some(4)), ("source-route-failed", 3, Some(5)),
    ("network-unknown", 3, Some(6)), ("host-unknown", 3, Some(7)), ("network-prohibited", 3, Some(9)),
    ("host-prohibited", 3, Some(10)), ("TOS-network-unreachable", 3, Some(11)),
    ("TOS-host-unreachable", 3, Some(12)), ("communication-prohibited", 3, Some(13)),
    ("host-precedence-violation", 3, Some(14)), ("precedence-cutoff", 3, Some(15)), ("source-quench", 4, None),
    ("redirect", 5, None), ("network-redirect", 5, Some(0)), ("host-redirect", 5, Some(1)),
    ("TOS-network-redirect", 5, Some(2)), ("TOS-host-redirect", 5, Some(3)), ("echo-request", 8, None),
    ("ping", 8, None), ("router-advertisement", 9, None), ("router-solicitation", 10, None),
    ("time-exceeded", 11, None), ("ttl-exceeded", 11, None), ("ttl-zero-during-transit", 11, Some(0)),
    ("ttl-zero-during-reassembly", 11, Some(1)), ("parameter-problem", 12, None), ("ip-header-bad", 12, Some(0)),
    ("required-option-missing", 12, Some(1)), ("timestamp-request", 13, None), ("timestamp-reply", 14, None),
    ("address-mask-request", 17, None), ("address-mask-reply", 18, None),
];

/// `ICMPv6` type names `ip6tables -p icmpv6 --icmpv6-type` accepts.
const ICMPV6_NAMES: &[(&str, u8, Option<u8>)] = &[
    ("destination-unreachable", 1, None), ("no-route", 1, Some(0)), ("communication-prohibited", 1, Some(1)),
    ("beyond-scope", 1, Some(2)), ("address-unreachable", 1, Some(3)), ("port-unreachable", 1, Some(4)),
    ("failed-policy", 1, Some(5)), ("reject-route", 1, Some(6)), ("packet-too-big", 2, None),
    ("time-exceeded", 3, None), ("ttl-exceeded", 3, None), ("ttl-zero-during-transit", 3, Some(0)),
    ("ttl-zero-during-reassembly", 3, Some(1)), ("parameter-problem", 4, None), ("bad-header", 4, Some(0)),
    ("unknown-header-type", 4, Some(1)), ("unknown-option", 4, Some(2)), ("echo-request", 128, None),
    ("ping", 128, None), ("echo-reply", 129, None), ("pong", 129, None), ("router-solicitation", 133, None),
    ("router-advertisement", 134, None), ("neighbour-solicitation", 135, None),
    ("neighbor-solicitation", 135, None), ("neighbour-advertisement", 136, None),
    ("neighbor-advertisement", 136, None), ("redirect", 137, None),
];

/// The first name iptables gives `icmp` in `family` (`echo-request` for 8 in IPv4), if any.
pub(crate) fn icmp_type_name(icmp: IcmpType, family: Family) -> Option<&'static str> {
    let names = if family == Family::V4 { ICMP_NAMES } else { ICMPV6_NAMES };
    let icmp_type = icmp.icmp_type?;
    names.iter().find(|(_, named_type, code)| *named_type == icmp_type && *code == icmp.code).map(|(name, ..)| *name)
}

/// Reads an ICMP (`family` V4) or `ICMPv6` type: a name, `any`, `TYPE` or `TYPE/CODE`.
pub(crate) fn icmp_type(text: &str, family: Family) -> Result<IcmpType, String> {
    // `any` is iptables' word for every ICMP type; ip6tables has no such word.
    if text == "any" && family == Family::V4 {
        return Ok(IcmpType { icmp_type: None, code: None });
    }
    let names = if family == Family::V4 { ICMP_NAMES } else { ICMPV6_NAMES };
    if let Some((_, icmp_type, code)) = names.iter().find(|(name, ..)| name.eq_ignore_ascii_case(text)) {
        return Ok(IcmpType { icmp_type: Some(*icmp_type), code: *code });
    }
    let bad = || format!("`{text}` is not an ICMP{} type (a name such as echo-request, or TYPE[/CODE] with numbers 0-255)", if family == Family::V4 { "" } else { "v6" });
    let (icmp_type, code) = match text.split_once('/') {
        Some((icmp_type, code)) => (icmp_type, Some(code.parse::<u8>().map_err(|_| bad())?)),
        None => (text, None),
    };
    let icmp_type = icmp_type.parse::<u8>().map_err(|_| bad())?;
    Ok(IcmpType { icmp_type: Some(icmp_type), code })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_read_as_iptables_reads_them() {
        assert_eq!(port_range("ssh:https", true).unwrap().to_string(), "22:443");
        assert_eq!(port_range("1024:", true).unwrap().to_string(), "1024:65535");
        assert_eq!(port_range(":1023", true).unwrap().to_string(), "0:1023");
        assert!(port_range("70000", true).unwrap_err().message().contains("out of range"));
        assert!(matches!(port_range("22:21", true), Err(ValueError::ReversedRange(_))));
        assert!(port_range("nosuch", true).is_err());
        assert!(port_range("http", false).unwrap_err().message().contains("TCP service"));
        assert_eq!(port_range("domain", false).unwrap().to_string(), "53");
        assert!(port_list("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", true).is_ok());
        assert!(port_list("1:2,3:4,5:6,7:8,9:10,11:12,13:14,15", true).is_ok());
        assert!(port_list("1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16", true).is_err());
    }

    #[test]
    fn networks_are_masked_and_checked() {
        assert_eq!(network("10.0.0.1/24", Family::V4).unwrap().to_string(), "10.0.0.0/24");
        assert_eq!(network("10.0.0.1/255.255.0.0", Family::V4).unwrap().to_string(), "10.0.0.0/16");
        assert_eq!(network("2001:db8::1", Family::V6).unwrap().to_string(), "2001:db8::1/128");
        assert!(network("10.0.0.1/255.0.255.0", Family::V4).unwrap_err().message().contains("contiguous"));
        assert!(matches!(network("example.com", Family::V4), Err(ValueError::HostName(_))));
        assert!(network("2001:db8::1", Family::V4).unwrap_err().message().contains("not an IPv4"));
        assert!(network("10.0.0.0/33", Family::V4).is_err());
    }

    #[test]
    fn icmp_types_by_name_and_number() {
        assert_eq!(icmp_type("fragmentation-needed", Family::V4).unwrap().to_string(), "3/4");
        assert_eq!(icmp_type("echo-request", Family::V6).unwrap().to_string(), "128");
        assert_eq!(icmp_type("8/0", Family::V4).unwrap().to_string(), "8/0");
        assert!(icmp_type("bogus", Family::V4).is_err());
    }
}
