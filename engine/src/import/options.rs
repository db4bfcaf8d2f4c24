//! Which options each match module and target takes, and how many values each option has.
//! The grammar of iptables' extensions, as far as the engine models them.

/// How an option of a module or target consumes the words after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OptionSpec {
    /// Every spelling, the canonical one first.
    pub(crate) names: &'static [&'static str],
    /// How many values follow.
    pub(crate) values: usize,
}

const fn opt(names: &'static [&'static str], values: usize) -> OptionSpec {
    OptionSpec { names, values }
}

const PORTS: [OptionSpec; 2] =
    [opt(&["--sport", "--source-port"], 1), opt(&["--dport", "--destination-port"], 1)];

const TCP: [OptionSpec; 5] = [
    PORTS[0],
    PORTS[1],
    opt(&["--tcp-flags"], 2),
    opt(&["--syn"], 0),
    opt(&["--tcp-option"], 1),
];

const MULTIPORT: [OptionSpec; 3] = [
    opt(&["--sports", "--source-ports"], 1),
    opt(&["--dports", "--destination-ports"], 1),
    opt(&["--ports"], 1),
];

const CONNTRACK: [OptionSpec; 13] = [
    opt(&["--ctstate"], 1),
    opt(&["--ctproto"], 1),
    opt(&["--ctorigsrc"], 1),
    opt(&["--ctorigdst"], 1),
    opt(&["--ctreplsrc"], 1),
    opt(&["--ctrepldst"], 1),
    opt(&["--ctorigsrcport"], 1),
    opt(&["--ctorigdstport"], 1),
    opt(&["--ctreplsrcport"], 1),
    opt(&["--ctrepldstport"], 1),
    opt(&["--ctstatus"], 1),
    opt(&["--ctexpire"], 1),
    opt(&["--ctdir"], 1),
];

const SCTP: [OptionSpec; 3] = [PORTS[0], PORTS[1], opt(&["--chunk-types"], 2)];

const ICMP: [OptionSpec; 1] = [opt(&["--icmp-type"], 1)];
const ICMP6: [OptionSpec; 1] = [opt(&["--icmpv6-type"], 1)];
const STATE: [OptionSpec; 1] = [opt(&["--state"], 1)];
const LIMIT: [OptionSpec; 2] = [opt(&["--limit"], 1), opt(&["--limit-burst"], 1)];
const COMMENT: [OptionSpec; 1] = [opt(&["--comment"], 1)];
const REJECT: [OptionSpec; 1] = [opt(&["--reject-with"], 1)];
const LOG: [OptionSpec; 7] = [
    opt(&["--log-prefix"], 1),
    opt(&["--log-level"], 1),
    opt(&["--log-tcp-sequence"], 0),
    opt(&["--log-tcp-options"], 0),
    opt(&["--log-ip-options"], 0),
    opt(&["--log-uid"], 0),
    opt(&["--log-macdecode"], 0),
];

/// The options of match module `name`, or `None` for modules kept verbatim.
pub(crate) fn module_options(name: &str) -> Option<&'static [OptionSpec]> {
    Some(match name {
        "tcp" => &TCP,
        "udp" | "udplite" => &PORTS,
        "multiport" => &MULTIPORT,
        // Read for its ports (checked, as iptables checks them); kept as written.
        "sctp" => &SCTP,
        "icmp" => &ICMP,
        "icmp6" => &ICMP6,
        "conntrack" => &CONNTRACK,
        "state" => &STATE,
        "limit" => &LIMIT,
        "comment" => &COMMENT,
        _ => return None,
    })
}

/// The options of target `name`, or `None` for targets kept verbatim.
pub(crate) fn target_options(name: &str) -> Option<&'static [OptionSpec]> {
    Some(match name {
        "ACCEPT" | "DROP" | "RETURN" => &[],
        "REJECT" => &REJECT,
        "LOG" => &LOG,
        _ => return None,
    })
}

/// The option of `specs` spelled `word`, if any.
pub(crate) fn find(specs: &[OptionSpec], word: &str) -> Option<OptionSpec> {
    specs.iter().copied().find(|spec| spec.names.contains(&word))
}

/// How many values follow option `word` wherever it appears (getopt takes them whatever they
/// look like: `--comment -D` is a comment): base options, then every modelled module and target.
pub(crate) fn arity(word: &str) -> usize {
    match word {
        "-c" | "--set-counters" => 2,
        "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" | "-i" | "--in-interface" | "-o"
        | "--out-interface" | "-p" | "--protocol" | "-m" | "--match" | "-j" | "--jump" | "-g" | "--goto" => 1,
        // Only long options have values beyond the base ones; a table built once answers.
        _ if word.starts_with("--") => extension_arities().get(word).copied().unwrap_or(0),
        _ => 0,
    }
}

/// Every modelled module's and target's options with their number of values.
fn extension_arities() -> &'static std::collections::HashMap<&'static str, usize> {
    static TABLE: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let modules = ["tcp", "sctp", "multiport", "icmp", "icmp6", "conntrack", "state", "limit", "comment"];
        let targets = ["REJECT", "LOG"];
        let mut table = std::collections::HashMap::new();
        let specs = modules.iter().filter_map(|name| module_options(name)).chain(targets.iter().filter_map(|name| target_options(name)));
        for spec in specs.flatten() {
            for name in spec.names {
                // The first module naming an option decides, as the linear search did.
                table.entry(*name).or_insert(spec.values);
            }
        }
        table
    })
}

/// The module `-p PROTO` loads implicitly when an option needs it (`iptables` does the same).
pub(crate) fn implicit_module(protocol: u8) -> Option<&'static str> {
    match protocol {
        6 => Some("tcp"),
        17 => Some("udp"),
        // Not 136: iptables 1.8.9 loads `udplite` only with `-m udplite`.
        132 => Some("sctp"),
        1 => Some("icmp"),
        58 => Some("icmp6"),
        _ => None,
    }
}
