//! A New Technology substance named by its own name. The PCS Index sends a
//! drug of section X to its table and nowhere else ("Remdesivir
//! Anti-infective XW0", "Tocilizumab XW0", "Convalescent Plasma
//! (Nonautologous) see New Technology, Anatomical Regions XW1"; its trade
//! names "use" the substance: "ACTEMRA(R) use Tocilizumab", "KYMRIAH(R) use
//! Tisagenlecleucel Immunotherapy"): the words that name one are answered by
//! the Introduction (XW0) or Transfusion (XW1) of that substance, whatever
//! an "infusion" or a "central line" would find in the other sections
//! (Administration 3E0 has only classes of substance, Insertion 0?H the
//! line itself). The body part is the vein the tables split the substance
//! by: Peripheral Vein (3), or Central Vein (4) when the words name a
//! central vein or line.

use super::Searcher;
use crate::search::query::title_facts::XWords;
use crate::search::text::{index_words, is_soft_word};
use crate::search::{System, TextKind, range};

/// Points for the code of a substance the words name (its 6th character),
/// in the vein rows of the New Technology Introduction and Transfusion
/// tables: enough to come before the Administration and Insertion codes an
/// "infusion" or a "central venous catheter" reaches by their own Index
/// entries ("Infusion see Introduction of substance in or on"; "Central
/// venous catheter use Infusion Device"), whose titles hold more of such
/// words than the substance's.
const NAMED: f32 = 55.0;
/// Points for the vein the words say: Central Vein (4) with "central"
/// (or a PICC or a port), Peripheral Vein (3) otherwise (the tables' two
/// values; an IV runs into a peripheral vein).
const VEIN: f32 = 3.0;

/// Words of the substance labels that say its class or form, not which
/// substance it is ("Remdesivir Anti-infective", "Axicabtagene Ciloleucel
/// Immunotherapy", "Plasma, Convalescent (Nonautologous)"): a word of these
/// names no substance of the table (plasma, a CAR-T cell in general).
const CLASS_WORDS: [&str; 40] = [
    "infective",
    "immunotherapy",
    "antineoplastic",
    "antibody",
    "monoclonal",
    "autotemcel",
    "autoleucel",
    "chimeric",
    "receptor",
    "antigen",
    "allogeneic",
    "autologous",
    "nonautologous",
    "immune",
    "effector",
    "therapy",
    "therapeutic",
    "substance",
    "technology",
    "other",
    "globulin",
    "engineered",
    "reversal",
    "agent",
    "coagulation",
    "factor",
    "inactivated",
    "human",
    "fibrinogen",
    "concentrate",
    "shelf",
    "stable",
    "intravenous",
    "pancreatic",
    "islet",
    "cellular",
    "suspension",
    "liposome",
    "immunomodulator",
    "plasma",
];

/// Whether a code is in a vein row of a New Technology table that gives a
/// substance: Introduction (XW0), Transfusion (XW1), Transfusion of
/// products of conception's kind (XW2), Peripheral (3) or Central Vein (4).
fn in_vein_row(key: &[u8]) -> bool {
    key.len() == 7
        && key.starts_with(b"XW")
        && matches!(key[2], b'0' | b'1' | b'2')
        && matches!(key[3], b'3' | b'4')
}

/// The words that name which substance a title's 6th character is: the
/// title's parts between its body part and "New Technology Group", without
/// the class words and the suffix letters of a nonproprietary name
/// ("Inebilizumab-cdon": "inebilizumab"; words under five letters).
fn substance_words(title: &str) -> Vec<String> {
    title
        .split(", ")
        .skip(1)
        .take_while(|s| !s.starts_with("New Technology Group"))
        .flat_map(index_words)
        .filter(|w| w.len() >= 5 && !is_soft_word(w) && !CLASS_WORDS.contains(&w.as_str()))
        .collect()
}

/// The points for the vein: the one the words say.
fn vein(key: &[u8], central: bool) -> f32 {
    if (key[3] == b'4') == central {
        VEIN
    } else {
        0.0
    }
}

