//! The protections step's folded-away "Advanced: interfaces and NAT" section: limit a service to
//! some interfaces (a database only on the private `eth1`), redirect a port on this host, forward
//! a public port to an internal host, masquerade a private network.
//!
//! Every field is checked as it is typed, with the message next to it; the Add buttons hand the
//! whole entry to the wizard, which refuses it (with the reason under the form) unless the engine
//! accepts it, so bad input never changes the design.

use leptos::prelude::*;
use portcullis_engine::design::{Access, InterfaceName, Masquerade, PortForward, Redirect, Source, Transport};
use stylist::style;

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use super::ValidatedField;
use crate::state::{parse_host, parse_interface, parse_interfaces, parse_network, parse_port, parse_sources, ForwardText, ServiceKey, Wizard, WizardContext};
use crate::theme::class_name;

const INTERFACES_HINT: &str = "Interface names, e.g. eth1 or eth1, wg0 (eth+ means every eth…). Empty: every interface.";

/// The advanced section, closed until the user opens it.
#[component]
pub(crate) fn AdvancedOptions() -> impl IntoView {
    let class = class_name(style!(
        r#"
        margin-top: 0.6rem; background: var(--surface); border: 1px solid var(--border); border-radius: 0.5rem; padding: 0.6rem 0.75rem;
        > summary { cursor: pointer; font-weight: 600; }
        h3 { font-size: 1rem; margin: 1rem 0 0.2rem; }
        .why { margin: 0.2rem 0 0.4rem; color: var(--muted); font-size: 0.92rem; }
        form { border-top: 1px solid var(--border); padding-top: 0.3rem; }
        .row { display: flex; flex-wrap: wrap; gap: 0 1rem; }
        .row > div { flex: 1 1 10rem; }
        select { margin: 0.2rem 0; padding: 0.35rem 0.4rem; background: var(--bg); color: var(--text); border: 1px solid var(--border); border-radius: 0.35rem; }
        ul { list-style: none; margin: 0.3rem 0; padding: 0; display: grid; gap: 0.3rem; }
        li.entry { display: flex; gap: 0.75rem; align-items: center; justify-content: space-between; font-family: var(--mono); font-size: 0.9rem; }
        button { padding: 0.35rem 0.8rem; border-radius: 0.35rem; border: 1px solid var(--accent); cursor: pointer; }
        button[type="submit"] { background: var(--accent); color: var(--accent-text); margin-top: 0.4rem; }
        button[type="button"] { background: transparent; color: var(--text); font-family: inherit; }
        .error { color: var(--error); margin: 0.3rem 0; }
        .note { margin: 0.4rem 0; font-size: 0.92rem; }
        code { font-family: var(--mono); }
        "#
    ));
    view! {
        <details class=class data-testid="advanced">
            <summary>"Advanced: interfaces and NAT"</summary>
            <p class="why">
                "Most single servers need none of this. Use it when the server has a private network "
                "interface, runs a service on another port, or is the router for hosts behind it."
            </p>
            <InterfaceLimits/>
            <Redirects/>
            <PortForwards/>
            <Masquerades/>
            <ForwardingNote/>
        </details>
    }
}

/// "TCP", "UDP" or "TCP and UDP".
fn transport_label(transport: Transport) -> &'static str {
    match transport {
        Transport::Tcp => "TCP",
        Transport::Udp => "UDP",
        Transport::TcpAndUdp => "TCP and UDP",
    }
}

/// " on eth0, eth1", or nothing for every interface.
fn on_interfaces(interfaces: &[InterfaceName]) -> String {
    if interfaces.is_empty() {
        String::new()
    } else {
        format!(" on {}", interfaces.iter().map(InterfaceName::as_str).collect::<Vec<_>>().join(", "))
    }
}

fn describe_redirect(redirect: &Redirect) -> String {
    format!("{} {} → {}{}", transport_label(redirect.transport()), redirect.port(), redirect.to_port(), on_interfaces(redirect.interfaces()))
}

