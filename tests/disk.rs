//! A disk that fills up and a disk that is read-only, as real file systems: a
//! small tmpfs, and a read-only bind mount of it, in a mount namespace of the
//! test's own (`unshare`), so that nothing outside the test sees them. Each
//! test runs itself again inside the namespace; the outer run checks that the
//! inner one ran and passed.

mod common;

use common::{chart_of, dx_codes, press, search};

use chartcoder::store::{Store, StoreOptions, audit};
use chartcoder::tui::app::{App, Mode, Screen};
use chrono::NaiveDate;
use crossterm::event::KeyCode;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Set in the run inside the namespace.
const INSIDE: &str = "CHARTCODER_DISK_TEST_INSIDE";

/// Outside: runs the test `name` of this file again in a new mount namespace
/// and returns false once it passed there. Inside: returns true, and the
/// caller does the work.
fn inside_namespace(name: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let mut unshare = Command::new("unshare");
    // Root makes the namespace itself; anyone else in a user namespace of
    // their own, as its root.
    if !rustix::process::geteuid().is_root() {
        unshare.arg("--map-root-user");
    }
    let out = unshare
        .args(["--mount", "--propagation", "private", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .expect("unshare (util-linux) runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "inside the mount namespace:\n{stdout}\n{stderr}"
    );
    false
}

/// A tmpfs of `size` mounted on a fresh folder, unmounted when dropped
/// (before the folder is removed).
struct Tmpfs {
    dir: PathBuf,
    _folder: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path().to_path_buf();
        sh(
            "mount",
            &["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"],
            &dir,
        );
        Tmpfs {
            dir,
            _folder: folder,
        }
    }

    /// Fills what is left of it with a file; returns that file.
    fn fill(&self) -> PathBuf {
        let path = self.dir.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![0u8; 4096];
        while file.write_all(&block).is_ok() {}
        while file.write_all(&block[..1]).is_ok() {}
        let err = file.write_all(&block[..1]).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(28), "ENOSPC: {err}");
        path
    }

    /// Makes it read-only (a read-only bind mount over it), or writable again.
    fn read_only(&self, on: bool) {
        if on {
            let dir = self.dir.to_str().unwrap();
            sh("mount", &["--bind", dir], &self.dir);
            sh("mount", &["-o", "remount,bind,ro"], &self.dir);
            let probe = std::fs::File::create(self.dir.join("probe")).unwrap_err();
            assert_eq!(probe.raw_os_error(), Some(30), "EROFS: {probe}");
        } else {
            sh("umount", &[], &self.dir);
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Every mount on the folder (the bind mount, then the tmpfs).
        while Command::new("umount")
            .arg(&self.dir)
            .output()
            .is_ok_and(|o| o.status.success())
        {}
    }
}

fn sh(program: &str, args: &[&str], dir: &Path) {
    let out = Command::new(program).args(args).arg(dir).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(home: &Path, args: &[&str]) -> Output {
    common::run_chartcoder(home, "disk-tester", args)
}

/// A home folder, a tmpfs of `size`, and on it the demo database made by the binary.
fn seeded(size: &str) -> (tempfile::TempDir, Tmpfs, PathBuf) {
    let home = tempfile::tempdir().unwrap();
    let disk = Tmpfs::mount(size);
    let db = disk.dir.join("charts.db");
    let seeded = run(
        home.path(),
        &["--demo", "--db", db.to_str().unwrap(), "query", "list"],
    );
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    (home, disk, db)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Charts, audit rows, and SQLite's own check of the file, read with a fresh connection.
fn census(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        count("SELECT count(*) FROM charts"),
        count("SELECT count(*) FROM audit"),
    )
}

#[test]
fn a_disk_that_fills_up_mid_session_refuses_the_change_says_so_and_loses_nothing() {
    if !inside_namespace(
        "a_disk_that_fills_up_mid_session_refuses_the_change_says_so_and_loses_nothing",
    ) {
        return;
    }
    let disk = Tmpfs::mount("4m");
    let db = disk.dir.join("charts.db");
    let mut store = Store::open(&db, &StoreOptions::default()).unwrap();
    chartcoder::demo::seed(&mut store).unwrap();
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let mut app = App::new(store, "amy", today, 100, 30);
    app.install_codesets(common::codesets());
    press(&mut app, KeyCode::Enter);
    let before = dx_codes(&app);
    search(&mut app, 'a', "chf");
    press(&mut app, KeyCode::Enter);
    assert_eq!(dx_codes(&app).len(), before.len() + 1);
    let (charts, audits) = census(&db);

    // The disk fills up (another program's file): the next change is refused,
    // in words, and the search stays open on its hit so the key can be pressed again.
    let filler = disk.fill();
    search(&mut app, 'a', "copd");
    press(&mut app, KeyCode::Enter);
    let message = app.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("not saved: the disk holding")
            && message.contains("is full")
            && message.contains("everything saved before is safe"),
        "{message}"
    );
    assert_eq!(app.mode(), Mode::Search);
    assert_eq!(dx_codes(&app).len(), before.len() + 1);

    // Opening another chart would be a view with no audit row: refused, and
    // the chart is not shown.
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.screen, Screen::Queue(_)), "{:?}", app.message);
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Enter);
    let message = app.message.clone().unwrap_or_default();
    assert!(
        message.starts_with("could not open the chart: the disk holding"),
        "{message}"
    );
    assert!(matches!(app.screen, Screen::Queue(_)));

    // Nothing half-written: the file is sound and holds exactly what was acknowledged.
    assert_eq!(census(&db), (charts, audits));

    // Space is freed: the same keys work, and the earlier change is still there.
    std::fs::remove_file(filler).unwrap();
    press(&mut app, KeyCode::Up);
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Chart(_)), "{:?}", app.message);
    search(&mut app, 'a', "copd");
    press(&mut app, KeyCode::Enter);
    assert_eq!(dx_codes(&app).len(), before.len() + 2, "{:?}", app.message);
    let trail = audit::for_chart(app.store().conn(), chart_of(&app).chart_id).unwrap();
    let added = trail.iter().filter(|a| a.action == "add_diagnosis").count();
    assert_eq!(
        added, 2,
        "one audit row per saved change, none for the refused one"
    );
    drop(app);
    let (after_charts, _) = census(&db);
    assert_eq!(after_charts, charts);
}

