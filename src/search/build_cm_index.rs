//! The ICD-10-CM Alphabetic Index, its Table of Drugs and Chemicals, Neoplasm
//! Table and External Cause Index as search texts: each term's path of words
//! leading to a code (or a Table cell's column), "see" references followed.

use super::builder::{Builder, EntryB, TextB, joined_compounds, split_parens};
use super::text::{index_words, is_soft_word, words};
use super::{System, TextKind, flag};
use crate::codeset::index::{IndexFile, IndexSource, index_code_key};
use std::collections::HashMap;

/// Levels below a "see" reference's target whose subterms the reference
/// leads to.
const MAX_SEE_DEPTH: usize = 3;
/// Points a "see" target's subterm earns when the referring term names it.
const SEE_NAMED_SUBTERM: f32 = 2.0;

/// Whether a subterm's own words (the first part of its path below the
/// target) are all words of the referring term.
fn repeats_reference(core: &[String], rel: &[&str]) -> bool {
    rel.first().is_some_and(|first| {
        let (c, _) = split_parens(first);
        let own = index_words(&c);
        !own.is_empty() && own.iter().all(|w| core.contains(w))
    })
}

/// Coded subterms one "see" reference leads to, at most (a main term's
/// whole tree is not copied under every reference to it).
const MAX_SEE_SUBTERMS: usize = 40;

impl Builder {
    /// The entry an index code points at, made (marked index-only) when no
    /// bundled edition has it.
    fn index_entry(&mut self, printed: &str, path: &str) -> Option<u32> {
        let key = index_code_key(printed)?;
        if let Some(&e) = self.by_key.get(&(System::Icd10Cm, key.clone())) {
            return Some(e);
        }
        let code = printed.trim().trim_end_matches(['-', '.']).to_string();
        Some(self.entry(EntryB {
            system: System::Icd10Cm,
            code,
            key,
            title: format!("{path} (index code not in ICD-10-CM FY2026 or FY2027)"),
            flags: flag::INDEX_ONLY,
            periods: Vec::new(),
            extensions: Vec::new(),
        }))
    }

    /// Where the index stops at a dash ("H66.9-": more characters needed) and
    /// nothing more is documented, the code is the unspecified one below it:
    /// the child ending in 0 or 9 whose title says "unspecified" (H66.90,
    /// C50.919, S72.009). `None` when there is no such child.
    fn unspecified_child(&self, header: u32) -> Option<u32> {
        let h = &self.entries[header as usize];
        if h.flags & flag::HEADER == 0 {
            return None;
        }
        ["0", "9"].iter().find_map(|last| {
            let key = format!("{}{last}", h.key);
            let &child = self.by_key.get(&(System::Icd10Cm, key))?;
            let c = &self.entries[child as usize];
            (c.title.to_lowercase().contains("unspecified")
                && c.flags & (flag::BILLABLE | flag::NEEDS_SEVENTH) != 0)
                .then_some(child)
        })
    }

