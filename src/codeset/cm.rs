//! ICD-10-CM in every bundled edition: the tabular tree, what exists in which
//! edition, titles, notes and 7th characters up the tree, and a code's detail.

use super::{
    CodeSetError, Edition, EditionFiles, EditionSet, MceEntry, NodeKind, Note, SeventhCharacter,
    SourceFile, Sources, TabularNode, ValidPeriod, parse_mce, tabular, text_of,
};
use chrono::NaiveDate;
use std::collections::HashMap;

/// ICD-10-CM in every edition of a table of editions (the oldest's tabular
/// tree, each later edition's change lists applied on top).
pub struct IcdCm {
    pub nodes: Vec<TabularNode>,
    /// Code without dot -> node.
    pub(super) by_code: HashMap<String, usize>,
    /// The editions loaded (the rows of the table).
    pub(super) editions: EditionSet,
    /// Nodes that exist in some editions only (added or deleted by a change
    /// list); a node not here is in every edition.
    pub(super) present: HashMap<usize, EditionSet>,
    /// Titles a change list revised, each from its edition on, oldest first.
    pub(super) revised: HashMap<usize, Vec<(Edition, String)>>,
    /// The change lists' deleted codes: code without dot -> the edition that
    /// deleted it and its long title.
    pub(super) deleted: HashMap<String, (Edition, String)>,
    /// The change lists' added codes, in file order: edition, code without
    /// dot, long title.
    pub(super) added: Vec<(Edition, String, String)>,
    /// Dated validity and MCE flags of every billable code, without dots.
    pub mce: HashMap<String, MceEntry>,
}

