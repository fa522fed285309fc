//! FHIR R4 inbound: Bundles (collection, transaction, batch, searchset) and
//! NDJSON bulk-export files become charts, one transaction per chart.
//!
//! Two passes over the files, each streaming one resource at a time
//! ([`stream`]). The first keeps what references need: the patients,
//! practitioners and encounters (small summaries), and for each Condition,
//! Procedure, DocumentReference and DiagnosticReport only the encounter it
//! names. References are then resolved (urn:uuid full URLs, `Type/id`, an
//! absolute URL ending in `Type/id`, and `Practitioner?identifier=...`), and
//! each encounter learns the last resource of the files that belongs to it.
//! The second pass reads the clinical resources again, converts them, and
//! writes an encounter's chart as soon as its last resource has been read,
//! then forgets it. Memory is the summaries plus the documents of the
//! encounters still open (with resources grouped by encounter, as Synthea and
//! most servers write them, a handful), never the file.
//!
//! The mapping is in README.md "FHIR R4 interface" and [`map`].

pub mod export;
pub mod map;
pub mod model;
pub mod stream;

mod build;
mod clinical;

use crate::store::{Store, StoreError};
use chrono::NaiveDate;
use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with one resource, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `FILE entry[12]`, `FILE line 13`.
    pub position: String,
    /// `Encounter/abc` (the type alone when it has no id).
    pub resource: String,
    /// The JSON path inside the resource, e.g. `period.start`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path.is_empty() {
            true => write!(f, "{} {}: {}", self.position, self.resource, self.message),
            false => write!(
                f,
                "{} {} {}: {}",
                self.position, self.resource, self.path, self.message
            ),
        }
    }
}

/// What an import came to.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    /// Resources read (every type).
    pub resources: u64,
    /// Charts stored.
    pub charts: u64,
    /// Encounters whose account was already a chart: not imported again.
    pub already: u64,
    /// Encounters not finished: no chart (yet).
    pub unfinished: u64,
    /// Encounters refused for a problem (nothing of them written).
    pub refused: u64,
    /// Files that could not be read through (nothing of them written).
    pub bad_files: u64,
    /// Resources or attachments left out and reported (not linked to an
    /// encounter, an attachment that is only a URL or not plain text).
    pub skipped: u64,
}

impl Report {
    /// Whether anything was refused.
    pub fn has_errors(&self) -> bool {
        self.refused + self.bad_files > 0
    }

    pub fn summary(&self) -> String {
        format!(
            "{} resource(s) read: {} chart(s) imported, {} already on file, {} encounter(s) not finished, \
             {} refused, {} file(s) unreadable, {} resource(s) or attachment(s) left out",
            self.resources,
            self.charts,
            self.already,
            self.unfinished,
            self.refused,
            self.bad_files,
            self.skipped
        )
    }
}

/// Why an import stopped before the files were read.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("cannot read the folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The files of an import: the file, or a folder's files (not its
/// subfolders) by name, `.json`, `.ndjson` and `.jsonl` only.
pub fn files_of(path: &Path) -> Result<Vec<PathBuf>, ImportFailure> {
    if !path.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|source| ImportFailure::Folder {
            path: path.display().to_string(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(e.to_ascii_lowercase().as_str(), "json" | "ndjson" | "jsonl")
            })
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Imports a file or a folder (one set: references resolve across its
/// files) with `today` bounding the dates; `say` gets one line per chart and
/// per problem as it happens.
pub fn import(
    store: &mut Store,
    path: &Path,
    actor: &str,
    today: NaiveDate,
    say: &mut dyn FnMut(&str),
) -> Result<Report, ImportFailure> {
    let files = files_of(path)?;
    build::run(store, &files, actor, today, say)
}
