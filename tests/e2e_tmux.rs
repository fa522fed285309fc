//! End to end: the real binary in a real terminal (tmux), driven by keys, read
//! back from the screen, then checked in the database.
//!
//! tmux is required (`.ci/run` installs it); without it these tests fail with a
//! message saying so, rather than passing without running.

mod common;

use common::tmux::{DEADLINE, Tmux, chartcoder, child_of, one_chart_like, quote, selected_line};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn first_run_opens_the_demo_queue_and_the_keys_work() {
    let home = tempfile::tempdir().unwrap();
    let tmux = Tmux::start("firstrun", &chartcoder(home.path(), ""), 100, 30);
    let screen = tmux.wait_text("38 charts");
    assert!(
        // The coder is the OS login, not the USER=e2e-coder in the environment.
        screen.contains("chart queue")
            && screen.contains(&format!("coder: {}", chartcoder::identity::os_user()))
            && !screen.contains("e2e-coder"),
        "{screen}"
    );
    assert!(
        selected_line(&screen).contains("A26101408"),
        "oldest uncoded first:\n{screen}"
    );

    tmux.type_text("jj");
    tmux.wait_selected("A26102114", "the third chart selected");
    tmux.press("Up");
    tmux.wait_selected("A26102005", "the second chart selected");
    tmux.type_text("G");
    tmux.wait_selected("E26112007", "the newest chart selected");
    tmux.type_text("g");
    tmux.wait_selected("A26101408", "the oldest chart again");

    // Filter by part of a name, then by status and type.
    tmux.type_text("/achebe");
    let screen = tmux.wait_text("1 chart ·");
    assert!(selected_line(&screen).contains("A26110877"), "{screen}");
    tmux.press("Enter");
    tmux.type_text("c");
    tmux.wait_text("38 charts");
    tmux.type_text("ss");
    tmux.wait_text("status: ready");
    tmux.type_text("t");
    tmux.wait_text("20 charts");

    // Help is drawn from the key map, and any key closes it.
    tmux.type_text("?");
    tmux.wait_text("Help: queue");
    tmux.type_text("x");
    tmux.wait_for("help closed", |s| !s.contains("Help: queue"));

    tmux.type_text("q");
    tmux.wait_exit();

    let db = home.path().join("data/chartcoder/chartcoder.db");
    let conn = rusqlite::Connection::open(db).unwrap();
    let charts: i64 = conn
        .query_row("SELECT count(*) FROM charts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(charts, 46, "the demo queue was seeded on first run");
}

#[test]
fn a_small_terminal_shows_the_too_small_screen_until_it_grows() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let args = format!("--demo --db {}", quote(db.to_str().unwrap()));
    let tmux = Tmux::start("resize", &chartcoder(home.path(), &args), 100, 30);
    tmux.wait_text("38 charts");
    assert!(
        tmux.run(&["resize-window", "-x", "60", "-y", "20"])
            .status
            .success()
    );
    tmux.wait_text("Terminal too small: 60x20");
    assert!(
        tmux.run(&["resize-window", "-x", "100", "-y", "30"])
            .status
            .success()
    );
    tmux.wait_text("38 charts");
    assert!(tmux.alive());
}

