//! Matches on things outside the packet headers — payload text, the clock, the sending socket,
//! ipset contents: typed and printed exactly, decided by a simulator only as "may match".

use std::fmt;

use super::fields::write_option;
use super::Negated;

/// `-m string` search algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringAlgorithm {
    /// Boyer-Moore (`bm`)
    BoyerMoore,
    /// Knuth-Pratt-Morris (`kmp`)
    KnuthMorrisPratt,
}

/// `-m string`: a byte pattern in the packet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StringMatch {
    /// `!` before the pattern.
    pub negated: bool,
    /// The bytes searched for (1 to 128).
    pub pattern: Vec<u8>,
    /// `--algo`
    pub algorithm: StringAlgorithm,
    /// `--from` offset (default 0).
    pub from: u16,
    /// `--to` offset (default 65535).
    pub to: u16,
    /// `--icase`
    pub ignore_case: bool,
}

/// The longest pattern the kernel takes (`XT_STRING_MAX_PATTERN_SIZE`).
pub const STRING_PATTERN_MAX: usize = 128;

/// Reads a `--hex-string` value: text with `|41 42|` hex blocks.
///
/// # Errors
/// When a block is not hex bytes or is left open.
pub fn parse_hex_string(text: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut in_hex = false;
    let mut digits = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, in_hex) {
            ('|', _) => {
                if in_hex && !digits.is_empty() {
                    return Err(format!("`{text}`: odd number of hex digits"));
                }
                in_hex = !in_hex;
            }
            (' ', true) => {}
            (_, true) => {
                digits.push(c);
                if digits.len() == 2 {
                    bytes.push(u8::from_str_radix(&digits, 16).map_err(|_| format!("`{text}`: `{digits}` is not a hex byte"))?);
                    digits.clear();
                }
            }
            ('\\', false) => {
                let escaped = chars.next().ok_or_else(|| format!("`{text}` ends with a backslash"))?;
                let mut buffer = [0; 4];
                bytes.extend_from_slice(escaped.encode_utf8(&mut buffer).as_bytes());
            }
            (_, false) => {
                let mut buffer = [0; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buffer).as_bytes());
            }
        }
    }
    if in_hex {
        return Err(format!("`{text}`: a `|` hex block is not closed"));
    }
    Ok(bytes)
}

impl fmt::Display for StringMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str(" !")?;
        }
        // libxt_string prints a pattern with any unprintable byte wholly as hex.
        if self.pattern.iter().all(|byte| (0x20..0x7f).contains(byte)) {
            f.write_str(" --string \"")?;
            for &byte in &self.pattern {
                if byte == b'"' || byte == b'\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{}", char::from(byte))?;
            }
            f.write_str("\"")?;
        } else {
            f.write_str(" --hex-string \"|")?;
            for byte in &self.pattern {
                write!(f, "{byte:02x}")?;
            }
            f.write_str("|\"")?;
        }
        let algorithm = match self.algorithm {
            StringAlgorithm::BoyerMoore => "bm",
            StringAlgorithm::KnuthMorrisPratt => "kmp",
        };
        write!(f, " --algo {algorithm}")?;
        if self.from != 0 {
            write!(f, " --from {}", self.from)?;
        }
        if self.to != u16::MAX {
            write!(f, " --to {}", self.to)?;
        }
        if self.ignore_case {
            f.write_str(" --icase")?;
        }
        Ok(())
    }
}

/// Day names `--weekdays` prints, Monday first (bit 1 is Monday).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/// Every day of the month (bits 1 to 31).
pub const ALL_MONTHDAYS: u32 = 0xFFFF_FFFE;
/// Every day of the week (bits 1 to 7).
pub const ALL_WEEKDAYS: u8 = 0xFE;
/// The latest date `-m time` takes (2038-01-19T03:14:07, the largest 32-bit time).
pub const DATE_MAX: u32 = i32::MAX.unsigned_abs();

/// `-m time`: a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TimeMatch {
    /// `--timestart`, seconds after midnight.
    pub start: u32,
    /// `--timestop`, seconds after midnight (default 23:59:59).
    pub stop: u32,
    /// `--monthdays`: bit N for day N.
    pub monthdays: u32,
    /// `--weekdays`: bit 1 Monday … bit 7 Sunday.
    pub weekdays: u8,
    /// `--datestart`, seconds since 1970.
    pub date_start: u32,
    /// `--datestop`, seconds since 1970.
    pub date_stop: u32,
    /// `--kerneltz`: the kernel's time zone instead of UTC.
    pub kernel_time_zone: bool,
    /// `--contiguous`: a window crossing midnight is one period.
    pub contiguous: bool,
}

