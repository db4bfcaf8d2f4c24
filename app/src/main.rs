//! Starts the wizard's page (`index.html`): mounts [`App`] in place of the loading message.
//! It names no workbench component, so none is linked into this page's wasm.
//!
//! `no_main`: wasm-bindgen's start function mounts the page, without the standard library's
//! process runtime around a `main` (stdout flushing, exit codes), which a page has no use for.
#![no_main]

use portcullis_app::App;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
fn start() {
    portcullis_app::start(App);
}
