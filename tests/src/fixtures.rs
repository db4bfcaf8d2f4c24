//! Designs shared by the suites, so every harness judges the same rules.

use portcullis_engine::design::{Design, ServiceId, Source, CATALOGUE};

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
    design.allow(ServiceId::Ssh, sources(&format!("{ADMIN_V4}, {ADMIN_V6}")));
    design.allow(ServiceId::Http, vec![]);
    design
}

/// Every service of the catalogue, half of them restricted, with sources of both families.
pub fn every_service_design() -> Design {
    let mut design = Design::default();
    for (index, info) in CATALOGUE.iter().enumerate() {
        let restricted = if index % 2 == 0 { "" } else { "198.51.100.0/24, 203.0.113.7, 2001:db8:5::/48" };
        design.allow(info.id, sources(restricted));
    }
    design
}
