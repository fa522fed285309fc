//! The live queue: PostgreSQL's signal (migration 2's triggers) and the
//! watch that listens for it (src/store/postgres/listen.rs), against a real
//! server; and the workstation's queue re-reading its rows when told.
//!
//! The PostgreSQL tests need `CHARTCODER_TEST_PG` (libpq settings for a
//! superuser; `bash tests/run.sh` starts a throwaway server and sets it).
//! Each makes its own database and drops it after. Without the variable they
//! pass, saying they were skipped, except under CI, where they fail.

mod common;

use chartcoder::store::postgres::listen::{
    APPLICATION_NAME, COALESCE, QueueWatch, STOP_CHECK, Signal,
};
use chartcoder::store::postgres::{self as pg};
use chartcoder::store::{Store, StoreOptions};
use chartcoder::tui::app::{App, Screen};
use chartcoder::tui::wake::Wake;
use crossterm::event::KeyCode;
use postgres::Client;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The bound: other coders' queues refresh within a second.
const WITHIN: Duration = Duration::from_secs(1);

/// A migrated database of the test's own, dropped when the test ends.
struct TestDb {
    pg: common::pg::TestPg,
    name: String,
}

impl TestDb {
    fn new(tag: &str) -> Option<TestDb> {
        let pg = common::pg::TestPg::new(&format!("listen_{tag}"))?;
        let name = pg.name.clone();
        let db = TestDb { pg, name };
        let mut client = db.client();
        assert_eq!(pg::migrate(&mut client).unwrap(), pg::LATEST);
        // A patient and two ready charts: 1 and 2.
        client
            .batch_execute(
                "INSERT INTO patients (patient_id, mrn, name, birth_date, sex)
                 VALUES (1, 'MRN1', 'Ada Lovelace', '1970-01-01', 'F');",
            )
            .unwrap();
        for id in [1, 2] {
            insert_chart(&mut client, id);
        }
        Some(db)
    }

    fn settings(&self) -> postgres::Config {
        pg::config(self.pg.server())
            .unwrap()
            .dbname(&self.name)
            .clone()
    }

    fn client(&self) -> Client {
        self.settings().connect(postgres::NoTls).unwrap()
    }

    /// The backend of the watch's connection, when it has one.
    fn watch_backend(&self, client: &mut Client) -> Option<i32> {
        client
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
                &[&self.name, &APPLICATION_NAME],
            )
            .unwrap()
            .map(|r| r.get(0))
    }
}

fn insert_chart(client: &mut impl postgres::GenericClient, id: i64) {
    client
        .execute(
            "INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date,
                 discharge_date, status, created_at, updated_at)
             VALUES ($1, 'A' || $2, 1, 'inpatient', '2026-01-01', '2026-01-02', 'ready',
                 '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            &[&id, &id.to_string()],
        )
        .unwrap();
}

/// A watch whose signals arrive on the receiver, each with when it came.
fn watch(db: &TestDb) -> (QueueWatch, Receiver<(Signal, Instant)>) {
    let (tx, rx) = channel();
    let watch = QueueWatch::start(db.settings(), move |s| {
        let _ = tx.send((s, Instant::now()));
    })
    .unwrap();
    (watch, rx)
}

/// The signals that come within `window`.
fn signals_within(rx: &Receiver<(Signal, Instant)>, window: Duration) -> Vec<(Signal, Instant)> {
    let deadline = Instant::now() + window;
    let mut got = Vec::new();
    while let Ok(s) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        got.push(s);
    }
    got
}

/// Runs `change` on a second client and waits for the signal: how long it
/// took from the commit.
fn signalled_after(rx: &Receiver<(Signal, Instant)>, change: impl FnOnce()) -> Duration {
    change();
    let committed = Instant::now();
    match rx.recv_timeout(WITHIN) {
        Ok((Signal::Changed, at)) => at.saturating_duration_since(committed),
        other => panic!("no signal within a second: {other:?}"),
    }
}

