//! The app in a real browser: each test mounts `App` into a fresh element, drives it like a user
//! would and reads the DOM by `data-testid`.

mod support;

use portcullis_engine::design::{Design, ServiceId};
use portcullis_engine::export::save;
use portcullis_engine::model::Family;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use support::{DownloadCatcher, FakeClipboard, Page};

wasm_bindgen_test_configure!(run_in_browser);

const SSH_FROM_ONE_ADDRESS: &str = "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22";

fn engine_file(design: &Design, family: Family) -> String {
    save::render(&design.compile(family))
}

#[wasm_bindgen_test]
async fn app_mounts_with_every_service_closed() {
    let page = Page::mount().await;
    assert!(page.find("app-root").is_some());
    assert!(!page.input("service-ssh").checked());
    assert!(
        page.find("sources-ssh").is_none(),
        "the sources field shows only once ticked"
    );
    assert_eq!(
        page.text("rules-v4"),
        engine_file(&Design::default(), Family::V4)
    );
    assert_eq!(
        page.text("rules-v6"),
        engine_file(&Design::default(), Family::V6)
    );
}

#[wasm_bindgen_test]
async fn ssh_from_an_ipv4_address_reaches_rules_v4_only() {
    let page = Page::mount().await;
    page.click("service-ssh").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    assert!(
        page.text("rules-v4").contains(SSH_FROM_ONE_ADDRESS),
        "{}",
        page.text("rules-v4")
    );
    assert!(!page.text("rules-v6").contains("203.0.113.7"));
    assert!(
        !page.text("rules-v6").contains("--dport 22"),
        "SSH stays closed on IPv6"
    );
    assert!(page.find("sources-error-ssh").is_none());
}

