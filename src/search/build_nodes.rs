//! A lymphoma's nodes by the name a pathology report gives them. The
//! Tabular codes lymphomas (C81-C88) by region in the 5th character
//! ("C81.12 Nodular sclerosis Hodgkin lymphoma, intrathoracic lymph
//! nodes"), the regions of C77 ("C77.1 ... intrathoracic lymph nodes"); the
//! Neoplasm Table names the nodes in each ("lymph, gland, mediastinal
//! C77.1", "..., para-aortic C77.2", "..., axilla, axillary C77.3"). Each
//! lymphoma code's title text is given the node names of its region.

use super::builder::{Builder, split_parens};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::index::{IndexFile, IndexSource, index_code_key};
use std::collections::HashMap;

/// Words every region's title holds: they do not tell regions apart.
const GENERIC: [&str; 9] = [
    "secondary",
    "unspecified",
    "malignant",
    "neoplasm",
    "lymph",
    "nodes",
    "and",
    "of",
    "sites",
];

/// The lymphoma categories coded by node region.
fn is_lymphoma(key: &str) -> bool {
    key.len() == 5 && ("C81".."C89").contains(&&key[..3])
}

/// A title's region words: after its first ", " for a lymphoma ("...,
/// lymph nodes of head, face, and neck"), after "neoplasm of " for C77.
fn region_words(title: &str) -> Vec<String> {
    let tail = title
        .rsplit_once(" neoplasm of ")
        .map(|(_, t)| t)
        .or_else(|| title.split_once(", ").map(|(_, t)| t))
        .unwrap_or(title);
    index_words(tail)
        .into_iter()
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .collect()
}

impl Builder {
    /// Gives each lymphoma code's title the Neoplasm Table's node names of
    /// its region (the rows under "lymph, gland" whose Malignant Secondary
    /// cell is that region's C77 code).
    pub(super) fn add_node_regions(&mut self, files: &[IndexFile]) {
        // C77 code (key) -> the node names the Neoplasm Table files there.
        let mut names: HashMap<String, Vec<String>> = HashMap::new();
        for file in files.iter().filter(|f| f.source == IndexSource::Neoplasms) {
            for (i, term) in file.terms.iter().enumerate() {
                let path = file.path(i);
                let starts = |k: usize, w: &str| {
                    path.get(k)
                        .is_some_and(|p| p.to_ascii_lowercase().starts_with(w))
                };
                let under_gland = (0..path.len().saturating_sub(2))
                    .any(|k| starts(k, "lymph") && starts(k + 1, "gland"));
                if !under_gland {
                    continue;
                }
                for (_, cell) in &term.cells {
                    let Some(key) = index_code_key(cell) else {
                        continue;
                    };
                    if key.starts_with("C77") && key.len() == 4 {
                        let (core, _) = split_parens(&term.title);
                        names.entry(key).or_default().extend(index_words(&core));
                    }
                }
            }
        }
        // C77 region -> the lymphoma codes whose title names that region.
        let regions: Vec<(Vec<String>, &Vec<String>)> = names
            .iter()
            .filter_map(|(key, words)| {
                let &e = self.by_key.get(&(System::Icd10Cm, key.clone()))?;
                Some((region_words(&self.entries[e as usize].title), words))
            })
            .collect();
        let mut extra: HashMap<u32, Vec<String>> = HashMap::new();
        for (e, entry) in self.entries.iter().enumerate() {
            if entry.system != System::Icd10Cm || !is_lymphoma(&entry.key) {
                continue;
            }
            let own = region_words(&entry.title);
            let best = regions
                .iter()
                .map(|(r, words)| (r.iter().filter(|w| own.contains(w)).count(), words))
                .max_by_key(|(n, _)| *n);
            if let Some((n, words)) = best
                && n > 0
            {
                extra.insert(e as u32, (*words).clone());
            }
        }
        for text in self.texts.iter_mut() {
            if text.kind == TextKind::Title
                && let Some(words) = extra.get(&text.entry)
            {
                text.optional.extend(words.iter().cloned());
                text.optional.sort_unstable();
                text.optional.dedup();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_read_from_the_titles_end() {
        // Tabular C81.12 and C77.1 name the same region.
        assert_eq!(
            region_words("Nodular sclerosis Hodgkin lymphoma, intrathoracic lymph nodes"),
            vec!["intrathoracic"]
        );
        assert_eq!(
            region_words(
                "Secondary and unspecified malignant neoplasm of intrathoracic lymph nodes"
            ),
            vec!["intrathoracic"]
        );
        // C83.34 and C77.3: "axilla and upper limb".
        assert_eq!(
            region_words("Hodgkin lymphoma, unspecified, lymph nodes of head, face, and neck"),
            vec!["head", "face", "neck"]
        );
        assert_eq!(
            region_words("Diffuse large B-cell lymphoma, lymph nodes of axilla and upper limb"),
            vec!["axilla", "upper", "limb"]
        );
        assert!(is_lymphoma("C8112") && is_lymphoma("C8335"));
        assert!(!is_lymphoma("C811") && !is_lymphoma("C9100") && !is_lymphoma("C7711"));
    }
}
