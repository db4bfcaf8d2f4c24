//! Rule options (everything after `-A CHAIN`) → [`Rule`]s, the way iptables reads them: base
//! options anywhere, `-m NAME` followed by that module's options, options of a protocol module
//! loaded implicitly after `-p tcp|udp|icmp…`, and `-j TARGET` with its options.

use ipnet::IpNet;

use super::options::{find, implicit_module, module_options, target_options};
use super::values;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::{
    BuiltinChain, ChainName, Counters, Family, Interface, Negated, Protocol, Rule, TableName,
};
use crate::syntax::Word;

/// Where a rule is added: its family, table and chain decide which options are allowed.
#[derive(Clone, Copy)]
pub(crate) struct Place<'a> {
    pub(crate) family: Family,
    pub(crate) table: TableName,
    pub(crate) chain: &'a ChainName,
    /// Whether a user chain of that name exists in the table.
    pub(crate) defined: &'a dyn Fn(&str) -> bool,
    /// The line the rule is read from.
    pub(crate) origin: Span,
}

/// A module or target with its options as written.
#[derive(Debug, Clone)]
pub(crate) struct Extension {
    pub(crate) name: String,
    pub(crate) span: Span,
    /// Known options, with negation and values.
    pub(crate) options: Vec<RawOption>,
    /// Every word after the name, as written (for verbatim keeping).
    pub(crate) words: Vec<String>,
    /// No option table: every following word belongs to it until the next base option.
    pub(crate) verbatim: bool,
    /// Loaded implicitly by `-p`.
    pub(crate) implicit: bool,
}

/// One option of an extension.
#[derive(Debug, Clone)]
pub(crate) struct RawOption {
    pub(crate) negated: bool,
    /// Canonical spelling.
    pub(crate) name: &'static str,
    pub(crate) values: Vec<String>,
    pub(crate) span: Span,
}

/// A rule as written, before modules are typed: what the reader collects.
#[derive(Debug, Default)]
struct Draft {
    sources: Option<(bool, Vec<IpNet>, Span)>,
    destinations: Option<(bool, Vec<IpNet>, Span)>,
    in_interface: Option<(Negated<Interface>, Span)>,
    out_interface: Option<(Negated<Interface>, Span)>,
    protocol: Option<(Negated<Protocol>, Span)>,
    /// Whether `-p` was given (`-p all` leaves `protocol` empty).
    protocol_given: bool,
    fragment: Option<bool>,
    modules: Vec<Extension>,
    target: Option<(Extension, bool)>,
    counters: Option<Counters>,
    /// Whether the target was named after the last `-m`: verbatim words then belong to it.
    target_is_latest: bool,
}

/// Match modules iptables ships that the engine keeps verbatim.
const KNOWN_MODULES: &[&str] = &[
    "ah", "bpf", "cgroup", "cluster", "connbytes", "connlabel", "cpu", "dccp", "devgroup", "dscp", "dst", "ecn", "esp",
    "eui64", "frag", "hbh", "helper", "ipcomp", "ipv6header", "ipvs", "mh", "nfacct", "osf", "policy", "quota",
    "rateest", "realm", "rpfilter", "rt", "sctp", "socket", "statistic", "tcpmss", "tos", "u32",
];

fn is_base_option(word: &str) -> bool {
    matches!(
        word,
        "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" | "-i" | "--in-interface" | "-o"
            | "--out-interface" | "-p" | "--protocol" | "-f" | "--fragment" | "-m" | "--match" | "-j" | "--jump"
            | "-g" | "--goto" | "-c" | "--set-counters"
    )
}

