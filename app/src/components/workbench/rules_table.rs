//! The rules table: tables → chains → rules of one family, each rule with its plain-words meaning
//! and its findings. Only the rows in view (and a few around them) are in the page, so it stays
//! fast with tens of thousands of rules; rows have one fixed height to make that exact. The rows
//! are keyed, so scrolling and editing update the page instead of rebuilding it.

use std::collections::HashMap;

use leptos::html::Div;
use leptos::prelude::*;
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::explain::explain;
use portcullis_engine::export::save::render_rule;
use portcullis_engine::model::{Family, Policy, RuleLoc};
use portcullis_engine::workbench::{ChainLoc, Row, RowLoc};
use stylist::style;
use wasm_bindgen::JsCast as _;

use crate::state::bench_view::{Analysis, BenchContext, Panel, TraceMark, TraceMarks};
use crate::state::workbench::{TableRow, Workbench};
use crate::theme::class_name;

/// The height of every row, in CSS pixels.
const ROW_HEIGHT: f64 = 46.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gap. Each row
/// costs its mounting on a scroll that jumps: 4 rows (184 px) each side is more than the
/// compositor scrolls ahead in a frame on a wheel notch, and a jump mounts 8 rows fewer than
/// with 8 each side (`make bench-workbench`).
const OVERSCAN: usize = 4;
/// The viewport height assumed until the scroller has been measured.
const DEFAULT_VIEWPORT: f64 = 640.0;

/// The id of a row in test ids and the DOM: `table/chain/row` (row 0-based).
pub(crate) fn row_key(row: &RowLoc) -> String {
    format!("{}/{}/{}", row.table.as_str(), row.chain.as_str(), row.row)
}

fn chain_key(chain: &ChainLoc) -> String {
    format!("{}-{}", chain.table.as_str(), chain.chain.as_str())
}

/// A chain of the shown family as the table lays it out: its heading line, then one line per row.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ChainShape {
    chain: ChainLoc,
    policy: Option<Policy>,
    rows: usize,
}

/// The chains of the shown family, in table order.
fn chain_shapes(bench: &Workbench) -> Vec<ChainShape> {
    let family = bench.family();
    bench
        .draft()
        .ruleset(family)
        .tables()
        .iter()
        .flat_map(|table| {
            table.chains().iter().map(move |chain| ChainShape {
                chain: ChainLoc { family, table: table.name(), chain: chain.name().clone() },
                policy: chain.policy(),
                rows: chain.rows().len(),
            })
        })
        .collect()
}

/// The table's lines `start..end`, each with its index: each chain's heading, then its rows.
fn lines(chains: &[ChainShape], start: usize, end: usize) -> Vec<(usize, TableRow)> {
    let mut found = Vec::new();
    let mut first = 0;
    for shape in chains {
        let after = first + 1 + shape.rows;
        if after > start && first < end {
            for index in start.max(first)..end.min(after) {
                let line = match index - first {
                    0 => TableRow::Chain { chain: shape.chain.clone(), policy: shape.policy, rows: shape.rows },
                    row => TableRow::Rule(shape.chain.row(row - 1)),
                };
                found.push((index, line));
            }
        }
        first = after;
    }
    found
}

/// The line index of `row` in the table.
fn index_of(chains: &[ChainShape], row: &RowLoc) -> Option<usize> {
    let mut first = 0;
    for shape in chains {
        if shape.chain.family == row.family && shape.chain.table == row.table && shape.chain.chain == row.chain {
            return (row.row < shape.rows).then_some(first + 1 + row.row);
        }
        first += 1 + shape.rows;
    }
    None
}

/// How many findings a rule of the effective ruleset has, and whether one is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct FindingCount {
    count: usize,
    error: bool,
}

/// The findings of `analysis` counted per effective rule, so each row looks its own up instead
/// of scanning every finding.
fn count_findings(analysis: Option<&Analysis>) -> HashMap<(Family, RuleLoc), FindingCount> {
    let mut counts: HashMap<(Family, RuleLoc), FindingCount> = HashMap::new();
    for finding in analysis.iter().flat_map(|analysis| &analysis.findings) {
        let Some(rule) = &finding.rule else { continue };
        let entry = counts.entry((finding.family, rule.clone())).or_default();
        entry.count += 1;
        entry.error |= finding.diagnostic.severity == Severity::Error;
    }
    counts
}

