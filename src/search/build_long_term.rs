//! A long-term drug therapy found by the drug's name. The Tabular names
//! each Z79 code by a class of drug ("Z79.01 Long term (current) use of
//! anticoagulants", "Z79.2 ... of antibiotics"); a problem list names the
//! drug ("on warfarin long term"). The Table of Drugs and Chemicals files each
//! drug under the T code of its class ("Warfarin T45.511": T45.51 "...
//! anticoagulants"), so a drug whose T code (or an ancestor of it) has the
//! words of exactly one Z79 class in its title is a text of that Z79 code:
//! its name with the words "long term". A class the drug's T code shares
//! with another ("T38.3 ... insulin and oral hypoglycemic [antidiabetic]
//! drugs" holds Z79.4's and Z79.84's) answers only when the drug's own name
//! says which.
//!
//! Where no Z79 title's words are in the T code's titles, the Index's
//! "Long-term (current) drug therapy (use of)" names the class by a word
//! the Table of Drugs also lists: "Long-term, steroids, systemic Z79.52"
//! and "Steroid T38.0X1", the T code of "Prednisone", "Dexamethasone",
//! "Hydrocortisone". A subterm that names the class of its code's Tabular
//! title ("steroids": "Z79.52 ... systemic steroids"), not one member
//! ("hydroxyurea" of Z79.64 "myelosuppressive agent"), lends its class to
//! every drug of that T code, unless another subterm lends another. Of a
//! class's routes, "systemic" is the one of a drug of T36-T50 (T38.0
//! "glucocorticoids" excludes those "topically used (T49.-)"); another
//! ("inhaled") must be said.

use super::build_cm_index::children_of;
use super::builder::{Builder, TextB, split_parens};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::index::{IndexFile, IndexSource};
use crate::codeset::{Edition, IcdCm, NoteKind, code_key};
use std::collections::HashMap;

/// The words of a Z79 title before the class.
const HEAD: &str = "Long term (current) use of ";

/// Words that name no class.
const GENERIC: [&str; 4] = ["drugs", "drug", "and", "other"];

/// One Z79 class: the reportable code, its words, the parenthesized
/// abbreviation (as words), and its title.
struct Class {
    code: String,
    words: Vec<String>,
    abbreviation: Vec<String>,
}

fn class_words(text: &str) -> Vec<String> {
    index_words(text)
        .into_iter()
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .collect()
}

impl Builder {
    /// A text of each Z79 class's code for every drug the Table of Drugs
    /// files under that class.
    pub(super) fn add_long_term_drugs(&mut self, cm: &IcdCm, files: &[IndexFile]) {
        let edition = *Edition::ALL.last().unwrap_or(&Edition::ALL[0]);
        let mut classes: Vec<Class> = Vec::new();
        for (i, n) in cm.nodes.iter().enumerate() {
            let title = cm.title_in(i, edition);
            let Some(class) = title.strip_prefix(HEAD) else {
                continue;
            };
            if !n.code.starts_with("Z79") || !cm.children_in(i, edition).is_empty() {
                continue;
            }
            if !self
                .by_key
                .contains_key(&(System::Icd10Cm, code_key(&n.code)))
            {
                continue;
            }
            let (core, parens) = split_parens(class);
            classes.push(Class {
                code: n.code.clone(),
                words: class_words(&core),
                abbreviation: class_words(&parens),
            });
        }
        let by_t_code = index_classes(cm, edition, files);
        for file in files.iter().filter(|f| f.source == IndexSource::Drugs) {
            for term in file.terms.iter().filter(|t| t.level == 0) {
                let Some((_, t_code)) = term.cells.iter().find(|(c, _)| *c == 2) else {
                    continue;
                };
                let found = title_classes(cm, edition, &classes, t_code);
                let routes: Vec<(&str, Vec<String>)> = if found.is_empty() {
                    by_t_code
                        .get(t_key(t_code))
                        .map(|(_, routes)| {
                            let topical = t_code.starts_with("T49");
                            routes
                                .iter()
                                .filter(|(_, said)| !topical || !said.is_empty())
                                .map(|(code, said)| (code.as_str(), said.clone()))
                                .collect()
                        })
                        .unwrap_or_default()
                } else {
                    class_of(found, &term.title)
                        .map(|c| vec![(c.code.as_str(), Vec::new())])
                        .unwrap_or_default()
                };
                for (code, said) in routes {
                    let Some(&entry) = self.by_key.get(&(System::Icd10Cm, code_key(code))) else {
                        continue;
                    };
                    let mut core = index_words(&term.title);
                    core.extend(said);
                    core.extend(["long", "term"].map(str::to_string));
                    let label = format!(
                        "Table of Drugs: {} {t_code} → {code} {}",
                        term.title,
                        title_of(cm, edition, code)
                    );
                    self.push_long_term(entry, core, title_of(cm, edition, code), label);
                }
            }
        }
        self.add_long_term_inclusions(cm, edition);
    }

    /// A long-term use text: the drug's words and "long term" to be said,
    /// the code's title, "current", "use" and "chronic" that may be.
    fn push_long_term(&mut self, entry: u32, core: Vec<String>, title: &str, label: String) {
        let mut optional = index_words(title);
        optional.extend(["current", "use", "chronic"].map(str::to_string));
        self.texts.push(TextB {
            entry,
            kind: TextKind::InclusionTerm,
            core,
            optional,
            label,
            bonus: 0.0,
            column: 0,
        });
    }