    pub(super) fn add_index(&mut self, file: &IndexFile) {
        let children = children_of(file);
        // Main terms by title, and by the title's first part ("Infarct" for
        // "Infarct, infarction"), as "see" references name them either way.
        let mut main_terms: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, t) in file.terms.iter().enumerate().filter(|(_, t)| t.level == 0) {
            let title = t.title.to_lowercase();
            if let Some((first, _)) = title.split_once(',') {
                main_terms
                    .entry(first.trim().to_string())
                    .or_default()
                    .push(i);
            }
            main_terms.entry(title).or_default().insert(0, i);
        }
        for (i, term) in file.terms.iter().enumerate() {
            let mut codes: Vec<(String, Option<u8>)> = Vec::new();
            if let Some(c) = &term.code {
                codes.push((c.clone(), None));
            }
            for (col, c) in &term.cells {
                codes.push((c.clone(), Some(*col)));
            }
            let mut see_label = String::new();
            let mut see_target = None;
            if codes.is_empty()
                && let Some(see) = &term.see
                && let Some(target) = follow_see(file, &main_terms, &children, see)
            {
                see_target = Some(target);
                see_label = format!(" (see {see})");
                if let Some(c) = &file.terms[target].code {
                    codes.push((c.clone(), None));
                }
                for (col, c) in &file.terms[target].cells {
                    codes.push((c.clone(), Some(*col)));
                }
            }
            if codes.is_empty() {
                continue;
            }
            let path = file.path(i);
            let mut core: Vec<String> = Vec::new();
            let mut optional: Vec<String> = Vec::new();
            for (level, t) in path.iter().enumerate() {
                if file.source == IndexSource::Neoplasms && level == 0 {
                    optional.extend(index_words(t));
                } else if level == 0 || file.source == IndexSource::Neoplasms {
                    // A site lists its variants after a comma ("uterus, uteri,
                    // uterine"): one of them is typed.
                    let (c, o) = main_term_words(t);
                    core.extend(c);
                    optional.extend(o);
                } else {
                    core.extend(index_words(t));
                }
            }
            for t in &path {
                optional.extend(joined_compounds(t));
            }
            let mut at = Some(i);
            while let Some(t) = at {
                optional.extend(index_words(&file.terms[t].modifiers));
                at = file.terms[t].parent.map(|p| p as usize);
            }
            let shown = path.join(" > ");
            let label = format!("{}: {shown}{see_label}", file.source.label());
            let named = path.join(", ");
            for (printed, column) in codes {
                let words = (core.as_slice(), optional.as_slice());
                let names = (label.as_str(), named.as_str());
                self.add_index_code(file, term.level, &printed, column, words, names);
            }
            if let Some(target) = see_target
                && file.source == IndexSource::Diseases
            {
                let words = (core.as_slice(), optional.as_slice());
                let names = (label.as_str(), named.as_str());
                self.add_see_subterms(file, &children, target, words, names);
            }
        }
    }

    /// A "see" reference leads to a term and to the subterms under it:
    /// "Laceration, palm — see Laceration, hand" is typed "laceration right
    /// palm" for "Laceration, hand, right S61.411"; "Fracture, femur, neck
    /// — see Fracture, femur, upper end, neck" for its "midcervical". Each
    /// coded subterm (a few levels down) is a text of the referring path
    /// with the subterm's words.
    fn add_see_subterms(
        &mut self,
        file: &IndexFile,
        children: &[Vec<u32>],
        target: usize,
        (core, optional): (&[String], &[String]),
        (label, named): (&str, &str),
    ) {
        let mut stack: Vec<(usize, Vec<&str>)> = children[target]
            .iter()
            .rev()
            .map(|&c| (c as usize, Vec::new()))
            .collect();
        let mut added = 0;
        while let Some((d, mut rel)) = stack.pop() {
            let sub = &file.terms[d];
            rel.push(sub.title.as_str());
            if rel.len() < MAX_SEE_DEPTH {
                stack.extend(children[d].iter().rev().map(|&c| (c as usize, rel.clone())));
            }
            let Some(code) = &sub.code else { continue };
            added += 1;
            if added > MAX_SEE_SUBTERMS {
                break;
            }
            let mut sub_core = core.to_vec();
            let mut sub_optional = optional.to_vec();
            for t in &rel {
                let (c, o) = split_parens(t);
                // A side or an encounter in a subterm ("right S61.411")
                // picks among codes: the words may leave it out.
                let (soft, named): (Vec<String>, Vec<String>) =
                    index_words(&c).into_iter().partition(|w| is_soft_word(w));
                sub_core.extend(named);
                sub_optional.extend(soft);
                sub_optional.extend(index_words(&o));
            }
            sub_optional.extend(index_words(&sub.modifiers));
            let label = format!("{label} > {}", rel.join(" > "));
            let named = format!("{named}, {}", rel.join(", "));
            let words = (sub_core.as_slice(), sub_optional.as_slice());
            let before = self.texts.len();
            self.add_index_code(file, sub.level, code, None, words, (&label, &named));
            // The subterm the reference itself names ("Fracture, humerus,
            // supracondylar — see Fracture, humerus, lower end", where
            // "supracondylar" is a subterm: S42.41-) is more than the
            // target's own code (S42.40-, lower end unspecified).
            if self.texts.len() > before && repeats_reference(core, &rel) {
                self.texts[before].bonus += SEE_NAMED_SUBTERM;
            }
        }
    }

    /// One text of an Index term for one of the codes it gives (a Table cell
    /// names its column): `names` are the label shown and the path the entry
    /// is named by when no edition has its code.
    fn add_index_code(
        &mut self,
        file: &IndexFile,
        level: u8,
        printed: &str,
        column: Option<u8>,
        (core, optional): (&[String], &[String]),
        (label, named): (&str, &str),
    ) {
        let Some(mut entry) = self.index_entry(printed, named) else {
            return;
        };
        // "More characters needed": a header whose complete codes the
        // rest of the query picks from; else its unspecified child.
        if crate::codeset::index::is_incomplete(printed)
            && self.entries[entry as usize].flags & flag::EXPANDS == 0
            && let Some(child) = self.unspecified_child(entry)
        {
            entry = child;
        }
        let kind = match (file.source, level) {
            (IndexSource::Diseases, 0) => TextKind::IndexMain,
            (IndexSource::Diseases, _) => TextKind::IndexSub,
            (IndexSource::ExternalCauses, _) => TextKind::ExternalCause,
            _ => TextKind::Table,
        };
        let mut text_core = core.to_vec();
        let mut text_optional = optional.to_vec();
        let mut label = label.to_string();
        let mut bonus = 0.0;
        // The index's own answer, even where it says "more characters
        // needed" ("C50.91-"), is not just any header.
        // (A header that offers its complete codes competes as they do.)
        let header = self.entries[entry as usize].flags;
        if crate::codeset::index::is_incomplete(printed)
            && header & flag::HEADER != 0
            && header & flag::EXPANDS == 0
        {
            bonus += 8.0;
        }
        if let Some(col) = column {
            let heading = file.heading(col).unwrap_or("");
            let (h_core, h_optional) = split_parens(heading);
            text_core.extend(index_words(&h_core));
            text_optional.extend(index_words(&h_optional));
            label.push_str(&format!(" [{heading}]"));
            // Poisoning with no intent documented is coded accidental.
            if file.source == IndexSource::Drugs && col == 2 {
                bonus += 4.0;
            }
        }
        // The code's own title may be typed with the Index words
        // ("hiatal hernia without obstruction": the Index says hiatal,
        // the title without obstruction).
        text_optional.extend(index_words(&self.entries[entry as usize].title));
        text_optional.extend(self.injury_region_words(entry));
        let column = match (file.source, column) {
            (IndexSource::Neoplasms, Some(c)) => c,
            _ => 0,
        };
        if column != 0 {
            self.site_words.extend(core.iter().cloned());
        }
        self.texts.push(TextB {
            entry,
            kind,
            core: text_core,
            optional: text_optional,
            label,
            bonus,
            column,
        });
    }
}