/// Reads the rule options in `words`; one rule per source × destination address, as iptables
/// expands `-s a,b`. Problems become diagnostics; an unusable rule gives no rules.
pub(crate) fn read_rule(words: &[Word], place: Place<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let errors_before = diagnostics.len();
    let draft = read_draft(words, place, diagnostics);
    let mut rule = Rule { fragment: draft.fragment, counters: draft.counters, origin: Some(place.origin), ..Rule::default() };
    rule.in_interface = draft.in_interface.as_ref().map(|(value, _)| value.clone());
    rule.out_interface = draft.out_interface.as_ref().map(|(value, _)| value.clone());
    rule.protocol = draft.protocol.as_ref().map(|(value, _)| value.clone());
    check_interfaces(&draft, place, diagnostics);
    let protocol = rule.protocol.as_ref().map(|protocol| protocol.value);
    for module in &draft.modules {
        if let Some(module) = super::modules::build(module, protocol, place.family, place.chain.builtin(), diagnostics) {
            rule.modules.push(module);
        }
    }
    if let Some((target, goto)) = &draft.target {
        rule.target = super::targets::build(target, *goto, place, rule.protocol.as_ref(), diagnostics);
    }
    for (negated, nets, span) in [&draft.sources, &draft.destinations].into_iter().flatten() {
        if *negated && nets.iter().any(|net| net.prefix_len() == 0) {
            diagnostics.push(Diagnostic::new(Code::BadValue, *span, "`!` before a /0 network would match no packet; iptables refuses it")
                .with_help("remove the `!` and the address, or name the network to exclude"));
        }
    }
    if diagnostics[errors_before..].iter().any(|d| d.severity == crate::diagnostic::Severity::Error) {
        return Vec::new();
    }
    let sources = expand(draft.sources);
    let destinations = expand(draft.destinations);
    let count = sources.len() * destinations.len();
    let mut rules = Vec::with_capacity(count);
    for source in &sources {
        for destination in &destinations {
            rules.push(Rule { source: source.clone(), destination: destination.clone(), ..Rule::default() });
        }
    }
    // Every copy shares the rest of the rule; the last one takes it without a clone.
    let last = rules.len().saturating_sub(1);
    for (index, copy) in rules.iter_mut().enumerate() {
        let (source, destination) = (copy.source.take(), copy.destination.take());
        *copy = if index == last { std::mem::take(&mut rule) } else { rule.clone() };
        (copy.source, copy.destination) = (source, destination);
    }
    rules
}

fn expand(addresses: Option<(bool, Vec<IpNet>, Span)>) -> Vec<Option<Negated<IpNet>>> {
    match addresses {
        None => vec![None],
        Some((negated, nets, _)) => nets.into_iter().map(|value| Some(Negated { negated, value })).collect(),
    }
}

fn check_interfaces(draft: &Draft, place: Place<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let chain = place.chain.builtin();
    if let (Some((_, span)), Some(BuiltinChain::Output | BuiltinChain::Postrouting)) = (&draft.in_interface, chain) {
        diagnostics.push(
            Diagnostic::new(Code::WrongChainForOption, *span, format!("`-i` cannot be used in {}", place.chain))
                .with_help("packets in OUTPUT and POSTROUTING have no input interface; use `-o`"),
        );
    }
    if let (Some((_, span)), Some(BuiltinChain::Input | BuiltinChain::Prerouting)) = (&draft.out_interface, chain) {
        diagnostics.push(
            Diagnostic::new(Code::WrongChainForOption, *span, format!("`-o` cannot be used in {}", place.chain))
                .with_help("packets in INPUT and PREROUTING have no output interface yet; use `-i`"),
        );
    }
}

fn read_draft(words: &[Word], place: Place<'_>, diagnostics: &mut Vec<Diagnostic>) -> Draft {
    let mut draft = Draft::default();
    let mut negation: Option<Span> = None;
    let mut index = 0;
    while let Some(word) = words.get(index) {
        index += 1;
        let text = &*word.text;
        if text == "!" {
            if let Some(previous) = negation.replace(word.span) {
                diagnostics.push(Diagnostic::new(Code::DuplicateOption, previous.to(word.span), "`!` given twice"));
            }
            continue;
        }
        let negated = negation.take().is_some();
        if is_base_option(text) {
            index = read_base(words, index, word, negated, place, &mut draft, diagnostics);
            continue;
        }
        // An extension option: the most recent verbatim extension takes everything.
        if let Some(extension) = last_extension(&mut draft).filter(|extension| extension.verbatim) {
            if negated {
                extension.words.push("!".to_owned());
            }
            extension.words.push(text.to_owned());
            continue;
        }
        if !text.starts_with('-') || text == "-" {
            // One finding for a run of stray words, such as a tutorial's `[port number]`.
            let mut span = word.span;
            let mut stray = vec![text];
            while let Some(next) = words.get(index).filter(|next| !next.text.starts_with('-') && next.text != "!") {
                span = span.to(next.span);
                stray.push(&next.text);
                index += 1;
            }
            let stray = stray.join(" ");
            diagnostics.push(Diagnostic::new(Code::UnknownOption, span, format!("unexpected `{stray}`")).with_help(
                super::values::placeholder_help(&stray)
                    .unwrap_or("values follow their option; check for a missing option name or a stray quote"),
            ));
            continue;
        }
        match owner(&mut draft, text, word.span) {
            Some(extension) => index = take_option(extension, words, index, word, negated, diagnostics),
            None => {
                diagnostics.push(unknown_option(text, word.span, &draft));
                // Its values would only repeat the error: skip them.
                while words.get(index).is_some_and(|next| !next.text.starts_with('-') && next.text != "!") {
                    index += 1;
                }
            }
        }
    }
    if let Some(span) = negation {
        diagnostics.push(Diagnostic::new(Code::MissingValue, span, "`!` must be followed by the option it negates"));
    }
    draft
}

