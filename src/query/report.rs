//! The query report: response rate (also within the expected time), turnaround
//! by physician, agreement rate, query rate, open and overdue holds, and the
//! codes changed after answers (QUERIES.md, "Metrics"). Pure: the store
//! gathers the rows, this computes.

use crate::domain::{QueryOutcome, QueryStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One sent query, as the report needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub chart_id: i64,
    /// Who it is with (after any change of recipient).
    pub physician: String,
    pub sent_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub status: QueryStatus,
    /// For closed queries.
    pub outcome: Option<QueryOutcome>,
    /// Code changes on the chart between the answer and the close.
    pub code_changes: u32,
}

/// Turnaround of one physician.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turnaround {
    pub physician: String,
    pub sent: usize,
    pub answered: usize,
    /// Hours from sent to answered; `None` with no answer.
    pub median_hours: Option<f64>,
    pub p90_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub sent: usize,
    pub answered: usize,
    /// answered / sent.
    pub response_rate: Option<f64>,
    /// The expected time, in hours.
    pub expected_hours: u32,
    pub answered_in_time: usize,
    pub response_rate_in_time: Option<f64>,
    pub by_physician: Vec<Turnaround>,
    /// agreed / (agreed + disagreed + clinically undetermined), over closed queries.
    pub agreement_rate: Option<f64>,
    pub charts_queried: usize,
    pub charts_coded: usize,
    /// charts queried / charts coded.
    pub query_rate: Option<f64>,
    pub open: usize,
    pub overdue: usize,
    /// Answered queries after which the chart's codes changed, and how many changes.
    pub queries_changing_codes: usize,
    pub code_changes: u32,
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// The median (mean of the middle two for an even count) of sorted values.
fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

pub fn compute(
    rows: &[Row],
    charts_coded: usize,
    now: DateTime<Utc>,
    expected_hours: u32,
    escalation_hours: u32,
) -> Report {
    let hours = |r: &Row| {
        r.answered_at
            .map(|a| a.signed_duration_since(r.sent_at).num_seconds() as f64 / 3600.0)
    };
    let answered: Vec<&Row> = rows.iter().filter(|r| r.answered_at.is_some()).collect();
    let in_time = answered
        .iter()
        .filter(|r| hours(r).is_some_and(|h| h <= f64::from(expected_hours)))
        .count();
    let mut physicians: Vec<String> = rows.iter().map(|r| r.physician.clone()).collect();
    physicians.sort();
    physicians.dedup();
    let by_physician = physicians
        .into_iter()
        .map(|p| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.physician == p).collect();
            let mut h: Vec<f64> = mine.iter().filter_map(|r| hours(r)).collect();
            h.sort_by(f64::total_cmp);
            Turnaround {
                sent: mine.len(),
                answered: h.len(),
                median_hours: median(&h),
                p90_hours: percentile(&h, 0.9),
                physician: p,
            }
        })
        .collect();
    let judged: Vec<QueryOutcome> = rows
        .iter()
        .filter_map(|r| r.outcome)
        .filter(|o| *o != QueryOutcome::NoResponse)
        .collect();
    let agreed = judged
        .iter()
        .filter(|o| **o == QueryOutcome::Agreed)
        .count();
    let mut charts: Vec<i64> = rows.iter().map(|r| r.chart_id).collect();
    charts.sort_unstable();
    charts.dedup();
    let open: Vec<&Row> = rows
        .iter()
        .filter(|r| r.status == QueryStatus::Open)
        .collect();
    let overdue = open
        .iter()
        .filter(|r| {
            now.signed_duration_since(r.sent_at)
                > chrono::Duration::hours(i64::from(escalation_hours))
        })
        .count();
    Report {
        sent: rows.len(),
        answered: answered.len(),
        response_rate: ratio(answered.len(), rows.len()),
        expected_hours,
        answered_in_time: in_time,
        response_rate_in_time: ratio(in_time, rows.len()),
        by_physician,
        agreement_rate: ratio(agreed, judged.len()),
        charts_queried: charts.len(),
        charts_coded,
        query_rate: ratio(charts.len(), charts_coded),
        open: open.len(),
        overdue,
        queries_changing_codes: answered.iter().filter(|r| r.code_changes > 0).count(),
        code_changes: answered.iter().map(|r| r.code_changes).sum(),
    }
}

