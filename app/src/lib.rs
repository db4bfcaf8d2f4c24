//! # Portcullis in the browser
//!
//! A single page over the engine: the user ticks services from the catalogue, optionally
//! restricts each to trusted sources, and reads the live `rules.v4` / `rules.v6` files.
//!
//! - [`state`] holds the page's state as plain data (the engine's design plus the text being
//!   typed) with named mutations; only text the engine accepts ever reaches the design.
//! - `components` render that state; the generated files are derived in `Memo`s.
//! - `browser` is the only place that touches browser APIs (clipboard, downloads).
//! - `theme` holds the colours (light and dark) and the stylist helpers.
//!
//! `main.rs` only mounts [`App`].

mod browser;
mod components;
mod state;
mod theme;

use leptos::prelude::*;
use portcullis_engine::model::Family;
use stylist::style;

use components::{RulesPanel, ServiceList, SiteHeader};
use state::{DesignContext, DesignState};
use theme::class_name;

/// The whole app: header, the services to open, and the two generated files.
///
/// Mount it with `leptos::mount::mount_to_body(App)` or `leptos::mount::mount_to`.
#[component]
pub fn App() -> impl IntoView {
    theme::install_global_style();
    let state = RwSignal::new(DesignState::default());
    provide_context(DesignContext(state));
    let rules_v4 = Memo::new(move |_| state.with(|state| state.rules_text(Family::V4)));
    let rules_v6 = Memo::new(move |_| state.with(|state| state.rules_text(Family::V6)));
    let class = class_name(style!(
        r#"
        main {
            max-width: 76rem;
            margin: 0 auto;
            padding: 0.5rem 1rem 2rem;
            display: grid;
            gap: 1.25rem;
        }
        .files { display: grid; gap: 1rem; align-content: start; min-width: 0; }
        @media (min-width: 60rem) {
            main { grid-template-columns: minmax(0, 1fr) minmax(0, 1.15fr); }
        }
        "#
    ));
    view! {
        <div class=class data-testid="app-root">
            <SiteHeader/>
            <main>
                <ServiceList/>
                <div class="files">
                    <RulesPanel family=Family::V4 text=rules_v4/>
                    <RulesPanel family=Family::V6 text=rules_v6/>
                </div>
            </main>
        </div>
    }
}
