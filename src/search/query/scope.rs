//! The default search (`--system all`, every code set) given words that name a
//! procedure: "L4-L5 laminectomy", "lap appendectomy, no drain placed". The
//! procedure search (`--system px`) reads such words as a surgeon wrote them
//! (spine levels, a denied device, the root operation a word leads to); the
//! default search read them as diagnosis words, and a diagnosis holding one of
//! them ("placed" → "placenta", a level → "Pons") could come first. When the
//! words name a procedure and say nothing of a diagnosis, the default search
//! answers as the procedure search does, the diagnoses it finds after.
//!
//! Procedure words: the root operations and the surgeon words the ICD-10-PCS
//! Index lists ("Laminectomy — see Excision / Release", "Appendectomy — see
//! Excision / Resection", "Arthroplasty — see Repair / Replacement",
//! "Colonoscopy — see Inspection", "Fusion — see Fusion", "Graft — see
//! Replacement"), recognised by their endings (-ectomy, -otomy, -plasty,
//! -scopy, -pexy, -rrhaphy, -desis, -centesis, -tripsy) or as the words
//! themselves. Diagnosis words: what the ICD-10-CM Index files a procedure's
//! aftermath under ("Status (post)", "Presence (of)", "Absence (acquired)",
//! "History", "Complication", "Infection", "Failure", "Malfunction",
//! "Aftercare", "Encounter for", "Attention to", "Postlaminectomy
//! syndrome"): with any of them the words are a diagnosis or a status
//! ("appendicitis s/p appendectomy"), searched as typed.

use super::{Hit, Searcher, looks_like_code};
use crate::search::{Filters, System, SystemFilter};

/// A diagnosis documented as "probable", "R/O" ... is coded as if it existed
/// (Guidelines II.H, III.C): in a search that holds diagnoses, the query
/// without its words of uncertainty (`text::established`).
pub(super) fn established(query: &str, filters: &Filters) -> Option<String> {
    if !filters.systems.allows(System::Icd10Cm) {
        return None;
    }
    crate::search::text::established(query)
}

/// Endings of the Index's procedure words.
const PROCEDURE_ENDINGS: [&str; 10] = [
    "ectomy", "ectomies", "otomy", "plasty", "scopy", "pexy", "rrhaphy", "desis", "centesis",
    "tripsy",
];

/// Root operations and surgeon words that are procedures whole (the PCS
/// Index's main terms and our surgeon terms' words).
const PROCEDURE_WORDS: [&str; 22] = [
    "repair",
    "placement",
    "insertion",
    "removal",
    "fusion",
    "graft",
    "grafting",
    "replacement",
    "excision",
    "resection",
    "debridement",
    "ablation",
    "biopsy",
    "implantation",
    "reattachment",
    "revision",
    "extraction",
    "catheterization",
    "intubation",
    "decompression",
    "orif",
    "exlap",
];

/// Words that make the phrase a diagnosis, a status or an encounter (see the
/// module note). "sp" and "ho" are "s/p" and "h/o" joined.
const DIAGNOSIS_WORDS: [&str; 43] = [
    // A finding a procedure gave: "biopsy proven adenocarcinoma of
    // prostate" is the carcinoma (C61), "biopsy positive for ..." too.
    "proven",
    "confirmed",
    "positive",
    "negative",
    "showed",
    "sp",
    "ho",
    "hx",
    "pmh",
    "status",
    "history",
    "presence",
    "absence",
    "absent",
    "acquired",
    "post",
    "postop",
    "postoperative",
    "postprocedural",
    "complication",
    "complications",
    "complicated",
    "infection",
    "infected",
    "failure",
    "failed",
    "malfunction",
    "mechanical",
    "rejection",
    "dehiscence",
    "leak",
    "loosening",
    "breakdown",
    "syndrome",
    "aftercare",
    "encounter",
    "attention",
    "fitting",
    "adjustment",
    "screening",
    "observation",
    "personal",
    "family",
];

/// A word of the PCS Index's procedure vocabulary ("laminectomy", "repair").
fn names_a_procedure(word: &str) -> bool {
    !word.starts_with("post")
        && (PROCEDURE_WORDS.contains(&word)
            || PROCEDURE_ENDINGS
                .iter()
                .any(|e| word.len() > e.len() + 2 && word.ends_with(e)))
}

