//! The reliability tests of SQLite (tests/concurrency.rs, tests/crash.rs)
//! on PostgreSQL, plus what only a server has: 32 coder processes for 30 s
//! (CHARTCODER_PG_CONCURRENCY_SECS) each change audited and none lost; coders
//! killed with SIGKILL mid-save, nothing partial; the server stopped
//! mid-save, the coder told, nothing partial, and work going on when it is
//! back. Skipped without the throwaway server (`bash tests/run.sh`).
//!
//! Coders and writers are this test binary run again with an environment
//! variable saying what to do.

#![cfg(unix)]

mod common;

use common::coders::{self, Rng, as_coder, check_saves, kill, writer};
use common::pg::{PrivateServer, TestPg};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CODERS: usize = 32;

fn seconds() -> u64 {
    std::env::var("CHARTCODER_PG_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

#[test]
fn thirty_two_coders_on_postgresql_lose_nothing() {
    if as_coder() {
        return;
    }
    let Some(db) = TestPg::new("coders") else {
        return;
    };
    let url = db.url();
    let accounts = {
        let mut store = coders::open(&url);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        chartcoder::demo::generate(&mut store, 120, 7, today).unwrap();
        coders::ready_accounts(&store)
    };
    coders::lose_nothing(
        "thirty_two_coders_on_postgresql_lose_nothing",
        &url,
        &accounts,
        CODERS,
        seconds(),
    );
}

/// The first ready demo chart's account on the database at `url` (seeded).
fn seeded_account(url: &str) -> String {
    let mut store = coders::open(url);
    chartcoder::demo::seed(&mut store).unwrap();
    coders::ready_accounts(&store).swap_remove(0)
}

/// The writer's saves are whole (read behind the store's back).
fn check(client: &mut postgres::Client, account: &str, acknowledged: &[u64]) {
    let chart: i64 = client
        .query_one(
            "SELECT chart_id FROM charts WHERE account = $1",
            &[&account],
        )
        .unwrap()
        .get(0);
    let strings = |sql: &str| -> Vec<String> {
        client
            .query(sql, &[&chart])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    check_saves(strings, acknowledged);
}

/// Waits until no session but `client`'s is on the database `name`.
fn sessions_gone(client: &mut postgres::Client, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let others: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                &[&name],
            )
            .unwrap()
            .get(0);
        if others == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "a killed coder's session stayed on"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn coders_killed_mid_save_on_postgresql_lose_nothing_and_leave_nothing_half_written() {
    if let (Ok(url), Ok(account)) = (
        std::env::var("CHARTCODER_PG_CRASH_URL"),
        std::env::var("CHARTCODER_PG_CRASH_ACCOUNT"),
    ) {
        writer(&url, &account, false, None);
        return;
    }
    let Some(db) = TestPg::new("crash") else {
        return;
    };
    let url = db.url();
    let account = seeded_account(&url);
    let me = std::env::current_exe().unwrap();
    let mut rng = Rng(0x5EED);
    let mut acknowledged: Vec<u64> = Vec::new();
    let mut client = db.client();
    let runs = 60;
    for _ in 0..runs {
        let mut child = Command::new(&me)
            .args([
                "--exact",
                "coders_killed_mid_save_on_postgresql_lose_nothing_and_leave_nothing_half_written",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CHARTCODER_PG_CRASH_URL", &url)
            .env("CHARTCODER_PG_CRASH_ACCOUNT", &account)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(20_000 + rng.below(80_000)));
        kill(child.id());
        let _ = child.wait();
        // The server finishes the killed coder's session on its own time (a
        // COMMIT it had already received still commits): check once it has.
        sessions_gone(&mut client, &db.name);
        let stdout = child.stdout.take().unwrap();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("saved ") {
                acknowledged.push(n.parse().unwrap());
            }
        }
        check(&mut client, &account, &acknowledged);
    }
    assert!(
        acknowledged.len() > runs,
        "the writer saved too little to prove anything: {}",
        acknowledged.len()
    );
    eprintln!(
        "postgresql crash safety: {runs} SIGKILLs, {} saves acknowledged, none lost",
        acknowledged.len()
    );
}

#[test]
fn the_server_stopped_mid_save_tells_the_coder_keeps_nothing_partial_and_work_goes_on() {
    if let (Ok(url), Ok(account), Ok(until)) = (
        std::env::var("CHARTCODER_PG_DOWN_URL"),
        std::env::var("CHARTCODER_PG_DOWN_ACCOUNT"),
        std::env::var("CHARTCODER_PG_DOWN_UNTIL"),
    ) {
        writer(&url, &account, true, Some(until.parse().unwrap()));
        return;
    }
    let Some(server) = PrivateServer::start() else {
        return;
    };
    server.create("coding");
    let url = server.url("coding");
    let account = seeded_account(&url);
    let last = 1_000_000u64;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_server_stopped_mid_save_tells_the_coder_keeps_nothing_partial_and_work_goes_on",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CHARTCODER_PG_DOWN_URL", &url)
        .env("CHARTCODER_PG_DOWN_ACCOUNT", &account)
        .env("CHARTCODER_PG_DOWN_UNTIL", last.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str, pred: &dyn Fn(&str) -> bool, seen: &mut Vec<String>| {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {what} within 60 s; saw {:?}", seen.last()));
            let hit = pred(&line);
            seen.push(line);
            if hit {
                return;
            }
        }
    };
    let mut seen = Vec::new();
    // Saving goes on; then the server stops under it.
    wait_for("first saves", &|l| l == "saved 20", &mut seen);
    server.down();
    wait_for("a refused save", &|l| l.starts_with("failed "), &mut seen);
    std::thread::sleep(Duration::from_millis(500));
    server.up();
    let resumed_from = seen.len();
    wait_for(
        "saves after the restart",
        &|l| l.starts_with("saved "),
        &mut seen,
    );
    wait_for(
        "more saves after the restart",
        &|l| l.starts_with("saved ") && l[6..].parse::<u64>().is_ok_and(|n| n % 10 == 0),
        &mut seen,
    );
    kill(child.id());
    let _ = child.wait();
    // The coder was told, in words, that the change was not saved.
    let failures: Vec<&String> = seen.iter().filter(|l| l.starts_with("failed ")).collect();
    assert!(!failures.is_empty());
    for f in &failures {
        assert!(
            f.contains("NOT saved") || f.contains("cannot use the PostgreSQL database"),
            "{f}"
        );
    }
    assert!(
        seen[resumed_from..].iter().any(|l| l.starts_with("saved ")),
        "work went on after the restart"
    );
    let acknowledged: Vec<u64> = seen
        .iter()
        .filter_map(|l| l.strip_prefix("saved ").and_then(|n| n.parse().ok()))
        .collect();
    let mut client = chartcoder::store::postgres::connect(&url).unwrap();
    check(&mut client, &account, &acknowledged);
}
