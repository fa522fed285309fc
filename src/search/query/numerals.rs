//! A grade, stage, type, class or degree in any of the ways the classification
//! writes it: the Tabular and the Index use Arabic and Roman numerals and
//! ordinals side by side ("Follicular lymphoma grade II" C82.1-, "Immune
//! effector cell-associated neurotoxicity syndrome, grade 2" G92.02,
//! "Obesity, class 3" E66.813, "Salter-Harris Type II physeal fracture"
//! S59.22-, "Type 2 fracture of sacrum" S32.15-, "open fracture type IIIA,
//! IIIB, or IIIC" (the 7th character C), the Index's "Hemorrhoids, 3rd
//! degree" beside the Tabular's "Third degree hemorrhoids" and "Grade/stage
//! III hemorrhoids" K64.2, "Neoplasia, intraepithelial, cervix, grade II"
//! N87.1), so a coder's "grade 2", "grade II", "class III" or "type 3b" is
//! the same number whichever way a title writes it.

use super::{Searcher, Term};

/// The words a number of a scale follows ("grade 2", "type II") or, for
/// "degree", precedes ("2nd degree", "third degree"); "LeFort" (S02.41-
/// "LeFort I fracture"); and the intraepithelial neoplasias the Index
/// grades ("CIN (see Neoplasia, intraepithelial, cervix)", VIN, VAIN, AIN,
/// PIN: "grade I", "grade II", "grade III"; Tabular D01.3 "Anal
/// intraepithelial neoplasia III [AIN III]"), whose number is the grade;
/// and the shorthand a problem list writes the stage or type after ("CKD
/// IV" is N18.4 "Chronic kidney disease, stage 4"; "DM II" is "Type 2
/// diabetes mellitus").
const SCALE_WORDS: [&str; 15] = [
    "grade", "stage", "type", "class", "tier", "degree", "lefort", "fort", "cin", "vin", "vain",
    "ain", "pin", "ckd", "dm",
];

/// The numbers 1 to 5 as the classification writes them: Arabic, Roman,
/// the ordinal in figures and in words (the burns' and hemorrhoids' "second
/// degree", "2nd degree").
const FORMS: [[&str; 4]; 5] = [
    ["1", "i", "1st", "first"],
    ["2", "ii", "2nd", "second"],
    ["3", "iii", "3rd", "third"],
    ["4", "iv", "4th", "fourth"],
    ["5", "v", "5th", "fifth"],
];

/// A number word of a scale: the number (1 to 5), and a letter after it
/// ("3a", "IIIB": CKD stage 3a N18.31, open fracture type IIIB).
fn number(w: &str) -> Option<(usize, Option<char>)> {
    let whole = |w: &str| FORMS.iter().position(|f| f.contains(&w));
    if let Some(n) = whole(w) {
        return Some((n, None));
    }
    if !w.is_ascii() {
        return None;
    }
    let (head, last) = w.split_at(w.len().checked_sub(1)?);
    let letter = last
        .chars()
        .next()
        .filter(|c| matches!(c, 'a' | 'b' | 'c'))?;
    // Only the Arabic and Roman forms take a letter ("3a", "iiia").
    let n = FORMS.iter().position(|f| f[..2].contains(&head))?;
    Some((n, Some(letter)))
}

/// The other ways the classification writes a number of a scale: the Arabic
/// and Roman numerals for every scale, and the ordinals too with "degree"
/// (a "second degree" burn; no title says "grade second").
fn other_forms(w: &str, degree: bool) -> Vec<String> {
    let Some((n, letter)) = number(w) else {
        return Vec::new();
    };
    let forms: &[&str] = match (letter, degree) {
        (None, true) => &FORMS[n],
        _ => &FORMS[n][..2],
    };
    forms
        .iter()
        .map(|f| match letter {
            Some(c) => format!("{f}{c}"),
            None => f.to_string(),
        })
        .filter(|f| f != w)
        .collect()
}

impl Searcher<'_> {
    /// A number after a scale word ("grade 2", "class III", "type 3b") or
    /// before "degree" ("2nd degree") also matches its other forms, as a
    /// synonym does (see the module's note); so does an open fracture's
    /// grade, whose "type" the injury's words have dropped ("open fracture
    /// 3b": the 7th character's "type IIIA, IIIB, or IIIC"). `ws` and
    /// `terms` are the query's words and their terms, in the same order.
    pub(super) fn number_forms(&self, ws: &[String], terms: &mut [Term]) {
        let n = ws.len().min(terms.len());
        let open = super::defaults::open_fracture(ws);
        for i in 0..n {
            let after_scale = open || (i > 0 && SCALE_WORDS.contains(&ws[i - 1].as_str()));
            let degree = ws
                .get(i + 1)
                .is_some_and(|w| w == "degree" || w == "degrees");
            if !after_scale && !degree {
                continue;
            }
            for form in other_forms(&ws[i], degree) {
                if let Some(id) = self.vocab_id(&form)
                    && !terms[i].phrases.iter().any(|p| p == &[id])
                {
                    terms[i].phrases.push(vec![id]);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{number, other_forms};

    #[test]
    fn arabic_and_roman_numerals_are_one_number() {
        assert_eq!(other_forms("2", false), ["ii"]);
        assert_eq!(other_forms("iii", false), ["3"]);
        assert_eq!(other_forms("iv", false), ["4"]);
    }

    #[test]
    fn a_letter_after_the_number_is_kept() {
        // N18.31 "stage 3a"; the 7th character C "type IIIA, IIIB, or IIIC".
        assert_eq!(other_forms("3b", false), ["iiib"]);
        assert_eq!(other_forms("iiia", false), ["3a"]);
        assert_eq!(number("3d"), None);
        assert_eq!(number("via"), None);
    }

    #[test]
    fn ordinals_only_before_degree() {
        // T22.2- "Burn of second degree"; Index "Hemorrhoids, 2nd degree".
        assert_eq!(other_forms("2nd", true), ["2", "ii", "second"]);
        assert_eq!(other_forms("third", true), ["3", "iii", "3rd"]);
        assert!(other_forms("2", false).iter().all(|f| f != "second"));
        assert!(other_forms("grade", false).is_empty());
    }
}
