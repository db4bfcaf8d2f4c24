//! Typed targets beyond accept/drop/reject/log: NFLOG, NAT, marks, CT, TCPMSS, SET. Each builder
//! refuses what iptables or the kernel refuses; `Ok(None)` keeps a form the engine does not model
//! verbatim.

use super::extensions::{bad, number, plain, text, whole, Built, Problem};
use super::rule::{Extension, Place, RawOption};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::{
    parse_c_number, BuiltinChain, ConnMarkAction, Ct, Family, MarkValue, Masquerade, Nat, NatRange, Negated, Nflog,
    PortRange, Protocol, SetReference, SetTarget, Target, TcpMss,
};

/// What the target builders need to know about the rule.
pub(super) struct RuleFacts<'a> {
    pub(super) place: Place<'a>,
    pub(super) protocol: Option<&'a Negated<Protocol>>,
}

impl RuleFacts<'_> {
    /// Whether ports can be rewritten: `-p tcp|udp|sctp|dccp`, not negated.
    fn has_ports(&self) -> bool {
        self.protocol.is_some_and(|protocol| !protocol.negated && [6, 17, 33, 132].contains(&protocol.value.number()))
    }

    fn is_tcp(&self) -> bool {
        self.protocol.is_some_and(|protocol| !protocol.negated && protocol.value == Protocol::TCP)
    }
}

fn mask(option: &RawOption) -> Result<u32, Problem> {
    parse_c_number(text(option))
        .and_then(|value| u32::try_from(value).ok())
        .ok_or_else(|| bad(option, format!("`{}` is not a 32-bit mask", text(option))))
}

/// The typed target for the extensions of this file; `Ok(None)` keeps it verbatim.
pub(super) fn build(extension: &Extension, facts: &RuleFacts<'_>, diagnostics: &mut Vec<Diagnostic>) -> Built<Target> {
    for option in &extension.options {
        plain(option)?;
    }
    match extension.name.as_str() {
        "NFLOG" => nflog(extension, diagnostics).map(|nflog| Some(Target::Nflog(nflog))),
        "DNAT" | "SNAT" => nat(extension, facts),
        "MASQUERADE" | "REDIRECT" => masquerade(extension, facts),
        "MARK" => {
            let [option] = extension.options.as_slice() else {
                return Err(whole(extension, "`-j MARK` takes exactly one of --set-xmark, --set-mark, --and-mark, --or-mark, --xor-mark"));
            };
            Ok(Some(Target::Mark(mark_operation(option)?)))
        }
        "CONNMARK" => connmark(extension),
        "CT" => {
            let mut ct = Ct::default();
            for option in &extension.options {
                match option.name {
                    "--notrack" => ct.notrack = true,
                    "--helper" => ct.helper = Some(text(option).to_owned()),
                    "--zone" => ct.zone = Some(number(option, "a zone from 0 to 65535")?),
                    _ => return Ok(None),
                }
            }
            Ok(Some(Target::Ct(ct)))
        }
        "NOTRACK" => Ok(Some(Target::NoTrack)),
        "TRACE" => Ok(Some(Target::Trace)),
        "TCPMSS" => tcpmss(extension, facts),
        "SET" => set(extension),
        _ => Ok(None),
    }
}

/// The longest NFLOG prefix the `nf_tables` backend keeps.
const NFLOG_PREFIX_MAX: usize = 127;

fn nflog(extension: &Extension, diagnostics: &mut Vec<Diagnostic>) -> Result<Nflog, Problem> {
    let mut nflog = Nflog::default();
    for option in &extension.options {
        match option.name {
            "--nflog-prefix" => {
                let mut prefix = text(option).to_owned();
                if prefix.len() > NFLOG_PREFIX_MAX {
                    diagnostics.push(
                        Diagnostic::new(Code::BadValue, option.span, format!("an NFLOG prefix holds at most {NFLOG_PREFIX_MAX} bytes; iptables cuts the rest"))
                            .with_severity(Severity::Warning),
                    );
                    let mut end = NFLOG_PREFIX_MAX;
                    while !prefix.is_char_boundary(end) {
                        end -= 1;
                    }
                    prefix.truncate(end);
                }
                nflog.prefix = Some(prefix).filter(|prefix| !prefix.is_empty());
            }
            "--nflog-group" => nflog.group = number(option, "a group from 0 to 65535")?,
            "--nflog-size" => nflog.size = Some(number(option, "a size in bytes")?),
            "--nflog-threshold" => nflog.threshold = number(option, "a threshold from 0 to 65535")?,
            _ => diagnostics.push(
                Diagnostic::new(Code::BadValue, option.span, "`--nflog-range` never worked and iptables ignores it")
                    .with_severity(Severity::Warning)
                    .with_help("use `--nflog-size` to limit the bytes copied"),
            ),
        }
    }
    Ok(nflog)
}