#[test]
fn a_claim_a_completion_and_an_arrival_each_signal_within_a_second() {
    let Some(db) = TestDb::new("each") else {
        return;
    };
    let (_watch, rx) = watch(&db);
    let mut coder = db.client();
    let claim = signalled_after(&rx, || {
        coder
            .batch_execute(
                "UPDATE charts SET status = 'in_progress', claimed_by = 'bo',
                     claimed_at = '2026-02-01T00:00:00Z' WHERE chart_id = 1",
            )
            .unwrap();
    });
    // Quiet past the coalescing window, so the next change is a burst of its
    // own.
    assert!(signals_within(&rx, 3 * COALESCE).is_empty());
    let complete = signalled_after(&rx, || {
        coder
            .batch_execute(
                "UPDATE charts SET status = 'coded', claimed_by = NULL WHERE chart_id = 1",
            )
            .unwrap();
    });
    assert!(signals_within(&rx, 3 * COALESCE).is_empty());
    let arrive = signalled_after(&rx, || insert_chart(&mut coder, 3));
    assert!(signals_within(&rx, 3 * COALESCE).is_empty());
    let hold = signalled_after(&rx, || {
        coder
            .batch_execute(
                "INSERT INTO holds (chart_id, reason, created_by, created_at)
                 VALUES (2, 'awaiting op note', 'bo', '2026-02-01T00:00:00Z')",
            )
            .unwrap();
    });
    eprintln!(
        "signalled after claim {claim:?}, completion {complete:?}, arrival {arrive:?}, hold {hold:?}"
    );
}

#[test]
fn what_the_queue_does_not_show_and_what_is_rolled_back_are_silent() {
    let Some(db) = TestDb::new("silent") else {
        return;
    };
    let (_watch, rx) = watch(&db);
    let mut coder = db.client();
    // A claim's heartbeat changes only its time, which the queue does not show.
    coder
        .batch_execute("UPDATE charts SET claimed_at = '2026-02-01T00:00:00Z' WHERE chart_id = 1")
        .unwrap();
    // A claim that is rolled back never happened.
    let mut tx = coder.transaction().unwrap();
    tx.batch_execute(
        "UPDATE charts SET status = 'in_progress', claimed_by = 'bo' WHERE chart_id = 2",
    )
    .unwrap();
    tx.rollback().unwrap();
    assert_eq!(signals_within(&rx, WITHIN), []);
}

#[test]
fn one_import_of_ten_thousand_charts_is_one_signal_at_its_commit() {
    let Some(db) = TestDb::new("import") else {
        return;
    };
    let (_watch, rx) = watch(&db);
    let mut importer = db.client();
    let mut tx = importer.transaction().unwrap();
    // One statement per chart, as an import writes them: 10,000 statements,
    // each firing the statement trigger.
    let insert = tx
        .prepare(
            "INSERT INTO charts (chart_id, account, patient_id, encounter_type, admit_date,
                 discharge_date, status, created_at, updated_at)
             VALUES ($1, 'I' || $2, 1, 'inpatient', '2026-01-01', '2026-01-02', 'ready',
                 '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        )
        .unwrap();
    for id in 100..10_100_i64 {
        tx.execute(&insert, &[&id, &id.to_string()]).unwrap();
    }
    // And the claims of a hundred of them, in the same change.
    tx.batch_execute(
        "UPDATE charts SET status = 'in_progress', claimed_by = 'bo' WHERE chart_id < 200",
    )
    .unwrap();
    assert_eq!(
        signals_within(&rx, 3 * COALESCE),
        [],
        "nothing is signalled before the commit"
    );
    tx.commit().unwrap();
    let got = signals_within(&rx, WITHIN);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0, Signal::Changed);
}

