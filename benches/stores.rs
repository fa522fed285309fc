//! Both stores side by side in one run: the same generated department on
//! SQLite and on PostgreSQL (copied across with `db copy`), each operation
//! timed beside the naive version a first implementation would write, in the
//! same run, as a ratio.
//!
//!     CHARTCODER_TEST_PG="host=/tmp/pg-shared user=postgres dbname=postgres" \
//!         cargo bench --bench stores                   # 1,000,000 charts
//!     CHARTCODER_BENCH_CHARTS=20000 CHARTCODER_BENCH_SECONDS=2 cargo bench --bench stores
//!
//! Without CHARTCODER_TEST_PG the PostgreSQL half is skipped (it says so).
//! CHARTCODER_BENCH_ONLY=keys (or open, next, change, coders; comma-separated)
//! runs only those parts.
//! The PostgreSQL database is the bench's own (`chartcoder_bench_<pid>`),
//! dropped at the end; the SQLite file is kept in target/ and reused.

use chartcoder::domain::{ChartStatus, EncounterType};
use chartcoder::store::postgres as pg;
use chartcoder::store::{QueueFilter, QueuePage, StatusFilter, Store, StoreOptions, coding, queue};
use std::time::{Duration, Instant};

const PAGE: usize = 50;
const CODERS: usize = 32;

type Times = (Duration, Duration);

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Runs `f` up to `runs` times (after one warm-up), stopping early once 3 s
/// are spent and at least 5 runs are in, and returns (p50, p99). An
/// operation whose warm-up took over a second (the naive baselines at a
/// million charts) is timed once after it.
fn measure(runs: usize, mut f: impl FnMut()) -> Times {
    let warm_up = Instant::now();
    f();
    let least = if warm_up.elapsed() > Duration::from_secs(1) {
        1
    } else {
        5
    };
    let budget = Instant::now();
    let mut times = Vec::with_capacity(runs);
    while times.len() < runs && (times.len() < least || budget.elapsed() < Duration::from_secs(3)) {
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

fn report(store: &str, what: &str, ours: Times, naive: Times) {
    let ratio = ms(naive.0) / ms(ours.0).max(1e-6);
    println!(
        "{store:<6} {what:<46} {:>8.3} {:>8.3} | {:>9.3} {:>9.3} | {:>8.2}x",
        ms(ours.0),
        ms(ours.1),
        ms(naive.0),
        ms(naive.1),
        ratio
    );
}

fn header(title: &str) {
    println!();
    println!("{title}");
    println!(
        "{:<6} {:<46} {:>8} {:>8} | {:>9} {:>9} | {:>9}",
        "store", "operation (ms)", "ours p50", "p99", "naive p50", "p99", "naive/ours"
    );
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// The SQLite department of `charts` generated charts, made once and kept.
fn sqlite_department(charts: u64) -> (Store, std::path::PathBuf) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let path = dir.join(format!("bench-stores-{charts}.db"));
    let options = StoreOptions::default();
    let mut store = Store::open(&path, &options).unwrap();
    if chartcoder::store::charts::generated_count(store.conn()).unwrap() != charts {
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        store = Store::open(&path, &options).unwrap();
        let t = Instant::now();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        chartcoder::demo::generate(&mut store, charts, 42, today).unwrap();
        println!(
            "generated {charts} charts into {} in {:.1} s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    } else {
        println!("reusing {} ({charts} charts)", path.display());
    }
    (store, path)
}

/// A PostgreSQL database of the bench's own, dropped when this is dropped.
struct PgDepartment {
    server: String,
    name: String,
    url: String,
}

impl PgDepartment {
    /// Creates the database on the server CHARTCODER_TEST_PG names and copies
    /// `source` into it; `None` (said) when no server is named.
    fn copy_of(source: &Store) -> Option<PgDepartment> {
        let Some(server) = std::env::var("CHARTCODER_TEST_PG")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            println!(
                "PostgreSQL: skipped (set CHARTCODER_TEST_PG, e.g. \"host=/tmp/pg-shared user=postgres dbname=postgres\")"
            );
            return None;
        };
        let name = format!("chartcoder_bench_{}", std::process::id());
        let url = if pg::is_url(&server) {
            let sep = if server.contains('?') { '&' } else { '?' };
            format!("{server}{sep}dbname={name}")
        } else {
            format!("{server} dbname={name}")
        };
        let mut admin = pg::connect(&server).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let department = PgDepartment { server, name, url };
        let mut client = pg::connect(&department.url).unwrap();
        let t = Instant::now();
        pg::copy::copy(source, &mut client, &mut |_| {}).unwrap();
        // What autovacuum would do to the freshly loaded tables, done now,
        // every table at once: the index-only reads need the visibility
        // maps, and an autovacuum of a million-row table (any not vacuumed
        // here) running during the timed reads would time it instead.
        client.batch_execute("VACUUM (ANALYZE)").unwrap();
        println!(
            "copied into PostgreSQL database {} in {:.1} s",
            department.name,
            t.elapsed().as_secs_f64()
        );
        Some(department)
    }
}

impl PgDepartment {
    /// The tables autovacuum has vacuumed or analyzed since the copy
    /// (`pg_stat_user_tables`): said beside the figures, as it would have
    /// competed with them.
    fn autovacuumed(&self) -> String {
        let sql = "SELECT relname::text, last_autovacuum IS NOT NULL, last_autoanalyze IS NOT NULL
                   FROM pg_stat_user_tables
                   WHERE last_autovacuum IS NOT NULL OR last_autoanalyze IS NOT NULL
                   ORDER BY relname";
        let rows = match pg::connect(&self.url)
            .and_then(|mut c| c.query(sql, &[]).map_err(pg::PgError::Sql))
        {
            Ok(rows) => rows,
            Err(e) => return format!("unknown ({e})"),
        };
        let tables: Vec<String> = rows
            .iter()
            .map(|r| {
                let what = match (r.get::<_, bool>(1), r.get::<_, bool>(2)) {
                    (true, true) => "vacuum, analyze",
                    (true, false) => "vacuum",
                    _ => "analyze",
                };
                format!("{} ({what})", r.get::<_, String>(0))
            })
            .collect();
        if tables.is_empty() {
            "none".into()
        } else {
            tables.join(", ")
        }
    }
}

impl Drop for PgDepartment {
    fn drop(&mut self) {
        match pg::connect(&self.server).and_then(|mut admin| {
            admin
                .batch_execute(&format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    self.name
                ))
                .map_err(pg::PgError::Sql)
        }) {
            Ok(()) => println!("dropped PostgreSQL database {}", self.name),
            Err(e) => println!("could not drop PostgreSQL database {}: {e}", self.name),
        }
    }
}

/// What a first version does to show "N charts": count the rows each time.
fn naive_count(store: &Store, filter: &QueueFilter) {
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
    let mut sql = "SELECT count(*) FROM charts".to_string();
    if !conds.is_empty() {
        sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
    }
    let n: i64 = store.conn().query_row(&sql, [], |r| r.get(0)).unwrap();
    std::hint::black_box(n);
}

fn filters() -> Vec<(&'static str, QueueFilter)> {
    let uncoded = QueueFilter {
        status: StatusFilter::Uncoded,
        ..QueueFilter::default()
    };
    vec![
        ("open the queue (uncoded, oldest first)", uncoded.clone()),
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
                encounter_type: Some(EncounterType::OutpatientSurgery),
                ..uncoded
            },
        ),
    ]
}

