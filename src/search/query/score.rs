//! Scoring a candidate text against the query's terms: each term's best
//! word in the text (exact, plural, prefix, typo, shared stem or a synonym
//! phrase), what the text's core words cover, and the passes that offer the
//! scored texts' codes.

use super::{GATHER_LIMIT, MAX_TERMS, SCAN_CAP, SCAN_TEXTS, Searcher, Term, text_class, typos};
use crate::search::{Filters, range};

impl Searcher<'_> {
    pub(super) fn quality(&self, t: &Term, w: u32) -> f32 {
        if t.exact == Some(w) {
            1.0
        } else if t.plural == Some(w) {
            0.9
        } else if t.lo <= w && w < t.hi {
            let wl = self.ix.vocab.get(w as usize).len().max(1);
            0.5 + 0.4 * (t.len as f32 / wl as f32)
        } else if let Ok(i) = t.fuzzy.binary_search_by_key(&w, |&(id, _)| id) {
            t.fuzzy[i].1
        } else if t.stem_lo <= w && w < t.stem_hi {
            // A shared stem, for words of about the same length ("pancreatic",
            // "pancreas"), not a longer word that merely begins alike
            // ("history", "histoplasmosis"), nor another condition of the
            // same organ ("diverticulosis", "diverticulitis").
            let word = self.ix.vocab.get(w as usize);
            if word.len().abs_diff(t.len) <= 3 && !typos::other_condition(&t.word, word) {
                0.6
            } else {
                0.0
            }
        } else {
            0.0
        }
    }

    /// The best word of a text for each term (its quality and position),
    /// looking only at the words some term matches (most words match none).
    pub(super) fn best_words(&self, terms: &[Term], ws: &[u32]) -> [(f32, usize); MAX_TERMS] {
        let mut bests = [(0.0f32, usize::MAX); MAX_TERMS];
        for (p, &w) in ws.iter().enumerate() {
            let mut m = self.word_terms[w as usize];
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                m &= m - 1;
                let q = self.quality(&terms[i], w);
                if q > bests[i].0 {
                    bests[i] = (q, p);
                }
            }
        }
        bests
    }

    /// How many hard terms a text's words surely miss: no word of the text
    /// matches the term and none of its phrases is whole in it. `score`
    /// counts each of them missed, so a text missing more than it may is
    /// left before its words are weighed (most texts a scan reads).
    fn surely_missed(&self, terms: &[Term], ws: &[u32]) -> usize {
        let mask = ws.iter().fold(0, |m, &w| m | self.word_terms[w as usize]);
        terms
            .iter()
            .enumerate()
            .filter(|&(i, t)| {
                !t.soft
                    && mask & (1 << i) == 0
                    && !t.phrases.iter().any(|p| p.iter().all(|x| ws.contains(x)))
            })
            .count()
    }

    /// The score of a text against every term, or `None` if a term is missing.
    pub(super) fn score(&self, terms: &[Term], text: usize, may_miss: usize) -> Option<f32> {
        let mut missed = 0;
        let mut soft_missed = 0;
        let mut soft_sum = 0.0;
        let mut contradicted = 0;
        let ws = &self.ix.words[range(&self.ix.text_word_ends, text)];
        if self.surely_missed(terms, ws) > may_miss {
            return None;
        }
        let has = terms.iter().any(|t| t.negated.is_some())
            && self.names_what_it_has(self.ix.text_entry[text] as usize);
        let bests = self.best_words(terms, ws);
        let mut mask: u64 = 0;
        let mut sum = 0.0;
        let mut leads = false;
        let except = self.except_clause(ws);
        for (i, t) in terms.iter().enumerate() {
            let (mut best, pos) = bests[i];
            let mut phrase_mask = 0u64;
            // The abbreviation and its words both in the text ("Extended
            // spectrum beta lactamase (ESBL) resistance"): it covers them all.
            if best >= 0.95 {
                mask |= self.phrase_positions(&t.phrases, ws);
            }
            if best < 0.95 {
                for phrase in &t.phrases {
                    let mut m = 0u64;
                    let all = phrase.iter().all(|x| match ws.iter().position(|w| w == x) {
                        Some(p) => {
                            m |= 1 << p;
                            true
                        }
                        None => false,
                    });
                    if all {
                        best = 0.95;
                        phrase_mask = m;
                        break;
                    }
                }
            }
            if t.soft {
                if best <= 0.0 {
                    soft_missed += usize::from(t.negated != Some(true));
                    continue;
                }
                soft_sum += best;
                if let Some(negated) = t.negated {
                    let at = if phrase_mask != 0 {
                        phrase_mask.trailing_zeros() as usize
                    } else {
                        pos
                    };
                    contradicted += usize::from(self.contradicts(ws, at, negated, has));
                }
                if phrase_mask != 0 {
                    mask |= phrase_mask;
                } else {
                    mask |= 1 << pos;
                }
                continue;
            }
            if best <= 0.0 {
                missed += 1;
                if missed > may_miss {
                    return None;
                }
                continue;
            }
            sum += best;
            if let Some(negated) = t.negated
                && phrase_mask == 0
                && self.contradicts(ws, pos, negated, has)
            {
                contradicted += 1;
            }
            if phrase_mask == 0 && except.contains(&pos) {
                contradicted += 1;
            }
            if phrase_mask != 0 {
                mask |= phrase_mask;
                leads |= phrase_mask & 1 != 0;
            } else {
                mask |= 1 << pos;
                leads |= pos == 0;
            }
        }
        let coverage = self.coverage(text, mask);
        let hard = terms.iter().filter(|t| !t.soft).count().max(1);
        Some(
            60.0 * sum / hard as f32
                + 8.0 * soft_sum
                + 30.0 * coverage
                + self.ix.text_static[text]
                + if leads { 3.0 } else { 0.0 }
                - 15.0 * missed as f32
                - 2.0 * soft_missed as f32
                - 12.0 * contradicted as f32,
        )
    }

    /// Where a title's "except" clause is: the two words after "except",
    /// which name what the code leaves out ("Malignant neoplasm of kidney,
    /// except renal pelvis" C64, whose renal pelvis is C65; "Burn of ... ear
    /// [any part, except ear drum]"; "... shoulder and upper limb, except
    /// wrist and hand" T22). A word of the query found only there is no
    /// word of the code: it counts as contradicted.
    fn except_clause(&self, ws: &[u32]) -> std::ops::Range<usize> {
        match self.except_id {
            Some(x) => match ws.iter().position(|&w| w == x) {
                Some(at) => at + 1..at + 3,
                None => 0..0,
            },
            None => 0..0,
        }
    }

    /// The share of an index text's core words (its first `text_core` words;
    /// the rest are nonessential modifiers) that the words in `mask` (bit i:
    /// the text's word i) cover.
    pub(super) fn coverage(&self, text: usize, mask: u64) -> f32 {
        let core = usize::from(self.ix.text_core[text]).max(1);
        let core_mask = if core >= 64 {
            u64::MAX
        } else {
            (1u64 << core) - 1
        };
        (mask & core_mask).count_ones() as f32 / core as f32
    }

    pub(super) fn allowed(&self, entry: usize, filters: &Filters) -> bool {
        text_class::allows(text_class::of_entry(self.ix, entry), filters)
    }

    pub(super) fn text_hits(&mut self, terms: &[Term], filters: &Filters) {
        let driver = &terms[0];
        if driver.estimate <= GATHER_LIMIT {
            for t in self.gather(&[driver]) {
                self.consider(terms, t as usize, filters, 0);
            }
        } else {
            self.stats.scanned = true;
            let mut matched = 0;
            // Texts are in static rank order: past SCAN_TEXTS allowed ones
            // (a common word the filter mostly rules out, "open" among
            // diagnoses), the rest would not rank anyway.
            let mut allowed = 0;
            self.make_text_classes();
            let classes = std::mem::take(&mut self.text_classes);
            for t in 0..self.ix.texts() {
                if !classes
                    .get(t)
                    .is_some_and(|&c| text_class::allows(c, filters))
                {
                    continue;
                }
                allowed += 1;
                if allowed > SCAN_TEXTS {
                    break;
                }
                if self.score_and_offer(terms, t, 0) {
                    matched += 1;
                    if matched >= SCAN_CAP {
                        break;
                    }
                }
            }
            self.text_classes = classes;
        }
    }

    pub(super) fn postings_range(&self, lo: u32, hi: u32) -> std::ops::Range<usize> {
        if lo >= hi {
            return 0..0;
        }
        let start = if lo == 0 {
            0
        } else {
            self.ix.posting_ends[lo as usize - 1] as usize
        };
        start..self.ix.posting_ends[hi as usize - 1] as usize
    }

    pub(super) fn consider(
        &mut self,
        terms: &[Term],
        text: usize,
        filters: &Filters,
        may_miss: usize,
    ) -> bool {
        // The text's class byte, read in text order, answers as
        // `allowed` of its code does (`text_class`).
        self.make_text_classes();
        self.text_classes
            .get(text)
            .is_some_and(|&c| text_class::allows(c, filters))
            && self.score_and_offer(terms, text, may_miss)
    }

    /// Scores an allowed text and offers its code; whether it scored.
    fn score_and_offer(&mut self, terms: &[Term], text: usize, may_miss: usize) -> bool {
        let entry = self.ix.text_entry[text] as usize;
        self.stats.scored += 1;
        match self.score(terms, text, may_miss) {
            Some(s) => {
                self.offer(entry, s, text as u32);
                true
            }
            None => false,
        }
    }
}