/// The rules table of the shown family.
///
/// Only the rows in view (plus [`OVERSCAN`]) are in the page, keyed by their position and what
/// they show: a scroll mounts only the rows entering the view and keeps the others; an edit in
/// place (tick, move, replace) keeps every row and updates the ones whose rule changed, each
/// row reading its own rule through its own memos.
#[component]
pub(crate) fn RulesTable() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    // The table's layout: a few dozen chains, not 10,000 lines. A tick or a move leaves it
    // equal, so nothing that depends on it runs again.
    let chains = Memo::new(move |_| bench.with(chain_shapes));
    let count = Memo::new(move |_| chains.with(|chains| chains.iter().map(|chain| chain.rows + 1).sum::<usize>()));
    let finding_counts = Memo::new(move |_| context.analysis.with(|analysis| count_findings(analysis.as_ref())));
    let selected = Memo::new(move |_| bench.with(|bench| bench.selected().cloned()));
    let scroll_top = RwSignal::new(0.0_f64);
    let viewport = RwSignal::new(DEFAULT_VIEWPORT);
    let scroller = NodeRef::<Div>::new();
    let visible = Memo::new(move |_| {
        let count = count.get();
        // Truncation is the point: the first row whose top is in view.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let first = (scroll_top.get() / ROW_HEIGHT) as usize;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let shown = (viewport.get() / ROW_HEIGHT).ceil() as usize;
        let start = first.saturating_sub(OVERSCAN).min(count);
        (start, (first + shown + OVERSCAN).min(count))
    });
    // The lines in the page, each with its index in the table (which places it).
    let shown = Memo::new(move |_| {
        let (start, end) = visible.get();
        chains.with(|chains| lines(chains, start, end))
    });
    // Brings the selected row into view when something else selected it (a finding, a trace).
    // The scroller's size comes from the signals its scroll events keep: reading it from the
    // element here would force a layout in the middle of the edit's frame.
    Effect::new(move |_| {
        let Some(selected) = selected.get() else { return };
        let Some(index) = chains.with_untracked(|chains| index_of(chains, &selected)) else { return };
        let Some(element) = scroller.get_untracked() else { return };
        #[allow(clippy::cast_precision_loss)]
        let top = index as f64 * ROW_HEIGHT;
        let (current, height) = (scroll_top.get_untracked(), viewport.get_untracked());
        if top < current || top + ROW_HEIGHT > current + height {
            #[allow(clippy::cast_possible_truncation)]
            element.set_scroll_top((top - height / 3.0).max(0.0) as i32);
        }
    });
    let on_scroll = move |_| {
        if let Some(element) = scroller.get_untracked() {
            scroll_top.set(f64::from(element.scroll_top()));
            viewport.set(f64::from(element.client_height()).max(ROW_HEIGHT));
        }
    };
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.4rem; align-content: start;
        .bar { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; justify-content: space-between; }
        .bar h2 { margin: 0; }
        .scroller { height: min(70vh, 44rem); overflow: auto; position: relative; border: 1px solid var(--border); border-radius: 0.35rem; background: var(--bg); }
        /* Sized by its own style and clipped: rows coming and going never lay out the page around it. */
        .rows { position: relative; contain: strict; }
        .row { position: absolute; left: 0; right: 0; height: 46px; box-sizing: border-box; padding: 0.2rem 0.5rem; display: grid;
            grid-template-columns: 3.2rem minmax(0, 1fr) auto; gap: 0 0.5rem; align-items: center; border-bottom: 1px solid var(--border); cursor: pointer;
            contain: content; }
        .row > span { min-width: 0; }
        .row .text, .row .meaning { display: block; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .row .text { font: 0.78rem/1.3 var(--mono); }
        .row .meaning { font-size: 0.8rem; color: var(--muted); }
        .row .number { font: 0.75rem var(--mono); color: var(--muted); display: flex; gap: 0.2rem; align-items: center; }
        .row.chain { background: var(--surface); font-weight: 600; grid-template-columns: minmax(0, 1fr) auto; cursor: default; }
        .row.chain select { font-weight: 400; padding: 0.1rem 0.3rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; }
        .row.selected { outline: 2px solid var(--accent); outline-offset: -2px; background: var(--surface); }
        .row.marked { background: color-mix(in srgb, var(--warning) 18%, var(--bg)); }
        .row.disabled .text { text-decoration: line-through; color: var(--muted); }
        .row.trace-matched { box-shadow: inset 5px 0 0 var(--ok); }
        .row.trace-missed { box-shadow: inset 5px 0 0 var(--border); }
        .row.trace-maybe { box-shadow: inset 5px 0 0 var(--warning); }
        .badge { font-size: 0.75rem; border-radius: 1rem; padding: 0 0.45rem; border: 1px solid var(--warning); color: var(--warning); }
        .badge.error { border-color: var(--error); color: var(--error); }
        .trace { font-size: 0.72rem; }
        .empty { padding: 1rem; }
        "#
    ));
    view! {
        <section class=format!("box {class}") aria-labelledby="rules-heading" data-testid="rules-table">
            <div class="bar">
                <h2 id="rules-heading">"Rules"</h2>
                <FamilySwitch/>
                <span class="muted" data-testid="rules-count">{move || format!("{} lines", count.get())}</span>
            </div>
            <div class="scroller" node_ref=scroller on:scroll=on_scroll data-testid="rules-scroller" role="list"
                aria-label="Rules of the shown family">
                <Show when=move || { count.get() > 0 }
                    fallback=|| view! { <p class="empty muted" data-testid="rules-empty">"No rules yet: import some above, or open the wizard's design."</p> }>
                    <div class="rows" style=move || format!("height: {}px", f64::from(u32::try_from(count.get()).unwrap_or(u32::MAX)) * ROW_HEIGHT)
                        on:click=on_row_click(context, shown) on:keydown=on_row_key(context, shown) on:change=on_row_change(context, shown)>
                        <For each=move || shown.get() key=|line| line.clone() children=move |(index, line)| {
                            #[allow(clippy::cast_precision_loss)]
                            let top = index as f64 * ROW_HEIGHT;
                            match line {
                                TableRow::Chain { chain, policy, rows } => view! { <ChainRow chain policy rows top/> }.into_any(),
                                TableRow::Rule(row) => view! { <RuleRow row top selected finding_counts/> }.into_any(),
                            }
                        }/>
                    </div>
                </Show>
            </div>
            {move || bench.with(|bench| bench.refusal().map(str::to_owned)).map(|message| view! {
                <p class="error" role="alert" data-testid="edit-refused">{message}</p>
            })}
        </section>
    }
}

