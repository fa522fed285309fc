//! What the HL7 v2 interface keeps: the messages applied (by sender and
//! control id), visits not yet discharged, the sender's numbers of documents,
//! and the changes a registration system makes to a chart.

use super::{Result, audit, charts, now_utc};
use crate::domain::{AuditAction, ChartStatus, Document, Encounter, Patient};
use crate::store::sql::{Db, Tx, params};

/// What was recorded for a message already applied (its detail).
pub fn message_seen(conn: &Db, sender: &str, control_id: &str) -> Result<Option<String>> {
    Ok(conn.query_opt(
        "SELECT detail FROM inbound_messages WHERE sender = ?1 AND control_id = ?2",
        params![sender, control_id],
        |r| r.get(0),
    )?)
}

/// Records a message as applied (in the transaction that applied it).
pub fn record_message(
    tx: &Tx<'_>,
    sender: &str,
    control_id: &str,
    message_type: &str,
    chart_id: Option<i64>,
    detail: &str,
) -> Result<()> {
    tx.execute("INSERT INTO inbound_messages (sender, control_id, message_type, chart_id, detail, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)", params![sender, control_id, message_type, chart_id, detail, now_utc()])?;
    Ok(())
}

/// How many messages were applied (tests and reports).
pub fn messages_applied(conn: &Db) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM inbound_messages", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// A visit admitted and not yet discharged, as the interface stored it.
pub fn pending_visit(conn: &Db, account: &str) -> Result<Option<String>> {
    Ok(conn.query_opt(
        "SELECT visit FROM inbound_visits WHERE account = ?1",
        [account],
        |r| r.get(0),
    )?)
}

/// Every visit not yet discharged: (account, visit), by account.
pub fn pending_visits(conn: &Db) -> Result<Vec<(String, String)>> {
    let sql = "SELECT account, visit FROM inbound_visits ORDER BY account";
    let rows = conn.query_map(sql, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows)
}

/// Stores (or replaces) a visit not yet discharged.
pub fn save_pending_visit(tx: &Tx<'_>, account: &str, mrn: &str, visit: &str) -> Result<()> {
    let now = now_utc();
    tx.execute(
        "INSERT INTO inbound_visits (account, mrn, visit, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (account) DO UPDATE SET mrn = ?2, visit = ?3, updated_at = ?4",
        params![account, mrn, visit, now],
    )?;
    Ok(())
}

/// Removes a visit not yet discharged; whether there was one.
pub fn drop_pending_visit(tx: &Tx<'_>, account: &str) -> Result<bool> {
    Ok(tx.execute("DELETE FROM inbound_visits WHERE account = ?1", [account])? > 0)
}

/// The chart of an account and its status.
pub fn chart_state(conn: &Db, account: &str) -> Result<Option<(i64, ChartStatus)>> {
    let row: Option<(i64, String)> = conn.query_opt(
        "SELECT chart_id, status FROM charts WHERE account = ?1",
        [account],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    row.map(|(id, status)| {
        status
            .parse()
            .map(|s| (id, s))
            .map_err(|e: crate::domain::UnknownValue| super::StoreError::Corrupt(e.to_string()))
    })
    .transpose()
}

/// Brings a patient's name, birth date and sex up to what the registration
/// system sent (a patient not on file is left for the chart to create);
/// whether anything changed.
pub fn update_patient(tx: &Tx<'_>, mrn: &str, patient: &Patient) -> Result<bool> {
    let id: Option<i64> = tx.query_opt(
        "SELECT patient_id FROM patients WHERE mrn = ?1
             AND (name IS DISTINCT FROM ?2 OR birth_date IS DISTINCT FROM ?3
                  OR sex IS DISTINCT FROM ?4)",
        params![
            mrn,
            patient.name,
            patient.birth_date.to_string(),
            patient.sex.as_str()
        ],
        |r| r.get(0),
    )?;
    let Some(id) = id else {
        return Ok(false);
    };
    tx.execute(
        "UPDATE patients SET name = ?2, birth_date = ?3, sex = ?4 WHERE patient_id = ?1",
        params![
            id,
            patient.name,
            patient.birth_date.to_string(),
            patient.sex.as_str()
        ],
    )?;
    tx.execute("DELETE FROM patient_name_words WHERE patient_id = ?1", [id])?;
    charts::index_name_words(tx, id, &patient.name)?;
    Ok(true)
}

/// Replaces a chart's encounter details (type, dates, disposition, providers, payer).
pub fn update_encounter(tx: &Tx<'_>, chart_id: i64, e: &Encounter) -> Result<()> {
    tx.execute(
        "UPDATE charts SET encounter_type = ?2, admit_date = ?3, discharge_date = ?4,
             disposition = ?5, attending = ?6, payer = ?7, updated_at = ?8
         WHERE chart_id = ?1",
        params![
            chart_id,
            e.encounter_type.as_str(),
            e.admit_date.to_string(),
            e.discharge_date.to_string(),
            e.disposition,
            e.attending,
            e.payer,
            now_utc()
        ],
    )?;
    tx.execute(
        "DELETE FROM chart_providers WHERE chart_id = ?1",
        [chart_id],
    )?;
    let sql = "INSERT INTO chart_providers (chart_id, seq, name) VALUES (?1, ?2, ?3)";
    for (seq, name) in e.other_providers.iter().enumerate() {
        tx.execute(sql, params![chart_id, seq as i64 + 1, name])?;
    }
    Ok(())
}

/// Whether a document was added or replaced one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentChange {
    Added,
    Replaced,
}

