//! The worker client's job handling, against a real Web Worker: a stand-in script (a `blob:`
//! URL, same origin as the page) that speaks the worker's protocol and answers only when told
//! to, so that "a job in flight when the next one comes" happens every run, not by chance. The
//! real worker (`src/bin/analysis_worker.rs`) is exercised end to end by the e2e suite.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::document;
use portcullis_engine::analysis::LintOptions;
use portcullis_engine::model::{Family, Ruleset};
use portcullis_engine::workbench::job::{answer, read_answer, AnalysisJob, READY};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{BroadcastChannel, MessageEvent};

use super::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Where the stand-in says which job reached it.
const RECEIVED_CHANNEL: &str = "portcullis-worker-test";

fn job(revision: u64) -> AnalysisJob {
    AnalysisJob::new(revision, [&Ruleset::new(Family::V4), &Ruleset::new(Family::V6)], LintOptions::default())
}

/// A worker script that says READY, reports each job's revision on [`RECEIVED_CHANNEL`], and
/// answers a job only if it is the first this worker got and its revision is `answered` — with
/// `reply`, the real engine's answer. A worker given a second job never answers it: only a
/// fresh worker can answer.
fn stand_in_script(answered: u64, reply: &str) -> String {
    let reply = serde_json::to_string(reply).expect("a string serializes");
    let ready = serde_json::to_string(READY).expect("a string serializes");
    format!(
        "const received = new BroadcastChannel('{RECEIVED_CHANNEL}');
         let jobs = 0;
         onmessage = (event) => {{
             jobs += 1;
             const revision = JSON.parse(event.data).revision;
             received.postMessage(revision);
             if (jobs === 1 && revision === {answered}) postMessage({reply});
         }};
         postMessage({ready});"
    )
}

/// Names `script` as the page's worker (as the workbench's `<meta>` does) until dropped.
struct StandInWorker {
    meta: web_sys::Element,
    url: String,
}

impl StandInWorker {
    fn install(script: &str) -> Self {
        let parts = js_sys::Array::of1(&JsValue::from_str(script));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).expect("a blob");
        let url = web_sys::Url::create_object_url_with_blob(&blob).expect("a blob URL");
        let meta = document().create_element("meta").expect("a meta element");
        meta.set_attribute("name", "portcullis-analysis-worker").expect("name");
        meta.set_attribute("content", &url).expect("content");
        document().head().expect("a head").append_child(&meta).expect("appended");
        Self { meta, url }
    }
}

impl Drop for StandInWorker {
    fn drop(&mut self) {
        self.meta.remove();
        let _ = web_sys::Url::revoke_object_url(&self.url);
        // The next test starts from no worker.
        stop(Stop::Overtaken);
    }
}

/// Resolves with the first revision a stand-in reports on [`RECEIVED_CHANNEL`].
fn next_received() -> (Promise, BroadcastChannel, Closure<dyn Fn(MessageEvent)>) {
    let channel = BroadcastChannel::new(RECEIVED_CHANNEL).expect("a channel");
    let resolver: Rc<RefCell<Option<Function>>> = Rc::default();
    let promise = Promise::new(&mut |resolve, _reject| *resolver.borrow_mut() = Some(resolve));
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(resolve) = resolver.borrow_mut().take() {
            let _ = resolve.call1(&JsValue::NULL, &event.data());
        }
    });
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    (promise, channel, on_message)
}

#[wasm_bindgen_test]
async fn a_newer_job_overtakes_the_one_in_flight_and_a_fresh_worker_answers_it() {
    let expected = read_answer(&answer(&job(2).to_message())).expect("the engine answers");
    let _worker = StandInWorker::install(&stand_in_script(2, &answer(&job(2).to_message())));
    let (first_received, channel, _listener) = next_received();

    let first_answer: Rc<RefCell<Option<WorkerAnswer>>> = Rc::default();
    let slot = Rc::clone(&first_answer);
    wasm_bindgen_futures::spawn_local(async move {
        *slot.borrow_mut() = Some(analyse(&job(1)).await);
    });
    // Job 1 is in the worker now (past the READY handshake), and the worker will never answer it.
    let received = JsFuture::from(first_received).await.expect("the worker reports job 1");
    assert_eq!(received.as_f64(), Some(1.0));
    assert_eq!(*first_answer.borrow(), None, "job 1 is still in flight");

    let second = analyse(&job(2)).await;
    channel.close();
    assert_eq!(second, WorkerAnswer::Report(expected), "job 2 went to a fresh worker, which answered it");
    assert_eq!(*first_answer.borrow(), Some(WorkerAnswer::Overtaken), "job 1 ended as overtaken");
    assert!(available(), "an overtaken worker is replaced, not given up on");
}

#[wasm_bindgen_test]
async fn a_worker_that_cannot_start_leaves_the_analysis_to_the_page() {
    // A worker whose script throws at once: its error event arrives instead of READY.
    let _worker = StandInWorker::install("throw new Error('no wasm here');");
    assert!(available(), "a named worker is tried first");
    assert_eq!(analyse(&job(1)).await, WorkerAnswer::Unavailable);
    assert!(!available(), "after the failure the page analyses on its own");
}
