//! Import: paste, drop or open an `iptables-save` dump or a shell script of `iptables` commands
//! (or take the wizard's design), read it in stages with progress shown, and show every problem
//! as a code frame: numbered lines, the problem underlined, its help on hover or focus.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::import::{import, Format};
use stylist::style;

use super::open_wizard_design;
use crate::browser;
use crate::state::bench_view::{BenchContext, Panel};
use crate::state::import_text::{rule_count, CodeFrame, OwnedSummary, MAX_FRAMES};
use crate::theme::class_name;

/// Where a running import is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Progress {
    Idle,
    Reading { lines: usize },
    Loading { rules: usize },
}

/// The import box and the report of the last import.
#[component]
pub(crate) fn ImportPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let bench = context.bench;
    let progress = RwSignal::new(Progress::Idle);
    let file_problem = RwSignal::new(None::<String>);
    // What "Open the wizard's design" did: the design's name, or why there is none to open.
    let wizard_design = RwSignal::new(None::<Result<String, String>>);
    let run_import = move || {
        let text = bench.with_untracked(|bench| bench.input().to_owned());
        progress.set(Progress::Reading { lines: text.lines().count() });
        spawn_local(async move {
            // Let the progress paint before the page is busy reading.
            browser::pause(0).await;
            let parsed = import(&text, None);
            progress.try_set(Progress::Loading { rules: rule_count(&parsed.value) });
            browser::pause(0).await;
            bench.try_update(|bench| bench.load(&text, &parsed));
            context.trace.try_update(std::collections::HashMap::clear);
            context.panel.try_set(Panel::Findings);
            progress.try_set(Progress::Idle);
        });
    };
    let open_file = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        spawn_local(async move {
            let Some(read) = browser::read_chosen_file(&input).await else { return };
            input.set_value("");
            match read {
                Ok((_, text)) => {
                    file_problem.set(None);
                    bench.update(|bench| bench.set_input(text));
                    run_import();
                }
                Err(message) => file_problem.set(Some(message)),
            }
        });
    };
    // The box's text as a memo: any other change to the workbench (a tick, a move) would
    // otherwise copy the pasted text (700 KB for 10,000 rules) into the box again.
    let input = Memo::new(move |_| bench.with(|bench| bench.input().to_owned()));
    let busy = move || progress.with(|progress| *progress != Progress::Idle);
    let class = class_name(style!(
        r#"
        /* Its own fixed size, contained: with a 10,000-rule dump pasted (700 KB) the page's layout
           after an edit elsewhere would otherwise lay the whole text out again (a third of a move). */
        textarea { width: 100%; box-sizing: border-box; height: 8rem; resize: vertical; contain: strict; font: 0.8rem/1.4 var(--mono); background: var(--bg); border: 1px solid var(--border); border-radius: 0.35rem; padding: 0.4rem; }
        .actions { display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: center; margin-top: 0.4rem; }
        .actions label { font-size: 0.85rem; }
        progress { width: 12rem; }
        "#
    ));
    view! {
        <section class=format!("box {class}") aria-labelledby="import-heading" data-testid="import-panel">
            <h2 id="import-heading">"Import rules"</h2>
            <p class="muted">
                "Paste the output of " <code>"iptables-save"</code> " / " <code>"ip6tables-save"</code>
                " (or both), or a shell script of " <code>"iptables"</code> " commands. It is read here, in your browser."
            </p>
            <label class="visually-hidden" for="import-text">"Rules to import"</label>
            <textarea id="import-text" data-testid="import-text" spellcheck="false"
                placeholder="*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT"
                prop:value=move || input.get()
                on:input=move |event| bench.update(|bench| bench.set_input(event_target_value(&event)))
                on:drop=move |event: leptos::ev::DragEvent| {
                    let Some(file) = event.data_transfer().and_then(|data| data.files()).and_then(|files| files.get(0)) else { return };
                    event.prevent_default();
                    spawn_local(async move {
                        match browser::read_file(&file).await {
                            Ok(text) => {
                                bench.update(|bench| bench.set_input(text));
                                run_import();
                            }
                            Err(message) => file_problem.set(Some(message)),
                        }
                    });
                }></textarea>
            <div class="actions">
                <button type="button" class="primary" data-testid="import-run" disabled=busy on:click=move |_| run_import()>"Import"</button>
                <label>"or open a file " <input type="file" data-testid="import-file" on:change=open_file/></label>
                <button type="button" data-testid="open-wizard-design" on:click=move |_| wizard_design.set(Some(open_wizard_design(context)))>
                    "Open the wizard's design"
                </button>
                <button type="button" data-testid="bench-undo" disabled=move || !bench.with(crate::state::workbench::Workbench::can_undo)
                    on:click=move |_| bench.update(crate::state::workbench::Workbench::undo)>"Undo"</button>
                <button type="button" data-testid="bench-redo" disabled=move || !bench.with(crate::state::workbench::Workbench::can_redo)
                    on:click=move |_| bench.update(crate::state::workbench::Workbench::redo)>"Redo"</button>
            </div>
            <p role="status" data-testid="import-progress">
                {move || match progress.get() {
                    Progress::Idle => None,
                    Progress::Reading { lines } => Some(view! { <progress max="2" value="0"></progress> {format!(" Reading {lines} lines…")} }.into_any()),
                    Progress::Loading { rules } => Some(view! { <progress max="2" value="1"></progress> {format!(" Loading {rules} rules…")} }.into_any()),
                }}
            </p>
            {move || file_problem.get().map(|message| view! { <p class="error" role="alert" data-testid="import-file-problem">{message}</p> })}
            {move || wizard_design.get().map(|opened| match opened {
                Ok(name) => view! { <p role="status" data-testid="open-wizard-status">{format!("Opened the wizard's design \u{201c}{name}\u{201d}.")}</p> }.into_any(),
                Err(message) => view! { <p class="error" role="alert" data-testid="open-wizard-status">{message}</p> }.into_any(),
            })}
            <ImportReportView/>
        </section>
    }
}

