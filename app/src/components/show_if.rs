//! `<ShowIf>`: Leptos' `<Show>`, compiled once for the page.
//!
//! `<Show>` is generic over its condition and its children's view type, so each use compiles its
//! own copy of the condition's memo and of the render code of "children or fallback". `ShowIf`
//! takes the condition as a `Signal<bool>` and the children as type-erased views: every use
//! shares one `<Show>`. It behaves as `<Show>` does: the condition is memoized, the children are
//! built when it turns true and dropped when it turns false, the fallback shown meanwhile.

use leptos::prelude::*;

/// The children while `when` holds, else the fallback (nothing unless given).
#[component]
pub(crate) fn ShowIf(
    children: ChildrenFn,
    /// Whether the children are shown.
    #[prop(into)]
    when: Signal<bool>,
    /// Shown while `when` does not hold.
    #[prop(optional, into)]
    fallback: ViewFn,
) -> impl IntoView {
    view! { <Show when=move || when.get() fallback>{children()}</Show> }
}
