//! `report accuracy`: accuracy of closed reviews, overall, by coder and by
//! month, from the per-day sums kept as reviews close.

use super::{Scope, ratio, targets};
use crate::store::Result;
use crate::store::sql::{Db, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// Accuracy over a set of closed reviews (percentages 0-100; `None` with
/// nothing to count).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Accuracy {
    pub charts: u64,
    pub dx_codes: u64,
    pub dx_errors: u64,
    pub dx_accuracy: Option<f64>,
    pub px_codes: u64,
    pub px_errors: u64,
    pub px_accuracy: Option<f64>,
    /// Diagnosis and procedure codes together: what the target is about.
    pub code_accuracy: Option<f64>,
    pub principal_charts: u64,
    pub principal_changed: u64,
    pub principal_accuracy: Option<f64>,
    pub drg_charts: u64,
    pub drg_changed: u64,
    pub drg_accuracy: Option<f64>,
    /// Whether `code_accuracy` reaches the target.
    pub meets_target: Option<bool>,
}

impl Accuracy {
    fn add(&mut self, o: &Accuracy) {
        self.charts += o.charts;
        self.dx_codes += o.dx_codes;
        self.dx_errors += o.dx_errors;
        self.px_codes += o.px_codes;
        self.px_errors += o.px_errors;
        self.principal_charts += o.principal_charts;
        self.principal_changed += o.principal_changed;
        self.drg_charts += o.drg_charts;
        self.drg_changed += o.drg_changed;
    }

    fn finish(&mut self, target: f64) {
        self.dx_accuracy = ratio(self.dx_codes - self.dx_errors, self.dx_codes);
        self.px_accuracy = ratio(self.px_codes - self.px_errors, self.px_codes);
        let codes = self.dx_codes + self.px_codes;
        self.code_accuracy = ratio(codes - self.dx_errors - self.px_errors, codes);
        self.principal_accuracy = ratio(
            self.principal_charts - self.principal_changed,
            self.principal_charts,
        );
        self.drg_accuracy = ratio(self.drg_charts - self.drg_changed, self.drg_charts);
        // Compared in hundredths of a percent: 95.0 meets 95 exactly.
        self.meets_target = self
            .code_accuracy
            .map(|a| (a * 100.0).round() >= (target * 100.0).round());
    }
}

/// `report accuracy`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccuracyReport {
    #[serde(flatten)]
    pub scope: Scope,
    pub target: f64,
    pub overall: Accuracy,
    /// By coder, by name.
    pub by_coder: Vec<(String, Accuracy)>,
    /// By the month the coder completed the charts, in order.
    pub trend: Vec<(String, Accuracy)>,
}

/// Accuracy of the reviews closed for charts the coders completed in the
/// period (by the day of completion), from the per-day sums a trigger keeps
/// as reviews close.
pub fn accuracy(conn: &Db, scope: &Scope) -> Result<AccuracyReport> {
    let target = targets(conn)?.accuracy;
    let sql = "SELECT coder, substr(day, 1, 7), sum(charts), sum(dx_codes), sum(dx_errors),
                sum(px_codes), sum(px_errors), sum(principal_charts), sum(principal_changed),
                sum(drg_charts), sum(drg_changed)
         FROM accuracy_daily
         WHERE day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR coder = ?3)
         GROUP BY coder, substr(day, 1, 7)";
    let mut overall = Accuracy::default();
    let mut coders: BTreeMap<String, Accuracy> = BTreeMap::new();
    let mut months: BTreeMap<String, Accuracy> = BTreeMap::new();
    conn.for_each(
        sql,
        params![scope.start_text(), scope.to_text(), scope.coder],
        |r| -> Result<()> {
            let n = |i: usize| -> crate::store::sql::Result<u64> {
                Ok(u64::try_from(r.get::<Option<i64>>(i)?.unwrap_or(0)).unwrap_or(0))
            };
            let a = Accuracy {
                charts: n(2)?,
                dx_codes: n(3)?,
                dx_errors: n(4)?,
                px_codes: n(5)?,
                px_errors: n(6)?,
                principal_charts: n(7)?,
                principal_changed: n(8)?,
                drg_charts: n(9)?,
                drg_changed: n(10)?,
                ..Accuracy::default()
            };
            overall.add(&a);
            coders.entry(r.get(0)?).or_default().add(&a);
            months.entry(r.get(1)?).or_default().add(&a);
            Ok(())
        },
    )?;
    overall.finish(target);
    let done = |m: BTreeMap<String, Accuracy>| {
        m.into_iter()
            .map(|(k, mut a)| {
                a.finish(target);
                (k, a)
            })
            .collect()
    };
    Ok(AccuracyReport {
        scope: scope.clone(),
        target,
        overall,
        by_coder: done(coders),
        trend: done(months),
    })
}
