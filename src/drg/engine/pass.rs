//! The grouping passes (steps 7-9): the claim's CC level for a formula, the
//! evaluation of a formula list with its reroutes, one whole pass, and the
//! HAC formulas the HAC step asks about.

use super::prepare::Prepared;
use crate::drg::tables::{Atom, FormulaRow};
use crate::drg::{Level, Partition, ReturnCode};

/// The result of one pass (initial or final) before titles are added.
#[derive(Debug, Clone, Copy)]
pub(super) struct Outcome {
    pub(super) drg: u16,
    pub(super) mdc: u8,
    pub(super) base_drg: Option<u16>,
    pub(super) rc: ReturnCode,
    pub(super) level: Level,
    pub(super) partition: Partition,
    /// The winning formula and the MDC whose list it is in (for suppression).
    pub(super) formula: Option<(u32, u8)>,
}

impl Outcome {
    pub(super) fn error(rc: ReturnCode) -> Outcome {
        Outcome {
            drg: 999,
            mdc: 0,
            base_drg: None,
            rc,
            level: Level::None,
            partition: Partition::None,
            formula: None,
        }
    }
}

impl Prepared<'_> {
    /// The claim's CC level for a formula (step 7).
    fn level(&self, f: &FormulaRow, hac_met: &[bool], base: Level) -> Level {
        if f.suppression.is_empty() {
            return base;
        }
        self.sdx
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                s.valid
                    && !s.excluded
                    && !s.death_excluded
                    && !hac_met.get(*i).copied().unwrap_or(false)
                    && !f.suppression.iter().any(|a| s.attrs.contains(a))
            })
            .map(|(_, s)| s.severity)
            .max()
            .unwrap_or(Level::None)
    }

    pub(super) fn formula(&self, i: u32) -> Option<&FormulaRow> {
        self.t.formulas.get(i as usize).map(|(_, _, f)| f)
    }

    /// Evaluates list `list` (a reroute or the PDX's MDC), the claim's MDC
    /// being `mdc`; `None` when nothing in it matches.
    fn eval_list(&self, list: u8, mdc: u8, hac_met: &[bool], depth: u8) -> Option<Outcome> {
        let rows = self.t.lists_by_mdc.get(&(self.version, list))?;
        let base = self.base_level(hac_met);
        for &i in rows {
            let Some(f) = self.formula(i) else { continue };
            let level = self.level(f, hac_met, base);
            if !f.expr.eval(&|a: &Atom| self.atoms.truth(a, list, level)) {
                continue;
            }
            if f.drg == 0 && f.reroute == 0 {
                match f.control {
                    Some(rc) => return Some(Outcome::error(rc)),
                    None => continue, // a marker row
                }
            }
            if f.reroute != 0 {
                if depth > 4 {
                    return Some(Outcome::error(ReturnCode::Ungroupable));
                }
                // Reroutes to 11, 24 and 25 change the claim's MDC; the
                // unrelated-OR list (29) keeps it.
                let next_mdc = if f.reroute == 29 { mdc } else { f.reroute };
                return Some(
                    self.eval_list(f.reroute, next_mdc, hac_met, depth + 1)
                        .unwrap_or(Outcome::error(ReturnCode::Ungroupable)),
                );
            }
            return Some(Outcome {
                drg: f.drg,
                mdc,
                base_drg: Some(f.base_drg),
                rc: ReturnCode::Ok,
                level,
                partition: f.partition,
                formula: Some((i, list)),
            });
        }
        None
    }

    /// One grouping pass (steps 7-9).
    pub(super) fn pass(&self, hac_met: &[bool]) -> Outcome {
        if self
            .t
            .known
            .ecode
            .is_some_and(|e| self.pdx_attrs.contains(&e))
        {
            return Outcome::error(ReturnCode::DxCannotBePdx);
        }
        if let Some(o) = self.eval_list(0, self.pdx_mdc, hac_met, 0) {
            return o;
        }
        self.eval_list(self.pdx_mdc, self.pdx_mdc, hac_met, 0)
            .unwrap_or(Outcome::error(ReturnCode::Ungroupable))
    }

    pub(super) fn hac_formula_true(&self, hac: u8) -> bool {
        let level = self.level_plain();
        self.t.hac_formulas.iter().any(|(s, e, n, expr)| {
            *n == hac
                && (*s..=*e).contains(&self.version)
                && expr.eval(&|a: &Atom| self.atoms.truth(a, 0, level))
        })
    }

    /// The claim's CC level for a formula without severity suppression.
    fn base_level(&self, hac_met: &[bool]) -> Level {
        self.sdx
            .iter()
            .enumerate()
            .filter(|(i, s)| {
                s.valid
                    && !s.excluded
                    && !s.death_excluded
                    && !hac_met.get(*i).copied().unwrap_or(false)
            })
            .map(|(_, s)| s.severity)
            .max()
            .unwrap_or(Level::None)
    }

    fn level_plain(&self) -> Level {
        self.sdx
            .iter()
            .filter(|s| s.valid && !s.excluded && !s.death_excluded)
            .map(|s| s.severity)
            .max()
            .unwrap_or(Level::None)
    }
}
