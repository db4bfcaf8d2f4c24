//! Typed match modules beyond ports, ICMP and limits: each builder reads the options the reader
//! collected, refuses what iptables or the kernel refuses, and returns `Ok(None)` for a form the
//! engine does not model (the module is then kept verbatim, never dropped).

use std::net::IpAddr;

use super::rule::{Extension, RawOption};
use super::values;
use crate::diagnostic::Span;
use crate::model::{
    parse_date, parse_day_time, parse_hex_string, AddrType, AddressRange, AddressTypes, BuiltinChain, ConnAddress,
    ConnDirection, ConnState, ConnStates, ConnStatus, ConnTrack, Connlimit, ExpireRange, Family, HashRate, Hashlimit,
    IdRange, Interface, IpRange, LengthRange, LimitInterface, MacAddress, MarkValue, Module, Negated, Owner, PacketType,
    Physdev, Protocol, Recent, RecentAction, SetMatch, SetReference, StringAlgorithm, StringMatch, TimeMatch, TtlComparison,
    TtlMatch, ALL_MONTHDAYS, ALL_WEEKDAYS, HASHLIMIT_MODES, STRING_PATTERN_MAX, WEEKDAYS,
};

/// Why a module cannot be loaded, and where.
pub(super) struct Problem {
    pub(super) span: Span,
    pub(super) message: String,
}

pub(super) type Built<T> = Result<Option<T>, Problem>;

pub(super) fn bad(option: &RawOption, message: impl Into<String>) -> Problem {
    Problem { span: option.span, message: message.into() }
}

pub(super) fn whole(extension: &Extension, message: impl Into<String>) -> Problem {
    Problem { span: extension.span, message: message.into() }
}

/// Refuses `!` before an option iptables does not let you negate.
pub(super) fn plain(option: &RawOption) -> Result<(), Problem> {
    if option.negated {
        return Err(bad(option, format!("`{}` cannot be negated", option.name)));
    }
    Ok(())
}

pub(super) fn text(option: &RawOption) -> &str {
    option.values.first().map_or("", String::as_str)
}

pub(super) fn number<T: std::str::FromStr>(option: &RawOption, what: &str) -> Result<T, Problem> {
    text(option).parse().map_err(|_| bad(option, format!("`{}` is not {what}", text(option))))
}

fn negated<T>(option: &RawOption, value: T) -> Negated<T> {
    Negated { negated: option.negated, value }
}

fn full_prefix(family: Family) -> u8 {
    if family == Family::V4 {
        32
    } else {
        128
    }
}

fn prefix_length(option: &RawOption, family: Family) -> Result<u8, Problem> {
    let full = full_prefix(family);
    match text(option).parse::<u8>() {
        Ok(length) if length <= full => Ok(length),
        _ => Err(bad(option, format!("`{}` is not a prefix length from 0 to {full}", text(option)))),
    }
}

/// The typed module for the extensions of this file; `Ok(None)` keeps it verbatim.
pub(super) fn build(extension: &Extension, family: Family, chain: Option<BuiltinChain>) -> Built<Module> {
    let only_in = |chains: &[BuiltinChain], what: &str| -> Result<(), Problem> {
        match chain {
            Some(chain) if !chains.contains(&chain) => Err(whole(extension, format!("{what} cannot be used in {}", chain.as_str()))),
            _ => Ok(()),
        }
    };
    match extension.name.as_str() {
        "conntrack" | "state" => conntrack(extension, family),
        "recent" => recent(extension, family).map(|recent| recent.map(Module::Recent)),
        "hashlimit" => hashlimit(extension, family),
        "connlimit" => connlimit(extension, family),
        "iprange" => iprange(extension, family),
        "mac" => {
            only_in(&[BuiltinChain::Prerouting, BuiltinChain::Input, BuiltinChain::Forward], "`-m mac`")?;
            let option = required(extension, "--mac-source")?;
            let mac = MacAddress::parse(text(option)).map_err(|message| bad(option, message))?;
            Ok(Some(Module::Mac(negated(option, mac))))
        }
        "addrtype" => addrtype(extension, chain),
        "mark" | "connmark" => {
            let option = required(extension, "--mark")?;
            let mark = negated(option, MarkValue::parse(text(option)).map_err(|message| bad(option, message))?);
            Ok(Some(if extension.name == "mark" { Module::Mark(mark) } else { Module::ConnMark(mark) }))
        }
        "length" => {
            let option = required(extension, "--length")?;
            let length = LengthRange::parse(text(option)).map_err(|message| bad(option, message))?;
            Ok(Some(Module::Length(negated(option, length))))
        }
        "ttl" | "hl" => ttl(extension),
        "pkttype" => {
            let option = required(extension, "--pkt-type")?;
            let packet_type = PacketType::parse(text(option)).map_err(|message| bad(option, message))?;
            Ok(Some(Module::PacketType(negated(option, packet_type))))
        }
        "physdev" => physdev(extension),
        "string" => string(extension),
        "time" => time(extension),
        "owner" => {
            only_in(&[BuiltinChain::Output, BuiltinChain::Postrouting], "`-m owner`")?;
            owner(extension)
        }
        "set" => set(extension),
        _ => Ok(None),
    }
}

