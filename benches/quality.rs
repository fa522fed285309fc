//! The quality reports at scale: accuracy, productivity and DNFB over
//! 1,000,000 charts (two years of discharges, 50 coders, a 5 % review
//! sample), each beside the naive query a first version would write, in the
//! same run:
//!
//! - accuracy, naive: the closed reviews joined to each chart's completion
//!   to find its coder and day (no summary index);
//! - productivity, naive: every completion grouped (not the per-day sums
//!   the trigger keeps);
//! - DNFB, naive: every chart read, `status <> 'final'` (no index use), the
//!   age buckets and hold reasons worked out in SQL per row.
//!
//! Run it with `cargo bench --bench quality` (1,000,000 charts), or
//! `CHARTCODER_BENCH_CHARTS=100000 cargo bench --bench quality`.
//!
//! The generated database is kept in target/ and reused by later runs.

mod common;

use chartcoder::params;
use chartcoder::store::quality::{self, Scope};
use chartcoder::store::{Store, StoreOptions};
use chrono::NaiveDate;
use std::time::{Duration, Instant};

const CODERS: u64 = 50;
const DAYS: u64 = 730;
const LIMIT_MS: f64 = 200.0;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(what: &str, ours: (Duration, Duration), naive: (Duration, Duration)) {
    let ratio = ms(naive.0) / ms(ours.0).max(1e-6);
    let verdict = if ms(ours.1) <= LIMIT_MS {
        "ok"
    } else {
        "OVER 200 ms"
    };
    println!(
        "{what:<40} {:>8.2} {:>8.2} | {:>9.2} {:>9.2} | {:>8.1}x  {verdict}",
        ms(ours.0),
        ms(ours.1),
        ms(naive.0),
        ms(naive.1),
        ratio
    );
}

fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
}

/// Two years of charts, written in one transaction: chart i is discharged
/// on day i × 730 / N; charts older than 30 days are final; the recent ones
/// spread over every status; inpatient charts completed carry a DRG; every
/// completed chart its completion (time on chart 3-40 minutes), 1 in 20 a
/// closed review.
fn generate(store: &mut Store, n: u64) {
    let first = last_day() - chrono::Days::new(DAYS - 1);
    store
        .write(|tx| {
            for p in 0..2000 {
                tx.execute(
                    "INSERT INTO patients (mrn, name, birth_date, sex) VALUES (?1, 'Bench Patient', '1960-01-01', 'F')",
                    [format!("P{p}")],
                )?;
            }
            let chart_sql = "INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date,
                     discharge_date, status, claimed_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, 'x', 'x')";
            let drg_sql = "INSERT INTO chart_drgs (chart_id, drg, mdc, weight, grouper_version, completed_by, completed_at)
                 VALUES (?1, ?2, 4, ?3, 'v43.1', ?4, ?5)";
            let coding_sql = "INSERT INTO chart_coding (chart_id, coder, encounter_type, completed_at, day, seconds)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
            let review_sql = "INSERT INTO reviews (chart_id, coder, coded_at, reviewer, state, started_at, closed_at,
                     dx_codes, dx_errors, px_codes, px_errors, principal_changed, drg_changed)
                 VALUES (?1, ?2, ?3, 'reviewer', 'closed', ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
            let hold_sql = "INSERT INTO holds (chart_id, reason, created_by, created_at) VALUES (?1, ?2, ?3, 'x')";
            for i in 0..n {
                let id = i as i64 + 1;
                let day = first + chrono::Days::new(i * DAYS / n);
                let age = (last_day() - day).num_days();
                let etype = match i % 10 {
                    0..=2 => "inpatient",
                    3 => "outpatient_surgery",
                    4 => "emergency",
                    5 | 6 => "clinic",
                    _ => "professional",
                };
                let status = match (age, i % 7) {
                    (a, _) if a > 30 => "final",
                    (_, 0) => "ready",
                    (_, 1) => "in_progress",
                    (_, 2) => "on_hold",
                    (_, 3) | (_, 4) => "coded",
                    (_, 5) => "reviewed",
                    _ => "final",
                };
                let coder = format!("coder{:02}", (i * 7919) % CODERS);
                let claimed = matches!(status, "in_progress" | "on_hold").then(|| coder.clone());
                let date = day.to_string();
                tx.execute(chart_sql, params![
                    id,
                    format!("B{id}"),
                    (i % 2000) as i64 + 1,
                    etype,
                    date,
                    status,
                    claimed
                ])?;
                if status == "on_hold" {
                    let reason = match i % 3 {
                        0 => "awaiting physician query",
                        1 => "awaiting documentation",
                        _ => "billing edit",
                    };
                    tx.execute(hold_sql, params![id, reason, coder])?;
                }
                if !matches!(status, "coded" | "reviewed" | "final") {
                    continue;
                }
                let at = format!("{date}T{:02}:{:02}:00Z", 8 + i % 9, i % 60);
                if etype == "inpatient" {
                    let weight = 0.5 + (i % 37) as f64 * 0.1;
                    tx.execute(drg_sql, params![id, 180 + (i % 600) as i64, weight, coder, at])?;
                }
                let seconds = 180 + (i * 37) % 2220;
                tx.execute(coding_sql, params![id, coder, etype, at, date, seconds as i64])?;
                if i % 20 == 0 && status != "coded" {
                    let dx = 3 + (i % 9) as i64;
                    tx.execute(review_sql, params![
                        id,
                        coder,
                        at,
                        dx,
                        (i % 4 == 0) as i64,
                        (i % 3) as i64,
                        0,
                        (i % 40 == 0) as i64,
                        (etype == "inpatient").then_some((i % 60 == 0) as i64)
                    ])?;
                }
            }
            Ok(())
        })
        .unwrap();
}

