//! The list of steps (current one marked) and the Back / Next buttons under each step.

use leptos::prelude::*;
use stylist::style;

use crate::state::{Step, WizardContext};
use crate::theme::class_name;

/// The steps as a navigation list; any step can be visited in any order.
#[component]
pub(crate) fn StepNav() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let current = Memo::new(move |_| wizard.with(crate::state::Wizard::step));
    let class = class_name(style!(
        r#"
        ol { list-style: none; display: flex; flex-wrap: wrap; gap: 0.35rem; margin: 0; padding: 0; counter-reset: step; }
        li { counter-increment: step; }
        button {
            padding: 0.35rem 0.75rem; border-radius: 999px; cursor: pointer;
            border: 1px solid var(--border); background: var(--surface);
        }
        button::before { content: counter(step) ". "; color: var(--muted); }
        button[aria-current="step"] { background: var(--accent); color: var(--accent-text); border-color: var(--accent); }
        button[aria-current="step"]::before { color: inherit; }
        "#
    ));
    view! {
        <nav class=class aria-label="Steps">
            <ol>
                {Step::ALL.map(|step| view! {
                    <li>
                        <button type="button" data-testid=format!("nav-{}", step.slug())
                            aria-current=move || (current.get() == step).then_some("step")
                            on:click=move |_| wizard.update(|wizard| wizard.go_to(step))>
                            {step.label()}
                        </button>
                    </li>
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// Back and Next under the current step.
#[component]
pub(crate) fn StepButtons() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let current = Memo::new(move |_| wizard.with(crate::state::Wizard::step));
    let go = move |step: Option<Step>| {
        if let Some(step) = step {
            wizard.update(|wizard| wizard.go_to(step));
        }
    };
    let class = class_name(style!(
        r#"
        display: flex; justify-content: space-between; gap: 0.5rem; margin-top: 1rem;
        button { padding: 0.45rem 1.1rem; border-radius: 0.35rem; cursor: pointer; border: 1px solid var(--accent); }
        .next { background: var(--accent); color: var(--accent-text); margin-left: auto; }
        .back { background: transparent; color: var(--accent); }
        "#
    ));
    view! {
        <div class=class>
            {move || current.get().previous().map(|step| view! {
                <button type="button" class="back" data-testid="step-back" on:click=move |_| go(Some(step))>
                    {format!("Back: {}", step.label())}
                </button>
            })}
            {move || current.get().next().map(|step| view! {
                <button type="button" class="next" data-testid="step-next" on:click=move |_| go(Some(step))>
                    {format!("Next: {}", step.label())}
                </button>
            })}
        </div>
    }
}