/// Removes the dot and upper-cases: the key codes are stored under.
pub fn code_key(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code with its 7th character, X filling positions 4-6 ("T45.0X1" + A is
/// T45.0X1A, "W19" + A is W19.XXXA), written with its dot.
pub fn with_seventh(base: &str, c: char) -> String {
    let key = code_key(base);
    dotted(&format!("{key:X<6}{c}"))
}

/// Writes a dotless ICD-10-CM code the way coders do.
pub fn dotted(key: &str) -> String {
    if key.len() > 3 && key.is_char_boundary(3) {
        format!("{}.{}", &key[..3], &key[3..])
    } else {
        key.to_string()
    }
}

/// What the code sets know about one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDetail {
    /// As the coder writes it ("T45.0X1A").
    pub code: String,
    pub title: String,
    pub edition: Edition,
    /// Reportable on a claim (valid per the MCE on some date, and not a header).
    pub billable: bool,
    /// Has children: not reportable, pick one of them.
    pub header: bool,
    /// The node of the tabular this code is (or, for a 7th-character code, extends).
    pub node: usize,
    /// For a 7th-character code: the character and its meaning.
    pub seventh: Option<SeventhCharacter>,
    /// MCE periods of validity (empty for headers).
    pub valid: Vec<ValidPeriod>,
    /// MCE edit flags (e.g. manifestation, unacceptable, adult).
    pub mce_flags: Vec<String>,
}

impl IcdCm {
    /// Loads the bundled files.
    pub fn load_bundled() -> Result<IcdCm, CodeSetError> {
        IcdCm::load(&Sources::BUNDLED)
    }

    /// Loads the editions of `s.editions` (the oldest's tabular, each later
    /// one's change lists on top, in order) and the MCE master.
    pub fn load(s: &Sources) -> Result<IcdCm, CodeSetError> {
        let text = |f: &SourceFile| text_of(f.path, f.bytes);
        let Some(EditionFiles::Tabular(oldest)) = s.editions.first().map(|e| e.files) else {
            return Err(CodeSetError::at(
                "(editions)",
                0,
                "the oldest edition must be a whole tabular".into(),
            ));
        };
        let nodes = tabular::parse(oldest.path, &text(&oldest)?)?;
        let mce = parse_mce(s.mce_dx.path, &text(&s.mce_dx)?)?;
        let mut cm = IcdCm::from_nodes(nodes, mce);
        for (row, e) in s.editions.iter().enumerate().skip(1) {
            let Some(edition) = Edition::at(row) else {
                return Err(CodeSetError::at(
                    "(editions)",
                    row,
                    format!("more than {} editions", super::MAX_EDITIONS),
                ));
            };
            let EditionFiles::Changes {
                added,
                deleted,
                revised,
            } = e.files
            else {
                return Err(CodeSetError::at(
                    e.label,
                    0,
                    "only the oldest edition is a whole tabular: a later one is its change lists"
                        .into(),
                ));
            };
            cm.apply_changes(
                edition,
                (added.path, &text(&added)?),
                (deleted.path, &text(&deleted)?),
                (revised.path, &text(&revised)?),
            )?;
        }
        Ok(cm)
    }

    pub fn from_nodes(nodes: Vec<TabularNode>, mce: HashMap<String, MceEntry>) -> IcdCm {
        let by_code = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Code)
            .map(|(i, n)| (code_key(&n.code), i))
            .collect();
        IcdCm {
            nodes,
            by_code,
            editions: EditionSet::first(1),
            present: HashMap::new(),
            revised: HashMap::new(),
            deleted: HashMap::new(),
            added: Vec::new(),
            mce,
        }
    }

    /// Whether a tabular code (with or without dot) exists in an edition.
    pub fn in_edition_code(&self, code: &str, edition: Edition) -> bool {
        self.by_code
            .get(&code_key(code))
            .is_some_and(|&n| self.in_edition(n, edition))
    }

    /// Whether a node exists in an edition.
    pub fn in_edition(&self, node: usize, edition: Edition) -> bool {
        self.present.get(&node).is_none_or(|e| e.contains(edition))
    }

    /// The editions (of the table it was loaded from) a tabular code, with or
    /// without dot, exists in; none for a code no edition has.
    pub fn editions_of(&self, code: &str) -> EditionSet {
        match self.by_code.get(&code_key(code)) {
            Some(n) => self.present.get(n).map_or(self.editions, |s| {
                EditionSet::from_bits(s.bits() & self.editions.bits())
            }),
            None => EditionSet::NONE,
        }
    }

    /// A node's title in an edition: the newest revision up to it, else the
    /// oldest edition's.
    pub fn title_in(&self, node: usize, edition: Edition) -> &str {
        let mut revised = self.revised.get(&node).into_iter().flatten();
        let newest = revised.rfind(|(from, _)| *from <= edition);
        newest.map_or(&self.nodes[node].title, |(_, t)| t)
    }

    /// The node's children that exist in an edition.
    pub fn children_in(&self, node: usize, edition: Edition) -> Vec<usize> {
        self.nodes[node]
            .children
            .iter()
            .copied()
            .filter(|&c| self.in_edition(c, edition))
            .collect()
    }

    /// The node and its ancestors, nearest first.
    pub fn lineage(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(node), |&n| self.nodes[n].parent)
    }

    /// The 7th characters that apply to a node: its own definition, else the
    /// nearest ancestor's.
    pub fn seventh_characters(&self, node: usize) -> &[SeventhCharacter] {
        self.lineage(node)
            .map(|n| self.nodes[n].seventh.as_slice())
            .find(|s| !s.is_empty())
            .unwrap_or(&[])
    }

    /// Every note that applies to a node, from the node up to its chapter, with the
    /// code of the level each comes from.
    pub fn notes(&self, node: usize) -> Vec<(&str, &Note)> {
        self.lineage(node)
            .flat_map(|n| {
                self.nodes[n]
                    .notes
                    .iter()
                    .map(move |note| (self.nodes[n].code.as_str(), note))
            })
            .collect()
    }

    /// The tabular node of a code in an edition (for a 7th-character code, the
    /// node it extends), without building its detail: what the edits need to
    /// walk its notes.
    pub fn node_of(&self, code: &str, edition: Edition) -> Option<usize> {
        let key = code_key(code);
        let node = match self.by_code.get(&key) {
            Some(&n) => n,
            None if key.len() == 7 => *self.by_code.get(key[..6].trim_end_matches('X'))?,
            None => return None,
        };
        self.in_edition(node, edition).then_some(node)
    }

    /// Looks a code up in an edition: a tabular node, or a 7th-character code built
    /// on one (with its X placeholders in place).
    pub fn lookup(&self, code: &str, edition: Edition) -> Option<CodeDetail> {
        let key = code_key(code);
        let mce = self.mce.get(&key);
        let (node, seventh) = match self.by_code.get(&key) {
            Some(&n) => (n, None),
            None => {
                if key.len() != 7 {
                    return None;
                }
                let ch = key.chars().last()?;
                let base = key[..6].trim_end_matches('X');
                let node = *self.by_code.get(base)?;
                // The 7th character goes after position 6, X filling the gap. Some
                // combinations are excluded only in the prose of a note (S06 with 6th
                // character 7 or 8 takes A only): the MCE's dated list is the authority
                // that a built code exists in this edition.
                let in_force = edition.period();
                if code_key(&with_seventh(base, ch)) != key
                    || !self.children_in(node, edition).is_empty()
                    || !mce.is_some_and(|m| m.periods.iter().any(|p| p.overlaps(&in_force)))
                {
                    return None;
                }
                let seventh = self
                    .seventh_characters(node)
                    .iter()
                    .find(|s| s.character == ch)?
                    .clone();
                (node, Some(seventh))
            }
        };
        if !self.in_edition(node, edition) {
            return None;
        }
        let needs_seventh = seventh.is_none() && !self.seventh_characters(node).is_empty();
        let header = !self.children_in(node, edition).is_empty() || needs_seventh;
        let mut title = self.title_in(node, edition).to_string();
        if let Some(s) = &seventh {
            title = format!("{title}, {}", s.meaning);
        }
        Some(CodeDetail {
            code: dotted(&key),
            title,
            edition,
            billable: !header && self.nodes[node].kind == NodeKind::Code,
            header,
            node,
            seventh,
            valid: mce.map(MceEntry::merged_periods).unwrap_or_default(),
            mce_flags: mce.map(|m| m.flags.clone()).unwrap_or_default(),
        })
    }

    /// For a 7th-character code written without its X placeholders (T45.01A), the
    /// code as it should be written (T45.0X1A), if exactly one placement of the
    /// missing X's (after the category) makes a code of this edition.
    pub fn placeholder_hint(&self, code: &str, edition: Edition) -> Option<String> {
        let key = code_key(code);
        if !(4..7).contains(&key.len()) {
            return None;
        }
        let (base, ch) = key.split_at(key.len() - 1);
        let mut candidates = vec![base.to_string()];
        while candidates[0].len() < 6 {
            candidates = candidates
                .iter()
                .flat_map(|c| (3..=c.len()).map(move |at| format!("{}X{}", &c[..at], &c[at..])))
                .collect();
            candidates.sort();
            candidates.dedup();
        }
        let found: Vec<String> = candidates
            .iter()
            .filter_map(|c| self.lookup(&format!("{c}{ch}"), edition))
            .map(|d| d.code)
            .collect();
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// A code as the other editions have it, nearest to `edition` first (a
    /// code deleted since, or added later): where a code the edition in force
    /// lacks is explained from.
    pub fn lookup_elsewhere(&self, code: &str, edition: Edition) -> Option<CodeDetail> {
        edition.others().find_map(|e| self.lookup(code, e))
    }

    /// Whether a code is valid for reporting on a date (MCE dated lists).
    pub fn valid_on(&self, code: &str, date: NaiveDate) -> bool {
        self.mce
            .get(&code_key(code))
            .is_some_and(|m| m.periods.iter().any(|p| p.contains(date)))
    }

    /// The edition whose change list deleted a code, if one did.
    pub fn deleted_in(&self, code: &str) -> Option<Edition> {
        self.deleted.get(&code_key(code)).map(|(e, _)| *e)
    }

    /// For a code on an edition's deleted list, what the same edition's added
    /// list puts in its place; `None` for a code on no deleted list. The lists
    /// name no replacements as such: a replacement is an added code under the
    /// deleted code's nearest surviving ancestor, subdividing the one position
    /// after it and keeping the characters after that (T52.8X1A: T52.811A,
    /// T52.821A, T52.891A under T52.8); one with the deleted code's very title
    /// comes first.
    pub fn replacement(&self, code: &str) -> Option<Replacement> {
        let key = code_key(code);
        let (edition, title) = self.deleted.get(&key)?;
        let edition = *edition;
        let surviving = (3..key.len()).rev().find(|&n| {
            self.by_code
                .get(&key[..n])
                .is_some_and(|&i| self.in_edition(i, edition))
        });
        let mut out = Replacement {
            edition,
            same_title: Vec::new(),
            others: Vec::new(),
        };
        let Some(n) = surviving else {
            return Some(out);
        };
        let (prefix, tail) = (&key[..n], key.get(n + 1..).unwrap_or(""));
        let added_then = self.added.iter().filter(|(e, _, _)| *e == edition);
        for (_, added, added_title) in added_then {
            let fits = added.len() == key.len()
                && added.starts_with(prefix)
                && added.get(n + 1..) == Some(tail);
            if !fits {
                continue;
            }
            if added_title == title {
                out.same_title.push(dotted(added));
            } else {
                out.others.push(dotted(added));
            }
        }
        Some(out)
    }
}

/// What an edition's change lists put in place of a code they delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The edition that deleted it.
    pub edition: Edition,
    /// Added codes with the deleted code's title.
    pub same_title: Vec<String>,
    /// Other added codes in its place.
    pub others: Vec<String>,
}

impl Replacement {
    /// In words, for `chartcoder code`.
    pub fn words(&self) -> String {
        let edition = self.edition.label();
        match (self.same_title.as_slice(), self.others.as_slice()) {
            ([], []) => format!("the {edition} changes list adds no code in its place"),
            ([], others) => format!(
                "the {edition} changes list adds in its place: {}",
                others.join(", ")
            ),
            (same, []) => format!("replaced by {} (same title)", same.join(", ")),
            (same, others) => format!(
                "replaced by {} (same title); {edition} also adds beside it: {}",
                same.join(", "),
                others.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_7th_character_goes_after_placeholders() {
        assert_eq!(with_seventh("T45.0X1", 'A'), "T45.0X1A");
        assert_eq!(with_seventh("S72.001", 'D'), "S72.001D");
        assert_eq!(with_seventh("W19", 'A'), "W19.XXXA");
        assert_eq!(with_seventh("T45.0", 'A'), "T45.0XXA");
    }
}