impl Searcher<'_> {
    /// Points a New Technology (section X) code earns or loses: the
    /// substance the words name and its vein (`named_substance`); else
    /// none when the words name its technology, and `NEW_TECHNOLOGY` lost
    /// when they do not.
    pub(super) fn new_technology(&self, e: usize, key: &[u8]) -> f32 {
        match self.named_substance(e, key) {
            Some(points) => points,
            None if self.names_technology(e) => 0.0,
            None => -super::NEW_TECHNOLOGY,
        }
    }

    /// Points a New Technology code earns for the substance the words name
    /// (every word that names it matched by the query's), and for its vein;
    /// none when the words name no substance (`None`).
    fn named_substance(&self, e: usize, key: &[u8]) -> Option<f32> {
        // (Read once a search: a search ranks hundreds of these codes.)
        let named = self.with_x_words(e, |x| {
            let names = x.substance.as_deref()?;
            let said = self.said.get_or_init(|| self.said_words());
            Some(
                names
                    .iter()
                    .all(|&id| self.word_terms[id as usize] != 0 || said.contains(&id)),
            )
        })?;
        named.then(|| NAMED + vein(key, self.pcs_words.central))
    }

    /// What the bonus of a New Technology code reads of its title and place
    /// (read once, then kept: `Searcher::with_x_words`).
    pub(in crate::search::query) fn read_x_words(&self, e: usize) -> XWords {
        let ix = self.ix;
        let key = ix.keys.get(e);
        let title = ix.title(e);
        // A word naming the substance outside the vocabulary: no query names it.
        let substance = if in_vein_row(key.as_bytes()) {
            let ids: Option<Vec<u32>> = substance_words(title)
                .iter()
                .map(|w| self.vocab_id(w))
                .collect();
            ids.filter(|ids| !ids.is_empty()).map(Vec::into_boxed_slice)
        } else {
            None
        };
        let level = |k: Option<&str>| {
            k.and_then(|k| ix.find(System::Icd10Pcs, k))
                .map(|x| x as u32)
        };
        let levels = [level(Some(key)), level(key.get(..4)), level(key.get(..3))];
        // The body part: "Bypass of Radial Artery, Left, ...".
        let mut segments = title.split(", ");
        let head = segments.next().unwrap_or(title);
        let body = index_words(head.split_once(" of ").map_or(head, |(_, b)| b));
        // Its technology: the title's words between the body part and
        // "New Technology Group", sides aside.
        let technology: Vec<u32> = segments
            .take_while(|s| !s.starts_with("New Technology Group"))
            .flat_map(index_words)
            .filter(|w| !body.contains(w) && !is_soft_word(w))
            .filter_map(|w| self.vocab_id(&w))
            .collect();
        XWords {
            substance,
            levels,
            body: body.iter().filter_map(|w| self.vocab_id(w)).collect(),
            technology: technology.into_boxed_slice(),
        }
    }
}

