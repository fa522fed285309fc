//! Code search: one engine over codes, titles, inclusion terms, the Alphabetic
//! Index and its tables, and a synonym list, across every code system.
//!
//! The index is a set of flat arrays (so it saves to and loads from the cache in
//! milliseconds): *entries* are codes; *texts* are the things a coder may type
//! words of (a title, an inclusion term, an index path), each pointing at an entry;
//! the *vocabulary* is every word in sorted order, so that all the words a
//! truncated word begins are one range, with a postings list of the texts
//! holding each word.

mod build_by_site;
mod build_cm_index;
mod build_history;
mod build_history_names;
mod build_long_term;
mod build_nodes;
mod build_pcs;
mod build_pcs_values;
mod build_region;
mod builder;
pub mod cache;
pub mod morphology;
mod query;
pub mod relevance;
pub mod synonyms;
pub mod text;
pub mod worker;

pub use builder::{Sources, build};
pub use query::{Hit, SearchStats, Searcher};

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The code systems search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    Icd10Cm,
    Icd10Pcs,
    Hcpcs,
    Cpt,
    Local,
}

impl System {
    pub const ALL: [System; 5] = [
        System::Icd10Cm,
        System::Icd10Pcs,
        System::Hcpcs,
        System::Cpt,
        System::Local,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            System::Icd10Cm => "icd10cm",
            System::Icd10Pcs => "icd10pcs",
            System::Hcpcs => "hcpcs",
            System::Cpt => "cpt",
            System::Local => "local",
        }
    }

    fn from_u8(v: u8) -> System {
        System::ALL
            .get(usize::from(v))
            .copied()
            .unwrap_or(System::Local)
    }

    /// A diagnosis code system (the rest are procedures and services).
    pub fn is_diagnosis(self) -> bool {
        self == System::Icd10Cm
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which systems a search covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SystemFilter {
    All,
    /// Diagnoses: ICD-10-CM.
    Diagnoses,
    /// Procedures and services: ICD-10-PCS, HCPCS, CPT and local codes.
    Procedures,
    Only(System),
}

impl SystemFilter {
    pub fn allows(self, s: System) -> bool {
        match self {
            SystemFilter::All => true,
            SystemFilter::Diagnoses => s.is_diagnosis(),
            SystemFilter::Procedures => !s.is_diagnosis(),
            SystemFilter::Only(only) => s == only,
        }
    }
}

impl std::str::FromStr for SystemFilter {
    type Err = String;

    fn from_str(s: &str) -> Result<SystemFilter, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "all" => SystemFilter::All,
            "dx" => SystemFilter::Diagnoses,
            "px" => SystemFilter::Procedures,
            // The short names coders use.
            "cm" => SystemFilter::Only(System::Icd10Cm),
            "pcs" => SystemFilter::Only(System::Icd10Pcs),
            other => SystemFilter::Only(
                System::ALL
                    .into_iter()
                    .find(|s| s.name() == other)
                    .ok_or_else(|| {
                        format!(
                            "unknown code system {s:?}: use icd10cm (cm), icd10pcs (pcs), hcpcs, cpt, local, dx, px or all"
                        )
                    })?,
            ),
        })
    }
}

/// What a search is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filters {
    pub systems: SystemFilter,
    /// Only codes reportable as they stand (no headers, no code needing a 7th
    /// character: those are offered as their complete codes instead).
    pub billable_only: bool,
    /// The date of service: it decides the edition and which codes are valid.
    pub date: NaiveDate,
    /// Leave out codes not valid on `date` (otherwise they are shown, marked).
    pub valid_only: bool,
}

impl Filters {
    pub fn on(date: NaiveDate) -> Filters {
        Filters {
            systems: SystemFilter::All,
            billable_only: false,
            date,
            valid_only: false,
        }
    }
}

/// What kind of text a hit matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum TextKind {
    /// An Alphabetic Index main term with its code ("Pneumonia" → J18.9).
    IndexMain = 0,
    Title = 1,
    /// A Table of Drugs or Neoplasm Table cell.
    Table = 2,
    IndexSub = 3,
    ExternalCause = 4,
    InclusionTerm = 5,
    /// A short description or an earlier title.
    Alias = 6,
}

impl TextKind {
    fn from_u8(v: u8) -> TextKind {
        match v {
            0 => TextKind::IndexMain,
            1 => TextKind::Title,
            2 => TextKind::Table,
            3 => TextKind::IndexSub,
            4 => TextKind::ExternalCause,
            5 => TextKind::InclusionTerm,
            _ => TextKind::Alias,
        }
    }

