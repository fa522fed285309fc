//! The chart queue: keyset pages in discharge-date order (oldest first), filtered
//! by status, encounter type, coder and typed text.
//!
//! A page is found by seeking an index to the last row the coder saw
//! (`(discharge_date, chart_id) > (?, ?)`), so moving a page costs the same on
//! page 1 and page 20,000. [`page_by_offset`] is the naive OFFSET form, kept only
//! as the benchmark's baseline.

use super::{Result, StoreError};
use crate::domain::{ChartStatus, EncounterType};
use crate::store::sql::{Db, Dialect, ToSql};
use chrono::NaiveDate;

pub(super) mod numbers;
pub(super) mod pairs;
pub(super) mod words;

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
    /// Account or MRN prefix, or words each beginning a word of the patient's name.
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
    /// The rows up to this key, including it (returned oldest first).
    Through(QueueKey),
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
    /// When the oldest open physician query was sent (for the overdue mark).
    pub oldest_open_query: Option<String>,
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
    /// `charts` is a lower bound: the typed text matched more than
    /// [`TEXT_COUNT_CAP`] charts (of any status or type), and counting exactly
    /// would stall the keystroke.
    pub at_least: bool,
    /// The oldest discharge among the selected charts not yet coded: the DNFC age.
    pub oldest_uncoded: Option<NaiveDate>,
}

/// Above this many charts matching a typed text, the queue says "1000+" rather
/// than counting every match: a count stops there, so a keystroke that
/// matches tens of thousands of charts (a first letter) reads a thousand
/// index rows, not all of them. A coder narrowing a name to a patient reads
/// the exact figure once it is small; past the cap, the figure only says to
/// type more.
pub const TEXT_COUNT_CAP: u64 = 1_000;

/// Up to this many charts matching a typed text are collected to be read in
/// queue order (an account or MRN prefix, see [`prepare_candidates`]);
/// above it the queue itself is walked, which finds a page quickly
/// precisely because matches are that dense.
const CANDIDATES: u64 = 20_000;

const COLUMNS: &str =
    "SELECT c.chart_id, c.account, p.mrn, p.name, c.encounter_type, c.discharge_date,
        c.status, c.claimed_by,
        (SELECT count(*) FROM holds h WHERE h.chart_id = c.chart_id AND h.released_at IS NULL),
        (SELECT min(q.sent_at) FROM physician_queries q
         WHERE q.chart_id = c.chart_id AND q.status = 'open')";

/// How a typed text is matched, decided by how many charts it can find.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TextPlan {
    None,
    /// The name words the typed text begins, read in queue order from the
    /// word table (see [`words`]): the first choice for a name.
    Words(words::WordRuns),
    /// Few candidates: read them from `temp.queue_text_candidates` (see
    /// [`prepare_text`]) and filter (forced outer loop); on PostgreSQL, from
    /// the candidates' subquery itself.
    FromCandidates,
    /// Very many: walk the queue index and test each row where it stands, which
    /// finds a page quickly precisely because matches are dense.
    ScanQueue,
}

/// One queue query being built: FROM, WHERE and its numbered parameters.
struct Query {
    from: String,
    conds: Vec<String>,
    args: Vec<Box<dyn ToSql>>,
}

