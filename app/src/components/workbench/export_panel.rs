//! Everything the wizard exports, from the edited rules (enabled rules only): the safe apply
//! script, `rules.v4` / `rules.v6`, plain commands and nftables. Held back while the rules would
//! lock the admin out, until they say they have a console.

use leptos::prelude::*;
use portcullis_engine::codes::Code;
use portcullis_engine::export::script::{self, Distro, ScriptOptions};
use portcullis_engine::export::{commands, nft, save};
use portcullis_engine::model::Family;

use crate::components::{ExportTabs, RULES_TABS};
use crate::state::bench_view::BenchContext;

/// The export panel.
#[component]
pub(crate) fn ExportPanel() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let distro = RwSignal::new(Distro::Debian);
    let files = Signal::derive(move || {
        let options = ScriptOptions { distro: distro.get(), ..ScriptOptions::default() };
        context.bench.with(|bench| {
            let (v4, v6) = (bench.draft().effective(Family::V4), bench.draft().effective(Family::V6));
            let (rules_v4, rules_v6) = (save::render(&v4), save::render(&v6));
            vec![
                script::render(&v4, &v6, &options).map_err(|error| error.to_string()),
                Ok(rules_v4),
                Ok(rules_v6),
                Ok(commands::render_pair(&v4, &v6)),
                nft::render(&v4, &v6).map(|nft| nft.text).map_err(|error| format!("No nftables file: {error}")),
            ]
        })
    });
    let lockout = Memo::new(move |_| {
        context
            .analysis
            .with(|analysis| analysis.as_ref().is_some_and(|analysis| analysis.findings.iter().any(|finding| finding.diagnostic.code == Code::Lockout)))
    });
    let overridden = RwSignal::new(false);
    let blocked =
        Signal::derive(move || (lockout.get() && !overridden.get()).then(|| "Exports are held back: these rules would lock you out of SSH.".to_owned()));
    view! {
        <section data-testid="export-panel">
            <h2>"Export"</h2>
            <p class="muted">"From the rules as edited (disabled rules left out). The script tests, applies, and rolls back unless you confirm from a new login."</p>
            <Show when=move || lockout.get()>
                <div role="alert" data-testid="bench-lockout-warning">
                    <p class="error">"These rules would lock you out of SSH: loading them over SSH cuts your session and refuses new logins."</p>
                    <label>
                        <input type="checkbox" data-testid="bench-lockout-override" prop:checked=move || overridden.get()
                            on:change=move |event| overridden.set(event_target_checked(&event))/>
                        " I have console access; export anyway"
                    </label>
                </div>
            </Show>
            <ExportTabs tabs=&RULES_TABS files distro blocked/>
        </section>
    }
}
