//! An ED note's sentence around an injury or a metastasis, read as a coder
//! reads it before searching. "pt slipped on ice, landed on L hip, dx
//! displaced fx of left femoral neck": the clauses that tell the story (the
//! mechanism, the vehicle, the place, the complaint) are external cause codes
//! of their own (V00-Y99), never first-listed (guideline I.C.20), and the
//! words that report (pt, c/o, dx, "xray shows", "presents with", "ED note")
//! are no code's; the injury's clause is what is searched, with the side the
//! story gave when the injury's words name none. An object "stuck in" an
//! orifice is the Index's "Foreign body, ear (nose, nostril, ...)", and the
//! site "metastases from lung primary" came from is the primary, not the
//! code asked for (Index: "Metastasis, metastatic, cancer, from specified
//! site — see Neoplasm, malignant, by site; to specified site — see
//! Neoplasm, secondary, by site").
//!
//! Each reading starts only when its trigger words are in the query (an
//! injury word, an object beside an orifice, a metastasis with "from"), so
//! every other search pays one scan of its words.

use std::borrow::Cow;

/// Words that name an injury (the head of an injury code's title or Index
/// main term) in an ED note's clause.
const INJURY_WORDS: [&str; 31] = [
    "fracture",
    "fractures",
    "fractured",
    "fx",
    "sprain",
    "sprained",
    "strain",
    "dislocation",
    "dislocated",
    "subluxation",
    "laceration",
    "lacerations",
    "lac",
    "contusion",
    "contusions",
    "bite",
    "abrasion",
    "tear",
    "burn",
    "burns",
    "corrosion",
    "concussion",
    "hematoma",
    "wound",
    "puncture",
    "avulsion",
    "amputation",
    "crush",
    "foreign",
    "fb",
    "injury",
];

/// Words of the story around an injury: the mechanism, the vehicle and the
/// person's role in it, the place, the activity and the complaint. A clause
/// holding one and no injury word is the note's story (V00-Y99 and the
/// symptom the injury explains) or its care ("sutured", "splinted"), not
/// the injury's words.
const STORY_WORDS: [&str; 68] = [
    "fall",
    "fell",
    "falling",
    "slipped",
    "slip",
    "tripped",
    "trip",
    "landed",
    "landing",
    "twisted",
    "twisting",
    "ice",
    "icy",
    "stairs",
    "steps",
    "ladder",
    "roof",
    "trampoline",
    "mvc",
    "mva",
    "collision",
    "accident",
    "crash",
    "rollover",
    "restrained",
    "unrestrained",
    "driver",
    "passenger",
    "pedestrian",
    "airbag",
    "airbags",
    "seatbelt",
    "struck",
    "hit",
    "punched",
    "kicked",
    "assault",
    "assaulted",
    "altercation",
    "jumped",
    "dog",
    "spilled",
    "bike",
    "bicycle",
    "motorcycle",
    "playing",
    "sports",
    "soccer",
    "football",
    "basketball",
    "skiing",
    "home",
    "work",
    "school",
    "bar",
    "parking",
    "nursing",
    "c/o",
    "complains",
    "complaining",
    "pain",
    "ems",
    "sutured",
    "repaired",
    "stapled",
    "splinted",
    "irrigated",
    "glued",
];

/// Words that report rather than name: who ("pt"), how it was found ("dx",
/// "xray shows", "CT revealed") and where it was written ("ED note").
const REPORT_WORDS: [&str; 27] = [
    "pt",
    "patient",
    "c/o",
    "dx",
    "diagnosis",
    "xray",
    "x-ray",
    "xr",
    "ct",
    "films",
    "film",
    "imaging",
    "shows",
    "show",
    "showed",
    "showing",
    "reveals",
    "revealed",
    "demonstrates",
    "demonstrated",
    "confirms",
    "confirmed",
    "presents",
    "presented",
    "presenting",
    "note",
    "ed",
];

