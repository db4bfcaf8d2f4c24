//! Headless Chromium driven through chromedriver (`WebDriver`). Both are started in their own
//! process group and killed together on drop, also when a test fails or panics.

use std::net::TcpStream;
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

/// How long to wait for chromedriver to listen, or for an element to appear.
const PATIENCE: Duration = Duration::from_secs(20);

/// What a browser test against the built site needs: both pages (`make build` writes them).
pub const SITE_NEEDS: [crate::require::Need; 4] = [
    crate::require::Need::Program("chromium"),
    crate::require::Need::Program("chromedriver"),
    crate::require::Need::Path("dist/index.html"),
    crate::require::Need::Path("dist/workbench/index.html"),
];

/// What an end-to-end browser test whose downloads are judged by real tools needs.
pub const JUDGED_SITE_NEEDS: [crate::require::Need; 7] = [
    SITE_NEEDS[0],
    SITE_NEEDS[1],
    SITE_NEEDS[2],
    SITE_NEEDS[3],
    crate::require::Need::Root,
    crate::require::Need::Program("iptables-restore"),
    crate::require::Need::Program("shellcheck"),
];

/// A browser session; kills chromedriver and Chromium on drop.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    driver: DriverProcess,
}

/// The chromedriver process group (Chromium included) and its scratch folder, gone on drop.
#[derive(Debug)]
struct DriverProcess {
    child: Child,
    scratch: PathBuf,
}

