//! The chart queue: keyset pages in discharge-date order (oldest first), filtered
//! by status, encounter type, coder and typed text.
//!
//! A page is found by seeking an index to the last row the coder saw
//! (`(discharge_date, chart_id) > (?, ?)`), so moving a page costs the same on
//! page 1 and page 20,000. [`page_by_offset`] is the naive OFFSET form, kept only
//! as the benchmark's baseline.

use super::{Result, StoreError};
use crate::domain::{ChartStatus, EncounterType};
use chrono::NaiveDate;
use rusqlite::{Connection, ToSql};

/// Which statuses the queue shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StatusFilter {
    #[default]
    All,
    /// Not yet coded (ready, in progress, on hold): the coders' work, and what DNFC counts.
    Uncoded,
    Only(ChartStatus),
}

impl StatusFilter {
    /// The statuses selected, or `None` for every status.
    pub fn statuses(self) -> Option<Vec<ChartStatus>> {
        match self {
            StatusFilter::All => None,
            StatusFilter::Uncoded => Some(ChartStatus::UNCODED.to_vec()),
            StatusFilter::Only(s) => Some(vec![s]),
        }
    }

    /// The uncoded part of this selection (for the DNFC age), if any.
    pub fn uncoded_part(self) -> Option<StatusFilter> {
        match self {
            StatusFilter::All | StatusFilter::Uncoded => Some(StatusFilter::Uncoded),
            StatusFilter::Only(s) if s.is_uncoded() => Some(self),
            StatusFilter::Only(_) => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Uncoded => "uncoded",
            StatusFilter::Only(s) => s.label(),
        }
    }

    /// The next filter in the cycle: uncoded, all, then each status in turn.
    pub fn next(self) -> StatusFilter {
        match self {
            StatusFilter::Uncoded => StatusFilter::All,
            StatusFilter::All => StatusFilter::Only(ChartStatus::ALL[0]),
            StatusFilter::Only(s) => match ChartStatus::ALL.iter().position(|x| *x == s) {
                Some(i) if i + 1 < ChartStatus::ALL.len() => {
                    StatusFilter::Only(ChartStatus::ALL[i + 1])
                }
                _ => StatusFilter::Uncoded,
            },
        }
    }
}

/// What the queue shows. Empty fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub status: StatusFilter,
    pub encounter_type: Option<EncounterType>,
    /// Charts claimed by this coder.
    pub coder: Option<String>,
    /// Account or MRN prefix, or part of the patient's name (case-insensitive).
    pub text: Option<String>,
}

/// The position of a row in queue order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueKey {
    pub discharge_date: NaiveDate,
    pub chart_id: i64,
}

/// Which page to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueuePage {
    /// The oldest rows.
    First,
    /// The newest rows (still returned oldest first).
    Last,
    /// The rows after this key.
    After(QueueKey),
    /// The rows before this key (returned oldest first).
    Before(QueueKey),
    /// The rows from this key on, including it.
    From(QueueKey),
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRow {
    pub chart_id: i64,
    pub account: String,
    pub mrn: String,
    pub patient_name: String,
    pub encounter_type: EncounterType,
    pub discharge_date: NaiveDate,
    pub status: ChartStatus,
    pub claimed_by: Option<String>,
    pub open_holds: u32,
}

impl QueueRow {
    pub fn key(&self) -> QueueKey {
        QueueKey {
            discharge_date: self.discharge_date,
            chart_id: self.chart_id,
        }
    }
}

/// The size and age of what a filter selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSummary {
    pub charts: u64,
    /// The oldest discharge among the selected charts not yet coded: the DNFC age.
    pub oldest_uncoded: Option<NaiveDate>,
}

const SELECT_ROWS: &str =
    "SELECT c.chart_id, c.account, p.mrn, p.name, c.encounter_type, c.discharge_date,
        c.status, c.claimed_by,
        (SELECT count(*) FROM holds h WHERE h.chart_id = c.chart_id AND h.released_at IS NULL)
     FROM charts c JOIN patients p ON p.patient_id = c.patient_id";

