//! Note words: what a coder pastes from a note around the words that name a
//! code. A lone "L" or "R" beside a word is a side, "OD"/"OS"/"OU" beside an
//! eye word an eye; a lab or vital sign with its value ("Na 121", "EF 25%",
//! "sat 84% on RA") is a measurement the classification has no code for; the
//! verbs and fillers of a sentence ("PATIENT IS IN AFIB") and the stop words
//! of an all-caps note ("AS WELL AS") are no abbreviations. Numbers the Index
//! itself reads stay: "BMI 42", "32 weeks", "stage 4", "type 2", "GCS 8",
//! "25% body surface".

/// Lab tests and vital signs as notes abbreviate them: with a value after
/// them they are a measurement, dropped with the value (the Index has no
/// entry by a lab value; the condition it shows is what is coded).
const LAB_ABBREVIATIONS: [&str; 64] = [
    "a1c", "alb", "alk", "alp", "alt", "ast", "ava", "bg", "bnp", "bp", "bs", "bun", "ca", "ck",
    "cpk", "cr", "creat", "crp", "cvp", "dbp", "ef", "egfr", "esr", "fio2", "fsbg", "fsbs", "gfr",
    "glu", "gluc", "hb", "hba1c", "hct", "hgb", "hr", "ica", "inr", "k", "ldh", "ldl", "lvef",
    "map", "mg", "na", "o2sat", "pao2", "paco2", "pco2", "ph", "phos", "plt", "pt", "ptt", "qtc",
    "rr", "sat", "sats", "sbp", "spo2", "tbili", "temp", "tmax", "tsh", "wbc", "wt",
];

/// Lab tests written as words: the word may name the finding ("elevated
/// troponin", R79.89) and stays; its value goes.
const LAB_WORDS: [&str; 18] = [
    "albumin",
    "bilirubin",
    "calcium",
    "creatinine",
    "glucose",
    "hemoglobin",
    "lactate",
    "lipase",
    "magnesium",
    "platelets",
    "potassium",
    "procalcitonin",
    "psa",
    "saturation",
    "sodium",
    "temperature",
    "troponin",
    "weight",
];

/// Words between a lab and its value ("troponin peak 4.2", "Cr was 3.1").
const CONNECTORS: [&str; 12] = [
    "peak", "max", "nadir", "was", "is", "of", "at", "now", "=", "~", "up", "down",
];

/// Units after a value.
const UNITS: [&str; 22] = [
    "%", "bpm", "c", "cm", "cm2", "f", "g", "g/dl", "kg", "l", "lb", "lbs", "meq/l", "mg", "mg/dl",
    "ml", "mm", "mmhg", "mmol/l", "ng/l", "ng/ml", "u/l",
];

/// Units of a dose, a volume or a flow: after a whole number they make it
/// a measurement ("prednisone 10 mg daily", "home O2 2 L nasal cannula",
/// "NS 500 ml"); not the units of a temperature ("c", "f"), which read as
/// other words beside a whole number.
const DOSE_UNITS: [&str; 12] = [
    "g", "kg", "l", "lb", "lbs", "lpm", "mcg", "mg", "ml", "units", "unit", "iu",
];

/// How often a dose is taken, after its units ("10 mg daily", "5 mg BID"):
/// part of the measurement.
const FREQUENCIES: [&str; 11] = [
    "daily", "bid", "tid", "qid", "qd", "qhs", "qam", "qpm", "prn", "weekly", "nightly",
];

/// Words before a number that make it part of what the Index reads:
/// "Body mass index (BMI), adult, 40.0-44.9", "Burn, extent (percentage of
/// body surface)", "stage", "type", "grade", "degree", "Glasgow coma scale".
const NUMBER_BEFORE: [&str; 17] = [
    "bmi", "index", "stage", "type", "grade", "degree", "gcs", "score", "class", "zone", "level",
    "gravida", "para", "burn", "burns", "tbsa", "bsa",
];

