//! # Portcullis in the browser
//!
//! Two faces over one engine, two pages with a wasm module each, linked from the header:
//!
//! - [`App`], the beginner's wizard (`index.html`, built from `main.rs`), in five steps: start
//!   from a server role, pick the services, say who may connect, choose the protections, then
//!   review the findings and export. Every step shows the rules it generates, each explained on
//!   hover or focus;
//! - [`WorkbenchApp`], the expert's workbench (`workbench/index.html`, built from
//!   `bin/workbench.rs`): import a ruleset, edit it rule by rule, simulate packets, read the
//!   findings and the service matrix, export.
//!
//! Each binary names only its own page's root, so the linker leaves the other page's components
//! out: a beginner never downloads the workbench (see `scripts/size.sh`). The pages share
//! `localStorage`: the workbench opens the wizard's saved design from there.
//!
//! - [`state`] holds the page's state as plain data (the engine's design, the text being typed,
//!   the step, undo/redo) with named mutations; only values the engine accepts reach the design.
//! - `persistence` saves every change to `localStorage`, keeps several named designs, and opens
//!   designs from share links; nothing unreadable is ever overwritten.
//! - `components` render the state; everything derived (rules, findings, exports) is a `Memo`.
//! - `browser` is the only place that touches browser APIs.
//! - `theme` holds the colours (light and dark, following the system or the user's choice).
//! - `worker` runs the wizard's review and the workbench's analysis in a Web Worker
//!   (`src/bin/analysis_worker.rs`); `reviewing` keeps the wizard's review (summary, rule
//!   explanations, findings, files) up to date with the design on screen.
//!
//! `main.rs` and `bin/workbench.rs` only call [`start`] with their page's root.

mod browser;
mod components;
mod persistence;
mod reviewing;
mod state;
mod theme;
mod worker;

pub use worker::answer_reviews_on_page;

use leptos::prelude::*;
use stylist::style;

use components::{
    AccessStep, DesignBar, Notices, ProtectionsStep, ReviewStep, RulesPreview, ServicesStep, SiteHeader, StartStep, StepButtons, StepNav, Workbench,
};
use state::{Page, Step, WizardContext};
use theme::class_name;

/// The element of both pages' HTML that holds "Loading Portcullis…" until the app replaces it.
const MOUNT_POINT_ID: &str = "portcullis";

/// Starts a page: mounts `root` in place of the loading message (or in the body when the page
/// has none), and marks the start and the first render in the page's performance timeline
/// (`performance.mark`), where `make bench-wizard` reads how long the wasm took to start and the
/// page to render.
pub fn start<View: IntoView + 'static>(root: impl FnOnce() -> View + 'static) {
    mark("portcullis-start");
    console_error_panic_hook::set_once();
    match browser::mount_point(MOUNT_POINT_ID) {
        Some(mount_point) => {
            mount_point.set_text_content(None);
            leptos::mount::mount_to(mount_point, root).forget();
        }
        None => leptos::mount::mount_to_body(root),
    }
    // Leptos builds the first view synchronously: the page is in the DOM here.
    mark("portcullis-mounted");
}

fn mark(name: &str) {
    if let Some(performance) = window().performance() {
        let _ = performance.mark(name);
    }
}

/// The wizard's page (`index.html`): the header and the five steps.
///
/// Mount it with [`start`], `leptos::mount::mount_to_body(App)` or `leptos::mount::mount_to`.
#[component]
pub fn App() -> impl IntoView {
    theme::install_global_style();
    let (wizard, session) = persistence::restore();
    let context = WizardContext(RwSignal::new(wizard));
    provide_context(context);
    provide_context(session);
    persistence::autosave(context, session);
    provide_context(reviewing::Reviewing::start(context));
    undo_redo_keys(context);
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
            <SiteHeader current=Page::Wizard/>
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
        </div>
    }
}

/// The workbench's page (`workbench/index.html`): the header and the workbench.
///
/// Mount it with [`start`], `leptos::mount::mount_to_body(WorkbenchApp)` or `leptos::mount::mount_to`.
#[component]
pub fn WorkbenchApp() -> impl IntoView {
    theme::install_global_style();
    view! {
        <div data-testid="app-root">
            <SiteHeader current=Page::Workbench/>
            <Workbench/>
        </div>
    }
}

/// Ctrl+Z undoes, Ctrl+Shift+Z and Ctrl+Y redo (⌘ on a Mac) — except while typing in a text
/// field, where the field's own undo applies. The wizard's keys; the workbench has its own.
fn undo_redo_keys(WizardContext(wizard): WizardContext) {
    let handle = window_event_listener(leptos::ev::keydown, move |event| {
        if !(event.ctrl_key() || event.meta_key()) {
            return;
        }
        if browser::is_typing(&event) {
            return;
        }
        match (event.key().to_ascii_lowercase().as_str(), event.shift_key()) {
            ("z", false) => wizard.update(state::Wizard::undo),
            ("z", true) | ("y", _) => wizard.update(state::Wizard::redo),
            _ => return,
        }
        event.prevent_default();
    });
    on_cleanup(move || handle.remove());
}
