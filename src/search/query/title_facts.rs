//! What a code's title says that no query changes, read at the first search
//! that asks and kept for the searcher's life: the title tests of the
//! procedure bonus (`Searcher::pcs_bonus`) and the words of a New
//! Technology code (section X) its bonus matches the query's against.
//!
//! A keystroke that finishes a word changes what the words say of a
//! procedure, and then every code the search ranks has its bonus read
//! again: thousands at once when the best PCS tables are opened into their
//! codes. Without these, each read searched the title for its labels
//! (", Other ", "Cutaneous") and cut a New Technology title into words
//! again.

use super::Searcher;

/// Title facts of one entry, as bits (`READ`: the entry has been read).
pub(super) type Facts = u8;
const READ: Facts = 1;
/// ", Other " (an Administration's catch-all substance: "Other Hormone").
pub(super) const OTHER: Facts = 1 << 1;
/// "Cutaneous" (a Bypass to the skin: a stoma).
pub(super) const CUTANEOUS: Facts = 1 << 2;
/// "Internal Fixation".
pub(super) const INTERNAL_FIXATION: Facts = 1 << 3;

/// What a New Technology code's title and place give its bonus, as
/// vocabulary ids (a title word outside the vocabulary matches no query
/// word, so it is not kept, except where it decides alone).
#[derive(Debug, Default)]
pub(super) struct XWords {
    /// The words that name the code's substance (`substance_words`), or
    /// `None` when no query can name it: the code is no vein row of a
    /// substance table, its title names no substance, or a word naming it is
    /// outside the vocabulary.
    pub(super) substance: Option<Box<[u32]>>,
    /// The code itself, its row (four characters) and its table (three), as
    /// entries, each where the index has one.
    pub(super) levels: [Option<u32>; 3],
    /// The words of the title's body part ("Radial Artery").
    pub(super) body: Box<[u32]>,
    /// The title's words between its body part and "New Technology Group",
    /// less the body part's and the soft words: its technology.
    pub(super) technology: Box<[u32]>,
}

/// Title facts by entry, and New Technology words by entry.
#[derive(Debug, Default)]
pub(super) struct TitleFacts {
    facts: std::cell::RefCell<Vec<Facts>>,
    x_words: std::cell::RefCell<crate::fast_hash::FastMap<u32, XWords>>,
    /// Titles' labels of two words or more, read into words
    /// (`title_labels`), by entry.
    labels: std::cell::RefCell<crate::fast_hash::FastMap<u32, Vec<Vec<String>>>>,
    /// Titles' approach label shares (`approach_share`), by entry.
    shares: std::cell::RefCell<crate::fast_hash::FastMap<u32, f32>>,
}

/// The facts a title holds.
fn facts_of(title: &str) -> Facts {
    let mut f = READ;
    for (label, bit) in [
        (", Other ", OTHER),
        ("Cutaneous", CUTANEOUS),
        ("Internal Fixation", INTERNAL_FIXATION),
    ] {
        if super::substring::find(title, label).is_some() {
            f |= bit;
        }
    }
    f
}

impl Searcher<'_> {
    /// Whether an entry's title holds a fact (`OTHER`, `CUTANEOUS`,
    /// `INTERNAL_FIXATION`).
    pub(super) fn title_has(&self, e: usize, fact: Facts) -> bool {
        let mut facts = self.title_facts.facts.borrow_mut();
        if facts.len() != self.ix.entries() {
            *facts = vec![0; self.ix.entries()];
        }
        if facts[e] & READ == 0 {
            facts[e] = facts_of(self.ix.title(e));
        }
        facts[e] & fact != 0
    }

    /// The share of an entry's title's words its approach label has beyond
    /// two (`approach_share`; read once, then kept).
    pub(super) fn approach_share_of(&self, e: usize) -> f32 {
        *self
            .title_facts
            .shares
            .borrow_mut()
            .entry(e as u32)
            .or_insert_with(|| super::surgeon::approach_share(self.ix.title(e)))
    }

    /// Whether a label of an entry's title (`title_labels`: its labels of
    /// two words or more, read into words once, then kept) passes `held`.
    pub(super) fn any_title_label(&self, e: usize, held: &dyn Fn(&[String]) -> bool) -> bool {
        let mut kept = self.title_facts.labels.borrow_mut();
        kept.entry(e as u32)
            .or_insert_with(|| super::surgeon::title_labels(self.ix.title(e)))
            .iter()
            .any(|l| held(l))
    }

    /// `f` of the words a New Technology code's bonus reads (`XWords`,
    /// read once, then kept).
    pub(super) fn with_x_words<R>(&self, e: usize, f: impl FnOnce(&XWords) -> R) -> R {
        let mut kept = self.title_facts.x_words.borrow_mut();
        f(kept.entry(e as u32).or_insert_with(|| self.read_x_words(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_titles_facts_are_its_labels() {
        let other = "Introduction of Hormone into Muscle, Percutaneous Approach, Other Hormone";
        assert_eq!(facts_of(other), READ | OTHER);
        // "Other" must follow a comma: a value's own word is no fact.
        let named = "Introduction of Other Thrombolytic into Central Vein, Open Approach";
        assert_eq!(facts_of(named), READ);
        assert_eq!(
            facts_of("Bypass Ileum to Cutaneous, Open Approach"),
            READ | CUTANEOUS
        );
        // Case counts, as the labels are written: "Subcutaneous" is no stoma.
        assert_eq!(
            facts_of("Insertion of Infusion Device into Subcutaneous Tissue and Fascia"),
            READ
        );
        assert_eq!(
            facts_of("Reposition Right Radius with Internal Fixation Device, Open Approach"),
            READ | INTERNAL_FIXATION
        );
    }
}
