//! The selected rule: its text, meaning and findings; a form with typed fields to edit it or to
//! add a new rule (`-I` at a position or `-A` at the end, explained); and the row operations:
//! move (up, down, or to another chain of the table at a position), duplicate, enable/disable,
//! delete. A chain's rules can be added to with no rule selected.

use leptos::prelude::*;
use portcullis_engine::explain::explain;
use portcullis_engine::export::save::{render_appended, render_rule};
use portcullis_engine::model::{ConnState, Rule};
use portcullis_engine::workbench::{ChainLoc, Draft, Field, FieldError, RowLoc, RuleForm, TargetChoice};
use stylist::style;

use super::findings_panel::FindingItem;
use crate::state::bench_view::BenchContext;
use crate::theme::class_name;

/// States the form offers.
const STATES: [ConnState; 4] = [ConnState::New, ConnState::Established, ConnState::Related, ConnState::Invalid];

/// Where a saved form goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Replace the selected rule.
    Replace,
    /// `iptables -I CHAIN N`: insert above the selected rule.
    Above,
    /// Insert below the selected rule.
    Below,
    /// `iptables -A CHAIN`: append at the end of the chain.
    End,
}

/// The rule panel.
#[component]
pub(crate) fn RuleEditor() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let selected = Memo::new(move |_| bench.with(|bench| bench.selected().cloned()));
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.6rem;
        .rule { font: 0.8rem/1.4 var(--mono); background: var(--code-bg); padding: 0.4rem; border-radius: 0.3rem; overflow-wrap: anywhere; margin: 0; }
        .ops { display: flex; flex-wrap: wrap; gap: 0.35rem; }
        .move { align-items: center; font-size: 0.85rem; }
        .move select, .move input { padding: 0.2rem 0.3rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; }
        .move .position { width: 5rem; }
        form { display: grid; gap: 0.45rem; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); }
        form label { display: grid; gap: 0.1rem; font-size: 0.82rem; font-weight: 600; }
        form input, form select { padding: 0.25rem 0.4rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; font-weight: 400; }
        form input[aria-invalid="true"] { border-color: var(--error); }
        form .wide { grid-column: 1 / -1; }
        form .field-error { color: var(--error); font-weight: 400; font-size: 0.8rem; }
        fieldset { border: 1px solid var(--border); border-radius: 0.3rem; display: flex; flex-wrap: wrap; gap: 0.5rem; font-size: 0.82rem; }
        ul { margin: 0; padding-left: 1rem; }
        "#
    ));
    view! {
        <section class=class data-testid="rule-panel">
            {move || match selected.get() {
                Some(row) => view! { <SelectedRule row/> }.into_any(),
                None => view! { <NewRule/> }.into_any(),
            }}
        </section>
    }
}

/// A selected rule: what it is, its findings, the operations and the form.
#[component]
fn SelectedRule(row: RowLoc) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let current = {
        let row = row.clone();
        Memo::new(move |_| bench.with(|bench| bench.draft().row(&row).map(|found| (found.rule.clone(), found.enabled))))
    };
    let findings = {
        let row = row.clone();
        Memo::new(move |_| {
            context.analysis.with(|analysis| {
                analysis.as_ref().map_or_else(Vec::new, |analysis| bench.with(|bench| analysis.findings_of(bench, &row).cloned().collect::<Vec<_>>()))
            })
        })
    };
    let operation_row = row.clone();
    let operation = move |edit: fn(&mut Draft, &RowLoc) -> Result<RowLoc, portcullis_engine::workbench::EditError>| {
        let row = operation_row.clone();
        move |_| bench.update(|bench| bench.edit_and_select(|draft| edit(draft, &row)))
    };
    let delete = {
        let row = row.clone();
        move |_| {
            bench.update(|bench| {
                bench.edit(|draft| draft.delete_rule(&row));
            });
        }
    };
    let toggle = {
        let row = row.clone();
        move |_| {
            let enabled = current.with_untracked(|current| current.as_ref().is_some_and(|(_, enabled)| *enabled));
            bench.update(|bench| {
                bench.edit(|draft| draft.set_enabled(&row, !enabled));
            });
        }
    };
    let heading = format!("{} · {} · rule {}", row.table.as_str(), row.chain.as_str(), row.row + 1);
    let family = row.family;
    let form_row = row.clone();
    view! {
        {move || current.get().map(|(rule, enabled)| {
            let text = render_appended(form_row.chain.as_str(), &rule, family);
            view! {
                <h2>{heading.clone()}</h2>
                <p class="rule" data-testid="selected-rule">{text}</p>
                <p data-testid="selected-meaning">{explain(&rule, family)}</p>
                {(!enabled).then(|| view! { <p class="muted">"Disabled: kept here, left out of the exports, the simulator and the findings."</p> })}
            }
        })}
        <ul data-testid="selected-findings">
            {move || findings.get().into_iter().map(|finding| view! { <FindingItem finding/> }).collect_view()}
        </ul>
        <div class="ops">
            <button type="button" data-testid="rule-move-up" on:click=operation(Draft::move_up)>"Move up"</button>
            <button type="button" data-testid="rule-move-down" on:click=operation(Draft::move_down)>"Move down"</button>
            <button type="button" data-testid="rule-duplicate" on:click=operation(Draft::duplicate_rule)>"Duplicate"</button>
            <button type="button" data-testid="rule-toggle" on:click=toggle>
                {move || if current.with(|current| current.as_ref().is_some_and(|(_, enabled)| *enabled)) { "Disable" } else { "Enable" }}
            </button>
            <button type="button" data-testid="rule-delete" on:click=delete>"Delete"</button>
            <button type="button" data-testid="rule-deselect" on:click=move |_| bench.update(|bench| bench.select(None))>"New rule…"</button>
        </div>
        <MoveToChain row=row.clone()/>
        {move || current.get().map(|(rule, _)| view! { <RuleFormView chain=row.chain_loc() row=Some(row.row) base=rule/> })}
    }
}