/// The summary and code frames of the last import.
#[component]
fn ImportReportView() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let report = Memo::new(move |_| context.bench.with(|bench| bench.report().cloned()));
    let class = class_name(style!(
        r#"
        .owners { border-left: 4px solid var(--warning); padding-left: 0.6rem; margin: 0.5rem 0; }
        .owners h3 { font-size: 1rem; margin: 0; }
        .owners ul { margin: 0.2rem 0; padding-left: 1rem; }
        ol.frames { list-style: none; padding: 0; margin: 0.5rem 0 0; display: grid; gap: 0.6rem; max-height: 28rem; overflow: auto; }
        .frame { border-left: 4px solid var(--border); padding-left: 0.6rem; }
        .frame.error { border-color: var(--error); }
        .frame.warning { border-color: var(--warning); }
        .frame p { margin: 0.1rem 0; }
        .where { font: 0.8rem var(--mono); color: var(--muted); }
        pre { margin: 0.25rem 0; padding: 0.35rem 0; background: var(--code-bg); border-radius: 0.3rem; overflow-x: auto; }
        .line { display: block; padding-right: 0.5rem; }
        .number { display: inline-block; min-width: 3.5em; padding-right: 0.6em; text-align: right; color: var(--muted); user-select: none; }
        .squiggle { text-decoration: underline wavy var(--error); text-underline-offset: 3px; position: relative; }
        .warning .squiggle { text-decoration-color: var(--warning); }
        .squiggle .tip { display: none; position: absolute; left: 0; top: 1.5em; z-index: 2; width: max-content; max-width: 30rem; white-space: normal;
            background: var(--surface); border: 1px solid var(--border); border-radius: 0.3rem; padding: 0.3rem 0.5rem; font: 0.85rem system-ui, sans-serif; color: var(--text); }
        .squiggle:hover .tip, .squiggle:focus .tip { display: block; }
        "#
    ));
    move || {
        let class = class.clone();
        report.get().map(|report| {
            let format = match report.format {
                Format::Save => "a save file",
                Format::Script => "a script",
            };
            let problems = match (report.errors, report.warnings) {
                (0, 0) => "no problem found".to_owned(),
                (errors, warnings) => format!("{errors} error(s), {warnings} warning(s)"),
            };
            let more = (report.more > 0).then(|| {
                view! {
                    <p class="muted" data-testid="import-more">{format!("…and {} more problems (the first {MAX_FRAMES} are shown).", report.more)}</p>
                }
            });
            view! {
                <div class=class>
                    <p data-testid="import-summary">
                        {format!("Read {} rules from {format} of {} lines: {problems}.", report.rule_count, report.line_count)}
                    </p>
                    {(!report.owners.is_empty()).then(|| view! {
                        <div class="owners" data-testid="owners">
                            <h3>"Rules written by other tools"</h3>
                            <ul>{report.owners.into_iter().map(|owned| view! { <OwnedItem owned/> }).collect_view()}</ul>
                        </div>
                    })}
                    <ol class="frames" data-testid="code-frames">
                        {report.frames.into_iter().map(|frame| view! { <Frame frame/> }).collect_view()}
                    </ol>
                    {more}
                </div>
            }
        })
    }
}

/// One tool's rules and what exporting would do to them.
#[component]
fn OwnedItem(owned: OwnedSummary) -> impl IntoView {
    view! {
        <li data-testid="owner">
            <strong>{owned.owner}</strong>
            {format!(" — {} rules in {}", owned.rules, owned.chains.join(", "))}
            <p class="muted">{owned.on_export}</p>
        </li>
    }
}

/// One problem with the lines around it.
#[component]
fn Frame(frame: CodeFrame) -> impl IntoView {
    let severity = match frame.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let tip = frame.help.clone().map_or_else(|| frame.message.clone(), |help| format!("{} — {help}", frame.message));
    view! {
        <li class=format!("frame {severity}") data-testid="code-frame" data-code=frame.code.clone()>
            <p class="where">{format!("{severity} {} at line {}", frame.code, frame.position)}</p>
            <p>{frame.message.clone()}</p>
            <pre>
                {frame.lines.into_iter().map(|line| {
                    let marked = (!line.marked().is_empty()).then(|| view! {
                        <span class="squiggle" tabindex="0" data-testid="squiggle">
                            {line.marked().to_owned()}
                            <span class="tip" role="tooltip">{tip.clone()}</span>
                        </span>
                    });
                    let (before, after) = (line.before().to_owned(), line.after().to_owned());
                    view! {
                        <span class="line"><span class="number">{line.number}</span>{before}{marked}{after}</span>
                    }
                }).collect_view()}
            </pre>
            {frame.help.map(|help| view! { <p class="muted">{format!("Help: {help}")}</p> })}
            {frame.notes.into_iter().map(|note| view! { <p class="muted">{note}</p> }).collect_view()}
        </li>
    }
}
