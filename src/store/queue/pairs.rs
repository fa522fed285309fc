//! Two typed words read together from `chart_name_pairs` (SQLite migration
//! 11, PostgreSQL migration 4): one row per ordered pair of two different
//! words of each chart's patient name, with the chart's status and queue
//! order, primary key (word, other_word, status, discharge_date, chart_id).
//! The charts whose name has both "zelda" and "yarrow" are then one index
//! range per status already in queue order, instead of every chart of
//! "zelda" tested for a word beginning "y" (tens of thousands at a million
//! charts, for the page and again for the count).

use super::Query;
use super::words::MAX_WORDS;
use crate::store::Result;
use crate::store::sql::Db;

/// The (name word, other name word) pairs that some chart has, where the
/// first is one of `words` (the name words the longest typed word begins)
/// and the second begins with `partner` (another typed word): at most one
/// more than [`MAX_WORDS`], one index seek each, in one statement. Empty:
/// no chart's name has both.
pub(super) fn pairs_from(
    conn: &Db,
    words: &[String],
    partner: &str,
) -> Result<Vec<(String, String)>> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Query::empty();
    let low = q.arg(partner.to_string());
    let high = q.arg(format!("{partner}\u{10FFFF}"));
    let seeds: Vec<String> = words
        .iter()
        .map(|w| format!("SELECT CAST({} AS TEXT) AS word", q.arg(w.clone())))
        .collect();
    let most = q.arg(MAX_WORDS as i64 + 1);
    let sql = format!(
        "WITH RECURSIVE found(word, other_word) AS (
             SELECT d.word, (SELECT min(p.other_word) FROM chart_name_pairs p
                             WHERE p.word = d.word AND p.other_word >= {low}
                               AND p.other_word < {high})
             FROM ({}) d
             UNION ALL
             SELECT f.word, (SELECT min(p.other_word) FROM chart_name_pairs p
                             WHERE p.word = f.word AND p.other_word > f.other_word
                               AND p.other_word < {high})
             FROM found f WHERE f.other_word IS NOT NULL)
         SELECT word, other_word FROM found WHERE other_word IS NOT NULL LIMIT {most}",
        seeds.join(" UNION ALL ")
    );
    Ok(conn.query_map(&sql, q.params().as_slice(), |r| Ok((r.get(0)?, r.get(1)?)))?)
}

/// Migration 11's table, filled from the rows already there (in key order,
/// so the B-tree is written front to back), and the triggers that keep it
/// equal to `charts` joined to two different rows of `patient_name_words`.
/// Rows leave by chart (`chart_name_pairs_chart_id_idx`), so a trigger
/// never needs the name's other words, which a statement removing all of a
/// patient's words (a rename) may already have taken; a word added beside
/// one added in the same statement meets its pair already there (ignored).
pub(in crate::store) const CHART_NAME_PAIRS_SQL: &str = r#"
CREATE TABLE chart_name_pairs (
    word            TEXT NOT NULL,
    other_word      TEXT NOT NULL,
    status          TEXT NOT NULL,
    discharge_date  TEXT NOT NULL,
    chart_id        INTEGER NOT NULL,
    PRIMARY KEY (word, other_word, status, discharge_date, chart_id)
) STRICT, WITHOUT ROWID;
INSERT INTO chart_name_pairs (word, other_word, status, discharge_date, chart_id)
SELECT a.word, b.word, c.status, c.discharge_date, c.chart_id
FROM charts c
JOIN patient_name_words a ON a.patient_id = c.patient_id
JOIN patient_name_words b ON b.patient_id = c.patient_id AND b.word <> a.word
ORDER BY 1, 2, 3, 4, 5;
CREATE INDEX chart_name_pairs_chart_id_idx ON chart_name_pairs (chart_id);
CREATE TRIGGER chart_name_pairs_chart_added AFTER INSERT ON charts
BEGIN
    INSERT INTO chart_name_pairs (word, other_word, status, discharge_date, chart_id)
    SELECT a.word, b.word, NEW.status, NEW.discharge_date, NEW.chart_id
    FROM patient_name_words a JOIN patient_name_words b
        ON b.patient_id = a.patient_id AND b.word <> a.word
    WHERE a.patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_name_pairs_chart_changed
AFTER UPDATE OF status, discharge_date, patient_id ON charts
WHEN OLD.status IS NOT NEW.status OR OLD.discharge_date IS NOT NEW.discharge_date
    OR OLD.patient_id IS NOT NEW.patient_id
BEGIN
    DELETE FROM chart_name_pairs WHERE chart_id = OLD.chart_id;
    INSERT INTO chart_name_pairs (word, other_word, status, discharge_date, chart_id)
    SELECT a.word, b.word, NEW.status, NEW.discharge_date, NEW.chart_id
    FROM patient_name_words a JOIN patient_name_words b
        ON b.patient_id = a.patient_id AND b.word <> a.word
    WHERE a.patient_id = NEW.patient_id;
END;
CREATE TRIGGER chart_name_pairs_chart_removed AFTER DELETE ON charts
BEGIN
    DELETE FROM chart_name_pairs WHERE chart_id = OLD.chart_id;
END;
CREATE TRIGGER chart_name_pairs_word_added AFTER INSERT ON patient_name_words
BEGIN
    INSERT OR IGNORE INTO chart_name_pairs (word, other_word, status, discharge_date, chart_id)
    SELECT NEW.word, b.word, c.status, c.discharge_date, c.chart_id
    FROM charts c JOIN patient_name_words b ON b.patient_id = c.patient_id
    WHERE c.patient_id = NEW.patient_id AND b.word <> NEW.word
    UNION ALL
    SELECT b.word, NEW.word, c.status, c.discharge_date, c.chart_id
    FROM charts c JOIN patient_name_words b ON b.patient_id = c.patient_id
    WHERE c.patient_id = NEW.patient_id AND b.word <> NEW.word;
END;
CREATE TRIGGER chart_name_pairs_word_removed AFTER DELETE ON patient_name_words
BEGIN
    DELETE FROM chart_name_pairs
    WHERE chart_id IN (SELECT chart_id FROM charts WHERE patient_id = OLD.patient_id)
      AND (word = OLD.word OR other_word = OLD.word);
END;
"#;