/// Words after a number that make it part of what the Index reads:
/// "Pregnancy, weeks of gestation, 32 weeks", "20-29 percent (of body
/// surface)", "third degree", ages.
const NUMBER_AFTER: [&str; 16] = [
    "weeks",
    "week",
    "wks",
    "wk",
    "body",
    "surface",
    "tbsa",
    "bsa",
    "percent",
    "degree",
    "trimester",
    "years",
    "year",
    "yo",
    "months",
    "days",
];

/// Words of a sentence around the clinical words, dropped when a word
/// follows them (the last word may be a prefix still being typed).
const FILLERS: [&str; 19] = [
    "is",
    "was",
    "were",
    "are",
    "been",
    "being",
    "has",
    "had",
    "have",
    "patient",
    "pt",
    "who",
    "which",
    "that",
    "this",
    "currently",
    "presents",
    "presented",
    "noted",
];

/// Words beside a capitalised stop word that show an all-caps note's
/// sentence, not an abbreviation ("SUCH AS", "AS NEEDED", "AS PER").
const SENTENCE_WORDS: [&str; 14] = [
    "well",
    "such",
    "needed",
    "per",
    "same",
    "before",
    "usual",
    "above",
    "below",
    "follows",
    "tolerated",
    "discussed",
    "today",
    "other",
];

/// Words of the eye and its conditions: beside them "OD", "OS", "OU" are the
/// right eye, the left eye and both eyes (oculus dexter, sinister, uterque).
const EYE_WORDS: [&str; 48] = [
    "amblyopia",
    "amd",
    "aphakia",
    "armd",
    "blepharitis",
    "blindness",
    "brvo",
    "cataract",
    "chalazion",
    "conjunctivitis",
    "cornea",
    "corneal",
    "crao",
    "crvo",
    "diplopia",
    "dme",
    "drusen",
    "ectropion",
    "entropion",
    "episcleritis",
    "eye",
    "eyelid",
    "glaucoma",
    "hordeolum",
    "hyphema",
    "iritis",
    "keratitis",
    "keratoconus",
    "lens",
    "macula",
    "macular",
    "npdr",
    "ocular",
    "optic",
    "pacg",
    "pdr",
    "poag",
    "pseudophakia",
    "pterygium",
    "ptosis",
    "retina",
    "retinal",
    "retinopathy",
    "scleritis",
    "strabismus",
    "uveitis",
    "vision",
    "vitreous",
];

fn lower(t: &str) -> String {
    t.to_ascii_lowercase()
}

/// A value: digits with a point, comma or slash ("2.9", "120/80", "1,250"),
/// perhaps a sign before or a percent after ("<5", "84%").
fn is_value(t: &str) -> bool {
    let t = t.trim_start_matches(['<', '>', '~', '=', '+']);
    let t = t.strip_suffix('%').unwrap_or(t);
    !t.is_empty()
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'/'))
        && t.as_bytes()[0].is_ascii_digit()
}

/// A measurement by its shape: a decimal, a percentage or a ratio.
fn is_measurement(t: &str) -> bool {
    is_value(t) && (t.contains(['.', '/']) || t.ends_with('%'))
}

/// A year ("s/p CABG 2019").
fn is_year(t: &str) -> bool {
    t.len() == 4 && t.parse::<u32>().is_ok_and(|y| (1900..=2099).contains(&y))
}

fn is_lab(t: &str) -> bool {
    let t = lower(t.trim_end_matches('+'));
    LAB_ABBREVIATIONS.contains(&t.as_str()) || LAB_WORDS.contains(&t.as_str())
}

/// Reads a query's whitespace tokens as the words of a note (see the module
/// comment). Tokens keep their case (a capitalised abbreviation is read
/// later); a side is written out ("L" → "left").
pub(super) fn read_note(tokens: Vec<&str>) -> Vec<String> {
    let tokens: Vec<&str> = tokens
        .into_iter()
        .map(|t| t.trim_matches(|c: char| matches!(c, ',' | ';' | ':' | '(' | ')')))
        .map(|t| t.strip_suffix('.').unwrap_or(t))
        .filter(|t| !t.is_empty())
        .collect();
    let tokens = drop_idioms(&tokens);
    let tokens = drop_measurements(&tokens);
    let tokens = index_numbers(&tokens);
    let tokens = read_all_caps(&tokens);
    let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let tokens = read_both(read_sides(&tokens));
    drop_fillers(tokens)
}