fn required<'e>(extension: &'e Extension, name: &str) -> Result<&'e RawOption, Problem> {
    extension
        .options
        .iter()
        .find(|option| option.name == name)
        .ok_or_else(|| whole(extension, format!("`-m {}` needs `{name}`", extension.name)))
}

fn recent(extension: &Extension, family: Family) -> Built<Recent> {
    let mut recent = Recent::new(RecentAction::Set, family);
    let mut action: Option<&RawOption> = None;
    for option in &extension.options {
        if !matches!(option.name, "--set" | "--rcheck" | "--update" | "--remove") {
            plain(option)?;
        }
        match option.name {
            "--set" | "--rcheck" | "--update" | "--remove" => {
                if let Some(previous) = action {
                    return Err(bad(option, format!("`{}` cannot be used together with `{}`", option.name, previous.name)));
                }
                action = Some(option);
                recent.negated = option.negated;
                recent.action = match option.name {
                    "--set" => RecentAction::Set,
                    "--rcheck" => RecentAction::Check,
                    "--update" => RecentAction::Update,
                    _ => RecentAction::Remove,
                };
            }
            "--seconds" => recent.seconds = number(option, "a number of seconds")?,
            "--reap" => recent.reap = true,
            "--hitcount" => recent.hit_count = number(option, "a hit count")?,
            "--rttl" => recent.same_ttl = true,
            "--name" => {
                let name = text(option);
                if name.is_empty() || name.len() > 199 || name.contains('/') || name == "." || name == ".." {
                    return Err(bad(option, format!("`{name}` is not a list name (1 to 199 bytes, no `/`)")));
                }
                name.clone_into(&mut recent.name);
            }
            "--mask" => {
                let mask: IpAddr = number(option, "an address mask")?;
                if mask.is_ipv4() != (family == Family::V4) {
                    return Err(bad(option, format!("`{mask}` is not an {family} mask")));
                }
                recent.mask = mask;
            }
            _ => recent.by_destination = option.name == "--rdest",
        }
    }
    if action.is_none() {
        return Err(whole(extension, "`-m recent` needs one of `--set`, `--rcheck`, `--update` or `--remove`"));
    }
    if recent.reap && recent.seconds == 0 {
        return Err(whole(extension, "`--reap` also needs `--seconds`"));
    }
    let modifies = recent.seconds != 0 || recent.hit_count != 0 || recent.same_ttl || recent.reap;
    if matches!(recent.action, RecentAction::Set | RecentAction::Remove) && modifies {
        return Err(whole(extension, format!("`{}` takes no `--seconds`, `--hitcount`, `--rttl` or `--reap`", recent.action.option())));
    }
    Ok(Some(recent))
}