    /// The Tabular's own drugs of a Z79 code ("Z79.631 ... antimetabolite
    /// agent: Long term (current) use of methotrexate"), typed as problem
    /// lists do ("chronic methotrexate use").
    fn add_long_term_inclusions(&mut self, cm: &IcdCm, edition: Edition) {
        for (i, n) in cm.nodes.iter().enumerate() {
            if !n.code.starts_with("Z79") || !cm.children_in(i, edition).is_empty() {
                continue;
            }
            let Some(&entry) = self.by_key.get(&(System::Icd10Cm, code_key(&n.code))) else {
                continue;
            };
            for note in n.notes.iter().filter(|x| x.kind == NoteKind::InclusionTerm) {
                let Some(drug) = note.text.strip_prefix(HEAD) else {
                    continue;
                };
                let mut core = index_words(drug);
                core.extend(["long", "term"].map(str::to_string));
                let label = format!("Inclusion term: {}", note.text);
                self.push_long_term(entry, core, cm.title_in(i, edition), label);
            }
        }
    }
}

/// A T code without its last character (the intent): "T38.0X".
fn t_key(t_code: &str) -> &str {
    let t = t_code.trim_end_matches('-');
    t.get(..t.len().saturating_sub(1)).unwrap_or(t)
}

/// A name's words with a plural "s" dropped, "NEC" left out ("Steroid" and
/// "steroids", "Anticoagulant NEC" and "anticoagulants").
fn singular_words(text: &str) -> Vec<String> {
    index_words(&split_parens(text).0)
        .into_iter()
        .filter(|w| w != "nec")
        .map(|w| match w.strip_suffix('s') {
            Some(stem) if stem.len() > 3 => stem.to_string(),
            _ => w,
        })
        .collect()
}

/// The Long-term Index's classes by the T code of the Table of Drugs term
/// of the same name: for each T code (without intent), the subterm's name
/// and its codes with the words that must be said for each.
type Routes = Vec<(String, Vec<String>)>;

fn index_classes(
    cm: &IcdCm,
    edition: Edition,
    files: &[IndexFile],
) -> HashMap<String, (String, Routes)> {
    let mut out: HashMap<String, (String, Routes)> = HashMap::new();
    let mut clashing: Vec<String> = Vec::new();
    let (Some(diseases), Some(drugs)) = (
        files.iter().find(|f| f.source == IndexSource::Diseases),
        files.iter().find(|f| f.source == IndexSource::Drugs),
    ) else {
        return out;
    };
    let children = children_of(diseases);
    let Some(main) = diseases
        .terms
        .iter()
        .position(|t| t.level == 0 && t.title.eq_ignore_ascii_case("long-term"))
    else {
        return out;
    };
    for &s in &children[main] {
        let sub = &diseases.terms[s as usize];
        let routes: Routes = match &sub.code {
            Some(code) => vec![(code.clone(), Vec::new())],
            None => children[s as usize]
                .iter()
                .filter_map(|&c| {
                    let t = &diseases.terms[c as usize];
                    let said = index_words(&t.title);
                    let said = if said == ["systemic"] {
                        Vec::new()
                    } else {
                        said
                    };
                    Some((t.code.clone()?, said))
                })
                .collect(),
        };
        let name = singular_words(&sub.title);
        // The subterm names the class its codes' titles name.
        let names_class = !name.is_empty()
            && routes.iter().all(|(code, _)| {
                let title = singular_words(title_of(cm, edition, code));
                name.iter().all(|w| title.contains(w))
            });
        if routes.is_empty() || !names_class {
            continue;
        }
        let Some(t_code) = drugs.terms.iter().find_map(|d| {
            (d.level == 0 && singular_words(&d.title) == name)
                .then(|| {
                    d.cells
                        .iter()
                        .find(|(c, _)| *c == 2)
                        .map(|(_, t)| t.clone())
                })
                .flatten()
        }) else {
            continue;
        };
        let key = t_key(&t_code).to_string();
        if out.get(&key).is_some_and(|(n, _)| *n != sub.title) {
            clashing.push(key);
            continue;
        }
        out.insert(key, (sub.title.clone(), routes));
    }
    for key in clashing {
        out.remove(&key);
    }
    out
}

fn title_of<'c>(cm: &'c IcdCm, edition: Edition, code: &str) -> &'c str {
    cm.node_of(code, edition)
        .map_or("", |n| cm.title_in(n, edition))
}

/// The classes whose words the drug's T code's titles (its own and its
/// ancestors') hold.
fn title_classes<'a>(
    cm: &IcdCm,
    edition: Edition,
    classes: &'a [Class],
    t_code: &str,
) -> Vec<&'a Class> {
    let Some(node) = cm.node_of(t_code, edition) else {
        return Vec::new();
    };
    let mut words: Vec<String> = Vec::new();
    for n in cm.lineage(node) {
        if !cm.nodes[n].code.starts_with('T') {
            break;
        }
        words.extend(index_words(cm.title_in(n, edition)));
    }
    let held = |c: &Vec<String>| !c.is_empty() && c.iter().all(|w| words.contains(w));
    classes
        .iter()
        .filter(|c| held(&c.words) || held(&c.abbreviation))
        .collect()
}

/// The one class the T code's titles hold; of several, the one the drug's
/// own name holds.
fn class_of<'a>(found: Vec<&'a Class>, drug: &str) -> Option<&'a Class> {
    match found.as_slice() {
        [one] => Some(one),
        [] => None,
        several => {
            let name = index_words(drug);
            let named: Vec<&&Class> = several
                .iter()
                .filter(|c| c.words.iter().any(|w| name.contains(w)))
                .collect();
            match named.as_slice() {
                [one] => Some(**one),
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::class_words;

    #[test]
    fn a_class_is_its_telling_words() {
        assert_eq!(class_words("anticoagulants"), ["anticoagulants"]);
        assert_eq!(
            class_words("oral hypoglycemic drugs"),
            ["oral", "hypoglycemic"]
        );
    }
}
