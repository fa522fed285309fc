//! Words: how titles, index terms and queries are cut into searchable words, and
//! the edit distance that forgives a typo.

/// Words too common to tell codes apart; dropped from titles and queries alike.
/// "with", "without", "not" and "other" stay: they change the code.
const STOP_WORDS: [&str; 14] = [
    "a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to",
];

pub fn is_stop_word(w: &str) -> bool {
    STOP_WORDS.contains(&w)
}

/// Words that narrow a code rather than name it: the approach, the extent, the
/// side, the encounter. A title may lack them and still be the answer's header;
/// they pick among its complete codes.
const SOFT_WORDS: [&str; 48] = [
    // The qualifier of a PCS code (Diagnostic or not), picked among a row's codes.
    "diagnostic",
    "therapeutic",
    "laparoscopic",
    "laparoscopically",
    "lap",
    "arthroscopic",
    "endoscopic",
    "percutaneous",
    "open",
    "robotic",
    "assisted",
    "total",
    "partial",
    "complete",
    "left",
    "right",
    "bilateral",
    "initial",
    "subsequent",
    "sequela",
    "encounter",
    "routine",
    "delayed",
    "healing",
    "closed",
    "displaced",
    "nondisplaced",
    "via",
    "approach",
    "lt",
    "rt",
    "anterior",
    "with",
    "w",
    "home",
    "rvr",
    "placement",
    "procedure",
    "surgery",
    "creation",
    "line",
    "vaginal",
    "transvaginal",
    "transurethral",
    "thoracoscopic",
    "transfemoral",
    "transcatheter",
    "endovascular",
];

pub fn is_soft_word(w: &str) -> bool {
    SOFT_WORDS.contains(&w)
}

/// Lower-case ASCII words: letters and digits, accents folded, apostrophes dropped
/// ("Ménière's" → "menieres"), everything else a separator. Stop words kept.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // Part of the word: "Crohn's" is one word.
        } else if let Some(f) = fold(c) {
            word.push(f);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// The searchable words of a text: [`words`] without stop words.
pub fn index_words(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| !is_stop_word(w))
        .collect()
}

fn fold(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'À' | 'Á' | 'Â' | 'Ä' => 'a',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Í' | 'Î' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' | 'Ó' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ú' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        'ß' => 's',
        _ => return None,
    })
}

/// The optimal-string-alignment distance (Levenshtein plus adjacent transposition)
/// between `a` and `b`, or `None` once it must exceed `max`.
pub fn osa_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    // Three rows: i-2, i-1, i; on the stack for the words of a vocabulary.
    const STACK: usize = 48;
    let (mut s2, mut s1, mut s0) = ([0usize; STACK], [0usize; STACK], [0usize; STACK]);
    let mut h2;
    let mut h1;
    let mut h0;
    let (mut prev2, mut prev, mut cur): (&mut [usize], &mut [usize], &mut [usize]) = if n < STACK {
        (&mut s2[..=n], &mut s1[..=n], &mut s0[..=n])
    } else {
        h2 = vec![0usize; n + 1];
        h1 = vec![0usize; n + 1];
        h0 = vec![0usize; n + 1];
        (&mut h2[..], &mut h1[..], &mut h0[..])
    };
    for (j, p) in prev.iter_mut().enumerate() {
        *p = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

/// How many typos a word of this length may carry and still match.
pub fn typo_budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=5 => 1,
        _ => 2,
    }
}

