//! Step 4: the protections, each a choice with what it does and why; defaults preselected; then
//! Docker's published ports and the advanced options.

use leptos::prelude::*;
use portcullis_engine::design::{BlockAction, DefaultPolicy, LogDropped, Ping, Protections, SshLimit};
use stylist::style;

use super::show_if::ShowIf;
use super::ValidatedField;
use crate::state::WizardContext;
use crate::theme::class_name;

/// Changes the protections with `edit`; a value out of range shows the engine's message instead.
fn edit_protections(wizard: RwSignal<crate::state::Wizard>, error: RwSignal<Option<String>>, edit: impl FnOnce(&mut Protections)) {
    let mut protections = wizard.with_untracked(|wizard| wizard.protections().clone());
    edit(&mut protections);
    let outcome = wizard.try_update(|wizard| wizard.set_protections(protections));
    error.set(outcome.and_then(Result::err));
}

/// A number typed in a protection's field, or 0 (refused by the engine's range check).
fn number(event: &leptos::ev::Event) -> u32 {
    event_target_value(event).trim().parse().unwrap_or(0)
}

/// The protections step.
#[component]
pub(crate) fn ProtectionsStep() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let error = RwSignal::new(None::<String>);
    let current = Memo::new(move |_| wizard.with(|wizard| wizard.protections().clone()));
    let class = class_name(style!(
        r#"
        h2 { font-size: 1.2rem; margin: 0 0 0.25rem; }
        .intro { margin: 0 0 0.75rem; color: var(--muted); }
        .choice { background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.6rem 0.75rem; margin-bottom: 0.6rem; }
        .choice > label, fieldset label { font-weight: 600; display: inline-flex; gap: 0.5rem; align-items: center; }
        fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; }
        legend { font-weight: 600; padding: 0; margin-bottom: 0.2rem; }
        .why { margin: 0.2rem 0 0; color: var(--muted); font-size: 0.92rem; }
        input[type="number"] { width: 5rem; padding: 0.25rem 0.4rem; background: var(--bg); border: 1px solid var(--border); border-radius: 0.3rem; }
        .numbers { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; margin-top: 0.3rem; font-size: 0.92rem; }
        .error { color: var(--error); }
        .always { color: var(--muted); font-size: 0.92rem; }
        .warning { margin: 0.3rem 0 0; color: var(--warning); font-size: 0.92rem; font-weight: 600; }
        "#
    ));
    view! {
        <section class=class aria-labelledby="protections-heading" data-testid="step-protections">
            <h2 id="protections-heading">"Protections"</h2>
            <p class="intro">"Chosen as a careful admin would. Each says what it does and why."</p>
            <p class="always" data-testid="always-on">
                "Always on: the ICMP messages the internet needs (unreachable, fragmentation needed, time "
                "exceeded) and IPv6 neighbour discovery (RFC 4890) pass."
            </p>
            <div role="alert" aria-live="assertive">
                {move || error.get().map(|message| view! { <p class="error" data-testid="protections-error">{message}</p> })}
            </div>
            <PolicyChoice current error chain=PolicyChain::Input/>
            <PolicyChoice current error chain=PolicyChain::Forward/>
            <Toggle current error test_id="protect-loopback" label="Let the server talk to itself (loopback)"
                why="Accepts everything arriving on lo: a web application reaching its database on 127.0.0.1, a local DNS resolver, PHP-FPM, a mail filter."
                warning="Off: connections the server makes to itself are dropped unless a service above is open to them, so local databases and resolvers stop working."
                get=|protections| protections.allow_loopback set=|protections, on| protections.allow_loopback = on/>
            <Toggle current error test_id="protect-established" label="Accept replies to allowed connections (ESTABLISHED,RELATED)"
                why="Conntrack remembers each connection the server makes or accepts; this lets its replies and related errors back in (-m conntrack, not the deprecated -m state)."
                warning="Off: replies to the server's own connections are dropped: name resolution fails (\"Temporary failure in name resolution\"), updates and every outgoing connection break."
                get=|protections| protections.allow_established set=|protections, on| protections.allow_established = on/>
            <Toggle current error test_id="protect-drop-invalid" label="Drop invalid packets"
                why="Packets conntrack cannot place in any connection are never legitimate: stray replies, broken or forged packets."
                get=|protections| protections.drop_invalid set=|protections, on| protections.drop_invalid = on/>
            <Toggle current error test_id="protect-drop-scans" label="Drop port scans (NULL, XMAS, new connections without SYN)"
                why="Scanners send TCP flag combinations no real connection uses, to map your server quietly."
                get=|protections| protections.drop_scans set=|protections, on| protections.drop_scans = on/>
            <PingChoice current error/>
            <SshLimitChoice current error/>
            <BlockListChoice current error/>
            <Toggle current error test_id="protect-block-smtp" label="Block outgoing mail (port 25)"
                why="If the server is ever compromised, it cannot send spam. Leave off on a mail server."
                get=|protections| protections.block_outgoing_smtp set=|protections, on| protections.block_outgoing_smtp = on/>
            <Toggle current error test_id="protect-restricted-output" label="Restrict outgoing traffic to DNS, NTP, HTTP and HTTPS"
                why="Malware cannot call home on other ports. DNS (and its replies) stays open, so name resolution keeps working."
                get=|protections| protections.restricted_output set=|protections, on| protections.restricted_output = on/>
            <LogChoice current error/>
            <super::ContainersChoice/>
            <super::AdvancedOptions/>
        </section>
    }
}

