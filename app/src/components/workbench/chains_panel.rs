//! User chains: create one in a chosen family and table (named as iptables allows, the engine's
//! refusal shown next to the field), rename one (the rules that jump to it follow, as with
//! `iptables -E`), delete one. Deleting is refused while rules still jump to the chain (they are
//! listed, each a click away), as `iptables -X` refuses; a chain that still holds rules is deleted
//! with them only once the user confirms. Every change is one undo step.

use leptos::prelude::*;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::model::{Family, TableName};
use portcullis_engine::workbench::{ChainLoc, RowLoc};
use stylist::style;

use crate::state::bench_view::{BenchContext, Panel};
use crate::state::workbench::Workbench;
use crate::theme::class_name;

/// The id of a chain in test ids: `table-chain`, as the rules table's chain headings.
fn chain_key(chain: &ChainLoc) -> String {
    format!("{}-{}", chain.table.as_str(), chain.chain.as_str())
}

/// A user chain as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserChainEntry {
    chain: ChainLoc,
    rows: usize,
    /// The rows (of other chains) that jump or go to it.
    jumped_from: usize,
}

/// What the user is doing to one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pending {
    /// Typing its new name.
    Rename(ChainLoc),
    /// Asked to delete it, and it is jumped to or holds rules.
    Delete(ChainLoc),
}

/// The user chains of the shown family.
fn user_chains(bench: &Workbench) -> Vec<UserChainEntry> {
    let family = bench.family();
    let draft = bench.draft();
    draft
        .ruleset(family)
        .tables()
        .iter()
        .flat_map(|table| {
            table.chains().iter().filter(|chain| chain.name().builtin().is_none()).map(move |chain| UserChainEntry {
                chain: ChainLoc { family, table: table.name(), chain: chain.name().clone() },
                rows: chain.rows().len(),
                jumped_from: draft.jumps_to(family, table.name(), chain.name().as_str()).len(),
            })
        })
        .collect()
}

