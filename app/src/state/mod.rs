//! The page's state as plain data with named mutations; components only call them.
//!
//! - [`Wizard`]: the design, the text being typed, the current step, undo/redo; its advanced
//!   options (interfaces, NAT) live in `advanced.rs`.
//! - `library`: saved designs and share links (what goes to `localStorage` and the URL fragment).
//! - `review`: what is derived from a design (each step's rules, explained; the findings).
//! - `workbench`, `bench_view`, `import_text`: the workbench's rules being edited, what its
//!   panels share, and the code frames of an import.
//! - `simulator`: packet presets and form edits, a simulation run, its trace marks and lines.

pub(crate) mod bench_view;
#[cfg(test)]
mod edit_profile;
mod history;
pub(crate) mod import_text;
pub(crate) mod library;
pub(crate) mod review;
pub(crate) mod simulator;
mod wizard;
pub(crate) mod workbench;
#[cfg(test)]
mod workbench_profile;

pub(crate) use wizard::{
    parse_host, parse_interface, parse_interfaces, parse_network, parse_port, parse_sources, ForwardText, ServiceKey, Step, Wizard,
};

use leptos::prelude::RwSignal;

/// Which face of the app is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The beginner's five steps.
    Wizard,
    /// The expert's import / edit / simulate / lint view.
    Workbench,
}

impl Mode {
    /// The fragment that opens the workbench directly (a bookmark, a link from the README).
    pub(crate) const WORKBENCH_FRAGMENT: &'static str = "#workbench";

    /// The mode an address opens in.
    pub(crate) fn from_fragment(fragment: &str) -> Self {
        if fragment == Self::WORKBENCH_FRAGMENT { Mode::Workbench } else { Mode::Wizard }
    }
}

/// The shown [`Mode`], provided as a context by `App`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ModeContext(pub(crate) RwSignal<Mode>);

/// The shared, reactive [`Wizard`] of one mounted app, provided as a context by `App`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WizardContext(pub(crate) RwSignal<Wizard>);

/// The saved designs around the one being edited, provided as a context by `App`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionContext {
    /// The name the current design is saved under.
    pub(crate) name: RwSignal<String>,
    /// Every saved design's name, sorted.
    pub(crate) saved: RwSignal<Vec<String>>,
    /// Messages about storage, files and links (corrupt entries, refused files…).
    pub(crate) notices: RwSignal<Vec<String>>,
}
