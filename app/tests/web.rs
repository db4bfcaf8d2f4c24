//! The wizard in a real browser: each test mounts `App` into a fresh element on empty storage,
//! drives it like a user would and reads the DOM by `data-testid`.

mod support;

use portcullis_engine::design::{Design, Preset, ServiceId, Source};
use portcullis_engine::export::script::{Distro, ScriptOptions};
use portcullis_engine::export::Exports;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use support::{store, stored, wait_until, DownloadCatcher, FakeClipboard, Page};

wasm_bindgen_test_configure!(run_in_browser);

const SSH_FROM_OFFICE: &str = "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22";

/// The tutorial's server: web + mail, SSH only from 203.0.113.7.
fn tutorial_design() -> Design {
    let mut design = Preset::WebMail.design();
    design.allow(ServiceId::SSH, Source::parse_list("203.0.113.7").expect("valid"));
    design
}

/// Opens the review and waits for its first findings (the analysis worker's answer, here
/// answered on the page a task later, as a worker's message would come).
async fn open_review(page: &Page) {
    page.click("nav-review").await;
    assert!(page.find("step-review").is_some());
    findings_checked(page).await;
}

fn findings_state(page: &Page) -> Option<String> {
    page.get("findings-status").get_attribute("data-state")
}

/// Waits for the findings of an edit made on the review step: they come after the edit's frame.
async fn findings_checked(page: &Page) {
    wait_until("the findings of the edited design", 2000, || findings_state(page).as_deref() == Some("current")).await;
}

#[wasm_bindgen_test]
async fn a_first_visit_starts_at_the_presets_and_a_preset_opens_its_services() {
    let page = Page::mount().await;
    assert!(page.find("step-start").is_some());
    assert_eq!(page.all("preview-rule").len(), page.all("rule-explanation").len());
    page.click("preset-web-mail").await;
    assert!(page.find("step-services").is_some(), "a preset moves on to the services");
    assert!(page.input("service-ssh").checked() && page.input("service-imaps").checked());
    assert!(page.find("cleartext-pop3").is_some_and(|hint| hint.text_content().unwrap_or_default().contains("POP3S")));
    let rules: Vec<String> = page.all("preview-rule").iter().filter_map(|rule| rule.text_content()).collect();
    assert!(rules.iter().any(|rule| rule.contains("--dport 993")), "{rules:?}");
    assert!(rules.iter().all(|rule| !rule.contains("INVALID")), "the services step shows only service rules");
}

/// The rules' explanations, as the preview shows them.
fn explanations(page: &Page) -> Vec<String> {
    page.all("rule-explanation").iter().filter_map(|explanation| explanation.text_content()).collect()
}

#[wasm_bindgen_test]
async fn each_rule_is_explained_once_the_review_answers_and_a_new_rule_too() {
    let page = Page::mount().await;
    let explained = || explanations(&page).iter().all(|words| !words.contains("Explaining") && words.ends_with('.'));
    wait_until("every rule explained", 2000, explained).await;
    page.click("preset-web-mail").await;
    let imaps = || page.all("preview-rule").into_iter().find(|rule| rule.text_content().is_some_and(|text| text.contains("--dport 993")));
    assert!(imaps().is_some(), "the new rule is listed at once, by the page");
    wait_until("the new rules explained", 2000, explained).await;
    let words =
        imaps().and_then(|rule| rule.query_selector("[data-testid=rule-explanation]").ok().flatten()).and_then(|explanation| explanation.text_content());
    assert!(words.as_deref().is_some_and(|words| words.starts_with("Accept TCP to port 993")), "{words:?}");
}

