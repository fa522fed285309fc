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

/// The charts to export, each recorded in the audit trail as exported by
/// `actor` (`how`: the format and where to), in one transaction: no chart
/// leaves the database unrecorded, and a database that cannot record it
/// (a read-only disk) exports nothing.
pub fn export_charts(
    store: &mut Store,
    status: Option<ChartStatus>,
    actor: &str,
    how: &str,
) -> Result<Vec<Chart>, StoreError> {
    store.write(|tx| {
        store::charts::chart_ids(tx, status)?
            .into_iter()
            .map(|id| {
                store::audit::record(tx, actor, Some(id), "export", how)?;
                store::charts::load_chart(tx, id)
            })
            .collect()
    })
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
