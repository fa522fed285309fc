//! Builds the search index from the loaded code sets.

use super::synonyms::Synonym;
use super::text::{index_words, words};
use super::{SearchIndex, System, TextKind, day, flag};
use crate::codeset::code_key;
use crate::codeset::hcpcs::Hcpcs;
use crate::codeset::index::IndexFile;
use crate::codeset::pcs_index::PcsIndex;
use crate::codeset::user_table::UserTable;
use crate::codeset::{Edition, EditionSet, IcdCm, IcdPcs, NodeKind, NoteKind, ValidPeriod};
use std::collections::HashMap;

/// A CM header with more complete codes under it than this is not expanded
/// (a category such as S72 is a place to look, not a set of candidates).
const MAX_HEADER_CODES: usize = 400;

/// Everything the index is built from.
pub struct Sources<'a> {
    pub cm: &'a IcdCm,
    pub pcs: &'a IcdPcs,
    /// The ICD-10-PCS Alphabetic Index.
    pub pcs_index: &'a PcsIndex,
    pub hcpcs: &'a Hcpcs,
    pub index: &'a [IndexFile],
    pub synonyms: &'a [Synonym],
    /// The site's licensed CPT table, if configured.
    pub cpt: Option<&'a UserTable>,
    /// Local code tables.
    pub local: &'a [UserTable],
    /// One line per source: what it is and its edition.
    pub provenance: Vec<String>,
}

pub(super) struct EntryB {
    pub(super) system: System,
    pub(super) code: String,
    pub(super) key: String,
    pub(super) title: String,
    pub(super) flags: u8,
    pub(super) periods: Vec<(i32, i32)>,
    pub(super) extensions: Vec<u32>,
}

pub(super) struct TextB {
    pub(super) entry: u32,
    pub(super) kind: TextKind,
    pub(super) core: Vec<String>,
    pub(super) optional: Vec<String>,
    pub(super) label: String,
    pub(super) bonus: f32,
    /// The Neoplasm Table column of a Neoplasm Table cell, else 0.
    pub(super) column: u8,
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) entries: Vec<EntryB>,
    pub(super) by_key: HashMap<(System, String), u32>,
    pub(super) texts: Vec<TextB>,
    /// The ICD-10-CM editions each CM entry is in (by entry).
    pub(super) editions: HashMap<u32, EditionSet>,
    /// The words of Neoplasm Table sites ("lung", "lobe", "trigone").
    pub(super) site_words: std::collections::HashSet<String>,
    /// The words of injury eponyms ("colles", "bennetts").
    pub(super) eponym_words: std::collections::HashSet<String>,
}

/// Builds the index. Pure: the same sources give the same index.
pub fn build(src: &Sources) -> SearchIndex {
    let mut b = Builder::default();
    b.add_cm(src.cm);
    b.expand_cm_headers();
    b.add_history_conditions(src.cm);
    b.add_history_other_names(src.cm, src.index);
    b.add_long_term_drugs(src.cm, src.index);
    for file in src.index {
        b.add_index(file);
    }
    b.add_internal_melanoma(src.index);
    b.add_node_regions(src.index);
    b.add_region_sites(src.index);
    b.add_pcs(src.pcs);
    b.add_pcs_index(src.pcs, src.pcs_index);
    b.add_hcpcs(src.hcpcs);
    if let Some(cpt) = src.cpt {
        b.add_user(cpt, System::Cpt);
    }
    for table in src.local {
        b.add_user(table, System::Local);
    }
    let routes = super::morphology::routes(src.index);
    // The PCS Index's device and substance "use" entries, where the written
    // lists do not already say what the words mean.
    let mut synonyms = src.synonyms.to_vec();
    let derived = super::build_pcs::use_synonyms(src.pcs, src.pcs_index)
        .into_iter()
        .filter(|d| !src.synonyms.iter().any(|s| s.key == d.key))
        .collect();
    super::synonyms::merge(&mut synonyms, derived);
    b.finish(&synonyms, &src.provenance, &routes)
}