/// Words that start a subclause of the story inside the injury's clause
/// ("... right cornea while grinding", "... after door slammed on it").
const STORY_START: [&str; 3] = ["while", "when", "after"];

/// What an object in an orifice is: the Index's "Foreign body, by site".
const OBJECT_WORDS: [&str; 20] = [
    "bead", "beads", "pea", "peas", "bean", "beans", "coin", "toy", "battery", "button", "insect",
    "bug", "pebble", "marble", "seed", "popcorn", "eraser", "crayon", "stuck", "lodged",
];

/// The orifices and passages the Index's "Foreign body" lists (T15-T19).
const ORIFICE_WORDS: [&str; 14] = [
    "ear",
    "ears",
    "nostril",
    "nose",
    "nasal",
    "eye",
    "cornea",
    "conjunctiva",
    "throat",
    "pharynx",
    "esophagus",
    "airway",
    "bronchus",
    "rectum",
];

const SIDES: [&str; 6] = ["right", "left", "rt", "lt", "bilateral", "bilat"];

/// Words that do not stand alone after "presents": "presents with".
const AFTER_REPORT: [&str; 1] = ["with"];

/// Whether the words (lower case) name an injury.
pub(super) fn names_injury(words: &[String]) -> bool {
    words.iter().any(|w| INJURY_WORDS.contains(&w.as_str()))
}

/// A word as the readers compare it: lower case, without the punctuation
/// around it ("fx,", "(dx)").
fn bare(token: &str) -> String {
    token
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '-')
        .to_ascii_lowercase()
}

/// The query as the search reads it: the story and the reporting words of an
/// ED note's injury left out, an object in an orifice read as a foreign
/// body, the primary of a metastasis left out. Unchanged (borrowed) when no
/// reading applies.
pub(super) fn read(query: &str) -> Cow<'_, str> {
    // The triggers are looked for without allocating: most searches have
    // none of them.
    let has = |set: &[&str]| {
        query.split_whitespace().any(|t| {
            let t = t.trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '-');
            set.iter().any(|s| s.eq_ignore_ascii_case(t))
        })
    };
    let mut out = Cow::Borrowed(query);
    if has(&OBJECT_WORDS) && has(&ORIFICE_WORDS) && !has(&["foreign", "fb"]) {
        out = Cow::Owned(foreign_body(&out));
    }
    if has(&["hip"])
        && !has(&HIP_PARTS)
        && let Some(read) = hip_fracture(&out)
    {
        out = Cow::Owned(read);
    }
    if (has(&INJURY_WORDS) || matches!(out, Cow::Owned(_)))
        && let Some(read) = injury_sentence(&out)
    {
        out = Cow::Owned(read);
    }
    let metastasis = |t: &str| {
        t.as_bytes()
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"metasta"))
            || t.eq_ignore_ascii_case("mets")
    };
    if has(&["from"])
        && query.split_whitespace().any(metastasis)
        && let Some(read) = without_primary(&out)
    {
        out = Cow::Owned(read);
    }
    out
}

/// Words that say which part of the hip (or what kind of fracture): the
/// hip is then no shorthand for the femur's neck.
const HIP_PARTS: [&str; 17] = [
    "neck",
    "head",
    "trochanteric",
    "intertrochanteric",
    "subtrochanteric",
    "pertrochanteric",
    "trochanter",
    "subcapital",
    "intracapsular",
    "acetabulum",
    "acetabular",
    "stress",
    "pathological",
    "pathologic",
    "osteoporotic",
    "periprosthetic",
    "dislocation",
];