/// The report as text, for the terminal.
pub fn text(r: &Report) -> String {
    use std::fmt::Write;
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
    let hrs = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.1} h"));
    let mut out = String::new();
    let _ = writeln!(out, "Physician queries");
    let _ = writeln!(out, "  sent                      {}", r.sent);
    let _ = writeln!(
        out,
        "  answered                  {} ({})",
        r.answered,
        pct(r.response_rate)
    );
    let _ = writeln!(
        out,
        "  answered within {} h      {} ({})",
        r.expected_hours,
        r.answered_in_time,
        pct(r.response_rate_in_time)
    );
    let _ = writeln!(out, "  agreement rate            {}", pct(r.agreement_rate));
    let _ = writeln!(
        out,
        "  query rate                {} ({} charts queried / {} coded)",
        pct(r.query_rate),
        r.charts_queried,
        r.charts_coded
    );
    let _ = writeln!(
        out,
        "  open                      {} ({} overdue)",
        r.open, r.overdue
    );
    let _ = writeln!(
        out,
        "  codes changed after       {} answers ({} changes)",
        r.queries_changing_codes, r.code_changes
    );
    let _ = writeln!(out, "\nTurnaround by physician (sent -> answered)");
    let _ = writeln!(
        out,
        "  {:<32} {:>5} {:>8} {:>9} {:>9}",
        "physician", "sent", "answered", "median", "p90"
    );
    for t in &r.by_physician {
        let _ = writeln!(
            out,
            "  {:<32} {:>5} {:>8} {:>9} {:>9}",
            t.physician,
            t.sent,
            t.answered,
            hrs(t.median_hours),
            hrs(t.p90_hours)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// A fixture with known answers: 6 queries to two physicians.
    fn rows() -> Vec<Row> {
        let r = |chart,
                 doc: &str,
                 sent: &str,
                 answered: Option<&str>,
                 status: &str,
                 outcome: Option<&str>,
                 changes| Row {
            chart_id: chart,
            physician: doc.into(),
            sent_at: at(sent),
            answered_at: answered.map(at),
            status: status.parse().unwrap(),
            outcome: outcome.map(|o| o.parse().unwrap()),
            code_changes: changes,
        };
        vec![
            // Dr. A: answered after 10 h, 30 h, 100 h.
            r(
                1,
                "Dr. A",
                "2026-11-01T08:00:00Z",
                Some("2026-11-01T18:00:00Z"),
                "closed",
                Some("agreed"),
                2,
            ),
            r(
                2,
                "Dr. A",
                "2026-11-02T08:00:00Z",
                Some("2026-11-03T14:00:00Z"),
                "closed",
                Some("disagreed"),
                0,
            ),
            r(
                3,
                "Dr. A",
                "2026-11-03T08:00:00Z",
                Some("2026-11-07T12:00:00Z"),
                "closed",
                Some("agreed"),
                1,
            ),
            // Dr. B: answered after 4 h; one open since Nov 10 (overdue), one open since Nov 21.
            r(
                3,
                "Dr. B",
                "2026-11-05T08:00:00Z",
                Some("2026-11-05T12:00:00Z"),
                "answered",
                None,
                0,
            ),
            r(4, "Dr. B", "2026-11-10T08:00:00Z", None, "open", None, 0),
            r(5, "Dr. B", "2026-11-21T08:00:00Z", None, "open", None, 0),
        ]
    }

    #[test]
    fn the_report_figures_match_the_fixture() {
        let r = compute(&rows(), 20, at("2026-11-22T08:00:00Z"), 72, 72);
        assert_eq!(r.sent, 6);
        assert_eq!(r.answered, 4);
        assert_eq!(r.response_rate, Some(4.0 / 6.0));
        assert_eq!(r.answered_in_time, 3, "10 h, 30 h and 4 h; not 100 h");
        assert_eq!(r.agreement_rate, Some(2.0 / 3.0));
        assert_eq!(r.charts_queried, 5);
        assert_eq!(r.query_rate, Some(5.0 / 20.0));
        assert_eq!((r.open, r.overdue), (2, 1));
        assert_eq!((r.queries_changing_codes, r.code_changes), (2, 3));
        let a = &r.by_physician[0];
        assert_eq!((a.physician.as_str(), a.sent, a.answered), ("Dr. A", 3, 3));
        assert_eq!(a.median_hours, Some(30.0));
        assert_eq!(a.p90_hours, Some(100.0));
        let b = &r.by_physician[1];
        assert_eq!((b.sent, b.answered, b.median_hours), (3, 1, Some(4.0)));
        let text = text(&r);
        assert!(
            text.contains("answered                  4 (66.7%)"),
            "{text}"
        );
        assert!(text.contains("Dr. A"), "{text}");
    }

    #[test]
    fn an_even_count_has_the_mean_of_the_middle_two_as_median() {
        assert_eq!(median(&[1.0, 3.0, 5.0, 9.0]), Some(4.0));
        assert_eq!(percentile(&[1.0, 3.0, 5.0, 9.0], 0.9), Some(9.0));
        assert_eq!(median(&[]), None);
        let empty = compute(&[], 0, at("2026-11-22T08:00:00Z"), 72, 72);
        assert_eq!((empty.response_rate, empty.query_rate), (None, None));
    }
}