impl Default for TimeMatch {
    fn default() -> Self {
        Self {
            start: 0,
            stop: 86_399,
            monthdays: ALL_MONTHDAYS,
            weekdays: ALL_WEEKDAYS,
            date_start: 0,
            date_stop: DATE_MAX,
            kernel_time_zone: false,
            contiguous: false,
        }
    }
}

/// Reads `hh:mm[:ss]` as seconds after midnight.
///
/// # Errors
/// When the text is not a time of day.
pub fn parse_day_time(text: &str) -> Result<u32, String> {
    let bad = || format!("`{text}` is not a time of day (hh:mm[:ss])");
    let parts: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let mut fields = [0u32; 3];
    for (field, part) in fields.iter_mut().zip(&parts) {
        if part.is_empty() || part.len() > 2 {
            return Err(bad());
        }
        *field = part.parse().map_err(|_| bad())?;
    }
    let [hours, minutes, seconds] = fields;
    if hours > 23 || minutes > 59 || seconds > 59 {
        return Err(bad());
    }
    Ok(hours * 3600 + minutes * 60 + seconds)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Reads `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` (UTC) as seconds since 1970.
///
/// # Errors
/// When the text is not such a date between 1970 and 2038-01-19T03:14:07.
pub fn parse_date(text: &str) -> Result<u32, String> {
    let bad = || format!("`{text}` is not a date YYYY[-MM[-DD[Thh[:mm[:ss]]]]] between 1970 and 2038-01-19");
    let (date, time) = text.split_once('T').map_or((text, None), |(date, time)| (date, Some(time)));
    let mut date_parts = date.split('-');
    let number = |part: Option<&str>, default: i64| -> Result<i64, String> {
        match part {
            None => Ok(default),
            Some(part) if !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()) => part.parse().map_err(|_| bad()),
            Some(_) => Err(bad()),
        }
    };
    let year = number(date_parts.next(), 1970)?;
    let month = number(date_parts.next(), 1)?;
    let day = number(date_parts.next(), 1)?;
    let mut time_parts = time.map(|time| time.split(':')).into_iter().flatten();
    let hour = number(time_parts.next(), 0)?;
    let minute = number(time_parts.next(), 0)?;
    let second = number(time_parts.next(), 0)?;
    if date_parts.next().is_some()
        || time_parts.next().is_some()
        || !(1970..=2038).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(bad());
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    u32::try_from(seconds).ok().filter(|seconds| *seconds <= DATE_MAX).ok_or_else(bad)
}

fn write_day_time(f: &mut fmt::Formatter<'_>, seconds: u32) -> fmt::Result {
    write!(f, "{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

fn write_date(f: &mut fmt::Formatter<'_>, seconds: u32) -> fmt::Result {
    // Civil from days (the inverse of `days_from_civil`).
    let days = i64::from(seconds / 86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    write!(f, "{year:04}-{month:02}-{day:02}T")?;
    write_day_time(f, seconds % 86_400)
}

impl fmt::Display for TimeMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start != 0 || self.stop != 86_399 {
            f.write_str(" --timestart ")?;
            write_day_time(f, self.start)?;
            f.write_str(" --timestop ")?;
            write_day_time(f, self.stop)?;
        }
        if self.monthdays != ALL_MONTHDAYS {
            let days: Vec<String> = (1..=31).filter(|day| self.monthdays & (1 << day) != 0).map(|day| day.to_string()).collect();
            write!(f, " --monthdays {}", days.join(","))?;
        }
        if self.weekdays != ALL_WEEKDAYS {
            let days: Vec<&str> = (1..=7).filter(|day| self.weekdays & (1 << day) != 0).map(|day| WEEKDAYS[day - 1]).collect();
            write!(f, " --weekdays {}", days.join(","))?;
        }
        if self.date_start != 0 {
            f.write_str(" --datestart ")?;
            write_date(f, self.date_start)?;
        }
        if self.date_stop != 0 {
            f.write_str(" --datestop ")?;
            write_date(f, self.date_stop)?;
        }
        if self.kernel_time_zone {
            f.write_str(" --kerneltz")?;
        }
        if self.contiguous {
            f.write_str(" --contiguous")?;
        }
        Ok(())
    }
}

/// An inclusive id range `N[-M]` (`-m owner --uid-owner` / `--gid-owner`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IdRange {
    /// First id.
    pub first: u32,
    /// Last id.
    pub last: u32,
}