/// A hip fracture is the femur's neck: the Index's "Fracture, traumatic,
/// hip — see Fracture, femur, neck" (S72.00-).
fn hip_fracture(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let b: Vec<String> = words.iter().map(|w| bare(w)).collect();
    let hip = b.iter().position(|w| w == "hip")?;
    let fracture = |i: usize| {
        b.get(i)
            .is_some_and(|w| matches!(w.as_str(), "fx" | "fracture" | "fractured"))
    };
    // "hip fx", "fractured hip", "fracture of the left hip"; not "no hip
    // fracture".
    if !fracture(hip + 1) && !(hip.saturating_sub(4)..hip).any(fracture) || !affirms_injury(&b) {
        return None;
    }
    let word = words[hip];
    let tail = &word[word.trim_end_matches(|c: char| !c.is_alphanumeric()).len()..];
    let neck = format!("femur neck{tail}");
    let mut out = words;
    out[hip] = &neck;
    Some(out.join(" "))
}

/// Clauses of a sentence: split at ",", ";", ":" and a "." that ends a word
/// (not the one in "2.5 cm").
fn clauses(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let ends = match c {
            ',' | ';' | ':' => true,
            '.' => b.get(i + 1).is_none_or(|n| !n.is_ascii_digit()),
            _ => false,
        };
        if ends {
            out.push(&text[start..i]);
            start = i + 1;
        }
    }
    out.push(&text[start..]);
    out.into_iter().filter(|c| !c.trim().is_empty()).collect()
}

/// An injury told in an ED note's sentence: the clauses that name the
/// injury, without the reporting words and the story's subclauses; a side
/// from the story when the injury's clauses name none. `None` when nothing
/// is left out.
fn injury_sentence(text: &str) -> Option<String> {
    let parts: Vec<Vec<String>> = clauses(text)
        .into_iter()
        .map(|c| c.split_whitespace().map(str::to_string).collect())
        .collect();
    let names_injury = |c: &[String]| affirms_injury(c);
    if !parts.iter().any(|c| names_injury(c)) {
        return None;
    }
    let is_story = |c: &[String]| c.iter().any(|w| STORY_WORDS.contains(&bare(w).as_str()));
    let mut kept: Vec<String> = Vec::new();
    let mut story_side: Option<String> = None;
    for c in &parts {
        if !names_injury(c) && is_story(c) {
            if story_side.is_none() {
                story_side = c.iter().map(|w| bare(w)).find(|w| side_of(w).is_some());
            }
            continue;
        }
        // "no fracture" beside the injury says what is not there; "no FB"
        // says which wound it is (S01.01- "without foreign body") and stays.
        if !names_injury(c)
            && c.iter().any(|w| {
                let w = bare(w);
                INJURY_WORDS.contains(&w.as_str()) && !matches!(w.as_str(), "foreign" | "fb")
            })
        {
            continue;
        }
        kept.extend(injury_clause(c));
    }
    if kept.is_empty() {
        return None;
    }
    let said_side = kept.iter().any(|w| side_of(&bare(w)).is_some());
    if let (false, Some(side)) = (said_side, story_side) {
        kept.insert(0, side);
    }
    let read = kept.join(" ");
    (read.split_whitespace().count() < text.split_whitespace().count()).then_some(read)
}

/// Words that deny what follows them in a note ("no fracture", "negative
/// for fracture", "no evidence of fracture").
const DENIALS: [&str; 7] = [
    "no", "not", "without", "negative", "neg", "denies", "denied",
];

/// Whether a clause names an injury it does not deny: "knee pain, no
/// fracture" and "wrist pain, fracture ruled out" tell of no injury, so
/// their pain stays what is searched; "laceration without foreign body"
/// still names its laceration.
fn affirms_injury(c: &[String]) -> bool {
    let b: Vec<String> = c.iter().map(|w| bare(w)).collect();
    (0..b.len()).any(|j| {
        INJURY_WORDS.contains(&b[j].as_str())
            && !b[j.saturating_sub(3)..j]
                .iter()
                .any(|w| DENIALS.contains(&w.as_str()))
            && !b
                .get(j + 1..(j + 3).min(b.len()))
                .is_some_and(|after| after.iter().any(|w| w == "ruled" || w == "excluded"))
    })
}

