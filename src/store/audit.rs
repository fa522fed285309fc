//! The append-only audit trail: who did what to which chart, and when.
//! Triggers in the schema refuse UPDATE and DELETE on it.

use super::{Result, now_utc};
use rusqlite::{Connection, params};

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub chart_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

/// Appends one audit row; call it inside the transaction of the action it records.
pub fn record(
    conn: &Connection,
    actor: &str,
    chart_id: Option<i64>,
    action: &str,
    detail: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit (at, actor, chart_id, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![now_utc(), actor, chart_id, action, detail])?;
    Ok(())
}

/// A chart's history, oldest first.
pub fn for_chart(conn: &Connection, chart_id: i64) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(
        "SELECT at, actor, chart_id, action, detail FROM audit WHERE chart_id = ?1 ORDER BY audit_id",
    )?;
    let rows = stmt
        .query_map([chart_id], |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                chart_id: r.get(2)?,
                action: r.get(3)?,
                detail: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
