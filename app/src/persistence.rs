//! Never lose work: the design is saved to `localStorage` on every change, several named designs
//! live side by side, a shared link opens its design as a new saved one, and nothing unreadable
//! is ever overwritten.

use leptos::prelude::*;
use portcullis_engine::design::Design;

use crate::browser::{self, StorageError};
use crate::state::library::{self, design_key, CURRENT_KEY, DEFAULT_NAME};
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
    let session = SessionContext {
        name: RwSignal::new(name),
        saved: RwSignal::new(designs.into_keys().collect()),
        notices: RwSignal::new(notices),
    };
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
    let design = Design::from_json(&text)
        .map_err(|error| format!("The wizard's design \u{201c}{name}\u{201d} could not be read ({error}); it was left untouched."))?;
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
