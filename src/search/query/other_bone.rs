//! A bone the words name is the bone of the code. The Tabular codes a
//! fracture by its bone first (S42.2- "Fracture of upper end of humerus",
//! S72.0- "Fracture of head and neck of femur", S52.0- "Fracture of upper
//! end of ulna", "olecranon process ... of ulna"), and the Index reaches it
//! the same way ("Fracture, traumatic, humerus, upper end, articular head";
//! "Fracture, traumatic, ulna, upper end, olecranon process"): a code whose
//! title names another bone and not the one typed ("humeral head fracture"
//! matching S72.05- "Unspecified fracture of head of left femur" on "head",
//! "fracture", "left") is never the answer, however many other words it has.

use super::{Searcher, Term};
use crate::search::System;
use crate::search::text::index_words;

/// Points an ICD-10-CM code loses when its title names a bone, and none of
/// the bones the words name.
const OTHER_BONE: f32 = 20.0;

/// The bones the Tabular's fracture titles name (S12-S92, M80, M84), each
/// by the noun its titles use and the words a note names it by (the
/// adjective; the olecranon is the ulna's: S52.0- "Fracture of upper end of
/// ulna").
const BONES: [&[&str]; 16] = [
    &["femur", "femoral"],
    &["humerus", "humeral"],
    &["radius", "radial"],
    &["ulna", "ulnar", "olecranon"],
    &["tibia", "tibial"],
    &["fibula", "fibular"],
    &["patella", "patellar"],
    &["clavicle", "clavicular"],
    &["scapula", "scapular"],
    &["calcaneus", "calcaneal"],
    &["talus", "talar"],
    &["sacrum", "sacral"],
    &["coccyx", "coccygeal"],
    &["mandible", "mandibular"],
    &["sternum", "sternal"],
    &["metacarpal", "metacarpals"],
];

/// The bones (their places in `BONES`, as bits) some of these words name.
fn bones_of<'w>(words: impl IntoIterator<Item = &'w str>) -> u32 {
    words.into_iter().fold(0, |m, w| {
        BONES
            .iter()
            .position(|names| names.contains(&w))
            .map_or(m, |i| m | 1 << i)
    })
}

impl Searcher<'_> {
    /// The bones the query's words name (bits; 0 when none).
    pub(super) fn named_bones(terms: &[Term]) -> u32 {
        bones_of(terms.iter().flat_map(|t| t.word.split(' ')))
    }

    /// Points an ICD-10-CM code loses for naming another bone than the
    /// words' (`bones`, from `named_bones`).
    pub(super) fn other_bone(&self, e: usize, bones: u32) -> f32 {
        if bones == 0 || self.ix.system(e) != System::Icd10Cm {
            return 0.0;
        }
        let words = index_words(self.ix.title(e));
        let named = bones_of(words.iter().map(String::as_str));
        if named != 0 && named & bones == 0 {
            OTHER_BONE
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bones_of;

    fn of(s: &str) -> u32 {
        bones_of(s.split(' '))
    }

    #[test]
    fn a_bone_is_named_by_its_noun_or_its_adjective() {
        assert_eq!(of("humeral head fracture left"), of("humerus"));
        assert_ne!(of("humerus"), of("femur"));
        // The olecranon is the ulna's.
        assert_eq!(of("olecranon"), of("ulna"));
        assert_eq!(of("fracture of head of left femur"), of("femoral"));
        assert_eq!(of("trimalleolar fracture of left lower leg"), 0);
    }

    #[test]
    fn a_title_naming_the_typed_bone_keeps_its_place() {
        let typed = of("olecranon fracture");
        let title = of("displaced fracture of olecranon process of left ulna");
        assert_ne!(typed & title, 0);
        let femur = of("displaced articular fracture of head of left femur");
        assert_eq!(typed & femur, 0);
    }
}