/// IPv4 / IPv6.
#[component]
fn FamilySwitch() -> impl IntoView {
    let BenchContext { bench, .. } = expect_context::<BenchContext>();
    view! {
        <div role="group" aria-label="Address family">
            {Family::ALL.map(|family| {
                let slug = if family == Family::V4 { "v4" } else { "v6" };
                view! {
                    <button type="button" data-testid=format!("family-{slug}")
                        aria-pressed=move || (bench.with(Workbench::family) == family).to_string()
                        class:primary=move || bench.with(Workbench::family) == family
                        on:click=move |_| bench.update(|bench| bench.show_family(family))>
                        {family.to_string()}
                    </button>
                }
            }).collect_view()}
        </div>
    }
}

/// A chain heading: its name, policy (editable for built-in chains) and size.
#[component]
fn ChainRow(chain: ChainLoc, policy: Option<Policy>, rows: usize, top: f64) -> impl IntoView {
    let BenchContext { bench, .. } = expect_context::<BenchContext>();
    let key = chain_key(&chain);
    let title = format!("{} · {}", chain.table.as_str(), chain.chain.as_str());
    let policy_view = policy.map(|policy| {
        let chain = chain.clone();
        view! {
            <label>
                "policy "
                <select data-testid=format!("policy-{key}") on:change=move |event| {
                    let chosen = if event_target_value(&event) == "ACCEPT" { Policy::Accept } else { Policy::Drop };
                    let Some(builtin) = chain.chain.builtin() else { return };
                    bench.update(|bench| { bench.edit(|draft| draft.set_policy(chain.family, chain.table, builtin, chosen)); });
                }>
                    <option value="ACCEPT" selected=policy == Policy::Accept>"ACCEPT"</option>
                    <option value="DROP" selected=policy == Policy::Drop>"DROP"</option>
                </select>
            </label>
        }
    });
    // A user chain is renamed or deleted in the chains panel.
    let manage = policy.is_none().then(|| {
        let panel = expect_context::<BenchContext>().panel;
        view! { <button type="button" data-testid=format!("chain-manage-{key}") on:click=move |_| panel.set(Panel::Chains)>"Rename / delete…"</button> }
    });
    view! {
        <div class="row chain" role="listitem" style=format!("top: {top}px") data-testid=format!("chain-{key}")>
            <span>{title} <span class="muted">{format!(" · {rows} rules")}</span></span>
            {policy_view}
            {manage}
        </div>
    }
}

