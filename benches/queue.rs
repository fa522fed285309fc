//! The chart queue at scale: keyset pages and trigger-kept counts against the
//! naive OFFSET pages and COUNT(*) a first version would write, in the same run.
//!
//!     cargo bench --bench queue                      # 1,000,000 charts
//!     CHARTCODER_BENCH_CHARTS=100000 cargo bench --bench queue
//!
//! The generated database is kept in target/ and reused by later runs.

use chartcoder::domain::{ChartStatus, EncounterType};
use chartcoder::store::{QueueFilter, QueuePage, StatusFilter, Store, StoreOptions, queue};
use std::time::{Duration, Instant};

const PAGE: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `f` up to `runs` times (after one warm-up), stopping early once 5 s are
/// spent and at least 5 runs are in, and returns (p50, p99).
fn measure(runs: usize, mut f: impl FnMut()) -> (Duration, Duration) {
    f();
    let budget = Instant::now();
    let mut times = Vec::with_capacity(runs);
    while times.len() < runs && (times.len() < 5 || budget.elapsed() < Duration::from_secs(5)) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, ours: (Duration, Duration), naive: (Duration, Duration)) {
    let ratio = ms(naive.0) / ms(ours.0).max(1e-6);
    let verdict = if ms(ours.0) <= 10.0 && ms(ours.1) <= 10.0 {
        "ok"
    } else {
        "OVER 10 ms"
    };
    println!(
        "{what:<44} {:>8.3} {:>8.3} | {:>9.3} {:>9.3} | {:>8.1}x  {verdict}",
        ms(ours.0),
        ms(ours.1),
        ms(naive.0),
        ms(naive.1),
        ratio
    );
}

fn naive_count(store: &Store, filter: &QueueFilter) {
    // What a first version does to show "N charts": count the rows each time.
    let mut conds = Vec::new();
    if let Some(statuses) = filter.status.statuses() {
        let list: Vec<String> = statuses
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        conds.push(format!("status IN ({})", list.join(",")));
    }
    if let Some(t) = filter.encounter_type {
        conds.push(format!("encounter_type = '{}'", t.as_str()));
    }
    let sql = if conds.is_empty() {
        "SELECT count(*) FROM charts".to_string()
    } else {
        format!("SELECT count(*) FROM charts WHERE {}", conds.join(" AND "))
    };
    let n: i64 = store.conn().query_row(&sql, [], |r| r.get(0)).unwrap();
    std::hint::black_box(n);
}

