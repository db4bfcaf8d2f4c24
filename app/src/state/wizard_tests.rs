use portcullis_engine::design::{Access, Ping, Preset, Protections, ServiceId, Source, Transport};
use portcullis_engine::export::save;
use portcullis_engine::model::Family;
use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

fn sources(text: &str) -> Vec<Source> {
    Source::parse_list(text).unwrap_or_else(|error| panic!("{error}"))
}

const SSH: ServiceKey = ServiceKey::Catalogue(ServiceId::SSH);

#[wasm_bindgen_test]
fn ticking_opens_to_everyone_and_unticking_closes() {
    let mut wizard = Wizard::default();
    wizard.set_open(ServiceId::SSH, true);
    assert_eq!(wizard.access(&SSH), Some(Access::Everyone));
    wizard.set_open(ServiceId::SSH, false);
    assert!(!wizard.is_open(&SSH));
}

#[wasm_bindgen_test]
fn a_bad_text_keeps_the_last_valid_sources_and_shows_why() {
    let mut wizard = Wizard::default();
    wizard.set_open(ServiceId::SSH, true);
    wizard.edit_sources(&SSH, "203.0.113.7");
    let rules = save::render(&wizard.design().compile(Family::V4));
    wizard.edit_sources(&SSH, "203.0.113.7/24");
    assert_eq!(wizard.sources_text(&SSH), "203.0.113.7/24");
    assert!(wizard.sources_error(&SSH).is_some_and(|error| error.contains("host bits")));
    assert_eq!(save::render(&wizard.design().compile(Family::V4)), rules, "a typo changes nothing");
    wizard.edit_sources(&SSH, "");
    assert_eq!(wizard.sources_error(&SSH), None);
    assert_eq!(wizard.access(&SSH), Some(Access::Everyone));
}

#[wasm_bindgen_test]
fn typing_is_one_undo_step_and_undo_redo_restore_the_fields() {
    let mut wizard = Wizard::default();
    wizard.set_open(ServiceId::SSH, true);
    for typed in ["2", "20", "203.0.113.7"] {
        wizard.edit_sources(&SSH, typed);
    }
    let revision = wizard.revision();
    wizard.undo();
    assert_eq!(wizard.access(&SSH), Some(Access::Everyone), "one undo takes back the typing");
    assert_eq!(wizard.sources_text(&SSH), "", "the field shows the design again");
    assert!(wizard.revision() > revision);
    wizard.undo();
    assert!(!wizard.is_open(&SSH));
    assert!(!wizard.can_undo());
    wizard.redo();
    wizard.redo();
    assert_eq!(wizard.sources_text(&SSH), "203.0.113.7");
    assert!(!wizard.can_redo());
}

#[wasm_bindgen_test]
fn a_preset_replaces_the_design_and_can_be_undone() {
    let mut wizard = Wizard::default();
    wizard.set_open(ServiceId::MYSQL, true);
    wizard.start_from(Preset::WebMail);
    assert_eq!(wizard.design(), &Preset::WebMail.design());
    assert_eq!(wizard.step(), Step::Services);
    wizard.undo();
    assert!(wizard.is_open(&ServiceKey::Catalogue(ServiceId::MYSQL)));
}

#[wasm_bindgen_test]
fn groups_are_created_filled_used_and_protected_while_used() {
    let mut wizard = Wizard::default();
    let office = wizard.add_group("office").unwrap_or_else(|error| panic!("{error}"));
    assert!(wizard.add_group("office").is_err_and(|error| error.contains("already")));
    assert!(wizard.add_group("bad name!").is_err());
    wizard.edit_group(&office, "203.0.113.7, 2001:db8::7");
    wizard.edit_group(&office, "203.0.113.7, nonsense");
    assert!(wizard.group_error(&office).is_some());
    assert_eq!(wizard.design().group(&office), Some(&sources("203.0.113.7, 2001:db8::7")[..]));
    wizard.set_open(ServiceId::SSH, true);
    wizard.set_group_access(&SSH, &office, true).unwrap_or_else(|error| panic!("{error}"));
    let v6 = save::render(&wizard.design().compile(Family::V6));
    assert!(v6.contains("-s 2001:db8::7/128 -p tcp -m tcp --dport 22"), "{v6}");
    assert!(wizard.remove_group(&office).is_err_and(|error| error.contains("SSH")));
    wizard.set_group_access(&SSH, &office, false).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(wizard.access(&SSH), Some(Access::Everyone));
    wizard.remove_group(&office).unwrap_or_else(|error| panic!("{error}"));
    assert!(wizard.group_names().is_empty());
}

#[wasm_bindgen_test]
fn custom_services_are_validated_and_get_their_own_sources() {
    let mut wizard = Wizard::default();
    assert!(wizard.add_custom("game", Transport::Udp, "0").is_err_and(|error| error.contains("port 0")));
    assert!(wizard.add_custom("", Transport::Udp, "27015").is_err());
    wizard.add_custom("game", Transport::Udp, "27015-27030").unwrap_or_else(|error| panic!("{error}"));
    assert!(wizard.add_custom("game", Transport::Tcp, "1").is_err_and(|error| error.contains("already")));
    let game = ServiceKey::Custom("game".parse().unwrap_or_else(|error| panic!("{error:?}")));
    wizard.edit_sources(&game, "198.51.100.0/24");
    let v4 = save::render(&wizard.design().compile(Family::V4));
    assert!(v4.contains("-s 198.51.100.0/24 -p udp -m udp --dport 27015:27030"), "{v4}");
    assert_eq!(wizard.service_keys(), std::slice::from_ref(&game));
    let ServiceKey::Custom(name) = &game else { unreachable!() };
    wizard.remove_custom(name);
    assert!(wizard.service_keys().is_empty());
}

#[wasm_bindgen_test]
fn protections_out_of_range_are_refused_and_the_block_list_is_validated() {
    let mut wizard = Wizard::default();
    let bad = Protections { ping: Ping::Limited { per_second: 0 }, ..Protections::default() };
    assert!(wizard.set_protections(bad).is_err());
    assert_eq!(wizard.protections(), &Protections::default());
    wizard.edit_block_list("198.51.100.66, 203.0.113.0/24");
    wizard.edit_block_list("198.51.100.66, oops");
    assert!(wizard.block_list_error().is_some());
    assert_eq!(wizard.design().block_list(), &sources("198.51.100.66, 203.0.113.0/24")[..]);
    assert_eq!(wizard.block_list_text(), "198.51.100.66, oops");
}

#[wasm_bindgen_test]
fn replies_loopback_and_policies_are_choices_that_undo() {
    use portcullis_engine::design::DefaultPolicy;
    let mut wizard = Wizard::default();
    let off = Protections { allow_established: false, allow_loopback: false, input_policy: DefaultPolicy::Accept, ..Protections::default() };
    wizard.set_protections(off.clone()).expect("toggles are always valid");
    let v4 = save::render(&wizard.design().compile(Family::V4));
    assert!(v4.contains(":INPUT ACCEPT") && !v4.contains("-i lo") && !v4.contains("RELATED,ESTABLISHED"), "{v4}");
    wizard.undo();
    assert_eq!(wizard.protections(), &Protections::default());
    wizard.redo();
    assert_eq!(wizard.protections(), &off);
}

#[wasm_bindgen_test]
fn steps_walk_in_order() {
    assert_eq!(Step::Start.next(), Some(Step::Services));
    assert_eq!(Step::Review.next(), None);
    assert_eq!(Step::Start.previous(), None);
    assert_eq!(Step::Review.previous(), Some(Step::Protections));
}