#[wasm_bindgen_test]
async fn host_bits_show_the_engine_error_and_change_nothing() {
    let page = Page::mount().await;
    page.click("service-ssh").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    let before = page.text("rules-v4");

    page.type_into("sources-ssh", "203.0.113.7/24").await;
    assert!(
        page.text("sources-error-ssh").contains("host bits"),
        "{}",
        page.text("sources-error-ssh")
    );
    let input = page.input("sources-ssh");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described_by = input.get_attribute("aria-describedby").unwrap_or_default();
    assert!(
        described_by.split(' ').any(|id| id == "sources-error-ssh"),
        "{described_by}"
    );
    assert_eq!(
        page.text("rules-v4"),
        before,
        "a refused entry keeps the last valid sources"
    );

    page.type_into("sources-ssh", "203.0.113.0/24").await;
    assert!(
        page.find("sources-error-ssh").is_none(),
        "the error goes once the text is fixed"
    );
    assert_eq!(
        input.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert!(page
        .text("rules-v4")
        .contains("-A INPUT -s 203.0.113.0/24 -p tcp -m tcp --dport 22"));
}

#[wasm_bindgen_test]
async fn ticking_http_opens_port_80_on_both_families_and_unticking_closes_it() {
    let page = Page::mount().await;
    page.click("service-http").await;
    assert!(page.input("service-http").checked());
    assert!(page.text("rules-v4").contains("--dport 80"));
    assert!(page.text("rules-v6").contains("--dport 80"));

    page.click("service-http").await;
    assert!(!page.text("rules-v4").contains("--dport 80"));
    assert!(!page.text("rules-v6").contains("--dport 80"));
    assert!(page.find("sources-http").is_none());
}

#[wasm_bindgen_test]
async fn an_ipv6_source_goes_to_rules_v6() {
    let page = Page::mount().await;
    page.click("service-ssh").await;
    page.type_into("sources-ssh", "2001:db8::/32").await;
    assert!(page
        .text("rules-v6")
        .contains("-A INPUT -s 2001:db8::/32 -p tcp -m tcp --dport 22"));
    assert!(
        !page.text("rules-v4").contains("--dport 22"),
        "SSH stays closed on IPv4"
    );
}

#[wasm_bindgen_test]
async fn the_panels_show_exactly_the_engine_files() {
    let page = Page::mount().await;
    page.click("service-https").await;
    page.click("service-mysql").await;
    page.type_into("sources-mysql", "198.51.100.0/24, 2001:db8::7")
        .await;

    let mut design = Design::default();
    design.allow(ServiceId::HTTPS, vec![]);
    design.allow(
        ServiceId::MYSQL,
        portcullis_engine::design::Source::parse_list("198.51.100.0/24 2001:db8::7")
            .expect("valid"),
    );
    assert_eq!(page.text("rules-v4"), engine_file(&design, Family::V4));
    assert_eq!(page.text("rules-v6"), engine_file(&design, Family::V6));
}

#[wasm_bindgen_test]
async fn no_input_breaks_the_page() {
    let page = Page::mount().await;
    page.click("service-ssh").await;
    page.type_into("sources-ssh", "203.0.113.7").await;
    let valid = page.text("rules-v4");
    let long = "203.0.113.7,".repeat(2_000) + "x";
    let nasty = [
        "nonsense",
        "203.0.113.7/",
        "/24",
        "203.0.113.0/33",
        "203.0.113.0/-1",
        "::::",
        "1.2.3.4.5",
        "２０３.０.１１３.７",
        "\u{0}",
        "<script>alert(1)</script>",
        "203.0.113.7/99999999999999999999",
        "fe80::1%eth0",
        long.as_str(),
    ];
    for text in nasty {
        page.type_into("sources-ssh", text).await;
        assert!(
            page.find("sources-error-ssh").is_some(),
            "{text:?} should be refused"
        );
        assert_eq!(page.text("rules-v4"), valid, "{text:?} changed the rules");
    }
    page.type_into("sources-ssh", "<b>x</b>").await;
    assert!(
        page.text("sources-error-ssh").contains("<b>x</b>"),
        "user text is shown as text, never as markup"
    );
    page.type_into("sources-ssh", " , , ").await;
    assert!(
        page.find("sources-error-ssh").is_none(),
        "separators alone mean everyone"
    );
    assert!(!page.text("rules-v4").contains("203.0.113.7"));
    assert!(page.text("rules-v4").contains("-p tcp -m tcp --dport 22"));
}

#[wasm_bindgen_test]
async fn copy_puts_the_panel_text_on_the_clipboard_and_says_so() {
    let page = Page::mount().await;
    page.click("service-ssh").await;
    let clipboard = FakeClipboard::install(Some(true));
    page.click("copy-v6").await;
    assert_eq!(
        clipboard.copied.borrow().as_deref(),
        Some(page.text("rules-v6").as_str())
    );
    assert_eq!(page.text("notice-v6"), "Copied");
    assert_eq!(page.text("notice-v4"), "");
}

#[wasm_bindgen_test]
async fn a_refused_or_missing_clipboard_is_explained() {
    let page = Page::mount().await;
    {
        let _clipboard = FakeClipboard::install(Some(false));
        page.click("copy-v4").await;
        assert!(
            page.text("notice-v4").contains("refused to copy"),
            "{}",
            page.text("notice-v4")
        );
    }
    let _clipboard = FakeClipboard::install(None);
    page.click("copy-v4").await;
    assert!(
        page.text("notice-v4").contains("cannot use the clipboard"),
        "{}",
        page.text("notice-v4")
    );
}

#[wasm_bindgen_test]
async fn download_saves_each_panel_under_its_file_name() {
    let page = Page::mount().await;
    page.click("service-smtp").await;
    let downloads = DownloadCatcher::install();
    page.click("download-v4").await;
    page.click("download-v6").await;
    let expected = vec![
        ("rules.v4".to_owned(), page.text("rules-v4")),
        ("rules.v6".to_owned(), page.text("rules-v6")),
    ];
    assert_eq!(*downloads.caught.borrow(), expected);
    assert!(expected[0].1.contains("--dport 25"));
}
