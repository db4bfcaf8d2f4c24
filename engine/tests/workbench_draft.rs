//! The workbench draft: every edit, its refusals, and the mapping between draft rows and the
//! effective ruleset's rule addresses.

#![allow(clippy::unwrap_used)] // test data: stop where it fails

use portcullis_engine::design::{Design, ServiceId};
use portcullis_engine::import::import;
use portcullis_engine::model::{BuiltinChain, ChainName, Family, Policy, Rule, RuleLoc, TableName, Target, UserChain};
use portcullis_engine::workbench::{ChainLoc, Draft, EditError, RowLoc};
use proptest::prelude::*;

const DUMP: &str = "*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:services - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -j services
-A services -p tcp -m tcp --dport 22 -j ACCEPT
-A services -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
";

fn draft() -> Draft {
    let parsed = import(DUMP, None);
    assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
    Draft::from_imported(&parsed.value)
}

fn input() -> ChainLoc {
    ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Input)
}

fn services() -> ChainLoc {
    ChainLoc { family: Family::V4, table: TableName::Filter, chain: ChainName::User(UserChain::new("services").unwrap()) }
}

fn render(draft: &Draft) -> String {
    portcullis_engine::export::save::render(&draft.effective(Family::V4))
}

fn port_rule(port: &str) -> Rule {
    let text = format!("*filter\n-A INPUT -p tcp --dport {port} -j ACCEPT\nCOMMIT\n");
    let ruleset = import(&text, None).value.rulesets.remove(0);
    ruleset.tables[0].chains[0].rules[0].meaning()
}

#[test]
fn import_round_trips_through_the_draft() {
    let original = import(DUMP, None).value.rulesets.remove(0);
    assert_eq!(draft().effective(Family::V4), original);
    assert!(draft().effective(Family::V6).tables.is_empty(), "a family the dump lacks stays unconfigured");
}

#[test]
fn insert_append_replace_delete() {
    let mut draft = draft();
    assert_eq!(draft.insert_rule(&input(), 0, Rule::new(Target::Drop)).unwrap(), input().row(0));
    assert_eq!(draft.append_rule(&services(), port_rule("443")).unwrap(), services().row(2));
    let old = draft.replace_rule(&services().row(1), port_rule("8080")).unwrap();
    assert_eq!(old.meaning(), port_rule("80"));
    let text = render(&draft);
    assert!(text.contains("-A INPUT -j DROP\n-A INPUT -i lo -j ACCEPT"), "{text}");
    assert!(text.contains("--dport 8080 -j ACCEPT\n-A services -p tcp -m tcp --dport 443 -j ACCEPT"), "{text}");
    let removed = draft.delete_rule(&input().row(0)).unwrap();
    assert_eq!(removed.rule, Rule::new(Target::Drop));
    assert!(!render(&draft).contains("-A INPUT -j DROP"));
}

#[test]
fn refusals_are_typed_and_change_nothing() {
    let mut draft = draft();
    let before = draft.clone();
    assert!(matches!(draft.insert_rule(&input(), 9, Rule::new(Target::Drop)), Err(EditError::BadPosition { position: 9, rows: 3 })));
    assert!(matches!(draft.delete_rule(&input().row(3)), Err(EditError::NoRow { rows: 3, .. })));
    assert!(matches!(draft.move_up(&input().row(0)), Err(EditError::AtEdge { .. })));
    assert!(matches!(draft.move_down(&input().row(2)), Err(EditError::AtEdge { .. })));
    let nowhere = Rule::new(Target::Jump(UserChain::new("nowhere").unwrap()));
    assert!(matches!(draft.append_rule(&input(), nowhere.clone()), Err(EditError::UndefinedJump { .. })));
    assert!(matches!(draft.replace_rule(&input().row(0), nowhere), Err(EditError::UndefinedJump { .. })));
    let nat_input = ChainLoc::builtin(Family::V4, TableName::Nat, BuiltinChain::Input);
    assert!(matches!(draft.set_enabled(&nat_input.row(0), false), Err(EditError::NoTable { .. })));
    assert!(matches!(draft.move_rule(&input().row(0), &nat_input, 0), Err(EditError::OtherTable { .. })));
    let raw_input = ChainLoc::builtin(Family::V4, TableName::Raw, BuiltinChain::Input);
    assert!(matches!(draft.append_rule(&raw_input, Rule::new(Target::Drop)), Err(EditError::NoChain { .. })));
    assert!(matches!(draft.set_policy(Family::V4, TableName::Raw, BuiltinChain::Input, Policy::Drop), Err(EditError::NotInTable { .. })));
    assert!(matches!(draft.add_chain(Family::V4, TableName::Filter, "-bad"), Err(EditError::BadChainName(_))));
    assert!(matches!(draft.add_chain(Family::V4, TableName::Filter, "services"), Err(EditError::ChainExists { .. })));
    assert!(matches!(draft.rename_chain(Family::V4, TableName::Filter, "INPUT", "x"), Err(EditError::BuiltinChain { .. })));
    assert!(matches!(draft.delete_chain(Family::V4, TableName::Filter, "OUTPUT"), Err(EditError::BuiltinChain { .. })));
    assert!(matches!(draft.delete_chain(Family::V4, TableName::Filter, "gone"), Err(EditError::NoChain { .. })));
    let in_use = draft.delete_chain(Family::V4, TableName::Filter, "services").unwrap_err();
    assert_eq!(in_use, EditError::ChainInUse { chain: "services".to_owned(), jumped_from: vec![input().row(2)] });
    assert_eq!(in_use.to_string(), "`services` cannot be deleted: 1 rule(s) still jump to it (first: rule 3 of INPUT); delete or change them first");
    assert_eq!(draft, before);
}

