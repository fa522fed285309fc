//! A history code found by another name of its condition. The Index lists
//! a history by one name of the condition ("History, personal, kidney
//! stones Z87.442"); that name is an Index entry of the condition
//! ("Stone(s), kidney N20.0"), and the condition's code has other names: its
//! Tabular inclusion terms ("N20.0 Calculus of kidney: Nephrolithiasis NOS,
//! Renal stone, Staghorn calculus") and the Index main terms coded to it
//! ("Nephrosis, nephrotic N04.9" for "History, personal, nephrotic syndrome
//! Z87.441"; "Stroke I63.9" for "History, personal, prolonged reversible
//! ischemic neurologic deficit Z86.73"), and the kinds the condition's main
//! term lists in the same Tabular category ("Thrombosis, vein, deep
//! I82.40-" beside "Thrombosis I82.90" for "History, personal, thrombosis
//! Z86.718"). Each is a text of the history code: "history of
//! nephrolithiasis" is Z87.442, "history of deep vein thrombosis" Z86.718.

use super::build_cm_index::children_of;
use super::builder::{Builder, TextB, split_parens};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::index::{IndexFile, IndexSource, index_code_key};
use crate::codeset::{Edition, IcdCm, NoteKind};
use std::collections::HashMap;

/// A name's words, sorted, with plurals made singular and "NEC"/"NOS" left
/// out ("kidney stones" and "Stone(s), kidney" are one name).
fn name_key(text: &str) -> Vec<String> {
    let mut out: Vec<String> = index_words(&split_parens(text).0)
        .into_iter()
        .filter(|w| w != "nec" && w != "nos" && w != "of")
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() > 3 => stem.to_string(),
            _ => w,
        })
        .collect();
    out.sort_unstable();
    out
}

/// The first part of a main term's title ("Nephrosis" of "Nephrosis,
/// nephrotic").
fn first_part(title: &str) -> &str {
    title.split(',').next().unwrap_or(title)
}

/// The kinds of the condition its main term lists in the same category
/// ("Thrombosis, vein, deep I82.40-" beside "Thrombosis I82.90";
/// "Stone(s), urinary N20.9" beside "Stone(s), kidney N20.0"), two levels
/// down, as names.
fn same_category_kinds(
    file: &IndexFile,
    children: &[Vec<u32>],
    main: usize,
    key: &str,
) -> Vec<String> {
    let main_name = first_part(&file.terms[main].title);
    let mut out = Vec::new();
    let mut stack: Vec<(usize, String)> = children[main]
        .iter()
        .map(|&c| (c as usize, main_name.to_string()))
        .collect();
    while let Some((t, above)) = stack.pop() {
        let term = &file.terms[t];
        let name = format!("{above} {}", split_parens(&term.title).0);
        if term.level < 2 {
            stack.extend(children[t].iter().map(|&c| (c as usize, name.clone())));
        }
        let same_category = term
            .code
            .as_deref()
            .and_then(index_code_key)
            .is_some_and(|k| k.get(..3) == key.get(..3));
        if same_category && term.see.is_none() {
            out.push(name);
        }
    }
    out
}

impl Builder {
    /// Each other name of a condition the Index's "History, personal" and
    /// "History, family" name, as a text of the history code.
    pub(super) fn add_history_other_names(&mut self, cm: &IcdCm, files: &[IndexFile]) {
        let Some(file) = files.iter().find(|f| f.source == IndexSource::Diseases) else {
            return;
        };
        let edition = *Edition::ALL.last().unwrap_or(&Edition::ALL[0]);
        // Conditions by the words of a main term and one subterm; main
        // terms by their code.
        let mut by_name: HashMap<Vec<String>, (&str, usize)> = HashMap::new();
        let children = children_of(file);
        let mut mains: HashMap<String, Vec<&str>> = HashMap::new();
        for (i, t) in file.terms.iter().enumerate() {
            let (Some(code), true) = (t.code.as_deref(), t.level <= 1) else {
                continue;
            };
            let main = t.parent.map_or(i, |p| p as usize);
            let name = if t.level == 0 { "" } else { t.title.as_str() };
            let words = name_key(&format!("{} {name}", first_part(&file.terms[main].title)));
            by_name.entry(words).or_insert((code, main));
            if t.level == 0
                && let Some(key) = index_code_key(code)
            {
                mains.entry(key).or_default().push(first_part(&t.title));
            }
        }
        for (i, h) in file.terms.iter().enumerate() {
            let path = file.path(i);
            let (Some(z), [main, kind, condition]) = (h.code.as_deref(), path.as_slice()) else {
                continue;
            };
            let family = *kind == "family";
            if *main != "History" || !(family || *kind == "personal") || !z.starts_with('Z') {
                continue;
            }
            let said = name_key(condition);
            let Some(&(code, main)) = by_name.get(&said).filter(|c| !c.0.starts_with('Z')) else {
                continue;
            };
            let (Some(key), Some(z_key)) = (index_code_key(code), index_code_key(z)) else {
                continue;
            };
            let Some(&entry) = self.by_key.get(&(System::Icd10Cm, z_key)) else {
                continue;
            };
            let mut names: Vec<String> = mains
                .get(&key)
                .map(|m| m.iter().map(|s| s.to_string()).collect())
                .unwrap_or_default();
            if let Some(n) = cm.node_of(code, edition) {
                names.extend(
                    cm.nodes[n]
                        .notes
                        .iter()
                        .filter(|x| x.kind == NoteKind::InclusionTerm)
                        .map(|x| x.text.clone()),
                );
            }
            names.extend(same_category_kinds(file, &children, main, &key));
            let history = self.entries[entry as usize].title.clone();
            for name in names {
                let key = name_key(&name);
                if key.is_empty() || key.iter().all(|w| said.contains(w)) {
                    continue;
                }
                let mut core = vec!["history".to_string()];
                if family {
                    core.push("family".to_string());
                }
                core.extend(
                    index_words(&split_parens(&name).0)
                        .into_iter()
                        .filter(|w| w != "nos"),
                );
                let mut optional = vec!["personal".to_string()];
                optional.extend(index_words(&history));
                self.texts.push(TextB {
                    entry,
                    kind: TextKind::IndexSub,
                    core,
                    optional,
                    label: format!(
                        "Index: History > {kind} > {condition} {z}; {code} {}: {name}",
                        cm.node_of(code, edition)
                            .map_or("", |n| cm.title_in(n, edition))
                    ),
                    bonus: 0.0,
                    column: 0,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::name_key;

    #[test]
    fn a_name_is_its_words_in_any_order_and_number() {
        assert_eq!(name_key("kidney stones"), name_key("Stone(s) kidney"));
        assert_eq!(name_key("Nephrolithiasis NOS"), name_key("nephrolithiasis"));
        assert_eq!(name_key("Stroke NOS").len(), 1);
    }
}
