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

use chartcoder::store::coding::{self, Claim, CodeList};
use chartcoder::store::{Store, StoreError, StoreOptions, charts};
use common::pg::{PrivateServer, TestPg};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CODERS: usize = 32;

fn seconds() -> u64 {
    std::env::var("CHARTCODER_PG_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

fn open(url: &str) -> Store {
    Store::open_url(url, &StoreOptions::default()).unwrap()
}

fn chart_of(store: &Store, account: &str) -> i64 {
    charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap()
}

/// One coder: claims its chart, then adds and removes diagnoses until the
/// time is up; prints how many changes it saved and how many failed.
fn coder(url: &str, account: &str, name: &str, secs: u64, pause: u64) {
    let mut store = open(url);
    let chart = chart_of(&store, account);
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

fn spawn(url: &str, account: &str, name: &str, secs: u64, pause: u64) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "thirty_two_coders_on_postgresql_lose_nothing",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            "CHARTCODER_PG_CODER",
            format!("{account}|{name}|{secs}|{pause}"),
        )
        .env("CHARTCODER_PG_URL", url)
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

/// A count on the database, behind the store's back.
fn count(client: &mut postgres::Client, sql: &str, chart: i64) -> u64 {
    let n: i64 = client.query_one(sql, &[&chart]).unwrap().get(0);
    n as u64
}

#[test]
fn thirty_two_coders_on_postgresql_lose_nothing() {
    if let (Ok(spec), Ok(url)) = (
        std::env::var("CHARTCODER_PG_CODER"),
        std::env::var("CHARTCODER_PG_URL"),
    ) {
        let mut parts = spec.split('|');
        let (account, name, secs, pause) = (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().parse().unwrap(),
            parts.next().unwrap().parse().unwrap(),
        );
        coder(&url, &account, &name, secs, pause);
        return;
    }
    let Some(db) = TestPg::new("coders") else {
        return;
    };
    let url = db.url();
    let accounts: Vec<String> = {
        let mut store = open(&url);
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        chartcoder::demo::generate(&mut store, 120, 7, today).unwrap();
        store
            .conn()
            .query_map(
                "SELECT account FROM charts WHERE status = 'ready' ORDER BY chart_id",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(
        accounts.len() > CODERS + 1,
        "{} ready charts",
        accounts.len()
    );

    // Two coders open the same chart at once: exactly one gets it.
    let a = spawn(&url, &accounts[CODERS], "ann", 0, 0);
    let b = spawn(&url, &accounts[CODERS], "ben", 0, 0);
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
        .map(|i| spawn(&url, &accounts[i], &format!("coder{i}"), secs, 10))
        .collect();
    let outputs: Vec<String> = children.into_iter().map(output).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let mut client = db.client();
    let mut total = 0;
    for (i, line) in outputs.iter().enumerate() {
        let mut f = line.split_whitespace().skip(1);
        let saved: u64 = f.next().unwrap().parse().unwrap();
        let failed: u64 = f.next().unwrap().parse().unwrap();
        assert_eq!(failed, 0, "coder{i} saw errors");
        assert!(saved > 0, "coder{i} saved nothing");
        let chart: i64 = client
            .query_one(
                "SELECT chart_id FROM charts WHERE account = $1",
                &[&accounts[i]],
            )
            .unwrap()
            .get(0);
        let adds = count(
            &mut client,
            "SELECT count(*) FROM audit WHERE chart_id = $1 AND action = 'add_diagnosis'",
            chart,
        );
        let removes = count(
            &mut client,
            "SELECT count(*) FROM audit WHERE chart_id = $1 AND action = 'remove_diagnosis'",
            chart,
        );
        assert_eq!(
            adds + removes,
            saved,
            "coder{i}: every saved change audited"
        );
        assert_eq!(
            count(
                &mut client,
                "SELECT count(*) FROM diagnoses WHERE chart_id = $1",
                chart
            ),
            adds - removes,
            "coder{i}: no update lost"
        );
        total += saved;
    }
    let solo_secs = 2;
    let solo = output(spawn(&url, &accounts[CODERS + 1], "solo", solo_secs, 0));
    let solo_saved: f64 = solo.split_whitespace().nth(1).unwrap().parse().unwrap();
    eprintln!(
        "postgresql concurrency: {CODERS} coder processes for {secs} s: {total} changes committed, \
         {:.0} per second together, no error; one process alone: {:.0} changes per second",
        total as f64 / elapsed,
        solo_saved / solo_secs as f64
    );
}

const ACCOUNT_INDEX: usize = 0;
const USER: &str = "crash-coder";

/// Action n: even adds the diagnosis Q{n}, odd puts a hold "crash n" on the chart.
fn code_of(n: u64) -> String {
    format!("Q{n:06}")
}

/// Saves action after action on the chart, printing `saved N` after each
/// commit returns; with `keep_going`, a failed save is printed as
/// `failed N WORDS` and tried again (the server may be down).
fn writer(url: &str, account: &str, keep_going: bool, until: Option<u64>) {
    let mut store = loop {
        match Store::open_url(url, &StoreOptions::default()) {
            Ok(store) => break store,
            Err(_) if keep_going => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("{e}"),
        }
    };
    let chart = chart_of(&store, account);
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
    let mut n = u64::try_from(start).unwrap();
    while until.is_none_or(|last| n <= last) {
        let result = if n % 2 == 0 {
            store
                .write(|tx| coding::add_diagnosis(tx, chart, USER, &code_of(n), "FY2027"))
                .map(|_| ())
        } else {
            store.write(|tx| coding::hold(tx, chart, USER, &format!("crash {n}")))
        };
        match result {
            Ok(()) => {
                writeln!(out, "saved {n}").unwrap();
                n += 1;
            }
            Err(e) if keep_going => {
                writeln!(out, "failed {n} {e}").unwrap();
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("{e}"),
        }
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

/// The first ready demo chart's account on the database at `url` (seeded).
fn seeded_account(url: &str) -> String {
    let mut store = open(url);
    chartcoder::demo::seed(&mut store).unwrap();
    let accounts: Vec<String> = store
        .conn()
        .query_map(
            "SELECT account FROM charts WHERE status = 'ready' ORDER BY chart_id",
            [],
            |r| r.get(0),
        )
        .unwrap();
    accounts[ACCOUNT_INDEX].clone()
}

/// Every save acknowledged is there, whole; nothing is half-written: each
/// diagnosis has its audit row and each audit row its diagnosis, holds alike,
/// in order without gaps.
fn check(client: &mut postgres::Client, account: &str, acknowledged: &[u64]) {
    let chart: i64 = client
        .query_one(
            "SELECT chart_id FROM charts WHERE account = $1",
            &[&account],
        )
        .unwrap()
        .get(0);
    let mut strings = |sql: &str| -> Vec<String> {
        client
            .query(sql, &[&chart])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let codes = strings("SELECT code FROM diagnoses WHERE chart_id = $1 ORDER BY seq");
    let added = strings(
        "SELECT split_part(detail, ' ', 1) FROM audit
         WHERE chart_id = $1 AND action = 'add_diagnosis' ORDER BY audit_id",
    );
    let holds = strings("SELECT reason FROM holds WHERE chart_id = $1 ORDER BY hold_id");
    let held = strings(
        "SELECT detail FROM audit WHERE chart_id = $1 AND action = 'hold' ORDER BY audit_id",
    );
    assert_eq!(codes, added, "diagnoses and their audit rows");
    assert_eq!(holds, held, "holds and their audit rows");
    let expected_codes: Vec<String> = (0..codes.len() as u64).map(|i| code_of(i * 2)).collect();
    assert_eq!(codes, expected_codes);
    let expected_holds: Vec<String> = (0..holds.len() as u64)
        .map(|i| format!("crash {}", i * 2 + 1))
        .collect();
    assert_eq!(holds, expected_holds);
    for &n in acknowledged {
        if n % 2 == 0 {
            assert!(codes.contains(&code_of(n)), "saved {n} lost");
        } else {
            assert!(holds.contains(&format!("crash {n}")), "saved {n} lost");
        }
    }
    if !holds.is_empty() {
        let status: String = client
            .query_one("SELECT status FROM charts WHERE chart_id = $1", &[&chart])
            .unwrap()
            .get(0);
        assert_eq!(status, "on_hold", "a hold's status change is whole");
    }
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

/// Sends SIGKILL through the `kill` command (no unsafe code in the tests).
fn kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success() || status.code() == Some(1));
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
    let _ = StoreError::ConnectionLost; // the error the coder is shown (above, in words)
}
