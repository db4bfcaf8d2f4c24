//! Snapshots of every export for the tutorial's server (`examples/tutorial-web-mail.json`): web
//! and mail for everyone, SSH only from the office address, the careful default protections.

use portcullis_engine::design::Design;
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::export::{commands, nft, save, script};
use portcullis_engine::model::Family;

fn tutorial_server() -> Design {
    Design::from_json(include_str!("../../examples/tutorial-web-mail.json")).expect("the example loads")
}

#[test]
fn tutorial_server_save_v4() {
    insta::assert_snapshot!(save::render(&tutorial_server().compile(Family::V4)));
}

#[test]
fn tutorial_server_save_v6() {
    insta::assert_snapshot!(save::render(&tutorial_server().compile(Family::V6)));
}

#[test]
fn tutorial_server_commands() {
    let design = tutorial_server();
    let text = format!("{}\n{}", commands::render(&design.compile(Family::V4)), commands::render(&design.compile(Family::V6)));
    insta::assert_snapshot!(text);
}

#[test]
fn tutorial_server_nft() {
    // The whole design, SSH limit included (as a meter).
    let design = tutorial_server();
    let export = nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).expect("translatable");
    assert!(export.notes.is_empty(), "{:?}", export.notes);
    insta::assert_snapshot!(export.text);
}

#[test]
fn tutorial_server_script() {
    let design = tutorial_server();
    let options = ScriptOptions { distro: Distro::Debian, ..ScriptOptions::default() };
    let text = script::render(&save::render(&design.compile(Family::V4)), &save::render(&design.compile(Family::V6)), &options)
        .expect("script");
    insta::assert_snapshot!(text);
}

#[test]
fn tutorial_server_json() {
    insta::assert_snapshot!(tutorial_server().to_json());
}

#[test]
fn exports_are_deterministic() {
    let (a, b) = (tutorial_server(), tutorial_server());
    for family in Family::ALL {
        assert_eq!(commands::render(&a.compile(family)), commands::render(&b.compile(family)));
    }
    let nft = |design: &Design| nft::render(&design.compile(Family::V4), &design.compile(Family::V6)).map(|export| export.text);
    assert_eq!(nft(&a), nft(&b));
}