/// "as well as": a sentence's "and".
fn drop_idioms<'a>(tokens: &[&'a str]) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let is = |k: usize, w: &str| tokens.get(k).is_some_and(|t| t.eq_ignore_ascii_case(w));
        if is(i, "as") && is(i + 1, "well") && is(i + 2, "as") {
            i += 3;
            continue;
        }
        out.push(tokens[i]);
        i += 1;
    }
    out
}

/// Labs and vital signs with their values, values of no code meaning, and
/// years, dropped; a number the Index reads ("BMI 42") kept.
fn drop_measurements<'a>(tokens: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        if is_lab(t) {
            let mut j = i + 1;
            while j < tokens.len() && j <= i + 2 && CONNECTORS.contains(&lower(tokens[j]).as_str())
            {
                j += 1;
            }
            if j < tokens.len() && is_value(tokens[j]) {
                // The word of a lab test stays, and so does an abbreviation
                // that is all the query says ("Hgb 6.8").
                let alone = i == 0 && skip_value(tokens, j) >= tokens.len();
                if LAB_WORDS.contains(&lower(t).as_str()) || alone {
                    out.push(t);
                }
                i = skip_value(tokens, j);
                continue;
            }
        }
        if is_year(t) && i > 0 {
            i += 1;
            continue;
        }
        if is_measurement(t) && !read_by_index(tokens, i) {
            i = skip_value(tokens, i);
            continue;
        }
        if is_dose(tokens, i) {
            i = skip_value(tokens, i);
            continue;
        }
        out.push(t);
        i += 1;
    }
    out
}

/// A whole number with a dose's units after it ("10 mg", "2 L"), not one
/// the Index reads.
fn is_dose(tokens: &[&str], i: usize) -> bool {
    is_value(tokens[i])
        && tokens
            .get(i + 1)
            .is_some_and(|u| DOSE_UNITS.contains(&lower(u).as_str()))
        && !read_by_index(tokens, i)
}

/// Whether the number at `i` is one the Index reads, by the word before or
/// after it.
fn read_by_index(tokens: &[&str], i: usize) -> bool {
    let before = i
        .checked_sub(1)
        .map(|k| lower(tokens[k]))
        .is_some_and(|w| NUMBER_BEFORE.contains(&w.as_str()));
    let after = tokens
        .get(i + 1)
        .map(|t| lower(t))
        .is_some_and(|w| NUMBER_AFTER.contains(&w.as_str()));
    before || after
}

/// The index past the value at `j`, its units, a "from 1.0" or "to 3.1"
/// after it, and an "on RA" (room air) after a saturation.
fn skip_value(tokens: &[&str], mut j: usize) -> usize {
    j += 1;
    loop {
        let at = |k: usize| tokens.get(k).map(|t| lower(t)).unwrap_or_default();
        if UNITS.contains(&at(j).as_str())
            || DOSE_UNITS.contains(&at(j).as_str())
            || FREQUENCIES.contains(&at(j).as_str())
        {
            j += 1;
        } else if (matches!(at(j).as_str(), "from" | "to" | "->" | "and" | "vs")
            && tokens.get(j + 1).is_some_and(|t| is_value(t)))
            || (at(j) == "on" && at(j + 1) == "ra")
        {
            j += 2;
        } else if at(j) == "on" && at(j + 1) == "room" && at(j + 2) == "air" {
            j += 3;
        } else {
            return j;
        }
    }
}