#[wasm_bindgen_test]
async fn search_filters_the_catalogue_and_custom_services_are_validated() {
    let page = Page::mount().await;
    page.click("nav-services").await;
    page.type_into("service-search", "postgres").await;
    assert!(!page.get("service-postgresql").closest("li").ok().flatten().is_some_and(|li| li.has_attribute("hidden")));
    assert!(page.get("service-ssh").closest("li").ok().flatten().is_some_and(|li| li.has_attribute("hidden")));
    page.type_into("service-search", "no such thing").await;
    assert!(page.find("no-service-found").is_some());

    page.type_into("custom-name", "game").await;
    page.type_into("custom-ports", "0").await;
    page.submit("custom-add").await;
    assert!(page.text("custom-error").contains("port 0"), "{}", page.text("custom-error"));
    page.change_to("custom-transport", "udp").await;
    page.type_into("custom-ports", "27015-27030").await;
    page.submit("custom-add").await;
    assert!(page.find("custom-error").is_none());
    assert!(page.find("custom-game").is_some());
    open_review(&page).await;
    page.click("tab-v4").await;
    assert!(page.text("export-v4").contains("-p udp -m udp --dport 27015:27030"), "{}", page.text("export-v4"));
}

#[wasm_bindgen_test]
async fn a_bad_address_shows_a_message_and_changes_nothing() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("nav-access").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    assert_eq!(page.text("access-status-ssh"), "Open only to the sources below.");
    let rules_before = page.text("rules-preview");
    assert!(rules_before.contains(SSH_FROM_OFFICE), "{rules_before}");
    page.type_into("sources-ssh", "203.0.113.7/24").await;
    assert!(page.text("sources-ssh-error").contains("host bits"), "{}", page.text("sources-ssh-error"));
    let input = page.input("sources-ssh");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert!(input.get_attribute("aria-describedby").unwrap_or_default().split(' ').any(|id| id == "sources-ssh-error"));
    assert_eq!(page.text("rules-preview"), rules_before, "a refused entry keeps the last valid sources");
    for nasty in ["<script>alert(1)</script>", "\u{0}", "２０３.０.１１３.７", "fe80::1%eth0", &("203.0.113.7,".repeat(2_000) + "x")] {
        page.type_into("sources-ssh", nasty).await;
        assert!(page.find("sources-ssh-error").is_some(), "{:.60} should be refused", format!("{nasty:?}"));
        assert!(page.text("rules-preview") == rules_before, "{:.60} changed the rules", format!("{nasty:?}"));
    }
    page.type_into("sources-ssh", "<b>x</b>").await;
    assert!(page.text("sources-ssh-error").contains("<b>x</b>"), "user text is shown as text, never as markup");
}

#[wasm_bindgen_test]
async fn groups_are_shared_by_services_and_kept_while_used() {
    let page = Page::mount().await;
    page.click("preset-database").await;
    page.click("nav-access").await;
    page.type_into("group-new-name", "office").await;
    page.submit("group-add").await;
    page.type_into("group-office", "203.0.113.7, 2001:db8::7").await;
    page.click("access-ssh-group-office").await;
    open_review(&page).await;
    page.click("tab-v6").await;
    assert!(page.text("export-v6").contains("-A INPUT -s 2001:db8::7/128 -p tcp -m tcp --dport 22"), "{}", page.text("export-v6"));
    page.click("nav-access").await;
    page.click("group-remove-office").await;
    assert!(page.text("group-remove-error-office").contains("still used"), "{}", page.text("group-remove-error-office"));
    page.type_into("group-new-name", "bad name!").await;
    page.submit("group-add").await;
    assert!(page.find("group-add-error").is_some());
}

#[wasm_bindgen_test]
async fn undo_and_redo_by_button_and_keyboard() {
    let page = Page::mount().await;
    assert!(page.is_disabled("undo") && page.is_disabled("redo"));
    page.click("nav-services").await;
    page.click("service-ssh").await;
    page.click("service-http").await;
    page.click("undo").await;
    assert!(page.input("service-ssh").checked() && !page.input("service-http").checked());
    page.click("redo").await;
    assert!(page.input("service-http").checked());
    support::press_key("z", true, false).await;
    assert!(!page.input("service-http").checked(), "Ctrl+Z undoes");
    support::press_key("y", true, false).await;
    assert!(page.input("service-http").checked(), "Ctrl+Y redoes");
    support::press_key("z", true, true).await;
    assert!(page.is_disabled("redo"), "nothing left to redo");
}

