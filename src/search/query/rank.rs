//! Ranking the codes a search touched: headers opened into their complete
//! codes (a 7th character, a CM header the Index leads to, a PCS table or
//! row), each ranked by the query's words in its own title.

use super::{Hit, Searcher, Term, TermMask};
use crate::search::text::index_words;
use crate::search::{Filters, System, TextKind, flag, range};

/// Points per query term a complete code's title holds beyond its header's.
const REFINE: f32 = 6.0;
/// The complete codes of one header read for refinement (a PCS table has thousands).
const MAX_REFINED: usize = 600;
/// Points a code "unspecified as to A versus B" loses when the words say A or B.
const NAMED_ALTERNATIVE: f32 = 10.0;
/// Points a "Subsequent ..." code loses when the words do not say subsequent.
const UNNAMED_SUBSEQUENT: f32 = 4.0;
/// Headers beyond the first `limit` hits that are still opened into their codes.
const EXPAND_BEST: usize = 8;
/// Points an ICD-10-CM code loses for each side the words say ("left",
/// "R", "bilat", "OD") that its title does not hold.
const UNSAID_SIDE: f32 = 6.0;
/// Points per word of an Index see-reference's target ("Cellulitis, leg —
/// see Cellulitis, lower limb") a complete code's title holds beyond its
/// header's: it breaks ties among the codes the query's words leave equal.
const SEE_TARGET: f32 = 1.0;

/// Words (terms) that say a side: the sides, their abbreviations, and the
/// synonym keys that narrow to one ("LLE", "right eye").
pub(super) const SIDE_WORDS: [&str; 18] = [
    "left",
    "right",
    "bilateral",
    "lt",
    "rt",
    "bilat",
    "bil",
    "bl",
    "rle",
    "lle",
    "rue",
    "lue",
    "ble",
    "right eye",
    "left eye",
    "both eyes",
    "both sides",
    "bilaterally",
];

/// The terms (bits) that only join words ("with"; a note's "w/", read as
/// the synonym key "w"): a
/// 7th character's ending holds them ("subsequent encounter for closed
/// fracture with routine healing") without saying what picks it. Guidelines
/// I.C.19.a: the 7th character is the encounter (A while the patient
/// receives active treatment, D "subsequent", S "sequela") and the healing,
/// named by their own words.
fn connective_terms(terms: &[Term]) -> TermMask {
    terms
        .iter()
        .enumerate()
        .filter(|(_, t)| matches!(t.word.as_str(), "with" | "w" | "w/" | "for" | "of" | "and"))
        .fold(0, |m, (i, _)| m | 1 << i)
}

/// (score, title length, entry, matched text)
pub(super) type Ranked = (f32, u32, usize, u32);

/// Titles read into words that are kept between searches (about 100 bytes each).
const TITLE_WORDS_KEPT: usize = 60_000;

/// A title's index words: vocabulary ids in order, and the words outside
/// the vocabulary.
#[derive(Debug, Default)]
pub(super) struct ReadWords {
    ids: Vec<u32>,
    unknown: Vec<String>,
}

/// The words of the titles the index keeps no word list for (a 7th
/// character's), by entry, read once and kept between searches: they do not
/// depend on the query; and how many index words each entry's title has.
#[derive(Debug, Default)]
pub(super) struct TitleWords(
    std::cell::RefCell<KeptTitles>,
    std::cell::RefCell<Vec<u8>>,
    /// What a 7th character adds to its stem's title (", initial encounter
    /// for closed fracture"), read into words, by its text: a few hundred
    /// such endings serve every injury code.
    std::cell::RefCell<std::collections::HashMap<String, ReadWords>>,
);

/// Titles read into words, by entry: where each entry's read words are in
/// `read` (`u32::MAX`: not read), looked up by index rather than by hash.
#[derive(Debug, Default)]
pub(super) struct KeptTitles {
    at: Vec<u32>,
    read: Vec<ReadWords>,
    /// The entry of each of `read`, to forget them.
    entries: Vec<u32>,
}

