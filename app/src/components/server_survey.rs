//! "Paste from your server": the output of a few commands turned into a design, offline. The
//! analysis worker reads the paste (it carries the dump importer, the wizard's page does not).

use leptos::prelude::*;
use portcullis_engine::design::survey_job::{read_reply, to_message};

use crate::state::WizardContext;
use crate::worker::{self, Reply};

/// The commands to run on the server, as the panel shows them for copying.
const COMMANDS: &str = "sudo ss -tlnpu; ip -br addr; sudo iptables-save; sudo ip6tables-save";

/// What one reading of the paste gave: the choices made and the lines that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    summary: String,
    choices: Vec<String>,
    findings: Vec<String>,
}

impl Reading {
    fn only(summary: &str) -> Self {
        Self { summary: summary.to_owned(), choices: Vec::new(), findings: Vec::new() }
    }
}

/// Has the worker read `text`, and opens the design that fits it (undo returns to the previous one).
async fn read_paste(text: String, wizard: RwSignal<crate::state::Wizard>) -> Reading {
    let reply = match worker::ask(&to_message(&text)).await {
        Reply::Answer(message) => read_reply(&message),
        Reply::Overtaken => return Reading::only("Another check started meanwhile: press the button again."),
        Reply::Crashed => return Reading::only(crate::worker::CRASHED_TWICE),
        Reply::Unavailable => return Reading::only("This browser did not start Portcullis' analysis worker: reload the page to try again."),
    };
    let reply = match reply.and_then(|reply| reply.design().map(|design| (reply, design))) {
        Ok(read) => read,
        Err(error) => return Reading::only(&format!("The paste could not be read: {error}")),
    };
    let (reply, design) = reply;
    let summary = if reply.recognised {
        wizard.update(|wizard| wizard.open(design));
        format!("{} The design below fits them (undo returns to the previous one).", reply.summary)
    } else {
        "Nothing in the paste was recognised; your design is unchanged.".to_owned()
    };
    Reading { summary, choices: reply.choices, findings: reply.findings }
}

/// The survey panel of the start step.
#[component]
pub(crate) fn ServerSurvey() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let paste = RwSignal::new(String::new());
    let reading = RwSignal::new(None::<Reading>);
    let busy = RwSignal::new(false);
    let read = move |_| {
        busy.set(true);
        let text = paste.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = read_paste(text, wizard).await;
            reading.set(Some(outcome));
            busy.set(false);
        });
    };
    view! {
        <details data-testid="server-survey">
            <summary>"Paste from your server"</summary>
            <p>"Run on the server, then paste everything it prints here. It stays in this page: nothing is sent anywhere."</p>
            <pre><code data-testid="survey-commands">{COMMANDS}</code></pre>
            <textarea rows="8" aria-label="What the commands printed" data-testid="survey-paste"
                prop:value=move || paste.get() on:input=move |event| paste.set(event_target_value(&event))></textarea>
            <button type="button" data-testid="survey-read" prop:disabled=move || busy.get() on:click=read>
                {move || if busy.get() { "Reading…" } else { "Make a design from it" }}
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