/// SNOMED CT semantic tags carry no words a code title has: "(disorder)",
/// "(finding)", "(situation)" and the like are dropped from a query.
pub fn strip_semantic_tags(query: &str) -> String {
    const TAGS: [&str; 12] = [
        "disorder",
        "finding",
        "situation",
        "procedure",
        "morphologic abnormality",
        "body structure",
        "event",
        "observable entity",
        "regime/therapy",
        "qualifier value",
        "clinical finding",
        "person",
    ];
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let inner = rest[open + 1..open + close].trim().to_lowercase();
        out.push_str(&rest[..open]);
        if !TAGS.contains(&inner.as_str()) {
            out.push_str(&rest[open..open + close + 1]);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Official Guidelines Section II.H and III.C (inpatient): a diagnosis
/// documented as "probable", "suspected", "likely", "questionable",
/// "possible", "still to be ruled out", "compatible with", "consistent with"
/// (or "rule out", "R/O", and similar terms of uncertainty) is coded as if it
/// existed. These words name no code: a title holding "possible" or "ruled
/// out" is not what they ask for.
const UNCERTAIN_WORDS: [&str; 11] = [
    "probable",
    "probably",
    "suspected",
    "suspect",
    "likely",
    "questionable",
    "possible",
    "possibly",
    "presumed",
    "presumptive",
    "r/o",
];

/// Two-word forms: the second word is "with", "for" or "out".
const UNCERTAIN_PAIRS: [(&str, &str); 6] = [
    ("rule", "out"),
    ("compatible", "with"),
    ("consistent", "with"),
    ("concerning", "for"),
    ("suspicious", "for"),
    ("worrisome", "for"),
];

/// Words after which "suspected" is part of the code: the Tabular's
/// "Adult and child abuse, neglect and other maltreatment, suspected"
/// (T76), "Contact with and (suspected) exposure" (Z20, Z77), and the
/// observation codes for a condition "ruled out" (Z03, Z04, Z05: "MI ruled
/// out" without "to be" says it was).
const UNCERTAINTY_CODED: [&str; 9] = [
    "abuse",
    "neglect",
    "maltreatment",
    "exposure",
    "exposed",
    "contact",
    "observation",
    "ruled",
    "excluded",
];

/// A query with its words of uncertainty left out, as the guidelines code
/// them (see `UNCERTAIN_WORDS`); `None` when it has none, when the words are
/// part of a code ("suspected child abuse", "MI ruled out": see
/// `UNCERTAINTY_CODED`), or when nothing else would remain.
pub fn established(query: &str) -> Option<String> {
    let tokens: Vec<&str> = query.split_whitespace().collect();
    let bare = |t: &str| {
        t.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/')
            .to_ascii_lowercase()
    };
    let lower: Vec<String> = tokens.iter().map(|t| bare(t)).collect();
    let is = |i: usize, w: &str| lower.get(i).is_some_and(|x| x == w);
    let mut drop = vec![false; tokens.len()];
    for i in 0..tokens.len() {
        if UNCERTAIN_WORDS.contains(&lower[i].as_str()) || lower[i] == "rule-out" {
            drop[i] = true;
        } else if UNCERTAIN_PAIRS
            .iter()
            .any(|&(a, b)| is(i, a) && is(i + 1, b))
        {
            drop[i] = true;
            drop[i + 1] = true;
        } else if is(i, "ruled") && is(i + 1, "out") && i > 0 && is(i - 1, "be") {
            // "(still) (to) be ruled out": still a question.
            let from = (0..i)
                .rev()
                .take_while(|&k| matches!(lower[k].as_str(), "be" | "to" | "still" | "yet"))
                .last()
                .unwrap_or(i);
            drop[from..=i + 1].iter_mut().for_each(|d| *d = true);
        }
    }
    if !drop.contains(&true) || drop.iter().all(|&d| d) {
        return None;
    }
    let coded = lower
        .iter()
        .zip(&drop)
        .any(|(w, &d)| !d && UNCERTAINTY_CODED.contains(&w.as_str()));
    if coded {
        return None;
    }
    let kept: Vec<&str> = tokens
        .iter()
        .zip(&drop)
        .filter(|(_, d)| !**d)
        .map(|(t, _)| *t)
        .collect();
    Some(kept.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_fold_case_accents_and_apostrophes() {
        assert_eq!(words("Ménière's disease"), vec!["menieres", "disease"]);
        assert_eq!(
            words("Type 2 diabetes mellitus, w/o complications"),
            vec![
                "type",
                "2",
                "diabetes",
                "mellitus",
                "w",
                "o",
                "complications"
            ]
        );
        assert_eq!(
            index_words("Fracture of neck of right femur"),
            vec!["fracture", "neck", "right", "femur"]
        );
    }

    #[test]
    fn osa_counts_a_transposition_as_one_edit() {
        assert_eq!(osa_distance(b"pnuemonia", b"pneumonia", 2), Some(1));
        assert_eq!(osa_distance(b"diabetis", b"diabetes", 2), Some(1));
        assert_eq!(osa_distance(b"hart", b"heart", 1), Some(1));
        assert_eq!(osa_distance(b"kitten", b"sitting", 2), None);
        assert_eq!(osa_distance(b"kitten", b"sitting", 3), Some(3));
    }
    #[test]
    fn words_of_uncertainty_are_left_out_as_the_guidelines_code_them() {
        // Guidelines II.H / III.C: coded as if established.
        assert_eq!(established("R/O pneumonia").as_deref(), Some("pneumonia"));
        assert_eq!(established("rule out sepsis").as_deref(), Some("sepsis"));
        assert_eq!(
            established("probable viral pneumonia").as_deref(),
            Some("viral pneumonia")
        );
        assert_eq!(
            established("pneumonia, still to be ruled out").as_deref(),
            Some("pneumonia,")
        );
        assert_eq!(
            established("findings consistent with cholecystitis").as_deref(),
            Some("findings cholecystitis")
        );
        assert_eq!(established("Questionable UTI").as_deref(), Some("UTI"));
        // Nothing to leave out, or nothing else left.
        assert_eq!(established("pneumonia"), None);
        assert_eq!(established("possible"), None);
        // Part of a code: T76 "suspected" abuse, Z03 "ruled out", Z20 exposure.
        assert_eq!(established("suspected child abuse"), None);
        assert_eq!(established("suspected MI ruled out"), None);
        assert_eq!(established("possible exposure to COVID"), None);
    }
}
