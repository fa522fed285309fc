//! The reliability tests' moving parts, the same on both stores: coder
//! processes saving changes side by side (tests/concurrency.rs, the 32-coder
//! test of tests/pg_reliability.rs) and a writer killed mid-save
//! (tests/crash.rs, pg_reliability's SIGKILL and server-stopped tests).
//!
//! Coders and writers are the calling test binary run again, told what to do
//! by environment variables; a database is named by `db`: a `postgresql://`
//! URL or an SQLite file's path.

use chartcoder::store::coding::{self, Claim, CodeList};
use chartcoder::store::{Store, StoreError, StoreOptions, charts};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The store at `db`: a `postgresql://` URL or an SQLite file.
pub fn open(db: &str) -> Store {
    match db.starts_with("postgresql://") {
        true => Store::open_url(db, &StoreOptions::default()).unwrap(),
        false => Store::open(std::path::Path::new(db), &StoreOptions::default()).unwrap(),
    }
}

pub fn chart_of(store: &Store, account: &str) -> i64 {
    charts::chart_id_for_account(store.conn(), account)
        .unwrap()
        .unwrap()
}

/// The ready charts' accounts on `db`, in chart order.
pub fn ready_accounts(store: &Store) -> Vec<String> {
    store
        .conn()
        .query_map(
            "SELECT account FROM charts WHERE status = 'ready' ORDER BY chart_id",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

/// One coder: claims its chart, then adds and removes diagnoses until the time
/// is up; prints how many changes it saved and how many failed.
fn coder(db: &str, account: &str, name: &str, secs: u64, pause: u64) {
    let mut store = open(db);
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

/// A coder process: the test binary's test `test` run again as a coder.
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

/// What a coder process said (its `@@` lines).
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
/// A coder test calls this first and returns when it is true.
pub fn as_coder() -> bool {
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

/// `coders` processes (the test `test` run again) each work a chart of
/// `accounts` for `secs` seconds, saving a change every 10 ms: none sees an
/// error, every saved change is in the database with its audit row, none is
/// lost. Before that two processes open the same chart at once: exactly one
/// gets it, the other is told who holds it. Prints the throughput, and one
/// process's alone at full speed.
pub fn lose_nothing(test: &str, db: &str, accounts: &[String], coders: usize, secs: u64) {
    assert!(
        accounts.len() > coders + 1,
        "{} ready charts",
        accounts.len()
    );
    let a = spawn(test, db, &accounts[coders], "ann", 0, 0);
    let b = spawn(test, db, &accounts[coders], "ben", 0, 0);
    let mut answers = [output(a), output(b)];
    answers.sort();
    assert!(
        answers == ["mine".to_string(), "taken ann".to_string()]
            || answers == ["mine".to_string(), "taken ben".to_string()],
        "{answers:?}"
    );

    let started = Instant::now();
    let children: Vec<_> = (0..coders)
        .map(|i| spawn(test, db, &accounts[i], &format!("coder{i}"), secs, 10))
        .collect();
    let outputs: Vec<String> = children.into_iter().map(output).collect();
    let elapsed = started.elapsed().as_secs_f64();
    let store = open(db);
    let conn = store.conn();
    let mut total = 0;
    for (i, line) in outputs.iter().enumerate() {
        let mut f = line.split_whitespace().skip(1);
        let saved: u64 = f.next().unwrap().parse().unwrap();
        let failed: u64 = f.next().unwrap().parse().unwrap();
        assert_eq!(failed, 0, "coder{i} saw errors");
        assert!(saved > 0, "coder{i} saved nothing");
        let chart = chart_of(&store, &accounts[i]);
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
    let solo_secs = 2;
    let solo = output(spawn(test, db, &accounts[coders + 1], "solo", solo_secs, 0));
    let solo_saved: f64 = solo.split_whitespace().nth(1).unwrap().parse().unwrap();
    eprintln!(
        "concurrency: {coders} coder processes for {secs} s: {total} changes committed, {:.0} per second together, no error; one process alone: {:.0} changes per second ({})",
        total as f64 / elapsed,
        solo_saved / solo_secs as f64,
        match db.starts_with("postgresql://") {
            true => "PostgreSQL",
            false => "SQLite, synchronous=FULL",
        }
    );
}

pub const CRASH_USER: &str = "crash-coder";

/// Action n: even adds the diagnosis Q{n}, odd puts a hold "crash n" on the chart.
pub fn code_of(n: u64) -> String {
    format!("Q{n:06}")
}

/// Saves action after action on the chart of `account`, printing `saved N`
/// after each commit returns. With `keep_going`, a failed open or save is
/// printed as `failed N WORDS` and tried again (the server may be down);
/// without, it ends the process. Stops after action `until` if given.
pub fn writer(db: &str, account: &str, keep_going: bool, until: Option<u64>) {
    let mut store = loop {
        let opened = match db.starts_with("postgresql://") {
            true => Store::open_url(db, &StoreOptions::default()),
            false => Store::open(std::path::Path::new(db), &StoreOptions::default()),
        };
        match opened {
            Ok(store) => break store,
            Err(_) if keep_going => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("{e}"),
        }
    };
    let chart = chart_of(&store, account);
    store
        .write(|tx| coding::claim(tx, chart, CRASH_USER))
        .unwrap();
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
                .write(|tx| coding::add_diagnosis(tx, chart, CRASH_USER, &code_of(n), "FY2027"))
                .map(|_| ())
        } else {
            store.write(|tx| coding::hold(tx, chart, CRASH_USER, &format!("crash {n}")))
        };
        match result {
            Ok(()) => {
                writeln!(out, "saved {n}").unwrap();
                n += 1;
            }
            Err(e) if keep_going => {
                writeln!(out, "failed {n} {e}").unwrap();
                std::thread::sleep(Duration::from_millis(20));
                // As the coder is told: look whether it is there before
                // doing it again.
                if matches!(e, StoreError::CommitUnknown) && is_saved(&store, chart, n) {
                    writeln!(out, "found {n}").unwrap();
                    n += 1;
                }
            }
            Err(e) => panic!("{e}"),
        }
        out.flush().unwrap();
    }
}

/// Whether the writer's action `n` is on the chart (asked again until the
/// store can be read).
fn is_saved(store: &Store, chart: i64, n: u64) -> bool {
    let (sql, value) = match n.is_multiple_of(2) {
        true => (
            "SELECT count(*) FROM diagnoses WHERE chart_id = ?1 AND code = ?2",
            code_of(n),
        ),
        false => (
            "SELECT count(*) FROM holds WHERE chart_id = ?1 AND reason = ?2",
            format!("crash {n}"),
        ),
    };
    loop {
        match store
            .conn()
            .query_row(sql, chartcoder::params![chart, value], |r| r.get::<i64>(0))
        {
            Ok(count) => return count > 0,
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// Every save the writer acknowledged is there, whole; nothing is
/// half-written: each diagnosis has its audit row and each audit row its
/// diagnosis, holds alike, in order without gaps; a held chart's status
/// followed. `strings` runs a statement with the chart bound as `$1` and
/// returns its first column (read behind the store's back).
pub fn check_saves(mut strings: impl FnMut(&str) -> Vec<String>, acknowledged: &[u64]) {
    let codes = strings("SELECT code FROM diagnoses WHERE chart_id = $1 ORDER BY seq");
    let added: Vec<String> = strings(
        "SELECT detail FROM audit WHERE chart_id = $1 AND action = 'add_diagnosis' ORDER BY audit_id",
    )
    .iter()
    .map(|detail| detail.split(' ').next().unwrap_or_default().to_string())
    .collect();
    let holds = strings("SELECT reason FROM holds WHERE chart_id = $1 ORDER BY hold_id");
    let held = strings(
        "SELECT detail FROM audit WHERE chart_id = $1 AND action = 'hold' ORDER BY audit_id",
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
        let status = strings("SELECT status FROM charts WHERE chart_id = $1");
        assert_eq!(status, ["on_hold"], "a hold's status change is whole");
    }
}

/// A small deterministic generator for the kill delays.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Sends SIGKILL through the `kill` command (no unsafe code in the tests).
pub fn kill(pid: u32) {
    let status = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success() || status.code() == Some(1));
}