/// Opening a view (first page + count and DNFC age) against OFFSET + COUNT(*).
fn bench_open(label: &str, store: &Store, runs: usize) {
    let conn = store.conn();
    for (what, filter) in &filters() {
        let ours = measure(runs, || {
            std::hint::black_box(queue::page(conn, filter, &QueuePage::First, PAGE).unwrap());
            std::hint::black_box(queue::summary(conn, filter).unwrap());
        });
        let naive = measure(runs, || {
            std::hint::black_box(queue::page_by_offset(conn, filter, 0, PAGE).unwrap());
            naive_count(store, filter);
        });
        report(label, what, ours, naive);
    }
}

/// The next page at page 10,000 (or the deepest page the view has): keyset
/// seek against OFFSET, after checking both give the same rows.
fn bench_next_page(label: &str, store: &Store, runs: usize) {
    let conn = store.conn();
    let all = QueueFilter::default();
    let total = queue::summary(conn, &all).unwrap().charts;
    let page_no = 10_000u64.min(total / PAGE as u64 - 1);
    let offset = page_no * PAGE as u64;
    let before = queue::page_by_offset(conn, &all, offset - 1, 1).unwrap();
    let key = before[0].key();
    let expected = queue::page_by_offset(conn, &all, offset, PAGE).unwrap();
    let got = queue::page(conn, &all, &QueuePage::After(key.clone()), PAGE).unwrap();
    assert_eq!(
        got, expected,
        "keyset and OFFSET pages differ at page {page_no}"
    );
    let ours = measure(runs, || {
        std::hint::black_box(
            queue::page(conn, &all, &QueuePage::After(key.clone()), PAGE).unwrap(),
        );
    });
    let naive = measure(runs, || {
        std::hint::black_box(queue::page_by_offset(conn, &all, offset, PAGE).unwrap());
    });
    report(
        label,
        &format!("next page at page {page_no} (row {offset})"),
        ours,
        naive,
    );
}