fn hashlimit(extension: &Extension, family: Family) -> Built<Module> {
    let full_mask = full_prefix(family);
    let mut rate: Option<(HashRate, u32, bool)> = None;
    let (mut burst, mut mode, mut name) = (5, 0u8, None);
    let (mut size, mut max, mut gc_interval, mut expire) = (0, 0, 1000, None);
    let (mut source_mask, mut destination_mask) = (full_mask, full_mask);
    for option in &extension.options {
        if !matches!(option.name, "--hashlimit-upto" | "--hashlimit-above") {
            plain(option)?;
        }
        match option.name {
            "--hashlimit-upto" | "--hashlimit-above" => {
                if text(option).to_ascii_lowercase().contains('b') && !text(option).contains('/') {
                    return Ok(None); // byte rates (`1kb/s`) are kept verbatim
                }
                if rate.is_some() {
                    return Err(bad(option, "give `--hashlimit-upto` or `--hashlimit-above` once"));
                }
                let (parsed, default_expire) = HashRate::parse(text(option)).map_err(|message| bad(option, message))?;
                let above = (option.name == "--hashlimit-above") != option.negated;
                rate = Some((parsed, default_expire, above));
            }
            "--hashlimit-burst" => match text(option).parse::<u32>() {
                Ok(value) if value > 0 => burst = value,
                _ => return Ok(None),
            },
            "--hashlimit-mode" => {
                for item in text(option).split(',') {
                    let bit = HASHLIMIT_MODES
                        .iter()
                        .position(|known| *known == item)
                        .ok_or_else(|| bad(option, format!("`{item}` is not a hashlimit mode (srcip, srcport, dstip, dstport)")))?;
                    mode |= 1 << bit;
                }
            }
            "--hashlimit-name" => {
                if text(option).is_empty() || text(option).len() > 255 {
                    return Err(bad(option, "a hashlimit name has 1 to 255 bytes"));
                }
                name = Some(text(option).to_owned());
            }
            "--hashlimit-htable-size" => size = number(option, "a table size")?,
            "--hashlimit-htable-max" => max = number(option, "a number of entries")?,
            "--hashlimit-htable-gcinterval" => gc_interval = number(option, "an interval in milliseconds")?,
            "--hashlimit-htable-expire" => expire = Some(number(option, "a time in milliseconds")?),
            "--hashlimit-srcmask" => source_mask = prefix_length(option, family)?,
            "--hashlimit-dstmask" => destination_mask = prefix_length(option, family)?,
            _ => return Ok(None),
        }
    }
    let Some((rate, default_expire, above)) = rate else {
        return Err(whole(extension, "`-m hashlimit` needs `--hashlimit-upto` or `--hashlimit-above`"));
    };
    let Some(name) = name else {
        return Err(whole(extension, "`-m hashlimit` needs `--hashlimit-name`"));
    };
    let expire = expire.unwrap_or(default_expire);
    let hashlimit =
        Hashlimit { above, rate, burst, mode, name, size, max, gc_interval, expire, source_mask, destination_mask, full_mask };
    Ok(Some(Module::Hashlimit(hashlimit)))
}

fn connlimit(extension: &Extension, family: Family) -> Built<Module> {
    let mut limit: Option<(u32, bool)> = None;
    let (mut mask, mut by_destination) = (full_prefix(family), false);
    for option in &extension.options {
        match option.name {
            "--connlimit-above" | "--connlimit-upto" => {
                if limit.is_some() {
                    return Err(bad(option, "give `--connlimit-above` or `--connlimit-upto` once"));
                }
                let count = number(option, "a connection count")?;
                limit = Some((count, (option.name == "--connlimit-above") != option.negated));
            }
            "--connlimit-mask" => {
                plain(option)?;
                mask = prefix_length(option, family)?;
            }
            _ => {
                plain(option)?;
                by_destination = option.name == "--connlimit-daddr";
            }
        }
    }
    let Some((limit, above)) = limit else {
        return Err(whole(extension, "`-m connlimit` needs `--connlimit-above` or `--connlimit-upto`"));
    };
    Ok(Some(Module::Connlimit(Connlimit { above, limit, mask, by_destination })))
}

fn iprange(extension: &Extension, family: Family) -> Built<Module> {
    let mut range = IpRange { source: None, destination: None };
    for option in &extension.options {
        let parsed = AddressRange::parse(text(option)).map_err(|message| bad(option, message))?;
        if parsed.first.is_ipv4() != (family == Family::V4) {
            return Err(bad(option, format!("`{}` is not an {family} range", text(option))));
        }
        let slot = if option.name == "--src-range" { &mut range.source } else { &mut range.destination };
        *slot = Some(negated(option, parsed));
    }
    if range.source.is_none() && range.destination.is_none() {
        return Err(whole(extension, "`-m iprange` needs `--src-range` or `--dst-range`"));
    }
    Ok(Some(Module::IpRange(range)))
}

