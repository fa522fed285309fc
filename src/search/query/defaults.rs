//! What a diagnosis query's words say of the code's kind when the words do
//! not name it in the title's own terms: the neoplasm's behavior (a
//! "malignant melanoma" is not the melanoma in situ the Index lists beside
//! it), and the default reading of what the words leave out (a lymphoma or
//! leukemia "in remission" only when the words say so).

use super::{Searcher, Term};
use crate::search::System;
use crate::search::text::index_words;

/// Points a neoplasm code loses when its behavior (ICD-10-CM chapter 2
/// blocks) is not the one the words name.
const OTHER_BEHAVIOR: f32 = 15.0;
/// Points a code loses for a state the words do not name ("in remission",
/// "in relapse"): among siblings the code "not having achieved remission"
/// is the default reading.
const UNNAMED_STATE: f32 = 1.5;

/// A neoplasm's behavior, as the Tabular's chapter 2 blocks group the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Behavior {
    /// C00-C96 (primary and secondary).
    Malignant,
    /// D00-D09.
    InSitu,
    /// D10-D36, D3A.
    Benign,
    /// D37-D48.
    Uncertain,
    /// D49.
    Unspecified,
}

impl Behavior {
    /// The behavior of a neoplasm code (its key, without the dot), or `None`
    /// for a code outside C00-D49.
    pub(crate) fn of_code(key: &str) -> Option<Behavior> {
        let b = key.as_bytes();
        if b.len() < 3 {
            return None;
        }
        match b[0] {
            b'C' => Some(Behavior::Malignant),
            b'D' => match (b[1], b[2]) {
                (b'0', _) => Some(Behavior::InSitu),
                (b'1' | b'2', _) | (b'3', b'0'..=b'6' | b'A') => Some(Behavior::Benign),
                (b'3', b'7'..=b'9') | (b'4', b'0'..=b'8') => Some(Behavior::Uncertain),
                (b'4', b'9') => Some(Behavior::Unspecified),
                _ => None,
            },
            _ => None,
        }
    }

    /// The behavior the words name: "in situ", "benign", "uncertain" (the
    /// Neoplasm Table's columns), else a word only a malignancy is called by
    /// (the Index: "Melanoma (malignant)", "Carcinoma — see Neoplasm,
    /// malignant", "Sarcoma — see Neoplasm, connective tissue, malignant").
    pub(crate) fn of_words(words: &[String]) -> Option<Behavior> {
        let has = |w: &[&str]| words.iter().any(|x| w.contains(&x.as_str()));
        if has(&["situ"]) {
            Some(Behavior::InSitu)
        } else if has(&["benign"]) {
            Some(Behavior::Benign)
        } else if has(&["uncertain"]) {
            Some(Behavior::Uncertain)
        } else if has(&[
            "malignant",
            "malignancy",
            "cancer",
            "carcinoma",
            "sarcoma",
            "melanoma",
            "metastatic",
            "metastasis",
            "metastases",
            "mets",
        ]) {
            Some(Behavior::Malignant)
        } else {
            None
        }
    }
}

/// What a diagnosis query's words say beyond the title's words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CmWords {
    behavior: Option<Behavior>,
    /// The words name a remission or a relapse.
    remission: bool,
    /// The words say "family" (a family history).
    family: bool,
}

impl CmWords {
    pub(crate) fn of(words: &[String]) -> CmWords {
        let singles: Vec<String> = words
            .iter()
            .flat_map(|w| w.split(' '))
            .map(String::from)
            .collect();
        CmWords {
            behavior: Behavior::of_words(&singles),
            remission: singles
                .iter()
                .any(|w| w.starts_with("remission") || w.starts_with("relaps")),
            family: singles
                .iter()
                .any(|w| matches!(w.as_str(), "family" | "fh" | "fhx")),
        }
    }
}

impl Searcher<'_> {
    /// Points an ICD-10-CM code loses for a kind the words contradict (a
    /// neoplasm of another behavior) or do not name (a remission).
    pub(super) fn cm_penalty(&self, e: usize) -> f32 {
        let w = self.cm_words;
        if self.ix.system(e) != System::Icd10Cm {
            return 0.0;
        }
        let key = self.ix.keys.get(e);
        let mut penalty = 0.0;
        if let Some(said) = w.behavior
            && Behavior::of_code(key).is_some_and(|b| b != said)
        {
            penalty += OTHER_BEHAVIOR;
        }
        // Lymphoid and hematopoietic neoplasms (C81-C96) say whether they
        // are in remission.
        if !w.remission
            && key.starts_with(['C'])
            && key
                .as_bytes()
                .get(1)
                .is_some_and(|&c| c == b'8' || c == b'9')
        {
            let title = self.ix.title(e);
            if title.contains("in remission") || title.contains("in relapse") {
                penalty += UNNAMED_STATE;
            }
        }
        penalty
    }
}