    /// Static points a text of this kind earns.
    fn weight(self) -> f32 {
        match self {
            TextKind::IndexMain => 14.0,
            TextKind::Title => 12.0,
            TextKind::Table => 10.0,
            TextKind::IndexSub => 8.0,
            TextKind::ExternalCause => 8.0,
            TextKind::InclusionTerm => 6.0,
            TextKind::Alias => 4.0,
        }
    }
}

/// Entry flags.
pub(crate) mod flag {
    /// Reportable as it stands.
    pub const BILLABLE: u8 = 1;
    /// A code that takes a 7th character (S72.001): its complete codes are its
    /// extensions.
    pub const NEEDS_SEVENTH: u8 = 2;
    /// Has children: pick one of them.
    pub const HEADER: u8 = 4;
    /// Only the Alphabetic Index knows this code: it is in no bundled edition.
    pub const INDEX_ONLY: u8 = 32;
    /// Valid on every date (HCPCS, CPT and local tables carry no dates).
    pub const UNDATED: u8 = 64;
    /// A PCS table or row the Index leads to: offered as the valid codes under it
    /// (its extensions) when only reportable codes are wanted.
    pub const EXPANDS: u8 = 128;
}

/// Strings stored end to end with their end offsets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StrArray {
    pub(crate) text: String,
    pub(crate) ends: Vec<u32>,
}

impl StrArray {
    pub fn get(&self, i: usize) -> &str {
        let end = self.ends[i] as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..end]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }
}

/// A day number for dates in the index (days since 0001-01-01).
pub(crate) fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// The searchable index. Build it with [`build`], or load it with [`cache::load_or_build`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchIndex {
    // Entries (codes).
    pub(crate) codes: StrArray,
    /// The codes without their dots, as ordered and looked up.
    pub(crate) keys: StrArray,
    pub(crate) titles: StrArray,
    pub(crate) systems: Vec<u8>,
    pub(crate) flags: Vec<u8>,
    /// Per ICD-10-CM entry, the editions it is in (`codeset::EditionSet` bits).
    pub(crate) editions: Vec<u8>,
    /// Per entry, the end of its validity periods in `periods` (start, end day
    /// pairs; end `i32::MAX` when open).
    pub(crate) period_ends: Vec<u32>,
    pub(crate) periods: Vec<i32>,
    /// Per entry, the end of its 7th-character extensions in `extensions`.
    pub(crate) extension_ends: Vec<u32>,
    pub(crate) extensions: Vec<u32>,
    /// Entries in code order (system, then the code without its dot).
    pub(crate) code_order: Vec<u32>,
    // Texts, in static rank order (best first).
    pub(crate) text_entry: Vec<u32>,
    pub(crate) text_kind: Vec<u8>,
    pub(crate) text_static: Vec<f32>,
    /// Per text, the end of its words in `words`; the first `text_core` of them
    /// count towards coverage, the rest are nonessential modifiers.
    pub(crate) text_word_ends: Vec<u32>,
    pub(crate) text_core: Vec<u8>,
    pub(crate) words: Vec<u32>,
    /// What the text is, for texts other than the title ("Index: Pneumonia > aspiration").
    pub(crate) text_labels: StrArray,
    // Vocabulary, sorted, with postings (text ids, ascending).
    pub(crate) vocab: StrArray,
    pub(crate) posting_ends: Vec<u32>,
    pub(crate) postings: Vec<u32>,
    // Synonyms: sorted keys; per key the end of its phrases; per phrase the end
    // of its word ids (u32::MAX for a word no text has).
    pub(crate) synonym_keys: StrArray,
    pub(crate) synonym_phrase_ends: Vec<u32>,
    pub(crate) phrase_word_ends: Vec<u32>,
    pub(crate) phrase_words: Vec<u32>,
    /// Editions, one line per source, for `chartcoder search --about`.
    pub(crate) provenance: StrArray,
    /// Per text, its Neoplasm Table column (0: not a Neoplasm Table cell).
    pub(crate) text_column: Vec<u8>,
    /// Morphology routes, longest key first: the key's words (space-separated),
    /// the Neoplasm Table column, the site the Index names, the Index reference.
    pub(crate) morph_keys: StrArray,
    pub(crate) morph_extras: StrArray,
    pub(crate) morph_columns: Vec<u8>,
    pub(crate) morph_sites: StrArray,
    pub(crate) morph_labels: StrArray,
    /// Per vocabulary word, 1 if a Neoplasm Table site has it.
    pub(crate) vocab_site: Vec<u8>,
    /// Per entry, the text of its own title (`u32::MAX` for a code found only
    /// by code, such as one built with a 7th character).
    pub(crate) entry_title: Vec<u32>,
    /// `code_order` as numbers, for `find` (made at its first call).
    pub(crate) packed_order: PackedOrder,
}