/// Adds a document to a chart under the sender's number, or replaces the
/// document already under that number (or under `replaces`, which it takes
/// the place of).
pub fn put_document(
    tx: &Tx<'_>,
    chart_id: i64,
    reference: &str,
    replaces: Option<&str>,
    d: &Document,
) -> Result<DocumentChange> {
    let existing: Option<i64> = tx.query_opt(
        "SELECT document_id FROM documents WHERE chart_id = ?1 AND source_ref IN (?2, ?3)
             ORDER BY source_ref = ?2 DESC LIMIT 1",
        params![chart_id, reference, replaces],
        |r| r.get(0),
    )?;
    match existing {
        Some(id) => {
            tx.execute(
                "UPDATE documents SET kind = ?2, title = ?3, author = ?4, signed = ?5,
                     doc_date = ?6, body = ?7, source_ref = ?8
                 WHERE document_id = ?1",
                params![
                    id,
                    d.kind.as_str(),
                    d.title,
                    d.author,
                    d.signed,
                    d.date.to_string(),
                    d.text,
                    reference
                ],
            )?;
            Ok(DocumentChange::Replaced)
        }
        None => {
            let seq: i64 = tx.query_row(
                "SELECT coalesce(max(seq), 0) + 1 FROM documents WHERE chart_id = ?1",
                [chart_id],
                |r| r.get(0),
            )?;
            tx.execute("INSERT INTO documents (chart_id, seq, kind, title, author, signed, doc_date, body, source_ref)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", params![
                chart_id,
                seq,
                d.kind.as_str(),
                d.title,
                d.author,
                d.signed,
                d.date.to_string(),
                d.text,
                reference
            ])?;
            Ok(DocumentChange::Added)
        }
    }
}

/// Gives the sender's numbers to a new chart's documents, in order.
pub fn set_document_refs(tx: &Tx<'_>, chart_id: i64, refs: &[Option<String>]) -> Result<()> {
    let sql = "UPDATE documents SET source_ref = ?3 WHERE chart_id = ?1 AND seq = ?2";
    for (i, r) in refs.iter().enumerate() {
        if let Some(r) = r {
            tx.execute(sql, params![chart_id, i as i64 + 1, r])?;
        }
    }
    Ok(())
}

/// Puts a chart on hold for the interface (no claim needed), with a reason.
pub fn hold(tx: &Tx<'_>, chart_id: i64, actor: &str, reason: &str) -> Result<()> {
    let now = now_utc();
    tx.execute(
        "INSERT INTO holds (chart_id, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![chart_id, reason, actor, now],
    )?;
    tx.execute(
        "UPDATE charts SET status = 'on_hold', updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now],
    )?;
    audit::record(tx, actor, Some(chart_id), AuditAction::Hold, reason)?;
    Ok(())
}

/// Releases the chart's open holds with this reason; the chart leaves "on
/// hold" when none is left. Whether one was released.
pub fn release_hold(tx: &Tx<'_>, chart_id: i64, actor: &str, reason: &str) -> Result<bool> {
    let now = now_utc();
    let released = tx.execute(
        "UPDATE holds SET released_by = ?3, released_at = ?4
         WHERE chart_id = ?1 AND reason = ?2 AND released_at IS NULL",
        params![chart_id, reason, actor, now],
    )?;
    let open: i64 = tx.query_row(
        "SELECT count(*) FROM holds WHERE chart_id = ?1 AND released_at IS NULL",
        [chart_id],
        |r| r.get(0),
    )?;
    if open == 0 {
        tx.execute(
            "UPDATE charts SET status = CASE WHEN claimed_by IS NULL THEN 'ready' ELSE 'in_progress' END,
                 updated_at = ?2
             WHERE chart_id = ?1 AND status = 'on_hold'",
            params![chart_id, now],
        )?;
    }
    Ok(released > 0)
}
