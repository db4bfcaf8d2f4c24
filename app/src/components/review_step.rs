//! Step 5: live findings (lockout first, with an explicit override), the design in plain words,
//! and every export with Copy and Download, the distribution, and how to apply and undo.

use leptos::prelude::*;
use portcullis_engine::codes::Code;
use portcullis_engine::design::review_job::ReviewFinding;
use portcullis_engine::diagnostic::Severity;
use stylist::style;

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use super::{ExportTab, ExportTabs, RULES_TABS};
use crate::reviewing::Reviewing;
use crate::state::review::CheckedReview;
use crate::theme::class_name;

/// The export tabs: the rules', then the design file.
const TABS: [ExportTab; 6] = [
    RULES_TABS[0],
    RULES_TABS[1],
    RULES_TABS[2],
    RULES_TABS[3],
    RULES_TABS[4],
    ExportTab { slug: "json", label: "Design file", file_name: "portcullis-design.json" },
];

/// What the exports say while the findings of the design on screen are still being checked.
const CHECKING: &str = "Checking these rules for a lockout before export…";

/// What the summary says before the worker's first answer.
const SUMMARISING: &str = "Putting your design in plain words…";

/// What the summary says when the worker could not run.
const NO_SUMMARY: &str = "The summary comes with the checks, which did not run (see Findings).";

/// The review step.
///
/// An edit's frame changes only the form; the summary, the findings and the files come from the
/// analysis worker (see [`Reviewing`]). Until they do, the findings box says it is checking and
/// the exports are held, so a lockout can never be exported in between.
#[component]
pub(crate) fn ReviewStep() -> impl IntoView {
    let Reviewing { distro, checked, up_to_date, .. } = expect_context::<Reviewing>();
    // The last summary stays while the next one is on its way (the box says it is busy).
    let summary = Memo::new(move |_| {
        checked.with(|checked| match checked {
            None => SUMMARISING.to_owned(),
            Some(checked) => checked.summary().unwrap_or(NO_SUMMARY).to_owned(),
        })
    });
    let findings = Memo::new(move |_| checked.with(|checked| checked.as_ref().map_or_else(Vec::new, |checked| checked.findings().to_vec())));
    let failure = Memo::new(move |_| checked.with(|checked| checked.as_ref().and_then(CheckedReview::error).map(str::to_owned)));
    let lockout = Memo::new(move |_| findings.with(|findings| findings.iter().any(|finding| finding.code == Code::Lockout)));
    let overridden = RwSignal::new(false);
    let blocked = Signal::derive(move || {
        if lockout.get() && !overridden.get() {
            Some("Exports are held back: these rules would lock you out (see above).".to_owned())
        } else if !up_to_date.get() {
            Some(CHECKING.to_owned())
        } else {
            failure.get()
        }
    });
    let files = Memo::new(move |_| checked.with(|checked| checked.as_ref().map_or_else(|| vec![Err(CHECKING.to_owned()); TABS.len()], CheckedReview::files)));
    let class = class_name(style!(
        r#"
        display: grid; gap: 1rem;
        /* Long export lines scroll inside their panel instead of widening the column. */
        grid-template-columns: minmax(0, 1fr);
        h2 { font-size: 1.2rem; margin: 0; }
        h3 { font-size: 1.05rem; margin: 0 0 0.4rem; }
        .box { background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.75rem; }
        .lockout { border: 2px solid var(--error); }
        .lockout strong { color: var(--error); }
        ul.findings { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.5rem; }
        .finding { border-left: 4px solid var(--border); padding-left: 0.6rem; }
        .finding.error { border-color: var(--error); }
        .finding.warning { border-color: var(--warning); }
        .finding .kind { font: 0.8rem var(--mono); color: var(--muted); }
        .finding p { margin: 0.15rem 0; }
        .finding code { font: 0.8rem var(--mono); overflow-wrap: anywhere; }
        .clean { color: var(--ok); margin: 0; }
        .status { margin: 0; min-height: 1.3em; font-size: 0.88rem; color: var(--muted); }
        "#
    ));
    view! {
        <section class=class aria-labelledby="review-heading" data-testid="step-review">
            <h2 id="review-heading">"Review & export"</h2>
            <ShowIf when=lockout>
                <div class="box lockout" role="alert" data-testid="lockout-warning">
                    <strong>"These rules would lock you out of SSH."</strong>
                    <p>
                        "Loading them over SSH would cut your session and refuse every new login: "
                        "you would need your provider's web console to get back in. Open SSH to the "
                        "address you connect from (step \u{201c}Who may connect\u{201d}), or continue only if "
                        "you manage this server from a console."
                    </p>
                    <label>
                        <input type="checkbox" data-testid="lockout-override" prop:checked=move || overridden.get()
                            on:change=move |event| overridden.set(event_target_checked(&event))/>
                        " I have console access; export anyway"
                    </label>
                </div>
            </ShowIf>
            <div class="box" aria-busy=move || (!up_to_date.get()).to_string()>
                <h3>"In plain words"</h3>
                <p data-testid="summary">{move || summary.get()}</p>
            </div>
            <div class="box" aria-busy=move || (!up_to_date.get()).to_string()>
                <h3>"Findings"</h3>
                <p class="status" role="status" data-testid="findings-status"
                    data-state=move || match (up_to_date.get(), failure.with(Option::is_some)) {
                        (false, _) => "checking",
                        (true, true) => "failed",
                        (true, false) => "current",
                    }>
                    {move || if up_to_date.get() { failure.get() } else { Some("Checking the new rules…".to_owned()) }}
                </p>
                <ShowIf when=Signal::derive(move || !findings.with(Vec::is_empty) || failure.with(Option::is_some) || checked.with(Option::is_none))
                    fallback=|| view! { <p class="clean" data-testid="no-findings">"No problem found: you stay logged in, replies and DNS work, nothing is shadowed."</p> }>
                    <ul class="findings" data-testid="findings">
                        {keyed_list(move || findings.with(|findings| keyed_views(findings, |finding| view! { <FindingItem finding/> })))}
                    </ul>
                </ShowIf>
            </div>
            <ExportTabs tabs=&TABS files=files.into() distro blocked/>
            <HowToApply/>
        </section>
    }
}

