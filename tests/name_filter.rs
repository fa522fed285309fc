//! The queue's typed-text filter (account or MRN prefix, or every typed word
//! beginning a word of the patient's name) finds the same charts in the same
//! order as the rule written out plainly over every chart, on SQLite and,
//! when CHARTCODER_TEST_PG names a server, on PostgreSQL: the index behind
//! it changes how fast it finds them, never which.

use chartcoder::store::postgres as pg;
use chartcoder::store::{
    QueueFilter, QueuePage, QueueRow, StatusFilter, Store, StoreOptions, queue,
};
use std::sync::atomic::{AtomicUsize, Ordering};

const CHARTS: u64 = 400;

/// What coders type: name-word prefixes (one letter, several words, either
/// order, upper case, punctuation), account and MRN prefixes, and nothing.
const TYPED: &[&str] = &[
    "a",
    "t",
    "th",
    "tho",
    "zel",
    "zelda",
    "zelda y",
    "y z",
    "yarrow zelda",
    "ZELDA",
    "o'",
    "m-",
    "G0000001",
    "g0000002",
    "GM0000003",
    "gm000000",
    "qqqq",
    "zelda qqqq",
    "1",
    "  ",
];

/// The rule, written plainly: lower-case words split at anything that is not
/// a letter or digit; an account or MRN starts with the text as typed or
/// upper-cased.
fn matches(row: &QueueRow, text: &str) -> bool {
    let text = text.trim();
    if text.is_empty() {
        return true;
    }
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    for spelling in [text.to_string(), text.to_uppercase()] {
        if row.account.starts_with(&spelling) || row.mrn.starts_with(&spelling) {
            return true;
        }
    }
    let name = words(&row.patient_name);
    let typed = words(text);
    !typed.is_empty() && typed.iter().all(|t| name.iter().any(|w| w.starts_with(t)))
}

/// Every page of `filter`, walked with keyset pages of 7 rows.
fn walk(store: &Store, filter: &QueueFilter) -> Vec<QueueRow> {
    let mut rows = Vec::new();
    let mut at = QueuePage::First;
    loop {
        let page = queue::page(store.conn(), filter, &at, 7).unwrap();
        let Some(last) = page.last() else { break };
        at = QueuePage::After(last.key());
        rows.extend(page);
    }
    rows
}

fn check(store: &Store) {
    for status in [StatusFilter::Uncoded, StatusFilter::All] {
        let plain = QueueFilter {
            status,
            ..QueueFilter::default()
        };
        let mut every =
            queue::page_by_offset(store.conn(), &plain, 0, CHARTS as usize + 1).unwrap();
        every.sort_by_key(|r| (r.discharge_date, r.chart_id));
        assert!(every.len() > 100, "the generated queue is too small");
        let mut found_some = 0;
        for typed in TYPED {
            let filter = QueueFilter {
                text: Some((*typed).into()),
                ..plain.clone()
            };
            let expected: Vec<QueueRow> = every
                .iter()
                .filter(|r| matches(r, typed))
                .cloned()
                .collect();
            if !expected.is_empty() && expected.len() < every.len() {
                found_some += 1;
            }
            let first =
                queue::page(store.conn(), &filter, &QueuePage::First, CHARTS as usize).unwrap();
            assert_eq!(first, expected, "{typed:?} ({status:?}): first page");
            assert_eq!(
                walk(store, &filter),
                expected,
                "{typed:?} ({status:?}): pages of 7"
            );
            let summary = queue::summary(store.conn(), &filter).unwrap();
            assert_eq!(summary.charts, expected.len() as u64, "{typed:?}: count");
            assert!(!summary.at_least);
        }
        // The texts are chosen to find some charts and not all: a filter that
        // found everything or nothing would not be tested.
        assert!(
            found_some >= 8,
            "only {found_some} texts found a strict subset"
        );
    }
}

fn generated(store: &mut Store) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    chartcoder::demo::generate(store, CHARTS, 7, today).unwrap();
}

#[test]
fn typed_text_finds_the_same_charts_in_the_same_order_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("q.db"), &StoreOptions::default()).unwrap();
    generated(&mut store);
    check(&store);
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

#[test]
fn typed_text_finds_the_same_charts_in_the_same_order_on_postgresql() {
    let Some(server) = std::env::var("CHARTCODER_TEST_PG")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        eprintln!("PostgreSQL half skipped: CHARTCODER_TEST_PG is unset");
        return;
    };
    let n = DATABASES.fetch_add(1, Ordering::SeqCst);
    let name = format!("chartcoder_test_name_filter_{}_{n}", std::process::id());
    let mut admin = pg::connect(&server).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let result = std::panic::catch_unwind(|| {
        let mut store =
            Store::open_url(&format!("{server} dbname={name}"), &StoreOptions::default()).unwrap();
        generated(&mut store);
        check(&store);
    });
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
