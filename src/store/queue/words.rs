//! The typed text's name words read from `chart_name_words` (SQLite
//! migration 10, PostgreSQL migration 3): one row per word of each chart's
//! patient name with the chart's status and queue order, primary key (word,
//! status, discharge_date, chart_id). The charts of one word and one status
//! are one index range already in queue order, so a page of a typed word is
//! a seek per (name word it begins, status), merged, however many charts
//! have that word; and its count reads one index range, up to the cap.
//! Two typed words are read the same way from the pairs of name words
//! (see [`super::pairs`]).

use super::numbers::{self, Numbers};
use super::{
    COLUMNS, PageCounted, Query, QueueFilter, QueueKey, QueuePage, TEXT_COUNT_CAP, fetch_counted,
};
use crate::domain::ChartStatus;
use crate::store::Result;
use crate::store::sql::{Db, Dialect};

/// At most this many name words beginning with the typed word are read as
/// runs of their own; a word that begins more (a first letter, among real
/// names) is left to the queue's other plans, which are quick precisely
/// when a text matches that many charts.
pub(super) const MAX_WORDS: usize = 24;

/// How a typed text is read from the word tables: the charts of each of
/// `runs`, and the charts whose account or MRN begins with the text, read
/// from `chart_numbers` as `numbers` says (see [`super::numbers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WordRuns {
    pub runs: Vec<Run>,
    pub numbers: Numbers,
    /// Each other typed word: the name words it begins (tested in the word
    /// table itself, a key seek each), or, past [`MAX_WORDS`] of them, the
    /// prefix (tested on the patient's words).
    pub others: Vec<Other>,
}

/// One run of charts in queue order per status: the charts whose name has
/// a word (`chart_name_words`), or two different words
/// (`chart_name_pairs`, see [`super::pairs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Run {
    Word(String),
    Pair(String, String),
}

impl Run {
    /// The run's table as `w` and its condition, parameters added to `q`.
    fn table_and_test(&self, q: &mut Query) -> (&'static str, String) {
        match self {
            Run::Word(word) => (
                "chart_name_words",
                format!("w.word = {}", q.arg(word.clone())),
            ),
            Run::Pair(word, other) => {
                let word = q.arg(word.clone());
                let other = q.arg(other.clone());
                (
                    "chart_name_pairs",
                    format!("w.word = {word} AND w.other_word = {other}"),
                )
            }
        }
    }
}

/// How one more typed word is tested on the charts of the runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Other {
    Words(Vec<String>),
    Prefix(String),
}

/// The typed words: the longest (the first of the longest) is read from the
/// word table, the others are tested on each of its charts; another typed
/// word that begins the longest is dropped (the name word the longest
/// begins begins it too).
fn split_typed(text: &str) -> Option<(String, Vec<String>)> {
    let mut words = crate::store::charts::name_words(text);
    let longest = words.iter().map(String::len).max()?;
    let at = words.iter().position(|w| w.len() == longest).unwrap_or(0);
    let driver = words.remove(at);
    words.retain(|w| !driver.starts_with(w.as_str()));
    // The most telling other word first: it is read with the driver as pairs.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    Some((driver, words))
}

/// The word tables' plan for `text`, or `None` when another plan serves it
/// better: a coder's own charts (a few, read from the coder's index), a text
/// with no name word, a typed word that begins more than [`MAX_WORDS`] name
/// words, or an account or MRN prefix of more than
/// [`numbers::FEW_NUMBERS`] charts that also begins a name word (a short
/// prefix such as "g": the queue walked with every test is quick then).
/// With two typed words or more, the longest and the next are read as pairs
/// of name words, when at most [`MAX_WORDS`] pairs exist.
pub(super) fn plan(conn: &Db, filter: &QueueFilter, text: &str) -> Result<Planned> {
    if filter.coder.as_deref().is_some_and(|c| !c.is_empty()) {
        return Ok(Planned::Neither);
    }
    let Some((driver, mut typed_others)) = split_typed(text) else {
        return Ok(Planned::Neither);
    };
    let (words, found) = driver_words_and_ids(conn, &driver, text)?;
    let numbers = found.map_or(Numbers::Unread, Numbers::from_found);
    if numbers == Numbers::Many && !words.is_empty() {
        return Ok(Planned::ManyIds);
    }
    if words.len() > MAX_WORDS {
        return Ok(Planned::Neither);
    }
    let mut runs: Vec<Run> = words.into_iter().map(Run::Word).collect();
    if !typed_others.is_empty() {
        let driver_words: Vec<String> = runs
            .iter()
            .filter_map(|r| match r {
                Run::Word(w) => Some(w.clone()),
                Run::Pair(..) => None,
            })
            .collect();
        let pairs = super::pairs::pairs_from(conn, &driver_words, &typed_others[0])?;
        if pairs.len() <= MAX_WORDS {
            typed_others.remove(0);
            runs = pairs.into_iter().map(|(w, o)| Run::Pair(w, o)).collect();
        }
    }
    let mut others = Vec::new();
    for other in typed_others {
        let found = name_words_from(conn, &other)?;
        if found.is_empty() {
            // No name has a word it begins: no name matches.
            runs.clear();
        }
        others.push(if found.len() > MAX_WORDS {
            Other::Prefix(other)
        } else {
            Other::Words(found)
        });
    }
    Ok(Planned::Runs(WordRuns {
        runs,
        numbers,
        others,
    }))
}

