//! The wizard end to end: the built site in real headless Chromium, from a clean start to the
//! tutorial's server (web + mail, SSH only from 203.0.113.7), its downloads judged by the real
//! `iptables-restore --test`, `bash -n` and `shellcheck`; reload, undo/redo, a share link opened
//! in a fresh browser profile, offline reload through the service worker — of the wizard's page
//! and of the workbench's (its own page and wasm, cached by the same worker), where the wizard's
//! design opens; screenshots of every
//! step, light and dark, desktop and phone, written to `tests/artifacts/`.

use std::time::Duration;

use fantoccini::Locator;
use portcullis_e2e::browser::{Browser, JUDGED_SITE_NEEDS};
use portcullis_e2e::iptables::{check_shell_script, restore_test};
use portcullis_e2e::require::can_run;
use portcullis_e2e::site::Site;
use portcullis_engine::export::owned;
use portcullis_engine::model::Family;

const SSH_RULE: &str = "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22";
const STEPS: [&str; 5] = ["start", "services", "access", "protections", "review"];

fn failed(error: impl std::fmt::Display) -> String {
    error.to_string()
}

async fn click(browser: &Browser, id: &str) -> Result<(), String> {
    browser.test_id(id).await?.click().await.map_err(failed)
}

async fn text_of(browser: &Browser, id: &str) -> Result<String, String> {
    let element = browser.test_id(id).await?;
    // textContent, not innerText: exports must hold the file byte for byte.
    element.prop("textContent").await.map_err(failed).map(Option::unwrap_or_default)
}

async fn value_of(browser: &Browser, id: &str) -> Result<String, String> {
    browser.test_id(id).await?.prop("value").await.map_err(failed).map(Option::unwrap_or_default)
}

async fn checked(browser: &Browser, id: &str) -> Result<bool, String> {
    Ok(browser.test_id(id).await?.prop("checked").await.map_err(failed)?.as_deref() == Some("true"))
}

async fn choose(browser: &Browser, id: &str, value: &str) -> Result<(), String> {
    browser.test_id(id).await?.select_by_value(value).await.map_err(failed)
}

/// Downloads the export of `tab` and returns it, checking it is the tab's text.
async fn download(browser: &Browser, tab: &str, file_name: &str) -> Result<String, String> {
    click(browser, &format!("tab-{tab}")).await?;
    let shown = text_of(browser, &format!("export-{tab}")).await?;
    click(browser, &format!("download-{tab}")).await?;
    let downloaded = browser.downloaded(file_name).await?;
    assert_eq!(downloaded, shown, "the {file_name} download is the tab's text");
    Ok(downloaded)
}

async fn build_the_tutorial_server(browser: &Browser, site: &Site) -> Result<(), String> {
    browser.client().goto(site.url()).await.map_err(failed)?;
    browser.test_id("step-start").await?;
    click(browser, "preset-web-mail").await?;
    browser.test_id("step-services").await?;
    assert!(checked(browser, "service-ssh").await? && checked(browser, "service-https").await?);

    click(browser, "nav-access").await?;
    let sources = browser.test_id("sources-ssh").await?;
    sources.send_keys("203.0.113.7").await.map_err(failed)?;
    let rules = text_of(browser, "rules-preview").await?;
    assert!(rules.contains(SSH_RULE), "SSH from the office:\n{rules}");

    // A bad address: a message next to the field, and the rules do not change.
    sources.send_keys("/24").await.map_err(failed)?;
    assert!(text_of(browser, "sources-ssh-error").await?.contains("host bits"));
    assert_eq!(text_of(browser, "rules-preview").await?, rules, "a bad address changes nothing");
    browser.screenshot("wizard-bad-address").await?;
    for _ in 0.."/24".len() {
        sources.send_keys("\u{E003}").await.map_err(failed)?; // Backspace
    }
    assert!(!browser.has_test_id("sources-ssh-error").await?, "the message goes once the input is fixed");

    // Undo and redo, by button and by keyboard.
    click(browser, "nav-services").await?;
    click(browser, "service-ftp").await?;
    assert!(checked(browser, "service-ftp").await?);
    click(browser, "undo").await?;
    assert!(!checked(browser, "service-ftp").await?, "undo unticks FTP");
    click(browser, "redo").await?;
    assert!(checked(browser, "service-ftp").await?, "redo ticks it again");
    browser.test_id("step-services").await?.click().await.map_err(failed)?;
    browser
        .client()
        .execute("document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'z', ctrlKey: true, bubbles: true}))", vec![])
        .await
        .map_err(failed)?;
    assert!(!checked(browser, "service-ftp").await?, "Ctrl+Z undoes");
    Ok(())
}