/// Builds the WHERE conditions of a filter, for the given statuses (`None`: any).
/// Only present filters become SQL, so the planner can pick the matching
/// (status, type, discharge_date, chart_id) index.
fn conditions(
    filter: &QueueFilter,
    statuses: Option<&[ChartStatus]>,
) -> (Vec<String>, Vec<Box<dyn ToSql>>) {
    let mut sql = Vec::new();
    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(statuses) = statuses {
        let mut marks = Vec::with_capacity(statuses.len());
        for status in statuses {
            args.push(Box::new(status.as_str()));
            marks.push(format!("?{}", args.len()));
        }
        sql.push(format!("c.status IN ({})", marks.join(", ")));
    }
    if let Some(t) = filter.encounter_type {
        args.push(Box::new(t.as_str()));
        sql.push(format!("c.encounter_type = ?{}", args.len()));
    }
    if let Some(coder) = filter.coder.as_deref().filter(|c| !c.is_empty()) {
        args.push(Box::new(coder.to_string()));
        sql.push(format!("c.claimed_by = ?{}", args.len()));
    }
    if let Some(text) = filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        sql.push(format!(
            "c.chart_id IN ({})",
            text_candidates(text, &mut args)
        ));
    }
    (sql, args)
}

/// The upper bound of the strings that start with `prefix` (byte order, as SQLite
/// compares TEXT): `x >= prefix AND x < bound` is an index range.
fn prefix_bound(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// A subquery for the charts a typed text finds: account or MRN starting with it
/// (as typed or upper-cased), or a patient each of whose typed words begins a word
/// of the name. Every branch is an index range, so the result is a small set of
/// chart ids found without reading the charts table.
fn text_candidates(text: &str, args: &mut Vec<Box<dyn ToSql>>) -> String {
    let range = |column: &str, prefix: &str, args: &mut Vec<Box<dyn ToSql>>| {
        args.push(Box::new(prefix.to_string()));
        args.push(Box::new(prefix_bound(prefix)));
        format!(
            "{column} >= ?{} AND {column} < ?{}",
            args.len() - 1,
            args.len()
        )
    };
    let mut ids = Vec::new();
    let mut patients = Vec::new();
    let mut spellings = vec![text.to_string()];
    if text.to_uppercase() != text {
        spellings.push(text.to_uppercase());
    }
    for spelling in &spellings {
        ids.push(format!(
            "SELECT chart_id FROM charts WHERE {}",
            range("account", spelling, args)
        ));
        patients.push(format!(
            "SELECT patient_id FROM patients WHERE {}",
            range("mrn", spelling, args)
        ));
    }
    let words = super::charts::name_words(text);
    if !words.is_empty() {
        let each: Vec<String> = words
            .iter()
            .map(|w| {
                format!(
                    "SELECT patient_id FROM patient_name_words WHERE {}",
                    range("word", w, args)
                )
            })
            .collect();
        patients.push(format!(
            "SELECT patient_id FROM ({})",
            each.join(" INTERSECT ")
        ));
    }
    ids.push(format!(
        "SELECT chart_id FROM charts WHERE patient_id IN ({})",
        patients.join(" UNION ")
    ));
    ids.join(" UNION ")
}

fn where_clause(conds: &[String]) -> String {
    if conds.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conds.join(" AND "))
    }
}

/// One page of the queue, oldest discharge first.
///
/// A filter on several statuses reads one index range per status and merges them,
/// so each read stays an index seek however many charts of other statuses (years
/// of final charts) lie in between.
pub fn page(
    conn: &Connection,
    filter: &QueueFilter,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let statuses = match filter.status.statuses() {
        None => return page_of(conn, filter, None, page, limit),
        Some(statuses) if statuses.len() == 1 => {
            return page_of(conn, filter, Some(&statuses), page, limit);
        }
        Some(statuses) => statuses,
    };
    let mut rows = Vec::new();
    for status in statuses {
        rows.extend(page_of(conn, filter, Some(&[status]), page, limit)?);
    }
    rows.sort_by_key(|r| (r.discharge_date, r.chart_id));
    let keep = match page {
        // Pages that end at a key keep the rows nearest to it: the last ones.
        QueuePage::Last | QueuePage::Before(_) => rows.len().saturating_sub(limit)..rows.len(),
        _ => 0..rows.len().min(limit),
    };
    Ok(rows.drain(keep).collect())
}

