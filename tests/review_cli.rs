//! The review flow through the real binary, as a site would drive it
//! without the workstation: a manager names the users, a coder's chart is
//! reviewed (two codes changed with reasons), the coder rebuts one, a
//! manager settles, `report accuracy` shows the figures computed by hand;
//! bad input (an unknown coder, one's own chart, a final chart, a
//! non-manager) is refused with exit status 2 and changes nothing.

mod common;

use chartcoder::domain::{Chart, CodeSystem, EncounterType, Patient, Sex};
use chartcoder::store::{Store, StoreOptions, charts, coding};
use common::date;
use std::path::Path;
use std::process::{Command, Output};

fn me() -> &'static str {
    chartcoder::identity::os_user()
}

fn run(home: &Path, db: &Path, user: Option<&str>, args: &[&str]) -> Output {
    let mut all: Vec<&str> = vec!["--db", db.to_str().unwrap()];
    if let Some(u) = user {
        all.extend(["--user", u]);
    }
    all.extend(args);
    Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(&all)
        .env_clear()
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn refused(out: &Output, words: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains(words), "{err}");
}

fn clinic_chart(account: &str) -> Chart {
    let mut chart =
        common::sample::chart(account, EncounterType::Clinic, "2026-03-02", "2026-03-02");
    chart.mrn = format!("M-{account}");
    chart.patient = Patient {
        name: "Lee Sample".into(),
        birth_date: date("1970-05-05"),
        sex: Sex::Male,
    };
    chart.encounter.disposition = None;
    chart
}

/// The coder's work, as the workstation saves it.
fn coded_by(db: &Path, account: &str, coder: &str, dx: &[&str]) {
    let mut store = Store::open(db, &StoreOptions::default()).unwrap();
    let id = store
        .write(|tx| charts::insert_chart(tx, &clinic_chart(account), "2026-03-02T08:00:00Z"))
        .unwrap();
    store
        .write(|tx| {
            coding::claim(tx, id, coder)?;
            for code in dx {
                coding::add_diagnosis(tx, id, coder, code, "FY2026")?;
            }
            coding::add_procedure(tx, id, coder, "99213", CodeSystem::Cpt, None)?;
            coding::complete(tx, id, coder, &[], None)
        })
        .unwrap();
}

