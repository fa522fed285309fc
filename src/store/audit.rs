//! The append-only audit trail: who did what to which chart, and when.
//!
//! Triggers in the schema refuse UPDATE, DELETE and REPLACE on it. Each row also
//! carries a SHA-256 hash over its contents and the previous row's hash, so that
//! a row changed or removed by other means (the triggers dropped first) breaks
//! the chain, which [`verify`] finds. Sent queries and their answers are sealed
//! by the hash of their text in the row that records them.

use super::migrations::GUARD_TRIGGERS;
use super::{Result, now_utc};
use crate::domain::AuditAction;
use crate::store::sql::{Db, params};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// One row of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    /// The coder the action was done as.
    pub actor: String,
    /// The operating-system user who ran chartcoder ("" on rows written
    /// before it was recorded).
    pub os_user: String,
    pub chart_id: Option<i64>,
    pub action: String,
    pub detail: String,
}

impl AuditEntry {
    /// Who, in words: the coder, and the operating-system user when that is
    /// someone else ("coderA (as root)").
    pub fn who(&self) -> String {
        if self.os_user.is_empty() || self.os_user == self.actor {
            self.actor.clone()
        } else {
            format!("{} (by {})", self.actor, self.os_user)
        }
    }
}

/// The previous hash of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A row as hashed.
pub(crate) struct Row {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub os_user: String,
    pub chart_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub seal: Option<String>,
}

impl Row {
    pub(crate) fn from_sql(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<Row> {
        Ok(Row {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            os_user: r.get(3)?,
            chart_id: r.get(4)?,
            action: r.get(5)?,
            detail: r.get(6)?,
            seal: r.get(7)?,
        })
    }

    /// SHA-256 over the previous hash and every field, each length-prefixed
    /// (so that no two rows hash the same input).
    pub(crate) fn hash(&self, prev: &str) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(prev.as_bytes());
        field(&self.id.to_le_bytes());
        field(self.at.as_bytes());
        field(self.actor.as_bytes());
        field(self.os_user.as_bytes());
        match self.chart_id {
            Some(id) => field(&id.to_le_bytes()),
            None => field(b""),
        }
        field(self.action.as_bytes());
        field(self.detail.as_bytes());
        match &self.seal {
            Some(s) => field(s.as_bytes()),
            None => field(b"-"),
        }
        hex(&h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// The seal of a text: its SHA-256, in hex.
pub fn seal(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Appends one audit row; call it inside the transaction of the action it records.
pub fn record(
    conn: &Db,
    actor: &str,
    chart_id: Option<i64>,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    record_sealed(conn, actor, chart_id, action, detail, None)
}

/// Appends one audit row that seals a text (see [`seal`]).
pub fn record_sealed(
    conn: &Db,
    actor: &str,
    chart_id: Option<i64>,
    action: AuditAction,
    detail: &str,
    seal: Option<&str>,
) -> Result<()> {
    Ok(append(conn, actor, chart_id, action, detail, seal)?)
}

/// The PostgreSQL advisory lock an audit append holds to its commit ("CHAU").
const AUDIT_APPEND_LOCK: i64 = 0x4348_4155;

/// [`record_sealed`] in SQLite's terms (for migrations).
pub(crate) fn append(
    conn: &Db,
    actor: &str,
    chart_id: Option<i64>,
    action: AuditAction,
    detail: &str,
    seal: Option<&str>,
) -> crate::store::sql::Result<()> {
    // PostgreSQL has many writers at once: each append waits for the one
    // before to commit (the lock is held to the end of the transaction), so
    // that it reads the row it chains to (SQLite's single writer does this).
    if conn.dialect() == crate::store::sql::Dialect::Postgres {
        conn.execute("SELECT pg_advisory_xact_lock(?1)", [AUDIT_APPEND_LOCK])?;
    }
    let (prev_id, prev_hash) = conn
        .query_opt(
            "SELECT audit_id, hash FROM audit ORDER BY audit_id DESC LIMIT 1",
            [],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)),
        )?
        .unwrap_or((0, GENESIS.to_string()));
    // Ids as high as they go mean a tampered trail: refuse, do not wrap.
    let id = prev_id.checked_add(1).ok_or_else(|| {
        crate::store::sql::Error::param(
            "the audit trail's last row id is the largest possible: the trail was tampered with",
        )
    })?;
    let row = Row {
        id,
        at: now_utc(),
        actor: actor.to_string(),
        os_user: crate::identity::os_user().to_string(),
        chart_id,
        action: action.as_str().to_string(),
        detail: detail.to_string(),
        seal: seal.map(str::to_string),
    };
    let hash = row.hash(&prev_hash);
    conn.execute(
        "INSERT INTO audit (audit_id, at, actor, os_user, chart_id, action, detail, seal, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            row.id,
            row.at,
            row.actor,
            row.os_user,
            row.chart_id,
            row.action,
            row.detail,
            row.seal,
            hash
        ],
    )?;
    Ok(())
}

/// A chart's history, oldest first.
pub fn for_chart(conn: &Db, chart_id: i64) -> Result<Vec<AuditEntry>> {
    let sql = "SELECT at, actor, os_user, chart_id, action, detail FROM audit
         WHERE chart_id = ?1 ORDER BY audit_id";
    let rows = conn.query_map(sql, [chart_id], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            actor: r.get(1)?,
            os_user: r.get(2)?,
            chart_id: r.get(3)?,
            action: r.get(4)?,
            detail: r.get(5)?,
        })
    })?;
    Ok(rows)
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Rows checked.
    pub rows: u64,
    /// The hash of the last row (write it down: a whole trail rewritten by
    /// someone who can write the file shows only against a copy of it).
    pub head: String,
    /// Every problem, in words; empty when the record is intact.
    pub problems: Vec<String>,
}

