//! The real binary: first-run seeding, --db / --demo, import, export, config.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_chartcoder");

/// Runs chartcoder with a private home and data directory, and no config in the environment.
fn run(home: &Path, args: &[&str]) -> Output {
    common::run_chartcoder(home, "cli-tester", args)
}

/// The coder every command here acts as: the OS login (USER=cli-tester in
/// the environment is not trusted).
fn me() -> &'static str {
    chartcoder::identity::os_user()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn chart_count(json: &[u8]) -> usize {
    let v: serde_json::Value = serde_json::from_slice(json).unwrap();
    v["charts"].as_array().unwrap().len()
}

#[test]
fn first_run_creates_and_seeds_the_default_database_once() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &["export"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let db = home.path().join("data/chartcoder/chartcoder.db");
    assert!(db.exists(), "default database under XDG_DATA_HOME");
    assert!(
        text(&out.stderr).contains("46 demo charts"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(chart_count(&out.stdout), 46);

    let again = run(home.path(), &["export"]);
    assert!(again.status.success());
    assert!(
        !text(&again.stderr).contains("demo charts"),
        "seeded only once"
    );
    assert_eq!(chart_count(&again.stdout), 46);
}

#[test]
fn an_explicit_db_starts_empty_unless_demo_is_given() {
    let home = tempfile::tempdir().unwrap();
    let site = home.path().join("site.db");
    // A database named that does not exist is not created by a command that
    // only reads (a mistyped path must not become a new empty database)...
    let out = run(home.path(), &["--db", site.to_str().unwrap(), "export"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("there is no chart database at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!site.exists());
    // ... but by an import, empty unless --demo is given.
    let empty = home.path().join("empty.json");
    std::fs::write(&empty, r#"{"charts": []}"#).unwrap();
    let out = run(
        home.path(),
        &[
            "--db",
            site.to_str().unwrap(),
            "import",
            empty.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(home.path(), &["--db", site.to_str().unwrap(), "export"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(chart_count(&out.stdout), 0);
    assert!(
        !home.path().join("data").exists(),
        "the default database was not touched"
    );

    let demo = home.path().join("demo.db");
    let out = run(
        home.path(),
        &[
            "--demo",
            "--db",
            demo.to_str().unwrap(),
            "export",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.starts_with("account,mrn,encounter_type"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("A26030417,") && l.contains(",dx,2,I50.23,icd10cm,Y,")),
        "{csv}"
    );
}

#[test]
fn import_stores_a_good_file_and_refuses_a_bad_one_whole() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("site.db");
    let db = db.to_str().unwrap();
    let good = home.path().join("good.json");
    std::fs::write(
        &good,
        r#"{"charts":[{"account":"S1","mrn":"SM1","patient":{"name":"Ann Example","birth_date":"1970-05-05","sex":"F"},
            "encounter":{"type":"clinic","admit_date":"2026-11-02","attending":"Dr. A"},
            "diagnoses":[{"code":"j069"}],"procedures":[{"code":"99213","pointers":["A"]}]}]}"#,
    )
    .unwrap();
    let out = run(home.path(), &["--db", db, "import", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 1 chart"));

    let bad = home.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"charts":[{"account":"S2","mrn":"SM2","patient":{"name":"Bea Example","birth_date":"1970-05-05","sex":"F"},
            "encounter":{"type":"clinic","admit_date":"2026-11-02"}},
          {"account":"S1","mrn":"SM9","patient":{"name":"Cy Example","birth_date":"1970-05-05","sex":"X"},
            "encounter":{"type":"clinic","admit_date":"2026-11-02"}}]}"#,
    )
    .unwrap();
    let out = run(home.path(), &["--db", db, "import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "bad input exits 2");
    let err = text(&out.stderr);
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(err.contains("charts[1] (line 3) patient.sex"), "{err}");
    assert!(
        !err.contains("Cy Example") && !err.contains("SM9"),
        "no PHI in errors: {err}"
    );

    let out = run(home.path(), &["--db", db, "export"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let charts = v["charts"].as_array().unwrap();
    assert_eq!(
        charts.len(),
        1,
        "the good half of the bad file was not imported"
    );
    assert_eq!(
        charts[0]["diagnoses"][0]["code"], "J06.9",
        "codes are normalized"
    );
    assert_eq!(charts[0]["diagnoses"][0]["edition"], "FY2027");
}

#[test]
fn a_duplicate_account_already_stored_is_reported() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let db = db.to_str().unwrap();
    let export = run(
        home.path(),
        &["--demo", "--db", db, "export", "--status", "final"],
    );
    assert!(export.status.success());
    let file = home.path().join("final.json");
    std::fs::write(&file, &export.stdout).unwrap();
    let out = run(home.path(), &["--db", db, "import", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(
        err.matches("already in the database").count(),
        chart_count(&export.stdout),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn exports_to_a_file_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("demo.db");
    let file = home.path().join("out.csv");
    std::fs::write(&file, "old").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(
        home.path(),
        &[
            "--demo",
            "--db",
            db.to_str().unwrap(),
            "export",
            "--format",
            "csv",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("account,")
    );
    let db_mode = std::fs::metadata(&db).unwrap().permissions().mode();
    assert_eq!(db_mode & 0o777, 0o600);
}

#[test]
fn a_database_from_a_newer_chartcoder_is_refused_clearly() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("new.db");
    rusqlite::Connection::open(&db)
        .unwrap()
        // A later chartcoder's file carries chartcoder's application id ("CHCO").
        .execute_batch("PRAGMA user_version = 42; PRAGMA application_id = 1128809295;")
        .unwrap();
    let out = run(home.path(), &["--db", db.to_str().unwrap(), "export"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("schema version 42") && err.contains("newer"),
        "{err}"
    );
}

#[test]
fn the_config_file_sets_the_database_and_a_typo_is_an_error() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("from-config.db");
    let config = home.path().join("site.toml");
    std::fs::write(
        &config,
        format!("[database]\npath = {:?}\n", db.to_str().unwrap()),
    )
    .unwrap();
    let out = run(
        home.path(),
        &["--config", config.to_str().unwrap(), "--demo", "export"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.exists());
    assert_eq!(chart_count(&out.stdout), 46);

    std::fs::write(&config, "[databse]\npath = \"x.db\"\n").unwrap();
    let out = Command::new(BIN)
        .arg("export")
        .env_clear()
        .env("HOME", home.path())
        .env("CHARTCODER_CONFIG", &config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("site.toml") && err.contains("databse"),
        "{err}"
    );
}

#[test]
fn demo_generate_adds_synthetic_charts() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("big.db");
    let db = db.to_str().unwrap();
    let out = run(home.path(), &["--db", db, "demo", "--generate", "250"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("added 250"));
    let out = run(home.path(), &["--db", db, "demo", "--generate", "50"]);
    assert!(out.status.success());
    let out = run(home.path(), &["--db", db, "export"]);
    assert_eq!(chart_count(&out.stdout), 300);
}

#[test]
fn code_prints_the_detail_and_hints_the_placeholder() {
    let home = tempfile::tempdir().unwrap();
    let out = run(home.path(), &["code", "e11621", "--date", "2026-11-01"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let detail = text(&out.stdout);
    assert!(
        detail.starts_with(
            "E11.621\tICD-10-CM FY2027\tbillable\nType 2 diabetes mellitus with foot ulcer\n"
        ),
        "{detail}"
    );
    assert!(
        detail.contains(
            "Use additional code (at E11.621): code to identify site of ulcer (L97.4-, L97.5-)"
        ),
        "{detail}"
    );
    let out = run(home.path(), &["code", "T45.01A", "--date", "2026-11-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean T45.0X1A"),
        "{}",
        text(&out.stderr)
    );
    // Z68.1 is billable in FY2026; FY2027 splits it into Z68.18 and Z68.19.
    let out = run(home.path(), &["code", "Z68.1", "--date", "2026-09-30"]);
    let fy2026 = text(&out.stdout);
    assert!(
        fy2026.starts_with("Z68.1\tICD-10-CM FY2026\tbillable\n"),
        "{fy2026}"
    );
    let out = run(home.path(), &["code", "Z68.1", "--date", "2026-10-01"]);
    let fy2027 = text(&out.stdout);
    assert!(
        fy2027.starts_with("Z68.1\tICD-10-CM FY2027\theader"),
        "{fy2027}"
    );
    assert!(
        fy2027.contains("Valid 2015-10-01 to 2026-09-30 (MCE v44)"),
        "{fy2027}"
    );
    assert!(
        fy2027.ends_with(
            "Children:\n  Z68.18  Body mass index [BMI] 18.4 or less, adult\n  Z68.19  Body mass index [BMI] 18.5-19.9, adult\n"
        ),
        "{fy2027}"
    );
    // ICD-10-PCS: titled from the table; a combination no row allows is refused.
    let out = run(home.path(), &["code", "0DTJ4ZZ", "--date", "2026-11-01"]);
    assert!(
        text(&out.stdout).starts_with(
            "0DTJ4ZZ\tICD-10-PCS\tvalid\nResection of Appendix, Percutaneous Endoscopic Approach\n"
        ),
        "{}",
        text(&out.stdout)
    );
    let out = run(home.path(), &["code", "00160Z0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("is not a code in ICD-10-CM FY2027, ICD-10-PCS or HCPCS Level II"),
        "{}",
        text(&out.stderr)
    );
    // Without a dot, G0439 is both HCPCS G0439 and ICD-10-CM G04.39: both are shown.
    let out = run(home.path(), &["code", "G0439", "--date", "2026-11-01"]);
    let both = text(&out.stdout);
    assert!(
        both.starts_with("G04.39\tICD-10-CM FY2027\tbillable\n"),
        "{both}"
    );
    assert!(
        both.contains("\nG0439\tHCPCS Level II 2023 Q2 (stale edition)\nAnnual wellness visit, includes a personalized prevention plan of service (pps), subsequent visit\n"),
        "{both}"
    );
}

/// A config with the shared search cache of the test runs (built once).
fn search_config(home: &Path, extra: &str) -> std::path::PathBuf {
    let cache = common::search_cache();
    let config = home.join("search.toml");
    std::fs::write(
        &config,
        format!(
            "[codesets]\ncache_dir = {:?}\n{extra}",
            cache.display().to_string()
        ),
    )
    .unwrap();
    config
}

#[test]
fn search_prints_ranked_hits_as_code_system_title() {
    let home = tempfile::tempdir().unwrap();
    let config = search_config(home.path(), "");
    let cfg = config.to_str().unwrap();
    let out = run(
        home.path(),
        &["--config", cfg, "search", "--limit", "3", "pneumonia"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let first = stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "J18.9\ticd10cm\tPneumonia, unspecified organism <- Index: Pneumonia"
    );
    assert_eq!(stdout.lines().count(), 3);

    let out = run(
        home.path(),
        &[
            "--config", cfg, "search", "--json", "--limit", "2", "--system", "px", "lap", "chole",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let hit: serde_json::Value =
        serde_json::from_str(text(&out.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(hit["code"], "0FT44ZZ");
    assert_eq!(hit["system"], "icd10pcs");
    assert_eq!(hit["billable"], true);
    assert!(hit["score"].as_f64().unwrap() > 0.0);

    // Marked when not valid on the date: C78.31 is new in FY2027.
    let out = run(
        home.path(),
        &[
            "--config",
            cfg,
            "search",
            "--date",
            "2026-09-01",
            "--limit",
            "1",
            "C78.31",
        ],
    );
    assert!(
        text(&out.stdout).starts_with(
            "C78.31\ticd10cm\tSecondary malignant neoplasm of larynx [NOT VALID on 2026-09-01]"
        ),
        "{}",
        text(&out.stdout)
    );

    let out = run(home.path(), &["--config", cfg, "search", "qqqzzzxxx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no code matches"),
        "{}",
        text(&out.stderr)
    );

    let out = run(
        home.path(),
        &["--config", cfg, "search", "--system", "cpt4", "x"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown code system"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_site_cpt_table_answers_code_and_a_bad_one_names_its_line() {
    let home = tempfile::tempdir().unwrap();
    // A made-up row in the documented format (no CPT text is used in tests).
    let table = home.path().join("cpt.csv");
    std::fs::write(&table, "code,description\n99990,Fixture service alpha\n").unwrap();
    let config = search_config(
        home.path(),
        &format!("cpt_file = {:?}\n", table.display().to_string()),
    );
    let cfg = config.to_str().unwrap();
    let out = run(home.path(), &["--config", cfg, "code", "99990"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("99990\tCPT ("),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("Fixture service alpha"));
    std::fs::write(&table, "code,description\n99990,\n").unwrap();
    let out = run(home.path(), &["--config", cfg, "code", "99990"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cpt.csv line 2: code 99990 has no description"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_bad_key_binding_in_the_config_is_named_before_anything_starts() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("keys.toml");
    std::fs::write(&config, "[keys.chart]\nadd_diagnosis = [\"x\"]\n").unwrap();
    let out = run(
        home.path(),
        &["--config", config.to_str().unwrap(), "export"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("keys.toml")
            && err.contains("x is bound to both add_diagnosis and remove_code"),
        "{err}"
    );
    std::fs::write(
        &config,
        "[keys.chart]\nadd_diagnosis = [\"d\", \"Ctrl-D\"]\n",
    )
    .unwrap();
    let out = run(
        home.path(),
        &["--config", config.to_str().unwrap(), "export"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn validate_checks_a_stored_chart_or_a_file_and_exits_by_severity() {
    let home = tempfile::tempdir().unwrap();
    // A coded demo chart from the database: no error.
    let out = run(home.path(), &["validate", "--account", "A26030417"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A file (not stored): a header code, a POA missing, and a PTP-free clinic chart.
    let export = run(home.path(), &["export", "--status", "final"]);
    let mut file: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let first = &mut file["charts"][0];
    assert_eq!(first["encounter"]["type"], "inpatient");
    first["diagnoses"] = serde_json::json!([{"code": "I50", "poa": "Y"}, {"code": "E11.9"}]);
    let path = home.path().join("charts.json");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = run(home.path(), &["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("\terror\theader-code\tI50\t"), "{stdout}");
    assert!(stdout.contains("\terror\tpoa-missing\tE11.9\t"), "{stdout}");
    // --json: one object per line with the finding's fields.
    let out = run(home.path(), &["validate", "--json", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let header = lines.iter().find(|l| l["rule"] == "header-code").unwrap();
    assert_eq!(header["severity"], "error");
    assert_eq!(header["codes"], serde_json::json!(["I50"]));
    assert_eq!(header["account"], "A26030417");
    assert!(header["source"].as_str().unwrap().contains("Tabular"));
    // Bad input: exit 2 with the reason.
    std::fs::write(&path, b"{\"charts\": [{\"account\": 5}]}").unwrap();
    let out = run(home.path(), &["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!text(&out.stderr).is_empty());
    let out = run(home.path(), &["validate", "--account", "NOPE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no chart with account NOPE"));
}

#[test]
fn validate_reports_an_invalid_poa_and_a_repeated_principal_as_findings() {
    let home = tempfile::tempdir().unwrap();
    let export = run(home.path(), &["export", "--status", "final"]);
    let mut file: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let first = &mut file["charts"][0];
    assert_eq!(first["encounter"]["type"], "inpatient");
    // A claim as it came: POA "X" is no POA value; the principal repeated.
    first["diagnoses"] = serde_json::json!([
        {"code": "I50.9", "poa": "Y"},
        {"code": "E11.9", "poa": "X"},
        {"code": "I50.9", "poa": "Y"}
    ]);
    let path = home.path().join("claims.json");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = run(home.path(), &["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "\terror\tpoa-invalid\tE11.9\tE11.9: POA \"X\" is not a valid POA indicator (expected one of: Y, N, U, W, 1), or blank if exempt\t"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("poa-missing\tE11.9"), "{stdout}");
    assert!(
        stdout.contains("\terror\tmce-duplicate-principal\tI50.9\t"),
        "{stdout}"
    );
    // The import still refuses the file, in the same words.
    let out = run(
        home.path(),
        &[
            "--db",
            home.path().join("x.db").to_str().unwrap(),
            "import",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let refusal = text(&out.stderr);
    assert!(
        refusal.contains("\"X\" is not a valid POA indicator (expected one of: Y, N, U, W, 1)"),
        "{refusal}"
    );
}

#[test]
fn code_tells_a_deleted_code_its_last_day_and_its_replacement() {
    let home = tempfile::tempdir().unwrap();
    // Deleted in FY2027 with nothing added in its place.
    let out = run(home.path(), &["code", "S23.420A", "--date", "2026-11-29"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let detail = text(&out.stdout);
    assert!(
        detail.starts_with(
            "S23.420A\tICD-10-CM FY2026\tdeleted in FY2027: valid until 2026-09-30, NOT VALID on 2026-11-29\n"
        ),
        "{detail}"
    );
    assert!(
        detail.contains(
            "Deleted in FY2027 (from 2026-10-01): the FY2027 changes list adds no code in its place"
        ),
        "{detail}"
    );
    // Deleted with a new code of the same title under T52.8.
    let out = run(home.path(), &["code", "T52.8X1A", "--date", "2026-11-29"]);
    assert!(
        text(&out.stdout).contains("replaced by T52.891A (same title)"),
        "{}",
        text(&out.stdout)
    );
    // Split MCE rows: one period, the flags' history.
    let out = run(home.path(), &["code", "O80", "--date", "2026-11-29"]);
    let o80 = text(&out.stdout);
    assert_eq!(o80.matches("Valid ").count(), 1, "{o80}");
    assert!(o80.contains("Valid from 2015-10-01 (MCE v44)\n"), "{o80}");
    assert!(
        o80.contains("MCE flag history: female, maternity 2015-10-01 to 2024-09-30; maternity from 2024-10-01"),
        "{o80}"
    );
    // A header on the date: no flags "on" it; its category listed once.
    let out = run(home.path(), &["code", "Z68.1", "--date", "2026-11-29"]);
    let z681 = text(&out.stdout);
    assert!(!z681.contains("MCE flags on"), "{z681}");
    assert!(
        z681.contains("MCE flags while valid: adult, unacceptable"),
        "{z681}"
    );
    assert_eq!(z681.matches("  Z68 ").count(), 1, "{z681}");
    // A code that needs its 7th character says so, with the characters.
    let out = run(home.path(), &["code", "T58.91", "--date", "2026-11-29"]);
    assert!(
        text(&out.stdout).starts_with(
            "T58.91\tICD-10-CM FY2027\tneeds a 7th character (A, D, S): not reportable without one, e.g. T58.91XA\n"
        ),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn a_query_is_listed_printed_answered_closed_and_reported_from_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("q.db");
    let dbs = db.to_str().unwrap();
    assert!(
        run(home.path(), &["--db", dbs, "--demo", "export"])
            .status
            .success()
    );
    // The coder (the OS login) sends a query, as the chart screen does.
    let id = common::send_query(&db, "A26110203", me(), "BNP 1,450 pg/mL");
    let ids = id.to_string();
    let list = run(home.path(), &["--db", dbs, "query", "list", "--open"]);
    assert!(list.status.success(), "{}", text(&list.stderr));
    let line = text(&list.stdout);
    assert!(
        line.starts_with(&format!("{id}\topen\tA26110203\tDr. Imani Achterberg\t")),
        "{line}"
    );
    let print = run(home.path(), &["--db", dbs, "query", "print", &ids]);
    let printed = text(&print.stdout);
    assert!(
        printed.contains(&format!("PHYSICIAN QUERY #{id}")),
        "{printed}"
    );
    assert!(
        printed.contains("BNP 1,450 pg/mL") && printed.contains("STATUS: open"),
        "{printed}"
    );
    // Printing it was a view of the chart, in its audit trail.
    let trail = run(
        home.path(),
        &["--db", dbs, "audit", "--account", "A26110203"],
    );
    assert!(
        text(&trail.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .ends_with(&format!("\t{}\tview\tquery print #{id}", me())),
        "{}",
        text(&trail.stdout)
    );
    // Closing before the answer: refused, exit 2.
    let early = run(
        home.path(),
        &["--db", dbs, "query", "close", &ids, "--outcome", "agreed"],
    );
    assert_eq!(early.status.code(), Some(2));
    assert!(text(&early.stderr).contains("no answer yet"));
    let answer = home.path().join("answer.txt");
    std::fs::write(&answer, "Acute on chronic diastolic heart failure.\n").unwrap();
    let out = run(
        home.path(),
        &[
            "--db",
            dbs,
            "query",
            "answer",
            &ids,
            "--file",
            answer.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(
        home.path(),
        &["--db", dbs, "query", "close", &ids, "--outcome", "agreed"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&run(home.path(), &["--db", dbs, "query", "print", &ids]).stdout);
    assert!(
        printed.contains("ANSWER (") && printed.contains("Acute on chronic diastolic"),
        "{printed}"
    );
    assert!(printed.contains("CLOSED: agreed"), "{printed}");
    let bad = run(
        home.path(),
        &["--db", dbs, "query", "close", &ids, "--outcome", "maybe"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let report = run(home.path(), &["--db", dbs, "report", "queries", "--json"]);
    assert!(report.status.success(), "{}", text(&report.stderr));
    let r: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(r["sent"], 1);
    assert_eq!(r["answered"], 1);
    assert_eq!(r["agreement_rate"], 1.0);
    assert_eq!(r["open"], 0);
    assert_eq!(r["by_physician"][0]["physician"], "Dr. Imani Achterberg");
    let templates = run(home.path(), &["query", "templates"]);
    assert_eq!(text(&templates.stdout).lines().count(), 11);
}

#[test]
fn audit_prints_a_charts_history_and_names_that_look_like_sql_are_only_names() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("a.db");
    let dbs = db.to_str().unwrap();
    assert!(
        run(home.path(), &["--db", dbs, "--demo", "export"])
            .status
            .success()
    );
    // A chart whose names are SQL: stored and shown as text, nothing executed.
    let export = run(home.path(), &["--db", dbs, "export", "--status", "final"]);
    let mut file: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let mut chart = file["charts"][0].clone();
    chart["account"] = "X1'; DROP TABLE audit;--".into();
    chart["patient"]["name"] = "Robert'); DROP TABLE charts;--".into();
    chart["mrn"] = "M\" OR 1=1 --".into();
    file["charts"] = serde_json::json!([chart]);
    let path = home.path().join("evil.json");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let out = run(
        home.path(),
        &["--db", dbs, "import", path.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let all = run(home.path(), &["--db", dbs, "export"]);
    let v: serde_json::Value = serde_json::from_slice(&all.stdout).unwrap();
    assert_eq!(
        v["charts"].as_array().unwrap().len(),
        47,
        "every chart still there"
    );
    assert!(
        v["charts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["patient"]["name"] == "Robert'); DROP TABLE charts;--")
    );
    let audit = run(
        home.path(),
        &[
            "--db",
            dbs,
            "audit",
            "--account",
            "X1'; DROP TABLE audit;--",
        ],
    );
    assert!(audit.status.success(), "{}", text(&audit.stderr));
    let history = text(&audit.stdout);
    let first: Vec<&str> = history.lines().next().unwrap().split('\t').collect();
    assert_eq!(first[1], me());
    assert_eq!(first[2], "chart_imported");
    assert!(first[0].ends_with('Z'), "UTC time: {}", first[0]);
    let json = run(
        home.path(),
        &["--db", dbs, "audit", "--json", "--account", "A26030417"],
    );
    let line: serde_json::Value =
        serde_json::from_str(text(&json.stdout).lines().next().unwrap()).unwrap();
    assert!(line["at"].is_string() && line["action"].is_string());
    let missing = run(home.path(), &["--db", dbs, "audit", "--account", "NOPE"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn exporting_or_validating_a_chart_is_a_view_in_its_audit_trail() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("v.db");
    let dbs = db.to_str().unwrap();
    let out = home.path().join("ready.csv");
    let export = run(
        home.path(),
        &[
            "--db",
            dbs,
            "--demo",
            "export",
            "--format",
            "csv",
            "--status",
            "ready",
            "-o",
            out.to_str().unwrap(),
        ],
    );
    assert!(export.status.success(), "{}", text(&export.stderr));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let ready = count("SELECT count(*) FROM charts WHERE status = 'ready'");
    assert!(ready > 1);
    let expected = format!("csv to {}", out.display());
    let exported: i64 = conn
        .query_row(
            "SELECT count(DISTINCT chart_id) FROM audit WHERE action = 'export' AND detail = ?1 AND actor = ?2",
            rusqlite::params![expected, me()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(exported, ready, "one export row per chart exported");
    // An export to the terminal is recorded too.
    let before = count("SELECT count(*) FROM audit WHERE action = 'export'");
    let all = run(home.path(), &["--db", dbs, "export"]);
    assert!(all.status.success());
    assert_eq!(
        count("SELECT count(*) FROM audit WHERE action = 'export'") - before,
        count("SELECT count(*) FROM charts")
    );
    let validate = run(
        home.path(),
        &["--db", dbs, "validate", "--account", "A26030417"],
    );
    assert!(
        validate.status.code().is_some_and(|c| c < 2),
        "{}",
        text(&validate.stderr)
    );
    let trail = run(
        home.path(),
        &["--db", dbs, "audit", "--account", "A26030417"],
    );
    let lines: Vec<String> = text(&trail.stdout).lines().map(str::to_string).collect();
    assert!(
        lines
            .iter()
            .any(|l| l.ends_with(&format!("\t{}\texport\tjson to standard output", me()))),
        "{lines:?}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.ends_with(&format!("\t{}\tview\tvalidate", me()))),
        "{lines:?}"
    );
}

#[test]
fn an_import_with_invalid_utf8_is_refused_with_its_position() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("u.db");
    let path = home.path().join("bad.json");
    std::fs::write(&path, b"{\"charts\": [{\"account\": \"A1\xff\xfe\"}]}").unwrap();
    let out = run(
        home.path(),
        &[
            "--db",
            db.to_str().unwrap(),
            "import",
            path.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("line 1"), "{err}");
    let export = run(home.path(), &["--db", db.to_str().unwrap(), "export"]);
    assert_eq!(chart_count(&export.stdout), 0, "nothing imported");
}

#[test]
fn a_missing_or_bad_site_table_is_named_and_nothing_is_touched() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("c.toml");
    let missing = home.path().join("no-such-ptp.txt");
    std::fs::write(
        &config,
        format!("[edits]\nncci_ptp_file = {:?}\n", missing.to_str().unwrap()),
    )
    .unwrap();
    let cfg = config.to_str().unwrap();
    let out = run(
        home.path(),
        &["--config", cfg, "validate", "--account", "A26030417"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("no-such-ptp.txt") && err.contains("cannot read"),
        "{err}"
    );
    // A PTP file with a bad row: its line is named.
    std::fs::write(
        &missing,
        "Column 1\tColumn 2\n10001\t10002\t\t20200101\t*\t7\tx\n",
    )
    .unwrap();
    let out = run(
        home.path(),
        &["--config", cfg, "validate", "--account", "A26030417"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no-such-ptp.txt line 2: the modifier indicator"),
        "{err}"
    );
    // The charts are as they were.
    let export = run(home.path(), &["export"]);
    assert_eq!(chart_count(&export.stdout), 46);
}
