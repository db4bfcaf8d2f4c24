//! Drives a mounted app like a user would, and stands in for the browser's clipboard and
//! downloads so their effects can be checked.

// Each test binary uses its own part of these helpers.
#![allow(dead_code, reason = "each test binary uses part of the shared helpers")]

use std::cell::RefCell;
use std::rc::Rc;

use leptos::task::tick;
use portcullis_app::{App, WorkbenchApp};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, XmlHttpRequest};

/// A mounted app and the element it lives in.
pub(crate) struct Page {
    root: HtmlElement,
}

impl Page {
    /// A fresh app on empty storage and an address without fragment: a first visit.
    pub(crate) async fn mount() -> Self {
        clear_storage();
        set_hash("");
        Self::mount_again().await
    }

    /// Another app on the same storage and address: what a reload sees. Its review is answered
    /// on the page (a test has no worker script to start) by the function the worker runs.
    pub(crate) async fn mount_again() -> Self {
        portcullis_app::answer_reviews_on_page();
        Self::mount_root(App).await
    }

    /// A fresh wizard whose review has no worker to ask and nothing answering on the page (as
    /// if the worker's script failed to load). Only for test binaries that never install the
    /// page's answer: it stays installed for the rest of a binary once [`Self::mount`] ran.
    pub(crate) async fn mount_without_worker() -> Self {
        clear_storage();
        set_hash("");
        Self::mount_root(App).await
    }

    /// A fresh workbench page (`WorkbenchApp`) on empty storage: a first visit.
    pub(crate) async fn mount_workbench() -> Self {
        clear_storage();
        set_hash("");
        Self::mount_workbench_again().await
    }

    /// The workbench page on the same storage: what opening it after the wizard page sees.
    pub(crate) async fn mount_workbench_again() -> Self {
        Self::mount_root(WorkbenchApp).await
    }

    /// A fresh workbench page, nothing imported.
    pub(crate) async fn workbench() -> Self {
        let page = Self::mount_workbench().await;
        assert!(page.find("workbench").is_some());
        page
    }

    /// Imports `text` in the workbench and waits for the staged import.
    pub(crate) async fn import(&self, text: &str) {
        self.type_into("import-text", text).await;
        self.click("import-run").await;
        wait_until("the import", 10_000, || self.find("import-summary").is_some() && self.text("import-progress").is_empty()).await;
    }

    async fn mount_root<View: leptos::prelude::IntoView + 'static>(app: impl FnOnce() -> View + 'static) -> Self {
        console_error_panic_hook::set_once();
        let document = leptos::prelude::document();
        let root: HtmlElement = document.create_element("div").expect("a div").unchecked_into();
        document.body().expect("a body").append_child(&root).expect("attached");
        leptos::mount::mount_to(root.clone(), app).forget();
        tick().await;
        Self { root }
    }

    pub(crate) fn find(&self, test_id: &str) -> Option<Element> {
        self.root.query_selector(&format!("[data-testid=\"{test_id}\"]")).expect("a valid selector")
    }

    pub(crate) fn get(&self, test_id: &str) -> Element {
        self.find(test_id).unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
    }

    pub(crate) fn text(&self, test_id: &str) -> String {
        self.get(test_id).text_content().unwrap_or_default()
    }

    pub(crate) fn input(&self, test_id: &str) -> HtmlInputElement {
        self.get(test_id).unchecked_into()
    }

    pub(crate) async fn click(&self, test_id: &str) {
        self.get(test_id).unchecked_into::<HtmlElement>().click();
        settle().await;
    }

    pub(crate) async fn type_into(&self, test_id: &str, text: &str) {
        let input = self.input(test_id);
        input.set_value(text);
        dispatch(&input, "input");
        settle().await;
    }

    /// Sets an input's or a select's value and fires `change`, as leaving the field does.
    pub(crate) async fn change_to(&self, test_id: &str, value: &str) {
        let element = self.get(test_id);
        js_sys::Reflect::set(&element, &"value".into(), &value.into()).expect("value set");
        dispatch(&element, "change");
        settle().await;
    }

    /// Sets a text area's (or any field's) value and fires `input`, as a paste does.
    pub(crate) async fn paste_into(&self, test_id: &str, text: &str) {
        let element = self.get(test_id);
        js_sys::Reflect::set(&element, &"value".into(), &text.into()).expect("value set");
        dispatch(&element, "input");
        settle().await;
    }

    /// Submits the form around `test_id` (a field or button inside it).
    pub(crate) async fn submit(&self, test_id: &str) {
        let form = self.get(test_id).closest("form").expect("a selector").expect("inside a form");
        dispatch(&form, "submit");
        settle().await;
    }

    /// Every element with this test id, in order.
    pub(crate) fn all(&self, test_id: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(&format!("[data-testid=\"{test_id}\"]")).expect("a valid selector");
        (0..list.length()).filter_map(|at| list.item(at)).filter_map(|node| node.dyn_into::<Element>().ok()).collect()
    }

    /// Ticks or unticks a checkbox as a browser does: its `change` bubbles (the rules table
    /// handles its rows' events in one place).
    pub(crate) async fn set_checked(&self, test_id: &str, checked: bool) {
        let input = self.input(test_id);
        input.set_checked(checked);
        dispatch(&input, "change");
        sleep(0).await;
    }

    pub(crate) fn is_disabled(&self, test_id: &str) -> bool {
        self.get(test_id).has_attribute("disabled")
    }
}

fn dispatch(target: &web_sys::EventTarget, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = Event::new_with_event_init_dict(kind, &init).expect("an event");
    target.dispatch_event(&event).expect("dispatched");
}