fn audit_rows(db: &Path) -> i64 {
    let store = Store::open_existing(db, &StoreOptions::default()).unwrap();
    store
        .conn()
        .query_row("SELECT count(*) FROM audit", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn the_review_flow_through_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("site.db");
    coded_by(&db, "E2E-1", "carl", &["J06.9", "R05.9", "E11.9"]);
    coded_by(&db, "E2E-2", "rita", &["J02.9"]);
    let h = home.path();
    // The manager (the database file's owner) names the team.
    ok(&run(
        h,
        &db,
        None,
        &["users", "add", "rita", "--role", "reviewer"],
    ));
    ok(&run(
        h,
        &db,
        None,
        &["users", "add", "carl", "--role", "coder"],
    ));
    ok(&run(
        h,
        &db,
        None,
        &["users", "add", "mona", "--role", "manager"],
    ));
    ok(&run(h, &db, None, &["policy", "set", "act_as", me()]));
    let list = ok(&run(h, &db, None, &["users", "list"]));
    assert!(list.contains("rita\treviewer"), "{list}");
    assert!(
        list.contains(&format!("{}\tmanager\t(policy)", me())),
        "{list}"
    );
    // Only a manager changes roles; nothing is written on a refusal.
    let before = audit_rows(&db);
    refused(
        &run(
            h,
            &db,
            Some("carl"),
            &["users", "set-role", "carl", "manager"],
        ),
        "only a manager",
    );
    // A reviewer may not review their own chart; a coder may not review.
    refused(
        &run(h, &db, Some("rita"), &["review", "start", "E2E-2"]),
        "may not review their own chart",
    );
    refused(
        &run(h, &db, Some("carl"), &["review", "start", "E2E-2"]),
        "only a reviewer or a manager",
    );
    refused(
        &run(h, &db, None, &["report", "accuracy", "--coder", "nobody"]),
        "there is no coder",
    );
    assert_eq!(audit_rows(&db), before, "refusals change nothing");

    // Everything is queued for review (the first 20 charts of a new coder).
    let q = ok(&run(h, &db, None, &["review", "queue"]));
    assert!(q.contains("E2E-1\tclinic\tcarl"), "{q}");
    assert!(q.contains("new coder: chart 1 of the first 20"), "{q}");

    // The reviewer changes two codes, each with its reason.
    ok(&run(h, &db, Some("rita"), &["review", "start", "E2E-1"]));
    let out = ok(&run(
        h,
        &db,
        Some("rita"),
        &[
            "review",
            "change",
            "E2E-1",
            "--remove-dx",
            "R05.9",
            "--reason",
            "unsupported_dx",
            "--note",
            "integral to J06.9",
        ],
    ));
    assert!(out.contains("remove-dx:R05.9"), "{out}");
    ok(&run(
        h,
        &db,
        Some("rita"),
        &[
            "review",
            "change",
            "E2E-1",
            "--add-dx",
            "j45909",
            "--reason",
            "missed_secondary_dx",
        ],
    ));
    let show = ok(&run(h, &db, Some("rita"), &["review", "show", "E2E-1"]));
    assert!(
        show.contains("add-dx:J45.909\tdiagnosis J45.909 added\tmissed secondary dx"),
        "{show}"
    );
    assert!(show.contains("R05.9 -"), "the coder's side is kept: {show}");
    ok(&run(
        h,
        &db,
        Some("rita"),
        &["review", "return", "E2E-1", "--note", "see the two changes"],
    ));
    // The coder rebuts one change; only once.
    ok(&run(
        h,
        &db,
        Some("carl"),
        &[
            "review",
            "rebut",
            "E2E-1",
            "remove-dx:R05.9",
            "--note",
            "cough documented as separate",
        ],
    ));
    refused(
        &run(h, &db, Some("carl"), &["review", "agree", "E2E-1"]),
        "rebutted, awaiting a manager",
    );
    // A manager other than the reviewer settles: the coder's R05.9 stands.
    refused(
        &run(
            h,
            &db,
            Some("rita"),
            &["review", "settle", "E2E-1", "remove-dx:R05.9=coder"],
        ),
        "only a manager settles",
    );
    let out = ok(&run(
        h,
        &db,
        Some("mona"),
        &["review", "settle", "E2E-1", "remove-dx:R05.9=coder"],
    ));
    assert!(out.contains("settled, reviewed"), "{out}");

    // By hand: the coder's {J06.9, R05.9, E11.9} against {J06.9, R05.9,
    // E11.9, J45.909}: 4 codes, 1 wrong: 75 %; 99213 right: 100 %; codes
    // 4 of 5 right: 80 %, below the 95 % target; principal kept: 100 %.
    let json = ok(&run(h, &db, None, &["report", "accuracy", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let carl = &v["by_coder"][0];
    assert_eq!(carl[0], "carl");
    assert_eq!(carl[1]["charts"], 1);
    assert_eq!(carl[1]["dx_codes"], 4);
    assert_eq!(carl[1]["dx_errors"], 1);
    assert_eq!(carl[1]["dx_accuracy"], 75.0);
    assert_eq!(carl[1]["px_accuracy"], 100.0);
    assert_eq!(carl[1]["code_accuracy"], 80.0);
    assert_eq!(carl[1]["principal_accuracy"], 100.0);
    assert_eq!(carl[1]["drg_accuracy"], serde_json::Value::Null);
    assert_eq!(carl[1]["meets_target"], false);
    let csv = ok(&run(
        h,
        &db,
        None,
        &["report", "accuracy", "--csv", "--coder", "carl"],
    ));
    assert!(
        csv.contains("coder,carl,1,4,1,75.0000,1,0,100.0000,80.0000,1,0,100.0000,0,0,,false"),
        "{csv}"
    );
    let text = ok(&run(h, &db, None, &["report", "accuracy"]));
    assert!(text.contains("75.0%"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");

    // Final locks it; only a manager reopens, with a reason.
    ok(&run(h, &db, Some("rita"), &["review", "final", "E2E-1"]));
    let before = audit_rows(&db);
    refused(
        &run(h, &db, Some("rita"), &["review", "start", "E2E-1"]),
        "only a coded chart",
    );
    refused(
        &run(
            h,
            &db,
            Some("rita"),
            &["review", "reopen", "E2E-1", "--reason", "typo"],
        ),
        "only a manager reopens",
    );
    refused(
        &run(
            h,
            &db,
            Some("mona"),
            &["review", "reopen", "E2E-1", "--reason", " "],
        ),
        "with a reason",
    );
    assert_eq!(audit_rows(&db), before);
    let out = ok(&run(
        h,
        &db,
        Some("mona"),
        &["review", "reopen", "E2E-1", "--reason", "payer correction"],
    ));
    assert!(out.contains("now reviewed"), "{out}");

    // The other reports read the same database.
    let p = ok(&run(h, &db, None, &["report", "productivity", "--json"]));
    let p: serde_json::Value = serde_json::from_str(&p).unwrap();
    assert_eq!(p["overall"]["charts"], 2);
    let d = ok(&run(
        h,
        &db,
        None,
        &["report", "dnfb", "--as-of", "2026-03-10", "--csv"],
    ));
    // Both charts are discharged and not final, 8 days ago.
    assert!(d.contains("total,all,all,2,0.00,2"), "{d}");
    assert!(d.contains("total,all,8-14,2,0.00,2"), "{d}");
    let t = ok(&run(
        h,
        &db,
        None,
        &["report", "dnfb", "--as-of", "2026-03-10"],
    ));
    assert!(t.lines().all(|l| l.chars().count() <= 80), "{t}");
    // Every step is in the chart's history.
    let history = ok(&run(h, &db, None, &["audit", "--account", "E2E-1"]));
    for action in [
        "review_start",
        "review_reason",
        "review_return",
        "review_rebut",
        "review_settle",
        "finalize",
        "reopen",
    ] {
        assert!(history.contains(action), "{action}: {history}");
    }
    ok(&run(h, &db, None, &["audit", "--verify"]));
}

#[test]
fn every_kind_of_change_can_be_made_with_its_reason_and_passed() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("site.db");
    coded_by(&db, "E2E-3", "carl", &["J06.9", "R05.9", "E11.9"]);
    let h = home.path();
    ok(&run(
        h,
        &db,
        None,
        &["users", "add", "rita", "--role", "reviewer"],
    ));
    ok(&run(h, &db, None, &["policy", "set", "act_as", me()]));
    let rita = Some("rita");
    ok(&run(h, &db, rita, &["review", "start", "E2E-3"]));
    let change = |args: &[&str]| {
        let mut all = vec!["review", "change", "E2E-3"];
        all.extend(args);
        run(h, &db, rita, &all)
    };
    ok(&change(&[
        "--principal",
        "E11.9",
        "--reason",
        "principal_dx_sequencing",
    ]));
    ok(&change(&[
        "--poa-of", "R05.9", "--poa", "y", "--reason", "poa",
    ]));
    ok(&change(&[
        "--add-px",
        "99214",
        "--system",
        "cpt",
        "--reason",
        "missing_extra_procedure",
    ]));
    ok(&change(&[
        "--remove-px",
        "99213",
        "--reason",
        "missing_extra_procedure",
    ]));
    // Exactly one change at a time; a change that makes no difference is refused.
    refused(
        &change(&[
            "--add-dx",
            "I10",
            "--remove-dx",
            "J06.9",
            "--reason",
            "wrong_code",
        ]),
        "exactly one",
    );
    refused(
        &change(&["--poa-of", "R05.9", "--poa", "Y", "--reason", "poa"]),
        "no difference",
    );
    refused(
        &change(&["--remove-dx", "Z99.89", "--reason", "unsupported_dx"]),
        "not on the chart",
    );
    let show = ok(&run(h, &db, rita, &["review", "show", "E2E-3", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&show).unwrap();
    let keys: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec!["principal", "poa:R05.9", "add-px:99214", "remove-px:99213"]
    );
    assert!(
        v["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["reason"].is_null())
    );
    let out = ok(&run(h, &db, rita, &["review", "pass", "E2E-3"]));
    // By hand: E11.9 and J06.9 each principal in one version only, R05.9's
    // POA changed: 0 of 3 diagnoses right; 99213 and 99214 each in one
    // version only: 0 of 2 procedures right.
    assert!(
        out.contains("diagnoses 0/3 right, procedures 0/2 right"),
        "{out}"
    );
}
