//! Address translation in a design (the app's folded-away "advanced" options): redirect a port
//! on this host, forward a public port to an internal host, masquerade a private network.
//!
//! Each entry compiles to its `nat` rule AND the filter rules that let the translated traffic
//! through, accepting only traffic that really was translated (`-m conntrack --ctstate DNAT
//! --ctorigdstport PUBLIC`), so a redirect from 80 to 8080 does not also open 8080, and a port
//! forward does not open the internal host to traffic sent to it directly:
//!
//! | entry | nat | filter |
//! |---|---|---|
//! | [`Redirect`] 80 → 8080 | PREROUTING `-p tcp --dport 80 -j REDIRECT --to-ports 8080` | INPUT `-p tcp --dport 8080 -m conntrack --ctstate DNAT --ctorigdstport 80 -j ACCEPT` |
//! | [`PortForward`] 8443 → 198.51.100.10:443 | PREROUTING `-p tcp --dport 8443 -j DNAT --to-destination 198.51.100.10:443` | FORWARD `-d 198.51.100.10/32 -p tcp --dport 443 -m conntrack --ctstate DNAT --ctorigdstport 8443 -j ACCEPT` |
//! | [`Masquerade`] 198.51.100.0/24 out of eth0 | POSTROUTING `-s 198.51.100.0/24 -o eth0 -j MASQUERADE` | FORWARD `-s 198.51.100.0/24 -o eth0 -m conntrack --ctstate NEW -j ACCEPT` |
//!
//! With any port forward or masquerade, FORWARD also drops the block list (and INVALID packets,
//! with that protection on) and accepts `RELATED,ESTABLISHED`: the replies, both ways.
//!
//! Port forwards and masquerading make this host a router: the kernel forwards nothing until
//! `net.ipv4.ip_forward=1` (IPv4) and `net.ipv6.conf.all.forwarding=1` (IPv6) are set. The
//! exports never change these settings; the apply script warns when they are off.

use std::fmt;
use std::net::IpAddr;

use super::{Access, InterfaceName, Source, Transport};
use crate::model::Family;

/// The most interfaces one entry may list.
pub const INTERFACES_MAX: usize = 8;

/// Why a NAT entry (or a service's interface list) is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NatError {
    kind: NatErrorKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
enum NatErrorKind {
    PortZero,
    SamePort(u16),
    NotAHost(IpAddr),
    NotANetwork(Source),
    EveryAddress(Source),
    TooManyInterfaces(usize),
}

impl From<NatErrorKind> for NatError {
    fn from(kind: NatErrorKind) -> Self {
        Self { kind }
    }
}

impl fmt::Display for NatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            NatErrorKind::PortZero => f.write_str("port 0 is reserved: use a port from 1 to 65535"),
            NatErrorKind::SamePort(port) => write!(f, "redirecting port {port} to itself changes nothing; open the service instead"),
            NatErrorKind::NotAHost(address) => write!(
                f,
                "{address} cannot receive forwarded traffic: name the internal host's own address (not a loopback, multicast or unspecified one)"
            ),
            NatErrorKind::NotANetwork(source) => write!(f, "`{source}` is a range: masquerade a network such as 198.51.100.0/24"),
            NatErrorKind::EveryAddress(source) => {
                write!(f, "`{source}` is every address: name the private network to masquerade, such as 198.51.100.0/24")
            }
            NatErrorKind::TooManyInterfaces(count) => write!(f, "{count} interfaces is too many: use at most {INTERFACES_MAX}"),
        }
    }
}

impl std::error::Error for NatError {}

fn port(port: u16) -> Result<u16, NatError> {
    if port == 0 {
        Err(NatErrorKind::PortZero.into())
    } else {
        Ok(port)
    }
}

/// Interfaces sorted, without repeats, at most [`INTERFACES_MAX`].
pub(super) fn interface_list(mut interfaces: Vec<InterfaceName>) -> Result<Vec<InterfaceName>, NatError> {
    interfaces.sort_unstable();
    interfaces.dedup();
    if interfaces.len() > INTERFACES_MAX {
        return Err(NatErrorKind::TooManyInterfaces(interfaces.len()).into());
    }
    Ok(interfaces)
}

