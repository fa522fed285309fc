//! Second-level review: roles, the reason categories of a reviewer's change,
//! where a review stands, the differences between the coder's version and
//! the reviewer's, and how they score (the accuracy method in README.md,
//! "Coding quality").

use super::{Poa, UnknownValue};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

spelled_enum!(
    /// What a user may do: code, review others' charts, or manage (roles,
    /// review rules, targets, settling rebuttals, reopening final charts).
    Role, "role" {
        Coder => "coder", "coder";
        Reviewer => "reviewer", "reviewer";
        Manager => "manager", "manager";
    }
);

spelled_enum!(
    /// Why a reviewer changed the coder's codes.
    ReviewReason, "review reason" {
        PrincipalSequencing => "principal_dx_sequencing", "principal dx sequencing";
        MissedSecondary => "missed_secondary_dx", "missed secondary dx";
        UnsupportedDx => "unsupported_dx", "unsupported dx";
        WrongCode => "wrong_code", "wrong code/specificity";
        Poa => "poa", "POA";
        PcsCharacter => "pcs_character", "PCS character";
        Procedure => "missing_extra_procedure", "missing/extra procedure";
        Modifier => "modifier", "modifier";
        DrgChanged => "drg_changed", "DRG changed";
    }
);

spelled_enum!(
    /// Where a review stands.
    ReviewState, "review state" {
        InReview => "in_review", "in review";
        Returned => "returned", "returned to the coder";
        Rebutted => "rebutted", "rebutted, awaiting a manager";
        Closed => "closed", "closed";
    }
);

spelled_enum!(
    /// A manager's decision on a rebutted change: whose version stands.
    Verdict, "verdict" {
        Reviewer => "reviewer", "reviewer upheld";
        Coder => "coder", "coder upheld";
    }
);

impl Role {
    /// Whether the role may review charts (a manager may).
    pub fn reviews(self) -> bool {
        matches!(self, Role::Reviewer | Role::Manager)
    }
}

/// One diagnosis as review compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionDx {
    pub code: String,
    pub poa: Option<Poa>,
}

/// One procedure or service line as review compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionPx {
    pub code: String,
    /// In claim order.
    pub modifiers: Vec<String>,
}

/// A chart's codes as one person left them: diagnoses in sequence (the
/// first is the principal), procedures, and the MS-DRG (inpatient).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodedVersion {
    pub diagnoses: Vec<VersionDx>,
    pub procedures: Vec<VersionPx>,
    pub drg: Option<u16>,
}

impl CodedVersion {
    fn principal(&self) -> Option<&str> {
        self.diagnoses.first().map(|d| d.code.as_str())
    }

    fn dx(&self, code: &str) -> Option<&VersionDx> {
        self.diagnoses.iter().find(|d| d.code == code)
    }

    fn px(&self, code: &str) -> Option<&VersionPx> {
        self.procedures.iter().find(|p| p.code == code)
    }
}

/// One difference between the coder's version and the reviewer's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The reviewer added a diagnosis the coder did not report.
    DxAdded(String),
    /// The reviewer removed a diagnosis the coder reported.
    DxRemoved(String),
    /// The principal diagnosis is another code.
    Principal {
        coder: Option<String>,
        reviewer: Option<String>,
    },
    /// A diagnosis both reported has another POA indicator.
    Poa {
        code: String,
        coder: Option<Poa>,
        reviewer: Option<Poa>,
    },
    PxAdded(String),
    PxRemoved(String),
    /// A line both reported has other modifiers.
    Modifiers {
        code: String,
        coder: Vec<String>,
        reviewer: Vec<String>,
    },
    Drg {
        coder: Option<u16>,
        reviewer: Option<u16>,
    },
}

fn poa_text(p: Option<Poa>) -> &'static str {
    p.map_or("-", |p| p.as_str())
}

fn drg_text(d: Option<u16>) -> String {
    d.map_or_else(|| "none".to_string(), |d| format!("{d:03}"))
}

impl Difference {
    /// The difference's stable key, by which a reason is given and a change
    /// rebutted or settled (`add-dx:E11.65`, `principal`, `poa:I50.23`).
    pub fn key(&self) -> String {
        match self {
            Difference::DxAdded(c) => format!("add-dx:{c}"),
            Difference::DxRemoved(c) => format!("remove-dx:{c}"),
            Difference::Principal { .. } => "principal".to_string(),
            Difference::Poa { code, .. } => format!("poa:{code}"),
            Difference::PxAdded(c) => format!("add-px:{c}"),
            Difference::PxRemoved(c) => format!("remove-px:{c}"),
            Difference::Modifiers { code, .. } => format!("modifiers:{code}"),
            Difference::Drg { .. } => "drg".to_string(),
        }
    }