/// "Move to chain…": the selected rule to another chain of its table (or elsewhere in its own),
/// at a 1-based position; empty means the end, as `-A` would put it.
#[component]
fn MoveToChain(row: RowLoc) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let chains = {
        let row = row.clone();
        Memo::new(move |_| {
            bench.with(|bench| {
                bench
                    .draft()
                    .ruleset(row.family)
                    .table(row.table)
                    .map_or_else(Vec::new, |table| table.chains().iter().map(|chain| (chain.name().clone(), chain.rows().len())).collect::<Vec<_>>())
            })
        })
    };
    let target = RwSignal::new(row.chain.as_str().to_owned());
    let position = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let apply = move |_| {
        let Some((to, rows)) = chains.with_untracked(|chains| chains.iter().find(|(name, _)| name.as_str() == target.get_untracked()).cloned()) else {
            return error.set(Some("choose a chain of this table".to_owned()));
        };
        let to = ChainLoc { family: row.family, table: row.table, chain: to };
        // The end of the chain, counted once the rule is taken out of its own.
        let end = rows - usize::from(to.chain == row.chain);
        let text = position.get_untracked();
        let at = match text.trim() {
            "" => end,
            typed => match typed.parse::<usize>() {
                Ok(number) if number >= 1 => number - 1,
                _ => return error.set(Some(format!("a position is a number from 1 to {}, or empty for the end", end + 1))),
            },
        };
        let from = row.clone();
        let moved = bench.try_update(|bench| bench.try_edit(|draft| draft.move_rule(&from, &to, at)).map(|moved| bench.select(Some(moved))));
        if let Some(Err(refused)) = moved {
            error.set(Some(refused.to_string()));
        }
    };
    view! {
        <div class="ops move" role="group" aria-label="Move to another chain">
            <label>
                "Move to chain "
                <select data-testid="rule-move-chain" on:change=move |event| { target.set(event_target_value(&event)); error.set(None); }>
                    {move || chains.get().into_iter().map(|(name, rows)| {
                        let value = name.as_str().to_owned();
                        let chosen = value.clone();
                        view! { <option value=value selected=move || target.get() == chosen>{format!("{} ({rows} rules)", name.as_str())}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                " at position "
                <input type="number" min="1" data-testid="rule-move-position" placeholder="end" class="position"
                    prop:value=move || position.get()
                    on:input=move |event| { position.set(event_target_value(&event)); error.set(None); }/>
            </label>
            <button type="button" data-testid="rule-move-apply" on:click=apply>"Move"</button>
            {move || error.get().map(|message| view! { <span class="error" role="alert" data-testid="rule-move-error">{message}</span> })}
        </div>
    }
}

/// No rule selected: add one to a chain of the shown family.
#[component]
fn NewRule() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let chains = Memo::new(move |_| {
        bench.with(|bench| {
            let family = bench.family();
            bench
                .draft()
                .ruleset(family)
                .tables()
                .iter()
                .flat_map(|table| table.chains().iter().map(move |chain| ChainLoc { family, table: table.name(), chain: chain.name().clone() }))
                .collect::<Vec<_>>()
        })
    });
    let chosen = RwSignal::new(0_usize);
    view! {
        <h2>"Add a rule"</h2>
        <p class="muted">"Select a rule in the table to edit it, or add one to a chain here."</p>
        <Show when=move || !chains.with(Vec::is_empty) fallback=|| view! { <p class="muted">"Import rules or open the wizard's design first."</p> }>
            <label>
                "Chain "
                <select data-testid="new-rule-chain" on:change=move |event| chosen.set(event_target_value(&event).parse().unwrap_or(0))>
                    {move || chains.get().into_iter().enumerate().map(|(at, chain)| view! {
                        <option value=at.to_string() selected=move || chosen.get() == at>{format!("{} · {}", chain.table.as_str(), chain.chain.as_str())}</option>
                    }).collect_view()}
                </select>
            </label>
            {move || chains.with(|chains| chains.get(chosen.get()).cloned()).map(|chain| view! { <RuleFormView chain row=None base=Rule::default()/> })}
        </Show>
    }
}

/// The typed form for `base` (in `chain`, at `row` when it exists).
#[component]
fn RuleFormView(chain: ChainLoc, row: Option<usize>, base: Rule) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let form = RwSignal::new(RuleForm::of(&base));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let placement = RwSignal::new(if row.is_some() { Placement::Replace } else { Placement::End });
    let family = chain.family;
    let user_chains = Memo::new(move |_| {
        bench.with(|bench| {
            bench.draft().ruleset(family).table(chain.table).map_or_else(Vec::new, |table| {
                table.chains().iter().filter(|chain| chain.policy().is_none()).map(|chain| chain.name().as_str().to_owned()).collect::<Vec<_>>()
            })
        })
    });
    let save = {
        let chain = chain.clone();
        let base = base.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let rule = match form.with_untracked(|form| form.to_rule(family, &base)) {
                Ok(rule) => rule,
                Err(found) => return errors.set(found),
            };
            errors.set(Vec::new());
            let chain = chain.clone();
            bench.update(|bench| match (placement.get_untracked(), row) {
                (Placement::Replace, Some(at)) => {
                    let loc = chain.row(at);
                    bench.edit_and_select(|draft| draft.replace_rule(&loc, rule).map(|_| loc.clone()));
                }
                (Placement::Above, Some(at)) => bench.edit_and_select(|draft| draft.insert_rule(&chain, at, rule)),
                (Placement::Below, Some(at)) => bench.edit_and_select(|draft| draft.insert_rule(&chain, at + 1, rule)),
                _ => bench.edit_and_select(|draft| draft.append_rule(&chain, rule)),
            });
        }
    };
    let error_of = move |field: Field| errors.with(|errors| errors.iter().find(|error| error.field == field).map(|error| error.message.clone()));
    let text_field = move |label: &'static str, slug: &'static str, field: Field, get: fn(&RuleForm) -> String, set: fn(&mut RuleForm, String)| {
        view! {
            <label>
                {label}
                <input type="text" data-testid=format!("form-{slug}") spellcheck="false"
                    prop:value=move || form.with(get)
                    aria-invalid=move || error_of(field).is_some().to_string()
                    on:input=move |event| form.update(|form| set(form, event_target_value(&event)))/>
                {move || error_of(field).map(|message| view! { <span class="field-error" data-testid=format!("form-{slug}-error")>{message}</span> })}
            </label>
        }
    };
    let target_value = move || match form.with(|form| form.target.clone()) {
        TargetChoice::Accept => "ACCEPT".to_owned(),
        TargetChoice::Drop => "DROP".to_owned(),
        TargetChoice::Reject => "REJECT".to_owned(),
        TargetChoice::Return => "RETURN".to_owned(),
        TargetChoice::Log => "LOG".to_owned(),
        TargetChoice::Jump(name) => format!("jump:{name}"),
        TargetChoice::Goto(name) => format!("goto:{name}"),
        TargetChoice::None => "none".to_owned(),
        TargetChoice::Keep => "keep".to_owned(),
    };
    let set_target = move |value: String| {
        let target = match value.as_str() {
            "ACCEPT" => TargetChoice::Accept,
            "DROP" => TargetChoice::Drop,
            "REJECT" => TargetChoice::Reject,
            "RETURN" => TargetChoice::Return,
            "LOG" => TargetChoice::Log,
            "none" => TargetChoice::None,
            other => match other.split_once(':') {
                Some(("jump", name)) => TargetChoice::Jump(name.to_owned()),
                Some(("goto", name)) => TargetChoice::Goto(name.to_owned()),
                _ => TargetChoice::Keep,
            },
        };
        form.update(|form| form.target = target);
    };
    let kept_target = matches!(RuleForm::of(&base).target, TargetChoice::Keep).then(|| render_target(&base, family));
    view! {
        <form data-testid="rule-form" on:submit=save>
            {text_field("Source (-s)", "source", Field::Source, |form| form.source.clone(), |form, text| form.source = text)}
            {text_field("Destination (-d)", "destination", Field::Destination, |form| form.destination.clone(), |form, text| form.destination = text)}
            {text_field("In interface (-i)", "in", Field::InInterface, |form| form.in_interface.clone(), |form, text| form.in_interface = text)}
            {text_field("Out interface (-o)", "out", Field::OutInterface, |form| form.out_interface.clone(), |form, text| form.out_interface = text)}
            {text_field("Protocol (-p)", "protocol", Field::Protocol, |form| form.protocol.clone(), |form, text| form.protocol = text)}
            {text_field("Source port (--sport)", "sport", Field::SourcePort, |form| form.source_port.clone(), |form, text| form.source_port = text)}
            {text_field("Destination port (--dport)", "dport", Field::DestinationPort, |form| form.destination_port.clone(), |form, text| form.destination_port = text)}
            <label>
                "Target (-j)"
                <select data-testid="form-target" on:change=move |event| set_target(event_target_value(&event))>
                    {["ACCEPT", "DROP", "REJECT", "RETURN", "LOG"].map(|name| view! { <option value=name selected=move || target_value() == name>{name}</option> }).collect_view()}
                    {move || user_chains.get().into_iter().flat_map(|name| {
                        let jump = format!("jump:{name}");
                        let goto = format!("goto:{name}");
                        [(jump, format!("jump to {name}")), (goto, format!("go to {name}"))]
                    }).map(|(value, label)| {
                        let selected_value = value.clone();
                        view! { <option value=value selected=move || target_value() == selected_value>{label}</option> }
                    }).collect_view()}
                    <option value="none" selected=move || target_value() == "none">"none (count only)"</option>
                    {kept_target.clone().map(|text| view! { <option value="keep" selected=move || target_value() == "keep">{format!("keep {text}")}</option> })}
                </select>
                {move || error_of(Field::Target).map(|message| view! { <span class="field-error" data-testid="form-target-error">{message}</span> })}
            </label>
            <fieldset class="wide">
                <legend>"Connection states (--ctstate; none ticked: any)"</legend>
                {STATES.map(|state| view! {
                    <label>
                        <input type="checkbox" data-testid=format!("form-state-{}", state.as_str().to_ascii_lowercase())
                            prop:checked=move || form.with(|form| form.states.contains(&state))
                            on:change=move |event| {
                                let on = event_target_checked(&event);
                                form.update(|form| {
                                    form.states.retain(|other| *other != state);
                                    if on { form.states.push(state); }
                                });
                            }/>
                        {state.as_str()}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="wide">
                {text_field("Comment", "comment", Field::Comment, |form| form.comment.clone(), |form, text| form.comment = text)}
            </div>
            <label class="wide">
                "Where"
                <select data-testid="form-placement" on:change=move |event| placement.set(match event_target_value(&event).as_str() {
                    "replace" => Placement::Replace,
                    "above" => Placement::Above,
                    "below" => Placement::Below,
                    _ => Placement::End,
                })>
                    {row.map(|at| view! {
                        <option value="replace" selected=move || placement.get() == Placement::Replace>"Replace this rule"</option>
                        <option value="above" selected=move || placement.get() == Placement::Above>{format!("Insert above (iptables -I {} {})", chain.chain.as_str(), at + 1)}</option>
                        <option value="below" selected=move || placement.get() == Placement::Below>{format!("Insert below (iptables -I {} {})", chain.chain.as_str(), at + 2)}</option>
                    })}
                    <option value="end" selected=move || placement.get() == Placement::End>{format!("Add at the end (iptables -A {})", chain.chain.as_str())}</option>
                </select>
                <span class="muted">
                    "Rules are tried top to bottom and the first that decides wins: -A adds at the end, after every rule "
                    "already there (a DROP above it still wins); -I N puts the rule at position N, before the rest."
                </span>
            </label>
            <div class="wide ops">
                <button type="submit" class="primary" data-testid="form-save">"Save rule"</button>
            </div>
        </form>
    }
}

/// The target part of `rule` as iptables-save prints it (`-j DNAT --to-destination …`).
fn render_target(rule: &Rule, family: portcullis_engine::model::Family) -> String {
    let target_only = Rule { target: rule.target.clone(), ..Rule::default() };
    render_rule(&target_only, family).trim().to_owned()
}
