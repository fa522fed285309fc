//! What a grouping answers: the initial and final DRG, each code's part in
//! it (CC/MCC use, DRG impact), the hospital-acquired conditions, the weight.

use super::{Level, Partition, ReturnCode, Weight};
use crate::domain;
use serde::Serialize;
use std::fmt;

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
    pub(super) fn from(initial: bool, fin: bool) -> Impact {
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

impl fmt::Display for DrgResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DRG {:03} MDC {:02} {}", self.drg, self.mdc, self.title)
    }
}