/// How the default search reads a query's words (phrases joined with
/// spaces): `None` when they name no procedure; `Some(true)` when they name a
/// procedure and nothing that makes them a diagnosis; `Some(false)` when a
/// diagnosis word is there too (a status, a complication).
pub(super) fn procedure_reading(words: &[String]) -> Option<bool> {
    let pieces = || words.iter().flat_map(|w| w.split(' '));
    pieces()
        .any(names_a_procedure)
        .then(|| !pieces().any(|p| DIAGNOSIS_WORDS.contains(&p)))
}

impl Searcher<'_> {
    /// The query's words, with a status after a procedure ("s/p L THA") read
    /// as the Index files it in a search that holds diagnoses (`status`).
    pub(super) fn note_words(&self, query: &str, filters: &Filters) -> Vec<String> {
        let diagnoses = filters.systems.allows(System::Icd10Cm);
        super::status::read_status(self.query_words(query), diagnoses)
    }

    /// In the default search (every code set), words that name a procedure
    /// are answered as the procedure search answers them, then the diagnoses
    /// they find (at least a quarter of the list); with a diagnosis word too,
    /// the diagnoses first, then the procedures. `None` for every other
    /// search (and words naming no procedure).
    pub(super) fn procedure_under_all(
        &mut self,
        query: &str,
        filters: &Filters,
        limit: usize,
    ) -> Option<Vec<Hit>> {
        if filters.systems != SystemFilter::All || looks_like_code(query.trim()) {
            return None;
        }
        let procedure = procedure_reading(&self.query_words(query))?;
        let (first, then) = if procedure {
            (SystemFilter::Procedures, SystemFilter::Diagnoses)
        } else {
            (SystemFilter::Diagnoses, SystemFilter::Procedures)
        };
        let mut scoped = *filters;
        scoped.systems = first;
        let mut hits = self.search(query, &scoped, limit);
        scoped.systems = then;
        let more = self.search(query, &scoped, limit);
        let room = (limit / 4).min(limit.saturating_sub(1));
        let keep = more.len().min(room.max(limit.saturating_sub(hits.len())));
        hits.truncate(limit - keep);
        hits.extend(more.into_iter().take(keep));
        Some(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(q: &str) -> bool {
        let words: Vec<String> = q.split_whitespace().map(str::to_string).collect();
        procedure_reading(&words) == Some(true)
    }

    #[test]
    fn procedure_words_read_as_a_procedure_unless_a_diagnosis_word_is_there() {
        // PCS Index main terms and endings.
        assert!(reads("l4 l5 laminectomy"));
        assert!(reads("lap appendectomy drain placed"));
        assert!(reads("inguinal hernia repair mesh"));
        assert!(reads("total knee arthroplasty"));
        assert!(reads("colonoscopy biopsy"));
        assert!(reads("thoracentesis"));
        assert!(reads("orif ankle fracture"));
        // Status, history, complications and aftercare are diagnoses (the
        // CM Index's Status (post), Absence, Complication, Aftercare).
        assert!(!reads("appendicitis sp appendectomy"));
        let w = |q: &str| q.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            procedure_reading(&w("appendicitis sp appendectomy")),
            Some(false)
        );
        assert_eq!(procedure_reading(&w("pneumonia")), None);
        assert!(!reads("history cholecystectomy"));
        assert!(!reads("infection knee arthroplasty"));
        assert!(!reads("aftercare joint replacement"));
        // "Postlaminectomy syndrome" (M96.1) names no procedure done now.
        assert!(!reads("postlaminectomy"));
        // What a procedure found is a diagnosis.
        assert!(!reads("biopsy proven adenocarcinoma prostate"));
        assert!(!reads("biopsy positive for melanoma"));
        assert!(!reads("colonoscopy showed diverticulosis"));
        // Diagnoses only.
        assert!(!reads("pneumonia"));
        assert!(!reads("appendicitis"));
        // A short word that merely ends alike is no procedure word.
        assert!(!reads("scopy"));
    }
}
