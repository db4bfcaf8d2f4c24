//! The workbench's import, rules table, rule form and findings in a real browser: each test
//! mounts the workbench's page (`WorkbenchApp`) and drives it by `data-testid`; the wizard's
//! page (`App`) is mounted where its saved design matters.

mod support;

use std::fmt::Write as _;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

use support::{sleep, store, stored, wait_until, Page};

wasm_bindgen_test_configure!(run_in_browser);

const SAVE: &str = "*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
";

/// Waits for the background analysis of the current rules.
async fn analysed(page: &Page) {
    page.click("panel-findings").await;
    wait_until("the analysis", 20_000, || page.text("findings-status").contains("Up to date")).await;
    // The test page names no analysis worker: the page analyses on its own thread (the built
    // site's worker is checked end to end, in tests/tests/browser_workbench.rs).
    assert_eq!(page.get("findings-status").get_attribute("data-analyser").as_deref(), Some("page"));
}

fn row(page: &Page, key: &str) -> Element {
    page.all("rule-row").into_iter().find(|row| row.get_attribute("data-row").as_deref() == Some(key)).unwrap_or_else(|| panic!("no rule row {key}"))
}

/// Each rendered rule row with its key (`table/chain/row`).
fn rendered_rows(page: &Page) -> Vec<(String, Element)> {
    page.all("rule-row").into_iter().filter_map(|row| Some((row.get_attribute("data-row")?, row))).collect()
}

fn row_texts(page: &Page) -> Vec<String> {
    page.all("rule-text").iter().filter_map(|text| text.text_content()).collect()
}

async fn click_element(element: &Element) {
    wasm_bindgen::JsCast::unchecked_ref::<web_sys::HtmlElement>(element).click();
    sleep(0).await;
}

#[wasm_bindgen_test]
async fn an_import_fills_the_table_and_a_bad_line_shows_a_code_frame_with_its_help() {
    let page = Page::workbench().await;
    assert!(page.find("rules-empty").is_some());
    let broken = SAVE.replace("--dport 80 ", "--dport 99999 ");
    page.import(&broken).await;
    assert!(page.text("import-summary").contains("1 error(s)"), "{}", page.text("import-summary"));
    let frames = page.all("code-frame");
    assert_eq!(frames.len(), 1);
    let squiggle = page.get("squiggle");
    let marked = squiggle.first_child().and_then(|text| text.text_content()).unwrap_or_default();
    assert!(marked.contains("99999") && !marked.contains("-j"), "the bad option is underlined, not the line: {marked}");
    assert!(squiggle.text_content().unwrap_or_default().len() > "99999".len(), "the tooltip with the help is inside the squiggle");
    assert!(frames[0].text_content().unwrap_or_default().contains("8-A INPUT"), "the frame shows line numbers");
    let texts = row_texts(&page);
    assert_eq!(texts.len(), 3, "the three good rules are loaded: {texts:?}");
    assert!(texts[2].contains("--dport 22"));
    assert!(page.find("chain-filter-INPUT").is_some());
}

#[wasm_bindgen_test]
async fn the_form_edits_a_rule_refuses_bad_fields_and_undo_brings_it_back() {
    let page = Page::workbench().await;
    page.import(SAVE).await;
    click_element(&row(&page, "filter/INPUT/2")).await;
    assert!(page.text("selected-rule").contains("--dport 22"));
    assert!(!page.text("selected-meaning").is_empty());
    page.type_into("form-source", "203.0.113.7/24").await;
    page.submit("form-save").await;
    assert!(page.text("form-source-error").contains("203.0.113.0/24"), "{}", page.text("form-source-error"));
    assert!(row_texts(&page)[2].starts_with("-A INPUT -p tcp"), "a refused form changes nothing");
    page.type_into("form-source", "203.0.113.7").await;
    page.type_into("form-dport", "2222").await;
    page.click("form-state-new").await;
    page.submit("form-save").await;
    assert_eq!(row_texts(&page)[2], "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 2222 -m conntrack --ctstate NEW -j ACCEPT");
    page.click("bench-undo").await;
    assert_eq!(row_texts(&page)[2], "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT");
    page.click("bench-redo").await;
    assert!(row_texts(&page)[2].contains("--dport 2222"));
}

