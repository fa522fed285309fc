//! A history code found by the condition's own words. The Tabular says
//! which conditions each family history (Z80-Z84) and personal history of a
//! malignant neoplasm (Z85) holds: "Z80.0 Family history of malignant
//! neoplasm of digestive organs — Conditions classifiable to C15-C26". A
//! coder types the condition ("family history of pancreatic cancer", "FH
//! CAD"), not the group: each category the note names (C25 "Malignant
//! neoplasm of pancreas") is a text of the history code, with the history
//! words of its title.

use super::builder::{Builder, TextB, split_parens};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::{Edition, IcdCm, NodeKind, NoteKind, code_key};
use std::collections::HashMap;

/// The note's words before its code list.
const NOTE_HEADS: [&str; 2] = [
    "Conditions classifiable elsewhere in ",
    "Conditions classifiable to ",
];

/// Words a sibling shares with every condition of its group: they do not
/// tell which child holds a category.
const GENERIC: [&str; 10] = [
    "malignant",
    "neoplasm",
    "neoplasms",
    "of",
    "and",
    "other",
    "unspecified",
    "diseases",
    "disease",
    "disorders",
];

/// One piece of a note's code list: "C15-C26" (first, last) or "C50.-"
/// (the same code twice), without dots.
fn pieces(list: &str) -> Vec<(String, String)> {
    list.split([',', ';'])
        .filter_map(|p| {
            let p = p.trim();
            // "Q00-Q89 that have been repaired": the codes come first.
            let p = p.split_whitespace().next()?;
            let p = p.trim_end_matches(['-', '.']);
            let (a, b) = p.split_once('-').unwrap_or((p, p));
            let (a, b) = (code_key(a), code_key(b));
            let ok = |k: &str| k.len() >= 3 && k.as_bytes()[0].is_ascii_uppercase() && k.is_ascii();
            (ok(&a) && ok(&b)).then_some((a, b))
        })
        .collect()
}

/// A code (without dot) inside a piece: its first characters at or after
/// the first code's, at or before the last code's.
fn within(key: &str, (a, b): &(String, String)) -> bool {
    let head = |n: usize| &key[..n.min(key.len())];
    key.len() >= a.len() && head(a.len()) >= a.as_str() && head(b.len()) <= b.as_str()
}

/// A note of a history code: the code it names the conditions for, the
/// code list, and how many categories the list holds (the narrowest wins).
struct HistoryNote {
    node: usize,
    list: String,
    pieces: Vec<(String, String)>,
    family: bool,
}

impl Builder {
    /// Each condition a history code's "Conditions classifiable to" note
    /// names, as a text of the history code (Z80-Z85).
    pub(super) fn add_history_conditions(&mut self, cm: &IcdCm) {
        let edition = *Edition::ALL.last().unwrap_or(&Edition::ALL[0]);
        let notes = history_notes(cm);
        if notes.is_empty() {
            return;
        }
        // Categories (and the notes' longer codes, "C7A.022") by key.
        let conditions: Vec<(usize, String)> = cm
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Code && !n.code.starts_with('Z'))
            .map(|(i, n)| (i, code_key(&n.code)))
            .collect();
        // Each condition goes to the narrowest note of each kind (family,
        // personal) that holds it: "F10" to Z81.1, not Z81.8's "elsewhere in
        // F01-F99".
        let mut best: HashMap<(usize, bool), (usize, usize)> = HashMap::new();
        for (k, note) in notes.iter().enumerate() {
            let depth = note.pieces.iter().map(|p| p.0.len()).max().unwrap_or(3);
            let held: Vec<usize> = conditions
                .iter()
                .filter(|(_, key)| key.len() == depth && note.pieces.iter().any(|p| within(key, p)))
                .map(|(i, _)| *i)
                .collect();
            for &c in &held {
                let slot = best.entry((c, note.family)).or_insert((k, usize::MAX));
                if held.len() < slot.1 {
                    *slot = (k, held.len());
                }
            }
        }
        let mut chosen: Vec<((usize, bool), (usize, usize))> = best.into_iter().collect();
        chosen.sort_unstable();
        for ((c, _), (k, _)) in chosen {
            let note = &notes[k];
            let Some(target) = holder(cm, note.node, c, edition) else {
                continue;
            };
            let Some(&entry) = self
                .by_key
                .get(&(System::Icd10Cm, code_key(&cm.nodes[target].code)))
            else {
                continue;
            };
            let history = cm.title_in(target, edition);
            let head = history.split(" of ").next().unwrap_or(history);
            let condition = cm.title_in(c, edition);
            let (core, optional) = split_parens(condition);
            let mut text_core = index_words(head);
            text_core.extend(index_words(&core));
            let mut text_optional = index_words(&optional);
            // The category's own children name it the way notes do
            // ("F32.A Depression, unspecified" under "F32 Depressive episode").
            for &child in &cm.nodes[c].children {
                text_optional.extend(index_words(cm.title_in(child, edition)));
            }
            text_optional.extend(index_words(history));
            text_optional.sort_unstable();
            text_optional.dedup();
            self.texts.push(TextB {
                entry,
                kind: TextKind::InclusionTerm,
                core: text_core,
                optional: text_optional,
                label: format!(
                    "Tabular: {} conditions classifiable to {}: {} {condition}",
                    cm.nodes[note.node].code, note.list, cm.nodes[c].code
                ),
                bonus: 0.0,
                column: 0,
            });
        }
    }
}