#[wasm_bindgen_test]
async fn protections_change_the_rules_and_refuse_numbers_out_of_range() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("nav-protections").await;
    assert!(page.text("rules-preview").contains("drop invalid packets"));
    page.click("protect-drop-invalid").await;
    assert!(!page.text("rules-preview").contains("drop invalid packets"));
    page.change_to("ssh-limit-connections", "50").await;
    assert!(page.text("protections-error").contains("1 to 19"), "{}", page.text("protections-error"));
    assert!(page.text("rules-preview").contains("--hitcount 5"), "the last valid limit stays");
    page.click("ping-off").await;
    assert!(!page.text("rules-preview").contains("echo-request"));
    page.type_into("block-list", "198.51.100.66").await;
    assert!(page.text("rules-preview").contains("-A INPUT -s 198.51.100.66/32"), "{}", page.text("rules-preview"));
}

#[wasm_bindgen_test]
async fn turning_off_replies_policies_or_loopback_warns_and_the_review_finds_it() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("nav-protections").await;
    assert!(page.text("rules-preview").contains("replies to connections already allowed"));
    assert!(page.find("protect-established-warning").is_none(), "no warning while on");
    page.click("protect-established").await;
    assert!(page.text("protect-established-warning").contains("Temporary failure in name resolution"));
    assert!(!page.text("rules-preview").contains("replies to connections already allowed"));
    open_review(&page).await;
    assert!(page.find("finding-no-established").is_some(), "{}", page.text("findings"));
    assert!(page.text("summary").contains("Replies to the server's own connections: dropped"), "{}", page.text("summary"));
    page.click("undo").await;
    findings_checked(&page).await;
    assert!(page.find("finding-no-established").is_none(), "undo brings the replies back: {}", page.text("step-review"));
    page.click("nav-protections").await;
    page.click("protect-loopback").await;
    assert!(page.find("protect-loopback-warning").is_some());
    page.click("input-policy-accept").await;
    assert!(page.find("input-policy-warning").is_some());
    open_review(&page).await;
    assert!(page.find("finding-default-accept").is_some(), "{}", page.text("findings"));
    assert!(page.find("finding-loopback-blocked").is_none(), "under ACCEPT the policy lets loopback in");
    page.click("nav-protections").await;
    page.click("input-policy-drop").await;
    open_review(&page).await;
    assert!(page.find("finding-loopback-blocked").is_some(), "{}", page.text("findings"));
    assert!(page.find("finding-default-accept").is_none());
}

#[wasm_bindgen_test]
async fn the_export_tabs_show_exactly_the_engine_exports() {
    let page = Page::mount().await;
    page.click("preset-web-mail").await;
    page.click("nav-access").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    open_review(&page).await;
    page.change_to("distro", "rhel").await;
    findings_checked(&page).await;
    let exports = Exports::of(&tutorial_design(), &ScriptOptions { distro: Distro::Rhel, ..ScriptOptions::default() });
    let expected = [
        ("script", exports.script.expect("a script")),
        ("v4", exports.rules_v4),
        ("v6", exports.rules_v6),
        ("commands", exports.commands),
        ("nft", exports.nft.map_or_else(|error| format!("No nftables file: {error}"), |nft| nft.text)),
        ("json", exports.design_json),
    ];
    for (slug, text) in expected {
        page.click(&format!("tab-{slug}")).await;
        assert_eq!(page.text(&format!("export-{slug}")), text, "tab {slug}");
    }
    assert!(page.text("summary").contains("From 203.0.113.7: SSH (TCP 22)"), "{}", page.text("summary"));
    assert!(page.find("lockout-warning").is_none());
    let downloads = DownloadCatcher::install();
    page.click("tab-script").await;
    page.click("download-script").await;
    assert_eq!(downloads.caught.borrow()[0].0, "portcullis-apply.sh");
    let clipboard = FakeClipboard::install(Some(true));
    page.click("copy-script").await;
    assert_eq!(clipboard.copied.borrow().as_deref(), Some(page.text("export-script").as_str()));
    assert_eq!(page.text("notice-script"), "Copied");
}