#[wasm_bindgen_test]
async fn rows_are_inserted_moved_duplicated_disabled_and_deleted_and_exports_follow() {
    let page = Page::workbench().await;
    page.import(SAVE).await;
    click_element(&row(&page, "filter/INPUT/3")).await;
    page.change_to("form-placement", "above").await;
    page.type_into("form-protocol", "udp").await;
    page.type_into("form-dport", "53").await;
    page.submit("form-save").await;
    let texts = row_texts(&page);
    assert_eq!(texts.len(), 5);
    assert_eq!(texts[3], "-A INPUT -p udp -m udp --dport 53 -j ACCEPT", "-I above the selected rule: {texts:?}");
    page.click("rule-move-up").await;
    assert!(row_texts(&page)[2].contains("--dport 53"));
    page.click("rule-duplicate").await;
    assert_eq!(row_texts(&page).len(), 6);
    page.click("rule-delete").await;
    assert_eq!(row_texts(&page).len(), 5);
    // Disable port 80: kept in the table, gone from the exports.
    let port_80 = row(&page, "filter/INPUT/4");
    assert!(port_80.text_content().unwrap_or_default().contains("--dport 80"));
    page.set_checked("enabled-filter/INPUT/4", false).await;
    assert!(row(&page, "filter/INPUT/4").class_list().contains("disabled"));
    page.click("panel-export").await;
    page.click("tab-v4").await;
    let exported = page.text("export-v4");
    assert!(exported.contains("--dport 53 -j ACCEPT") && !exported.contains("--dport 80"), "{exported}");
}

#[wasm_bindgen_test]
async fn a_shadowed_rule_is_found_and_show_rules_marks_both_rules() {
    let page = Page::workbench().await;
    let shadowed = SAVE.replace("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n", "-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n");
    page.import(&shadowed).await;
    analysed(&page).await;
    let finding = page.all("finding").into_iter().find(|finding| finding.text_content().unwrap_or_default().contains("INPUT rule 5"));
    let finding = finding.expect("a finding about the shadowed rule 5");
    let show = finding.query_selector("[data-testid=\"finding-show\"]").expect("a selector").expect("a Show rules button");
    click_element(&show).await;
    let marked: Vec<String> =
        page.all("rule-row").into_iter().filter(|row| row.class_list().contains("marked")).filter_map(|row| row.get_attribute("data-row")).collect();
    assert!(marked.contains(&"filter/INPUT/4".to_owned()) && marked.contains(&"filter/INPUT/3".to_owned()), "{marked:?}");
    assert!(row(&page, "filter/INPUT/4").class_list().contains("selected"));
}

