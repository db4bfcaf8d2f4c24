//! Import: text → rulesets. Reads `iptables-save` / `ip6tables-save` output (with or without
//! counters, any dialect) and shell scripts of `iptables` commands, as the real tools read them.
//! The reader never stops at the first problem: every problem is a [`Diagnostic`] with a span,
//! and everything that could be read is kept.

mod actions;
mod chain_index;
mod commands;
mod extensions;
mod modules;
mod options;
mod rule;
mod save;
mod script;
mod targets;
mod values;

pub(crate) use values::icmp_type_name;

use crate::diagnostic::{Code, Diagnostic, Parsed, Span};
use crate::model::{Family, Ruleset};

/// The largest input the importer reads (50 MiB): larger pastes get a clear error, not a hang.
pub const MAX_INPUT_BYTES: usize = 50 * 1024 * 1024;

/// What kind of text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `iptables-save` / `ip6tables-save` output.
    Save,
    /// A shell script of `iptables` / `ip6tables` commands.
    Script,
}

/// The rulesets read from one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// How the text was read.
    pub format: Format,
    /// One ruleset per family the text configures, IPv4 first.
    pub rulesets: Vec<Ruleset>,
}

impl Imported {
    /// The ruleset of `family`, if the text configured it.
    pub fn ruleset(&self, family: Family) -> Option<&Ruleset> {
        self.rulesets.iter().find(|ruleset| ruleset.family == family)
    }
}

/// Whether `text` looks like `iptables-save` output rather than a script.
pub fn detect_format(text: &str) -> Format {
    let first = text.lines().map(str::trim).find(|line| !line.is_empty() && !line.starts_with('#'));
    match first {
        Some(line) if line.starts_with('*') || line.starts_with(':') || line == "COMMIT" => Format::Save,
        Some(line) if line.starts_with("-A ") || line.starts_with('[') => Format::Save,
        _ => Format::Script,
    }
}

/// The family of a save file: IPv6 when its header says `ip6tables-save`, or when it holds
/// `ICMPv6` or an IPv6 address after `-s` / `-d`; else IPv4.
fn save_family(text: &str) -> Family {
    let header = text.lines().take(3).any(|line| line.starts_with('#') && line.contains("ip6tables"));
    // A save file holds one family: its first address after `-s` (or `-d`) tells which, so the
    // search stops there instead of reading every rule.
    let first_is_v6 = |flag: &str| {
        text.match_indices(flag)
            .find_map(|(at, _)| {
                let word = text[at + flag.len()..].split_whitespace().next()?;
                let address = word.split([',', '/']).next()?;
                address.parse::<std::net::IpAddr>().ok()
            })
            .is_some_and(|address| address.is_ipv6())
    };
    let v6_syntax = text.contains("ipv6-icmp") || text.contains("-m icmp6") || first_is_v6("-s ") || first_is_v6("-d ");
    if header || v6_syntax { Family::V6 } else { Family::V4 }
}

/// Runs a script of iptables commands one command at a time, from the firewall `start` (IPv4,
/// then IPv6): `after` sees each iptables command's span and the ruleset of its family as that
/// command leaves it. Returns both rulesets as the script leaves them. This is how
/// [`crate::analysis::apply`] checks every intermediate state of a commands export.
///
/// # Examples
/// ```
/// use portcullis_engine::import::replay;
/// use portcullis_engine::model::{Family, Ruleset};
/// let mut sizes = Vec::new();
/// let script = "iptables -A INPUT -j ACCEPT\nip6tables -P INPUT DROP\niptables -F\n";
/// let start = [Ruleset::new(Family::V4), Ruleset::new(Family::V6)];
/// replay(script, start, |_, ruleset| sizes.push((ruleset.family, ruleset.tables[0].chains[0].rules.len())));
/// assert_eq!(sizes, [(Family::V4, 1), (Family::V6, 0), (Family::V4, 0)]);
/// ```
pub fn replay(text: &str, start: [Ruleset; 2], mut after: impl FnMut(Span, &Ruleset)) -> Parsed<[Ruleset; 2]> {
    let mut rulesets = start;
    let mut diagnostics = Vec::new();
    script::read(text, &mut rulesets, &mut diagnostics, &mut after);
    Parsed { value: rulesets, diagnostics }
}

