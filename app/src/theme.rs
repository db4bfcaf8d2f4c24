//! The look of the page: colours as CSS variables for light and dark schemes, base typography
//! and the focus ring. Components add scoped styles and keep only their class names.

use stylist::{GlobalStyle, Style};

/// Registers the page-wide style. Stylist caches it, so calling this again is cheap.
pub(crate) fn install_global_style() {
    // A failure leaves the page unstyled but fully usable: not worth a crash.
    let _ = GlobalStyle::new(stylist::css!(
        r#"
        html {
            color-scheme: light dark;
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
            --ok: #1e7b46;
        }
        @media (prefers-color-scheme: dark) {
            html {
                --bg: #121518;
                --surface: #1b1f23;
                --code-bg: #14171a;
                --text: #e4e7ea;
                --muted: #9ba5ae;
                --border: #343b42;
                --accent: #7cb0ff;
                --accent-text: #0d1117;
                --error: #ff8f85;
                --ok: #6fd39a;
            }
        }
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
        "#
    ));
}

/// The class name of a scoped style, or no class at all if the browser refused it: an unstyled
/// page beats a crash.
pub(crate) fn class_name(style: stylist::Result<Style>) -> String {
    style
        .map(|style| style.get_class_name().to_owned())
        .unwrap_or_default()
}