/// Fails the test with the flow's error, or when it ran out of time (`late` says so).
fn settle(outcome: Result<Result<(), String>, tokio::time::error::Elapsed>, late: &str) {
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(error)) => panic!("{error}"),
        Err(tokio::time::error::Elapsed { .. }) => panic!("{late}"),
    }
}

async fn review_and_download(browser: &Browser) -> Result<String, String> {
    open_review(browser).await?;
    let summary = text_of(browser, "summary").await?;
    assert!(summary.contains("From 203.0.113.7: SSH (TCP 22)"), "{summary}");
    assert!(!browser.has_test_id("lockout-warning").await?, "the tutorial's server keeps the admin in");
    choose(browser, "distro", "debian").await?;
    browser.review_answered().await?;
    let script = download(browser, "script", "portcullis-apply.sh").await?;
    check_shell_script(&browser.downloads().join("portcullis-apply.sh"))?;
    let rules_v4 = download(browser, "v4", "rules.v4").await?;
    let rules_v6 = download(browser, "v6", "rules.v6").await?;
    restore_test(Family::V4, &rules_v4)?;
    restore_test(Family::V6, &rules_v6)?;
    assert!(rules_v4.contains(SSH_RULE) && !rules_v6.contains("--dport 22 "), "SSH only from the office's IPv4 address");
    let parsed = portcullis_engine::import::import(&rules_v4, Some(Family::V4)).value.rulesets.remove(0);
    let owned_v4 = owned::render(&owned::owned(&parsed).map_err(|error| error.to_string())?);
    assert!(script.contains(owned_v4.trim_end()), "the script applies exactly rules.v4, in chains of its own");
    click(browser, "tab-json").await?;
    text_of(browser, "export-json").await
}

async fn screenshots(browser: &Browser) -> Result<(), String> {
    for (size, width, height) in [("desktop", 1280, 900), ("phone", 390, 844)] {
        browser.client().set_window_size(width, height).await.map_err(failed)?;
        for theme in ["light", "dark"] {
            choose(browser, "theme", theme).await?;
            for step in STEPS {
                click(browser, &format!("nav-{step}")).await?;
                browser.test_id(&format!("step-{step}")).await?;
                if step == "review" {
                    browser.review_answered().await?;
                }
                browser.screenshot(&format!("wizard-{step}-{theme}-{size}")).await?;
            }
        }
    }
    choose(browser, "theme", "system").await?;
    browser.client().set_window_size(1280, 900).await.map_err(failed)
}

async fn reload_keeps_the_design(browser: &Browser) -> Result<(), String> {
    browser.client().refresh().await.map_err(failed)?;
    browser.test_id("step-services").await?;
    click(browser, "nav-access").await?;
    assert_eq!(value_of(browser, "sources-ssh").await?, "203.0.113.7", "the reload kept the design");
    Ok(())
}

async fn share_link(browser: &Browser) -> Result<String, String> {
    click(browser, "share-link").await?;
    let link = value_of(browser, "share-link-text").await?;
    if link.starts_with("http") && link.contains("#design=") {
        Ok(link)
    } else {
        Err(format!("not a share link: {link:?}"))
    }
}

async fn open_in_a_fresh_profile(link: &str, design_json: &str) -> Result<(), String> {
    let fresh = Browser::start("share").await?;
    let outcome = async {
        fresh.client().goto(link).await.map_err(failed)?;
        assert!(text_of(&fresh, "notices").await?.contains("Shared design"));
        open_review(&fresh).await?;
        click(&fresh, "tab-json").await?;
        assert_eq!(text_of(&fresh, "export-json").await?, design_json, "the link carries the whole design");
        Ok(())
    }
    .await;
    fresh.close().await;
    outcome
}

