//! The brute-force limit idiom of `-m recent` → an nft meter (a dynamic set with a per-address
//! `limit`).
//!
//! # The idiom
//! ```text
//! -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --set --name L --rsource
//! -A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -m recent --update --seconds S --hitcount H --name L --rsource -j DROP
//! ```
//! becomes one nft rule and one set per family:
//! ```text
//! set recent_L_v4 { type ipv4_addr; size 65535; flags dynamic,timeout; timeout Ss; }
//! tcp dport 22 ct state new update @recent_L_v4 { ip saddr limit rate over N/UNIT burst N packets } drop
//! ```
//! with `N = H - 1` (the connections a source may open) and `N/UNIT` equal to N per S seconds.
//!
//! # How the meaning differs
//! Both let a source open N new connections at once and drop the next one within the window.
//! After that they differ:
//! - `recent` keeps the time of each attempt (the last 20): a source that keeps trying, even
//!   while dropped, stays blocked until it has been quiet for long enough that fewer than H
//!   attempts fall within the last S seconds. The meter is a token bucket of N tokens refilled
//!   at N per S: dropped attempts cost nothing, so a source that keeps trying gets one new
//!   connection every S/N seconds (N per S in the long run, the same ceiling on guesses).
//! - nft names rate units (second, minute, hour, day, week) rather than any number of seconds:
//!   when N per S is no whole number per any unit, the rate is rounded down per week (stricter,
//!   by less than one connection a week) and the export says so in a note.
//! - `recent` holds 200 addresses and forgets the oldest when full; the set holds 65,535 and,
//!   when full, does not limit addresses it has no room for.
//!
//! Anything else written with `-m recent` has no nft translation and is refused by name.

use std::fmt::Write as _;
use std::net::IpAddr;

use crate::model::{Family, Module, Recent, RecentAction, Rule};

/// A meter a `--set` / `--update` pair translates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Meter {
    /// The nft set's name.
    pub(super) set: String,
    family: Family,
    /// The window in seconds: the set's timeout.
    seconds: u32,
    /// The connections a source may open at once.
    burst: u32,
    /// The refill rate: `count` per `unit`.
    count: u64,
    unit: &'static str,
    /// Whether `count`/`unit` is exactly `burst` per `seconds`.
    pub(super) exact: bool,
}

impl Meter {
    /// The statement standing for the `--update` module.
    pub(super) fn statement(&self) -> String {
        let key = match self.family {
            Family::V4 => "ip saddr",
            Family::V6 => "ip6 saddr",
        };
        format!("update @{} {{ {key} limit rate over {}/{} burst {} packets }}", self.set, self.count, self.unit, self.burst)
    }

    /// The set's declaration inside the table.
    pub(super) fn declaration(&self) -> String {
        let kind = match self.family {
            Family::V4 => "ipv4_addr",
            Family::V6 => "ipv6_addr",
        };
        let mut text = String::new();
        let _ = write!(
            text,
            "\tset {} {{\n\t\ttype {kind}\n\t\tsize 65535\n\t\tflags dynamic,timeout\n\t\ttimeout {}s\n\t}}\n",
            self.set, self.seconds
        );
        text
    }

    /// The note when the rate had to be rounded.
    pub(super) fn rounding_note(&self) -> Option<String> {
        (!self.exact).then(|| {
            format!(
                "{} new connections in {} s written as a refill of {}/{} (nft names only second, minute, hour, day and week)",
                self.burst, self.seconds, self.count, self.unit
            )
        })
    }
}

/// The `-m recent` module of `rule`, when it is its last match (comments aside) and its only
/// `recent`.
fn last_recent(rule: &Rule) -> Option<&Recent> {
    let count = rule.modules.iter().filter(|module| matches!(module, Module::Recent(_))).count();
    match rule.modules.iter().rfind(|module| !matches!(module, Module::Comment(_))) {
        Some(Module::Recent(recent)) if count == 1 => Some(recent),
        _ => None,
    }
}

fn full_mask(mask: IpAddr) -> bool {
    match mask {
        IpAddr::V4(mask) => mask.octets() == [255; 4],
        IpAddr::V6(mask) => mask.octets() == [255; 16],
    }
}

