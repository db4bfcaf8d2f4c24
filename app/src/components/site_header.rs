//! The page header: the name, one line saying what Portcullis does, and the theme switch.

use leptos::prelude::*;
use stylist::style;

use crate::browser;
use crate::state::{Mode, ModeContext};
use crate::theme::{class_name, Theme};

/// The page header.
#[component]
pub(crate) fn SiteHeader() -> impl IntoView {
    let theme = RwSignal::new(browser::storage_get(Theme::STORAGE_KEY).map_or_else(Theme::default, |slug| Theme::from_slug(&slug)));
    Effect::new(move |_| {
        let theme = theme.get();
        browser::set_theme_attribute(theme.attribute());
        // Not remembered where storage is unavailable: the switch still works for this visit.
        let _ = browser::storage_set(Theme::STORAGE_KEY, theme.slug());
    });
    let ModeContext(mode) = expect_context::<ModeContext>();
    let switch_to = move |chosen: Mode| {
        mode.set(chosen);
        // The address says where the user is, so a reload or a bookmark comes back here.
        match chosen {
            Mode::Workbench => browser::replace_location_hash(Mode::WORKBENCH_FRAGMENT),
            Mode::Wizard if browser::location_hash() == Mode::WORKBENCH_FRAGMENT => browser::clear_location_hash(),
            Mode::Wizard => {}
        }
    };
    let class = class_name(style!(
        r#"
        padding: 1.25rem 1rem 0.5rem;
        max-width: 80rem;
        margin: 0 auto;
        display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; justify-content: space-between;
        h1 { margin: 0; font-size: 1.6rem; letter-spacing: 0.01em; }
        p { margin: 0.25rem 0 0; color: var(--muted); max-width: 46rem; }
        label { font-size: 0.85rem; }
        nav { display: flex; gap: 0.25rem; }
        nav button { padding: 0.35rem 0.8rem; border: 1px solid var(--border); border-radius: 0.35rem; background: var(--bg); cursor: pointer; }
        nav button[aria-pressed="true"] { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
        select { margin-left: 0.35rem; padding: 0.25rem 0.4rem; background: var(--surface); border: 1px solid var(--border); border-radius: 0.3rem; }
        "#
    ));
    view! {
        <header class=class>
            <div>
                <h1>"Portcullis"</h1>
                <p>
                    "Design a server firewall in your browser: pick what your server offers and who may "
                    "connect, and get rules that cannot lock you out. Nothing leaves this page."
                </p>
            </div>
            <nav aria-label="Mode">
                <button type="button" data-testid="mode-wizard" aria-pressed=move || (mode.get() == Mode::Wizard).to_string()
                    on:click=move |_| switch_to(Mode::Wizard)>"Design wizard"</button>
                <button type="button" data-testid="mode-workbench" aria-pressed=move || (mode.get() == Mode::Workbench).to_string()
                    on:click=move |_| switch_to(Mode::Workbench)>"Workbench"</button>
            </nav>
            <label>
                "Theme"
                <select data-testid="theme" on:change=move |event| theme.set(Theme::from_slug(&event_target_value(&event)))>
                    {Theme::ALL.map(|choice| view! {
                        <option value=choice.slug() selected=move || theme.get() == choice>{choice.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        </header>
    }
}
