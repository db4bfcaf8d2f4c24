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

const RECENT: [OptionSpec; 12] = [
    opt(&["--set"], 0),
    opt(&["--rcheck"], 0),
    opt(&["--update"], 0),
    opt(&["--remove"], 0),
    opt(&["--seconds"], 1),
    opt(&["--reap"], 0),
    opt(&["--hitcount"], 1),
    opt(&["--rttl"], 0),
    opt(&["--name"], 1),
    opt(&["--mask"], 1),
    opt(&["--rsource"], 0),
    opt(&["--rdest"], 0),
];
const HASHLIMIT: [OptionSpec; 14] = [
    opt(&["--hashlimit-upto", "--hashlimit"], 1),
    opt(&["--hashlimit-above"], 1),
    opt(&["--hashlimit-burst"], 1),
    opt(&["--hashlimit-mode"], 1),
    opt(&["--hashlimit-name"], 1),
    opt(&["--hashlimit-htable-size"], 1),
    opt(&["--hashlimit-htable-max"], 1),
    opt(&["--hashlimit-htable-gcinterval"], 1),
    opt(&["--hashlimit-htable-expire"], 1),
    opt(&["--hashlimit-srcmask"], 1),
    opt(&["--hashlimit-dstmask"], 1),
    opt(&["--hashlimit-rate-match"], 0),
    opt(&["--hashlimit-rate-interval"], 1),
    opt(&["--hashlimit-htable-gc-interval"], 1),
];
const CONNLIMIT: [OptionSpec; 5] = [
    opt(&["--connlimit-above"], 1),
    opt(&["--connlimit-upto"], 1),
    opt(&["--connlimit-mask"], 1),
    opt(&["--connlimit-saddr"], 0),
    opt(&["--connlimit-daddr"], 0),
];
const IPRANGE: [OptionSpec; 2] = [opt(&["--src-range"], 1), opt(&["--dst-range"], 1)];
const MAC: [OptionSpec; 1] = [opt(&["--mac-source"], 1)];
const ADDRTYPE: [OptionSpec; 4] =
    [opt(&["--src-type"], 1), opt(&["--dst-type"], 1), opt(&["--limit-iface-in"], 0), opt(&["--limit-iface-out"], 0)];
const MARK: [OptionSpec; 1] = [opt(&["--mark"], 1)];
const LENGTH: [OptionSpec; 1] = [opt(&["--length"], 1)];
const TTL: [OptionSpec; 3] = [opt(&["--ttl-eq"], 1), opt(&["--ttl-lt"], 1), opt(&["--ttl-gt"], 1)];
const HL: [OptionSpec; 3] = [opt(&["--hl-eq"], 1), opt(&["--hl-lt"], 1), opt(&["--hl-gt"], 1)];
const PKTTYPE: [OptionSpec; 1] = [opt(&["--pkt-type"], 1)];
const PHYSDEV: [OptionSpec; 5] = [
    opt(&["--physdev-in"], 1),
    opt(&["--physdev-out"], 1),
    opt(&["--physdev-is-in"], 0),
    opt(&["--physdev-is-out"], 0),
    opt(&["--physdev-is-bridged"], 0),
];
const STRING: [OptionSpec; 6] = [
    opt(&["--string"], 1),
    opt(&["--hex-string"], 1),
    opt(&["--algo"], 1),
    opt(&["--from"], 1),
    opt(&["--to"], 1),
    opt(&["--icase"], 0),
];
const TIME: [OptionSpec; 9] = [
    opt(&["--timestart"], 1),
    opt(&["--timestop"], 1),
    opt(&["--monthdays"], 1),
    opt(&["--weekdays"], 1),
    opt(&["--datestart"], 1),
    opt(&["--datestop"], 1),
    opt(&["--kerneltz", "--localtz"], 0),
    opt(&["--utc"], 0),
    opt(&["--contiguous"], 0),
];
const OWNER: [OptionSpec; 4] =
    [opt(&["--uid-owner"], 1), opt(&["--gid-owner"], 1), opt(&["--socket-exists"], 0), opt(&["--suppl-groups"], 0)];
const SET: [OptionSpec; 10] = [
    opt(&["--match-set"], 2),
    opt(&["--return-nomatch"], 0),
    opt(&["--update-counters"], 0),
    opt(&["--update-subcounters"], 0),
    opt(&["--packets-eq"], 1),
    opt(&["--packets-lt"], 1),
    opt(&["--packets-gt"], 1),
    opt(&["--bytes-eq"], 1),
    opt(&["--bytes-lt"], 1),
    opt(&["--bytes-gt"], 1),
];
const NFLOG: [OptionSpec; 5] = [
    opt(&["--nflog-prefix"], 1),
    opt(&["--nflog-group"], 1),
    opt(&["--nflog-range"], 1),
    opt(&["--nflog-size"], 1),
    opt(&["--nflog-threshold"], 1),
];
const DNAT: [OptionSpec; 4] =
    [opt(&["--to-destination", "--to"], 1), opt(&["--random"], 0), opt(&["--persistent"], 0), opt(&["--random-fully"], 0)];