/// What [`plan`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Planned {
    Runs(WordRuns),
    /// More than [`numbers::FEW_NUMBERS`] charts by account or MRN alone,
    /// and name words too: matches are dense enough for the queue to be
    /// walked with every test.
    ManyIds,
    /// Another plan serves the text.
    Neither,
}

/// The distinct name words beginning with `prefix`, at most one more than
/// [`MAX_WORDS`], one index seek each.
fn name_words_from(conn: &Db, prefix: &str) -> Result<Vec<String>> {
    let mut q = Query::empty();
    let sql = name_words_sql(&mut q, prefix);
    Ok(conn.query_map(&sql, q.params().as_slice(), |r| r.get(0))?)
}

/// The statement of [`name_words_from`], its parameters added to `q`.
fn name_words_sql(q: &mut Query, prefix: &str) -> String {
    let low = q.arg(prefix.to_string());
    let high = q.arg(format!("{prefix}\u{10FFFF}"));
    let most = q.arg(MAX_WORDS as i64 + 1);
    format!(
        "WITH RECURSIVE found(word) AS (
             SELECT min(word) FROM chart_name_words WHERE word >= {low} AND word < {high}
             UNION ALL
             SELECT (SELECT min(w.word) FROM chart_name_words w
                     WHERE w.word > found.word AND w.word < {high})
             FROM found WHERE found.word IS NOT NULL)
         SELECT word FROM found WHERE word IS NOT NULL LIMIT {most}"
    )
}

/// [`name_words_from`] of the driving word and how many `chart_numbers`
/// rows begin with `text` (up to one more than [`numbers::FEW_NUMBERS`] a
/// spelling), in one statement (one round trip on PostgreSQL): the words'
/// rows carry no count, one last row carries the count and no word. On
/// PostgreSQL the rows are counted only when the driving word begins a name
/// word (`None` otherwise: the text's page reads and counts them at once,
/// see [`Numbers::Unread`]).
fn driver_words_and_ids(conn: &Db, driver: &str, text: &str) -> Result<(Vec<String>, Option<i64>)> {
    let mut q = Query::empty();
    let words = name_words_sql(&mut q, driver);
    let mut found = numbers::found_sql(&mut q, text);
    if conn.dialect() == Dialect::Postgres {
        let named = name_words_sql(&mut q, driver);
        found = format!("CASE WHEN EXISTS ({named}) THEN {found} END");
    }
    let sql = format!(
        "SELECT d.word, NULL AS found FROM ({words}) d
         UNION ALL
         SELECT NULL, {found}"
    );
    let rows: Vec<(Option<String>, Option<i64>)> =
        conn.query_map(&sql, q.params().as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut words = Vec::new();
    let mut found = None;
    for (word, count) in rows {
        match (word, count) {
            (Some(word), _) => words.push(word),
            (None, Some(n)) => found = Some(n),
            (None, None) => {}
        }
    }
    Ok((words, found))
}

/// The conditions beyond a row's word and status, each as " AND …": the
/// chart `c`'s encounter type (every run), and the other typed words on
/// the word table's row `w` (the name runs only: an account or MRN match
/// needs no name); and whether they need the chart `c` joined. Without a
/// name run the other words are not asked (an unused parameter is an error
/// on PostgreSQL).
fn chart_conds(q: &mut Query, filter: &QueueFilter, runs: &WordRuns) -> (String, String, bool) {
    let kind = match filter.encounter_type {
        Some(t) => format!(" AND c.encounter_type = {}", q.arg(t.as_str())),
        None => String::new(),
    };
    let mut names = String::new();
    let mut prefixes = Vec::new();
    if !runs.runs.is_empty() {
        for (i, other) in runs.others.iter().enumerate() {
            match other {
                Other::Words(words) => {
                    let marks: Vec<String> = words.iter().map(|w| q.arg(w.clone())).collect();
                    names.push_str(&format!(
                        " AND EXISTS (SELECT 1 FROM chart_name_words o{i}
                             WHERE o{i}.word IN ({}) AND o{i}.status = w.status
                               AND o{i}.discharge_date = w.discharge_date
                               AND o{i}.chart_id = w.chart_id)",
                        marks.join(", ")
                    ));
                }
                Other::Prefix(prefix) => prefixes.push(prefix.clone()),
            }
        }
    }
    if !prefixes.is_empty() {
        names.push_str(&format!(" AND {}", q.name_test("c.patient_id", &prefixes)));
    }
    let join = !kind.is_empty() || !prefixes.is_empty();
    (kind, names, join)
}

