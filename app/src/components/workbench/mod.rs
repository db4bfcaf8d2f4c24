//! The expert's workbench: import a ruleset (or open the wizard's design), edit it in a rules
//! table that stays fast with tens of thousands of rules, simulate packets on it, read its
//! findings and service matrix, and export it.
//!
//! The analysis (lint and matrices of both families) runs after an edit has been painted, in the
//! analysis worker (or in stages on the page when there is none), and only for the newest
//! revision: typing or clicking never waits for it (`background`).

mod background;
mod chains_panel;
mod export_panel;
mod findings_panel;
mod import_panel;
mod matrix_panel;
mod packet_form;
mod rule_editor;
mod rules_table;
mod simulator_panel;

use leptos::prelude::*;
use stylist::style;

use crate::state::bench_view::{BenchContext, Panel};
use crate::state::workbench::Workbench as WorkbenchState;
use crate::theme::class_name;
use crate::{browser, persistence};
use chains_panel::ChainsPanel;
use export_panel::ExportPanel;
use findings_panel::FindingsPanel;
use import_panel::ImportPanel;
use matrix_panel::MatrixPanel;
use rule_editor::RuleEditor;
use rules_table::RulesTable;
use simulator_panel::{provide_simulator, SimulatorPanel};

/// The workbench page.
#[component]
pub(crate) fn Workbench() -> impl IntoView {
    let (restored, restore_notice) = persistence::restore_workbench();
    let storage_notice = RwSignal::new(restore_notice);
    let context = BenchContext {
        bench: RwSignal::new(restored),
        panel: RwSignal::new(Panel::Findings),
        analysis: RwSignal::new(None),
        analyse_now: RwSignal::new(0),
        packet: RwSignal::new(String::new()),
        trace: RwSignal::new(std::collections::HashMap::default()),
    };
    provide_context(context);
    provide_simulator(context);
    background::analyse_in_background(context);
    undo_redo_keys(context);
    persistence::autosave_workbench(context.bench, storage_notice);
    let class = class_name(style!(
        r#"
        max-width: 96rem; margin: 0 auto; padding: 0 1rem 2rem; display: grid; gap: 0.9rem;
        .columns { display: grid; gap: 1rem; grid-template-columns: minmax(0, 1fr); }
        @media (min-width: 70rem) {
            .columns { grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); }
            .columns > aside { position: sticky; top: 0.5rem; align-self: start; }
        }
        .box { background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.75rem; min-width: 0; }
        h2 { font-size: 1.15rem; margin: 0 0 0.4rem; }
        button { padding: 0.3rem 0.7rem; border-radius: 0.35rem; border: 1px solid var(--accent); background: transparent; color: var(--accent); cursor: pointer; }
        button.primary { background: var(--accent); color: var(--accent-text); }
        button:disabled { opacity: 0.45; cursor: not-allowed; }
        [role="tablist"] { display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 0 0 0.5rem; }
        [role="tab"] { border-color: var(--border); color: var(--text); border-radius: 0.35rem 0.35rem 0 0; }
        [role="tab"][aria-selected="true"] { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
        .muted { color: var(--muted); }
        .error { color: var(--error); }
        .notice { border-left: 4px solid var(--warning); margin: 0; }
        code, pre { font: 0.8rem/1.4 var(--mono); }
        "#
    ));
    view! {
        <div class=class data-testid="workbench">
            <ImportPanel/>
            {move || storage_notice.get().map(|message| view! {
                <p class="box notice" role="status" data-testid="bench-storage-notice">{message}</p>
            })}
            <div class="columns">
                <RulesTable/>
                <aside class="box">
                    <PanelTabs/>
                    {move || match context.panel.get() {
                        Panel::Rule => view! { <RuleEditor/> }.into_any(),
                        Panel::Simulate => view! { <SimulatorPanel/> }.into_any(),
                        Panel::Chains => view! { <ChainsPanel/> }.into_any(),
                        Panel::Findings => view! { <FindingsPanel/> }.into_any(),
                        Panel::Matrix => view! { <MatrixPanel/> }.into_any(),
                        Panel::Export => view! { <ExportPanel/> }.into_any(),
                    }}
                </aside>
            </div>
        </div>
    }
}

/// The tabs that choose the side panel.
#[component]
fn PanelTabs() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let count = Memo::new(move |_| context.analysis.with(|analysis| analysis.as_ref().map_or(0, |analysis| analysis.findings.len())));
    view! {
        <div role="tablist" aria-label="Workbench panels">
            {Panel::ALL.map(|panel| view! {
                <button type="button" role="tab" data-testid=format!("panel-{}", panel.slug())
                    aria-selected=move || (context.panel.get() == panel).to_string()
                    on:click=move |_| context.panel.set(panel)>
                    {panel.label()}
                    {move || (panel == Panel::Findings && count.get() > 0).then(|| format!(" ({})", count.get()))}
                </button>
            }).collect_view()}
        </div>
    }
}

/// Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y undo and redo edits of the draft, except while typing.
fn undo_redo_keys(context: BenchContext) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if !(event.ctrl_key() || event.meta_key()) || browser::is_typing(&event) {
            return;
        }
        match (event.key().to_ascii_lowercase().as_str(), event.shift_key()) {
            ("z", false) => context.bench.update(WorkbenchState::undo),
            ("z", true) | ("y", _) => context.bench.update(WorkbenchState::redo),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || handle.remove());
}

/// Opens the wizard's current design in the workbench (its compiled rules, to edit further) and
/// returns its name. The wizard is another page: its design is read from where the wizard saves
/// it on every change (`localStorage`); the message says why when there is none to read.
pub(crate) fn open_wizard_design(context: BenchContext) -> Result<String, String> {
    let (name, design) = persistence::saved_wizard_design()?;
    context.bench.update(|bench| bench.open_design(&design));
    Ok(name)
}
