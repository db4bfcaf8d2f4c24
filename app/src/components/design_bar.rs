//! The bar above the steps: which saved design this is (switch, rename, new, delete), undo and
//! redo, a share link, saving the design file, and the notices about storage, files and links.

use leptos::prelude::*;
use stylist::style;

use crate::browser;
use crate::persistence;
use crate::state::library::share_fragment;
use crate::state::{SessionContext, WizardContext};
use crate::theme::class_name;

/// The design bar.
#[component]
pub(crate) fn DesignBar() -> impl IntoView {
    let context = expect_context::<WizardContext>();
    let session = expect_context::<SessionContext>();
    let wizard = context.0;
    let can_undo = Memo::new(move |_| wizard.with(crate::state::Wizard::can_undo));
    let can_redo = Memo::new(move |_| wizard.with(crate::state::Wizard::can_redo));
    let rename_error = RwSignal::new(None::<String>);
    let share_notice = RwSignal::new(String::new());
    let share_link = RwSignal::new(None::<String>);
    let share = move |_| {
        let link = format!("{}#{}", browser::page_address(), wizard.with_untracked(|wizard| share_fragment(wizard.design())));
        share_link.set(Some(link.clone()));
        browser::copy_text(&link, move |outcome| {
            let message = if outcome.is_ok() { "Link copied. The design travels inside the link; no server sees it." } else { "Copy the link below by hand." };
            share_notice.try_set(message.to_owned());
        });
    };
    let save_file = move |_| {
        let json = wizard.with_untracked(|wizard| wizard.design().to_json());
        let file_name = format!("{}.json", session.name.get_untracked().replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-"));
        if browser::download_text(&file_name, &json).is_err() {
            session.notices.update(|notices| notices.push("The browser refused the download.".to_owned()));
        }
    };
    let class = class_name(style!(
        r#"
        display: flex; flex-wrap: wrap; gap: 0.5rem 0.75rem; align-items: end;
        background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.6rem 0.75rem;
        label { display: grid; gap: 0.15rem; font-size: 0.85rem; font-weight: 600; }
        input, select { padding: 0.3rem 0.45rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; font-weight: 400; }
        button { padding: 0.3rem 0.7rem; border-radius: 0.35rem; border: 1px solid var(--accent); background: transparent; color: var(--accent); cursor: pointer; }
        button:disabled { opacity: 0.45; cursor: not-allowed; }
        .group { display: flex; gap: 0.35rem; flex-wrap: wrap; }
        .error { color: var(--error); font-size: 0.85rem; margin: 0; flex-basis: 100%; }
        .share { flex-basis: 100%; font-size: 0.85rem; color: var(--muted); }
        .share p { margin: 0 0 0.2rem; }
        .share input { width: 100%; box-sizing: border-box; font: 0.8rem var(--mono); }
        "#
    ));
    view! {
        <div class=class data-testid="design-bar">
            <label>
                "Saved designs"
                <select data-testid="design-switch" on:change=move |event| {
                    let chosen = event_target_value(&event);
                    persistence::switch_design(context, session, &chosen);
                }>
                    {move || session.saved.get().into_iter().map(|name| {
                        let selected = name == session.name.get();
                        view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Name"
                <input data-testid="design-name" prop:value=move || session.name.get()
                    on:change=move |event| rename_error.set(persistence::rename_design(context, session, &event_target_value(&event)).err())/>
            </label>
            <div class="group">
                <button type="button" data-testid="design-new" on:click=move |_| persistence::new_design(context, session)>"New"</button>
                <button type="button" data-testid="design-delete" on:click=move |_| persistence::delete_design(context, session)>"Delete"</button>
            </div>
            <div class="group">
                <button type="button" data-testid="undo" aria-keyshortcuts="Control+Z" disabled=move || !can_undo.get()
                    on:click=move |_| wizard.update(crate::state::Wizard::undo)>"Undo"</button>
                <button type="button" data-testid="redo" aria-keyshortcuts="Control+Shift+Z Control+Y" disabled=move || !can_redo.get()
                    on:click=move |_| wizard.update(crate::state::Wizard::redo)>"Redo"</button>
            </div>
            <div class="group">
                <button type="button" data-testid="share-link" on:click=share>"Share link"</button>
                <button type="button" data-testid="save-design-file" on:click=save_file>"Save design file"</button>
            </div>
            {move || rename_error.get().map(|message| view! { <p class="error" role="alert" data-testid="design-name-error">{message}</p> })}
            {move || share_link.get().map(|link| view! {
                <div class="share">
                    <p role="status" data-testid="share-notice">{move || share_notice.get()}</p>
                    <input readonly aria-label="Share link" data-testid="share-link-text" prop:value=link
                        on:focus=|event| { let input: web_sys::HtmlInputElement = event_target(&event); input.select(); }/>
                </div>
            })}
        </div>
    }
}

/// Messages about storage, files and links, each dismissable.
#[component]
pub(crate) fn Notices() -> impl IntoView {
    let session = expect_context::<SessionContext>();
    let class = class_name(style!(
        r#"
        list-style: none; margin: 0; padding: 0; display: grid; gap: 0.35rem;
        li { display: flex; gap: 0.5rem; align-items: center; background: var(--surface); border: 1px solid var(--warning); border-radius: 0.4rem; padding: 0.4rem 0.6rem; }
        p { margin: 0; flex: 1; }
        button { border: 0; background: transparent; color: var(--accent); cursor: pointer; }
        "#
    ));
    view! {
        <ul class=class role="status" data-testid="notices">
            {move || session.notices.get().into_iter().enumerate().map(|(at, notice)| view! {
                <li data-testid="notice">
                    <p>{notice}</p>
                    <button type="button" aria-label="Dismiss"
                        on:click=move |_| session.notices.update(|notices| { if at < notices.len() { notices.remove(at); } })>"Dismiss"</button>
                </li>
            }).collect_view()}
        </ul>
    }
}