/// Points a code loses for a qualifier its title ends with that the words
/// do not name ("Type 1 diabetes mellitus with ketoacidosis with coma" for
/// "DKA type 1"; "..., recurrent"): the Index's default is the code without
/// it (a tie-break among siblings).
const UNNAMED_QUALIFIER: f32 = 4.0;
/// Points a "Family history of ..." code loses when the words do not say
/// family: a "history of" is the patient's own (Z85-Z87).
const UNNAMED_FAMILY: f32 = 3.0;

impl Searcher<'_> {
    /// Points an ICD-10-CM code loses for what its title adds that the
    /// words leave unsaid: a family history, or a qualifier (after a comma
    /// or a "with") holding no query word of its own, unless it is itself a
    /// default ("unspecified", "without ...", "not specified
    /// as ..."). A 7th character's encounter is chosen elsewhere.
    pub(super) fn unnamed(&self, e: usize, terms: &[Term]) -> f32 {
        if self.ix.system(e) != System::Icd10Cm || terms.is_empty() {
            return 0.0;
        }
        let title = self.ix.title(e);
        let mut penalty = 0.0;
        if title.starts_with("Family history") && !self.cm_words.family {
            penalty += UNNAMED_FAMILY;
        }
        if title.contains("encounter") {
            return penalty;
        }
        // Each qualifier after the head (after a ", " or a " with "), not
        // only the last: "Partial placenta previa with hemorrhage, third
        // trimester" adds a hemorrhage "third trimester" does not excuse. A
        // qualifier's words that repeat the head's ("Right tubal pregnancy
        // with intrauterine pregnancy") do not name it.
        let mut cuts: Vec<(usize, usize)> = title
            .match_indices(", ")
            .chain(title.match_indices(" with "))
            .map(|(i, m)| (i, i + m.len()))
            .collect();
        cuts.sort_unstable();
        let Some(&(head_end, _)) = cuts.first() else {
            return penalty;
        };
        let head = index_words(&title[..head_end]);
        for (k, &(_, start)) in cuts.iter().enumerate() {
            let end = cuts.get(k + 1).map_or(title.len(), |c| c.0.max(start));
            let tail = &title[start..end];
            // Each one counts: "..., and gangrene, with abscess" adds two.
            if self.unsaid_qualifier(tail, &head, terms) {
                penalty += UNNAMED_QUALIFIER;
            }
        }
        penalty
    }

    /// A qualifier (a piece of a title after its head) that is not itself
    /// a default ("unspecified", "without ...", "not specified as ...") and
    /// holds no query word of its own.
    fn unsaid_qualifier(&self, tail: &str, head: &[String], terms: &[Term]) -> bool {
        let lower = tail.to_ascii_lowercase();
        if [
            "without",
            "unspecified",
            "uncomplicated",
            "not ",
            "nos",
            "other",
            "nec",
        ]
        .iter()
        .any(|d| lower.contains(d))
        {
            return false;
        }
        let own: Vec<String> = index_words(tail)
            .into_iter()
            .filter(|w| !head.contains(w))
            .collect();
        !own.is_empty()
            && !own.iter().any(|w| {
                self.vocab_id(w).is_some_and(|id| {
                    self.word_terms[id as usize] != 0
                        || terms
                            .iter()
                            .any(|t| t.phrases.iter().flatten().any(|&x| x == id))
                })
            })
    }
}

/// In a procedure search, the words after "for" are the indication ("D&C
/// for abnormal uterine bleeding"): a procedure's title never says it, so
/// they narrow rather than name (soft), unless every word is one.
pub(super) fn soften_indication(query: &str, terms: &mut [Term]) {
    let lower = query.to_ascii_lowercase();
    let Some((_, reason)) = lower.split_once(" for ") else {
        return;
    };
    let reason = index_words(reason);
    let said = |t: &Term| t.word.split(' ').all(|w| reason.iter().any(|r| r == w));
    if terms.iter().all(|t| t.soft || said(t)) {
        return;
    }
    for t in terms.iter_mut() {
        t.soft |= said(t);
    }
    terms.sort_by_key(|t| (t.soft, t.estimate));
}

/// How an open fracture's grade is written ("type IIIB", "Gustilo II",
/// "grade IIIA"): the 7th character's title holds these words ("initial
/// encounter for open fracture type IIIA, IIIB, or IIIC"), the fracture's
/// own title does not.
const GRADE_WORDS: [&str; 9] = [
    "type", "grade", "i", "ii", "iii", "iiia", "iiib", "iiic", "gustilo",
];

