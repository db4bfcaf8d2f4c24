//! The simulator's packet in two forms that stay in step: the CLI's text form (the source of
//! truth, read on every keystroke, its error shown beside it) and typed fields that each write
//! the text back when they change. A field that does not fit says why beside itself and leaves
//! the packet as it was.

use leptos::prelude::*;
use portcullis_engine::model::{Family, Protocol};
use portcullis_engine::simulate::{Packet, Path};
use stylist::style;

use super::simulator_panel::Simulator;
use crate::state::bench_view::BenchContext;
use crate::state::simulator::{edit, icmp_name, with_flag, FormField, FLAGS, STATES};
use crate::theme::class_name;

/// The text form and the typed fields.
#[component]
pub(super) fn PacketForm() -> impl IntoView {
    let context = expect_context::<BenchContext>();
    let simulator = expect_context::<Simulator>();
    let field_error = RwSignal::new(None::<(FormField, String)>);
    // A new text (typed, a preset, a witness) answers for every field.
    Effect::new(move |_| {
        context.packet.track();
        field_error.set(None);
    });
    let apply = move |field: FormField, value: String| {
        let Some(current) = simulator.packet.get_untracked() else { return };
        match edit(&current, field, &value) {
            Ok(packet) => context.packet.set(packet.to_string()),
            Err(message) => field_error.set(Some((field, message))),
        }
    };
    let read = move |get: fn(&Packet) -> String| move || simulator.packet.with(|packet| packet.as_ref().map(get).unwrap_or_default());
    let has = move |test: fn(&Packet) -> bool| move || simulator.packet.with(|packet| packet.as_ref().is_some_and(test));
    let error_of = move |field: FormField| {
        move || {
            field_error.with(|error| error.as_ref().filter(|(at, _)| *at == field).map(|(_, message)| message.clone())).map(|message| {
                view! {
                    <span class="error" role="alert" data-testid="field-error">{message}</span>
                }
            })
        }
    };
    let text_field = move |field: FormField, id: &'static str, label: &'static str, get: fn(&Packet) -> String| {
        view! {
            <label for=id>{label}</label>
            <span>
                <input id=id data-testid=id spellcheck="false" prop:value=read(get)
                    on:change=move |event| apply(field, event_target_value(&event))/>
                {error_of(field)}
            </span>
        }
    };
    let family = move || simulator.packet.with(|packet| packet.as_ref().map_or(Family::V4, |packet| packet.family));
    let class = class_name(style!(
        r#"
        display: grid; gap: 0.4rem;
        .text input { width: 100%; box-sizing: border-box; font: 0.85rem var(--mono); padding: 0.3rem; }
        .fields { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.3rem 0.6rem; align-items: center; border: 1px solid var(--border); border-radius: 0.35rem; padding: 0.5rem; margin: 0; }
        .fields input:not([type="checkbox"]), .fields select { font: 0.85rem var(--mono); padding: 0.15rem 0.3rem; max-width: 100%; }
        .fields .error, .text .error { display: block; font-size: 0.85rem; }
        .flags { display: flex; flex-wrap: wrap; gap: 0.2rem 0.6rem; }
        "#
    ));
    view! {
        <div class=class>
            <div class="text">
                <label for="packet-text">"The packet, as the command line writes it"</label>
                <input id="packet-text" data-testid="packet-text" spellcheck="false" autocomplete="off"
                    aria-describedby="packet-error"
                    prop:value=move || context.packet.get()
                    on:input=move |event| context.packet.set(event_target_value(&event))/>
                <span id="packet-error" aria-live="polite">
                    {move || simulator.error.get().map(|message| view! {
                        <span class="error" data-testid="packet-error">
                            {format!("{message} — the result below is still the last packet that could be read.")}
                        </span>
                    })}
                </span>
            </div>
            <fieldset class="fields" data-testid="packet-form">
                <legend>{move || format!("The packet's fields ({}, the family the table shows)", family())}</legend>
                <label for="sim-path">"Path"</label>
                <span>
                    <select id="sim-path" data-testid="sim-path" on:change=move |event| apply(FormField::Path, event_target_value(&event))>
                        {[(Path::Input, "input", "input: to this host"), (Path::Forward, "forward", "forward: routed through"), (Path::Output, "output", "output: sent by this host")]
                            .map(|(path, value, label)| view! {
                                <option value=value prop:selected=move || simulator.packet.with(|packet| packet.as_ref().is_some_and(|packet| packet.path == path))>{label}</option>
                            }).collect_view()}
                    </select>
                    {error_of(FormField::Path)}
                </span>
                <Show when=has(|packet| packet.path != Path::Output)>
                    {text_field(FormField::InInterface, "sim-in", "In interface", |packet| packet.in_interface.clone().unwrap_or_default())}
                </Show>
                <Show when=has(|packet| packet.path != Path::Input)>
                    {text_field(FormField::OutInterface, "sim-out", "Out interface", |packet| packet.out_interface.clone().unwrap_or_default())}
                </Show>
                {text_field(FormField::Source, "sim-source", "Source", |packet| packet.source.to_string())}
                {text_field(FormField::Destination, "sim-destination", "Destination", |packet| packet.destination.to_string())}
                <label for="sim-protocol">"Protocol"</label>
                <span>
                    <select id="sim-protocol" data-testid="sim-protocol" on:change=move |event| apply(FormField::Protocol, event_target_value(&event))>
                        {move || {
                            let current = simulator.packet.with(|packet| packet.as_ref().map(|packet| packet.protocol));
                            [(Protocol::TCP, "tcp"), (Protocol::UDP, "udp"), (if family() == Family::V4 { Protocol::ICMP } else { Protocol::ICMPV6 }, icmp_name(family()))]
                                .map(|(protocol, value)| view! { <option value=value selected=current == Some(protocol)>{value}</option> })
                                .collect_view()
                        }}
                    </select>
                    {error_of(FormField::Protocol)}
                </span>
                <Show when=has(|packet| matches!(packet.protocol.number(), 6 | 17))>
                    {text_field(FormField::SourcePort, "sim-sport", "Source port", |packet| packet.source_port.to_string())}
                    {text_field(FormField::DestinationPort, "sim-dport", "Destination port", |packet| packet.destination_port.to_string())}
                </Show>
                <Show when=has(|packet| packet.protocol == Protocol::TCP)>
                    <span id="sim-flags-label">"TCP flags"</span>
                    <span class="flags" role="group" aria-labelledby="sim-flags-label">
                        {FLAGS.map(|(name, bit)| view! {
                            <label>
                                <input type="checkbox" data-testid=format!("sim-flag-{name}")
                                    prop:checked=move || simulator.packet.with(|packet| packet.as_ref().is_some_and(|packet| packet.tcp_flags.bits() & bit != 0))
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        if let Some(packet) = simulator.packet.get_untracked() {
                                            context.packet.set(with_flag(&packet, bit, on).to_string());
                                        }
                                    }/>
                                {format!(" {}", name.to_ascii_uppercase())}
                            </label>
                        }).collect_view()}
                    </span>
                </Show>
                <Show when=has(|packet| matches!(packet.protocol.number(), 1 | 58))>
                    {text_field(FormField::IcmpType, "sim-icmp-type", "ICMP type[/code]", |packet| format!("{}/{}", packet.icmp_type, packet.icmp_code))}
                </Show>
                <label for="sim-state">"Conntrack state"</label>
                <span>
                    <select id="sim-state" data-testid="sim-state" on:change=move |event| apply(FormField::State, event_target_value(&event))>
                        {STATES.map(|state| view! {
                            <option value=state.as_str().to_ascii_lowercase()
                                prop:selected=move || simulator.packet.with(|packet| packet.as_ref().is_some_and(|packet| packet.state == state))>
                                {state.as_str()}
                            </option>
                        }).collect_view()}
                    </select>
                    {error_of(FormField::State)}
                </span>
            </fieldset>
        </div>
    }
}