impl KeptTitles {
    /// The read words of entry `e` of `entries`, read by `read` if not kept.
    fn get(&mut self, e: usize, entries: usize, read: impl FnOnce() -> ReadWords) -> &ReadWords {
        if self.at.len() != entries {
            self.at = vec![u32::MAX; entries];
            self.read.clear();
            self.entries.clear();
        }
        if self.at[e] == u32::MAX {
            if self.read.len() >= TITLE_WORDS_KEPT {
                for &x in &self.entries {
                    self.at[x as usize] = u32::MAX;
                }
                self.read.clear();
                self.entries.clear();
            }
            self.at[e] = self.read.len() as u32;
            self.read.push(read());
            self.entries.push(e as u32);
        }
        &self.read[self.at[e] as usize]
    }
}

/// 7th-character endings read into words that are kept between searches.
const SUFFIXES_KEPT: usize = 5_000;

impl Searcher<'_> {
    pub(super) fn collect(&mut self, terms: &[Term], filters: &Filters, limit: usize) -> Vec<Hit> {
        // (score, title length, entry, matched text)
        let mut ranked: Vec<Ranked> = Vec::with_capacity(self.touched.len());
        self.refresh_kept_bonuses();
        for &e in &self.touched {
            let e = e as usize;
            let mut score = self.best[e] + self.kept_pcs_bonus(e) - self.cm_penalty(e);
            if !self.ix.valid_on(e, filters.date) {
                if filters.valid_only {
                    continue;
                }
                score -= 30.0;
            }
            ranked.push((score, self.title_len(e), e, self.best_text[e]));
        }
        self.stats.ranked = ranked.len();
        let keep = limit.saturating_mul(2).saturating_add(16);
        self.keep_best(&mut ranked, keep);
        // Headers with complete codes under them (a code taking a 7th
        // character, a PCS table or row): their codes, ranked by the query's
        // words in each code's title.
        let mut out: Vec<Ranked> = Vec::with_capacity(ranked.len());
        let mut suffixes: std::collections::HashMap<&str, TermMask> =
            std::collections::HashMap::new();
        // Only the best parents are opened: their codes are what can reach
        // the top `limit`.
        ranked.sort_by(|a, b| self.order(a, b));
        let mut opened = 0;
        for (rank, r) in ranked.into_iter().enumerate() {
            if rank >= limit + EXPAND_BEST {
                let (_, _, e, _) = r;
                if !filters.billable_only || self.ix.billable_on(e, filters.date) {
                    out.push(r);
                }
                continue;
            }
            let (_, _, e, _) = r;
            let expands = self.ix.has(e, flag::NEEDS_SEVENTH | flag::EXPANDS);
            if !expands || self.ix.billable_on(e, filters.date) {
                out.push(r);
                continue;
            }
            opened += self.open_header(r, terms, filters, &mut suffixes, &mut out);
        }
        self.stats.opened = opened;
        self.keep_best(&mut out, keep);
        self.approach_siblings(&mut out);
        let bones = Self::named_bones(terms);
        for r in &mut out {
            r.0 -= self.other_bone(r.2, bones)
                + self.unnamed(r.2, terms)
                + self.unnamed_subsequent(r.2, terms)
                + self.named_alternative(r.2, terms)
                + self.unsaid_side(r.2, terms);
        }
        out.sort_by(|a, b| self.order(a, b));
        let mut seen = std::collections::HashSet::new();
        out.into_iter()
            .filter(|r| seen.insert(r.2))
            .take(limit)
            .map(|(score, _, e, text)| self.hit(e, score, text, filters))
            .collect()
    }

    /// A header's complete codes, each scored by the query words its title
    /// holds beyond the header's, into `out` (with `--billable`), or the one
    /// the words pick above the header (without); how many codes it read.
    fn open_header<'t>(
        &'t self,
        r: Ranked,
        terms: &[Term],
        filters: &Filters,
        suffixes: &mut std::collections::HashMap<&'t str, TermMask>,
        out: &mut Vec<Ranked>,
    ) -> usize {
        let (score, _, e, text) = r;
        let own_mask = self.title_mask(terms, e);
        let ext = &self.ix.extensions[range(&self.ix.extension_ends, e)];
        let pcs = self.ix.system(e) == System::Icd10Pcs;
        let cm_header = !pcs && self.ix.has(e, flag::HEADER);
        // Reached through the Index ("S42.20-": more characters needed), the
        // header is answered with a complete code even when no word picks one.
        let by_index = text != u32::MAX
            && matches!(
                TextKind::from_u8(self.ix.text_kind[text as usize]),
                TextKind::IndexMain | TextKind::IndexSub | TextKind::Table
            );
        let mut best_child: Option<Ranked> = None;
        let see: Vec<(Option<u32>, String)> = if cm_header && by_index {
            self.see_target_words(text as usize, e)
                .into_iter()
                .map(|w| (self.vocab_id(&w), w))
                .collect()
        } else {
            Vec::new()
        };
        // A 7th character's title is its stem's plus a few words
        // ("..., subsequent encounter for closed fracture with nonunion"):
        // those words are read once per search, not once per code.
        let stem = self.ix.title(e);
        let connectives = if pcs { 0 } else { connective_terms(terms) };
        for (i, &x) in ext.iter().enumerate() {
            let x = x as usize;
            let ok = self.ix.valid_on(x, filters.date);
            if filters.valid_only && !ok {
                continue;
            }
            let refine = if terms.is_empty() || i >= MAX_REFINED {
                0.0
            } else if let Some(suffix) = self.ix.title(x).strip_prefix(stem)
                && !pcs
                && !cm_header
            {
                let extra = *suffixes
                    .entry(suffix)
                    .or_insert_with(|| self.suffix_terms(terms, suffix) & !own_mask & !connectives);
                REFINE * extra.count_ones() as f32
            } else {
                REFINE
                    * (self.title_mask(terms, x) & !connectives)
                        .count_ones()
                        .saturating_sub((own_mask & !connectives).count_ones())
                        as f32
                    + if see.is_empty() {
                        0.0
                    } else {
                        self.with_title_words(x, |read| see_target_held(&see, read))
                    }
            };
            let plain = self.plainness(x, i, pcs, cm_header && text != u32::MAX);
            let s = score + refine + self.kept_pcs_bonus(x) - plain - if ok { 0.0 } else { 30.0 };
            let child = (s, self.title_len(x), x, text);
            // A CM header found by its own title ("Type 2 diabetes
            // mellitus") is a place to look: its codes are offered only
            // where the Index leads to it or the words pick among them.
            let wanted = !cm_header || by_index || refine > 0.0 || text == u32::MAX;
            if filters.billable_only && wanted {
                out.push(child);
            } else if (refine > 0.0 || by_index) && best_child.is_none_or(|b| s > b.0) {
                best_child = Some(child);
            }
        }
        if !filters.billable_only {
            // The header stays; a complete code the words pick goes above it.
            out.push(r);
            if let Some(mut c) = best_child {
                c.0 += 0.1;
                out.push(c);
            }
        }
        ext.len()
    }

    /// Points an ICD-10-CM code loses for each side the words say that its
    /// title does not hold: "left knee OA" is M17.12 "Unilateral primary
    /// osteoarthritis, left knee", not M17.9 "Osteoarthritis of knee,
    /// unspecified" (the Tabular gives the knee's sides their own codes).
    /// Codes of a condition the classification does not side all lose the
    /// same, and keep their order.
    fn unsaid_side(&self, e: usize, terms: &[Term]) -> f32 {
        if self.ix.system(e) != System::Icd10Cm {
            return 0.0;
        }
        let sides: TermMask = terms
            .iter()
            .enumerate()
            .filter(|(_, t)| SIDE_WORDS.contains(&t.word.as_str()))
            .fold(0, |m, (i, _)| m | 1 << i);
        if sides == 0 {
            return 0.0;
        }
        let unsaid = sides & !self.title_mask(terms, e);
        UNSAID_SIDE * unsaid.count_ones() as f32
    }

    /// The words of the target of the Index see-reference a text ends in
    /// ("Index: Cellulitis > leg (see Cellulitis, lower limb)": "lower",
    /// "limb"), less those of the header's own title.
    fn see_target_words(&self, text: usize, header: usize) -> Vec<String> {
        let label = self.ix.text_labels.get(text);
        let Some((_, target)) = label.rsplit_once("(see ") else {
            return Vec::new();
        };
        let target = target.split(')').next().unwrap_or(target);
        let own = index_words(self.ix.title(header));
        index_words(target)
            .into_iter()
            .filter(|w| !own.contains(w))
            .collect()
    }

    /// Points an ICD-10-CM code whose title begins "Subsequent" loses when
    /// the words do not say so: the Index reaches I22.- by "Infarct,
    /// myocardial, subsequent (recurrent) (reinfarction)" only; an infarction
    /// typed without those words is the first one, I21.- ("inferior STEMI"
    /// is I21.19, not I22.1).
    fn unnamed_subsequent(&self, e: usize, terms: &[Term]) -> f32 {
        let said = terms.iter().any(|t| {
            matches!(
                t.word.as_str(),
                "subsequent" | "recurrent" | "reinfarction" | "reinfarct"
            )
        });
        if !said
            && self.ix.system(e) == System::Icd10Cm
            && self.ix.title(e).starts_with("Subsequent ")
        {
            UNNAMED_SUBSEQUENT
        } else {
            0.0
        }
    }

    /// Points an ICD-10-CM code loses whose title leaves open what the
    /// words say: "Intestinal adhesions [bands], unspecified as to partial
    /// versus complete obstruction" (K56.50) when the words say complete or
    /// partial (K56.52, K56.51 hold their word as well: the alternatives in
    /// "unspecified as to" must not count for it).
    fn named_alternative(&self, e: usize, terms: &[Term]) -> f32 {
        if self.ix.system(e) != System::Icd10Cm {
            return 0.0;
        }
        let title = self.ix.title(e).to_lowercase();
        let Some((_, open)) = title.split_once("unspecified as to ") else {
            return 0.0;
        };
        let Some((a, b)) = open.split_once(" versus ") else {
            return 0.0;
        };
        let alternatives: Vec<String> = index_words(a)
            .into_iter()
            .chain(index_words(b).into_iter().take(1))
            .collect();
        if terms.iter().any(|t| alternatives.contains(&t.word)) {
            NAMED_ALTERNATIVE
        } else {
            0.0
        }
    }

    /// How far a complete code under a header sits from the plainest one,
    /// for codes no query word tells apart (a small fraction of a point).
    fn plainness(&self, x: usize, i: usize, pcs: bool, cm_header: bool) -> f32 {
        if pcs {
            // The fewest axis values the query did not ask for: "Open
            // Approach" before "Supracervical, Open Approach".
            // A code the tables give no title (valid per the MCE only) last.
            let untitled = self.ix.entry_title.get(x).is_none_or(|&t| t == u32::MAX);
            0.002 * self.title_len(x) as f32
                + 0.000_01 * i as f32
                + if untitled { 1.0 } else { 0.0 }
        } else if cm_header {
            // Nothing said of side or kind: the unspecified code ("... of
            // unspecified humerus"), then the Tabular's order.
            let unspecified = self.ix.title(x).matches("nspecified").count() as f32;
            0.000_1 * i as f32 - 0.05 * unspecified
        } else {
            // A 7th character keeps the Tabular's order (A before D; D,
            // routine healing, before K and P).
            0.001 * (i as f32 + 1.0)
        }
    }

    pub(super) fn title_len(&self, e: usize) -> u32 {
        self.ix.titles.ends[e]
            - if e == 0 {
                0
            } else {
                self.ix.titles.ends[e - 1]
            }
    }

    /// Best score; then the shorter title; then code order.
    fn order(&self, a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then_with(|| self.ix.keys.get(a.2).cmp(self.ix.keys.get(b.2)))
    }

    /// Keeps the best `keep` (unsorted): a common word touches thousands of codes.
    fn keep_best(&self, ranked: &mut Vec<Ranked>, keep: usize) {
        if ranked.len() > keep {
            ranked.select_nth_unstable_by(keep - 1, |a, b| self.order(a, b));
            ranked.truncate(keep);
        }
    }

    /// The query terms (bits) the words of an entry's title hold.
    fn title_mask(&self, terms: &[Term], e: usize) -> TermMask {
        match self.ix.entry_title.get(e) {
            // The title's words as indexed.
            Some(&t) if t != u32::MAX => self.ids_terms(
                terms,
                &self.ix.words[range(&self.ix.text_word_ends, t as usize)],
                self.names_what_it_has(e),
            ),
            // A code found only by code (a 7th character): cut here, once
            // per entry (a header's codes are read again at each keystroke).
            _ => self.with_title_words(e, |read| self.read_terms(terms, read)),
        }
    }

    /// How many index words an entry's title has (`index_words(title).len()`),
    /// read once and then kept.
    pub(super) fn title_word_count(&self, e: usize) -> usize {
        let mut counts = self.title_words.1.borrow_mut();
        if counts.len() != self.ix.entries() {
            *counts = vec![0; self.ix.entries()];
        }
        // 0: not yet counted (a title has a word); 255: counted elsewhere.
        match counts[e] {
            0 | u8::MAX => {
                let n = index_words(self.ix.title(e)).len();
                counts[e] = u8::try_from(n).unwrap_or(u8::MAX);
                n
            }
            n => usize::from(n),
        }
    }

    /// The vocabulary ids of an entry's title's index words, in order
    /// (`index_words(title)` found in the vocabulary; read once, then kept).
    pub(super) fn title_ids(&self, e: usize) -> Vec<u32> {
        self.with_title_words(e, |read| read.ids.clone())
    }

    /// `f` of an entry's title read into words (read once, then kept).
    fn with_title_words<R>(&self, e: usize, f: impl FnOnce(&ReadWords) -> R) -> R {
        let mut kept = self.title_words.0.borrow_mut();
        f(kept.get(e, self.ix.entries(), || self.read_words(self.ix.title(e))))
    }

    /// The query terms (bits) the words of a 7th character's ending hold
    /// (the ending read into words once, then kept).
    fn suffix_terms(&self, terms: &[Term], suffix: &str) -> TermMask {
        let mut kept = self.title_words.2.borrow_mut();
        if let Some(read) = kept.get(suffix) {
            return self.read_terms(terms, read);
        }
        if kept.len() >= SUFFIXES_KEPT {
            kept.clear();
        }
        let read = self.read_words(suffix);
        let mask = self.read_terms(terms, &read);
        kept.insert(suffix.to_string(), read);
        mask
    }

    /// A text's index words as vocabulary ids, and those outside it.
    fn read_words(&self, text: &str) -> ReadWords {
        let mut out = ReadWords::default();
        for w in index_words(text) {
            match self.vocab_id(&w) {
                Some(id) => out.ids.push(id),
                None => out.unknown.push(w),
            }
        }
        out
    }

    /// The query terms (bits) read words hold.
    fn read_terms(&self, terms: &[Term], read: &ReadWords) -> TermMask {
        let unknown = read
            .unknown
            .iter()
            .fold(0, |m, w| m | unknown_word_terms(terms, w));
        // (A 7th character's words: a CM title, saying "with" itself.)
        self.ids_terms(terms, &read.ids, false) | unknown
    }

    fn ids_terms(&self, terms: &[Term], ids: &[u32], has: bool) -> TermMask {
        let mut mask: TermMask = 0;
        for &w in ids {
            mask |= self.word_terms[w as usize];
        }
        // With no phrase and no negated term, the words' bits are the
        // answer: the loop below changes a bit only through them.
        if terms
            .iter()
            .all(|t| t.phrases.is_empty() && t.negated.is_none())
        {
            return mask;
        }
        for (i, t) in terms.iter().enumerate() {
            let bit: TermMask = 1 << i;
            let phrase = || t.phrases.iter().find(|p| p.iter().all(|w| ids.contains(w)));
            let at = if mask & bit != 0 {
                ids.iter()
                    .position(|&w| self.word_terms[w as usize] & bit != 0)
            } else {
                phrase().and_then(|p| {
                    p.iter()
                        .filter_map(|w| ids.iter().position(|x| x == w))
                        .min()
                })
            };
            let Some(at) = at else { continue };
            // "without mesh" is not held by a title saying "with Synthetic
            // Substitute".
            if t.negated.is_some_and(|n| self.contradicts(ids, at, n, has)) {
                mask &= !bit;
            } else {
                mask |= bit;
            }
        }
        mask
    }
}

