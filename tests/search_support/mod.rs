//! What the search tests share: the bundled index (built once per target
//! folder, then loaded from its cache), one searcher over it, the filters a
//! coder assigns codes with, and the checks on hits. A test binary that uses
//! it declares `mod common;` beside `mod search_support;` (the date and the
//! cache folder are common's); each uses a subset.
#![allow(dead_code)]

use crate::common::{date, search_cache};
use chartcoder::search::cache::{self, UserTables};
use chartcoder::search::synonyms::Synonym;
use chartcoder::search::text::words;
use chartcoder::search::{Filters, Hit, SearchIndex, Searcher, SystemFilter};
use std::sync::{Mutex, MutexGuard, OnceLock};

/// The index over the bundled code sets without site tables, loaded once
/// per test binary from the cache every test run shares.
pub fn index() -> &'static SearchIndex {
    static IX: OnceLock<SearchIndex> = OnceLock::new();
    IX.get_or_init(|| {
        cache::load_or_build(Some(&search_cache()), &UserTables::default())
            .unwrap_or_else(|e| panic!("{e}"))
            .0
    })
}

/// One searcher over [`index`] for the whole test binary (a test that
/// panicked while holding it does not poison the others).
pub fn searcher() -> MutexGuard<'static, Searcher<'static>> {
    static S: OnceLock<Mutex<Searcher<'static>>> = OnceLock::new();
    S.get_or_init(|| Mutex::new(Searcher::new(index())))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// As a coder assigns codes: reportable codes only, FY2026, diagnoses
/// (`"dx"`) or procedures (`"px"`).
pub fn filters(system: &str) -> Filters {
    let mut f = Filters::on(date("2026-09-30"));
    f.billable_only = true;
    f.systems = system.parse::<SystemFilter>().unwrap();
    f
}

/// The first ten diagnosis codes a coder is offered for `q`.
pub fn dx(q: &str) -> Vec<Hit> {
    searcher().search(q, &filters("dx"), 10)
}

/// The first ten procedure codes a coder is offered for `q`.
pub fn px(q: &str) -> Vec<Hit> {
    searcher().search(q, &filters("px"), 10)
}

pub fn codes(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.code.as_str()).collect()
}

pub fn first(hits: &[Hit]) -> &str {
    hits.first().map_or("(none)", |h| h.code.as_str())
}

/// Whether a hit's title or its why line holds every word of one of a
/// synonym entry's phrases (each word the start of a word of the text): the
/// check that a shorthand entry leads where its phrases say.
pub fn holds_a_phrase(hit: &Hit, phrases: &[Vec<String>]) -> bool {
    let text = format!("{} {}", hit.title, hit.matched).to_lowercase();
    let words = words(&text);
    phrases.iter().any(|p| {
        p.iter()
            .all(|w| words.iter().any(|t| t.starts_with(w.as_str())))
    })
}

/// That every entry of `list` leads somewhere: among the hits `search` gives
/// for it, one that `counts` holds one of the entry's phrases
/// ([`holds_a_phrase`]). The failures name each entry with its first codes.
pub fn assert_each_entry_leads_to_its_phrases(
    list: &[Synonym],
    search: impl Fn(&Synonym) -> Vec<Hit>,
    counts: impl Fn(&Hit) -> bool,
) {
    let mut failures = Vec::new();
    for s in list {
        let hits = search(s);
        if !hits
            .iter()
            .any(|h| counts(h) && holds_a_phrase(h, &s.phrases))
        {
            failures.push(format!("{}: {:?}", s.key, codes(&hits)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} entries lead nowhere:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// That `search` offers each term's code first; the failures are gathered
/// and named together (each with the codes offered), so one run shows every
/// member of a family that fails, not only the first.
pub fn assert_first_each(search: impl Fn(&str) -> Vec<Hit>, cases: &[(&str, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(q, code)| {
            let hits = search(q);
            (first(&hits) != code).then(|| format!("{q}: want {code}, got {:?}", codes(&hits)))
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
