//! The app's only side effects on the browser: clipboard, downloads, `localStorage`, the URL
//! fragment, the theme attribute and reading chosen files.
//! Components call these from event handlers; nothing else touches browser APIs.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{document, set_timeout, window};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, Clipboard, HtmlAnchorElement, Url};

/// How long a download's object URL lives: long enough for the browser to start reading it.
const OBJECT_URL_LIFETIME: Duration = Duration::from_secs(10);

/// Why text could not be copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CopyError {
    /// This page has no clipboard access at all (an insecure `http://` page, an old browser).
    Unavailable,
    /// The browser or the user refused the write.
    Refused,
}

/// Writes `text` to the clipboard and calls `on_done` once with the outcome.
///
/// The clipboard answers asynchronously, so both callbacks are handed over to JavaScript; the
/// garbage collector reclaims them once the promise has settled.
pub(crate) fn copy_text(text: &str, on_done: impl FnOnce(Result<(), CopyError>) + 'static) {
    let Some(clipboard) = clipboard() else {
        on_done(Err(CopyError::Unavailable));
        return;
    };
    let settle = Rc::new(Cell::new(Some(on_done)));
    let on_copied: Closure<dyn FnMut(JsValue)> = {
        let settle = Rc::clone(&settle);
        Closure::once_aborting(move |_: JsValue| {
            if let Some(on_done) = settle.take() {
                on_done(Ok(()));
            }
        })
    };
    let on_refused: Closure<dyn FnMut(JsValue)> = Closure::once_aborting(move |_: JsValue| {
        if let Some(on_done) = settle.take() {
            on_done(Err(CopyError::Refused));
        }
    });
    let _ = clipboard.write_text(text).then2(&on_copied, &on_refused);
    on_copied.into_js_value();
    on_refused.into_js_value();
}

/// `navigator.clipboard`, which is `undefined` outside secure contexts.
fn clipboard() -> Option<Clipboard> {
    let navigator = window().navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")).ok()?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return None;
    }
    Some(clipboard.unchecked_into())
}

/// Offers `text` for download as a file named `file_name`.
///
/// # Errors
/// The browser's exception if it cannot create the file or the link.
pub(crate) fn download_text(file_name: &str, text: &str) -> Result<(), JsValue> {
    let options = BlobPropertyBag::new();
    options.set_type("text/plain;charset=utf-8");
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let result = click_download_link(file_name, &url);
    set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        OBJECT_URL_LIFETIME,
    );
    result
}

/// Clicks a temporary `<a download>` link to `url`, attached to the page only for the click.
fn click_download_link(file_name: &str, url: &str) -> Result<(), JsValue> {
    let document = document();
    let anchor: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    anchor.set_href(url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = document.body().ok_or_else(|| JsValue::from_str("the page has no body"))?;
    body.append_child(&anchor)?;
    anchor.click();
    anchor.remove();
    Ok(())
}

/// `localStorage`, or `None` where the browser denies it (private modes, disabled storage).
fn local_storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// Every `localStorage` entry (empty when storage is unavailable).
pub(crate) fn storage_entries() -> Vec<(String, String)> {
    let Some(storage) = local_storage() else { return Vec::new() };
    let count = storage.length().unwrap_or(0);
    (0..count).filter_map(|index| storage.key(index).ok().flatten()).filter_map(|key| storage.get_item(&key).ok().flatten().map(|value| (key, value))).collect()
}

/// One `localStorage` value.
pub(crate) fn storage_get(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Why something could not be saved in the browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StorageError {
    /// No `localStorage` here.
    Unavailable,
    /// The browser refused the write (storage full).
    Refused,
}

/// Stores `value` under `key`.
pub(crate) fn storage_set(key: &str, value: &str) -> Result<(), StorageError> {
    let storage = local_storage().ok_or(StorageError::Unavailable)?;
    storage.set_item(key, value).map_err(|_| StorageError::Refused)
}

/// Removes `key` from storage (nothing happens where storage is unavailable).
pub(crate) fn storage_remove(key: &str) {
    if let Some(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// The URL fragment, with its `#`, or empty.
pub(crate) fn location_hash() -> String {
    window().location().hash().unwrap_or_default()
}

/// Drops the fragment from the address bar without reloading or adding a history entry.
pub(crate) fn clear_location_hash() {
    let location = window().location();
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else { return };
    if let Ok(history) = window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")));
    }
}

/// Whether a key event happened in a text field or a list, where the field's own keys apply.
pub(crate) fn is_typing(event: &web_sys::KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|target| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target).ok())
        .is_some_and(|element| matches!(element.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

/// Waits `milliseconds` (0: until the browser has run its pending work, painting included), so
/// long work split in stages leaves the page responsive in between.
pub(crate) async fn pause(milliseconds: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        // Without a timer the promise resolves at once: no pause, but nothing breaks.
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// This page's address without its fragment.
pub(crate) fn page_address() -> String {
    let href = window().location().href().unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_owned()
}

/// The page's element with this `id`, to mount the app into.
pub(crate) fn mount_point(id: &str) -> Option<web_sys::HtmlElement> {
    document().get_element_by_id(id).and_then(|element| element.dyn_into().ok())
}

/// Sets `data-theme` on the root element (`None`: follow the system).
pub(crate) fn set_theme_attribute(theme: Option<&str>) {
    if let Some(root) = document().document_element() {
        let _ = match theme {
            Some(theme) => root.set_attribute("data-theme", theme),
            None => root.remove_attribute("data-theme"),
        };
    }
}

/// The text of the first file chosen in a file input, or the browser's reason it cannot be read.
pub(crate) async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<Result<(String, String), String>> {
    let file = input.files()?.get(0)?;
    Some(read_file(&file).await.map(|text| (file.name(), text)))
}

/// The text of `file` (chosen or dropped), or the browser's reason it cannot be read.
pub(crate) async fn read_file(file: &web_sys::File) -> Result<String, String> {
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
    text.ok().and_then(|value| value.as_string()).ok_or_else(|| format!("The browser could not read {}.", file.name()))
}
