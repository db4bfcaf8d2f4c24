//! The look of the page: colours as CSS variables for light and dark schemes, base typography
//! and the focus ring. Components add scoped styles and keep only their class names.

use stylist::{GlobalStyle, Style};

/// The dark scheme's colours, used when the system asks for dark (and the user did not choose
/// light) or when the user chose dark.
const DARK_COLOURS: &str = "
    --bg: #121518;
    --surface: #1b1f23;
    --code-bg: #14171a;
    --text: #e4e7ea;
    --muted: #9ba5ae;
    --border: #343b42;
    --accent: #7cb0ff;
    --accent-text: #0d1117;
    --error: #ff8f85;
    --warning: #f2c46d;
    --ok: #6fd39a;
    color-scheme: dark;
";

/// Registers the page-wide style. Stylist caches it, so calling this again is cheap.
pub(crate) fn install_global_style() {
    let css = format!(
        r#"
        html {{
            color-scheme: light;
            --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
            --bg: #f6f7f8;
            --surface: #ffffff;
            --code-bg: #f0f2f4;
            --text: #1c2126;
            --muted: #56606a;
            --border: #d6dbe0;
            --accent: #1f5fbf;
            --accent-text: #ffffff;
            --error: #b42318;
            --warning: #8a5a00;
            --ok: #1e7b46;
        }}
        @media (prefers-color-scheme: dark) {{
            html:not([data-theme="light"]) {{ {DARK_COLOURS} }}
        }}
        html[data-theme="dark"] {{ {DARK_COLOURS} }}
        body {{
            margin: 0;
            background: var(--bg);
            color: var(--text);
            font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
        }}
        :focus-visible {{
            outline: 3px solid var(--accent);
            outline-offset: 2px;
        }}
        button, select, input, textarea {{ font: inherit; color: inherit; }}
        .visually-hidden {{
            position: absolute; width: 1px; height: 1px; overflow: hidden;
            clip: rect(0 0 0 0); white-space: nowrap;
        }}
        "#
    );
    // A failure leaves the page unstyled but fully usable: not worth a crash.
    let _ = GlobalStyle::new(css);
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
    style
        .map(|style| style.get_class_name().to_owned())
        .unwrap_or_default()
}
