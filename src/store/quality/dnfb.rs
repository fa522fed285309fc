//! `report dnfb`: charts discharged and not final, by age since discharge,
//! status and hold reason, with the amount they hold.

use super::Scope;
use crate::domain::ChartStatus;
use crate::store::sql::{Db, params};
use crate::store::{Result, StoreError};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// The aging buckets of DNFB, in days since discharge.
pub const BUCKETS: &[(i64, i64, &str)] = &[
    (i64::MIN, 3, "0-3"),
    (4, 7, "4-7"),
    (8, 14, "8-14"),
    (15, 30, "15-30"),
    (31, i64::MAX, "over 30"),
];

/// Why a chart on hold waits.
pub const HOLD_KINDS: &[&str] = &["awaiting_query", "awaiting_documentation", "other_hold"];

/// Charts and the amount they hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Held {
    pub charts: u64,
    /// Estimated: DRG weight × the base rate, for charts with a stored DRG.
    pub amount: f64,
    /// Charts with no stored DRG (not coded yet, or not inpatient): counted,
    /// no amount.
    pub without_estimate: u64,
    #[serde(skip)]
    days: i64,
}

impl Held {
    fn add(&mut self, weight: Option<f64>, base_rate: f64, days: i64) {
        self.charts += 1;
        self.days += days;
        match weight {
            Some(w) => self.amount += w * base_rate,
            None => self.without_estimate += 1,
        }
    }
}

/// One line of the DNFB table: a total and each bucket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldLine {
    pub total: Held,
    /// In the order of [`BUCKETS`].
    pub buckets: Vec<Held>,
}

impl Default for HeldLine {
    fn default() -> HeldLine {
        HeldLine {
            total: Held::default(),
            buckets: vec![Held::default(); BUCKETS.len()],
        }
    }
}

impl HeldLine {
    fn add(&mut self, bucket: usize, weight: Option<f64>, base_rate: f64, days: i64) {
        self.total.add(weight, base_rate, days);
        if let Some(b) = self.buckets.get_mut(bucket) {
            b.add(weight, base_rate, days);
        }
    }
}

/// `report dnfb`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DnfbReport {
    #[serde(flatten)]
    pub scope: Scope,
    pub as_of: NaiveDate,
    pub base_rate: f64,
    pub buckets: Vec<&'static str>,
    /// Every chart discharged and not final (DNFB).
    pub total: HeldLine,
    /// Of those, not yet coded (DNFC: ready, in progress, on hold).
    pub not_coded: HeldLine,
    /// Mean days since discharge of the DNFB charts.
    pub mean_days: Option<f64>,
    /// By status (`ready`, ...), in workflow order.
    pub by_status: Vec<(String, HeldLine)>,
    /// Charts on hold by why they wait.
    pub by_hold: Vec<(&'static str, HeldLine)>,
}

pub(super) fn bucket_of(days: i64) -> usize {
    BUCKETS
        .iter()
        .position(|(lo, hi, _)| (*lo..=*hi).contains(&days))
        .unwrap_or(0)
}

/// Charts discharged in the scope's period and not final on `as_of`, by age
/// since discharge, status and hold reason, with the amount they hold.
/// `--coder`: the charts that coder holds (claimed) or completed.
pub fn dnfb(conn: &Db, scope: &Scope, as_of: NaiveDate, base_rate: f64) -> Result<DnfbReport> {
    let sql = "SELECT c.status, c.discharge_date, d.weight,
                CASE WHEN c.status <> 'on_hold' THEN NULL
                     WHEN EXISTS (SELECT 1 FROM holds h WHERE h.chart_id = c.chart_id
                                  AND h.released_at IS NULL
                                  AND (h.physician_query_id IS NOT NULL
                                       OR lower(h.reason) LIKE '%quer%')) THEN 0
                     WHEN EXISTS (SELECT 1 FROM holds h WHERE h.chart_id = c.chart_id
                                  AND h.released_at IS NULL
                                  AND lower(h.reason) LIKE '%document%') THEN 1
                     ELSE 2 END
         FROM charts c LEFT JOIN chart_drgs d ON d.chart_id = c.chart_id
         WHERE c.status IN ('ready', 'in_progress', 'on_hold', 'coded', 'reviewed')
           AND c.discharge_date BETWEEN ?1 AND ?2
           AND (CAST(?3 AS TEXT) IS NULL OR c.claimed_by = ?3
                OR (SELECT cc.coder FROM chart_coding cc WHERE cc.chart_id = c.chart_id
                    ORDER BY cc.rowid DESC LIMIT 1) = ?3)";
    let mut total = HeldLine::default();
    let mut not_coded = HeldLine::default();
    let mut statuses: BTreeMap<ChartStatus, HeldLine> = BTreeMap::new();
    let mut holds: BTreeMap<usize, HeldLine> = BTreeMap::new();
    conn.for_each(
        sql,
        params![scope.start_text(), scope.to_text(), scope.coder],
        |r| -> Result<()> {
            let status: ChartStatus = r
                .get::<String>(0)?
                .parse()
                .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
            let discharged = crate::store::charts::parse_date(&r.get::<String>(1)?)?;
            let weight: Option<f64> = r.get(2)?;
            let hold: Option<i64> = r.get(3)?;
            let days = (as_of - discharged).num_days().max(0);
            let b = bucket_of(days);
            total.add(b, weight, base_rate, days);
            if status.is_uncoded() {
                not_coded.add(b, weight, base_rate, days);
            }
            statuses
                .entry(status)
                .or_default()
                .add(b, weight, base_rate, days);
            if let Some(h) = hold.and_then(|h| usize::try_from(h).ok()) {
                holds.entry(h).or_default().add(b, weight, base_rate, days);
            }
            Ok(())
        },
    )?;
    let mean_days =
        (total.total.charts > 0).then(|| total.total.days as f64 / total.total.charts as f64);
    Ok(DnfbReport {
        scope: scope.clone(),
        as_of,
        base_rate,
        buckets: BUCKETS.iter().map(|b| b.2).collect(),
        total,
        not_coded,
        mean_days,
        by_status: statuses
            .into_iter()
            .map(|(s, l)| (s.as_str().to_string(), l))
            .collect(),
        by_hold: holds
            .into_iter()
            .filter_map(|(k, v)| HOLD_KINDS.get(k).map(|name| (*name, v)))
            .collect(),
    })
}
