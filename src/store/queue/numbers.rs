//! Account and MRN prefixes read from `chart_numbers` (SQLite migration 12,
//! PostgreSQL migration 5): one row per chart for its account and one for
//! its patient's MRN, with the chart's status, queue order and encounter
//! type. Two indexes serve the two sizes of a match:
//! - the primary key (number, status, discharge_date, chart_id,
//!   encounter_type): the charts of a prefix are one index range, read
//!   whole (index only) and the page's rows picked by a top-N sort: quick
//!   while the prefix finds at most [`FEW_NUMBERS`] rows;
//! - `chart_numbers_status_discharge_date_idx` (status, discharge_date,
//!   chart_id, number, encounter_type): the queue itself in order, each
//!   row's number tested in the index, stopping at the page: quick when
//!   the prefix finds more than [`FEW_NUMBERS`] rows, because then at least
//!   one index row in 200 matches (at a million charts). This assumes
//!   numbers are spread over discharge dates; a prefix whose charts all sit
//!   at one end of the queue makes the walk read up to the status's whole
//!   range.
//!
//! Before this table, a prefix of 10,000 MRNs read and sorted every
//! matching chart and patient row (15.6 ms on SQLite, 501 ms on PostgreSQL
//! at a million charts).
//!
//! A chart whose account and MRN both begin with the text has two rows, so
//! page arms ask for twice the page (the first `2 * limit` rows hold at
//! least `limit` charts) and counts read distinct charts.

use super::Query;
use crate::store::sql::Dialect;

/// At most this many `chart_numbers` rows beginning with a typed text are
/// read whole and sorted; past it the queue order is walked.
pub(super) const FEW_NUMBERS: u64 = 10_000;

/// How many `chart_numbers` rows begin with the typed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Numbers {
    None,
    /// At most [`FEW_NUMBERS`]: read by prefix, then sorted.
    Few,
    /// More: the queue order walked, the number tested in the index.
    Many,
    /// Not counted before the page (PostgreSQL, a text that begins no name
    /// word): the page's own statement reads each spelling's range once, up
    /// to one more than [`FEW_NUMBERS`] rows, into `r` (see [`range_ctes`]),
    /// and takes the page from those rows or walks the queue order as the
    /// rows read say ([`Numbers::Few`] or [`Numbers::Many`]); the count line
    /// comes out of the same rows ([`unread_count_sql`]).
    Unread,
}

impl Numbers {
    /// From the rows counted (up to one more than [`FEW_NUMBERS`]).
    pub(super) fn from_found(found: i64) -> Numbers {
        match found {
            ..=0 => Numbers::None,
            n if n as u64 > FEW_NUMBERS => Numbers::Many,
            _ => Numbers::Few,
        }
    }
}

/// One capped range of `chart_numbers` (alias `n`) per spelling of `text`
/// (see [`Query::spellings`]): `SELECT {columns} FROM chart_numbers n WHERE
/// <the spelling's primary-key range> LIMIT <one more than [`FEW_NUMBERS`]>`,
/// each in its own subquery `{alias}{i}`. The placeholders are taken in the
/// order the statement reads them: each spelling's low and high bound, then
/// its cap. [`found_sql`] counts these rows; [`range_ctes`] reads them.
fn capped_ranges(q: &mut Query, text: &str, columns: &str, alias: &str) -> Vec<String> {
    Query::spellings(text)
        .iter()
        .enumerate()
        .map(|(i, spelling)| {
            let range = q.prefix_range("n.number", spelling);
            let cap = q.arg(FEW_NUMBERS as i64 + 1);
            format!("(SELECT {columns} FROM chart_numbers n WHERE {range} LIMIT {cap}) {alias}{i}")
        })
        .collect()
}

/// A sum of counts, one per spelling of `text` (see [`Query::spellings`]),
/// of the `chart_numbers` rows beginning with it, each up to one more than
/// [`FEW_NUMBERS`] (one index-only range each, [`capped_ranges`]).
pub(super) fn found_sql(q: &mut Query, text: &str) -> String {
    let counts: Vec<String> = capped_ranges(q, text, "1", "f")
        .into_iter()
        .map(|range| format!("(SELECT count(*) FROM {range})"))
        .collect();
    counts.join(" + ")
}