fn main() {
    let charts: u64 = std::env::var("CHARTCODER_BENCH_CHARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let path = dir.join(format!("bench-queue-{charts}.db"));
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    let have: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM charts", [], |r| r.get(0))
        .unwrap();
    if have as u64 != charts {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        store = Store::open(&path, &StoreOptions::default()).unwrap();
        let t = Instant::now();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        chartcoder::demo::generate(&mut store, charts, 42, today).unwrap();
        println!(
            "generated {charts} charts in {:.1} s into {}",
            t.elapsed().as_secs_f64(),
            path.display()
        );
    } else {
        println!("reusing {} ({charts} charts)", path.display());
    }
    let runs = 200;
    println!();
    println!(
        "queue of {charts} charts, {PAGE} rows a page; times in ms, p50 and p99 of up to {runs} runs \
         (fewer for a slow baseline: at least 5, within 5 s)"
    );
    println!(
        "{:<44} {:>8} {:>8} | {:>9} {:>9} | {:>9}",
        "operation", "ours p50", "p99", "naive p50", "p99", "naive/ours"
    );

    let conn = store.conn();
    let filters: Vec<(&str, QueueFilter)> = vec![
        (
            "open the queue (uncoded, oldest first)",
            QueueFilter {
                status: StatusFilter::Uncoded,
                ..QueueFilter::default()
            },
        ),
        ("open, every status", QueueFilter::default()),
        (
            "filter: status = on hold",
            QueueFilter {
                status: StatusFilter::Only(ChartStatus::OnHold),
                ..QueueFilter::default()
            },
        ),
        (
            "filter: type = inpatient",
            QueueFilter {
                encounter_type: Some(EncounterType::Inpatient),
                ..QueueFilter::default()
            },
        ),
        (
            "filter: uncoded outpatient surgery",
            QueueFilter {
                status: StatusFilter::Uncoded,
                encounter_type: Some(EncounterType::OutpatientSurgery),
                ..QueueFilter::default()
            },
        ),
        (
            "filter: ready inpatient",
            QueueFilter {
                status: StatusFilter::Only(ChartStatus::Ready),
                encounter_type: Some(EncounterType::Inpatient),
                ..QueueFilter::default()
            },
        ),
    ];
    // Opening a view = its first page + its count and DNFC age.
    for (what, filter) in &filters {
        let ours = measure(runs, || {
            std::hint::black_box(queue::page(conn, filter, &QueuePage::First, PAGE).unwrap());
            std::hint::black_box(queue::summary(conn, filter).unwrap());
        });
        let naive = measure(runs, || {
            std::hint::black_box(queue::page_by_offset(conn, filter, 0, PAGE).unwrap());
            naive_count(&store, filter);
        });
        report(what, ours, naive);
    }

    // Moving a page: keyset seek vs OFFSET, at increasing depth, in the coder's
    // view (uncoded) and over every status (where OFFSET walks one index).
    for (view, filter) in [("uncoded", &filters[0].1), ("all", &filters[1].1)] {
        let total = queue::summary(conn, filter).unwrap().charts;
        for page_no in [1u64, 100, 1_000, 10_000] {
            let offset = page_no * PAGE as u64;
            if offset + PAGE as u64 > total {
                continue;
            }
            let before = queue::page_by_offset(conn, filter, offset - 1, 1).unwrap();
            let key = before[0].key();
            let expected = queue::page_by_offset(conn, filter, offset, PAGE).unwrap();
            let got = queue::page(conn, filter, &QueuePage::After(key.clone()), PAGE).unwrap();
            assert_eq!(
                got, expected,
                "keyset and OFFSET pages differ at page {page_no}"
            );
            let ours = measure(runs, || {
                std::hint::black_box(
                    queue::page(conn, filter, &QueuePage::After(key.clone()), PAGE).unwrap(),
                );
            });
            let naive = measure(runs, || {
                std::hint::black_box(queue::page_by_offset(conn, filter, offset, PAGE).unwrap());
            });
            report(
                &format!("{view}: next page at page {page_no} (row {offset})"),
                ours,
                naive,
            );
        }
    }
    let filter = &filters[0].1;
    let total = queue::summary(conn, filter).unwrap().charts;
    let ours = measure(runs, || {
        std::hint::black_box(queue::page(conn, filter, &QueuePage::Last, PAGE).unwrap());
    });
    let naive = measure(runs, || {
        std::hint::black_box(
            queue::page_by_offset(conn, filter, total.saturating_sub(PAGE as u64), PAGE).unwrap(),
        );
    });
    report("last page (G)", ours, naive);

    // Typed text: account / MRN prefixes and name-word prefixes through their
    // indexes; the naive baseline scans for a substring of the name.
    for typed in [
        "G0001234",
        "GM000456",
        "zelda yarrow",
        "thornf",
        "yarrow z",
        "a",
    ] {
        let filter = QueueFilter {
            status: StatusFilter::Uncoded,
            text: Some(typed.into()),
            ..QueueFilter::default()
        };
        let found = queue::summary(conn, &filter).unwrap().charts;
        let ours = measure(runs, || {
            // Every keystroke is a new text: forget the search the last run cached.
            conn.execute("DELETE FROM temp.queue_text_key", []).unwrap();
            std::hint::black_box(queue::page(conn, &filter, &QueuePage::First, PAGE).unwrap());
            std::hint::black_box(queue::summary(conn, &filter).unwrap());
        });
        let naive = measure(runs, || {
            let sql = "SELECT count(*) FROM charts c JOIN patients p ON p.patient_id = c.patient_id
                       WHERE c.status IN ('ready', 'in_progress', 'on_hold')
                         AND (c.account LIKE ?1 OR p.mrn LIKE ?1 OR p.name LIKE ?2)";
            let n: i64 = conn
                .query_row(sql, [format!("{typed}%"), format!("%{typed}%")], |r| {
                    r.get(0)
                })
                .unwrap();
            std::hint::black_box(n);
        });
        report(
            &format!("typed {typed:?} ({found} found): page + count"),
            ours,
            naive,
        );
    }
}
