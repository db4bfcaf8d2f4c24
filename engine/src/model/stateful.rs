//! Matches whose verdict depends on packets seen before (`recent`, `hashlimit`, `connlimit`): a
//! simulator can only say "may match" for them, but their settings are typed and printed exactly.

use std::fmt;
use std::net::IpAddr;

use super::Family;

/// What `-m recent` does with the address list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecentAction {
    /// `--set`: add the address; always matches.
    Set,
    /// `--rcheck`: is the address in the list?
    Check,
    /// `--update`: like `--rcheck`, and refresh its time stamp.
    Update,
    /// `--remove`: remove the address if it is in the list.
    Remove,
}

impl RecentAction {
    /// The option spelling.
    pub fn option(self) -> &'static str {
        match self {
            Self::Set => "--set",
            Self::Check => "--rcheck",
            Self::Update => "--update",
            Self::Remove => "--remove",
        }
    }
}

/// `-m recent`: remember addresses in a named list (used against port scans and SSH brute force).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[allow(clippy::struct_excessive_bools)] // one bool per independent iptables flag
pub struct Recent {
    /// The action, and whether it is negated.
    pub action: RecentAction,
    /// `!` before the action.
    pub negated: bool,
    /// `--seconds`: only entries seen within this many seconds count (0: any).
    pub seconds: u32,
    /// `--reap`: purge entries older than `seconds`.
    pub reap: bool,
    /// `--hitcount`: at least this many hits (0: any).
    pub hit_count: u32,
    /// `--rttl`: the TTL must equal the one recorded.
    pub same_ttl: bool,
    /// `--name` (default `DEFAULT`).
    pub name: String,
    /// `--mask` applied to the address.
    pub mask: IpAddr,
    /// `--rdest`: remember the destination address instead of the source.
    pub by_destination: bool,
}

impl Recent {
    /// The defaults for `family`: list `DEFAULT`, full mask, source address.
    pub fn new(action: RecentAction, family: Family) -> Self {
        let mask = match family {
            Family::V4 => IpAddr::from([255; 4]),
            Family::V6 => IpAddr::from([255; 16]),
        };
        Self {
            action,
            negated: false,
            seconds: 0,
            reap: false,
            hit_count: 0,
            same_ttl: false,
            name: "DEFAULT".to_owned(),
            mask,
            by_destination: false,
        }
    }
}

impl fmt::Display for Recent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str(" !")?;
        }
        write!(f, " {}", self.action.option())?;
        if self.seconds != 0 {
            write!(f, " --seconds {}", self.seconds)?;
        }
        if self.reap {
            f.write_str(" --reap")?;
        }
        if self.hit_count != 0 {
            write!(f, " --hitcount {}", self.hit_count)?;
        }
        if self.same_ttl {
            f.write_str(" --rttl")?;
        }
        let side = if self.by_destination { "--rdest" } else { "--rsource" };
        write!(f, " --name {} --mask {} {side}", self.name, self.mask)
    }
}

/// One microsecond in `-m hashlimit`'s rate unit (revision 3: `XT_HASHLIMIT_SCALE_v2`).
const HASHLIMIT_SCALE: u64 = 1_000_000;

/// A `-m hashlimit` packet rate: the average interval between packets, in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HashRate {
    interval: u64,
}

impl HashRate {
    /// Reads `N[/second|minute|hour|day]` (unit prefixes accepted), as `libxt_hashlimit` does, with
    /// the `--hashlimit-htable-expire` iptables sets when none is given (the written unit, in ms).
    ///
    /// # Errors
    /// When the text is not a rate, or is faster than one packet per microsecond.
    pub fn parse(text: &str) -> Result<(Self, u32), String> {
        let (count, unit_seconds) = super::matches::rate_parts(text)?;
        let interval = HASHLIMIT_SCALE * unit_seconds / count;
        if interval == 0 {
            return Err(format!("rate `{text}` is too fast (at most 1000000/sec)"));
        }
        Ok((Self { interval }, u32::try_from(unit_seconds * 1000).unwrap_or(u32::MAX)))
    }
}

