//! The look of the page: colours as CSS variables for light and dark schemes, base typography
//! and the focus ring. Components add scoped styles and keep only their class names.

use stylist::{global_style, Style};

/// Registers the page-wide style. Stylist caches it, so calling this again is cheap.
///
/// Each colour is written once as `light-dark(LIGHT, DARK)`: `color-scheme` picks the half — the
/// system's choice unless the user chose one (`data-theme` on `<html>`). The stylesheet is parsed
/// when the app is compiled (stylist's macro), so no CSS parser ships in the wasm.
pub(crate) fn install_global_style() {
    // A failure leaves the page unstyled but fully usable: not worth a crash.
    let _ = global_style!(
        r#"
        html {
            color-scheme: light dark;
            --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
            --bg: light-dark(#f6f7f8, #121518);
            --surface: light-dark(#ffffff, #1b1f23);
            --code-bg: light-dark(#f0f2f4, #14171a);
            --text: light-dark(#1c2126, #e4e7ea);
            --muted: light-dark(#56606a, #9ba5ae);
            --border: light-dark(#d6dbe0, #343b42);
            --accent: light-dark(#1f5fbf, #7cb0ff);
            --accent-text: light-dark(#ffffff, #0d1117);
            --error: light-dark(#b42318, #ff8f85);
            --warning: light-dark(#8a5a00, #f2c46d);
            --ok: light-dark(#1e7b46, #6fd39a);
        }
        html[data-theme="light"] { color-scheme: light; }
        html[data-theme="dark"] { color-scheme: dark; }
        body {
            margin: 0;
            background: var(--bg);
            color: var(--text);
            font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
        }
        :focus-visible {
            outline: 3px solid var(--accent);
            outline-offset: 2px;
        }
        button, select, input, textarea { font: inherit; color: inherit; }
        .visually-hidden {
            position: absolute; width: 1px; height: 1px; overflow: hidden;
            clip: rect(0 0 0 0); white-space: nowrap;
        }
        "#
    );
}

/// The colour scheme the user picked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Theme {
    /// Follow the system's light or dark setting.
    #[default]
    System,
    Light,
    Dark,
}

impl Theme {
    pub(crate) const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];
    /// Where the choice is remembered.
    pub(crate) const STORAGE_KEY: &'static str = "portcullis.theme";

    pub(crate) fn slug(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    pub(crate) fn from_slug(slug: &str) -> Theme {
        Theme::ALL.into_iter().find(|theme| theme.slug() == slug).unwrap_or_default()
    }

    /// The `data-theme` value on `<html>`, none for the system's choice.
    pub(crate) fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::System => None,
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
        }
    }
}

/// The class name of a scoped style, or no class at all if the browser refused it: an unstyled
/// page beats a crash.
pub(crate) fn class_name(style: stylist::Result<Style>) -> String {
    style.map(|style| style.get_class_name().to_owned()).unwrap_or_default()
}