/// A code's system and the first seven bytes of its key as one number,
/// ordered as (system, key) pairs are: the system in the top byte, the
/// key's bytes below it, a shorter key padded with zeros (below any byte
/// of a key).
fn packed_key(system: System, key: &str) -> u64 {
    let mut b = [0u8; 8];
    b[0] = system as u8;
    for (slot, &c) in b[1..].iter_mut().zip(key.as_bytes()) {
        *slot = c;
    }
    u64::from_be_bytes(b)
}

/// `SearchIndex::code_order` as `packed_key` numbers, made at the first
/// `SearchIndex::find`: a lookup compares numbers in one array instead of
/// strings read all over the key table. Derived from the index, so every
/// two are equal as far as the index's equality goes.
#[derive(Debug, Clone, Default)]
pub(crate) struct PackedOrder(std::sync::OnceLock<Vec<u64>>);

impl PackedOrder {
    fn get_or_init(&self, make: impl FnOnce() -> Vec<u64>) -> &[u64] {
        self.0.get_or_init(make)
    }
}

impl PartialEq for PackedOrder {
    fn eq(&self, _: &PackedOrder) -> bool {
        true
    }
}

pub(crate) fn range(ends: &[u32], i: usize) -> std::ops::Range<usize> {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    start..ends[i] as usize
}

impl SearchIndex {
    pub fn entries(&self) -> usize {
        self.codes.len()
    }

    pub fn texts(&self) -> usize {
        self.text_entry.len()
    }

    pub fn vocabulary(&self) -> usize {
        self.vocab.len()
    }

    /// The sources and editions the index was built from.
    pub fn provenance(&self) -> Vec<&str> {
        (0..self.provenance.len())
            .map(|i| self.provenance.get(i))
            .collect()
    }

    pub fn code(&self, entry: usize) -> &str {
        self.codes.get(entry)
    }

    pub fn title(&self, entry: usize) -> &str {
        self.titles.get(entry)
    }

    pub fn system(&self, entry: usize) -> System {
        System::from_u8(self.systems[entry])
    }

    pub(crate) fn has(&self, entry: usize, f: u8) -> bool {
        self.flags[entry] & f != 0
    }

    pub fn billable(&self, entry: usize) -> bool {
        self.has(entry, flag::BILLABLE)
    }

    /// Whether the code is reportable as it stands on `date`: billable, or an
    /// ICD-10-CM header only a later edition subdivided. FY2027 splits Z68.1
    /// "Body mass index [BMI] 19.9 or less, adult" into Z68.18 and Z68.19; on a
    /// date in FY2026 neither exists and Z68.1 is the code to report.
    pub fn billable_on(&self, entry: usize, date: NaiveDate) -> bool {
        if self.billable(entry) {
            return true;
        }
        if self.system(entry) != System::Icd10Cm
            || !self.has(entry, flag::HEADER)
            || self.has(entry, flag::NEEDS_SEVENTH)
            || !self.valid_on(entry, date)
        {
            return false;
        }
        let under = &self.extensions[range(&self.extension_ends, entry)];
        !under.is_empty() && !under.iter().any(|&x| self.valid_on(x as usize, date))
    }

    /// A code only the (older) Alphabetic Index names: in no bundled edition.
    pub fn index_only(&self, entry: usize) -> bool {
        self.has(entry, flag::INDEX_ONLY)
    }

    /// Whether the code exists (and, for complete codes, is valid) on `date`.
    pub fn valid_on(&self, entry: usize, date: NaiveDate) -> bool {
        if self.has(entry, flag::INDEX_ONLY) {
            return false;
        }
        if self.has(entry, flag::UNDATED) {
            return true;
        }
        let periods = &self.periods[range(&self.period_ends, entry)];
        if !periods.is_empty() {
            let d = day(date);
            return periods.chunks(2).any(|p| p[0] <= d && d <= p[1]);
        }
        if self.system(entry) == System::Icd10Cm {
            let edition = crate::codeset::Edition::for_date(date);
            return crate::codeset::EditionSet::from_bits(self.editions[entry]).contains(edition);
        }
        false
    }

