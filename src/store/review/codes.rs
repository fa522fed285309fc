//! The chart's full code rows and the coder's version kept beside them (the
//! snapshot): reading them, writing the chart's back, making a
//! [`CodedVersion`] of them, and restoring the coder's side of one change.

use super::corrupt;
use crate::domain::{CodedVersion, Difference, VersionDx, VersionPx};
use crate::store::Result;
use crate::store::sql::{Db, Tx, params};

#[derive(Debug, Clone)]
pub(super) struct DxRow {
    code: String,
    system: String,
    edition: String,
    poa: Option<String>,
}

#[derive(Debug, Clone)]
pub(super) struct PxRow {
    code: String,
    system: String,
    date: Option<String>,
    provider: Option<String>,
    modifiers: String,
    units: i64,
    pointers: String,
}

pub(super) fn chart_dx(conn: &Db, chart_id: i64) -> Result<Vec<DxRow>> {
    dx_rows(
        conn,
        "SELECT code, code_system, edition, poa FROM diagnoses WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
    )
}

pub(super) fn snapshot_dx(conn: &Db, review_id: i64) -> Result<Vec<DxRow>> {
    dx_rows(
        conn,
        "SELECT code, code_system, edition, poa FROM review_diagnoses WHERE review_id = ?1
         ORDER BY seq",
        review_id,
    )
}

fn dx_rows(conn: &Db, sql: &str, id: i64) -> Result<Vec<DxRow>> {
    let rows = conn.query_map(sql, [id], |r| {
        Ok(DxRow {
            code: r.get(0)?,
            system: r.get(1)?,
            edition: r.get(2)?,
            poa: r.get(3)?,
        })
    })?;
    Ok(rows)
}

pub(super) fn chart_px(conn: &Db, chart_id: i64) -> Result<Vec<PxRow>> {
    px_rows(
        conn,
        "SELECT code, code_system, proc_date, provider, modifiers, units, pointers
         FROM procedures WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
    )
}

pub(super) fn snapshot_px(conn: &Db, review_id: i64) -> Result<Vec<PxRow>> {
    px_rows(
        conn,
        "SELECT code, code_system, proc_date, provider, modifiers, units, pointers
         FROM review_procedures WHERE review_id = ?1 ORDER BY seq",
        review_id,
    )
}

fn px_rows(conn: &Db, sql: &str, id: i64) -> Result<Vec<PxRow>> {
    let rows = conn.query_map(sql, [id], |r| {
        Ok(PxRow {
            code: r.get(0)?,
            system: r.get(1)?,
            date: r.get(2)?,
            provider: r.get(3)?,
            modifiers: r.get(4)?,
            units: r.get(5)?,
            pointers: r.get(6)?,
        })
    })?;
    Ok(rows)
}

pub(super) fn write_chart_codes(
    tx: &Tx<'_>,
    chart_id: i64,
    dx: &[DxRow],
    px: &[PxRow],
) -> Result<()> {
    tx.execute("DELETE FROM diagnoses WHERE chart_id = ?1", [chart_id])?;
    tx.execute("DELETE FROM procedures WHERE chart_id = ?1", [chart_id])?;
    for (i, d) in dx.iter().enumerate() {
        tx.execute(
            "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![chart_id, i as i64 + 1, d.code, d.system, d.edition, d.poa],
        )?;
    }
    for (i, p) in px.iter().enumerate() {
        tx.execute(
            "INSERT INTO procedures (chart_id, seq, code, code_system, proc_date, provider,
                                     modifiers, units, pointers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                chart_id,
                i as i64 + 1,
                p.code,
                p.system,
                p.date,
                p.provider,
                p.modifiers,
                p.units,
                p.pointers
            ],
        )?;
    }
    Ok(())
}

pub(super) fn version(dx: &[DxRow], px: &[PxRow], drg: Option<u16>) -> Result<CodedVersion> {
    Ok(CodedVersion {
        diagnoses: dx
            .iter()
            .map(|d| {
                Ok(VersionDx {
                    code: d.code.clone(),
                    poa: d
                        .poa
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(corrupt)?,
                })
            })
            .collect::<Result<_>>()?,
        procedures: px
            .iter()
            .map(|p| VersionPx {
                code: p.code.clone(),
                modifiers: p.modifiers.split_whitespace().map(str::to_string).collect(),
            })
            .collect(),
        drg,
    })
}

/// Puts the coder's version of one change back on the chart's codes.
pub(super) fn restore(
    dx: &mut Vec<DxRow>,
    px: &mut Vec<PxRow>,
    snap_dx: &[DxRow],
    snap_px: &[PxRow],
    d: &Difference,
) {
    let snap_d = |code: &str| snap_dx.iter().find(|r| r.code == code).cloned();
    let snap_p = |code: &str| snap_px.iter().find(|r| r.code == code).cloned();
    match d {
        Difference::DxAdded(code) => dx.retain(|r| &r.code != code),
        Difference::DxRemoved(code) => {
            if let Some(row) = snap_d(code) {
                let was_principal = snap_dx.first().is_some_and(|f| &f.code == code);
                match was_principal {
                    true => dx.insert(0, row),
                    false => dx.push(row),
                }
            }
        }
        Difference::Principal { coder, .. } => {
            if let Some(code) = coder {
                let row = match dx.iter().position(|r| &r.code == code) {
                    Some(i) => Some(dx.remove(i)),
                    None => snap_d(code),
                };
                if let Some(row) = row {
                    dx.insert(0, row);
                }
            }
        }
        Difference::Poa { code, coder, .. } => {
            for r in dx.iter_mut().filter(|r| &r.code == code) {
                r.poa = coder.map(|p| p.as_str().to_string());
            }
        }
        Difference::PxAdded(code) => px.retain(|r| &r.code != code),
        Difference::PxRemoved(code) => {
            if let Some(row) = snap_p(code) {
                px.push(row);
            }
        }
        Difference::Modifiers { code, coder, .. } => {
            for r in px.iter_mut().filter(|r| &r.code == code) {
                r.modifiers = coder.join(" ");
            }
        }
        Difference::Drg { .. } => {}
    }
}