fn describe_forward(forward: &PortForward) -> String {
    let to = match forward.to() {
        std::net::IpAddr::V4(v4) => format!("{v4}:{}", forward.to_port()),
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{}", forward.to_port()),
    };
    let who = match forward.access() {
        Access::Everyone => "everyone".to_owned(),
        Access::Only { groups, sources } => {
            let mut who: Vec<String> = groups.iter().map(ToString::to_string).collect();
            if !sources.is_empty() {
                who.push(Source::list_text(sources));
            }
            who.join(", ")
        }
    };
    format!("{} {} → {to}, from {who}{}", transport_label(forward.transport()), forward.port(), on_interfaces(forward.interfaces()))
}

fn describe_masquerade(masquerade: &Masquerade) -> String {
    format!("{} out of {}", masquerade.network(), masquerade.out_interface())
}

/// A TCP / UDP / both choice.
#[component]
fn TransportSelect(test_id: &'static str, transport: RwSignal<Transport>) -> impl IntoView {
    view! {
        <label>
            "Protocol "
            <select data-testid=test_id on:change=move |event| {
                transport.set(match event_target_value(&event).as_str() {
                    "udp" => Transport::Udp,
                    "both" => Transport::TcpAndUdp,
                    _ => Transport::Tcp,
                });
            }>
                <option value="tcp" selected=move || transport.get() == Transport::Tcp>"TCP"</option>
                <option value="udp" selected=move || transport.get() == Transport::Udp>"UDP"</option>
                <option value="both" selected=move || transport.get() == Transport::TcpAndUdp>"TCP and UDP"</option>
            </select>
        </label>
    }
}

/// A field of an "add" form: its text lives in `text`; `check` gives the message while the text
/// is refused (nothing while it is empty: an empty required field is reported on Add).
#[component]
fn FormField(
    id: &'static str,
    label: &'static str,
    hint: &'static str,
    #[prop(optional)] placeholder: &'static str,
    text: RwSignal<String>,
    /// Why a non-empty text is refused.
    check: fn(&str) -> Option<String>,
) -> impl IntoView {
    let error = Signal::derive(move || text.with(|text| if text.trim().is_empty() { None } else { check(text) }));
    let on_input = Callback::new(move |typed: String| text.set(typed));
    view! {
        <ValidatedField id=id.to_owned() label=label.to_owned() hint=hint.to_owned() placeholder=placeholder
            initial=text.get_untracked() error on_input/>
    }
}

/// The message under an "add" form, with its test id.
fn form_error(test_id: &'static str, error: RwSignal<Option<String>>) -> impl IntoView {
    move || error.get().map(|message| view! { <p class="error" role="alert" data-testid=test_id>{message}</p> })
}

/// Runs `add` on the wizard; on success empties the form (by bumping `round`, which re-creates
/// its fields), on refusal shows why.
fn submit(
    wizard: RwSignal<Wizard>,
    error: RwSignal<Option<String>>,
    round: RwSignal<u32>,
    texts: &[RwSignal<String>],
    add: impl FnOnce(&mut Wizard) -> Result<(), String>,
) {
    match wizard.try_update(add) {
        Some(Err(message)) => error.set(Some(message)),
        _ => {
            error.set(None);
            for text in texts {
                text.set(String::new());
            }
            round.update(|round| *round += 1);
        }
    }
}

/// For each open service, the interfaces it takes connections on.
#[component]
fn InterfaceLimits() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let keys = Memo::new(move |_| wizard.with(Wizard::service_keys));
    view! {
        <h3>"Interfaces per service"</h3>
        <p class="why">"Limit a service to the interfaces it is meant for, e.g. a database only on the private eth1. Find the names with " <code>"ip -brief address"</code> "."</p>
        <ShowIf when=Signal::derive(move || !keys.with(Vec::is_empty))
            fallback=|| view! { <p class="why" data-testid="iface-none">"No service is open."</p> }>
            {keyed_list(move || keys.with(|keys| keyed_views(keys, |key| view! { <InterfaceField key/> })))}
        </ShowIf>
    }
}

