//! A morphology whose own Index entry lists the site: the Index answers by
//! that subterm, not by the Neoplasm Table. "Insulinoma, pancreas, benign
//! D13.7 / malignant C25.4" and "Insulinoma, specified site — see Neoplasm,
//! by site": the reference is for a site the entry does not list, so an
//! insulinoma of the pancreas is D13.7 (Benign neoplasm of endocrine
//! pancreas), not the Neoplasm Table's pancreas row (D13.6). The same holds
//! for "Carcinoma, islet cell, pancreas C25.4", "Gastrinoma, malignant,
//! pancreas C25.4", "Glucagonoma, pancreas, benign D13.7" and every other
//! morphology the Index codes at a named site.

use super::{Searcher, partition};
use crate::search::text::index_words;
use crate::search::{TextKind, range};

/// At most this many texts of the rarest word are read for the entry.
const LOOK_AT: usize = 2_000;

/// Whether two words are one: the same, or the same stem of six letters or
/// more ("pancreatic" is the Index's "pancreas").
fn same_word(a: &str, b: &str) -> bool {
    a == b || a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count() >= 6
}

/// The words of a behavior subterm after the site ("Insulinoma, pancreas,
/// benign"): the site is the path's last part but these. Not "in situ": a
/// "Carcinoma-in-situ, lobular, breast" is no answer for an invasive one.
fn is_behavior(w: &str) -> bool {
    matches!(
        w,
        "benign" | "malignant" | "uncertain" | "behavior" | "secondary" | "primary"
    )
}

impl Searcher<'_> {
    /// Whether the Index to Diseases has, under the morphology `key` (its
    /// words, in any order, in the path's first terms), a subterm whose words
    /// are all among the query's site words (`sites`: the words the
    /// morphology did not take) and that carries a code; the path's other
    /// words are all typed (`typed`: the query's words) or a behavior
    /// ("Carcinoma, lobular, noninfiltrating, breast D05.0-" is not the
    /// answer for an invasive lobular carcinoma of the breast).
    pub(super) fn morphology_names_site(&self, key: &str, sites: &[&str], typed: &[&str]) -> bool {
        let key_words: Vec<&str> = key.split(' ').collect();
        if sites.is_empty() || key_words.is_empty() {
            return false;
        }
        // The rarest of the key's words in the vocabulary leads.
        let Some(lead) = key_words
            .iter()
            .filter_map(|w| self.vocab_id(w))
            .min_by_key(|&id| self.postings(id).len())
        else {
            return false;
        };
        // The vocabulary's words for each site word (its first six letters).
        let v = &self.ix.vocab;
        let site_ids: Vec<(u32, u32)> = sites
            .iter()
            .map(|s| {
                let stem = s.get(..6).unwrap_or(s);
                let lo = partition(v.len(), |i| v.get(i) < stem);
                let hi = lo + partition(v.len() - lo, |i| v.get(lo + i).starts_with(stem));
                (lo as u32, hi as u32)
            })
            .collect();
        self.postings(lead).iter().take(LOOK_AT).any(|&t| {
            let t = t as usize;
            if TextKind::from_u8(self.ix.text_kind[t]) != TextKind::IndexSub
                || !self.ix.words[range(&self.ix.text_word_ends, t)]
                    .iter()
                    .any(|&w| site_ids.iter().any(|&(lo, hi)| lo <= w && w < hi))
            {
                return false;
            }
            let label = self.ix.text_labels.get(t);
            let Some(path) = label.strip_prefix("Index: ") else {
                return false;
            };
            // A "see" reference is the route itself, not a code of the entry.
            if path.contains("(see ") {
                return false;
            }
            let parts: Vec<Vec<String>> = path.split(" > ").map(index_words).collect();
            // A part after the main term naming the site, followed by no
            // more than a behavior, the morphology's words in the others
            // ("Insulinoma > pancreas > benign" for the key "insulinoma
            // benign"; not "Carcinoma > mucoid > cell > unspecified site",
            // nor a morphology named for its cell, "Carcinoma > renal cell").
            (1..parts.len()).any(|i| {
                !parts[i].is_empty()
                    && !parts[i].iter().any(|w| w == "cell" || w == "cells")
                    && parts[i + 1..].iter().flatten().all(|w| is_behavior(w))
                    && parts[i]
                        .iter()
                        .all(|w| sites.iter().any(|s| same_word(w, s)))
                    && parts
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| j != i)
                        .flat_map(|(_, p)| p.iter())
                        .all(|w| is_behavior(w) || typed.contains(&w.as_str()))
                    && key_words.iter().all(|k| {
                        parts
                            .iter()
                            .enumerate()
                            .any(|(j, p)| j != i && p.iter().any(|w| w == k))
                    })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::same_word;

    #[test]
    fn a_site_adjective_is_the_index_noun() {
        assert!(same_word("pancreatic", "pancreas"));
        assert!(same_word("pancreas", "pancreas"));
        assert!(!same_word("renal", "rectum"));
        assert!(!same_word("colon", "colic"));
    }

    #[test]
    fn only_a_behavior_follows_the_site() {
        assert!(super::is_behavior("benign"));
        assert!(!super::is_behavior("unspecified"));
    }
}
