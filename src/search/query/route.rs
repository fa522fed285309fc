//! Morphology and site at query time: the Index's route for the morphology
//! the query names, and the site words looked up in that Neoplasm Table column.

use super::{GATHER_LIMIT, MAX_TERMS, Searcher, Term, typos};
use crate::search::text::{index_words, is_soft_word};
use crate::search::{Filters, System, morphology, range};

/// The words of the morphologies the Neoplasm Table lists under each skin
/// site ("basal cell carcinoma", "squamous cell carcinoma", "specified type
/// NEC"): C44 codes by them; other sites do not.
const SKIN_MORPHOLOGY: [&str; 4] = ["basal", "squamous", "cell", "carcinoma"];

/// Words of a neoplasm that name no morphology: taken with the route.
const NEOPLASM_WORDS: [&str; 7] = [
    "primary",
    "malignant",
    "neoplasm",
    "malignancy",
    "tumor",
    "cancer",
    "site",
];

/// Points a Neoplasm Table cell reached through a morphology's route earns.
const ROUTED_BONUS: f32 = 20.0;

/// A query's morphology route: the route (an index into the routes), the
/// Neoplasm Table column, the word that chose the column when not the route,
/// and which query words the morphology took.
struct Found {
    route: Option<usize>,
    column: u8,
    said: Option<String>,
    used: Vec<bool>,
}