    /// The entry of a code of a system, written with or without its dot.
    pub fn find(&self, system: System, code: &str) -> Option<usize> {
        // A key as the index writes it (capitals and digits: the PCS
        // look-ups of built keys) needs no copy.
        let written = !code.is_empty()
            && code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let owned;
        let key = if written {
            code
        } else {
            owned = crate::codeset::code_key(code);
            owned.as_str()
        };
        let packed = self.packed_order.get_or_init(|| {
            self.code_order
                .iter()
                .map(|&e| packed_key(self.system(e as usize), self.keys.get(e as usize)))
                .collect()
        });
        // Numbers ordered as the (system, key) pairs are (a key longer than
        // seven bytes shares its number with the keys it begins alike):
        // the first entry whose number is the key's, then the entries
        // sharing it, in code order, compared whole.
        let p = packed_key(system, key);
        let i = packed.partition_point(|&x| x < p);
        let run = packed[i..].iter().take_while(|&&x| x == p).count();
        self.code_order[i..i + run]
            .iter()
            .map(|&e| e as usize)
            .find(|&e| self.order_key(e) >= (system, key))
            .filter(|&e| self.order_key(e) == (system, key))
    }

    fn order_key(&self, entry: usize) -> (System, &str) {
        (self.system(entry), self.keys.get(entry))
    }

    /// Entries whose code (without the dot) starts with `prefix`, in code order,
    /// for the systems the filter allows.
    pub(crate) fn code_prefix(&self, prefix: &str, systems: SystemFilter) -> Vec<usize> {
        let mut out = Vec::new();
        for system in System::ALL {
            if !systems.allows(system) {
                continue;
            }
            let lo = self
                .code_order
                .partition_point(|&e| self.order_key(e as usize) < (system, prefix));
            for &e in &self.code_order[lo..] {
                let e = e as usize;
                if self.system(e) != system || !self.code_key_starts(e, prefix) {
                    break;
                }
                out.push(e);
            }
        }
        out
    }

    fn code_key_starts(&self, entry: usize, prefix: &str) -> bool {
        self.keys.get(entry).starts_with(prefix)
    }
}

/// The character positions of `title` to highlight for `query`: each query word
/// placed by the skim fuzzy matcher (fuzzy-matcher), word by word so that words
/// typed in any order all light up. Meant for the few hits on screen, not for
/// ranking (a full fuzzy scan is the slow baseline the engine replaces).
pub fn highlight(title: &str, query: &str) -> Vec<usize> {
    use fuzzy_matcher::FuzzyMatcher;
    use fuzzy_matcher::skim::SkimMatcherV2;
    let matcher = SkimMatcherV2::default().ignore_case();
    let mut marks: Vec<usize> = Vec::new();
    for word in text::index_words(query) {
        if let Some((_, positions)) = matcher.fuzzy_indices(title, &word) {
            marks.extend(positions);
        }
    }
    marks.sort_unstable();
    marks.dedup();
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_marks_each_query_word_in_any_order() {
        let title = "Type 2 diabetes mellitus with hyperglycemia";
        let marks = highlight(title, "hyperglyc diab");
        let lit: String = marks
            .iter()
            .map(|&i| title.chars().nth(i).unwrap())
            .collect();
        assert!(lit.contains("diab"), "{lit}");
        assert!(lit.contains("hyperglyc"), "{lit}");
        assert!(highlight(title, "zzz").is_empty());
    }

    #[test]
    fn system_filters_parse_and_reject_unknown_names() {
        assert_eq!("dx".parse::<SystemFilter>(), Ok(SystemFilter::Diagnoses));
        assert_eq!(
            "ICD10PCS".parse::<SystemFilter>(),
            Ok(SystemFilter::Only(System::Icd10Pcs))
        );
        assert!(
            "cpt4"
                .parse::<SystemFilter>()
                .unwrap_err()
                .contains("unknown")
        );
        assert!(SystemFilter::Procedures.allows(System::Cpt));
        for (short, system) in [
            ("cm", System::Icd10Cm),
            ("PCS", System::Icd10Pcs),
            ("hcpcs", System::Hcpcs),
            ("cpt", System::Cpt),
        ] {
            assert_eq!(
                short.parse::<SystemFilter>(),
                Ok(SystemFilter::Only(system))
            );
        }
        assert!(!SystemFilter::Procedures.allows(System::Icd10Cm));
    }
}