    /// The difference in words: coder's version -> reviewer's.
    pub fn describe(&self) -> String {
        match self {
            Difference::DxAdded(c) => format!("diagnosis {c} added"),
            Difference::DxRemoved(c) => format!("diagnosis {c} removed"),
            Difference::Principal { coder, reviewer } => format!(
                "principal diagnosis {} -> {}",
                coder.as_deref().unwrap_or("none"),
                reviewer.as_deref().unwrap_or("none")
            ),
            Difference::Poa {
                code,
                coder,
                reviewer,
            } => format!(
                "POA of {code} {} -> {}",
                poa_text(*coder),
                poa_text(*reviewer)
            ),
            Difference::PxAdded(c) => format!("procedure {c} added"),
            Difference::PxRemoved(c) => format!("procedure {c} removed"),
            Difference::Modifiers {
                code,
                coder,
                reviewer,
            } => format!(
                "modifiers of {code} [{}] -> [{}]",
                coder.join(" "),
                reviewer.join(" ")
            ),
            Difference::Drg { coder, reviewer } => {
                format!("MS-DRG {} -> {}", drg_text(*coder), drg_text(*reviewer))
            }
        }
    }

    /// The DRG follows the codes: its difference is given a reason like any
    /// other, but it cannot be rebutted or settled on its own.
    pub fn is_drg(&self) -> bool {
        matches!(self, Difference::Drg { .. })
    }
}

