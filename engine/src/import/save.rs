//! The `iptables-save` format, read as `iptables-restore` reads it: `*table` starts a table that
//! replaces the current one, `:CHAIN POLICY [packets:bytes]` declares chains, command lines
//! (usually `-A`) add rules, optionally prefixed by `[packets:bytes]`, and `COMMIT` ends the table.

use super::commands::apply;
use crate::diagnostic::{Code, Diagnostic, Span};
use crate::model::{BuiltinChain, Chain, ChainName, Counters, Policy, Ruleset, Table, TableName, UserChain};
use crate::syntax::split_words;

fn counters(text: &str) -> Option<Counters> {
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    let (packets, bytes) = inner.split_once(':')?;
    Some(Counters { packets: packets.parse().ok()?, bytes: bytes.parse().ok()? })
}

/// Reads a save file into `ruleset` (of the file's family).
pub(crate) fn read(text: &str, ruleset: &mut Ruleset, diagnostics: &mut Vec<Diagnostic>) {
    // The table being read lives in a ruleset of its own until its COMMIT.
    let mut open: Option<(Ruleset, TableName, Span)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        let span = Span::new(start, start + line.len());
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('*') {
            if let Some((_, _, header)) = &open {
                diagnostics.push(Diagnostic::new(Code::MissingCommit, *header, "this table has no COMMIT before the next table")
                    .with_help("iptables-restore applies a table only at its COMMIT line"));
            }
            open = match TableName::from_name(name.trim()) {
                Some(table) => Some((Ruleset { family: ruleset.family, tables: vec![Table::new(table)] }, table, span)),
                None => {
                    diagnostics.push(Diagnostic::new(Code::UnknownTable, span, format!("there is no table `{name}`"))
                        .with_help("tables are filter, nat, mangle, raw and security"));
                    None
                }
            };
            continue;
        }
        let Some((scratch, name, _)) = open.as_mut() else {
            diagnostics.push(Diagnostic::new(Code::UnexpectedLine, span, "this line is outside any table")
                .with_help("start a table with a line such as `*filter`, and end it with `COMMIT`"));
            continue;
        };
        if trimmed == "COMMIT" {
            if let Some((scratch, _, _)) = open.take() {
                commit(ruleset, scratch);
            }
        } else if let Some(declaration) = trimmed.strip_prefix(':') {
            declare(scratch.table_mut(*name), declaration, span, diagnostics);
        } else {
            let mut words = split_words(line, start, diagnostics);
            let mut counters_found = None;
            if let Some(first) = words.first().filter(|word| word.text.starts_with('[')) {
                counters_found = counters(&first.text);
                if counters_found.is_none() {
                    diagnostics.push(Diagnostic::new(Code::BadValue, first.span, "counters are written `[packets:bytes]`"));
                }
                words.remove(0);
            }
            apply(scratch, *name, &words, span, diagnostics);
            if let Some(counters) = counters_found {
                let rules = scratch.tables.iter_mut().flat_map(|table| &mut table.chains).flat_map(|chain| &mut chain.rules);
                for rule in rules.filter(|rule| rule.origin == Some(span)) {
                    rule.counters = Some(counters);
                }
            }
        }
    }
    if let Some((scratch, name, header)) = open {
        diagnostics.push(Diagnostic::new(Code::MissingCommit, header, format!("table {name} never reaches COMMIT"))
            .with_help("add a `COMMIT` line at its end; without it iptables-restore applies nothing"));
        commit(ruleset, scratch);
    }
}

/// Replaces the table in `ruleset` by the one read (a `-t` inside the table may have touched
/// others: those are replaced too, as iptables-restore would).
fn commit(ruleset: &mut Ruleset, scratch: Ruleset) {
    for table in scratch.tables {
        let name = table.name;
        *ruleset.table_mut(name) = table;
    }
}

fn declare(table: &mut Table, declaration: &str, span: Span, diagnostics: &mut Vec<Diagnostic>) {
    let mut parts = declaration.split_whitespace();
    let (Some(name), policy) = (parts.next(), parts.next()) else {
        diagnostics.push(Diagnostic::new(Code::BadChainDeclaration, span, "a chain declaration reads `:NAME POLICY [packets:bytes]`"));
        return;
    };
    let read_counters = parts.next().map_or(Some(Counters::default()), counters);
    let Some(read_counters) = read_counters else {
        diagnostics.push(Diagnostic::new(Code::BadChainDeclaration, span, "counters are written `[packets:bytes]`"));
        return;
    };
    if let Some(builtin) = BuiltinChain::from_name(name) {
        let policy = match policy {
            Some("ACCEPT") => Policy::Accept,
            Some("DROP") => Policy::Drop,
            _ => {
                diagnostics.push(Diagnostic::new(Code::BadChainDeclaration, span, format!("{name} needs a policy: ACCEPT or DROP")));
                return;
            }
        };
        match table.chain_mut(&ChainName::Builtin(builtin)) {
            Some(chain) => {
                chain.policy = Some(policy);
                chain.counters = read_counters;
            }
            None => diagnostics.push(Diagnostic::new(Code::BadChainDeclaration, span, format!("table {} has no built-in chain {name}", table.name))),
        }
        return;
    }
    if policy.is_some_and(|policy| policy != "-") {
        diagnostics.push(Diagnostic::new(Code::BadChainDeclaration, span, format!("user chain `{name}` cannot have a policy; write `-`")));
        return;
    }
    match UserChain::new(name) {
        Ok(chain) if table.chain(&ChainName::User(chain.clone())).is_some() => {
            diagnostics.push(Diagnostic::new(Code::ChainExists, span, format!("chain `{name}` is declared twice")));
        }
        Ok(chain) => table.chains.push(Chain::user(chain)),
        Err(error) => diagnostics.push(Diagnostic::new(Code::InvalidChainName, span, error.to_string())),
    }
}
