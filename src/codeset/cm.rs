//! ICD-10-CM in both bundled editions: the tabular tree, what exists in which
//! edition, titles, notes and 7th characters up the tree, and a code's detail.

use super::{
    CodeSetError, Edition, MceEntry, NodeKind, Note, SeventhCharacter, SourceFile, Sources,
    TabularNode, ValidPeriod, parse_mce, tabular, text_of,
};
use chrono::NaiveDate;
use std::collections::HashMap;

/// ICD-10-CM in both bundled editions.
pub struct IcdCm {
    pub nodes: Vec<TabularNode>,
    /// Code without dot -> node.
    pub(super) by_code: HashMap<String, usize>,
    /// Nodes that exist only in FY2027 (added) or only in FY2026 (deleted).
    pub(super) only_in: HashMap<usize, Edition>,
    /// FY2027 titles of revised codes.
    pub(super) fy2027_titles: HashMap<usize, String>,
    /// The FY2027 deleted list: code without dot -> long title.
    pub(super) fy2027_deleted: HashMap<String, String>,
    /// The FY2027 added list: code without dot and long title, in file order.
    pub(super) fy2027_added: Vec<(String, String)>,
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

    /// Loads the tabular, its MCE master and the FY2027 change lists.
    pub fn load(s: &Sources) -> Result<IcdCm, CodeSetError> {
        let text = |f: &SourceFile| text_of(f.path, f.bytes);
        let nodes = tabular::parse(s.tabular.path, &text(&s.tabular)?)?;
        let mce = parse_mce(s.mce_dx.path, &text(&s.mce_dx)?)?;
        let mut cm = IcdCm::from_nodes(nodes, mce);
        cm.apply_fy2027(
            &text(&s.fy2027_added)?,
            &text(&s.fy2027_deleted)?,
            &text(&s.fy2027_revised)?,
        )?;
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
            only_in: HashMap::new(),
            fy2027_titles: HashMap::new(),
            fy2027_deleted: HashMap::new(),
            fy2027_added: Vec::new(),
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
        self.only_in.get(&node).is_none_or(|e| *e == edition)
    }

    /// A node's title in an edition.
    pub fn title_in(&self, node: usize, edition: Edition) -> &str {
        match (edition, self.fy2027_titles.get(&node)) {
            (Edition::Fy2027, Some(t)) => t,
            _ => &self.nodes[node].title,
        }
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

    /// Whether a code is valid for reporting on a date (MCE dated lists).
    pub fn valid_on(&self, code: &str, date: NaiveDate) -> bool {
        self.mce
            .get(&code_key(code))
            .is_some_and(|m| m.periods.iter().any(|p| p.contains(date)))
    }

    /// For a code on the FY2027 deleted list, what the FY2027 added list puts in
    /// its place; `None` for a code not on the deleted list. The lists name no
    /// replacements as such: a replacement is an added code under the deleted
    /// code's nearest surviving ancestor, subdividing the one position after it
    /// and keeping the characters after that (T52.8X1A: T52.811A, T52.821A,
    /// T52.891A under T52.8); one with the deleted code's very title comes first.
    pub fn fy2027_replacement(&self, code: &str) -> Option<Replacement> {
        let key = code_key(code);
        let title = self.fy2027_deleted.get(&key)?;
        let surviving = (3..key.len()).rev().find(|&n| {
            self.by_code
                .get(&key[..n])
                .is_some_and(|&i| self.in_edition(i, Edition::Fy2027))
        });
        let mut out = Replacement::default();
        let Some(n) = surviving else {
            return Some(out);
        };
        let (prefix, tail) = (&key[..n], key.get(n + 1..).unwrap_or(""));
        for (added, added_title) in &self.fy2027_added {
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

/// What the FY2027 changes put in place of a deleted code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replacement {
    /// Added codes with the deleted code's title.
    pub same_title: Vec<String>,
    /// Other added codes in its place.
    pub others: Vec<String>,
}

impl Replacement {
    /// In words, for `chartcoder code`.
    pub fn words(&self) -> String {
        match (self.same_title.as_slice(), self.others.as_slice()) {
            ([], []) => "the FY2027 changes list adds no code in its place".into(),
            ([], others) => format!(
                "the FY2027 changes list adds in its place: {}",
                others.join(", ")
            ),
            (same, []) => format!("replaced by {} (same title)", same.join(", ")),
            (same, others) => format!(
                "replaced by {} (same title); FY2027 also adds beside it: {}",
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
