//! One exported file (script, `rules.v4`, nftables…) with its Copy and Download buttons.

use std::time::Duration;

use leptos::prelude::*;
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
            Notice::CopyUnavailable => "This page cannot use the clipboard here: select the text and copy it by hand, or download the file.",
            Notice::CopyRefused => "The browser refused to copy: select the text and copy it by hand, or download the file.",
            Notice::DownloadFailed => "The browser refused the download: copy the text instead.",
        }
    }

    fn is_problem(self) -> bool {
        !matches!(self, Notice::None | Notice::Copied)
    }
}

/// One exported file, shown live, with buttons to copy it and to download it.
///
/// `text` is the file, or why there is none; `blocked` explains why copying and downloading are
/// refused for now (a lockout not yet acknowledged).
#[component]
pub(crate) fn ExportFile(
    /// The id in test ids: `v4`, `script`…
    slug: &'static str,
    /// The file name offered for download.
    file_name: &'static str,
    /// The file's text, kept up to date with the design, or why it cannot be made.
    text: Signal<Result<String, String>>,
    /// Why copy and download are refused, while they are.
    blocked: Signal<Option<String>>,
) -> impl IntoView {
    let notice = RwSignal::new(Notice::None);
    let copy = move |_| {
        if let Ok(text) = text.get_untracked() {
            browser::copy_text(&text, move |outcome| show_copy_outcome(notice, outcome));
        }
    };
    let download = move |_| {
        if let Ok(text) = text.get_untracked() {
            let shown = match browser::download_text(file_name, &text) {
                Ok(()) => Notice::None,
                Err(_) => Notice::DownloadFailed,
            };
            notice.set(shown);
        }
    };
    let disabled = move || blocked.with(Option::is_some) || text.with(Result::is_err);
    let class = panel_class();
    view! {
        <div class=class>
            <div class="bar">
                <code class="file">{file_name}</code>
                <div class="actions">
                    <button type="button" data-testid=format!("copy-{slug}") aria-label=format!("Copy {file_name}")
                        disabled=disabled on:click=copy>"Copy"</button>
                    <button type="button" class="secondary" data-testid=format!("download-{slug}")
                        aria-label=format!("Download {file_name}") disabled=disabled on:click=download>"Download"</button>
                </div>
            </div>
            <p role="status" data-testid=format!("notice-{slug}")
                class=move || if notice.get().is_problem() || blocked.with(Option::is_some) { "notice problem" } else { "notice" }>
                {move || blocked.get().unwrap_or_else(|| notice.get().message().to_owned())}
            </p>
            <pre data-testid=format!("export-{slug}") tabindex="0" aria-label=format!("{file_name} contents")>
                {move || match text.get() { Ok(text) | Err(text) => text }}
            </pre>
        </div>
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
        .file { margin-right: auto; font: 0.95rem var(--mono); color: var(--muted); }
        button:disabled { opacity: 0.5; cursor: not-allowed; }
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
            max-height: 32rem;
            background: var(--code-bg);
            border: 1px solid var(--border);
            border-radius: 0.35rem;
            font: 0.8rem/1.45 var(--mono);
            /* Off screen (below the fold while editing), the file is not laid out again on each edit. */
            content-visibility: auto;
            contain-intrinsic-size: auto 32rem;
        }
        "#
    ))
}
