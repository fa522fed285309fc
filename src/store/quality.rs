//! Coding quality and flow: each completion timed from the audit trail, the
//! manager's review rules and targets, and the three reports (accuracy,
//! productivity, DNFB). The reports read summaries kept as the work is done
//! (a closed review's score, a per-day sum of completions), so that they
//! answer at once over a million charts; README.md ("Coding quality") has
//! the method of each figure.

use super::{Result, StoreError, audit};
use crate::domain::{AuditAction, ChartStatus, EncounterType, Role};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use std::collections::BTreeMap;

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
    tx: &Connection,
    chart_id: i64,
    coder: &str,
    completed_at: &str,
    upto: impl Into<Option<i64>>,
) -> rusqlite::Result<()> {
    let upto = match upto.into() {
        Some(id) => id,
        None => tx.query_row("SELECT coalesce(max(audit_id), 0) FROM audit", [], |r| {
            r.get(0)
        })?,
    };
    let mut times = Vec::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT at, action FROM audit WHERE chart_id = ?1 AND actor = ?2 AND audit_id <= ?3
             ORDER BY audit_id DESC",
        )?;
        let mut rows = stmt.query(params![chart_id, coder, upto])?;
        let mut first = true;
        while let Some(r) = rows.next()? {
            let action: String = r.get(1)?;
            if !first && action == AuditAction::Complete.as_str() {
                break;
            }
            first = false;
            if let Some(t) = epoch(&r.get::<_, String>(0)?) {
                times.push(t);
            }
        }
    }
    times.reverse();
    let lock: Option<String> = tx
        .query_row(
            "SELECT value FROM site WHERE key = 'lock_minutes'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    let minutes: i64 = lock.and_then(|v| v.parse().ok()).unwrap_or(15);
    let idle = (minutes > 0).then_some(minutes * 60);
    let seconds = time_on_chart(&times, idle);
    let etype: String = tx.query_row(
        "SELECT encounter_type FROM charts WHERE chart_id = ?1",
        [chart_id],
        |r| r.get(0),
    )?;
    let day = completed_at.get(..10).unwrap_or(completed_at);
    tx.prepare_cached(
        "INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![chart_id, coder, etype, completed_at, day, seconds])?;
    Ok(())
}

/// Who last completed the chart, and when.
pub fn coder_of(conn: &Connection, chart_id: i64) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT coder, completed_at FROM chart_coding WHERE chart_id = ?1
             ORDER BY rowid DESC LIMIT 1",
        )?
        .query_row([chart_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

// ---------------------------------------------------------------------------
// Settings: the review rules and the targets

/// Every setting, its default, and what it means (for `review rules` and the README).
pub const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "sample_percent",
        "5",
        "percent of each coder's coded charts drawn at random for review (0-100)",
    ),
    (
        "sample_seed",
        "1",
        "the seed of the random draw (the same seed draws the same charts)",
    ),
    (
        "new_coder_charts",
        "20",
        "every chart of a coder's first N completions is reviewed (0: off)",
    ),
    (
        "single_cc_mcc",
        "true",
        "review charts whose MS-DRG rests on a single CC or MCC",
    ),
    (
        "drgs",
        "",
        "review charts with these MS-DRGs, comma-separated (e.g. the top-weighted ones)",
    ),
    (
        "min_weight",
        "",
        "review charts whose MS-DRG weight is at least this (empty: off)",
    ),
    (
        "principal_dx",
        "",
        "review charts whose principal diagnosis starts with one of these codes, comma-separated",
    ),
    (
        "undetermined_query",
        "true",
        "review charts with a physician query closed as clinically undetermined",
    ),
    (
        "acknowledged_warnings",
        "false",
        "review charts on which the coder acknowledged a warning of the edits",
    ),
    (
        "accuracy_target",
        "95",
        "the code accuracy a coder is expected to reach, in percent",
    ),
    (
        "target_inpatient",
        "3",
        "inpatient charts per hour expected",
    ),
    (
        "target_outpatient_surgery",
        "6",
        "outpatient surgery charts per hour expected",
    ),
    (
        "target_emergency",
        "10",
        "emergency charts per hour expected",
    ),
    ("target_clinic", "12", "clinic charts per hour expected"),
    (
        "target_professional",
        "12",
        "professional charts per hour expected",
    ),
];

/// The rules that put a coded chart in the review queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRules {
    pub sample_percent: f64,
    pub sample_seed: u64,
    pub new_coder_charts: u32,
    pub single_cc_mcc: bool,
    pub drgs: Vec<u16>,
    pub min_weight: Option<f64>,
    pub principal_dx: Vec<String>,
    pub undetermined_query: bool,
    pub acknowledged_warnings: bool,
}

