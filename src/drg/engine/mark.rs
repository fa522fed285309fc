//! Marking (README section 7, steps 10 and 12): which secondary diagnoses and
//! procedures a pass's winning formula used to reach its DRG.

use super::pass::Outcome;
use super::prepare::Prepared;
use crate::drg::tables::{Atom, AttrId, Synth};
use crate::drg::{Level, ReturnCode};

/// The per-code marks of one pass (README section 7).
pub(super) struct Marks {
    pub(super) pdx: bool,
    pub(super) sdx: Vec<bool>,
    /// Indexed like `Prepared::px` (claim procedures, then pseudo-codes).
    pub(super) px: Vec<bool>,
}

pub(super) fn mark(p: &Prepared<'_>, o: &Outcome, hac_met: &[bool]) -> Marks {
    let mut m = Marks {
        pdx: o.rc == ReturnCode::Ok,
        sdx: vec![false; p.sdx.len()],
        px: vec![false; p.px.len()],
    };
    let Some((fi, list)) = o.formula else {
        return m;
    };
    let Some(f) = p.formula(fi) else { return m };
    let level = o.level;
    let truth = |a: &Atom| p.atoms.truth(a, list, level);
    let mut matched: Vec<&Atom> = Vec::new();
    f.expr.true_atoms(&truth, &mut matched);
    let mut used = vec![false; matched.len()];

    // Secondary diagnoses, in the grouper's order: level, then code.
    for &i in &p.sdx_order {
        let s = &p.sdx[i];
        if !s.valid {
            continue;
        }
        let counts = !s.excluded
            && !s.death_excluded
            && !hac_met.get(i).copied().unwrap_or(false)
            && !f.suppression.iter().any(|a| s.attrs.contains(a));
        let supplies = |a: &Atom| -> bool {
            match a {
                Atom::Synth(Synth::Mcc) => counts && s.severity == Level::Mcc,
                Atom::Synth(Synth::Cc) => counts && s.severity == Level::Cc,
                Atom::Any(x) | Atom::Sdx(x) => {
                    !p.pdx_attrs.contains(x)
                        && (s.attrs.contains(x) || s.dx_cat.contains(x) || s.hac.contains(x))
                }
                _ => false,
            }
        };
        if let Some(j) = (0..matched.len()).find(|&j| !used[j] && supplies(matched[j])) {
            used[j] = true;
            m.sdx[i] = true;
        }
    }

    // Procedures: the first (by code) that has every matched bare attribute.
    let wanted: Vec<AttrId> = matched
        .iter()
        .filter_map(|a| match a {
            Atom::Any(x) if !p.pdx_attrs.contains(x) => Some(*x),
            _ => None,
        })
        .collect();
    if wanted.is_empty() {
        return m;
    }
    let by_code = &p.px_by_code;
    let usable = |i: usize| -> bool { list >= 32 || p.px[i].suppression & (1 << list) == 0 };
    if let Some(&i) = by_code
        .iter()
        .find(|&&i| usable(i) && wanted.iter().all(|a| p.px[i].attrs.contains(a)))
    {
        m.px[i] = true;
        return m;
    }
    if let Some(c) = (0..p.px.len())
        .find(|&i| p.px[i].index.is_none() && wanted.iter().all(|a| p.px[i].attrs.contains(a)))
    {
        m.px[c] = true;
        for &i in &p.px[c].components {
            m.px[i] = true;
        }
        return m;
    }
    for a in &wanted {
        if let Some(&i) = by_code
            .iter()
            .find(|&&i| usable(i) && p.px[i].attrs.contains(a))
        {
            m.px[i] = true;
        } else if let Some(c) =
            (0..p.px.len()).find(|&i| p.px[i].index.is_none() && p.px[i].attrs.contains(a))
        {
            m.px[c] = true;
            for &i in &p.px[c].components {
                m.px[i] = true;
            }
        }
    }
    m
}