/// Points for the see-reference target's words (each with its vocabulary
/// id) a code's title (read into words) holds.
fn see_target_held(see: &[(Option<u32>, String)], title: &ReadWords) -> f32 {
    let held = see.iter().filter(|(id, w)| match id {
        Some(id) => title.ids.contains(id),
        None => title.unknown.contains(w),
    });
    SEE_TARGET * held.count() as f32
}

/// The query terms (bits) a word outside the vocabulary holds: a 7th
/// character's title is the only text with "malunion" or "IIIB" (the Index
/// has them as see-references only), so no vocabulary word stands for them.
/// The word typed whole, or its beginning (three letters or more).
fn unknown_word_terms(terms: &[Term], w: &str) -> TermMask {
    let mut mask: TermMask = 0;
    for (i, t) in terms.iter().enumerate() {
        if t.negated != Some(true) && (t.word == w || (t.len >= 3 && w.starts_with(&t.word))) {
            mask |= 1 << i;
        }
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::{ReadWords, Term, connective_terms, see_target_held};

    #[test]
    fn a_notes_with_picks_no_seventh_character() {
        // "pt w/ displaced bimalleolar fx": "w/" (the synonym of "with",
        // read as "w") is the 2nd term.
        let terms: Vec<Term> = ["bimalleolar", "w", "displaced"]
            .iter()
            .map(|w| Term {
                word: w.to_string(),
                ..Term::default()
            })
            .collect();
        assert_eq!(connective_terms(&terms), 0b010);
    }

    /// A title's words with made-up vocabulary ids: "cellulitis" 1, "right"
    /// 2, "lower" 3, "upper" 4, "limb" 5; "axilla" outside the vocabulary.
    fn read(title: &str) -> ReadWords {
        let mut out = ReadWords::default();
        for w in crate::search::text::index_words(title) {
            match ["cellulitis", "right", "lower", "upper", "limb"]
                .iter()
                .position(|v| *v == w)
            {
                Some(i) => out.ids.push(i as u32 + 1),
                None => out.unknown.push(w),
            }
        }
        out
    }

    #[test]
    fn a_see_references_target_words_break_ties_among_a_headers_codes() {
        // "Cellulitis, leg — see Cellulitis, lower limb" opens L03.11- "Cellulitis
        // of other parts of limb": "lower" (the words left once the header's own
        // are taken out) is in L03.115's title, not in L03.113's or L03.111's.
        let see = vec![(Some(3), "lower".to_string())];
        assert_eq!(
            see_target_held(&see, &read("Cellulitis of right lower limb")),
            1.0
        );
        assert_eq!(
            see_target_held(&see, &read("Cellulitis of right upper limb")),
            0.0
        );
        assert_eq!(
            see_target_held(&see, &read("Cellulitis of right axilla")),
            0.0
        );
        assert_eq!(
            see_target_held(&[], &read("Cellulitis of right lower limb")),
            0.0
        );
        // A word outside the vocabulary is held as itself.
        let see = vec![(None, "axilla".to_string())];
        assert_eq!(
            see_target_held(&see, &read("Cellulitis of right axilla")),
            1.0
        );
        assert_eq!(
            see_target_held(&see, &read("Cellulitis of right lower limb")),
            0.0
        );
    }
}
