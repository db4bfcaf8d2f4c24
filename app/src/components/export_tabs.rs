//! The export tabs shared by the wizard's review and the workbench: the distribution choice, one
//! tab per file, and the shown file with Copy and Download.

use leptos::prelude::*;
use portcullis_engine::export::script::Distro;
use stylist::style;

use super::ExportFile;
use crate::theme::class_name;

/// One tab: its id in test ids, its label, the file name offered for download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExportTab {
    pub(crate) slug: &'static str,
    pub(crate) label: &'static str,
    pub(crate) file_name: &'static str,
}

/// The rules' tabs, in the order of the files both pages hand over: the script, the two save
/// files, the commands, nftables. The wizard adds the design file after them.
pub(crate) const RULES_TABS: [ExportTab; 5] = [
    ExportTab { slug: "script", label: "Script", file_name: "portcullis-apply.sh" },
    ExportTab { slug: "v4", label: "rules.v4", file_name: "rules.v4" },
    ExportTab { slug: "v6", label: "rules.v6", file_name: "rules.v6" },
    ExportTab { slug: "commands", label: "Commands", file_name: "portcullis-commands.sh" },
    ExportTab { slug: "nft", label: "nftables", file_name: "portcullis.nft" },
];

fn distro_label(distro: Distro) -> &'static str {
    match distro {
        Distro::Debian => "Debian / Ubuntu",
        Distro::Rhel => "RHEL / Alma / Rocky / Fedora",
        Distro::Arch => "Arch",
        Distro::Alpine => "Alpine",
        Distro::None => "Do not make permanent",
    }
}

/// The tabs over `files` (one per tab, in order: the file or why there is none).
#[component]
pub(crate) fn ExportTabs(
    tabs: &'static [ExportTab],
    files: Signal<Vec<Result<String, String>>>,
    /// The distribution the script persists for; the files follow it.
    distro: RwSignal<Distro>,
    blocked: Signal<Option<String>>,
) -> impl IntoView {
    let tab = RwSignal::new(tabs[0].slug);
    let class = class_name(style!(
        r#"
        [role="tablist"] { display: flex; flex-wrap: wrap; gap: 0.25rem; margin: 0.5rem 0; }
        [role="tab"] { padding: 0.35rem 0.8rem; border: 1px solid var(--border); border-radius: 0.35rem 0.35rem 0 0; background: var(--bg); color: var(--text); cursor: pointer; }
        [role="tab"][aria-selected="true"] { background: var(--surface); border-bottom-color: var(--surface); font-weight: 600; }
        label { font-weight: 600; }
        select { margin-left: 0.4rem; padding: 0.3rem; background: var(--surface); border: 1px solid var(--border); border-radius: 0.3rem; }
        "#
    ));
    view! {
        <div class=class>
            <label>
                "Your server's distribution"
                <select data-testid="distro" on:change=move |event| {
                    let chosen = event_target_value(&event);
                    if let Some(found) = Distro::ALL.into_iter().find(|distro| distro.as_str() == chosen) {
                        distro.set(found);
                    }
                }>
                    {Distro::ALL.map(|choice| view! {
                        <option value=choice.as_str() selected=move || distro.get() == choice>{distro_label(choice)}</option>
                    }).collect_view()}
                </select>
            </label>
            <div role="tablist" aria-label="Exports">
                {tabs.iter().map(|ExportTab { slug, label, .. }| view! {
                    <button type="button" role="tab" id=format!("tab-{slug}") data-testid=format!("tab-{slug}")
                        aria-selected=move || if tab.get() == *slug { "true" } else { "false" }
                        aria-controls="export-panel" on:click=move |_| tab.set(slug)>{*label}</button>
                }).collect_view()}
            </div>
            <div role="tabpanel" id="export-panel" aria-labelledby=move || format!("tab-{}", tab.get())>
                {move || {
                    let at = tabs.iter().position(|shown| shown.slug == tab.get()).unwrap_or(0);
                    let ExportTab { slug, file_name, .. } = tabs[at];
                    // A memo: the file's text is copied out once per change, and its view
                    // updates only when this file changed.
                    let text = Memo::new(move |_| files.with(|files| files.get(at).cloned().unwrap_or_else(|| Err("No such file.".to_owned()))));
                    view! { <ExportFile slug file_name text=text.into() blocked/> }
                }}
            </div>
        </div>
    }
}
