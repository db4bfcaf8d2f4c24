//! Targets: what a rule does with a packet it matches.

use std::fmt;

use super::{Family, UserChain};

/// The reply `-j REJECT` sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectWith {
    /// `icmp-net-unreachable` (IPv4)
    NetUnreachable,
    /// `icmp-host-unreachable` (IPv4)
    HostUnreachable,
    /// `icmp-port-unreachable` / `icmp6-port-unreachable`: the default.
    PortUnreachable,
    /// `icmp-proto-unreachable` (IPv4)
    ProtoUnreachable,
    /// `icmp-net-prohibited` (IPv4)
    NetProhibited,
    /// `icmp-host-prohibited` (IPv4)
    HostProhibited,
    /// `icmp-admin-prohibited` / `icmp6-adm-prohibited`
    AdminProhibited,
    /// `tcp-reset`
    TcpReset,
    /// `icmp6-no-route` (IPv6)
    NoRoute,
    /// `icmp6-addr-unreachable` (IPv6)
    AddrUnreachable,
    /// `icmp6-policy-fail` (IPv6)
    PolicyFail,
    /// `icmp6-reject-route` (IPv6)
    RejectRoute,
}

/// A reply, its canonical IPv4 and IPv6 names (where the family has it), and its aliases.
type RejectName = (RejectWith, Option<&'static str>, Option<&'static str>, &'static [&'static str]);

const REJECT_NAMES: &[RejectName] = &[
    (RejectWith::NetUnreachable, Some("icmp-net-unreachable"), None, &["net-unreach"]),
    (RejectWith::HostUnreachable, Some("icmp-host-unreachable"), None, &["host-unreach"]),
    (RejectWith::PortUnreachable, Some("icmp-port-unreachable"), Some("icmp6-port-unreachable"), &["port-unreach"]),
    (RejectWith::ProtoUnreachable, Some("icmp-proto-unreachable"), None, &["proto-unreach"]),
    (RejectWith::NetProhibited, Some("icmp-net-prohibited"), None, &["net-prohib"]),
    (RejectWith::HostProhibited, Some("icmp-host-prohibited"), None, &["host-prohib"]),
    (RejectWith::AdminProhibited, Some("icmp-admin-prohibited"), None, &["admin-prohib"]),
    (RejectWith::AdminProhibited, None, Some("icmp6-adm-prohibited"), &["adm-prohibited"]),
    (RejectWith::TcpReset, Some("tcp-reset"), None, &["tcp-rst"]),
    (RejectWith::TcpReset, None, Some("tcp-reset"), &[]),
    (RejectWith::NoRoute, None, Some("icmp6-no-route"), &["no-route"]),
    (RejectWith::AddrUnreachable, None, Some("icmp6-addr-unreachable"), &["addr-unreach"]),
    (RejectWith::PolicyFail, None, Some("icmp6-policy-fail"), &["policy-fail"]),
    (RejectWith::RejectRoute, None, Some("icmp6-reject-route"), &["reject-route"]),
];

impl RejectWith {
    /// Reads a `--reject-with` value valid for `family`.
    ///
    /// # Errors
    /// When the name is unknown or belongs to the other family.
    pub fn parse(text: &str, family: Family) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        REJECT_NAMES
            .iter()
            .find(|(_, v4, v6, aliases)| {
                let canonical = if family == Family::V4 { v4 } else { v6 };
                canonical.is_some() && (canonical == &Some(lower.as_str()) || aliases.contains(&lower.as_str()))
            })
            .map(|(value, ..)| *value)
            .ok_or_else(|| {
                let known: Vec<&str> = REJECT_NAMES
                    .iter()
                    .filter_map(|(_, v4, v6, _)| if family == Family::V4 { *v4 } else { *v6 })
                    .collect();
                format!("`{text}` is not a {family} reject reply; use one of {}", known.join(", "))
            })
    }

    /// The name `iptables-save` prints for `family`.
    pub fn name(self, family: Family) -> &'static str {
        REJECT_NAMES
            .iter()
            .filter(|(value, ..)| *value == self)
            .find_map(|(_, v4, v6, _)| if family == Family::V4 { *v4 } else { *v6 })
            .unwrap_or("icmp-port-unreachable")
    }
}