impl Builder {
    /// The words of an injury code's Tabular ancestors ("S52 Fracture of
    /// forearm", "S52.3 Fracture of shaft of radius" above "S52.37
    /// Galeazzi's fracture"; "S92 Fracture of foot and toe" above the
    /// calcaneus; "S72.0 Fracture of head and neck of femur" above
    /// "midcervical"): a coder names the region ("Galeazzi fracture right
    /// forearm", "calcaneus fracture right foot"), the Index and the code's
    /// title the bone. Chapter 19's injury codes (S00-S99) only.
    fn injury_region_words(&self, entry: u32) -> Vec<String> {
        let e = &self.entries[entry as usize];
        if e.system != System::Icd10Cm || !e.key.starts_with('S') {
            return Vec::new();
        }
        let mut out = Vec::new();
        for len in 3..e.key.len() {
            if let Some(&a) = self
                .by_key
                .get(&(System::Icd10Cm, e.key[..len].to_string()))
            {
                out.extend(
                    index_words(&self.entries[a as usize].title)
                        .into_iter()
                        .filter(|w| !matches!(w.as_str(), "other" | "unspecified")),
                );
            }
        }
        out
    }
}

/// The words of a main term that must be typed, and those that may be.
/// A main term lists its variants after a comma ("Failure, failed"; "Infection,
/// infected, infective"): the first is the term, the variants (same stem) may be
/// typed or not. Other parts qualify it ("Fracture, pathological") and count,
/// except "traumatic": a fracture not said to be pathological is traumatic, so
/// "Fracture, traumatic" is where a plain "fracture" leads.
fn main_term_words(title: &str) -> (Vec<String>, Vec<String>) {
    let mut parts = title.split(',');
    let first = index_words(parts.next().unwrap_or(""));
    let stem: String = first
        .first()
        .map_or(String::new(), |w| w.chars().take(4).collect());
    let (mut core, mut optional) = (first, Vec::new());
    for part in parts {
        let w = index_words(part);
        let variant = w.len() == 1 && !stem.is_empty() && w[0].starts_with(&stem);
        if variant || w == ["traumatic"] {
            optional.extend(w);
        } else {
            core.extend(w);
        }
    }
    (core, optional)
}

