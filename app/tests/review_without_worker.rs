//! The wizard's review when its analysis worker cannot run (its script failed to load, say):
//! the review says so, the rules preview says why its rules are not explained, and nothing is
//! exported unchecked. A binary of its own, since the other
//! wizard tests answer the review on the page.

mod support;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use support::{wait_until, Page};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn without_its_worker_the_review_explains_and_holds_every_export() {
    let page = Page::mount_without_worker().await;
    page.click("preset-web").await;
    page.click("nav-review").await;
    let state = || page.get("findings-status").get_attribute("data-state");
    wait_until("the review to give up", 2000, || state().as_deref() == Some("failed")).await;
    assert!(page.text("findings-status").contains("The checks could not start"), "{}", page.text("findings-status"));
    assert!(page.find("no-findings").is_none(), "no check ran: nothing is called clean");
    assert!(page.is_disabled("copy-script") && page.is_disabled("download-script"));
    assert!(page.text("notice-script").contains("exports stay held"), "{}", page.text("notice-script"));
    assert!(page.text("summary").contains("did not run"), "the plain words come with the checks: {}", page.text("summary"));
    let explanations = page.all("rule-explanation");
    assert!(!explanations.is_empty(), "the rules are the page's own");
    for explanation in explanations {
        let text = explanation.text_content().unwrap_or_default();
        assert!(text.contains("The checks could not start"), "a rule's explanation says why it has none: {text}");
    }
}