impl Verification {
    pub fn intact(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks the record: the guarding triggers are in place as written, every
/// audit row links to the one before and matches its hash (the first broken
/// link is named), and every sent query's text and answer match their seals.
///
/// `expect`: a head hash kept from an earlier check; the trail must still hold
/// it (rows cut off its end, or a trail rewritten, no longer do).
pub fn verify(conn: &Db, expect: Option<&str>) -> Result<Verification> {
    let mut problems = Vec::new();
    guard_triggers(conn, &mut problems)?;
    let chain = walk_chain(conn, expect, &mut problems)?;
    if expect.is_some() && !chain.expect_found {
        problems.push(format!(
            "the head you kept ({}) is not in the trail: rows were cut off its end, or the trail was rewritten",
            expect.unwrap_or_default()
        ));
    }
    sealed_queries(conn, &chain, &mut problems)?;
    Ok(Verification {
        rows: chain.count,
        head: chain.head,
        problems,
    })
}

/// PostgreSQL's triggers that keep the record append-only (migration 1 of
/// `store::postgres::schema`).
const PG_GUARD_TRIGGERS: [&str; 11] = [
    "audit_no_update",
    "audit_no_delete",
    "audit_no_truncate",
    "audit_no_replace",
    "physician_queries_sent_are_immutable",
    "physician_queries_sent_are_kept",
    "physician_queries_sent_not_replaced",
    "physician_queries_no_truncate",
    "query_recipients_append_only",
    "query_recipients_kept",
    "query_recipients_no_truncate",
];

/// The triggers that guard the record are there as written (SQLite), or
/// there and enabled (PostgreSQL, which has no `sqlite_schema`).
fn guard_triggers(conn: &Db, problems: &mut Vec<String>) -> Result<()> {
    if conn.dialect() == crate::store::sql::Dialect::Postgres {
        for name in PG_GUARD_TRIGGERS {
            let enabled: i64 = conn.query_row(
                "SELECT count(*) FROM pg_trigger WHERE tgname = ?1 AND tgenabled <> 'D'",
                [name],
                |r| r.get(0),
            )?;
            if enabled == 0 {
                problems.push(format!(
                    "the trigger {name} is missing or disabled: rows could have been changed or removed"
                ));
            }
        }
        return Ok(());
    }
    for (name, sql) in GUARD_TRIGGERS {
        let found: Option<String> = conn.query_opt(
            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
            [name],
            |r| r.get(0),
        )?;
        match found {
            None => problems.push(format!(
                "the trigger {name} is missing (dropped): rows could have been changed or removed"
            )),
            Some(found) if found != *sql => problems.push(format!(
                "the trigger {name} was replaced by another: rows could have been changed or removed"
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

/// What walking the audit trail found besides broken links.
struct Chain {
    count: u64,
    head: String,
    expect_found: bool,
    /// Query id and "text"/"answer" -> the row that sealed it and the seal.
    seals: HashMap<(i64, &'static str), (i64, String)>,
    /// Query id -> how the trail says it ended (closed with an outcome, or
    /// canceled), and the row that says so.
    endings: HashMap<i64, (i64, Option<String>)>,
}

/// Walks the trail in order: each row follows the one before (no gap) and
/// matches its hash; the first broken link is named and ends the walk.
fn walk_chain(conn: &Db, expect: Option<&str>, problems: &mut Vec<String>) -> Result<Chain> {
    let sql = "SELECT audit_id, at, actor, os_user, chart_id, action, detail, seal, hash
         FROM audit ORDER BY audit_id";
    let mut prev = GENESIS.to_string();
    let mut prev_id: i64 = 0;
    let mut count = 0u64;
    // Query id and "text"/"answer" -> the row that sealed it and the seal.
    let mut seals: HashMap<(i64, &'static str), (i64, String)> = HashMap::new();
    let mut expect_found = false;
    // Query id -> how the trail says it ended (closed with an outcome, or
    // canceled), and the row that says so.
    let mut endings: HashMap<i64, (i64, Option<String>)> = HashMap::new();
    conn.for_each_while(sql, [], |r| -> Result<bool> {
        let row = Row::from_sql(r)?;
        let stored: String = r.get(8)?;
        count += 1;
        let at = || {
            format!(
                "row #{} ({}, {}, {})",
                row.id, row.at, row.actor, row.action
            )
        };
        if prev_id.checked_add(1) != Some(row.id) {
            let (from, to) = (i128::from(prev_id) + 1, i128::from(row.id) - 1);
            let missing = match to - from {
                0 => format!("row #{from} is missing"),
                d if d > 0 => format!("rows #{from} to #{to} are missing"),
                _ => format!("row #{} is out of order", row.id),
            };
            problems.push(format!(
                "{missing}: the trail jumps from #{prev_id} to #{} (removed, or the ids rewritten)",
                row.id
            ));
            return Ok(false);
        }
        if row.hash(&prev) != stored {
            problems.push(format!(
                "{} does not match the chain: it, or the row before it, was changed after it was written",
                at()
            ));
            return Ok(false);
        }
        if expect == Some(stored.as_str()) {
            expect_found = true;
        }
        match (AuditAction::parse(&row.action), query_of(&row.detail)) {
            (Some(AuditAction::QueryClosed), Some(query)) => {
                let outcome = row.detail.split(' ').nth(1).map(str::to_string);
                endings.insert(query, (row.id, outcome));
            }
            (Some(AuditAction::QueryCanceled), Some(query)) => {
                endings.insert(query, (row.id, None));
            }
            _ => {}
        }
        if let (Some(seal), Some(query)) = (&row.seal, query_of(&row.detail)) {
            let kind = match AuditAction::parse(&row.action) {
                Some(AuditAction::QuerySent | AuditAction::QuerySealed) => "text",
                _ => "answer",
            };
            seals.insert((query, kind), (row.id, seal.clone()));
        }
        prev = stored;
        prev_id = row.id;
        Ok(true)
    })?;
    Ok(Chain {
        count,
        head: prev,
        expect_found,
        seals,
        endings,
    })
}

/// Every sent query's text and answer match their seals, and its status the
/// row that ended it; a sealed query is still there.
fn sealed_queries(conn: &Db, chain: &Chain, problems: &mut Vec<String>) -> Result<()> {
    let (seals, endings) = (&chain.seals, &chain.endings);
    let queries_sql =
        "SELECT physician_query_id, text, answer, status, outcome FROM physician_queries
         ORDER BY physician_query_id";
    let mut present = std::collections::HashSet::new();
    conn.for_each(queries_sql, [], |r| -> Result<()> {
        let id: i64 = r.get(0)?;
        let status: String = r.get(3)?;
        let outcome: Option<String> = r.get(4)?;
        if status == "draft" {
            if let Some((row, _)) = seals.get(&(id, "text")) {
                problems.push(format!(
                    "query #{id} was sent (row #{row}) but is a draft again: its sending was undone outside chartcoder"
                ));
            }
            return Ok(());
        }
        present.insert(id);
        let ended = endings.get(&id);
        match (status.as_str(), ended) {
            ("closed", Some((_, said))) if said.as_deref() == outcome.as_deref() => {}
            ("canceled", Some((_, None))) => {}
            ("closed" | "canceled", None) => problems.push(format!(
                "query #{id} is {status}, but the trail has no row ending it (changed outside chartcoder)"
            )),
            (_, Some((row, _))) => problems.push(format!(
                "query #{id} is {status} with outcome {}, not as row #{row} recorded it (changed outside chartcoder)",
                outcome.as_deref().unwrap_or("none")
            )),
            _ => {}
        }
        let texts: [(&str, Option<String>); 2] = [("text", r.get(1)?), ("answer", r.get(2)?)];
        for (kind, text) in texts {
            let Some(text) = text else { continue };
            match seals.get(&(id, kind)) {
                Some((_, s)) if *s == seal(&text) => {}
                Some((row, _)) => problems.push(format!(
                    "query #{id}: its {kind} is not the {kind} sealed in row #{row} (changed after it was recorded)"
                )),
                None => problems.push(format!(
                    "query #{id}: its {kind} has no seal in the audit trail (written outside chartcoder)"
                )),
            }
        }
        Ok(())
    })?;
    let mut gone: Vec<i64> = seals
        .keys()
        .filter(|(id, kind)| *kind == "text" && !present.contains(id))
        .map(|(id, _)| *id)
        .collect();
    gone.sort_unstable();
    gone.dedup();
    for id in gone {
        problems.push(format!(
            "query #{id} was sent and sealed, but is no longer in the database (removed outside chartcoder)"
        ));
    }
    Ok(())
}

/// The query a query row's detail names ("#12 to Dr. Lee" -> 12).
fn query_of(detail: &str) -> Option<i64> {
    detail
        .strip_prefix('#')?
        .split([' ', ':'])
        .next()?
        .parse()
        .ok()
}
