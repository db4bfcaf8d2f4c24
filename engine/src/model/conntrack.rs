//! `-m conntrack`: the connection-tracking entry of a packet — state, original and reply
//! addresses and ports, status, expiry and direction.

use std::fmt;

use ipnet::IpNet;

use super::fields::write_option;
use super::{ConnStates, Negated, PortSpec, Protocol};

/// Conntrack status bits, in print order, with their bit values.
pub const CONN_STATUS: [(&str, u8); 4] = [("EXPECTED", 1), ("SEEN_REPLY", 2), ("ASSURED", 4), ("CONFIRMED", 8)];

/// A set of conntrack status bits (`--ctstatus`), `NONE` when empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnStatus(pub u8);

impl ConnStatus {
    /// Reads a comma-separated list of `NONE`, `EXPECTED`, `SEEN_REPLY`, `ASSURED`, `CONFIRMED`.
    ///
    /// # Errors
    /// When a name is not a status.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut bits = 0;
        for name in text.split(',') {
            if name.eq_ignore_ascii_case("NONE") {
                continue;
            }
            let (_, bit) = CONN_STATUS.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).ok_or_else(|| {
                format!("`{name}` is not a conntrack status (NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED)")
            })?;
            bits |= bit;
        }
        Ok(Self(bits))
    }
}

impl fmt::Display for ConnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("NONE");
        }
        let names: Vec<&str> = CONN_STATUS.iter().filter(|(_, bit)| self.0 & bit != 0).map(|(name, _)| *name).collect();
        f.write_str(&names.join(","))
    }
}

/// Which direction of its connection a packet travels (`--ctdir`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnDirection {
    /// `ORIGINAL`: the direction of the first packet.
    Original,
    /// `REPLY`: the answering direction.
    Reply,
}

/// A remaining-lifetime range in seconds (`--ctexpire N[:M]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpireRange {
    /// At least.
    pub min: u32,
    /// At most.
    pub max: u32,
}

impl fmt::Display for ExpireRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::fields::write_range(f, self.min, self.max, ':')
    }
}

/// A network printed as conntrack prints it: a single address without its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnAddress(pub IpNet);

impl fmt::Display for ConnAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// `-m conntrack` options, each optional and negatable (except the direction).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ConnTrack {
    /// `--ctstate`
    pub state: Option<Negated<ConnStates>>,
    /// `--ctproto`
    pub protocol: Option<Negated<Protocol>>,
    /// `--ctorigsrc`
    pub original_source: Option<Negated<ConnAddress>>,
    /// `--ctorigdst`
    pub original_destination: Option<Negated<ConnAddress>>,
    /// `--ctreplsrc`
    pub reply_source: Option<Negated<ConnAddress>>,
    /// `--ctrepldst`
    pub reply_destination: Option<Negated<ConnAddress>>,
    /// `--ctorigsrcport`
    pub original_source_port: Option<Negated<PortSpec>>,
    /// `--ctorigdstport`
    pub original_destination_port: Option<Negated<PortSpec>>,
    /// `--ctreplsrcport`
    pub reply_source_port: Option<Negated<PortSpec>>,
    /// `--ctrepldstport`
    pub reply_destination_port: Option<Negated<PortSpec>>,
    /// `--ctstatus`
    pub status: Option<Negated<ConnStatus>>,
    /// `--ctexpire`
    pub expire: Option<Negated<ExpireRange>>,
    /// `--ctdir`
    pub direction: Option<ConnDirection>,
}

impl ConnTrack {
    /// `--ctstate STATES`, the common case.
    pub fn states(states: ConnStates) -> Self {
        Self { state: Some(Negated::plain(states)), ..Self::default() }
    }
}

impl fmt::Display for ConnTrack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_option(f, "--ctstate", self.state.as_ref())?;
        let protocol = self.protocol.as_ref().map(|protocol| Negated { negated: protocol.negated, value: protocol.value.number() });
        write_option(f, "--ctproto", protocol.as_ref())?;
        write_option(f, "--ctorigsrc", self.original_source.as_ref())?;
        write_option(f, "--ctorigdst", self.original_destination.as_ref())?;
        write_option(f, "--ctreplsrc", self.reply_source.as_ref())?;
        write_option(f, "--ctrepldst", self.reply_destination.as_ref())?;
        write_option(f, "--ctorigsrcport", self.original_source_port.as_ref())?;
        write_option(f, "--ctorigdstport", self.original_destination_port.as_ref())?;
        write_option(f, "--ctreplsrcport", self.reply_source_port.as_ref())?;
        write_option(f, "--ctrepldstport", self.reply_destination_port.as_ref())?;
        write_option(f, "--ctstatus", self.status.as_ref())?;
        write_option(f, "--ctexpire", self.expire.as_ref())?;
        match self.direction {
            Some(ConnDirection::Original) => f.write_str(" --ctdir ORIGINAL"),
            Some(ConnDirection::Reply) => f.write_str(" --ctdir REPLY"),
            None => Ok(()),
        }
    }
}
