//! The simulator: a packet (presets, a typed form, and the CLI's text form, which is the one
//! source of truth), fired through the draft's effective rules. The verdict is shown large with
//! the rule that decided, the trace as indented steps (jumps in, returns out), and the marks on
//! the rules table. Conversation mode follows the request with its replies.
//!
//! The run lives with the workbench, not the panel, so the table's marks stay current while the
//! user edits rules in another panel; an import clears them, and they come back only when the
//! simulator is opened again.

use std::sync::Arc;

use leptos::prelude::*;
use portcullis_engine::model::{Family, RuleLoc, Ruleset};
use portcullis_engine::simulate::{Outcome, Packet, Simulation, Verdict};
use portcullis_engine::workbench::presets::PacketPreset;
use stylist::style;

use super::packet_form::PacketForm;
use crate::state::bench_view::{BenchContext, Panel};
use crate::state::simulator::{marks, preset_slug, run, to_family, trace_lines, Run};
use crate::state::workbench::Workbench;
use crate::theme::class_name;

/// A run of the simulator on one revision of the draft.
#[derive(Debug, Clone)]
pub(super) struct SimRun {
    revision: u64,
    conversation: bool,
    pub(super) packet: Packet,
    ruleset: Arc<Ruleset>,
    run: Run,
}

impl PartialEq for SimRun {
    /// The same packet, mode and draft revision give the same run.
    fn eq(&self, other: &Self) -> bool {
        (self.revision, self.conversation, &self.packet) == (other.revision, other.conversation, &other.packet)
    }
}

/// The simulator's signals, provided by the workbench.
#[derive(Debug, Clone, Copy)]
pub(super) struct Simulator {
    /// Request and replies instead of the packet alone.
    pub(super) conversation: RwSignal<bool>,
    /// The packet of the text, or the last one that parsed while the text does not.
    pub(super) packet: Memo<Option<Packet>>,
    /// Why the text does not parse.
    pub(super) error: Memo<Option<String>>,
    /// The packet's run on the current draft.
    pub(super) result: Memo<Option<SimRun>>,
}

/// Provides the [`Simulator`] and keeps the table's trace marks and the family in step with it.
pub(super) fn provide_simulator(context: BenchContext) {
    let parsed = Memo::new(move |_| context.packet.with(|text| (!text.trim().is_empty()).then(|| Packet::parse(text).map_err(|error| error.to_string()))));
    let packet = Memo::new(move |previous: Option<&Option<Packet>>| match parsed.get() {
        Some(Ok(packet)) => Some(packet),
        Some(Err(_)) => previous.cloned().flatten(),
        None => None,
    });
    let error = Memo::new(move |_| parsed.with(|parsed| parsed.as_ref().and_then(|parsed| parsed.as_ref().err().cloned())));
    let conversation = RwSignal::new(false);
    let revision = Memo::new(move |_| context.bench.with(Workbench::revision));
    let result = Memo::new(move |_| {
        let packet = packet.get()?;
        let conversation = conversation.get();
        let revision = revision.get();
        let (ruleset, run) = context.bench.with_untracked(|bench| run(bench.draft(), &packet, conversation));
        Some(SimRun { revision, conversation, packet, ruleset: Arc::new(ruleset), run })
    });
    let simulator = Simulator { conversation, packet, error, result };
    provide_context(simulator);
    keep_marks(context, simulator);
    follow_family(context, simulator);
}

/// Writes the run's marks on the table while the simulator is open, and keeps them current
/// afterwards; once cleared (an import), they stay cleared until the simulator opens again.
fn keep_marks(context: BenchContext, simulator: Simulator) {
    let open = Memo::new(move |_| context.panel.get() == Panel::Simulate);
    Effect::new(move |_| {
        let open = open.get();
        simulator.result.track();
        if !open && context.trace.with_untracked(std::collections::HashMap::is_empty) {
            return;
        }
        let marks = simulator
            .result
            .with(|result| result.as_ref().map(|result| context.bench.with_untracked(|bench| marks(bench.draft(), result.packet.family, &result.run))));
        context.trace.set(marks.unwrap_or_default());
    });
}

