//! Running a search: code lookup, then words (truncated, misspelt or abbreviated)
//! matched through the vocabulary to candidate texts, scored, and kept best per code.

use super::text::{index_words, osa_distance, strip_semantic_tags, typo_budget, words};
use super::{Filters, SearchIndex, System, TextKind, flag, range};

mod bone_part;
mod connective;
mod defaults;
mod ed_note;
mod extent;
mod fallback;
mod kept_bonus;
mod negation;
mod notes;
mod numerals;
mod other_bone;
mod own_site;
mod pregnancy;
mod rank;
mod relaxed;
mod route;
mod scope;
mod score;
mod status;
mod substring;
mod surgeon;
mod surgeon_body;
mod surgeon_route;
mod text_class;
mod title_facts;
mod typos;
mod vocab;
use crate::codeset::code_key;

/// One ranked result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub entry: usize,
    /// As the coder writes it: "J18.9", "0DTJ4ZZ", "G0439".
    pub code: String,
    pub system: System,
    pub title: String,
    /// Reportable as it stands.
    pub billable: bool,
    /// Needs a 7th character to be reportable.
    pub needs_seventh: bool,
    /// Has children: pick one.
    pub header: bool,
    /// Exists (and, for complete codes, is valid) on the filter's date.
    pub valid: bool,
    pub score: f32,
    /// What matched, when it was not the code's own title
    /// ("Index: Pneumonia > aspiration").
    pub matched: String,
}

/// Above this many candidate postings a term is searched by scanning texts in
/// rank order instead of gathering them.
const GATHER_LIMIT: usize = 30_000;
/// A scan stops after this many matching texts: texts are in static rank order,
/// so the best of a very common word are among the first.
const SCAN_CAP: usize = 1_500;
/// ... or after this many texts the filters allow.
const SCAN_TEXTS: usize = 40_000;
/// Words of a query beyond this many are ignored (a bit each in a `TermMask`).
const MAX_TERMS: usize = 8;
/// A bit for each query term.
type TermMask = u16;
const _: () = assert!(MAX_TERMS <= TermMask::BITS as usize);
/// Fewer codes than this with every word, and codes with most words are added.
const RELAXED_BELOW: usize = 10;
/// At most this many gathered texts are scored (the statically best of them).
const MAX_CANDIDATES: usize = 4_000;
/// At most this many code-prefix hits are considered.
const CODE_CAP: usize = 2_000;

/// One query word and every vocabulary word it may stand for.
#[derive(Debug, Default, Clone)]
struct Term {
    len: usize,
    /// The query word.
    word: String,
    exact: Option<u32>,
    plural: Option<u32>,
    /// Words beginning with the term: ids lo..hi.
    lo: u32,
    hi: u32,
    /// Words sharing the term's stem ("pancreatic" → "pancreas"): ids
    /// stem_lo..stem_hi, a weaker match than the prefix.
    stem_lo: u32,
    stem_hi: u32,
    /// Words within the typo budget, by id, with their quality.
    fuzzy: Vec<(u32, f32)>,
    /// Synonym phrases, as word ids.
    phrases: Vec<Vec<u32>>,
    /// How many postings the term's words have (a bound on its candidates).
    estimate: usize,
    /// A word that narrows rather than names (an approach, a side, an
    /// encounter): a text without it still matches, at a cost, and it picks
    /// among the complete codes under a hit.
    soft: bool,
    /// The query put this word after "without" (true) or "with" (false): a
    /// text saying the opposite of it ("with obstruction" for "without
    /// obstruction") is not the answer.
    negated: Option<bool>,
}

