//! iptables commands (`-A`, `-I`, `-D`, `-R`, `-N`, `-X`, `-F`, `-Z`, `-P`, `-E`) applied to a
//! ruleset, with the refusals iptables itself makes.

use super::chain_index::ChainIndex;
use super::rule::{read_rule, Place};
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::{BuiltinChain, Chain, ChainName, Policy, Ruleset, TableName, UserChain};
use crate::syntax::Word;

fn chain_name(word: &Word, diagnostics: &mut Vec<Diagnostic>) -> Option<ChainName> {
    if let Some(builtin) = BuiltinChain::from_name(&word.text) {
        return Some(ChainName::Builtin(builtin));
    }
    match UserChain::new(&word.text) {
        Ok(chain) => Some(ChainName::User(chain)),
        Err(error) => {
            diagnostics.push(Diagnostic::new(Code::InvalidChainName, word.span, error.to_string()));
            None
        }
    }
}

/// `iptables -N` (and `-E`) refuse a target extension's name, which a save file may declare.
fn target_clash(chain: &UserChain, span: Span) -> Diagnostic {
    Diagnostic::new(Code::InvalidChainName, span, format!("`{}` cannot be a chain name: it is a target's name", chain.as_str()))
        .with_help("iptables -N refuses chain names that clash with a target; pick another name")
}

/// Whether `word` is one of the words [`apply`] handles itself: a command, `-t`, `-w`, or a
/// flag that changes nothing (`-v`, `-n`, `-x`, `--line-numbers`, `--noflush`).
fn is_command_word(word: &str) -> bool {
    match word.as_bytes() {
        [b'-', short] => b"tAIDRNXFZPELSwWvnx".contains(short),
        [b'-', b'-', ..] => matches!(
            word,
            "--table" | "--append" | "--insert" | "--delete" | "--replace" | "--new-chain" | "--new" | "--delete-chain"
                | "--flush" | "--zero" | "--policy" | "--rename-chain" | "--list" | "--list-rules" | "--wait"
                | "--wait-interval" | "--verbose" | "--numeric" | "--exact" | "--line-numbers" | "--noflush"
        ),
        _ => false,
    }
}

