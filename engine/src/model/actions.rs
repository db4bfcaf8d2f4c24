//! The options of targets beyond accept/drop/reject/log: NFLOG, address translation (DNAT, SNAT,
//! MASQUERADE, REDIRECT), marks (MARK, CONNMARK), conntrack (CT), TCPMSS and SET. Each prints
//! what `iptables-save` prints.

use std::fmt;
use std::net::IpAddr;

use super::context::SetReference;
use super::MarkValue;

/// `-j NFLOG`: send the packet to user space (ulogd).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Nflog {
    /// `--nflog-group` (default 0).
    pub group: u16,
    /// `--nflog-prefix` (at most 127 bytes).
    pub prefix: Option<String>,
    /// `--nflog-size`: bytes of the packet copied.
    pub size: Option<u32>,
    /// `--nflog-threshold` (0: the kernel's default).
    pub threshold: u16,
}

/// An inclusive port range of a translation (`:P` or `:P-Q`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PortRange {
    /// First port.
    pub first: u16,
    /// Last port.
    pub last: u16,
}

impl PortRange {
    /// Reads `P` or `P-Q` (ports 0 to 65535, not reversed).
    ///
    /// # Errors
    /// When a port is invalid or the range reversed.
    pub fn parse(text: &str) -> Result<Self, String> {
        let port = |part: &str| part.parse::<u16>().map_err(|_| format!("`{part}` is not a port from 0 to 65535"));
        let (first, last) = match text.split_once('-') {
            Some((first, last)) => (port(first)?, port(last)?),
            None => (port(text)?, port(text)?),
        };
        if last < first {
            return Err(format!("port range `{text}` is reversed"));
        }
        Ok(Self { first, last })
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::fields::write_range(f, self.first, self.last, '-')
    }
}

/// Where DNAT / SNAT rewrite to: `[ADDR[-ADDR]][:PORT[-PORT]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NatRange {
    /// The first and last address, if addresses are rewritten.
    pub addresses: Option<(IpAddr, IpAddr)>,
    /// The ports, if ports are rewritten (needs `-p tcp|udp|sctp|dccp`).
    pub ports: Option<PortRange>,
}

impl NatRange {
    /// Reads `ADDR[-ADDR][:PORT[-PORT]]`; IPv6 addresses are bracketed when ports follow.
    ///
    /// # Errors
    /// When an address or port is invalid, or nothing is given.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (addresses, ports) = if let Some(rest) = text.strip_prefix('[') {
            // [a]-[b]:p or [a]:p
            let (addresses, ports) = match rest.rsplit_once("]:") {
                Some((addresses, ports)) => (addresses, Some(ports)),
                None => (rest.strip_suffix(']').ok_or_else(|| format!("`{text}`: `[` without `]`"))?, None),
            };
            (addresses.replace("]-[", "-"), ports)
        } else if text.matches(':').count() > 1 {
            (text.to_owned(), None)
        } else {
            match text.split_once(':') {
                Some((addresses, ports)) => (addresses.to_owned(), Some(ports)),
                None => (text.to_owned(), None),
            }
        };
        let address = |part: &str| part.parse::<IpAddr>().map_err(|_| format!("`{part}` is not an IP address"));
        let addresses = if addresses.is_empty() {
            None
        } else {
            let (first, last) = addresses.split_once('-').unwrap_or((&addresses, &addresses));
            Some((address(first)?, address(last)?))
        };
        let ports = ports.map(PortRange::parse).transpose()?;
        if addresses.is_none() && ports.is_none() {
            return Err(format!("`{text}` names neither an address nor a port"));
        }
        Ok(Self { addresses, ports })
    }
}

impl fmt::Display for NatRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bracket = self.ports.is_some() && self.addresses.is_some_and(|(first, _)| first.is_ipv6());
        let address = |address: IpAddr| if bracket { format!("[{address}]") } else { address.to_string() };
        if let Some((first, last)) = self.addresses {
            f.write_str(&address(first))?;
            if first != last {
                write!(f, "-{}", address(last))?;
            }
        }
        if let Some(ports) = self.ports {
            write!(f, ":{ports}")?;
        }
        Ok(())
    }
}

