//! Who can reach what: the service matrix of the shown family as a table (one row per protocol
//! and port, one cell per class of sources with its verdict, each cell linked to the rule that
//! decides it) and as a picture (one square per port, coloured by how open it is); and the
//! flows that differ between IPv4 and IPv6, or between the imported rules and the edited ones.
//!
//! The table and picture read the background analysis. The two comparisons are computed here,
//! only while their view is open: they need matrices over more ports (a port only one side
//! names) and, for the edits, the imported rules' matrix, which nothing else needs.

use leptos::prelude::*;
use portcullis_engine::analysis::matrix::{matrix_with_ports, Class, Row};
use portcullis_engine::model::{Family, Protocol, RuleLoc};
use portcullis_engine::simulate::Verdict;
use portcullis_engine::workbench::{diff_matrices, diff_rulesets, FlowChange};
use stylist::style;

use crate::state::bench_view::BenchContext;
use crate::state::workbench::Workbench;
use crate::theme::class_name;

/// Rows shown at most: a matrix of a huge ruleset stays readable and the page stays fast.
const MAX_ROWS: usize = 300;

/// What the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    /// The shown family's matrix, as a picture and a table.
    Matrix,
    /// The flows whose verdict differs between IPv4 and IPv6.
    Families,
    /// The flows the edits change, against the rules as imported.
    Edits,
}

impl View {
    const ALL: [View; 3] = [View::Matrix, View::Families, View::Edits];

    fn slug(self) -> &'static str {
        match self {
            View::Matrix => "table",
            View::Families => "families",
            View::Edits => "edits",
        }
    }

    fn label(self) -> &'static str {
        match self {
            View::Matrix => "Who can reach what",
            View::Families => "IPv4 vs IPv6",
            View::Edits => "Imported vs edited",
        }
    }
}

fn verdict_slug(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "accept",
        Verdict::Drop => "drop",
        Verdict::Reject => "reject",
    }
}

fn service(protocol: Protocol, port: u16) -> String {
    format!("{}/{port}", protocol.to_string().to_ascii_lowercase())
}

/// Selects and highlights the effective rule `rule` of `family` in the table.
fn show_rule(context: BenchContext, family: Family, rule: &RuleLoc) {
    let rule = rule.clone();
    context.bench.update(|bench| bench.mark(family, &[rule]));
}

/// The matrix panel.
#[component]
pub(crate) fn MatrixPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let view_shown = RwSignal::new(View::Matrix);
    let stale = Memo::new(move |_| {
        let revision = context.bench.with(Workbench::revision);
        context.analysis.with(|analysis| analysis.as_ref().is_none_or(|analysis| analysis.revision != revision))
    });
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.5rem;
        .views { display: flex; flex-wrap: wrap; gap: 0.25rem; }
        .views button[aria-pressed="true"] { background: var(--accent); color: var(--accent-text); }
        .picture { display: flex; flex-wrap: wrap; gap: 0.25rem; }
        .square { width: 3.2rem; height: 2.4rem; border-radius: 0.25rem; display: grid; place-items: center; font: 0.7rem var(--mono); color: var(--text); border: 1px solid var(--border); }
        .square.open { background: color-mix(in srgb, var(--ok) 55%, var(--bg)); }
        .square.partial { background: repeating-linear-gradient(135deg, color-mix(in srgb, var(--ok) 50%, var(--bg)) 0 5px, color-mix(in srgb, var(--warning) 40%, var(--bg)) 5px 10px); }
        .square.closed { background: color-mix(in srgb, var(--error) 22%, var(--bg)); }
        .legend { display: flex; flex-wrap: wrap; gap: 0.6rem; font-size: 0.8rem; align-items: center; }
        .legend .square { width: 1rem; height: 1rem; display: inline-block; vertical-align: middle; margin-right: 0.25rem; }
        table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
        th, td { border-bottom: 1px solid var(--border); padding: 0.25rem 0.35rem; text-align: left; vertical-align: top; }
        .cells { display: flex; flex-wrap: wrap; gap: 0.25rem; }
        .cell { border-radius: 0.3rem; padding: 0.1rem 0.4rem; font-size: 0.8rem; border: 1px solid var(--border); color: var(--text); text-align: left; }
        .cell.accept { border-color: var(--ok); background: color-mix(in srgb, var(--ok) 20%, var(--bg)); }
        .cell.drop { border-color: var(--error); }
        .cell.reject { border-color: var(--error); border-style: dashed; }
        .cell .by { color: var(--muted); }
        ul.changes { padding-left: 1.1rem; display: grid; gap: 0.35rem; }
        "#
    ));
    view! {
        <section class=class data-testid="matrix-panel" aria-labelledby="matrix-heading">
            <h2 id="matrix-heading">"Who can reach what"</h2>
            <div class="views" role="group" aria-label="Matrix views">
                {View::ALL.map(|view| view! {
                    <button type="button" data-testid=format!("matrix-view-{}", view.slug())
                        aria-pressed=move || (view_shown.get() == view).to_string()
                        on:click=move |_| view_shown.set(view)>{view.label()}</button>
                }).collect_view()}
            </div>
            <p role="status" class="muted" data-testid="matrix-status">
                {move || if stale.get() { "Checking the rules…" } else { "Up to date." }}
            </p>
            {move || match view_shown.get() {
                View::Matrix => view! { <MatrixView/> }.into_any(),
                View::Families => view! { <FamiliesDiff/> }.into_any(),
                View::Edits => view! { <EditsDiff/> }.into_any(),
            }}
        </section>
    }
}

