//! The protections step's choice for Docker: who may reach the ports containers publish.
//!
//! Docker publishes a port (`docker run -p 8080:80`) by redirecting it before the incoming
//! rules, so the services above neither open nor protect it; only rules in Docker's
//! `DOCKER-USER` chain do, and this choice writes them. Styled by the protections step.

use leptos::prelude::*;
use portcullis_engine::design::{Name, Transport};

use super::keyed_list::{keyed_list, keyed_views};
use super::show_if::ShowIf;
use super::ValidatedField;
use crate::state::{ContainersKind, Wizard, WizardContext};

/// The radio button's label and what the choice does, in plain words.
fn words(kind: ContainersKind) -> (&'static str, &'static str) {
    match kind {
        ContainersKind::NoDocker => ("No Docker on this server", "Nothing is added. Pick another answer if containers publish ports here."),
        ContainersKind::Everyone => {
            ("Open to everyone (Docker's default)", "No rule is added: every published port answers the whole internet, whatever the services above say.")
        }
        ContainersKind::Trusted => {
            ("Only from trusted sources", "Only the groups and addresses below reach published ports; anyone else is dropped in DOCKER-USER.")
        }
        ContainersKind::HostOnly => {
            ("Not from outside", "Published ports answer only this server and its containers, e.g. behind a reverse proxy running here.")
        }
    }
}

/// The choice, its explanation and, when Docker runs, who and which ports.
#[component]
pub(crate) fn ContainersChoice() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let kind = Memo::new(move |_| wizard.with(Wizard::containers_kind));
    let radios = ContainersKind::ALL.map(|choice| {
        view! {
            <label><input type="radio" name="containers" data-testid=format!("containers-{}", choice.slug())
                prop:checked=move || kind.get() == choice
                on:change=move |_| wizard.update(|wizard| wizard.set_containers_kind(choice))/>{words(choice).0}</label>
        }
    });
    view! {
        <div class="choice" data-testid="containers">
            <fieldset>
                <legend>"Docker: ports published by containers"</legend>
                {radios}
            </fieldset>
            <p class="why">
                "Docker publishes a container's port (" <code>"docker run -p 8080:80"</code> ") by redirecting it before "
                "the incoming rules: the services above neither open nor protect it. Only rules in Docker's DOCKER-USER chain do, and this choice writes them."
            </p>
            <p class="why" data-testid="containers-effect">{move || words(kind.get()).1}</p>
            <ShowIf when=Signal::derive(move || kind.get() == ContainersKind::Trusted)>
                <TrustedSources/>
            </ShowIf>
            <ShowIf when=Signal::derive(move || kind.get() != ContainersKind::NoDocker)>
                <PublishedPortsField/>
            </ShowIf>
        </div>
    }
}

/// The design's groups as checkboxes, and addresses typed for the containers alone.
#[component]
fn TrustedSources() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let groups = Memo::new(move |_| wizard.with(Wizard::group_names));
    let field = move || {
        wizard.with(Wizard::revision);
        let initial = wizard.with_untracked(Wizard::containers_sources_text);
        let error = Signal::derive(move || wizard.with(Wizard::containers_sources_error));
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_containers_sources(&text)));
        view! {
            <ValidatedField id="containers-sources".to_owned() label="Trusted addresses".to_owned()
                hint="Addresses or networks, e.g. 203.0.113.7, 2001:db8::/32. Groups are made in \u{201c}Who may connect\u{201d}.".to_owned()
                placeholder="none" initial error on_input/>
        }
    };
    view! {
        <div class="numbers">
            {keyed_list(move || groups.with(|groups| keyed_views(groups, |group| view! { <GroupCheckbox group/> })))}
        </div>
        {field}
    }
}

#[component]
fn GroupCheckbox(group: Name) -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let checked_group = group.clone();
    let checked = move || wizard.with(|wizard| wizard.containers_groups().contains(&checked_group));
    let test_id = format!("containers-group-{group}");
    let label = group.to_string();
    view! {
        <label><input type="checkbox" data-testid=test_id prop:checked=checked
            on:change=move |event| {
                let allowed = event_target_checked(&event);
                wizard.update(|wizard| { let _ = wizard.set_containers_group(&group, allowed); });
            }/>{label}</label>
    }
}

/// Which published ports the choice is for (empty: every one), and, once some are listed, their
/// protocol.
#[component]
fn PublishedPortsField() -> impl IntoView {
    let WizardContext(wizard) = expect_context::<WizardContext>();
    let transport = Memo::new(move |_| wizard.with(Wizard::containers_transport));
    let field = move || {
        wizard.with(Wizard::revision);
        let initial = wizard.with_untracked(Wizard::containers_ports_text);
        let error = Signal::derive(move || wizard.with(Wizard::containers_ports_error));
        let on_input = Callback::new(move |text: String| wizard.update(|wizard| wizard.edit_containers_ports(&text)));
        view! {
            <ValidatedField id="containers-ports".to_owned() label="Only these published ports".to_owned()
                hint="The host side of -p, e.g. 8080, 9000-9010. Empty: every published port. Do not open them above: that does nothing.".to_owned()
                placeholder="every published port" initial error on_input/>
        }
    };
    let choose = move |event: leptos::ev::Event| {
        let chosen = match event_target_value(&event).as_str() {
            "udp" => Transport::Udp,
            "both" => Transport::TcpAndUdp,
            _ => Transport::Tcp,
        };
        wizard.update(|wizard| wizard.set_containers_transport(chosen));
    };
    view! {
        {field}
        <ShowIf when=Signal::derive(move || wizard.with(Wizard::containers_lists_ports))>
            <label>
                "Protocol "
                <select data-testid="containers-transport" on:change=choose>
                    <option value="tcp" selected=move || transport.get() == Transport::Tcp>"TCP"</option>
                    <option value="udp" selected=move || transport.get() == Transport::Udp>"UDP"</option>
                    <option value="both" selected=move || transport.get() == Transport::TcpAndUdp>"TCP and UDP"</option>
                </select>
            </label>
        </ShowIf>
    }
}