/// Reads `text` (save file or script, detected), `family` forcing the family of a save file.
///
/// # Examples
/// ```
/// use portcullis_engine::import::{import, Format};
/// use portcullis_engine::model::Family;
/// let parsed = import("iptables -P INPUT DROP\niptables -A INPUT -p tcp --dport ssh -j ACCEPT\n", None);
/// assert!(parsed.diagnostics.is_empty());
/// assert_eq!(parsed.value.format, Format::Script);
/// let rules = portcullis_engine::export::save::render_tables(parsed.value.ruleset(Family::V4).unwrap());
/// assert!(rules.contains("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT"));
/// ```
pub fn import(text: &str, family: Option<Family>) -> Parsed<Imported> {
    let mut diagnostics = Vec::new();
    if text.len() > MAX_INPUT_BYTES {
        diagnostics.push(
            Diagnostic::new(Code::InputTooLarge, Span::new(0, 0), format!("the input is {} MB; Portcullis reads at most 50 MB", text.len() / (1024 * 1024)))
                .with_help("split the file by table or family"),
        );
        return Parsed { value: Imported { format: detect_format(&text[..0]), rulesets: Vec::new() }, diagnostics };
    }
    // iptables-restore reads each line as a C string: a NUL byte ends it there, and whatever
    // follows on that line is lost. Said once per line; the line is still read whole.
    for (span, line) in crate::syntax::lines(text, 0) {
        if let Some(at) = line.find('\0') {
            diagnostics.push(
                Diagnostic::new(Code::NulByte, Span::new(span.start + at, span.start + at + 1), "a NUL byte: iptables-restore reads this line only up to it")
                    .with_help("remove it: a save file or script is plain text"),
            );
        }
    }
    let format = detect_format(text);
    let rulesets = match format {
        Format::Save if family.is_some() || save::sections(text).len() == 1 => {
            let mut ruleset = Ruleset::new(family.unwrap_or_else(|| save_family(text)));
            save::read(text, 0, &mut ruleset, &mut diagnostics);
            vec![ruleset]
        }
        Format::Save => {
            // Several dumps one after the other (`iptables-save; ip6tables-save`): each section
            // in the ruleset of its own family, IPv4 first.
            let mut rulesets: Vec<Ruleset> = Vec::new();
            for (base, section) in save::sections(text) {
                let section_family = save_family(section);
                let at = match rulesets.iter().position(|ruleset| ruleset.family == section_family) {
                    Some(at) => at,
                    None => {
                        rulesets.push(Ruleset::new(section_family));
                        rulesets.len() - 1
                    }
                };
                save::read(section, base, &mut rulesets[at], &mut diagnostics);
            }
            rulesets.sort_by_key(|ruleset| ruleset.family);
            rulesets
        }
        Format::Script => {
            let mut both = [Ruleset::new(Family::V4), Ruleset::new(Family::V6)];
            script::read(text, &mut both, &mut diagnostics, &mut |_, _| {});
            both.into_iter().filter(|ruleset| !ruleset.tables.is_empty()).collect()
        }
    };
    diagnostics.sort_by_key(|diagnostic| diagnostic.span.start);
    // "Kept exactly as written" once per module or target, not once per rule.
    let mut kept = std::collections::BTreeSet::new();
    let first: Vec<bool> =
        diagnostics.iter().map(|diagnostic| diagnostic.code != Code::KeptVerbatim || kept.insert(diagnostic.message.as_str())).collect();
    let mut first = first.into_iter();
    diagnostics.retain(|_| first.next().unwrap_or(true));
    Parsed { value: Imported { format, rulesets }, diagnostics }
}
