//! End to end on PostgreSQL: the real binary in tmux on a database of the
//! test's own (`CHARTCODER_TEST_PG`, see tests/common/pg.rs; skipped without
//! it except under CI): the coding flow of tests/e2e_tmux.rs checked through
//! a raw client, two workstations seeing each other's claims, completions
//! and imported charts within a second (the live queue), and a server
//! restarted under an open workstation.

mod common;

use common::pg::{PrivateServer, TestPg};
use common::tmux::{Tmux, chartcoder, code_the_two_demo_charts, one_chart_like, quote};
use std::path::Path;
use std::time::{Duration, Instant};

/// How soon another workstation's queue must show a change (issue 15).
const LIVE: Duration = Duration::from_secs(1);

/// A config naming the shared search cache; its path.
fn config(home: &Path) -> String {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-cache");
    let config = home.join("chartcoder.toml");
    std::fs::write(
        &config,
        format!("[codesets]\ncache_dir = {:?}\n", cache.to_str().unwrap()),
    )
    .unwrap();
    config.to_str().unwrap().to_string()
}

/// A workstation on `url` (seeding the demo queue when the database is
/// empty), as `user` when given; stderr to a log in `home`.
fn workstation(name: &str, home: &Path, url: &str, user: Option<&str>) -> Tmux {
    let args = format!(
        "--demo --db {} --config {}{} 2>> {}",
        quote(url),
        quote(&config(home)),
        user.map(|u| format!(" --user {u}")).unwrap_or_default(),
        quote(home.join(format!("{name}.log")).to_str().unwrap())
    );
    Tmux::start(name, &chartcoder(home, &args), 100, 30)
}

