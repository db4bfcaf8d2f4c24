//! Designs shared by the suites, so every harness judges the same rules.

use portcullis_engine::design::{
    Access, CustomService, DefaultPolicy, Design, InterfaceName, Masquerade, Name, Nat, PortForward, Preset, Protections, Redirect, ServiceId, Source,
    Transport, CATALOGUE,
};

/// The admin's addresses in every suite.
pub const ADMIN_V4: &str = "203.0.113.7";
/// The admin's IPv6 address in every suite.
pub const ADMIN_V6: &str = "2001:db8:1::7";

fn sources(list: &str) -> Vec<Source> {
    Source::parse_list(list).unwrap_or_else(|error| unreachable!("fixture sources are valid: {error}"))
}

/// The first slice: SSH only from the admin (both families), HTTP from everyone.
pub fn slice_design() -> Design {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, sources(&format!("{ADMIN_V4}, {ADMIN_V6}")));
    design.allow(ServiceId::HTTP, vec![]);
    design
}

/// Every service of the catalogue, half of them restricted, with sources of both families.
pub fn every_service_design() -> Design {
    let mut design = Design::default();
    for (index, info) in CATALOGUE.iter().enumerate() {
        let restricted = if index % 2 == 0 { "" } else { "198.51.100.0/24, 203.0.113.7, 2001:db8:5::/48" };
        design.allow(info.id(), sources(restricted));
    }
    design
}

fn name(text: &str) -> Name {
    text.parse().unwrap_or_else(|error| unreachable!("fixture names are valid: {error}"))
}

/// Groups with networks and address ranges of both families, and custom services with lists and
/// ranges of ports on TCP and UDP.
pub fn grouped_design() -> Design {
    let mut design = Design::default();
    let (office, monitoring) = (name("office"), name("monitoring"));
    design.set_group(office.clone(), sources(&format!("{ADMIN_V4}, {ADMIN_V6}, 198.51.100.10-198.51.100.20")));
    design.set_group(monitoring.clone(), sources("192.0.2.50, 2001:db8:2::10-2001:db8:2::1f"));
    let only = |groups: Vec<Name>, inline: &str| Access::only(groups, sources(inline));
    let grouped = |design: &mut Design, service: ServiceId, access: Access| {
        design.allow_access(service, access).unwrap_or_else(|error| unreachable!("fixture groups exist: {error}"));
    };
    grouped(&mut design, ServiceId::SSH, only(vec![office.clone()], "192.0.2.99"));
    grouped(&mut design, ServiceId::DNS, Access::Everyone);
    grouped(&mut design, ServiceId::POSTGRESQL, only(vec![monitoring.clone(), office], ""));
    let ports = |text: &str| text.parse().unwrap_or_else(|error| unreachable!("fixture ports are valid: {error}"));
    let custom = [
        (CustomService::new(name("game"), Transport::TcpAndUdp, ports("27015, 27020-27030")), Access::Everyone),
        (CustomService::new(name("metrics"), Transport::Tcp, ports("9256")), only(vec![monitoring], "")),
    ];
    for (service, access) in custom {
        design.add_custom_service(service, access).unwrap_or_else(|error| unreachable!("fixture groups exist: {error}"));
    }
    design
}

/// The router test's outside client (IPv4, IPv6).
pub const CLIENT: [&str; 2] = ["203.0.113.2", "2001:db8:1::2"];
/// The router's outside addresses.
pub const ROUTER_OUT: [&str; 2] = ["203.0.113.1", "2001:db8:1::1"];
/// The router's inside addresses.
pub const ROUTER_IN: [&str; 2] = ["198.51.100.1", "2001:db8:2::1"];
/// The inside host behind the router.
pub const INSIDE: [&str; 2] = ["198.51.100.10", "2001:db8:2::10"];

fn interface(name: &str) -> InterfaceName {
    name.parse().unwrap_or_else(|error| unreachable!("fixture interfaces are valid: {error}"))
}

