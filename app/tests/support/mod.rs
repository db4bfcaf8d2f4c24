//! Drives a mounted app like a user would, and stands in for the browser's clipboard and
//! downloads so their effects can be checked.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::task::tick;
use portcullis_app::App;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, EventInit, HtmlElement, HtmlInputElement, XmlHttpRequest};

/// A mounted app and the element it lives in.
pub(crate) struct Page {
    root: HtmlElement,
}

impl Page {
    pub(crate) async fn mount() -> Self {
        console_error_panic_hook::set_once();
        let document = leptos::prelude::document();
        let root: HtmlElement = document
            .create_element("div")
            .expect("a div")
            .unchecked_into();
        document
            .body()
            .expect("a body")
            .append_child(&root)
            .expect("attached");
        leptos::mount::mount_to(root.clone(), App).forget();
        tick().await;
        Self { root }
    }

    pub(crate) fn find(&self, test_id: &str) -> Option<Element> {
        self.root
            .query_selector(&format!("[data-testid=\"{test_id}\"]"))
            .expect("a valid selector")
    }

    pub(crate) fn get(&self, test_id: &str) -> Element {
        self.find(test_id)
            .unwrap_or_else(|| panic!("no element with data-testid={test_id}"))
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
        let init = EventInit::new();
        init.set_bubbles(true);
        let event = Event::new_with_event_init_dict("input", &init).expect("an input event");
        input.dispatch_event(&event).expect("dispatched");
        settle().await;
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
            let write_text: Closure<dyn FnMut(JsValue) -> js_sys::Promise> =
                Closure::new(move |text: JsValue| {
                    if accept {
                        *copied.borrow_mut() = text.as_string();
                        js_sys::Promise::resolve(&JsValue::UNDEFINED)
                    } else {
                        js_sys::Promise::reject(&JsValue::from_str("NotAllowedError"))
                    }
                });
            let clipboard = js_sys::Object::new();
            js_sys::Reflect::set(&clipboard, &"writeText".into(), write_text.as_ref())
                .expect("set");
            fake = clipboard.into();
            write_text
        });
        let descriptor = js_sys::Object::new();
        js_sys::Reflect::set(&descriptor, &"value".into(), &fake).expect("set");
        js_sys::Reflect::set(&descriptor, &"configurable".into(), &JsValue::TRUE).expect("set");
        js_sys::Object::define_property(&navigator(), &"clipboard".into(), &descriptor);
        Self {
            copied,
            _write_text: write_text,
        }
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
                let Some(anchor) = event
                    .target()
                    .and_then(|target| target.dyn_into::<web_sys::HtmlAnchorElement>().ok())
                else {
                    return;
                };
                event.prevent_default();
                caught
                    .borrow_mut()
                    .push((anchor.download(), read_url(&anchor.href())));
            })
        };
        leptos::prelude::document()
            .add_event_listener_with_callback_and_bool(
                "click",
                listener.as_ref().unchecked_ref(),
                true,
            )
            .expect("listening");
        Self { caught, listener }
    }
}

impl Drop for DownloadCatcher {
    fn drop(&mut self) {
        let _ = leptos::prelude::document().remove_event_listener_with_callback_and_bool(
            "click",
            self.listener.as_ref().unchecked_ref(),
            true,
        );
    }
}

/// The body behind `url` (a `blob:` URL), read synchronously.
fn read_url(url: &str) -> String {
    let request = XmlHttpRequest::new().expect("a request");
    request.open_with_async("GET", url, false).expect("opened");
    request.send().expect("sent");
    request
        .response_text()
        .expect("a text body")
        .unwrap_or_default()
}
