//! The page's side of the workbench's analysis worker (`src/bin/analysis_worker.rs`): linting
//! and mapping 10,000 rules takes seconds, which on the page's thread would freeze scrolling and
//! typing. Like `browser`, this is a side effect on the browser, kept in one place.
//!
//! The page names the worker's script in `<meta name="portcullis-analysis-worker">`; the worker
//! starts on the first job, which waits for the worker's [`READY`] (it listens only once its
//! wasm has started). One job runs at a time: a newer job overtakes a running one (the
//! worker is stopped and started again, since a draft that changed makes its answer useless).
//! A page without the worker (the component tests), or whose worker fails to start, gets
//! [`WorkerAnswer::Unavailable`] and analyses on its own thread.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use leptos::prelude::{document, window};
use portcullis_engine::workbench::job::{read_answer, AnalysisJob, AnalysisReport, READY};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, MessageEvent, Worker};

/// The `<meta>` that names the worker's script, relative to the page.
const WORKER_META: &str = "meta[name=\"portcullis-analysis-worker\"]";

/// What a job's promise resolves to besides the worker's report (a string).
const OVERTAKEN: JsValue = JsValue::TRUE;
const FAILED_TO_RUN: JsValue = JsValue::FALSE;

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WorkerAnswer {
    /// The findings and matrices.
    Report(AnalysisReport),
    /// The worker ran the job and reports an error (rules that did not read back).
    Failed(String),
    /// A newer job replaced this one.
    Overtaken,
    /// No worker on this page, or it could not start: analyse on the page.
    Unavailable,
}

enum State {
    NotStarted,
    Running(Rc<Running>),
    Unavailable,
}

struct Running {
    worker: Worker,
    /// Resolved by the worker's first message ([`READY`]); taken by the first job, which waits for it.
    ready: RefCell<Option<Promise>>,
    /// The resolve function of the job in flight.
    waiting: Rc<RefCell<Option<Function>>>,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    _on_error: Closure<dyn Fn(ErrorEvent)>,
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::NotStarted) };
}

/// Whether this page can analyse off its thread (it names a worker that has not failed).
pub(crate) fn available() -> bool {
    STATE.with_borrow(|state| match state {
        State::Running(_) => true,
        State::Unavailable => false,
        State::NotStarted => worker_url().is_some(),
    })
}

/// Sends `job` to the worker and waits for its answer.
pub(crate) async fn analyse(job: &AnalysisJob) -> WorkerAnswer {
    let Some(running) = running() else { return WorkerAnswer::Unavailable };
    let ready = running.ready.borrow_mut().take();
    if let Some(ready) = ready {
        match JsFuture::from(ready).await {
            Ok(value) if value.as_string().as_deref() == Some(READY) => {}
            Ok(value) if value == OVERTAKEN => return WorkerAnswer::Overtaken,
            _ => return WorkerAnswer::Unavailable,
        }
    }
    let promise = Promise::new(&mut |resolve, _reject| {
        *running.waiting.borrow_mut() = Some(resolve);
    });
    if running.worker.post_message(&JsValue::from_str(&job.to_message())).is_err() {
        stop(Stop::Broken);
        return WorkerAnswer::Unavailable;
    }
    match JsFuture::from(promise).await {
        Ok(value) => match value.as_string() {
            Some(message) => read_answer(&message).map_or_else(WorkerAnswer::Failed, WorkerAnswer::Report),
            None if value == OVERTAKEN => WorkerAnswer::Overtaken,
            None => WorkerAnswer::Unavailable,
        },
        Err(_) => WorkerAnswer::Unavailable,
    }
}

/// The worker, ready for a new job: started if needed, restarted if a job is in flight.
fn running() -> Option<Rc<Running>> {
    let busy = STATE.with_borrow(|state| match state {
        State::Running(running) => running.waiting.borrow().is_some(),
        _ => false,
    });
    if busy {
        stop(Stop::Overtaken);
    }
    STATE.with_borrow_mut(|state| match state {
        State::Running(running) => Some(Rc::clone(running)),
        State::Unavailable => None,
        State::NotStarted => match start() {
            Some(running) => {
                *state = State::Running(Rc::clone(&running));
                Some(running)
            }
            None => {
                *state = State::Unavailable;
                None
            }
        },
    })
}

/// Why the worker is stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// A newer job replaces the one in flight: a new worker may start.
    Overtaken,
    /// It cannot run: the page analyses on its own from now on.
    Broken,
}

/// Stops the worker; the job in flight ends as `why` says.
fn stop(why: Stop) {
    let previous = STATE.with_borrow_mut(|state| {
        let next = if why == Stop::Overtaken { State::NotStarted } else { State::Unavailable };
        std::mem::replace(state, next)
    });
    if let State::Running(running) = previous {
        running.worker.terminate();
        if let Some(resolve) = running.waiting.borrow_mut().take() {
            let value = if why == Stop::Overtaken { OVERTAKEN } else { FAILED_TO_RUN };
            let _ = resolve.call1(&JsValue::NULL, &value);
        }
    }
}

fn start() -> Option<Rc<Running>> {
    let url = worker_url()?;
    let worker = Worker::new(&url).ok()?;
    let waiting: Rc<RefCell<Option<Function>>> = Rc::default();
    let ready = Promise::new(&mut |resolve, _reject| {
        *waiting.borrow_mut() = Some(resolve);
    });
    let on_message = {
        let waiting = Rc::clone(&waiting);
        Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            if let Some(resolve) = waiting.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &event.data());
            }
        })
    };
    // The script did not load, or the worker died: the page analyses on its own.
    let on_error = Closure::<dyn Fn(ErrorEvent)>::new(move |_: ErrorEvent| stop(Stop::Broken));
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Some(Rc::new(Running { worker, ready: RefCell::new(Some(ready)), waiting, _on_message: on_message, _on_error: on_error }))
}

/// The worker script's URL, from the page's `<meta>`, resolved against the page.
fn worker_url() -> Option<String> {
    let meta = document().query_selector(WORKER_META).ok()??;
    let relative = meta.get_attribute("content").filter(|content| !content.is_empty())?;
    let base = document().base_uri().ok()??;
    let url = web_sys::Url::new_with_base(&relative, &base).ok()?;
    // The page's own origin only: a worker is same-origin anyway, and nothing leaves the page.
    (url.origin() == window().location().origin().ok()?).then(|| url.href())
}

#[cfg(test)]
#[path = "worker_tests.rs"]
mod tests;
