//! The HAC step (step 10): the status of each secondary diagnosis's HAC
//! candidates, the HACs met, and the return code a met HAC with a missing or
//! invalid POA (or an unknown hospital status) ends the claim with.

use super::pass::Outcome;
use super::prepare::Prepared;
use super::{poa_no, poa_yes};
use crate::drg::{Claim, HacCandidateStatus, HospitalStatus, ReturnCode, Rules};

/// What the HAC step found.
pub(super) struct HacStep {
    /// The hospital is exempt from the HAC provision.
    pub(super) exempt: bool,
    /// Per secondary diagnosis, the status of each of its candidates.
    pub(super) statuses: Vec<Vec<HacCandidateStatus>>,
    /// The HAC numbers met, in the order first met.
    pub(super) met_numbers: Vec<u8>,
    /// Per secondary diagnosis: one of its candidates is met.
    pub(super) hac_met: Vec<bool>,
    /// The return code the step ends the claim with, if any.
    pub(super) rc: Option<ReturnCode>,
}

/// Each candidate's status, by its POA, the PDX's exclusions and its HAC's
/// formulas (each formula evaluated once for the claim).
fn candidate_statuses(
    p: &Prepared<'_>,
    claim: &Claim,
    evaluate: bool,
) -> Vec<Vec<HacCandidateStatus>> {
    let mut statuses: Vec<Vec<HacCandidateStatus>> = Vec::with_capacity(p.sdx.len());
    let mut formula_cache: Vec<(u8, bool)> = Vec::new();
    for (i, s) in p.sdx.iter().enumerate() {
        let d = &claim.sdx[i];
        let mut st = Vec::with_capacity(s.candidates.len());
        for &(n, _) in &s.candidates {
            let status = if !evaluate {
                HacCandidateStatus::HacNotApplicableExempt
            } else if poa_yes(d.poa) {
                HacCandidateStatus::HacCriteriaNotMet
            } else if s.excluded {
                HacCandidateStatus::HacNotApplicableExclusion
            } else {
                let met = match formula_cache.iter().find(|(k, _)| *k == n) {
                    Some((_, v)) => *v,
                    None => {
                        let v = p.hac_formula_true(n);
                        formula_cache.push((n, v));
                        v
                    }
                };
                if met {
                    HacCandidateStatus::HacCriteriaMet
                } else {
                    HacCandidateStatus::HacCriteriaNotMet
                }
            };
            st.push(status);
        }
        statuses.push(st);
    }
    statuses
}

/// The return code of a claim with HACs met (`None`: it groups on).
fn hac_return_code(
    p: &Prepared<'_>,
    rules: Rules,
    claim: &Claim,
    met_numbers: &[u8],
    hac_met: &[bool],
) -> Option<ReturnCode> {
    let nsdx = p.sdx.len();
    let invalid_poa = |i: usize| !poa_yes(claim.sdx[i].poa) && !poa_no(claim.sdx[i].poa);
    if claim.hospital_status == HospitalStatus::Unknown {
        let counted = if rules.unknown_status_counts_every_sdx {
            nsdx
        } else {
            claim.sdx.iter().filter(|d| !poa_yes(d.poa)).count()
        };
        Some(if counted >= 2 {
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW
        } else if (0..nsdx).any(|i| hac_met[i] && poa_no(claim.sdx[i].poa)) {
            ReturnCode::HacStatusInvalidPoaNOrU
        } else {
            ReturnCode::HacStatusInvalidPoaInvalidOr1
        })
    } else {
        // A met code with an invalid POA; or, for a HAC other than 6, any
        // candidate evaluated by its formulas (not excluded by the PDX) with
        // one (HAC 6 is checked on its own).
        let met_invalid = (0..nsdx).any(|i| hac_met[i] && invalid_poa(i));
        let other_than_6 = met_numbers.iter().any(|&n| n != 6);
        let claim_wide = other_than_6
            && (0..nsdx)
                .any(|i| !p.sdx[i].candidates.is_empty() && !p.sdx[i].excluded && invalid_poa(i));
        (met_invalid || claim_wide).then_some(ReturnCode::HacMissingOnePoa)
    }
}

/// The HAC step of a claim whose initial pass gave `initial`.
pub(super) fn hac_step(
    p: &Prepared<'_>,
    rules: Rules,
    claim: &Claim,
    version: u32,
    initial: &Outcome,
) -> HacStep {
    let nsdx = p.sdx.len();
    let exempt = claim.hospital_status == HospitalStatus::Exempt;
    let evaluate = !exempt || version >= 440;
    let mut statuses = candidate_statuses(p, claim, evaluate);
    let mut met_numbers: Vec<u8> = Vec::new();
    let mut hac_met = vec![false; nsdx];
    if exempt {
        // Evaluated (v44) or not, an exempt hospital's HACs change nothing.
        for st in &mut statuses {
            for s in st.iter_mut() {
                *s = HacCandidateStatus::HacNotApplicableExempt;
            }
        }
    } else if initial.rc == ReturnCode::Ok {
        // A claim that did not group has no HAC step to speak of.
        for (i, s) in p.sdx.iter().enumerate() {
            for (j, &(n, _)) in s.candidates.iter().enumerate() {
                if statuses[i][j] == HacCandidateStatus::HacCriteriaMet {
                    hac_met[i] = true;
                    if !met_numbers.contains(&n) {
                        met_numbers.push(n);
                    }
                }
            }
        }
    }
    let rc = if initial.rc != ReturnCode::Ok || met_numbers.is_empty() {
        None
    } else {
        hac_return_code(p, rules, claim, &met_numbers, &hac_met)
    };
    HacStep {
        exempt,
        statuses,
        met_numbers,
        hac_met,
        rc,
    }
}