/// Traffic to a port of this host handed to another port of this host (`80` → `8080`, so a web
/// server can listen on 8080 without root), in both families.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Redirect, Transport};
/// let web = Redirect::new(Transport::Tcp, 80, 8080, vec![]).unwrap();
/// assert_eq!((web.port(), web.to_port()), (80, 8080));
/// assert!(Redirect::new(Transport::Tcp, 80, 80, vec![]).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    transport: Transport,
    port: u16,
    to_port: u16,
    interfaces: Vec<InterfaceName>,
}

impl Redirect {
    /// A redirect of `port` to `to_port`, for traffic arriving on `interfaces` (any when empty).
    ///
    /// # Errors
    /// When a port is 0, the ports are equal, or more than [`INTERFACES_MAX`] interfaces are given.
    pub fn new(transport: Transport, from: u16, to: u16, interfaces: Vec<InterfaceName>) -> Result<Self, NatError> {
        let (from, to) = (port(from)?, port(to)?);
        if from == to {
            return Err(NatErrorKind::SamePort(from).into());
        }
        Ok(Self { transport, port: from, to_port: to, interfaces: interface_list(interfaces)? })
    }

    /// TCP, UDP or both.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The port the service listens on.
    pub fn to_port(&self) -> u16 {
        self.to_port
    }

    /// The arriving interfaces it applies to (every interface when empty).
    pub fn interfaces(&self) -> &[InterfaceName] {
        &self.interfaces
    }
}

/// A public port of this host forwarded (DNAT) to a host behind it, in the family of that host's
/// address; optionally only for trusted sources and for traffic arriving on some interfaces.
///
/// # Examples
/// ```
/// use portcullis_engine::design::{Access, PortForward, Transport};
/// let web = PortForward::new(Transport::Tcp, 8443, "198.51.100.10".parse().unwrap(), 443, vec![], Access::Everyone).unwrap();
/// assert_eq!(web.to().to_string(), "198.51.100.10");
/// assert!(PortForward::new(Transport::Tcp, 8443, "127.0.0.1".parse().unwrap(), 443, vec![], Access::Everyone).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortForward {
    transport: Transport,
    port: u16,
    to: IpAddr,
    to_port: u16,
    interfaces: Vec<InterfaceName>,
    access: Access,
}

impl PortForward {
    /// Forwards `port` to `to`:`to_port` for `access`, on `interfaces` (any when empty).
    ///
    /// # Errors
    /// When a port is 0, `to` is not a unicast host address, or more than [`INTERFACES_MAX`]
    /// interfaces are given. Groups are checked when the design takes the entry.
    pub fn new(
        transport: Transport,
        port_from: u16,
        to: IpAddr,
        to_port: u16,
        interfaces: Vec<InterfaceName>,
        access: Access,
    ) -> Result<Self, NatError> {
        let host = match to {
            IpAddr::V4(v4) => !(v4.is_unspecified() || v4.is_loopback() || v4.is_multicast() || v4.is_broadcast()),
            IpAddr::V6(v6) => !(v6.is_unspecified() || v6.is_loopback() || v6.is_multicast()),
        };
        if !host {
            return Err(NatErrorKind::NotAHost(to).into());
        }
        Ok(Self {
            transport,
            port: port(port_from)?,
            to,
            to_port: port(to_port)?,
            interfaces: interface_list(interfaces)?,
            access: access.normalized(),
        })
    }

    /// TCP, UDP or both.
    pub fn transport(&self) -> Transport {
        self.transport
    }

    /// The public port on this host.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The internal host.
    pub fn to(&self) -> IpAddr {
        self.to
    }

    /// The port on the internal host.
    pub fn to_port(&self) -> u16 {
        self.to_port
    }

    /// The family the forward lives in (the internal host's).
    pub fn family(&self) -> Family {
        if self.to.is_ipv4() {
            Family::V4
        } else {
            Family::V6
        }
    }

