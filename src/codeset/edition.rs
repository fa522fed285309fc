//! The ICD-10-CM editions bundled: the one table that says which editions
//! exist, when each is in force and which files make it, and the dated
//! validity periods the MCE gives each code.
//!
//! Adding an edition is one row in [`BUNDLED_EDITIONS`] and its change lists
//! under `codesets/`: loading ([`super::IcdCm::load`]), lookups, `chartcoder
//! code`, the edits and the code search walk this table, and the caches'
//! fingerprints hash it ([`editions_key`]).

use super::SourceFile;
use chrono::NaiveDate;
use std::fmt;

/// The files one edition is made from.
#[derive(Debug, Clone, Copy)]
pub enum EditionFiles {
    /// A whole Tabular List (XML): the oldest edition only.
    Tabular(SourceFile),
    /// The previous edition with the CDC addenda applied: codes added (CSV
    /// with `code`, `longTitle`), deleted (`code`, optional `longTitle`) and
    /// retitled (`code`, `newLongTitle`).
    Changes {
        added: SourceFile,
        deleted: SourceFile,
        revised: SourceFile,
    },
}

impl EditionFiles {
    /// The files, for fingerprints and provenance.
    pub fn files(&self) -> Vec<&SourceFile> {
        match self {
            EditionFiles::Tabular(tabular) => vec![tabular],
            EditionFiles::Changes {
                added,
                deleted,
                revised,
            } => vec![added, deleted, revised],
        }
    }
}

/// One edition: its label, its first day (October 1 of the year before the
/// fiscal year it names) and its files.
#[derive(Debug, Clone, Copy)]
pub struct EditionRow {
    pub label: &'static str,
    /// Year, month, day.
    pub first_day: (i32, u32, u32),
    pub files: EditionFiles,
}

impl EditionRow {
    pub fn first_day(&self) -> NaiveDate {
        let (y, m, d) = self.first_day;
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }
}

/// The bundled editions, oldest first: each is in force from its first day
/// until the day before the next one's. The oldest is a whole tabular; each
/// later one is the one before it with its change lists applied.
pub const BUNDLED_EDITIONS: [EditionRow; 2] = [
    EditionRow {
        label: "FY2026",
        first_day: (2025, 10, 1),
        files: EditionFiles::Tabular(bundled!("icd10cm_2026/icd10c-tabular-April-1-2026.xml.gz")),
    },
    EditionRow {
        label: "FY2027",
        first_day: (2026, 10, 1),
        files: EditionFiles::Changes {
            added: bundled!("icd10cm_fy2027_changes/added.csv"),
            deleted: bundled!("icd10cm_fy2027_changes/deleted.csv"),
            revised: bundled!("icd10cm_fy2027_changes/revised.csv"),
        },
    },
];

/// At most this many editions: an [`EditionSet`] is one bit per edition.
pub const MAX_EDITIONS: usize = 8;
const _: () = assert!(BUNDLED_EDITIONS.len() <= MAX_EDITIONS && !BUNDLED_EDITIONS.is_empty());

/// What the caches built from the editions are keyed on besides the files'
/// bytes: every edition's label, first day and file names, in order. A new or
/// changed row changes it.
pub fn editions_key(table: &[EditionRow]) -> String {
    let mut key = String::new();
    for row in table {
        key.push_str(row.label);
        key.push('@');
        key.push_str(&row.first_day().to_string());
        for f in row.files.files() {
            key.push(' ');
            key.push_str(f.path);
        }
        key.push(';');
    }
    key
}

/// An ICD-10-CM edition: a row of [`BUNDLED_EDITIONS`] (ordered oldest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edition(u8);

impl Edition {
    /// Every bundled edition, oldest first.
    pub const ALL: [Edition; BUNDLED_EDITIONS.len()] = {
        let mut all = [Edition(0); BUNDLED_EDITIONS.len()];
        let mut i = 1;
        while i < BUNDLED_EDITIONS.len() {
            all[i] = Edition(i as u8);
            i += 1;
        }
        all
    };