#[test]
fn a_burst_of_changes_is_coalesced_and_the_last_is_never_lost() {
    let Some(db) = TestDb::new("burst") else {
        return;
    };
    let (_watch, rx) = watch(&db);
    let mut coders = db.client();
    let started = Instant::now();
    // 40 changes, each its own transaction, as fast as they go.
    for id in 10..50 {
        insert_chart(&mut coders, id);
    }
    let last_commit = Instant::now();
    let got = signals_within(&rx, WITHIN);
    // One call at once, then at most one per window that the burst lasted
    // (and the one at the end of the last window).
    let windows = (last_commit - started).as_millis() / COALESCE.as_millis();
    assert!(!got.is_empty());
    assert!(
        got.len() as u128 <= windows + 2,
        "{} calls for a burst of {:?}",
        got.len(),
        last_commit - started
    );
    assert!(got.len() < 40, "coalesced: {} calls", got.len());
    eprintln!(
        "40 commits in {:?}: {} calls",
        last_commit - started,
        got.len()
    );
    // The last change is signalled after it was committed, so a queue that
    // reads on the last call sees it.
    let (_, last) = got.last().unwrap();
    assert!(
        *last >= last_commit,
        "the last call came before the last commit"
    );
    for pair in got.windows(2) {
        assert!(
            pair[1].1 - pair[0].1 >= COALESCE - Duration::from_millis(5),
            "two calls within one window: {got:?}"
        );
    }
}

#[test]
fn a_terminated_connection_is_said_reconnected_and_still_signals() {
    let Some(db) = TestDb::new("terminated") else {
        return;
    };
    let (_watch, rx) = watch(&db);
    let mut admin = db.client();
    let first = db
        .watch_backend(&mut admin)
        .expect("the watch is connected");
    admin
        .query_one("SELECT pg_terminate_backend($1)", &[&first])
        .unwrap();
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok((Signal::Lost(why), _)) => {
            eprintln!("said: {why}");
            assert!(why.contains("lost") || why.contains("closed"), "{why}");
        }
        other => panic!("the loss was not said: {other:?}"),
    }
    // Back, it says the queue may have changed meanwhile.
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok((Signal::Changed, _)) => {}
        other => panic!("no signal after reconnecting: {other:?}"),
    }
    let second = db
        .watch_backend(&mut admin)
        .expect("the watch is connected again");
    assert_ne!(first, second);
    assert!(signals_within(&rx, 3 * COALESCE).is_empty());
    signalled_after(&rx, || insert_chart(&mut admin, 7));
}

