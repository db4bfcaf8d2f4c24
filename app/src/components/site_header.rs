//! The page header: the name and one line saying what Portcullis does.

use leptos::prelude::*;
use stylist::style;

use crate::theme::class_name;

/// The page header.
#[component]
pub(crate) fn SiteHeader() -> impl IntoView {
    let class = class_name(style!(
        r#"
        padding: 1.25rem 1rem 0.5rem;
        max-width: 76rem;
        margin: 0 auto;
        h1 {
            margin: 0;
            font-size: 1.6rem;
            letter-spacing: 0.01em;
        }
        p {
            margin: 0.25rem 0 0;
            color: var(--muted);
        }
        "#
    ));
    view! {
        <header class=class>
            <h1>"Portcullis"</h1>
            <p>
                "Design a server firewall in your browser: tick the services you offer and get "
                "iptables rules ready to load. Nothing leaves this page."
            </p>
        </header>
    }
}