/// The packet follows the family the table shows when the user switches it, and the table
/// follows the packet when a packet of the other family is chosen (a finding's witness, typed text).
fn follow_family(context: BenchContext, simulator: Simulator) {
    let shown = Memo::new(move |_| context.bench.with(Workbench::family));
    let packet_family = Memo::new(move |_| simulator.packet.with(|packet| packet.as_ref().map(|packet| packet.family)));
    Effect::new(move |previous: Option<(Family, Option<Family>)>| {
        let now = (shown.get(), packet_family.get());
        let (shown_now, packet_now) = now;
        if let Some(family) = packet_now.filter(|family| *family != shown_now) {
            let user_switched = previous.is_some_and(|(shown_before, packet_before)| shown_before != shown_now && packet_before == packet_now);
            if user_switched {
                if let Some(packet) = simulator.packet.get_untracked() {
                    context.packet.set(to_family(&packet, shown_now).to_string());
                }
            } else {
                context.bench.update(|bench| bench.show_family(family));
            }
        }
        now
    });
}

/// The simulator panel.
#[component]
pub(crate) fn SimulatorPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let simulator = expect_context::<Simulator>();
    if context.packet.with_untracked(|text| text.trim().is_empty()) {
        let family = context.bench.with_untracked(Workbench::family);
        context.packet.set(PacketPreset::SshFromInternet.packet(family).to_string());
    }
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.6rem;
        .presets { display: flex; flex-wrap: wrap; gap: 0.3rem; }
        .verdict { font-size: 2rem; font-weight: 800; letter-spacing: 0.04em; margin: 0; }
        .verdict.accept { color: var(--ok); }
        .verdict.drop, .verdict.reject { color: var(--error); }
        .verdict.depends { color: var(--warning); }
        .decided button, button.link { border: none; padding: 0; color: var(--accent); text-decoration: underline; background: none; }
        ol.trace { list-style: none; margin: 0.3rem 0 0; padding: 0; display: grid; gap: 0.15rem; }
        ol.trace li { border-left: 3px solid var(--border); padding: 0.1rem 0 0.1rem 0.4rem; margin-left: calc(var(--depth) * 1.1rem); font-size: 0.85rem; }
        ol.trace li.matched { border-color: var(--ok); }
        ol.trace li.maybe { border-color: var(--warning); }
        ol.trace li.policy { border-color: var(--accent); }
        ol.trace li .returned { color: var(--muted); }
        ol.trace li code { display: block; white-space: pre-wrap; word-break: break-all; color: var(--muted); }
        .exchange { border-top: 1px solid var(--border); padding-top: 0.4rem; }
        .exchange h3 { margin: 0; font-size: 1rem; }
        "#
    ));
    view! {
        <section class=class data-testid="simulator-panel" aria-labelledby="simulator-heading">
            <h2 id="simulator-heading">"Simulate a packet"</h2>
            <div class="presets" role="group" aria-label="Example packets">
                {PacketPreset::ALL.map(|preset| view! {
                    <button type="button" data-testid=format!("preset-{}", preset_slug(preset)) title=preset.description()
                        on:click=move |_| {
                            let family = context.bench.with_untracked(Workbench::family);
                            context.packet.set(preset.packet(family).to_string());
                        }>
                        {preset.title()}
                    </button>
                }).collect_view()}
            </div>
            <PacketForm/>
            <label>
                <input type="checkbox" data-testid="sim-conversation" prop:checked=move || simulator.conversation.get()
                    on:change=move |event| simulator.conversation.set(event_target_checked(&event))/>
                " Conversation: the request, then the replies to it"
            </label>
            <div aria-live="polite" data-testid="sim-result">
                {move || simulator.result.get().map(|result| match &result.run {
                    Run::Single(simulation) => view! { <SimulationView simulation=simulation.clone() ruleset=Arc::clone(&result.ruleset) family=result.packet.family/> }.into_any(),
                    Run::Conversation(conversation) => {
                        let completes = conversation.completes();
                        view! {
                            <p data-testid="conversation-summary">
                                {if completes { "The conversation completes: every packet is let through." } else { "The conversation breaks at the last packet shown." }}
                            </p>
                            {conversation.exchanges.iter().map(|exchange| view! {
                                <div class="exchange" data-testid="exchange">
                                    <h3>{exchange.label}</h3>
                                    <p><code>{exchange.packet.to_string()}</code></p>
                                    <SimulationView simulation=exchange.simulation.clone() ruleset=Arc::clone(&result.ruleset) family=exchange.packet.family/>
                                </div>
                            }).collect_view()}
                        }.into_any()
                    }
                })}
            </div>
        </section>
    }
}

