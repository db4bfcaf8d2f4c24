//! The analysis worker: a Web Worker that answers three kinds of job (JSON text in, JSON text out),
//! started by a page (`app/src/worker.rs`): the wizard's once it has rendered, the workbench's on
//! its first analysis:
//! - the wizard's review (`portcullis_engine::design::review_job`): the summary, the rules'
//!   explanations, the findings and the files of a design — the summary, the explanations, the
//!   lint and the exports live here, not in the wizard's page;
//! - the wizard's server survey (`portcullis_engine::design::survey_job`): a pasted `ss`, `ip`
//!   and `iptables-save` output turned into a design (the dump importer lives here too);
//! - the workbench's analysis (`portcullis_engine::workbench::job`): linting and mapping
//!   thousands of rules without freezing the page.

use portcullis_engine::design::{review_job, survey_job};
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
        let reply = review_job::answer_message(&job).or_else(|| survey_job::answer_message(&job)).unwrap_or_else(|| answer(&job));
        let _ = replies.post_message(&JsValue::from_str(&reply));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it: so does its message handler.
    on_message.forget();
    // Messages that arrive before the handler is set are lost: the page waits for this one.
    let _ = scope.post_message(&JsValue::from_str(READY));
}
