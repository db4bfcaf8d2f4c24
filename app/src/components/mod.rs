//! The page's building blocks, one component family a file.

// `#[component]` derives a props builder with `pub` methods, which this lint reports on every
// `pub(crate)` component.
#![allow(unreachable_pub)]

mod rules_panel;
mod service_list;
mod site_header;

pub(crate) use rules_panel::RulesPanel;
pub(crate) use service_list::ServiceList;
pub(crate) use site_header::SiteHeader;