/// The manager's targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Targets {
    /// Percent.
    pub accuracy: f64,
    /// Charts per hour, by encounter type.
    pub per_hour: BTreeMap<EncounterType, f64>,
}

fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The stored form of `value` for `key`, checked.
fn checked(key: &str, value: &str) -> std::result::Result<String, String> {
    let v = value.trim();
    let number = |max: f64| {
        v.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n >= 0.0 && *n <= max)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("{key} is a number from 0 to {max}"))
    };
    let flag = || match v {
        "true" | "false" => Ok(v.to_string()),
        _ => Err(format!("{key} is true or false")),
    };
    match key {
        "sample_percent" | "accuracy_target" => number(100.0),
        "sample_seed" => v
            .parse::<u64>()
            .map(|n| n.to_string())
            .map_err(|_| format!("{key} is a whole number")),
        "new_coder_charts" => v
            .parse::<u32>()
            .ok()
            .filter(|n| *n <= 100_000)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("{key} is a whole number from 0 to 100000")),
        "single_cc_mcc" | "undetermined_query" | "acknowledged_warnings" => flag(),
        "drgs" => list(v)
            .iter()
            .map(|d| {
                d.parse::<u16>()
                    .ok()
                    .filter(|n| (1..=999).contains(n))
                    .map(|n| n.to_string())
                    .ok_or_else(|| format!("drgs: {d:?} is not an MS-DRG (1-999)"))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(|l| l.join(",")),
        "min_weight" if v.is_empty() => Ok(String::new()),
        "min_weight" => number(100.0),
        "principal_dx" => list(v)
            .iter()
            .map(|c| {
                let c = c.replace('.', "").to_ascii_uppercase();
                match c.len() >= 3 && c.len() <= 7 && c.chars().all(|ch| ch.is_ascii_alphanumeric())
                {
                    true => Ok(c),
                    false => Err(format!(
                        "principal_dx: {c:?} is not an ICD-10-CM code or prefix"
                    )),
                }
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map(|l| l.join(",")),
        k if k.starts_with("target_") && SETTINGS.iter().any(|s| s.0 == k) => v
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite() && *n > 0.0 && *n <= 1000.0)
            .map(|n| n.to_string())
            .ok_or_else(|| format!("{key} is a number of charts per hour above 0")),
        _ => Err(format!(
            "there is no review setting {key:?}; the settings are {}",
            SETTINGS.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn setting(conn: &Connection, key: &str) -> Result<String> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM quality_settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    Ok(stored.unwrap_or_else(|| {
        SETTINGS
            .iter()
            .find(|s| s.0 == key)
            .map_or(String::new(), |s| s.1.to_string())
    }))
}

fn corrupt(key: &str) -> StoreError {
    StoreError::Corrupt(format!("the review setting {key} does not read"))
}

/// Each setting with its value now.
pub fn settings(conn: &Connection) -> Result<Vec<(&'static str, String, &'static str)>> {
    SETTINGS
        .iter()
        .map(|(k, _, what)| Ok((*k, setting(conn, k)?, *what)))
        .collect()
}

/// Sets a review rule or target: a manager only, audited with the old and
/// new value. Returns the old value.
pub fn set_setting(tx: &Transaction<'_>, actor: &str, key: &str, value: &str) -> Result<String> {
    super::users::require_role(
        tx,
        actor,
        "only a manager sets review rules and targets",
        |r| r == Role::Manager,
    )?;
    let value = checked(key, value).map_err(StoreError::Refused)?;
    let old = setting(tx, key)?;
    tx.execute(
        "INSERT INTO quality_settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    audit::record(
        tx,
        actor,
        None,
        AuditAction::ReviewSetting,
        &format!("{key}: {old} -> {value}"),
    )?;
    Ok(old)
}

/// The review rules now.
pub fn review_rules(conn: &Connection) -> Result<ReviewRules> {
    let flag = |k: &str| -> Result<bool> { Ok(setting(conn, k)? == "true") };
    let min_weight = setting(conn, "min_weight")?;
    Ok(ReviewRules {
        sample_percent: setting(conn, "sample_percent")?
            .parse()
            .map_err(|_| corrupt("sample_percent"))?,
        sample_seed: setting(conn, "sample_seed")?
            .parse()
            .map_err(|_| corrupt("sample_seed"))?,
        new_coder_charts: setting(conn, "new_coder_charts")?
            .parse()
            .map_err(|_| corrupt("new_coder_charts"))?,
        single_cc_mcc: flag("single_cc_mcc")?,
        drgs: list(&setting(conn, "drgs")?)
            .iter()
            .map(|d| d.parse().map_err(|_| corrupt("drgs")))
            .collect::<Result<_>>()?,
        min_weight: match min_weight.as_str() {
            "" => None,
            w => Some(w.parse().map_err(|_| corrupt("min_weight"))?),
        },
        principal_dx: list(&setting(conn, "principal_dx")?),
        undetermined_query: flag("undetermined_query")?,
        acknowledged_warnings: flag("acknowledged_warnings")?,
    })
}

/// The targets now.
pub fn targets(conn: &Connection) -> Result<Targets> {
    let mut per_hour = BTreeMap::new();
    for t in EncounterType::ALL {
        let key = format!("target_{}", t.as_str());
        per_hour.insert(*t, setting(conn, &key)?.parse().map_err(|_| corrupt(&key))?);
    }
    Ok(Targets {
        accuracy: setting(conn, "accuracy_target")?
            .parse()
            .map_err(|_| corrupt("accuracy_target"))?,
        per_hour,
    })
}

// ---------------------------------------------------------------------------
// Reports

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
pub fn accuracy(conn: &Connection, scope: &Scope) -> Result<AccuracyReport> {
    let target = targets(conn)?.accuracy;
    let mut stmt = conn.prepare_cached(
        "SELECT coder, substr(day, 1, 7), sum(charts), sum(dx_codes), sum(dx_errors),
                sum(px_codes), sum(px_errors), sum(principal_charts), sum(principal_changed),
                sum(drg_charts), sum(drg_changed)
         FROM accuracy_daily
         WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR coder = ?3)
         GROUP BY coder, substr(day, 1, 7)",
    )?;
    let mut rows = stmt.query(params![scope.start_text(), scope.to_text(), scope.coder])?;
    let mut overall = Accuracy::default();
    let mut coders: BTreeMap<String, Accuracy> = BTreeMap::new();
    let mut months: BTreeMap<String, Accuracy> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let n = |i: usize| -> rusqlite::Result<u64> {
            Ok(u64::try_from(r.get::<_, Option<i64>>(i)?.unwrap_or(0)).unwrap_or(0))
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
    }
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
pub fn productivity(conn: &Connection, scope: &Scope) -> Result<ProductivityReport> {
    let targets = targets(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT coder, encounter_type, sum(charts), sum(seconds) FROM coding_daily
         WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR coder = ?3)
         GROUP BY coder, encounter_type",
    )?;
    let mut rows = stmt.query(params![scope.start_text(), scope.to_text(), scope.coder])?;
    let mut overall = Output::default();
    let mut types: BTreeMap<EncounterType, Output> = BTreeMap::new();
    let mut coders: BTreeMap<String, Output> = BTreeMap::new();
    let mut both: BTreeMap<(String, EncounterType), Output> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let coder: String = r.get(0)?;
        let etype: EncounterType = r
            .get::<_, String>(1)?
            .parse()
            .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
        let charts = u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
        let seconds = u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0);
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
    }
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

fn bucket_of(days: i64) -> usize {
    BUCKETS
        .iter()
        .position(|(lo, hi, _)| (*lo..=*hi).contains(&days))
        .unwrap_or(0)
}

/// Charts discharged in the scope's period and not final on `as_of`, by age
/// since discharge, status and hold reason, with the amount they hold.
/// `--coder`: the charts that coder holds (claimed) or completed.
pub fn dnfb(
    conn: &Connection,
    scope: &Scope,
    as_of: NaiveDate,
    base_rate: f64,
) -> Result<DnfbReport> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.status, c.discharge_date, d.weight,
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
           AND (?3 IS NULL OR c.claimed_by = ?3
                OR (SELECT cc.coder FROM chart_coding cc WHERE cc.chart_id = c.chart_id
                    ORDER BY cc.rowid DESC LIMIT 1) = ?3)",
    )?;
    let mut rows = stmt.query(params![scope.start_text(), scope.to_text(), scope.coder])?;
    let mut total = HeldLine::default();
    let mut not_coded = HeldLine::default();
    let mut statuses: BTreeMap<ChartStatus, HeldLine> = BTreeMap::new();
    let mut holds: BTreeMap<usize, HeldLine> = BTreeMap::new();
    while let Some(r) = rows.next()? {
        let status: ChartStatus = r
            .get::<_, String>(0)?
            .parse()
            .map_err(|e: crate::domain::UnknownValue| StoreError::Corrupt(e.to_string()))?;
        let discharged = super::charts::parse_date(&r.get::<_, String>(1)?)?;
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
    }
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

#[cfg(test)]
mod tests {
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
