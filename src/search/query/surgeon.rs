//! Surgeons' words at query time: phrases of several words the synonym lists
//! know ("hernia repair", "chest tube", "Foley catheter") taken as one term,
//! and the approach and qualifier an ICD-10-PCS code's characters must have
//! when the words say so ("laparoscopic" is Percutaneous Endoscopic, a
//! "-centesis" a puncture through the skin, a biopsy Diagnostic).

use super::{Searcher, Term};
use crate::search::synonyms::MAX_KEY_WORDS;
use crate::search::text::is_soft_word;
use crate::search::{System, range};

/// Points a complete PCS code earns when its approach (5th character) is the
/// one the words name, or imply.
const APPROACH_NAMED: f32 = 4.0;
const APPROACH_IMPLIED: f32 = 3.0;
/// Points for the qualifier (7th character) the words ask for: Diagnostic
/// (X) for a biopsy, not Diagnostic when "therapeutic".
const QUALIFIER: f32 = 4.0;
/// Points for the External approach in the mouth and throat when the words
/// name none (a tie-break among the row's approaches).
const MUCOSA_EXTERNAL: f32 = 0.5;
/// Points for Excision (root operation B) when the words say biopsy: the PCS
/// Index sends "Biopsy" to Drainage or Excision, Diagnostic; a piece of
/// tissue cut out is Excision, Drainage the fluid taken (PCS Definitions).
const BIOPSY_EXCISION: f32 = 1.0;
/// Points an HCPCS supply or quality-data code loses in a procedure search.
const NOT_A_PROCEDURE: f32 = 20.0;

/// What a query's words say of a PCS code's characters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PcsWords {
    /// The approach (5th character) and whether the words named it.
    approach: Option<(u8, bool)>,
    /// Diagnostic (true) or therapeutic (false).
    diagnostic: Option<bool>,
    /// The words say biopsy: tissue taken.
    biopsy: bool,
    /// A search of procedures: HCPCS supplies, equipment and quality-data
    /// codes come after the procedures the words name.
    pub(crate) procedures: bool,
}

/// The approach a word names (PCS Definitions, approach axis; the PCS Index:
/// "laparoscopic" is Percutaneous Endoscopic).
fn named_approach(w: &str) -> Option<u8> {
    Some(match w {
        "open" | "laparotomy" | "ex lap" | "exlap" | "thoracotomy" | "craniotomy"
        | "arthrotomy" => b'0',
        // The abbreviation spells it out: percutaneous coronary intervention,
        // percutaneous endoscopic gastrostomy, peripherally inserted central
        // catheter, transcatheter aortic valve replacement.
        "percutaneous" | "perc" | "transfemoral" | "transcatheter" | "endovascular" | "needle"
        | "pci" | "ptca" | "peg" | "picc" | "tavr" | "tavi" => b'3',
        "laparoscopic" | "laparoscopically" | "lap" | "laparoscopy" | "arthroscopic"
        | "arthroscopy" | "thoracoscopic" | "thoracoscopy" | "vats" | "robotic" => b'4',
        // Through a natural opening, no scope: the nose, the urethra, the
        // vagina (a LEEP, a D&C).
        "vaginal" | "transvaginal" | "ng tube" | "nasogastric" | "nasogastric tube" | "foley"
        | "foley catheter" | "leep" | "dc" => b'7',
        "transurethral" | "egd" | "ercp" | "cysto" | "turp" | "turbt" => b'8',
        "closed" | "external" | "extracorporeal" | "eswl" => b'X',
        // A scope through a natural opening ("colonoscopy", "ureteroscopic").
        _ if (w.ends_with("oscopy") || w.ends_with("oscopic")) => b'8',
        _ => return None,
    })
}