impl Searcher<'_> {
    /// Whether a Neoplasm Table site has this word, or a word it begins
    /// (or a word of its synonyms: "rul" is the right upper lobe).
    fn names_a_site(&self, t: &Term) -> bool {
        let site = |id: u32| {
            self.ix
                .vocab_site
                .get(id as usize)
                .is_some_and(|v| v & 1 != 0)
        };
        let direct = t.exact.into_iter().chain(t.plural).any(site)
            || (t.lo..t.hi.min(t.lo.saturating_add(200))).any(site)
            || (t.stem_lo..t.stem_hi.min(t.stem_lo.saturating_add(200)))
                .any(|id| site(id) && self.quality(t, id) > 0.0);
        direct || t.phrases.iter().any(|p| p.iter().any(|&id| site(id)))
    }

    /// Morphology and site: the Neoplasm Table row of the site, in the column
    /// the morphology's Index entry names (or "metastatic" and the like choose),
    /// ranked above word matches.
    pub(super) fn routed_hits(&mut self, words: &[String], known: &[Term], filters: &Filters) {
        // The main pass's terms, reused (a word's typo matches are costly).
        let term_of = |w: &str| {
            known
                .iter()
                .find(|t| t.word == w)
                .cloned()
                .unwrap_or_else(|| self.term(w))
        };
        if words.len() < 2 || !filters.systems.allows(System::Icd10Cm) {
            return;
        }
        let ix = self.ix;
        // "History of colon cancer" is no neoplasm today.
        if words.iter().any(|w| morphology::not_current(w)) {
            return;
        }
        let spelled = self.morphology_spelled_out(words);
        let words: &[String] = spelled.as_deref().unwrap_or(words);
        let Some(Found {
            route,
            column,
            said,
            used,
        }) = self.find_route(words)
        else {
            return;
        };
        if let Some(r) = route
            && self.named_before_generic(words, ix.morph_keys.get(r), &used, &term_of)
        {
            return;
        }
        // The morphology's own Index entry for the site the words name
        // answers, not the Neoplasm Table (see `own_site`).
        if let Some(r) = route
            && self.own_site_answers(r, words, &used)
        {
            return;
        }
        // The site: words left once the morphology is taken, that some
        // Neoplasm Table site has ("squamous cell" in "squamous cell
        // carcinoma of the lung" describes the morphology, not the site).
        let mut terms: Vec<Term> = (words.iter().zip(&used))
            .filter(|(_, u)| !**u)
            .map(|(w, _)| (w, term_of(w)))
            .filter(|(w, t)| is_soft_word(w) || self.names_a_site(t))
            .map(|(_, t)| t)
            .collect();
        if terms.is_empty() || terms.len() > MAX_TERMS {
            return;
        }
        self.soften_morphology_words(&mut terms);
        if terms.iter().all(|t| t.soft) {
            return;
        }
        // A side is in the code title, not in the Neoplasm Table: it picks
        // among the codes under the cell's header.
        terms.sort_by_key(|t| (t.soft, t.estimate));
        if let Some(r) = route {
            for w in index_words(ix.morph_sites.get(r)) {
                if terms.len() < MAX_TERMS {
                    let mut t = self.term(&w);
                    t.soft = true;
                    terms.push(t);
                }
            }
        }
        self.route_label = Some(match (route, &said) {
            (Some(r), _) => ix.morph_labels.get(r).to_string(),
            (None, Some(w)) => format!("\"{w}\" → Neoplasm Table"),
            (None, None) => return,
        });
        // The word marks are the route's while it runs, the main pass's after.
        self.mark_words(known, false);
        self.mark_words(&terms, true);
        // Words of the morphology a site also has ("squamous cell": skin rows
        // have "squamous cell carcinoma") may be missing from the site's row,
        // at a cost each; one site word at least must be there.
        let hard: Vec<&Term> = terms
            .iter()
            .filter(|t| !t.soft && t.estimate <= GATHER_LIMIT)
            .collect();
        let may_miss = hard.len().saturating_sub(1);
        if !hard.is_empty() {
            for t in self.gather_where(&hard, |t| ix.text_column[t as usize] == column) {
                let t = t as usize;
                let entry = ix.text_entry[t] as usize;
                if !self.allowed(entry, filters) {
                    continue;
                }
                if let Some(score) = self.score(&terms, t, may_miss) {
                    self.offer(entry, score + ROUTED_BONUS, t as u32);
                    self.routed_texts.push(t as u32);
                }
            }
        }
        self.mark_words(&terms, false);
        self.mark_words(known, true);
    }

    /// The words with each abbreviation of a morphology written out as the
    /// synonym list spells it, when one of its phrases holds every word of a
    /// route's key ("GBM" is "glioblastoma": Index "Glioblastoma — see
    /// Neoplasm, malignant, by site"; "SCC" "squamous cell carcinoma"). `None`
    /// when no word is one.
    fn morphology_spelled_out(&self, words: &[String]) -> Option<Vec<String>> {
        let ix = self.ix;
        let mut out: Option<Vec<String>> = None;
        for (i, w) in words.iter().enumerate() {
            // Not a word the route reads itself ("cancer": a column word).
            let phrases = self
                .synonym_key(w)
                .filter(|_| !NEOPLASM_WORDS.contains(&w.as_str()))
                .map_or(0..0, |k| range(&ix.synonym_phrase_ends, k));
            let phrase = phrases.into_iter().find_map(|p| {
                let ids = &ix.phrase_words[range(&ix.phrase_word_ends, p)];
                if ids.is_empty() || ids.contains(&u32::MAX) {
                    return None;
                }
                let phrase: Vec<&str> = ids.iter().map(|&x| ix.vocab.get(x as usize)).collect();
                let is_route = (0..ix.morph_keys.len()).any(|r| {
                    ix.morph_columns[r] != morphology::NO_ROUTE
                        && ix
                            .morph_keys
                            .get(r)
                            .split(' ')
                            .all(|kw| phrase.contains(&kw))
                });
                is_route.then_some(phrase)
            });
            if let Some(phrase) = phrase {
                let o = out.get_or_insert_with(|| words[..i].to_vec());
                o.extend(phrase.iter().map(|p| p.to_string()));
            } else if let Some(o) = out.as_mut() {
                o.push(w.clone());
            }
        }
        out
    }

    /// Whether the morphology's own Index entry (`route`) lists the site the
    /// words left over name (`used` marks the morphology's own words).
    fn own_site_answers(&self, route: usize, words: &[String], used: &[bool]) -> bool {
        let sites: Vec<&str> = words
            .iter()
            .zip(used)
            .filter(|(_, u)| !**u)
            .map(|(w, _)| w.as_str())
            .collect();
        let typed: Vec<&str> = words.iter().map(String::as_str).collect();
        self.morphology_names_site(self.ix.morph_keys.get(route), &sites, &typed)
    }

    /// Words of a morphology that the Neoplasm Table's skin rows also hold
    /// ("skin, ear, squamous cell carcinoma C44.22-"): with a site word of
    /// another kind in the query ("tonsil", "glottis"), they describe the
    /// morphology, not the site, and narrow rather than name (only a skin
    /// site goes to C44 for a squamous or basal cell carcinoma; any other
    /// site keeps its own Malignant cell). A side spelled in a site's
    /// abbreviation narrows too (`sides_out_of_site_phrases`).
    fn soften_morphology_words(&self, terms: &mut Vec<Term>) {
        self.sides_out_of_site_phrases(terms);
        let of_morph: Vec<bool> = terms
            .iter()
            .map(|t| SKIN_MORPHOLOGY.contains(&t.word.as_str()))
            .collect();
        if terms.iter().zip(&of_morph).any(|(t, m)| !t.soft && !m) {
            for (t, m) in terms.iter_mut().zip(of_morph) {
                t.soft |= m;
            }
        }
    }

    /// A site's abbreviation spelled with its side ("RUL": "right upper
    /// lobe"): the Neoplasm Table's row has no side ("lung, upper lobe
    /// C34.1-"; the Tabular's C34.11 has it), so the side leaves the phrase
    /// and, like a typed side, picks among the codes under the row.
    fn sides_out_of_site_phrases(&self, terms: &mut Vec<Term>) {
        let mut sides: Vec<String> = Vec::new();
        for t in terms.iter_mut() {
            for p in &mut t.phrases {
                let (side, rest): (Vec<u32>, Vec<u32>) = p
                    .iter()
                    .partition(|&&id| is_soft_word(self.ix.vocab.get(id as usize)));
                if side.is_empty() || rest.is_empty() {
                    continue;
                }
                for id in side {
                    let w = self.ix.vocab.get(id as usize).to_string();
                    if !sides.contains(&w) {
                        sides.push(w);
                    }
                }
                *p = rest;
            }
        }
        for w in sides {
            if terms.len() < MAX_TERMS && !terms.iter().any(|t| t.word == w) {
                let mut t = self.term(&w);
                t.soft = true;
                terms.push(t);
            }
        }
    }

    /// Whether the route is a generic word ("tumor") that a word before it
    /// names, neither morphology nor site nor a narrowing word: "Wilms
    /// tumor" and "Krukenberg tumor" have Index entries of their own, not
    /// the route of "Tumor — see Neoplasm, unspecified behavior".
    fn named_before_generic(
        &self,
        words: &[String],
        key: &str,
        used: &[bool],
        term_of: &dyn Fn(&str) -> Term,
    ) -> bool {
        if !matches!(
            key,
            "tumor" | "tumour" | "neoplasm" | "growth" | "mass" | "lesion"
        ) {
            return false;
        }
        let Some(at) = words.iter().position(|w| w == key) else {
            return false;
        };
        at > 0 && {
            let before = &words[at - 1];
            !used[at - 1] && !is_soft_word(before) && !self.names_a_site(&term_of(before))
        }
    }

    /// The texts holding any word the terms match that pass `keep`, each
    /// once, uncapped (for a pass over a small part of the index, such as one
    /// Neoplasm Table column).
    fn gather_where(&mut self, terms: &[&Term], keep: impl Fn(u32) -> bool) -> Vec<u32> {
        let generation = self.next_generation();
        let mut stamp = std::mem::take(&mut self.stamp);
        let mut out: Vec<u32> = Vec::new();
        let mut take = |list: &[u32]| {
            for &t in list {
                if stamp[t as usize] != generation && keep(t) {
                    stamp[t as usize] = generation;
                    out.push(t);
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
                for &w in phrase {
                    take(self.postings(w));
                }
            }
        }
        self.stamp = stamp;
        out.sort_unstable();
        self.stats.candidates += out.len();
        out
    }

    /// The morphology's route the query names (the longest Index key whose
    /// words it holds), the column (a word like "metastatic" overrides), and
    /// which query words that leaves unexplained.
    fn find_route(&self, words: &[String]) -> Option<Found> {
        let ix = self.ix;
        let mut used = vec![false; words.len()];
        let mut route = None;
        for r in 0..ix.morph_keys.len() {
            let key = ix.morph_keys.get(r);
            let key_words: Vec<&str> = key.split(' ').collect();
            // A word one edit away is the word ("schwanoma").
            let is = |w: &str, k: &str| w == k || typos::one_edit(w, k);
            if key_words.len() < words.len()
                && key_words.iter().all(|k| words.iter().any(|w| is(w, k)))
                && (ix.morph_columns[r] != morphology::NO_ROUTE
                    || subterm_typed_together(&key_words, words, is))
            {
                let extra = ix.morph_extras.get(r);
                for (i, w) in words.iter().enumerate() {
                    used[i] |= key_words.iter().any(|k| is(w, k))
                        || extra.split(' ').any(|x| x == w.as_str());
                }
                route = Some(r);
                break;
            }
        }
        let mut column = route
            .map(|r| ix.morph_columns[r])
            .filter(|&c| c != morphology::NO_ROUTE);
        let mut said = None;
        for (i, w) in words.iter().enumerate() {
            if let Some(c) = morphology::column_word(w) {
                column = Some(c);
                said = Some(w.clone());
                used[i] = true;
            } else if NEOPLASM_WORDS.contains(&w.as_str()) {
                used[i] = true;
            }
        }
        let column = column?;
        if gives_way_to_in_situ(words, column) {
            return None;
        }
        Some(Found {
            route,
            column,
            said,
            used,
        })
    }
}