/// How open a row is: every source accepted, some, or none.
fn openness(row: &Row) -> &'static str {
    let accepted = row.classes.iter().filter(|class| class.verdict == Verdict::Accept).count();
    match accepted {
        0 => "closed",
        all if all == row.classes.len() => "open",
        _ => "partial",
    }
}

/// The picture and the table of the shown family's matrix.
#[component]
fn MatrixView() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let family = Memo::new(move |_| context.bench.with(Workbench::family));
    let rows = Memo::new(move |_| {
        let family = family.get();
        context.analysis.with(|analysis| analysis.as_ref().map(|analysis| analysis.matrix(family).rows.clone()))
    });
    move || {
        let family = family.get();
        let Some(rows) = rows.get() else { return view! { <p class="muted">"The matrix appears once the rules are checked."</p> }.into_any() };
        if rows.is_empty() {
            return view! {
                <p data-testid="matrix-empty">{format!("No {family} rule in the filter INPUT chain names a port: there is no service to show.")}</p>
            }
            .into_any();
        }
        let more = rows.len().saturating_sub(MAX_ROWS);
        let rows: Vec<Row> = rows.into_iter().take(MAX_ROWS).collect();
        let picture = rows.iter().map(|row| {
            let state = openness(row);
            let label = service(row.protocol, row.port);
            let title = format!("{label}: {}", match state {
                "open" => "open to every source",
                "partial" => "open to some sources",
                _ => "closed to every source",
            });
            view! {
                <span class=format!("square {state}") role="img" aria-label=title.clone() title=title data-testid="picture-cell" data-state=state data-port=row.port.to_string()>
                    {row.port}
                </span>
            }
        }).collect_view();
        view! {
            <figure>
                <div class="picture" data-testid="matrix-picture">{picture}</div>
                <figcaption class="legend">
                    <span><span class="square open"></span>"open to all"</span>
                    <span><span class="square partial"></span>"open to some"</span>
                    <span><span class="square closed"></span>"closed"</span>
                </figcaption>
            </figure>
            <table data-testid="matrix-table">
                <caption class="visually-hidden">{format!("{family} services and who can reach them")}</caption>
                <thead><tr><th scope="col">"Service"</th><th scope="col">"Sources: verdict · deciding rule"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let interfaces = (row.interfaces.iter().any(|label| label != "*")).then(|| format!(" on {}", row.interfaces.join(", ")));
                        let port = row.port;
                        view! {
                            <tr data-testid="matrix-row" data-port=port.to_string()>
                                <th scope="row">{service(row.protocol, port)}<span class="muted">{interfaces}</span></th>
                                <td><div class="cells">{row.classes.into_iter().map(|class| view! { <Cell class port family/> }).collect_view()}</div></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {(more > 0).then(|| view! { <p class="muted">{format!("…and {more} more services.")}</p> })}
        }
        .into_any()
    }
}

