//! Never lose work: the design is saved to `localStorage` on every change, several named designs
//! live side by side, a shared link opens its design as a new saved one, and nothing unreadable
//! is ever overwritten. The workbench's rules are kept too (`restore_workbench`,
//! `autosave_workbench`), under their own key.

use leptos::prelude::*;
use portcullis_engine::design::Design;

use crate::browser::{self, StorageError};
use crate::state::bench_storage::{self, BENCH_KEY, MAX_STORED_BYTES, REFUSED_NOTICE, UNREADABLE_KEY};
use crate::state::library::{self, design_key, CURRENT_KEY, DEFAULT_NAME};
use crate::state::workbench::Workbench;
use crate::state::{SessionContext, Wizard, WizardContext};

/// The name a design opened from a link is saved under (made unique).
const SHARED_NAME: &str = "Shared design";

/// Reads storage and the URL fragment, and builds the state the page starts with.
pub(crate) fn restore() -> (Wizard, SessionContext) {
    let shelf = library::read_shelf(browser::storage_entries());
    let mut notices = shelf.problems.clone();
    let mut designs = shelf.designs;
    let mut chosen: Option<(String, Design)> = None;
    match library::design_from_fragment(&browser::location_hash()) {
        Some(Ok(design)) => {
            let name = library::free_name(&designs, SHARED_NAME);
            designs.insert(name.clone(), design.clone());
            notices.push(format!("Opened the design from the link as \u{201c}{name}\u{201d}."));
            chosen = Some((name, design));
            browser::clear_location_hash();
        }
        Some(Err(message)) => notices.push(message),
        None => {}
    }
    let chosen = chosen.or_else(|| {
        let current = browser::storage_get(CURRENT_KEY)?;
        designs.get(&current).map(|design| (current, design.clone()))
    });
    let (name, design) = chosen.unwrap_or_else(|| {
        let name = library::free_name(&designs, DEFAULT_NAME);
        designs.insert(name.clone(), Design::default());
        (name, Design::default())
    });
    let mut wizard = Wizard::with_design(design);
    if designs.len() > 1 || !designs.values().all(|design| *design == Design::default()) {
        // A returning user lands where the work is, not on the presets.
        wizard.go_to(crate::state::Step::Services);
    }
    let session = SessionContext { name: RwSignal::new(name), saved: RwSignal::new(designs.into_keys().collect()), notices: RwSignal::new(notices) };
    (wizard, session)
}

/// The design the wizard is working on, as it saved it: its name and the design. The workbench
/// (another page, another wasm) opens it from here. Nothing is changed in storage.
///
/// # Errors
/// A message for the user when the wizard has saved no design in this browser, or when the
/// saved entry cannot be read.
pub(crate) fn saved_wizard_design() -> Result<(String, Design), String> {
    let name = browser::storage_get(CURRENT_KEY)
        .ok_or_else(|| "The wizard has no design saved in this browser yet: start one in the design wizard first.".to_owned())?;
    let text = browser::storage_get(&design_key(&name))
        .ok_or_else(|| format!("The wizard's design \u{201c}{name}\u{201d} is no longer in this browser's storage."))?;
    let design =
        Design::from_json(&text).map_err(|error| format!("The wizard's design \u{201c}{name}\u{201d} could not be read ({error}); it was left untouched."))?;
    Ok((name, design))
}

/// Saves the current design whenever it (or its name) changes.
pub(crate) fn autosave(WizardContext(wizard): WizardContext, session: SessionContext) {
    Effect::new(move |_| {
        let json = wizard.with(|wizard| wizard.design().to_json());
        let name = session.name.get();
        let outcome = browser::storage_set(&design_key(&name), &json).and_then(|()| browser::storage_set(CURRENT_KEY, &name));
        if let Err(error) = outcome {
            let message = match error {
                StorageError::Unavailable => "This browser does not let the page save: download the design file to keep your work.",
                StorageError::Refused => "The browser refused to save (storage full?): download the design file to keep your work.",
            };
            session.notices.update(|notices| {
                if !notices.iter().any(|notice| notice == message) {
                    notices.push(message.to_owned());
                }
            });
        }
        if !session.saved.with_untracked(|saved| saved.contains(&name)) {
            session.saved.update(|saved| {
                saved.push(name.clone());
                saved.sort();
            });
        }
    });
}

/// Switches to the saved design `name`, keeping the current one saved; `false` (with a notice)
/// when it cannot be read.
pub(crate) fn switch_design(context: WizardContext, session: SessionContext, name: &str) -> bool {
    let read = browser::storage_get(&design_key(name))
        .ok_or_else(|| "it is no longer in this browser's storage".to_owned())
        .and_then(|text| Design::from_json(&text).map_err(|error| error.to_string()));
    match read {
        Ok(design) => {
            context.0.update(|wizard| wizard.switch_to(design));
            session.name.set(name.to_owned());
            true
        }
        Err(error) => {
            session.notices.update(|notices| {
                notices.push(format!("\u{201c}{name}\u{201d} could not be opened ({error}); it was left untouched."));
            });
            false
        }
    }
}

