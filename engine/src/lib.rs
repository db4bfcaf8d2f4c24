//! # Portcullis engine
//!
//! The pure-Rust heart of Portcullis, shared by the browser app (compiled to WebAssembly) and the
//! command-line tool. It has no web dependency and does no I/O.
//!
//! Data flows one way through its layers:
//!
//! 1. [`design`] — what the user wants, in their words: services from a catalogue of well-known
//!    ones or custom ones, and who may reach them (named groups of trusted sources, addresses,
//!    networks, ranges). Every value is validated when it is built, so a [`design::Design`] cannot
//!    hold a bad address, port or name. [`design::Design::to_json`] and
//!    [`design::Design::from_json`] read and write the versioned JSON save file.
//! 2. [`model`] — the iptables model: families, tables, chains with policies, rules made of typed
//!    matches and one target. [`design::Design::compile`] turns a design into one [`model::Ruleset`]
//!    per address family. [`simulate`] walks a packet through a ruleset, with a trace.
//! 3. [`analysis`] — exact lints (packet sets as unions of boxes, each finding with a witness
//!    packet the [`simulate`] walk confirms) and the service matrix.
//! 4. [`export`] — text a server can load, from a pair of rulesets: `iptables-save` files
//!    ([`export::save`]), plain commands ([`export::commands`]), one nftables file
//!    ([`export::nft`], which refuses what it cannot translate exactly) and a safe apply script
//!    ([`export::script`]). Exports are deterministic: the same ruleset always prints the same
//!    bytes, and no user text reaches a shell except as one quoted or here-document literal.
//!
//! [`survey`] reads what a server runs (pasted `ss`, `ip -br addr`, `iptables-save` output) and
//! pre-fills a design from it.
//!
//! Beside the flow, [`workbench`] serves the app's rules editor: an editable [`workbench::Draft`]
//! of both families (rules can be disabled in place), quick fixes for lint findings, the rules
//! other tools own, the diff of two service matrices and the simulator's packet presets.
//! [`collections::SortedMap`] is the small ordered map the design and the app keep their maps in
//! (far less WebAssembly per key and value type than `BTreeMap`).
//!
//! # Examples
//!
//! ```
//! use portcullis_engine::design::{Design, ServiceId, Source};
//! use portcullis_engine::model::Family;
//!
//! let mut design = Design::default();
//! design.allow(ServiceId::SSH, vec!["203.0.113.7".parse::<Source>().unwrap()]);
//! design.allow(ServiceId::HTTP, vec![]);
//! let rules_v4 = portcullis_engine::export::save::render(&design.compile(Family::V4));
//! assert!(rules_v4.contains("-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 22"));
//! assert!(rules_v4.contains(":INPUT DROP [0:0]"));
//! ```

pub mod analysis;
pub mod codes;
pub mod collections;
pub mod design;
pub mod explain;
pub mod diagnostic;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod import;
pub mod model;
pub mod simulate;
pub mod survey;
pub mod syntax;
pub mod workbench;
