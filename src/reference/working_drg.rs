//! The working MS-DRG of the open chart: grouped again on every change to the
//! codes (inpatient charts only), and the DRG analysis (each diagnosis as the
//! principal, and which secondary diagnosis sets the severity). What is shown
//! comes from the grouper (`crate::drg`); this module only words it.

use crate::domain::{Chart, EncounterType};
use crate::drg::{
    Claim, GroupError, Grouper, Grouping, HospitalStatus, Impact, ReturnCode, SeverityUsage,
};
use crate::edits::DrgOutcome;

/// What the chart header says about the DRG.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkingDrg {
    /// Not an inpatient chart: MS-DRGs do not apply (no line is shown).
    NotInpatient,
    /// The grouper is not loaded (yet, or it failed): why.
    Unavailable(String),
    /// No principal diagnosis coded yet.
    NoPrincipal,
    /// No MS-DRG version is installed for the discharge date: the message.
    NoVersion(String),
    /// Not grouped: too many codes for the grouper.
    NotGrouped(String),
    /// Grouped (also DRG 999 and the HAC return codes: see [`WorkingDrg::line`]).
    Grouped(Box<Grouping>),
}

/// The hospital's HAC status from the `[drg] poa_exempt` setting.
pub fn hospital_status(poa_exempt: bool) -> HospitalStatus {
    if poa_exempt {
        HospitalStatus::Exempt
    } else {
        HospitalStatus::NotExempt
    }
}

/// The chart as the grouper takes it, with the hospital's HAC status.
pub fn claim_of(chart: &Chart, hospital: HospitalStatus) -> Option<Claim> {
    let mut claim = Claim::from_chart(chart)?;
    claim.hospital_status = hospital;
    Some(claim)
}

impl WorkingDrg {
    /// Groups an inpatient chart.
    pub fn of(grouper: Option<&Grouper>, chart: &Chart, hospital: HospitalStatus) -> WorkingDrg {
        if chart.encounter.encounter_type != EncounterType::Inpatient {
            return WorkingDrg::NotInpatient;
        }
        let Some(grouper) = grouper else {
            return WorkingDrg::Unavailable("the MS-DRG grouper is loading…".into());
        };
        let Some(claim) = claim_of(chart, hospital) else {
            return WorkingDrg::NoPrincipal;
        };
        match grouper.group(&claim) {
            Ok(g) => WorkingDrg::Grouped(Box::new(g)),
            Err(e @ (GroupError::NoVersion(_) | GroupError::UnknownVersion(_))) => {
                WorkingDrg::NoVersion(e.to_string())
            }
            Err(e) => WorkingDrg::NotGrouped(e.to_string()),
        }
    }

    /// What the edits engine is told of the grouping.
    pub fn outcome(&self) -> DrgOutcome {
        match self {
            WorkingDrg::NotInpatient | WorkingDrg::Unavailable(_) | WorkingDrg::NoPrincipal => {
                DrgOutcome::Unknown
            }
            WorkingDrg::NoVersion(why) => DrgOutcome::NoVersion(why.clone()),
            WorkingDrg::NotGrouped(why) => DrgOutcome::Ungroupable(why.clone()),
            WorkingDrg::Grouped(g) if g.final_result.return_code == ReturnCode::Ok => {
                DrgOutcome::Grouped(g.final_result.drg)
            }
            WorkingDrg::Grouped(g) => {
                let rc = g.final_result.return_code;
                DrgOutcome::Ungroupable(format!("DRG 999 ({}): {}", rc.as_str(), rc.reason()))
            }
        }
    }

    /// The grouping, when there is one.
    pub fn grouping(&self) -> Option<&Grouping> {
        match self {
            WorkingDrg::Grouped(g) => Some(g),
            _ => None,
        }
    }

    /// Why the chart has no DRG a claim could carry (not grouped, or DRG 999
    /// with a return code other than OK), in words; `None` when it has one or
    /// DRGs do not apply.
    pub fn ungroupable(&self) -> Option<String> {
        match self {
            WorkingDrg::NotGrouped(why) | WorkingDrg::NoVersion(why) => Some(why.clone()),
            WorkingDrg::Grouped(g) if g.final_result.return_code != ReturnCode::Ok => {
                Some(not_grouped(g.final_result.return_code))
            }
            _ => None,
        }
    }

