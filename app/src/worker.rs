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
//! A worker that crashes once it has started (a panic, memory exhausted: its `error` event) is
//! started again and given the job it was running, once; the page is told
//! ([`on_restart`]) so it can say so. Crashing again on the same job gives [`Reply::Crashed`].
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
const CRASHED: JsValue = JsValue::UNDEFINED;

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// The worker's answer (a JSON text).
    Answer(String),
    /// A newer job replaced this one.
    Overtaken,
    /// The worker crashed on this job, and again when started anew and given it once more.
    Crashed,
    /// No worker on this page, or it could not start.
    Unavailable,
}

/// What the page says when a worker crashed twice on one job.
pub(crate) const CRASHED_TWICE: &str = "The analysis worker crashed twice on this job (a bug, or the browser ran out of memory). \
    Reload the page to try again.";

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
    static ON_RESTART: RefCell<Option<Box<dyn Fn()>>> = const { RefCell::new(None) };
}

/// Calls `notify` each time a worker that crashed is started again for the job it was running.
pub(crate) fn on_restart(notify: impl Fn() + 'static) {
    ON_RESTART.set(Some(Box::new(notify)));
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
        Reply::Crashed => WorkerAnswer::Failed(CRASHED_TWICE.to_owned()),
        Reply::Unavailable => WorkerAnswer::Unavailable,
    }
}

/// Sends `message` to the worker and waits for its answer; a crash gets one more try in a new
/// worker.
pub(crate) async fn ask(message: &str) -> Reply {
    match ask_once(message).await {
        Reply::Crashed => {
            ON_RESTART.with_borrow(|notify| notify.as_ref().map(|notify| notify()));
            ask_once(message).await
        }
        reply => reply,
    }
}

async fn ask_once(message: &str) -> Reply {
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
            None if value.is_undefined() => Reply::Crashed,
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
    /// It crashed after it had started: the next job starts a new one.
    Crashed,
}

/// Stops the worker; the job in flight ends as `why` says.
fn stop(why: Stop) {
    let previous = STATE.with_borrow_mut(|state| {
        let next = if why == Stop::Broken { State::Unavailable } else { State::NotStarted };
        std::mem::replace(state, next)
    });
    if let State::Running(running) = previous {
        running.worker.terminate();
        if let Some(resolve) = running.waiting.borrow_mut().take() {
            let value = match why {
                Stop::Overtaken => OVERTAKEN,
                Stop::Broken => FAILED_TO_RUN,
                Stop::Crashed => CRASHED,
            };
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
    let started = Rc::new(Cell::new(false));
    let on_message = {
        let waiting = Rc::clone(&waiting);
        let started = Rc::clone(&started);
        Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            started.set(true);
            if let Some(resolve) = waiting.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &event.data());
            }
        })
    };
    // Before its first message the script did not load (the page analyses on its own from then
    // on); after it, the worker crashed (a new one takes the next job).
    let on_error = Closure::<dyn Fn(ErrorEvent)>::new(move |event: ErrorEvent| {
        event.prevent_default();
        stop(if started.get() { Stop::Crashed } else { Stop::Broken });
    });
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
