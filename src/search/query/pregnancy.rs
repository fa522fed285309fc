//! Weeks of gestation beside a pregnancy condition: the condition's code is
//! what is searched for, and its trimester is what the weeks say. The
//! Tabular's note at the head of chapter 15: "Trimesters are counted from
//! the first day of the last menstrual period ... 1st trimester - less than
//! 14 weeks 0 days; 2nd trimester - 14 weeks 0 days to less than 28 weeks 0
//! days; 3rd trimester - 28 weeks 0 days until delivery". Category Z3A
//! (Weeks of gestation) is an additional code ("Code first complications of
//! pregnancy, childbirth and the puerperium (O09-O9A)"), and chapter 16's
//! P07.2-P07.3 (preterm newborn by completed weeks) are for the newborn's
//! record only: "gestational hypertension at 36 wks" is O13.3 (third
//! trimester), not Z3A.36 nor P07.39. Weeks typed alone, or with a newborn,
//! stay weeks.

use super::Searcher;
use crate::search::range;

/// Words that name a condition of pregnancy (the Index's "Gestational",
/// "Labor", "Placenta", "Membranes" entries), in the query or in what its
/// abbreviation stands for ("GDM", "PPROM"). Not "pregnancy" itself: an
/// "IUP at 32 weeks" names no condition, and its code is Z3A.32.
const PREGNANCY_WORDS: [&str; 19] = [
    "gestational",
    "antepartum",
    "preeclampsia",
    "eclampsia",
    "placenta",
    "placental",
    "previa",
    "abruptio",
    "membranes",
    "labor",
    "gravidarum",
    "chorioamnionitis",
    "oligohydramnios",
    "polyhydramnios",
    "twin",
    "twins",
    "triplet",
    "primigravida",
    "multigravida",
];

/// Words of the newborn's record: then the weeks are P07's.
const NEWBORN_WORDS: [&str; 7] = [
    "newborn", "neonate", "neonatal", "infant", "baby", "born", "nicu",
];

const WEEK_WORDS: [&str; 4] = ["weeks", "week", "wks", "wk"];

/// The trimester of a number of completed weeks (chapter 15's note).
fn trimester(weeks: u32) -> Option<&'static str> {
    match weeks {
        1..=13 => Some("first"),
        14..=27 => Some("second"),
        28..=44 => Some("third"),
        _ => None,
    }
}

impl Searcher<'_> {
    /// Whether a query word names a pregnancy condition, itself or through
    /// the synonym list.
    fn names_pregnancy(&self, w: &str) -> bool {
        if PREGNANCY_WORDS.contains(&w) {
            return true;
        }
        let Some(k) = self.synonym_key(w) else {
            return false;
        };
        let ids: Vec<u32> = PREGNANCY_WORDS
            .iter()
            .filter_map(|p| self.vocab_id(p))
            .collect();
        range(&self.ix.synonym_phrase_ends, k).any(|p| {
            self.ix.phrase_words[range(&self.ix.phrase_word_ends, p)]
                .iter()
                .any(|x| ids.contains(x))
        })
    }

    /// "N weeks" beside a pregnancy condition becomes its trimester ("36
    /// wks": "third trimester", which picks among the condition's codes;
    /// see the module's note).
    pub(super) fn weeks_as_trimester(&self, ws: &mut [String]) {
        if ws.iter().any(|w| NEWBORN_WORDS.contains(&w.as_str()))
            || !ws.iter().any(|w| self.names_pregnancy(w))
        {
            return;
        }
        for i in 0..ws.len().saturating_sub(1) {
            if !WEEK_WORDS.contains(&ws[i + 1].as_str()) {
                continue;
            }
            if let Some(t) = ws[i].parse::<u32>().ok().and_then(trimester) {
                ws[i] = t.to_string();
                ws[i + 1] = "trimester".to_string();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::trimester;

    #[test]
    fn weeks_fall_in_the_chapter_15_trimesters() {
        assert_eq!(trimester(13), Some("first"));
        assert_eq!(trimester(14), Some("second"));
        assert_eq!(trimester(27), Some("second"));
        assert_eq!(trimester(28), Some("third"));
        assert_eq!(trimester(36), Some("third"));
        assert_eq!(trimester(0), None);
    }
}
