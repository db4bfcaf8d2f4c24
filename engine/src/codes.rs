//! The one registry of diagnostic codes: `P…` for reading rules, `L…` for the lints of
//! [`crate::analysis`], `S…` for the server survey ([`crate::survey`]). Codes are stable and
//! never reused: a retired code keeps its number and is simply no longer emitted.
//!
//! Each code is declared once, in the `codes!` list below, with its number, its slug, its
//! severity and an example of what raises it; the enum, [`Code::ALL`] and the lookups come from
//! it, and `docs/diagnostics.md` explains each (a test checks that it lists every code).

use crate::diagnostic::Severity;

/// The registry: `Variant = "code", "slug", Severity, "example";` for every code, in number order.
macro_rules! codes {
    ($($variant:ident = $code:literal, $slug:literal, $severity:ident, $example:literal;)*) => {
        /// A diagnostic code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[non_exhaustive]
        pub enum Code {
            $(
                #[doc = concat!("`", $code, "` `", $slug, "` (", stringify!($severity), "), e.g. ", $example)]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in number order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed, its slug, its severity and its example.
            fn entry(self) -> (&'static str, &'static str, Severity, &'static str) {
                match self {
                    $(Code::$variant => ($code, $slug, Severity::$severity, $example),)*
                }
            }
        }
    };
}

codes! {
    UnterminatedQuote = "P001", "unterminated-quote", Error, "`--comment \"open`";
    WordTooLong = "P002", "word-too-long", Error, "a 2,000-byte `--comment`";
    InputTooLarge = "P003", "input-too-large", Error, "a 60 MB paste";
    NulByte = "P004", "nul-byte", Error, "`--comment \"a\\0b\"`: a NUL byte, where iptables-restore stops reading the line";
    UnexpectedLine = "P010", "unexpected-line", Error, "`-A INPUT -j ACCEPT` before any `*filter`";
    UnknownTable = "P011", "unknown-table", Error, "`*filters`";
    MissingCommit = "P012", "missing-commit", Error, "a table without `COMMIT`";
    BadChainDeclaration = "P013", "bad-chain-declaration", Error, "`:INPUT DENY [0:0]`";
    InvalidChainName = "P014", "invalid-chain-name", Error, "`-N -bad`";
    ChainNotFound = "P015", "chain-not-found", Error, "`-A NOWHERE -j ACCEPT`";
    ChainExists = "P016", "chain-exists", Error, "`-N INPUT`";
    RuleNotFound = "P017", "rule-not-found", Error, "`-D INPUT 9` in a chain of 3 rules";
    UnknownOption = "P020", "unknown-option", Error, "`-A INPUT --frobnicate`";
    MissingValue = "P021", "missing-value", Error, "`-A INPUT -p`";
    BadValue = "P022", "bad-value", Error, "`--dport 22:21`, `-s 300.1.1.1`";
    NeedsProtocol = "P023", "needs-protocol", Error, "`-A INPUT --dport 22 -j ACCEPT`";
    WrongChainForOption = "P024", "wrong-chain-for-option", Error, "`-A OUTPUT -i eth0`";
    WrongTableForTarget = "P025", "wrong-table-for-target", Error, "`-t nat -A PREROUTING -j REJECT`";
    UndefinedJump = "P026", "undefined-jump", Error, "`-A INPUT -j NOWHERE`";
    DuplicateOption = "P027", "duplicate-option", Error, "`-A INPUT -p tcp -p udp`";
    MissingCommand = "P028", "missing-command", Error, "`iptables -p tcp --dport 22`";
    CannotNegate = "P029", "cannot-negate", Error, "`-A INPUT ! -j ACCEPT`, `-f -f` flags that take no `!`";
    KeptVerbatim = "P030", "kept-verbatim", Info, "`-m u32 --u32 …`: kept exactly as written";
    NotIptables = "P031", "not-iptables", Info, "`service iptables save` in a script";
    UnresolvedVariable = "P032", "unresolved-variable", Warning, "`$WAN` never assigned";
    HostName = "P033", "host-name", Error, "`-s example.com`: no DNS in the browser";
    NeverMatches = "L001", "never-matches", Warning, "`-p tcp -m conntrack --ctproto udp`";
    ShadowedRule = "L002", "shadowed-rule", Warning, "`-j ACCEPT` after a `-j DROP` that takes all its packets";
    RedundantRule = "L003", "redundant-rule", Info, "the same rule twice";
    UndefinedChain = "L004", "undefined-chain", Error, "`-j NOWHERE` in a model built by code";
    ChainCycle = "L005", "chain-cycle", Error, "`a` jumps to `b`, `b` jumps to `a`";
    UnusedChain = "L006", "unused-chain", Info, "`-N spare` that no rule jumps to";
    Lockout = "L007", "lockout", Error, "`:INPUT DROP` without an SSH accept for the admin";
    NoEstablished = "L008", "no-established", Error, "`:INPUT DROP` without `--ctstate ESTABLISHED,RELATED -j ACCEPT`";
    DnsBlocked = "L009", "dns-blocked", Warning, "`:OUTPUT DROP` without `-p udp --dport 53 -j ACCEPT`";
    InvalidNotDropped = "L010", "invalid-not-dropped", Info, "no `--ctstate INVALID -j DROP` before the accepts";
    IcmpBlocked = "L011", "icmp-blocked", Warning, "`-p icmp -j DROP` (path MTU discovery breaks)";
    DualStackMismatch = "L012", "dual-stack-mismatch", Warning, "port 80 open in IPv4, closed in IPv6";
    ExposedRiskyService = "L013", "exposed-risky-service", Error, "`-p tcp --dport 3306 -j ACCEPT` from anywhere";
    CleartextService = "L014", "cleartext-service", Warning, "`-p tcp --dport 23 -j ACCEPT` from anywhere";
    DefaultAccept = "L015", "default-accept", Warning, "`:INPUT ACCEPT` without a final catch-all drop";
    HostBitsSet = "L016", "host-bits-set", Warning, "`-s 10.0.0.1/8` (read as 10.0.0.0/8)";
    DeprecatedState = "L017", "deprecated-state", Info, "`-m state --state NEW`";
    LogUnlimited = "L018", "log-unlimited", Warning, "`-j LOG` without `-m limit`";
    ApplyLockout = "L019", "apply-lockout", Error, "`iptables -P INPUT DROP` typed before the SSH and `ESTABLISHED` accepts: the session running the commands is cut (a warning when only new logins are refused meanwhile)";
    LoopbackBlocked = "L020", "loopback-blocked", Warning, "`:INPUT DROP` without `-i lo -j ACCEPT`";
    OwnedByDocker = "L021", "owned-by-docker", Warning, "`:DOCKER - [0:0]`, `-A FORWARD -j DOCKER-USER`: exporting replaces Docker's chains with this snapshot (see [`crate::workbench::owners`])";
    OwnedByUfw = "L022", "owned-by-ufw", Warning, "`-A INPUT -j ufw-before-input`: ufw rewrites the tables on its next reload";
    OwnedByFail2ban = "L023", "owned-by-fail2ban", Warning, "`-A f2b-sshd -s 203.0.113.45/32 -j REJECT`: the ban would be frozen into a static rule";
    OwnedByFirewalld = "L024", "owned-by-firewalld", Warning, "`-A INPUT -j INPUT_direct`: firewalld rewrites the tables on reload";
    OwnedByKubeProxy = "L025", "owned-by-kube-proxy", Warning, "`-A INPUT -j KUBE-FIREWALL`: kube-proxy resyncs these chains constantly";
    OwnedByLibvirt = "L026", "owned-by-libvirt", Warning, "`-A INPUT -j LIBVIRT_INP`: libvirt adds them again when a network starts";
    OwnedByCilium = "L027", "owned-by-cilium", Warning, "`-A INPUT -j CILIUM_INPUT`: Cilium's agent rewrites them";
    DockerBypass = "L028", "docker-bypass", Warning, "`-A INPUT -p tcp --dport 8080 -j ACCEPT` while Docker publishes 8080 (`-t nat -A DOCKER … --dport 8080 -j DNAT`): the DNAT in PREROUTING sends it through FORWARD, never INPUT";
    Fail2banOrder = "L029", "fail2ban-order", Warning, "`-A INPUT -p tcp --dport 22 -j ACCEPT` before `-A INPUT -p tcp -m multiport --dports 22 -j f2b-sshd`: the jail's bans never apply";
    SurveyUnrecognisedLine = "S001", "survey-unrecognised-line", Warning, "`Hello world` pasted among the survey's outputs";
    SurveyUnreadableLine = "S002", "survey-unreadable-line", Warning, "`tcp LISTEN 0 128 0.0.0.0:ssh`: a cut or garbled line of ss, netstat or ip";
    SurveyNothingRecognised = "S003", "survey-nothing-recognised", Error, "a paste with no output of ss, netstat, ip -br addr or iptables-save";
    SurveyClosedListener = "S010", "survey-closed-listener", Warning, "nginx on `0.0.0.0:80` while the design keeps TCP 80 closed";
    SurveyNothingListens = "S011", "survey-nothing-listens", Info, "the design opens TCP 443 and nothing listens on it";
    SurveyPublishedPort = "S012", "survey-published-port", Info, "Docker publishes TCP 8080 and the design has no choice for container ports";
}

impl Code {
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

    /// An example of what raises it, e.g. `--dport 22:21` for `bad-value`.
    pub fn example(self) -> &'static str {
        self.entry().3
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
        let docs = include_str!("../../docs/diagnostics.md");
        for (i, code) in Code::ALL.iter().enumerate() {
            for other in &Code::ALL[i + 1..] {
                assert_ne!(code.as_str(), other.as_str());
                assert_ne!(code.slug(), other.slug());
            }
            let row = format!("| {} | `{}` | {} |", code.as_str(), code.slug(), code.severity());
            assert!(docs.contains(&row), "docs/diagnostics.md documents {code} as {row}");
            assert!(!code.example().is_empty());
        }
    }
}