/// The chains panel.
#[component]
pub(crate) fn ChainsPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let entries = Memo::new(move |_| context.bench.with(user_chains));
    let pending = RwSignal::new(None::<Pending>);
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.6rem;
        form { display: flex; flex-wrap: wrap; gap: 0.4rem 0.6rem; align-items: end; }
        label { display: grid; gap: 0.1rem; font-size: 0.82rem; font-weight: 600; }
        input, select { padding: 0.25rem 0.4rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; font-weight: 400; }
        input[aria-invalid="true"] { border-color: var(--error); }
        .field-error { color: var(--error); font-weight: 400; font-size: 0.8rem; flex-basis: 100%; }
        ul.chains { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.4rem; }
        ul.chains > li { border: 1px solid var(--border); border-radius: 0.35rem; padding: 0.4rem 0.5rem; display: grid; gap: 0.3rem; }
        .head { display: flex; flex-wrap: wrap; gap: 0.4rem; align-items: center; }
        .head strong { font-family: var(--mono); }
        .head .grow { flex: 1; }
        .ask { border-left: 4px solid var(--warning); padding-left: 0.5rem; display: grid; gap: 0.3rem; }
        .ask ul { margin: 0; padding-left: 1rem; }
        .ask code { overflow-wrap: anywhere; }
        "#
    ));
    view! {
        <section class=class data-testid="chains-panel">
            <h2>"Chains"</h2>
            <p class="muted">
                "A user chain is a named list of rules that other rules jump to (" <code>"-j NAME"</code>
                ") and return from; it has no policy. Built-in chains cannot be renamed or deleted."
            </p>
            <AddChainForm/>
            <h3>{move || format!("User chains of the {} rules", context.bench.with(Workbench::family))}</h3>
            <Show when=move || !entries.with(Vec::is_empty)
                fallback=|| view! { <p class="muted" data-testid="chains-empty">"No user chains yet."</p> }>
                <ul class="chains">
                    {move || entries.get().into_iter().map(|entry| view! { <ChainItem entry pending/> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

/// Family, table and name of a new chain (`iptables -N`).
#[component]
fn AddChainForm() -> impl IntoView {
    let BenchContext { bench, .. } = expect_context::<BenchContext>();
    let family = RwSignal::new(bench.with_untracked(Workbench::family));
    let table = RwSignal::new(TableName::Filter);
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (family, table, text) = (family.get_untracked(), table.get_untracked(), name.get_untracked());
        let added = bench.try_update(|bench| {
            let added = bench.try_edit(|draft| draft.add_chain(family, table, text.trim()));
            if added.is_ok() {
                bench.show_family(family);
            }
            added
        });
        match added {
            Some(Ok(_)) => {
                name.set(String::new());
                error.set(None);
            }
            Some(Err(refused)) => error.set(Some(refused.to_string())),
            None => {}
        }
    };
    view! {
        <form on:submit=add aria-label="New user chain">
            <label>
                "Family"
                <select data-testid="chain-family" on:change=move |event| family.set(if event_target_value(&event) == "v6" { Family::V6 } else { Family::V4 })>
                    <option value="v4" selected=move || family.get() == Family::V4>"IPv4"</option>
                    <option value="v6" selected=move || family.get() == Family::V6>"IPv6"</option>
                </select>
            </label>
            <label>
                "Table"
                <select data-testid="chain-table" on:change=move |event| {
                    if let Some(chosen) = TableName::from_name(&event_target_value(&event)) { table.set(chosen); }
                }>
                    {TableName::ALL.map(|name| view! { <option value=name.as_str() selected=move || table.get() == name>{name.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Name"
                <input type="text" data-testid="chain-name" spellcheck="false" maxlength="64" placeholder="ssh-in"
                    prop:value=move || name.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    on:input=move |event| { name.set(event_target_value(&event)); error.set(None); }/>
            </label>
            <button type="submit" class="primary" data-testid="chain-add">"Add chain"</button>
            {move || error.get().map(|message| view! { <span class="field-error" role="alert" data-testid="chain-error">{message}</span> })}
        </form>
    }
}

/// One user chain: its size, who jumps to it, rename and delete.
#[component]
fn ChainItem(entry: UserChainEntry, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let BenchContext { bench, .. } = expect_context::<BenchContext>();
    let UserChainEntry { chain, rows, jumped_from } = entry;
    let key = chain_key(&chain);
    let renaming = {
        let chain = chain.clone();
        move || pending.with(|pending| matches!(pending, Some(Pending::Rename(at)) if *at == chain))
    };
    let deleting = {
        let chain = chain.clone();
        move || pending.with(|pending| matches!(pending, Some(Pending::Delete(at)) if *at == chain))
    };
    let start_rename = {
        let chain = chain.clone();
        move |_| pending.set(Some(Pending::Rename(chain.clone())))
    };
    let start_delete = {
        let chain = chain.clone();
        move |_| {
            if rows == 0 && jumped_from == 0 {
                // Nothing to lose and nothing refers to it: deleted at once (undo brings it back).
                let ChainLoc { family, table, chain } = &chain;
                bench.update(|bench| {
                    bench.edit(|draft| draft.delete_chain(*family, *table, chain.as_str()));
                });
                pending.set(None);
            } else {
                pending.set(Some(Pending::Delete(chain.clone())));
            }
        }
    };
    let usage = match jumped_from {
        0 => "no rule jumps to it".to_owned(),
        1 => "1 rule jumps to it".to_owned(),
        count => format!("{count} rules jump to it"),
    };
    let rename_chain = chain.clone();
    let delete_chain = chain.clone();
    view! {
        <li data-testid=format!("user-chain-{key}")>
            <div class="head">
                <strong>{chain.chain.as_str().to_owned()}</strong>
                <span class="muted grow">{format!("{} · {rows} rules · {usage}", chain.table.as_str())}</span>
                <button type="button" data-testid=format!("chain-rename-{key}") on:click=start_rename>"Rename…"</button>
                <button type="button" data-testid=format!("chain-delete-{key}") on:click=start_delete>"Delete…"</button>
            </div>
            {move || renaming().then(|| view! { <RenameForm chain=rename_chain.clone() pending/> })}
            {move || deleting().then(|| view! { <DeleteQuestion chain=delete_chain.clone() pending/> })}
        </li>
    }
}

/// The new name of a chain (`iptables -E`): jumps to it follow.
#[component]
fn RenameForm(chain: ChainLoc, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let name = RwSignal::new(chain.chain.as_str().to_owned());
    let error = RwSignal::new(None::<String>);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let new_name = name.get_untracked();
        let ChainLoc { family, table, chain: old } = chain.clone();
        let renamed = bench.try_update(|bench| {
            let selected = bench.selected().cloned();
            let renamed = bench.try_edit(|draft| draft.rename_chain(family, table, old.as_str(), new_name.trim()));
            // The selected rule moved with its chain: keep it selected under the new name.
            if let (Ok(to), Some(row)) = (&renamed, selected) {
                if row.family == family && row.table == table && row.chain == old {
                    bench.select(Some(RowLoc { chain: to.chain.clone(), ..row }));
                }
            }
            renamed
        });
        match renamed {
            Some(Ok(_)) => pending.set(None),
            Some(Err(refused)) => error.set(Some(refused.to_string())),
            None => {}
        }
    };
    view! {
        <form on:submit=save aria-label="Rename the chain">
            <label>
                "New name"
                <input type="text" data-testid="chain-rename-name" spellcheck="false" maxlength="64"
                    prop:value=move || name.get()
                    aria-invalid=move || error.with(Option::is_some).to_string()
                    on:input=move |event| { name.set(event_target_value(&event)); error.set(None); }/>
            </label>
            <button type="submit" class="primary" data-testid="chain-save">"Rename"</button>
            <button type="button" data-testid="chain-rename-cancel" on:click=move |_| pending.set(None)>"Cancel"</button>
            <span class="muted">"Rules that jump to it are changed to the new name."</span>
            {move || error.get().map(|message| view! { <span class="field-error" role="alert" data-testid="chain-rename-error">{message}</span> })}
        </form>
    }
}

/// Why a chain cannot be deleted yet (the rules that jump to it), or the question before its
/// rules go with it. Read live: removing the last jump turns the refusal into the question.
#[component]
fn DeleteQuestion(chain: ChainLoc, pending: RwSignal<Option<Pending>>) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let state = {
        let chain = chain.clone();
        Memo::new(move |_| {
            bench.with(|bench| {
                let draft = bench.draft();
                let rows = draft.chain(&chain).map_or(0, |found| found.rows().len());
                let jumps: Vec<(RowLoc, String)> = draft
                    .jumps_to(chain.family, chain.table, chain.chain.as_str())
                    .into_iter()
                    .map(|row| {
                        let text = draft.row(&row).map(|found| render_rule(&found.rule, row.family)).unwrap_or_default();
                        let text = format!("-A {}{text}", row.chain.as_str());
                        (row, text)
                    })
                    .collect();
                (rows, jumps)
            })
        })
    };
    let name = chain.chain.as_str().to_owned();
    let confirm = move |_| {
        let ChainLoc { family, table, chain } = &chain;
        bench.update(|bench| {
            bench.edit(|draft| draft.delete_chain(*family, *table, chain.as_str()));
        });
        pending.set(None);
    };
    let show = move |row: RowLoc| {
        bench.update(|bench| bench.select(Some(row)));
        context.panel.set(Panel::Rule);
    };
    move || {
        let (rows, jumps) = state.get();
        let name = name.clone();
        let confirm = confirm.clone();
        if jumps.is_empty() {
            view! {
                <div class="ask" role="alert" data-testid="chain-delete-question">
                    <p>{format!("`{name}` still holds {rows} rule{}. Delete the chain with its rules?", if rows == 1 { "" } else { "s" })}</p>
                    <div class="head">
                        <button type="button" class="primary" data-testid="chain-delete-confirm" on:click=confirm>"Delete chain and rules"</button>
                        <button type="button" data-testid="chain-delete-cancel" on:click=move |_| pending.set(None)>"Keep it"</button>
                    </div>
                </div>
            }
            .into_any()
        } else {
            let count = jumps.len();
            view! {
                <div class="ask" role="alert" data-testid="chain-delete-refused">
                    <p>{format!(
                        "`{name}` cannot be deleted: {count} rule{} still jump{} to it (iptables -X refuses too). Delete them or change their target first:",
                        if count == 1 { "" } else { "s" },
                        if count == 1 { "s" } else { "" },
                    )}</p>
                    <ul>
                        {jumps.into_iter().map(|(row, text)| {
                            let label = format!("{} rule {}", row.chain.as_str(), row.row + 1);
                            view! {
                                <li data-testid="chain-jump-from">
                                    <button type="button" data-testid="chain-jump-show" on:click=move |_| show(row.clone())>{label}</button>
                                    " " <code>{text}</code>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <button type="button" data-testid="chain-delete-cancel" on:click=move |_| pending.set(None)>"Close"</button>
                </div>
            }
            .into_any()
        }
    }
}