/// The side of a key a page lies on: the comparison and key, and whether
/// it is read newest first.
fn side(page: &QueuePage) -> (Option<(&'static str, &QueueKey)>, bool) {
    match page {
        QueuePage::First => (None, false),
        QueuePage::Last => (None, true),
        QueuePage::After(k) => (Some((">", k)), false),
        QueuePage::From(k) => (Some((">=", k)), false),
        QueuePage::Before(k) => (Some(("<", k)), true),
        QueuePage::Through(k) => (Some(("<=", k)), true),
    }
}

/// One page of the charts `runs` finds, in queue order: each (word, status)
/// run gives its first `limit` rows past the key (a seek each), the
/// account/MRN arms theirs (see [`numbers::page_arms`]), and the union's
/// first `limit` are the page. A chart two of its words find is one row of
/// the union. With [`Numbers::Unread`], also the count line [`count`]
/// gives, read in the same statement from the same rows (`None` when the
/// page is empty, or the numbers were counted before).
pub(super) fn page_counted(
    conn: &Db,
    filter: &QueueFilter,
    runs: &WordRuns,
    text: &str,
    page: &QueuePage,
    limit: usize,
) -> Result<PageCounted> {
    let (key, descending) = side(page);
    let order = if descending { "DESC" } else { "ASC" };
    let mut q = Query::empty();
    let limit_rows = limit;
    let limit = q.arg(limit as i64);
    let key = key.map(|(op, k)| {
        let date = q.arg(k.discharge_date.to_string());
        let id = q.arg(k.chart_id);
        (op, date, id)
    });
    let past = |alias: &str| match &key {
        Some((op, date, id)) => {
            format!(" AND ({alias}.discharge_date, {alias}.chart_id) {op} ({date}, {id})")
        }
        None => String::new(),
    };
    let (kind, names, join) = chart_conds(&mut q, filter, runs);
    let join = if join {
        " JOIN charts c ON c.chart_id = w.chart_id"
    } else {
        ""
    };
    let statuses = filter
        .status
        .statuses()
        .unwrap_or_else(|| ChartStatus::ALL.to_vec());
    let statuses: Vec<String> = statuses.iter().map(|s| q.arg(s.as_str())).collect();
    let ordered = |alias: &str| {
        format!("ORDER BY {alias}.discharge_date {order}, {alias}.chart_id {order} LIMIT {limit}")
    };
    let mut arms = Vec::new();
    for run in &runs.runs {
        let (table, cond) = run.table_and_test(&mut q);
        for status in &statuses {
            arms.push(format!(
                "SELECT w.discharge_date, w.chart_id FROM {table} w{join}
                 WHERE {cond} AND w.status = {status}{kind}{names}{} {}",
                past("w"),
                ordered("w")
            ));
        }
    }
    if runs.numbers != Numbers::None {
        let twice = q.arg(2 * limit_rows as i64);
        let shared = numbers::Shared {
            kind: &kind,
            past: &past("c"),
            order,
            twice: &twice,
        };
        arms.extend(numbers::page_arms(
            &mut q,
            conn.dialect(),
            runs.numbers,
            text,
            &statuses,
            &shared,
        ));
    }
    if arms.is_empty() {
        return Ok((Vec::new(), None));
    }
    let (with, counted) = if runs.numbers == Numbers::Unread {
        let ctes = numbers::range_ctes(&mut q, text);
        let marks = status_marks(&mut q, filter);
        let count = numbers::unread_count_sql(&mut q, marks.as_deref(), &kind, TEXT_COUNT_CAP);
        (format!("WITH {ctes} "), format!(", {count} AS counted"))
    } else {
        (String::new(), String::new())
    };
    let arms: Vec<String> = arms
        .iter()
        .enumerate()
        .map(|(i, arm)| format!("SELECT * FROM ({arm}) a{i}"))
        .collect();
    let sql = format!(
        "{with}{COLUMNS}{counted} FROM (SELECT DISTINCT u.discharge_date, u.chart_id FROM ({}) u
             ORDER BY u.discharge_date {order}, u.chart_id {order} LIMIT {limit}) k
         JOIN charts c ON c.chart_id = k.chart_id JOIN patients p ON p.patient_id = c.patient_id
         ORDER BY c.discharge_date {order}, c.chart_id {order}",
        arms.join(" UNION ")
    );
    let (mut rows, counted) = fetch_counted(conn, &sql, &q.params(), !counted.is_empty())?;
    if descending {
        rows.reverse();
    }
    Ok((rows, counted.map(capped)))
}