/// One class of sources: who, the verdict, and the rule that decides (a button that selects it).
#[component]
fn Cell(class: Class, port: u16, family: Family) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let verdict = verdict_slug(class.verdict);
    let sources = class.sources.join(", ");
    let who = if sources == "any" { "anyone".to_owned() } else { sources.clone() };
    let text = format!("{who} · {}", verdict.to_ascii_uppercase());
    let rule = class.decided_by;
    if rule.index.is_none() {
        return view! {
            <span class=format!("cell {verdict}") data-testid="matrix-cell" data-port=port.to_string() data-verdict=verdict data-sources=sources>
                {text}<span class="by">" · policy"</span>
            </span>
        }
        .into_any();
    }
    let by = rule.to_string();
    view! {
        <button type="button" class=format!("cell {verdict}") data-testid="matrix-cell" data-port=port.to_string() data-verdict=verdict data-sources=sources
            title=format!("Show {by} in the table") on:click=move |_| show_rule(context, family, &rule)>
            {text}<span class="by">{format!(" · {by}")}</span>
        </button>
    }
    .into_any()
}

/// A list of flow changes, each side's deciding rule linked when it is a rule of the current draft.
fn changes_view(context: BenchContext, changes: Vec<FlowChange>, sides: [(&'static str, Option<Family>); 2], none: &'static str) -> AnyView {
    if changes.is_empty() {
        return view! { <p data-testid="no-flow-change">{none}</p> }.into_any();
    }
    let side = move |name: &'static str, family: Option<Family>, rule: RuleLoc| match (family, rule.index) {
        (Some(family), Some(_)) => {
            let by = rule.to_string();
            view! { {format!("{name}: ")}<button type="button" class="cell" on:click=move |_| show_rule(context, family, &rule)>{by}</button> }.into_any()
        }
        _ => view! { {format!("{name}: {rule}")} }.into_any(),
    };
    let [(before_name, before_family), (after_name, after_family)] = sides;
    view! {
        <ul class="changes">
            {changes.into_iter().map(|change| view! {
                <li data-testid="flow-change" data-port=change.port.to_string()>
                    <span>{change.summary()}</span>
                    <br/>
                    <span class="muted">
                        {side(before_name, before_family, change.before.decided_by.clone())}
                        " · "
                        {side(after_name, after_family, change.after.decided_by.clone())}
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The flows IPv4 and IPv6 treat differently, over every port either family names.
#[component]
fn FamiliesDiff() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let revision = Memo::new(move |_| context.bench.with(Workbench::revision));
    let changes = Memo::new(move |_| {
        revision.track();
        context.bench.with_untracked(|bench| {
            let [v4, v6] = Family::ALL.map(|family| bench.draft().effective(family));
            if v4.tables.is_empty() || v6.tables.is_empty() {
                return None;
            }
            let ports: Vec<(Protocol, u16)> = [&v4, &v6]
                .into_iter()
                .flat_map(|ruleset| portcullis_engine::analysis::matrix::matrix(ruleset).rows)
                .map(|row| (row.protocol, row.port))
                .collect();
            Some(diff_matrices(&matrix_with_ports(&v4, &ports), &matrix_with_ports(&v6, &ports)))
        })
    });
    view! {
        <p class="muted">"These flows differ between IPv4 and IPv6: a port open in one family and not the other is how a service ends up reachable where nobody meant it to be."</p>
        {move || match changes.get() {
            None => view! { <p data-testid="no-flow-change">"Only one family has rules: there is nothing to compare."</p> }.into_any(),
            Some(changes) => changes_view(context, changes, [("IPv4", Some(Family::V4)), ("IPv6", Some(Family::V6))], "IPv4 and IPv6 treat every service alike."),
        }}
    }
}

/// The flows the edits change, against the rules as last imported or opened.
#[component]
fn EditsDiff() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let family = Memo::new(move |_| context.bench.with(Workbench::family));
    let revision = Memo::new(move |_| context.bench.with(Workbench::revision));
    let changes = Memo::new(move |_| {
        let family = family.get();
        revision.track();
        context.bench.with_untracked(|bench| diff_rulesets(&bench.original().effective(family), &bench.draft().effective(family)))
    });
    view! {
        <p class="muted">{move || format!("These flows change ({}): what the edited rules do differently from the rules as imported.", family.get())}</p>
        {move || changes_view(context, changes.get(), [("imported", None), ("edited", Some(family.get()))], "The edits change no flow.")}
    }
}