fn addrtype(extension: &Extension, chain: Option<BuiltinChain>) -> Built<Module> {
    let mut types = AddrType { source: None, destination: None, limit_interface: None };
    for option in &extension.options {
        match option.name {
            "--src-type" | "--dst-type" => {
                let parsed = negated(option, AddressTypes::parse(text(option)).map_err(|message| bad(option, message))?);
                if option.name == "--src-type" {
                    types.source = Some(parsed);
                } else {
                    types.destination = Some(parsed);
                }
            }
            _ => {
                plain(option)?;
                let wanted = if option.name == "--limit-iface-in" { LimitInterface::In } else { LimitInterface::Out };
                if types.limit_interface.is_some_and(|given| given != wanted) {
                    return Err(bad(option, "`--limit-iface-in` and `--limit-iface-out` exclude each other"));
                }
                let refused = match wanted {
                    LimitInterface::In => [BuiltinChain::Output, BuiltinChain::Postrouting],
                    LimitInterface::Out => [BuiltinChain::Prerouting, BuiltinChain::Input],
                };
                if let Some(chain) = chain.filter(|chain| refused.contains(chain)) {
                    return Err(bad(option, format!("`{}` cannot be used in {}", option.name, chain.as_str())));
                }
                types.limit_interface = Some(wanted);
            }
        }
    }
    if types.source.is_none() && types.destination.is_none() {
        return Err(whole(extension, "`-m addrtype` needs `--src-type` or `--dst-type`"));
    }
    Ok(Some(Module::AddrType(types)))
}

fn ttl(extension: &Extension) -> Built<Module> {
    let [option] = extension.options.as_slice() else {
        return Err(whole(extension, format!("`-m {}` takes exactly one comparison (-eq, -lt or -gt)", extension.name)));
    };
    let comparison = match (option.name.rsplit('-').next(), option.negated) {
        (Some("eq"), false) => TtlComparison::Equal,
        (Some("eq"), true) => TtlComparison::NotEqual,
        (_, true) => return Err(bad(option, format!("`{}` cannot be negated", option.name))),
        (Some("lt"), false) => TtlComparison::LessThan,
        _ => TtlComparison::GreaterThan,
    };
    let value = number(option, "a value from 0 to 255")?;
    let ttl = TtlMatch { comparison, value };
    Ok(Some(if extension.name == "ttl" { Module::Ttl(ttl) } else { Module::HopLimit(ttl) }))
}

fn physdev(extension: &Extension) -> Built<Module> {
    let mut physdev = Physdev::default();
    for option in &extension.options {
        let interface = || Interface::new(text(option)).map(|value| negated(option, value)).map_err(|error| bad(option, error.to_string()));
        match option.name {
            "--physdev-in" => physdev.input = Some(interface()?),
            "--physdev-out" => physdev.output = Some(interface()?),
            "--physdev-is-in" => physdev.is_in = Some(option.negated),
            "--physdev-is-out" => physdev.is_out = Some(option.negated),
            _ => physdev.is_bridged = Some(option.negated),
        }
    }
    if extension.options.is_empty() {
        return Err(whole(extension, "`-m physdev` needs at least one of its options"));
    }
    Ok(Some(Module::Physdev(physdev)))
}

