//! Tables, chains and policies.

use std::fmt;

use super::Rule;

/// A netfilter table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TableName {
    /// Packet filtering: the default table.
    Filter,
    /// Address translation.
    Nat,
    /// Packet alteration.
    Mangle,
    /// Exemptions from connection tracking.
    Raw,
    /// Mandatory access control marks.
    Security,
}

impl TableName {
    /// The name iptables uses for this table.
    pub fn as_str(self) -> &'static str {
        match self {
            TableName::Filter => "filter",
            TableName::Nat => "nat",
            TableName::Mangle => "mangle",
            TableName::Raw => "raw",
            TableName::Security => "security",
        }
    }
}

impl fmt::Display for TableName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A chain every table may be hooked into by the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltinChain {
    /// Packets as they arrive, before routing.
    Prerouting,
    /// Packets addressed to this host.
    Input,
    /// Packets routed through this host.
    Forward,
    /// Packets this host sends.
    Output,
    /// Packets about to leave, after routing.
    Postrouting,
}

impl BuiltinChain {
    /// The upper-case name iptables uses.
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltinChain::Prerouting => "PREROUTING",
            BuiltinChain::Input => "INPUT",
            BuiltinChain::Forward => "FORWARD",
            BuiltinChain::Output => "OUTPUT",
            BuiltinChain::Postrouting => "POSTROUTING",
        }
    }
}

/// The name of a chain. Only built-in chains exist so far; user chains arrive with the importer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChainName {
    /// A chain the kernel calls.
    Builtin(BuiltinChain),
}

impl fmt::Display for ChainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainName::Builtin(chain) => f.write_str(chain.as_str()),
        }
    }
}

/// What a built-in chain does with a packet no rule decided on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Let it through.
    Accept,
    /// Discard it silently.
    Drop,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::Accept => "ACCEPT",
            Policy::Drop => "DROP",
        })
    }
}

/// A chain: its policy (built-in chains only) and its rules in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The chain's name.
    pub name: ChainName,
    /// The policy of a built-in chain; `None` for user chains.
    pub policy: Option<Policy>,
    /// Rules, evaluated first to last.
    pub rules: Vec<Rule>,
}

impl Chain {
    /// A built-in chain with `policy` and no rules.
    pub fn builtin(chain: BuiltinChain, policy: Policy) -> Self {
        Self { name: ChainName::Builtin(chain), policy: Some(policy), rules: Vec::new() }
    }
}

/// A table and its chains in print order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Which table.
    pub name: TableName,
    /// Chains in print order (built-in chains first, as `iptables-save` prints them).
    pub chains: Vec<Chain>,
}

impl Table {
    /// The chain named `name`, if present.
    pub fn chain(&self, name: ChainName) -> Option<&Chain> {
        self.chains.iter().find(|chain| chain.name == name)
    }

    /// The chain named `name`, mutably.
    pub fn chain_mut(&mut self, name: ChainName) -> Option<&mut Chain> {
        self.chains.iter_mut().find(|chain| chain.name == name)
    }
}
