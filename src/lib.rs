//! chartcoder: a terminal workstation for medical coders.
//!
//! Layers (dependencies point one way): `tui` -> (`store`, `interchange`) ->
//! `domain`. Everything here is testable without a terminal; `main.rs` only parses
//! arguments and calls [`cli::run`].

pub mod cli;
pub mod codeset;
pub mod config;
pub mod demo;
pub mod domain;
pub mod drg;
pub mod edits;
pub mod fault;
pub mod identity;
pub mod interchange;
pub mod private_file;
pub mod query;
pub mod sanitize;
pub mod search;
pub mod store;
pub mod tui;
