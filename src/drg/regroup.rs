//! Grouping a chart as it stands, for review: the DRG that follows the codes
//! and whether it rests on a single CC or MCC (a review rule). Used by the
//! command line and the workstation alike.

use super::{Claim, Grouper, Grouping, HospitalStatus, Impact, SeverityUsage};
use crate::domain::{Chart, EncounterType, FinalDrg};

/// The grouping of an inpatient chart with a principal diagnosis; `None`
/// for another chart, or when the grouper does not group it.
pub fn grouping(grouper: &Grouper, chart: &Chart, hospital: HospitalStatus) -> Option<Grouping> {
    if chart.encounter.encounter_type != EncounterType::Inpatient {
        return None;
    }
    let mut claim = Claim::from_chart(chart)?;
    claim.hospital_status = hospital;
    grouper.group(&claim).ok()
}

/// The final DRG of the chart as it stands (see [`grouping`]).
pub fn regroup(grouper: &Grouper, chart: &Chart, hospital: HospitalStatus) -> Option<FinalDrg> {
    grouping(grouper, chart, hospital).and_then(|g| g.final_drg())
}

/// Whether the chart's DRG rests on a single CC or MCC: exactly one
/// secondary diagnosis counted as a CC or MCC by the final DRG's logic.
pub fn single_cc_mcc(grouper: &Grouper, chart: &Chart, hospital: HospitalStatus) -> bool {
    grouping(grouper, chart, hospital).is_some_and(|g| {
        g.sdx
            .iter()
            .filter(|d| {
                matches!(d.usage, SeverityUsage::Mcc | SeverityUsage::Cc)
                    && matches!(d.drg_impact, Impact::Final | Impact::Both)
            })
            .count()
            == 1
    })
}
