//! Import and export of charts. Import is all-or-nothing: a file with any bad
//! chart stores nothing and names every problem with its position.

pub mod csv;
pub mod fhir;
pub mod hl7;
pub mod json;

use crate::domain::{Chart, ChartStatus};
use crate::store::{self, Store, StoreError};
use std::fmt;

/// One thing wrong with one chart of an input file, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the input, e.g. `charts[3] (line 120)`.
    pub position: String,
    /// The field, e.g. `encounter.admit_date`, when the problem is in one field.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} {}: {}", self.position, field, self.message),
            None => write!(f, "{}: {}", self.position, self.message),
        }
    }
}

/// Every problem of a file, one per line, for a message.
pub fn problems_text(problems: &[Problem]) -> String {
    problems.iter().map(|p| format!("  {p}\n")).collect()
}

/// What an import did not like.
#[derive(Debug)]
pub enum ImportError {
    /// The file itself: every problem, with its position.
    Invalid(Vec<Problem>),
    /// The store refused or failed.
    Store(StoreError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Invalid(problems) => {
                write!(
                    f,
                    "nothing was imported; {} problem(s):\n{}",
                    problems.len(),
                    problems_text(problems)
                )
            }
            ImportError::Store(e) => write!(f, "nothing was imported: {e}"),
        }
    }
}

impl From<store::ImportProblem> for Problem {
    fn from(p: store::ImportProblem) -> Problem {
        Problem {
            position: p.position,
            field: p.field,
            message: p.message,
        }
    }
}

impl std::error::Error for ImportError {}

/// Parses a JSON chart file and stores all of its charts in one transaction.
/// Returns the number of charts imported.
pub fn import_json(store: &mut Store, bytes: &[u8], actor: &str) -> Result<usize, ImportError> {
    let charts = json::parse_charts(bytes).map_err(ImportError::Invalid)?;
    match store.write(|tx| store::charts::import_charts(tx, &charts, actor)) {
        Ok(ids) => Ok(ids.len()),
        // Charts the database refuses (an account already on file) are
        // problems of the file, named by their position like the others.
        Err(StoreError::Rejected(problems)) => Err(ImportError::Invalid(
            problems.into_iter().map(Problem::from).collect(),
        )),
        Err(e) => Err(ImportError::Store(e)),
    }
}

/// Why an export did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("nothing was exported: {0}")]
    Store(#[from] StoreError),
    #[error("nothing was exported: {0}")]
    Write(String),
    /// Written, but the audit rows could not be saved afterwards.
    #[error("{0}")]
    Unrecorded(String),
}

/// Exports the charts (optionally of one status). They are read in one read
/// transaction (a consistent snapshot, no lock that keeps coders waiting) and
/// handed to `deliver`, which writes them out; then one short write
/// transaction records one audit row per chart as exported by `actor` (`how`:
/// the format and where to) and runs `finish` (a file is renamed into place
/// there), so a file appears only when its rows are saved. A delivery that
/// failed records nothing; a database that cannot record (read-only) exports
/// nothing. Returns the number of charts.
pub fn export_charts(
    store: &mut Store,
    status: Option<ChartStatus>,
    actor: &str,
    how: &str,
    deliver: impl FnOnce(&[Chart]) -> Result<(), String>,
    finish: impl FnOnce() -> Result<(), String>,
) -> Result<usize, ExportError> {
    if store.is_read_only() {
        return Err(ExportError::Store(StoreError::ReadOnly {
            path: store.display_path(),
        }));
    }
    let (ids, charts) = store.read(|tx| {
        let ids = store::charts::chart_ids(tx, status)?;
        let charts = ids
            .iter()
            .map(|id| store::charts::load_chart(tx, *id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((ids, charts))
    })?;
    deliver(&charts).map_err(ExportError::Write)?;
    let mut failed = None;
    let mut finished = false;
    let result = store.write(|tx| {
        for id in &ids {
            store::audit::record(
                tx,
                actor,
                Some(*id),
                crate::domain::AuditAction::Export,
                how,
            )?;
        }
        match finish() {
            Ok(()) => {
                finished = true;
                Ok(ids.len())
            }
            Err(e) => {
                failed = Some(e);
                // Undoes the audit rows.
                Err(StoreError::Refused(String::new()))
            }
        }
    });
    match (result, failed) {
        (_, Some(e)) => Err(ExportError::Write(e)),
        (Ok(n), None) => Ok(n),
        (Err(e), None) if finished => Err(ExportError::Unrecorded(format!(
            "the export was written, but recording it in the audit trail failed: {e}"
        ))),
        (Err(e), None) => Err(ExportError::Unrecorded(format!(
            "the charts were written out, but recording the export in the audit trail failed ({e}); \
             a file was not put in place"
        ))),
    }
}

/// Every stored chart (optionally of one status), in the order they were
/// stored, read without an audit row (tests and tools; an export records
/// its charts with [`export_charts`]).
pub fn load_charts(store: &Store, status: Option<ChartStatus>) -> Result<Vec<Chart>, StoreError> {
    store::charts::chart_ids(store.conn(), status)?
        .into_iter()
        .map(|id| store::charts::load_chart(store.conn(), id))
        .collect()
}