/// A number the Index reads, in the Index's words: a BMI, a Glasgow coma
/// scale score and a burn's percentage of body surface in the range a code
/// names ("BMI 42": "Body mass index [BMI] 40.0-44.9, adult", Z68.41; "GCS
/// 8": "Glasgow coma scale score 3-8"; "25% body surface": "Burns involving
/// 20-29% of body surface"), a stage in Roman numerals in figures ("stage
/// IV": "Pressure ulcer of sacral region, stage 4"); an obstetric history in
/// G/P notation ("G2P1") is dropped (no code reads it; the weeks do).
fn index_numbers(tokens: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    for (i, &t) in tokens.iter().enumerate() {
        let before = i
            .checked_sub(1)
            .map(|k| lower(tokens[k]))
            .unwrap_or_default();
        let after = tokens.get(i + 1).map(|w| lower(w)).unwrap_or_default();
        let number = first_of_range(t.trim_end_matches('%'))
            .parse::<f32>()
            .ok()
            .filter(|n| *n >= 0.0);
        let range = match (before.as_str(), number) {
            ("bmi", Some(n)) => Some(bmi_range(n)),
            ("gcs", Some(n)) if (3.0..=15.0).contains(&n) => Some(gcs_range(n)),
            (_, Some(n))
                if t.ends_with('%')
                    && (matches!(before.as_str(), "burn" | "burns")
                        || matches!(after.as_str(), "body" | "tbsa" | "bsa")) =>
            {
                Some(burn_range(n))
            }
            _ => None,
        };
        if let Some(r) = range {
            out.extend(r.split(' ').map(str::to_string));
        } else if before == "stage"
            && let Some(n) = roman(&lower(t))
        {
            out.push(n.to_string());
        } else if !is_obstetric_history(t) || tokens.len() == 1 {
            out.push(t.to_string());
        }
    }
    out
}

/// The first number of a range written as the Tabular writes its own ("BMI
/// 42.0-42.9": Z68.41's "40.0-44.9" holds it), or the token as it is.
fn first_of_range(t: &str) -> &str {
    match t.split_once('-') {
        Some((a, b)) if a.parse::<f32>().is_ok() && b.parse::<f32>().is_ok() => a,
        _ => t,
    }
}

/// Tabular Z68.1-Z68.45 (adult).
fn bmi_range(n: f32) -> String {
    match n {
        n if n < 20.0 => "19.9 or less".to_string(),
        n if n < 40.0 => format!("{0}.0-{0}.9", n.floor() as u32),
        n if n < 45.0 => "40.0-44.9".to_string(),
        n if n < 50.0 => "45.0-49.9".to_string(),
        n if n < 60.0 => "50.0-59.9".to_string(),
        n if n < 70.0 => "60.0-69.9".to_string(),
        _ => "70 or greater".to_string(),
    }
}

/// Tabular R40.241-R40.243.
fn gcs_range(n: f32) -> String {
    match n {
        n if n <= 8.0 => "3-8",
        n if n <= 12.0 => "9-12",
        _ => "13-15",
    }
    .to_string()
}

/// Tabular T31.0-T31.9 (and T32): "less than 10%", "20-29%", "90% or more".
fn burn_range(n: f32) -> String {
    match n {
        n if n < 10.0 => "less than 10%".to_string(),
        n if n < 90.0 => {
            let d = (n / 10.0).floor() as u32 * 10;
            format!("{d}-{}%", d + 9)
        }
        _ => "90% or more".to_string(),
    }
}

/// A stage in Roman numerals (I to V).
fn roman(t: &str) -> Option<u8> {
    Some(match t {
        "i" => 1,
        "ii" => 2,
        "iii" => 3,
        "iv" => 4,
        "v" => 5,
        _ => return None,
    })
}