impl Query {
    /// The FROM and WHERE of a filter for the given statuses (`None`: any). Only
    /// present filters become SQL, so the planner can pick the matching
    /// (status, type, discharge_date, chart_id) index.
    fn new(
        dialect: Dialect,
        filter: &QueueFilter,
        statuses: Option<&[ChartStatus]>,
        plan: &TextPlan,
    ) -> Query {
        let mut q = Query {
            from: "charts c JOIN patients p ON p.patient_id = c.patient_id".into(),
            conds: Vec::new(),
            args: Vec::new(),
        };
        if let Some(statuses) = statuses {
            let marks: Vec<String> = statuses.iter().map(|s| q.arg(s.as_str())).collect();
            q.conds.push(format!("c.status IN ({})", marks.join(", ")));
        }
        if let Some(t) = filter.encounter_type {
            let mark = q.arg(t.as_str());
            q.conds.push(format!("c.encounter_type = {mark}"));
        }
        if let Some(coder) = filter.coder.as_deref().filter(|c| !c.is_empty()) {
            let mark = q.arg(coder.to_string());
            q.conds.push(format!("c.claimed_by = {mark}"));
        }
        if let Some(text) = typed_text(filter) {
            match plan {
                // CROSS JOIN keeps the candidates as the outer loop in SQLite.
                TextPlan::FromCandidates if dialect == Dialect::Sqlite => {
                    q.from = "temp.queue_text_candidates t CROSS JOIN charts c ON c.chart_id = t.chart_id \
                              JOIN patients p ON p.patient_id = c.patient_id"
                        .into();
                }
                // PostgreSQL: no table of this connection's own (one made in a
                // read is rolled back with it); the planner drives from the
                // candidates' index ranges without being told.
                TextPlan::FromCandidates => {
                    let candidates = q.text_candidates(text);
                    q.from = format!(
                        "({candidates}) t JOIN charts c ON c.chart_id = t.chart_id \
                         JOIN patients p ON p.patient_id = c.patient_id"
                    );
                }
                TextPlan::Words(_) | TextPlan::ScanQueue | TextPlan::None => {
                    let test = q.text_test(text);
                    q.conds.push(test);
                }
            }
        }
        q
    }

    /// A query with nothing in it yet, for a statement of its own.
    fn empty() -> Query {
        Query {
            from: String::new(),
            conds: Vec::new(),
            args: Vec::new(),
        }
    }

    /// Adds a parameter and returns its placeholder.
    fn arg(&mut self, value: impl ToSql + 'static) -> String {
        self.args.push(Box::new(value));
        format!("?{}", self.args.len())
    }

    fn where_clause(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }

    fn params(&self) -> Vec<&dyn ToSql> {
        self.args.iter().map(|a| a.as_ref()).collect()
    }

    /// The spellings an account or MRN prefix is tried in: as typed, and upper-cased.
    fn spellings(text: &str) -> Vec<String> {
        let mut spellings = vec![text.to_string()];
        if text.to_uppercase() != text {
            spellings.push(text.to_uppercase());
        }
        spellings
    }

    /// `alias`'s patient has a name word beginning with each typed word: the
    /// longest word seeks the word index, the others are checked per patient.
    fn name_test(&mut self, patient_id: &str, words: &[String]) -> String {
        let tests: Vec<String> = words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let range = self.prefix_range(&format!("w{i}.word"), w);
                format!(
                    "EXISTS (SELECT 1 FROM patient_name_words w{i} WHERE w{i}.patient_id = {patient_id} AND {range})"
                )
            })
            .collect();
        tests.join(" AND ")
    }

    /// A subquery for the charts a typed text finds: account or MRN starting with
    /// it (as typed or upper-cased), or a patient each of whose typed words begins a
    /// word of the name. Every branch starts from an index range.
    fn text_candidates(&mut self, text: &str) -> String {
        let (mut ids, mut patients) = self.id_selects(text);
        let mut words = super::charts::name_words(text);
        if let Some(longest) = words.iter().map(String::len).max() {
            let at = words.iter().position(|w| w.len() == longest).unwrap_or(0);
            let driver = words.remove(at);
            let range = self.prefix_range("d.word", &driver);
            let mut sql = format!("SELECT d.patient_id FROM patient_name_words d WHERE {range}");
            if !words.is_empty() {
                let rest = self.name_test("d.patient_id", &words);
                sql.push_str(&format!(" AND {rest}"));
            }
            patients.push(sql);
        }
        ids.push(format!(
            "SELECT chart_id FROM charts WHERE patient_id IN ({})",
            patients.join(" UNION ")
        ));
        ids.join(" UNION ")
    }

    /// The account and MRN half of a typed-text match: selects of the charts
    /// whose account, and of the patients whose MRN, starts with one of the
    /// text's spellings.
    fn id_selects(&mut self, text: &str) -> (Vec<String>, Vec<String>) {
        let mut ids = Vec::new();
        let mut patients = Vec::new();
        for spelling in Self::spellings(text) {
            let range = self.prefix_range("account", &spelling);
            ids.push(format!("SELECT chart_id FROM charts WHERE {range}"));
            let range = self.prefix_range("mrn", &spelling);
            patients.push(format!("SELECT patient_id FROM patients WHERE {range}"));
        }
        (ids, patients)
    }

    /// The same match as [`Self::text_candidates`], tested on the row at hand
    /// (`c`, `p`) instead of searched for.
    fn text_test(&mut self, text: &str) -> String {
        let mut tests = Vec::new();
        for spelling in Self::spellings(text) {
            tests.push(self.prefix_range("c.account", &spelling));
            tests.push(self.prefix_range("p.mrn", &spelling));
        }
        let words = super::charts::name_words(text);
        if !words.is_empty() {
            tests.push(self.name_test("c.patient_id", &words));
        }
        format!("(({}))", tests.join(") OR ("))
    }

    /// `column` starts with `prefix`, as an index range (SQLite compares TEXT
    /// bytewise, and no UTF-8 string sorts above prefix + U+10FFFF).
    fn prefix_range(&mut self, column: &str, prefix: &str) -> String {
        let low = self.arg(prefix.to_string());
        let high = self.arg(format!("{prefix}\u{10FFFF}"));
        format!("{column} >= {low} AND {column} < {high}")
    }
}

