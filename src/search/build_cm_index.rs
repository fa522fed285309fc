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
/// Coded subterms a reference to a morphology coded by skin site leads to.
const MAX_SEE_SITES: usize = 120;

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
        let main_terms = main_terms_of(file);
        let skin_sited = super::morphology::skin_sited_terms(file, &children);
        for (i, term) in file.terms.iter().enumerate() {
            self.note_eponym(file.source, &term.title, term.code.as_deref());
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
                && let Some(see) = reference_to_follow(file, &main_terms, &skin_sited, i)
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
                if file.source == IndexSource::Diseases {
                    self.add_by_site_reference(file, (&main_terms, &children), &skin_sited, i);
                }
                continue;
            }
            let path = file.path(i);
            let (core, optional) = path_words(file, i, &skin_sited);
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
                // A morphology coded by skin site lists some seventy sites
                // ("see Melanoma, skin, by site"): all of them.
                let cap = if skin_sited[main_term_of(file, target)] {
                    MAX_SEE_SITES
                } else {
                    MAX_SEE_SUBTERMS
                };
                self.add_see_subterms(file, (&children, cap), target, words, names);
            }
        }
        if file.source == IndexSource::Neoplasms {
            self.add_skin_morphology_rows(file, &children);
        }
    }

    /// An injury named for a person: an Index term whose first word is a
    /// possessive and whose code is an injury ("Colles' fracture S52.53-",
    /// "Fracture, Maisonneuve's S82.86-").
    fn note_eponym(&mut self, source: IndexSource, title: &str, code: Option<&str>) {
        let Some(first) = title.split_whitespace().next() else {
            return;
        };
        let possessive =
            first.ends_with("'s") || first.ends_with('\'') || first.ends_with("\u{2019}s");
        if source == IndexSource::Diseases && possessive && code.is_some_and(|c| c.starts_with('S'))
        {
            self.eponym_words.extend(index_words(first));
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
        (children, cap): (&[Vec<u32>], usize),
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
            if added > cap {
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
    pub(super) fn add_index_code(
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

/// Neoplasm Table codes of a column that are not an internal site's: skin
/// (C43, C44, C4A; D22, D23), Kaposi's sarcoma, ill-defined regions ("back
/// NEC", "thigh NEC": C76, D36), lymph nodes and secondary sites (C77-C79),
/// unknown site (C80), bone, peripheral nerve, connective and fat tissue
/// (C40, C41, C47, C49; D16, D17, D18, D21: "Melanoma, malignant, of soft
/// parts except skin" has its own reference).
fn not_internal(column: u8) -> &'static [&'static str] {
    if column == super::morphology::BENIGN {
        &["D22", "D23", "D36", "D16", "D17", "D18", "D21"]
    } else {
        &[
            "C43", "C44", "C4A", "C46", "C76", "C77", "C78", "C79", "C80", "C40", "C41", "C47",
            "C49",
        ]
    }
}

/// A site's name as a key: the words before its first comma, without
/// "NEC"/"NOS" ("anus, anal" and "thigh NEC" are "anus" and "thigh").
fn site_key(title: &str) -> Vec<String> {
    let first = title.split(',').next().unwrap_or(title);
    index_words(first)
        .into_iter()
        .filter(|w| w != "nec" && w != "nos")
        .collect()
}

/// A morphology coded by skin site, and where its other sites go: the
/// main term, the Neoplasm Table column, and the reference as the Index
/// words it.
struct UnlistedSites {
    main: usize,
    column: u8,
    reference: String,
}

/// The skin-sited morphologies whose other sites go to the Neoplasm Table:
/// Melanoma by the note under "Melanoma (malignant) C43.9" ("Internal sites
/// should be coded to malignant neoplasm of those sites"); the others by a
/// "specified site" subterm's reference ("Nevus, specified site NEC — see
/// Neoplasm, by site, benign").
fn unlisted_sites(file: &IndexFile, children: &[Vec<u32>]) -> Vec<UnlistedSites> {
    let sited = super::morphology::skin_sited_terms(file, children);
    let mut out = Vec::new();
    for main in (0..file.terms.len()).filter(|&i| sited[i]) {
        if file.terms[main].title.eq_ignore_ascii_case("melanoma") {
            out.push(UnlistedSites {
                main,
                column: super::morphology::MALIGNANT_PRIMARY,
                reference: "Melanoma, internal site → see Neoplasm, malignant".into(),
            });
            continue;
        }
        for &c in &children[main] {
            let t = &file.terms[c as usize];
            let Some(see) = &t.see else { continue };
            if super::morphology::is_site_placeholder(&t.title)
                && let Some((column, site)) = super::morphology::parse_reference(see)
                && site.is_empty()
            {
                out.push(UnlistedSites {
                    main,
                    column,
                    reference: format!("{}, {} → see {see}", file.terms[main].title, t.title),
                });
            }
        }
    }
    out
}

impl Builder {
    /// A morphology the Index codes by skin site, at a site its subterms
    /// do not list ("choroidal melanoma", "melanoma of the rectum"), is the
    /// site's cell of the Neoplasm Table in the column its Index entry
    /// names: each such row is a text of the morphology and the site's words.
    pub(super) fn add_internal_melanoma(&mut self, files: &[IndexFile]) {
        let Some((diseases, neo)) = diseases_and_neoplasms(files) else {
            return;
        };
        let children = children_of(diseases);
        for u in unlisted_sites(diseases, &children) {
            // Sites the morphology's own subterms list (and those under
            // its "skin" subterm) keep the Index's codes.
            let mut listed: std::collections::HashSet<Vec<String>> =
                std::collections::HashSet::new();
            for &c in &children[u.main] {
                let c = c as usize;
                listed.insert(site_key(&diseases.terms[c].title));
                if diseases.terms[c].title.eq_ignore_ascii_case("skin") {
                    for &s in &children[c] {
                        listed.insert(site_key(&diseases.terms[s as usize].title));
                    }
                }
            }
            let morphology = index_words(&diseases.terms[u.main].title);
            let heading = neo.heading(u.column).unwrap_or("");
            self.add_unlisted_site_rows(neo, &u, &listed, &morphology, heading);
        }
    }

    fn add_unlisted_site_rows(
        &mut self,
        neo: &IndexFile,
        u: &UnlistedSites,
        listed: &std::collections::HashSet<Vec<String>>,
        morphology: &[String],
        heading: &str,
    ) {
        for (i, term) in neo.terms.iter().enumerate() {
            let Some((_, code)) = term.cells.iter().find(|(col, _)| *col == u.column) else {
                continue;
            };
            let path = neo.path(i);
            let internal = index_code_key(code)
                .is_some_and(|k| !not_internal(u.column).iter().any(|p| k.starts_with(p)));
            let site = path.get(1).map(|t| site_key(t)).unwrap_or_default();
            if !internal || site.is_empty() || listed.contains(&site) {
                continue;
            }
            let (mut core, optional) = path_words(neo, i, &[]);
            core.splice(0..0, morphology.iter().cloned());
            let sites = path.get(1..).unwrap_or(&[]).join(", ");
            let label = format!("Index: {} → {sites} ({heading})", u.reference);
            let named = format!("{}, {sites}", morphology.join(" "));
            let words = (core.as_slice(), optional.as_slice());
            self.add_index_code(neo, term.level, code, None, words, (&label, &named));
        }
    }
}

impl Builder {
    /// A skin site of the Neoplasm Table without rows of its own for the
    /// morphologies ("skin, hand C44.60-") shares its Malignant Primary cell
    /// with a skin row that has them ("skin, limb, upper C44.60-": basal cell
    /// carcinoma C44.61-, squamous cell carcinoma C44.62-): the site takes
    /// those rows, so "squamous cell carcinoma of skin of hand" is C44.62-.
    fn add_skin_morphology_rows(&mut self, file: &IndexFile, children: &[Vec<u32>]) {
        let primary = |i: usize| {
            file.terms[i]
                .cells
                .iter()
                .find(|(col, _)| *col == 2)
                .map(|(_, c)| c.as_str())
        };
        let under_skin = |i: usize| {
            let path = file.path(i);
            path.get(1)
                .is_some_and(|t| t.to_lowercase().starts_with("skin"))
        };
        let morph_rows = |i: usize| -> Vec<usize> {
            children[i]
                .iter()
                .map(|&c| c as usize)
                .filter(|&c| {
                    super::morphology::is_skin_morphology_row(&file.terms[c].title)
                        && primary(c).is_some()
                })
                .collect()
        };
        // Skin rows with morphology rows, by their Malignant Primary cell.
        let mut by_cell: HashMap<&str, usize> = HashMap::new();
        for i in (0..file.terms.len()).filter(|&i| under_skin(i)) {
            if let Some(cell) = primary(i)
                && !morph_rows(i).is_empty()
            {
                by_cell.entry(cell).or_insert(i);
            }
        }
        for i in (0..file.terms.len()).filter(|&i| under_skin(i) && file.terms[i].level >= 2) {
            let Some(&like) = primary(i).and_then(|c| by_cell.get(c)) else {
                continue;
            };
            if !morph_rows(i).is_empty()
                || super::morphology::is_skin_morphology_row(&file.terms[i].title)
            {
                continue;
            }
            let (core, optional) = path_words(file, i, &[]);
            let path = file.path(i);
            let like_path = file.path(like);
            for m in morph_rows(like) {
                let Some(code) = primary(m) else { continue };
                let title = &file.terms[m].title;
                let mut core = core.clone();
                core.extend(index_words(title));
                let label = format!(
                    "{}: {} > {title} (as {})",
                    file.source.label(),
                    path.join(" > "),
                    like_path.get(1..).unwrap_or(&[]).join(" > ")
                );
                let named = format!("{}, {title}", path.join(", "));
                let words = (core.as_slice(), optional.as_slice());
                self.add_index_code(
                    file,
                    file.terms[i].level + 1,
                    code,
                    Some(2),
                    words,
                    (&label, &named),
                );
            }
        }
    }
}

/// The words of an Index term's path that must be typed (core) and those
/// that may be (variants, nonessential modifiers, compounds). In the Index to
/// Diseases, a morphology coded by skin site ("Nevus, skin, cheek D22.39";
/// "Melanoma, skin, thigh C43.7-") is typed without "skin" ("nevus of
/// cheek"): that level may be missing.
pub(super) fn path_words(
    file: &IndexFile,
    i: usize,
    skin_sited: &[bool],
) -> (Vec<String>, Vec<String>) {
    let path = file.path(i);
    let mut core: Vec<String> = Vec::new();
    let mut optional: Vec<String> = Vec::new();
    let main = main_term_of(file, i);
    let last = path.len().saturating_sub(1);
    for (level, t) in path.iter().enumerate() {
        let placeholder = file.source == IndexSource::Diseases
            && level > 0
            && level < last
            && skin_sited.get(main).copied().unwrap_or(false)
            && t.eq_ignore_ascii_case("skin");
        if (file.source == IndexSource::Neoplasms && level == 0) || placeholder {
            optional.extend(index_words(t));
        } else if level == 0 || file.source == IndexSource::Neoplasms {
            // A site lists its variants after a comma ("uterus, uteri,
            // uterine"): one of them is typed.
            let (c, o) = main_term_words(t);
            core.extend(c);
            optional.extend(o);
        } else if t.eq_ignore_ascii_case("site classification") {
            // "Lipoma, site classification, kidney D17.71": a heading of
            // the sites below it, typed as "lipoma of kidney".
            optional.extend(index_words(t));
        } else if let Some(rest) = t.strip_prefix("not specified as ") {
            // "Colitis, Clostridium difficile, not specified as recurrent
            // A04.72": the default, typed as "C-diff colitis"; what it is
            // not specified as still names it.
            optional.extend(index_words("not specified"));
            core.extend(index_words(rest));
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
    (core, optional)
}

/// The main term (level 0) a term is under.
fn main_term_of(file: &IndexFile, i: usize) -> usize {
    let mut at = i;
    while let Some(p) = file.terms[at].parent {
        at = p as usize;
    }
    at
}

/// The reference a term with no code of its own leads to: its "see", or
/// its "see also" where that names a morphology coded by skin site
/// ("Lentigo, maligna — see also Melanoma, in situ": the codes are there).
fn reference_to_follow<'f>(
    file: &'f IndexFile,
    main_terms: &HashMap<String, Vec<usize>>,
    skin_sited: &[bool],
    i: usize,
) -> Option<&'f str> {
    let term = &file.terms[i];
    if let Some(see) = &term.see {
        return Some(see);
    }
    let also = term.see_also.as_deref()?;
    let main = also.split(',').next()?.trim().to_lowercase();
    main_terms
        .get(&main)?
        .iter()
        .any(|&m| skin_sited.get(m).copied().unwrap_or(false))
        .then_some(also)
}

/// Main terms by title, and by the title's first part ("Infarct" for
/// "Infarct, infarction"), as "see" references name them either way.
pub(super) fn main_terms_of(file: &IndexFile) -> HashMap<String, Vec<usize>> {
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
    main_terms
}

/// The Index's Diseases and Neoplasm Table files, when both are loaded.
pub(super) fn diseases_and_neoplasms(files: &[IndexFile]) -> Option<(&IndexFile, &IndexFile)> {
    let find = |source| files.iter().find(|f| f.source == source);
    Some((find(IndexSource::Diseases)?, find(IndexSource::Neoplasms)?))
}

/// Each term's children (their positions in the file), by the term's position.
pub(super) fn children_of(file: &IndexFile) -> Vec<Vec<u32>> {
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

/// The names a "see" reference may give a subterm by: its title or its
/// title's first part ("myocardium" for "myocardium, myocardial"), with or
/// without a trailing "NEC" or "NOS" ("Smoker — see Dependence, drug,
/// nicotine": the subterm is "drug NEC").
pub(super) fn subterm_names(file: &IndexFile, t: usize) -> (String, String) {
    let title = &file.terms[t].title;
    let first = title.split_once(',').map_or(title.as_str(), |(f, _)| f);
    let mut first = words(first);
    if first.len() > 1 && first.last().is_some_and(|w| w == "nec" || w == "nos") {
        first.pop();
    }
    (words(title).join(" "), first.join(" "))
}

/// The term a "see" reference names ("Pain, abdominal": main term "Pain",
/// subterm "abdominal"), when it can be found. Main terms may hold commas
/// themselves ("Fracture, traumatic"), so the longest main term that matches wins.
pub(super) fn resolve_see(
    file: &IndexFile,
    main_terms: &HashMap<String, Vec<usize>>,
    children: &[Vec<u32>],
    see: &str,
) -> Option<usize> {
    // "Melanoma, skin, by site": "by site" says where to look, it is no
    // subterm.
    let lowered: Vec<String> = see
        .split(',')
        .map(|p| p.trim().to_lowercase())
        .filter(|p| p != "by site")
        .collect();
    let parts: Vec<String> = lowered.iter().map(|p| words(p).join(" ")).collect();
    let names = |t: usize| subterm_names(file, t);
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
#[path = "build_cm_index_tests.rs"]
mod tests;