/// The "Conditions classifiable to" notes of Z80-Z85.
fn history_notes(cm: &IcdCm) -> Vec<HistoryNote> {
    let mut out = Vec::new();
    for (i, n) in cm.nodes.iter().enumerate() {
        if n.kind != NodeKind::Code || !("Z80".."Z86").contains(&&n.code[..n.code.len().min(3)]) {
            continue;
        }
        for note in n.notes.iter().filter(|x| x.kind == NoteKind::InclusionTerm) {
            let Some(list) = NOTE_HEADS
                .iter()
                .find_map(|h| note.text.trim().strip_prefix(h))
            else {
                continue;
            };
            let pieces = pieces(list);
            if !pieces.is_empty() {
                out.push(HistoryNote {
                    node: i,
                    list: list.trim().to_string(),
                    pieces,
                    family: n.title.starts_with("Family history"),
                });
            }
        }
    }
    out
}

/// The reportable code a condition goes to: the note's own code when it
/// has no children; else the child whose title shares the condition's
/// telling words ("Z80.41 ... ovary" for C56 "Malignant neoplasm of ovary"),
/// else the child for the rest ("Z82.49 ... and other diseases of the
/// circulatory system", "Z80.49 ... other genital organs"), descending
/// until a code without children.
fn holder(cm: &IcdCm, mut node: usize, condition: usize, edition: Edition) -> Option<usize> {
    let telling: Vec<String> = index_words(cm.title_in(condition, edition))
        .into_iter()
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .collect();
    loop {
        let children = cm.children_in(node, edition);
        if children.is_empty() {
            return Some(node);
        }
        let parent = cm.title_in(node, edition);
        let shared = |c: usize| {
            index_words(cm.title_in(c, edition))
                .iter()
                .filter(|w| telling.contains(w) && !GENERIC.contains(&w.as_str()))
                .count()
        };
        let best = children
            .iter()
            .copied()
            .max_by_key(|&c| (shared(c), std::cmp::Reverse(c)))?;
        node = if shared(best) > 0 {
            best
        } else {
            // The rest: the child titled as its parent, else an "other" child.
            *children
                .iter()
                .find(|&&c| cm.title_in(c, edition) == parent)
                .or_else(|| {
                    children
                        .iter()
                        .rev()
                        .find(|&&c| cm.title_in(c, edition).contains(" other "))
                })?
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notes_code_list_reads_ranges_and_categories() {
        // Z80.0 "Conditions classifiable to C15-C26"; Z82.4 "I00-I5A,
        // I65-I99"; Z80.3 "C50.-"; Z87.7 "Q00-Q89 that have been repaired".
        assert_eq!(pieces("C15-C26"), vec![("C15".into(), "C26".into())]);
        assert_eq!(
            pieces("I00-I5A, I65-I99"),
            vec![("I00".into(), "I5A".into()), ("I65".into(), "I99".into())]
        );
        assert_eq!(pieces("C50.-"), vec![("C50".into(), "C50".into())]);
        assert_eq!(
            pieces("Q00-Q89 that have been repaired or corrected"),
            vec![("Q00".into(), "Q89".into())]
        );
        assert_eq!(
            pieces("C7A.022-C7A.025, C7A.029"),
            vec![
                ("C7A022".into(), "C7A025".into()),
                ("C7A029".into(), "C7A029".into())
            ]
        );
    }

    #[test]
    fn a_code_is_within_a_range_by_its_first_characters() {
        let digestive = ("C15".to_string(), "C26".to_string());
        assert!(within("C25", &digestive));
        assert!(within("C15", &digestive) && within("C26", &digestive));
        assert!(!within("C27", &digestive) && !within("C14", &digestive));
        // I5A sorts after I50-I59: heart failure is circulatory, I60 is not.
        let circulatory = ("I00".to_string(), "I5A".to_string());
        assert!(within("I50", &circulatory) && within("I5A", &circulatory));
        assert!(!within("I60", &circulatory));
        let carcinoid = ("C7A022".to_string(), "C7A025".to_string());
        assert!(within("C7A024", &carcinoid) && !within("C7A026", &carcinoid));
    }
}