    /// The header line: `MS-DRG 330 TITLE · MDC 06 · RW 2.4361 · GMLOS 5.6 · v44`,
    /// or why there is none. `None` for a chart DRGs do not apply to.
    pub fn line(&self) -> Option<String> {
        match self {
            WorkingDrg::NotInpatient => None,
            WorkingDrg::Unavailable(why) => Some(format!("MS-DRG: {why}")),
            WorkingDrg::NoPrincipal => {
                Some("MS-DRG not grouped: no principal diagnosis coded yet".into())
            }
            WorkingDrg::NotGrouped(why) | WorkingDrg::NoVersion(why) => {
                Some(format!("MS-DRG {why}"))
            }
            WorkingDrg::Grouped(g) => Some(grouped_line(g)),
        }
    }
}

fn not_grouped(rc: ReturnCode) -> String {
    format!("not grouped: DRG 999 ({}): {}", rc.as_str(), rc.reason())
}

/// `v44.0` is said `v44`; `v43.1` stays.
pub fn short_version(label: &str) -> &str {
    label.strip_suffix(".0").unwrap_or(label)
}

/// What the weight part of a line says: `RW 2.4361 · GMLOS 5.6`, or why there
/// is no weight (`weight n/a (no FY2027 IPPS Table 5 installed)`).
pub fn weight_text(g: &Grouping) -> String {
    match (&g.weight, &g.weight_note) {
        (Some(w), _) => format!("RW {:.4} · GMLOS {:.1}", w.weight, w.gmlos),
        (None, Some(note)) => {
            let why = note.strip_prefix("weight n/a: ").unwrap_or(note);
            let why = why
                .split(" for MS-DRG ")
                .next()
                .unwrap_or(why)
                .replace(" has no weight", ": no weight");
            format!("weight n/a ({why})")
        }
        (None, None) => "weight n/a".into(),
    }
}

fn grouped_line(g: &Grouping) -> String {
    let f = &g.final_result;
    if f.return_code != ReturnCode::Ok {
        return format!("MS-DRG {}", not_grouped(f.return_code));
    }
    format!(
        "MS-DRG {:03} {} · MDC {:02} · {} · {}",
        f.drg,
        f.title,
        f.mdc,
        weight_text(g),
        short_version(&g.version_label)
    )
}

/// How the diagnoses pane marks a diagnosis at `position` (0 = principal):
/// the severity cell (`MCC*` for the one that sets the DRG's severity,
/// `-CC` for an excluded one) and, for an excluded one, why.
pub fn dx_mark(g: &Grouping, position: usize) -> Option<(String, Option<&'static str>)> {
    let sdx = g.sdx.get(position.checked_sub(1)?)?;
    let level = sdx.severity.as_str();
    let why = match sdx.usage {
        SeverityUsage::Mcc | SeverityUsage::Cc => {
            let star = if Some(position - 1) == severity_setter(g) {
                "*"
            } else {
                ""
            };
            return Some((format!("{}{star}", sdx.usage.label()), None));
        }
        SeverityUsage::NotCc | SeverityUsage::Invalid => return None,
        SeverityUsage::ExcludedByPdx => "excluded by the PDX",
        SeverityUsage::ExcludedByDrgLogic => "excluded by the DRG's logic",
        SeverityUsage::McConlyIfAlive => "MCC only if alive",
        SeverityUsage::HacNotCounted => "HAC, not counted",
    };
    Some((format!("-{level}"), Some(why)))
}

/// The secondary diagnosis (index into `g.sdx`) that sets the final DRG's
/// severity: the first counted CC/MCC the final DRG's formula used.
pub fn severity_setter(g: &Grouping) -> Option<usize> {
    g.sdx.iter().position(|d| {
        matches!(d.usage, SeverityUsage::Mcc | SeverityUsage::Cc)
            && matches!(d.drg_impact, Impact::Final | Impact::Both)
    })
}

/// One line of the analysis: a diagnosis as the principal, or the chart
/// without one secondary diagnosis.
#[derive(Debug, Clone, PartialEq)]
pub struct WhatIf {
    pub code: String,
    /// `DRG 291 TITLE · RW 1.2345`, or why not grouped.
    pub result: String,
    pub drg: Option<u16>,
}

