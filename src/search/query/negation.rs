//! "With" and "without" in a query against what a text says of the same word.

use super::Searcher;
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