fn assert_signal_restores_the_terminal(signal: &str) {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    // After chartcoder exits, the shell reports its status and whether the
    // terminal is back in cooked mode (raw mode turns icanon off).
    let script = format!(
        "{}; echo \"EXIT=$?\"; stty -a | grep -q -- ' icanon' && echo COOKED; sleep 30",
        chartcoder(
            home.path(),
            &format!("--demo --db {}", quote(db.to_str().unwrap()))
        )
    );
    let tmux = Tmux::start(
        &format!("sig{signal}"),
        &format!("sh -c {}", quote(&script)),
        100,
        30,
    );
    tmux.wait_text("38 charts");
    let pid = child_of(tmux.pane_pid()).expect("chartcoder runs under the shell");
    let kill = format!("kill -{signal} {pid}");
    assert!(
        Command::new("sh")
            .args(["-c", &kill])
            .status()
            .unwrap()
            .success()
    );
    let screen = tmux.wait_text("COOKED");
    assert!(
        screen.contains("EXIT=0"),
        "a clean exit on {signal}:\n{screen}"
    );
    assert!(
        !screen.contains("chart queue"),
        "the alternate screen was left:\n{screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    assert_signal_restores_the_terminal("TERM");
}

#[test]
fn sighup_as_from_a_dropped_ssh_connection_restores_the_terminal() {
    assert_signal_restores_the_terminal("HUP");
}

/// Whether a process has ended (gone, or a zombie waiting to be reaped).
fn ended(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => {
            stat.rsplit(')')
                .next()
                .and_then(|s| s.split_whitespace().next())
                == Some("Z")
        }
    }
}