#[wasm_bindgen_test]
async fn the_review_shows_findings_when_the_worker_answers_and_holds_the_exports_meanwhile() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("service-ssh").await; // closed: a lockout…
    page.click("service-ssh").await; // …open again
    page.click("nav-review").await;
    assert_eq!(findings_state(&page).as_deref(), Some("checking"), "the first findings come from the worker");
    assert!(page.is_disabled("copy-script") && page.text("notice-script").contains("Checking"), "held until checked");
    findings_checked(&page).await;
    assert!(page.find("lockout-warning").is_none() && !page.is_disabled("copy-script"));
    page.click("undo").await; // SSH closed again
    assert_eq!(findings_state(&page).as_deref(), Some("checking"), "the edit's frame does not wait for the worker");
    assert!(page.text("findings-status").contains("Checking"));
    assert!(page.find("lockout-warning").is_none(), "the previous findings stay until the new ones come");
    assert!(page.is_disabled("copy-script") && page.is_disabled("download-script"), "nothing leaves unchecked");
    assert!(page.text("notice-script").contains("Checking"), "{}", page.text("notice-script"));
    findings_checked(&page).await;
    assert!(page.find("finding-lockout").is_some() && page.find("lockout-warning").is_some());
    assert!(page.is_disabled("copy-script"), "held: a lockout");
    page.click("redo").await;
    assert_eq!(findings_state(&page).as_deref(), Some("checking"));
    findings_checked(&page).await;
    assert!(page.find("lockout-warning").is_none() && page.find("finding-lockout").is_none());
    assert!(!page.is_disabled("copy-script"), "checked and clean: exports free again");
    assert!(page.text("findings-status").is_empty());
}

#[wasm_bindgen_test]
async fn a_lockout_holds_the_exports_until_explicitly_overridden() {
    let page = Page::mount().await;
    page.click("preset-empty").await;
    open_review(&page).await;
    assert!(page.find("lockout-warning").is_some());
    assert!(page.find("finding-lockout").is_some());
    assert!(page.is_disabled("download-script") && page.is_disabled("copy-script"));
    assert!(page.text("notice-script").contains("lock you out"));
    page.click("lockout-override").await;
    assert!(!page.is_disabled("download-script"));
}

#[wasm_bindgen_test]
async fn every_change_is_saved_and_a_reload_restores_it() {
    let page = Page::mount().await;
    page.click("preset-bastion").await;
    page.click("nav-access").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    let reloaded = Page::mount_again().await;
    assert!(reloaded.find("step-services").is_some(), "a returning user lands on the services");
    reloaded.click("nav-access").await;
    assert_eq!(reloaded.input("sources-ssh").value(), "203.0.113.7");
    assert_eq!(reloaded.input("design-name").value(), "My server");
}

#[wasm_bindgen_test]
async fn corrupt_storage_is_reported_and_never_overwritten() {
    support::clear_storage();
    store("portcullis.design.Old", "{\"version\": 99}");
    let page = Page::mount_again().await;
    assert!(page.text("notices").contains("Old"), "{}", page.text("notices"));
    page.click("preset-web").await;
    assert_eq!(stored("portcullis.design.Old").as_deref(), Some("{\"version\": 99}"));
}

#[wasm_bindgen_test]
async fn a_share_link_opens_its_design_as_a_new_saved_design() {
    let page = Page::mount().await;
    page.click("preset-mail").await;
    let design = tutorial_design();
    let fragment = format!("#design={}", js_sys::encode_uri_component(&design.to_json()));
    support::set_hash(&fragment);
    let opened = Page::mount_again().await;
    assert!(opened.text("notices").contains("Shared design"));
    assert_eq!(opened.input("design-name").value(), "Shared design");
    open_review(&opened).await;
    opened.click("tab-json").await;
    assert_eq!(opened.text("export-json"), design.to_json());
    assert_eq!(leptos::prelude::window().location().hash().unwrap_or_default(), "", "the fragment is consumed");
    support::set_hash("#design=%7B%22broken");
    let damaged = Page::mount_again().await;
    assert!(damaged.text("notices").contains("could not be opened") || damaged.text("notices").contains("damaged"));
}

