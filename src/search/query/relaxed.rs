//! The relaxed pass: when few texts hold every word, texts holding most of
//! them; and the gathering of candidate texts both passes share.

use super::{GATHER_LIMIT, MAX_CANDIDATES, Searcher, Term};
use crate::search::Filters;

impl Searcher<'_> {
    /// When no text has every word, texts with most of them: up to half the
    /// query's words may be missing (a title need not say "total" or
    /// "delivery" for a coder to mean it), at a cost each.
    pub(super) fn relaxed_hits(&mut self, terms: &[Term], filters: &Filters) {
        // A text missing at most `may_miss` terms holds one of any `may_miss + 1`
        // of them: gathering the rarest that many finds every such text.
        // Only words that name count (soft words sort last and may be
        // missing anyway): "open right upper lobectomy" is "upper" and
        // "lobectomy", one of which may be missing.
        // A phrase term ("below knee amputation") counts its words: joining
        // them must not make the pass stricter.
        let hard = terms.iter().filter(|t| !t.soft).count();
        let hard_words: usize = terms
            .iter()
            .filter(|t| !t.soft)
            .map(|t| t.word.split(' ').count())
            .sum();
        let may_miss = (hard_words / 2).min(hard.saturating_sub(1));
        if may_miss == 0 {
            return;
        }
        let gatherable: Vec<&Term> = terms.iter().take(may_miss + 1).collect();
        if gatherable.iter().any(|t| t.estimate > GATHER_LIMIT) {
            return;
        }
        self.stats.relaxed = true;
        for t in self.gather(&gatherable) {
            self.consider(terms, t as usize, filters, may_miss);
        }
    }

    /// The texts holding any word the terms match, each once.
    pub(super) fn gather(&mut self, terms: &[&Term]) -> Vec<u32> {
        let generation = self.next_generation();
        let mut stamp = std::mem::take(&mut self.stamp);
        let mut candidates: Vec<u32> = Vec::new();
        let mut take = |list: &[u32]| {
            for &t in list {
                if stamp[t as usize] != generation {
                    stamp[t as usize] = generation;
                    candidates.push(t);
                }
            }
        };
        for term in terms {
            take(&self.ix.postings[self.postings_range(term.lo, term.hi)]);
            take(&self.ix.postings[self.postings_range(term.stem_lo, term.stem_hi)]);
            if let Some(p) = term.plural {
                take(self.postings(p));
            }
            for &(w, _) in &term.fuzzy {
                take(self.postings(w));
            }
            for phrase in &term.phrases {
                if let Some(&rare) = phrase.iter().min_by_key(|&&w| self.postings(w).len()) {
                    take(self.postings(rare));
                }
            }
        }
        self.stamp = stamp;
        // Texts are numbered best first: past the cap, keep the statically best.
        if candidates.len() > MAX_CANDIDATES {
            candidates.select_nth_unstable(MAX_CANDIDATES - 1);
            candidates.truncate(MAX_CANDIDATES);
        }
        // In text order, scoring reads the index front to back.
        candidates.sort_unstable();
        self.stats.candidates += candidates.len();
        candidates
    }
}
