//! The one registry of diagnostic codes: `P…` for reading rules, `L…` for the lints of
//! [`crate::analysis`], `S…` for the server survey ([`crate::survey`]). Codes are stable and
//! never reused: a retired code keeps its number and is simply no longer emitted.
//!
//! | code | slug | severity | example |
//! |------|------|----------|---------|
//! | P001 | `unterminated-quote` | error | `--comment "open` |
//! | P002 | `word-too-long` | error | a 2,000-byte `--comment` |
//! | P003 | `input-too-large` | error | a 60 MB paste |
//! | P010 | `unexpected-line` | error | `-A INPUT -j ACCEPT` before any `*filter` |
//! | P011 | `unknown-table` | error | `*filters` |
//! | P012 | `missing-commit` | error | a table without `COMMIT` |
//! | P013 | `bad-chain-declaration` | error | `:INPUT DENY [0:0]` |
//! | P014 | `invalid-chain-name` | error | `-N -bad` |
//! | P015 | `chain-not-found` | error | `-A NOWHERE -j ACCEPT` |
//! | P016 | `chain-exists` | error | `-N INPUT` |
//! | P017 | `rule-not-found` | error | `-D INPUT 9` in a chain of 3 rules |
//! | P020 | `unknown-option` | error | `-A INPUT --frobnicate` |
//! | P021 | `missing-value` | error | `-A INPUT -p` |
//! | P022 | `bad-value` | error | `--dport 22:21`, `-s 300.1.1.1` |
//! | P023 | `needs-protocol` | error | `-A INPUT --dport 22 -j ACCEPT` |
//! | P024 | `wrong-chain-for-option` | error | `-A OUTPUT -i eth0` |
//! | P025 | `wrong-table-for-target` | error | `-t nat -A PREROUTING -j REJECT` |
//! | P026 | `undefined-jump` | error | `-A INPUT -j NOWHERE` |
//! | P027 | `duplicate-option` | error | `-A INPUT -p tcp -p udp` |
//! | P028 | `missing-command` | error | `iptables -p tcp --dport 22` |
//! | P029 | `cannot-negate` | error | `-A INPUT ! -j ACCEPT`, `-f -f` flags that take no `!` |
//! | P030 | `kept-verbatim` | info | `-m u32 --u32 …`: kept exactly as written |
//! | P031 | `not-iptables` | info | `service iptables save` in a script |
//! | P032 | `unresolved-variable` | warning | `$WAN` never assigned |
//! | P033 | `host-name` | error | `-s example.com`: no DNS in the browser |
//! | L001 | `never-matches` | warning | `-p tcp -m conntrack --ctproto udp` |
//! | L002 | `shadowed-rule` | warning | `-j ACCEPT` after a `-j DROP` that takes all its packets |
//! | L003 | `redundant-rule` | info | the same rule twice |
//! | L004 | `undefined-chain` | error | `-j NOWHERE` in a model built by code |
//! | L005 | `chain-cycle` | error | `a` jumps to `b`, `b` jumps to `a` |
//! | L006 | `unused-chain` | info | `-N spare` that no rule jumps to |
//! | L007 | `lockout` | error | `:INPUT DROP` without an SSH accept for the admin |
//! | L008 | `no-established` | error | `:INPUT DROP` without `--ctstate ESTABLISHED,RELATED -j ACCEPT` |
//! | L009 | `dns-blocked` | warning | `:OUTPUT DROP` without `-p udp --dport 53 -j ACCEPT` |
//! | L010 | `invalid-not-dropped` | info | no `--ctstate INVALID -j DROP` before the accepts |
//! | L011 | `icmp-blocked` | warning | `-p icmp -j DROP` (path MTU discovery breaks) |
//! | L012 | `dual-stack-mismatch` | warning | port 80 open in IPv4, closed in IPv6 |
//! | L013 | `exposed-risky-service` | error | `-p tcp --dport 3306 -j ACCEPT` from anywhere |
//! | L014 | `cleartext-service` | warning | `-p tcp --dport 23 -j ACCEPT` from anywhere |
//! | L015 | `default-accept` | warning | `:INPUT ACCEPT` without a final catch-all drop |
//! | L016 | `host-bits-set` | warning | `-s 10.0.0.1/8` (read as 10.0.0.0/8) |
//! | L017 | `deprecated-state` | info | `-m state --state NEW` |
//! | L018 | `log-unlimited` | warning | `-j LOG` without `-m limit` |
//! | L019 | `apply-lockout` | error | `iptables -P INPUT DROP` typed before the SSH and `ESTABLISHED` accepts: the session running the commands is cut (a warning when only new logins are refused meanwhile) |
//! | L020 | `loopback-blocked` | warning | `:INPUT DROP` without `-i lo -j ACCEPT` |
//! | L021 | `owned-by-docker` | warning | `:DOCKER - [0:0]`, `-A FORWARD -j DOCKER-USER`: exporting replaces Docker's chains with this snapshot (see [`crate::workbench::owners`]) |
//! | L022 | `owned-by-ufw` | warning | `-A INPUT -j ufw-before-input`: ufw rewrites the tables on its next reload |
//! | L023 | `owned-by-fail2ban` | warning | `-A f2b-sshd -s 203.0.113.45/32 -j REJECT`: the ban would be frozen into a static rule |
//! | L024 | `owned-by-firewalld` | warning | `-A INPUT -j INPUT_direct`: firewalld rewrites the tables on reload |
//! | L025 | `owned-by-kube-proxy` | warning | `-A INPUT -j KUBE-FIREWALL`: kube-proxy resyncs these chains constantly |
//! | L026 | `owned-by-libvirt` | warning | `-A INPUT -j LIBVIRT_INP`: libvirt adds them again when a network starts |
//! | L027 | `owned-by-cilium` | warning | `-A INPUT -j CILIUM_INPUT`: Cilium's agent rewrites them |
//! | L028 | `docker-bypass` | warning | `-A INPUT -p tcp --dport 8080 -j ACCEPT` while Docker publishes 8080 (`-t nat -A DOCKER … --dport 8080 -j DNAT`): the DNAT in PREROUTING sends it through FORWARD, never INPUT |
//! | L029 | `fail2ban-order` | warning | `-A INPUT -p tcp --dport 22 -j ACCEPT` before `-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd`: the jail's bans never apply |
//! | S001 | `survey-unrecognised-line` | warning | `Hello world` pasted among the survey's outputs |
//! | S002 | `survey-unreadable-line` | warning | `tcp LISTEN 0 128 0.0.0.0:ssh`: a cut or garbled line of ss, netstat or ip |
//! | S003 | `survey-nothing-recognised` | error | a paste with no output of ss, netstat, ip -br addr or iptables-save |
//! | S010 | `survey-closed-listener` | warning | nginx on `0.0.0.0:80` while the design keeps TCP 80 closed |
//! | S011 | `survey-nothing-listens` | info | the design opens TCP 443 and nothing listens on it |
//! | S012 | `survey-published-port` | info | Docker publishes TCP 8080 and the design has no choice for container ports |

