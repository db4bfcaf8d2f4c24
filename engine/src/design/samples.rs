//! Designs the benchmarks share, defined once so that every benchmark measures the same thing:
//! the wizard's browser benchmark (`tests/tests/bench_wizard.rs`) and the app's per-edit profile
//! (`app/src/state/edit_profile.rs`).

use super::{Design, Preset, ServiceId, Source};
use crate::model::Family;

/// How many rules `design` compiles to for `family`, every table and chain.
///
/// # Examples
/// ```
/// use portcullis_engine::design::samples::rule_count;
/// use portcullis_engine::design::Design;
/// use portcullis_engine::model::Family;
/// assert!(rule_count(&Design::default(), Family::V4) > 0);
/// ```
pub fn rule_count(design: &Design, family: Family) -> usize {
    design.compile(family).tables.iter().flat_map(|table| &table.chains).map(|chain| chain.rules.len()).sum()
}

/// The web + mail server with SSH from the office (`203.0.113.7`, `2001:db8::7`), and more
/// catalogue services opened to `198.51.100.0/24`, in catalogue order, until IPv4 has at least 50
/// rules. FTP stays closed: the wizard benchmark's edit ticks it.
///
/// # Examples
/// ```
/// use portcullis_engine::design::samples::{fifty_rule_design, rule_count};
/// use portcullis_engine::design::ServiceId;
/// use portcullis_engine::model::Family;
/// let design = fifty_rule_design();
/// assert!(rule_count(&design, Family::V4) >= 50);
/// assert!(design.access(ServiceId::FTP).is_none());
/// ```
pub fn fifty_rule_design() -> Design {
    let mut design = Preset::WebMail.design();
    design.allow(ServiceId::SSH, Source::parse_list("203.0.113.7, 2001:db8::7").unwrap_or_default());
    for id in ServiceId::all() {
        if rule_count(&design, Family::V4) >= 50 {
            break;
        }
        if id != ServiceId::FTP && design.access(id).is_none() {
            design.allow(id, Source::parse_list("198.51.100.0/24").unwrap_or_default());
        }
    }
    design
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fifty_rule_design_is_what_its_name_says() {
        let design = fifty_rule_design();
        let v4 = rule_count(&design, Family::V4);
        // Opened one service at a time: it stops at the first count of 50 or more.
        assert!((50..70).contains(&v4), "{v4} IPv4 rules");
        assert!(design.access(ServiceId::SSH).is_some());
        assert_eq!(design, fifty_rule_design(), "the same design every time");
    }
}