fn periods_of(p: &[ValidPeriod]) -> Vec<(i32, i32)> {
    p.iter()
        .map(|p| (day(p.start), p.end.map_or(i32::MAX, day)))
        .collect()
}

/// Text outside parentheses, and the parenthesised text ("nonessential").
pub(super) fn split_parens(s: &str) -> (String, String) {
    let (mut core, mut optional) = (String::new(), String::new());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                optional.push(' ');
            }
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                optional.push(' ');
            }
            _ if depth > 0 => optional.push(c),
            _ => core.push(c),
        }
    }
    (core, optional)
}

impl Builder {
    pub(super) fn entry(&mut self, e: EntryB) -> u32 {
        let id = self.entries.len() as u32;
        self.by_key.insert((e.system, e.key.clone()), id);
        self.entries.push(e);
        id
    }

    fn text(&mut self, entry: u32, kind: TextKind, text: &str, label: String) {
        let (core, optional) = split_parens(text);
        let mut optional = index_words(&optional);
        optional.extend(joined_compounds(text));
        self.texts.push(TextB {
            entry,
            kind,
            core: index_words(&core),
            optional,
            label,
            bonus: 0.0,
            column: 0,
        });
    }

    fn add_cm(&mut self, cm: &IcdCm) {
        for (n, node) in cm.nodes.iter().enumerate() {
            if node.kind != NodeKind::Code {
                continue;
            }
            let editions = Edition::ALL
                .into_iter()
                .filter(|&e| cm.in_edition(n, e))
                .fold(EditionSet::NONE, |s, e| s.with(EditionSet::only(e)));
            let newest = editions.iter().last().unwrap_or(Edition::ALL[0]);
            let key = code_key(&node.code);
            let mut flags = 0;
            if !cm.children_in(n, newest).is_empty() {
                flags |= flag::HEADER;
            } else if !cm.seventh_characters(n).is_empty() {
                flags |= flag::NEEDS_SEVENTH;
            } else {
                flags |= flag::BILLABLE;
            }
            let title = cm.title_in(n, newest).to_string();
            let periods = cm
                .mce
                .get(&key)
                .map(|m| periods_of(&m.periods))
                .unwrap_or_default();
            let id = self.entry(EntryB {
                system: System::Icd10Cm,
                code: node.code.clone(),
                key,
                title: title.clone(),
                flags,
                periods,
                extensions: Vec::new(),
            });
            self.editions.insert(id, editions);
            self.text(id, TextKind::Title, &title, String::new());
            let mut older: Vec<(Edition, &str)> = Vec::new();
            for e in editions.iter().filter(|&e| e < newest) {
                let old = cm.title_in(n, e);
                if old != title && older.iter().all(|(_, t)| *t != old) {
                    older.push((e, old));
                }
            }
            for (e, old) in older {
                self.text(
                    id,
                    TextKind::Alias,
                    old,
                    format!("{} title: {old}", e.label()),
                );
            }
            for note in &node.notes {
                if note.kind == NoteKind::InclusionTerm {
                    self.text(
                        id,
                        TextKind::InclusionTerm,
                        &note.text,
                        format!("Inclusion term: {}", note.text),
                    );
                }
            }
        }
        // Complete codes built with a 7th character: found by code, and offered
        // in place of their base code when only billable codes are wanted.
        let mut built: Vec<&String> = cm
            .mce
            .keys()
            .filter(|k| !self.by_key.contains_key(&(System::Icd10Cm, (*k).clone())))
            .collect();
        built.sort();
        for key in built {
            let found: Vec<_> = Edition::ALL
                .into_iter()
                .filter_map(|e| cm.lookup(key, e))
                .collect();
            let Some(d) = found.last() else {
                continue;
            };
            let editions = found
                .iter()
                .fold(EditionSet::NONE, |s, d| s.with(EditionSet::only(d.edition)));
            let flags = if d.billable { flag::BILLABLE } else { 0 };
            let base = code_key(&cm.nodes[d.node].code);
            let id = self.entry(EntryB {
                system: System::Icd10Cm,
                code: d.code.clone(),
                key: key.clone(),
                title: d.title.clone(),
                flags,
                periods: periods_of(&d.valid),
                extensions: Vec::new(),
            });
            self.editions.insert(id, editions);
            if let Some(&parent) = self.by_key.get(&(System::Icd10Cm, base)) {
                self.entries[parent as usize].extensions.push(id);
            }
        }
    }

