//! The MS-DRG a chart was completed with (`chart_drgs`), and what the case
//! mix report reads of it.

use super::{Result, StoreError};
use crate::domain::{CaseMixRow, FinalDrg};
use crate::store::sql::{Db, Tx, params};

/// Stores the chart's final DRG (replacing one stored before), with who
/// completed the chart and when. The caller writes the audit row in the same
/// transaction.
pub fn save_final(
    tx: &Tx<'_>,
    chart_id: i64,
    drg: &FinalDrg,
    coder: &str,
    now: &str,
) -> Result<()> {
    if drg.weight.is_some_and(|w| !w.is_finite() || w < 0.0) {
        return Err(StoreError::Refused(
            "a relative weight must be a number ≥ 0".into(),
        ));
    }
    tx.execute(
        "INSERT INTO chart_drgs (chart_id, drg, mdc, weight, grouper_version, table5_edition,
                                 completed_by, completed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (chart_id) DO UPDATE SET drg = excluded.drg, mdc = excluded.mdc,
             weight = excluded.weight, grouper_version = excluded.grouper_version,
             table5_edition = excluded.table5_edition, completed_by = excluded.completed_by,
             completed_at = excluded.completed_at",
        params![
            chart_id,
            drg.drg,
            drg.mdc,
            drg.weight,
            drg.grouper_version,
            drg.table5_edition,
            coder,
            now
        ],
    )?;
    Ok(())
}

/// The chart's stored final DRG, if any.
pub fn load_final(conn: &Db, chart_id: i64) -> Result<Option<FinalDrg>> {
    Ok(conn.query_opt(
        "SELECT drg, mdc, weight, grouper_version, table5_edition FROM chart_drgs
             WHERE chart_id = ?1",
        [chart_id],
        |r| {
            Ok(FinalDrg {
                drg: r.get(0)?,
                mdc: r.get(1)?,
                weight: r.get(2)?,
                grouper_version: r.get(3)?,
                table5_edition: r.get(4)?,
            })
        },
    )?)
}

/// Completed (coded, reviewed or final) inpatient charts discharged between
/// `from` and `to` (both included, either open) with their stored DRG, and
/// how many such charts have none stored (completed before DRGs were kept).
pub fn case_mix_rows(
    conn: &Db,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<(Vec<CaseMixRow>, u64)> {
    let from = from.map_or_else(|| "0000-00-00".to_string(), |d| d.to_string());
    let to = to.map_or_else(|| "9999-99-99".to_string(), |d| d.to_string());
    let sql = "SELECT c.discharge_date, d.completed_by, d.drg, d.weight, d.grouper_version
         FROM charts c JOIN chart_drgs d ON d.chart_id = c.chart_id
         WHERE c.encounter_type = 'inpatient' AND c.status IN ('coded', 'reviewed', 'final')
           AND c.discharge_date BETWEEN ?1 AND ?2
         ORDER BY c.discharge_date, c.chart_id";
    let mut out = Vec::new();
    conn.for_each(sql, params![from, to], |r| -> Result<()> {
        let date: String = r.get(0)?;
        out.push(CaseMixRow {
            discharge_date: super::charts::parse_date(&date)?,
            coder: r.get(1)?,
            drg: r.get(2)?,
            weight: r.get(3)?,
            grouper_version: r.get(4)?,
        });
        Ok(())
    })?;
    let missing: i64 = conn.query_row(
        "SELECT count(*) FROM charts c
         WHERE c.encounter_type = 'inpatient' AND c.status IN ('coded', 'reviewed', 'final')
           AND c.discharge_date BETWEEN ?1 AND ?2
           AND NOT EXISTS (SELECT 1 FROM chart_drgs d WHERE d.chart_id = c.chart_id)",
        params![from, to],
        |r| r.get(0),
    )?;
    Ok((out, u64::try_from(missing).unwrap_or(0)))
}