fn nat(extension: &Extension, facts: &RuleFacts<'_>) -> Built<Target> {
    let destination = extension.name == "DNAT";
    let (mut to, mut random, mut random_fully, mut persistent) = (None, false, false, false);
    for option in &extension.options {
        match option.name {
            "--to-destination" | "--to-source" => {
                if to.is_some() {
                    return Ok(None); // several ranges: an old kernel feature, kept verbatim
                }
                let range = NatRange::parse(text(option)).map_err(|message| bad(option, message))?;
                if range.addresses.is_some_and(|(first, _)| first.is_ipv4() != (facts.place.family == Family::V4)) {
                    return Err(bad(option, format!("`{}` is not an {} address", text(option), facts.place.family)));
                }
                if range.ports.is_some() && !facts.has_ports() {
                    return Err(bad(option, "a port needs `-p tcp`, `udp`, `sctp` or `dccp`"));
                }
                to = Some(range);
            }
            "--random" => random = true,
            "--random-fully" if !destination => random_fully = true,
            "--persistent" => persistent = true,
            _ => return Ok(None),
        }
    }
    let Some(to) = to else {
        let option = if destination { "--to-destination" } else { "--to-source" };
        return Err(whole(extension, format!("`-j {}` needs `{option}`", extension.name)));
    };
    let nat = Nat { to, random, random_fully, persistent };
    Ok(Some(if destination { Target::Dnat(nat) } else { Target::Snat(nat) }))
}

fn masquerade(extension: &Extension, facts: &RuleFacts<'_>) -> Built<Target> {
    let mut masquerade = Masquerade::default();
    for option in &extension.options {
        match option.name {
            "--to-ports" => {
                if !facts.has_ports() {
                    return Err(bad(option, "`--to-ports` needs `-p tcp`, `udp`, `sctp` or `dccp`"));
                }
                masquerade.ports = Some(PortRange::parse(text(option)).map_err(|message| bad(option, message))?);
            }
            "--random" => masquerade.random = true,
            _ => masquerade.random_fully = true,
        }
    }
    Ok(Some(if extension.name == "MASQUERADE" { Target::Masquerade(masquerade) } else { Target::Redirect(masquerade) }))
}

/// `--set-xmark`, `--set-mark`, `--and-mark`, `--or-mark`, `--xor-mark` as the XOR-mask pair the kernel keeps.
fn mark_operation(option: &RawOption) -> Result<MarkValue, Problem> {
    let value = MarkValue::parse(text(option)).map_err(|message| bad(option, message))?;
    let explicit_mask = text(option).contains('/');
    let single = |operation: &str| -> Result<u32, Problem> {
        if explicit_mask {
            return Err(bad(option, format!("`{operation}` takes a single value, no mask")));
        }
        Ok(value.value)
    };
    Ok(match option.name {
        "--set-xmark" => value,
        "--set-mark" => MarkValue { value: value.value, mask: value.value | value.mask },
        "--and-mark" => MarkValue { value: 0, mask: !single("--and-mark")? },
        "--or-mark" => {
            let bits = single("--or-mark")?;
            MarkValue { value: bits, mask: bits }
        }
        _ => MarkValue { value: single("--xor-mark")?, mask: 0 },
    })
}