/// Gravida and para in G/P notation: "G2P1", "G3P2002".
fn is_obstetric_history(t: &str) -> bool {
    let l = lower(t);
    let Some(rest) = l.strip_prefix('g') else {
        return false;
    };
    let Some((g, p)) = rest.split_once('p') else {
        return false;
    };
    !g.is_empty()
        && !p.is_empty()
        && g.bytes().all(|b| b.is_ascii_digit())
        && p.bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

/// Sides as notes write them: a lone "L" or "R" ("(R)") beside a word, not
/// after a number ("2 L" of oxygen is litres); "L>R" (both sides, the left
/// more); "OD", "OS", "OU" where an eye word is in the query. "L spine" is
/// the lumbar spine.
fn read_sides(tokens: &[&str]) -> Vec<String> {
    let eye = tokens
        .iter()
        .any(|t| EYE_WORDS.contains(&lower(t).as_str()));
    let mut out = Vec::with_capacity(tokens.len());
    for (i, &t) in tokens.iter().enumerate() {
        let l = lower(t);
        let word = |k: Option<usize>| {
            k.and_then(|k| tokens.get(k))
                .is_some_and(|w| w.len() >= 2 && w.as_bytes()[0].is_ascii_alphabetic())
        };
        let after_number = i > 0 && is_value(tokens[i - 1]);
        let beside_word = word(i.checked_sub(1)) || word(Some(i + 1));
        let next = tokens.get(i + 1).map(|w| lower(w)).unwrap_or_default();
        match l.as_str() {
            "l" if next == "spine" => out.push("L-spine".to_string()),
            "l" | "r" if beside_word && !after_number && next != "spine" => {
                out.push(if l.starts_with('l') { "left" } else { "right" }.to_string());
            }
            "l>r" | "r>l" | "l=r" | "l<r" | "r<l" => out.push("bilateral".to_string()),
            "od" | "os" if eye => {
                out.push(if l == "od" { "right" } else { "left" }.to_string());
                out.push("eye".to_string());
            }
            "ou" if eye => out.push("bilateral".to_string()),
            _ if l == "spine" && i > 0 && tokens[i - 1].eq_ignore_ascii_case("l") => {}
            _ => out.push(t.to_string()),
        }
    }
    out
}

/// "Both" before a body part in the plural is the Tabular's "bilateral"
/// ("OA of both knees": M17.0 "Bilateral primary osteoarthritis of knee"),
/// the part in the singular as the titles write it. "Both eyes" and "both
/// sides" are the synonym list's.
fn read_both(tokens: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut both = false;
    for t in tokens {
        let l = lower(&t);
        if both {
            both = false;
            let singular = l
                .strip_suffix("ies")
                .map(|s| format!("{s}y"))
                .or_else(|| l.strip_suffix('s').map(str::to_string));
            if let Some(s) = singular.filter(|_| !matches!(l.as_str(), "eyes" | "sides")) {
                out.push("bilateral".to_string());
                // The Tabular's ear codes say "bilateral" alone ("H65.23
                // Chronic serous otitis media, bilateral"; "H93.13
                // Tinnitus, bilateral"): "ear" would pick "unspecified ear".
                if s != "ear" {
                    out.push(s);
                }
                continue;
            }
            out.push("both".to_string());
        }
        if l == "both" {
            both = true;
            continue;
        }
        out.push(t);
    }
    if both {
        out.push("both".to_string());
    }
    out
}

/// In a note typed in capitals, a stop word ("AS", "IN", "OR") or "ALL"
/// beside a word of the sentence ("SUCH AS", "ALL OTHER") is that word, not
/// an abbreviation: it is lower-cased (a stop word is then dropped) or, for
/// "ALL", dropped. Alone or beside clinical words ("SEVERE AS", "ALL IN
/// REMISSION") it stays the abbreviation.
fn read_all_caps(tokens: &[String]) -> Vec<String> {
    let worded: Vec<&String> = tokens
        .iter()
        .filter(|t| t.bytes().any(|b| b.is_ascii_alphabetic()))
        .collect();
    let all_caps = worded.len() >= 3
        && worded
            .iter()
            .all(|t| !t.bytes().any(|b| b.is_ascii_lowercase()));
    if !all_caps {
        return tokens.to_vec();
    }
    let stop = |t: &str| crate::search::text::is_stop_word(&lower(t));
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let l = lower(t);
        if !stop(t) && l != "all" {
            out.push(t.clone());
            continue;
        }
        let left = tokens[..i].iter().rev().find(|w| !stop(w));
        let right = tokens[i + 1..].iter().find(|w| !stop(w));
        let sentence = [left, right].into_iter().flatten().any(|w| {
            SENTENCE_WORDS.contains(&lower(w).as_str()) || FILLERS.contains(&lower(w).as_str())
        });
        match (sentence, l.as_str()) {
            (true, "all") => {}
            (true, _) => out.push(l),
            (false, _) => out.push(t.clone()),
        }
    }
    out
}