fn naive_accuracy(store: &Store) {
    let n = store
        .conn()
        .query_map(
            "SELECT cc.coder, substr(cc.completed_at, 1, 7), count(*), sum(r.dx_codes),
                    sum(r.dx_errors), sum(r.px_codes), sum(r.px_errors),
                    count(r.principal_changed), sum(r.principal_changed),
                    count(r.drg_changed), sum(r.drg_changed)
             FROM reviews r NOT INDEXED
             JOIN chart_coding cc ON cc.chart_id = r.chart_id
             WHERE r.state = 'closed'
             GROUP BY cc.coder, substr(cc.completed_at, 1, 7)",
            [],
            |r| r.get::<i64>(2),
        )
        .unwrap()
        .len();
    std::hint::black_box(n);
}

fn naive_productivity(store: &Store) {
    let n = store
        .conn()
        .query_map(
            "SELECT coder, encounter_type, count(*), sum(seconds) FROM chart_coding
             GROUP BY coder, encounter_type",
            [],
            |r| r.get::<i64>(2),
        )
        .unwrap()
        .len();
    std::hint::black_box(n);
}

fn naive_dnfb(store: &Store) {
    let n = store
        .conn()
        .query_map(
            "SELECT c.status,
                    CASE WHEN julianday(?1) - julianday(c.discharge_date) <= 3 THEN 0
                         WHEN julianday(?1) - julianday(c.discharge_date) <= 7 THEN 1
                         WHEN julianday(?1) - julianday(c.discharge_date) <= 14 THEN 2
                         WHEN julianday(?1) - julianday(c.discharge_date) <= 30 THEN 3
                         ELSE 4 END AS bucket,
                    (SELECT h.reason FROM holds h WHERE h.chart_id = c.chart_id
                     AND h.released_at IS NULL LIMIT 1) AS hold,
                    count(*), sum(coalesce(d.weight, 0) * 6500.0)
             FROM charts c LEFT JOIN chart_drgs d ON d.chart_id = c.chart_id
             WHERE c.status <> 'final'
             GROUP BY c.status, bucket, hold",
            [last_day().to_string()],
            |r| r.get::<i64>(3),
        )
        .unwrap()
        .len();
    std::hint::black_box(n);
}

fn main() {
    let charts: u64 = std::env::var("CHARTCODER_BENCH_CHARTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    let path = dir.join(format!("bench-quality-{charts}.db"));
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
        // One transaction; a page cache that holds it spares spilling to the WAL midway.
        store
            .conn()
            .execute_batch("PRAGMA cache_size = -524288")
            .unwrap();
        let t = Instant::now();
        generate(&mut store, charts);
        println!(
            "generated {charts} charts (with their DRGs, completions, reviews and holds) in {:.1} s into {}",
            t.elapsed().as_secs_f64(),
            path.display()
        );
    } else {
        println!("reusing {} ({charts} charts)", path.display());
    }
    let count = |sql: &str| -> i64 { store.conn().query_row(sql, [], |r| r.get(0)).unwrap() };
    println!(
        "{} completions, {} closed reviews, {} charts not final",
        count("SELECT count(*) FROM chart_coding"),
        count("SELECT count(*) FROM reviews"),
        count("SELECT count(*) FROM charts WHERE status <> 'final'")
    );
    println!();
    println!(
        "reports over {charts} charts; times in ms, p50 and p99 (at least 5 runs, within 10 s); limit {LIMIT_MS} ms"
    );
    println!(
        "{:<40} {:>8} {:>8} | {:>9} {:>9} | {:>9}",
        "report", "ours p50", "p99", "naive p50", "p99", "naive/ours"
    );
    let conn = store.conn();
    let all = Scope::default();
    let month = Scope {
        from: Some(NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
        to: Some(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()),
        coder: Some("coder07".into()),
    };
    let runs = 50;
    let naive_a = common::percentiles(|| naive_accuracy(&store), runs);
    let naive_p = common::percentiles(|| naive_productivity(&store), runs);
    let naive_d = common::percentiles(|| naive_dnfb(&store), runs);
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::accuracy(conn, &all).unwrap());
        },
        runs,
    );
    report("accuracy, two years, every coder", ours, naive_a);
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::accuracy(conn, &month).unwrap());
        },
        runs,
    );
    report("accuracy, one month, one coder", ours, naive_a);
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::productivity(conn, &all).unwrap());
        },
        runs,
    );
    report("productivity, two years, every coder", ours, naive_p);
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::productivity(conn, &month).unwrap());
        },
        runs,
    );
    report("productivity, one month, one coder", ours, naive_p);
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::dnfb(conn, &all, last_day(), 6500.0).unwrap());
        },
        runs,
    );
    report("dnfb, every chart not final", ours, naive_d);
    let one = Scope {
        coder: Some("coder07".into()),
        ..Scope::default()
    };
    let ours = common::percentiles(
        || {
            std::hint::black_box(quality::dnfb(conn, &one, last_day(), 6500.0).unwrap());
        },
        runs,
    );
    report("dnfb, one coder", ours, naive_d);
}