/// The approach a word implies: a "-centesis" or a puncture is through the
/// skin (Percutaneous: "entry, by puncture or minor incision").
fn implied_approach(w: &str) -> Option<u8> {
    let through_skin = w.ends_with("centesis")
        || matches!(
            w,
            "puncture" | "tap" | "aspiration" | "cath" | "catheterization" | "iv" | "intravenous"
        );
    through_skin.then_some(b'3')
}

impl PcsWords {
    /// What the query's words (phrases kept whole) say.
    pub(crate) fn of(words: &[String]) -> PcsWords {
        let mut out = PcsWords::default();
        let singles = || {
            words
                .iter()
                .flat_map(|w| std::iter::once(w.as_str()).chain(w.split(' ')))
        };
        let named: Vec<u8> = singles().filter_map(named_approach).collect();
        let lap = named.contains(&b'4');
        out.approach = if lap && named.contains(&b'7') {
            // Laparoscopic-assisted vaginal: Via Natural or Artificial
            // Opening With Percutaneous Endoscopic Assistance.
            Some((b'F', true))
        } else if let Some(&a) = named.first() {
            Some((a, true))
        } else {
            singles().find_map(implied_approach).map(|a| (a, false))
        };
        for w in singles() {
            match w {
                "biopsy" | "bx" => {
                    out.diagnostic = Some(true);
                    out.biopsy = true;
                }
                "diagnostic" | "dx" | "sampling" => out.diagnostic = Some(true),
                // A large-volume paracentesis takes fluid off to treat.
                "therapeutic" | "large volume" => out.diagnostic = Some(false),
                _ => {}
            }
        }
        out
    }
}

