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
/// Points a code loses when its title says the opposite of the trauma the
/// words name ("traumatic rotator cuff tear" is not M75.1- "..., not
/// specified as traumatic"; "traumatic subdural hematoma" is not I62.0-
/// "Nontraumatic ...").
const OTHER_TRAUMA: f32 = 15.0;
/// Points a superficial bite loses when the words say a bite without
/// "superficial": the Index's bite by site is the open bite.
const UNNAMED_SUPERFICIAL: f32 = 6.0;
/// Points an external cause code (V00-Y99) loses when the words name an
/// injury: guideline I.C.20, an external cause code is never first-listed;
/// it follows the injury it explains ("fall from ladder" alone still finds
/// W11).
const EXTERNAL_CAUSE_AFTER_INJURY: f32 = 15.0;

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
    /// The words say "congenital".
    congenital: bool,
    /// The words say "traumatic" (true) or "nontraumatic" (false).
    traumatic: Option<bool>,
    /// The words name a bite and do not say it is superficial: the Index
    /// codes "Bite(s) (animal) (human), hand S61.45-" as an open bite,
    /// a superficial one only under "superficial NEC" (S60.57-).
    open_bite: bool,
    /// The words name an injury (an external cause code comes after it).
    injury: bool,
}

/// What a text says of trauma: "Nontraumatic ...", "..., not specified
/// as traumatic" (false), "Traumatic ..." (true), or nothing.
pub(crate) fn says_traumatic(text: &str) -> Option<bool> {
    let lower = text.to_ascii_lowercase();
    if lower.contains("nontraumatic")
        || lower.contains("non-traumatic")
        || lower.contains("non traumatic")
        || lower.contains("atraumatic")
        || lower.contains("not specified as traumatic")
    {
        Some(false)
    } else if lower.contains("traumatic") {
        Some(true)
    } else {
        None
    }
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
            congenital: singles.iter().any(|w| w.starts_with("congenital")),
            traumatic: says_traumatic(&singles.join(" ")),
            open_bite: singles
                .iter()
                .any(|w| matches!(w.as_str(), "bite" | "bites" | "bitten"))
                && !singles.iter().any(|w| w == "superficial"),
            injury: super::ed_note::names_injury(&singles),
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
        if w.injury && key.starts_with(['V', 'W', 'X', 'Y']) {
            penalty += EXTERNAL_CAUSE_AFTER_INJURY;
        }
        penalty + self.injury_penalty(e)
    }

    /// Points an ICD-10-CM code loses for an injury kind the words
    /// contradict (traumatic or not) or do not name (a superficial bite).
    fn injury_penalty(&self, e: usize) -> f32 {
        let w = self.cm_words;
        if w.traumatic.is_none() && !w.open_bite {
            return 0.0;
        }
        let title = self.ix.title(e);
        let mut penalty = 0.0;
        if let (Some(said), Some(has)) = (w.traumatic, says_traumatic(title))
            && said != has
        {
            penalty += OTHER_TRAUMA;
        }
        if w.open_bite && title.contains("superficial bite") {
            penalty += UNNAMED_SUPERFICIAL;
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
/// Points a "Congenital ..." code loses when the words do not say
/// congenital: the Index's main entry is the condition as acquired, its
/// congenital form a subterm ("Cyst, kidney (acquired) N28.1; congenital
/// Q61.00": a "renal cyst" is N28.1).
const UNNAMED_CONGENITAL: f32 = 3.0;

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
        if title.starts_with("Congenital") && !self.cm_words.congenital {
            penalty += UNNAMED_CONGENITAL;
        }
        // A 7th character's words ("..., initial encounter for closed
        // fracture", "..., sequela") are chosen elsewhere: the qualifiers
        // are those of the code it completes ("Open bite of right thumb
        // with damage to nail, initial encounter" adds the nail damage).
        // Injuries (S00-S99) only: a poisoning's intent (T36-T65,
        // "accidental (unintentional)") is the Table of Drugs' column.
        // A lymphoid or hematopoietic neoplasm's state ("..., in relapse")
        // is chosen by its own words (`cm_penalty`), like a 7th character:
        // the qualifiers are those of the code it completes ("Acute myeloid
        // leukemia with 11q23-abnormality in relapse" adds the abnormality).
        let key = self.ix.keys.get(e);
        let title = if key.starts_with("C8") || key.starts_with("C9") {
            state_cut(title)
        } else {
            title
        };
        let title = if self.ix.keys.get(e).starts_with('S') {
            // A sequela the words do not name counts as ever ("..., sequela"
            // is a qualifier): an injury is the encounter's, not its sequela.
            if title.ends_with(", sequela") && self.unsaid_qualifier("sequela", &[], terms) {
                penalty += UNNAMED_QUALIFIER;
            }
            seventh_cut(title)
        } else {
            title
        };
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

/// A lymphoid or hematopoietic neoplasm's title without its state
/// (C81-C96: "..., not having achieved remission", "... in remission",
/// "..., in relapse").
pub(crate) fn state_cut(title: &str) -> &str {
    [
        " not having achieved remission",
        " in remission",
        " in relapse",
    ]
    .iter()
    .filter_map(|s| title.find(s))
    .min()
    .map_or(title, |i| title[..i].trim_end_matches(','))
}

/// A complete code's title without its 7th character's words (", initial
/// encounter ...", ", subsequent encounter ...", ", sequela").
pub(crate) fn seventh_cut(title: &str) -> &str {
    [", initial encounter", ", subsequent encounter", ", sequela"]
        .iter()
        .filter_map(|s| title.find(s))
        .min()
        .map_or(title, |i| &title[..i])
}

/// In a procedure search, the words after "for" are the indication ("D&C
/// for abnormal uterine bleeding"): a procedure's title never says it, so
/// they narrow rather than name (soft), unless every word is one. So are
/// the words of a device's state ("explant of infected pacemaker
/// generator", "removal of malfunctioning pump"): the state is the
/// diagnosis's (ICD-10-CM T82.7- infection, T82.1- mechanical complication
/// of a cardiac device), the procedure's root operation its objective (PCS
/// Definitions: Removal, "taking out or off a device").
pub(super) fn soften_indication(query: &str, terms: &mut [Term]) {
    const STATES: [&str; 7] = [
        "infected",
        "malfunctioning",
        "malfunctioned",
        "failed",
        "failing",
        "eroded",
        "dislodged",
    ];
    let lower = query.to_ascii_lowercase();
    let reason = lower
        .split_once(" for ")
        .map_or_else(Vec::new, |(_, r)| index_words(r));
    let said = |t: &Term| {
        STATES.contains(&t.word.as_str())
            || (!reason.is_empty() && t.word.split(' ').all(|w| reason.iter().any(|r| r == w)))
    };
    if !terms.iter().any(said) || terms.iter().all(|t| t.soft || said(t)) {
        return;
    }
    for t in terms.iter_mut() {
        t.soft |= said(t);
    }
    terms.sort_by_key(|t| (t.soft, t.estimate));
}

/// How an open fracture's grade is written ("type IIIB", "Gustilo II",
/// "grade IIIA", "type 3b": see `numerals`): the 7th character's title holds
/// these words ("initial encounter for open fracture type IIIA, IIIB, or
/// IIIC"), the fracture's own title does not.
const GRADE_WORDS: [&str; 15] = [
    "type", "grade", "i", "ii", "iii", "iiia", "iiib", "iiic", "1", "2", "3", "3a", "3b", "3c",
    "gustilo",
];

/// Whether the words describe an open fracture (so "type II" is its grade,
/// not a Salter-Harris type or a diabetes).
pub(super) fn open_fracture(ws: &[String]) -> bool {
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
    drop_note_words(ws);
    chemical_burn_words(ws);
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
    keep_seventh_words(ws, max);
}

/// What burns a chemical one is: the Index's "Burn, chemical (acids)
/// (alkalines) (caustics) (external) (internal) — see Corrosion, by site".
const CHEMICAL_WORDS: [&str; 6] = ["chemical", "acid", "alkali", "alkaline", "caustic", "lye"];

/// A chemical burn is a corrosion ("chemical burn second degree right
/// forearm" is T22.611 "Corrosion of second degree of right forearm"): the
/// chemical word goes and the burn is the Index's corrosion.
fn chemical_burn_words(ws: &mut Vec<String>) {
    let Some(c) = ws.iter().position(|w| CHEMICAL_WORDS.contains(&w.as_str())) else {
        return;
    };
    let Some(b) = ws
        .iter()
        .position(|w| matches!(w.as_str(), "burn" | "burns"))
    else {
        return;
    };
    ws[b] = "corrosion".to_string();
    ws.remove(c);
}

/// Words that pick an injury's complete code (its side, its 7th
/// character, displaced or not).
const SEVENTH_WORDS: [&str; 16] = [
    "initial",
    "subsequent",
    "sequela",
    "closed",
    "open",
    "left",
    "right",
    "lt",
    "rt",
    "bilateral",
    "displaced",
    "nondisplaced",
    "nonunion",
    "malunion",
    "routine",
    "delayed",
];

/// Still too many words for an injury: the last words that neither name
/// the injury's side or encounter go ("left distal radius Colles fracture
/// with dorsal angulation, closed, initial" keeps "closed" and "initial",
/// not "angulation"), and a "with" left before a side or an encounter
/// (its own words gone) goes with them.
fn keep_seventh_words(ws: &mut Vec<String>, max: usize) {
    if ws.len() <= max || !is_injury(ws) {
        return;
    }
    // An open fracture's grade ("IIIB") picks its 7th character too.
    let picks = |w: &str| SEVENTH_WORDS.contains(&w) || GRADE_WORDS[2..8].contains(&w);
    while ws.len() > max {
        let Some(i) = ws.iter().rposition(|w| !picks(w)) else {
            break;
        };
        ws.remove(i);
    }
    let mut i = 0;
    while i < ws.len() {
        let next = ws.get(i + 1).map(String::as_str);
        let dangling = matches!(ws[i].as_str(), "with" | "w")
            && next.is_none_or(|n| SEVENTH_WORDS[..12].contains(&n));
        if dangling {
            ws.remove(i);
        } else {
            i += 1;
        }
    }
}

/// Words that name an injury (the head of an injury code's title or Index
/// entry): a query holding one is an injury description.
const INJURY_HEADS: [&str; 14] = [
    "fracture",
    "fractures",
    "fx",
    "sprain",
    "strain",
    "dislocation",
    "subluxation",
    "laceration",
    "lac",
    "contusion",
    "bite",
    "abrasion",
    "tear",
    "injury",
];

/// Whether the words describe an injury (a word of a joined phrase
/// counts: "lumbar strain").
fn is_injury(ws: &[String]) -> bool {
    ws.iter()
        .flat_map(|w| w.split(' '))
        .any(|w| INJURY_HEADS.contains(&w))
}

/// What an ED or orthopaedic note adds to an injury that no injury code
/// says: the treatment ("splinted in ED", "sling applied", "knee
/// immobilizer", "long arm cast", "walking boot"). The mechanism ("after a
/// fall on ice") is an external cause code of its own (W00-W19), not the
/// injury's.
const TREATMENT_WORDS: [&str; 14] = [
    "splinted",
    "splint",
    "splinting",
    "sling",
    "cast",
    "casted",
    "immobilizer",
    "immobilized",
    "boot",
    "applied",
    "placed",
    "ed",
    "er",
    "dressing",
];

/// Words before a treatment noun that say which one ("long arm cast",
/// "knee immobilizer", "walking boot"), not where the injury is.
const TREATMENT_KIND: [&str; 10] = [
    "long",
    "short",
    "arm",
    "leg",
    "knee",
    "walking",
    "posterior",
    "volar",
    "sugar",
    "tong",
];

/// Words of a mechanism of injury ("after a fall on ice", "after a motor
/// vehicle collision"): a clause after "after" holding one is the note's
/// story, not the injury's words.
const MECHANISM_WORDS: [&str; 24] = [
    "fall",
    "fell",
    "falling",
    "slipped",
    "slip",
    "tripped",
    "trip",
    "ice",
    "stairs",
    "ladder",
    "mvc",
    "mva",
    "collision",
    "accident",
    "crash",
    "struck",
    "hit",
    "assault",
    "assaulted",
    "bike",
    "bicycle",
    "motorcycle",
    "playing",
    "sports",
];

/// Words that end a mechanism clause ("after a fall on ice, initial
/// encounter"): the injury's own words resume.
const CLAUSE_END: [&str; 12] = [
    "initial",
    "subsequent",
    "sequela",
    "closed",
    "open",
    "displaced",
    "nondisplaced",
    "left",
    "right",
    "with",
    "routine",
    "delayed",
];

/// In an injury description, drops what the note says of the mechanism
/// (from "after" to the next word of the injury's own: an encounter, a
/// side, "closed") and of the treatment ("splinted in ED", "knee
/// immobilizer"): no injury code holds them, and they would crowd the
/// injury's words out of the query's terms.
pub(super) fn drop_note_words(ws: &mut Vec<String>) {
    if !is_injury(ws) {
        return;
    }
    let mut keep = vec![true; ws.len()];
    let mut in_clause = false;
    for (i, w) in ws.iter().enumerate() {
        let w = w.as_str();
        if w == "after" {
            // Only a mechanism ("after a fall on ice"): "after total hip
            // arthroplasty" says what the fracture is (periprosthetic).
            in_clause = ws[i + 1..]
                .iter()
                .take_while(|n| {
                    !CLAUSE_END.contains(&n.as_str()) && !INJURY_HEADS.contains(&n.as_str())
                })
                .any(|n| MECHANISM_WORDS.contains(&n.as_str()));
        } else if in_clause && (CLAUSE_END.contains(&w) || INJURY_HEADS.contains(&w)) {
            in_clause = false;
        }
        keep[i] = !in_clause;
        if TREATMENT_WORDS.contains(&w) {
            keep[i] = false;
            let mut j = i;
            while j > 0 && TREATMENT_KIND.contains(&ws[j - 1].as_str()) {
                j -= 1;
                // A body word is the device's after a word of its kind
                // ("long arm cast") or right before a device named by it
                // ("knee immobilizer", "arm sling"); "right leg cast" keeps
                // the leg, the injury's site.
                let is_body = |k: usize| matches!(ws[k].as_str(), "arm" | "leg" | "knee");
                let named_by_body = j + 1 == i && matches!(w, "immobilizer" | "sling");
                let after_kind =
                    j > 0 && TREATMENT_KIND.contains(&ws[j - 1].as_str()) && !is_body(j - 1);
                if is_body(j) && !named_by_body && !after_kind {
                    break;
                }
                keep[j] = false;
            }
        }
    }
    // Never every word.
    if keep.iter().any(|&k| k) {
        let mut k = keep.into_iter();
        ws.retain(|_| k.next().unwrap_or(true));
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

/// The body regions of the Tabular's injury blocks (S00-S99: "Injuries to
/// the head", "... to the elbow and forearm", "... to the wrist, hand and
/// fingers", "... to the ankle and foot"), and the thumb and toes they hold.
const REGION_WORDS: [&str; 22] = [
    "head", "neck", "thorax", "abdomen", "back", "pelvis", "shoulder", "arm", "elbow", "forearm",
    "wrist", "hand", "finger", "fingers", "thumb", "hip", "thigh", "knee", "leg", "ankle", "foot",
    "toe",
];

/// What an eponym fracture is by the Index and the Tabular, said again
/// beside it: the part of the bone ("Bennett's fracture" S62.21- is at the
/// base of the first metacarpal, "Smith's" S52.54- and "Colles'" S52.53- at
/// the distal radius, "Maisonneuve's" S82.86- at the proximal fibula), the
/// bone, and the dislocation ("Monteggia's fracture (-dislocation)" S52.27-;
/// a "Galeazzi fracture-dislocation" is S52.37- "Galeazzi's fracture"). They
/// narrow rather than name: the eponym's code need not hold them.
const EPONYM_OWN_WORDS: [&str; 14] = [
    "base",
    "shaft",
    "distal",
    "proximal",
    "dislocation",
    "metacarpal",
    "radius",
    "radial",
    "ulna",
    "ulnar",
    "tibia",
    "tibial",
    "fibula",
    "fibular",
];

impl Searcher<'_> {
    /// An injury named for a person ("Colles fracture", "Bennett fracture")
    /// is one bone's: the region a note adds ("... right wrist", "... left
    /// thumb") narrows rather than names, since the eponym's code says the
    /// bone ("Colles' fracture of right radius", "Bennett's fracture,
    /// right hand"), not always the region the coder typed.
    pub(super) fn soften_regions_beside_eponym(&self, ws: &[String], terms: &mut [Term]) {
        if !is_injury(ws) {
            return;
        }
        let eponym = |id: u32| {
            self.ix
                .vocab_site
                .get(id as usize)
                .is_some_and(|v| v & 2 != 0)
        };
        let named = terms.iter().any(|t| {
            t.exact.is_some_and(eponym) || (t.lo..t.hi.min(t.lo.saturating_add(8))).any(eponym)
        });
        if !named {
            return;
        }
        for t in terms.iter_mut() {
            t.soft |= REGION_WORDS.contains(&t.word.as_str())
                || EPONYM_OWN_WORDS.contains(&t.word.as_str());
        }
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
    fn congenital_only_when_the_words_say_it() {
        // Index: Cyst, kidney (acquired) N28.1; congenital Q61.00.
        assert!(!of("renal cyst").congenital);
        assert!(of("congenital renal cyst").congenital);
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
    fn an_injurys_note_words_give_way_to_its_own() {
        // The mechanism (an external cause code of its own) and the
        // treatment are no injury code's words.
        let mut w = ws(
            "nondisplaced fracture left patella after fall ice initial encounter knee immobilizer",
        );
        fit_injury_words(&mut w, 8);
        assert_eq!(
            w,
            ws("nondisplaced fracture left patella initial encounter")
        );
        let mut w = ws("left clavicle shaft fracture after fall outstretched hand sling applied");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("left clavicle shaft fracture"));
        let mut w = ws("greenstick fracture left radius shaft long arm cast applied");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("greenstick fracture left radius shaft"));
        // Too long still: the side and the encounter stay, the last other
        // words go, and a "with" left before them.
        let mut w = ws(
            "left distal radius colles fracture with dorsal angulation closed initial encounter splinted ed",
        );
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("left distal radius colles fracture closed initial"));
        // The injury's own site stays: only a kind word ("long arm cast")
        // or a device named by it ("knee immobilizer") makes a body word the
        // device's.
        let mut w = ws("contusion left leg walking boot");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("contusion left leg"));
        let mut w = ws("fracture right leg cast applied");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("fracture right leg"));
        // "after" drops a mechanism only: a fracture after an arthroplasty
        // is periprosthetic (M97.0-), the words stay.
        let mut w = ws("fracture left femur after total hip arthroplasty");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("fracture left femur after total hip arthroplasty"));
        let mut w = ws("fracture left wrist after motor vehicle collision");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("fracture left wrist"));
        // Not an injury: untouched.
        let mut w = ws("abdominal pain after eating");
        fit_injury_words(&mut w, 8);
        assert_eq!(w, ws("abdominal pain after eating"));
    }

    #[test]
    fn a_leukemias_state_is_cut_from_its_title() {
        // Tabular C92.62, C92.01, C90.00, C91.11: the state ends the title.
        assert_eq!(
            state_cut("Acute myeloid leukemia with 11q23-abnormality in relapse"),
            "Acute myeloid leukemia with 11q23-abnormality"
        );
        assert_eq!(
            state_cut("Acute myeloblastic leukemia, in remission"),
            "Acute myeloblastic leukemia"
        );
        assert_eq!(
            state_cut("Multiple myeloma not having achieved remission"),
            "Multiple myeloma"
        );
        assert_eq!(state_cut("Hairy cell leukemia"), "Hairy cell leukemia");
    }

    #[test]
    fn a_chemical_burn_is_the_indexs_corrosion() {
        // Index: "Burn, chemical ... — see Corrosion, by site".
        let mut w = ws("chemical burn second degree right forearm");
        chemical_burn_words(&mut w);
        assert_eq!(w, ws("corrosion second degree right forearm"));
        let mut w = ws("acid burns left hand");
        chemical_burn_words(&mut w);
        assert_eq!(w, ws("corrosion left hand"));
        // A burn with no chemical word is a burn.
        let mut w = ws("second degree burn right forearm");
        chemical_burn_words(&mut w);
        assert_eq!(w, ws("second degree burn right forearm"));
    }

    #[test]
    fn a_seventh_characters_words_are_cut_from_its_title() {
        assert_eq!(
            seventh_cut("Open bite of right thumb with damage to nail, initial encounter"),
            "Open bite of right thumb with damage to nail"
        );
        assert_eq!(
            seventh_cut(
                "Colles' fracture of left radius, subsequent encounter for closed fracture with malunion"
            ),
            "Colles' fracture of left radius"
        );
        assert_eq!(
            seventh_cut("Strain of muscle, fascia and tendon of lower back, sequela"),
            "Strain of muscle, fascia and tendon of lower back"
        );
        assert_eq!(
            seventh_cut("Type 2 diabetes mellitus"),
            "Type 2 diabetes mellitus"
        );
        // The grade of an open fracture stays when the words are too many.
        let mut w = ws("open displaced transverse fracture left femoral shaft type iiib initial");
        fit_injury_words(&mut w, 8);
        assert_eq!(
            w,
            ws("open displaced transverse fracture left femoral iiib initial")
        );
    }

    #[test]
    fn trauma_and_bites_are_read_as_the_index_reads_them() {
        // Tabular titles.
        assert_eq!(
            says_traumatic(
                "Unspecified rotator cuff tear or rupture of right shoulder, not specified as traumatic"
            ),
            Some(false)
        );
        assert_eq!(
            says_traumatic("Nontraumatic acute subdural hemorrhage"),
            Some(false)
        );
        assert_eq!(
            says_traumatic("Traumatic subdural hemorrhage without loss of consciousness"),
            Some(true)
        );
        assert_eq!(
            says_traumatic(
                "Strain of muscle(s) and tendon(s) of the rotator cuff of right shoulder"
            ),
            None
        );
        assert_eq!(of("traumatic rotator cuff tear").traumatic, Some(true));
        assert_eq!(of("nontraumatic subdural hematoma").traumatic, Some(false));
        // Typed with a hyphen, the words are "non traumatic".
        assert_eq!(
            of("non-traumatic subarachnoid hemorrhage").traumatic,
            Some(false)
        );
        assert_eq!(of("non traumatic subdural").traumatic, Some(false));
        assert_eq!(of("rotator cuff tear").traumatic, None);
        // "Bite(s), hand S61.45-": open unless said superficial.
        assert!(of("human bite right hand").open_bite);
        assert!(of("dog bite left calf").open_bite);
        assert!(!of("superficial human bite left hand").open_bite);
        assert!(!of("laceration left hand").open_bite);
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