fn string(extension: &Extension) -> Built<Module> {
    let mut pattern: Option<(Vec<u8>, bool, &RawOption)> = None;
    let (mut algorithm, mut from, mut to, mut ignore_case) = (None, 0, u16::MAX, false);
    for option in &extension.options {
        match option.name {
            "--string" | "--hex-string" => {
                if pattern.is_some() {
                    return Err(bad(option, "give one `--string` or `--hex-string`"));
                }
                let bytes = if option.name == "--string" {
                    text(option).as_bytes().to_vec()
                } else {
                    parse_hex_string(text(option)).map_err(|message| bad(option, message))?
                };
                pattern = Some((bytes, option.negated, option));
            }
            "--algo" => {
                plain(option)?;
                algorithm = Some(match text(option) {
                    "bm" => StringAlgorithm::BoyerMoore,
                    "kmp" => StringAlgorithm::KnuthMorrisPratt,
                    other => return Err(bad(option, format!("`{other}` is not a string algorithm (bm or kmp)"))),
                });
            }
            "--from" => {
                plain(option)?;
                from = number(option, "an offset from 0 to 65535")?;
            }
            "--to" => {
                plain(option)?;
                to = number(option, "an offset from 0 to 65535")?;
            }
            _ => {
                plain(option)?;
                ignore_case = true;
            }
        }
    }
    let Some((pattern, negated, option)) = pattern else {
        return Err(whole(extension, "`-m string` needs `--string` or `--hex-string`"));
    };
    if pattern.is_empty() || pattern.len() > STRING_PATTERN_MAX {
        return Err(bad(option, format!("a pattern has 1 to {STRING_PATTERN_MAX} bytes")));
    }
    let Some(algorithm) = algorithm else {
        return Err(whole(extension, "`-m string` needs `--algo bm` or `--algo kmp`"));
    };
    Ok(Some(Module::String(StringMatch { negated, pattern, algorithm, from, to, ignore_case })))
}

fn time(extension: &Extension) -> Built<Module> {
    let mut time = TimeMatch::default();
    for option in &extension.options {
        if !matches!(option.name, "--weekdays" | "--monthdays") {
            plain(option)?;
        }
        let day_time = || parse_day_time(text(option)).map_err(|message| bad(option, message));
        let date = || parse_date(text(option)).map_err(|message| bad(option, message));
        match option.name {
            "--timestart" => time.start = day_time()?,
            "--timestop" => time.stop = day_time()?,
            "--datestart" => time.date_start = date()?,
            "--datestop" => time.date_stop = date()?,
            "--monthdays" => {
                let mut days = 0u32;
                for day in text(option).split(',') {
                    match day.parse::<u32>() {
                        Ok(day) if (1..=31).contains(&day) => days |= 1 << day,
                        _ => return Err(bad(option, format!("`{day}` is not a day of the month (1-31)"))),
                    }
                }
                time.monthdays = if option.negated { !days & ALL_MONTHDAYS } else { days };
            }
            "--weekdays" => {
                let mut days = 0u8;
                for day in text(option).split(',') {
                    // libxt_time compares the first two letters, or takes 1 (Monday) to 7.
                    let index = day.parse::<usize>().ok().filter(|number| (1..=7).contains(number)).or_else(|| {
                        (day.len() >= 2).then(|| WEEKDAYS.iter().position(|name| name.as_bytes()[..2] == day.as_bytes()[..2]).map(|i| i + 1)).flatten()
                    });
                    match index {
                        Some(index) => days |= 1 << index,
                        None => return Err(bad(option, format!("`{day}` is not a day of the week (Mon … Sun or 1-7)"))),
                    }
                }
                time.weekdays = if option.negated { !days & ALL_WEEKDAYS } else { days };
            }
            "--kerneltz" => time.kernel_time_zone = true,
            "--utc" => time.kernel_time_zone = false,
            _ => time.contiguous = true,
        }
    }
    if time.contiguous && time.stop >= time.start {
        return Err(whole(extension, "`--contiguous` only makes sense when the stop time is before the start time"));
    }
    Ok(Some(Module::Time(time)))
}

fn owner(extension: &Extension) -> Built<Module> {
    let mut owner = Owner::default();
    for option in &extension.options {
        match option.name {
            "--uid-owner" | "--gid-owner" => {
                // Names need the host's user database: keep them as written.
                let value = text(option);
                let (first, last) = value.split_once('-').unwrap_or((value, value));
                let (Ok(first), Ok(last)) = (first.parse::<u32>(), last.parse::<u32>()) else { return Ok(None) };
                if last < first {
                    return Err(bad(option, format!("id range `{value}` is reversed")));
                }
                let range = negated(option, IdRange { first, last });
                if option.name == "--uid-owner" {
                    owner.uid = Some(range);
                } else {
                    owner.gid = Some(range);
                }
            }
            "--socket-exists" => owner.socket_exists = Some(option.negated),
            _ => {
                plain(option)?;
                // iptables checks the order: `--gid-owner` must come first.
                if owner.gid.is_none() {
                    return Err(bad(option, "`--suppl-groups` needs `--gid-owner` before it"));
                }
                owner.supplementary_groups = true;
            }
        }
    }
    Ok(Some(Module::Owner(owner)))
}

