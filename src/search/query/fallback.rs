//! The last resort: when the strict pass (every word) and the relaxed pass
//! (most words) found few codes, texts holding *some* of the words, ranked by
//! how much of the query they explain. A rare word that names ("malleolus")
//! weighs more than a common one ("fracture"); a word no text carries (what
//! an op note adds to the code's title) weighs nothing, since no code could
//! hold it. These codes rank below every code the passes before found.

use super::{GATHER_LIMIT, Hit, MAX_TERMS, Searcher, Term, TermMask, text_class};
use crate::search::text::index_words;
use crate::search::{Filters, range};

/// At most this many texts, those holding the most query weight, are scored.
const CANDIDATES: usize = 600;
/// A fallback code ranks at least this far below the weakest code an earlier
/// pass found (more than the points ranking adds later: a complete code's
/// words, an approach): what those passes found keeps its order, on top.
const BELOW_EARLIER: f32 = 30.0;
/// Points a fallback text loses for not holding every word (as a relaxed
/// pass text loses per missing word).
const PARTIAL: f32 = 15.0;

/// Per-text scratch space, reused between searches.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// Query weight a text holds (gathered words only).
    weight: Vec<f32>,
    /// The terms (bits) a text holds.
    mask: Vec<TermMask>,
    /// The texts with a non-zero mask.
    touched: Vec<u32>,
}

impl Scratch {
    fn clear(&mut self) {
        for &t in &self.touched {
            self.weight[t as usize] = 0.0;
            self.mask[t as usize] = 0;
        }
        self.touched.clear();
    }
}

/// How much a word tells texts apart: the log of how many texts there are per
/// text holding it (inverse document frequency). A word no text holds weighs
/// nothing: no code can explain it, so it cannot tell codes apart.
pub(super) fn weight(texts: usize, holding: usize) -> f32 {
    if holding == 0 {
        return 0.0;
    }
    ((texts as f32 + 1.0) / holding as f32).ln().max(0.1)
}

/// The share of the query's weight a text explains: each term's weight times
/// how well the text matches it (0 missing, 1 the very word), over the total.
pub(super) fn explained(weights: &[f32], qualities: &[f32]) -> f32 {
    let total: f32 = weights.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    weights
        .iter()
        .zip(qualities)
        .map(|(w, q)| w * q.clamp(0.0, 1.0))
        .sum::<f32>()
        / total
}