/// Whether a route to another column gives way because the words say "in
/// situ": the Index sends "Carcinoma, in situ" to "Carcinoma-in-situ",
/// whose own subterms code the kind ("intraductal, breast D05.1-",
/// "lobular, breast D05.0-"; "see also Neoplasm, in situ, by site"), not
/// to the route of the invasive morphology ("Carcinoma, ductal — see
/// Neoplasm, malignant": a ductal carcinoma in situ of the breast is D05.1-,
/// not C50). The words' in situ codes then come first by behavior (see
/// `defaults::Behavior`).
fn gives_way_to_in_situ(words: &[String], column: u8) -> bool {
    column != morphology::IN_SITU
        && words
            .iter()
            .flat_map(|w| w.split(' '))
            .any(|w| w == "situ" || w == "insitu")
}

/// Whether the words of a morphology's subterm after its main term (the
/// key's words after the first) are typed together, in order. A morphology
/// the Index codes itself ("Carcinoma, renal cell C64.-") is one phrase;
/// its words scattered over the query name something else ("transitional
/// cell carcinoma of the renal pelvis": the cell is the morphology's, the
/// renal the site's, and the route is Carcinoma's, to the Neoplasm Table's
/// "renal, pelvis" C65.-).
fn subterm_typed_together(key: &[&str], words: &[String], is: impl Fn(&str, &str) -> bool) -> bool {
    let at: Vec<Option<usize>> = key
        .iter()
        .skip(1)
        .map(|k| words.iter().position(|w| is(w, k)))
        .collect();
    at.windows(2).all(|p| match (p[0], p[1]) {
        (Some(a), Some(b)) => b == a + 1,
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::{gives_way_to_in_situ, subterm_typed_together};
    use crate::search::morphology;

    #[test]
    fn an_in_situ_carcinoma_leaves_the_invasive_route() {
        let q = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let ductal = q("ductal carcinoma in situ left breast");
        assert!(gives_way_to_in_situ(&ductal, morphology::MALIGNANT_PRIMARY));
        assert!(!gives_way_to_in_situ(&ductal, morphology::IN_SITU));
        assert!(!gives_way_to_in_situ(
            &q("ductal carcinoma left breast"),
            morphology::MALIGNANT_PRIMARY
        ));
    }

    #[test]
    fn a_coded_morphology_is_typed_as_one_phrase() {
        let q = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        let is = |w: &str, k: &str| w == k;
        let key = ["carcinoma", "renal", "cell"];
        assert!(subterm_typed_together(
            &key,
            &q("renal cell carcinoma left kidney"),
            is
        ));
        assert!(subterm_typed_together(&key, &q("carcinoma renal cell"), is));
        assert!(!subterm_typed_together(
            &key,
            &q("transitional cell carcinoma right renal pelvis"),
            is
        ));
        assert!(!subterm_typed_together(
            &key,
            &q("squamous cell carcinoma renal pelvis"),
            is
        ));
    }
}