/// One on/off protection with what it does and why.
#[component]
fn Toggle(
    current: Memo<Protections>,
    error: RwSignal<Option<String>>,
    test_id: &'static str,
    label: &'static str,
    why: &'static str,
    /// Whether the protection is on.
    get: fn(&Protections) -> bool,
    /// Turns it on or off.
    set: fn(&mut Protections, bool),
    /// What breaks when it is off, shown while it is off.
    #[prop(optional)]
    warning: Option<&'static str>,
) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let off_warning = move || {
        let text = warning.filter(|_| !get(&current.get()))?;
        Some(view! { <p class="warning" data-testid=format!("{test_id}-warning")>{text}</p> })
    };
    view! {
        <div class="choice">
            <label>
                <input type="checkbox" data-testid=test_id prop:checked=move || get(&current.get())
                    on:change=move |event| {
                        let on = event_target_checked(&event);
                        edit_protections(wizard, error, |protections| set(protections, on));
                    }/>
                {label}
            </label>
            <p class="why">{why}</p>
            {off_warning}
        </div>
    }
}

/// The chain a default-policy choice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PolicyChain {
    /// Traffic to the server itself.
    Input,
    /// Traffic routed through the server.
    Forward,
}

/// DROP (recommended) or ACCEPT for what no rule of a chain accepted; ACCEPT comes with a warning.
#[component]
fn PolicyChoice(current: Memo<Protections>, error: RwSignal<Option<String>>, chain: PolicyChain) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let (slug, legend, why, warning) = match chain {
        PolicyChain::Input => (
            "input-policy",
            "Incoming traffic no rule allows",
            "The INPUT policy. Dropping what is not allowed means a service installed later stays closed until you open it.",
            "ACCEPT: every port not explicitly dropped is open to the internet, including services installed later.",
        ),
        PolicyChain::Forward => (
            "forward-policy",
            "Traffic routed through this server",
            "The FORWARD policy. A server is not a router: port forwards and masquerading accept exactly their own traffic either way.",
            "ACCEPT: if routing is ever switched on (Docker and VPNs do), anything may cross this server to the networks behind it.",
        ),
    };
    let policy = move || {
        let protections = current.get();
        if chain == PolicyChain::Input {
            protections.input_policy
        } else {
            protections.forward_policy
        }
    };
    let set = move |chosen: DefaultPolicy| {
        edit_protections(wizard, error, |protections| match chain {
            PolicyChain::Input => protections.input_policy = chosen,
            PolicyChain::Forward => protections.forward_policy = chosen,
        });
    };
    view! {
        <div class="choice">
            <fieldset>
                <legend>{legend}</legend>
                <label><input type="radio" name=slug data-testid=format!("{slug}-drop") prop:checked=move || policy() == DefaultPolicy::Drop
                    on:change=move |_| set(DefaultPolicy::Drop)/>"Drop it (recommended)"</label>
                <label><input type="radio" name=slug data-testid=format!("{slug}-accept") prop:checked=move || policy() == DefaultPolicy::Accept
                    on:change=move |_| set(DefaultPolicy::Accept)/>"Accept it"</label>
            </fieldset>
            <p class="why">{why}</p>
            <ShowIf when=Signal::derive(move || policy() == DefaultPolicy::Accept)>
                <p class="warning" data-testid=format!("{slug}-warning")>{warning}</p>
            </ShowIf>
        </div>
    }
}