/// The common table expressions of a [`Numbers::Unread`] statement (after
/// `WITH`): `r`, each spelling's primary-key range, index only, up to one
/// more than [`FEW_NUMBERS`] rows (status, discharge_date, chart_id,
/// encounter_type; [`capped_ranges`]), and `found`, how many rows `r`
/// holds: the figure [`found_sql`] gives. `r` is NOT MATERIALIZED: each use
/// reads the (by then cached) index range again, which timed 15-25% quicker
/// on PostgreSQL than writing 10,000 rows to a tuplestore and scanning it.
pub(super) fn range_ctes(q: &mut Query, text: &str) -> String {
    let ranges: Vec<String> = capped_ranges(
        q,
        text,
        "n.status, n.discharge_date, n.chart_id, n.encounter_type",
        "s",
    )
    .into_iter()
    .map(|range| format!("SELECT * FROM {range}"))
    .collect();
    format!(
        "r AS NOT MATERIALIZED ({}), found AS (SELECT count(*) AS n FROM r)",
        ranges.join(" UNION ALL ")
    )
}

/// The count line of a [`Numbers::Unread`] text, a scalar over
/// [`range_ctes`]: one more than `cap` when the text found more than
/// [`FEW_NUMBERS`] rows (what [`Numbers::Many`] says at once), else the
/// distinct charts among the first `2 * (cap + 1)` rows of `r` with
/// `statuses` (placeholders; `None`: any) and `kind` (" AND …" on `c`).
/// A chart has at most two rows in `r` (its account's and its MRN's; the
/// spellings' ranges are disjoint), so when more rows match, those first
/// rows hold more than `cap` charts, and otherwise they are all the rows:
/// the figure [`count_arms`] counts, from at most 2,002 rows instead of the
/// whole range.
pub(super) fn unread_count_sql(
    q: &mut Query,
    statuses: Option<&[String]>,
    kind: &str,
    cap: u64,
) -> String {
    let few = q.arg(FEW_NUMBERS as i64);
    let over = q.arg(cap as i64 + 1);
    let rows = q.arg(2 * (cap as i64 + 1));
    let status = match statuses {
        Some(marks) => format!(" AND c.status IN ({})", marks.join(", ")),
        None => String::new(),
    };
    format!(
        "(SELECT CASE WHEN (SELECT n FROM found) > {few} THEN {over}
             ELSE (SELECT count(DISTINCT x.chart_id) FROM
                   (SELECT c.chart_id FROM r c WHERE TRUE{status}{kind} LIMIT {rows}) x) END)"
    )
}

/// The conditions every arm shares, each as " AND …" on the alias `c`
/// (the chart's encounter type, the page's side of its key), made by the
/// caller; `c` is `chart_numbers` here, which carries both.
pub(super) struct Shared<'a> {
    pub kind: &'a str,
    pub past: &'a str,
    pub order: &'a str,
    /// The placeholder of twice the page's rows.
    pub twice: &'a str,
}

/// The page arms of an account or MRN prefix, each selecting
/// (discharge_date, chart_id) in queue order up to `shared.twice` rows:
/// [`Numbers::Few`], one primary-key range per spelling (status tested on
/// each row); [`Numbers::Many`], one walk of the queue order per status
/// (`statuses`: placeholders), the spellings tested on each index row;
/// [`Numbers::Unread`], both, over [`range_ctes`], each kept to its size.
pub(super) fn page_arms(
    q: &mut Query,
    dialect: Dialect,
    numbers: Numbers,
    text: &str,
    statuses: &[String],
    shared: &Shared<'_>,
) -> Vec<String> {
    let Shared {
        kind,
        past,
        order,
        twice,
    } = shared;
    let ordered = format!("ORDER BY c.discharge_date {order}, c.chart_id {order} LIMIT {twice}");
    match numbers {
        Numbers::None => Vec::new(),
        Numbers::Few => {
            // SQLite: `+` keeps the status off any index, so the prefix
            // range drives (it would otherwise walk the status index in
            // order, testing every row).
            let plus = if dialect == Dialect::Sqlite { "+" } else { "" };
            let statuses = statuses.join(", ");
            Query::spellings(text)
                .iter()
                .map(|spelling| {
                    let range = q.prefix_range("c.number", spelling);
                    format!(
                        "SELECT c.discharge_date, c.chart_id FROM chart_numbers c
                         WHERE {range} AND {plus}c.status IN ({statuses}){kind}{past} {ordered}"
                    )
                })
                .collect()
        }
        Numbers::Many => walk_arms(q, dialect, text, statuses, shared, ""),
        Numbers::Unread => {
            // One statement for both sizes: the rows read into `r` are the
            // page's when they are few; else `r` is left and the queue order
            // walked. `found` is computed once (an init plan), and the arms
            // it rules out are never run (PostgreSQL's one-time filter).
            let few = q.arg(FEW_NUMBERS as i64);
            let statuses_in = statuses.join(", ");
            let mut arms = vec![format!(
                "SELECT c.discharge_date, c.chart_id FROM r c
                 WHERE (SELECT n FROM found) <= {few} AND c.status IN ({statuses_in}){kind}{past}
                 {ordered}"
            )];
            let gate = format!(" AND (SELECT n FROM found) > {few}");
            arms.extend(walk_arms(q, dialect, text, statuses, shared, &gate));
            arms
        }
    }
}

