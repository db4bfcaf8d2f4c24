//! The framework half of the size probes: the Leptos, stylist and web-sys features the wizard's views
//! use, in one trivial view.

use leptos::prelude::*;
use stylist::style;

#[component]
fn Entry(name: String, checked: RwSignal<bool>) -> impl IntoView {
    view! {
        <li>
            <label>
                <input type="checkbox" prop:checked=move || checked.get() on:change=move |event| checked.set(event_target_checked(&event))/>
                {name}
            </label>
        </li>
    }
}

/// The probe's page; with `derive`, it also shows the size of what the engine derives from the typed text.
pub(crate) fn probe(derive: Option<fn(&str, usize) -> String>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let names = RwSignal::new(vec!["ssh".to_owned(), "http".to_owned()]);
    let checked = RwSignal::new(false);
    let count = Memo::new(move |_| names.with(Vec::len));
    provide_context(checked);
    Effect::new(move |_| {
        let count = count.get().to_string();
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item("size-probe", &count);
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |event| {
        if event.key() == "z" {
            checked.update(|checked| *checked = !*checked);
        }
    });
    on_cleanup(move || keys.remove());
    let class = style!("div { color: red; } .note { margin: 0; }").map(|style| style.get_class_name().to_owned()).unwrap_or_default();
    view! {
        <div class=class>
            <input type="text" prop:value=move || typed.get() on:input=move |event| typed.set(event_target_value(&event))/>
            <button on:click=move |_| names.update(|names| names.push(typed.get_untracked()))>"Add"</button>
            <p>{move || count.get()}</p>
            <p>{move || derive.map(|derive| derive(&typed.get(), count.get()).len())}</p>
            <Show when=move || checked.get() fallback=|| view! { <p class="note">"off"</p> }><p>"on"</p></Show>
            <ul><For each=move || names.get() key=Clone::clone let:name><Entry name checked/></For></ul>
            {move || if checked.get() { view! { <p>"checked"</p> }.into_any() } else { view! { <span>"not checked"</span> }.into_any() }}
        </div>
    }
}
