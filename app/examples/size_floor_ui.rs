//! Size probe, not a page: the framework the wizard's views stand on, with no engine
//! (see `size_floor_engine.rs`).

#[path = "size_floor/ui.rs"]
mod ui;

fn main() {
    leptos::mount::mount_to_body(|| ui::probe(None));
}