impl Drop for DriverProcess {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-s", "KILL", "--", &group]).status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|error| error.to_string())?;
    listener.local_addr().map(|address| address.port()).map_err(|error| error.to_string())
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium profile (`name` labels its scratch folder).
    ///
    /// # Errors
    /// When chromedriver does not start or refuses the session.
    pub async fn start(name: &str) -> Result<Self, String> {
        let scratch = std::env::temp_dir().join(format!("portcullis-browser-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(scratch.join("downloads")).map_err(|error| error.to_string())?;
        let port = free_port()?;
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .process_group(0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|error| format!("cannot start chromedriver: {error}"))?;
        let driver = DriverProcess { child, scratch };
        let deadline = Instant::now() + PATIENCE;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("chromedriver did not start listening".to_owned());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-quic", "--no-first-run", "--window-size=1280,900",
                    format!("--user-data-dir={}", driver.scratch.join("profile").display()),
                ],
                "prefs": {
                    "download.default_directory": driver.scratch.join("downloads").display().to_string(),
                    "download.prompt_for_download": false,
                    // Chromium holds `.sh` downloads as "Unconfirmed" until a person keeps them;
                    // with Safe Browsing's own check on, it lets them through.
                    "safebrowsing.enabled": true,
                },
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("built as an object") };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|error| format!("chromedriver refused the session: {error}"))?;
        Ok(Self { client, driver })
    }

    /// The `WebDriver` client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Where downloads land.
    pub fn downloads(&self) -> PathBuf {
        self.driver.scratch.join("downloads")
    }

    /// Waits for the element with `data-testid="id"` and returns it.
    ///
    /// # Errors
    /// When it does not appear in time.
    pub async fn test_id(&self, id: &str) -> Result<Element, String> {
        let selector = format!("[data-testid=\"{id}\"]");
        self.client.wait().at_most(PATIENCE).for_element(Locator::Css(&selector)).await.map_err(|error| format!("no element {selector}: {error}"))
    }

    /// Waits until the wizard's review shows the analysis worker's findings and files of the
    /// design (and distribution) on screen (`findings-status` turns `current`).
    ///
    /// # Errors
    /// When the review reports that its checks failed, or no answer comes in time.
    pub async fn review_answered(&self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            let status = self.test_id("findings-status").await?;
            match status.attr("data-state").await.map_err(|error| error.to_string())?.as_deref() {
                Some("current") => return Ok(()),
                Some("failed") => return Err(format!("the review failed: {}", status.text().await.unwrap_or_default())),
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        Err("the review's worker never answered".to_owned())
    }

    /// Whether an element with `data-testid="id"` is present right now.
    ///
    /// # Errors
    /// When the browser does not answer.
    pub async fn has_test_id(&self, id: &str) -> Result<bool, String> {
        let selector = format!("[data-testid=\"{id}\"]");
        let found = self.client.find_all(Locator::Css(&selector)).await.map_err(|error| error.to_string())?;
        Ok(!found.is_empty())
    }

    /// Waits for a download named `file_name` to finish and returns its content.
    ///
    /// # Errors
    /// When it does not arrive in time.
    pub async fn downloaded(&self, file_name: &str) -> Result<String, String> {
        let path = self.downloads().join(file_name);
        let deadline = Instant::now() + PATIENCE;
        loop {
            let partial = std::fs::read_dir(self.downloads())
                .map_err(|error| error.to_string())?
                .flatten()
                .any(|entry| entry.file_name().to_string_lossy().ends_with(".crdownload"));
            if path.is_file() && !partial {
                return std::fs::read_to_string(&path).map_err(|error| error.to_string());
            }
            if Instant::now() > deadline {
                let present: Vec<String> = std::fs::read_dir(self.downloads())
                    .map_err(|error| error.to_string())?
                    .flatten()
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect();
                return Err(format!("{file_name} was never downloaded to {} (it holds {present:?})", self.downloads().display()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Console messages of level WARNING or SEVERE logged since the last call.
    ///
    /// # Errors
    /// When chromedriver does not answer.
    pub async fn console_problems(&self) -> Result<Vec<String>, String> {
        let entries = self.client.issue_cmd(BrowserLog).await.map_err(|error| error.to_string())?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|entry| matches!(entry["level"].as_str(), Some("WARNING" | "SEVERE")))
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_owned())
            .collect())
    }

    /// Throttles the page's network as `DevTools`' network emulation does
    /// (`Network.emulateNetworkConditions`): `latency_ms` added to each request's round trip, and the download and
    /// upload rates in bytes per second. It lasts for this tab, across navigations.
    ///
    /// # Errors
    /// When chromedriver or Chromium refuses.
    pub async fn emulate_network(&self, latency_ms: f64, download_bytes_per_s: f64, upload_bytes_per_s: f64) -> Result<(), String> {
        self.cdp("Network.enable", json!({})).await?;
        let params = json!({ "offline": false, "latency": latency_ms, "downloadThroughput": download_bytes_per_s, "uploadThroughput": upload_bytes_per_s });
        self.cdp("Network.emulateNetworkConditions", params).await.map(drop)
    }

    /// Runs `source` in every page this tab opens from now on, before the page's own scripts
    /// (`Page.addScriptToEvaluateOnNewDocument`).
    ///
    /// # Errors
    /// When chromedriver or Chromium refuses.
    pub async fn before_each_page(&self, source: &str) -> Result<(), String> {
        self.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": source })).await.map(drop)
    }

    /// One Chrome `DevTools` protocol command on this tab, and its result.
    async fn cdp(&self, command: &'static str, params: serde_json::Value) -> Result<serde_json::Value, String> {
        self.client.issue_cmd(Cdp { command, params }).await.map_err(|error| format!("{command}: {error}"))
    }

    /// Saves a screenshot as `tests/artifacts/<name>.png` for people to look at.
    ///
    /// # Errors
    /// When the browser or the disk fails.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf, String> {
        let png = self.client.screenshot().await.map_err(|error| error.to_string())?;
        let folder = crate::workspace_root().join("tests/artifacts");
        std::fs::create_dir_all(&folder).map_err(|error| error.to_string())?;
        let path = folder.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|error| error.to_string())?;
        Ok(path)
    }

    /// Ends the session politely; drop then kills whatever is left.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Chromedriver's browser log (`POST /session/{id}/se/log`), which `WebDriver` itself lacks.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.to_owned()))
    }
}

/// A Chrome `DevTools` protocol command, through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    command: &'static str,
    params: serde_json::Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.command, "params": self.params }).to_string()))
    }
}