/// The typed-text filter per keystroke: each prefix of what a coder types
/// (a patient's name, an account, an MRN) is a new search (page + count +
/// DNFC age, as the TUI's reader asks them), against a substring scan.
/// Accounts are "G" and the chart's number in 9 digits, MRNs "GM" and 8
/// digits: "G0001" begins 100,000 accounts, "G00012" 10,000, "G000123"
/// 1,000; "GM000" 99,999 MRNs, "GM0001" 10,000, "GM00012" 1,000; typed in
/// lower case, "gm005" 100,000, "gm0051" 10,000, "gm00512" 1,000.
fn bench_keystrokes(label: &str, store: &Store, runs: usize) -> Duration {
    let conn = store.conn();
    let mut worst = Duration::ZERO;
    for typed in [
        "zelda yarrow",
        "thornf",
        "G0001234",
        "GM0001234",
        "gm0051234",
    ] {
        let mut naive: Option<Times> = None;
        let ends: Vec<usize> = typed
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .filter(|&end| !typed[..end].ends_with(' '))
            .collect();
        for end in ends {
            let text = &typed[..end];
            let filter = QueueFilter {
                status: StatusFilter::Uncoded,
                text: Some(text.into()),
                ..QueueFilter::default()
            };
            let found = queue::summary(conn, &filter).unwrap();
            let ours = measure(runs, || {
                // Every keystroke is a new text: forget the search cached last run.
                queue::forget_text_search(conn).unwrap();
                // The reader's one call: the text planned once for both.
                std::hint::black_box(
                    queue::page_and_summary(conn, &filter, &QueuePage::First, PAGE, true).unwrap(),
                );
            });
            worst = worst.max(ours.1);
            // The scan reads every name whatever the prefix: timed once a text
            // (it takes seconds at a million charts), shown on each keystroke.
            let naive = *naive.get_or_insert_with(|| {
                measure(runs, || {
                    let sql =
                    "SELECT count(*) FROM charts c JOIN patients p ON p.patient_id = c.patient_id
                           WHERE c.status IN ('ready', 'in_progress', 'on_hold')
                             AND (c.account LIKE ?1 OR p.mrn LIKE ?1 OR lower(p.name) LIKE ?2)";
                    let n: i64 = conn
                        .query_row(sql, [format!("{text}%"), format!("%{text}%")], |r| r.get(0))
                        .unwrap();
                    std::hint::black_box(n);
                })
            });
            let plus = if found.at_least { "+" } else { "" };
            report(
                label,
                &format!("typed {text:?} ({}{plus} found)", found.charts),
                ours,
                naive,
            );
        }
    }
    worst
}

/// A ready chart for each coder, claimed by it.
fn claimed_charts(store: &mut Store, coders: usize) -> Vec<(i64, String)> {
    let ready = QueueFilter {
        status: StatusFilter::Only(ChartStatus::Ready),
        ..QueueFilter::default()
    };
    let rows = queue::page(store.conn(), &ready, &QueuePage::First, coders).unwrap();
    assert_eq!(
        rows.len(),
        coders,
        "too few ready charts for {coders} coders"
    );
    let mut out = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let user = format!("bench{i:02}");
        store
            .write(|tx| coding::claim(tx, row.chart_id, &user))
            .unwrap();
        out.push((row.chart_id, user));
    }
    out
}

/// One coding change with its audit row: a diagnosis added (and, so the
/// chart stays small, removed again: every other change).
fn change(store: &mut Store, chart: i64, user: &str, n: u64) {
    try_change(store, chart, user, n).unwrap();
}

/// [`change`], its error returned (a coder among 32 may find the store busy).
fn try_change(
    store: &mut Store,
    chart: i64,
    user: &str,
    n: u64,
) -> Result<(), chartcoder::store::StoreError> {
    if n.is_multiple_of(2) {
        store.write(|tx| coding::add_diagnosis(tx, chart, user, "E11.9", "FY2027"))?;
    } else {
        store.write(|tx| coding::remove(tx, chart, user, coding::CodeList::Diagnoses, 0))?;
    }
    Ok(())
}

/// A coding change (codes + audit row, one transaction) against the bare
/// INSERT/DELETE of the code in one transaction, without its audit row.
fn bench_change(label: &str, store: &mut Store, runs: usize) {
    let charts = claimed_charts(store, 1);
    let (chart, user) = &charts[0];
    let mut n = 0;
    let ours = measure(runs, || {
        change(store, *chart, user, n);
        n += 1;
    });
    if n % 2 == 1 {
        change(store, *chart, user, n);
    }
    let mut n: u64 = 0;
    let naive = measure(runs, || {
        let sql = if n.is_multiple_of(2) {
            "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition) VALUES (?1, 999999, 'E11.9', 'icd10cm', 'FY2027')"
        } else {
            "DELETE FROM diagnoses WHERE chart_id = ?1 AND seq = 999999"
        };
        store.write(|tx| Ok(tx.execute(sql, [*chart])?)).unwrap();
        n += 1;
    });
    store
        .write(|tx| {
            Ok(tx.execute(
                "DELETE FROM diagnoses WHERE chart_id = ?1 AND seq = 999999",
                [*chart],
            )?)
        })
        .unwrap();
    report(label, "a coding change with its audit row", ours, naive);
}

