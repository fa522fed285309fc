//! Coding quality and flow: each completion timed from the audit trail, the
//! manager's review rules and targets, and the three reports (accuracy,
//! productivity, DNFB). The reports read summaries kept as the work is done
//! (a closed review's score, a per-day sum of completions), so that they
//! answer at once over a million charts; README.md ("Coding quality") has
//! the method of each figure.

mod accuracy;
mod dnfb;
mod productivity;
mod settings;

pub use accuracy::{Accuracy, AccuracyReport, accuracy};
pub use dnfb::{BUCKETS, DnfbReport, HOLD_KINDS, Held, HeldLine, dnfb};
pub use productivity::{Output, ProductivityReport, productivity};
pub use settings::{ReviewRules, SETTINGS, Targets, review_rules, set_setting, settings, targets};

use super::Result;
use crate::domain::AuditAction;
use crate::store::sql::{Db, params};
use chrono::NaiveDate;
use serde::Serialize;

// ---------------------------------------------------------------------------
// Time on chart

/// Seconds spent on a chart from the times of its audit rows (oldest first):
/// the gaps between consecutive rows, each counted only when no longer than
/// `idle_limit` seconds (a longer gap is time away: the workstation would
/// have locked); `None`: every gap counts.
pub fn time_on_chart(times: &[i64], idle_limit: Option<i64>) -> i64 {
    times
        .windows(2)
        .map(|w| (w[1] - w[0]).max(0))
        .filter(|gap| idle_limit.is_none_or(|limit| *gap <= limit))
        .sum()
}

fn epoch(at: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .map(|t| t.timestamp())
}

/// Records that `coder` completed the chart at `completed_at`, timed from
/// the coder's audit rows on the chart since their previous completion of it
/// up to the row `upto` (the completion's own; `None`: the last row). Called
/// in the completion's transaction.
pub fn record_completion(
    tx: &Db,
    chart_id: i64,
    coder: &str,
    completed_at: &str,
    upto: impl Into<Option<i64>>,
) -> crate::store::sql::Result<()> {
    let upto = match upto.into() {
        Some(id) => id,
        None => tx.query_row("SELECT coalesce(max(audit_id), 0) FROM audit", [], |r| {
            r.get(0)
        })?,
    };
    let mut times = Vec::new();
    {
        let sql =
            "SELECT at, action FROM audit WHERE chart_id = ?1 AND actor = ?2 AND audit_id <= ?3
             ORDER BY audit_id DESC";
        let mut first = true;
        tx.for_each_while(sql, params![chart_id, coder, upto], |r| {
            let action: String = r.get(1)?;
            if !first && action == AuditAction::Complete.as_str() {
                return Ok(false);
            }
            first = false;
            if let Some(t) = epoch(&r.get::<String>(0)?) {
                times.push(t);
            }
            Ok::<_, crate::store::sql::Error>(true)
        })?;
    }
    times.reverse();
    let lock: Option<String> = tx.query_opt(
        "SELECT value FROM site WHERE key = 'lock_minutes'",
        [],
        |r| r.get(0),
    )?;
    let minutes: i64 = lock.and_then(|v| v.parse().ok()).unwrap_or(15);
    let idle = (minutes > 0).then_some(minutes * 60);
    let seconds = time_on_chart(&times, idle);
    let etype: String = tx.query_row(
        "SELECT encounter_type FROM charts WHERE chart_id = ?1",
        [chart_id],
        |r| r.get(0),
    )?;
    let day = completed_at.get(..10).unwrap_or(completed_at);
    tx.execute(
        "INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![chart_id, coder, etype, completed_at, day, seconds],
    )?;
    Ok(())
}

/// Who last completed the chart, and when.
pub fn coder_of(conn: &Db, chart_id: i64) -> Result<Option<(String, String)>> {
    Ok(conn.query_opt(
        "SELECT coder, completed_at FROM chart_coding WHERE chart_id = ?1
             ORDER BY rowid DESC LIMIT 1",
        [chart_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

// ---------------------------------------------------------------------------
// What every report takes

/// A period and, optionally, one coder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub coder: Option<String>,
}

impl Scope {
    fn start_text(&self) -> String {
        self.from
            .map_or_else(|| "0000-00-00".to_string(), |d| d.to_string())
    }

    fn to_text(&self) -> String {
        self.to
            .map_or_else(|| "9999-99-99".to_string(), |d| d.to_string())
    }
}

fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::dnfb::bucket_of;
    use super::settings::checked;
    use super::*;

    #[test]
    fn idle_gaps_over_the_lock_time_are_left_out() {
        // 0, +60, +120 (idle 20 min), +30: 60 + 120 + 30 = 210 with a 15-min lock.
        let t = [0, 60, 180, 180 + 1200, 180 + 1200 + 30];
        assert_eq!(time_on_chart(&t, Some(900)), 60 + 120 + 30);
        assert_eq!(time_on_chart(&t, None), 1410);
        assert_eq!(time_on_chart(&[5], Some(900)), 0);
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(checked("drgs", "291, 871").unwrap(), "291,871");
        assert_eq!(checked("principal_dx", "a41.9, J18").unwrap(), "A419,J18");
        assert!(checked("drgs", "1000").is_err());
        assert!(checked("sample_percent", "101").is_err());
        assert!(checked("target_clinic", "0").is_err());
        assert!(checked("no_such", "1").is_err());
        assert!(checked("single_cc_mcc", "yes").is_err());
    }

    #[test]
    fn buckets_cover_every_age() {
        let names: Vec<&str> = [0, 3, 4, 7, 8, 14, 15, 30, 31, 400]
            .iter()
            .map(|d| BUCKETS[bucket_of(*d)].2)
            .collect();
        assert_eq!(
            names,
            vec![
                "0-3", "0-3", "4-7", "4-7", "8-14", "8-14", "15-30", "15-30", "over 30", "over 30"
            ]
        );
    }
}