fn connmark(extension: &Extension) -> Built<Target> {
    let mut action: Option<ConnMarkAction> = None;
    let (mut nfmask, mut ctmask, mut both) = (None, None, None);
    for option in &extension.options {
        let replaces = |action: &Option<ConnMarkAction>| -> Result<(), Problem> {
            match action {
                Some(_) => Err(bad(option, "`-j CONNMARK` takes one of --set-xmark/--set-mark/…, --save-mark, --restore-mark")),
                None => Ok(()),
            }
        };
        match option.name {
            "--save-mark" | "--restore-mark" => {
                replaces(&action)?;
                let masks = (u32::MAX, u32::MAX);
                action = Some(if option.name == "--save-mark" {
                    ConnMarkAction::Save { nfmask: masks.0, ctmask: masks.1 }
                } else {
                    ConnMarkAction::Restore { nfmask: masks.0, ctmask: masks.1 }
                });
            }
            "--nfmask" => nfmask = Some(mask(option)?),
            "--ctmask" => ctmask = Some(mask(option)?),
            "--mask" => both = Some(mask(option)?),
            _ => {
                replaces(&action)?;
                action = Some(ConnMarkAction::Set(mark_operation(option)?));
            }
        }
    }
    if both.is_some() && (nfmask.is_some() || ctmask.is_some()) {
        return Err(whole(extension, "`--mask` cannot be used together with `--nfmask` or `--ctmask`"));
    }
    let masked = |default: u32, specific: Option<u32>| specific.or(both).unwrap_or(default);
    Ok(match action {
        Some(ConnMarkAction::Save { .. }) => {
            Some(Target::ConnMark(ConnMarkAction::Save { nfmask: masked(u32::MAX, nfmask), ctmask: masked(u32::MAX, ctmask) }))
        }
        Some(ConnMarkAction::Restore { .. }) => {
            Some(Target::ConnMark(ConnMarkAction::Restore { nfmask: masked(u32::MAX, nfmask), ctmask: masked(u32::MAX, ctmask) }))
        }
        Some(set @ ConnMarkAction::Set(_)) if nfmask.is_none() && ctmask.is_none() && both.is_none() => Some(Target::ConnMark(set)),
        Some(ConnMarkAction::Set(_)) => return Err(whole(extension, "masks go with `--save-mark` or `--restore-mark`")),
        None => return Err(whole(extension, "`-j CONNMARK` needs --set-xmark/--set-mark/…, --save-mark or --restore-mark")),
    })
}

fn tcpmss(extension: &Extension, facts: &RuleFacts<'_>) -> Built<Target> {
    let [option] = extension.options.as_slice() else {
        return Err(whole(extension, "`-j TCPMSS` takes exactly one of `--set-mss N` or `--clamp-mss-to-pmtu`"));
    };
    if !facts.is_tcp() {
        return Err(whole(extension, "`-j TCPMSS` needs `-p tcp`"));
    }
    if option.name == "--set-mss" {
        return Ok(Some(Target::TcpMss(TcpMss::Set(number(option, "an MSS from 0 to 65535")?))));
    }
    let chains = [BuiltinChain::Forward, BuiltinChain::Output, BuiltinChain::Postrouting];
    if let Some(chain) = facts.place.chain.builtin().filter(|chain| !chains.contains(chain)) {
        return Err(bad(option, format!("`--clamp-mss-to-pmtu` cannot be used in {} (only FORWARD, OUTPUT, POSTROUTING)", chain.as_str())));
    }
    Ok(Some(Target::TcpMss(TcpMss::ClampToPmtu)))
}

fn set(extension: &Extension) -> Built<Target> {
    let mut set = SetTarget::default();
    for option in &extension.options {
        let reference = || {
            SetReference::parse(text(option), option.values.get(1).map_or("", String::as_str)).map_err(|message| bad(option, message))
        };
        match option.name {
            "--add-set" => set.add = Some(reference()?),
            "--del-set" => set.delete = Some(reference()?),
            "--exist" => set.exist = true,
            "--timeout" => set.timeout = Some(number(option, "a timeout in seconds")?),
            _ => return Ok(None),
        }
    }
    if set.add.is_none() && set.delete.is_none() {
        return Err(whole(extension, "`-j SET` needs `--add-set` or `--del-set`"));
    }
    Ok(Some(Target::Set(set)))
}