#[component]
fn InterfaceField(key: ServiceKey) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    move || {
        wizard.with(Wizard::revision);
        let initial = wizard.with_untracked(|wizard| wizard.interfaces_text(&key));
        let error_key = key.clone();
        let error = Signal::derive(move || wizard.with(|wizard| wizard.interfaces_error(&error_key)));
        let edit_key = key.clone();
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_interfaces(&edit_key, &text)));
        view! {
            <ValidatedField id=format!("iface-{}", key.slug()) label=format!("{} only on", key.label())
                hint=INTERFACES_HINT.to_owned() placeholder="every interface" initial error on_input/>
        }
    }
}

#[component]
fn Redirects() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let (transport, from, to, interfaces) =
        (RwSignal::new(Transport::Tcp), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (error, round) = (RwSignal::new(None::<String>), RwSignal::new(0_u32));
    let entries = Memo::new(move |_| wizard.with(|wizard| wizard.nat().redirects.iter().map(describe_redirect).collect::<Vec<_>>()));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (from_text, to_text, interfaces_text) = (from.get_untracked(), to.get_untracked(), interfaces.get_untracked());
        submit(wizard, error, round, &[from, to, interfaces], |wizard| wizard.add_redirect(transport.get_untracked(), &from_text, &to_text, &interfaces_text));
    };
    view! {
        <h3>"Port redirects"</h3>
        <p class="why">"Hand connections to one port of this server to another port of it: 80 → 8080 lets a web server listen on 8080 without root. Only redirected traffic reaches 8080."</p>
        <EntryList test_id="redirect" entries remove=|wizard: &mut Wizard, at| wizard.remove_redirect(at)/>
        <form on:submit=add>
            {move || {
                round.get();
                view! {
                    <div class="row">
                        <FormField id="redirect-from" label="From port" hint="The port clients connect to, e.g. 80." text=from check=|text| parse_port(text).err()/>
                        <FormField id="redirect-to" label="To port" hint="The port the service listens on, e.g. 8080." text=to check=|text| parse_port(text).err()/>
                    </div>
                    <FormField id="redirect-interfaces" label="Arriving on" hint=INTERFACES_HINT placeholder="every interface" text=interfaces check=|text| parse_interfaces(text).err()/>
                }
            }}
            <TransportSelect test_id="redirect-transport" transport/>
            " "
            <button type="submit" data-testid="redirect-add">"Add redirect"</button>
            {form_error("redirect-error", error)}
        </form>
    }
}

#[component]
fn PortForwards() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let transport = RwSignal::new(Transport::Tcp);
    let [port, host, to_port, interfaces, sources] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let (error, round) = (RwSignal::new(None::<String>), RwSignal::new(0_u32));
    let entries = Memo::new(move |_| wizard.with(|wizard| wizard.nat().port_forwards.iter().map(describe_forward).collect::<Vec<_>>()));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let texts: [String; 5] = [port, host, to_port, interfaces, sources].map(|text| text.get_untracked());
        submit(wizard, error, round, &[port, host, to_port, interfaces, sources], |wizard| {
            let [port, host, to_port, interfaces, sources] = &texts;
            wizard.add_port_forward(ForwardText { transport: transport.get_untracked(), port, host, to_port, interfaces, sources })
        });
    };
    view! {
        <h3>"Port forwards"</h3>
        <p class="why">"Send connections to a public port of this server on to a host behind it (DNAT). Only forwarded traffic passes: the internal host stays closed to everything else."</p>
        <EntryList test_id="forward" entries remove=|wizard: &mut Wizard, at| wizard.remove_port_forward(at)/>
        <form on:submit=add>
            {move || {
                round.get();
                view! {
                    <div class="row">
                        <FormField id="forward-port" label="Public port" hint="On this server, e.g. 8443." text=port check=|text| parse_port(text).err()/>
                        <FormField id="forward-host" label="Internal host" hint="Its address, e.g. 198.51.100.10 or 2001:db8::10." text=host check=|text| parse_host(text).err()/>
                        <FormField id="forward-to-port" label="Its port" hint="Empty: the public port." placeholder="same" text=to_port check=|text| parse_port(text).err()/>
                    </div>
                    <FormField id="forward-sources" label="Only from" hint="Trusted addresses or networks, e.g. 203.0.113.7. Empty: everyone." placeholder="everyone" text=sources check=|text| parse_sources(text).err()/>
                    <FormField id="forward-interfaces" label="Arriving on" hint=INTERFACES_HINT placeholder="every interface" text=interfaces check=|text| parse_interfaces(text).err()/>
                }
            }}
            <TransportSelect test_id="forward-transport" transport/>
            " "
            <button type="submit" data-testid="forward-add">"Add port forward"</button>
            {form_error("forward-error", error)}
        </form>
    }
}