#[wasm_bindgen_test]
async fn named_designs_can_be_created_renamed_and_switched() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.change_to("design-name", "Web box").await;
    assert!(stored("portcullis.design.Web box").is_some_and(|json| json.contains("https")), "saved under the new name");
    assert_eq!(stored("portcullis.design.My server"), None, "the old name is gone");
    page.click("design-new").await;
    assert!(page.find("step-start").is_some());
    page.click("preset-database").await;
    assert!(stored("portcullis.design.Web box").is_some());
    page.change_to("design-switch", "Web box").await;
    assert_eq!(page.input("design-name").value(), "Web box");
    page.click("nav-services").await;
    assert!(page.input("service-https").checked() && !page.input("service-postgresql").checked());
    page.change_to("design-name", "New design").await;
    assert!(page.text("design-name-error").contains("already"));
}

#[wasm_bindgen_test]
async fn the_theme_switch_sets_and_remembers_the_scheme() {
    // The page's background, `--bg` of the scheme in force (theme.rs): #f6f7f8 light, #121518 dark.
    const LIGHT: &str = "rgb(246, 247, 248)";
    const DARK: &str = "rgb(18, 21, 24)";
    let background = || {
        let window = leptos::prelude::window();
        let body = leptos::prelude::document().body().expect("body");
        window.get_computed_style(&body).ok().flatten().expect("computed style").get_property_value("background-color").expect("background")
    };
    let page = Page::mount().await;
    let root = leptos::prelude::document().document_element().expect("html");
    page.change_to("theme", "dark").await;
    assert_eq!(root.get_attribute("data-theme").as_deref(), Some("dark"));
    assert_eq!(stored("portcullis.theme").as_deref(), Some("dark"));
    assert_eq!(background(), DARK);
    page.change_to("theme", "light").await;
    assert_eq!(background(), LIGHT);
    page.change_to("theme", "system").await;
    assert_eq!(root.get_attribute("data-theme"), None);
    let system_is_dark = leptos::prelude::window().match_media("(prefers-color-scheme: dark)").ok().flatten().is_some_and(|query| query.matches());
    assert_eq!(background(), if system_is_dark { DARK } else { LIGHT }, "the system's scheme");
}

/// Docker: the choice writes DOCKER-USER rules into the preview and the exports, the trusted
/// sources and the ports are checked as typed, and the review finds a service that opens a
/// published port on INPUT.
#[wasm_bindgen_test]
async fn the_docker_choice_writes_docker_user_rules_and_the_review_finds_the_bypass() {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("nav-protections").await;
    assert!(page.input("containers-none").checked(), "no Docker until said");
    assert!(page.find("containers-ports").is_none() && !page.text("rules-preview").contains("DOCKER-USER"));
    page.click("containers-host-only").await;
    assert!(page.text("containers-effect").contains("only this server and its containers"), "{}", page.text("containers-effect"));
    assert!(page.text("rules-preview").contains("-A DOCKER-USER -o docker0 -m conntrack --ctstate DNAT --ctdir ORIGINAL"), "{}", page.text("rules-preview"));
    page.click("containers-trusted").await;
    page.type_into("containers-sources", "203.0.113.7/24").await;
    assert!(page.text("containers-sources-error").contains("host bits"));
    page.type_into("containers-sources", "203.0.113.7").await;
    page.type_into("containers-ports", "8080").await;
    let preview = page.text("rules-preview");
    assert!(
        preview.contains("-A DOCKER-USER -s 203.0.113.7/32 -o docker0 -p tcp -m conntrack --ctstate DNAT --ctorigdstport 8080 --ctdir ORIGINAL"),
        "{preview}"
    );
    page.type_into("containers-ports", "80800").await;
    assert!(page.text("containers-ports-error").contains("not a port"), "{}", page.text("containers-ports-error"));
    assert_eq!(page.text("rules-preview"), preview, "a bad port changes nothing");
    page.type_into("containers-ports", "8080").await;
    // The beginner's mistake: opening the container's port as a service too.
    page.click("nav-services").await;
    page.type_into("custom-name", "web-app").await;
    page.type_into("custom-ports", "8080").await;
    page.submit("custom-add").await;
    open_review(&page).await;
    assert!(page.find("finding-docker-bypass").is_some(), "{}", page.text("findings"));
    assert!(page.text("summary").contains("Published container ports (TCP 8080): from 203.0.113.7 only"), "{}", page.text("summary"));
    page.click("tab-v4").await;
    assert!(page.text("export-v4").contains(":DOCKER-USER - [0:0]"));
}