/// A diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Code {
    /// P001
    UnterminatedQuote,
    /// P002
    WordTooLong,
    /// P003
    InputTooLarge,
    /// P010
    UnexpectedLine,
    /// P011
    UnknownTable,
    /// P012
    MissingCommit,
    /// P013
    BadChainDeclaration,
    /// P014
    InvalidChainName,
    /// P015
    ChainNotFound,
    /// P016
    ChainExists,
    /// P017
    RuleNotFound,
    /// P020
    UnknownOption,
    /// P021
    MissingValue,
    /// P022
    BadValue,
    /// P023
    NeedsProtocol,
    /// P024
    WrongChainForOption,
    /// P025
    WrongTableForTarget,
    /// P026
    UndefinedJump,
    /// P027
    DuplicateOption,
    /// P028
    MissingCommand,
    /// P029
    CannotNegate,
    /// P030
    KeptVerbatim,
    /// P031
    NotIptables,
    /// P032
    UnresolvedVariable,
    /// P033
    HostName,
    /// L001: see [`crate::analysis`].
    NeverMatches,
    /// L002: see [`crate::analysis`].
    ShadowedRule,
    /// L003: see [`crate::analysis`].
    RedundantRule,
    /// L004: see [`crate::analysis`].
    UndefinedChain,
    /// L005: see [`crate::analysis`].
    ChainCycle,
    /// L006: see [`crate::analysis`].
    UnusedChain,
    /// L007: see [`crate::analysis`].
    Lockout,
    /// L008: see [`crate::analysis`].
    NoEstablished,
    /// L009: see [`crate::analysis`].
    DnsBlocked,
    /// L010: see [`crate::analysis`].
    InvalidNotDropped,
    /// L011: see [`crate::analysis`].
    IcmpBlocked,
    /// L012: see [`crate::analysis`].
    DualStackMismatch,
    /// L013: see [`crate::analysis`].
    ExposedRiskyService,
    /// L014: see [`crate::analysis`].
    CleartextService,
    /// L015: see [`crate::analysis`].
    DefaultAccept,
    /// L016: see [`crate::analysis`].
    HostBitsSet,
    /// L017: see [`crate::analysis`].
    DeprecatedState,
    /// L018: see [`crate::analysis`].
    LogUnlimited,
    /// L019: see [`crate::analysis::apply`].
    ApplyLockout,
    /// L020: see [`crate::analysis`].
    LoopbackBlocked,
    /// L021: see [`crate::workbench::owners`].
    OwnedByDocker,
    /// L022: see [`crate::workbench::owners`].
    OwnedByUfw,
    /// L023: see [`crate::workbench::owners`].
    OwnedByFail2ban,
    /// L024: see [`crate::workbench::owners`].
    OwnedByFirewalld,
    /// L025: see [`crate::workbench::owners`].
    OwnedByKubeProxy,
    /// L026: see [`crate::workbench::owners`].
    OwnedByLibvirt,
    /// L027: see [`crate::workbench::owners`].
    OwnedByCilium,
    /// L028: see [`crate::analysis`].
    DockerBypass,
    /// L029: see [`crate::analysis`].
    Fail2banOrder,
    /// S001: see [`crate::survey`].
    SurveyUnrecognisedLine,
    /// S002: see [`crate::survey`].
    SurveyUnreadableLine,
    /// S003: see [`crate::survey`].
    SurveyNothingRecognised,
    /// S010: see [`crate::survey::Survey::conflicts`].
    SurveyClosedListener,
    /// S011: see [`crate::survey::Survey::conflicts`].
    SurveyNothingListens,
    /// S012: see [`crate::survey::Survey::conflicts`].
    SurveyPublishedPort,
}

