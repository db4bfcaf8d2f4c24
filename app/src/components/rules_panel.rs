//! A generated rules file (`rules.v4` or `rules.v6`) with its Copy and Download buttons.

use std::time::Duration;

use leptos::prelude::*;
use portcullis_engine::model::Family;
use stylist::style;

use crate::browser::{self, CopyError};
use crate::theme::class_name;

/// How long "Copied" stays on screen.
const COPIED_NOTICE_DURATION: Duration = Duration::from_secs(3);

/// What the panel last reported about Copy or Download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Notice {
    None,
    Copied,
    CopyUnavailable,
    CopyRefused,
    DownloadFailed,
}

impl Notice {
    fn message(self) -> &'static str {
        match self {
            Notice::None => "",
            Notice::Copied => "Copied",
            Notice::CopyUnavailable => {
                "This page cannot use the clipboard here: select the text and copy it by hand, or download the file."
            }
            Notice::CopyRefused => {
                "The browser refused to copy: select the text and copy it by hand, or download the file."
            }
            Notice::DownloadFailed => "The browser refused the download: copy the text instead.",
        }
    }

    fn is_problem(self) -> bool {
        !matches!(self, Notice::None | Notice::Copied)
    }
}

/// The short name used in file names and test ids: `v4` or `v6`.
fn family_slug(family: Family) -> &'static str {
    match family {
        Family::V4 => "v4",
        Family::V6 => "v6",
    }
}

/// One generated file, shown live, with buttons to copy it and to download it.
#[component]
pub(crate) fn RulesPanel(
    /// Which file: IPv4 rules (`rules.v4`) or IPv6 rules (`rules.v6`).
    family: Family,
    /// The file's text, kept up to date with the design.
    text: Memo<String>,
) -> impl IntoView {
    let slug = family_slug(family);
    let file_name = format!("rules.{slug}");
    let heading_id = format!("rules-heading-{slug}");
    let labelled_by = heading_id.clone();
    let notice = RwSignal::new(Notice::None);
    let copy = move |_| {
        browser::copy_text(&text.get_untracked(), move |outcome| {
            show_copy_outcome(notice, outcome);
        });
    };
    let download = {
        let file_name = file_name.clone();
        move |_| {
            let shown = match browser::download_text(&file_name, &text.get_untracked()) {
                Ok(()) => Notice::None,
                Err(_) => Notice::DownloadFailed,
            };
            notice.set(shown);
        }
    };
    let class = panel_class();
    view! {
        <section class=class aria-labelledby=labelled_by>
            <div class="bar">
                <h2 id=heading_id>
                    {family.to_string()} " rules " <code>{file_name.clone()}</code>
                </h2>
                <div class="actions">
                    <button
                        type="button"
                        data-testid=format!("copy-{slug}")
                        aria-label=format!("Copy {file_name}")
                        on:click=copy
                    >
                        "Copy"
                    </button>
                    <button
                        type="button"
                        class="secondary"
                        data-testid=format!("download-{slug}")
                        aria-label=format!("Download {file_name}")
                        on:click=download
                    >
                        "Download"
                    </button>
                </div>
            </div>
            <p
                role="status"
                data-testid=format!("notice-{slug}")
                class=move || if notice.get().is_problem() { "notice problem" } else { "notice" }
            >
                {move || notice.get().message()}
            </p>
            <pre
                data-testid=format!("rules-{slug}")
                tabindex="0"
                aria-label=format!("{file_name} contents")
            >
                {move || text.get()}
            </pre>
        </section>
    }
}

/// Shows how a copy went; "Copied" fades after a few seconds.
fn show_copy_outcome(notice: RwSignal<Notice>, outcome: Result<(), CopyError>) {
    let shown = match outcome {
        Ok(()) => Notice::Copied,
        Err(CopyError::Unavailable) => Notice::CopyUnavailable,
        Err(CopyError::Refused) => Notice::CopyRefused,
    };
    // `try_*`: the panel may be gone by the time the clipboard or the timer answers.
    notice.try_set(shown);
    if shown == Notice::Copied {
        set_timeout(
            move || {
                if notice.try_get_untracked() == Some(Notice::Copied) {
                    notice.try_set(Notice::None);
                }
            },
            COPIED_NOTICE_DURATION,
        );
    }
}

/// The panel's scoped style.
fn panel_class() -> String {
    class_name(style!(
        r#"
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 0.5rem;
        padding: 0.75rem;
        min-width: 0;
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
        .actions { display: flex; gap: 0.5rem; }
        h2 { font-size: 1.05rem; margin: 0; margin-right: auto; }
        h2 code { font-weight: 400; color: var(--muted); }
        button {
            font: inherit;
            font-size: 0.9rem;
            padding: 0.3rem 0.8rem;
            border-radius: 0.35rem;
            border: 1px solid var(--accent);
            background: var(--accent);
            color: var(--accent-text);
            cursor: pointer;
        }
        button.secondary { background: transparent; color: var(--accent); }
        .notice { min-height: 1.4em; margin: 0.3rem 0; font-size: 0.9rem; color: var(--ok); }
        .notice.problem { color: var(--error); }
        pre {
            margin: 0;
            padding: 0.6rem;
            overflow: auto;
            max-height: 28rem;
            background: var(--code-bg);
            border: 1px solid var(--border);
            border-radius: 0.35rem;
            font: 0.8rem/1.45 var(--mono);
        }
        "#
    ))
}