    /// A header with at most [`MAX_HEADER_CODES`] complete codes under it
    /// offers them (7th characters included), so that the words of a query
    /// ("right", "subsequent encounter") pick the reportable code.
    fn expand_cm_headers(&mut self) {
        let mut complete: Vec<(String, u32)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.system == System::Icd10Cm && e.flags & flag::BILLABLE != 0)
            .map(|(i, e)| (e.key.clone(), i as u32))
            .collect();
        complete.sort();
        for h in 0..self.entries.len() {
            let e = &self.entries[h];
            if e.system != System::Icd10Cm || e.flags & flag::HEADER == 0 {
                continue;
            }
            let lo = complete.partition_point(|(k, _)| k.as_str() < e.key.as_str());
            let under: Vec<u32> = complete[lo..]
                .iter()
                .take_while(|(k, _)| k.starts_with(e.key.as_str()))
                .take(MAX_HEADER_CODES + 1)
                .map(|&(_, i)| i)
                .collect();
            if !under.is_empty() && under.len() <= MAX_HEADER_CODES {
                let e = &mut self.entries[h];
                e.extensions = under;
                e.flags |= flag::EXPANDS;
            }
        }
    }

    fn add_pcs(&mut self, pcs: &IcdPcs) {
        let mut found: Vec<(String, String)> = Vec::new();
        pcs.tables
            .for_each_code(|code, title| found.push((code.to_string(), title.to_string())));
        for (code, title) in found {
            let periods = pcs
                .mce
                .get(&code)
                .map(|m| periods_of(&m.periods))
                .unwrap_or_default();
            let id = self.entry(EntryB {
                system: System::Icd10Pcs,
                key: code.clone(),
                code,
                title: title.clone(),
                flags: flag::BILLABLE,
                periods,
                extensions: Vec::new(),
            });
            self.text(id, TextKind::Title, &title, String::new());
        }
        let mut untitled: Vec<(&String, &crate::codeset::MceEntry)> = pcs
            .mce
            .iter()
            .filter(|(k, _)| !self.by_key.contains_key(&(System::Icd10Pcs, (*k).clone())))
            .collect();
        untitled.sort_by(|a, b| a.0.cmp(b.0));
        for (code, m) in untitled {
            self.entry(EntryB {
                system: System::Icd10Pcs,
                code: code.clone(),
                key: code.clone(),
                title: "(valid per MCE v44; no title: not in the bundled FY2026 tables)".into(),
                flags: flag::BILLABLE,
                periods: periods_of(&m.periods),
                extensions: Vec::new(),
            });
        }
    }

    fn add_hcpcs(&mut self, hcpcs: &Hcpcs) {
        for e in hcpcs.iter().filter(|e| !e.modifier) {
            let id = self.entry(EntryB {
                system: System::Hcpcs,
                code: e.code.clone(),
                key: e.code.clone(),
                title: e.long_description.clone(),
                flags: flag::BILLABLE | flag::UNDATED,
                periods: Vec::new(),
                extensions: Vec::new(),
            });
            self.text(id, TextKind::Title, &e.long_description, String::new());
            if !e.short_description.is_empty() {
                self.text(
                    id,
                    TextKind::Alias,
                    &e.short_description,
                    format!("Short description: {}", e.short_description),
                );
            }
        }
    }

    fn add_user(&mut self, table: &UserTable, system: System) {
        for c in &table.codes {
            if self.by_key.contains_key(&(system, c.code.clone())) {
                continue;
            }
            let id = self.entry(EntryB {
                system,
                code: c.code.clone(),
                key: c.code.clone(),
                title: c.description.clone(),
                flags: flag::BILLABLE | flag::UNDATED,
                periods: Vec::new(),
                extensions: Vec::new(),
            });
            self.text(id, TextKind::Title, &c.description, String::new());
            if let Some(short) = &c.short_description {
                self.text(
                    id,
                    TextKind::Alias,
                    short,
                    format!("Short description: {short}"),
                );
            }
        }
    }

    /// The entries, as flat arrays, and their code order.
    fn push_entries(&self, ix: &mut SearchIndex) {
        // Entries.
        // Extensions are already in code order: add_cm makes them from the
        // sorted MCE keys.
        debug_assert!(self.entries.iter().all(|e| {
            e.extensions
                .windows(2)
                .all(|w| self.entries[w[0] as usize].key < self.entries[w[1] as usize].key)
        }));
        for (i, e) in self.entries.iter().enumerate() {
            let editions = self.editions.get(&(i as u32)).copied();
            ix.editions
                .push(editions.unwrap_or(EditionSet::NONE).bits());
            ix.codes.push(&e.code);
            ix.keys.push(&e.key);
            ix.titles.push(&e.title);
            ix.systems.push(e.system as u8);
            ix.flags.push(e.flags);
            for &(s, t) in &e.periods {
                ix.periods.push(s);
                ix.periods.push(t);
            }
            ix.period_ends.push(ix.periods.len() as u32);
            ix.extensions.extend(&e.extensions);
            ix.extension_ends.push(ix.extensions.len() as u32);
        }
        let mut order: Vec<u32> = (0..self.entries.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.entries[a as usize], &self.entries[b as usize]);
            (a.system, &a.key).cmp(&(b.system, &b.key))
        });
        ix.code_order = order;
    }

    /// Texts: words deduplicated, modifiers after the core words; a text
    /// repeating another of the same entry word for word dropped.
    fn normalise_texts(&mut self) {
        for t in &mut self.texts {
            // Words that add nothing a query could lack: "NOS", "NEC" and
            // "unspecified" may be typed, but a title is not less of a match
            // without them (a bare "atrial fibrillation" is the unspecified code).
            let (vague, core): (Vec<String>, Vec<String>) = std::mem::take(&mut t.core)
                .into_iter()
                .partition(|w| matches!(w.as_str(), "nos" | "nec" | "unspecified"));
            t.core = core;
            t.optional.extend(vague);
            dedup_words(&mut t.core, &[]);
            let core = std::mem::take(&mut t.core);
            dedup_words(&mut t.optional, &core);
            t.core = core;
            t.core.truncate(48);
            t.optional.truncate(64 - t.core.len());
        }
        // Drop a text that repeats another of the same entry word for word.
        let mut seen_texts: std::collections::HashSet<(u32, u64)> =
            std::collections::HashSet::new();
        self.texts.retain(|t| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.core.hash(&mut h);
            seen_texts.insert((t.entry, h.finish()))
        });
    }

    /// Each text's static points: its kind, its entry's flags, its bonus.
    fn statics(&self) -> Vec<f32> {
        self.texts
            .iter()
            .map(|t| {
                let f = self.entries[t.entry as usize].flags;
                // Billable codes above headers: a header is where to look, not
                // what to report.
                // A CM header the Index leads to ("S42.20-") answers with
                // its complete codes; found by its own title, it stays a
                // header.
                let by_index = matches!(
                    t.kind,
                    TextKind::IndexMain | TextKind::IndexSub | TextKind::Table
                );
                let pcs_row = self.entries[t.entry as usize].system == System::Icd10Pcs;
                let entry_bonus = if f & flag::BILLABLE != 0 {
                    6.0
                } else if f & flag::NEEDS_SEVENTH != 0
                    || (f & flag::EXPANDS != 0 && (pcs_row || by_index))
                {
                    5.0
                } else if f & flag::INDEX_ONLY != 0 {
                    -10.0
                } else {
                    -8.0
                };
                t.kind.weight() + entry_bonus + t.bonus - 0.2 * t.core.len() as f32
            })
            .collect()
    }

    fn finish(
        mut self,
        synonyms: &[Synonym],
        provenance: &[String],
        routes: &[super::morphology::Route],
    ) -> SearchIndex {
        let mut ix = SearchIndex::default();
        self.push_entries(&mut ix);
        self.normalise_texts();
        let statics = self.statics();
        let mut text_order: Vec<usize> = (0..self.texts.len()).collect();
        text_order.sort_by(|&a, &b| {
            statics[b]
                .total_cmp(&statics[a])
                .then(self.texts[a].entry.cmp(&self.texts[b].entry))
        });

        // Vocabulary.
        let unique: std::collections::HashSet<&str> = self
            .texts
            .iter()
            .flat_map(|t| t.core.iter().chain(&t.optional))
            .map(String::as_str)
            .collect();
        let mut vocab: Vec<&str> = unique.into_iter().collect();
        vocab.sort_unstable();
        let word_id: HashMap<&str, u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, w)| (*w, i as u32))
            .collect();
        for w in &vocab {
            ix.vocab.push(w);
            let eponym = u8::from(self.eponym_words.contains(*w)) << 1;
            ix.vocab_site
                .push(u8::from(self.site_words.contains(*w)) | eponym);
        }

        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); vocab.len()];
        ix.entry_title = vec![u32::MAX; self.entries.len()];
        for (id, &t) in text_order.iter().enumerate() {
            let text = &self.texts[t];
            if text.kind == TextKind::Title {
                ix.entry_title[text.entry as usize] = id as u32;
            }
            ix.text_entry.push(text.entry);
            ix.text_kind.push(text.kind as u8);
            ix.text_static.push(statics[t]);
            ix.text_core.push(text.core.len() as u8);
            ix.text_column.push(text.column);
            for w in text.core.iter().chain(&text.optional) {
                let wid = word_id[w.as_str()];
                ix.words.push(wid);
                postings[wid as usize].push(id as u32);
            }
            ix.text_word_ends.push(ix.words.len() as u32);
            ix.text_labels.push(&text.label);
        }
        for p in postings {
            ix.postings.extend(p);
            ix.posting_ends.push(ix.postings.len() as u32);
        }

        push_synonyms(&mut ix, synonyms, &word_id);
        for p in provenance {
            ix.provenance.push(p);
        }
        for r in routes {
            ix.morph_keys.push(&r.key.join(" "));
            ix.morph_extras.push(&r.extra.join(" "));
            ix.morph_columns.push(r.column);
            ix.morph_sites.push(&r.site);
            ix.morph_labels.push(&r.label);
        }
        ix
    }
}