#[component]
fn Masquerades() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let (network, out) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (error, round) = (RwSignal::new(None::<String>), RwSignal::new(0_u32));
    let entries = Memo::new(move |_| wizard.with(|wizard| wizard.nat().masquerades.iter().map(describe_masquerade).collect::<Vec<_>>()));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let (network_text, out_text) = (network.get_untracked(), out.get_untracked());
        submit(wizard, error, round, &[network, out], |wizard| wizard.add_masquerade(&network_text, &out_text));
    };
    view! {
        <h3>"Masquerading"</h3>
        <p class="why">"Let the hosts of a private network reach the internet through this server, sharing its address (what a home router does)."</p>
        <EntryList test_id="masquerade" entries remove=|wizard: &mut Wizard, at| wizard.remove_masquerade(at)/>
        <form on:submit=add>
            {move || {
                round.get();
                view! {
                    <div class="row">
                        <FormField id="masquerade-network" label="Private network" hint="e.g. 198.51.100.0/24." text=network check=|text| parse_network(text).err()/>
                        <FormField id="masquerade-out" label="Out of interface" hint="Towards the internet, e.g. eth0." text=out check=|text| parse_interface(text).err()/>
                    </div>
                }
            }}
            <button type="submit" data-testid="masquerade-add">"Add masquerade"</button>
            {form_error("masquerade-error", error)}
        </form>
    }
}

/// The entries of one NAT list, each with its Remove button (`{test_id}-{n}`,
/// `{test_id}-remove-{n}`, counting from 0).
#[component]
fn EntryList(test_id: &'static str, entries: Memo<Vec<String>>, remove: fn(&mut Wizard, usize)) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    view! {
        <ul>
            {move || entries.get().into_iter().enumerate().map(|(at, entry)| view! {
                <li class="entry" data-testid=format!("{test_id}-{at}")>
                    <span>{entry.clone()}</span>
                    <button type="button" data-testid=format!("{test_id}-remove-{at}") aria-label=format!("Remove {entry}")
                        on:click=move |_| wizard.update(|wizard| remove(wizard, at))>
                        "Remove"
                    </button>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// Forwarding needs the kernel's routing switched on, which no firewall export does.
#[component]
fn ForwardingNote() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let routes = Memo::new(move |_| wizard.with(|wizard| !(wizard.nat().port_forwards.is_empty() && wizard.nat().masquerades.is_empty())));
    view! {
        <ShowIf when=routes>
            <p class="note" data-testid="forwarding-note">
                "Port forwards and masquerading make this server a router: the kernel forwards nothing until "
                <code>"net.ipv4.ip_forward=1"</code> " (and " <code>"net.ipv6.conf.all.forwarding=1"</code>
                " for IPv6) is set, e.g. in /etc/sysctl.d/. The exports do not change it; the script warns while it is off."
            </p>
        </ShowIf>
    }
}