/// What one rule row shows, derived in one memo per row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct RowView {
    /// `-A CHAIN …` as `iptables-save` prints it.
    text: String,
    /// The rule in words.
    meaning: String,
    enabled: bool,
    selected: bool,
    findings: FindingCount,
    trace: Option<TraceMark>,
    /// The row's classes: `row` and its states.
    class: String,
}

impl RowView {
    fn new(row: &RowLoc, found: Option<&Row>, rule_loc: Option<RuleLoc>, marks: RowMarks<'_>) -> Self {
        let (text, meaning, enabled) = found.map_or_else(Default::default, |found| {
            let text = format!("-A {} {}", row.chain.as_str(), render_rule(&found.rule, row.family).trim_start());
            (text, explain(&found.rule, row.family), found.enabled)
        });
        let findings = rule_loc.and_then(|loc| marks.finding_counts.get(&(row.family, loc)).copied()).unwrap_or_default();
        let selected = marks.selected == Some(row);
        let trace = marks.trace.get(row).cloned();
        let mut class = String::from("row");
        for (on, name) in [(selected, " selected"), (marks.marked.contains(row), " marked"), (!enabled, " disabled")] {
            if on {
                class.push_str(name);
            }
        }
        class.push_str(match trace {
            Some(TraceMark::Matched) => " trace-matched",
            Some(TraceMark::NotMatched(_)) => " trace-missed",
            Some(TraceMark::MayMatch(_)) => " trace-maybe",
            None => "",
        });
        Self { text, meaning, enabled, selected, findings, trace, class }
    }
}

/// What the table marks on rows besides their rules.
#[derive(Clone, Copy)]
struct RowMarks<'a> {
    selected: Option<&'a RowLoc>,
    marked: &'a [RowLoc],
    trace: &'a TraceMarks,
    finding_counts: &'a HashMap<(Family, RuleLoc), FindingCount>,
}

/// The rule row (and its table position) an event happened in: the rows' events are handled
/// once for the whole table, not by listeners on each row.
fn event_row(event: &leptos::ev::Event, shown: Memo<Vec<(usize, TableRow)>>) -> Option<(RowLoc, web_sys::Element)> {
    let target: web_sys::Element = event.target()?.dyn_into().ok()?;
    let element = target.closest("[data-testid=rule-row]").ok()??;
    let key = element.get_attribute("data-row")?;
    let row = shown.with_untracked(|lines| {
        lines.iter().find_map(|(_, line)| match line {
            TableRow::Rule(row) if row_key(row) == key => Some(row.clone()),
            _ => None,
        })
    })?;
    Some((row, target))
}

/// Selects the clicked rule and opens the rule panel (a click on the enabled box only ticks it).
fn on_row_click(context: BenchContext, shown: Memo<Vec<(usize, TableRow)>>) -> impl Fn(leptos::ev::MouseEvent) + 'static {
    move |event| {
        let Some((row, target)) = event_row(&event, shown) else { return };
        if target.tag_name() == "INPUT" {
            return;
        }
        context.bench.update(|bench| bench.select(Some(row)));
        context.panel.set(Panel::Rule);
    }
}

/// Enter or Space on a focused rule selects it.
fn on_row_key(context: BenchContext, shown: Memo<Vec<(usize, TableRow)>>) -> impl Fn(leptos::ev::KeyboardEvent) + 'static {
    move |event| {
        if event.key() != "Enter" && event.key() != " " {
            return;
        }
        let Some((row, target)) = event_row(&event, shown) else { return };
        if target.get_attribute("data-testid").as_deref() != Some("rule-row") {
            return;
        }
        event.prevent_default();
        context.bench.update(|bench| bench.select(Some(row)));
        context.panel.set(Panel::Rule);
    }
}

/// The enabled box of a rule: enables or disables it.
fn on_row_change(context: BenchContext, shown: Memo<Vec<(usize, TableRow)>>) -> impl Fn(leptos::ev::Event) + 'static {
    move |event| {
        let Some((row, target)) = event_row(&event, shown) else { return };
        let Ok(input) = target.dyn_into::<web_sys::HtmlInputElement>() else { return };
        let on = input.checked();
        let done = context.bench.try_update(|bench| bench.edit(|draft| draft.set_enabled(&row, on))).flatten();
        if done.is_none() {
            // Refused (the row is gone): the box shows the draft again, not the click.
            input.set_checked(!on);
        }
    }
}

