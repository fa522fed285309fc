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

use chartcoder::store::{Store, StoreOptions, charts, coding};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const ACCOUNT: &str = "A26110203";
const USER: &str = "crash-coder";

/// Action n: even adds the diagnosis Q{n}, odd puts a hold "crash n" on the chart.
fn code_of(n: u64) -> String {
    format!("Q{n:06}")
}

fn writer(db: &str) {
    let mut store = Store::open(std::path::Path::new(db), &StoreOptions::default()).unwrap();
    let chart = charts::chart_id_for_account(store.conn(), ACCOUNT)
        .unwrap()
        .unwrap();
    store.write(|tx| coding::claim(tx, chart, USER)).unwrap();
    let start: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE chart_id = ?1 AND action IN ('add_diagnosis', 'hold')",
            [chart],
            |r| r.get(0),
        )
        .unwrap();
    let mut out = std::io::stdout().lock();
    for n in u64::try_from(start).unwrap().. {
        if n % 2 == 0 {
            store
                .write(|tx| coding::add_diagnosis(tx, chart, USER, &code_of(n), "FY2027"))
                .unwrap();
        } else {
            store
                .write(|tx| coding::hold(tx, chart, USER, &format!("crash {n}")))
                .unwrap();
        }
        writeln!(out, "saved {n}").unwrap();
        out.flush().unwrap();
    }
}

/// A small deterministic generator for the kill delays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[test]
fn killed_200_times_mid_save_nothing_saved_is_lost_and_nothing_is_half_written() {
    if let Ok(db) = std::env::var("CHARTCODER_CRASH_WRITER") {
        writer(&db);
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
        unsafe_free_kill(child.id());
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

/// Sends SIGKILL through the `kill` command (no unsafe code in the tests).
fn unsafe_free_kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success() || status.code() == Some(1));
}

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
    let codes = strings("SELECT code FROM diagnoses WHERE chart_id = ?1 ORDER BY seq");
    let added = strings(
        "SELECT substr(detail, 1, instr(detail, ' ') - 1) FROM audit
         WHERE chart_id = ?1 AND action = 'add_diagnosis' ORDER BY audit_id",
    );
    let holds = strings("SELECT reason FROM holds WHERE chart_id = ?1 ORDER BY hold_id");
    let held = strings(
        "SELECT detail FROM audit WHERE chart_id = ?1 AND action = 'hold' ORDER BY audit_id",
    );
    // Whole: every row has its audit row and every audit row its row.
    assert_eq!(codes, added, "diagnoses and their audit rows");
    assert_eq!(holds, held, "holds and their audit rows");
    // In order, without gaps: nothing half-written in between.
    let expected_codes: Vec<String> = (0..codes.len() as u64).map(|i| code_of(i * 2)).collect();
    assert_eq!(codes, expected_codes);
    let expected_holds: Vec<String> = (0..holds.len() as u64)
        .map(|i| format!("crash {}", i * 2 + 1))
        .collect();
    assert_eq!(holds, expected_holds);
    // Acknowledged: present.
    for &n in acknowledged {
        if n % 2 == 0 {
            assert!(codes.contains(&code_of(n)), "saved {n} lost");
        } else {
            assert!(holds.contains(&format!("crash {n}")), "saved {n} lost");
        }
    }
    if !holds.is_empty() {
        let status: String = conn
            .query_row(
                "SELECT status FROM charts WHERE chart_id = ?1",
                [chart],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(status, "on_hold", "a hold's status change is whole");
    }
}