#[test]
fn rules_iptables_would_refuse_in_a_chain_are_refused_there() {
    let mut draft = draft();
    let before = draft.clone();
    let output = ChainLoc::builtin(Family::V4, TableName::Filter, BuiltinChain::Output);
    let error = draft.move_rule(&input().row(0), &output, 0).unwrap_err();
    assert!(matches!(&error, EditError::NotAllowedHere { reason, .. } if reason.contains("`-i` cannot be used in OUTPUT")), "{error}");
    let v6_rule = import("*filter\n-A INPUT -s 2001:db8::1 -j ACCEPT\nCOMMIT\n", None).value.rulesets.remove(0).tables[0].chains[0].rules[0].meaning();
    assert!(matches!(draft.append_rule(&input(), v6_rule.clone()), Err(EditError::NotAllowedHere { .. })));
    let v6_input = ChainLoc { family: Family::V6, ..input() };
    assert_eq!(draft.append_rule(&v6_input, v6_rule).unwrap(), v6_input.row(0), "the same rule is fine in IPv6 (a new filter table)");
    draft.delete_rule(&v6_input.row(0)).unwrap();
    let masquerade = import("*nat\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n", None).value.rulesets.remove(0).tables[0].chains[3].rules[0].meaning();
    assert!(matches!(draft.append_rule(&output, masquerade.clone()), Err(EditError::NotAllowedHere { .. })));
    let postrouting = ChainLoc::builtin(Family::V4, TableName::Nat, BuiltinChain::Postrouting);
    draft.append_rule(&postrouting, masquerade).unwrap();
    assert!(render(&draft).contains("*nat\n"));
    draft.delete_rule(&postrouting.row(0)).unwrap();
    assert_ne!(draft, before);
    assert!(render(&draft).contains("*nat"), "deleting the rule keeps the table the draft now configures");
}

#[test]
fn a_disabled_jump_still_holds_its_chain() {
    let mut draft = draft();
    draft.set_enabled(&input().row(2), false).unwrap();
    assert!(matches!(draft.delete_chain(Family::V4, TableName::Filter, "services"), Err(EditError::ChainInUse { .. })));
    draft.delete_rule(&input().row(2)).unwrap();
    draft.delete_chain(Family::V4, TableName::Filter, "services").unwrap();
    assert!(!render(&draft).contains("services"));
}

#[test]
fn moves_within_and_across_chains() {
    let mut draft = draft();
    assert_eq!(draft.move_down(&input().row(0)).unwrap(), input().row(1));
    assert!(render(&draft).contains("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT"));
    assert_eq!(draft.move_up(&input().row(1)).unwrap(), input().row(0));
    // The SSH accept moves from `services` to the top of INPUT.
    assert_eq!(draft.move_rule(&services().row(0), &input(), 0).unwrap(), input().row(0));
    let text = render(&draft);
    assert!(text.contains(":services - [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -i lo"), "{text}");
    assert_eq!(draft.chain(&services()).unwrap().rows().len(), 1);
    // Moving to the end of its own chain: the position counts without the moved row.
    assert_eq!(draft.move_rule(&input().row(0), &input(), 3).unwrap(), input().row(3));
    assert!(matches!(draft.move_rule(&input().row(0), &input(), 4), Err(EditError::BadPosition { rows: 3, .. })));
}

