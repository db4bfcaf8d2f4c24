//! Custom services: anything the catalogue does not list, by name, protocol and ports.

use std::fmt;
use std::str::FromStr;

use super::Name;
use crate::model::{PortSpec, Protocol};

/// The most ports and ranges one custom service may list.
pub const PORT_LIST_MAX: usize = 32;

/// Which transport protocols a custom service listens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Transport {
    /// TCP only.
    Tcp,
    /// UDP only.
    Udp,
    /// The same ports on TCP and on UDP.
    TcpAndUdp,
}

impl Transport {
    /// Every choice, in the order the app offers them.
    pub const ALL: [Transport; 3] = [Transport::Tcp, Transport::Udp, Transport::TcpAndUdp];

    /// The protocols this transport means.
    pub fn protocols(self) -> &'static [Protocol] {
        match self {
            Transport::Tcp => &[Protocol::TCP],
            Transport::Udp => &[Protocol::UDP],
            Transport::TcpAndUdp => &[Protocol::TCP, Protocol::UDP],
        }
    }

    /// The name used in save files: `tcp`, `udp` or `tcp+udp`.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::TcpAndUdp => "tcp+udp",
        }
    }
}

/// A validated, non-empty list of ports and port ranges: sorted, without repeats.
///
/// Written like `80, 443 8000-8100` (commas and/or blanks between items; ranges with `-` or
/// iptables' `:`); printed in iptables' syntax, `80,443,8000:8100`.
///
/// # Examples
/// ```
/// use portcullis_engine::design::PortList;
/// let ports: PortList = "8443, 8000-8100 8443".parse().unwrap();
/// assert_eq!(ports.to_string(), "8000:8100,8443");
/// assert!("0".parse::<PortList>().is_err());
/// assert!("9000-8000".parse::<PortList>().unwrap_err().to_string().contains("reversed"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortList(Vec<PortSpec>);

/// Why a text is not a [`PortList`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortListError {
    item: String,
    kind: PortListErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum PortListErrorKind {
    Empty,
    NotAPort,
    Zero,
    Reversed,
    TooMany(usize),
}

impl fmt::Display for PortListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let item = super::shown(&self.item);
        match self.kind {
            PortListErrorKind::Empty => f.write_str("at least one port is needed (examples: 8080, 27015-27030)"),
            PortListErrorKind::NotAPort => write!(f, "`{item}` is not a port (1 to 65535) or a range like 8000-8100"),
            PortListErrorKind::Zero => write!(f, "`{item}`: port 0 is reserved and never used by a service"),
            PortListErrorKind::Reversed => write!(f, "the range `{item}` is reversed: write the lower port first"),
            PortListErrorKind::TooMany(count) => {
                write!(f, "{count} ports or ranges is too many: use at most {PORT_LIST_MAX}, or one wider range")
            }
        }
    }
}

impl std::error::Error for PortListError {}

impl PortList {
    /// The ports and ranges, sorted.
    pub fn ports(&self) -> &[PortSpec] {
        &self.0
    }
}

fn parse_port(item: &str, text: &str) -> Result<u16, PortListError> {
    let fail = |kind| PortListError { item: item.chars().take(40).collect(), kind };
    match text.trim().parse::<u16>() {
        Ok(0) => Err(fail(PortListErrorKind::Zero)),
        Ok(port) => Ok(port),
        Err(_) => Err(fail(PortListErrorKind::NotAPort)),
    }
}

impl FromStr for PortList {
    type Err = PortListError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut ports = Vec::new();
        for item in text.split(|c: char| c == ',' || c.is_whitespace()).filter(|item| !item.is_empty()) {
            let spec = match item.split_once(['-', ':']) {
                None => PortSpec::single(parse_port(item, item)?),
                Some((first, last)) => {
                    let (first, last) = (parse_port(item, first)?, parse_port(item, last)?);
                    PortSpec::range(first, last)
                        .ok_or_else(|| PortListError { item: item.to_owned(), kind: PortListErrorKind::Reversed })?
                }
            };
            ports.push(spec);
        }
        ports.sort_unstable();
        ports.dedup();
        let fail = |kind| Err(PortListError { item: String::new(), kind });
        match ports.len() {
            0 => fail(PortListErrorKind::Empty),
            count if count > PORT_LIST_MAX => fail(PortListErrorKind::TooMany(count)),
            _ => Ok(Self(ports)),
        }
    }
}