/// The server survey: a paste read by the worker (answered on the page here) opens a design
/// with the services that listen, lists its choices and reports a cut line by its number.
#[wasm_bindgen_test]
async fn a_pasted_survey_opens_the_design_that_fits_the_server() {
    let page = Page::mount().await;
    let mut lines: Vec<&str> = include_str!("../../engine/tests/data/survey/ubuntu2404.txt").lines().collect();
    lines.insert(3, "tcp   LISTEN 0      4096       0.0.0.0:44");
    page.paste_into("survey-paste", &lines.join("\n")).await;
    page.click("survey-read").await;
    wait_until("the survey's answer", 2000, || page.find("survey-outcome").is_some()).await;
    assert!(page.text("survey-outcome").contains("other tools: Docker, fail2ban"), "{}", page.text("survey-outcome"));
    assert!(page.text("survey-choices").contains("MySQL / MariaDB must not face the internet"), "{}", page.text("survey-choices"));
    assert!(page.text("survey-findings").contains("line 4: "), "{}", page.text("survey-findings"));
    page.click("nav-services").await;
    assert!(page.input("service-ssh").checked() && page.input("service-node-exporter").checked());
    assert!(!page.input("service-mysql").checked(), "a database is not opened to everyone");
    page.click("undo").await;
    page.click("nav-services").await;
    assert!(!page.input("service-node-exporter").checked(), "undo returns to the design before the survey");
    // A paste of nothing known changes nothing.
    page.click("nav-start").await;
    page.paste_into("survey-paste", "hello\n").await;
    page.click("survey-read").await;
    wait_until("the second answer", 2000, || page.find("survey-outcome").is_some()).await;
    assert!(page.text("survey-outcome").contains("Nothing in the paste was recognised"), "{}", page.text("survey-outcome"));
}

/// Opens the protections step of a fresh web server and unfolds the advanced section.
async fn open_advanced() -> Page {
    let page = Page::mount().await;
    page.click("preset-web").await;
    page.click("nav-protections").await;
    let advanced = page.get("advanced");
    assert!(!advanced.has_attribute("open"), "folded away for beginners");
    advanced.set_attribute("open", "").expect("opened");
    page
}

#[wasm_bindgen_test]
async fn an_interface_limit_and_a_redirect_reach_the_preview_and_the_exports() {
    let page = open_advanced().await;
    page.type_into("iface-ssh", "eth1").await;
    let preview = page.text("rules-preview");
    assert!(preview.contains("-A INPUT -i eth1 -p tcp -m tcp --dport 22"), "{preview}");
    page.type_into("iface-ssh", "eth1, eth0:1").await;
    assert!(page.text("iface-ssh-error").contains("':'"), "{}", page.text("iface-ssh-error"));
    assert_eq!(page.text("rules-preview"), preview, "a bad name changes nothing");

    page.type_into("redirect-from", "80").await;
    page.type_into("redirect-to", "80x").await;
    assert!(page.text("redirect-to-error").contains("not a port"), "{}", page.text("redirect-to-error"));
    assert!(page.find("redirect-from-error").is_none());
    page.submit("redirect-add").await;
    assert!(page.text("redirect-error").contains("not a port"));
    assert!(page.find("redirect-0").is_none() && page.text("rules-preview") == preview, "a refused redirect changes nothing");
    page.type_into("redirect-to", "80").await;
    page.submit("redirect-add").await;
    assert!(page.text("redirect-error").contains("itself"), "{}", page.text("redirect-error"));
    page.type_into("redirect-to", "8080").await;
    page.submit("redirect-add").await;
    assert!(page.find("redirect-error").is_none());
    assert_eq!(page.text("redirect-0"), "TCP 80 → 8080Remove");
    assert_eq!(page.input("redirect-from").value(), "", "the form is emptied for the next entry");
    assert!(page.text("rules-preview").contains("-t nat -A PREROUTING -p tcp -m tcp --dport 80"), "{}", page.text("rules-preview"));
    assert!(page.text("rules-preview").contains("-j REDIRECT --to-ports 8080"));

    open_review(&page).await;
    for tab in ["v4", "v6"] {
        page.click(&format!("tab-{tab}")).await;
        let export = page.text(&format!("export-{tab}"));
        assert!(export.contains("*nat") && export.contains("-j REDIRECT --to-ports 8080"), "{export}");
        assert!(export.contains("-A INPUT -i eth1 -p tcp -m tcp --dport 22"), "{export}");
    }
    page.click("nav-protections").await;
    page.get("advanced").set_attribute("open", "").expect("opened");
    assert_eq!(page.input("iface-ssh").value(), "eth1, eth0:1", "what was typed is kept, with its message");
    assert!(page.find("iface-ssh-error").is_some());
    page.click("redirect-remove-0").await;
    assert!(page.find("redirect-0").is_none());
    assert!(!page.text("rules-preview").contains("REDIRECT"));
    page.click("undo").await;
    assert!(page.find("redirect-0").is_some(), "removing is an undoable step");
}

