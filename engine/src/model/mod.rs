//! The iptables model: a validated ruleset that is easy to analyse and to print.
//!
//! A [`Ruleset`] belongs to one address [`Family`] and holds [`Table`]s, each holding [`Chain`]s in
//! order; a chain holds [`Rule`]s: base matches, typed match [`Module`]s and a [`Target`]. Modules
//! and targets the engine does not model yet are kept verbatim (`Unknown`), never dropped.

mod actions;
mod chain;
mod conntrack;
mod context;
mod fields;
mod matches;
mod stateful;
mod protocol;
mod rule;
mod target;

pub use actions::{ConnMarkAction, Ct, Masquerade, Nat, NatRange, Nflog, PortRange, SetTarget, TcpMss};
pub use chain::{BuiltinChain, Chain, ChainName, ChainNameError, Counters, Policy, RuleLoc, Table, TableName, UserChain};
pub use matches::{
    ConnState, ConnStates, IcmpType, Interface, InterfaceError, Module, Negated, PortDirection, Rate, TcpFlags,
};
pub use conntrack::{ConnAddress, ConnDirection, ConnStatus, ConnTrack, ExpireRange, CONN_STATUS};
pub use context::{
    parse_date, parse_day_time, parse_hex_string, IdRange, Owner, SetMatch, SetReference, SetSide, StringAlgorithm,
    StringMatch, TimeMatch, ALL_MONTHDAYS, ALL_WEEKDAYS, DATE_MAX, STRING_PATTERN_MAX, WEEKDAYS,
};
pub use fields::{
    parse_c_number, AddrType, AddressRange, AddressTypes, IpRange, LengthRange, LimitInterface, MacAddress, MarkValue,
    PacketType, Physdev, TtlComparison, TtlMatch, ADDRESS_TYPES,
};
pub use stateful::{Connlimit, HashRate, Hashlimit, Recent, RecentAction, HASHLIMIT_MODES};
pub use protocol::{PortSpec, Protocol};
pub use rule::{Comment, Rule, COMMENT_MAX_BYTES};
pub use target::{Log, RejectWith, Target, LOG_LEVELS};

use std::fmt;

/// The address family a ruleset applies to: `iptables` (IPv4) or `ip6tables` (IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Family {
    /// IPv4, loaded with `iptables-restore`.
    V4,
    /// IPv6, loaded with `ip6tables-restore`.
    V6,
}

impl Family {
    /// Both families, IPv4 first.
    pub const ALL: [Family; 2] = [Family::V4, Family::V6];

    /// Whether `net` belongs to this family.
    pub fn contains(self, net: &ipnet::IpNet) -> bool {
        matches!((self, net), (Family::V4, ipnet::IpNet::V4(_)) | (Family::V6, ipnet::IpNet::V6(_)))
    }

    /// `IPv4` or `IPv6`, as the family displays itself.
    pub const fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every table of one address family, in the order `iptables-save` prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruleset {
    /// The family every address in this ruleset belongs to.
    pub family: Family,
    /// Tables in print order; a table that is absent is left untouched on load.
    pub tables: Vec<Table>,
}

impl Ruleset {
    /// An empty ruleset of `family` with no tables.
    pub fn new(family: Family) -> Self {
        Self { family, tables: Vec::new() }
    }

    /// The table named `name`, if present.
    pub fn table(&self, name: TableName) -> Option<&Table> {
        self.tables.iter().find(|table| table.name == name)
    }

    /// The table named `name`, created with its built-in chains if absent (kept in print order).
    pub fn table_mut(&mut self, name: TableName) -> &mut Table {
        let index = match self.tables.iter().position(|table| table.name == name) {
            Some(index) => index,
            None => {
                let at = self.tables.partition_point(|table| table.name < name);
                self.tables.insert(at, Table::new(name));
                at
            }
        };
        &mut self.tables[index]
    }
}
