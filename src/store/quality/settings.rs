//! The manager's settings: the review rules that fill the review queue and
//! the targets the reports measure against, each checked when set.

use crate::domain::{AuditAction, EncounterType, Role};
use crate::store::sql::{Db, Tx, params};
use crate::store::{Result, StoreError, audit};
use std::collections::BTreeMap;

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
pub(super) fn checked(key: &str, value: &str) -> std::result::Result<String, String> {
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

fn setting(conn: &Db, key: &str) -> Result<String> {
    let stored: Option<String> = conn.query_opt(
        "SELECT value FROM quality_settings WHERE key = ?1",
        [key],
        |r| r.get(0),
    )?;
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
pub fn settings(conn: &Db) -> Result<Vec<(&'static str, String, &'static str)>> {
    SETTINGS
        .iter()
        .map(|(k, _, what)| Ok((*k, setting(conn, k)?, *what)))
        .collect()
}

/// Sets a review rule or target: a manager only, audited with the old and
/// new value. Returns the old value.
pub fn set_setting(tx: &Tx<'_>, actor: &str, key: &str, value: &str) -> Result<String> {
    crate::store::users::require_role(
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
pub fn review_rules(conn: &Db) -> Result<ReviewRules> {
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
pub fn targets(conn: &Db) -> Result<Targets> {
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