impl Searcher<'_> {
    /// Runs of words the synonym lists know as one phrase ("hernia repair"),
    /// longest first, joined into one word with spaces.
    pub(super) fn join_phrases(&self, words: Vec<String>) -> Vec<String> {
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            let longest = (2..=MAX_KEY_WORDS.min(words.len() - i))
                .rev()
                .find(|&n| self.is_synonym(&words[i..i + n].join(" ")));
            match longest {
                Some(n) => {
                    out.push(words[i..i + n].join(" "));
                    i += n;
                }
                None => {
                    out.push(words[i].clone());
                    i += 1;
                }
            }
        }
        out
    }

    /// The term of a phrase of several words: its own words together, or one
    /// of the phrases it stands for.
    pub(super) fn phrase_term(&self, w: &str) -> Term {
        let mut t = Term {
            len: w.len(),
            word: w.to_string(),
            ..Term::default()
        };
        let own: Option<Vec<u32>> = w.split(' ').map(|x| self.vocab_id(x)).collect();
        if let Some(own) = own {
            t.phrases.push(own);
        }
        let own = t.phrases.len();
        if let Some(k) = self.synonym_key(w) {
            for p in range(&self.ix.synonym_phrase_ends, k) {
                let phrase = &self.ix.phrase_words[range(&self.ix.phrase_word_ends, p)];
                if !phrase.is_empty()
                    && phrase.iter().all(|&x| x != u32::MAX)
                    && !t.phrases.iter().any(|q| q == phrase)
                {
                    t.phrases.push(phrase.to_vec());
                }
            }
        }
        // A phrase standing only for words that narrow ("both eyes":
        // bilateral) narrows too.
        let synonyms = &t.phrases[own.min(t.phrases.len())..];
        t.soft = !synonyms.is_empty()
            && synonyms
                .iter()
                .flatten()
                .all(|&x| is_soft_word(self.ix.vocab.get(x as usize)));
        t.estimate = t
            .phrases
            .iter()
            .map(|p| p.iter().map(|&x| self.postings(x).len()).min().unwrap_or(0))
            .sum();
        t
    }

    /// Points an HCPCS Level II code loses in a search of procedures when it
    /// is no procedure: medical and surgical supplies (A4000-A9999), durable
    /// medical equipment (E), temporary DME codes (K), orthotics and
    /// prosthetics (L), and the quality-data codes reported with a service
    /// (G9xxx): "diagnostic colonoscopy" is the procedure, not G9937.
    fn not_a_procedure(&self, e: usize) -> f32 {
        let key = self.ix.keys.get(e).as_bytes();
        let supply = match key.first() {
            Some(b'A') => key.get(1).is_some_and(|&c| (b'4'..=b'9').contains(&c)),
            Some(b'E' | b'K' | b'L') => true,
            Some(b'G') => key.get(1) == Some(&b'9'),
            _ => false,
        };
        if supply { NOT_A_PROCEDURE } else { 0.0 }
    }

    /// Points a complete ICD-10-PCS code earns for the approach and
    /// qualifier the words say (none for other codes).
    pub(super) fn pcs_bonus(&self, e: usize) -> f32 {
        let w = self.pcs_words;
        if self.ix.system(e) == System::Hcpcs && w.procedures {
            return -self.not_a_procedure(e);
        }
        if self.ix.system(e) != System::Icd10Pcs {
            return 0.0;
        }
        let key = self.ix.keys.get(e).as_bytes();
        if key.len() != 7 {
            return 0.0;
        }
        let mut bonus = 0.0;
        // No approach said: in the mouth and throat (body system C), a
        // procedure on the mucous membrane is External (ICD-10-PCS
        // guideline B5.3a: "Resection of tonsils is coded to the approach
        // External").
        if w.approach.is_none() && key.starts_with(b"0C") && key[4] == b'X' {
            bonus += MUCOSA_EXTERNAL;
        }
        if let Some((a, named)) = w.approach
            && key[4] == a
        {
            bonus += if named {
                APPROACH_NAMED
            } else {
                APPROACH_IMPLIED
            };
        }
        // Diagnostic is qualifier X in the Medical and Surgical section.
        if let Some(d) = w.diagnostic
            && key[0] == b'0'
            && (key[6] == b'X') == d
        {
            bonus += QUALIFIER;
        }
        if w.biopsy && key[0] == b'0' && key[2] == b'B' {
            bonus += BIOPSY_EXCISION;
        }
        bonus
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(q: &str) -> PcsWords {
        PcsWords::of(&q.split(' ').map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn approach_words_name_the_fifth_character() {
        for (q, a) in [
            ("laparoscopic cholecystectomy", b'4'),
            ("lap appendectomy", b'4'),
            ("robotic prostatectomy", b'4'),
            ("open appendectomy", b'0'),
            ("ureteroscopy lithotripsy", b'8'),
            ("cystoscopy biopsy", b'8'),
            ("closed reduction radius", b'X'),
            ("percutaneous nephrostomy", b'3'),
        ] {
            assert_eq!(of(q).approach, Some((a, true)), "{q}");
        }
        assert_eq!(
            of("laparoscopic assisted vaginal hysterectomy").approach,
            Some((b'F', true))
        );
        // Implied: a puncture through the skin.
        for q in [
            "thoracentesis",
            "paracentesis left",
            "lumbar puncture",
            "arthrocentesis knee",
        ] {
            assert_eq!(of(q).approach, Some((b'3', false)), "{q}");
        }
        // A named approach wins over an implied one.
        assert_eq!(of("open thoracentesis").approach, Some((b'0', true)));
        assert_eq!(of("appendectomy").approach, None);
    }

    #[test]
    fn a_biopsy_is_diagnostic() {
        assert_eq!(of("liver biopsy").diagnostic, Some(true));
        assert!(of("bladder bx").biopsy);
        assert!(!of("diagnostic paracentesis").biopsy);
        assert_eq!(of("diagnostic paracentesis").diagnostic, Some(true));
        assert_eq!(of("therapeutic paracentesis").diagnostic, Some(false));
        let large = ["large volume".to_string(), "paracentesis".to_string()];
        assert_eq!(PcsWords::of(&large).diagnostic, Some(false));
        assert_eq!(of("cholecystectomy").diagnostic, None);
    }
}