fn verdict_word(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "ACCEPT",
        Verdict::Drop => "DROP",
        Verdict::Reject => "REJECT",
    }
}

/// The verdict, the deciding rule and the trace of one simulation (every outcome when the
/// packet alone does not decide).
#[component]
fn SimulationView(simulation: Simulation, ruleset: Arc<Ruleset>, family: Family) -> impl IntoView {
    let (word, class) = match simulation.verdict() {
        Some(verdict) => (verdict_word(verdict), verdict_word(verdict).to_ascii_lowercase()),
        None => ("DEPENDS", "depends".to_owned()),
    };
    let reject_with = simulation.outcomes.first().and_then(|outcome| outcome.reject_with).filter(|_| simulation.verdict() == Some(Verdict::Reject));
    let several = simulation.outcomes.len() > 1;
    let count = simulation.outcomes.len();
    view! {
        <p class=format!("verdict {class}") data-testid="sim-verdict">
            {word}
            {reject_with.map(|with| format!(" ({})", with.name(family)))}
        </p>
        {several.then(|| view! {
            <p class="muted">"The packet alone does not decide: a match depends on what it does not tell (a rate, an address list…). Every possible outcome:"</p>
        })}
        {simulation.outcomes.into_iter().enumerate().map(|(at, outcome)| {
            let heading = several.then(|| format!("Outcome {} of {count}: {}", at + 1, verdict_word(outcome.verdict)));
            view! { <OutcomeView outcome ruleset=Arc::clone(&ruleset) family heading open=at == 0/> }
        }).collect_view()}
    }
}

/// Selects and highlights an effective rule in the table.
fn show_rule(context: BenchContext, family: Family, rule: &RuleLoc) {
    let rule = rule.clone();
    context.bench.update(|bench| bench.mark(family, &[rule]));
}

/// One outcome: who decided, then the steps.
#[component]
fn OutcomeView(outcome: Outcome, ruleset: Arc<Ruleset>, family: Family, heading: Option<String>, open: bool) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let decided = match outcome.decided_by.clone() {
        Some(rule) if rule.index.is_some() => {
            let label = format!("{} {}", rule.table, rule);
            view! {
                "Decided by "
                <button type="button" data-testid="sim-decided-by" title="Show this rule in the table"
                    on:click=move |_| show_rule(context, family, &rule)>{label}</button>
            }
            .into_any()
        }
        Some(policy) => view! { <span data-testid="sim-decided-by">{format!("Decided by {policy} (no rule matched)")}</span> }.into_any(),
        None => view! { <span data-testid="sim-decided-by">"No chain decided: the packet passes (no filter table)."</span> }.into_any(),
    };
    let lines = trace_lines(&ruleset, family, &outcome.trace);
    let steps = lines.len();
    view! {
        {heading.map(|heading| view! { <h3 data-testid="sim-outcome">{heading}</h3> })}
        <p class="decided">{decided}</p>
        <details open=open>
            <summary>{format!("The path through the rules ({steps} steps)")}</summary>
            <ol class="trace" aria-label="Trace">
                {lines.into_iter().map(|line| {
                    let rule = line.rule.clone();
                    let place = if rule.index.is_some() {
                        view! {
                            <button type="button" class="link" title="Show this rule in the table"
                                on:click=move |_| show_rule(context, family, &rule)>{line.place.clone()}</button>
                        }.into_any()
                    } else {
                        view! { <strong>{line.place.clone()}</strong> }.into_any()
                    };
                    view! {
                        <li class=line.kind data-testid="trace-line" data-kind=line.kind style=format!("--depth: {}", line.depth)>
                            {line.returned.then(|| view! { <span class="returned">"↩ back in this chain · "</span> })}
                            {(line.depth > 0).then_some("↳ ")}
                            {place}
                            " — "
                            {line.result}
                            {line.text.map(|text| view! { <code>{text}</code> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
}