const SNAT: [OptionSpec; 4] =
    [opt(&["--to-source", "--to"], 1), opt(&["--random"], 0), opt(&["--random-fully"], 0), opt(&["--persistent"], 0)];
const MASQUERADE: [OptionSpec; 3] = [opt(&["--to-ports"], 1), opt(&["--random"], 0), opt(&["--random-fully"], 0)];
const REDIRECT: [OptionSpec; 2] = [opt(&["--to-ports"], 1), opt(&["--random"], 0)];
const MARK_TARGET: [OptionSpec; 5] = [
    opt(&["--set-xmark"], 1),
    opt(&["--set-mark"], 1),
    opt(&["--and-mark"], 1),
    opt(&["--or-mark"], 1),
    opt(&["--xor-mark"], 1),
];
const CONNMARK_TARGET: [OptionSpec; 10] = [
    MARK_TARGET[0],
    MARK_TARGET[1],
    MARK_TARGET[2],
    MARK_TARGET[3],
    MARK_TARGET[4],
    opt(&["--save-mark"], 0),
    opt(&["--restore-mark"], 0),
    opt(&["--nfmask"], 1),
    opt(&["--ctmask"], 1),
    opt(&["--mask"], 1),
];
const CT: [OptionSpec; 8] = [
    opt(&["--notrack"], 0),
    opt(&["--helper"], 1),
    opt(&["--ctevents"], 1),
    opt(&["--expevents"], 1),
    opt(&["--zone"], 1),
    opt(&["--zone-orig"], 1),
    opt(&["--zone-reply"], 1),
    opt(&["--timeout"], 1),
];
const TCPMSS: [OptionSpec; 2] = [opt(&["--set-mss"], 1), opt(&["--clamp-mss-to-pmtu"], 0)];
const SET_TARGET: [OptionSpec; 8] = [
    opt(&["--add-set"], 2),
    opt(&["--del-set"], 2),
    opt(&["--exist"], 0),
    opt(&["--timeout"], 1),
    opt(&["--map-set"], 2),
    opt(&["--map-mark"], 0),
    opt(&["--map-prio"], 0),
    opt(&["--map-queue"], 0),
];

/// Match modules with an option table (the rest are kept verbatim).
const MODULES: [&str; 28] = [
    "tcp", "sctp", "udp", "udplite", "multiport", "icmp", "icmp6", "conntrack", "state", "limit", "comment", "recent",
    "hashlimit", "connlimit", "iprange", "mac", "addrtype", "mark", "connmark", "length", "ttl", "hl", "pkttype",
    "physdev", "string", "time", "owner", "set",
];
/// Targets with an option table.
const TARGETS: [&str; 13] =
    ["REJECT", "LOG", "NFLOG", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "MARK", "CONNMARK", "CT", "TCPMSS", "SET", "NOTRACK"];

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
        "recent" => &RECENT,
        "hashlimit" => &HASHLIMIT,
        "connlimit" => &CONNLIMIT,
        "iprange" => &IPRANGE,
        "mac" => &MAC,
        "addrtype" => &ADDRTYPE,
        "mark" | "connmark" => &MARK,
        "length" => &LENGTH,
        "ttl" => &TTL,
        "hl" => &HL,
        "pkttype" => &PKTTYPE,
        "physdev" => &PHYSDEV,
        "string" => &STRING,
        "time" => &TIME,
        "owner" => &OWNER,
        "set" => &SET,
        _ => return None,
    })
}

/// The options of target `name`, or `None` for targets kept verbatim.
pub(crate) fn target_options(name: &str) -> Option<&'static [OptionSpec]> {
    Some(match name {
        "ACCEPT" | "DROP" | "RETURN" | "NOTRACK" | "TRACE" => &[],
        "REJECT" => &REJECT,
        "LOG" => &LOG,
        "NFLOG" => &NFLOG,
        "DNAT" => &DNAT,
        "SNAT" => &SNAT,
        "MASQUERADE" => &MASQUERADE,
        "REDIRECT" => &REDIRECT,
        "MARK" => &MARK_TARGET,
        "CONNMARK" => &CONNMARK_TARGET,
        "CT" => &CT,
        "TCPMSS" => &TCPMSS,
        "SET" => &SET_TARGET,
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
        let mut table = std::collections::HashMap::new();
        let specs = MODULES.iter().filter_map(|name| module_options(name)).chain(TARGETS.iter().filter_map(|name| target_options(name)));
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