/// `coders` threads, each with its own connection and claimed chart, saving
/// coding changes for `secs`; returns (changes a second, p50, p99).
fn throughput(store: &mut Store, coders: usize, secs: u64) -> (f64, Duration, Duration) {
    let charts = claimed_charts(store, coders);
    let start = std::sync::Barrier::new(coders);
    let per_coder: Vec<Vec<Duration>> = std::thread::scope(|s| {
        let handles: Vec<_> = charts
            .iter()
            .map(|(chart, user)| {
                let mut own = store.reopen().unwrap().unwrap();
                let start = &start;
                s.spawn(move || {
                    start.wait();
                    let until = Instant::now() + Duration::from_secs(secs);
                    let mut times = Vec::new();
                    let mut n = 0;
                    while Instant::now() < until || n % 2 == 1 {
                        let t = Instant::now();
                        // A save the store refused (busy past its timeout) is
                        // not counted and is tried again, as a coder would.
                        if try_change(&mut own, *chart, user, n).is_ok() {
                            times.push(t.elapsed());
                            n += 1;
                        }
                    }
                    times
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut times: Vec<Duration> = per_coder.into_iter().flatten().collect();
    times.sort();
    let rate = times.len() as f64 / secs as f64;
    (rate, percentile(&times, 0.5), percentile(&times, 0.99))
}

/// 32 coders at once against one coder alone, each change audited.
fn bench_coders(label: &str, store: &mut Store, secs: u64) {
    let (one, one_p50, one_p99) = throughput(store, 1, secs);
    let (many, p50, p99) = throughput(store, CODERS, secs);
    println!(
        "{label:<6} {:<46} {:>8.3} {:>8.3} | {:>9.3} {:>9.3} | {:>8.2}x",
        format!("{CODERS} coders: {many:.0} changes/s (1 coder: {one:.0}/s)"),
        ms(p50),
        ms(p99),
        ms(one_p50),
        ms(one_p99),
        many / one.max(1e-9)
    );
}

/// Whether the part `name` runs: CHARTCODER_BENCH_ONLY lists the parts to
/// run (open, next, keys, change, coders; comma-separated), all without it.
fn part(name: &str) -> bool {
    std::env::var("CHARTCODER_BENCH_ONLY")
        .map(|only| only.split(',').any(|p| p.trim() == name))
        .unwrap_or(true)
}

fn run(label: &str, store: &mut Store, secs: u64) -> Duration {
    let runs = 100;
    header(&format!(
        "{label}: p50 and p99 of up to {runs} runs (at least 5, within 3 s); load average {}",
        load_average()
    ));
    if part("open") {
        bench_open(label, store, runs);
    }
    if part("next") {
        bench_next_page(label, store, runs);
    }
    let worst = if part("keys") {
        bench_keystrokes(label, store, runs)
    } else {
        Duration::ZERO
    };
    if part("change") {
        bench_change(label, store, runs);
    }
    if part("coders") {
        println!(
            "{label:<6} (throughput: ours = {CODERS} coders' save latency, naive = 1 coder's; ratio = changes/s {CODERS} vs 1)"
        );
        bench_coders(label, store, secs);
    }
    worst
}

fn main() {
    let charts = env_u64("CHARTCODER_BENCH_CHARTS", 1_000_000);
    let secs = env_u64("CHARTCODER_BENCH_SECONDS", 10).max(1);
    println!("load average before: {}", load_average());
    let (mut sqlite, _path) = sqlite_department(charts);
    // Copied before the SQLite half writes, so both start from the same rows.
    let department = PgDepartment::copy_of(&sqlite);
    let mut worst = vec![("sqlite", run("sqlite", &mut sqlite, secs))];
    if let Some(department) = &department {
        let mut postgres = Store::open_url(&department.url, &StoreOptions::default()).unwrap();
        worst.push(("pg", run("pg", &mut postgres, secs)));
        println!(
            "pg: tables autovacuum vacuumed or analyzed since the copy: {}",
            department.autovacuumed()
        );
    }
    println!();
    for (label, p99) in worst {
        let verdict = if ms(p99) < 10.0 { "under" } else { "OVER" };
        println!(
            "{label}: name-word filter, slowest keystroke p99 {:.3} ms: {verdict} 10 ms",
            ms(p99)
        );
    }
    println!("load average after: {}", load_average());
}
