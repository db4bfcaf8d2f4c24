//! The page's side of the analysis worker (`src/bin/analysis_worker.rs`), which answers the
//! wizard's review (summary, explanations, lint and exports, which the wizard's page does not
//! carry) and the workbench's analysis (linting and mapping 10,000 rules takes seconds, which on
//! the page's thread would freeze scrolling and typing). Like `browser`, this is a side effect on
//! the browser, kept in one place.
//!
//! The page names the worker's script in `<meta name="portcullis-analysis-worker">`; the worker
//! starts on the first job, which waits for the worker's [`READY`] (it listens only once its
//! wasm has started). One job runs at a time: a newer job overtakes a running one (the
//! worker is stopped and started again, since a draft that changed makes its answer useless).
//! A page without the worker (the component tests), or whose worker fails to start, gets
//! [`Reply::Unavailable`]: the workbench then analyses on its own thread; the component tests
//! answer on the page with the worker's own engine function ([`answer_reviews_on_page`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Promise};
use leptos::prelude::{document, window};
use portcullis_engine::design::{review_job, survey_job};
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
pub(crate) enum Reply {
    /// The worker's answer (a JSON text).
    Answer(String),
    /// A newer job replaced this one.
    Overtaken,
    /// No worker on this page, or it could not start.
    Unavailable,
}

/// How a workbench analysis ended.
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

/// What answers a job on the page when no worker runs: `None` leaves it unanswered.
type PageAnswer = fn(&str) -> Option<String>;

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::NotStarted) };
    static PAGE_ANSWER: Cell<Option<PageAnswer>> = const { Cell::new(None) };
}

/// Answers the wizard's review and survey jobs on the page, with the function the worker runs, when the
/// page has no worker: for tests, which have no worker script to start. The wizard's page
/// never calls it (it would carry the summary, the explanations, the lint and the exports
/// again).
pub fn answer_reviews_on_page() {
    PAGE_ANSWER.set(Some(|message| review_job::answer_message(message).or_else(|| survey_job::answer_message(message))));
}

/// Whether this page can analyse off its thread (it names a worker that has not failed).
pub(crate) fn available() -> bool {
    STATE.with_borrow(|state| match state {
        State::Running(_) => true,
        State::Unavailable => false,
        State::NotStarted => worker_url().is_some(),
    })
}

/// Sends the workbench's `job` to the worker and waits for its answer.
pub(crate) async fn analyse(job: &AnalysisJob) -> WorkerAnswer {
    match ask(&job.to_message()).await {
        Reply::Answer(message) => read_answer(&message).map_or_else(WorkerAnswer::Failed, WorkerAnswer::Report),
        Reply::Overtaken => WorkerAnswer::Overtaken,
        Reply::Unavailable => WorkerAnswer::Unavailable,
    }
}

/// Sends `message` to the worker and waits for its answer.
pub(crate) async fn ask(message: &str) -> Reply {
    let Some(running) = running() else {
        let Some(answer) = PAGE_ANSWER.get() else { return Reply::Unavailable };
        // A task later, as a worker's message comes: the page paints "checking" meanwhile.
        crate::browser::pause(0).await;
        return answer(message).map_or(Reply::Unavailable, Reply::Answer);
    };
    let ready = running.ready.borrow_mut().take();
    if let Some(ready) = ready {
        match JsFuture::from(ready).await {
            Ok(value) if value.as_string().as_deref() == Some(READY) => {}
            Ok(value) if value == OVERTAKEN => return Reply::Overtaken,
            _ => return Reply::Unavailable,
        }
    }
    let promise = Promise::new(&mut |resolve, _reject| {
        *running.waiting.borrow_mut() = Some(resolve);
    });
    if running.worker.post_message(&JsValue::from_str(message)).is_err() {
        stop(Stop::Broken);
        return Reply::Unavailable;
    }
    match JsFuture::from(promise).await {
        Ok(value) => match value.as_string() {
            Some(answer) => Reply::Answer(answer),
            None if value == OVERTAKEN => Reply::Overtaken,
            None => Reply::Unavailable,
        },
        Err(_) => Reply::Unavailable,
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
