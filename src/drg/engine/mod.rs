//! The grouping steps (grouper README section 5), in order: clusters,
//! procedure and diagnosis attributes, exclusions, the atom set, the initial
//! grouping, the HAC step, the final grouping and the marking of codes.
//!
//! One module a step: `prepare` (the claim looked up, with `clusters` and
//! its `atoms`), `pass` (a grouping pass), `hac` (the HAC step), `mark` (the
//! codes a pass used) and `output` (the grouper's rows); `group` runs them.

mod atoms;
mod clusters;
mod hac;
mod mark;
mod output;
mod pass;
mod prepare;

use super::tables::Tables;
use super::{Claim, Grouping, ReturnCode, Rules};
use crate::domain::Poa;
use hac::hac_step;
use mark::mark;
use pass::Outcome;
use prepare::prepare;

/// Discharge statuses the grouper accepts (README section 5, input).
fn valid_discharge_status(s: u32) -> bool {
    matches!(s, 1..=7 | 20 | 21 | 30 | 43 | 50 | 51 | 61..=66 | 69 | 70 | 81..=95)
}

const DIED: u32 = 20;

/// The row of `rows` whose version range holds `version`.
fn row_for<R: Copy>(
    rows: Option<&Vec<R>>,
    version: u32,
    range: impl Fn(&R) -> (u32, u32),
) -> Option<R> {
    rows?.iter().copied().find(|r| {
        let (s, e) = range(r);
        s <= version && version <= e
    })
}

fn poa_str(p: Option<Poa>) -> Option<&'static str> {
    p.map(Poa::as_str)
}

fn poa_yes(p: Option<Poa>) -> bool {
    matches!(p, Some(Poa::Yes | Poa::Undetermined))
}

fn poa_no(p: Option<Poa>) -> bool {
    matches!(p, Some(Poa::No | Poa::Unknown))
}

pub(super) fn group(t: &Tables, rules: Rules, claim: &Claim, version: u32) -> Grouping {
    let p = prepare(t, rules, claim, version);
    let no_hac = vec![false; p.sdx.len()];

    // Life status (step 6): an MCC that counts only if alive, and no valid
    // discharge status to tell.
    let life_stop = !valid_discharge_status(claim.discharge_status)
        && t.known
            .mccalive
            .is_some_and(|m| p.sdx.iter().any(|s| s.valid && s.attrs.contains(&m)));
    let initial = if life_stop {
        Outcome::error(ReturnCode::InvalidDischargeStatus)
    } else {
        p.pass(&no_hac)
    };

    // The HAC step (step 10).
    let hac = hac_step(&p, rules, claim, version, &initial);
    let final_outcome = if initial.rc != ReturnCode::Ok {
        initial
    } else if let Some(rc) = hac.rc {
        Outcome::error(rc)
    } else if hac.met_numbers.is_empty() {
        initial
    } else {
        p.pass(&hac.hac_met)
    };

    // Marking (steps 10 and 12).
    // Without a HAC met the final pass is the initial one: marked once.
    let mi = mark(&p, &initial, &no_hac);
    let mf_hac;
    let mf = if hac.met_numbers.is_empty() {
        &mi
    } else {
        mf_hac = mark(&p, &final_outcome, &hac.hac_met);
        &mf_hac
    };
    let final_formula = final_outcome.formula.and_then(|(i, _)| p.formula(i));

    let sdx_out = output::secondaries(&p, claim, &hac, final_formula, &mi, mf);
    let pdx_out = output::principal(&p, claim, mf);
    let px_out = output::procedures(&p, claim, &hac.met_numbers, &mi, mf);
    let hac_status = output::hac_status(&hac, &initial, &final_outcome);

    Grouping {
        version,
        version_label: String::new(),
        initial: output::result(t, version, &initial),
        final_result: output::result(t, version, &final_outcome),
        pdx: pdx_out,
        sdx: sdx_out,
        procedures: px_out,
        hac_status,
        hac_categories_met: u8::try_from(hac.met_numbers.len()).unwrap_or(u8::MAX),
        weight: None,
        weight_note: None,
        table5_edition: None,
    }
}
