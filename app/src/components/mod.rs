//! The page's building blocks, one component family a file: the chrome (header, design bar,
//! step list), one file per wizard step, and the shared pieces (validated field, export file,
//! rules preview, and `keyed_list` and `show_if`: Leptos' `<For>` and `<Show>` compiled once for
//! the whole page), and the workbench (its own folder).

// `#[component]` derives a props builder with `pub` methods, which this lint reports on every
// `pub(crate)` component.
#![allow(unreachable_pub)]

mod access_step;
mod advanced_step;
mod containers_choice;
mod design_bar;
mod export_file;
mod export_tabs;
mod field;
mod keyed_list;
mod protections_step;
mod review_step;
mod rules_preview;
mod server_survey;
mod services_step;
mod show_if;
mod site_header;
mod start_step;
mod step_nav;
mod workbench;

pub(crate) use access_step::AccessStep;
pub(crate) use advanced_step::AdvancedOptions;
pub(crate) use containers_choice::ContainersChoice;
pub(crate) use design_bar::{DesignBar, Notices};
pub(crate) use export_file::ExportFile;
pub(crate) use export_tabs::{ExportTab, ExportTabs, RULES_TABS};
pub(crate) use field::ValidatedField;
pub(crate) use protections_step::ProtectionsStep;
pub(crate) use review_step::ReviewStep;
pub(crate) use rules_preview::RulesPreview;
pub(crate) use server_survey::ServerSurvey;
pub(crate) use services_step::ServicesStep;
pub(crate) use site_header::SiteHeader;
pub(crate) use start_step::StartStep;
pub(crate) use step_nav::{StepButtons, StepNav};
pub(crate) use workbench::Workbench;
