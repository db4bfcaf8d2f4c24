//! # Portcullis end-to-end harnesses
//!
//! Real parts, never mocks:
//! - [`kernel`]: a kernel oracle. It builds its own network namespaces (a server and a client
//!   joined by veth pairs, documentation addresses only), loads a ruleset into the server with
//!   `iptables-restore`, sends hand-built packets from the client and reads which rules decided
//!   from the kernel's own per-rule counters. Its [`kernel::Observation`] names rules by
//!   (table, chain, position) so the engine's simulator can be compared with it case by case.
//! - [`iptables`]: `iptables-restore --test`, real loads in throwaway namespaces, `bash -n` and
//!   `shellcheck`.
//! - [`judge`]: every export of a design (save files, nft, script, commands) before every real
//!   tool at once.
//! - [`browser`] and [`site`]: the built `dist/` served on 127.0.0.1 and driven by headless
//!   Chromium through chromedriver (`WebDriver`); the browser and its driver are killed on drop.
//! - [`apply`]: the exported apply script run in a namespace, confirmed or left to roll back.
//! - [`require`]: the skip policy. Under `CI=true` a missing tool or privilege fails the test;
//!   elsewhere it prints a loud notice and the test returns early.

pub mod apply;
pub mod browser;
pub mod fixtures;
pub mod generate;
pub mod iptables;
pub mod judge;
pub mod kernel;
mod netns;
pub mod packet;
pub mod require;
pub mod simulation;
pub mod site;
pub mod timing;
mod wire;

pub use netns::Netns;

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map_or_else(|| unreachable!("tests/ always sits inside the workspace"), std::path::Path::to_path_buf)
}