/// The extension named last, which takes the words that follow it when it is verbatim.
fn last_extension(draft: &mut Draft) -> Option<&mut Extension> {
    if draft.target_is_latest {
        draft.target.as_mut().map(|(target, _)| target)
    } else {
        draft.modules.last_mut()
    }
}

/// The extension whose option `text` is: the target, then loaded modules from the latest back,
/// then the protocol's module loaded implicitly.
fn owner<'d>(draft: &'d mut Draft, text: &str, span: Span) -> Option<&'d mut Extension> {
    if let Some((target, _)) = &draft.target {
        if target_options(&target.name).is_some_and(|specs| find(specs, text).is_some()) {
            return draft.target.as_mut().map(|(target, _)| target);
        }
    }
    if let Some(at) = draft
        .modules
        .iter()
        .rposition(|module| module_options(&module.name).is_some_and(|specs| find(specs, text).is_some()))
    {
        return draft.modules.get_mut(at);
    }
    // Even `! -p tcp` loads the tcp module for `--dport` (iptables accepts it; it never matches).
    let protocol = draft.protocol.as_ref()?.0.value;
    let name = implicit_module(protocol.number())?;
    let specs = module_options(name)?;
    find(specs, text)?;
    draft.modules.push(Extension {
        name: name.to_owned(),
        span,
        options: Vec::new(),
        words: Vec::new(),
        verbatim: false,
        implicit: true,
    });
    draft.modules.last_mut()
}

fn unknown_option(text: &str, span: Span, draft: &Draft) -> Diagnostic {
    let port_option = ["--dport", "--sport", "--destination-port", "--source-port", "--syn", "--tcp-flags"];
    if port_option.contains(&text) && draft.protocol.is_none() {
        return Diagnostic::new(Code::NeedsProtocol, span, format!("`{text}` needs a protocol"))
            .with_help("add `-p tcp` or `-p udp` before it (iptables refuses ports without a protocol)");
    }
    if text == "--icmp-type" || text == "--icmpv6-type" {
        return Diagnostic::new(Code::NeedsProtocol, span, format!("`{text}` needs `-p icmp` (IPv4) or `-p ipv6-icmp` (IPv6)"));
    }
    Diagnostic::new(Code::UnknownOption, span, format!("unknown option `{text}`"))
        .with_help("check the spelling, or load the module that provides it with `-m NAME` first")
}

fn take_option(
    extension: &mut Extension,
    words: &[Word],
    mut index: usize,
    word: &Word,
    negated: bool,
    diagnostics: &mut Vec<Diagnostic>,
) -> usize {
    let specs = if extension.implicit || !extension.name.chars().any(char::is_uppercase) {
        module_options(&extension.name)
    } else {
        target_options(&extension.name)
    };
    let Some(spec) = specs.and_then(|specs| find(specs, &word.text)) else { return index };
    let mut values = Vec::new();
    let mut span = word.span;
    for _ in 0..spec.values {
        // Like getopt, a required value is the next word, whatever it looks like.
        match words.get(index) {
            Some(value) => {
                values.push(value.text.to_string());
                span = span.to(value.span);
                index += 1;
            }
            _ => {
                diagnostics.push(Diagnostic::new(Code::MissingValue, word.span, format!("`{}` needs a value", word.text)));
                return index;
            }
        }
    }
    if extension.options.iter().any(|option| option.name == spec.names[0]) {
        diagnostics.push(Diagnostic::new(Code::DuplicateOption, span, format!("`{}` given twice for `{}`", word.text, extension.name))
            .with_help("each option of a module may appear once; add a second rule or use multiport"));
        return index;
    }
    if negated {
        extension.words.push("!".to_owned());
    }
    extension.words.push(word.text.to_string());
    extension.words.extend(values.iter().cloned());
    extension.options.push(RawOption { negated, name: spec.names[0], values, span });
    index
}

fn value<'w, 'a>(words: &'w [Word<'a>], index: usize, option: &Word, diagnostics: &mut Vec<Diagnostic>) -> Option<&'w Word<'a>> {
    let found = words.get(index);
    if found.is_none() {
        diagnostics.push(Diagnostic::new(Code::MissingValue, option.span, format!("`{}` needs a value", option.text)));
    }
    found
}