/// The placeholders of the statuses `filter` selects (`None`: any).
fn status_marks(q: &mut Query, filter: &QueueFilter) -> Option<Vec<String>> {
    filter
        .status
        .statuses()
        .map(|statuses| statuses.iter().map(|s| q.arg(s.as_str())).collect())
}

/// A count read up to one more than the cap, as the count line says it.
fn capped(n: i64) -> (u64, bool) {
    let n = n.max(0) as u64;
    if n > TEXT_COUNT_CAP {
        (TEXT_COUNT_CAP, true)
    } else {
        (n, false)
    }
}

/// How many charts `runs` finds, up to one more than the cap: one word's
/// run is counted straight from its index range (a chart is there once);
/// several runs are counted without the charts two of them share; an
/// account or MRN prefix of [`Numbers::Many`] rows is "N+" at once.
pub(super) fn count(
    conn: &Db,
    filter: &QueueFilter,
    runs: &WordRuns,
    text: &str,
) -> Result<(u64, bool)> {
    if runs.numbers == Numbers::Many {
        // More than `FEW_NUMBERS` rows, two at most a chart: far past the cap.
        return Ok((TEXT_COUNT_CAP, true));
    }
    let mut q = Query::empty();
    let (kind, names, join) = chart_conds(&mut q, filter, runs);
    if runs.numbers == Numbers::Unread {
        // No name runs (the text begins no name word): the range alone.
        let ctes = numbers::range_ctes(&mut q, text);
        let marks = status_marks(&mut q, filter);
        let count = numbers::unread_count_sql(&mut q, marks.as_deref(), &kind, TEXT_COUNT_CAP);
        let sql = format!("WITH {ctes} SELECT {count}");
        let n: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
        return Ok(capped(n));
    }
    let join = if join {
        " JOIN charts c ON c.chart_id = w.chart_id"
    } else {
        ""
    };
    let statuses = filter.status.statuses();
    let status_in = |q: &mut Query, alias: &str| match &statuses {
        Some(statuses) => {
            let marks: Vec<String> = statuses.iter().map(|s| q.arg(s.as_str())).collect();
            format!(" AND {alias}.status IN ({})", marks.join(", "))
        }
        None => String::new(),
    };
    let cap = q.arg(TEXT_COUNT_CAP as i64 + 1);
    let mut arms = Vec::new();
    if !runs.runs.is_empty() {
        let status = status_in(&mut q, "w");
        let selects: Vec<String> = runs
            .runs
            .iter()
            .map(|run| {
                let (table, cond) = run.table_and_test(&mut q);
                format!(
                    "SELECT w.chart_id FROM {table} w{join}
                     WHERE {cond}{status}{kind}{names}"
                )
            })
            .collect();
        if selects.len() > 1 {
            // One run over the cap is enough to say "N+", and each run is
            // counted from its own index range without telling charts apart.
            let each: Vec<String> = selects
                .iter()
                .enumerate()
                .map(|(i, run)| format!("SELECT count(*) AS n FROM ({run} LIMIT {cap}) r{i}"))
                .collect();
            let sql = format!("SELECT max(m.n) FROM ({}) m", each.join(" UNION ALL "));
            let most: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
            if most.max(0) as u64 > TEXT_COUNT_CAP {
                return Ok((TEXT_COUNT_CAP, true));
            }
        }
        arms.extend(selects);
    }
    if runs.numbers == Numbers::Few {
        let marks: Option<Vec<String>> = statuses
            .as_ref()
            .map(|statuses| statuses.iter().map(|s| q.arg(s.as_str())).collect());
        arms.extend(numbers::count_arms(
            &mut q,
            conn.dialect(),
            text,
            marks.as_deref(),
            &kind,
        ));
    }
    if arms.is_empty() {
        return Ok((0, false));
    }
    let sql = if arms.len() == 1 {
        format!("SELECT count(*) FROM ({} LIMIT {cap}) n", arms[0])
    } else {
        format!(
            "SELECT count(*) FROM (SELECT DISTINCT u.chart_id FROM ({}) u LIMIT {cap}) n",
            arms.join(" UNION ALL ")
        )
    };
    let n: i64 = conn.query_row(&sql, q.params().as_slice(), |r| r.get(0))?;
    Ok(capped(n))
}