impl Searcher<'_> {
    /// The weakest score offered so far (none when nothing was).
    pub(super) fn lowest_score(&self) -> Option<f32> {
        self.touched
            .iter()
            .map(|&e| self.best[e as usize])
            .reduce(f32::min)
    }

    /// Codes for texts holding some of the words, when the passes before found
    /// few. `floor` is the weakest score those passes gave
    /// (none when they found nothing): every fallback code ranks below it.
    pub(super) fn fallback_hits(&mut self, terms: &[Term], filters: &Filters, floor: Option<f32>) {
        let texts = self.ix.texts();
        let weights: Vec<f32> = terms
            .iter()
            .map(|t| {
                if t.soft {
                    0.0
                } else {
                    weight(texts, t.estimate)
                }
            })
            .collect();
        let candidates = self.weigh_texts(terms, &weights, filters);
        if candidates.is_empty() {
            return;
        }
        self.stats.fallback = true;
        let mut scored: Vec<(usize, f32, u32)> = Vec::with_capacity(candidates.len());
        for t in candidates {
            let entry = self.ix.text_entry[t as usize] as usize;
            // A code an earlier pass found keeps its score from that pass.
            if self.best[entry] != f32::NEG_INFINITY {
                continue;
            }
            self.stats.scored += 1;
            let s = self.fallback_score(terms, &weights, t as usize);
            scored.push((entry, s, t));
        }
        let top = scored.iter().map(|s| s.1).fold(f32::NEG_INFINITY, f32::max);
        let shift = match floor {
            Some(floor) if top > floor - BELOW_EARLIER => top - floor + BELOW_EARLIER,
            _ => 0.0,
        };
        for (entry, s, t) in scored {
            self.offer(entry, s - shift, t);
        }
    }

    /// The texts holding the most query weight, best first (ties in static
    /// rank order), among those the filters allow. Only words with at most
    /// `GATHER_LIMIT` postings are gathered: a text holding only common
    /// words is no answer worth the time.
    fn weigh_texts(&mut self, terms: &[Term], weights: &[f32], filters: &Filters) -> Vec<u32> {
        let mut scratch = std::mem::take(&mut self.fallback);
        if scratch.weight.len() != self.ix.texts() {
            scratch.weight = vec![0.0; self.ix.texts()];
            scratch.mask = vec![0; self.ix.texts()];
            scratch.touched.clear();
        }
        for (i, t) in terms.iter().enumerate().take(MAX_TERMS) {
            if t.soft || t.estimate == 0 || t.estimate > GATHER_LIMIT {
                continue;
            }
            let bit: TermMask = 1 << i;
            let w = weights[i];
            let mut add = |list: &[u32]| {
                for &x in list {
                    let x = x as usize;
                    if scratch.mask[x] & bit == 0 {
                        if scratch.mask[x] == 0 {
                            scratch.touched.push(x as u32);
                        }
                        scratch.mask[x] |= bit;
                        scratch.weight[x] += w;
                    }
                }
            };
            add(&self.ix.postings[self.postings_range(t.lo, t.hi)]);
            add(&self.ix.postings[self.postings_range(t.stem_lo, t.stem_hi)]);
            if let Some(p) = t.plural {
                add(self.postings(p));
            }
            for &(x, _) in &t.fuzzy {
                add(self.postings(x));
            }
            for phrase in &t.phrases {
                if let Some(&rare) = phrase.iter().min_by_key(|&&x| self.postings(x).len()) {
                    add(self.postings(rare));
                }
            }
        }
        self.make_text_classes();
        let classes = &self.text_classes;
        let mut out: Vec<u32> = scratch
            .touched
            .iter()
            .copied()
            .filter(|&t| text_class::allows(classes[t as usize], filters))
            .collect();
        let by_weight = |a: &u32, b: &u32| {
            scratch.weight[*b as usize]
                .total_cmp(&scratch.weight[*a as usize])
                .then(a.cmp(b))
        };
        if out.len() > CANDIDATES {
            out.select_nth_unstable_by(CANDIDATES - 1, by_weight);
            out.truncate(CANDIDATES);
        }
        out.sort_unstable();
        scratch.clear();
        self.fallback = scratch;
        self.stats.candidates += out.len();
        out
    }

    /// A text's score by the share of the query's weight it explains, its
    /// coverage of its own words, its static rank and the narrowing words.
    fn fallback_score(&self, terms: &[Term], weights: &[f32], text: usize) -> f32 {
        let ws = &self.ix.words[range(&self.ix.text_word_ends, text)];
        let has = self.names_what_it_has(self.ix.text_entry[text] as usize);
        let bests = self.best_words(terms, ws);
        let mut qualities = [0.0f32; MAX_TERMS];
        let (mut mask, mut soft_sum, mut soft_missed, mut contradicted) = (0u64, 0.0, 0, 0);
        let mut leads = false;
        for (i, t) in terms.iter().enumerate().take(MAX_TERMS) {
            let (best, pos, phrase_mask) = self.term_match(t, ws, bests[i]);
            if best <= 0.0 {
                soft_missed += usize::from(t.soft && t.negated != Some(true));
                continue;
            }
            let at = if phrase_mask != 0 {
                phrase_mask.trailing_zeros() as usize
            } else {
                pos
            };
            if let Some(negated) = t.negated {
                contradicted += usize::from(self.contradicts(ws, at, negated, has));
            }
            mask |= if phrase_mask != 0 {
                phrase_mask
            } else {
                1u64 << pos.min(63)
            };
            if t.soft {
                soft_sum += best;
            } else {
                qualities[i] = best;
                leads |= at == 0;
            }
        }
        let coverage = self.coverage(text, mask);
        60.0 * explained(weights, &qualities[..terms.len().min(MAX_TERMS)])
            + 8.0 * soft_sum
            + 30.0 * coverage
            + self.ix.text_static[text]
            + if leads { 3.0 } else { 0.0 }
            - PARTIAL
            - 2.0 * soft_missed as f32
            - 12.0 * contradicted as f32
    }

    /// How well a text's words match a term: the best word's quality and
    /// position, or a synonym phrase all of whose words it holds (the
    /// phrase's positions as a mask).
    fn term_match(&self, t: &Term, ws: &[u32], (best, pos): (f32, usize)) -> (f32, usize, u64) {
        if best >= 0.95 {
            return (best, pos, 0);
        }
        for phrase in &t.phrases {
            let mut m = 0u64;
            let all = phrase.iter().all(|x| match ws.iter().position(|w| w == x) {
                Some(p) => {
                    m |= 1u64 << p.min(63);
                    true
                }
                None => false,
            });
            if all {
                return (0.95, pos, m);
            }
        }
        (best, pos, 0)
    }

    /// Names, in each hit's why line, the naming words of the query its code
    /// does not hold (title or matched text), when not every word matched:
    /// "not matched: plate, screws".
    pub(super) fn note_unmatched(&self, terms: &[Term], hits: &mut [Hit]) {
        for h in hits.iter_mut() {
            if h.score >= 1000.0 {
                // Found by its code.
                continue;
            }
            // (The title's words as kept between keystrokes: the same ids.)
            let mut ids: Vec<u32> = self.title_ids(h.entry);
            ids.extend(
                index_words(&h.matched)
                    .iter()
                    .filter_map(|w| self.vocab_id(w)),
            );
            ids.sort_unstable();
            ids.dedup();
            let mut held: TermMask = 0;
            for &w in &ids {
                held |= self.word_terms[w as usize];
            }
            let missing: Vec<&str> = terms
                .iter()
                .enumerate()
                .take(MAX_TERMS)
                .filter(|&(i, t)| {
                    !t.soft
                        && held & (1 << i) == 0
                        && !t.phrases.iter().any(|p| p.iter().all(|w| ids.contains(w)))
                })
                .map(|(_, t)| t.word.as_str())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let note = format!("not matched: {}", missing.join(", "));
            h.matched = if h.matched.is_empty() {
                note
            } else {
                format!("{}; {note}", h.matched)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{explained, weight};

    #[test]
    fn a_rare_word_weighs_more_than_a_common_one_and_an_unheld_word_nothing() {
        let texts = 500_000;
        // "malleolus" in 120 texts, "fracture" in 60,000, "screws" in none.
        let (rare, common, none) = (weight(texts, 120), weight(texts, 60_000), weight(texts, 0));
        assert!(rare > 3.0 * common, "{rare} vs {common}");
        assert_eq!(none, 0.0);
        // ln(500001 / 120) by hand: ln(4166.675) = 8.335.
        assert!((rare - 8.335).abs() < 0.01, "{rare}");
    }

    #[test]
    fn a_text_explaining_the_rare_words_beats_one_explaining_only_common_words() {
        let texts = 500_000;
        // "ORIF right lateral malleolus fracture, plate and screws" as terms:
        // orif (900 texts), malleolus (120), fracture (60,000), plate (2,000),
        // screws (none).
        let weights = [
            weight(texts, 900),
            weight(texts, 120),
            weight(texts, 60_000),
            weight(texts, 2_000),
            weight(texts, 0),
        ];
        // The reduction of the fibula: orif and malleolus, not fracture or plate.
        let rare = explained(&weights, &[1.0, 1.0, 0.0, 0.0, 0.0]);
        // A fracture of a growth plate: fracture and plate, neither naming word.
        let common = explained(&weights, &[0.0, 0.0, 1.0, 1.0, 0.0]);
        assert!(rare > common, "{rare} vs {common}");
        // A word no text holds does not lower what a text explains: holding
        // every word that some text holds explains all.
        assert!((explained(&weights, &[1.0, 1.0, 1.0, 1.0, 0.0]) - 1.0).abs() < 1e-6);
        // Holding nothing explains nothing; a half-match explains less than a match.
        assert_eq!(explained(&weights, &[0.0; 5]), 0.0);
        assert!(
            explained(&weights, &[0.5, 1.0, 0.0, 0.0, 0.0]) < rare,
            "a prefix match counts less than the word"
        );
    }
}