#[test]
fn a_full_disk_at_start_or_on_import_is_named_and_nothing_is_half_written() {
    if !inside_namespace("a_full_disk_at_start_or_on_import_is_named_and_nothing_is_half_written") {
        return;
    }
    let (home, disk, db) = seeded("2m");
    let db_arg = db.to_str().unwrap();
    let before = census(&db);

    let filler = disk.fill();
    // Adding charts: refused whole, with the reason.
    let out = run(home.path(), &["--db", db_arg, "demo", "--generate", "200"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("the disk holding {db_arg} is full"))
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // A new database on the full disk: the same words, not "disk I/O error".
    let fresh = disk.dir.join("new.db");
    let out = run(
        home.path(),
        &["--demo", "--db", fresh.to_str().unwrap(), "query", "list"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("is full"), "{}", stderr(&out));

    std::fs::remove_file(filler).unwrap();
    assert_eq!(
        census(&db),
        before,
        "the refused import left nothing behind"
    );
    let out = run(home.path(), &["--db", db_arg, "demo", "--generate", "200"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(census(&db).0, before.0 + 200);
}

#[test]
fn a_read_only_disk_is_read_not_written_and_the_workstation_says_why_it_does_not_start() {
    if !inside_namespace(
        "a_read_only_disk_is_read_not_written_and_the_workstation_says_why_it_does_not_start",
    ) {
        return;
    }
    let (home, disk, db) = seeded("2m");
    let db_arg = db.to_str().unwrap();
    let before = census(&db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let account: String = conn
        .query_row(
            "SELECT account FROM charts ORDER BY chart_id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);

    disk.read_only(true);
    // Writing: refused in words.
    let out = run(home.path(), &["--db", db_arg, "demo", "--generate", "5"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{db_arg} cannot be written (a read-only file, folder or disk)"
        )),
        "{err}"
    );
    // Reading works: the audit trail.
    let out = run(
        home.path(),
        &["--db", db_arg, "audit", "--account", &account],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("chart_imported"));
    // An export would leave no audit row: refused, and no file is made.
    let export = home.path().join("out.json");
    let out = run(
        home.path(),
        &["--db", db_arg, "export", "-o", export.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("cannot be written"),
        "{}",
        stderr(&out)
    );
    assert!(!export.exists());
    // The workstation would open charts it cannot record as viewed: it says so
    // and does not start (before touching the terminal).
    let out = run(home.path(), &["--db", db_arg]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("can only be read") && err.contains("does not start"),
        "{err}"
    );
    // A new database there: named.
    let out = run(
        home.path(),
        &["--db", disk.dir.join("new.db").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("Read-only file system"),
        "{}",
        stderr(&out)
    );

    disk.read_only(false);
    assert_eq!(census(&db), before, "nothing changed");
    let out = run(home.path(), &["--db", db_arg, "demo", "--generate", "5"]);
    assert!(out.status.success(), "{}", stderr(&out));
}