    /// The arriving interfaces it applies to (every interface when empty).
    pub fn interfaces(&self) -> &[InterfaceName] {
        &self.interfaces
    }

    /// Who may use it.
    pub fn access(&self) -> &Access {
        &self.access
    }

    /// `to` as iptables writes it after `--to-destination`, with the port.
    pub(super) fn destination(&self) -> String {
        match self.to {
            IpAddr::V4(v4) => format!("{v4}:{}", self.to_port),
            IpAddr::V6(v6) => format!("[{v6}]:{}", self.to_port),
        }
    }
}

/// A private network sharing this host's address on the way out of one interface (the home
/// router's job), in the network's family.
///
/// # Examples
/// ```
/// use portcullis_engine::design::Masquerade;
/// let lan = Masquerade::new("198.51.100.0/24".parse().unwrap(), "eth0".parse().unwrap()).unwrap();
/// assert_eq!(lan.network().to_string(), "198.51.100.0/24");
/// assert!(Masquerade::new("0.0.0.0/0".parse().unwrap(), "eth0".parse().unwrap()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masquerade {
    network: Source,
    out_interface: InterfaceName,
}

impl Masquerade {
    /// Masquerades `network` out of `out_interface`.
    ///
    /// # Errors
    /// When `network` is an address range, or every address (`/0`).
    pub fn new(network: Source, out_interface: InterfaceName) -> Result<Self, NatError> {
        let Some(net) = network.net() else { return Err(NatErrorKind::NotANetwork(network).into()) };
        if net.prefix_len() == 0 {
            return Err(NatErrorKind::EveryAddress(network).into());
        }
        Ok(Self { network, out_interface })
    }

    /// The private network.
    pub fn network(&self) -> Source {
        self.network
    }

    /// The interface towards the outside.
    pub fn out_interface(&self) -> &InterfaceName {
        &self.out_interface
    }
}

/// The NAT entries of a design, each list in the order given (rules follow that order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nat {
    /// Ports redirected on this host.
    pub redirects: Vec<Redirect>,
    /// Ports forwarded to internal hosts.
    pub port_forwards: Vec<PortForward>,
    /// Private networks masqueraded.
    pub masquerades: Vec<Masquerade>,
}

impl Nat {
    /// Whether there is no entry at all.
    pub fn is_empty(&self) -> bool {
        self.redirects.is_empty() && self.port_forwards.is_empty() && self.masquerades.is_empty()
    }