/// Starts a new, empty design under a fresh name, at the first step.
pub(crate) fn new_design(context: WizardContext, session: SessionContext) {
    let name = session.saved.with_untracked(|saved| {
        let taken = saved.iter().map(|name| (name.clone(), Design::default())).collect();
        library::free_name(&taken, "New design")
    });
    context.0.update(|wizard| {
        wizard.switch_to(Design::default());
        wizard.go_to(crate::state::Step::Start);
    });
    session.name.set(name);
}

/// Renames the current design; the old entry goes once the new one is saved.
pub(crate) fn rename_design(context: WizardContext, session: SessionContext, text: &str) -> Result<(), String> {
    let new_name = library::design_name(text)?;
    let old_name = session.name.get_untracked();
    if new_name == old_name {
        return Ok(());
    }
    if session.saved.with_untracked(|saved| saved.contains(&new_name)) {
        return Err(format!("there is already a design called \u{201c}{new_name}\u{201d}"));
    }
    // Saved under the new name first: the old entry goes only once the new one is stored.
    let json = context.0.with_untracked(|wizard| wizard.design().to_json());
    browser::storage_set(&design_key(&new_name), &json)
        .map_err(|_| "the browser refused to save under the new name; the design keeps its old one".to_owned())?;
    session.name.set(new_name);
    browser::storage_remove(&design_key(&old_name));
    session.saved.update(|saved| saved.retain(|name| *name != old_name));
    Ok(())
}

/// Deletes the current saved design and opens another (or a fresh one).
pub(crate) fn delete_design(context: WizardContext, session: SessionContext) {
    let name = session.name.get_untracked();
    browser::storage_remove(&design_key(&name));
    session.saved.update(|saved| saved.retain(|saved_name| *saved_name != name));
    let other = session.saved.with_untracked(|saved| saved.first().cloned());
    if !other.is_some_and(|other| switch_design(context, session, &other)) {
        new_design(context, session);
    }
}

/// The workbench a reload finds (see `state::bench_storage`): the saved one, or an empty one
/// with a notice when the saved entry cannot be read; that entry is moved aside, not lost.
pub(crate) fn restore_workbench() -> (Workbench, Option<String>) {
    let Some(text) = browser::storage_get(BENCH_KEY) else { return (Workbench::default(), None) };
    match bench_storage::from_text(&text) {
        Ok(bench) => (bench, None),
        Err(reason) => {
            let moved = browser::storage_set(UNREADABLE_KEY, &text).is_ok();
            if moved {
                browser::storage_remove(BENCH_KEY);
            }
            (Workbench::default(), Some(bench_storage::unreadable_notice(&reason, moved)))
        }
    }
}

/// How long after the last edit the workbench is saved: a burst of edits writes once, and
/// rendering 10,000 rules to text stays off the edit's frame.
const BENCH_SAVE_DELAY_MS: i32 = 600;

/// Saves the workbench once edits pause (and when it closes), keeping `notice` saying whether
/// the last save failed. A save that cannot be made removes the entry, so a reload never brings
/// back older rules than the ones on screen.
pub(crate) fn autosave_workbench(bench: RwSignal<Workbench>, notice: RwSignal<Option<String>>) {
    // What was last saved: the revision of the rules and the family shown.
    let saved = StoredValue::new(bench.with_untracked(saved_state));
    let save = move || {
        let Some((state, text)) = bench.try_with_untracked(|bench| (saved_state(bench), bench_storage::to_text(bench))) else { return };
        let outcome = if text.len() > MAX_STORED_BYTES {
            Err(bench_storage::too_large_notice(text.len()))
        } else {
            // Unavailable or refused (quota): either way nothing is kept.
            browser::storage_set(BENCH_KEY, &text).map_err(|_| REFUSED_NOTICE.to_owned())
        };
        if outcome.is_err() {
            browser::storage_remove(BENCH_KEY);
        }
        notice.try_set(outcome.err());
        saved.try_set_value(state);
    };
    Effect::new(move |_| {
        let state = bench.with(saved_state);
        if saved.try_get_value() == Some(state) {
            return;
        }
        leptos::task::spawn_local(async move {
            browser::pause(BENCH_SAVE_DELAY_MS).await;
            if bench.try_with_untracked(saved_state) == Some(state) {
                save();
            }
        });
    });
    // Leaving the workbench right after an edit still keeps it: following the link to the
    // wizard's page or closing the tab (`pagehide`), or unmounting it.
    let save_pending = move || {
        let pending = bench.try_with_untracked(saved_state).is_some_and(|state| saved.try_get_value() != Some(state));
        if pending {
            save();
        }
    };
    let leaving = window_event_listener(leptos::ev::pagehide, move |_| save_pending());
    on_cleanup(move || {
        leaving.remove();
        save_pending();
    });
}

/// What a save records: the rules' revision and the family shown.
fn saved_state(bench: &Workbench) -> (u64, portcullis_engine::model::Family) {
    (bench.revision(), bench.family())
}