/// Opens the review and waits for its findings and files.
async fn open_review(browser: &Browser) -> Result<(), String> {
    click(browser, "nav-review").await?;
    browser.review_answered().await
}

async fn wait_for_service_worker(browser: &Browser) -> Result<(), String> {
    for _ in 0..100 {
        let controlled = browser.client().execute("return !!(navigator.serviceWorker && navigator.serviceWorker.controller)", vec![]).await.map_err(failed)?;
        if controlled.as_bool() == Some(true) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Err("the service worker never took control of the page".to_owned())
}

async fn wizard_flow(browser: &Browser, site: Site) -> Result<(), String> {
    build_the_tutorial_server(browser, &site).await?;
    let design_json = review_and_download(browser).await?;
    reload_keeps_the_design(browser).await?;
    let link = share_link(browser).await?;
    open_in_a_fresh_profile(&link, &design_json).await?;
    screenshots(browser).await?;
    let problems = browser.console_problems().await?;
    assert!(problems.is_empty(), "console warnings or errors: {problems:#?}");

    wait_for_service_worker(browser).await?;
    drop(site);
    browser.client().refresh().await.map_err(failed)?;
    browser.test_id("app-root").await?;
    click(browser, "nav-access").await?;
    assert_eq!(value_of(browser, "sources-ssh").await?, "203.0.113.7", "offline, the page and the design are there");
    let offline_text = browser.client().find(Locator::Css("body")).await.map_err(failed)?.text().await.map_err(failed)?;
    assert!(offline_text.contains("Who may connect"), "the wizard runs offline");
    open_review(browser).await?;
    assert!(text_of(browser, "export-script").await?.starts_with("#!/bin/bash"), "offline, the review's worker checks and exports");

    // The workbench's page was cached when the worker installed, though it was never visited.
    click(browser, "mode-workbench").await?;
    browser.test_id("workbench").await?;
    click(browser, "open-wizard-design").await?;
    assert!(text_of(browser, "open-wizard-status").await?.contains("My server"), "the wizard's saved design opens");
    let rules = browser.test_id("rules-table").await?.text().await.map_err(failed)?;
    assert!(rules.contains("203.0.113.7"), "offline, the workbench holds the wizard's SSH rule:\n{rules}");
    browser.client().refresh().await.map_err(failed)?;
    browser.test_id("import-text").await?;
    click(browser, "mode-wizard").await?;
    browser.test_id("app-root").await?;
    click(browser, "nav-access").await?;
    assert_eq!(value_of(browser, "sources-ssh").await?, "203.0.113.7", "offline, back on the wizard's page");
    let problems = browser.console_problems().await?;
    assert!(problems.is_empty(), "console warnings or errors on the offline pages: {problems:#?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tutorial_server_from_a_clean_start_to_a_checked_script() {
    let needs = JUDGED_SITE_NEEDS;
    if !can_run("browser end-to-end", &needs) {
        return;
    }
    let site = Site::serve(&portcullis_e2e::workspace_root().join("dist")).expect("serve dist/");
    let browser = Browser::start("wizard").await.expect("start the browser");
    let outcome = tokio::time::timeout(Duration::from_mins(4), wizard_flow(&browser, site)).await;
    browser.close().await;
    settle(outcome, "the browser flow took over four minutes");
}

/// The start step's survey: the Ubuntu 24.04 fixture pasted, a design that fits it opened.
async fn survey_flow(browser: &Browser, site: &Site) -> Result<(), String> {
    let fixture = std::fs::read_to_string(portcullis_e2e::workspace_root().join("engine/tests/data/survey/ubuntu2404.txt")).map_err(failed)?;
    // A line cut short by the terminal, as line 4 of the paste.
    let mut lines: Vec<&str> = fixture.lines().collect();
    lines.insert(3, "tcp   LISTEN 0      4096       0.0.0.0:44");
    let paste = lines.join("\n") + "\n";
    browser.client().goto(site.url()).await.map_err(failed)?;
    browser.test_id("step-start").await?;
    browser.test_id("server-survey").await?.find(Locator::Css("summary")).await.map_err(failed)?.click().await.map_err(failed)?;
    assert!(text_of(browser, "survey-commands").await?.contains("ss -tlnpu"));
    let script = "const area = document.querySelector('[data-testid=survey-paste]'); area.value = arguments[0]; area.dispatchEvent(new Event('input', { bubbles: true }));";
    browser.client().execute(script, vec![serde_json::Value::String(paste)]).await.map_err(failed)?;
    click(browser, "survey-read").await?;
    let outcome = text_of(browser, "survey-outcome").await?;
    assert!(outcome.contains("other tools: Docker, fail2ban"), "{outcome}");
    assert!(text_of(browser, "survey-choices").await?.contains("MySQL / MariaDB must not face the internet"), "{outcome}");
    let findings = text_of(browser, "survey-findings").await?;
    assert!(findings.contains("mysqld"), "the conflict is shown: {findings}");
    assert!(findings.contains("line 4: "), "the cut line is reported where it is: {findings}");
    browser.screenshot("wizard-survey").await?;
    click(browser, "nav-services").await?;
    assert!(checked(browser, "service-ssh").await? && checked(browser, "service-node-exporter").await?, "the services that listen are open");
    assert!(!checked(browser, "service-mysql").await?, "a database is not opened to everyone");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_server_survey_becomes_a_design() {
    if !can_run("browser survey", &JUDGED_SITE_NEEDS) {
        return;
    }
    let site = Site::serve(&portcullis_e2e::workspace_root().join("dist")).expect("serve dist/");
    let browser = Browser::start("survey").await.expect("start the browser");
    let outcome = tokio::time::timeout(Duration::from_mins(2), survey_flow(&browser, &site)).await;
    browser.close().await;
    settle(outcome, "the survey flow took over two minutes");
}

/// Wraps the page's `Worker` so that the first analysis worker it starts throws on its first job
/// (an uncaught error in the worker, as a panic or exhausted memory gives); workers after it are
/// the site's own script, unchanged.
const CRASH_THE_FIRST_WORKER: &str = r"
(() => {
    const Real = window.Worker;
    let crash = true;
    window.Worker = function (url, options) {
        const base = new URL('.', new URL(url, location.href)).href;
        const source = `self.addEventListener('message', (event) => {
                if (${crash}) { event.stopImmediatePropagation(); throw new Error('the worker crashed (a test)'); }
            });
            importScripts(${JSON.stringify(base + 'portcullis-analysis-worker.js')});
            wasm_bindgen({ module_or_path: ${JSON.stringify(base + 'portcullis-analysis-worker_bg.wasm')} });`;
        crash = false;
        return new Real(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), options);
    };
})();
";

async fn crash_flow(browser: &Browser, site: &Site) -> Result<(), String> {
    browser.before_each_page(CRASH_THE_FIRST_WORKER).await?;
    browser.client().goto(site.url()).await.map_err(failed)?;
    browser.test_id("step-start").await?;
    click(browser, "preset-web-mail").await?;
    open_review(browser).await?;
    browser.review_answered().await?;
    let notice = text_of(browser, "worker-restarted").await?;
    assert!(notice.contains("started again and ran the last check once more"), "{notice}");
    assert!(text_of(browser, "summary").await?.contains("SSH"), "the review answered after the restart");
    browser.screenshot("wizard-worker-restarted").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_worker_is_started_again_and_answers_the_job_it_lost() {
    if !can_run("browser worker crash", &JUDGED_SITE_NEEDS) {
        return;
    }
    let site = Site::serve(&portcullis_e2e::workspace_root().join("dist")).expect("serve dist/");
    let browser = Browser::start("worker-crash").await.expect("start the browser");
    let outcome = tokio::time::timeout(Duration::from_mins(2), crash_flow(&browser, &site)).await;
    browser.close().await;
    settle(outcome, "the crash flow took over two minutes");
}