#[test]
fn dropping_the_watch_ends_its_thread_and_its_connection() {
    let Some(db) = TestDb::new("drop") else {
        return;
    };
    let (watch, rx) = watch(&db);
    let mut admin = db.client();
    assert!(db.watch_backend(&mut admin).is_some());
    let dropping = Instant::now();
    drop(watch);
    let took = dropping.elapsed();
    // Within its check (a second's slack for a loaded machine).
    eprintln!("dropped in {took:?}");
    assert!(took <= STOP_CHECK + WITHIN, "{took:?}");
    // The callback (and the sender in it) lived on the thread: it is gone.
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(10)).map(|_| ()),
        Err(RecvTimeoutError::Disconnected)
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while db.watch_backend(&mut admin).is_some() {
        assert!(
            Instant::now() < deadline,
            "the connection outlived the watch"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_watch_without_a_server_says_so_keeps_trying_and_stops_when_dropped() {
    // A socket folder with no server in it: every attempt fails at once.
    let dir = tempfile::tempdir().unwrap();
    let mut settings = postgres::Config::new();
    settings
        .host_path(dir.path())
        .user("nobody")
        .dbname("nothing");
    let (tx, rx) = channel();
    let watch = QueueWatch::start(&settings, move |s| {
        let _ = tx.send(s);
    })
    .unwrap();
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Signal::Lost(why)) => assert!(why.contains("cannot connect"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Said once, not per attempt.
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(500)),
        Err(RecvTimeoutError::Timeout)
    );
    let dropping = Instant::now();
    drop(watch);
    // Waiting between attempts, it ends at once (a second's slack).
    assert!(dropping.elapsed() < WITHIN, "{:?}", dropping.elapsed());
    assert_eq!(
        rx.recv_timeout(Duration::from_millis(10)),
        Err(RecvTimeoutError::Disconnected)
    );
}

#[test]
fn an_sqlite_store_has_no_watch() {
    let store = Store::open_in_memory().unwrap();
    assert!(store.queue_watch(|_| {}).is_none());
}

// ------------------------------------------------------------ workstation --

/// The workstation on the demo queue in a file, and a second connection to
/// it (another coder).
fn desk() -> (tempfile::TempDir, App, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut app = App::new(store, "amy", today, 100, 30);
    assert!(app.settle(Duration::from_secs(30)));
    let other = Store::open_existing(&path, &StoreOptions::default()).unwrap();
    (dir, app, other)
}

/// Another coder claims the chart of `account`.
fn claimed_by_bo(other: &Store, account: &str) {
    let n = other
        .conn()
        .execute(
            "UPDATE charts SET status = 'in_progress', claimed_by = 'bo' WHERE account = ?1",
            [account],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn claims(app: &App) -> Vec<Option<String>> {
    app.queue
        .rows
        .iter()
        .map(|r| r.claimed_by.clone())
        .collect()
}

#[test]
fn the_queue_rereads_its_rows_in_view_when_told_the_queue_changed() {
    let (_dir, mut app, other) = desk();
    assert!(app.queue.rows.len() >= 3, "the demo queue fills the window");
    app.handle_event(&common::key(KeyCode::Down));
    app.handle_event(&common::key(KeyCode::Down));
    assert_eq!(app.queue.selected, 2);
    let before = claims(&app);
    let account = app.queue.rows[1].account.clone();
    assert_eq!(before[1], None);
    claimed_by_bo(&other, &account);
    assert_eq!(claims(&app), before, "nothing read yet");
    app.waker().send(Wake::QueueChanged).unwrap();
    assert!(app.poll_background(), "the wake starts a read");
    assert!(app.settle(Duration::from_secs(30)));
    let mut expected = before;
    expected[1] = Some("bo".into());
    assert_eq!(claims(&app), expected);
    assert_eq!(app.queue.selected, 2, "the cursor stays on its line");
}

#[test]
fn a_lost_watch_is_said_until_it_is_back() {
    let (_dir, mut app, _other) = desk();
    app.message = None;
    let why = "the live queue's connection was lost: server closed the connection";
    app.waker().send(Wake::QueueWatchLost(why.into())).unwrap();
    app.poll_background();
    let said = app.message.clone().unwrap();
    assert!(said.starts_with(why), "{said}");
    app.waker().send(Wake::QueueChanged).unwrap();
    app.poll_background();
    assert_eq!(app.message, None, "back: the message goes");
    assert!(app.settle(Duration::from_secs(30)));
}

#[test]
fn a_change_told_while_a_chart_is_open_is_read_on_the_way_back() {
    let (_dir, mut app, other) = desk();
    let account = app.queue.rows[1].account.clone();
    common::press(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Chart(_)));
    claimed_by_bo(&other, &account);
    app.waker().send(Wake::QueueChanged).unwrap();
    app.poll_background();
    assert!(app.settle(Duration::from_secs(30)));
    assert_eq!(
        app.queue.rows[1].claimed_by, None,
        "not read behind the chart"
    );
    common::press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Queue(_)));
    app.poll_background();
    assert!(app.settle(Duration::from_secs(30)));
    assert_eq!(app.queue.rows[1].claimed_by.as_deref(), Some("bo"));
}

// --------------------------------------------------------- server restart --

/// A PostgreSQL server of the test's own, which it stops and starts (the
/// shared one is never restarted): initdb into a temporary folder, as
/// tests/run.sh does, on a Unix socket there only; stopped when dropped.
struct OwnServer {
    dir: tempfile::TempDir,
    pg_ctl: std::path::PathBuf,
}

/// A server program, on PATH or where Debian puts it (the newest version).
fn pg_program(name: &str) -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let mut debian: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .collect();
    // /usr/lib/postgresql/15/bin before .../9.6/bin.
    let version = |bin: &std::path::PathBuf| -> Vec<u32> {
        let name = bin.parent().and_then(|v| v.file_name());
        let name = name
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        name.split('.').filter_map(|n| n.parse().ok()).collect()
    };
    debian.sort_by_key(|b| std::cmp::Reverse(version(b)));
    on_path
        .chain(debian)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

