//! Building the grouper's output from the passes: the two results, one row
//! per secondary diagnosis, the principal's row, one row per procedure, and
//! the claim's HAC status.

use super::hac::HacStep;
use super::mark::Marks;
use super::pass::Outcome;
use super::prepare::Prepared;
use super::{poa_no, poa_str, poa_yes, row_for};
use crate::drg::tables::{FormulaRow, Tables, code_key};
use crate::drg::{
    Claim, DrgResult, DxOutput, HacCandidate, HacStatus, Impact, Level, PoaError, PxOutput,
    SeverityUsage,
};

pub(super) fn result(t: &Tables, version: u32, o: &Outcome) -> DrgResult {
    DrgResult {
        drg: o.drg,
        mdc: o.mdc,
        base_drg: o.base_drg,
        return_code: o.rc,
        severity: o.level,
        partition: o.partition,
        title: crate::drg::title(&t.drg_titles, o.drg, version)
            .unwrap_or("")
            .to_string(),
        mdc_title: crate::drg::title(&t.mdc_titles, u16::from(o.mdc), version)
            .unwrap_or("")
            .to_string(),
    }
}

fn hac_title(p: &Prepared<'_>, n: u8) -> String {
    crate::drg::title(&p.t.hac_titles, u16::from(n), p.version)
        .unwrap_or("")
        .to_string()
}

/// The secondary diagnoses' rows, in claim order; `final_formula` is the
/// final pass's winning formula, `mi` and `mf` the marks of the two passes.
pub(super) fn secondaries(
    p: &Prepared<'_>,
    claim: &Claim,
    hac: &HacStep,
    final_formula: Option<&FormulaRow>,
    mi: &Marks,
    mf: &Marks,
) -> Vec<DxOutput> {
    p.sdx
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let d = &claim.sdx[i];
            let usage = if !s.valid {
                SeverityUsage::Invalid
            } else if s.severity == Level::None {
                SeverityUsage::NotCc
            } else if s.excluded {
                SeverityUsage::ExcludedByPdx
            } else if s.death_excluded {
                SeverityUsage::McConlyIfAlive
            } else if hac.hac_met[i] {
                SeverityUsage::HacNotCounted
            } else if final_formula
                .is_some_and(|f| f.suppression.iter().any(|a| s.attrs.contains(a)))
            {
                SeverityUsage::ExcludedByDrgLogic
            } else if s.severity == Level::Mcc {
                SeverityUsage::Mcc
            } else {
                SeverityUsage::Cc
            };
            let poa_error = if s.candidates.is_empty() {
                PoaError::PoaNotChecked
            } else if hac.exempt {
                PoaError::HospitalExempt
            } else if poa_yes(d.poa) {
                PoaError::PoaRecognizedYesPoa
            } else if poa_no(d.poa) {
                PoaError::PoaRecognizedNotPoa
            } else {
                PoaError::PoaNotRecognized
            };
            DxOutput {
                code: d.code.clone(),
                poa: poa_str(d.poa),
                valid: s.valid,
                severity: s.severity,
                usage,
                drg_impact: Impact::from(mi.sdx[i], mf.sdx[i]),
                excluded: s.excluded,
                poa_error,
                hacs: s
                    .candidates
                    .iter()
                    .zip(&hac.statuses[i])
                    .map(|(&(n, a), &status)| HacCandidate {
                        hac: n,
                        list: p.t.name(a).to_string(),
                        status,
                        description: hac_title(p, n),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The principal diagnosis's row; `mf` the final pass's marks.
pub(super) fn principal(p: &Prepared<'_>, claim: &Claim, mf: &Marks) -> DxOutput {
    let pdx_severity = code_key(&claim.pdx.code)
        .and_then(|k| row_for(p.t.dx.get(&k), p.version, |r| (r.start, r.end)))
        .map_or(Level::None, |r| r.severity);
    DxOutput {
        code: claim.pdx.code.clone(),
        poa: poa_str(claim.pdx.poa),
        valid: p.pdx_valid,
        severity: pdx_severity,
        usage: if p.pdx_valid {
            SeverityUsage::NotCc
        } else {
            SeverityUsage::Invalid
        },
        // README section 7: with a final OK result the PDX is marked in both passes.
        drg_impact: if mf.pdx { Impact::Both } else { Impact::None },
        excluded: false,
        poa_error: PoaError::PoaNotChecked,
        hacs: Vec::new(),
    }
}

/// The claim's procedures' rows, in claim order, with the HACs they take
/// part in and the satisfied clusters they are components of.
pub(super) fn procedures(
    p: &Prepared<'_>,
    claim: &Claim,
    met_numbers: &[u8],
    mi: &Marks,
    mf: &Marks,
) -> Vec<PxOutput> {
    let (t, version) = (p.t, p.version);
    (0..claim.procedures.len())
        .map(|i| {
            let q = &p.px[i];
            let mut usage: Vec<u8> = Vec::new();
            for &a in q.attrs {
                // `hacNN_proc`, read once at load.
                if let Some(&n) = t.known.hac_proc.get(usize::from(a))
                    && n != 0
                    && (version >= 440 || met_numbers.contains(&n))
                    && !usage.contains(&n)
                {
                    usage.push(n);
                }
            }
            let clusters = p.px[claim.procedures.len()..]
                .iter()
                .filter(|c| c.components.contains(&i))
                .filter_map(|c| c.key)
                .map(|k| {
                    String::from_utf8_lossy(&k.to_be_bytes())
                        .trim_end_matches('\0')
                        .to_string()
                })
                .collect();
            PxOutput {
                code: claim.procedures[i].clone(),
                recognized: q.recognized,
                is_or: q.is_or,
                drg_impact: Impact::from(mi.px[i], mf.px[i]),
                hac_usage: usage,
                clusters,
            }
        })
        .collect()
}

/// The claim's HAC outcome: whether a met HAC changed the final DRG.
pub(super) fn hac_status(hac: &HacStep, initial: &Outcome, final_outcome: &Outcome) -> HacStatus {
    if hac.exempt || hac.met_numbers.is_empty() {
        HacStatus::NotApplicable
    } else if final_outcome.drg == 999 {
        HacStatus::FinalDrgUngroupable
    } else if final_outcome.drg == initial.drg {
        HacStatus::FinalDrgNoChange
    } else {
        HacStatus::FinalDrgChanges
    }
}