impl TryFrom<String> for PortList {
    type Error = PortListError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl From<PortList> for String {
    fn from(list: PortList) -> Self {
        list.to_string()
    }
}

impl fmt::Display for PortList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, ports) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(",")?;
            }
            write!(f, "{ports}")?;
        }
        Ok(())
    }
}

/// A service the catalogue does not list: a name, a transport and ports.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{CustomService, Transport};
/// let game = CustomService::new("game-server".parse().unwrap(), Transport::Udp, "27015, 27020-27030".parse().unwrap());
/// assert_eq!(game.ports_text(), "UDP 27015, UDP 27020:27030");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CustomService {
    name: Name,
    transport: Transport,
    ports: PortList,
}

impl CustomService {
    /// A custom service; its parts are validated by their own types.
    pub fn new(name: Name, transport: Transport, ports: PortList) -> Self {
        Self { name, transport, ports }
    }

    /// The name the user gave it.
    pub fn name(&self) -> &Name {
        &self.name
    }

    /// TCP, UDP or both.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The ports, as given.
    pub fn port_list(&self) -> &PortList {
        &self.ports
    }

    /// Every protocol-and-port pair the service listens on, TCP first.
    pub fn ports(&self) -> Vec<(Protocol, PortSpec)> {
        self.transport
            .protocols()
            .iter()
            .flat_map(|protocol| self.ports.ports().iter().map(move |ports| (*protocol, *ports)))
            .collect()
    }

    /// The ports as people read them, e.g. `TCP 8080, UDP 8080`.
    pub fn ports_text(&self) -> String {
        super::catalogue::ports_text(&self.ports())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        text.parse::<PortList>().unwrap_err().to_string()
    }

    #[test]
    fn lists_accept_single_ports_ranges_and_both_separators() {
        let list: PortList = " 9000:9010,80 443\n8000-8100, 80 ".parse().unwrap();
        assert_eq!(list.to_string(), "80,443,8000:8100,9000:9010");
        assert_eq!(list.ports().len(), 4);
        assert_eq!("65535".parse::<PortList>().unwrap().to_string(), "65535");
        assert_eq!("1-65535".parse::<PortList>().unwrap().to_string(), "1:65535");
    }

    #[test]
    fn refusals_say_why() {
        assert!(message("").contains("at least one port"));
        assert!(message(" , ").contains("at least one port"));
        assert!(message("http").contains("`http` is not a port"));
        assert!(message("65536").contains("is not a port"));
        assert!(message("-1").contains("is not a port"));
        assert!(message("80-").contains("is not a port"));
        assert!(message("0").contains("port 0 is reserved"));
        assert!(message("0-10").contains("port 0 is reserved"));
        assert!(message("200-100").contains("`200-100` is reversed"));
        let many: Vec<String> = (1..=PORT_LIST_MAX + 1).map(|port| port.to_string()).collect();
        assert!(message(&many.join(",")).contains("33 ports or ranges is too many"));
    }

    #[test]
    fn transports_expand_to_their_protocols() {
        let service = CustomService::new(
            "app".parse().unwrap(),
            Transport::TcpAndUdp,
            "8080,9000-9001".parse().unwrap(),
        );
        assert_eq!(service.ports_text(), "TCP 8080, TCP 9000:9001, UDP 8080, UDP 9000:9001");
        let file = |protocol: &str, ports: &str| {
            format!(r#"{{"version":5,"custom_services":[{{"name":"app","protocol":"{protocol}","ports":"{ports}"}}]}}"#)
        };
        let design = crate::design::Design::from_json(&file("tcp+udp", "22, 21")).unwrap();
        assert!(design.to_json().contains("\"protocol\": \"tcp+udp\",\n      \"ports\": \"21,22\""), "{}", design.to_json());
        assert!(crate::design::Design::from_json(&file("icmp", "22")).is_err());
        assert!(crate::design::Design::from_json(&file("udp", "0")).is_err());
    }
}