impl OwnServer {
    fn start() -> Option<OwnServer> {
        // Only where the PostgreSQL tests run.
        common::pg::server()?;
        let initdb = pg_program("initdb").expect("initdb");
        let pg_ctl = pg_program("pg_ctl").expect("pg_ctl");
        let dir = tempfile::Builder::new()
            .prefix("chartcoder-pg-listen.")
            .tempdir_in("/tmp")
            .unwrap();
        let root = rustix::process::getuid().is_root();
        if root {
            let chowned = std::process::Command::new("chown")
                .arg("postgres:")
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(chowned.success());
        }
        let server = OwnServer { dir, pg_ctl };
        let data = server.dir.path().join("data");
        server.run(
            &initdb,
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "--no-locale".as_ref(),
                "--no-sync".as_ref(),
            ],
        );
        let conf = format!(
            "listen_addresses = ''\nunix_socket_directories = '{}'\nfsync = off\n",
            server.dir.path().display()
        );
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .unwrap();
        std::io::Write::write_all(&mut file, conf.as_bytes()).unwrap();
        server.ctl("start");
        Some(server)
    }

    /// Runs a server program, as the postgres user when we are root
    /// (initdb and pg_ctl refuse root).
    fn run(&self, program: &std::path::Path, args: &[&std::ffi::OsStr]) {
        let mut command = if rustix::process::getuid().is_root() {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            std::process::Command::new(program)
        };
        let out = command.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}: {}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// `pg_ctl start` or `stop`, waiting for it.
    fn ctl(&self, action: &str) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("server.log");
        let pg_ctl = self.pg_ctl.clone();
        self.run(
            &pg_ctl,
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-m".as_ref(),
                "fast".as_ref(),
                "-w".as_ref(),
                action.as_ref(),
            ],
        );
    }

    fn settings(&self) -> postgres::Config {
        let mut settings = postgres::Config::new();
        settings
            .host_path(self.dir.path())
            .user("postgres")
            .dbname("postgres");
        settings
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        if self.dir.path().join("data/postmaster.pid").exists() {
            self.ctl("stop");
        }
    }
}

#[test]
fn a_server_stopped_and_started_again_is_said_once_and_the_watch_comes_back() {
    let Some(server) = OwnServer::start() else {
        return;
    };
    let mut owner = server.settings().connect(postgres::NoTls).unwrap();
    pg::migrate(&mut owner).unwrap();
    owner
        .batch_execute(
            "INSERT INTO patients (patient_id, mrn, name, birth_date, sex)
             VALUES (1, 'MRN1', 'Ada Lovelace', '1970-01-01', 'F');",
        )
        .unwrap();
    drop(owner);
    let (tx, rx) = channel();
    let _watch = QueueWatch::start(server.settings(), move |s| {
        let _ = tx.send((s, Instant::now()));
    })
    .unwrap();
    server.ctl("stop");
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok((Signal::Lost(why), _)) => eprintln!("said: {why}"),
        other => panic!("the loss was not said: {other:?}"),
    }
    // Down for a while: attempts fail, said only the once.
    assert_eq!(signals_within(&rx, Duration::from_millis(1500)), []);
    server.ctl("start");
    let started = Instant::now();
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok((Signal::Changed, at)) => eprintln!("back {:?} after the start", at - started),
        other => panic!("no signal after the server came back: {other:?}"),
    }
    let mut coder = server.settings().connect(postgres::NoTls).unwrap();
    signalled_after(&rx, || insert_chart(&mut coder, 1));
    drop(coder);
    drop(_watch);

    // A watch started while the server is down: said, and back when it is.
    server.ctl("stop");
    let (tx, rx) = channel();
    let _watch = QueueWatch::start(server.settings(), move |s| {
        let _ = tx.send((s, Instant::now()));
    })
    .unwrap();
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok((Signal::Lost(why), _)) => assert!(why.contains("cannot connect"), "{why}"),
        other => panic!("the failed start was not said: {other:?}"),
    }
    server.ctl("start");
    match rx.recv_timeout(Duration::from_secs(10)) {
        Ok((Signal::Changed, _)) => {}
        other => panic!("no signal once the server was up: {other:?}"),
    }
    let mut coder = server.settings().connect(postgres::NoTls).unwrap();
    signalled_after(&rx, || insert_chart(&mut coder, 2));
}