/// Migration 10's table, filled from the rows already there, and the
/// triggers that keep it equal to `charts` joined to `patient_name_words`.
/// Under that equality no insert can meet a row already there.
pub(in crate::store) const CHART_NAME_WORDS_SQL: &str = r#"
CREATE TABLE chart_name_words (
    word            TEXT NOT NULL,
    status          TEXT NOT NULL,
    discharge_date  TEXT NOT NULL,
    chart_id        INTEGER NOT NULL,
    PRIMARY KEY (word, status, discharge_date, chart_id)
) STRICT, WITHOUT ROWID;
INSERT INTO chart_name_words (word, status, discharge_date, chart_id)
SELECT w.word, c.status, c.discharge_date, c.chart_id
FROM charts c JOIN patient_name_words w ON w.patient_id = c.patient_id;
CREATE TRIGGER chart_name_words_chart_added AFTER INSERT ON charts
BEGIN
    INSERT INTO chart_name_words (word, status, discharge_date, chart_id)
    SELECT word, NEW.status, NEW.discharge_date, NEW.chart_id
    FROM patient_name_words WHERE patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_name_words_chart_changed
AFTER UPDATE OF status, discharge_date, patient_id ON charts
WHEN OLD.status IS NOT NEW.status OR OLD.discharge_date IS NOT NEW.discharge_date
    OR OLD.patient_id IS NOT NEW.patient_id
BEGIN
    DELETE FROM chart_name_words
    WHERE word IN (SELECT word FROM patient_name_words WHERE patient_id = OLD.patient_id)
      AND status = OLD.status AND discharge_date = OLD.discharge_date
      AND chart_id = OLD.chart_id;
    INSERT INTO chart_name_words (word, status, discharge_date, chart_id)
    SELECT word, NEW.status, NEW.discharge_date, NEW.chart_id
    FROM patient_name_words WHERE patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_name_words_chart_removed AFTER DELETE ON charts
BEGIN
    DELETE FROM chart_name_words
    WHERE word IN (SELECT word FROM patient_name_words WHERE patient_id = OLD.patient_id)
      AND status = OLD.status AND discharge_date = OLD.discharge_date
      AND chart_id = OLD.chart_id;
END;
CREATE TRIGGER chart_name_words_word_added AFTER INSERT ON patient_name_words
BEGIN
    INSERT INTO chart_name_words (word, status, discharge_date, chart_id)
    SELECT NEW.word, status, discharge_date, chart_id
    FROM charts WHERE patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_name_words_word_removed AFTER DELETE ON patient_name_words
BEGIN
    DELETE FROM chart_name_words
    WHERE word = OLD.word AND (status, discharge_date, chart_id) IN
        (SELECT status, discharge_date, chart_id FROM charts WHERE patient_id = OLD.patient_id);
END;
"#;