/// The side a word names ("L" and "R" are sides too in a note).
fn side_of(w: &str) -> Option<&'static str> {
    match w {
        "right" | "rt" | "r" => Some("right"),
        "left" | "lt" | "l" => Some("left"),
        w if SIDES.contains(&w) => Some("bilateral"),
        _ => None,
    }
}

/// One clause of the injury: without its reporting words ("dx", "xray
/// shows", "presents with") and without a subclause of the story ("while
/// grinding", "after door slammed on it") that names no injury.
fn injury_clause(c: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(c.len());
    let mut i = 0;
    while i < c.len() {
        let w = bare(&c[i]);
        if REPORT_WORDS.contains(&w.as_str()) {
            i += 1;
            // "presents with", "c/o with": the "with" goes with its verb.
            while c
                .get(i)
                .is_some_and(|n| AFTER_REPORT.contains(&bare(n).as_str()))
            {
                i += 1;
            }
            continue;
        }
        if STORY_START.contains(&w.as_str()) {
            let rest = &c[i + 1..];
            let injury_after = rest
                .iter()
                .any(|n| INJURY_WORDS.contains(&bare(n).as_str()));
            let story = rest.iter().any(|n| {
                STORY_WORDS.contains(&bare(n).as_str()) || STORY_EXTRA.contains(&bare(n).as_str())
            });
            if story && !injury_after {
                break;
            }
        }
        out.push(c[i].clone());
        i += 1;
    }
    out
}

/// Story words of a subclause that would be a site elsewhere ("door", "hammer",
/// "grinding"): only after "while", "when" or "after".
const STORY_EXTRA: [&str; 8] = [
    "door", "slammed", "hammer", "grinding", "welding", "cutting", "shut", "closed",
];

/// An object in an orifice ("bead stuck in left ear", "pea in her
/// nostril"): the Index's "Foreign body" with the site after "in".
fn foreign_body(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let object = words
        .iter()
        .position(|w| OBJECT_WORDS.contains(&bare(w).as_str()))
        .unwrap_or(0);
    let site_start = words[object..]
        .iter()
        .position(|w| matches!(bare(w).as_str(), "in" | "into" | "inside"))
        .map_or(object + 1, |p| object + p + 1);
    let site: Vec<&str> = words
        .get(site_start..)
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|w| {
            !matches!(
                bare(w).as_str(),
                "her" | "his" | "the" | "a" | "their" | "my"
            )
        })
        .collect();
    format!("foreign body {}", site.join(" "))
}

