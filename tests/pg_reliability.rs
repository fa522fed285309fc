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
            f.contains("NOT saved")
                || f.contains("cannot use the PostgreSQL database")
                || f.contains("may or may not have been saved"),
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

/// Where [`Cutter`] cuts the next connection that sends or gets a COMMIT.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cut {
    /// Passes everything.
    Nothing,
    /// Before the server gets the COMMIT (it rolls the transaction back).
    CommitSent,
    /// After the server applied the COMMIT, before its reply reaches the
    /// client.
    CommitReply,
}

/// A Unix-socket relay in front of a private server that cuts a connection
/// at a COMMIT, as a network or a server failing at that moment would, and
/// can turn new connections away (a server that cannot be reached).
struct Cutter {
    dir: tempfile::TempDir,
    port: u16,
    state: std::sync::Arc<std::sync::Mutex<(Cut, bool)>>,
}

impl Cutter {
    fn start(server: &PrivateServer) -> Cutter {
        use std::os::unix::net::{UnixListener, UnixStream};
        let dir = tempfile::tempdir().unwrap();
        let port = server.port();
        let upstream = server.socket_dir().join(format!(".s.PGSQL.{port}"));
        let listener = UnixListener::bind(dir.path().join(format!(".s.PGSQL.{port}"))).unwrap();
        let state = std::sync::Arc::new(std::sync::Mutex::new((Cut::Nothing, false)));
        let shared = state.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                if shared.lock().unwrap().1 {
                    continue; // turned away: dropped unanswered
                }
                let Ok(server) = UnixStream::connect(&upstream) else {
                    continue;
                };
                let pump = |from: UnixStream, to: UnixStream, at: Cut, tag: &'static [u8]| {
                    let state = shared.clone();
                    std::thread::spawn(move || relay(from, to, &state, at, tag));
                };
                // A simple-protocol Query "COMMIT" one way, its CommandComplete
                // "COMMIT" the other.
                pump(
                    client.try_clone().unwrap(),
                    server.try_clone().unwrap(),
                    Cut::CommitSent,
                    b"Q\0\0\0\x0bCOMMIT\0",
                );
                pump(server, client, Cut::CommitReply, b"C\0\0\0\x0bCOMMIT\0");
            }
        });
        Cutter { dir, port, state }
    }

    /// The database `name` reached through the relay.
    fn url(&self, name: &str) -> String {
        format!(
            "postgresql:///{name}?host={}&port={}&user=postgres",
            self.dir.path().display(),
            self.port
        )
    }

    /// Cut the next connection at `at`; with `then_away`, turn every later
    /// connection away until [`Cutter::welcome`].
    fn arm(&self, at: Cut, then_away: bool) {
        *self.state.lock().unwrap() = (at, then_away);
    }

    fn welcome(&self) {
        *self.state.lock().unwrap() = (Cut::Nothing, false);
    }
}

/// Copies `from` to `to`; when the relay is armed at `at` and the bytes hold
/// `tag`, cuts both sockets without passing them on (once).
fn relay(
    mut from: std::os::unix::net::UnixStream,
    mut to: std::os::unix::net::UnixStream,
    state: &std::sync::Mutex<(Cut, bool)>,
    at: Cut,
    tag: &[u8],
) {
    use std::io::{Read, Write};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        {
            let mut state = state.lock().unwrap();
            if state.0 == at && chunk.windows(tag.len()).any(|w| w == tag) {
                state.0 = Cut::Nothing;
                let _ = from.shutdown(std::net::Shutdown::Both);
                let _ = to.shutdown(std::net::Shutdown::Both);
                return;
            }
        }
        if to.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Both);
}

#[test]
fn a_save_whose_connection_is_lost_at_commit_is_reported_as_the_server_ended_it() {
    let Some(server) = PrivateServer::start() else {
        return;
    };
    server.create("cut");
    let cutter = Cutter::start(&server);
    let url = cutter.url("cut");
    let account = seeded_account(&url);
    let mut store = coders::open(&url);
    let chart = coders::chart_of(&store, &account);
    store
        .write(|tx| chartcoder::store::coding::claim(tx, chart, coders::CRASH_USER))
        .unwrap();
    let mut client = chartcoder::store::postgres::connect(&server.url("cut")).unwrap();
    let mut times_saved = |code: &str| -> i64 {
        client
            .query_one(
                "SELECT count(*) FROM diagnoses WHERE chart_id = $1 AND code = $2",
                &[&chart, &code],
            )
            .unwrap()
            .get(0)
    };
    let add = |store: &mut chartcoder::store::Store, code: &str| {
        store.write(|tx| {
            chartcoder::store::coding::add_diagnosis(tx, chart, coders::CRASH_USER, code, "FY2027")
                .map(|_| ())
        })
    };

    // The server applied the COMMIT; its reply was lost: saved, and said so.
    cutter.arm(Cut::CommitReply, false);
    add(&mut store, "Q100001").expect("a change the server saved is reported saved");
    assert_eq!(times_saved("Q100001"), 1);

    // The COMMIT never reached the server: rolled back, and said so.
    cutter.arm(Cut::CommitSent, false);
    let err = add(&mut store, "Q100002").unwrap_err();
    assert!(
        matches!(err, chartcoder::store::StoreError::ConnectionLost),
        "{err}"
    );
    assert!(err.to_string().contains("NOT saved"), "{err}");
    assert_eq!(times_saved("Q100002"), 0);

    // Saved, but the server cannot be asked afterwards: the coder is told
    // it may be either, and to look before doing it again.
    cutter.arm(Cut::CommitReply, true);
    let started = Instant::now();
    let err = add(&mut store, "Q100003").unwrap_err();
    assert!(
        matches!(err, chartcoder::store::StoreError::CommitUnknown),
        "{err}"
    );
    assert!(
        err.to_string().contains("may or may not have been saved"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(times_saved("Q100003"), 1);

    // Reachable again: work goes on, and nothing was saved twice.
    cutter.welcome();
    add(&mut store, "Q100004").unwrap();
    for code in ["Q100001", "Q100003", "Q100004"] {
        assert_eq!(times_saved(code), 1, "{code}");
    }
    let mut client = chartcoder::store::postgres::connect(&server.url("cut")).unwrap();
    let codes: Vec<String> = client
        .query(
            "SELECT code FROM diagnoses WHERE chart_id = $1 AND code LIKE 'Q1%' ORDER BY seq",
            &[&chart],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(codes, ["Q100001", "Q100003", "Q100004"]);
}
