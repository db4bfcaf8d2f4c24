//! Exports: text a server can load. One module per target; every export is deterministic (the same
//! input always gives the same bytes).
//!
//! - [`save`]: `rules.v4` / `rules.v6` in `iptables-save` format.
//! - [`commands`]: the same rules as plain `iptables …` / `ip6tables …` commands, for learners.
//! - [`nft`]: one `nft -f` file, `table inet portcullis`, holding both families.
//! - [`owned`]: the same rules in chains Portcullis owns (`PORTCULLIS-INPUT`…), hooked from the
//!   built-in chains, so they load beside Docker's, fail2ban's and other tools' rules.
//! - [`script`]: a bash script that applies `rules.v4` / `rules.v6` safely: checks, backup,
//!   `--test`, atomic apply, and a rollback unless confirmed from a new login.
//! - [`Exports`]: all of them for one design.

mod bundle;
pub mod commands;
pub mod nft;
pub mod owned;
pub mod save;
pub mod script;

pub use bundle::Exports;
