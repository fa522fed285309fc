//! Import and export of charts. Import is all-or-nothing: a file with any bad
//! chart stores nothing and names every problem with its position.

pub mod csv;
pub mod json;

use crate::domain::{Chart, ChartStatus};
use crate::store::{self, ImportProblem, Store, StoreError};
use std::fmt;

/// What an import did not like.
#[derive(Debug)]
pub enum ImportError {
    /// The file itself: every problem, with its position.
    Invalid(Vec<ImportProblem>),
    /// The store refused or failed.
    Store(StoreError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::Invalid(problems) | ImportError::Store(StoreError::Rejected(problems)) => {
                writeln!(f, "nothing was imported; {} problem(s):", problems.len())?;
                for p in problems {
                    writeln!(f, "  {p}")?;
                }
                Ok(())
            }
            ImportError::Store(e) => write!(f, "nothing was imported: {e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// Parses a JSON chart file and stores all of its charts in one transaction.
/// Returns the number of charts imported.
pub fn import_json(store: &mut Store, bytes: &[u8], actor: &str) -> Result<usize, ImportError> {
    let charts = json::parse_charts(bytes).map_err(ImportError::Invalid)?;
    store
        .write(|tx| store::charts::import_charts(tx, &charts, actor))
        .map(|ids| ids.len())
        .map_err(ImportError::Store)
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

/// Exports the charts (optionally of one status): `deliver` writes them out,
/// inside the transaction that records one audit row per chart as exported by
/// `actor` (`how`: the format and where to). Only a delivery that succeeded is
/// recorded; a database that cannot record it (a read-only disk) exports
/// nothing; no chart leaves the database unrecorded. Returns the number of
/// charts.
pub fn export_charts(
    store: &mut Store,
    status: Option<ChartStatus>,
    actor: &str,
    how: &str,
    deliver: impl FnOnce(&[Chart]) -> Result<(), String>,
) -> Result<usize, ExportError> {
    let mut failed = None;
    let mut delivered = false;
    let result = store.write(|tx| {
        let charts = store::charts::chart_ids(tx, status)?
            .into_iter()
            .map(|id| {
                store::audit::record(tx, actor, Some(id), crate::domain::AuditAction::Export, how)?;
                store::charts::load_chart(tx, id)
            })
            .collect::<Result<Vec<_>, _>>()?;
        match deliver(&charts) {
            Ok(()) => {
                delivered = true;
                Ok(charts.len())
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
        (Err(e), None) if delivered => Err(ExportError::Unrecorded(format!(
            "the export was written, but recording it in the audit trail failed: {e}"
        ))),
        (Err(e), None) => Err(ExportError::Store(e)),
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