fn children_of(file: &IndexFile) -> Vec<Vec<u32>> {
    let mut children = vec![Vec::new(); file.terms.len()];
    for (i, t) in file.terms.iter().enumerate() {
        if let Some(p) = t.parent {
            children[p as usize].push(i as u32);
        }
    }
    children
}

/// The term a "see" reference leads to, following a chain of "see"s (a few
/// steps at most) to a term with a code.
fn follow_see(
    file: &IndexFile,
    main_terms: &HashMap<String, Vec<usize>>,
    children: &[Vec<u32>],
    see: &str,
) -> Option<usize> {
    let mut see = see;
    for _ in 0..4 {
        let t = resolve_see(file, main_terms, children, see)?;
        let term = &file.terms[t];
        if term.code.is_some() || !term.cells.is_empty() {
            return Some(t);
        }
        see = term.see.as_deref()?;
    }
    None
}

/// The term a "see" reference names ("Pain, abdominal": main term "Pain",
/// subterm "abdominal"), when it can be found. Main terms may hold commas
/// themselves ("Fracture, traumatic"), so the longest main term that matches wins.
fn resolve_see(
    file: &IndexFile,
    main_terms: &HashMap<String, Vec<usize>>,
    children: &[Vec<u32>],
    see: &str,
) -> Option<usize> {
    let lowered: Vec<String> = see.split(',').map(|p| p.trim().to_lowercase()).collect();
    let parts: Vec<String> = lowered.iter().map(|p| words(p).join(" ")).collect();
    // A subterm is named by its title or its title's first part ("myocardium"
    // for "myocardium, myocardial").
    let names = |t: usize| {
        let title = &file.terms[t].title;
        let first = title.split_once(',').map_or(title.as_str(), |(f, _)| f);
        (words(title).join(" "), words(first).join(" "))
    };
    for k in (1..=lowered.len()).rev() {
        for &main in main_terms
            .get(&lowered[..k].join(", "))
            .into_iter()
            .flatten()
        {
            let mut at = main;
            let mut ok = true;
            for part in parts.iter().skip(k) {
                match children[at].iter().find(|&&c| {
                    let (whole, first) = names(c as usize);
                    whole == *part || first == *part
                }) {
                    Some(&c) => at = c as usize,
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                return Some(at);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_see_references_own_subterm_is_the_one_it_names() {
        // "Fracture, traumatic, humerus, supracondylar — see Fracture,
        // humerus, lower end"; under lower end, "supracondylar (simple)
        // (displaced) S42.41-" is named by the reference, "lateral
        // condyle" is not.
        let core: Vec<String> = ["fracture", "humerus", "supracondylar"]
            .map(String::from)
            .to_vec();
        assert!(repeats_reference(
            &core,
            &["supracondylar (simple) (displaced)"]
        ));
        assert!(repeats_reference(
            &core,
            &["supracondylar (simple) (displaced)", "comminuted"]
        ));
        assert!(!repeats_reference(&core, &["lateral condyle"]));
        assert!(!repeats_reference(&core, &[]));
    }
}