#[wasm_bindgen_test]
async fn ten_thousand_rules_render_only_the_rows_in_view_and_scrolling_brings_the_rest() {
    let page = Page::workbench().await;
    let mut text = String::from("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
    for at in 0..10_000_u32 {
        writeln!(text, "-A INPUT -s 198.51.100.{}/32 -p tcp -m tcp --dport {} -j ACCEPT", at % 250 + 1, 1000 + at / 250).expect("a String takes any text");
    }
    text.push_str("COMMIT\n");
    page.import(&text).await;
    assert!(page.text("import-summary").contains("Read 10000 rules"), "{}", page.text("import-summary"));
    let rendered = page.all("rule-row").len();
    assert!((10..100).contains(&rendered), "only the rows in view are in the page: {rendered}");
    let scroller: web_sys::HtmlElement = wasm_bindgen::JsCast::unchecked_into(page.get("rules-scroller"));
    scroller.set_scroll_top(46 * 9_000);
    scroller.dispatch_event(&web_sys::Event::new("scroll").expect("an event")).expect("dispatched");
    sleep(0).await;
    let keys: Vec<String> = page.all("rule-row").iter().filter_map(|row| row.get_attribute("data-row")).collect();
    assert!(keys.iter().any(|key| key == "filter/INPUT/8999"), "{keys:?}");
    // The rows are keyed: a scroll of five rows keeps every row still in view (the same node)
    // and mounts only those entering it.
    let before = rendered_rows(&page);
    scroller.set_scroll_top(46 * 9_005);
    scroller.dispatch_event(&web_sys::Event::new("scroll").expect("an event")).expect("dispatched");
    sleep(0).await;
    let after = rendered_rows(&page);
    let kept = after.iter().filter(|(key, node)| before.iter().any(|(old_key, old)| old_key == key && old.is_same_node(Some(node)))).count();
    assert_eq!(kept, after.len() - 5, "only the five rows entering the view are new ({} rows)", after.len());
    // A move touches the two rows that swap; every row keeps its node.
    click_element(&row(&page, "filter/INPUT/9010")).await;
    let texts = |page: &Page| -> Vec<(String, String)> {
        rendered_rows(page)
            .into_iter()
            .map(|(key, node)| (key, node.query_selector("[data-testid=rule-text]").ok().flatten().and_then(|text| text.text_content()).unwrap_or_default()))
            .collect()
    };
    let (nodes, before) = (rendered_rows(&page), texts(&page));
    page.click("rule-move-down").await;
    let after = texts(&page);
    let changed: Vec<&str> = after.iter().filter(|row| !before.contains(row)).map(|(key, _)| key.as_str()).collect();
    assert_eq!(changed, ["filter/INPUT/9010", "filter/INPUT/9011"], "{after:?}");
    assert!(rendered_rows(&page).iter().all(|(key, node)| nodes.iter().any(|(old_key, old)| old_key == key && old.is_same_node(Some(node)))));
    assert!(row(&page, "filter/INPUT/9011").class_list().contains("selected"), "the moved rule stays selected");
    // The table handles its rows' events in one place: Enter on a focused row selects it.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    let enter = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("a key event");
    row(&page, "filter/INPUT/9008").dispatch_event(&enter).expect("dispatched");
    sleep(0).await;
    assert!(row(&page, "filter/INPUT/9008").class_list().contains("selected") && !row(&page, "filter/INPUT/9011").class_list().contains("selected"));
    // Checking 10,000 rules after every edit would freeze the page: it waits to be asked.
    page.click("panel-findings").await;
    sleep(300).await;
    assert!(page.text("findings-status").contains("when you ask"), "{}", page.text("findings-status"));
    assert!(page.find("analyse-now").is_some());
}

#[wasm_bindgen_test]
async fn the_design_the_wizard_page_saved_opens_in_the_workbench_page() {
    let wizard = Page::mount().await;
    wizard.click("preset-web").await;
    // The workbench is another page with its own wasm: all it shares with the wizard is storage.
    let page = Page::mount_workbench_again().await;
    assert!(page.find("step-start").is_none() && page.find("preset-web").is_none(), "the workbench page has no wizard");
    page.click("open-wizard-design").await;
    assert!(row_texts(&page).iter().any(|text| text.contains("--dport 443")), "{:?}", row_texts(&page));
    assert!(page.text("open-wizard-status").contains("\u{201c}My server\u{201d}"), "{}", page.text("open-wizard-status"));
}

#[wasm_bindgen_test]
async fn without_a_readable_wizard_design_the_workbench_says_why_and_keeps_its_rules() {
    let page = Page::workbench().await;
    page.import(SAVE).await;
    let before = row_texts(&page);
    page.click("open-wizard-design").await;
    assert!(page.text("open-wizard-status").contains("no design saved"), "{}", page.text("open-wizard-status"));
    assert_eq!(row_texts(&page), before);

    store("portcullis.current", "Broken");
    store("portcullis.design.Broken", "{ not json");
    page.click("open-wizard-design").await;
    assert!(page.text("open-wizard-status").contains("could not be read"), "{}", page.text("open-wizard-status"));
    assert_eq!(row_texts(&page), before);
    assert_eq!(stored("portcullis.design.Broken").as_deref(), Some("{ not json"), "the entry is left untouched");
}

#[wasm_bindgen_test]
async fn each_page_links_to_the_other_by_a_relative_address_and_marks_itself_current() {
    let wizard = Page::mount().await;
    let bench = Page::mount_workbench_again().await;
    for (page, here, there, link) in [(&wizard, "mode-wizard", "mode-workbench", "workbench/"), (&bench, "mode-workbench", "mode-wizard", "../")] {
        assert_eq!(page.get(here).get_attribute("aria-current").as_deref(), Some("page"));
        assert_eq!(page.get(here).get_attribute("href").as_deref(), Some("./"));
        assert_eq!(page.get(there).get_attribute("aria-current"), None);
        assert_eq!(page.get(there).get_attribute("href").as_deref(), Some(link), "relative: the site works from any sub-path");
    }
}

#[wasm_bindgen_test]
async fn a_findings_example_packet_opens_in_the_simulator_with_its_deciding_rule_marked() {
    let page = Page::workbench().await;
    let shadowed = SAVE.replace("-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n", "-A INPUT -p tcp -j DROP\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\n");
    page.import(&shadowed).await;
    analysed(&page).await;
    let finding = page.all("finding").into_iter().find(|finding| finding.text_content().unwrap_or_default().contains("INPUT rule 5"));
    let simulate = finding.and_then(|finding| finding.query_selector("[data-testid=\"finding-simulate\"]").ok().flatten());
    click_element(&simulate.expect("the shadowed rule's finding has an example packet")).await;
    sleep(50).await;
    assert!(page.find("simulator-panel").is_some(), "the simulator opens");
    let packet = page.input("packet-text").value();
    assert!(packet.contains(":80") && packet.starts_with("tcp"), "the witness is a TCP packet to port 80: {packet}");
    assert!(page.text("sim-verdict").to_uppercase().contains("DROP"), "{}", page.text("sim-verdict"));
    let matched: Vec<String> =
        page.all("rule-row").into_iter().filter(|row| row.class_list().contains("trace-matched")).filter_map(|row| row.get_attribute("data-row")).collect();
    assert_eq!(matched, ["filter/INPUT/3"], "the DROP that shadows rule 5 decides");
}