fn read_base(
    words: &[Word],
    index: usize,
    word: &Word,
    negated: bool,
    place: Place<'_>,
    draft: &mut Draft,
    diagnostics: &mut Vec<Diagnostic>,
) -> usize {
    let text = &*word.text;
    if negated && matches!(text, "-m" | "--match" | "-j" | "--jump" | "-g" | "--goto" | "-c" | "--set-counters") {
        diagnostics.push(Diagnostic::new(Code::CannotNegate, word.span, format!("`!` cannot come before `{text}`"))
            .with_help("iptables negates matches, not modules or targets: put `!` before a module's option"));
    }
    if matches!(text, "-f" | "--fragment") {
        if place.family == Family::V6 {
            diagnostics.push(Diagnostic::new(Code::UnknownOption, word.span, "`-f` exists only for IPv4; use `-m frag` in ip6tables"));
        }
        if draft.fragment.is_some() {
            diagnostics.push(Diagnostic::new(Code::DuplicateOption, word.span, "`-f` given twice").with_help("iptables allows `-f` once per rule"));
        }
        draft.fragment = Some(negated);
        return index;
    }
    let Some(argument) = value(words, index, word, diagnostics) else { return index };
    let next = index + 1;
    let span = word.span.to(argument.span);
    let bad = |message: String| Diagnostic::new(Code::BadValue, argument.span, message);
    let duplicate = |what: &str| Diagnostic::new(Code::DuplicateOption, span, format!("{what} given twice"))
        .with_help("iptables allows each of these once per rule");
    match text {
        "-s" | "--source" | "--src" | "-d" | "--destination" | "--dst" => {
            let mut networks = Vec::new();
            for item in argument.text.split(',') {
                match values::network(item, place.family) {
                    Ok(network) => networks.push(network),
                    Err(values::ValueError::HostName(message)) => {
                        let finding = Diagnostic::new(Code::HostName, argument.span, message);
                        diagnostics.push(match values::placeholder_help(item) {
                            Some(help) => finding.with_help(help),
                            None => finding.with_help("write the address or network, e.g. 203.0.113.7 or 198.51.100.0/24"),
                        });
                    }
                    Err(error) => diagnostics.push(bad(error.message())),
                }
            }
            let slot = if text.starts_with("-s") || text.starts_with("--s") { &mut draft.sources } else { &mut draft.destinations };
            if slot.is_some() {
                diagnostics.push(duplicate(text));
            }
            *slot = Some((negated, networks, span));
        }
        "-i" | "--in-interface" | "-o" | "--out-interface" => match Interface::new(&argument.text) {
            Ok(value) => {
                let slot = if text.contains('i') && !text.contains("out") { &mut draft.in_interface } else { &mut draft.out_interface };
                if slot.is_some() {
                    diagnostics.push(duplicate(text));
                }
                *slot = Some((Negated { negated, value }, span));
            }
            Err(error) => diagnostics.push(bad(error.to_string())),
        },
        "-p" | "--protocol" => match Protocol::parse(&argument.text) {
            _ if std::mem::replace(&mut draft.protocol_given, true) => diagnostics.push(duplicate(text)),
            Ok(Some(value)) => draft.protocol = Some((Negated { negated, value }, span)),
            Ok(None) if negated => diagnostics.push(bad("`! -p all` would match nothing".to_owned())),
            Ok(None) => {}
            Err(message) => diagnostics.push(bad(message)),
        },
        "-m" | "--match" => {
            let verbatim = module_options(&argument.text).is_none();
            if verbatim && !KNOWN_MODULES.contains(&&*argument.text) {
                diagnostics.push(
                    Diagnostic::new(Code::UnknownOption, argument.span, format!("there is no match module `{}`", argument.text))
                        .with_help("iptables refuses unknown modules (`Couldn't load match`); check the spelling"),
                );
            } else if verbatim {
                diagnostics.push(Diagnostic::new(
                    Code::KeptVerbatim,
                    argument.span,
                    format!("module `{}` is kept exactly as written", argument.text),
                ));
            }
            draft.modules.push(Extension {
                name: argument.text.to_string(),
                span,
                options: Vec::new(),
                words: Vec::new(),
                verbatim,
                implicit: false,
            });
            draft.target_is_latest = false;
        }
        "-j" | "--jump" | "-g" | "--goto" => {
            if draft.target.is_some() {
                diagnostics.push(duplicate("a target"));
            }
            let goto = text == "-g" || text == "--goto";
            // User chains and unknown targets alike take the words up to the next base option;
            // which of the two it is, is decided once the whole table is known.
            let extension = Extension {
                name: argument.text.to_string(),
                span,
                options: Vec::new(),
                words: Vec::new(),
                verbatim: target_options(&argument.text).is_none(),
                implicit: false,
            };
            draft.target = Some((extension, goto));
            draft.target_is_latest = true;
        }
        _ => {
            // -c / --set-counters PACKETS BYTES
            let bytes = words.get(next);
            match (argument.text.parse::<u64>(), bytes.map(|word| word.text.parse::<u64>())) {
                (Ok(packets), Some(Ok(bytes))) => draft.counters = Some(Counters { packets, bytes }),
                _ => diagnostics.push(bad("`-c` takes two numbers: packets and bytes".to_owned())),
            }
            return next + 1;
        }
    }
    next
}