fn typed_text(filter: &QueueFilter) -> Option<&str> {
    filter
        .text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Picks the plan of a typed text: the word table's where it serves (see
/// [`words::plan`]), else [`prepare_candidates`].
fn prepare_text(conn: &Db, filter: &QueueFilter) -> Result<TextPlan> {
    let Some(text) = typed_text(filter) else {
        return Ok(TextPlan::None);
    };
    match words::plan(conn, filter, text)? {
        words::Planned::Runs(runs) => return Ok(TextPlan::Words(runs)),
        words::Planned::ManyIds => return Ok(TextPlan::ScanQueue),
        words::Planned::Neither => {}
    }
    prepare_candidates(conn, text)
}

/// Finds the charts a typed text matches, once per text and store generation (the
/// newest chart id), into `temp.queue_text_candidates` (at most one more than
/// [`CANDIDATES`]), and picks the plan: the page, the count and the DNFC age of a keystroke
/// then share one search. TEMP tables belong to this connection and take no lock
/// on the database.
fn prepare_candidates(conn: &Db, text: &str) -> Result<TextPlan> {
    if conn.dialect() == Dialect::Postgres {
        if dense_word(conn, text)? {
            return Ok(TextPlan::ScanQueue);
        }
        return count_candidates(conn, text);
    }
    text_tables(conn)?;
    let generation: i64 =
        conn.query_row("SELECT coalesce(max(chart_id), 0) FROM charts", [], |r| {
            r.get(0)
        })?;
    let cached: Option<i64> = conn.query_opt(
        "SELECT found FROM temp.queue_text_key WHERE text = ?1 AND generation = ?2",
        crate::store::sql::params![text, generation],
        |r| r.get(0),
    )?;
    let found = match cached {
        Some(found) => found,
        None if dense_word(conn, text)? => {
            conn.execute("DELETE FROM temp.queue_text_key", [])?;
            let found = CANDIDATES as i64 + 1;
            conn.execute(
                "INSERT INTO temp.queue_text_key (text, generation, found) VALUES (?1, ?2, ?3)",
                crate::store::sql::params![text, generation, found],
            )?;
            found
        }
        None => {
            let mut q = Query::empty();
            let candidates = q.text_candidates(text);
            let cap = q.arg(CANDIDATES as i64 + 1);
            conn.execute("DELETE FROM temp.queue_text_candidates", [])?;
            conn.execute("DELETE FROM temp.queue_text_key", [])?;
            let sql = format!(
                "INSERT INTO temp.queue_text_candidates SELECT chart_id FROM ({candidates}) LIMIT {cap}"
            );
            let found = conn.execute(&sql, q.params().as_slice())? as i64;
            conn.execute(
                "INSERT INTO temp.queue_text_key (text, generation, found) VALUES (?1, ?2, ?3)",
                crate::store::sql::params![text, generation, found],
            )?;
            found
        }
    };
    Ok(if found as u64 > CANDIDATES {
        TextPlan::ScanQueue
    } else {
        TextPlan::FromCandidates
    })
}

/// SQLite's tables of this connection's own for the typed-text search.
fn text_tables(conn: &Db) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS queue_text_candidates (chart_id INTEGER PRIMARY KEY) STRICT;
         CREATE TEMP TABLE IF NOT EXISTS queue_text_key
             (text TEXT NOT NULL, generation INTEGER NOT NULL, found INTEGER NOT NULL) STRICT;",
    )?;
    Ok(())
}

