//! Size probe, not a page: everything the wizard asks of the engine, with no view at all.
//! `scripts/size-floor.sh` builds it, `size_floor_ui.rs` and `size_floor_both.rs` like the site and
//! reports their gzip sizes: the wizard's page cannot be smaller than the two together.

#[path = "size_floor/engine.rs"]
mod engine;

/// Exported, so that the engine's work is kept in the wasm.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn derive_all(design_file: &str, preset: usize) -> String {
    engine::derive_all(design_file, preset)
}

fn main() {}