    /// The edition at a row of a table of editions (oldest first), if it is
    /// within [`MAX_EDITIONS`]. For the bundled table use [`Edition::ALL`].
    pub fn at(row: usize) -> Option<Edition> {
        (row < MAX_EDITIONS).then_some(Edition(row as u8))
    }

    /// Its row in the table of editions.
    pub fn row(self) -> usize {
        usize::from(self.0)
    }

    fn bundled(self) -> Option<&'static EditionRow> {
        let table: &'static [EditionRow] = &BUNDLED_EDITIONS;
        table.get(self.row())
    }

    /// The edition a label such as "FY2026" names, if it is bundled.
    pub fn from_label(label: &str) -> Option<Edition> {
        Edition::ALL.into_iter().find(|e| e.label() == label)
    }

    /// The edition in force on a date (the discharge date for inpatients, the date
    /// of service otherwise). Dates before the oldest bundled edition use it;
    /// validity on such dates still comes from the MCE's dated lists.
    pub fn for_date(date: NaiveDate) -> Edition {
        Edition::ALL
            .into_iter()
            .rev()
            .find(|e| e.bundled().is_some_and(|r| date >= r.first_day()))
            .unwrap_or(Edition(0))
    }

    /// The dates the edition is in force: its first day to the day before the
    /// next edition's (the newest bundled edition stays in force until a newer
    /// one is added).
    pub fn period(self) -> ValidPeriod {
        let first = |e: Edition| e.bundled().map_or(NaiveDate::MIN, EditionRow::first_day);
        let next = Edition(self.0.saturating_add(1)).bundled();
        ValidPeriod {
            start: first(self),
            end: next.map(|r| r.first_day().pred_opt().unwrap_or(NaiveDate::MIN)),
        }
    }

    /// "FY2026"; "FY?" for a row past the bundled table (a test's own table).
    pub fn label(self) -> &'static str {
        self.bundled().map_or("FY?", |r| r.label)
    }

    /// The other bundled editions, nearest first: the ones before it, newest
    /// first, then the ones after it (where a code deleted or added since is
    /// looked for).
    pub fn others(self) -> impl Iterator<Item = Edition> {
        let before = Edition::ALL.into_iter().filter(move |e| *e < self).rev();
        before.chain(Edition::ALL.into_iter().filter(move |e| *e > self))
    }

    /// The labels of every bundled edition in words: "FY2026 and FY2027".
    pub fn all_labels() -> String {
        match Edition::ALL.split_last() {
            Some((last, [])) => last.label().to_string(),
            Some((last, rest)) => {
                let rest: Vec<&str> = rest.iter().map(|e| e.label()).collect();
                format!("{} and {}", rest.join(", "), last.label())
            }
            None => String::new(),
        }
    }
}

/// A set of editions (one bit per row of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct EditionSet(u8);

impl EditionSet {
    /// No edition.
    pub const NONE: EditionSet = EditionSet(0);
    /// Every edition (of any table).
    pub const EVERY: EditionSet = EditionSet(u8::MAX);

    /// The first `count` editions of a table.
    pub fn first(count: usize) -> EditionSet {
        EditionSet(if count >= MAX_EDITIONS {
            u8::MAX
        } else {
            (1u8 << count) - 1
        })
    }

    /// One edition.
    pub fn only(e: Edition) -> EditionSet {
        EditionSet(1 << e.0)
    }

    /// The editions from `first` on (what a change list's added code is in).
    pub fn from_on(first: Edition) -> EditionSet {
        EditionSet(!((1u8 << first.0) - 1))
    }

    pub fn contains(self, e: Edition) -> bool {
        self.0 & (1 << e.0) != 0
    }

    pub fn with(self, other: EditionSet) -> EditionSet {
        EditionSet(self.0 | other.0)
    }

    pub fn without(self, other: EditionSet) -> EditionSet {
        EditionSet(self.0 & !other.0)
    }