/// A search over one index, with scratch space reused between searches (one per
/// thread).
pub struct Searcher<'a> {
    ix: &'a SearchIndex,
    best: Vec<f32>,
    best_text: Vec<u32>,
    touched: Vec<u32>,
    stamp: Vec<u32>,
    generation: u32,
    stats: SearchStats,
    /// Per vocabulary word, a bit for each query term that matches it.
    word_terms: Vec<TermMask>,
    /// The Index reference a morphology query was routed by, for the hits' labels.
    route_label: Option<String>,
    /// The texts the morphology route offered.
    routed_texts: Vec<u32>,
    /// The vocabulary ids of "with" and "without".
    with_ids: (Option<u32>, Option<u32>),
    /// The vocabulary id of "except" (see `Searcher::score`).
    except_id: Option<u32>,
    /// What the query's words say of a PCS code's approach and qualifier.
    pcs_words: surgeon::PcsWords,
    /// What the query's words say of an ICD-10-CM code's kind.
    cm_words: defaults::CmWords,
    /// Scratch space of the last-resort pass.
    fallback: fallback::Scratch,
    /// Titles read into words, kept between searches.
    title_words: rank::TitleWords,
    /// Whether a PCS title's body part holds an "-ectomy" word's organ, by
    /// row (its first four characters as a number), for the search under
    /// way (`ectomy_names_organ`).
    organ_bodies: std::cell::RefCell<crate::fast_hash::FastMap<u32, bool>>,
    /// What titles say that no query changes (`title_facts`).
    title_facts: title_facts::TitleFacts,
    /// The vocabulary's ids by the hash of their word.
    vocab_table: vocab::WordTable,
    /// Each text's system and reportability, for the common-word scan
    /// (made at the first scan).
    text_classes: Vec<u8>,
    /// The vocabulary words the query's words say (`said_words`), read at
    /// the first New Technology code a search ranks.
    said: std::cell::OnceCell<Vec<u32>>,
    /// Codes' `pcs_bonus`, kept while the query's procedure words stay the same.
    kept_bonuses: std::cell::RefCell<kept_bonus::KeptBonuses>,
}

/// What the last search did, for benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Texts gathered as candidates.
    pub candidates: usize,
    /// Texts scored.
    pub scored: usize,
    /// Whether the common-word scan ran instead of gathering.
    pub scanned: bool,
    /// Whether the relaxed pass (not every word present) ran.
    pub relaxed: bool,
    /// Whether the last-resort pass (texts holding some of the words,
    /// ranked by the query weight they explain) offered codes.
    pub fallback: bool,
    /// Codes the passes found, ranked.
    pub ranked: usize,
    /// Complete codes read under the best headers (PCS tables and rows,
    /// codes taking a 7th character).
    pub opened: usize,
    /// Procedure bonuses read (not kept from an earlier keystroke).
    pub bonuses: usize,
}