/// The [`Numbers::Many`] arms: one walk of the queue order per status, the
/// spellings tested on each index row, `gate` (" AND …", or nothing) added.
fn walk_arms(
    q: &mut Query,
    dialect: Dialect,
    text: &str,
    statuses: &[String],
    shared: &Shared<'_>,
    gate: &str,
) -> Vec<String> {
    let Shared {
        kind,
        past,
        order,
        twice,
    } = shared;
    let ordered = format!("ORDER BY c.discharge_date {order}, c.chart_id {order} LIMIT {twice}");
    let tests: Vec<String> = Query::spellings(text)
        .iter()
        .map(|spelling| walk_test(q, dialect, spelling))
        .collect();
    let test = tests.join(" OR ");
    let index = match dialect {
        Dialect::Sqlite => " INDEXED BY chart_numbers_status_discharge_date_idx",
        Dialect::Postgres => "",
    };
    statuses
        .iter()
        .map(|status| {
            format!(
                "SELECT c.discharge_date, c.chart_id FROM chart_numbers c{index}
                 WHERE c.status = {status} AND ({test}){kind}{past}{gate} {ordered}"
            )
        })
        .collect()
}

/// `c.number` begins with `spelling`, tested on the walked index's row:
/// on PostgreSQL written so that it is no index condition (the planner
/// would otherwise read the prefix range and sort).
fn walk_test(q: &mut Query, dialect: Dialect, spelling: &str) -> String {
    let column = match dialect {
        Dialect::Sqlite => "c.number",
        Dialect::Postgres => "(c.number || '')",
    };
    format!("({})", q.prefix_range(column, spelling))
}

/// The count arms of a [`Numbers::Few`] prefix: the distinct charts of
/// each spelling's primary-key range, with `status` and `kind` (" AND …"
/// on `c`) tested on each row.
pub(super) fn count_arms(
    q: &mut Query,
    dialect: Dialect,
    text: &str,
    statuses: Option<&[String]>,
    kind: &str,
) -> Vec<String> {
    let plus = if dialect == Dialect::Sqlite { "+" } else { "" };
    let status = match statuses {
        Some(marks) => format!(" AND {plus}c.status IN ({})", marks.join(", ")),
        None => String::new(),
    };
    Query::spellings(text)
        .iter()
        .map(|spelling| {
            let range = q.prefix_range("c.number", spelling);
            format!("SELECT DISTINCT c.chart_id FROM chart_numbers c WHERE {range}{status}{kind}")
        })
        .collect()
}

/// Migration 12's table, filled from the rows already there (in key order,
/// so the B-tree is written front to back), its queue-order index, and the
/// triggers that keep it equal to each chart's account and its patient's
/// MRN. Rows leave by the chart's queue position (the index's first three
/// columns); a chart whose account is its MRN has one row.
pub(in crate::store) const CHART_NUMBERS_SQL: &str = r#"
CREATE TABLE chart_numbers (
    number          TEXT NOT NULL,
    status          TEXT NOT NULL,
    discharge_date  TEXT NOT NULL,
    chart_id        INTEGER NOT NULL,
    encounter_type  TEXT NOT NULL,
    PRIMARY KEY (number, status, discharge_date, chart_id, encounter_type)
) STRICT, WITHOUT ROWID;
INSERT OR IGNORE INTO chart_numbers (number, status, discharge_date, chart_id, encounter_type)
SELECT number, status, discharge_date, chart_id, encounter_type FROM (
    SELECT c.account AS number, c.status, c.discharge_date, c.chart_id, c.encounter_type
    FROM charts c
    UNION ALL
    SELECT p.mrn, c.status, c.discharge_date, c.chart_id, c.encounter_type
    FROM charts c JOIN patients p ON p.patient_id = c.patient_id)
ORDER BY 1, 2, 3, 4, 5;
CREATE INDEX chart_numbers_status_discharge_date_idx
    ON chart_numbers (status, discharge_date, chart_id, number, encounter_type);