#[test]
fn duplicate_enable_policy() {
    let mut draft = draft();
    assert_eq!(draft.duplicate_rule(&services().row(1)).unwrap(), services().row(2));
    assert_eq!(render(&draft).matches("--dport 80 -j ACCEPT").count(), 2);
    draft.set_enabled(&services().row(2), false).unwrap();
    assert_eq!(render(&draft).matches("--dport 80 -j ACCEPT").count(), 1);
    assert_eq!(draft.chain(&services()).unwrap().rows().len(), 3, "a disabled rule stays in place");
    draft.set_policy(Family::V4, TableName::Filter, BuiltinChain::Output, Policy::Drop).unwrap();
    assert!(render(&draft).contains(":OUTPUT DROP"));
    // A policy in an absent table creates the table.
    draft.set_policy(Family::V6, TableName::Filter, BuiltinChain::Input, Policy::Drop).unwrap();
    assert!(portcullis_engine::export::save::render(&draft.effective(Family::V6)).contains(":INPUT DROP"));
}

#[test]
fn chains_add_rename_delete() {
    let mut draft = draft();
    let web = draft.add_chain(Family::V4, TableName::Filter, "web").unwrap();
    draft.append_rule(&web, port_rule("443")).unwrap();
    draft.append_rule(&input(), Rule::new(Target::Goto(UserChain::new("web").unwrap()))).unwrap();
    draft.rename_chain(Family::V4, TableName::Filter, "web", "https").unwrap();
    let text = render(&draft);
    assert!(text.contains(":https - [0:0]") && text.contains("-A INPUT -g https") && text.contains("-A https -p tcp"), "{text}");
    assert!(!text.contains("web"));
    draft.delete_rule(&input().row(3)).unwrap();
    draft.delete_chain(Family::V4, TableName::Filter, "https").unwrap();
    assert!(!render(&draft).contains("https"));
    // A chain in a table the draft lacks creates the table.
    draft.add_chain(Family::V4, TableName::Raw, "notrack-dns").unwrap();
    assert!(render(&draft).contains("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:notrack-dns - [0:0]"));
}

#[test]
fn rows_and_rule_locations_translate_both_ways() {
    let mut draft = draft();
    draft.set_enabled(&input().row(0), false).unwrap();
    let loc = |index| RuleLoc { table: TableName::Filter, chain: "INPUT".to_owned(), index: Some(index) };
    assert_eq!(draft.rule_loc(&input().row(0)), None);
    assert_eq!(draft.rule_loc(&input().row(1)), Some(loc(1)));
    assert_eq!(draft.row_of(Family::V4, &loc(2)), Some(input().row(2)));
    assert_eq!(draft.row_of(Family::V4, &loc(3)), None);
    let policy = RuleLoc { index: None, ..loc(1) };
    assert_eq!(draft.row_of(Family::V4, &policy), None);
    // A lint finding on the effective ruleset leads to the right draft row.
    draft.append_rule(&services(), port_rule("22")).unwrap();
    let findings = portcullis_engine::analysis::lint(&draft.effective(Family::V4), &portcullis_engine::analysis::LintOptions::default());
    let redundant = findings.iter().find(|f| f.diagnostic.code.slug() == "redundant-rule").expect("the second SSH accept is redundant");
    let row = draft.row_of(Family::V4, redundant.rule.as_ref().unwrap()).unwrap();
    assert_eq!(row, services().row(2), "the later of two identical rules is the redundant one");
    assert_eq!(draft.row_of(Family::V4, &redundant.related[0]), Some(services().row(0)));
}

#[test]
fn a_design_opens_with_both_families() {
    let mut design = Design::default();
    design.allow(ServiceId::SSH, vec!["203.0.113.7".parse().unwrap(), "2001:db8::7".parse().unwrap()]);
    let draft = Draft::from_design(&design);
    assert_eq!(draft.effective(Family::V4), design.compile(Family::V4));
    assert_eq!(draft.effective(Family::V6), design.compile(Family::V6));
}

#[derive(Debug, Clone)]
enum Edit {
    Insert(usize, usize),
    Delete(usize, usize),
    Move(usize, usize, usize, usize),
    Up(usize, usize),
    Down(usize, usize),
    Duplicate(usize, usize),
    Toggle(usize, usize),
    AddChain(usize),
    DeleteChain(usize),
    Jump(usize, usize),
}

