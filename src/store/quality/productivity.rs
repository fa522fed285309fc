//! `report productivity`: charts completed, time on chart and charts per
//! hour against the targets, from the per-day sums of completions.

use super::{Scope, targets};
use crate::domain::EncounterType;
use crate::store::sql::{Db, params};
use crate::store::{Result, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// Output over a set of completions.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Output {
    pub charts: u64,
    /// Time on chart, in hours.
    pub hours: f64,
    pub charts_per_hour: Option<f64>,
    pub minutes_per_chart: Option<f64>,
    /// The target (charts per hour) for one encounter type; `None` for a mix.
    pub target_per_hour: Option<f64>,
    /// Hours the charts are worth at the targets over the hours spent, in
    /// percent (100: on target).
    pub percent_of_target: Option<f64>,
    #[serde(skip)]
    seconds: u64,
    #[serde(skip)]
    earned_hours: f64,
}

impl Output {
    fn add(&mut self, charts: u64, seconds: u64, target: f64) {
        self.charts += charts;
        self.seconds += seconds;
        self.earned_hours += charts as f64 / target;
    }

    fn finish(&mut self, target: Option<f64>) {
        self.hours = self.seconds as f64 / 3600.0;
        self.charts_per_hour = (self.seconds > 0).then(|| self.charts as f64 / self.hours);
        self.minutes_per_chart =
            (self.charts > 0).then(|| self.seconds as f64 / 60.0 / self.charts as f64);
        self.target_per_hour = target;
        self.percent_of_target = (self.seconds > 0).then(|| self.earned_hours * 100.0 / self.hours);
    }
}

/// `report productivity`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductivityReport {
    #[serde(flatten)]
    pub scope: Scope,
    pub overall: Output,
    /// By encounter type (`inpatient`, ...), in declaration order.
    pub by_type: Vec<(String, Output)>,
    pub by_coder: Vec<(String, Output)>,
    pub by_coder_and_type: Vec<(String, String, Output)>,
}

/// Charts completed in the period (by the day of completion), their time
/// on chart, and charts per hour against the targets.
pub fn productivity(conn: &Db, scope: &Scope) -> Result<ProductivityReport> {
    let targets = targets(conn)?;
    let sql = "SELECT coder, encounter_type, sum(charts), sum(seconds) FROM coding_daily
         WHERE day BETWEEN ?1 AND ?2 AND (CAST(?3 AS TEXT) IS NULL OR coder = ?3)
         GROUP BY coder, encounter_type";
    let mut overall = Output::default();
    let mut types: BTreeMap<EncounterType, Output> = BTreeMap::new();
    let mut coders: BTreeMap<String, Output> = BTreeMap::new();
    let mut both: BTreeMap<(String, EncounterType), Output> = BTreeMap::new();
    conn.for_each(
        sql,
        params![scope.start_text(), scope.to_text(), scope.coder],
        |r| -> Result<()> {
            let coder: String = r.get(0)?;
            let etype: EncounterType = r
                .get::<String>(1)?
                .parse()
                .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
            let charts = u64::try_from(r.get::<i64>(2)?).unwrap_or(0);
            let seconds = u64::try_from(r.get::<i64>(3)?).unwrap_or(0);
            let target = targets.per_hour.get(&etype).copied().unwrap_or(1.0);
            overall.add(charts, seconds, target);
            types.entry(etype).or_default().add(charts, seconds, target);
            coders
                .entry(coder.clone())
                .or_default()
                .add(charts, seconds, target);
            both.entry((coder, etype))
                .or_default()
                .add(charts, seconds, target);
            Ok(())
        },
    )?;
    overall.finish(None);
    let target_of = |t: &EncounterType| targets.per_hour.get(t).copied();
    Ok(ProductivityReport {
        scope: scope.clone(),
        overall,
        by_type: types
            .into_iter()
            .map(|(t, mut o)| {
                o.finish(target_of(&t));
                (t.as_str().to_string(), o)
            })
            .collect(),
        by_coder: coders
            .into_iter()
            .map(|(c, mut o)| {
                o.finish(None);
                (c, o)
            })
            .collect(),
        by_coder_and_type: both
            .into_iter()
            .map(|((c, t), mut o)| {
                o.finish(target_of(&t));
                (c, t.as_str().to_string(), o)
            })
            .collect(),
    })
}
