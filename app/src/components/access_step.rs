//! Step 3: who may connect — named groups of trusted sources, and for each open service
//! everyone or only some groups and addresses.

use leptos::prelude::*;
use portcullis_engine::design::{Access, Name};
use stylist::style;

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use super::ValidatedField;
use crate::state::{ServiceKey, WizardContext};
use crate::theme::class_name;

const SOURCES_HINT: &str = "Addresses, networks or ranges, IPv4 or IPv6: 203.0.113.7, 198.51.100.0/24, 2001:db8::/32, 198.51.100.10-198.51.100.20.";

/// The access step.
#[component]
pub(crate) fn AccessStep() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let keys = Memo::new(move |_| wizard.with(crate::state::Wizard::service_keys));
    let class = class_name(style!(
        r#"
        h2 { font-size: 1.2rem; margin: 0 0 0.25rem; }
        h3 { font-size: 1rem; margin: 1.1rem 0 0.4rem; }
        .intro { margin: 0 0 0.75rem; color: var(--muted); }
        ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.6rem; }
        details { background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.5rem 0.75rem; }
        summary { cursor: pointer; font-weight: 600; }
        code { font-family: var(--mono); }
        "#
    ));
    view! {
        <section class=class aria-labelledby="access-heading" data-testid="step-access">
            <h2 id="access-heading">"Who may connect?"</h2>
            <p class="intro">
                "Each open service takes connections from everyone unless you name trusted sources. "
                "Restrict SSH and anything marked high risk to addresses you know."
            </p>
            <FindYourAddress/>
            <Groups/>
            <h3>"Open services"</h3>
            <ShowIf
                when=Signal::derive(move || !keys.with(Vec::is_empty))
                fallback=|| view! { <p class="intro" data-testid="no-open-service">"No service is open yet: every incoming connection is dropped. Go back to Services to open some."</p> }
            >
                <ul>
                    {keyed_list(move || keys.with(|keys| keyed_views(keys, |key| view! { <ServiceAccess key/> })))}
                </ul>
            </ShowIf>
        </section>
    }
}

/// How to find the address you connect from, without this page asking any server.
#[component]
fn FindYourAddress() -> impl IntoView {
    view! {
        <details data-testid="find-your-address">
            <summary>"How do I find my own address?"</summary>
            <p>
                "Log in to your server over SSH as you do now, and run " <code>"w"</code> " (or "
                <code>"echo $SSH_CLIENT"</code> "). The FROM column (or the first word) is the address your "
                "connection comes from: that is the address to trust for SSH."
            </p>
            <p>
                "Home connections often change address. If yours does, trust your provider's network "
                "(ask them, or use a /24 around your address) or a VPN's fixed address, and keep your "
                "provider's web console at hand as a way back in."
            </p>
            <p>"This page never asks a server for your address: nothing leaves your browser."</p>
        </details>
    }
}

/// Named groups of sources, reusable across services.
#[component]
fn Groups() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let new_name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let names = Memo::new(move |_| wizard.with(crate::state::Wizard::group_names));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match wizard.try_update(|wizard| wizard.add_group(&new_name.get_untracked())) {
            Some(Err(message)) => error.set(Some(message)),
            _ => {
                error.set(None);
                new_name.set(String::new());
            }
        }
    };
    let class = class_name(style!(
        r#"
        form { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: end; margin-bottom: 0.5rem; }
        label { display: grid; font-size: 0.9rem; font-weight: 600; gap: 0.2rem; }
        input { padding: 0.4rem 0.5rem; background: var(--surface); border: 1px solid var(--border); border-radius: 0.35rem; font-weight: 400; }
        button { padding: 0.4rem 0.9rem; border-radius: 0.35rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer; }
        .error { color: var(--error); margin: 0.2rem 0; }
        "#
    ));
    view! {
        <div class=class>
            <h3>"Groups of trusted sources"</h3>
            <form on:submit=add>
                <label>
                    "New group"
                    <input data-testid="group-new-name" placeholder="office" prop:value=move || new_name.get()
                        on:input=move |event| new_name.set(event_target_value(&event))/>
                </label>
                <button type="submit" data-testid="group-add">"Add group"</button>
            </form>
            <div aria-live="polite">
                {move || error.get().map(|message| view! { <p class="error" data-testid="group-add-error">{message}</p> })}
            </div>
            <ul>
                {keyed_list(move || names.with(|names| keyed_views(names, |name| view! { <GroupEditor name/> })))}
            </ul>
        </div>
    }
}

