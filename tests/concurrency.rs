//! Several coders on one database file, as on a shared SSH server: 8 processes
//! each working its own chart for a while (CHARTCODER_CONCURRENCY_SECS, 30 by
//! default) see no error and lose no update; two processes opening the same
//! chart at once: one gets it, the other is told who holds it.
//!
//! Each coder saves a change every 10 ms, faster than any person types (a
//! process saving back to back without pause would starve the others: SQLite's
//! lock is not fair). The full-speed rate of one process is measured too.
//!
//! The coders are this test binary run again with `CHARTCODER_CODER` set.
//! The same test runs on a PostgreSQL database of its own when the throwaway
//! server is there (`CHARTCODER_TEST_PG`, see tests/common/pg.rs).

#![cfg(unix)]

mod common;

use chartcoder::store::coding::{self, Claim, CodeList};
use chartcoder::store::{Store, StoreOptions, charts};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CODERS: usize = 8;

fn seconds() -> u64 {
    std::env::var("CHARTCODER_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

/// One coder: claims its chart, then adds and removes diagnoses until the time
/// is up; prints how many changes it saved and how many failed.
/// The store at `db`: a `postgresql://` URL or an SQLite file.
fn open(db: &str) -> Store {
    match db.starts_with("postgresql://") {
        true => Store::open_url(db, &StoreOptions::default()).unwrap(),
        false => Store::open(std::path::Path::new(db), &StoreOptions::default()).unwrap(),
    }
}

fn coder(db: &str, account: &str, name: &str, secs: u64, pause: u64) {
    let mut store = open(db);
    let chart = charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap();
    let mut out = std::io::stdout().lock();
    match store.write(|tx| coding::claim(tx, chart, name)) {
        Ok(Claim::Mine) => {}
        Ok(Claim::TakenBy(other)) => {
            writeln!(out, "\n@@taken {other}").unwrap();
            return;
        }
        other => panic!("{other:?}"),
    }
    if secs == 0 {
        writeln!(out, "\n@@mine").unwrap();
        return;
    }
    let (mut saved, mut failed) = (0u64, 0u64);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    while Instant::now() < end {
        let code = format!("R{n:05}");
        let result = if n % 3 == 2 {
            store.write(|tx| coding::remove(tx, chart, name, CodeList::Diagnoses, 0))
        } else {
            store
                .write(|tx| coding::add_diagnosis(tx, chart, name, &code, "FY2027"))
                .map(|_| ())
        };
        match result {
            Ok(()) => saved += 1,
            Err(e) => {
                failed += 1;
                eprintln!("{name}: {e}");
            }
        }
        n += 1;
        if pause > 0 {
            std::thread::sleep(Duration::from_millis(pause));
        }
    }
    writeln!(out, "\n@@done {saved} {failed}").unwrap();
}

fn spawn(
    test: &str,
    db: &str,
    account: &str,
    name: &str,
    secs: u64,
    pause: u64,
) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(
            "CHARTCODER_CODER",
            format!("{account}|{name}|{secs}|{pause}"),
        )
        .env("CHARTCODER_DB", db)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn output(child: std::process::Child) -> String {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a coder process failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once("@@").map(|(_, said)| said.trim().to_string()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// In a coder process (`CHARTCODER_CODER` set): that coder's work, and true.
fn as_coder() -> bool {
    if let (Ok(spec), Ok(db)) = (
        std::env::var("CHARTCODER_CODER"),
        std::env::var("CHARTCODER_DB"),
    ) {
        let mut parts = spec.split('|');
        let (account, name, secs, pause) = (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().parse().unwrap(),
            parts.next().unwrap().parse().unwrap(),
        );
        coder(&db, &account, &name, secs, pause);
        return true;
    }
    false
}

#[test]
fn eight_coders_on_one_file_lose_nothing() {
    if as_coder() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    eight_coders_lose_nothing(
        "eight_coders_on_one_file_lose_nothing",
        db.to_str().unwrap(),
    );
}

#[test]
fn eight_coders_on_one_postgres_database_lose_nothing() {
    if as_coder() {
        return;
    }
    let Some(pg) = common::pg::TestPg::new("conc") else {
        return;
    };
    eight_coders_lose_nothing(
        "eight_coders_on_one_postgres_database_lose_nothing",
        &pg.url(),
    );
}

/// The test on the database at `db`, its coders run as `test`.
fn eight_coders_lose_nothing(test: &str, db: &str) {
    let accounts: Vec<String> = {
        let mut store = open(db);
        chartcoder::demo::seed(&mut store).unwrap();
        store
            .conn()
            .query_map(
                "SELECT account FROM charts WHERE status = 'ready' ORDER BY chart_id",
                [],
                |r| r.get(0),
            )
            .unwrap()
            .into_iter()
            .collect()
    };
    assert!(accounts.len() > CODERS);

    // Two coders open the same chart at once: exactly one gets it.
    let a = spawn(test, db, &accounts[CODERS], "ann", 0, 0);
    let b = spawn(test, db, &accounts[CODERS], "ben", 0, 0);
    let mut answers = [output(a), output(b)];
    answers.sort();
    assert!(
        answers == ["mine".to_string(), "taken ann".to_string()]
            || answers == ["mine".to_string(), "taken ben".to_string()],
        "{answers:?}"
    );

    let secs = seconds();
    let started = Instant::now();
    let children: Vec<_> = (0..CODERS)
        .map(|i| spawn(test, db, &accounts[i], &format!("coder{i}"), secs, 10))
        .collect();
    let mut total = 0;
    for (i, child) in children.into_iter().enumerate() {
        let line = output(child);
        let mut f = line.split_whitespace().skip(1);
        let saved: u64 = f.next().unwrap().parse().unwrap();
        let failed: u64 = f.next().unwrap().parse().unwrap();
        assert_eq!(failed, 0, "coder{i} saw errors");
        assert!(saved > 0, "coder{i} saved nothing");
        // Every saved change is in the file: adds minus removes, and the audit.
        let store = open(db);
        let conn = store.conn();
        let chart: i64 = conn
            .query_row(
                "SELECT chart_id FROM charts WHERE account = ?1",
                [accounts[i].as_str()],
                |r| r.get(0),
            )
            .unwrap();
        let count = |sql: &str| -> u64 {
            conn.query_row(sql, [chart], |r| r.get::<i64>(0)).unwrap() as u64
        };
        let adds =
            count("SELECT count(*) FROM audit WHERE chart_id = ?1 AND action = 'add_diagnosis'");
        let removes =
            count("SELECT count(*) FROM audit WHERE chart_id = ?1 AND action = 'remove_diagnosis'");
        assert_eq!(
            adds + removes,
            saved,
            "coder{i}: every saved change audited"
        );
        assert_eq!(
            count("SELECT count(*) FROM diagnoses WHERE chart_id = ?1"),
            adds - removes,
            "coder{i}: no update lost"
        );
        total += saved;
    }
    let elapsed = started.elapsed().as_secs_f64();
    // One process alone at full speed, on another chart.
    let solo_secs = 2;
    let solo = output(spawn(test, db, &accounts[CODERS + 1], "solo", solo_secs, 0));
    let solo_saved: f64 = solo.split_whitespace().nth(1).unwrap().parse().unwrap();
    eprintln!(
        "concurrency: {CODERS} coder processes for {secs} s: {total} changes committed, {:.0} per second together, no error; one process alone: {:.0} changes per second ({})",
        total as f64 / elapsed,
        solo_saved / solo_secs as f64,
        match db.starts_with("postgresql://") {
            true => "PostgreSQL",
            false => "SQLite, synchronous=FULL",
        }
    );
}
