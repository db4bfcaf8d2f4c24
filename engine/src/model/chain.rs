//! Tables, chains and policies.

use std::fmt;

use super::Rule;

/// A netfilter table; ordered as `iptables-save` (`nf_tables` backend) prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum TableName {
    /// Packet alteration.
    Mangle,
    /// Mandatory access control marks.
    Security,
    /// Exemptions from connection tracking.
    Raw,
    /// Packet filtering: the default table.
    Filter,
    /// Address translation.
    Nat,
}

impl TableName {
    /// Every table, in print order.
    pub const ALL: [TableName; 5] =
        [TableName::Mangle, TableName::Security, TableName::Raw, TableName::Filter, TableName::Nat];

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

    /// The table called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|table| table.as_str() == name)
    }

    /// The built-in chains of this table, in the order `iptables-save` lists them.
    pub fn builtin_chains(self) -> &'static [BuiltinChain] {
        use BuiltinChain::{Forward, Input, Output, Postrouting, Prerouting};
        match self {
            TableName::Filter | TableName::Security => &[Input, Forward, Output],
            TableName::Nat => &[Prerouting, Input, Output, Postrouting],
            TableName::Mangle => &[Prerouting, Input, Forward, Output, Postrouting],
            TableName::Raw => &[Prerouting, Output],
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

    /// The built-in chain called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Prerouting, Self::Input, Self::Forward, Self::Output, Self::Postrouting]
            .into_iter()
            .find(|chain| chain.as_str() == name)
    }
}

/// Why a name cannot be a user chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainNameError {
    name: String,
    reason: &'static str,
}

impl fmt::Display for ChainNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` cannot be a chain name: {}", self.name, self.reason)
    }
}

impl std::error::Error for ChainNameError {}

/// The standard targets' names, which no user chain may take. `iptables-restore` loads a chain
/// declared `:LOG - [0:0]` (only these four clash); `iptables -N LOG` refuses every target
/// extension's name too, which the importer checks for commands.
const RESERVED: &[&str] = &["ACCEPT", "DROP", "QUEUE", "RETURN"];

/// A user-defined chain name, validated as iptables does (`xshared.c`,
/// `assert_valid_chain_name`): 1 to 28 bytes, no leading `-` or `!`, no whitespace, and not a
/// built-in chain or a standard target's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UserChain(String);

impl UserChain {
    /// The longest chain name iptables accepts, in bytes (`XT_EXTENSION_MAXNAMELEN` - 1).
    pub const MAX_BYTES: usize = 28;

    /// Validates `name`.
    ///
    /// # Errors
    /// When iptables would refuse the name; the error says why.
    ///
    /// # Examples
    /// ```
    /// use portcullis_engine::model::UserChain;
    /// assert!(UserChain::new("ufw-user-input").is_ok());
    /// assert!(UserChain::new("-bad").is_err());
    /// assert!(UserChain::new("ACCEPT").is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, ChainNameError> {
        let fail = |reason| Err(ChainNameError { name: name.to_owned(), reason });
        if name.is_empty() {
            fail("it is empty")
        } else if name.len() > Self::MAX_BYTES {
            fail("it is longer than 28 bytes")
        } else if name.starts_with('-') || name.starts_with('!') {
            fail("it starts with `-` or `!`")
        } else if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            fail("it contains whitespace")
        } else if BuiltinChain::from_name(name).is_some() || RESERVED.contains(&name) {
            fail("it is a built-in chain or target name")
        } else {
            Ok(Self(name.to_owned()))
        }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a chain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChainName {
    /// A chain the kernel calls.
    Builtin(BuiltinChain),
    /// A chain rules jump to.
    User(UserChain),
}

impl ChainName {
    /// The built-in chain, if this is one.
    pub fn builtin(&self) -> Option<BuiltinChain> {
        match self {
            ChainName::Builtin(chain) => Some(*chain),
            ChainName::User(_) => None,
        }
    }

    /// The name as iptables writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ChainName::Builtin(chain) => chain.as_str(),
            ChainName::User(chain) => chain.as_str(),
        }
    }
}

