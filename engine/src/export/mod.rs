//! Exports: text a server can load. One module per target; every export is deterministic.

pub mod save;
