//! # Portcullis in the browser
//!
//! Two faces over one engine, switched in the header (the workbench also opens at `#workbench`):
//!
//! - the beginner's wizard, in five steps: start from a server role, pick the services, say who
//!   may connect, choose the protections, then review the findings and export. Every step shows
//!   the rules it generates, each explained on hover or focus;
//! - the expert's workbench: import a ruleset, edit it rule by rule, simulate packets, read the
//!   findings and the service matrix, export.
//!
//! - [`state`] holds the page's state as plain data (the engine's design, the text being typed,
//!   the step, undo/redo) with named mutations; only values the engine accepts reach the design.
//! - `persistence` saves every change to `localStorage`, keeps several named designs, and opens
//!   designs from share links; nothing unreadable is ever overwritten.
//! - `components` render the state; everything derived (rules, findings, exports) is a `Memo`.
//! - `browser` is the only place that touches browser APIs.
//! - `theme` holds the colours (light and dark, following the system or the user's choice).
//! - `worker` runs the workbench's analysis in a Web Worker (`src/bin/analysis_worker.rs`).
//!
//! `main.rs` only mounts [`App`].

mod browser;
mod components;
mod persistence;
mod state;
mod theme;
mod worker;

use leptos::prelude::*;
use stylist::style;

use components::{
    AccessStep, DesignBar, Notices, ProtectionsStep, ReviewStep, RulesPreview, ServicesStep, SiteHeader, StartStep,
    StepButtons, StepNav, Workbench,
};
use state::{Mode, ModeContext, Step, WizardContext};
use theme::class_name;

/// The whole app.
///
/// Mount it with `leptos::mount::mount_to_body(App)` or `leptos::mount::mount_to`.
#[component]
pub fn App() -> impl IntoView {
    theme::install_global_style();
    let (wizard, session) = persistence::restore();
    let context = WizardContext(RwSignal::new(wizard));
    provide_context(context);
    provide_context(session);
    let mode = ModeContext(RwSignal::new(Mode::from_fragment(&browser::location_hash())));
    provide_context(mode);
    persistence::autosave(context, session);
    undo_redo_keys(context, mode);
    let step = Memo::new(move |_| context.0.with(state::Wizard::step));
    let class = class_name(style!(
        r#"
        .page { max-width: 80rem; margin: 0 auto; padding: 0 1rem 2rem; display: grid; gap: 0.9rem; }
        main { display: grid; gap: 1.25rem; }
        @media (min-width: 62rem) {
            main { grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); }
            main > aside { position: sticky; top: 0.5rem; }
        }
        "#
    ));
    view! {
        <div class=class data-testid="app-root">
            <SiteHeader/>
            <Show when=move || mode.0.get() == Mode::Wizard fallback=|| view! { <Workbench/> }>
            <div class="page">
                <DesignBar/>
                <Notices/>
                <StepNav/>
                <main>
                    <div>
                        {move || match step.get() {
                            Step::Start => view! { <StartStep/> }.into_any(),
                            Step::Services => view! { <ServicesStep/> }.into_any(),
                            Step::Access => view! { <AccessStep/> }.into_any(),
                            Step::Protections => view! { <ProtectionsStep/> }.into_any(),
                            Step::Review => view! { <ReviewStep/> }.into_any(),
                        }}
                        <StepButtons/>
                    </div>
                    <RulesPreview/>
                </main>
            </div>
            </Show>
        </div>
    }
}

/// Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on a Mac) — except while typing in a text
/// field, where the field's own undo applies. The wizard's keys; the workbench has its own.
fn undo_redo_keys(WizardContext(wizard): WizardContext, mode: ModeContext) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if !(event.ctrl_key() || event.meta_key()) || mode.0.get_untracked() != Mode::Wizard {
            return;
        }
        if browser::is_typing(&event) {
            return;
        }
        match (event.key().to_lowercase().as_str(), event.shift_key()) {
            ("z", false) => wizard.update(state::Wizard::undo),
            ("z", true) | ("y", _) => wizard.update(state::Wizard::redo),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || handle.remove());
}