#[wasm_bindgen_test]
async fn a_port_forward_and_a_masquerade_are_validated_and_exported() {
    let page = open_advanced().await;
    assert!(page.find("forwarding-note").is_none());
    page.type_into("forward-port", "8443").await;
    page.type_into("forward-host", "127.0.0.1").await;
    assert!(page.text("forward-host-error").contains("loopback"), "{}", page.text("forward-host-error"));
    page.type_into("forward-sources", "203.0.113.7/24").await;
    assert!(page.text("forward-sources-error").contains("host bits"));
    let preview = page.text("rules-preview");
    page.submit("forward-add").await;
    assert!(page.find("forward-error").is_some() && page.find("forward-0").is_none());
    assert_eq!(page.text("rules-preview"), preview);
    page.type_into("forward-host", "198.51.100.10").await;
    page.type_into("forward-to-port", "443").await;
    page.type_into("forward-sources", "203.0.113.7").await;
    page.submit("forward-add").await;
    assert!(page.find("forward-error").is_none(), "{}", page.text("forward-error"));
    assert_eq!(page.text("forward-0"), "TCP 8443 → 198.51.100.10:443, from 203.0.113.7Remove");
    let preview = page.text("rules-preview");
    assert!(preview.contains("-j DNAT --to-destination 198.51.100.10:443"), "{preview}");
    assert!(preview.contains("-A FORWARD -s 203.0.113.7/32 -d 198.51.100.10/32 -p tcp -m tcp --dport 443"), "{preview}");
    assert!(page.find("forwarding-note").is_some());

    page.type_into("masquerade-network", "0.0.0.0/0").await;
    assert!(page.text("masquerade-network-error").contains("every address"));
    page.type_into("masquerade-out", "eth 0").await;
    assert!(page.find("masquerade-out-error").is_some());
    page.submit("masquerade-add").await;
    assert!(page.find("masquerade-error").is_some() && page.find("masquerade-0").is_none());
    page.type_into("masquerade-network", "198.51.100.0/24").await;
    page.type_into("masquerade-out", "eth0").await;
    page.submit("masquerade-add").await;
    assert_eq!(page.text("masquerade-0"), "198.51.100.0/24 out of eth0Remove");
    assert!(page.text("rules-preview").contains("-t nat -A POSTROUTING -s 198.51.100.0/24 -o eth0"));

    open_review(&page).await;
    page.click("tab-v4").await;
    let export = page.text("export-v4");
    assert!(export.contains("-j DNAT --to-destination 198.51.100.10:443") && export.contains("-j MASQUERADE"), "{export}");
    page.click("tab-script").await;
    assert!(page.text("export-script").contains("ip_forward"), "the script checks forwarding");
    assert!(page.text("summary").contains("198.51.100.10"), "{}", page.text("summary"));
}