/// A metastasis "from" its primary ("osseous metastases from lung primary",
/// "brain metastases from lung cancer"): the words from "from" to the next
/// "to" or the clause's end go.
fn without_primary(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    let mut skipping = false;
    let mut seen_metastasis = false;
    let mut dropped = false;
    for w in &words {
        let b = bare(w);
        if b.starts_with("metasta") || b == "mets" {
            seen_metastasis = true;
        }
        if b == "from" && seen_metastasis {
            skipping = true;
            dropped = true;
            continue;
        }
        if skipping {
            // The secondary site follows "to"; a clause's end ends the primary.
            if b == "to" {
                skipping = false;
                out.push(*w);
            } else if w.ends_with([',', ';']) {
                skipping = false;
            }
            continue;
        }
        out.push(*w);
    }
    (dropped && !out.is_empty()).then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_injury_is_no_injury_sentence() {
        // The complaint stays what is searched (M25.56-, M25.53-): nothing
        // is left out when the only injury word is denied.
        for q in [
            "knee pain, no fracture",
            "hip pain, no fx",
            "wrist pain, fracture ruled out",
            "fell from bed, no obvious fracture",
            "ankle pain, xray negative for fracture",
            "no evidence of fracture",
        ] {
            assert_eq!(read(q), q, "{q}");
        }
        // A denied foreign body names the wound's kind and stays.
        assert_eq!(
            read("fell off bike, chin lac 2 cm, no FB"),
            "chin lac 2 cm no FB"
        );
        // An injury beside a denied one is still read.
        assert_eq!(
            read("fell, no fracture, laceration of scalp"),
            "laceration of scalp"
        );
        assert_eq!(
            read("fell at home, laceration without foreign body of left hand"),
            "laceration without foreign body of left hand"
        );
    }

    #[test]
    fn an_ed_notes_story_and_reporting_words_go() {
        // Guideline I.C.20: the mechanism (W00-W19) and the place (Y92) are
        // never first-listed; the injury's clause is searched.
        assert_eq!(
            read("pt slipped on ice, landed on L hip, dx displaced fx of left femoral neck"),
            "displaced fx of left femoral neck"
        );
        assert_eq!(
            read("MVC restrained driver, c/o chest wall pain, fracture of one rib right side"),
            "fracture of one rib right side"
        );
        // The side the story gives when the injury's clause names none.
        assert_eq!(
            read("fell from ladder, c/o right wrist pain, xray shows fracture of distal radius"),
            "right fracture of distal radius"
        );
        assert_eq!(
            read("twisted left knee playing soccer, ED note: sprain of MCL left knee"),
            "sprain of MCL left knee"
        );
        assert_eq!(
            read("presents with anterior dislocation of right shoulder"),
            "anterior dislocation of right shoulder"
        );
        assert_eq!(
            read("metal foreign body right cornea while grinding"),
            "metal foreign body right cornea"
        );
    }

    #[test]
    fn words_that_are_no_story_stay() {
        // No injury word: a mechanism alone is its external cause (W11).
        assert!(matches!(read("fall from ladder"), Cow::Borrowed(_)));
        // The Tabular's own wording with commas keeps every clause.
        assert!(matches!(
            read("fracture of femur, right, initial encounter"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            read("pneumonia, right lower lobe"),
            Cow::Borrowed(_)
        ));
        // "after" a procedure is what the fracture is (periprosthetic).
        assert_eq!(
            read("periprosthetic fracture after total hip arthroplasty"),
            "periprosthetic fracture after total hip arthroplasty"
        );
    }

    #[test]
    fn a_hip_fracture_is_the_femurs_neck() {
        // Index: Fracture, traumatic, hip — see Fracture, femur, neck.
        assert_eq!(read("hip fracture right"), "femur neck fracture right");
        assert_eq!(read("L hip fx"), "L femur neck fx");
        assert_eq!(
            read("fracture of the left hip"),
            "fracture of the left femur neck"
        );
        // A part or a kind named: the words say it.
        assert!(matches!(
            read("intertrochanteric hip fracture"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            read("stress fracture right hip"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(read("hip pain"), Cow::Borrowed(_)));
    }

    #[test]
    fn an_object_in_an_orifice_is_a_foreign_body() {
        // Index: Foreign body, ear T16.-; nostril T17.1.
        assert_eq!(
            read("child with bead stuck in left ear"),
            "foreign body left ear"
        );
        assert_eq!(
            read("toddler put a pea in her nostril"),
            "foreign body nostril"
        );
        // Not without an orifice: "stuck" alone is no foreign body.
        assert!(matches!(read("stuck in traffic"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_metastasis_from_its_primary_is_the_secondary_site() {
        // Index: Metastasis, metastatic, cancer, from specified site — see
        // Neoplasm, malignant (the primary, another code).
        assert_eq!(
            read("osseous metastases from lung primary"),
            "osseous metastases"
        );
        assert_eq!(
            read("metastatic carcinoma from colon to liver"),
            "metastatic carcinoma to liver"
        );
        assert!(matches!(
            read("carcinoma from prior exposure"),
            Cow::Borrowed(_)
        ));
    }
}