/// Redirect 80 → 8080; 8443 forwarded to the inside host's 443 (IPv4: from anywhere on eth0;
/// IPv6: only from the client); 2222 forwarded to its 22 only from an address that is not the
/// client; both inside networks masqueraded out of eth0; a database (5432) only on eth1.
pub fn router_design() -> Design {
    let mut design = Design::default();
    let office: Name = "office".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"));
    design.set_group(office.clone(), Source::parse_list(CLIENT[1]).unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")));
    let db = CustomService::new(
        "db".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")),
        Transport::Tcp,
        "5432".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")),
    );
    design.add_custom_service(db, Access::Everyone).unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"));
    design
        .limit_custom_to_interfaces(&"db".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")), vec![interface("eth1")])
        .unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"));
    let forward = |port, to: &str, to_port, interfaces, access| {
        PortForward::new(
            Transport::Tcp,
            port,
            to.parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")),
            to_port,
            interfaces,
            access,
        )
        .unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"))
    };
    let stranger = Access::only(vec![], Source::parse_list("192.0.2.99").unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")));
    let nat = Nat {
        redirects: vec![Redirect::new(Transport::Tcp, 80, 8080, vec![]).unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"))],
        port_forwards: vec![
            forward(8443, INSIDE[0], 443, vec![interface("eth0")], Access::Everyone),
            forward(8443, INSIDE[1], 443, vec![], Access::only(vec![office], vec![])),
            forward(2222, INSIDE[0], 22, vec![], stranger),
        ],
        masquerades: vec![
            Masquerade::new("198.51.100.0/24".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")), interface("eth0"))
                .unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")),
            Masquerade::new("2001:db8:2::/64".parse().unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")), interface("eth0"))
                .unwrap_or_else(|error| unreachable!("fixture values are valid: {error}")),
        ],
    };
    design.set_nat(nat).unwrap_or_else(|error| unreachable!("fixture values are valid: {error}"));
    design
}

/// The example designs of `examples/`, by file name (sorted), each loaded by the engine.
///
/// # Panics
/// When the folder cannot be read or a file does not load: `engine/tests/examples.rs` names it.
pub fn example_designs() -> Vec<(String, Design)> {
    let dir = crate::workspace_root().join("examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("{}: {error}", dir.display()))
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|extension| extension == "json"))
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap_or_else(|error| panic!("{name}: {error}"));
            let design = Design::from_json(&text).unwrap_or_else(|error| panic!("examples/{name}: {error}"));
            (name, design)
        })
        .collect()
}

/// Every preset (by slug) and every example (by file name).
pub fn presets_and_examples() -> Vec<(String, Design)> {
    let mut all: Vec<(String, Design)> = Preset::ALL.iter().map(|preset| (preset.slug().to_owned(), preset.design())).collect();
    all.extend(example_designs());
    all
}

/// The web preset with each careful default that was once fixed turned off, one at a time and
/// all together: replies (`ESTABLISHED,RELATED`) not accepted, loopback not accepted, INPUT
/// policy ACCEPT, FORWARD policy ACCEPT. Named for messages.
pub fn careful_defaults_turned_off() -> Vec<(String, Design)> {
    /// A variant's name and the change it makes.
    type Variant = (&'static str, fn(&mut Protections));
    let variants: [Variant; 5] = [
        ("web, no replies", |protections| protections.allow_established = false),
        ("web, no loopback", |protections| protections.allow_loopback = false),
        ("web, INPUT ACCEPT", |protections| protections.input_policy = DefaultPolicy::Accept),
        ("web, FORWARD ACCEPT", |protections| protections.forward_policy = DefaultPolicy::Accept),
        ("web, all four off", |protections| {
            protections.allow_established = false;
            protections.allow_loopback = false;
            protections.input_policy = DefaultPolicy::Accept;
            protections.forward_policy = DefaultPolicy::Accept;
        }),
    ];
    variants
        .into_iter()
        .map(|(name, change)| {
            let mut design = Preset::Web.design();
            let mut protections = design.protections().clone();
            change(&mut protections);
            design.set_protections(protections).unwrap_or_else(|error| unreachable!("toggles are always in range: {error}"));
            (name.to_owned(), design)
        })
        .collect()
}
