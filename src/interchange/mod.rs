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

/// Every stored chart (optionally of one status), in the order they were stored.
pub fn load_charts(store: &Store, status: Option<ChartStatus>) -> Result<Vec<Chart>, StoreError> {
    store::charts::chart_ids(store.conn(), status)?
        .into_iter()
        .map(|id| store::charts::load_chart(store.conn(), id))
        .collect()
}