#[component]
fn FindingItem(finding: ReviewFinding) -> impl IntoView {
    let severity = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    view! {
        <li class=format!("finding {severity}") data-testid=format!("finding-{}", finding.code.slug())>
            <span class="kind">{format!("{severity} · {} · {}", finding.code.slug(), finding.family)}</span>
            <p>{finding.message}</p>
            {finding.rule.map(|rule| view! { <p><code>{rule}</code></p> })}
            {finding.help.map(|help| view! { <p class="help">{help}</p> })}
        </li>
    }
}

/// How to apply, confirm from a new login, and undo.
#[component]
fn HowToApply() -> impl IntoView {
    view! {
        <div class="box" data-testid="how-to-apply">
            <h3>"How to apply, confirm and undo"</h3>
            <ol>
                <li>"Download the script and copy it to the server: " <code>"scp portcullis-apply.sh you@server:"</code></li>
                <li>"In your SSH session, run it as root: " <code>"sudo bash portcullis-apply.sh"</code>
                    ". It checks the rules with iptables-restore --test, saves your current rules, prints its plan, loads the new ones in chains of its own (PORTCULLIS-INPUT…) and starts a 120-second countdown. "
                    "Docker's, fail2ban's and other tools' rules stay exactly as they are; it stops if ufw, firewalld or Kubernetes manage this firewall (--coexist applies anyway)."</li>
                <li>"Keep that session open. From a NEW terminal, log in again over SSH and run the confirm command the script printed. "
                    "A confirmation from the old session is refused: only a new login proves new connections still work."</li>
                <li>"Not confirmed in time (say, you were locked out)? The previous rules come back by themselves."</li>
                <li>"To undo later, the script prints the exact restore command of the backup it saved."</li>
            </ol>
        </div>
    }
}
