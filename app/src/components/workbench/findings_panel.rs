//! Every finding of the draft, grouped by severity. Choosing one highlights the rules it names
//! (the rule and the rules that explain it) in the table; its witness packet opens in the
//! simulator in one click; a quick fix (checked by the engine: the finding goes away and no error
//! appears) is one more.

use leptos::prelude::*;
use portcullis_engine::analysis::Finding;
use portcullis_engine::codes::Code;
use portcullis_engine::diagnostic::Severity;
use portcullis_engine::model::RuleLoc;
use portcullis_engine::workbench::{fixes, Fix};

use crate::state::bench_view::{BenchContext, Panel, AUTO_ANALYSIS_LIMIT};

/// The findings panel.
#[component]
pub(crate) fn FindingsPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let stale = Memo::new(move |_| {
        let revision = context.bench.with(crate::state::workbench::Workbench::revision);
        context.analysis.with(|analysis| analysis.as_ref().is_none_or(|analysis| analysis.revision != revision))
    });
    // With an analysis worker every size is analysed after each edit; without one, large rulesets on request.
    let large = Memo::new(move |_| !crate::worker::available() && context.bench.with(crate::state::workbench::Workbench::rule_count) > AUTO_ANALYSIS_LIMIT);
    let groups = Memo::new(move |_| {
        context.analysis.with(|analysis| {
            let findings = analysis.as_ref().map_or(&[][..], |analysis| &analysis.findings[..]);
            [Severity::Error, Severity::Warning, Severity::Info]
                .map(|severity| (severity, findings.iter().filter(|finding| finding.diagnostic.severity == severity).cloned().collect::<Vec<_>>()))
        })
    });
    let total = Memo::new(move |_| groups.with(|groups| groups.iter().map(|(_, findings)| findings.len()).sum::<usize>()));
    view! {
        <section data-testid="findings-panel">
            <h2>"Findings"</h2>
            <p role="status" class="muted" data-testid="findings-status"
                data-analyser=move || context.analysis.with(|analysis| analysis.as_ref().map_or("", |analysis| analysis.analyser.slug()))>
                {move || match (stale.get(), large.get()) {
                    (false, _) => "Up to date.".to_owned(),
                    (true, false) => "Checking the rules…".to_owned(),
                    (true, true) => format!("More than {AUTO_ANALYSIS_LIMIT} rules: findings are checked when you ask, not after every edit."),
                }}
            </p>
            <Show when=move || stale.get() && large.get()>
                <button type="button" class="primary" data-testid="analyse-now" on:click=move |_| context.analyse_now.update(|asked| *asked += 1)>
                    "Check now"
                </button>
            </Show>
            <Show when=move || { total.get() != 0 || stale.get() }
                fallback=|| view! { <p data-testid="no-findings">"No problem found: you stay logged in, replies and DNS work, nothing is shadowed."</p> }>
                {move || groups.get().into_iter().filter(|(_, findings)| !findings.is_empty()).map(|(severity, findings)| view! {
                    <h3>{format!("{} ({})", heading(severity), findings.len())}</h3>
                    <ul data-testid=format!("findings-{}", severity.as_str())>
                        {findings.into_iter().map(|finding| view! { <FindingItem finding/> }).collect_view()}
                    </ul>
                }).collect_view()}
            </Show>
        </section>
    }
}

fn heading(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "Errors",
        Severity::Warning => "Warnings",
        Severity::Info => "Notes",
    }
}

/// One finding: what, where, help; buttons to show its rules and to simulate its witness.
#[component]
#[allow(clippy::needless_pass_by_value)]
pub(crate) fn FindingItem(finding: Finding) -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let family = finding.family;
    let locs: Vec<RuleLoc> = finding.rule.iter().chain(&finding.related).cloned().collect();
    let has_rules = !locs.is_empty();
    let show_rules = move |_| context.bench.update(|bench| bench.mark(family, &locs));
    let witness = finding.witness.as_ref().map(ToString::to_string);
    let simulate = witness.clone().map(|packet| {
        move |_| {
            context.packet.set(packet.clone());
            context.panel.set(Panel::Simulate);
        }
    });
    let code = finding.diagnostic.code.as_str();
    let fixable = matches!(finding.diagnostic.code, Code::ShadowedRule | Code::RedundantRule | Code::NoEstablished);
    let fix_list = RwSignal::new(None::<Vec<Fix>>);
    let suggest = {
        let finding = finding.clone();
        move |_| {
            let found = context.bench.with_untracked(|bench| fixes(bench.draft(), &finding));
            fix_list.set(Some(found));
        }
    };
    let place = finding.rule.as_ref().map_or_else(String::new, |rule| format!(" · {rule}"));
    view! {
        <li class=format!("finding {}", finding.diagnostic.severity.as_str()) data-testid="finding" data-code=code>
            <span class="muted">{format!("{code} · {family}{place}")}</span>
            <p>{finding.diagnostic.message.clone()}</p>
            {finding.diagnostic.help.clone().map(|help| view! { <p class="muted">{help}</p> })}
            <div class="ops">
                {has_rules.then(|| view! { <button type="button" data-testid="finding-show" on:click=show_rules>"Show rules"</button> })}
                {simulate.map(|simulate| view! { <button type="button" data-testid="finding-simulate" on:click=simulate>"Simulate the example packet"</button> })}
                {fixable.then(|| view! { <button type="button" data-testid="finding-fixes" on:click=suggest>"Quick fix…"</button> })}
            </div>
            {move || fix_list.get().map(|found| if found.is_empty() {
                view! { <p class="muted" data-testid="no-fix">"No fix is safe here: moving or deleting would change what other packets get. Edit the rules by hand."</p> }.into_any()
            } else {
                view! {
                    <div class="ops">
                        {found.into_iter().map(|fix| {
                            let title = fix.title.clone();
                            view! {
                                <button type="button" class="primary" data-testid="fix-apply"
                                    on:click=move |_| context.bench.update(|bench| bench.edit_and_select(|draft| draft.apply(&fix)))>{title}</button>
                            }
                        }).collect_view()}
                    </div>
                }.into_any()
            })}
        </li>
    }
}
