//! The catalogue as lists of services to tick, grouped by purpose, each with its trusted-sources
//! field.

use leptos::prelude::*;
use portcullis_engine::design::{Purpose, Risk, ServiceId, ServiceInfo, CATALOGUE};
use stylist::style;

use crate::state::DesignContext;
use crate::theme::class_name;

/// Every service of the catalogue, grouped by purpose, closed until ticked.
#[component]
pub(crate) fn ServiceList() -> impl IntoView {
    let class = class_name(style!(
        r#"
        h2 { font-size: 1.15rem; margin: 0 0 0.25rem; }
        .intro { margin: 0 0 0.75rem; color: var(--muted); }
        h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
        ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
        "#
    ));
    view! {
        <section class=class aria-labelledby="services-heading">
            <h2 id="services-heading">"Services to open"</h2>
            <p class="intro">
                "Everything is closed to incoming connections unless you open it here. "
                "Replies to connections this server makes are always allowed."
            </p>
            {Purpose::ALL.map(|purpose| view! { <PurposeGroup purpose/> }).collect_view()}
        </section>
    }
}

/// The services of one purpose under its heading.
#[component]
fn PurposeGroup(
    /// The purpose whose services are listed.
    purpose: Purpose,
) -> impl IntoView {
    let services = CATALOGUE.iter().filter(move |info| info.purpose() == purpose);
    view! {
        <h3>{purpose.label()}</h3>
        <ul>{services.map(|info| view! { <ServiceRow info/> }).collect_view()}</ul>
    }
}

/// One service: a checkbox with its name, ports and explanation, and, while ticked, the field
/// that restricts it to trusted sources.
#[component]
fn ServiceRow(
    /// The catalogue entry shown.
    info: &'static ServiceInfo,
) -> impl IntoView {
    let DesignContext(state) = expect_context::<DesignContext>();
    let service = info.id();
    let slug = service.as_str();
    let is_open = Memo::new(move |_| state.with(|state| state.is_open(service)));
    let on_change = move |event: leptos::ev::Event| {
        let open = event_target_checked(&event);
        state.update(|state| state.set_open(service, open));
    };
    let class = class_name(style!(
        r#"
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        padding: 0.6rem 0.75rem;
        label.service {
            display: flex;
            flex-wrap: wrap;
            align-items: baseline;
            gap: 0.25rem 0.6rem;
            cursor: pointer;
        }
        input[type="checkbox"] {
            width: 1.1rem;
            height: 1.1rem;
            margin: 0;
            align-self: center;
            accent-color: var(--accent);
        }
        .name { font-weight: 600; }
        .ports { font: 0.85rem var(--mono); color: var(--muted); }
        .risk { font-size: 0.8rem; color: var(--error); }
        .explanation { margin: 0.2rem 0 0 1.7rem; color: var(--muted); font-size: 0.92rem; }
        "#
    ));
    view! {
        <li class=class>
            <label class="service">
                <input
                    type="checkbox"
                    data-testid=format!("service-{slug}")
                    aria-describedby=format!("explanation-{slug}")
                    prop:checked=move || is_open.get()
                    on:change=on_change
                />
                <span class="name">{info.name()}</span>
                <span class="ports">{info.ports_text()}</span>
                {(info.risk() == Risk::High).then(|| view! { <span class="risk">"keep private"</span> })}
            </label>
            <p class="explanation" id=format!("explanation-{slug}")>{info.explanation()}</p>
            <Show when=move || is_open.get()>
                <SourcesField service/>
            </Show>
        </li>
    }
}

/// The field restricting a ticked service to trusted sources, validated as the user types.
#[component]
fn SourcesField(
    /// The service whose sources this field edits.
    service: ServiceId,
) -> impl IntoView {
    let DesignContext(state) = expect_context::<DesignContext>();
    let slug = service.as_str();
    let input_id = format!("sources-{slug}");
    let hint_id = format!("sources-hint-{slug}");
    let error_id = format!("sources-error-{slug}");
    let error =
        Memo::new(move |_| state.with(|state| state.sources_error(service).map(str::to_owned)));
    let initial_text = state.with_untracked(|state| state.sources_text(service).to_owned());
    let on_input = move |event: leptos::ev::Event| {
        let text = event_target_value(&event);
        state.update(|state| state.edit_sources(service, &text));
    };
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || match error.get() {
            Some(_) => format!("{hint_id} {error_id}"),
            None => hint_id.clone(),
        }
    };
    let class = class_name(style!(
        r#"
        margin: 0.5rem 0 0.1rem 1.7rem;
        label { display: block; font-size: 0.9rem; font-weight: 600; }
        input {
            box-sizing: border-box;
            width: 100%;
            max-width: 32rem;
            margin-top: 0.2rem;
            padding: 0.4rem 0.5rem;
            font: 0.95rem var(--mono);
            color: var(--text);
            background: var(--bg);
            border: 1px solid var(--border);
            border-radius: 0.35rem;
        }
        input[aria-invalid="true"] { border-color: var(--error); }
        .hint { margin: 0.2rem 0 0; font-size: 0.85rem; color: var(--muted); }
        .error { margin: 0.2rem 0 0; font-size: 0.9rem; color: var(--error); }
        "#
    ));
    view! {
        <div class=class>
            <label for=input_id.clone()>"Only from"</label>
            <input
                id=input_id
                type="text"
                data-testid=format!("sources-{slug}")
                autocomplete="off"
                spellcheck="false"
                placeholder="everyone"
                prop:value=initial_text
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=on_input
            />
            <p class="hint" id=hint_id>
                "Addresses or networks, e.g. 203.0.113.7, 2001:db8::/32 — leave empty for everyone."
            </p>
            <div aria-live="polite">
                {move || {
                    error
                        .get()
                        .map(|message| {
                            view! {
                                <p class="error" id=error_id.clone() data-testid=error_id.clone()>
                                    {message}
                                </p>
                            }
                        })
                }}
            </div>
        </div>
    }
}