/// One rule: number, enabled box, text, meaning, findings and trace marks.
///
/// Everything it shows comes from one memo of its own ([`RowView`]): a change elsewhere in the
/// draft recomputes it (a few microseconds) and touches the DOM only where what it shows
/// changed. Its events are handled by the table ([`on_row_click`] and the others).
#[component]
fn RuleRow(
    row: RowLoc,
    top: f64,
    /// The table's selected row.
    selected: Memo<Option<RowLoc>>,
    /// The current analysis's findings per effective rule.
    finding_counts: Memo<HashMap<(Family, RuleLoc), FindingCount>>,
) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let key = row_key(&row);
    let number = row.row + 1;
    let view_row = row.clone();
    let shown = Memo::new(move |_| {
        bench.with(|bench| {
            let found = bench.draft().row(&view_row);
            let rule_loc = found.is_some_and(|found| found.enabled).then(|| bench.draft().rule_loc(&view_row)).flatten();
            selected.with(|selected| {
                context.trace.with(|trace| {
                    finding_counts.with(|finding_counts| {
                        let marks = RowMarks { selected: selected.as_ref(), marked: bench.marked(), trace, finding_counts };
                        RowView::new(&view_row, found, rule_loc, marks)
                    })
                })
            })
        })
    });
    view! {
        <div role="listitem" tabindex="0" style=format!("top: {top}px") data-testid="rule-row" data-row=key.clone()
            class=move || shown.with(|shown| shown.class.clone())
            aria-current=move || shown.with(|shown| shown.selected.then_some("true"))
            title=move || shown.with(|shown| shown.meaning.clone())>
            <span class="number">
                <input type="checkbox" prop:checked=move || shown.with(|shown| shown.enabled) data-testid=format!("enabled-{key}")
                    aria-label=format!("Rule {number} enabled")/>
                {number}
            </span>
            <span>
                <span class="text" data-testid="rule-text">{move || shown.with(|shown| shown.text.clone())}</span>
                <span class="meaning">{move || shown.with(|shown| shown.meaning.clone())}</span>
            </span>
            <span>
                {move || {
                    let FindingCount { count, error } = shown.with(|shown| shown.findings);
                    (count > 0).then(|| view! {
                        <span class="badge" class:error=error data-testid="rule-findings">{format!("{count} finding{}", if count == 1 { "" } else { "s" })}</span>
                    })
                }}
                {move || shown.with(|shown| shown.trace.clone()).map(|mark| {
                    let (label, detail) = match mark {
                        TraceMark::Matched => ("matched", String::new()),
                        TraceMark::NotMatched(why) => ("not matched", why),
                        TraceMark::MayMatch(why) => ("may match", why),
                    };
                    view! { <span class="trace" data-testid="trace-mark" title=detail>{label}</span> }
                })}
            </span>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use portcullis_engine::import::import;
    use portcullis_engine::model::TableName;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    /// Two chains of 2 and 3 rows: lines 0 and 3 are headings.
    fn shapes() -> Vec<ChainShape> {
        let text = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:web - [0:0]\n-A INPUT -j web\n-A INPUT -p udp -j DROP\n-A web -p tcp --dport 80 -j ACCEPT\n-A web -p tcp --dport 443 -j ACCEPT\n-A web -j RETURN\nCOMMIT\n";
        let mut bench = Workbench::default();
        bench.load(text, &import(text, None));
        chain_shapes(&bench).into_iter().filter(|shape| shape.rows > 0).collect()
    }

    #[wasm_bindgen_test]
    fn lines_are_headings_then_rows_and_a_window_cuts_across_chains() {
        let chains = shapes();
        let all = lines(&chains, 0, 100);
        assert_eq!(all.len(), 7, "{all:?}");
        assert!(matches!(&all[0].1, TableRow::Chain { rows: 2, policy: Some(Policy::Drop), .. }));
        assert!(matches!(&all[3].1, TableRow::Chain { rows: 3, policy: None, .. }));
        assert!(all.iter().enumerate().all(|(at, (index, _))| at == *index));
        assert_eq!(lines(&chains, 2, 5), all[2..5].to_vec(), "a window is the same lines");
        assert!(lines(&chains, 7, 9).is_empty());
    }

    #[wasm_bindgen_test]
    fn every_rule_line_is_found_at_its_index() {
        let chains = shapes();
        for (index, line) in lines(&chains, 0, 100) {
            if let TableRow::Rule(row) = line {
                assert_eq!(index_of(&chains, &row), Some(index), "{row:?}");
            }
        }
        let web = ChainLoc { family: Family::V4, table: TableName::Filter, chain: chains[1].chain.chain.clone() };
        assert_eq!(index_of(&chains, &web.row(3)), None, "past the chain's end");
    }
}