/// Whether `text` is one word that begins a name word of more than [`CANDIDATES`]
/// patients: it then finds more than that many charts (a patient is only ever
/// stored with a chart, and charts are never deleted), which the word index
/// alone tells in a few milliseconds, where collecting the candidates (tens of
/// thousands at a million charts for a first letter) took 70-100 ms.
fn dense_word(conn: &Db, text: &str) -> Result<bool> {
    let words = super::charts::name_words(text);
    let [word] = words.as_slice() else {
        return Ok(false);
    };
    let mut q = Query::empty();
    let range = q.prefix_range("word", word);
    let cap = q.arg(CANDIDATES as i64 + 1);
    let sql = format!(
        "SELECT count(*) FROM (SELECT DISTINCT patient_id FROM patient_name_words WHERE {range} LIMIT {cap}) AS d"
    );
    let patients: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
    Ok(patients as u64 > CANDIDATES)
}

/// Forgets the typed text this connection searched last, so the next page or
/// count searches afresh (the benches time every keystroke as a new text).
/// PostgreSQL keeps nothing between statements.
pub fn forget_text_search(conn: &Db) -> Result<()> {
    if conn.dialect() == Dialect::Sqlite {
        text_tables(conn)?;
        conn.execute("DELETE FROM temp.queue_text_key", [])?;
    }
    Ok(())
}

/// PostgreSQL's [`prepare_text`]: the candidates counted up to one more than
/// [`CANDIDATES`], at each call (nothing kept between statements).
fn count_candidates(conn: &Db, text: &str) -> Result<TextPlan> {
    let mut q = Query::empty();
    let candidates = q.text_candidates(text);
    let cap = q.arg(CANDIDATES as i64 + 1);
    let sql = format!("SELECT count(*) FROM (SELECT chart_id FROM ({candidates}) t LIMIT {cap}) n");
    let found: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
    Ok(if found as u64 > CANDIDATES {
        TextPlan::ScanQueue
    } else {
        TextPlan::FromCandidates
    })
}

/// One page of the queue, oldest discharge first.
///
/// SQLite's count of commits by other connections to the database
/// (`PRAGMA data_version`): when it changes, the queue is worth reloading.
/// PostgreSQL has no such counter: the newest audit row's id stands in (every
/// change writes one), which also moves on this connection's own changes,
/// and may miss a change whose id is older than one committed before it
/// (identity values are not handed out in commit order) until the next one.
pub fn data_version(conn: &Db) -> Result<i64> {
    let sql = match conn.dialect() {
        Dialect::Sqlite => "PRAGMA data_version",
        Dialect::Postgres => "SELECT coalesce(max(audit_id), 0) FROM audit",
    };
    Ok(conn.query_row(sql, [], |r| r.get(0))?)
}

/// A filter on several statuses reads one index range per status and merges them,
/// so each read stays an index seek however many charts of other statuses (years
/// of final charts) lie in between.
pub fn page(
    conn: &Db,
    filter: &QueueFilter,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let plan = prepare_text(conn, filter)?;
    page_planned(conn, filter, &plan, page, limit)
}

/// A keystroke's read: one page and, when `with_summary`, the filter's
/// summary, the typed text's plan made once for the page, the count and the
/// DNFC age (the plan depends on the text and the coder, not the status);
/// the age is the page's first row when the page is the first of the
/// uncoded charts itself. Gives what [`page`] and [`summary`] give.
pub fn page_and_summary(
    conn: &Db,
    filter: &QueueFilter,
    page: &QueuePage,
    limit: usize,
    with_summary: bool,
) -> Result<(Vec<QueueRow>, Option<QueueSummary>)> {
    let plan = prepare_text(conn, filter)?;
    let (rows, counted) = page_counted(conn, filter, &plan, page, limit)?;
    if !with_summary {
        return Ok((rows, None));
    }
    let first = (*page == QueuePage::First && limit > 0).then_some(rows.as_slice());
    let summary = summary_planned(conn, filter, &plan, first, counted)?;
    Ok((rows, Some(summary)))
}

/// [`page`] with the typed text's plan already made.
fn page_planned(
    conn: &Db,
    filter: &QueueFilter,
    plan: &TextPlan,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    Ok(page_counted(conn, filter, plan, page, limit)?.0)
}