    /// One bit per edition, the oldest the lowest: what a cache stores.
    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn from_bits(bits: u8) -> EditionSet {
        EditionSet(bits)
    }

    /// The editions in the set, oldest first.
    pub fn iter(self) -> impl Iterator<Item = Edition> {
        (0..MAX_EDITIONS as u8)
            .filter(move |i| self.0 & (1 << i) != 0)
            .map(Edition)
    }
}

/// Dated validity: the periods in which a code was valid (MCE masters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidPeriod {
    pub start: NaiveDate,
    /// `None`: still valid.
    pub end: Option<NaiveDate>,
}

impl fmt::Display for ValidPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "Valid {} to {end} (MCE v44)", self.start),
            None => write!(f, "Valid from {} (MCE v44)", self.start),
        }
    }
}

impl ValidPeriod {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }

    /// Whether two periods share a day.
    pub fn overlaps(&self, other: &ValidPeriod) -> bool {
        self.start <= other.end.unwrap_or(NaiveDate::MAX)
            && other.start <= self.end.unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_edition_is_in_force_from_its_first_day_to_the_next_ones() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (fy26, fy27) = (Edition::ALL[0], Edition::ALL[1]);
        let newest = Edition::ALL[Edition::ALL.len() - 1];
        assert_eq!(Edition::for_date(d("2026-09-30")), fy26);
        assert_eq!(Edition::for_date(d("2026-10-01")), fy27);
        assert_eq!(
            Edition::for_date(d("2019-01-01")),
            fy26,
            "older: the oldest"
        );
        assert_eq!(
            Edition::for_date(d("2099-01-01")),
            newest,
            "newer: the newest"
        );
        let p = fy26.period();
        assert_eq!((p.start, p.end), (d("2025-10-01"), Some(d("2026-09-30"))));
        assert_eq!(fy27.period().start, d("2026-10-01"));
        assert_eq!(newest.period().end, None);
        assert_eq!((fy26.label(), fy27.label()), ("FY2026", "FY2027"));
        assert_eq!(fy26.others().next(), Some(fy27));
        assert_eq!(fy27.others().next(), Some(fy26));
        assert_eq!(fy27.others().count(), Edition::ALL.len() - 1);
        let labels = Edition::all_labels();
        assert!(labels.starts_with("FY2026"), "{labels}");
        assert!(
            labels.ends_with(&format!(" and {}", newest.label())),
            "{labels}"
        );
    }

    #[test]
    fn other_editions_come_nearest_first_and_sets_hold_rows() {
        let e = |i| Edition::at(i).unwrap();
        // Rows past the bundled table still order and index (a test's table).
        assert_eq!(Edition::at(MAX_EDITIONS), None);
        let set = EditionSet::from_on(e(2)).without(EditionSet::from_on(e(4)));
        assert_eq!(set.iter().collect::<Vec<_>>(), [e(2), e(3)]);
        assert!(!set.contains(e(1)) && !set.contains(e(4)));
        assert_eq!(
            EditionSet::first(2).iter().collect::<Vec<_>>(),
            [e(0), e(1)]
        );
        assert_eq!(EditionSet::first(MAX_EDITIONS), EditionSet::EVERY);
        assert_eq!(EditionSet::from_bits(set.bits()), set);
        assert_eq!(
            EditionSet::only(e(0)).with(EditionSet::only(e(3))).bits(),
            0b1001
        );
        assert!(EditionSet::NONE.iter().next().is_none());
    }

    #[test]
    fn the_editions_key_changes_with_the_table() {
        let key = editions_key(&BUNDLED_EDITIONS);
        assert!(key.starts_with("FY2026@2025-10-01 icd10cm_2026/"), "{key}");
        let mut moved = BUNDLED_EDITIONS;
        moved[1].first_day = (2026, 10, 2);
        assert_ne!(editions_key(&moved), key);
        assert_ne!(editions_key(&BUNDLED_EDITIONS[..1]), key);
    }
}