/// Waits for the code sets (the edits pane answers) on an open chart.
fn wait_codesets(tmux: &Tmux) {
    let start = Instant::now();
    while !tmux.screen().contains("Edits (") {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "code sets never loaded:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Polls `tmux` until `ready`, at most [`LIVE`] after `since`; the latency.
fn within_live(tmux: &Tmux, since: Instant, what: &str, ready: impl Fn(&str) -> bool) -> Duration {
    loop {
        let screen = tmux.screen();
        if ready(&screen) {
            let took = since.elapsed();
            eprintln!("{what}: shown after {took:?}");
            return took;
        }
        assert!(
            since.elapsed() <= LIVE,
            "{what}: not shown within {LIVE:?}; the screen was:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The screen line holding `account`.
fn row<'a>(screen: &'a str, account: &str) -> &'a str {
    screen.lines().find(|l| l.contains(account)).unwrap_or("")
}

#[test]
fn a_coder_codes_two_charts_on_postgresql_and_the_database_holds_exactly_that() {
    let Some(db) = TestPg::new("e2e_coding") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let tmux = workstation("pg-coding", home.path(), &db.url(), None);
    code_the_two_demo_charts(&tmux);

    let mut c = db.client();
    let me = chartcoder::identity::os_user();
    let mut chart = |account: &str| -> (i64, String) {
        let r = c
            .query_one(
                "SELECT chart_id, status FROM charts WHERE account = $1",
                &[&account],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    let (first, first_status) = chart("A26101408");
    let (second, second_status) = chart("A26102005");
    assert_eq!(first_status, "on_hold");
    assert_eq!(second_status, "coded");
    let dx = |c: &mut postgres::Client, id: i64| -> Vec<(String, Option<String>)> {
        c.query(
            "SELECT code, poa FROM diagnoses WHERE chart_id = $1 ORDER BY seq",
            &[&id],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
    };
    let actions = |c: &mut postgres::Client, id: i64| -> Vec<String> {
        c.query(
            "SELECT action FROM audit WHERE chart_id = $1 AND actor = $2 AND os_user = $2 \
             ORDER BY audit_id",
            &[&id, &me],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    assert_eq!(
        dx(&mut c, first),
        vec![
            ("I50.9".to_string(), Some("Y".to_string())),
            ("E11.65".to_string(), None)
        ]
    );
    assert_eq!(
        actions(&mut c, first),
        [
            "claim",
            "add_diagnosis",
            "add_diagnosis",
            "move_diagnosis",
            "set_poa",
            "query_sent"
        ]
    );
    let hold = c
        .query_one(
            "SELECT h.reason, q.status, q.format, q.indicators, q.text FROM holds h \
             JOIN physician_queries q USING (physician_query_id) WHERE h.chart_id = $1",
            &[&first],
        )
        .unwrap();
    let reason: String = hold.get(0);
    assert!(reason.starts_with("physician query #1 to Dr. "), "{reason}");
    assert_eq!(
        (hold.get::<_, String>(1), hold.get::<_, String>(2)),
        ("open".to_string(), "multiple_choice".to_string())
    );
    let indicators: serde_json::Value = serde_json::from_str(&hold.get::<_, String>(3)).unwrap();
    assert_eq!(indicators.as_array().unwrap().len(), 2);
    assert!(
        indicators[0]["source"]["document"].is_string(),
        "{indicators}"
    );
    assert_eq!(indicators[1]["text"], "BNP 1,450 pg/mL");
    let text: String = hold.get(4);
    assert!(text.contains("[ ] Clinically undetermined"), "{text}");
    assert_eq!(
        dx(&mut c, second),
        vec![("J18.9".to_string(), Some("Y".to_string()))]
    );
    assert_eq!(
        actions(&mut c, second),
        ["claim", "add_diagnosis", "set_poa", "complete", "final_drg"]
    );
    // J18.9 alone groups to DRG 195 (simple pneumonia without CC/MCC) under
    // v44.0 (discharged 2026-10), which has no installed weights.
    let drg = c
        .query_one(
            "SELECT drg, grouper_version, weight FROM chart_drgs WHERE chart_id = $1",
            &[&second],
        )
        .unwrap();
    assert_eq!(
        (
            drg.get::<_, i64>(0),
            drg.get::<_, String>(1),
            drg.get::<_, Option<f64>>(2)
        ),
        (195, "v44.0".to_string(), None)
    );
    let others: i64 = c
        .query_one(
            "SELECT count(*) FROM audit WHERE actor = $1 AND chart_id NOT IN ($2, $3)",
            &[&me, &first, &second],
        )
        .unwrap()
        .get(0);
    assert_eq!(others, 0);
}

fn import(home: &Path, url: &str, file: &str) {
    let out = common::run_chartcoder(home, "e2e", &["--db", url, "import", file]);
    assert!(
        out.status.success(),
        "import: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn two_workstations_see_each_others_claims_completions_and_imports_within_a_second() {
    use chartcoder::domain::Role;
    use chartcoder::store::{site, users};
    let Some(db) = TestPg::new("e2e_live") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let url = db.url();
    let me = chartcoder::identity::os_user();
    let mut store = db.store();
    store
        .write(|tx| {
            site::set(tx, me, "act_as", me)?;
            users::add(tx, me, "carl", Role::Coder)?;
            users::add(tx, me, "dora", Role::Coder)
        })
        .unwrap();
    drop(store);
    let a = workstation("live-carl", home.path(), &url, Some("carl"));
    a.wait_text("38 charts");
    let b = workstation("live-dora", home.path(), &url, Some("dora"));
    let before = b.wait_text("38 charts");
    assert!(!row(&before, "A26101408").contains("carl"));
    assert!(before.contains("A26102005"));

    // Carl opens (claims) the oldest chart: Dora's queue shows it his.
    a.press("Enter");
    a.wait_text("Diagnoses (");
    let shown = Instant::now();
    let claim = within_live(&b, shown, "the claim", |s| {
        let r = row(s, "A26101408");
        r.contains("in progress") && r.contains("carl")
    });

    // A chart imported from the command line appears on Dora's queue.
    let file = one_chart_like(home.path(), "A26102005", "A26102099");
    assert!(!b.screen().contains("A26102099"));
    let started = Instant::now();
    import(home.path(), &url, &file);
    let imported = Instant::now();
    let arrival = within_live(&b, imported, "the imported chart", |s| {
        s.contains("A26102099")
    });
    // The count line above the rows follows them (it stayed at 38).
    within_live(&b, imported, "the count line", |s| s.contains("39 charts"));

    // Carl codes and completes the next chart: Dora sees it coded.
    wait_codesets(&a);
    a.press("Escape");
    a.wait_text("chart queue");
    a.type_text("j");
    a.wait_selected("A26102005", "the second chart");
    a.press("Enter");
    a.wait_text("Diagnoses (");
    a.type_text("a");
    a.type_text("pneumonia");
    a.wait_text("> J18.9");
    a.press("Enter");
    a.wait_text("Diagnoses (1)");
    a.type_text("Py");
    a.wait_for("POA Y on J18.9", |s| s.contains("J18.9    Y"));
    a.type_text("c");
    a.wait_text("chart completed: coded");
    // Dora's queue shows uncoded charts: the coded one leaves it.
    let completed = within_live(&b, Instant::now(), "the completion", |s| {
        s.contains("A26101408") && !s.contains("A26102005")
    });
    eprintln!(
        "live queue latencies: claim {claim:?}, import {arrival:?} (import command {:?}), completion {completed:?}",
        imported - started
    );
}

#[test]
fn a_server_restarted_under_the_workstation_loses_one_change_said_and_then_reconnects() {
    let Some(server) = PrivateServer::start() else {
        return;
    };
    server.create("e2e_restart");
    let url = server.url("e2e_restart");
    let home = tempfile::tempdir().unwrap();
    let tmux = workstation("restart", home.path(), &url, None);
    tmux.wait_text("38 charts");
    tmux.press("Enter");
    tmux.wait_text("Diagnoses (0)");
    wait_codesets(&tmux);

    server.down();
    tmux.type_text("a");
    tmux.type_text("chf");
    tmux.wait_text("> I50.9");
    tmux.press("Enter");
    tmux.wait_text("NOT saved");
    server.up();
    let mut c = chartcoder::store::postgres::connect(&url).unwrap();
    let chart: i64 = c
        .query_one(
            "SELECT chart_id FROM charts WHERE account = 'A26101408'",
            &[],
        )
        .unwrap()
        .get(0);
    let count = |c: &mut postgres::Client, sql: &str| -> i64 {
        c.query_one(sql, &[&chart]).unwrap().get(0)
    };
    let dx = "SELECT count(*) FROM diagnoses WHERE chart_id = $1";
    let added = "SELECT count(*) FROM audit WHERE chart_id = $1 AND action = 'add_diagnosis'";
    assert_eq!((count(&mut c, dx), count(&mut c, added)), (0, 0));

    // The next action reconnects and is saved.
    tmux.press("Escape");
    tmux.wait_text("Diagnoses (0)");
    tmux.type_text("a");
    tmux.type_text("chf");
    tmux.wait_text("> I50.9");
    tmux.press("Enter");
    tmux.wait_text("Diagnoses (1)");
    assert_eq!((count(&mut c, dx), count(&mut c, added)), (1, 1));

    // And the live queue is back: an imported chart appears on the queue.
    tmux.press("Escape");
    tmux.wait_text("chart queue");
    let file = one_chart_like(home.path(), "A26102005", "A26102098");
    import(home.path(), &url, &file);
    let imported = Instant::now();
    tmux.wait_for("the queue's watch back", |s| s.contains("A26102098"));
    tmux.wait_for("the count line", |s| s.contains("39 charts"));
    eprintln!(
        "after the restart, the import shown after {:?}",
        imported.elapsed()
    );
}

/// The workstation checks the trail before it starts (the check that failed
/// on PostgreSQL before it read `pg_trigger`): intact on a new database, and
/// a disabled guard trigger is named.
#[test]
fn the_trail_check_on_postgresql_names_a_disabled_guard_trigger() {
    let Some(db) = TestPg::new("e2e_guard") else {
        return;
    };
    let store = db.store();
    let v = chartcoder::store::audit::verify(store.conn(), None).unwrap();
    assert!(v.intact(), "{:?}", v.problems);
    db.client()
        .batch_execute("ALTER TABLE audit DISABLE TRIGGER audit_no_update")
        .unwrap();
    let v = chartcoder::store::audit::verify(store.conn(), None).unwrap();
    assert_eq!(v.problems.len(), 1, "{:?}", v.problems);
    assert!(
        v.problems[0].contains("audit_no_update"),
        "{:?}",
        v.problems
    );
}

/// The words of the queue's count line ("N charts"), or "" when absent.
fn count_line(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(" charts") && l.contains("chart queue"))
        .or_else(|| screen.lines().find(|l| l.contains(" charts ·")))
        .unwrap_or("")
        .to_string()
}

#[test]
fn the_count_line_follows_charts_imported_while_the_queue_is_open() {
    let Some(db) = TestPg::new("e2e_count") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let url = db.url();
    let tmux = workstation("pg-count", home.path(), &url, None);
    tmux.wait_text("38 charts");
    for (n, account) in [(39, "A26102097"), (40, "A26102096")] {
        let file = one_chart_like(home.path(), "A26102005", account);
        import(home.path(), &url, &file);
        let imported = Instant::now();
        within_live(&tmux, imported, "the imported chart", |s| {
            s.contains(account)
        });
        let screen = tmux.wait_for(&format!("the count line at {n}"), |s| {
            s.contains(&format!("{n} charts"))
        });
        assert!(!screen.contains(&format!("{} charts", n - 1)), "{screen}");
        eprintln!(
            "count line after {:?}: {}",
            imported.elapsed(),
            count_line(&screen)
        );
    }
}
