//! "Paste from your server": the output of a few commands turned into a design, offline.

use leptos::prelude::*;
use portcullis_engine::diagnostic::LineIndex;
use portcullis_engine::survey::survey;

use crate::state::WizardContext;

/// The commands to run on the server, as the panel shows them for copying.
const COMMANDS: &str = "sudo ss -tlnpu; ip -br addr; sudo iptables-save; sudo ip6tables-save";

/// What one reading of the paste gave: the choices made and the lines that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    summary: String,
    choices: Vec<String>,
    findings: Vec<String>,
}

/// Reads `text`, and opens the design that fits it (undo returns to the previous one).
fn read_paste(text: &str, wizard: RwSignal<crate::state::Wizard>) -> Reading {
    let found = survey(text);
    let (design, choices) = found.design();
    let lines = LineIndex::new(text);
    let mut findings: Vec<String> = found
        .diagnostics
        .iter()
        .map(|diagnostic| format!("line {}: {} ({})", lines.position(text, diagnostic.span.start).0, diagnostic.message, diagnostic.code))
        .collect();
    findings.extend(found.conflicts(&design).iter().map(|diagnostic| diagnostic.message.clone()));
    let recognised = found.has_listener_output || !found.interfaces.is_empty() || !found.tools.is_empty();
    let summary = if recognised {
        wizard.update(|wizard| wizard.open(design));
        let tools = if found.tools.is_empty() { String::new() } else { format!("; other tools: {}", found.tools.join(", ")) };
        format!("{} listening sockets, {} interfaces{tools}. The design below fits them (undo returns to the previous one).", found.listeners.len(), found.interfaces.len())
    } else {
        "Nothing in the paste was recognised; your design is unchanged.".to_owned()
    };
    Reading { summary, choices: choices.into_iter().map(|choice| choice.text).collect(), findings }
}

/// The survey panel of the start step.
#[component]
pub(crate) fn ServerSurvey() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let paste = RwSignal::new(String::new());
    let reading = RwSignal::new(None::<Reading>);
    view! {
        <details data-testid="server-survey">
            <summary>"Paste from your server"</summary>
            <p>"Run on the server, then paste everything it prints here. It stays in this page: nothing is sent anywhere."</p>
            <pre><code data-testid="survey-commands">{COMMANDS}</code></pre>
            <textarea rows="8" aria-label="What the commands printed" data-testid="survey-paste"
                prop:value=move || paste.get() on:input=move |event| paste.set(event_target_value(&event))></textarea>
            <button type="button" data-testid="survey-read" on:click=move |_| reading.set(Some(read_paste(&paste.get_untracked(), wizard)))>
                "Make a design from it"
            </button>
            {move || reading.get().map(|reading| view! {
                <div role="status" data-testid="survey-outcome">
                    <p>{reading.summary}</p>
                    <ul data-testid="survey-choices">{reading.choices.into_iter().map(|choice| view! { <li>{choice}</li> }).collect_view()}</ul>
                    <ul class="error" data-testid="survey-findings">{reading.findings.into_iter().map(|finding| view! { <li>{finding}</li> }).collect_view()}</ul>
                </div>
            })}
        </details>
    }
}
