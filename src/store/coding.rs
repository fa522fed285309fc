//! Coding a chart: claiming it, assigning and sequencing codes, POA, holds and
//! completion. Each function is one user action: call it inside
//! [`Store::write`](super::Store::write) so that the change and its audit row are
//! saved together or not at all. Every action but the claim requires the chart to
//! be claimed by the acting coder.

use super::{Result, StoreError, audit, now_utc};
use crate::domain::AuditAction;
use crate::domain::{ChartStatus, CodeSystem, Poa};
use crate::store::sql::{Dialect, Tx, params};

/// The outcome of opening a chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The chart is the coder's (newly claimed, or already theirs).
    Mine,
    /// Another coder has it: read-only.
    TakenBy(String),
    /// Coded or beyond: read-only.
    Closed(ChartStatus),
}

/// Claims a chart for `user` when nobody else has it and it is not yet coded;
/// a ready chart becomes in progress.
pub fn claim(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<Claim> {
    claim_within(tx, chart_id, user, None)
}

/// [`claim`], taking over another coder's claim that has seen no activity for
/// the site's `claim_expiry_minutes` (a session that crashed or was
/// abandoned), with an audit row naming whose claim expired. The expiry is
/// the site's policy in the database, never the taker's own setting.
pub fn claim_expiring(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<Claim> {
    let expiry = super::site::policy(tx)?.claim_expiry();
    claim_within(tx, chart_id, user, expiry)
}

fn claim_within(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    expiry: Option<chrono::Duration>,
) -> Result<Claim> {
    let (status, owner, claimed_at): (String, Option<String>, Option<String>) = tx.query_row(
        &format!(
            "SELECT status, claimed_by, claimed_at FROM charts WHERE chart_id = ?1{}",
            row_lock(tx)
        ),
        [chart_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let stale = |at: &Option<String>| {
        let (Some(expiry), Some(at)) = (expiry, at) else {
            return false;
        };
        chrono::DateTime::parse_from_rfc3339(at)
            .is_ok_and(|t| chrono::Utc::now().signed_duration_since(t) > expiry)
    };
    let status: ChartStatus = status
        .parse()
        .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
    if !status.is_uncoded() {
        audit::record(tx, user, Some(chart_id), AuditAction::View, status.as_str())?;
        return Ok(Claim::Closed(status));
    }
    match owner {
        Some(o) if o == user => {
            touch(tx, chart_id, user)?;
            audit::record(tx, user, Some(chart_id), AuditAction::View, "")?;
            Ok(Claim::Mine)
        }
        Some(o) if stale(&claimed_at) => {
            tx.execute(
                "UPDATE charts SET claimed_by = ?2, claimed_at = ?3, updated_at = ?3 WHERE chart_id = ?1",
                params![chart_id, user, now_utc()],
            )?;
            audit::record(
                tx,
                user,
                Some(chart_id),
                AuditAction::Claim,
                &format!(
                    "the claim of {o} expired (no activity since {})",
                    claimed_at.as_deref().unwrap_or("?")
                ),
            )?;
            Ok(Claim::Mine)
        }
        Some(o) => {
            audit::record(
                tx,
                user,
                Some(chart_id),
                AuditAction::View,
                &format!("read-only: claimed by {o}"),
            )?;
            Ok(Claim::TakenBy(o))
        }
        None => {
            let now = now_utc();
            let next = if status == ChartStatus::Ready {
                ChartStatus::InProgress
            } else {
                status
            };
            tx.execute(
                "UPDATE charts SET claimed_by = ?2, claimed_at = ?3, status = ?4, updated_at = ?3
                 WHERE chart_id = ?1",
                params![chart_id, user, now, next.as_str()],
            )?;
            audit::record(tx, user, Some(chart_id), AuditAction::Claim, "")?;
            Ok(Claim::Mine)
        }
    }
}

/// Gives a claimed chart back to the queue (status unchanged).
pub fn release(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    tx.execute(
        "UPDATE charts SET claimed_by = NULL, claimed_at = NULL, updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now_utc()],
    )?;
    audit::record(tx, user, Some(chart_id), AuditAction::Release, "")?;
    Ok(())
}

/// Marks the coder's claim as active now (every change does; the workstation
/// also does while the chart is open), so that it does not expire.
pub fn touch(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<()> {
    tx.execute(
        "UPDATE charts SET claimed_at = ?3 WHERE chart_id = ?1 AND claimed_by = ?2",
        params![chart_id, user, now_utc()],
    )?;
    Ok(())
}

/// What a SELECT of the chart row a change depends on ends with: on
/// PostgreSQL, `FOR UPDATE`, so that two coders' changes to one chart take
/// turns, the second reading what the first committed (SQLite has one writer
/// at a time already). Two coders claiming one free chart at once: one gets
/// it, the other is told who has it, as on SQLite.
pub(crate) fn row_lock(tx: &Tx<'_>) -> &'static str {
    match tx.dialect() {
        Dialect::Sqlite => "",
        Dialect::Postgres => " FOR UPDATE",
    }
}

pub(crate) fn require_claim(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<()> {
    let (owner, status): (Option<String>, Option<String>) = tx
        .query_opt(
            &format!(
                "SELECT claimed_by, status FROM charts WHERE chart_id = ?1{}",
                row_lock(tx)
            ),
            [chart_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .unwrap_or((None, None));
    // The final lock: nothing of a final chart changes (the schema refuses
    // it too) until a manager reopens it.
    if status.as_deref() == Some(ChartStatus::Final.as_str()) {
        return Err(StoreError::Refused(
            "the chart is final (locked): nothing was changed; a manager reopens it with a reason \
             (chartcoder review reopen)"
                .into(),
        ));
    }
    match owner {
        Some(o) if o == user => Ok(()),
        Some(o) => Err(StoreError::Refused(format!(
            "the chart is claimed by {o}: read-only"
        ))),
        None => Err(StoreError::Refused(
            "the chart is not claimed: open it from the queue first".into(),
        )),
    }
}

/// A chart claimed by its reviewer is coded: its codes change with the
/// ordinary actions, but it is neither completed again nor put on hold (the
/// review passes or returns it).
fn refuse_under_review(tx: &Tx<'_>, chart_id: i64) -> Result<()> {
    let status: String = tx.query_row(
        "SELECT status FROM charts WHERE chart_id = ?1",
        [chart_id],
        |r| r.get(0),
    )?;
    match status == ChartStatus::Coded.as_str() {
        true => Err(StoreError::Refused(
            "the chart is under review: the reviewer passes it or returns it to the coder \
             (chartcoder review pass|return)"
                .into(),
        )),
        false => Ok(()),
    }
}

/// The stored sequence number (1-based) of a 0-based position.
fn seq_of(position: usize) -> i64 {
    position as i64 + 1
}

/// Marks the chart changed by `user` now, with the audit row of the change.
fn changed(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    tx.execute(
        "UPDATE charts SET updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now_utc()],
    )?;
    touch(tx, chart_id, user)?;
    audit::record(tx, user, Some(chart_id), action, detail)
}

fn count(tx: &Tx<'_>, table: &str, chart_id: i64) -> Result<i64> {
    Ok(tx.query_row(
        &format!("SELECT COUNT(*) FROM {table} WHERE chart_id = ?1"),
        [chart_id],
        |r| r.get(0),
    )?)
}

/// Which list of codes an action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeList {
    Diagnoses,
    Procedures,
}

impl CodeList {
    fn table(self) -> &'static str {
        match self {
            CodeList::Diagnoses => "diagnoses",
            CodeList::Procedures => "procedures",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            CodeList::Diagnoses => "diagnosis",
            CodeList::Procedures => "procedure",
        }
    }
}

/// Adds a diagnosis at the end of the sequence; returns its 0-based position.
pub fn add_diagnosis(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    code: &str,
    edition: &str,
) -> Result<usize> {
    require_claim(tx, chart_id, user)?;
    let position = count(tx, "diagnoses", chart_id)? as usize;
    tx.execute(
        "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition) VALUES (?1, ?2, ?3, 'icd10cm', ?4)",
        params![chart_id, seq_of(position), code, edition],
    )?;
    changed(
        tx,
        chart_id,
        user,
        AuditAction::AddDiagnosis,
        &format!("{code} at {}", position + 1),
    )?;
    Ok(position)
}

/// Adds a procedure or service line at the end; returns its 0-based position.
pub fn add_procedure(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    code: &str,
    system: CodeSystem,
    date: Option<chrono::NaiveDate>,
) -> Result<usize> {
    require_claim(tx, chart_id, user)?;
    if system == CodeSystem::Icd10Cm {
        return Err(StoreError::Refused(
            "an ICD-10-CM code is a diagnosis, not a procedure".into(),
        ));
    }
    let position = count(tx, "procedures", chart_id)? as usize;
    tx.execute(
        "INSERT INTO procedures (chart_id, seq, code, code_system, proc_date) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            chart_id,
            seq_of(position),
            code,
            system.as_str(),
            date.map(|d| d.to_string())
        ],
    )?;
    changed(
        tx,
        chart_id,
        user,
        AuditAction::AddProcedure,
        &format!("{code} at {}", position + 1),
    )?;
    Ok(position)
}

/// Removes the code at 0-based `position`; the ones after it move up.
pub fn remove(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    list: CodeList,
    position: usize,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    let table = list.table();
    let code: String = tx
        .query_opt(
            &format!("SELECT code FROM {table} WHERE chart_id = ?1 AND seq = ?2"),
            params![chart_id, seq_of(position)],
            |r| r.get(0),
        )?
        .ok_or_else(|| StoreError::Refused(format!("no {} at {}", list.noun(), position + 1)))?;
    tx.execute(
        &format!("DELETE FROM {table} WHERE chart_id = ?1 AND seq = ?2"),
        params![chart_id, seq_of(position)],
    )?;
    // Close the gap one row at a time, lowest first (seq is unique per chart).
    let later: Vec<i64> = tx.query_map(
        &format!("SELECT seq FROM {table} WHERE chart_id = ?1 AND seq > ?2 ORDER BY seq"),
        params![chart_id, seq_of(position)],
        |r| r.get(0),
    )?;
    for seq in later {
        tx.execute(
            &format!("UPDATE {table} SET seq = ?3 WHERE chart_id = ?1 AND seq = ?2"),
            params![chart_id, seq, seq - 1],
        )?;
    }
    changed(
        tx,
        chart_id,
        user,
        match list {
            CodeList::Diagnoses => AuditAction::RemoveDiagnosis,
            CodeList::Procedures => AuditAction::RemoveProcedure,
        },
        &format!("{code} from {}", position + 1),
    )?;
    Ok(())
}

/// Swaps the code at `position` with its neighbour up (`-1`) or down (`+1`);
/// returns the code's new position. Moving a diagnosis to the top makes it the
/// principal (first-listed) diagnosis.
pub fn shift(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    list: CodeList,
    position: usize,
    up: bool,
) -> Result<usize> {
    require_claim(tx, chart_id, user)?;
    let table = list.table();
    let n = count(tx, table, chart_id)? as usize;
    if position >= n {
        return Err(StoreError::Refused(format!(
            "no {} at {}",
            list.noun(),
            position + 1
        )));
    }
    let other = match (up, position) {
        (true, 0) => return Ok(0),
        (true, p) => p - 1,
        (false, p) if p + 1 >= n => return Ok(p),
        (false, p) => p + 1,
    };
    let (a, b) = (seq_of(position), seq_of(other));
    // Through a free number (0: sequences start at 1): (chart_id, seq) is unique.
    let sql = format!("UPDATE {table} SET seq = ?3 WHERE chart_id = ?1 AND seq = ?2");
    tx.execute(&sql, params![chart_id, a, 0])?;
    tx.execute(&sql, params![chart_id, b, a])?;
    tx.execute(&sql, params![chart_id, 0, b])?;
    changed(
        tx,
        chart_id,
        user,
        match list {
            CodeList::Diagnoses => AuditAction::MoveDiagnosis,
            CodeList::Procedures => AuditAction::MoveProcedure,
        },
        &format!("{} to {}", position + 1, other + 1),
    )?;
    Ok(other)
}

/// Sets (or clears) the present-on-admission indicator of a diagnosis.
pub fn set_poa(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    position: usize,
    poa: Option<Poa>,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    let rows = tx.execute(
        "UPDATE diagnoses SET poa = ?3 WHERE chart_id = ?1 AND seq = ?2",
        params![chart_id, seq_of(position), poa.map(|p| p.as_str())],
    )?;
    if rows == 0 {
        return Err(StoreError::Refused(format!(
            "no diagnosis at {}",
            position + 1
        )));
    }
    changed(
        tx,
        chart_id,
        user,
        AuditAction::SetPoa,
        &format!("{} {}", position + 1, poa.map_or("-", |p| p.as_str())),
    )?;
    Ok(())
}

/// Puts the chart on hold with a reason (e.g. awaiting a physician's answer).
pub fn hold(tx: &Tx<'_>, chart_id: i64, user: &str, reason: &str) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    refuse_under_review(tx, chart_id)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Refused("a hold needs a reason".into()));
    }
    let now = now_utc();
    tx.execute(
        "INSERT INTO holds (chart_id, reason, created_by, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![chart_id, reason, user, now],
    )?;
    tx.execute(
        "UPDATE charts SET status = 'on_hold', updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now],
    )?;
    audit::record(tx, user, Some(chart_id), AuditAction::Hold, reason)?;
    Ok(())
}

/// Records that the coder acknowledged a warning (an edits-engine finding,
/// named by its key), with its message as shown; audited.
pub fn acknowledge(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    finding_key: &str,
    message: &str,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    let inserted = tx.execute(
        "INSERT INTO acknowledgements (chart_id, finding_key, message, actor, at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
        params![chart_id, finding_key, message, user, now_utc()],
    )?;
    if inserted == 0 {
        return Err(StoreError::Refused(
            "that warning is already acknowledged".into(),
        ));
    }
    audit::record(
        tx,
        user,
        Some(chart_id),
        AuditAction::Acknowledge,
        &format!("{finding_key}: {message}"),
    )?;
    Ok(())
}

/// The keys of the warnings acknowledged on a chart.
pub fn acknowledged(
    conn: &crate::store::sql::Db,
    chart_id: i64,
) -> Result<std::collections::HashSet<String>> {
    let sql = "SELECT finding_key FROM acknowledgements WHERE chart_id = ?1";
    let keys = conn
        .query_map(sql, [chart_id], |r| r.get(0))?
        .into_iter()
        .collect();
    Ok(keys)
}

/// The reasons of a chart's open holds, oldest first.
pub fn open_holds(conn: &crate::store::sql::Db, chart_id: i64) -> Result<Vec<String>> {
    let sql =
        "SELECT reason FROM holds WHERE chart_id = ?1 AND released_at IS NULL ORDER BY hold_id";
    let rows = conn.query_map(sql, [chart_id], |r| r.get(0))?;
    Ok(rows)
}

/// Marks the chart coded and gives it back to the queue. Refused while a hold is
/// open or while `blocking` (the error edits the caller found) is not empty, or
/// without a diagnosis.
pub fn complete(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    blocking: &[String],
    drg: Option<&crate::domain::FinalDrg>,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    refuse_under_review(tx, chart_id)?;
    let holds = open_holds(tx, chart_id)?;
    if let Some(h) = holds.first() {
        return Err(StoreError::Refused(format!(
            "the chart is on hold ({h}): release the hold first"
        )));
    }
    if count(tx, "diagnoses", chart_id)? == 0 {
        return Err(StoreError::Refused("the chart has no diagnosis".into()));
    }
    if let Some(e) = blocking.first() {
        return Err(StoreError::Refused(format!(
            "{e}{}",
            if blocking.len() > 1 {
                format!(" (and {} more)", blocking.len() - 1)
            } else {
                String::new()
            }
        )));
    }
    let now = now_utc();
    tx.execute(
        "UPDATE charts SET status = 'coded', claimed_by = NULL, claimed_at = NULL, updated_at = ?2
         WHERE chart_id = ?1",
        params![chart_id, now],
    )?;
    audit::record(tx, user, Some(chart_id), AuditAction::Complete, "")?;
    // Timed from the trail, for the productivity report.
    super::quality::record_completion(tx, chart_id, user, &now, None)?;
    // The working DRG becomes the chart's final DRG, in the same transaction.
    if let Some(drg) = drg {
        super::drg::save_final(tx, chart_id, drg, user, &now)?;
        audit::record(
            tx,
            user,
            Some(chart_id),
            AuditAction::FinalDrg,
            &drg.describe(),
        )?;
    }
    Ok(())
}

/// The claim details of a CPT/HCPCS line: modifiers (two characters each, at
/// most four, in claim order), units, and diagnosis pointers (1-based positions
/// in the diagnosis list, at most four).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDetail {
    pub modifiers: Vec<String>,
    pub units: u32,
    pub pointers: Vec<u8>,
}

/// Sets a CPT/HCPCS line's modifiers, units and diagnosis pointers.
pub fn set_line_detail(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    position: usize,
    detail: &LineDetail,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    let system: String = tx
        .query_opt(
            "SELECT code_system FROM procedures WHERE chart_id = ?1 AND seq = ?2",
            params![chart_id, seq_of(position)],
            |r| r.get(0),
        )?
        .ok_or_else(|| StoreError::Refused(format!("no procedure at {}", position + 1)))?;
    if system == CodeSystem::Icd10Pcs.as_str() {
        return Err(StoreError::Refused(
            "modifiers, units and pointers belong to CPT/HCPCS lines, not ICD-10-PCS".into(),
        ));
    }
    if detail.modifiers.len() > 4
        || detail
            .modifiers
            .iter()
            .any(|m| m.len() != 2 || !m.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(StoreError::Refused(
            "modifiers are up to four two-character codes (25, LT, 59)".into(),
        ));
    }
    if !(1..=999).contains(&detail.units) {
        return Err(StoreError::Refused("units are 1 to 999".into()));
    }
    let diagnoses = count(tx, "diagnoses", chart_id)?;
    if detail.pointers.len() > 4
        || detail
            .pointers
            .iter()
            .any(|&p| p == 0 || i64::from(p) > diagnoses)
    {
        return Err(StoreError::Refused(format!(
            "pointers are up to four letters of the {diagnoses} diagnoses (A = the first)"
        )));
    }
    let pointers: String = detail
        .pointers
        .iter()
        .filter_map(|&p| crate::domain::pointer_letter(p))
        .collect();
    // Stored space-separated, as import writes them.
    let modifiers = detail.modifiers.join(" ");
    tx.execute(
        "UPDATE procedures SET modifiers = ?3, units = ?4, pointers = ?5 WHERE chart_id = ?1 AND seq = ?2",
        params![chart_id, seq_of(position), modifiers, detail.units, pointers],
    )?;
    changed(
        tx,
        chart_id,
        user,
        AuditAction::SetLineDetail,
        &format!("{}: {modifiers} x{} {pointers}", position + 1, detail.units),
    )?;
    Ok(())
}

/// Sets a procedure's date (within the stay: admission to discharge) and
/// practitioner (None clears it).
pub fn set_procedure_detail(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    position: usize,
    date: Option<chrono::NaiveDate>,
    provider: Option<&str>,
) -> Result<()> {
    require_claim(tx, chart_id, user)?;
    let (admit, discharge): (String, String) = tx.query_row(
        "SELECT admit_date, discharge_date FROM charts WHERE chart_id = ?1",
        [chart_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if let Some(d) = date {
        let day = d.to_string();
        // ISO dates compare as text.
        if day < admit || day > discharge {
            return Err(StoreError::Refused(format!(
                "{day} is outside the stay ({admit} to {discharge}): a procedure's date lies within it"
            )));
        }
    }
    let provider = provider.map(str::trim).filter(|p| !p.is_empty());
    if provider.is_some_and(|p| p.chars().any(char::is_control) || p.chars().count() > 60) {
        return Err(StoreError::Refused(
            "the practitioner is one line of at most 60 characters".into(),
        ));
    }
    let n = tx.execute(
        "UPDATE procedures SET proc_date = ?3, provider = ?4 WHERE chart_id = ?1 AND seq = ?2",
        params![
            chart_id,
            seq_of(position),
            date.map(|d| d.to_string()),
            provider
        ],
    )?;
    if n == 0 {
        return Err(StoreError::Refused(format!(
            "no procedure at {}",
            position + 1
        )));
    }
    changed(
        tx,
        chart_id,
        user,
        AuditAction::SetLineDetail,
        &format!(
            "{}: date {} by {}",
            position + 1,
            date.map_or_else(|| "none".to_string(), |d| d.to_string()),
            provider.unwrap_or("nobody named")
        ),
    )?;
    Ok(())
}

/// Parses what a coder types for a procedure: `YYYY-MM-DD / PRACTITIONER`
/// (the practitioner may be empty).
pub fn parse_procedure_detail(
    text: &str,
) -> std::result::Result<(Option<chrono::NaiveDate>, Option<String>), String> {
    let (date, who) = text.split_once('/').unwrap_or((text, ""));
    let date = date.trim();
    let date = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
        format!(
            "{date:?} is not a date: write DATE / PRACTITIONER, e.g. 2026-11-03 / Dr. Lars Oduya"
        )
    })?;
    let who = who.trim();
    Ok((Some(date), (!who.is_empty()).then(|| who.to_string())))
}

/// What a coder types for a CPT/HCPCS line: `MODIFIERS / UNITS / POINTERS`,
/// optionally followed by `/ DATE / PRACTITIONER` (the service date and who
/// performed it, as for an ICD-10-PCS procedure).
pub type ServiceLine = (
    LineDetail,
    Option<(Option<chrono::NaiveDate>, Option<String>)>,
);

/// Parses a CPT/HCPCS line with its optional date and practitioner.
pub fn parse_service_line(text: &str) -> std::result::Result<ServiceLine, String> {
    let parts: Vec<&str> = text.splitn(4, '/').collect();
    let Some(rest) = parts.get(3) else {
        return parse_line_detail(text).map(|d| (d, None));
    };
    let detail = parse_line_detail(&parts[..3].join("/"))?;
    if rest.trim().is_empty() {
        return Ok((detail, None));
    }
    Ok((detail, Some(parse_procedure_detail(rest)?)))
}

/// Parses what a coder types for a line: `MODIFIERS / UNITS / POINTERS`, e.g.
/// `25 LT / 2 / A C` (each part may be empty: no modifiers, 1 unit, no pointers).
pub fn parse_line_detail(text: &str) -> std::result::Result<LineDetail, String> {
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() != 3 {
        return Err("write it as MODIFIERS / UNITS / POINTERS, e.g. 25 LT / 1 / A B".into());
    }
    let modifiers: Vec<String> = parts[0]
        .split([' ', ','])
        .filter(|m| !m.is_empty())
        .map(|m| m.to_ascii_uppercase())
        .collect();
    let units = match parts[1].trim() {
        "" => 1,
        u => u
            .parse()
            .map_err(|_| format!("units {u:?} is not a number"))?,
    };
    let pointers = parts[2]
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .map(|c| {
            crate::domain::pointer_from_letter(c)
                .ok_or_else(|| format!("pointer {c:?} is not a letter A to L"))
        })
        .collect::<std::result::Result<Vec<u8>, String>>()?;
    Ok(LineDetail {
        modifiers,
        units,
        pointers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_line_may_add_its_date_and_practitioner() {
        let (d, when) = parse_service_line("25 / 1 / A / 2026-11-03 / Dr. Kim Ames").unwrap();
        assert_eq!(d.modifiers, vec!["25"]);
        let (date, who) = when.unwrap();
        assert_eq!(date.unwrap().to_string(), "2026-11-03");
        assert_eq!(who.as_deref(), Some("Dr. Kim Ames"));
        assert_eq!(parse_service_line(" / 2 / ").unwrap().1, None);
        assert_eq!(parse_service_line(" / 2 / / ").unwrap().1, None);
        assert!(
            parse_service_line("/ 1 / / 11-03")
                .unwrap_err()
                .contains("not a date")
        );
    }

    #[test]
    fn a_line_is_typed_as_modifiers_units_pointers() {
        let d = parse_line_detail("25 lt / 2 / a c").unwrap();
        assert_eq!(d.modifiers, vec!["25", "LT"]);
        assert_eq!((d.units, d.pointers), (2, vec![1, 3]));
        let d = parse_line_detail(" /  / ").unwrap();
        assert_eq!((d.modifiers.len(), d.units, d.pointers.len()), (0, 1, 0));
        assert!(
            parse_line_detail("25 / x / A")
                .unwrap_err()
                .contains("units")
        );
        assert!(
            parse_line_detail("25 / 1 / Z")
                .unwrap_err()
                .contains("A to L")
        );
        assert!(
            parse_line_detail("25 1 A")
                .unwrap_err()
                .contains("MODIFIERS / UNITS")
        );
    }
}
