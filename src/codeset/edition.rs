//! The ICD-10-CM editions bundled, and the dated validity periods the MCE
//! gives each code: the one table that says which edition is in force on a
//! date.

use chrono::NaiveDate;
use std::fmt;

/// The ICD-10-CM editions bundled, by fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// FY2026 (October 1, 2025), April 1, 2026 update.
    Fy2026,
    /// FY2027 (October 1, 2026).
    Fy2027,
}

/// Each bundled edition: its label and the day it comes into force (October 1).
/// The one table of editions, oldest first: each is in force until the next
/// one's first day. Adding an edition is a variant above and a row here;
/// everything else (labels, dates, [`Edition::ALL`]) is read from this table.
const EDITIONS: [(Edition, &str, (i32, u32, u32)); 2] = [
    (Edition::Fy2026, "FY2026", (2025, 10, 1)),
    (Edition::Fy2027, "FY2027", (2026, 10, 1)),
];

impl Edition {
    /// Every bundled edition, oldest first.
    pub const ALL: [Edition; EDITIONS.len()] = {
        let mut all = [EDITIONS[0].0; EDITIONS.len()];
        let mut i = 1;
        while i < EDITIONS.len() {
            all[i] = EDITIONS[i].0;
            i += 1;
        }
        all
    };

    fn row(self) -> usize {
        EDITIONS.iter().position(|e| e.0 == self).unwrap_or(0)
    }

    fn first_day(i: usize) -> NaiveDate {
        let (y, m, d) = EDITIONS[i].2;
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// The edition a label such as "FY2026" names, if it is bundled.
    pub fn from_label(label: &str) -> Option<Edition> {
        EDITIONS.iter().find(|e| e.1 == label).map(|e| e.0)
    }

    /// The edition in force on a date (the discharge date for inpatients, the date
    /// of service otherwise). Dates before the oldest bundled edition use it;
    /// validity on such dates still comes from the MCE's dated lists.
    pub fn for_date(date: NaiveDate) -> Edition {
        (0..EDITIONS.len())
            .rev()
            .find(|&i| date >= Edition::first_day(i))
            .map_or(EDITIONS[0].0, |i| EDITIONS[i].0)
    }

    /// The dates the edition is in force: its October 1 to the day before the
    /// next edition's (the newest bundled edition stays in force until a newer
    /// one is added).
    pub fn period(self) -> ValidPeriod {
        let i = self.row();
        ValidPeriod {
            start: Edition::first_day(i),
            end: (i + 1 < EDITIONS.len()).then(|| {
                Edition::first_day(i + 1)
                    .pred_opt()
                    .unwrap_or(NaiveDate::MIN)
            }),
        }
    }

    pub fn label(self) -> &'static str {
        EDITIONS[self.row()].1
    }

    /// The nearest other bundled edition: the one before it, else the one
    /// after (where a code deleted or added since is looked for).
    pub fn other(self) -> Edition {
        let i = self.row();
        let j = if i > 0 { i - 1 } else { i + 1 };
        EDITIONS.get(j).map_or(self, |e| e.0)
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
    fn each_edition_is_in_force_from_its_october_first_to_the_next_ones() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Edition::for_date(d("2026-09-30")), Edition::Fy2026);
        assert_eq!(Edition::for_date(d("2026-10-01")), Edition::Fy2027);
        assert_eq!(
            Edition::for_date(d("2019-01-01")),
            Edition::Fy2026,
            "older: the oldest bundled"
        );
        assert_eq!(
            Edition::for_date(d("2031-01-01")),
            Edition::Fy2027,
            "newer: the newest"
        );
        let p = Edition::Fy2026.period();
        assert_eq!((p.start, p.end), (d("2025-10-01"), Some(d("2026-09-30"))));
        let p = Edition::Fy2027.period();
        assert_eq!((p.start, p.end), (d("2026-10-01"), None));
        for e in Edition::ALL {
            assert_eq!(Edition::from_label(e.label()), Some(e));
        }
        assert_eq!(Edition::from_label("FY1999"), None);
        assert_eq!(Edition::ALL, [Edition::Fy2026, Edition::Fy2027]);
        assert_eq!(Edition::Fy2026.other(), Edition::Fy2027);
        assert_eq!(Edition::Fy2027.other(), Edition::Fy2026);
    }
}