/// `-j DNAT` / `-j SNAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nat {
    /// `--to-destination` / `--to-source`
    pub to: NatRange,
    /// `--random`
    pub random: bool,
    /// `--random-fully` (SNAT only)
    pub random_fully: bool,
    /// `--persistent`
    pub persistent: bool,
}

/// `-j MASQUERADE` / `-j REDIRECT`: translate to the interface's own address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Masquerade {
    /// `--to-ports`
    pub ports: Option<PortRange>,
    /// `--random`
    pub random: bool,
    /// `--random-fully` (MASQUERADE only)
    pub random_fully: bool,
}

/// `-j CONNMARK`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnMarkAction {
    /// `--set-xmark VALUE/MASK` (`--set-mark`, `--and-mark`, `--or-mark`, `--xor-mark` become this).
    Set(MarkValue),
    /// `--save-mark --nfmask M --ctmask M`: packet mark to connection mark.
    Save {
        /// Bits taken from the packet mark.
        nfmask: u32,
        /// Bits of the connection mark replaced.
        ctmask: u32,
    },
    /// `--restore-mark --nfmask M --ctmask M`: connection mark to packet mark.
    Restore {
        /// Bits of the packet mark replaced.
        nfmask: u32,
        /// Bits taken from the connection mark.
        ctmask: u32,
    },
}

impl fmt::Display for ConnMarkAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set(mark) => write!(f, " --set-xmark 0x{:x}/0x{:x}", mark.value, mark.mask),
            Self::Save { nfmask, ctmask } => write!(f, " --save-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"),
            Self::Restore { nfmask, ctmask } => write!(f, " --restore-mark --nfmask 0x{nfmask:x} --ctmask 0x{ctmask:x}"),
        }
    }
}

/// `-j CT` (raw table).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ct {
    /// `--notrack`: exempt from connection tracking.
    pub notrack: bool,
    /// `--helper NAME`: attach a conntrack helper (ftp, sip…).
    pub helper: Option<String>,
    /// `--zone N`
    pub zone: Option<u16>,
}

impl fmt::Display for Ct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.notrack {
            f.write_str(" --notrack")?;
        }
        if let Some(helper) = &self.helper {
            write!(f, " --helper {helper}")?;
        }
        if let Some(zone) = self.zone {
            write!(f, " --zone {zone}")?;
        }
        Ok(())
    }
}

/// `-j TCPMSS`: rewrite the MSS option of TCP SYN packets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpMss {
    /// `--set-mss N`
    Set(u16),
    /// `--clamp-mss-to-pmtu`
    ClampToPmtu,
}

impl fmt::Display for TcpMss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Set(mss) => write!(f, " --set-mss {mss}"),
            Self::ClampToPmtu => f.write_str(" --clamp-mss-to-pmtu"),
        }
    }
}

/// `-j SET`: add the packet's address to an ipset, or delete it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SetTarget {
    /// `--add-set NAME SIDES`
    pub add: Option<SetReference>,
    /// `--del-set NAME SIDES`
    pub delete: Option<SetReference>,
    /// `--exist`: refresh the timeout of an existing entry.
    pub exist: bool,
    /// `--timeout` seconds for added entries.
    pub timeout: Option<u32>,
}

impl fmt::Display for SetTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(add) = &self.add {
            write!(f, " --add-set {add}")?;
        }
        if let Some(delete) = &self.delete {
            write!(f, " --del-set {delete}")?;
        }
        if self.exist {
            f.write_str(" --exist")?;
        }
        if let Some(timeout) = self.timeout {
            write!(f, " --timeout {timeout}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat_ranges_print_as_iptables_save_prints_them() {
        let print = |text: &str| NatRange::parse(text).map(|range| range.to_string());
        assert_eq!(print("198.51.100.5"), Ok("198.51.100.5".to_owned()));
        assert_eq!(print("198.51.100.5-198.51.100.5:80-80"), Ok("198.51.100.5:80".to_owned()));
        assert_eq!(print(":53"), Ok(":53".to_owned()));
        assert_eq!(print("[2001:db8::1]:80"), Ok("[2001:db8::1]:80".to_owned()));
        assert_eq!(print("2001:db8::1"), Ok("2001:db8::1".to_owned()));
        assert!(print("198.51.100.5:90-80").is_err());
        assert!(print("host.example").is_err());
    }
}
