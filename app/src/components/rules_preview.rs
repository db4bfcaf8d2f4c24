//! The generated rules of the current step, each explained in words on hover and on focus.
//! The list is keyed by rule: an edit adds and removes only the rules it changed.

use std::cell::Cell;

use leptos::prelude::*;
use portcullis_engine::design::preview::PreviewRule;
use stylist::style;

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use crate::reviewing::Reviewing;
use crate::state::review::step_rules;
use crate::state::WizardContext;
use crate::theme::class_name;

thread_local! {
    /// The last id given to an explanation: ids stay unique as keyed items come and go.
    static LAST_EXPLANATION_ID: Cell<u64> = const { Cell::new(0) };
}

fn next_explanation_id() -> u64 {
    LAST_EXPLANATION_ID.with(|last| {
        last.set(last.get() + 1);
        last.get()
    })
}

/// The rules the current step adds (all of them at the start and in the review). The rules are
/// the page's own, at once; their explanations come with the analysis worker's review.
#[component]
pub(crate) fn RulesPreview() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let reviewing = expect_context::<Reviewing>();
    let rules = Memo::new(move |_| wizard.with(|wizard| step_rules(wizard.design(), wizard.step())));
    let heading = move || match wizard.with(crate::state::Wizard::step) {
        crate::state::Step::Start | crate::state::Step::Review => "All generated rules",
        crate::state::Step::Services | crate::state::Step::Access => "Rules for your services",
        crate::state::Step::Protections => "Rules for these protections",
    };
    let class = class_name(style!(
        r#"
        background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.75rem;
        min-width: 0; align-self: start;
        h2 { font-size: 1.05rem; margin: 0 0 0.2rem; }
        .hint { margin: 0 0 0.5rem; color: var(--muted); font-size: 0.88rem; }
        ol { list-style: none; margin: 0; padding: 0; max-height: 36rem; overflow: auto; }
        /* Rules scrolled out of the list's view are not laid out again on each edit. */
        li { position: relative; padding: 0.25rem 0.35rem; border-radius: 0.3rem; content-visibility: auto; contain-intrinsic-size: auto 2.6rem; }
        li:hover, li:focus { background: var(--code-bg); }
        code { font: 0.78rem/1.4 var(--mono); overflow-wrap: anywhere; }
        .family { font: 0.7rem var(--mono); color: var(--muted); margin-right: 0.35rem; }
        .explanation { display: none; margin: 0.2rem 0 0.1rem; font-size: 0.88rem; }
        li:hover .explanation, li:focus .explanation { display: block; }
        .empty { color: var(--muted); }
        "#
    ));
    view! {
        <aside class=class aria-labelledby="rules-preview-heading" data-testid="rules-preview">
            <h2 id="rules-preview-heading">{heading}</h2>
            <p class="hint">"Hover or focus (Tab) a rule to read what it does."</p>
            <ShowIf when=Signal::derive(move || !rules.with(Vec::is_empty))
                fallback=|| view! { <p class="empty" data-testid="rules-preview-empty">"No rule yet for this step."</p> }>
                <ol>
                    {keyed_list(move || rules.with(|rules| keyed_views(rules, move |rule: PreviewRule| {
                        let explanation_id = format!("rule-explanation-{}", next_explanation_id());
                        let described_by = explanation_id.clone();
                        let explanation = {
                            let rule = rule.clone();
                            move || reviewing.explanation(&rule)
                        };
                        view! {
                            <li tabindex="0" data-testid="preview-rule" aria-describedby=described_by>
                                <span class="family">{rule.family.name()}</span>
                                <code>{rule.text}</code>
                                <p class="explanation" id=explanation_id data-testid="rule-explanation">{explanation}</p>
                            </li>
                        }
                    })))}
                </ol>
            </ShowIf>
        </aside>
    }
}