/// One group: its sources field and a Remove button (refused while a service uses it).
#[component]
fn GroupEditor(name: Name) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let removal_error = RwSignal::new(None::<String>);
    let field_name = name.clone();
    let error_name = name.clone();
    let removed = name.clone();
    let field = move || {
        wizard.with(crate::state::Wizard::revision);
        let name = field_name.clone();
        let initial = wizard.with_untracked(|wizard| wizard.group_text(&name));
        let error_name = error_name.clone();
        let error = Signal::derive(move || wizard.with(|wizard| wizard.group_error(&error_name)));
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_group(&name, &text)));
        view! {
            <ValidatedField id=format!("group-{}", field_name) label=format!("Group \u{201c}{field_name}\u{201d}")
                hint=SOURCES_HINT.to_owned() placeholder="nobody yet" initial error on_input/>
        }
    };
    view! {
        <li>
            {field}
            <button type="button" data-testid=format!("group-remove-{name}")
                on:click=move |_| {
                    let outcome = wizard.try_update(|wizard| wizard.remove_group(&removed));
                    removal_error.set(outcome.and_then(Result::err));
                }>
                "Remove group"
            </button>
            {
                let test_id = format!("group-remove-error-{name}");
                move || removal_error.get().map(|message| view! { <p class="error" role="alert" data-testid=test_id.clone()>{message}</p> })
            }
        </li>
    }
}

/// One open service: who may reach it, as group checkboxes and a sources field.
#[component]
fn ServiceAccess(key: ServiceKey) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let slug = key.slug();
    let groups = Memo::new(move |_| wizard.with(crate::state::Wizard::group_names));
    let status_key = key.clone();
    let status = Memo::new(move |_| {
        wizard.with(|wizard| match wizard.access(&status_key) {
            Some(Access::Everyone) => "Open to everyone on the internet.".to_owned(),
            Some(Access::Only { .. }) => "Open only to the sources below.".to_owned(),
            None => "Closed.".to_owned(),
        })
    });
    let field_key = key.clone();
    let field = move || {
        wizard.with(crate::state::Wizard::revision);
        let key = field_key.clone();
        let initial = wizard.with_untracked(|wizard| wizard.sources_text(&key));
        let error_key = key.clone();
        let error = Signal::derive(move || wizard.with(|wizard| wizard.sources_error(&error_key)));
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_sources(&key, &text)));
        view! {
            <ValidatedField id=format!("sources-{}", field_key.slug()) label="Only from".to_owned()
                hint=format!("{SOURCES_HINT} Empty: everyone.") placeholder="everyone" initial error on_input/>
        }
    };
    let class = class_name(style!(
        r#"
        background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.6rem 0.75rem;
        .status { margin: 0.1rem 0 0.3rem; color: var(--muted); }
        fieldset { border: 0; padding: 0; margin: 0.3rem 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; }
        legend { font-size: 0.9rem; font-weight: 600; padding: 0; }
        "#
    ));
    let label = key.label();
    let stored_key = StoredValue::new(key);
    view! {
        <li class=class data-testid=format!("access-{slug}")>
            <strong>{label}</strong>
            <p class="status" data-testid=format!("access-status-{slug}")>{move || status.get()}</p>
            <ShowIf when=Signal::derive(move || !groups.with(Vec::is_empty))>
                <fieldset>
                    <legend>"Groups"</legend>
                    {keyed_list(move || groups.with(|groups| {
                        keyed_views(groups, move |group| view! { <GroupCheckbox key=stored_key.get_value() group/> })
                    }))}
                </fieldset>
            </ShowIf>
            {field}
        </li>
    }
}

/// A checkbox letting one group reach one service.
#[component]
fn GroupCheckbox(key: ServiceKey, group: Name) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let checked_key = key.clone();
    let checked_group = group.clone();
    let checked = Memo::new(move |_| wizard.with(|wizard| wizard.access(&checked_key).is_some_and(|access| access.groups().contains(&checked_group))));
    let test_id = format!("access-{}-group-{group}", key.slug());
    let label = group.to_string();
    view! {
        <label>
            <input type="checkbox" data-testid=test_id prop:checked=move || checked.get()
                on:change=move |event| {
                    let allowed = event_target_checked(&event);
                    // Groups offered here exist, so the engine cannot refuse them.
                    wizard.update(|wizard| { let _ = wizard.set_group_access(&key, &group, allowed); });
                }/>
            " " {label}
        </label>
    }
}