    /// A clash that would leave an entry without effect: the same protocol and public port
    /// translated twice in one family, or the same network masqueraded twice out of one
    /// interface. Names the later entry.
    pub fn clash(&self) -> Option<String> {
        let mut seen: Vec<(Family, u8, u16, String)> = Vec::new();
        let mut check = |families: &[Family], transport: Transport, port: u16, what: String| -> Option<String> {
            for family in families {
                for protocol in transport.protocols() {
                    let number = protocol.number();
                    if let Some((.., earlier)) = seen.iter().find(|(f, p, q, _)| f == family && *p == number && *q == port) {
                        let name = protocol.to_string().to_ascii_uppercase();
                        return Some(format!("{what} uses {name} port {port}, which {earlier} already translates; remove one of them"));
                    }
                    seen.push((*family, number, port, what.clone()));
                }
            }
            None
        };
        for redirect in &self.redirects {
            let what = format!("the redirect of port {} to {}", redirect.port, redirect.to_port);
            if let Some(clash) = check(&Family::ALL, redirect.transport, redirect.port, what) {
                return Some(clash);
            }
        }
        for forward in &self.port_forwards {
            let what = format!("the forward of port {} to {}", forward.port, forward.destination());
            if let Some(clash) = check(&[forward.family()], forward.transport, forward.port, what) {
                return Some(clash);
            }
        }
        for (index, masquerade) in self.masquerades.iter().enumerate() {
            if self.masquerades[..index].contains(masquerade) {
                return Some(format!("{} is masqueraded out of {} twice", masquerade.network, masquerade.out_interface));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interfaces(text: &[&str]) -> Vec<InterfaceName> {
        text.iter().map(|name| name.parse().unwrap()).collect()
    }

    #[test]
    fn entries_refuse_what_cannot_work() {
        assert!(Redirect::new(Transport::Tcp, 0, 80, vec![]).unwrap_err().to_string().contains("port 0"));
        assert!(Redirect::new(Transport::Udp, 53, 53, vec![]).unwrap_err().to_string().contains("to itself"));
        let many = interfaces(&["a", "b", "c", "d", "e", "f", "g", "h", "i"]);
        assert!(Redirect::new(Transport::Tcp, 80, 8080, many).unwrap_err().to_string().contains("at most 8"));
        let repeated = Redirect::new(Transport::Tcp, 80, 8080, interfaces(&["eth1", "eth0", "eth1"])).unwrap();
        assert_eq!(repeated.interfaces(), interfaces(&["eth0", "eth1"]).as_slice());
        for host in ["0.0.0.0", "127.0.0.1", "224.0.0.1", "255.255.255.255", "::", "::1", "ff02::1"] {
            let error = PortForward::new(Transport::Tcp, 80, host.parse().unwrap(), 80, vec![], Access::Everyone).unwrap_err();
            assert!(error.to_string().contains("cannot receive forwarded traffic"), "{host}");
        }
        let range: Source = "198.51.100.1-198.51.100.9".parse().unwrap();
        assert!(Masquerade::new(range, "eth0".parse().unwrap()).unwrap_err().to_string().contains("is a range"));
        assert!(Masquerade::new("::/0".parse().unwrap(), "eth0".parse().unwrap()).unwrap_err().to_string().contains("every address"));
    }

    #[test]
    fn clashes_are_named() {
        let redirect = Redirect::new(Transport::TcpAndUdp, 80, 8080, vec![]).unwrap();
        let v4 = PortForward::new(Transport::Tcp, 80, "198.51.100.10".parse().unwrap(), 80, vec![], Access::Everyone).unwrap();
        let v6 = PortForward::new(Transport::Udp, 443, "2001:db8::10".parse().unwrap(), 443, vec![], Access::Everyone).unwrap();
        let mut nat = Nat { redirects: vec![redirect], port_forwards: vec![v6.clone()], masquerades: vec![] };
        assert_eq!(nat.clash(), None);
        nat.port_forwards.push(v4);
        let clash = nat.clash().unwrap();
        assert!(clash.contains("the forward of port 80 to 198.51.100.10:80 uses TCP port 80"), "{clash}");
        nat.port_forwards = vec![v6.clone(), v6];
        assert!(nat.clash().unwrap().contains("[2001:db8::10]:443"));
        let lan = Masquerade::new("198.51.100.0/24".parse().unwrap(), "eth0".parse().unwrap()).unwrap();
        let nat = Nat { masquerades: vec![lan.clone(), lan], ..Nat::default() };
        assert!(nat.clash().unwrap().contains("twice"));
    }

    #[test]
    fn files_validate_like_constructors() {
        use crate::design::Design;
        let file = |nat: &str| format!(r#"{{"version":5,"nat":{nat}}}"#);
        let ok = r#"{"port_forwards":[{"protocol":"tcp","port":8443,"to":"2001:db8::10","to_port":443,"interfaces":["eth0"],"sources":["2001:db8:1::7"]}]}"#;
        let design = Design::from_json(&file(ok)).unwrap();
        let forward = &design.nat().port_forwards[0];
        assert_eq!(forward.destination(), "[2001:db8::10]:443");
        assert_eq!(forward.family(), Family::V6);
        assert_eq!(Design::from_json(&design.to_json()).unwrap(), design);
        let bad = r#"{"redirects":[{"protocol":"tcp","port":80,"to_port":8080,"interfaces":["eth 0"]}]}"#;
        assert!(Design::from_json(&file(bad)).unwrap_err().to_string().contains("holds ' '"));
        let masquerade = r#"{"masquerades":[{"network":"198.51.100.7/24","out_interface":"eth0"}]}"#;
        assert!(Design::from_json(&file(masquerade)).unwrap_err().to_string().contains("host bits"));
    }
}
