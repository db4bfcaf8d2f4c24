//! Keeps the review of the design on screen up to date: the analysis worker's summary, rule
//! explanations, findings and files ([`CheckedReview`]). `App` starts it and provides it to every
//! step: the rules preview of each step shows the review's explanations, the review step its
//! summary, findings and files.

use std::cell::Cell;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_engine::design::preview::PreviewRule;
use portcullis_engine::design::Design;
use portcullis_engine::export::script::Distro;

use crate::state::review::CheckedReview;
use crate::state::{Wizard, WizardContext};

/// What a rule's explanation says until the worker has explained it.
const EXPLAINING: &str = "Explaining this rule…";

/// The review of the design on screen, as the worker last answered it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reviewing {
    /// The distribution the script persists the rules for.
    pub(crate) distro: RwSignal<Distro>,
    /// The last answer (of this design, or of an earlier one while `up_to_date` is false).
    pub(crate) checked: RwSignal<Option<CheckedReview>>,
    /// Whether `checked` is the review of the design and distribution on screen.
    pub(crate) up_to_date: Memo<bool>,
}

impl Reviewing {
    /// Reviews the wizard's design now and after each change.
    pub(crate) fn start(WizardContext(wizard): WizardContext) -> Self {
        let design = Memo::new(move |_| wizard.with(|wizard: &Wizard| wizard.design().clone()));
        let distro = RwSignal::new(Distro::Debian);
        let checked = RwSignal::new(None::<CheckedReview>);
        review_each_change(design, distro, checked);
        let up_to_date =
            Memo::new(move |_| checked.with(|checked| checked.as_ref().is_some_and(|checked| design.with(|design| checked.is_of(design, distro.get())))));
        Self { distro, checked, up_to_date }
    }

    /// What `rule` does, in words; until the worker explains it, that it is on its way, or why
    /// the worker could not run.
    pub(crate) fn explanation(self, rule: &PreviewRule) -> String {
        let up_to_date = self.up_to_date.get();
        self.checked.with(|checked| {
            let Some(checked) = checked else { return EXPLAINING.to_owned() };
            match (checked.explanation(rule), checked.error()) {
                (Some(words), _) => words.to_owned(),
                (None, Some(error)) if up_to_date => error.to_owned(),
                (None, _) => EXPLAINING.to_owned(),
            }
        })
    }
}

/// Asks the worker to review each new design (or distribution). One job at a time: edits made
/// while one runs are reviewed together once it is answered (the newest design then), so
/// typing never queues a job per key.
fn review_each_change(design: Memo<Design>, distro: RwSignal<Distro>, checked: RwSignal<Option<CheckedReview>>) {
    let in_flight = Rc::new(Cell::new(false));
    Effect::new(move |_| {
        let (wanted, for_distro) = (design.get(), distro.get());
        if in_flight.get() || checked.with_untracked(|checked| checked.as_ref().is_some_and(|checked| checked.is_of(&wanted, for_distro))) {
            return;
        }
        in_flight.set(true);
        let in_flight = Rc::clone(&in_flight);
        spawn_local(async move {
            // `try_`: the page may have been unmounted meanwhile.
            while let (Some(wanted), Some(for_distro)) = (design.try_get_untracked(), distro.try_get_untracked()) {
                if checked.try_with_untracked(|checked| checked.as_ref().is_some_and(|checked| checked.is_of(&wanted, for_distro))) != Some(false) {
                    break;
                }
                let Some(review) = CheckedReview::of(wanted, for_distro).await else { break };
                if checked.try_set(Some(review)).is_some() {
                    break;
                }
            }
            in_flight.set(false);
        });
    });
}
