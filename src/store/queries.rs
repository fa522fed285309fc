//! Physician queries in the store: sending (the query and its text become
//! immutable: triggers refuse any change), the hold it puts on the chart, the
//! answer, closing with an outcome or canceling with a reason, and changing the
//! recipient with a reason. Each action is one transaction with its audit row.

use super::coding::require_claim;
use super::{Result, StoreError, audit, charts, now_utc};
use crate::domain::AuditAction;
use crate::domain::{QueryOutcome as Outcome, QueryStatus as Status};
use crate::query::{self, Draft, Format, StoredQuery, YesNoReason};
use crate::store::sql::{Db, Dialect, Tx, params};

/// Sends a query on a chart the coder holds: lints it (a query that fails the
/// lint is refused with every reason), stores it with its text, puts the chart
/// on hold. Returns the query's id.
pub fn send(tx: &Tx<'_>, chart_id: i64, user: &str, draft: &Draft) -> Result<i64> {
    require_claim(tx, chart_id, user)?;
    let problems = query::lint(draft);
    if !problems.is_empty() {
        return Err(StoreError::Refused(format!(
            "the query cannot be sent: {}",
            problems
                .iter()
                .map(|p| p.0.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    let chart = charts::load_chart(tx, chart_id)?;
    // The draft it was written from is replaced by the query as sent.
    let now = now_utc();
    let id = insert_draft(
        tx,
        chart_id,
        user,
        draft,
        (draft.physician.trim(), draft.question.trim()),
        &draft.options(),
        &now,
    )?;
    let text = query::render(
        draft,
        &query::Sending {
            query_id: id,
            chart: &chart,
            coder: user,
            sent_at: &now,
        },
    );
    tx.execute(
        "UPDATE physician_queries SET status = 'open', sent_at = ?2, text = ?3
         WHERE physician_query_id = ?1",
        params![id, now, text],
    )?;
    tx.execute(
        "INSERT INTO holds (chart_id, reason, physician_query_id, created_by, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            chart_id,
            format!("physician query #{id} to {}", draft.physician.trim()),
            id,
            user,
            now
        ],
    )?;
    tx.execute(
        "UPDATE charts SET status = 'on_hold', updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now],
    )?;
    audit::record_sealed(
        tx,
        user,
        Some(chart_id),
        AuditAction::QuerySent,
        &format!("#{id} to {}", draft.physician.trim()),
        Some(&audit::seal(&text)),
    )?;
    Ok(id)
}

/// Stores `draft` as the coder's one draft on the chart (replacing any
/// earlier one), with the physician and question given and the options as
/// listed; returns its id.
fn insert_draft(
    tx: &Tx<'_>,
    chart_id: i64,
    user: &str,
    draft: &Draft,
    (physician, question): (&str, &str),
    options: &[String],
    now: &str,
) -> Result<i64> {
    tx.execute(
        "DELETE FROM physician_queries WHERE chart_id = ?1 AND created_by = ?2 AND status = 'draft'",
        params![chart_id, user],
    )?;
    Ok(tx.insert_id(
        "INSERT INTO physician_queries (chart_id, status, physician, format, yes_no_reason, template,
             question, indicators, options, created_by, created_at)
         VALUES (?1, 'draft', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            chart_id,
            physician,
            draft.format.unwrap_or(Format::OpenEnded).as_str(),
            draft.yes_no_reason.map(YesNoReason::as_str),
            draft.template,
            question,
            to_json(&draft.indicators)?,
            to_json(&options)?,
            user,
            now
        ], "physician_query_id")?)
}

/// Keeps the coder's unsent query on the chart (one draft per chart and
/// coder: a new one replaces the old), so that leaving loses nothing.
pub fn save_draft(tx: &Tx<'_>, chart_id: i64, user: &str, draft: &Draft) -> Result<i64> {
    require_claim(tx, chart_id, user)?;
    let id = insert_draft(
        tx,
        chart_id,
        user,
        draft,
        (&draft.physician, &draft.question),
        &draft.choices,
        &now_utc(),
    )?;
    audit::record(
        tx,
        user,
        Some(chart_id),
        AuditAction::QueryDraft,
        &format!("#{id}"),
    )?;
    Ok(id)
}

/// A draft's or query's list as stored (JSON).
fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The coder's draft on a chart, as the form left it.
pub fn draft_of(conn: &Db, chart_id: i64, user: &str) -> Result<Option<Draft>> {
    let Some(q) = for_chart(conn, chart_id)?
        .into_iter()
        .rev()
        .find(|q| q.status == Status::Draft && q.created_by == user)
    else {
        return Ok(None);
    };
    Ok(Some(q.to_draft()))
}

/// The query's status and chart, the chart's row locked until the action's
/// transaction ends, so that two actions on one query run one after the
/// other on PostgreSQL too (SQLite's writers already do: `BEGIN IMMEDIATE`).
/// The chart's row, not the query's: a sent query's row may not be updated,
/// and a row lock needs that right. Locked first, then read by a statement
/// of its own: one that waited for the lock sees what the other committed
/// (a `FOR UPDATE OF` join would return the query's row as it was before).
fn status_of(tx: &Tx<'_>, id: i64) -> Result<(Status, i64)> {
    if tx.dialect() == Dialect::Postgres {
        tx.query_opt(
            "SELECT 1 FROM charts WHERE chart_id =
                 (SELECT chart_id FROM physician_queries WHERE physician_query_id = ?1)
             FOR UPDATE",
            [id],
            |r| r.get::<i64>(0),
        )?;
    }
    let row: Option<(String, i64)> = tx.query_opt(
        "SELECT status, chart_id FROM physician_queries WHERE physician_query_id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let (status, chart) = row.ok_or_else(|| StoreError::Refused(format!("no query #{id}")))?;
    let status = status
        .parse()
        .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
    Ok((status, chart))
}

/// Records the physician's answer, verbatim (once: an answer is never changed).
pub fn answer(tx: &Tx<'_>, id: i64, user: &str, text: &str) -> Result<()> {
    let (status, chart_id) = status_of(tx, id)?;
    if status != Status::Open {
        return Err(StoreError::Refused(format!(
            "query #{id} is {}: only an open query takes an answer",
            status.as_str()
        )));
    }
    if text.trim().is_empty() {
        return Err(StoreError::Refused("the answer is empty".into()));
    }
    tx.execute(
        "UPDATE physician_queries SET status = 'answered', answer = ?2, answered_at = ?3
         WHERE physician_query_id = ?1",
        params![id, text, now_utc()],
    )?;
    audit::record_sealed(
        tx,
        user,
        Some(chart_id),
        AuditAction::QueryAnswered,
        &format!("#{id}"),
        Some(&audit::seal(text)),
    )?;
    Ok(())
}

/// Releases the query's hold; the chart leaves "on hold" when no hold is left
/// (back to the coder who holds it, else to the queue).
fn release_hold(tx: &Tx<'_>, id: i64, chart_id: i64, user: &str, now: &str) -> Result<()> {
    tx.execute(
        "UPDATE holds SET released_by = ?2, released_at = ?3
         WHERE physician_query_id = ?1 AND released_at IS NULL",
        params![id, user, now],
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
    Ok(())
}

/// Closes an answered query with its outcome (an open one only as "no
/// response"), by the coder who holds the chart, and releases its hold.
pub fn close(tx: &Tx<'_>, id: i64, user: &str, outcome: Outcome) -> Result<()> {
    let (status, chart_id) = status_of(tx, id)?;
    require_claim(tx, chart_id, user)?;
    match (status, outcome) {
        (Status::Answered, Outcome::NoResponse) => {
            return Err(StoreError::Refused(format!(
                "query #{id} has an answer: its outcome is agreed, disagreed or clinically undetermined"
            )));
        }
        (Status::Answered, _) | (Status::Open, Outcome::NoResponse) => {}
        (Status::Open, _) => {
            return Err(StoreError::Refused(format!(
                "query #{id} has no answer yet: record it first, or close it as no response"
            )));
        }
        (s, _) => {
            return Err(StoreError::Refused(format!(
                "query #{id} is {}",
                s.as_str()
            )));
        }
    }
    end(
        tx,
        Ending {
            id,
            chart_id,
            user,
            status: Status::Closed,
            outcome: Some(outcome.as_str()),
            reason: None,
            audit: (
                AuditAction::QueryClosed,
                format!("#{id} {}", outcome.as_str()),
            ),
        },
    )
}

/// How a query ends: closed with an outcome or canceled with a reason.
struct Ending<'a> {
    id: i64,
    chart_id: i64,
    user: &'a str,
    status: Status,
    outcome: Option<&'a str>,
    reason: Option<&'a str>,
    audit: (AuditAction, String),
}

/// Ends a query: its status and outcome or reason, its hold released, the
/// audit row.
fn end(tx: &Tx<'_>, e: Ending<'_>) -> Result<()> {
    let now = now_utc();
    tx.execute(
        "UPDATE physician_queries SET status = ?2, outcome = ?3, cancel_reason = ?4, closed_at = ?5
         WHERE physician_query_id = ?1",
        params![e.id, e.status.as_str(), e.outcome, e.reason, now],
    )?;
    release_hold(tx, e.id, e.chart_id, e.user, &now)?;
    audit::record(tx, e.user, Some(e.chart_id), e.audit.0, &e.audit.1)
}

/// Cancels a query that is not closed, with the reason; releases its hold.
pub fn cancel(tx: &Tx<'_>, id: i64, user: &str, reason: &str) -> Result<()> {
    let (status, chart_id) = status_of(tx, id)?;
    require_claim(tx, chart_id, user)?;
    if matches!(status, Status::Closed | Status::Canceled) {
        return Err(StoreError::Refused(format!(
            "query #{id} is already {}",
            status.as_str()
        )));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Refused(
            "canceling a query needs a reason".into(),
        ));
    }
    let reason = reason.trim();
    end(
        tx,
        Ending {
            id,
            chart_id,
            user,
            status: Status::Canceled,
            outcome: None,
            reason: Some(reason),
            audit: (AuditAction::QueryCanceled, format!("#{id}: {reason}")),
        },
    )
}

/// Sends an open query to another physician, with the reason (the query as
/// sent is unchanged; the change is recorded beside it).
pub fn change_recipient(
    tx: &Tx<'_>,
    id: i64,
    user: &str,
    physician: &str,
    reason: &str,
) -> Result<()> {
    let (status, chart_id) = status_of(tx, id)?;
    require_claim(tx, chart_id, user)?;
    if status != Status::Open {
        return Err(StoreError::Refused(format!(
            "query #{id} is {}: only an open query changes recipient",
            status.as_str()
        )));
    }
    if physician.trim().is_empty() || reason.trim().is_empty() {
        return Err(StoreError::Refused(
            "changing the recipient needs the new physician and a reason".into(),
        ));
    }
    tx.execute(
        "INSERT INTO query_recipients (physician_query_id, physician, reason, changed_by, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, physician.trim(), reason.trim(), user, now_utc()],
    )?;
    audit::record(
        tx,
        user,
        Some(chart_id),
        AuditAction::QueryRecipient,
        &format!("#{id} to {}: {}", physician.trim(), reason.trim()),
    )?;
    Ok(())
}

const SELECT: &str =
    "SELECT q.physician_query_id, q.chart_id, c.account, q.status, q.template, q.physician,
        COALESCE((SELECT r.physician FROM query_recipients r
                  WHERE r.physician_query_id = q.physician_query_id
                  ORDER BY r.rowid DESC LIMIT 1), q.physician),
        q.format, q.yes_no_reason, q.question, q.indicators, q.options, q.created_by, q.created_at,
        q.sent_at, q.text, q.answer, q.answered_at, q.outcome, q.closed_at, q.cancel_reason
     FROM physician_queries q JOIN charts c ON c.chart_id = q.chart_id";

/// A query as read, with its status, indicators, options and outcome still
/// as stored.
type RawQuery = (StoredQuery, String, String, String, Option<String>);

fn row(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<RawQuery> {
    Ok((
        StoredQuery {
            id: r.get(0)?,
            chart_id: r.get(1)?,
            account: r.get(2)?,
            status: Status::Draft,
            template: r.get(4)?,
            physician: r.get(5)?,
            recipient: r.get(6)?,
            format: r.get(7)?,
            yes_no_reason: r.get(8)?,
            question: r.get(9)?,
            indicators: Vec::new(),
            options: Vec::new(),
            created_by: r.get(12)?,
            created_at: r.get(13)?,
            sent_at: r.get(14)?,
            text: r.get(15)?,
            answer: r.get(16)?,
            answered_at: r.get(17)?,
            outcome: None,
            closed_at: r.get(19)?,
            cancel_reason: r.get(20)?,
        },
        r.get(3)?,
        r.get(10)?,
        r.get(11)?,
        r.get(18)?,
    ))
}

fn finish(raw: RawQuery) -> Result<StoredQuery> {
    let (mut q, status, indicators, options, outcome) = raw;
    q.status = status
        .parse()
        .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
    q.outcome = outcome
        .map(|o| o.parse())
        .transpose()
        .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
    q.indicators = serde_json::from_str(&indicators)
        .map_err(|e| StoreError::Corrupt(format!("query #{} indicators: {e}", q.id)))?;
    q.options = serde_json::from_str(&options)
        .map_err(|e| StoreError::Corrupt(format!("query #{} options: {e}", q.id)))?;
    Ok(q)
}

/// One query.
pub fn get(conn: &Db, id: i64) -> Result<Option<StoredQuery>> {
    let raw = conn.query_opt(
        &format!("{SELECT} WHERE q.physician_query_id = ?1"),
        [id],
        row,
    )?;
    raw.map(finish).transpose()
}

/// A chart's queries, oldest first.
pub fn for_chart(conn: &Db, chart_id: i64) -> Result<Vec<StoredQuery>> {
    let sql = &format!("{SELECT} WHERE q.chart_id = ?1 ORDER BY q.physician_query_id");
    let raws = conn.query_map(sql, [chart_id], row)?;
    raws.into_iter().map(finish).collect()
}

/// Every query sent between two dates (inclusive, by the day it was sent).
pub fn sent_between(
    conn: &Db,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<Vec<StoredQuery>> {
    let sql = &format!(
        "{SELECT} WHERE q.sent_at IS NOT NULL
             AND (CAST(?1 AS TEXT) IS NULL OR substr(q.sent_at, 1, 10) >= ?1)
             AND (CAST(?2 AS TEXT) IS NULL OR substr(q.sent_at, 1, 10) <= ?2)
         ORDER BY q.physician_query_id"
    );
    let raws = conn.query_map(
        sql,
        params![from.map(|d| d.to_string()), to.map(|d| d.to_string())],
        row,
    )?;
    raws.into_iter().map(finish).collect()
}

/// Whether an open query sent at `sent_at` is overdue at `now` after `hours`.
pub fn overdue(sent_at: &str, now: chrono::DateTime<chrono::Utc>, hours: u32) -> bool {
    chrono::DateTime::parse_from_rfc3339(sent_at)
        .is_ok_and(|t| now.signed_duration_since(t) > chrono::Duration::hours(i64::from(hours)))
}

/// The rows of the query report for queries sent between two dates, and the
/// number of charts coded (coded, reviewed or final) discharged between them.
pub fn report_rows(
    conn: &Db,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
) -> Result<(Vec<crate::query::report::Row>, usize)> {
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|e| StoreError::Corrupt(format!("a query time {s:?}: {e}")))
    };
    // The actions that change a chart's codes, as the trail names them.
    let code_changes_sql = format!(
        "SELECT count(*) FROM audit WHERE chart_id = ?1 AND action IN ({})
         AND at >= ?2 AND (CAST(?3 AS TEXT) IS NULL OR at <= ?3)",
        AuditAction::CODE_CHANGES
            .iter()
            .map(|a| format!("'{}'", a.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = Vec::new();
    for q in sent_between(conn, from, to)? {
        let Some(sent) = q.sent_at.as_deref() else {
            continue;
        };
        let code_changes: u32 = match q.answered_at.as_deref() {
            Some(answered) => conn.query_row(
                &code_changes_sql,
                params![q.chart_id, answered, q.closed_at],
                |r| r.get(0),
            )?,
            None => 0,
        };
        rows.push(crate::query::report::Row {
            chart_id: q.chart_id,
            physician: q.recipient.clone(),
            sent_at: parse(sent)?,
            answered_at: q.answered_at.as_deref().map(parse).transpose()?,
            status: q.status,
            outcome: q.outcome,
            code_changes,
        });
    }
    let coded: i64 = conn.query_row(
        "SELECT count(*) FROM charts WHERE status IN ('coded', 'reviewed', 'final')
             AND (CAST(?1 AS TEXT) IS NULL OR discharge_date >= ?1)
             AND (CAST(?2 AS TEXT) IS NULL OR discharge_date <= ?2)",
        params![from.map(|d| d.to_string()), to.map(|d| d.to_string())],
        |r| r.get(0),
    )?;
    Ok((rows, usize::try_from(coded).unwrap_or(0)))
}
