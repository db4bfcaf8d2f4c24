//! Starts Portcullis in the browser: mounts [`App`] in place of the loading message.

use leptos::prelude::document;
use portcullis_app::App;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

/// The element of `index.html` that holds "Loading Portcullis…" until the app replaces it.
const MOUNT_POINT_ID: &str = "portcullis";

fn main() {
    mark("portcullis-start");
    console_error_panic_hook::set_once();
    let mount_point = document()
        .get_element_by_id(MOUNT_POINT_ID)
        .and_then(|element| element.dyn_into::<HtmlElement>().ok());
    match mount_point {
        Some(mount_point) => {
            mount_point.set_text_content(None);
            leptos::mount::mount_to(mount_point, App).forget();
        }
        None => leptos::mount::mount_to_body(App),
    }
    // Leptos builds the first view synchronously: the current step is in the DOM here.
    mark("portcullis-mounted");
}

/// Marks a point in the page's performance timeline (`performance.mark`), where `make
/// bench-wizard` reads how long the wasm took to start and the wizard to render.
fn mark(name: &str) {
    if let Some(performance) = leptos::prelude::window().performance() {
        let _ = performance.mark(name);
    }
}
