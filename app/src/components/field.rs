//! A labelled text field validated as the user types: the hint below it, and the engine's
//! message next to it while the text is refused. Used for every sources list and port list.

use leptos::prelude::*;
use stylist::style;

use crate::theme::class_name;

/// A text input with its label, hint and live error message.
///
/// The input's value is set once from `initial` (the field is re-created when the design is
/// replaced, by undo or by opening another design), so typing is never disturbed.
#[component]
#[allow(clippy::needless_pass_by_value)] // component props are owned by design
pub(crate) fn ValidatedField(
    /// The element id and `data-testid` of the input; the message is `{id}-error`.
    id: String,
    /// The visible label.
    label: String,
    /// A short example of what to type.
    hint: String,
    /// Placeholder shown while empty.
    #[prop(optional, into)]
    placeholder: String,
    /// The text the field starts with.
    initial: String,
    /// Why the current text is refused, while it is.
    error: Signal<Option<String>>,
    /// Called with the text after every keystroke.
    on_input: Callback<String>,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || match error.get() {
            Some(_) => format!("{hint_id} {error_id}"),
            None => hint_id.clone(),
        }
    };
    let class = class_name(style!(
        r#"
        margin: 0.5rem 0 0.1rem;
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
            <label for=id.clone()>{label}</label>
            <input
                id=id.clone()
                type="text"
                data-testid=id.clone()
                autocomplete="off"
                spellcheck="false"
                placeholder=placeholder
                prop:value=initial
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |event| on_input.run(event_target_value(&event))
            />
            <p class="hint" id=hint_id>{hint}</p>
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