/// Hyphenated words also as one word ("Pre-eclampsia" → "preeclampsia"), so
/// that typing them either way finds them.
pub(super) fn joined_compounds(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.contains('-'))
        .map(|w| words(w).concat())
        .filter(|w| w.len() > 3)
        .collect()
}

/// Removes repeated words, and words already in `before`, keeping the order.
fn dedup_words(words: &mut Vec<String>, before: &[String]) {
    let mut kept: Vec<String> = Vec::with_capacity(words.len());
    for w in words.drain(..) {
        if !before.contains(&w) && !kept.contains(&w) {
            kept.push(w);
        }
    }
    *words = kept;
}

/// The synonyms: sorted keys, each key's phrases as word ids (`u32::MAX` for a
/// word no text has).
fn push_synonyms(ix: &mut SearchIndex, synonyms: &[Synonym], word_id: &HashMap<&str, u32>) {
    let mut synonyms: Vec<&Synonym> = synonyms.iter().collect();
    synonyms.sort_by(|a, b| a.key.cmp(&b.key));
    for s in synonyms {
        ix.synonym_keys.push(&s.key);
        for phrase in &s.phrases {
            for w in phrase {
                ix.phrase_words
                    .push(word_id.get(w.as_str()).copied().unwrap_or(u32::MAX));
            }
            ix.phrase_word_ends.push(ix.phrase_words.len() as u32);
        }
        ix.synonym_phrase_ends
            .push(ix.phrase_word_ends.len() as u32);
    }
}
