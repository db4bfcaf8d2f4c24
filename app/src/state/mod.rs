//! The page's state as plain data with named mutations; components only call them.
//!
//! - [`Wizard`]: the design, the text being typed, the current step, undo/redo; its advanced
//!   options (interfaces, NAT) live in `advanced.rs`, its choice for published container ports
//!   (Docker) in `containers.rs`.
//! - `library`: saved designs and share links (what goes to `localStorage` and the URL fragment).
//! - `review`: what is derived from a design (each step's rules, explained; the findings).
//! - `workbench`, `bench_view`, `import_text`: the workbench's rules being edited, what its
//!   panels share, and the code frames of an import; `bench_storage`: the workbench as kept in
//!   `localStorage` across a reload.
//! - `simulator`: packet presets and form edits, a simulation run, its trace marks and lines.

pub(crate) mod bench_storage;
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
    parse_host, parse_interface, parse_interfaces, parse_network, parse_port, parse_sources, ContainersKind, ForwardText, ServiceKey, Step, Wizard,
};

use leptos::prelude::RwSignal;

/// The site's two pages, each with its own wasm module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Page {
    /// The beginner's five steps: `index.html`.
    Wizard,
    /// The expert's import / edit / simulate / lint view: `workbench/index.html`.
    Workbench,
}

impl Page {
    /// The address of `to` from this page, relative so that the site works from any sub-path
    /// (`./` for the page itself).
    pub(crate) fn link_to(self, to: Page) -> &'static str {
        match (self, to) {
            (Page::Wizard, Page::Wizard) | (Page::Workbench, Page::Workbench) => "./",
            (Page::Wizard, Page::Workbench) => "workbench/",
            (Page::Workbench, Page::Wizard) => "../",
        }
    }
}

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
