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

use super::builder::{Builder, TextB, split_parens};
use super::text::index_words;
use super::{System, TextKind};
use crate::codeset::index::{IndexFile, IndexSource};
use crate::codeset::{Edition, IcdCm, code_key};

/// The words of a Z79 title before the class.
const HEAD: &str = "Long term (current) use of ";

/// Words that name no class.
const GENERIC: [&str; 4] = ["drugs", "drug", "and", "other"];

/// One Z79 class: the reportable code, its words, the parenthesized
/// abbreviation (as words), and its title.
struct Class {
    entry: u32,
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
            let Some(&entry) = self.by_key.get(&(System::Icd10Cm, code_key(&n.code))) else {
                continue;
            };
            let (core, parens) = split_parens(class);
            classes.push(Class {
                entry,
                code: n.code.clone(),
                words: class_words(&core),
                abbreviation: class_words(&parens),
            });
        }
        for file in files.iter().filter(|f| f.source == IndexSource::Drugs) {
            for term in file.terms.iter().filter(|t| t.level == 0) {
                let Some((_, t_code)) = term.cells.iter().find(|(c, _)| *c == 2) else {
                    continue;
                };
                let Some(class) = class_of(cm, edition, &classes, t_code, &term.title) else {
                    continue;
                };
                let name = index_words(&term.title);
                let mut core = name.clone();
                core.extend(["long", "term"].map(str::to_string));
                let mut optional = index_words(title_of(cm, edition, &class.code));
                optional.extend(["current", "use", "chronic"].map(str::to_string));
                self.texts.push(TextB {
                    entry: class.entry,
                    kind: TextKind::InclusionTerm,
                    core,
                    optional,
                    label: format!(
                        "Table of Drugs: {} {t_code} → {} {}",
                        term.title,
                        class.code,
                        title_of(cm, edition, &class.code)
                    ),
                    bonus: 0.0,
                    column: 0,
                });
            }
        }
    }
}

fn title_of<'c>(cm: &'c IcdCm, edition: Edition, code: &str) -> &'c str {
    cm.node_of(code, edition)
        .map_or("", |n| cm.title_in(n, edition))
}

/// The one class whose words the drug's T code's titles (its own and its
/// ancestors') hold; of several, the one the drug's own name holds.
fn class_of<'a>(
    cm: &IcdCm,
    edition: Edition,
    classes: &'a [Class],
    t_code: &str,
    drug: &str,
) -> Option<&'a Class> {
    let node = cm.node_of(t_code, edition)?;
    let mut words: Vec<String> = Vec::new();
    for n in cm.lineage(node) {
        if !cm.nodes[n].code.starts_with('T') {
            break;
        }
        words.extend(index_words(cm.title_in(n, edition)));
    }
    let held = |c: &Vec<String>| !c.is_empty() && c.iter().all(|w| words.contains(w));
    let found: Vec<&Class> = classes
        .iter()
        .filter(|c| held(&c.words) || held(&c.abbreviation))
        .collect();
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