/// Every difference between the two versions, diagnoses first (in the
/// reviewer's sequence), then procedures, then the DRG. A code reported
/// twice counts once; the order of secondary diagnoses is not a difference.
pub fn differences(coder: &CodedVersion, reviewer: &CodedVersion) -> Vec<Difference> {
    let mut out = Vec::new();
    if coder.principal() != reviewer.principal() {
        out.push(Difference::Principal {
            coder: coder.principal().map(str::to_string),
            reviewer: reviewer.principal().map(str::to_string),
        });
    }
    let mut seen = std::collections::HashSet::new();
    for d in &reviewer.diagnoses {
        if !seen.insert(d.code.as_str()) {
            continue;
        }
        match coder.dx(&d.code) {
            None => out.push(Difference::DxAdded(d.code.clone())),
            Some(c) if c.poa != d.poa => out.push(Difference::Poa {
                code: d.code.clone(),
                coder: c.poa,
                reviewer: d.poa,
            }),
            Some(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for d in &coder.diagnoses {
        if seen.insert(d.code.as_str()) && reviewer.dx(&d.code).is_none() {
            out.push(Difference::DxRemoved(d.code.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for p in &reviewer.procedures {
        if !seen.insert(p.code.as_str()) {
            continue;
        }
        match coder.px(&p.code) {
            None => out.push(Difference::PxAdded(p.code.clone())),
            Some(c) if c.modifiers != p.modifiers => out.push(Difference::Modifiers {
                code: p.code.clone(),
                coder: c.modifiers.clone(),
                reviewer: p.modifiers.clone(),
            }),
            Some(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for p in &coder.procedures {
        if seen.insert(p.code.as_str()) && reviewer.px(&p.code).is_none() {
            out.push(Difference::PxRemoved(p.code.clone()));
        }
    }
    if coder.drg != reviewer.drg {
        out.push(Difference::Drg {
            coder: coder.drg,
            reviewer: reviewer.drg,
        });
    }
    out
}

/// How one reviewed chart scores (README.md, "Accuracy method").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChartScore {
    /// Distinct diagnosis codes in either version.
    pub dx_codes: u32,
    /// Of those, the ones not right: reported by one version only, another
    /// POA, or principal in one version only.
    pub dx_errors: u32,
    /// Distinct procedure codes in either version.
    pub px_codes: u32,
    /// Of those: reported by one version only, or other modifiers.
    pub px_errors: u32,
    /// Whether the principal diagnosis changed (`None`: no diagnosis either side).
    pub principal_changed: Option<bool>,
    /// Whether the MS-DRG changed (`None`: no DRG either side).
    pub drg_changed: Option<bool>,
}

/// Scores the coder's version against the reviewer's (the one that stands).
pub fn score(coder: &CodedVersion, reviewer: &CodedVersion) -> ChartScore {
    let mut dx: BTreeMap<&str, (Option<&VersionDx>, Option<&VersionDx>)> = BTreeMap::new();
    for d in &coder.diagnoses {
        dx.entry(&d.code).or_insert((Some(d), None));
    }
    for d in &reviewer.diagnoses {
        let e = dx.entry(&d.code).or_insert((None, None));
        if e.1.is_none() {
            e.1 = Some(d);
        }
    }
    let (cp, rp) = (coder.principal(), reviewer.principal());
    let dx_errors = dx
        .iter()
        .filter(|(code, (c, r))| match (c, r) {
            (Some(c), Some(r)) => c.poa != r.poa || (cp == Some(**code)) != (rp == Some(**code)),
            _ => true,
        })
        .count();
    let mut px: BTreeMap<&str, (Option<&VersionPx>, Option<&VersionPx>)> = BTreeMap::new();
    for p in &coder.procedures {
        px.entry(&p.code).or_insert((Some(p), None));
    }
    for p in &reviewer.procedures {
        let e = px.entry(&p.code).or_insert((None, None));
        if e.1.is_none() {
            e.1 = Some(p);
        }
    }
    let px_errors = px
        .values()
        .filter(|(c, r)| match (c, r) {
            (Some(c), Some(r)) => c.modifiers != r.modifiers,
            _ => true,
        })
        .count();
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    ChartScore {
        dx_codes: count(dx.len()),
        dx_errors: count(dx_errors),
        px_codes: count(px.len()),
        px_errors: count(px_errors),
        principal_changed: (cp.is_some() || rp.is_some()).then_some(cp != rp),
        drg_changed: (coder.drg.is_some() || reviewer.drg.is_some())
            .then_some(coder.drg != reviewer.drg),
    }
}

/// A deterministic number in 0..10_000 for a chart under a seed (FNV-1a
/// over both): the random sample is "this number below N% × 100", the same
/// for a chart whatever else is in the queue.
pub fn sample_point(seed: u64, chart_id: i64) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed
        .to_le_bytes()
        .iter()
        .chain(chart_id.to_le_bytes().iter())
    {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Fold the high bits in: FNV's low bits alone are weak.
    u32::try_from((h ^ (h >> 32)) % 10_000).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dx(code: &str, poa: Option<Poa>) -> VersionDx {
        VersionDx {
            code: code.into(),
            poa,
        }
    }

    fn px(code: &str, mods: &[&str]) -> VersionPx {
        VersionPx {
            code: code.into(),
            modifiers: mods.iter().map(|m| m.to_string()).collect(),
        }
    }

    const Y: Option<Poa> = Some(Poa::Yes);
    const N: Option<Poa> = Some(Poa::No);

    #[test]
    fn a_pure_sequencing_change_is_two_errors_and_a_principal_change() {
        let coder = CodedVersion {
            diagnoses: vec![dx("J18.9", Y), dx("A41.9", Y), dx("E11.9", Y)],
            procedures: vec![],
            drg: Some(194),
        };
        let reviewer = CodedVersion {
            diagnoses: vec![dx("A41.9", Y), dx("J18.9", Y), dx("E11.9", Y)],
            procedures: vec![],
            drg: Some(871),
        };
        let d = differences(&coder, &reviewer);
        let keys: Vec<String> = d.iter().map(Difference::key).collect();
        assert_eq!(keys, vec!["principal", "drg"]);
        let s = score(&coder, &reviewer);
        assert_eq!((s.dx_codes, s.dx_errors), (3, 2));
        assert_eq!(s.principal_changed, Some(true));
        assert_eq!(s.drg_changed, Some(true));
    }

    #[test]
    fn replaced_codes_poa_and_modifiers_score_by_the_method() {
        let coder = CodedVersion {
            diagnoses: vec![dx("I50.9", Y), dx("E11.9", Y), dx("N18.3", N)],
            procedures: vec![px("99223", &["25"]), px("93000", &[])],
            drg: None,
        };
        let reviewer = CodedVersion {
            diagnoses: vec![dx("I50.9", Y), dx("E11.65", Y), dx("N18.3", Y)],
            procedures: vec![px("99223", &[]), px("93000", &[])],
            drg: None,
        };
        let keys: Vec<String> = differences(&coder, &reviewer)
            .iter()
            .map(Difference::key)
            .collect();
        assert_eq!(
            keys,
            vec![
                "add-dx:E11.65",
                "poa:N18.3",
                "remove-dx:E11.9",
                "modifiers:99223"
            ]
        );
        let s = score(&coder, &reviewer);
        // Union {I50.9, E11.9, E11.65, N18.3}: E11.9, E11.65, N18.3 wrong.
        assert_eq!((s.dx_codes, s.dx_errors), (4, 3));
        assert_eq!((s.px_codes, s.px_errors), (2, 1));
        assert_eq!(s.principal_changed, Some(false));
        assert_eq!(s.drg_changed, None);
        assert_eq!(score(&coder, &coder).dx_errors, 0);
    }

    #[test]
    fn the_sample_is_deterministic_and_near_its_rate() {
        assert_eq!(sample_point(7, 42), sample_point(7, 42));
        let hits = (0..10_000)
            .filter(|id| sample_point(7, *id) < 1_000)
            .count();
        assert!((900..1100).contains(&hits), "{hits} of 10000 at 10%");
        let other = (0..10_000)
            .filter(|id| (sample_point(7, *id) < 1_000) != (sample_point(8, *id) < 1_000))
            .count();
        assert!(other > 1000, "another seed draws another sample");
    }
}