/// Syslog levels `--log-level` accepts by name.
/// Exactly these spellings, lower case (`libxt_LOG.c`): not `err` or `warn`.
pub const LOG_LEVELS: [(&str, u8); 9] = [
    ("emerg", 0),
    ("panic", 0),
    ("alert", 1),
    ("crit", 2),
    ("error", 3),
    ("warning", 4),
    ("notice", 5),
    ("info", 6),
    ("debug", 7),
];

/// `-j LOG` options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(clippy::struct_excessive_bools)] // one bool per independent iptables flag
pub struct Log {
    /// `--log-prefix` (at most 29 bytes).
    pub prefix: Option<String>,
    /// `--log-level` 0 to 7 (default 4, warning).
    pub level: u8,
    /// `--log-tcp-sequence`
    pub tcp_sequence: bool,
    /// `--log-tcp-options`
    pub tcp_options: bool,
    /// `--log-ip-options`
    pub ip_options: bool,
    /// `--log-uid`
    pub uid: bool,
    /// `--log-macdecode`
    pub macdecode: bool,
}

impl Default for Log {
    fn default() -> Self {
        Self { prefix: None, level: 4, tcp_sequence: false, tcp_options: false, ip_options: false, uid: false, macdecode: false }
    }
}

/// What happens to a matching packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// `-j ACCEPT`
    Accept,
    /// `-j DROP`
    Drop,
    /// `-j RETURN`: back to the calling chain (the policy, in a built-in chain).
    Return,
    /// `-j REJECT`: drop and send an error reply.
    Reject(RejectWith),
    /// `-j LOG`: log and continue.
    Log(Log),
    /// `-j CHAIN`: evaluate a user chain, then come back.
    Jump(UserChain),
    /// `-g CHAIN`: evaluate a user chain and do not come back.
    Goto(UserChain),
    /// `-j NFLOG`: log through netlink and continue.
    Nflog(super::Nflog),
    /// `-j DNAT`: rewrite the destination (nat PREROUTING / OUTPUT).
    Dnat(super::Nat),
    /// `-j SNAT`: rewrite the source (nat POSTROUTING / INPUT).
    Snat(super::Nat),
    /// `-j MASQUERADE`: rewrite the source to the outgoing interface's address.
    Masquerade(super::Masquerade),
    /// `-j REDIRECT`: rewrite the destination to this host.
    Redirect(super::Masquerade),
    /// `-j MARK --set-xmark VALUE/MASK`: set bits of the packet mark.
    Mark(super::MarkValue),
    /// `-j CONNMARK`: set, save or restore the connection mark.
    ConnMark(super::ConnMarkAction),
    /// `-j CT` (raw table).
    Ct(super::Ct),
    /// `-j NOTRACK` (raw table): the old spelling of `CT --notrack`.
    NoTrack,
    /// `-j TCPMSS`
    TcpMss(super::TcpMss),
    /// `-j TRACE` (raw table): trace the packet through the rules.
    Trace,
    /// `-j SET`: add to or delete from an ipset.
    Set(super::SetTarget),
    /// Any other target (TPROXY, NFQUEUE…): kept verbatim.
    Unknown {
        /// The target name after `-j`.
        name: String,
        /// Its words as read, printed back re-quoted.
        args: Vec<String>,
    },
}

impl Target {
    /// The name after `-j` / `-g`.
    pub fn name(&self) -> &str {
        match self {
            Target::Accept => "ACCEPT",
            Target::Drop => "DROP",
            Target::Return => "RETURN",
            Target::Reject(_) => "REJECT",
            Target::Log(_) => "LOG",
            Target::Nflog(_) => "NFLOG",
            Target::Dnat(_) => "DNAT",
            Target::Snat(_) => "SNAT",
            Target::Masquerade(_) => "MASQUERADE",
            Target::Redirect(_) => "REDIRECT",
            Target::Mark(_) => "MARK",
            Target::ConnMark(_) => "CONNMARK",
            Target::Ct(_) => "CT",
            Target::NoTrack => "NOTRACK",
            Target::TcpMss(_) => "TCPMSS",
            Target::Trace => "TRACE",
            Target::Set(_) => "SET",
            Target::Jump(chain) | Target::Goto(chain) => chain.as_str(),
            Target::Unknown { name, .. } => name,
        }
    }
}

impl fmt::Display for RejectWith {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name(Family::V4))
    }
}
