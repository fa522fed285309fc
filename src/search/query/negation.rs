//! "With" and "without" in a query against what a text says of the same word,
//! and qualifier words that only pick among a code's complete codes.

use super::rank::SIDE_WORDS;
use super::{Searcher, Term};
use crate::search::System;

impl Searcher<'_> {
    /// Whether the nearest "with" or "without" before position `pos` of a
    /// text's words contradicts what the query said of the word there. With
    /// neither, a PCS code's title (`has`) has what it names: its device is
    /// "with" ("Supplement of Abdominal Wall, Synthetic Substitute").
    pub(super) fn contradicts(&self, ws: &[u32], pos: usize, negated: bool, has: bool) -> bool {
        let (with, without) = self.with_ids;
        for &w in ws[..pos.min(ws.len())].iter().rev() {
            if Some(w) == without {
                return !negated;
            }
            if Some(w) == with {
                return negated;
            }
        }
        negated && has
    }

    /// Whether an entry is a PCS code, whose title has what it names.
    pub(super) fn names_what_it_has(&self, e: usize) -> bool {
        self.ix.system(e) == System::Icd10Pcs
    }
}

/// Words of a stage the Tabular gives as a 7th character ("H40.11- Primary
/// open-angle glaucoma": 1 mild stage, 2 moderate stage, 3 severe stage, 4
/// indeterminate stage): "moderate stage" picks among the complete codes, as
/// "subsequent" does, and may be missing from the Index's text. `terms` are
/// in the order of `ws`.
///
/// So do a trimester (the last character of the obstetric codes: "placenta
/// previa third trimester" is the Index's "Previa, placenta O44.0-", whose
/// codes the trimester picks among) and the oxygen a patient is on at home
/// (a status, Z99.81 "Dependence on supplemental oxygen", beside the
/// condition searched: "AECOPD on home O2" is J44.1).
pub(super) fn soften_stage_words(ws: &[String], terms: &mut [Term]) {
    for i in 1..ws.len().min(terms.len()) {
        let (before, w) = (ws[i - 1].as_str(), ws[i].as_str());
        let stage =
            matches!(before, "mild" | "moderate" | "severe" | "indeterminate") && w == "stage";
        let trimester = matches!(before, "first" | "second" | "third" | "1st" | "2nd" | "3rd")
            && w == "trimester";
        if stage || trimester {
            terms[i - 1].soft = true;
            terms[i].soft = true;
        }
        if before == "home" && matches!(w, "o2" | "oxygen") {
            terms[i].soft = true;
        }
    }
}

/// A side or an encounter is no part of what "with" or "without" says is
/// there or not: it is the Tabular's laterality or 7th character of the whole
/// code ("E11.3393 Type 2 diabetes mellitus with moderate nonproliferative
/// diabetic retinopathy without macular edema, bilateral"; "S01.511A
/// Laceration without foreign body of lip, initial encounter"). Typed after
/// "without macular edema" it still picks the eye.
pub(super) fn sides_outside_scopes(terms: &mut [Term]) {
    for t in terms.iter_mut() {
        let w = t.word.as_str();
        if SIDE_WORDS.contains(&w) || matches!(w, "initial" | "subsequent" | "sequela") {
            t.negated = None;
        }
    }
}

/// A description longer than the search takes keeps its side: the last
/// words that name no side go first, so "type 2 diabetes with moderate
/// nonproliferative retinopathy without macular edema, bilateral" still
/// picks E11.3393 (the Tabular's laterality character), as an injury keeps
/// its side and encounter.
pub(super) fn keep_sides(ws: &mut Vec<String>, max: usize) {
    let is_side = |w: &str| SIDE_WORDS.contains(&w);
    if ws.len() <= max || !ws[max..].iter().any(|w| is_side(w)) {
        return;
    }
    while ws.len() > max {
        let Some(i) = ws.iter().rposition(|w| !is_side(w)) else {
            break;
        };
        ws.remove(i);
    }
}

/// In a diagnosis search "anterior" names a site ("anterior STEMI" is the
/// anterior wall, I21.09), not the approach or extent it narrows in a
/// procedure search.
pub(super) fn name_sites_in_diagnoses(terms: &mut [Term], procedures: bool) {
    if !procedures {
        for t in terms.iter_mut().filter(|t| t.word == "anterior") {
            t.soft = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stage_of_severity_narrows() {
        let ws: Vec<String> = [
            "glaucoma",
            "moderate",
            "stage",
            "severe",
            "sepsis",
            "third",
            "trimester",
        ]
        .iter()
        .map(|w| w.to_string())
        .collect();
        let mut terms: Vec<Term> = ws
            .iter()
            .map(|w| Term {
                word: w.clone(),
                ..Term::default()
            })
            .collect();
        soften_stage_words(&ws, &mut terms);
        let soft: Vec<bool> = terms.iter().map(|t| t.soft).collect();
        // "severe sepsis" names a code (R65.20): only a severity before "stage" narrows.
        assert_eq!(soft, [false, true, true, false, false, true, true]);
    }

    #[test]
    fn a_long_description_keeps_its_side() {
        let mut ws: Vec<String> = "a b c d e f g h i bilateral"
            .split(' ')
            .map(str::to_string)
            .collect();
        keep_sides(&mut ws, 8);
        assert_eq!(ws, ["a", "b", "c", "d", "e", "f", "g", "bilateral"]);
    }

    #[test]
    fn a_side_after_without_is_the_codes_side() {
        let mut terms: Vec<Term> = ["edema", "bilateral", "right eye", "initial"]
            .iter()
            .map(|w| Term {
                word: w.to_string(),
                negated: Some(true),
                ..Term::default()
            })
            .collect();
        sides_outside_scopes(&mut terms);
        let negated: Vec<Option<bool>> = terms.iter().map(|t| t.negated).collect();
        assert_eq!(negated, [Some(true), None, None, None]);
    }
}