/// A page and, when the page's statement read it too, the count line
/// (charts, and whether that is "N+").
type PageCounted = (Vec<QueueRow>, Option<(u64, bool)>);

/// [`page_planned`], and the count line when the page's statement read it
/// too (an account or MRN prefix on PostgreSQL, see [`words::page_counted`]).
fn page_counted(
    conn: &Db,
    filter: &QueueFilter,
    plan: &TextPlan,
    page: &QueuePage,
    limit: usize,
) -> Result<PageCounted> {
    if let (TextPlan::Words(runs), Some(text)) = (plan, typed_text(filter)) {
        return words::page_counted(conn, filter, runs, text, page, limit);
    }
    Ok((page_unworded(conn, filter, plan, page, limit)?, None))
}

/// [`page_planned`] of a plan other than the word tables'.
fn page_unworded(
    conn: &Db,
    filter: &QueueFilter,
    plan: &TextPlan,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let statuses = match filter.status.statuses() {
        Some(statuses) if statuses.len() > 1 && *plan != TextPlan::FromCandidates => statuses,
        // One status, any status, or a small candidate set: one query.
        statuses => return page_of(conn, filter, statuses.as_deref(), plan, page, limit),
    };
    let mut rows = Vec::new();
    for status in statuses {
        rows.extend(page_of(conn, filter, Some(&[status]), plan, page, limit)?);
    }
    rows.sort_by_key(|r| (r.discharge_date, r.chart_id));
    let keep = match page {
        // Pages that end at a key keep the rows nearest to it: the last ones.
        QueuePage::Last | QueuePage::Before(_) | QueuePage::Through(_) => {
            rows.len().saturating_sub(limit)..rows.len()
        }
        _ => 0..rows.len().min(limit),
    };
    Ok(rows.drain(keep).collect())
}

/// One page of the charts with one of `statuses` (any status for `None`).
fn page_of(
    conn: &Db,
    filter: &QueueFilter,
    statuses: Option<&[ChartStatus]>,
    plan: &TextPlan,
    page: &QueuePage,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let mut q = Query::new(conn.dialect(), filter, statuses, plan);
    let seek = |op: &str, key: &QueueKey, q: &mut Query| {
        let date = q.arg(key.discharge_date.to_string());
        let id = q.arg(key.chart_id);
        q.conds.push(format!(
            "(c.discharge_date, c.chart_id) {op} ({date}, {id})"
        ));
    };
    let descending = match page {
        QueuePage::First => false,
        QueuePage::Last => true,
        QueuePage::After(k) => {
            seek(">", k, &mut q);
            false
        }
        QueuePage::From(k) => {
            seek(">=", k, &mut q);
            false
        }
        QueuePage::Before(k) => {
            seek("<", k, &mut q);
            true
        }
        QueuePage::Through(k) => {
            seek("<=", k, &mut q);
            true
        }
    };
    let order = if descending { "DESC" } else { "ASC" };
    let limit = q.arg(limit as i64);
    let sql = format!(
        "{COLUMNS} FROM {}{} ORDER BY c.discharge_date {order}, c.chart_id {order} LIMIT {limit}",
        q.from,
        q.where_clause()
    );
    let mut rows = fetch(conn, &sql, &q.params())?;
    if descending {
        rows.reverse();
    }
    Ok(rows)
}

/// The naive OFFSET page: the baseline the keyset pages are measured against.
pub fn page_by_offset(
    conn: &Db,
    filter: &QueueFilter,
    offset: u64,
    limit: usize,
) -> Result<Vec<QueueRow>> {
    let mut q = Query::new(
        conn.dialect(),
        filter,
        filter.status.statuses().as_deref(),
        &TextPlan::ScanQueue,
    );
    let limit = q.arg(limit as i64);
    let offset = q.arg(offset as i64);
    let sql = format!(
        "{COLUMNS} FROM {}{} ORDER BY c.discharge_date, c.chart_id LIMIT {limit} OFFSET {offset}",
        q.from,
        q.where_clause()
    );
    fetch(conn, &sql, &q.params())
}