impl fmt::Display for ChainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainName::Builtin(chain) => f.write_str(chain.as_str()),
            ChainName::User(chain) => f.write_str(chain.as_str()),
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

/// Packet and byte counters, as `[packets:bytes]` in save files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Counters {
    /// Packets counted.
    pub packets: u64,
    /// Bytes counted.
    pub bytes: u64,
}

/// A chain: its policy (built-in chains only) and its rules in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// The chain's name.
    pub name: ChainName,
    /// The policy of a built-in chain; `None` for user chains.
    pub policy: Option<Policy>,
    /// The policy's counters, as read.
    pub counters: Counters,
    /// Rules, evaluated first to last.
    pub rules: Vec<Rule>,
}

impl Chain {
    /// A built-in chain with `policy` and no rules.
    pub fn builtin(chain: BuiltinChain, policy: Policy) -> Self {
        Self { name: ChainName::Builtin(chain), policy: Some(policy), counters: Counters::default(), rules: Vec::new() }
    }

    /// An empty user chain.
    pub fn user(chain: UserChain) -> Self {
        Self { name: ChainName::User(chain), policy: None, counters: Counters::default(), rules: Vec::new() }
    }
}

/// A table and its chains: built-in chains first, in the kernel's order, then user chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Which table.
    pub name: TableName,
    /// Chains in print order.
    pub chains: Vec<Chain>,
}

impl Table {
    /// The table with its built-in chains, all with policy ACCEPT, as the kernel starts it.
    pub fn new(name: TableName) -> Self {
        let chains = name.builtin_chains().iter().map(|chain| Chain::builtin(*chain, Policy::Accept)).collect();
        Self { name, chains }
    }

    /// The chain named `name`, if present.
    pub fn chain(&self, name: &ChainName) -> Option<&Chain> {
        self.chains.iter().find(|chain| chain.name == *name)
    }

    /// The chain named `name`, mutably.
    pub fn chain_mut(&mut self, name: &ChainName) -> Option<&mut Chain> {
        self.chains.iter_mut().find(|chain| chain.name == *name)
    }
}

/// Where a rule sits: table, chain and 1-based index (`None` for the chain's policy). The one
/// rule address of the engine: the simulator's trace and verdicts, the lints' findings and the
/// matrices all name rules with it, and [`crate::analysis::rule_at`] finds the rule again.
///
/// # Examples
/// ```
/// use portcullis_engine::model::{RuleLoc, TableName};
/// let loc = RuleLoc { table: TableName::Filter, chain: "INPUT".to_owned(), index: Some(3) };
/// assert_eq!(loc.to_string(), "INPUT rule 3");
/// assert_eq!(serde_json::to_value(&loc).unwrap(), serde_json::json!({"table": "filter", "chain": "INPUT", "index": 3}));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RuleLoc {
    /// The table.
    pub table: TableName,
    /// The chain's name.
    pub chain: String,
    /// 1-based position, `None` for the policy.
    pub index: Option<usize>,
}

impl fmt::Display for RuleLoc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(index) => write!(f, "{} rule {index}", self.chain),
            None => write!(f, "the {} policy", self.chain),
        }
    }
}

impl serde::Serialize for RuleLoc {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut out = serializer.serialize_struct("RuleLoc", 3)?;
        out.serialize_field("table", self.table.as_str())?;
        out.serialize_field("chain", &self.chain)?;
        out.serialize_field("index", &self.index)?;
        out.end()
    }
}

/// Reads back what [`RuleLoc`]'s `Serialize` writes (the table by its iptables name).
impl<'de> serde::Deserialize<'de> for RuleLoc {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        struct Written {
            table: String,
            chain: String,
            index: Option<usize>,
        }
        let Written { table, chain, index } = Written::deserialize(deserializer)?;
        let table = TableName::from_name(&table).ok_or_else(|| serde::de::Error::custom(format!("unknown table `{table}`")))?;
        Ok(RuleLoc { table, chain, index })
    }
}