fn set(extension: &Extension) -> Built<Module> {
    let mut found = None;
    let (mut return_nomatch, mut no_update_counters) = (false, false);
    for option in &extension.options {
        match option.name {
            "--match-set" => {
                let sides = option.values.get(1).map_or("", String::as_str);
                let reference = SetReference::parse(text(option), sides).map_err(|message| bad(option, message))?;
                found = Some(negated(option, reference));
            }
            "--return-nomatch" => {
                plain(option)?;
                return_nomatch = true;
            }
            "--update-counters" => no_update_counters = option.negated,
            _ => return Ok(None),
        }
    }
    let Some(set) = found else { return Err(whole(extension, "`-m set` needs `--match-set NAME src|dst`")) };
    Ok(Some(Module::Set(SetMatch { set, return_nomatch, no_update_counters })))
}

fn conntrack(extension: &Extension, family: Family) -> Built<Module> {
    let state_module = extension.name == "state";
    let mut conntrack = ConnTrack::default();
    for option in &extension.options {
        let address = || -> Result<Negated<ConnAddress>, Problem> {
            let net = values::network(text(option), family).map_err(|error| bad(option, error.message()))?;
            Ok(negated(option, ConnAddress(net)))
        };
        let port = || values::port_range(text(option), true).map(|ports| negated(option, ports)).map_err(|error| bad(option, error.message()));
        match option.name {
            "--ctstate" | "--state" => {
                let mut parsed = Vec::new();
                for name in text(option).split(',') {
                    match ConnState::from_name(name).filter(|state| !state_module || !matches!(state, ConnState::Snat | ConnState::Dnat)) {
                        Some(state) => parsed.push(state),
                        None => return Err(bad(option, format!("`{name}` is not a connection state (INVALID, NEW, RELATED, ESTABLISHED, UNTRACKED{})", if state_module { "" } else { ", SNAT, DNAT" }))),
                    }
                }
                let states = ConnStates::new(parsed).ok_or_else(|| bad(option, "no state given"))?;
                conntrack.state = Some(negated(option, states));
            }
            "--ctproto" => match Protocol::parse(text(option)) {
                Ok(Some(protocol)) => conntrack.protocol = Some(negated(option, protocol)),
                Ok(None) => return Ok(None),
                Err(message) => return Err(bad(option, message)),
            },
            "--ctorigsrc" => conntrack.original_source = Some(address()?),
            "--ctorigdst" => conntrack.original_destination = Some(address()?),
            "--ctreplsrc" => conntrack.reply_source = Some(address()?),
            "--ctrepldst" => conntrack.reply_destination = Some(address()?),
            "--ctorigsrcport" => conntrack.original_source_port = Some(port()?),
            "--ctorigdstport" => conntrack.original_destination_port = Some(port()?),
            "--ctreplsrcport" => conntrack.reply_source_port = Some(port()?),
            "--ctrepldstport" => conntrack.reply_destination_port = Some(port()?),
            "--ctstatus" => {
                let status = ConnStatus::parse(text(option)).map_err(|message| bad(option, message))?;
                conntrack.status = Some(negated(option, status));
            }
            "--ctexpire" => {
                let value = text(option);
                let (min, max) = value.split_once(':').unwrap_or((value, value));
                let (Ok(min), Ok(max)) = (min.parse::<u32>(), max.parse::<u32>()) else {
                    return Err(bad(option, format!("`{value}` is not a time in seconds or a range N:M")));
                };
                conntrack.expire = Some(negated(option, ExpireRange { min, max }));
            }
            _ => {
                plain(option)?;
                conntrack.direction = Some(match text(option).to_ascii_uppercase().as_str() {
                    "ORIGINAL" => ConnDirection::Original,
                    "REPLY" => ConnDirection::Reply,
                    other => return Err(bad(option, format!("`{other}` is not a direction (ORIGINAL or REPLY)"))),
                });
            }
        }
    }
    Ok(Some(if state_module {
        let Some(state) = conntrack.state else { return Ok(None) };
        Module::State(state)
    } else {
        Module::ConnTrack(conntrack)
    }))
}