fn fetch(conn: &Db, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<QueueRow>> {
    Ok(fetch_counted(conn, sql, params, false)?.0)
}

/// The rows of [`COLUMNS`] and, when `counted`, the figure in the column
/// after them (the same on every row; `None` without a row).
fn fetch_counted(
    conn: &Db,
    sql: &str,
    params: &[&dyn ToSql],
    counted: bool,
) -> Result<(Vec<QueueRow>, Option<i64>)> {
    let mut out = Vec::new();
    let mut figure = None;
    conn.for_each(sql, params, |r| -> Result<()> {
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
            oldest_open_query: r.get(9)?,
        });
        if counted {
            figure = Some(r.get(10)?);
        }
        Ok(())
    })?;
    Ok((out, figure))
}

/// How many charts a filter selects, and the oldest uncoded discharge among them.
/// Status and type filters read the trigger-maintained counts; a coder filter
/// counts its index range; typed text counts its candidates, up to the cap.
pub fn summary(conn: &Db, filter: &QueueFilter) -> Result<QueueSummary> {
    let plan = prepare_text(conn, filter)?;
    summary_planned(conn, filter, &plan, None, None)
}

/// [`summary`] with the typed text's plan already made; `first`: the first
/// page of `filter` when already read (at least one row asked); `counted`:
/// the count line when the page's statement read it.
fn summary_planned(
    conn: &Db,
    filter: &QueueFilter,
    plan: &TextPlan,
    first: Option<&[QueueRow]>,
    counted: Option<(u64, bool)>,
) -> Result<QueueSummary> {
    let statuses = filter.status.statuses();
    let no_coder = filter.coder.as_deref().is_none_or(str::is_empty);
    let (charts, at_least) = if let (TextPlan::Words(runs), Some(text)) = (plan, typed_text(filter))
    {
        let (n, at_least) = match counted {
            Some(counted) => counted,
            None => words::count(conn, filter, runs, text)?,
        };
        (n as i64, at_least)
    } else if *plan == TextPlan::None && no_coder {
        let q = Query::new(conn.dialect(), filter, statuses.as_deref(), plan);
        let sql = format!(
            "SELECT coalesce(sum(charts), 0) FROM queue_counts c{}",
            q.where_clause()
        );
        let n: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
        (n, false)
    } else if *plan == TextPlan::ScanQueue {
        // The text alone matches more than the cap: say "N+" rather than count them
        // row by row (at a few percent of a million charts that takes seconds).
        (TEXT_COUNT_CAP as i64, true)
    } else {
        let mut q = Query::new(conn.dialect(), filter, statuses.as_deref(), plan);
        let cap = q.arg(TEXT_COUNT_CAP as i64 + 1);
        let sql = format!(
            "SELECT count(*) FROM (SELECT 1 FROM {}{} LIMIT {cap}) n",
            q.from,
            q.where_clause()
        );
        let n: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
        if n as u64 > TEXT_COUNT_CAP {
            (TEXT_COUNT_CAP as i64, true)
        } else {
            (n, false)
        }
    };
    let oldest_uncoded = match (filter.status.uncoded_part(), first) {
        // The page read is the first of the uncoded charts themselves.
        (Some(status), Some(rows)) if status == filter.status => {
            rows.first().map(|r| r.discharge_date)
        }
        (Some(status), _) => {
            let uncoded = QueueFilter {
                status,
                ..filter.clone()
            };
            page_planned(conn, &uncoded, plan, &QueuePage::First, 1)?
                .first()
                .map(|r| r.discharge_date)
        }
        (None, _) => None,
    };
    Ok(QueueSummary {
        charts: charts.max(0) as u64,
        at_least,
        oldest_uncoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::testing::Stores;

    fn store(stores: &Stores, charts: u64) -> Store {
        let mut store = stores.open();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        crate::demo::generate(&mut store, charts, 9, today).unwrap();
        store
    }

    both_stores! {
        fn both_text_plans_give_the_same_pages(stores: &Stores) {
            let store = store(stores, 600);
            let conn = store.conn();
            for text in ["G00000", "gm0000012", "zelda", "yarrow z", "a", "nobody"] {
                for status in [
                    StatusFilter::All,
                    StatusFilter::Uncoded,
                    StatusFilter::Only(ChartStatus::Ready),
                ] {
                    let filter = QueueFilter {
                        status,
                        text: Some(text.into()),
                        ..QueueFilter::default()
                    };
                    prepare_candidates(conn, text).unwrap();
                    let statuses = status.statuses();
                    let mut key = None;
                    for _ in 0..4 {
                        let page = key.clone().map_or(QueuePage::First, QueuePage::After);
                        let a = page_of(
                            conn,
                            &filter,
                            statuses.as_deref(),
                            &TextPlan::FromCandidates,
                            &page,
                            7,
                        )
                        .unwrap();
                        let b = page_of(
                            conn,
                            &filter,
                            statuses.as_deref(),
                            &TextPlan::ScanQueue,
                            &page,
                            7,
                        )
                        .unwrap();
                        assert_eq!(a, b, "{text:?} {status:?} after {key:?}");
                        // The plan the queue picks (the word table's where it can).
                        let picked = super::page(conn, &filter, &page, 7).unwrap();
                        assert_eq!(picked, b, "{text:?} {status:?} after {key:?}");
                        prepare_candidates(conn, text).unwrap();
                        key = a.last().map(QueueRow::key);
                        if key.is_none() {
                            break;
                        }
                    }
                }
            }
        }
    }

    both_stores! {
        fn account_and_mrn_prefixes_read_by_range_or_walk_give_the_queue_s_pages(stores: &Stores) {
            // The walk of the queue order (used past FEW_NUMBERS rows) and the
            // prefix range (used below it) against the queue walked with the
            // text tested on each chart, whatever the count: accounts are
            // G000000001..G000000600 and MRNs GM00000001..GM00000600, so no
            // name word begins these texts.
            let store = store(stores, 600);
            let conn = store.conn();
            for text in ["G0000001", "g000000", "GM0000004", "gm00000012", "GM9", "G"] {
                for status in [StatusFilter::All, StatusFilter::Uncoded] {
                    let filter = QueueFilter {
                        status,
                        text: Some(text.into()),
                        ..QueueFilter::default()
                    };
                    let statuses = status.statuses();
                    let plain = |page: &QueuePage| {
                        let mut rows = Vec::new();
                        for s in statuses.clone().unwrap_or_else(|| ChartStatus::ALL.to_vec()) {
                            rows.extend(
                                page_of(conn, &filter, Some(&[s]), &TextPlan::ScanQueue, page, 7)
                                    .unwrap(),
                            );
                        }
                        rows.sort_by_key(|r| (r.discharge_date, r.chart_id));
                        let n = rows.len();
                        match page {
                            QueuePage::Last | QueuePage::Before(_) => rows.split_off(n.saturating_sub(7)),
                            _ => {
                                rows.truncate(7);
                                rows
                            }
                        }
                    };
                    let every_plan = [
                        numbers::Numbers::Few,
                        numbers::Numbers::Many,
                        numbers::Numbers::Unread,
                    ];
                    for numbers in every_plan {
                        let runs = words::WordRuns {
                            runs: Vec::new(),
                            numbers,
                            others: Vec::new(),
                        };
                        let mut pages = vec![QueuePage::First, QueuePage::Last];
                        let first = plain(&QueuePage::First);
                        if let Some(row) = first.get(3) {
                            pages.push(QueuePage::After(row.key()));
                            pages.push(QueuePage::Before(row.key()));
                        }
                        for page in pages {
                            let (got, counted) =
                                words::page_counted(conn, &filter, &runs, text, &page, 7).unwrap();
                            assert_eq!(got, plain(&page), "{text:?} {status:?} {numbers:?} {page:?}");
                            // Read with the page only when the page's own rows were read.
                            let read = numbers == numbers::Numbers::Unread && !got.is_empty();
                            assert_eq!(counted.is_some(), read, "{text:?} {numbers:?} {page:?}");
                        }
                    }
                    // Counted from the range, exact below the cap, with the
                    // range (`Few`), read at once (`Unread`, alone or with
                    // the first page).
                    let mut every = 0;
                    let mut key = QueuePage::First;
                    loop {
                        let rows = page_of(conn, &filter, statuses.as_deref(), &TextPlan::ScanQueue, &key, 50)
                            .unwrap();
                        let Some(last) = rows.last() else { break };
                        every += rows.len() as u64;
                        key = QueuePage::After(last.key());
                    }
                    for numbers in [numbers::Numbers::Few, numbers::Numbers::Unread] {
                        let runs = words::WordRuns {
                            runs: Vec::new(),
                            numbers,
                            others: Vec::new(),
                        };
                        let counted = words::count(conn, &filter, &runs, text).unwrap();
                        assert_eq!(counted, (every, false), "{text:?} {status:?} {numbers:?}");
                        let (rows, with_page) =
                            words::page_counted(conn, &filter, &runs, text, &QueuePage::First, 7)
                                .unwrap();
                        if !rows.is_empty() && numbers == numbers::Numbers::Unread {
                            assert_eq!(with_page, Some((every, false)), "{text:?} {status:?}");
                        }
                    }
                }
            }
        }
    }

    both_stores! {
        fn a_text_matching_more_than_the_cap_is_counted_as_at_least(stores: &Stores) {
            let store = store(stores, CANDIDATES + 10);
            let conn = store.conn();
            let every = QueueFilter {
                text: Some("g".into()),
                ..QueueFilter::default()
            };
            assert_eq!(prepare_text(conn, &every).unwrap(), TextPlan::ScanQueue);
            let s = summary(conn, &every).unwrap();
            assert_eq!((s.charts, s.at_least), (TEXT_COUNT_CAP, true));
            let first = page(conn, &every, &QueuePage::First, 5).unwrap();
            let unfiltered = page(conn, &QueueFilter::default(), &QueuePage::First, 5).unwrap();
            assert_eq!(first, unfiltered, "every account starts with G");

            let few = QueueFilter {
                text: Some("G00000120".into()),
                ..QueueFilter::default()
            };
            // PostgreSQL leaves the rows to the page's statement to count.
            let counted_first = match conn.dialect() {
                Dialect::Sqlite => numbers::Numbers::Few,
                Dialect::Postgres => numbers::Numbers::Unread,
            };
            assert_eq!(
                prepare_text(conn, &few).unwrap(),
                TextPlan::Words(words::WordRuns {
                    runs: Vec::new(),
                    numbers: counted_first,
                    others: Vec::new(),
                }),
                "no name word begins with it: the accounts alone"
            );
            let s = summary(conn, &few).unwrap();
            assert_eq!(
                (s.charts, s.at_least),
                (10, false),
                "G000001200..G000001209"
            );

            // The cap itself is exact; one more is "1000+". Accounts are G and
            // the chart's number in 9 digits: G000012000..G000012999 is 1,000
            // charts, G000010000..G000019999 is 10,000 (typed in lower
            // case: no account begins "g0001", 10,000 begin "G0001"), and
            // all 20,010 begin "G000": more than FEW_NUMBERS, the queue walked.
            let texts = [
                ("G000012", (1_000, false)),
                ("G00001", (TEXT_COUNT_CAP, true)),
                ("g00001", (TEXT_COUNT_CAP, true)),
                ("G000", (TEXT_COUNT_CAP, true)),
            ];
            for (text, expected) in texts {
                let filter = QueueFilter {
                    text: Some(text.into()),
                    ..QueueFilter::default()
                };
                assert!(
                    matches!(prepare_text(conn, &filter).unwrap(), TextPlan::Words(_)),
                    "{text}: fewer than {CANDIDATES} accounts are read from their index"
                );
                let (rows, s) =
                    page_and_summary(conn, &filter, &QueuePage::First, 3, true).unwrap();
                let s = s.unwrap();
                assert_eq!((s.charts, s.at_least), expected, "{text}");
                assert!(rows.iter().all(|r| r.account.starts_with(&text.to_uppercase())), "{text}");
                assert_eq!(rows.len(), 3, "{text}");
                let walked =
                    page_of(conn, &filter, None, &TextPlan::ScanQueue, &QueuePage::First, 3).unwrap();
                assert_eq!(rows, walked, "{text}: the queue walked with the text tested");
            }

            // Two typed words are read as pairs of name words: the longest
            // typed word's name words paired with the names' words beginning
            // with the other.
            let two = QueueFilter {
                text: Some("zel yarrow".into()),
                ..QueueFilter::default()
            };
            let TextPlan::Words(runs) = prepare_text(conn, &two).unwrap() else {
                panic!("two typed words take the word tables")
            };
            assert!(!runs.runs.is_empty() && runs.others.is_empty(), "{runs:?}");
            for run in &runs.runs {
                let words::Run::Pair(word, other) = run else {
                    panic!("{run:?} is not a pair")
                };
                assert_eq!(word, "yarrow");
                assert!(other.starts_with("zel"), "{other}");
            }
        }
    }
}
