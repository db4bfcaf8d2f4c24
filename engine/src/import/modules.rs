//! Typed match modules from the options the reader collected. A module with an option the engine
//! does not model is kept verbatim, never dropped.

use super::rule::{Extension, RawOption};
use super::values;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{BuiltinChain, Family, Module, Negated, PortDirection, Protocol, Rate, TcpFlags};

fn verbatim(extension: &Extension) -> Module {
    Module::Unknown { name: extension.name.clone(), args: extension.words.clone() }
}

/// The typed module for `extension`, `None` (with a diagnostic) when a value is invalid.
pub(crate) fn build(
    extension: &Extension,
    protocol: Option<Protocol>,
    family: Family,
    chain: Option<BuiltinChain>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Module> {
    if extension.verbatim {
        return Some(verbatim(extension));
    }
    let needs = |wanted: &[Protocol], what: &str| -> Option<Diagnostic> {
        let ok = protocol.is_some_and(|protocol| wanted.contains(&protocol));
        (!ok).then(|| {
            Diagnostic::new(Code::NeedsProtocol, extension.span, format!("`-m {}` needs `-p {what}`", extension.name))
                .with_help(format!("add `-p {what}` to the rule; iptables refuses the module without it"))
        })
    };
    let requirement = match extension.name.as_str() {
        "tcp" => needs(&[Protocol::TCP], "tcp"),
        "udp" => needs(&[Protocol::UDP], "udp"),
        "udplite" => needs(&[Protocol::UDPLITE], "udplite"),
        "sctp" => needs(&[Protocol::SCTP], "sctp"),
        "multiport" => needs(&[Protocol::TCP, Protocol::UDP, Protocol::UDPLITE, Protocol::SCTP], "tcp|udp|udplite|sctp"),
        "icmp" if family == Family::V4 => needs(&[Protocol::ICMP], "icmp"),
        "icmp6" if family == Family::V6 => needs(&[Protocol::ICMPV6], "ipv6-icmp"),
        "icmp" | "icmp6" => Some(Diagnostic::new(
            Code::UnknownOption,
            extension.span,
            format!("`-m {}` is for {}", extension.name, if family == Family::V4 { "IPv6" } else { "IPv4" }),
        )),
        _ => None,
    };
    if let Some(diagnostic) = requirement {
        diagnostics.push(diagnostic);
        return None;
    }
    let needs_an_option = ["multiport", "icmp", "icmp6", "conntrack", "state", "comment", "owner"];
    if extension.options.is_empty() && needs_an_option.contains(&extension.name.as_str()) {
        diagnostics.push(Diagnostic::new(Code::MissingValue, extension.span, format!("`-m {}` needs at least one of its options", extension.name))
            .with_help("iptables refuses the module without options"));
        return None;
    }
    let mut failed = false;
    let mut warnings = Vec::new();
    let mut fail = |option: &RawOption, message: String| {
        diagnostics.push(Diagnostic::new(Code::BadValue, option.span, message));
        failed = true;
    };
    let module = match extension.name.as_str() {
        "tcp" | "udp" | "udplite" => ports_module(extension, &mut fail, &mut warnings),
        "multiport" => multiport(extension, protocol == Some(Protocol::TCP), &mut fail),
        "icmp" | "icmp6" => icmp(extension, family, &mut fail),
        "limit" => limit(extension, &mut fail),
        "comment" => comment(extension, &mut fail, &mut warnings),
        "sctp" => sctp(extension, &mut fail),
        _ => match super::extensions::build(extension, family, chain) {
            Ok(module) => module,
            Err(problem) => {
                diagnostics.push(Diagnostic::new(Code::BadValue, problem.span, problem.message));
                return None;
            }
        },
    };
    diagnostics.extend(warnings);
    if failed {
        None
    } else {
        Some(module.unwrap_or_else(|| verbatim(extension)))
    }
}

fn negated<T>(option: &RawOption, value: T) -> Negated<T> {
    Negated { negated: option.negated, value }
}

fn first(option: &RawOption) -> &str {
    option.values.first().map_or("", String::as_str)
}

type Fail<'a> = dyn FnMut(&RawOption, String) + 'a;

fn ports_module(extension: &Extension, fail: &mut Fail<'_>, warn: &mut Vec<Diagnostic>) -> Option<Module> {
    let (mut source_port, mut destination_port, mut flags, mut tcp_option) = (None, None, None, None);
    for option in &extension.options {
        match option.name {
            "--sport" | "--dport" => match ports(extension, option, warn) {
                Ok(ports) if option.name == "--sport" => source_port = Some(negated(option, ports)),
                Ok(ports) => destination_port = Some(negated(option, ports)),
                // udp keeps a reversed range as written (it never matches); tcp refuses it.
                Err(values::ValueError::ReversedRange(message)) if extension.name != "tcp" => {
                    warn.push(Diagnostic::new(Code::BadValue, option.span, format!("{message}; as written it never matches"))
                        .with_severity(crate::diagnostic::Severity::Warning));
                    return None;
                }
                Err(error) => fail(option, error.message()),
            },
            "--syn" => flags = Some(negated(option, (TcpFlags::SYN_MASK, TcpFlags::SYN))),
            "--tcp-flags" => {
                let mask = TcpFlags::parse(first(option));
                let set = TcpFlags::parse(option.values.get(1).map_or("", String::as_str));
                match (mask, set) {
                    (Ok(mask), Ok(set)) => flags = Some(negated(option, (mask, set))),
                    (Err(message), _) | (_, Err(message)) => fail(option, message),
                }
            }
            "--tcp-option" => match first(option).parse::<u8>() {
                Ok(number) => tcp_option = Some(negated(option, number)),
                Err(_) => fail(option, format!("`{}` is not a TCP option number (0-255)", first(option))),
            },
            _ => return None,
        }
    }
    Some(if extension.name == "tcp" {
        Module::Tcp { source_port, destination_port, flags, option: tcp_option }
    } else if extension.name == "udp" {
        Module::Udp { source_port, destination_port }
    } else {
        return None;
    })
}

/// The ports of a `--sport` / `--dport` option (the `udp` module lets numbers wrap past 65535).
fn ports(extension: &Extension, option: &RawOption, warn: &mut Vec<Diagnostic>) -> Result<crate::model::PortSpec, values::ValueError> {
    if extension.name != "udp" {
        return values::port_range(first(option), extension.name == "tcp");
    }
    let (ports, wrapped) = values::udp_port_range(first(option))?;
    if wrapped {
        warn.push(Diagnostic::new(Code::BadValue, option.span, format!("`{}` is past 65535; iptables wraps it to {ports}", first(option)))
            .with_severity(crate::diagnostic::Severity::Warning)
            .with_help("write the port you mean (0-65535)"));
    }
    Ok(ports)
}

/// `sctp`: its ports are checked like tcp's; the module is kept as written.
fn sctp(extension: &Extension, fail: &mut Fail<'_>) -> Option<Module> {
    for option in extension.options.iter().filter(|option| option.name == "--sport" || option.name == "--dport") {
        if let Err(error) = values::port_range(first(option), false).map_err(values::ValueError::message) {
            fail(option, error);
        }
    }
    None
}

fn multiport(extension: &Extension, tcp: bool, fail: &mut Fail<'_>) -> Option<Module> {
    let [option] = extension.options.as_slice() else { return None };
    let direction = match option.name {
        "--sports" => PortDirection::Source,
        "--dports" => PortDirection::Destination,
        _ => PortDirection::Either,
    };
    match values::port_list(first(option), tcp) {
        Ok(ports) => Some(Module::Multiport { direction, ports: Negated { negated: option.negated, value: ports } }),
        Err(message) => {
            fail(option, message);
            None
        }
    }
}

fn icmp(extension: &Extension, family: Family, fail: &mut Fail<'_>) -> Option<Module> {
    let [option] = extension.options.as_slice() else { return None };
    match values::icmp_type(first(option), family) {
        Ok(value) => {
            let value = Negated { negated: option.negated, value };
            Some(if family == Family::V4 { Module::Icmp(value) } else { Module::Icmp6(value) })
        }
        Err(message) => {
            fail(option, message);
            None
        }
    }
}

fn limit(extension: &Extension, fail: &mut Fail<'_>) -> Option<Module> {
    let mut rate = Rate::parse("3/hour").ok()?;
    let mut burst = 5;
    for option in &extension.options {
        if option.negated {
            fail(option, format!("`{}` cannot be negated", option.name));
            continue;
        }
        match option.name {
            "--limit" => match Rate::parse(first(option)) {
                Ok(value) => rate = value,
                Err(message) => fail(option, message),
            },
            _ => match first(option).parse::<u32>() {
                // iptables takes 0 as "the default" (5).
                Ok(0) => burst = 5,
                Ok(value) if value <= 10_000 => burst = value,
                _ => fail(option, format!("`{}` is not a burst between 0 and 10000", first(option))),
            },
        }
    }
    Some(Module::Limit { rate, burst })
}

fn comment(extension: &Extension, fail: &mut Fail<'_>, warn: &mut Vec<Diagnostic>) -> Option<Module> {
    let [option] = extension.options.as_slice() else { return None };
    if option.negated {
        fail(option, "`--comment` cannot be negated".to_owned());
        return None;
    }
    let mut text = first(option).to_owned();
    if text.len() > crate::model::COMMENT_MAX_BYTES {
        // iptables loads it and the kernel keeps the first 255 bytes.
        warn.push(
            Diagnostic::new(Code::BadValue, option.span, format!("this comment is {} bytes; the kernel keeps only the first 255", text.len()))
                .with_severity(crate::diagnostic::Severity::Warning)
                .with_help("shorten it: the rest is cut off when the rule is loaded"),
        );
        let mut end = crate::model::COMMENT_MAX_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    Some(Module::Comment(text))
}
