//! chartcoder: a terminal workstation for medical coders.
//!
//! Layers (dependencies point one way; `tests/layers.rs` enforces this matrix):
//!
//! - foundation, depending on nothing of ours: `domain` (charts, codes, the
//!   query and audit vocabulary), `codeset` (the official files), `config`,
//!   `sanitize`, `identity`, `fault`, `private_file`, `fast_hash` (a hash
//!   map for the program's own small keys);
//! - rules and logic: `query` (physician queries: draft, lint, text, report)
//!   -> domain, sanitize; `outbox` -> private_file, sanitize; `search` ->
//!   codeset, config, fast_hash, private_file, sanitize; `edits` -> codeset,
//!   config, domain; `drg` (the MS-DRG grouper) -> domain, fast_hash,
//!   private_file (its table cache);
//! - `store` (all SQL) -> domain, query, identity, private_file, sanitize;
//! - `interchange` (import/export formats) -> codeset, domain, store; `demo`
//!   -> domain, interchange, store;
//! - `reference` (what a chart is checked against, loaded in one place for
//!   the workstation and the command line: the code sets and their cache, the
//!   rules, the grouper, the search index; the working DRG a chart groups
//!   to, worded) -> codeset, domain, drg, edits, private_file, search;
//! - `tui` -> everything above; `cli` -> everything, `tui` included.
//!
//! The terminal crates (ratatui, crossterm) belong to `tui`; the `postgres`
//! client and rusqlite to `store` alone, where only its SQL layer
//! (`store::sql`) and the SQLite part of opening a database name rusqlite:
//! the workstation's changes are data (`store::command::Command`, run by its
//! saver) and its reads too (`tui::reader::Read`).
//! Everything here is testable without a terminal; `main.rs` only calls
//! [`cli::main`].

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod codeset;
pub mod config;
pub mod demo;
pub mod domain;
pub mod drg;
pub mod edits;
pub mod fast_hash;
pub mod fault;
pub mod identity;
pub mod interchange;
pub mod outbox;
pub mod private_file;
pub mod query;
pub mod reference;
pub mod sanitize;
pub mod search;
pub mod store;
pub mod tui;
