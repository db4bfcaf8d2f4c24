//! Size probe, not a page: the engine and the framework probes in one wasm, the standard library
//! and the allocator counted once (see `size_floor_engine.rs`).

#[path = "size_floor/engine.rs"]
mod engine;
#[path = "size_floor/ui.rs"]
mod ui;

fn main() {
    leptos::mount::mount_to_body(|| ui::probe(Some(engine::derive_all)));
}