impl Searcher<'_> {
    /// Whether the words name a New Technology code's technology: the PCS
    /// Index term that reached it (or its row or table) begins with a word
    /// of the query ("Inebilizumab-cdon XW0"), not only with the operation's
    /// or the device family's ("Intracardiac Pacemaker, Dual-Chamber" for a
    /// "dual chamber pacemaker"). A code found by its title alone is not
    /// named, nor one whose Index term begins with its body part ("Radial
    /// artery arteriovenous fistula, using Thermal Resistance Energy": the
    /// technology is the energy, not the artery); "new technology" names it.
    fn names_technology(&self, e: usize) -> bool {
        if self.pcs_words.new_technology {
            return true;
        }
        self.with_x_words(e, |x| self.names_technology_by(x))
    }

    /// `names_technology` of a New Technology code's words.
    fn names_technology_by(&self, x: &XWords) -> bool {
        let text = x
            .levels
            .iter()
            .enumerate()
            .filter_map(|(level, at)| Some((level, self.best_text[(*at)? as usize])))
            .find(|&(_, t)| t != u32::MAX);
        let Some((level, t)) = text.map(|(l, t)| (l, t as usize)) else {
            return false;
        };
        if TextKind::from_u8(self.ix.text_kind[t]) == TextKind::Title {
            return false;
        }
        let leads = self.ix.words[range(&self.ix.text_word_ends, t)]
            .first()
            .is_some_and(|&w| self.word_terms[w as usize] != 0 && !x.body.contains(&w));
        if !leads || level < 2 {
            return leads;
        }
        // An Index term for the whole table ("Radial artery arteriovenous
        // fistula, using Thermal Resistance Energy X2K") names a code of it
        // only through the code's technology: the title's words between the
        // body part and "New Technology Group", sides aside.
        x.technology
            .iter()
            .any(|&id| self.word_terms[id as usize] != 0)
    }

    /// The vocabulary words the query's words say, a phrase's own words and
    /// those of the phrases its synonym stands for ("brexucabtagene
    /// autoleucel"; "actemra": "tocilizumab"): a phrase's term matches a
    /// text by its phrases, not word by word.
    fn said_words(&self) -> Vec<u32> {
        let ix = self.ix;
        let mut out = Vec::new();
        for w in &self.pcs_words.words {
            out.extend(w.split(' ').filter_map(|x| self.vocab_id(x)));
            if let Some(k) = self.synonym_key(w) {
                for p in range(&ix.synonym_phrase_ends, k) {
                    out.extend(
                        ix.phrase_words[range(&ix.phrase_word_ends, p)]
                            .iter()
                            .filter(|&&x| x != u32::MAX),
                    );
                }
            }
        }
        out
    }
}

impl super::PcsWords {
    /// The words as every bonus but a New Technology code's reads them: the
    /// query's own words (`PcsWords::words`) are read only here, for section
    /// X, whose bonuses are never kept (`kept_bonus`). Typing a word changes
    /// them at every keystroke; what else the words say changes only when a
    /// word does.
    pub(in crate::search::query) fn for_kept_bonus(&self) -> super::PcsWords {
        let mut w = self.clone();
        w.words.clear();
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_substance_is_named_by_its_own_words_not_its_class() {
        assert_eq!(
            substance_words(
                "Introduction of Central Vein, Tocilizumab, New Technology Group 5, \
                 Percutaneous Approach"
            ),
            ["tocilizumab"]
        );
        assert_eq!(
            substance_words(
                "Introduction of Peripheral Vein, Axicabtagene Ciloleucel Immunotherapy, \
                 New Technology Group 7, Percutaneous Approach"
            ),
            ["axicabtagene", "ciloleucel"]
        );
        // The suffix of a nonproprietary name is no word to type.
        assert_eq!(
            substance_words(
                "Introduction of Peripheral Vein, Inebilizumab-cdon, New Technology Group 8, \
                 Percutaneous Approach"
            ),
            ["inebilizumab"]
        );
        // Plasma and a CAR-T cell in general name no substance of the table.
        assert_eq!(
            substance_words(
                "Transfusion of Peripheral Vein, Plasma, Convalescent (Nonautologous), \
                 New Technology Group 5, Percutaneous Approach"
            ),
            ["convalescent"]
        );
        assert!(
            substance_words(
                "Introduction of Central Vein, Engineered Chimeric Antigen Receptor T-cell \
                 Immunotherapy, Autologous, New Technology Group 7, Percutaneous Approach"
            )
            .is_empty()
        );
    }

    #[test]
    fn the_vein_is_central_only_when_said() {
        assert!(in_vein_row(b"XW043E5") && in_vein_row(b"XW13325"));
        // The mouth, a coronary artery: not a vein row.
        assert!(!in_vein_row(b"XW0DXM6") && !in_vein_row(b"XW0J3HA"));
        assert_eq!(vein(b"XW033E5", false), VEIN);
        assert_eq!(vein(b"XW043E5", false), 0.0);
        assert_eq!(vein(b"XW043E5", true), VEIN);
    }
}
