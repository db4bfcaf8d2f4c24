//! The wizard's first render as the page itself times it (Navigation Timing and the app's
//! `performance.mark`s), for the browser benchmarks.

use crate::browser::Browser;

/// Navigation Timing and the app's marks, in ms since navigation start.
const TIMINGS: &str = r"
    const mark = (name) => { const entry = performance.getEntriesByName(name)[0]; return entry ? entry.startTime : null; };
    const navigation = performance.getEntriesByType('navigation')[0];
    const wasm = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('.wasm'));
    return {
        html: navigation ? navigation.responseEnd : null,
        wasm: wasm ? wasm.responseEnd : null,
        wasmBytes: wasm ? wasm.transferSize : null,
        start: mark('portcullis-start'),
        mounted: mark('portcullis-mounted'),
        step: !!document.querySelector('[data-testid^=step-]'),
    };
";

/// One first render, in ms since navigation start.
#[derive(Debug, Clone, Copy)]
pub struct FirstRender {
    /// The HTML received.
    pub html: f64,
    /// The wizard's wasm received (NaN when it came from no request, e.g. a cache in memory).
    pub wasm: f64,
    /// Bytes of the wasm that came over the network, headers included (0 from a cache).
    pub wasm_bytes: f64,
    /// The app's `main` begins (`portcullis-start`).
    pub start: f64,
    /// The first step is built (`portcullis-mounted`): the page is interactive.
    pub mounted: f64,
}

/// The first render of the page `browser` has just navigated to, once the app has mounted.
///
/// # Errors
/// When the app did not mount or a mark is missing.
pub async fn first_render(browser: &Browser) -> Result<FirstRender, String> {
    browser.test_id("app-root").await?;
    let timings = browser.client().execute(TIMINGS, vec![]).await.map_err(|error| error.to_string())?;
    let number = |key: &str| timings[key].as_f64().ok_or_else(|| format!("no {key} timing: {timings}"));
    if timings["step"].as_bool() != Some(true) {
        return Err(format!("no step in the DOM: {timings}"));
    }
    Ok(FirstRender {
        html: number("html")?,
        wasm: number("wasm").unwrap_or(f64::NAN),
        wasm_bytes: number("wasmBytes").unwrap_or(f64::NAN),
        start: number("start")?,
        mounted: number("mounted")?,
    })
}

/// The percentile `p` (0 to 1) of sorted `values`, nearest rank.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(f64::NAN)
}

/// `values`, sorted.
pub fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(f64::total_cmp);
    values
}