impl fmt::Display for IdRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::fields::write_range(f, self.first, self.last, '-')
    }
}

/// `-m owner`: the local socket that sends the packet (OUTPUT and POSTROUTING only).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Owner {
    /// `--socket-exists` (`Some(true)` when negated).
    pub socket_exists: Option<bool>,
    /// `--uid-owner`
    pub uid: Option<Negated<IdRange>>,
    /// `--gid-owner`
    pub gid: Option<Negated<IdRange>>,
    /// `--suppl-groups`: `gid` also matches supplementary groups.
    pub supplementary_groups: bool,
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::fields::write_flag(f, "--socket-exists", self.socket_exists)?;
        write_option(f, "--uid-owner", self.uid.as_ref())?;
        write_option(f, "--gid-owner", self.gid.as_ref())?;
        if self.supplementary_groups {
            f.write_str(" --suppl-groups")?;
        }
        Ok(())
    }
}

/// Which packet address or port each dimension of an ipset is looked up with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetSide {
    /// `src`
    Source,
    /// `dst`
    Destination,
}

/// An ipset reference: name and the side of each dimension (`NAME src,dst`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetReference {
    /// The set name (1 to 31 bytes).
    pub name: String,
    /// One to six sides.
    pub sides: Vec<SetSide>,
}

impl SetReference {
    /// Reads the name and a `src,dst` side list.
    ///
    /// # Errors
    /// When the name is too long or a side is not `src` / `dst`.
    pub fn parse(name: &str, sides: &str) -> Result<Self, String> {
        if name.is_empty() || name.len() > 31 {
            return Err(format!("`{name}` is not an ipset name (1 to 31 bytes)"));
        }
        let sides = sides
            .split(',')
            .map(|side| match side {
                "src" => Ok(SetSide::Source),
                "dst" => Ok(SetSide::Destination),
                _ => Err(format!("`{side}` is not `src` or `dst`")),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if sides.len() > 6 {
            return Err("an ipset has at most 6 dimensions".to_owned());
        }
        Ok(Self { name: name.to_owned(), sides })
    }
}

impl fmt::Display for SetReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sides: Vec<&str> =
            self.sides.iter().map(|side| if *side == SetSide::Source { "src" } else { "dst" }).collect();
        write!(f, "{} {}", self.name, sides.join(","))
    }
}

/// `-m set --match-set`: membership in an ipset (its contents live outside the ruleset).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetMatch {
    /// The set and sides, possibly negated.
    pub set: Negated<SetReference>,
    /// `--return-nomatch`
    pub return_nomatch: bool,
    /// `! --update-counters`: do not count matches in the set.
    pub no_update_counters: bool,
}

impl fmt::Display for SetMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_option(f, "--match-set", Some(&self.set))?;
        if self.return_nomatch {
            f.write_str(" --return-nomatch")?;
        }
        if self.no_update_counters {
            f.write_str(" ! --update-counters")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_round_trip_as_iptables_prints_them() {
        let time = TimeMatch { date_start: parse_date("2021-02-03T04:05").unwrap(), ..TimeMatch::default() };
        assert_eq!(time.to_string(), " --datestart 2021-02-03T04:05:00 --datestop 2038-01-19T03:14:07");
        assert_eq!(parse_date("2038-01-19T03:14:07").unwrap(), DATE_MAX);
        assert!(parse_date("2040-01-01").is_err());
        assert!(parse_date("1969-12-31").is_err());
        assert_eq!(parse_day_time("9:00").unwrap(), 9 * 3600);
        assert!(parse_day_time("25:00").is_err());
    }

    #[test]
    fn unprintable_patterns_print_as_hex() {
        let pattern = parse_hex_string("|00 0a|abc|ff|").unwrap();
        let string = StringMatch {
            negated: false,
            pattern,
            algorithm: StringAlgorithm::BoyerMoore,
            from: 0,
            to: u16::MAX,
            ignore_case: false,
        };
        assert_eq!(string.to_string(), " --hex-string \"|000a616263ff|\" --algo bm");
        assert!(parse_hex_string("|0g|").is_err());
        assert!(parse_hex_string("|00").is_err());
    }
}
