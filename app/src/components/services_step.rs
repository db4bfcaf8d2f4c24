//! Step 2: the catalogue as searchable cards grouped by purpose, and custom ports.

use leptos::prelude::*;
use portcullis_engine::design::{Purpose, Risk, ServiceInfo, Transport, CATALOGUE};
use stylist::style;

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use crate::state::WizardContext;
use crate::theme::class_name;

/// Whether `info` matches the search text: name, id, aliases or ports, ignoring case.
fn matches_search(info: &ServiceInfo, search: &str) -> bool {
    let search = search.trim().to_ascii_lowercase();
    search.is_empty()
        || info.name().to_ascii_lowercase().contains(&search)
        || info.id().as_str().contains(&search)
        || info.aliases().iter().any(|alias| alias.to_ascii_lowercase().contains(&search))
        || info.ports_text().to_ascii_lowercase().contains(&search)
}

/// The services step.
#[component]
pub(crate) fn ServicesStep() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let class = class_name(style!(
        r#"
        h2 { font-size: 1.2rem; margin: 0 0 0.25rem; }
        .intro { margin: 0 0 0.75rem; color: var(--muted); }
        h3 { font-size: 1rem; margin: 1rem 0 0.4rem; }
        ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.5rem; }
        .search { display: block; font-weight: 600; margin-bottom: 0.5rem; }
        .search input {
            display: block; box-sizing: border-box; width: 100%; max-width: 28rem; margin-top: 0.2rem;
            padding: 0.45rem 0.55rem; background: var(--surface); border: 1px solid var(--border);
            border-radius: 0.35rem;
        }
        .none { color: var(--muted); }
        "#
    ));
    let any_match = move || search.with(|search| CATALOGUE.iter().any(|info| matches_search(info, search)));
    view! {
        <section class=class aria-labelledby="services-heading" data-testid="step-services">
            <h2 id="services-heading">"Which services does this server offer?"</h2>
            <p class="intro">
                "Everything is closed to incoming connections unless you open it here. "
                "Replies to connections this server makes (updates, DNS) always work."
            </p>
            <label class="search">
                "Search services"
                <input
                    type="search"
                    data-testid="service-search"
                    placeholder="ssh, mail, 5432, database…"
                    on:input=move |event| search.set(event_target_value(&event))
                />
            </label>
            <ShowIf when=Signal::derive(move || !any_match())>
                <p class="none" data-testid="no-service-found">
                    "No service matches. Add it below as a custom service with its ports."
                </p>
            </ShowIf>
            {Purpose::ALL.map(|purpose| view! { <PurposeGroup purpose search/> }).collect_view()}
            <CustomServices/>
        </section>
    }
}