CREATE TRIGGER chart_numbers_chart_added AFTER INSERT ON charts
BEGIN
    INSERT OR IGNORE INTO chart_numbers (number, status, discharge_date, chart_id, encounter_type)
    SELECT NEW.account, NEW.status, NEW.discharge_date, NEW.chart_id, NEW.encounter_type
    UNION ALL
    SELECT mrn, NEW.status, NEW.discharge_date, NEW.chart_id, NEW.encounter_type
    FROM patients WHERE patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_numbers_chart_changed
AFTER UPDATE OF account, status, discharge_date, patient_id, encounter_type ON charts
WHEN OLD.account IS NOT NEW.account OR OLD.status IS NOT NEW.status
    OR OLD.discharge_date IS NOT NEW.discharge_date OR OLD.patient_id IS NOT NEW.patient_id
    OR OLD.encounter_type IS NOT NEW.encounter_type
BEGIN
    DELETE FROM chart_numbers
    WHERE status = OLD.status AND discharge_date = OLD.discharge_date AND chart_id = OLD.chart_id;
    INSERT OR IGNORE INTO chart_numbers (number, status, discharge_date, chart_id, encounter_type)
    SELECT NEW.account, NEW.status, NEW.discharge_date, NEW.chart_id, NEW.encounter_type
    UNION ALL
    SELECT mrn, NEW.status, NEW.discharge_date, NEW.chart_id, NEW.encounter_type
    FROM patients WHERE patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_numbers_chart_removed AFTER DELETE ON charts
BEGIN
    DELETE FROM chart_numbers
    WHERE status = OLD.status AND discharge_date = OLD.discharge_date AND chart_id = OLD.chart_id;
END;
CREATE TRIGGER chart_numbers_mrn_changed AFTER UPDATE OF mrn ON patients
WHEN OLD.mrn IS NOT NEW.mrn
BEGIN
    DELETE FROM chart_numbers WHERE (status, discharge_date, chart_id) IN
        (SELECT status, discharge_date, chart_id FROM charts WHERE patient_id = NEW.patient_id);
    INSERT OR IGNORE INTO chart_numbers (number, status, discharge_date, chart_id, encounter_type)
    SELECT account, status, discharge_date, chart_id, encounter_type
    FROM charts WHERE patient_id = NEW.patient_id
    UNION ALL
    SELECT NEW.mrn, status, discharge_date, chart_id, encounter_type
    FROM charts WHERE patient_id = NEW.patient_id;
END;
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sql::Value;

    fn query() -> Query {
        Query {
            from: String::new(),
            conds: Vec::new(),
            args: Vec::new(),
        }
    }

    fn args(q: &Query) -> Vec<String> {
        q.args
            .iter()
            .map(|a| match a.to_sql().unwrap() {
                Value::Text(t) => t.into_owned(),
                Value::Int(n) => n.to_string(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn count_and_ctes_read_the_same_ranges_with_the_placeholders_in_one_order() {
        let (mut counted, mut read) = (query(), query());
        let found = found_sql(&mut counted, "ab1");
        let ctes = range_ctes(&mut read, "ab1");
        let cap = (FEW_NUMBERS + 1).to_string();
        let want = ["ab1", "ab1\u{10FFFF}", &cap, "AB1", "AB1\u{10FFFF}", &cap];
        assert_eq!(args(&counted), want);
        assert_eq!(args(&read), want);
        assert_eq!(
            found,
            "(SELECT count(*) FROM (SELECT 1 FROM chart_numbers n \
             WHERE n.number >= ?1 AND n.number < ?2 LIMIT ?3) f0) + \
             (SELECT count(*) FROM (SELECT 1 FROM chart_numbers n \
             WHERE n.number >= ?4 AND n.number < ?5 LIMIT ?6) f1)"
        );
        assert!(
            ctes.starts_with(
                "r AS NOT MATERIALIZED (SELECT * FROM (SELECT n.status, n.discharge_date, \
                 n.chart_id, n.encounter_type FROM chart_numbers n \
                 WHERE n.number >= ?1 AND n.number < ?2 LIMIT ?3) s0 UNION ALL SELECT * FROM"
            ),
            "{ctes}"
        );
        assert!(
            ctes.ends_with(
                "WHERE n.number >= ?4 AND n.number < ?5 LIMIT ?6) s1), \
                 found AS (SELECT count(*) AS n FROM r)"
            ),
            "{ctes}"
        );
    }

    #[test]
    fn a_text_without_letters_has_one_range() {
        let mut q = query();
        assert_eq!(found_sql(&mut q, "0042").matches("LIMIT").count(), 1);
        assert_eq!(args(&q).len(), 3);
    }
}
