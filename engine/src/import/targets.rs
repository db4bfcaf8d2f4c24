//! Typed targets from what the reader collected, with the table and chain checks iptables makes.

use super::rule::{Extension, Place};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{BuiltinChain, Log, Negated, Protocol, RejectWith, TableName, Target, UserChain, LOG_LEVELS};

/// Targets that only work in some tables and built-in chains: (name, table, chains).
const RESTRICTED: &[(&str, TableName, &[BuiltinChain])] = &[
    ("REJECT", TableName::Filter, &[BuiltinChain::Input, BuiltinChain::Forward, BuiltinChain::Output]),
    ("DNAT", TableName::Nat, &[BuiltinChain::Prerouting, BuiltinChain::Output]),
    ("REDIRECT", TableName::Nat, &[BuiltinChain::Prerouting, BuiltinChain::Output]),
    ("SNAT", TableName::Nat, &[BuiltinChain::Postrouting, BuiltinChain::Input]),
    ("MASQUERADE", TableName::Nat, &[BuiltinChain::Postrouting]),
    ("CT", TableName::Raw, &[BuiltinChain::Prerouting, BuiltinChain::Output]),
    ("NOTRACK", TableName::Raw, &[BuiltinChain::Prerouting, BuiltinChain::Output]),
];

/// Target extensions iptables ships: typed by `actions`, or kept verbatim.
const KNOWN_TARGETS: &[&str] = &[
    "AUDIT", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK", "CONNSECMARK", "CT", "DNAT", "DNPT", "DSCP", "ECN",
    "HL", "HMARK", "IDLETIMER", "LED", "MARK", "MASQUERADE", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "QUEUE",
    "RATEEST", "REDIRECT", "SECMARK", "SET", "SNAT", "SNPT", "SYNPROXY", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS",
    "TPROXY", "TRACE", "TTL", "ULOG",
];

/// Whether `name` is a target extension's name, which `iptables -N` refuses as a chain name.
pub(crate) fn is_extension_target(name: &str) -> bool {
    matches!(name, "REJECT" | "LOG") || KNOWN_TARGETS.contains(&name)
}

/// The target for `extension` in `place`, `None` (with a diagnostic) when it cannot be used.
pub(crate) fn build(
    extension: &Extension,
    goto: bool,
    place: Place<'_>,
    protocol: Option<&Negated<Protocol>>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Target> {
    let tcp = protocol.is_some_and(|protocol| !protocol.negated && protocol.value == Protocol::TCP);
    let name = extension.name.as_str();
    if let Some((_, table, chains)) = RESTRICTED.iter().find(|(restricted, ..)| *restricted == name) {
        let wrong_chain = place.chain.builtin().is_some_and(|chain| !chains.contains(&chain));
        if place.table != *table || wrong_chain {
            let chain_names: Vec<&str> = chains.iter().map(|chain| chain.as_str()).collect();
            diagnostics.push(
                Diagnostic::new(Code::WrongTableForTarget, extension.span, format!("`{name}` cannot be used in {} {}", place.table, place.chain))
                    .with_help(format!("use it in the {table} table, chains {} (or a user chain called from them)", chain_names.join(", "))),
            );
            return None;
        }
    }
    if (place.defined)(name) || goto {
        if !(place.defined)(name) {
            diagnostics.push(
                Diagnostic::new(Code::UndefinedJump, extension.span, format!("`-g {name}`: there is no chain `{name}`"))
                    .with_help(format!("create it first with `-N {name}` (or `:{name} - [0:0]` in a save file)")),
            );
            return None;
        }
        if !extension.words.is_empty() {
            diagnostics.push(Diagnostic::new(Code::UnknownOption, extension.span, format!("a jump to chain `{name}` takes no options")));
            return None;
        }
        let chain = UserChain::new(name).ok()?;
        return Some(if goto { Target::Goto(chain) } else { Target::Jump(chain) });
    }
    if name == "DROP" && place.table == TableName::Nat {
        diagnostics.push(
            Diagnostic::new(Code::WrongTableForTarget, extension.span, "`DROP` cannot be used in the nat table")
                .with_help("iptables inhibits filtering in nat: drop in the filter table instead"),
        );
        return None;
    }
    let mut failed = false;
    let target = match name {
        "ACCEPT" => Target::Accept,
        "DROP" => Target::Drop,
        "RETURN" => Target::Return,
        "REJECT" => {
            let mut with = RejectWith::PortUnreachable;
            for option in &extension.options {
                match RejectWith::parse(option.values.first().map_or("", String::as_str), place.family) {
                    Ok(RejectWith::TcpReset) if !tcp => {
                        diagnostics.push(Diagnostic::new(Code::NeedsProtocol, option.span, "`--reject-with tcp-reset` needs `-p tcp`")
                            .with_help("a TCP reset answers TCP only; add `-p tcp` or choose an ICMP reply"));
                        failed = true;
                    }
                    Ok(value) => with = value,
                    Err(message) => {
                        diagnostics.push(Diagnostic::new(Code::BadValue, option.span, message));
                        failed = true;
                    }
                }
            }
            Target::Reject(with)
        }
        "LOG" => {
            let mut log = Log::default();
            for option in &extension.options {
                let value = option.values.first().map_or("", String::as_str);
                match option.name {
                    "--log-prefix" => {
                        let mut prefix = value.to_owned();
                        if prefix.len() > 29 {
                            diagnostics.push(
                                Diagnostic::new(Code::BadValue, option.span, "a log prefix holds at most 29 bytes; iptables cuts the rest")
                                    .with_severity(crate::diagnostic::Severity::Warning),
                            );
                            let mut end = 29;
                            while !prefix.is_char_boundary(end) {
                                end -= 1;
                            }
                            prefix.truncate(end);
                        }
                        log.prefix = Some(prefix);
                    }
                    "--log-level" => {
                        let level = value.parse::<u8>().ok().filter(|level| *level <= 7).or_else(|| {
                            LOG_LEVELS.iter().find(|(level, _)| *level == value).map(|(_, number)| *number)
                        });
                        match level {
                            Some(level) => log.level = level,
                            None => {
                                diagnostics.push(Diagnostic::new(Code::BadValue, option.span, format!("`{value}` is not a log level (0-7 or emerg … debug)")));
                                failed = true;
                            }
                        }
                    }
                    "--log-tcp-sequence" => log.tcp_sequence = true,
                    "--log-tcp-options" => log.tcp_options = true,
                    "--log-ip-options" => log.ip_options = true,
                    "--log-uid" => log.uid = true,
                    _ => log.macdecode = true,
                }
            }
            Target::Log(log)
        }
        _ if KNOWN_TARGETS.contains(&name) => {
            let facts = super::actions::RuleFacts { place, protocol };
            match super::actions::build(extension, &facts, diagnostics) {
                Ok(Some(target)) => target,
                Ok(None) => {
                    diagnostics.push(Diagnostic::new(Code::KeptVerbatim, extension.span, format!("target `{name}` is kept exactly as written")));
                    Target::Unknown { name: name.to_owned(), args: extension.words.clone() }
                }
                Err(problem) => {
                    diagnostics.push(Diagnostic::new(Code::BadValue, problem.span, problem.message));
                    return None;
                }
            }
        }
        _ => {
            diagnostics.push(
                Diagnostic::new(Code::UndefinedJump, extension.span, format!("`-j {name}`: there is no chain `{name}`"))
                    .with_help(format!("create it first with `-N {name}` (or `:{name} - [0:0]` in a save file)")),
            );
            return None;
        }
    };
    (!failed).then_some(target)
}
