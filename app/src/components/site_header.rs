//! The page header: the name, one line saying what Portcullis does, the links between the two
//! pages (the wizard and the workbench, each its own wasm), the theme switch, and a notice when
//! the analysis worker crashed and was started again.

use leptos::prelude::*;
use stylist::style;

use crate::browser;
use crate::state::Page;
use crate::theme::{class_name, Theme};

/// The page header.
#[component]
pub(crate) fn SiteHeader(
    /// The page this header is on: its link is marked `aria-current="page"`.
    current: Page,
) -> impl IntoView {
    let theme = RwSignal::new(browser::storage_get(Theme::STORAGE_KEY).map_or_else(Theme::default, |slug| Theme::from_slug(&slug)));
    Effect::new(move |_| {
        let theme = theme.get();
        browser::set_theme_attribute(theme.attribute());
        // Not remembered where storage is unavailable: the switch still works for this visit.
        let _ = browser::storage_set(Theme::STORAGE_KEY, theme.slug());
    });
    let restarts = RwSignal::new(0_u32);
    crate::worker::on_restart(move || restarts.update(|count| *count += 1));
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
        nav a { padding: 0.35rem 0.8rem; border: 1px solid var(--border); border-radius: 0.35rem; background: var(--bg); color: inherit; text-decoration: none; }
        nav a[aria-current="page"] { background: var(--accent); color: var(--accent-text); border-color: var(--accent); font-weight: 600; }
        .restarted { flex-basis: 100%; color: var(--text); border: 1px solid var(--warning); border-radius: 0.4rem; padding: 0.4rem 0.6rem; }
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
            // Links, not buttons: each page is its own wasm, so a beginner never downloads the workbench.
            <nav aria-label="Pages">
                <a href=current.link_to(Page::Wizard) data-testid="mode-wizard"
                    aria-current=(current == Page::Wizard).then_some("page")>"Design wizard"</a>
                <a href=current.link_to(Page::Workbench) data-testid="mode-workbench"
                    aria-current=(current == Page::Workbench).then_some("page")>"Workbench"</a>
            </nav>
            <label>
                "Theme"
                <select data-testid="theme" on:change=move |event| theme.set(Theme::from_slug(&event_target_value(&event)))>
                    {Theme::ALL.map(|choice| view! {
                        <option value=choice.slug() selected=move || theme.get() == choice>{choice.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || { restarts.get() > 0 }>
                <p role="alert" class="restarted" data-testid="worker-restarted">
                    "The analysis worker stopped unexpectedly. It was started again and ran the last check once more"
                    {move || if restarts.get() > 1 { format!(" ({} times so far).", restarts.get()) } else { ".".to_owned() }}
                </p>
            </Show>
        </header>
    }
}