/// One command line's words, split into the command and the rule options.
/// Returns the table and the position of the chain whose rules it changed, if any.
pub(crate) fn apply(
    ruleset: &mut Ruleset,
    chain_index: &mut ChainIndex,
    default_table: TableName,
    words: &[Word],
    line: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(TableName, usize)> {
    let mut table = default_table;
    let mut command: Option<(&Word, Vec<&Word>)> = None;
    let mut rest: Vec<Word> = Vec::with_capacity(words.len());
    let mut index = 0;
    while let Some(word) = words.get(index) {
        index += 1;
        if !is_command_word(&word.text) {
            // Most words are rule options: their values go with them, even when they look like
            // commands.
            rest.push(word.clone());
            for _ in 0..super::options::arity(&word.text) {
                if let Some(value) = words.get(index) {
                    rest.push(value.clone());
                    index += 1;
                }
            }
            continue;
        }
        match &*word.text {
            "-t" | "--table" => match words.get(index) {
                Some(name) => {
                    index += 1;
                    match TableName::from_name(&name.text) {
                        Some(found) => table = found,
                        None => {
                            diagnostics.push(Diagnostic::new(Code::UnknownTable, name.span, format!("there is no table `{}`", name.text))
                                .with_help("tables are filter, nat, mangle, raw and security"));
                            return None;
                        }
                    }
                }
                None => diagnostics.push(Diagnostic::new(Code::MissingValue, word.span, "`-t` needs a table name")),
            },
            "-A" | "--append" | "-I" | "--insert" | "-D" | "--delete" | "-R" | "--replace" | "-N" | "--new-chain"
            | "--new" | "-X" | "--delete-chain" | "-F" | "--flush" | "-Z" | "--zero" | "-P" | "--policy" | "-E"
            | "--rename-chain" | "-L" | "--list" | "-S" | "--list-rules" => {
                if let Some((previous, _)) = command {
                    diagnostics.push(Diagnostic::new(Code::DuplicateOption, word.span, format!("two commands: `{}` and `{}`", previous.text, word.text)));
                    return None;
                }
                // Positional arguments: chain names, rule numbers, a policy, a new name.
                let mut positional = Vec::new();
                let takes = if matches!(&*word.text, "-N" | "--new-chain" | "--new" | "-A" | "--append") { 1 } else { 2 };
                while positional.len() < takes {
                    match words.get(index) {
                        Some(next) if !next.text.starts_with('-') && next.text != "!" => {
                            let numeric = next.text.parse::<usize>().is_ok();
                            if positional.len() == 1 && !numeric && !matches!(&*word.text, "-P" | "--policy" | "-E" | "--rename-chain") {
                                break;
                            }
                            positional.push(next);
                            index += 1;
                        }
                        _ => break,
                    }
                }
                command = Some((word, positional));
            }
            "-w" | "--wait" | "-W" | "--wait-interval" if words.get(index).is_some_and(|next| next.text.parse::<f64>().is_ok()) => index += 1,
            _ => {} // -v, -n, -x, --line-numbers, --noflush: nothing to keep
        }
    }
    let Some((command, positional)) = command else {
        diagnostics.push(Diagnostic::new(Code::MissingCommand, line, "no command (such as -A, -I, -P or -N) in this line")
            .with_help("iptables needs exactly one command per line"));
        return None;
    };
    run(ruleset, chain_index, table, (command, line), &positional, &rest, diagnostics)
}

fn rule_number(word: Option<&&Word>, diagnostics: &mut Vec<Diagnostic>) -> Option<usize> {
    let word = word?;
    match word.text.parse::<usize>() {
        Ok(number) if number > 0 => Some(number),
        _ => {
            diagnostics.push(Diagnostic::new(Code::BadValue, word.span, format!("`{}` is not a rule number (1, 2, …)", word.text)));
            None
        }
    }
}

fn run(
    ruleset: &mut Ruleset,
    index: &mut ChainIndex,
    table_name: TableName,
    (command, line): (&Word, Span),
    positional: &[&Word],
    rest: &[Word],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<(TableName, usize)> {
    let family = ruleset.family;
    let verb = &*command.text;
    if matches!(verb, "-L" | "--list" | "-S" | "--list-rules") {
        diagnostics.push(Diagnostic::new(Code::NotIptables, command.span, "listing changes nothing; skipped"));
        return None;
    }
    let chain = match positional.first() {
        Some(word) => chain_name(word, diagnostics),
        None if matches!(verb, "-X" | "--delete-chain" | "-F" | "--flush" | "-Z" | "--zero") => None,
        None => {
            diagnostics.push(Diagnostic::new(Code::MissingValue, command.span, format!("`{verb}` needs a chain name")));
            return None;
        }
    };
    if !positional.is_empty() && chain.is_none() {
        return None;
    }
    let table = ruleset.table_mut(table_name);
    let span = positional.first().map_or(command.span, |word| word.span);
    let missing = |name: &ChainName| {
        Diagnostic::new(Code::ChainNotFound, span, format!("there is no chain `{name}` in table {table_name}"))
            .with_help(format!("create it first with `-N {name}`"))
    };
    match verb {
        "-N" | "--new-chain" | "--new" => match chain {
            Some(ChainName::User(user)) if super::targets::is_extension_target(user.as_str()) => diagnostics.push(target_clash(&user, span)),
            Some(ChainName::User(user)) if index.position(table, &ChainName::User(user.clone())).is_none() => {
                table.chains.push(Chain::user(user.clone()));
                index.pushed(table, ChainName::User(user));
            }
            Some(name) => diagnostics.push(Diagnostic::new(Code::ChainExists, span, format!("chain `{name}` already exists"))),
            None => {}
        },
        "-P" | "--policy" => {
            let Some(Some(builtin)) = chain.as_ref().map(ChainName::builtin) else {
                diagnostics.push(Diagnostic::new(Code::BadValue, span, "only built-in chains have a policy"));
                return None;
            };
            let policy = match positional.get(1).map(|word| &*word.text) {
                Some("ACCEPT") => Policy::Accept,
                Some("DROP") => Policy::Drop,
                _ => {
                    diagnostics.push(Diagnostic::new(Code::BadValue, command.span, "a policy is ACCEPT or DROP"));
                    return None;
                }
            };
            match table.chain_mut(&ChainName::Builtin(builtin)) {
                Some(found) => found.policy = Some(policy),
                None => diagnostics.push(missing(&ChainName::Builtin(builtin))),
            }
        }
        "-F" | "--flush" | "-Z" | "--zero" | "-X" | "--delete-chain" => {
            let flush = matches!(verb, "-F" | "--flush");
            let delete = matches!(verb, "-X" | "--delete-chain");
            match chain {
                Some(name) if index.position(table, &name).is_none() => diagnostics.push(missing(&name)),
                Some(ChainName::Builtin(_)) if delete => {
                    diagnostics.push(Diagnostic::new(Code::BadValue, span, "built-in chains cannot be deleted"));
                }
                Some(name) if delete => {
                    let referenced = table.chains.iter().flat_map(|c| &c.rules).any(|rule| {
                        rule.target.as_ref().is_some_and(|target| target.name() == name.to_string())
                    });
                    let empty = table.chain(&name).is_some_and(|found| found.rules.is_empty());
                    if referenced || !empty {
                        diagnostics.push(Diagnostic::new(Code::BadValue, span, format!("chain `{name}` is not empty or still referenced; iptables refuses to delete it")));
                    } else {
                        table.chains.retain(|found| found.name != name);
                        index.forget(table_name);
                    }
                }
                Some(name) if flush => table.chain_mut(&name).into_iter().for_each(|found| found.rules.clear()),
                None if flush => table.chains.iter_mut().for_each(|found| found.rules.clear()),
                None if delete => {
                    let referenced: Vec<String> = table.chains.iter().flat_map(|c| &c.rules).filter_map(|rule| rule.target.as_ref().map(|t| t.name().to_owned())).collect();
                    table.chains.retain(|found| found.name.builtin().is_some() || referenced.contains(&found.name.to_string()) || !found.rules.is_empty());
                    index.forget(table_name);
                }
                _ => {} // zeroing counters changes nothing the engine keeps
            }
        }
        "-E" | "--rename-chain" => {
            let (Some(ChainName::User(old)), Some(new)) = (chain, positional.get(1)) else {
                diagnostics.push(Diagnostic::new(Code::BadValue, span, "`-E` renames a user chain: `-E OLD NEW`"));
                return None;
            };
            let Some(ChainName::User(new)) = chain_name(new, diagnostics) else { return None };
            if super::targets::is_extension_target(new.as_str()) {
                diagnostics.push(target_clash(&new, span));
                return None;
            }
            if index.position(table, &ChainName::User(new.clone())).is_some() {
                diagnostics.push(Diagnostic::new(Code::ChainExists, span, format!("chain `{}` already exists", new.as_str())));
                return None;
            }
            let Some(at) = index.position(table, &ChainName::User(old.clone())) else {
                diagnostics.push(missing(&ChainName::User(old)));
                return None;
            };
            table.chains[at].name = ChainName::User(new.clone());
            index.forget(table_name);
            for rule in table.chains.iter_mut().flat_map(|c| &mut c.rules) {
                match &mut rule.target {
                    Some(crate::model::Target::Jump(target) | crate::model::Target::Goto(target)) if *target == old => *target = new.clone(),
                    _ => {}
                }
            }
        }
        _ => {
            let name = chain?;
            // One lookup: the chain's position serves the edit below.
            let Some(at) = index.position(table, &name) else {
                diagnostics.push(missing(&name));
                return None;
            };
            let positions = index.of(table);
            let defined = |candidate: &str| UserChain::new(candidate).is_ok_and(|user| positions.contains_key(&ChainName::User(user)));
            let place = Place { family, table: table_name, chain: &name, defined: &defined, origin: line };
            let number = if matches!(verb, "-I" | "--insert" | "-R" | "--replace") || (matches!(verb, "-D" | "--delete") && rest.is_empty()) {
                rule_number(positional.get(1), diagnostics)
            } else {
                None
            };
            let rules = if rest.is_empty() && !matches!(verb, "-A" | "--append" | "-I" | "--insert") { Vec::new() } else { read_rule(rest, place, diagnostics) };
            edit(ruleset.table_mut(table_name).chains.get_mut(at), verb, number, rules, span, diagnostics);
            return Some((table_name, at));
        }
    }
    None
}

fn edit(
    chain: Option<&mut Chain>,
    verb: &str,
    number: Option<usize>,
    rules: Vec<crate::model::Rule>,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let Some(chain) = chain else { return };
    let out_of_range = |number: usize, length: usize| {
        Diagnostic::new(Code::RuleNotFound, span, format!("the chain has {length} rules; there is no rule {number}"))
            .with_help("rule numbers start at 1; list them with `iptables -L CHAIN --line-numbers`")
    };
    match verb {
        "-A" | "--append" => chain.rules.extend(rules),
        "-I" | "--insert" => {
            let at = number.unwrap_or(1);
            if at > chain.rules.len() + 1 {
                diagnostics.push(out_of_range(at, chain.rules.len()));
                return;
            }
            for (offset, rule) in rules.into_iter().enumerate() {
                chain.rules.insert(at - 1 + offset, rule);
            }
        }
        "-R" | "--replace" => match (number, rules.as_slice()) {
            (Some(at), [rule]) if at <= chain.rules.len() => chain.rules[at - 1] = rule.clone(),
            (Some(at), [_]) => diagnostics.push(out_of_range(at, chain.rules.len())),
            (Some(_), _) => diagnostics.push(Diagnostic::new(Code::BadValue, span, "`-R` replaces one rule: give one source and one destination")),
            (None, _) => diagnostics.push(Diagnostic::new(Code::MissingValue, span, "`-R` needs a rule number")),
        },
        _ => {
            if let Some(at) = number {
                if at <= chain.rules.len() {
                    chain.rules.remove(at - 1);
                } else {
                    diagnostics.push(out_of_range(at, chain.rules.len()));
                }
                return;
            }
            for rule in rules {
                match chain.rules.iter().position(|existing| existing.meaning() == rule.meaning()) {
                    Some(at) => {
                        chain.rules.remove(at);
                    }
                    None => diagnostics.push(Diagnostic::new(Code::RuleNotFound, span, "no rule in this chain matches the one to delete")
                        .with_help("`-D` by specification needs the exact same options as the rule added")),
                }
            }
        }
    }
}