/// Whether the words describe an open fracture (so "type II" is its grade,
/// not a Salter-Harris type or a diabetes).
fn open_fracture(ws: &[String]) -> bool {
    let has = |w: &str| ws.iter().any(|x| x == w);
    (has("open") || has("gustilo")) && (has("fracture") || has("fx") || has("fractures"))
}

/// Fits an injury's long description into the query's terms: "Gustilo"
/// names no code (the classification is the 7th character's "type ..."),
/// and when there are more words than terms, the filler a 7th character
/// does not need goes first ("encounter" after "initial"/"subsequent", the
/// "type" or "grade" before a grade, the "with" before "nonunion"): "open displaced transverse fracture
/// left femoral shaft type IIIB initial" keeps its grade and encounter.
pub(super) fn fit_injury_words(ws: &mut Vec<String>, max: usize) {
    if !open_fracture(ws) && ws.len() <= max {
        return;
    }
    ws.retain(|w| w != "gustilo");
    let mut i = 0;
    while ws.len() > max && i < ws.len() {
        let prev = i.checked_sub(1).map(|p| ws[p].as_str());
        let next = ws.get(i + 1).map(String::as_str);
        let filler = match ws[i].as_str() {
            "encounter" => matches!(prev, Some("initial" | "subsequent")),
            "type" | "grade" => next.is_some_and(|n| GRADE_WORDS[2..8].contains(&n)),
            "with" | "w" => {
                next.is_some_and(|n| matches!(n, "nonunion" | "malunion" | "routine" | "delayed"))
            }
            _ => false,
        };
        if filler {
            ws.remove(i);
        } else {
            i += 1;
        }
    }
}

/// In an open fracture's words, the grade ("type", "IIIB") narrows rather
/// than names: it picks the 7th character (B, C; E, F; ...) among the
/// fracture's codes.
pub(super) fn soften_fracture_grade(ws: &[String], terms: &mut [Term]) {
    if !open_fracture(ws) {
        return;
    }
    for t in terms.iter_mut() {
        t.soft |= GRADE_WORDS.contains(&t.word.as_str());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(q: &str) -> CmWords {
        CmWords::of(&q.split(' ').map(String::from).collect::<Vec<_>>())
    }

    fn ws(q: &str) -> Vec<String> {
        q.split(' ').map(String::from).collect()
    }

    #[test]
    fn a_long_injury_keeps_its_grade_and_encounter() {
        // 10 words for 8 terms: "encounter" and "type" are the filler.
        let mut w =
            ws("open fracture left tibial shaft type iiia subsequent encounter with nonunion");
        fit_injury_words(&mut w, 8);
        assert_eq!(
            w,
            ws("open fracture left tibial shaft iiia subsequent nonunion")
        );
        // "Gustilo" names no code; a short query keeps its "type".
        let mut w = ws("open fracture tibia gustilo type ii");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("open fracture tibia type ii"));
        // Not an open fracture, not too long: untouched.
        let mut w = ws("type ii diabetes initial encounter");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("type ii diabetes initial encounter"));
    }

    #[test]
    fn a_code_has_the_behavior_of_its_chapter_2_block() {
        // Tabular chapter 2 block titles.
        for (key, b) in [
            ("C4362", Behavior::Malignant),
            ("C7951", Behavior::Malignant),
            ("D0362", Behavior::InSitu),
            ("D099", Behavior::InSitu),
            ("D110", Behavior::Benign),
            ("D3613", Behavior::Benign),
            ("D3A010", Behavior::Benign),
            ("D370", Behavior::Uncertain),
            ("D487", Behavior::Uncertain),
            ("D49512", Behavior::Unspecified),
        ] {
            assert_eq!(Behavior::of_code(key), Some(b), "{key}");
        }
        for key in ["D500", "D649", "E119", "I10"] {
            assert_eq!(Behavior::of_code(key), None, "{key}");
        }
    }

    #[test]
    fn the_words_name_a_behavior_the_named_column_first() {
        assert_eq!(
            of("malignant melanoma left arm").behavior,
            Some(Behavior::Malignant)
        );
        assert_eq!(
            of("carcinoma in situ of cervix").behavior,
            Some(Behavior::InSitu)
        );
        assert_eq!(
            of("benign neoplasm parotid").behavior,
            Some(Behavior::Benign)
        );
        assert_eq!(of("wilms tumor").behavior, None);
        assert!(of("aml in remission").remission);
        assert!(of("acute myeloid leukemia relapsed").remission);
        assert!(!of("malt lymphoma").remission);
    }
}
