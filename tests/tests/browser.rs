//! The first slice end to end: the built site in real headless Chromium, and what it downloads
//! judged by the real `iptables-restore --test`.

use std::time::Duration;

use portcullis_e2e::browser::Browser;
use portcullis_e2e::iptables::restore_test;
use portcullis_e2e::require::{can_run, Need};
use portcullis_e2e::site::Site;
use portcullis_engine::model::Family;

const SSH_RULE: &str = "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22";
const HTTP_RULE: &str = "-A INPUT -p tcp -m tcp --dport 80";

async fn text_of(browser: &Browser, id: &str) -> Result<String, String> {
    let element = browser.test_id(id).await?;
    // textContent, not innerText: the panel must hold the file byte for byte.
    element.prop("textContent").await.map_err(|error| error.to_string()).map(Option::unwrap_or_default)
}

async fn tick_ssh_with_source_then_http(browser: &Browser, site: &Site) -> Result<(), String> {
    let client = browser.client();
    client.goto(site.url()).await.map_err(|error| error.to_string())?;
    browser.test_id("app-root").await?;
    assert!(!text_of(browser, "rules-v4").await?.contains("--dport 22"), "SSH is closed at first");

    browser.test_id("service-ssh").await?.click().await.map_err(|error| error.to_string())?;
    let sources = browser.test_id("sources-ssh").await?;
    sources.send_keys("203.0.113.7").await.map_err(|error| error.to_string())?;
    browser.test_id("service-http").await?.click().await.map_err(|error| error.to_string())?;
    let rules_v4 = text_of(browser, "rules-v4").await?;
    assert!(rules_v4.contains(SSH_RULE), "SSH from the trusted source:\n{rules_v4}");
    assert!(rules_v4.contains(HTTP_RULE), "HTTP from anywhere:\n{rules_v4}");
    let rules_v6 = text_of(browser, "rules-v6").await?;
    assert!(!rules_v6.contains("--dport 22"), "an IPv4-only source keeps SSH closed on IPv6:\n{rules_v6}");
    assert!(rules_v6.contains("--dport 80"), "HTTP is open on IPv6 too:\n{rules_v6}");
    browser.screenshot("slice-ssh-and-http").await?;

    // A bad address: a message next to the field, and the rules do not change.
    sources.send_keys("/24").await.map_err(|error| error.to_string())?;
    let message = text_of(browser, "sources-error-ssh").await?;
    assert!(message.contains("host bits"), "inline message: {message}");
    assert_eq!(text_of(browser, "rules-v4").await?, rules_v4, "a bad address changes nothing");
    browser.screenshot("slice-bad-address").await?;
    for _ in 0.."/24".len() {
        sources.send_keys("\u{E003}").await.map_err(|error| error.to_string())?; // Backspace
    }
    assert!(!browser.has_test_id("sources-error-ssh").await?, "the message goes once the input is fixed");

    browser.test_id("download-v4").await?.click().await.map_err(|error| error.to_string())?;
    let downloaded = browser.downloaded("rules.v4").await?;
    assert_eq!(downloaded, rules_v4, "the download is the panel's text");
    restore_test(Family::V4, &downloaded)?;

    let problems = browser.console_problems().await?;
    assert!(problems.is_empty(), "console warnings or errors: {problems:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_ssh_with_a_trusted_source_and_http_then_download_rules_v4() {
    let needs = [
        Need::Program("chromium"),
        Need::Program("chromedriver"),
        Need::Path("dist/index.html"),
        Need::Root,
        Need::Program("iptables-restore"),
    ];
    if !can_run("browser end-to-end", &needs) {
        return;
    }
    let site = Site::serve(&portcullis_e2e::workspace_root().join("dist")).expect("serve dist/");
    let browser = Browser::start("slice").await.expect("start the browser");
    let outcome = tokio::time::timeout(Duration::from_mins(2), tick_ssh_with_source_then_http(&browser, &site)).await;
    browser.close().await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => panic!("{error}"),
        Err(tokio::time::error::Elapsed { .. }) => panic!("the browser flow took over two minutes"),
    }
}
