//! Step 1: start from a server-role preset, from what the server runs (a pasted survey), or
//! open a design file, a saved design or a link.

use leptos::prelude::*;
use portcullis_engine::design::{Design, Preset};
use stylist::style;

use crate::state::{SessionContext, WizardContext};
use crate::theme::class_name;

/// The start step.
#[component]
pub(crate) fn StartStep() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let class = class_name(style!(
        r#"
        h2 { font-size: 1.2rem; margin: 0 0 0.25rem; }
        .intro { margin: 0 0 0.75rem; color: var(--muted); }
        ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); }
        button.preset {
            width: 100%; height: 100%; text-align: left; padding: 0.75rem; cursor: pointer;
            background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem;
        }
        button.preset:hover { border-color: var(--accent); }
        .name { display: block; font-weight: 600; margin-bottom: 0.2rem; }
        .description { display: block; color: var(--muted); font-size: 0.92rem; }
        h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
        "#
    ));
    view! {
        <section class=class aria-labelledby="start-heading" data-testid="step-start">
            <h2 id="start-heading">"What is this server for?"</h2>
            <p class="intro">"Pick the closest role; you can change every choice in the next steps."</p>
            <ul>
                {Preset::ALL.map(|preset| view! {
                    <li>
                        <button type="button" class="preset" data-testid=format!("preset-{}", preset.slug())
                            on:click=move |_| wizard.update(|wizard| wizard.start_from(preset))>
                            <span class="name">{preset.name()}</span>
                            <span class="description">{preset.description()}</span>
                        </button>
                    </li>
                }).collect_view()}
            </ul>
            <h3>"Or start from what your server runs"</h3>
            <crate::components::ServerSurvey/>
            <h3>"Or open a design"</h3>
            <OpenDesignFile/>
        </section>
    }
}

/// Opens a design file chosen from disk; an old version is migrated, a bad file explained and
/// the current design kept.
#[component]
pub(crate) fn OpenDesignFile() -> impl IntoView {
    let context = expect_context::<WizardContext>();
    let session = expect_context::<SessionContext>();
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let on_change = move |event: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&event);
        leptos::task::spawn_local(async move {
            let Some(read) = crate::browser::read_chosen_file(&input).await else { return };
            input.set_value("");
            let opened = read.and_then(|(file_name, text)| {
                Design::from_json(&text)
                    .map(|design| (file_name.clone(), design))
                    .map_err(|error| format!("{file_name} was not opened: {error}. Your current design is unchanged."))
            });
            match opened {
                Ok((file_name, design)) => {
                    context.0.update(|wizard| {
                        wizard.open(design);
                        wizard.go_to(crate::state::Step::Services);
                    });
                    outcome.set(Some(Ok(format!("Opened {file_name} (undo returns to the previous design)."))));
                }
                Err(message) => {
                    session.notices.update(|notices| notices.push(message.clone()));
                    outcome.set(Some(Err(message)));
                }
            }
        });
    };
    view! {
        <label>
            "Design file (.json) "
            <input type="file" accept=".json,application/json" data-testid="open-design-file" on:change=on_change/>
        </label>
        <p role="status" data-testid="open-design-outcome">
            {move || outcome.get().map(|result| match result { Ok(message) | Err(message) => message })}
        </p>
    }
}
