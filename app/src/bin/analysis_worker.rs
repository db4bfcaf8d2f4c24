//! The workbench's analysis worker: a Web Worker that answers analysis jobs (JSON text in, JSON
//! text out; the protocol is `portcullis_engine::workbench::job`) so that linting and mapping
//! thousands of rules never freezes the page. The page starts it on demand (`app/src/worker.rs`).

use portcullis_engine::workbench::job::{answer, READY};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn main() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let replies = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        let job = event.data().as_string().unwrap_or_default();
        // A reply the page cannot receive is lost with the page: nothing to do here.
        let _ = replies.post_message(&JsValue::from_str(&answer(&job)));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it: so does its message handler.
    on_message.forget();
    // Messages that arrive before the handler is set are lost: the page waits for this one.
    let _ = scope.post_message(&JsValue::from_str(READY));
}
