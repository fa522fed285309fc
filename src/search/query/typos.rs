//! A typo in a word the synonym lists or the Index's morphology routes know
//! ("tonsilectomy", "schwanoma"): one edit on a word of five letters or more
//! still means what the word means.

use super::{Searcher, Term};
use crate::search::range;
use crate::search::text::osa_distance;

/// The shortest word a typo is forgiven in for a synonym or a route.
const TYPO_MIN: usize = 5;

/// Whether `typed` is `known` with one edit (a letter added, dropped,
/// changed, or two swapped), both words of [`TYPO_MIN`] letters or more.
pub(super) fn one_edit(typed: &str, known: &str) -> bool {
    let (t, k) = (typed.as_bytes(), known.as_bytes());
    t.len() >= TYPO_MIN
        && k.len() >= TYPO_MIN
        && t.len().abs_diff(k.len()) <= 1
        // The first letter as typed, or swapped with the second.
        && (t[0] == k[0] || (t[0] == k[1] && t[1] == k[0]))
        && typed != known
        && osa_distance(typed.as_bytes(), known.as_bytes(), 1).is_some()
}

/// Endings that name a kind of condition or operation: two words of one
/// stem with different endings of these are different things
/// ("diverticulosis" is not "diverticulitis", "spondylosis" not
/// "spondylitis", "arthrosis" not "arthritis").
const KIND_ENDINGS: [&str; 10] = [
    "itis", "osis", "oma", "emia", "pathy", "algia", "ectomy", "otomy", "ostomy", "plasty",
];

/// Whether `typed` and `known` end in different kind endings.
pub(super) fn other_condition(typed: &str, known: &str) -> bool {
    let ending = |w: &str| KIND_ENDINGS.iter().find(|e| w.ends_with(*e));
    matches!((ending(typed), ending(known)), (Some(a), Some(b)) if a != b)
}

impl Searcher<'_> {
    /// The positions (bits) in a text's words of the first phrase all of
    /// whose words it holds, or 0.
    pub(super) fn phrase_positions(&self, phrases: &[Vec<u32>], ws: &[u32]) -> u64 {
        for phrase in phrases {
            let mut m = 0u64;
            let all = phrase.iter().all(|x| match ws.iter().position(|w| w == x) {
                Some(p) if p < 64 => {
                    m |= 1 << p;
                    true
                }
                _ => false,
            });
            if all {
                return m;
            }
        }
        0
    }

    /// A stop word typed in capitals that the synonym list knows is the
    /// abbreviation, not the word ("AS": aortic stenosis; "as" is dropped).
    pub(super) fn capitalised_abbreviation(&self, token: &str) -> Option<String> {
        let lower = token.to_ascii_lowercase();
        (token.len() >= 2
            && token.bytes().all(|b| b.is_ascii_uppercase())
            && crate::search::text::is_stop_word(&lower)
            && self.synonym_key(&lower).is_some())
        .then_some(lower)
    }

    /// A term with no word of its own in the vocabulary takes the synonyms
    /// of the words one edit away ("tonsilectomy": "tonsillectomy", which
    /// stands for "resection tonsils").
    pub(super) fn typo_synonyms(&self, t: &mut Term) {
        if t.exact.is_some() || !t.phrases.is_empty() || t.len < TYPO_MIN {
            return;
        }
        for &(id, _) in &t.fuzzy {
            let word = self.ix.vocab.get(id as usize);
            if !one_edit(&t.word, word) {
                continue;
            }
            let Some(k) = self.synonym_key(word) else {
                continue;
            };
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
    }
}

#[cfg(test)]
mod tests {
    use super::one_edit;

    #[test]
    fn different_kind_endings_are_different_conditions() {
        use super::other_condition;
        assert!(other_condition("diverticulosis", "diverticulitis"));
        assert!(other_condition("spondylosis", "spondylitis"));
        assert!(!other_condition("pancreatic", "pancreas"));
        assert!(!other_condition("diverticulosis", "diverticulosis"));
        assert!(!other_condition("arthritis", "arthritic"));
    }

    #[test]
    fn one_edit_on_words_of_five_letters_or_more() {
        assert!(one_edit("tonsilectomy", "tonsillectomy"));
        assert!(one_edit("schwanoma", "schwannoma"));
        assert!(one_edit("carcnioma", "carcinoma"));
        assert!(!one_edit("carcinoma", "carcinoma"));
        assert!(!one_edit("tonslectomy", "tonsillectomy"));
        assert!(!one_edit("mass", "mast"));
    }
}