impl fmt::Display for HashRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, seconds) = super::matches::printed_rate_unit(self.interval, HASHLIMIT_SCALE);
        write!(f, "{}/{name}", seconds * HASHLIMIT_SCALE / self.interval)
    }
}

/// What `-m hashlimit` keeps one bucket for, in print order.
pub const HASHLIMIT_MODES: [&str; 4] = ["srcip", "srcport", "dstip", "dstport"];

/// `-m hashlimit`: a rate limit per source/destination address or port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hashlimit {
    /// `--hashlimit-above` (matches over the rate) instead of `--hashlimit-upto`.
    pub above: bool,
    /// The rate.
    pub rate: HashRate,
    /// `--hashlimit-burst` (default 5).
    pub burst: u32,
    /// `--hashlimit-mode`: one bit per entry of [`HASHLIMIT_MODES`].
    pub mode: u8,
    /// `--hashlimit-name`
    pub name: String,
    /// `--hashlimit-htable-size` (0: the kernel's default).
    pub size: u32,
    /// `--hashlimit-htable-max` (0: the kernel's default).
    pub max: u32,
    /// `--hashlimit-htable-gcinterval` in ms (default 1000).
    pub gc_interval: u32,
    /// `--hashlimit-htable-expire` in ms.
    pub expire: u32,
    /// `--hashlimit-srcmask` prefix length.
    pub source_mask: u8,
    /// `--hashlimit-dstmask` prefix length.
    pub destination_mask: u8,
    /// The family's full prefix length (32 or 128), the masks' default.
    pub full_mask: u8,
}

impl fmt::Display for Hashlimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = if self.above { "above" } else { "upto" };
        write!(f, " --hashlimit-{direction} {} --hashlimit-burst {}", self.rate, self.burst)?;
        if self.mode != 0 {
            let modes: Vec<&str> =
                HASHLIMIT_MODES.iter().enumerate().filter(|(bit, _)| self.mode & (1 << bit) != 0).map(|(_, name)| *name).collect();
            write!(f, " --hashlimit-mode {}", modes.join(","))?;
        }
        write!(f, " --hashlimit-name {}", self.name)?;
        if self.size != 0 {
            write!(f, " --hashlimit-htable-size {}", self.size)?;
        }
        if self.max != 0 {
            write!(f, " --hashlimit-htable-max {}", self.max)?;
        }
        if self.gc_interval != 1000 {
            write!(f, " --hashlimit-htable-gcinterval {}", self.gc_interval)?;
        }
        let quantum = u32::try_from(super::matches::printed_rate_unit(self.rate.interval, HASHLIMIT_SCALE).1 * 1000).unwrap_or(u32::MAX);
        if self.expire != quantum {
            write!(f, " --hashlimit-htable-expire {}", self.expire)?;
        }
        if self.source_mask != self.full_mask {
            write!(f, " --hashlimit-srcmask {}", self.source_mask)?;
        }
        if self.destination_mask != self.full_mask {
            write!(f, " --hashlimit-dstmask {}", self.destination_mask)?;
        }
        Ok(())
    }
}

/// `-m connlimit`: the number of connections per address (or network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Connlimit {
    /// `--connlimit-above` (more than `limit`) instead of `--connlimit-upto`.
    pub above: bool,
    /// The connection count.
    pub limit: u32,
    /// `--connlimit-mask` prefix length grouping addresses.
    pub mask: u8,
    /// `--connlimit-daddr`: count per destination instead of source.
    pub by_destination: bool,
}

impl fmt::Display for Connlimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = if self.above { "above" } else { "upto" };
        let side = if self.by_destination { "daddr" } else { "saddr" };
        write!(f, " --connlimit-{direction} {} --connlimit-mask {} --connlimit-{side}", self.limit, self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashlimit_rates_print_in_the_largest_exact_unit() {
        assert_eq!(HashRate::parse("60/minute").unwrap().0.to_string(), "1/sec");
        assert_eq!(HashRate::parse("1000/hour").unwrap().0.to_string(), "1000/hour");
        assert_eq!(HashRate::parse("5").unwrap().0.to_string(), "5/sec");
        assert_eq!(HashRate::parse("60/min").unwrap().1, 60_000);
        assert!(HashRate::parse("1000001/sec").is_err());
    }
}
