//! A named approach steers the ranking in every pass. PCS Definitions,
//! approach (5th character): the approach is how the site was reached,
//! "thoracoscopic", "laparoscopic" and "arthroscopic" are Percutaneous
//! Endoscopic (4) whatever else the words say. A pass that does not find
//! every word (the relaxed pass, the last resort) gathers the statically
//! best texts, the short titles first: the Open code of a row can be among
//! them while its Percutaneous Endoscopic sibling, whose title is longer,
//! is not ("thoracoscopic wedge resection of right upper lobe nodule": the
//! nodule is no word of any title, 0BBC0ZZ came and 0BBC4ZZ did not). So
//! each complete Medical and Surgical code ranked brings the code that
//! differs from it only in the approach the words name, when the tables
//! have that code, at the same score and the named approach's points.

use super::super::Searcher;
use super::super::rank::Ranked;
use super::PcsWords;
use crate::search::System;

impl PcsWords {
    /// The approach (5th character) the words name, not one they imply.
    pub(in crate::search::query) fn named_approach(&self) -> Option<u8> {
        self.approach.and_then(|(a, named)| named.then_some(a))
    }
}

impl Searcher<'_> {
    /// Adds to `ranked` the named approach's sibling of each complete
    /// Medical and Surgical code in it that no text of this search reached
    /// itself (one that did keeps its own score).
    pub(in crate::search::query) fn approach_siblings(&self, ranked: &mut Vec<Ranked>) {
        let Some(approach) = self.pcs_words.named_approach() else {
            return;
        };
        let mut siblings: Vec<Ranked> = Vec::new();
        for &(score, _, e, text) in ranked.iter() {
            if self.ix.system(e) != System::Icd10Pcs {
                continue;
            }
            let key = self.ix.keys.get(e).as_bytes();
            if key.len() != 7 || key[0] != b'0' || key[4] == approach {
                continue;
            }
            let mut sibling = [0u8; 7];
            sibling.copy_from_slice(key);
            sibling[4] = approach;
            let Some(x) = std::str::from_utf8(&sibling)
                .ok()
                .and_then(|k| self.ix.find(System::Icd10Pcs, k))
            else {
                continue;
            };
            if self.best[x] != f32::NEG_INFINITY || ranked.iter().any(|r| r.2 == x) {
                continue;
            }
            // The code's score and the named approach's points (not the
            // sibling's own bonus: a scope's long approach label earns
            // points for the words it costs a title's coverage, which the
            // score of the code's shorter title never lost).
            let s = score + super::APPROACH_NAMED;
            if !siblings.iter().any(|r| r.2 == x) {
                siblings.push((s, self.title_len(x), x, text));
            }
        }
        ranked.extend(siblings);
    }
}