#[component]
fn PingChoice(current: Memo<Protections>, error: RwSignal<Option<String>>) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let set = move |ping: Ping| edit_protections(wizard, error, |protections| protections.ping = ping);
    let mode = move || match current.get().ping {
        Ping::Off => "off",
        Ping::Limited { .. } => "limited",
        Ping::On => "on",
    };
    let rate = move || match current.get().ping {
        Ping::Limited { per_second } => per_second,
        _ => 1,
    };
    view! {
        <div class="choice">
            <fieldset>
                <legend>"Answer ping"</legend>
                <label><input type="radio" name="ping" data-testid="ping-off" prop:checked=move || mode() == "off" on:change=move |_| set(Ping::Off)/>"No"</label>
                <label><input type="radio" name="ping" data-testid="ping-limited" prop:checked=move || mode() == "limited" on:change=move |_| set(Ping::Limited { per_second: rate() })/>"Yes, rate limited"</label>
                <label><input type="radio" name="ping" data-testid="ping-on" prop:checked=move || mode() == "on" on:change=move |_| set(Ping::On)/>"Yes, always"</label>
            </fieldset>
            <ShowIf when=Signal::derive(move || mode() == "limited")>
                <div class="numbers">
                    <label>"Per second " <input type="number" min="1" max="100" data-testid="ping-rate" prop:value=move || rate().to_string()
                        on:change=move |event| set(Ping::Limited { per_second: number(&event) })/></label>
                </div>
            </ShowIf>
            <p class="why">"Ping helps you and your provider check the server is up; a limit stops ping floods. Other ICMP always passes."</p>
        </div>
    }
}

#[component]
fn SshLimitChoice(current: Memo<Protections>, error: RwSignal<Option<String>>) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let limit = move || current.get().ssh_limit;
    let set = move |limit: Option<SshLimit>| edit_protections(wizard, error, |protections| protections.ssh_limit = limit);
    let shown = move || limit().unwrap_or(SshLimit { connections: 4, seconds: 60 });
    view! {
        <div class="choice">
            <label>
                <input type="checkbox" data-testid="protect-ssh-limit" prop:checked=move || limit().is_some()
                    on:change=move |event| set(event_target_checked(&event).then(shown))/>
                "Limit SSH login attempts"
            </label>
            <ShowIf when=Signal::derive(move || limit().is_some())>
                <div class="numbers">
                    <label>"Connections " <input type="number" min="1" max="19" data-testid="ssh-limit-connections" prop:value=move || shown().connections.to_string()
                        on:change=move |event| set(Some(SshLimit { connections: number(&event), ..shown() }))/></label>
                    <label>"within seconds " <input type="number" min="1" max="86400" data-testid="ssh-limit-seconds" prop:value=move || shown().seconds.to_string()
                        on:change=move |event| set(Some(SshLimit { seconds: number(&event), ..shown() }))/></label>
                </div>
            </ShowIf>
            <p class="why">"Password-guessing bots open connection after connection; past the limit, a source waits out the window. Applies when SSH is open."</p>
        </div>
    }
}

#[component]
fn BlockListChoice(current: Memo<Protections>, error: RwSignal<Option<String>>) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let action = move || current.get().block_action;
    let set = move |block_action: BlockAction| edit_protections(wizard, error, |protections| protections.block_action = block_action);
    let field = move || {
        wizard.with(crate::state::Wizard::revision);
        let initial = wizard.with_untracked(crate::state::Wizard::block_list_text);
        let error = Signal::derive(move || wizard.with(crate::state::Wizard::block_list_error));
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_block_list(&text)));
        view! {
            <ValidatedField id="block-list".to_owned() label="Block these sources".to_owned()
                hint="Addresses or networks that may not reach anything, e.g. 198.51.100.66, 203.0.113.0/24.".to_owned()
                placeholder="nobody" initial error on_input/>
        }
    };
    view! {
        <div class="choice">
            {field}
            <fieldset>
                <legend>"Blocked sources get"</legend>
                <label><input type="radio" name="block-action" data-testid="block-drop" prop:checked=move || action() == BlockAction::Drop on:change=move |_| set(BlockAction::Drop)/>"Silence (DROP)"</label>
                <label><input type="radio" name="block-action" data-testid="block-reject" prop:checked=move || action() == BlockAction::Reject on:change=move |_| set(BlockAction::Reject)/>"A refusal (REJECT)"</label>
            </fieldset>
        </div>
    }
}

#[component]
fn LogChoice(current: Memo<Protections>, error: RwSignal<Option<String>>) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let log = move || current.get().log_dropped;
    let set = move |log: Option<LogDropped>| edit_protections(wizard, error, |protections| protections.log_dropped = log);
    let rate = move || log().map_or(5, |log| log.per_minute);
    view! {
        <div class="choice">
            <label>
                <input type="checkbox" data-testid="protect-log" prop:checked=move || log().is_some()
                    on:change=move |event| set(event_target_checked(&event).then(|| LogDropped { per_minute: rate() }))/>
                "Log dropped packets"
            </label>
            <ShowIf when=Signal::derive(move || log().is_some())>
                <div class="numbers">
                    <label>"Lines per minute " <input type="number" min="1" max="600" data-testid="log-rate" prop:value=move || rate().to_string()
                        on:change=move |event| set(Some(LogDropped { per_minute: number(&event) }))/></label>
                </div>
            </ShowIf>
            <p class="why">{format!("See what is refused with `grep '{}' /var/log/kern.log`; the limit keeps a flood from filling the disk.", portcullis_engine::design::LOG_PREFIX.trim_end())}</p>
        </div>
    }
}