#[test]
fn a_terminal_that_vanishes_ends_the_process_instead_of_spinning() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let args = format!("--demo --db {}", quote(db.to_str().unwrap()));
    let tmux = Tmux::start("vanish", &chartcoder(home.path(), &args), 100, 30);
    tmux.wait_text("38 charts");
    let pid = tmux.pane_pid(); // env execs chartcoder: the pane's process is chartcoder
    assert!(!ended(pid));
    // Closing the server closes the terminal's master side, as sshd does when a
    // connection drops.
    assert!(tmux.run(&["kill-server"]).status.success());
    let start = Instant::now();
    while !ended(pid) {
        if start.elapsed() > DEADLINE {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("chartcoder outlived its terminal by {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    // Everything it had written is intact.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn a_coder_codes_two_charts_and_the_database_holds_exactly_that() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("work.db");
    // The search index cache the other tests share (built once per target dir).
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-cache");
    let config = home.path().join("chartcoder.toml");
    std::fs::write(
        &config,
        format!("[codesets]\ncache_dir = {:?}\n", cache.to_str().unwrap()),
    )
    .unwrap();
    // Everything the process writes besides the screen goes to a log, which
    // must hold no patient name or MRN.
    let log = home.path().join("stderr.log");
    let args = format!(
        "--demo --db {} --config {} 2> {}",
        quote(db.to_str().unwrap()),
        quote(config.to_str().unwrap()),
        quote(log.to_str().unwrap())
    );
    let tmux = Tmux::start("coding", &chartcoder(home.path(), &args), 100, 30);
    common::tmux::code_the_two_demo_charts(&tmux);

    let conn = rusqlite::Connection::open(&db).unwrap();
    let chart = |account: &str| -> (i64, String) {
        conn.query_row(
            "SELECT chart_id, status FROM charts WHERE account = ?1",
            [account],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    let dx = |id: i64| -> Vec<(String, Option<String>)> {
        let mut stmt = conn
            .prepare("SELECT code, poa FROM diagnoses WHERE chart_id = ?1 ORDER BY seq")
            .unwrap();
        stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let actions = |id: i64| -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT action FROM audit WHERE chart_id = ?1 AND actor = ?2 AND os_user = ?2 ORDER BY audit_id")
            .unwrap();
        stmt.query_map(
            rusqlite::params![id, chartcoder::identity::os_user()],
            |r| r.get(0),
        )
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    let (first, status) = chart("A26101408");
    assert_eq!(status, "on_hold");
    assert_eq!(
        dx(first),
        vec![
            ("I50.9".to_string(), Some("Y".to_string())),
            ("E11.65".to_string(), None)
        ]
    );
    assert_eq!(
        actions(first),
        [
            "claim",
            "add_diagnosis",
            "add_diagnosis",
            "move_diagnosis",
            "set_poa",
            "query_sent"
        ]
    );
    let (reason, query): (String, i64) = conn
        .query_row(
            "SELECT reason, physician_query_id FROM holds WHERE chart_id = ?1",
            [first],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(reason.starts_with("physician query #1 to Dr. "), "{reason}");
    let (status, format, indicators, text): (String, String, String, String) = conn
        .query_row(
            "SELECT status, format, indicators, text FROM physician_queries WHERE physician_query_id = ?1",
            [query],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), format.as_str()),
        ("open", "multiple_choice")
    );
    let indicators: serde_json::Value = serde_json::from_str(&indicators).unwrap();
    assert_eq!(indicators.as_array().unwrap().len(), 2);
    assert!(
        indicators[0]["source"]["document"].is_string(),
        "{indicators}"
    );
    assert_eq!(indicators[1]["text"], "BNP 1,450 pg/mL");
    assert!(text.contains("[ ] Clinically undetermined"), "{text}");
    let (second, status) = chart("A26102005");
    assert_eq!(status, "coded");
    assert_eq!(
        dx(second),
        vec![("J18.9".to_string(), Some("Y".to_string()))]
    );
    assert_eq!(
        actions(second),
        ["claim", "add_diagnosis", "set_poa", "complete", "final_drg"]
    );
    // Completing stored its working DRG: simple pneumonia (J18.9, dxc0402)
    // alone is DRG 195 (without CC/MCC); the discharge (2026-10) is v44.0,
    // for which no FY2027 Table 5 is installed, so no weight.
    let (drg, version, weight): (i64, String, Option<f64>) = conn
        .query_row(
            "SELECT drg, grouper_version, weight FROM chart_drgs WHERE chart_id = ?1",
            [second],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((drg, version.as_str(), weight), (195, "v44.0", None));
    // Nothing else was touched.
    let others: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE actor = 'e2e-coder' AND chart_id NOT IN (?1, ?2)",
            [first, second],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(others, 0);
    // No PHI in the log: not one demo patient's name or MRN.
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("demo charts"),
        "the log was written: {logged}"
    );
    let demo: serde_json::Value = serde_json::from_str(chartcoder::demo::DEMO_CHARTS_JSON).unwrap();
    for chart in demo["charts"].as_array().unwrap() {
        let name = chart["patient"]["name"].as_str().unwrap();
        let mrn = chart["mrn"].as_str().unwrap();
        assert!(!logged.contains(mrn), "MRN {mrn} in the log");
        for word in name.split_whitespace().filter(|w| w.len() > 3) {
            assert!(
                !logged.contains(word),
                "{word} (a patient's name) in the log"
            );
        }
    }
}

/// The words of the screen line holding `needle`.
fn words_of(screen: &str, needle: &str) -> Vec<String> {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not on the screen:\n{screen}"))
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// Second-level review end to end with three users (the login acts as each
/// with `--user`, which the site's act_as policy allows; roles come from the
/// users table): the coder codes a stay, the reviewer adds two diagnoses
/// with their reasons and returns it, the coder rebuts one, the manager
/// settles it for the coder and makes the chart final, and the accuracy
/// report on the reports screen shows the figures computed by hand (see
/// the end).
#[test]
fn the_review_flow_with_three_users_ends_in_the_expected_accuracy() {
    use chartcoder::domain::{Document, DocumentKind, EncounterType, Role};
    use chartcoder::store::{Store, StoreOptions, charts, site, users};
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("review.db");
    let mut stay =
        common::sample::chart("R-1", EncounterType::Inpatient, "2026-03-01", "2026-03-04");
    stay.documents = vec![Document {
        kind: DocumentKind::ProgressNote,
        author: "Dr Lee".into(),
        signed: true,
        date: common::date("2026-03-02"),
        title: None,
        text: "Pneumonia. Creatinine 2.9: acute kidney injury. Sodium 129.".into(),
    }];
    let me = chartcoder::identity::os_user();
    let mut store = Store::open(&db, &StoreOptions::default()).unwrap();
    store
        .write(|tx| {
            site::set(tx, me, "act_as", me)?;
            users::add(tx, me, "carl", Role::Coder)?;
            users::add(tx, me, "rita", Role::Reviewer)?;
            users::add(tx, me, "mona", Role::Manager)?;
            charts::insert_chart(tx, &stay, "2026-03-05T00:00:00Z").map(|_| ())
        })
        .unwrap();
    drop(store);
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-cache");
    let config = home.path().join("chartcoder.toml");
    std::fs::write(
        &config,
        format!("[codesets]\ncache_dir = {:?}\n", cache.to_str().unwrap()),
    )
    .unwrap();
    let session = |user: &str| {
        let args = format!(
            "--db {} --config {} --user {user} 2>> {}",
            quote(db.to_str().unwrap()),
            quote(config.to_str().unwrap()),
            quote(home.path().join("stderr.log").to_str().unwrap())
        );
        let tmux = Tmux::start(
            &format!("review-{user}"),
            &chartcoder(home.path(), &args),
            100,
            30,
        );
        tmux.wait_text(&format!("coder: {user}"));
        tmux
    };
    // Waits (longer than the usual deadline) until the code sets are in.
    let grouper_in = |tmux: &Tmux, text: &str| {
        let start = Instant::now();
        while !tmux.screen().contains(text) {
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "code sets never loaded:\n{}",
                tmux.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let add_dx = |tmux: &Tmux, code: &str, poa: &str, count: usize| {
        tmux.type_text("a");
        tmux.wait_text("Add a diagnosis");
        tmux.type_text(code);
        tmux.wait_text(&format!("> {code}"));
        tmux.press("Enter");
        tmux.wait_text(&format!("Diagnoses ({count})"));
        tmux.type_text(&format!("P{poa}"));
    };

    // carl codes the stay: pneumonia, POA Y; simple pneumonia without
    // CC/MCC groups to MS-DRG 195.
    let carl = session("carl");
    carl.press("Enter");
    grouper_in(&carl, "no principal diagnosis coded yet");
    add_dx(&carl, "J18.9", "y", 1);
    carl.wait_text("MS-DRG 195");
    carl.type_text("c");
    carl.wait_text("chart completed: coded");
    carl.type_text("q");
    carl.wait_exit();

    // rita starts the review from the review queue and adds two CCs.
    let rita = session("rita");
    rita.type_text("V");
    let screen = rita.wait_text("new coder: chart 1 of the first 20");
    assert!(selected_line(&screen).contains("R-1"), "{screen}");
    rita.press("Enter");
    grouper_in(&rita, "MS-DRG 195");
    add_dx(&rita, "N17.9", "n", 2);
    rita.wait_text("MS-DRG 194");
    add_dx(&rita, "E87.1", "n", 3);
    rita.type_text("v");
    rita.wait_text("Differences (3)");
    // Reasons: missed secondary dx (the second of the nine) for both
    // diagnoses, DRG changed (the ninth) for the DRG.
    for (down, reason, note) in [
        ("j", "missed secondary dx", "AKI on day 2"),
        ("j", "missed secondary dx", "sodium 129"),
        ("jjjjjjjj", "DRG changed", ""),
    ] {
        rita.type_text("r");
        rita.wait_text(" Reason ");
        rita.type_text(down);
        rita.press("Enter");
        rita.wait_text("Note for the reason");
        rita.type_text(note);
        rita.press("Enter");
        rita.wait_text("reason given");
        rita.wait_for(reason, |s| {
            selected_line_review(s).contains(reason) && !s.contains(" Reason ")
        });
        rita.type_text("j");
    }
    rita.type_text("b");
    rita.wait_text("Note to the coder");
    rita.type_text("see the notes");
    rita.press("Enter");
    rita.wait_text("returned to the coder");
    rita.type_text("q");
    rita.wait_exit();

    // carl rebuts the hyponatremia (the second difference), once.
    let carl = session("carl");
    carl.type_text("V");
    carl.wait_text("returned (rita)");
    carl.press("Enter");
    carl.wait_text("R-1 Pat Example");
    carl.type_text("v");
    carl.wait_text("Differences (3)");
    carl.type_text("j ");
    carl.wait_text("[x] diagnosis E87.1 added");
    carl.type_text("B");
    carl.type_text("no lab support for E87.1");
    carl.press("Enter");
    carl.wait_text("rebutted: a manager settles it");
    carl.press("Escape");
    carl.wait_text("Tab pane");
    carl.type_text("q");
    carl.wait_exit();

    // mona settles it for the coder (E87.1 comes off) and makes it final.
    let mona = session("mona");
    mona.type_text("V");
    mona.wait_text("rebutted (rita)");
    mona.press("Enter");
    mona.wait_text("R-1 Pat Example");
    mona.type_text("v");
    mona.wait_text("rebutted");
    mona.type_text("j2");
    mona.wait_text("verdict chosen: coder");
    mona.type_text("S");
    mona.wait_text("settled: the chart is reviewed");
    mona.type_text("F");
    mona.wait_text("final: the chart is locked");
    mona.press("Escape");
    mona.wait_text("Tab pane");
    mona.press("Escape");
    mona.wait_text("chart queue");
    mona.type_text("Ra");
    let screen = mona.wait_text(" carl ");
    // By hand (README "Accuracy method"): the coder's version J18.9 Y, DRG
    // 195; the version that stands J18.9 Y, N17.9 N (E87.1 settled for the
    // coder), DRG 194. Diagnosis codes in either: J18.9, N17.9 = 2, wrong:
    // N17.9 = 1: 50.0 %; no procedures (-); codes 1/2 = 50.0 %, below the
    // 95 % target; the principal J18.9 unchanged: 100.0 %; the DRG changed:
    // 0.0 %.
    assert_eq!(
        words_of(&screen, " carl "),
        [
            "carl", "1", "50.0%", "-", "50.0%", "100.0%", "0.0%", "BELOW", "95"
        ],
        "{screen}"
    );
    mona.press("Escape");
    mona.wait_text("chart queue");
    mona.type_text("q");
    mona.wait_exit();

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (status, codes): (String, String) = conn
        .query_row(
            "SELECT status, (SELECT group_concat(code || ' ' || coalesce(poa, '-'), ', ')
                             FROM (SELECT code, poa FROM diagnoses d
                                   WHERE d.chart_id = c.chart_id ORDER BY seq))
             FROM charts c WHERE account = 'R-1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (status.as_str(), codes.as_str()),
        ("final", "J18.9 Y, N17.9 N")
    );
}

/// The line of the review panel with the `>` marker.
fn selected_line_review(screen: &str) -> &str {
    screen.lines().find(|l| l.contains("│> ")).unwrap_or("")
}

/// SQLite's queue asks every 2 s whether another connection committed: a
/// chart that `chartcoder import` stores while the queue is open shows, and
/// the count line above the rows follows them (PostgreSQL's twin is in
/// tests/pg_e2e_tmux.rs).
#[test]
fn the_count_line_follows_charts_imported_while_the_queue_is_open_on_sqlite() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("count.db");
    let db = db.to_str().unwrap();
    let tmux = Tmux::start(
        "sqlite-count",
        &chartcoder(home.path(), &format!("--demo --db {}", quote(db))),
        100,
        30,
    );
    tmux.wait_text("38 charts");
    for (n, account) in [(39, "A26102097"), (40, "A26102096")] {
        let file = one_chart_like(home.path(), "A26102005", account);
        let out = common::run_chartcoder(home.path(), "e2e", &["--db", db, "import", &file]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let imported = Instant::now();
        let screen = tmux.wait_for(&format!("{account} and {n} charts"), |s| {
            s.contains(account) && s.contains(&format!("{n} charts"))
        });
        eprintln!(
            "{account} and {n} charts shown after {:?}",
            imported.elapsed()
        );
        assert!(!screen.contains(&format!("{} charts", n - 1)), "{screen}");
    }
}