/// The services of one purpose under its heading, hidden when the search leaves none.
#[component]
fn PurposeGroup(purpose: Purpose, search: RwSignal<String>) -> impl IntoView {
    let services: Vec<&'static ServiceInfo> = CATALOGUE.iter().filter(|info| info.purpose() == purpose).collect();
    let visible = {
        let services = services.clone();
        move || search.with(|search| services.iter().any(|info| matches_search(info, search)))
    };
    view! {
        <div hidden=move || !visible()>
            <h3>{purpose.label()}</h3>
            <ul>
                {services
                    .into_iter()
                    .map(|info| {
                        let shown = move || search.with(|search| matches_search(info, search));
                        view! { <ServiceCard info shown=Signal::derive(shown)/> }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// One service: a checkbox with its name, ports, risk, explanation and cleartext hint.
#[component]
fn ServiceCard(info: &'static ServiceInfo, shown: Signal<bool>) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let service = info.id();
    let slug = service.as_str();
    let key = crate::state::ServiceKey::Catalogue(service);
    let is_open = Memo::new(move |_| wizard.with(|wizard| wizard.is_open(&key)));
    let on_change = move |event: leptos::ev::Event| {
        let open = event_target_checked(&event);
        wizard.update(|wizard| wizard.set_open(service, open));
    };
    let class = class_name(style!(
        r#"
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        padding: 0.6rem 0.75rem;
        label { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.25rem 0.6rem; cursor: pointer; }
        input { width: 1.1rem; height: 1.1rem; margin: 0; align-self: center; accent-color: var(--accent); }
        .name { font-weight: 600; }
        .ports { font: 0.85rem var(--mono); color: var(--muted); }
        .risk { font-size: 0.8rem; color: var(--error); }
        .explanation, .cleartext { margin: 0.2rem 0 0 1.7rem; color: var(--muted); font-size: 0.92rem; }
        .cleartext { color: var(--warning); }
        "#
    ));
    let secure = info.secure_alternative().map(|alternative| alternative.info().name());
    view! {
        <li class=class hidden=move || !shown.get()>
            <label>
                <input
                    type="checkbox"
                    data-testid=format!("service-{slug}")
                    aria-describedby=format!("explanation-{slug}")
                    prop:checked=move || is_open.get()
                    on:change=on_change
                />
                <span class="name">{info.name()}</span>
                <span class="ports">{info.ports_text()}</span>
                {(info.risk() == Risk::High).then(|| view! { <span class="risk">"high risk: keep private"</span> })}
            </label>
            <p class="explanation" id=format!("explanation-{slug}")>{info.explanation()}</p>
            {info.is_cleartext().then(|| {
                let hint = match secure {
                    Some(secure) => format!("Cleartext: passwords cross the network readable. Prefer {secure}."),
                    None => "Cleartext: passwords cross the network readable.".to_owned(),
                };
                view! { <p class="cleartext" data-testid=format!("cleartext-{slug}")>{hint}</p> }
            })}
        </li>
    }
}

/// Custom services: a name, TCP/UDP/both and ports, and the list of those added.
#[component]
fn CustomServices() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let name = RwSignal::new(String::new());
    let ports = RwSignal::new(String::new());
    let transport = RwSignal::new(Transport::Tcp);
    let error = RwSignal::new(None::<String>);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let outcome = wizard.try_update(|wizard| wizard.add_custom(&name.get_untracked(), transport.get_untracked(), &ports.get_untracked()));
        match outcome {
            Some(Err(message)) => error.set(Some(message)),
            _ => {
                error.set(None);
                name.set(String::new());
                ports.set(String::new());
            }
        }
    };
    let customs = Memo::new(move |_| {
        wizard.with(|wizard| wizard.design().custom_services().map(|(service, _)| (service.name().clone(), service.ports_text())).collect::<Vec<_>>())
    });
    let class = class_name(style!(
        r#"
        margin-top: 1.25rem;
        form { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
        label { display: grid; font-size: 0.9rem; font-weight: 600; gap: 0.2rem; }
        input, select {
            padding: 0.4rem 0.5rem; background: var(--surface); border: 1px solid var(--border);
            border-radius: 0.35rem; font-weight: 400;
        }
        button { padding: 0.4rem 0.9rem; border-radius: 0.35rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-text); cursor: pointer; }
        button.remove { background: transparent; color: var(--accent); padding: 0.1rem 0.5rem; }
        .error { color: var(--error); margin: 0.3rem 0 0; }
        li { display: flex; gap: 0.6rem; align-items: center; }
        .ports { font: 0.85rem var(--mono); color: var(--muted); }
        "#
    ));
    view! {
        <div class=class>
            <h3>"Custom services"</h3>
            <form on:submit=add aria-describedby="custom-error">
                <label>
                    "Name"
                    <input data-testid="custom-name" prop:value=move || name.get() on:input=move |event| name.set(event_target_value(&event)) placeholder="game"/>
                </label>
                <label>
                    "Protocol"
                    <select data-testid="custom-transport" on:change=move |event| {
                        let chosen = match event_target_value(&event).as_str() {
                            "udp" => Transport::Udp,
                            "both" => Transport::TcpAndUdp,
                            _ => Transport::Tcp,
                        };
                        transport.set(chosen);
                    }>
                        <option value="tcp">"TCP"</option>
                        <option value="udp">"UDP"</option>
                        <option value="both">"TCP and UDP"</option>
                    </select>
                </label>
                <label>
                    "Ports"
                    <input data-testid="custom-ports" prop:value=move || ports.get() on:input=move |event| ports.set(event_target_value(&event)) placeholder="27015, 27020-27030"/>
                </label>
                <button type="submit" data-testid="custom-add">"Add"</button>
            </form>
            <div aria-live="polite" id="custom-error">
                {move || error.get().map(|message| view! { <p class="error" data-testid="custom-error">{message}</p> })}
            </div>
            <ul>
                {keyed_list(move || customs.with(|customs| keyed_views(customs, move |(name, ports)| {
                    let label = name.to_string();
                    let removed = name.clone();
                    view! {
                        <li data-testid=format!("custom-{label}")>
                            <strong>{label.clone()}</strong>
                            <span class="ports">{ports}</span>
                            <button type="button" class="remove" aria-label=format!("Remove {label}")
                                on:click=move |_| wizard.update(|wizard| wizard.remove_custom(&removed))>"Remove"</button>
                        </li>
                    }
                })))}
            </ul>
        </div>
    }
}
