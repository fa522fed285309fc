//! Crash safety: a writer process is killed with SIGKILL at random points
//! while it saves coding actions, 200 times. After each kill the database
//! passes `PRAGMA integrity_check`, every action the writer reported saved is
//! there whole (its rows, the chart's status and its audit row), and nothing
//! is there half-written.
//!
//! The writer is this test binary run again with `CHARTCODER_CRASH_WRITER` set:
//! it loops over the store's real actions and prints `saved N` after each
//! commit returns.

#![cfg(unix)]

mod common;

use chartcoder::store::{Store, StoreOptions};
use common::coders::{Rng, check_saves, kill, writer};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const ACCOUNT: &str = "A26110203";

#[test]
fn killed_200_times_mid_save_nothing_saved_is_lost_and_nothing_is_half_written() {
    if let Ok(db) = std::env::var("CHARTCODER_CRASH_WRITER") {
        writer(&db, ACCOUNT, false, None);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    {
        let mut store = Store::open(&db, &StoreOptions::default()).unwrap();
        chartcoder::demo::seed(&mut store).unwrap();
    }
    let me = std::env::current_exe().unwrap();
    let mut rng = Rng(0x5EED);
    let mut acknowledged: Vec<u64> = Vec::new();
    let mut runs = 0;
    while runs < 200 {
        let mut child = Command::new(&me)
            .args([
                "--exact",
                "killed_200_times_mid_save_nothing_saved_is_lost_and_nothing_is_half_written",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CHARTCODER_CRASH_WRITER", &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(2_000 + rng.below(40_000)));
        // SIGKILL: no destructor, no flush, no rollback runs in the writer.
        kill(child.id());
        let _ = child.wait();
        let stdout = child.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("saved ") {
                acknowledged.push(n.parse().unwrap());
            }
        }
        runs += 1;
        check(&db, &acknowledged);
    }
    assert!(
        acknowledged.len() > 200,
        "the writer saved too little to prove anything: {}",
        acknowledged.len()
    );
    eprintln!(
        "crash safety: {runs} SIGKILLs, {} saves acknowledged, none lost",
        acknowledged.len()
    );
}

/// The file passes `PRAGMA integrity_check` and the writer's saves are whole
/// (read with SQLite itself, behind the store's back).
fn check(db: &std::path::Path, acknowledged: &[u64]) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let chart: i64 = conn
        .query_row(
            "SELECT chart_id FROM charts WHERE account = ?1",
            [ACCOUNT],
            |r| r.get(0),
        )
        .unwrap();
    let strings = |sql: &str| -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([chart], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    check_saves(strings, acknowledged);
}