/// One page of the charts with one of `statuses` (any status for `None`).
fn page_of(
    conn: &Connection,
    filter: &QueueFilter,
    statuses: Option<&[ChartStatus]>,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let (mut conds, mut args) = conditions(filter, statuses);
    let mut seek = |op: &str, key: &QueueKey, conds: &mut Vec<String>| {
        args.push(Box::new(key.discharge_date.to_string()));
        args.push(Box::new(key.chart_id));
        let n = args.len();
        conds.push(format!(
            "(c.discharge_date, c.chart_id) {op} (?{}, ?{})",
            n - 1,
            n
        ));
    };
    let descending = match page {
        QueuePage::First => false,
        QueuePage::Last => true,
        QueuePage::After(k) => {
            seek(">", k, &mut conds);
            false
        }
        QueuePage::From(k) => {
            seek(">=", k, &mut conds);
            false
        }
        QueuePage::Before(k) => {
            seek("<", k, &mut conds);
            true
        }
    };
    let order = if descending { "DESC" } else { "ASC" };
    args.push(Box::new(limit as i64));
    let sql = format!(
        "{SELECT_ROWS}{} ORDER BY c.discharge_date {order}, c.chart_id {order} LIMIT ?{}",
        where_clause(&conds),
        args.len()
    );
    let mut rows = fetch(conn, &sql, &args)?;
    if descending {
        rows.reverse();
    }
    Ok(rows)
}

/// The naive OFFSET page: the baseline the keyset pages are measured against.
pub fn page_by_offset(
    conn: &Connection,
    filter: &QueueFilter,
    offset: u64,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let (conds, mut args) = conditions(filter, filter.status.statuses().as_deref());
    args.push(Box::new(limit as i64));
    args.push(Box::new(offset as i64));
    let n = args.len();
    let sql = format!(
        "{SELECT_ROWS}{} ORDER BY c.discharge_date, c.chart_id LIMIT ?{} OFFSET ?{}",
        where_clause(&conds),
        n - 1,
        n
    );
    fetch(conn, &sql, &args)
}

fn fetch(conn: &Connection, sql: &str, args: &[Box<dyn ToSql>]) -> Result<Vec<QueueRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let mut rows = stmt.query(params.as_slice())?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let etype: String = r.get(4)?;
        let date: String = r.get(5)?;
        let status: String = r.get(6)?;
        out.push(QueueRow {
            chart_id: r.get(0)?,
            account: r.get(1)?,
            mrn: r.get(2)?,
            patient_name: r.get(3)?,
            encounter_type: etype
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
            discharge_date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
                .map_err(|_| StoreError::Corrupt("a discharge date is not YYYY-MM-DD".into()))?,
            status: status
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("{e}")))?,
            claimed_by: r.get(7)?,
            open_holds: r.get(8)?,
        });
    }
    Ok(out)
}

/// How many charts a filter selects, and the oldest uncoded discharge among them.
/// Status and type filters read the trigger-maintained counts; coder and text
/// filters count rows.
pub fn summary(conn: &Connection, filter: &QueueFilter) -> Result<QueueSummary> {
    let (conds, args) = conditions(filter, filter.status.statuses().as_deref());
    let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
    let counted_by_triggers = filter.coder.as_deref().is_none_or(str::is_empty)
        && filter.text.as_deref().is_none_or(|t| t.trim().is_empty());
    let charts: i64 = if counted_by_triggers {
        let mut sql = "SELECT coalesce(sum(charts), 0) FROM queue_counts c".to_string();
        sql.push_str(&where_clause(&conds));
        conn.prepare_cached(&sql)?
            .query_row(params.as_slice(), |r| r.get(0))?
    } else {
        let sql = format!(
            "SELECT count(*) FROM charts c JOIN patients p ON p.patient_id = c.patient_id{}",
            where_clause(&conds)
        );
        conn.prepare_cached(&sql)?
            .query_row(params.as_slice(), |r| r.get(0))?
    };
    let oldest_uncoded = match filter.status.uncoded_part() {
        Some(status) => {
            let uncoded = QueueFilter {
                status,
                ..filter.clone()
            };
            page(conn, &uncoded, &QueuePage::First, 1)?
                .first()
                .map(|r| r.discharge_date)
        }
        None => None,
    };
    Ok(QueueSummary {
        charts: charts.max(0) as u64,
        oldest_uncoded,
    })
}
