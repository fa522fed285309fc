//! The points a code earns for the query's procedure words
//! (`Searcher::pcs_bonus`), kept between searches while those words stay
//! the same. Typing a word changes them only when a word is finished, and
//! each keystroke ranks most of the codes the one before ranked: the
//! bonus (title searches, table look-ups) is read once per code instead.
//!
//! A bonus depends on the entry and `Searcher::pcs_words` only, except a New
//! Technology code's (section X), which asks which text reached the code in
//! this search (`names_technology`): those are never kept. Nor does any kept
//! bonus read the query's words themselves (only section X's substance
//! does): the bonuses are kept for what the words say
//! (`PcsWords::for_kept_bonus`), which a keystroke inside a word seldom
//! changes.

use super::Searcher;
use super::surgeon::PcsWords;
use crate::search::System;

/// Bonuses by entry (NaN: not read), for the words they were read for.
#[derive(Debug, Default)]
pub(super) struct KeptBonuses {
    words: Option<PcsWords>,
    bonus: Vec<f32>,
    /// The entries whose bonus is kept, to forget them quickly.
    kept: Vec<u32>,
    /// Bonuses read since the search began (`SearchStats::bonuses`).
    pub(super) read: usize,
}

impl KeptBonuses {
    /// Forgets every bonus unless they were read for `words`, over `entries`.
    fn refresh(&mut self, words: &PcsWords, entries: usize) {
        if self.bonus.len() != entries {
            self.bonus = vec![f32::NAN; entries];
            self.kept.clear();
        }
        let words = words.for_kept_bonus();
        if self.words.as_ref() != Some(&words) {
            for &e in &self.kept {
                self.bonus[e as usize] = f32::NAN;
            }
            self.kept.clear();
            self.words = Some(words);
        }
    }

    fn get(&self, e: usize) -> Option<f32> {
        self.bonus.get(e).copied().filter(|b| !b.is_nan())
    }

    fn keep(&mut self, e: usize, bonus: f32) {
        if let Some(slot) = self.bonus.get_mut(e) {
            *slot = bonus;
            self.kept.push(e as u32);
        }
    }
}

impl Searcher<'_> {
    /// Makes the kept bonuses those of this search's words (at the start of
    /// ranking, after `pcs_words` is read).
    pub(super) fn refresh_kept_bonuses(&mut self) {
        let entries = self.ix.entries();
        self.kept_bonuses
            .get_mut()
            .refresh(&self.pcs_words, entries);
    }

    /// `pcs_bonus` of an entry, read once while the words stay the same.
    pub(super) fn kept_pcs_bonus(&self, e: usize) -> f32 {
        // Only PCS and HCPCS codes earn or lose (`pcs_bonus`): a diagnosis
        // search ranks thousands of others, not worth keeping.
        if !matches!(self.ix.system(e), System::Icd10Pcs | System::Hcpcs) {
            return 0.0;
        }
        if self.ix.keys.get(e).starts_with('X') {
            // Read at every call, never kept: counted as read.
            self.kept_bonuses.borrow_mut().read += 1;
            return self.pcs_bonus(e);
        }
        let kept = self.kept_bonuses.borrow().get(e);
        if let Some(b) = kept {
            return b;
        }
        let b = self.pcs_bonus(e);
        let mut kept = self.kept_bonuses.borrow_mut();
        kept.read += 1;
        kept.keep(e, b);
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bonuses_are_forgotten_when_the_words_change() {
        let mut kept = KeptBonuses::default();
        let words = PcsWords::default();
        kept.refresh(&words, 4);
        assert_eq!(kept.get(2), None);
        kept.keep(2, 1.5);
        kept.refresh(&words, 4);
        assert_eq!(kept.get(2), Some(1.5));
        let mut other = PcsWords::default();
        other.procedures = true;
        kept.refresh(&other, 4);
        assert_eq!(kept.get(2), None);
        // Out of range: nothing kept, nothing read.
        kept.keep(9, 1.0);
        assert_eq!(kept.get(9), None);
    }
}