use crate::diagnostic::Severity;

impl Code {
    /// Every code, in number order.
    pub const ALL: &'static [Code] = &[
        Code::UnterminatedQuote,
        Code::WordTooLong,
        Code::InputTooLarge,
        Code::UnexpectedLine,
        Code::UnknownTable,
        Code::MissingCommit,
        Code::BadChainDeclaration,
        Code::InvalidChainName,
        Code::ChainNotFound,
        Code::ChainExists,
        Code::RuleNotFound,
        Code::UnknownOption,
        Code::MissingValue,
        Code::BadValue,
        Code::NeedsProtocol,
        Code::WrongChainForOption,
        Code::WrongTableForTarget,
        Code::UndefinedJump,
        Code::DuplicateOption,
        Code::MissingCommand,
        Code::CannotNegate,
        Code::KeptVerbatim,
        Code::NotIptables,
        Code::UnresolvedVariable,
        Code::HostName,
        Code::NeverMatches,
        Code::ShadowedRule,
        Code::RedundantRule,
        Code::UndefinedChain,
        Code::ChainCycle,
        Code::UnusedChain,
        Code::Lockout,
        Code::NoEstablished,
        Code::DnsBlocked,
        Code::InvalidNotDropped,
        Code::IcmpBlocked,
        Code::DualStackMismatch,
        Code::ExposedRiskyService,
        Code::CleartextService,
        Code::DefaultAccept,
        Code::HostBitsSet,
        Code::DeprecatedState,
        Code::LogUnlimited,
        Code::ApplyLockout,
        Code::LoopbackBlocked,
        Code::OwnedByDocker,
        Code::OwnedByUfw,
        Code::OwnedByFail2ban,
        Code::OwnedByFirewalld,
        Code::OwnedByKubeProxy,
        Code::OwnedByLibvirt,
        Code::OwnedByCilium,
        Code::DockerBypass,
        Code::Fail2banOrder,
        Code::SurveyUnrecognisedLine,
        Code::SurveyUnreadableLine,
        Code::SurveyNothingRecognised,
        Code::SurveyClosedListener,
        Code::SurveyNothingListens,
        Code::SurveyPublishedPort,
    ];

    /// The code as printed, e.g. `P022`; and its slug, e.g. `bad-value`.
    fn entry(self) -> (&'static str, &'static str, Severity) {
        use Severity::{Error, Info, Warning};
        match self {
            Code::UnterminatedQuote => ("P001", "unterminated-quote", Error),
            Code::WordTooLong => ("P002", "word-too-long", Error),
            Code::InputTooLarge => ("P003", "input-too-large", Error),
            Code::UnexpectedLine => ("P010", "unexpected-line", Error),
            Code::UnknownTable => ("P011", "unknown-table", Error),
            Code::MissingCommit => ("P012", "missing-commit", Error),
            Code::BadChainDeclaration => ("P013", "bad-chain-declaration", Error),
            Code::InvalidChainName => ("P014", "invalid-chain-name", Error),
            Code::ChainNotFound => ("P015", "chain-not-found", Error),
            Code::ChainExists => ("P016", "chain-exists", Error),
            Code::RuleNotFound => ("P017", "rule-not-found", Error),
            Code::UnknownOption => ("P020", "unknown-option", Error),
            Code::MissingValue => ("P021", "missing-value", Error),
            Code::BadValue => ("P022", "bad-value", Error),
            Code::NeedsProtocol => ("P023", "needs-protocol", Error),
            Code::WrongChainForOption => ("P024", "wrong-chain-for-option", Error),
            Code::WrongTableForTarget => ("P025", "wrong-table-for-target", Error),
            Code::UndefinedJump => ("P026", "undefined-jump", Error),
            Code::DuplicateOption => ("P027", "duplicate-option", Error),
            Code::MissingCommand => ("P028", "missing-command", Error),
            Code::CannotNegate => ("P029", "cannot-negate", Error),
            Code::KeptVerbatim => ("P030", "kept-verbatim", Info),
            Code::NotIptables => ("P031", "not-iptables", Info),
            Code::UnresolvedVariable => ("P032", "unresolved-variable", Warning),
            Code::HostName => ("P033", "host-name", Error),
            Code::NeverMatches => ("L001", "never-matches", Warning),
            Code::ShadowedRule => ("L002", "shadowed-rule", Warning),
            Code::RedundantRule => ("L003", "redundant-rule", Info),
            Code::UndefinedChain => ("L004", "undefined-chain", Error),
            Code::ChainCycle => ("L005", "chain-cycle", Error),
            Code::UnusedChain => ("L006", "unused-chain", Info),
            Code::Lockout => ("L007", "lockout", Error),
            Code::NoEstablished => ("L008", "no-established", Error),
            Code::DnsBlocked => ("L009", "dns-blocked", Warning),
            Code::InvalidNotDropped => ("L010", "invalid-not-dropped", Info),
            Code::IcmpBlocked => ("L011", "icmp-blocked", Warning),
            Code::DualStackMismatch => ("L012", "dual-stack-mismatch", Warning),
            Code::ExposedRiskyService => ("L013", "exposed-risky-service", Error),
            Code::CleartextService => ("L014", "cleartext-service", Warning),
            Code::DefaultAccept => ("L015", "default-accept", Warning),
            Code::HostBitsSet => ("L016", "host-bits-set", Warning),
            Code::DeprecatedState => ("L017", "deprecated-state", Info),
            Code::LogUnlimited => ("L018", "log-unlimited", Warning),
            Code::ApplyLockout => ("L019", "apply-lockout", Error),
            Code::LoopbackBlocked => ("L020", "loopback-blocked", Warning),
            Code::OwnedByDocker => ("L021", "owned-by-docker", Warning),
            Code::OwnedByUfw => ("L022", "owned-by-ufw", Warning),
            Code::OwnedByFail2ban => ("L023", "owned-by-fail2ban", Warning),
            Code::OwnedByFirewalld => ("L024", "owned-by-firewalld", Warning),
            Code::OwnedByKubeProxy => ("L025", "owned-by-kube-proxy", Warning),
            Code::OwnedByLibvirt => ("L026", "owned-by-libvirt", Warning),
            Code::OwnedByCilium => ("L027", "owned-by-cilium", Warning),
            Code::DockerBypass => ("L028", "docker-bypass", Warning),
            Code::Fail2banOrder => ("L029", "fail2ban-order", Warning),
            Code::SurveyUnrecognisedLine => ("S001", "survey-unrecognised-line", Warning),
            Code::SurveyUnreadableLine => ("S002", "survey-unreadable-line", Warning),
            Code::SurveyNothingRecognised => ("S003", "survey-nothing-recognised", Error),
            Code::SurveyClosedListener => ("S010", "survey-closed-listener", Warning),
            Code::SurveyNothingListens => ("S011", "survey-nothing-listens", Info),
            Code::SurveyPublishedPort => ("S012", "survey-published-port", Info),
        }
    }

    /// The code as printed, e.g. `P022`.
    pub fn as_str(self) -> &'static str {
        self.entry().0
    }

    /// The stable slug used in JSON output, e.g. `bad-value`.
    pub fn slug(self) -> &'static str {
        self.entry().1
    }

    /// The severity a finding of this code has unless said otherwise.
    pub fn severity(self) -> Severity {
        self.entry().2
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_slugs_are_unique_and_documented() {
        let docs = include_str!("codes.rs");
        for (i, code) in Code::ALL.iter().enumerate() {
            for other in &Code::ALL[i + 1..] {
                assert_ne!(code.as_str(), other.as_str());
                assert_ne!(code.slug(), other.slug());
            }
            let row = format!("| {} | `{}` | {} |", code.as_str(), code.slug(), code.severity());
            assert!(docs.contains(&row), "codes.rs documents {code} as {row}");
        }
    }
}