/// Empties `localStorage`: each test starts as a first visit.
pub(crate) fn clear_storage() {
    if let Some(storage) = leptos::prelude::window().local_storage().ok().flatten() {
        storage.clear().expect("storage cleared");
    }
}

/// Sets `localStorage[key]`.
pub(crate) fn store(key: &str, value: &str) {
    let storage = leptos::prelude::window().local_storage().ok().flatten().expect("storage");
    storage.set_item(key, value).expect("stored");
}

/// Reads `localStorage[key]`.
pub(crate) fn stored(key: &str) -> Option<String> {
    leptos::prelude::window().local_storage().ok().flatten()?.get_item(key).ok().flatten()
}

/// Replaces the address's fragment without reloading.
pub(crate) fn set_hash(fragment: &str) {
    let window = leptos::prelude::window();
    let location = window.location();
    let url = format!("{}{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default(), fragment);
    window.history().expect("history").replace_state_with_url(&JsValue::NULL, "", Some(&url)).expect("replaced");
}

/// Waits `milliseconds` of real time (timers, staged work, the workbench's background analysis).
pub(crate) async fn sleep(milliseconds: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        leptos::prelude::window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, milliseconds).expect("a timer");
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.expect("the timer fired");
    settle().await;
}

/// Waits until `ready` holds, checking every 20 ms; panics with `what` after `timeout_ms`.
pub(crate) async fn wait_until(what: &str, timeout_ms: i32, mut ready: impl FnMut() -> bool) {
    let mut waited = 0;
    while !ready() {
        assert!(waited < timeout_ms, "timed out after {timeout_ms} ms waiting for {what}");
        sleep(20).await;
        waited += 20;
    }
}

/// Lets effects and promise callbacks run.
async fn settle() {
    for _ in 0..5 {
        tick().await;
    }
}

/// Replaces `navigator.clipboard` for one test; dropping it restores the browser's own.
pub(crate) struct FakeClipboard {
    /// The text of the last accepted write.
    pub(crate) copied: Rc<RefCell<Option<String>>>,
    _write_text: Option<Closure<dyn FnMut(JsValue) -> js_sys::Promise>>,
}

impl FakeClipboard {
    /// A clipboard that accepts (`accept`) or refuses every write; `None` for no clipboard.
    pub(crate) fn install(accept: Option<bool>) -> Self {
        let copied = Rc::new(RefCell::new(None));
        let mut fake = JsValue::UNDEFINED;
        let write_text = accept.map(|accept| {
            let copied = Rc::clone(&copied);
            let write_text: Closure<dyn FnMut(JsValue) -> js_sys::Promise> = Closure::new(move |text: JsValue| {
                if accept {
                    *copied.borrow_mut() = text.as_string();
                    js_sys::Promise::resolve(&JsValue::UNDEFINED)
                } else {
                    js_sys::Promise::reject(&JsValue::from_str("NotAllowedError"))
                }
            });
            let clipboard = js_sys::Object::new();
            js_sys::Reflect::set(&clipboard, &"writeText".into(), write_text.as_ref()).expect("set");
            fake = clipboard.into();
            write_text
        });
        let descriptor = js_sys::Object::new();
        js_sys::Reflect::set(&descriptor, &"value".into(), &fake).expect("set");
        js_sys::Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).expect("set");
        js_sys::Object::define_property(&navigator(), &"clipboard".into(), &descriptor);
        Self { copied, _write_text: write_text }
    }
}

impl Drop for FakeClipboard {
    fn drop(&mut self) {
        let _ = js_sys::Reflect::delete_property(&navigator(), &"clipboard".into());
    }
}

fn navigator() -> js_sys::Object {
    leptos::prelude::window().navigator().unchecked_into()
}

/// Catches download link clicks for one test instead of letting the browser save the file.
pub(crate) struct DownloadCatcher {
    /// `(file name, content)` of every download, in order.
    pub(crate) caught: Rc<RefCell<Vec<(String, String)>>>,
    listener: Closure<dyn FnMut(Event)>,
}

impl DownloadCatcher {
    pub(crate) fn install() -> Self {
        let caught = Rc::new(RefCell::new(Vec::new()));
        let listener: Closure<dyn FnMut(Event)> = {
            let caught = Rc::clone(&caught);
            Closure::new(move |event: Event| {
                let Some(anchor) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlAnchorElement>().ok()) else {
                    return;
                };
                event.prevent_default();
                caught.borrow_mut().push((anchor.download(), read_url(&anchor.href())));
            })
        };
        leptos::prelude::document().add_event_listener_with_callback_and_bool("click", listener.as_ref().unchecked_ref(), true).expect("listening");
        Self { caught, listener }
    }
}

impl Drop for DownloadCatcher {
    fn drop(&mut self) {
        let _ = leptos::prelude::document().remove_event_listener_with_callback_and_bool("click", self.listener.as_ref().unchecked_ref(), true);
    }
}

/// The body behind `url` (a `blob:` URL), read synchronously.
fn read_url(url: &str) -> String {
    let request = XmlHttpRequest::new().expect("a request");
    request.open_with_async("GET", url, false).expect("opened");
    request.send().expect("sent");
    request.response_text().expect("a text body").unwrap_or_default()
}

/// Presses `key` on the page (not in a field), with Ctrl and optionally Shift.
pub(crate) async fn press_key(key: &str, ctrl: bool, shift: bool) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_ctrl_key(ctrl);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("a key event");
    let body = leptos::prelude::document().body().expect("a body");
    body.dispatch_event(&event).expect("dispatched");
    settle().await;
}