/// `rule` without its `recent` module, comments and target: what both rules of the idiom must
/// share.
fn without_recent(rule: &Rule) -> Rule {
    let mut rule = rule.clone();
    rule.modules.retain(|module| !matches!(module, Module::Recent(_) | Module::Comment(_)));
    rule.target = None;
    rule
}

/// The meter when `record` and `check` are the idiom (see the module docs): `record` a plain
/// `--set` without target, `check` an `--update` of the same list on exactly the same packets,
/// `recent` the last match of both, nothing else in `family`'s ruleset using the list (`uses`:
/// how many rules name it), full address mask, source addresses.
pub(super) fn meter(record: &Rule, check: &Rule, family: Family, uses: usize) -> Option<Result<Meter, String>> {
    let (set, update) = (last_recent(record)?, last_recent(check)?);
    let plain = |recent: &Recent| !recent.negated && !recent.same_ttl && !recent.by_destination && full_mask(recent.mask);
    let idiom = set.action == RecentAction::Set
        && set.seconds == 0
        && set.hit_count == 0
        && record.target.is_none()
        && update.action == RecentAction::Update
        && update.name == set.name
        && update.seconds > 0
        && check.target.is_some()
        && plain(set)
        && plain(update)
        && uses == 2
        && without_recent(record) == without_recent(check);
    if !idiom {
        return None;
    }
    if update.hit_count < 2 {
        return Some(Err("`--hitcount` below 2 drops every connection; nft's limit cannot say that".to_owned()));
    }
    if !set.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')) {
        return Some(Err(format!("the recent list name `{}` is not an nft set name (letters, digits, `-`, `_`)", set.name)));
    }
    let burst = update.hit_count - 1;
    let Some((count, unit, exact)) = rate(burst, update.seconds) else {
        return Some(Err(format!("{burst} per {} s is slower than nft's slowest rate (1 per week)", update.seconds)));
    };
    let suffix = match family {
        Family::V4 => "v4",
        Family::V6 => "v6",
    };
    Some(Ok(Meter { set: format!("recent_{}_{suffix}", set.name), family, seconds: update.seconds, burst, count, unit, exact }))
}

/// `per` events in `seconds` as a whole count per nft time unit: the smallest unit that gives an
/// exact count, else rounded down per week (`false`); `None` when below 1 per week.
fn rate(per: u32, seconds: u32) -> Option<(u64, &'static str, bool)> {
    const UNITS: [(u64, &str); 5] = [(1, "second"), (60, "minute"), (3_600, "hour"), (86_400, "day"), (604_800, "week")];
    let (per, seconds) = (u64::from(per), u64::from(seconds));
    for (length, unit) in UNITS {
        if (per * length) % seconds == 0 {
            return Some((per * length / seconds, unit, true));
        }
    }
    let weekly = per * 604_800 / seconds;
    (weekly > 0).then_some((weekly, "week", false))
}

/// How many rules of `rules` use the recent list `name`.
pub(super) fn uses(rules: &[&Rule], name: &str) -> usize {
    rules
        .iter()
        .filter(|rule| rule.modules.iter().any(|module| matches!(module, Module::Recent(recent) if recent.name == name)))
        .count()
}

/// The name of the list `rule`'s `--set` records into, if it has one.
pub(super) fn set_name(rule: &Rule) -> Option<&str> {
    last_recent(rule).filter(|recent| recent.action == RecentAction::Set).map(|recent| recent.name.as_str())
}

#[cfg(test)]
mod tests {
    use super::rate;

    #[test]
    fn rates_pick_the_smallest_exact_unit_or_round_down_per_week() {
        assert_eq!(rate(4, 60), Some((4, "minute", true)));
        assert_eq!(rate(2, 600), Some((12, "hour", true)));
        assert_eq!(rate(10, 1), Some((10, "second", true)));
        assert_eq!(rate(1, 86_400), Some((1, "day", true)));
        assert_eq!(rate(3, 7), Some((259_200, "week", true)));
        // 4 per 13 s: 186,092.3 per week.
        assert_eq!(rate(4, 13), Some((186_092, "week", false)));
        assert_eq!(rate(1, 700_000), None);
    }
}