impl<'a> Searcher<'a> {
    pub fn new(ix: &'a SearchIndex) -> Searcher<'a> {
        Searcher {
            ix,
            best: vec![f32::NEG_INFINITY; ix.entries()],
            best_text: vec![u32::MAX; ix.entries()],
            touched: Vec::new(),
            stamp: vec![0; ix.texts()],
            generation: 0,
            stats: SearchStats::default(),
            word_terms: vec![0; ix.vocabulary()],
            route_label: None,
            routed_texts: Vec::new(),
            with_ids: (None, None),
            except_id: None,
            pcs_words: surgeon::PcsWords::default(),
            cm_words: defaults::CmWords::default(),
            fallback: fallback::Scratch::default(),
            title_words: rank::TitleWords::default(),
            organ_bodies: std::cell::RefCell::default(),
            title_facts: title_facts::TitleFacts::default(),
            vocab_table: vocab::WordTable::of(&ix.vocab),
            text_classes: Vec::new(),
            kept_bonuses: std::cell::RefCell::default(),
            said: std::cell::OnceCell::new(),
        }
        .with_vocabulary()
    }

    fn with_vocabulary(mut self) -> Self {
        self.with_ids = (self.vocab_id("with"), self.vocab_id("without"));
        self.except_id = self.vocab_id("except");
        self
    }

    /// The best `limit` codes for `query` under `filters`, best first.
    pub fn search(&mut self, query: &str, filters: &Filters, limit: usize) -> Vec<Hit> {
        self.reset();
        let query = query.trim();
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let established = scope::established(query, filters);
        let query = established.as_deref().unwrap_or(query);
        if let Some(hits) = self.procedure_under_all(query, filters, limit) {
            return hits;
        }
        if looks_like_code(query) {
            self.code_hits(query, &code_key(query), filters);
        }
        // An ED note's sentence read as a coder reads it (the injury's
        // clause, not the story around it) in a diagnosis search.
        let read = if filters.systems.allows(System::Icd10Cm) {
            ed_note::read(query)
        } else {
            std::borrow::Cow::Borrowed(query)
        };
        let query = read.as_ref();
        // Two questions of the filter, one name each: no diagnosis code is
        // searched (the procedures scope, or one procedure system alone), and
        // the search is the procedures scope itself (every procedure system).
        let no_diagnoses = !filters.systems.allows(System::Icd10Cm);
        let words = surgeon_route::route(
            surgeon::graft_donor_apart(
                query,
                surgeon::device_removal_apart(query, self.note_words(query, filters), no_diagnoses),
                no_diagnoses,
            ),
            no_diagnoses,
            filters.systems.allows(System::Icd10Pcs),
        );
        self.pcs_words = surgeon::PcsWords::of(query, &words);
        self.organ_bodies.get_mut().clear();
        // A procedure search: every procedure system, or ICD-10-PCS alone
        // (HCPCS alone is not: its supplies are what it is asked for).
        self.pcs_words.procedures = filters.systems == super::SystemFilter::Procedures
            || filters.systems == super::SystemFilter::Only(System::Icd10Pcs);
        self.cm_words = defaults::CmWords::of(&words);
        let mut terms = self.terms(query, &words);
        if !filters.systems.allows(System::Icd10Cm) {
            defaults::soften_indication(query, &mut terms);
        }
        if !terms.is_empty() {
            self.mark_words(&terms, true);
            self.text_hits(&terms, filters);
            if self.touched.len() < limit.min(RELAXED_BELOW) && terms.len() >= 2 {
                self.relaxed_hits(&terms, filters);
            }
        }
        self.route_label = None;
        self.routed_texts.clear();
        self.routed_hits(&words, &terms, filters);
        self.extent_hits(query, filters);
        // Never nothing for words some code holds: the last resort, below
        // every code the passes before found, when they found few.
        if self.touched.len() < limit.min(RELAXED_BELOW) && terms.len() >= 2 {
            let floor = self.lowest_score();
            self.fallback_hits(&terms, filters, floor);
        }
        let mut hits = self.collect(&terms, filters, limit);
        if self.stats.relaxed || self.stats.fallback {
            self.note_unmatched(&terms, &mut hits);
        }
        self.mark_words(&terms, false);
        hits
    }

    /// A query's words: semantic tags dropped ("(disorder)"), shorthand written
    /// with a slash, an ampersand or a short hyphenated piece kept as one word
    /// when the synonym list knows it ("s/p", "I&D", "C-diff"); connective
    /// shorthand read ("d/t" dropped, "c/b" as "with").
    fn query_words(&self, query: &str) -> Vec<String> {
        let query = strip_semantic_tags(query);
        let mut out = Vec::new();
        let tokens = notes::read_note(query.split_whitespace().collect());
        for (i, token) in tokens.iter().enumerate() {
            let token = token.as_str();
            match connective::connective(token, tokens.get(i + 1).map(String::as_str)) {
                Some(connective::Connective::DueTo) => continue,
                Some(connective::Connective::With) => {
                    out.push("with".to_string());
                    continue;
                }
                None => {}
            }
            if token.contains(['/', '&', '-']) {
                let pieces = words(token);
                let short = pieces.iter().all(|p| p.len() <= 4)
                    || (pieces.len() == 2 && pieces.iter().any(|p| p.len() <= 2));
                let joined = pieces.concat();
                // A longer word the list writes hyphenated ("intra-articular")
                // is one word too: the list's own key, joined the same way.
                if (short || pieces.len() == 2) && self.is_synonym(&joined) {
                    out.push(joined);
                    continue;
                }
            }
            if let Some(w) = self.capitalised_abbreviation(token) {
                out.push(w);
                continue;
            }
            out.extend(index_words(token));
        }
        self.join_phrases(out)
    }

    /// The search is for procedures: the procedures scope (`--system px`:
    /// every procedure system) or ICD-10-PCS alone (`--system pcs`); not
    /// HCPCS or CPT alone.
    fn procedures_scope(&self) -> bool {
        self.pcs_words.procedures
    }

    fn is_synonym(&self, w: &str) -> bool {
        self.synonym_key(w).is_some()
    }

    /// The synonym list's entry for a word, if it has one.
    fn synonym_key(&self, w: &str) -> Option<usize> {
        let keys = &self.ix.synonym_keys;
        let k = partition(keys.len(), |i| keys.get(i) < w);
        (k < keys.len() && keys.get(k) == w).then_some(k)
    }

    /// Marks (or unmarks) in `word_terms` the vocabulary words each term matches.
    fn mark_words(&mut self, terms: &[Term], on: bool) {
        for (i, t) in terms.iter().enumerate() {
            let bit: TermMask = 1 << i;
            let mut set = |w: u32| {
                let cell = &mut self.word_terms[w as usize];
                if on {
                    *cell |= bit;
                } else {
                    *cell = 0;
                }
            };
            for w in t.lo..t.hi {
                set(w);
            }
            for w in t.stem_lo..t.stem_hi {
                set(w);
            }
            for &(w, _) in &t.fuzzy {
                set(w);
            }
            if let Some(w) = t.plural {
                set(w);
            }
            if let Some(w) = t.exact {
                set(w);
            }
        }
    }

    /// What the last search did.
    pub fn stats(&self) -> SearchStats {
        let mut stats = self.stats;
        stats.bonuses = self.kept_bonuses.borrow().read;
        stats
    }

    fn reset(&mut self) {
        self.stats = SearchStats::default();
        self.kept_bonuses.get_mut().read = 0;
        self.said.take();
        for &e in &self.touched {
            self.best[e as usize] = f32::NEG_INFINITY;
            self.best_text[e as usize] = u32::MAX;
        }
        self.touched.clear();
    }

    /// A fresh mark for "this text is already a candidate".
    fn next_generation(&mut self) -> u32 {
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        self.generation
    }

    fn offer(&mut self, entry: usize, score: f32, text: u32) {
        if self.best[entry] == f32::NEG_INFINITY {
            self.touched.push(entry as u32);
        }
        if score > self.best[entry] {
            self.best[entry] = score;
            self.best_text[entry] = text;
        }
    }

    /// Codes beginning with the typed code rank above every word match: the exact
    /// code first, then its children in code order.
    fn code_hits(&mut self, typed: &str, key: &str, filters: &Filters) {
        let found = self.ix.code_prefix(key, filters.systems);
        for (rank, &e) in found.iter().take(CODE_CAP).enumerate() {
            let exact = self.ix.keys.get(e) == key;
            let mut score = if exact {
                2000.0
            } else {
                1000.0 - rank as f32 * 0.01
            };
            // Typed exactly as this system writes it (G0439 is HCPCS; G04.39 is CM).
            if self.ix.code(e).eq_ignore_ascii_case(typed) {
                score += 1.0;
            }
            self.offer(e, score, u32::MAX);
        }
    }

    fn terms(&self, query: &str, query_words: &[String]) -> Vec<Term> {
        let mut ws = query_words.to_vec();
        if ws.is_empty() {
            ws = words(query);
        }
        // An injury's note words are dropped in diagnosis searches; in the
        // procedures scope they may be the procedure ("application of short
        // arm cast").
        let procedures_scope = self.procedures_scope();
        if !procedures_scope {
            defaults::fit_injury_words(&mut ws, MAX_TERMS);
            negation::keep_sides(&mut ws, MAX_TERMS);
            self.weeks_as_trimester(&mut ws);
        }
        ws.truncate(MAX_TERMS);
        let mut terms: Vec<Term> = Vec::with_capacity(ws.len());
        // "without mesh": a code that does not mention mesh is as good as one
        // that says "without"; one saying "with mesh" is contradicted. ("no
        // foreign body" keeps its words: problem lists say "no" of what the
        // title names.)
        let said = surgeon::read_negation(query, &ws);
        for (w, said) in ws.iter().zip(&said) {
            let mut t = self.term(w);
            t.negated = said.negated;
            t.soft |= said.without;
            terms.push(t);
        }
        self.number_forms(&ws, &mut terms);
        defaults::soften_fracture_grade(&ws, &mut terms);
        self.soften_bone_part(&ws, &mut terms);
        self.soften_regions_beside_eponym(&ws, &mut terms);
        negation::soften_stage_words(&ws, &mut terms);
        negation::sides_outside_scopes(&mut terms);
        negation::name_sites_in_diagnoses(&mut terms, procedures_scope);
        surgeon::soften_surgeon_words(&mut terms, &said, procedures_scope);
        if terms.iter().all(|t| t.soft) {
            terms.iter_mut().for_each(|t| t.soft = false);
        }
        // Check the rarest term first: most texts fail it at once. Soft terms
        // last: a text may lack them.
        terms.sort_by_key(|t| (t.soft, t.estimate));
        terms
    }

    fn vocab_id(&self, w: &str) -> Option<u32> {
        vocab::find(&self.ix.vocab, &self.vocab_table, w)
    }

    fn postings_between(&self, lo: u32, hi: u32) -> usize {
        self.postings_range(lo, hi).len()
    }

    fn postings(&self, w: u32) -> &[u32] {
        &self.ix.postings[range(&self.ix.posting_ends, w as usize)]
    }

    fn term(&self, w: &str) -> Term {
        if w.contains(' ') {
            return self.phrase_term(w);
        }
        let v = &self.ix.vocab;
        let lo = partition(v.len(), |i| v.get(i) < w) as u32;
        let hi = lo as usize
            + partition(v.len() - lo as usize, |i| {
                v.get(lo as usize + i).starts_with(w)
            });
        let mut t = Term {
            len: w.len(),
            word: w.to_string(),
            exact: self.vocab_id(w),
            lo,
            hi: hi as u32,
            soft: super::text::is_soft_word(w),
            ..Term::default()
        };
        if t.exact.is_none() && w.len() > 3 && w.ends_with('s') {
            t.plural = self.vocab_id(&w[..w.len() - 1]);
        }
        if w.len() >= 6 && w.is_ascii() {
            let stem = &w[..(w.len() * 7).div_ceil(10).max(5)];
            let lo = partition(v.len(), |i| v.get(i) < stem);
            let hi = lo + partition(v.len() - lo, |i| v.get(lo + i).starts_with(stem));
            (t.stem_lo, t.stem_hi) = (lo as u32, hi as u32);
        }
        // Synonyms of the whole word, or of its singular ("PVCs", "DVTs").
        let key = self.synonym_key(w).or_else(|| {
            w.strip_suffix('s')
                .filter(|s| s.len() >= 2 && self.vocab_id(w).is_none())
                .and_then(|s| self.synonym_key(s))
        });
        if let Some(k) = key {
            for p in range(&self.ix.synonym_phrase_ends, k) {
                let phrase = &self.ix.phrase_words[range(&self.ix.phrase_word_ends, p)];
                if !phrase.is_empty() && phrase.iter().all(|&x| x != u32::MAX) {
                    t.phrases.push(phrase.to_vec());
                }
            }
        }
        // A short abbreviation ("pe", "mi") means what it abbreviates, not every
        // word it begins.
        if !t.phrases.is_empty() && w.len() <= 3 {
            match t.exact {
                Some(id) => (t.lo, t.hi) = (id, id + 1),
                None => (t.lo, t.hi) = (0, 0),
            }
        }
        let direct = self.postings_between(t.lo, t.hi)
            + self.postings_between(t.stem_lo, t.stem_hi)
            + t.plural.map_or(0, |p| self.postings(p).len());
        // A known abbreviation is what it stands for, never a typo of
        // another word ("NASH" is not "Nishimoto").
        if direct < 3 && typo_budget(w.len()) > 0 && t.phrases.is_empty() {
            t.fuzzy = self.fuzzy(w);
            self.typo_synonyms(&mut t);
        }
        t.estimate = direct
            + t.fuzzy
                .iter()
                .map(|&(x, _)| self.postings(x).len())
                .sum::<usize>()
            + t.phrases
                .iter()
                .map(|p| p.iter().map(|&x| self.postings(x).len()).min().unwrap_or(0))
                .sum::<usize>();
        t
    }

    /// Vocabulary words within the typo budget of `w`, whole or as a prefix
    /// ("pnuem" → "pneumonia"). The first letter is taken as typed, or swapped
    /// with the second.
    fn fuzzy(&self, w: &str) -> Vec<(u32, f32)> {
        let b = w.as_bytes();
        let budget = typo_budget(b.len());
        let v = &self.ix.vocab;
        let mut firsts = vec![b[0]];
        if b.len() > 1 && b[1] != b[0] {
            firsts.push(b[1]);
        }
        let mut out = Vec::new();
        for first in firsts {
            let f = (first as char).to_string();
            let lo = partition(v.len(), |i| v.get(i) < f.as_str());
            let hi = lo + partition(v.len() - lo, |i| v.get(lo + i).starts_with(f.as_str()));
            for id in lo..hi {
                let word = v.get(id).as_bytes();
                if first != b[0] && (word.len() < 2 || word[1] != b[0]) {
                    continue;
                }
                if word.len() + budget < b.len() {
                    continue;
                }
                let full = osa_distance(b, word, budget);
                let q = if let Some(d) = full {
                    0.75 - 0.1 * (d as f32 - 1.0)
                } else if word.len() > b.len()
                    && osa_distance(b, &word[..b.len()], budget).is_some()
                {
                    0.55
                } else {
                    continue;
                };
                out.push((id as u32, q));
            }
        }
        out.sort_by_key(|&(id, _)| id);
        out.dedup_by_key(|&mut (id, _)| id);
        out
    }

    fn hit(&self, e: usize, score: f32, text: u32, filters: &Filters) -> Hit {
        let matched = if text == u32::MAX
            || TextKind::from_u8(self.ix.text_kind[text as usize]) == TextKind::Title
        {
            String::new()
        } else {
            let label = self.ix.text_labels.get(text as usize);
            match &self.route_label {
                Some(route) if self.routed_texts.contains(&text) => {
                    format!("{route} → {label}")
                }
                _ => label.to_string(),
            }
        };
        Hit {
            entry: e,
            code: self.ix.code(e).to_string(),
            system: self.ix.system(e),
            title: self.ix.title(e).to_string(),
            billable: self.ix.billable_on(e, filters.date),
            needs_seventh: self.ix.has(e, flag::NEEDS_SEVENTH),
            header: self.ix.has(e, flag::HEADER) && !self.ix.billable_on(e, filters.date),
            valid: self.ix.valid_on(e, filters.date),
            score,
            matched,
        }
    }
}

/// A query that may be a code or code prefix: one token of letters, digits and
/// dots with at least one digit ("I50", "e1165", "J18.9", "0DTJ", "G0439").
fn looks_like_code(q: &str) -> bool {
    q.len() >= 2
        && q.chars().any(|c| c.is_ascii_digit())
        && q.chars().all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The first index in 0..n for which `pred` is false (pred true then false).
fn partition(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
