//! The command line end to end on PostgreSQL: the real binary, a database
//! on the throwaway server given by `--db postgresql://…` or by
//! `database.url` in a config file, the same commands and answers as on an
//! SQLite file. Skipped without the server (`bash tests/run.sh`).

mod common;

use common::pg::TestPg;
use std::path::Path;
use std::process::Output;

/// `chartcoder ARGS` as `user`, with `home` as HOME and no config unless given.
fn run(home: &Path, args: &[&str]) -> Output {
    common::run_chartcoder(home, "coder1", args)
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo_charts.json");

#[test]
fn import_export_validate_group_and_audit_work_on_postgresql() {
    let Some(db) = TestPg::new("cli") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let url = db.url();
    let import = stdout(&run(home.path(), &["--db", &url, "import", DEMO]));
    assert!(import.contains("imported"), "{import}");
    // The same charts come back out as went in.
    let demo: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(DEMO).unwrap()).unwrap();
    let exported: serde_json::Value = serde_json::from_str(&stdout(&run(
        home.path(),
        &["--db", &url, "export", "--format", "json"],
    )))
    .unwrap();
    let accounts = |v: &serde_json::Value| -> Vec<String> {
        let mut a: Vec<String> = v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["account"].as_str().unwrap().to_string())
            .collect();
        a.sort();
        a
    };
    assert_eq!(accounts(&exported), accounts(&demo));
    let mut client = db.client();
    let stored: i64 = client
        .query_one("SELECT count(*) FROM charts", &[])
        .unwrap()
        .get(0);
    assert_eq!(stored as usize, accounts(&demo).len());
    // A chart without codes: validate names the missing diagnosis, group says why not.
    let uncoded: String = client
        .query_one(
            "SELECT account FROM charts c WHERE NOT EXISTS
             (SELECT 1 FROM diagnoses d WHERE d.chart_id = c.chart_id) ORDER BY account LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    let validate = run(
        home.path(),
        &["--db", &url, "validate", "--account", &uncoded],
    );
    assert_eq!(validate.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&validate.stdout).contains("no-diagnosis"));
    let group = run(home.path(), &["--db", &url, "group", "--account", &uncoded]);
    assert!(String::from_utf8_lossy(&group.stdout).contains("no diagnosis"));
    // Reading a chart is recorded; the trail verifies.
    let trail = stdout(&run(
        home.path(),
        &["--db", &url, "audit", "--account", &uncoded],
    ));
    assert!(
        trail.contains("\tview\tvalidate") && trail.contains("\tview\tgroup"),
        "{trail}"
    );
    let verify = stdout(&run(home.path(), &["--db", &url, "audit", "--verify"]));
    assert!(verify.starts_with("audit trail intact"), "{verify}");
    // A guarding trigger switched off by the owner is found.
    client
        .batch_execute("ALTER TABLE audit DISABLE TRIGGER audit_no_delete")
        .unwrap();
    let broken = run(home.path(), &["--db", &url, "audit", "--verify"]);
    assert_eq!(broken.status.code(), Some(1));
    let said = String::from_utf8_lossy(&broken.stdout);
    assert!(said.contains("audit_no_delete is disabled"), "{said}");
}

#[test]
fn database_url_in_the_config_is_the_store_and_path_with_url_is_refused() {
    let Some(db) = TestPg::new("cfg") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("chartcoder.toml");
    std::fs::write(&config, format!("[database]\nurl = \"{}\"\n", db.url())).unwrap();
    let config = config.display().to_string();
    let users = stdout(&run(home.path(), &["--config", &config, "users", "list"]));
    assert!(users.contains("manager"), "{users}");
    // The database named is the one used: the first manager is in it, and
    // no default SQLite file was made.
    let mut client = db.client();
    let managers: String = client
        .query_one("SELECT value FROM site WHERE key = 'managers'", &[])
        .unwrap()
        .get(0);
    assert!(users.starts_with(&format!("{managers}\t")), "{users}");
    assert!(!home.path().join("data/chartcoder/chartcoder.db").exists());
    let both = home.path().join("both.toml");
    std::fs::write(
        &both,
        format!("[database]\npath = \"x.db\"\nurl = \"{}\"\n", db.url()),
    )
    .unwrap();
    let out = run(
        home.path(),
        &["--config", &both.display().to_string(), "users", "list"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("both set"));
    // A server that is not there: a clear error naming it, nothing made.
    let gone = db.url().replace(&db.name, "no_such_db");
    let out = run(home.path(), &["--db", &gone, "users", "list"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot use the PostgreSQL database"), "{err}");
    assert!(err.contains("no_such_db"), "{err}");
}