/// The DRG analysis of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct DrgAnalysis {
    /// The DRG now (the header line).
    pub current: String,
    /// Each diagnosis as the principal, in chart order (the principal first).
    pub as_principal: Vec<WhatIf>,
    /// Each secondary diagnosis whose removal alone changes the DRG (drops
    /// the severity), with the DRG without it.
    pub severity_drivers: Vec<WhatIf>,
    /// Secondary diagnoses counted as CC/MCC by the current DRG.
    pub counted: usize,
}

fn what_if(code: &str, g: Result<Grouping, crate::drg::GroupError>) -> WhatIf {
    match g {
        Ok(g) if g.final_result.return_code == ReturnCode::Ok => WhatIf {
            code: code.to_string(),
            result: format!(
                "DRG {:03} {} · {}",
                g.final_result.drg,
                g.final_result.title,
                weight_text(&g)
            ),
            drg: Some(g.final_result.drg),
        },
        Ok(g) => WhatIf {
            code: code.to_string(),
            result: not_grouped(g.final_result.return_code),
            drg: None,
        },
        Err(e) => WhatIf {
            code: code.to_string(),
            result: e.to_string(),
            drg: None,
        },
    }
}

impl DrgAnalysis {
    /// The analysis of an inpatient chart; `Err` says why there is none.
    pub fn of(
        grouper: &Grouper,
        chart: &Chart,
        hospital: HospitalStatus,
    ) -> Result<DrgAnalysis, String> {
        let working = WorkingDrg::of(Some(grouper), chart, hospital);
        let current = match &working {
            WorkingDrg::NotInpatient => {
                return Err("MS-DRGs are for inpatient charts only".into());
            }
            WorkingDrg::NotGrouped(why) | WorkingDrg::NoVersion(why) => return Err(why.clone()),
            WorkingDrg::NoPrincipal => return Err("no principal diagnosis coded yet".into()),
            other => other.line().unwrap_or_default(),
        };
        let Some(claim) = claim_of(chart, hospital) else {
            return Err("no principal diagnosis coded yet".into());
        };
        let now = working.grouping();
        // The codes as the chart writes them (the claim's have no dot).
        let shown = |i: usize, bare: &str| -> String {
            chart
                .diagnoses
                .get(i)
                .map_or_else(|| bare.to_string(), |d| d.code.clone())
        };
        let as_principal = match grouper.each_as_principal(&claim) {
            Ok(all) => all
                .into_iter()
                .enumerate()
                .map(|(i, (code, g))| what_if(&shown(i, &code), Ok(g)))
                .collect(),
            Err(e) => return Err(e.to_string()),
        };
        let now_drg = now.map(|g| g.final_result.drg);
        let mut severity_drivers = Vec::new();
        for i in 0..claim.sdx.len() {
            let counted = now
                .and_then(|g| g.sdx.get(i))
                .is_some_and(|d| matches!(d.usage, SeverityUsage::Mcc | SeverityUsage::Cc));
            if !counted {
                continue;
            }
            let mut without = claim.clone();
            let removed = without.sdx.remove(i);
            let w = what_if(&shown(i + 1, &removed.code), grouper.group(&without));
            if w.drg.is_some() && w.drg != now_drg {
                severity_drivers.push(w);
            }
        }
        let counted = now.map_or(0, |g| {
            g.sdx
                .iter()
                .filter(|d| matches!(d.usage, SeverityUsage::Mcc | SeverityUsage::Cc))
                .count()
        });
        Ok(DrgAnalysis {
            current,
            as_principal,
            severity_drivers,
            counted,
        })
    }

    /// The analysis as lines of text.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.current.clone(), String::new()];
        out.push("Each diagnosis as the principal:".into());
        for (i, w) in self.as_principal.iter().enumerate() {
            let mark = if i == 0 { " (now)" } else { "" };
            out.push(format!("  {:<8} {}{mark}", w.code, w.result));
        }
        out.push(String::new());
        match (self.severity_drivers.as_slice(), self.counted) {
            ([], 0) => out.push("No secondary diagnosis counts as a CC or MCC.".into()),
            ([], n) => out.push(format!(
                "No single secondary diagnosis sets the severity: removing any one of the {n} counted CC/MCC leaves the DRG as it is."
            )),
            (drivers, _) => {
                out.push("Removing this secondary diagnosis drops the severity:".into());
                for w in drivers {
                    out.push(format!("  {:<8} without it: {}", w.code, w.result));
                }
            }
        }
        out
    }
}