fn any_edit() -> impl Strategy<Value = Edit> {
    let (c, r) = (0usize..5, 0usize..6);
    prop_oneof![
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Insert(c, r)),
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Delete(c, r)),
        (c.clone(), r.clone(), c.clone(), r.clone()).prop_map(|(a, b, x, y)| Edit::Move(a, b, x, y)),
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Up(c, r)),
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Down(c, r)),
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Duplicate(c, r)),
        (c.clone(), r.clone()).prop_map(|(c, r)| Edit::Toggle(c, r)),
        (0usize..3).prop_map(Edit::AddChain),
        (0usize..3).prop_map(Edit::DeleteChain),
        (c, 0usize..3).prop_map(|(c, n)| Edit::Jump(c, n)),
    ]
}

const NAMES: [&str; 3] = ["services", "extra", "more"];

fn chain_at(draft: &Draft, index: usize) -> ChainLoc {
    let chains = draft.ruleset(Family::V4).table(TableName::Filter).map(|table| table.chains().to_vec()).unwrap_or_default();
    let name = chains.get(index % chains.len().max(1)).map_or(ChainName::Builtin(BuiltinChain::Input), |chain| chain.name().clone());
    ChainLoc { family: Family::V4, table: TableName::Filter, chain: name }
}

proptest! {
    /// Any sequence of edits, valid or not, never panics; the effective ruleset is always the
    /// enabled rows in order, and every enabled row maps to a rule location and back.
    #[test]
    fn edits_never_panic_and_the_mapping_holds(edits in prop::collection::vec(any_edit(), 1..25)) {
        let mut draft = draft();
        for edit in edits {
            let before = draft.clone();
            let result: Result<(), EditError> = match edit {
                Edit::Insert(c, r) => draft.insert_rule(&chain_at(&draft, c), r, port_rule(&r.to_string())).map(drop),
                Edit::Delete(c, r) => draft.delete_rule(&chain_at(&draft, c).row(r)).map(drop),
                Edit::Move(a, b, x, y) => draft.move_rule(&chain_at(&draft, a).row(b), &chain_at(&draft, x), y).map(drop),
                Edit::Up(c, r) => draft.move_up(&chain_at(&draft, c).row(r)).map(drop),
                Edit::Down(c, r) => draft.move_down(&chain_at(&draft, c).row(r)).map(drop),
                Edit::Duplicate(c, r) => draft.duplicate_rule(&chain_at(&draft, c).row(r)).map(drop),
                Edit::Toggle(c, r) => {
                    let loc = chain_at(&draft, c).row(r);
                    let enabled = draft.row(&loc).is_some_and(|row| row.enabled);
                    draft.set_enabled(&loc, !enabled)
                }
                Edit::AddChain(n) => draft.add_chain(Family::V4, TableName::Filter, NAMES[n]).map(drop),
                Edit::DeleteChain(n) => draft.delete_chain(Family::V4, TableName::Filter, NAMES[n]).map(drop),
                Edit::Jump(c, n) => draft.append_rule(&chain_at(&draft, c), Rule::new(Target::Jump(UserChain::new(NAMES[n]).unwrap()))).map(drop),
            };
            if result.is_err() {
                prop_assert_eq!(&draft, &before, "a refused edit changes nothing");
            }
        }
        let effective = draft.effective(Family::V4);
        let table = draft.ruleset(Family::V4).table(TableName::Filter).unwrap();
        for chain in table.chains() {
            let loc = ChainLoc { family: Family::V4, table: TableName::Filter, chain: chain.name().clone() };
            let enabled: Vec<&Rule> = chain.rows().iter().filter(|row| row.enabled).map(|row| &row.rule).collect();
            let effective_chain = effective.tables[0].chains.iter().find(|c| c.name == *chain.name()).unwrap();
            prop_assert_eq!(enabled, effective_chain.rules.iter().collect::<Vec<_>>());
            for (row, content) in chain.rows().iter().enumerate() {
                let mapped = draft.rule_loc(&loc.row(row));
                prop_assert_eq!(mapped.is_some(), content.enabled);
                if let Some(rule_loc) = mapped {
                    prop_assert_eq!(draft.row_of(Family::V4, &rule_loc), Some(RowLoc { row, ..loc.row(row) }));
                    prop_assert_eq!(portcullis_engine::analysis::rule_at(&effective, &rule_loc), Some(&content.rule));
                }
            }
        }
        // Every jump in the draft names a chain the table has.
        let text = portcullis_engine::export::save::render(&effective);
        let reread = import(&text, Some(Family::V4));
        prop_assert!(!reread.has_errors(), "{:?}\n{}", reread.diagnostics, text);
    }
}