/// The fillers of a sentence, unless last (a prefix being typed) or all
/// there is.
fn drop_fillers(tokens: Vec<String>) -> Vec<String> {
    let n = tokens.len();
    let kept: Vec<String> = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| i + 1 == n || !FILLERS.contains(&lower(t).as_str()))
        .map(|(_, t)| t.clone())
        .collect();
    if kept.iter().all(|t| FILLERS.contains(&lower(t).as_str())) {
        tokens
    } else {
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(q: &str) -> Vec<String> {
        read_note(q.split_whitespace().collect())
    }

    #[test]
    fn a_lone_letter_beside_a_word_is_a_side() {
        assert_eq!(read("L knee OA"), ["left", "knee", "OA"]);
        assert_eq!(read("(R) breast mass"), ["right", "breast", "mass"]);
        assert_eq!(read("hip fx R"), ["hip", "fx", "right"]);
        // Not a side: a level ("L4" is one word), rule out, litres (a flow,
        // dropped with its number), the lumbar spine, a letter typed alone.
        assert_eq!(read("L4 compression fx"), ["L4", "compression", "fx"]);
        assert_eq!(read("R/O PE"), ["R/O", "PE"]);
        assert_eq!(read("hypoxia on 2 L"), ["hypoxia", "on"]);
        assert_eq!(read("L spine DDD"), ["L-spine", "DDD"]);
        assert_eq!(read("L"), ["L"]);
        assert_eq!(read("leg edema L>R"), ["leg", "edema", "bilateral"]);
    }

    #[test]
    fn od_os_ou_are_eyes_only_beside_an_eye_word() {
        assert_eq!(
            read("nuclear cataract OD"),
            ["nuclear", "cataract", "right", "eye"]
        );
        assert_eq!(read("POAG OS"), ["POAG", "left", "eye"]);
        assert_eq!(read("wet AMD OU"), ["wet", "AMD", "bilateral"]);
        // An overdose otherwise.
        assert_eq!(read("heroin OD"), ["heroin", "OD"]);
    }

    #[test]
    fn a_lab_or_vital_with_its_value_is_a_measurement() {
        assert_eq!(read("hyponatremia Na 121"), ["hyponatremia"]);
        assert_eq!(read("hypoK 2.9"), ["hypoK"]);
        assert_eq!(read("AKI Cr 3.1 from 1.0"), ["AKI"]);
        assert_eq!(read("hypoxia sat 84% on RA"), ["hypoxia"]);
        assert_eq!(read("severe AS AVA 0.8 cm2"), ["severe", "AS"]);
        assert_eq!(read("HFrEF EF 25%"), ["HFrEF"]);
        // A lab word names the finding; its value goes.
        assert_eq!(read("elevated troponin peak 4.2"), ["elevated", "troponin"]);
        // All the query says: the abbreviation stays.
        assert_eq!(read("Hgb 6.8"), ["Hgb"]);
        assert_eq!(read("s/p CABG 2019"), ["s/p", "CABG"]);
        // Without a value the abbreviation is the abbreviation (SBP:
        // spontaneous bacterial peritonitis).
        assert_eq!(read("SBP in cirrhotic"), ["SBP", "in", "cirrhotic"]);
    }

    #[test]
    fn a_dose_or_a_flow_with_its_units_is_a_measurement() {
        assert_eq!(
            read("Dependence on home oxygen 2 L nasal cannula"),
            ["Dependence", "on", "home", "oxygen", "nasal", "cannula"]
        );
        assert_eq!(
            read("Chronic prednisone use 10 mg daily"),
            ["Chronic", "prednisone", "use"]
        );
        assert_eq!(read("on warfarin 5 mg BID"), ["on", "warfarin"]);
        assert_eq!(read("insulin 20 units qhs"), ["insulin"]);
        assert_eq!(read("O2 3 lpm"), ["O2"]);
        // Without units the number stays, and a side after a word stays a
        // side ("2 L" is a flow, "L knee" the left knee).
        assert_eq!(read("type 2 diabetes"), ["type", "2", "diabetes"]);
        assert_eq!(read("L knee OA"), ["left", "knee", "OA"]);
    }

    #[test]
    fn numbers_the_index_reads_stay() {
        for q in [
            "32 wks",
            "stage 4 pressure ulcer",
            "type 2 MI",
            "CKD 3b",
            "C5-C6 disc herniation",
        ] {
            assert_eq!(read(q), q.split_whitespace().collect::<Vec<_>>(), "{q}");
        }
    }

    #[test]
    fn a_number_the_index_reads_is_written_as_the_index_writes_it() {
        // Tabular Z68.41 "Body mass index [BMI] 40.0-44.9, adult"; Z68.35
        // "35.0-35.9"; Z68.1 "19.9 or less"; Z68.45 "70 or greater".
        assert_eq!(read("BMI 42"), ["BMI", "40.0-44.9"]);
        assert_eq!(read("BMI 35.4"), ["BMI", "35.0-35.9"]);
        assert_eq!(read("BMI 18"), ["BMI", "19.9", "or", "less"]);
        assert_eq!(read("BMI 72"), ["BMI", "70", "or", "greater"]);
        // A range typed as the Tabular writes one: its first number's code.
        assert_eq!(read("BMI 42.0-42.9"), ["BMI", "40.0-44.9"]);
        assert_eq!(read("BMI 30.0-30.9"), ["BMI", "30.0-30.9"]);
        // R40.243 "Glasgow coma scale score 3-8", R40.242 "9-12".
        assert_eq!(read("GCS 8"), ["GCS", "3-8"]);
        assert_eq!(read("GCS 9"), ["GCS", "9-12"]);
        // T31.2 "Burns involving 20-29% of body surface"; T31.0 "less than 10%".
        assert_eq!(
            read("burns 25% body surface"),
            ["burns", "20-29%", "body", "surface"]
        );
        assert_eq!(
            read("burn 5% TBSA"),
            ["burn", "less", "than", "10%", "TBSA"]
        );
        // L89.154 "Pressure ulcer of sacral region, stage 4".
        assert_eq!(
            read("stage IV sacral decubitus"),
            ["stage", "4", "sacral", "decubitus"]
        );
        assert_eq!(read("G2P1 at 32 wks"), ["at", "32", "wks"]);
        assert_eq!(read("G3P2002"), ["G3P2002"]);
        // Not a BMI, not a burn: unchanged.
        assert_eq!(read("type II"), ["type", "II"]);
    }

    #[test]
    fn an_all_caps_note_reads_its_stop_words_as_words() {
        assert_eq!(
            read("HISTORY OF CHF AS WELL AS COPD"),
            ["HISTORY", "OF", "CHF", "COPD"]
        );
        assert_eq!(read("PATIENT IS IN AFIB"), ["in", "AFIB"]);
        assert_eq!(read("CHF SUCH AS BEFORE"), ["CHF", "SUCH", "as", "BEFORE"]);
        assert_eq!(
            read("ALL OTHER SYSTEMS NEGATIVE"),
            ["OTHER", "SYSTEMS", "NEGATIVE"]
        );
        // Beside clinical words, the abbreviation.
        assert_eq!(read("SEVERE AS"), ["SEVERE", "AS"]);
        assert_eq!(read("ALL IN REMISSION"), ["ALL", "IN", "REMISSION"]);
        assert_eq!(read("SEVERE AS ON ECHO"), ["SEVERE", "AS", "ON", "ECHO"]);
    }

    #[test]
    fn both_before_a_plural_body_part_is_bilateral() {
        assert_eq!(read("OA of both knees"), ["OA", "of", "bilateral", "knee"]);
        assert_eq!(
            read("edema both lower extremities"),
            ["edema", "both", "lower", "extremities"]
        );
        assert_eq!(
            read("cellulitis both legs"),
            ["cellulitis", "bilateral", "leg"]
        );
        assert_eq!(
            read("serous otitis media both ears"),
            ["serous", "otitis", "media", "bilateral"]
        );
        // The synonym list's "both eyes"; a word that is no plural.
        assert_eq!(read("POAG both eyes"), ["POAG", "both", "eyes"]);
        assert_eq!(read("twins both liveborn"), ["twins", "both", "liveborn"]);
    }

    #[test]
    fn fillers_go_unless_last() {
        assert_eq!(
            read("patient with ESRD on HD"),
            ["with", "ESRD", "on", "HD"]
        );
        assert_eq!(read("pt is"), ["pt", "is"]);
        assert_eq!(read("is"), ["is"]);
    }
}
