//! Coded charts out as HL7 v2 BAR^P12 (v2.6 segment definitions: DG1-6
//! table 0052, DG1-15 table 0359, DG1-26 POA; PR1-5 date, PR1-11 surgeon),
//! and their delivery by `chartcoder hl7-send` to a receiver that refuses
//! (AE) before it accepts (AA), across restarts of the sender.

use chartcoder::interchange::hl7::bar;
use chartcoder::interchange::hl7::mllp::{FrameReader, write_frame};
use chartcoder::interchange::load_charts;
use chartcoder::store::{Store, StoreOptions};
use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const CHART: &str = r#"{"charts": [{
  "account": "A26110203", "mrn": "M4471023", "status": "coded",
  "patient": {"name": "Harold Vasquez-Lindqvist", "birth_date": "1948-06-19", "sex": "M"},
  "encounter": {"type": "inpatient", "admit_date": "2026-11-02", "discharge_date": "2026-11-06",
                "disposition": "01", "attending": "Imani Achterberg"},
  "diagnoses": [{"code": "I50.23", "system": "icd10cm", "edition": "FY2027", "poa": "Y"},
                {"code": "N17.9", "system": "icd10cm", "edition": "FY2027", "poa": "N"}],
  "procedures": [{"code": "0DTJ4ZZ", "system": "icd10pcs", "date": "2026-11-03", "provider": "Lars Oduya"}]
}, {
  "account": "A26110999", "mrn": "M4471023", "status": "ready",
  "patient": {"name": "Harold Vasquez-Lindqvist", "birth_date": "1948-06-19", "sex": "M"},
  "encounter": {"type": "clinic", "admit_date": "2026-11-20"}
}]}"#;

/// Field `n` of the segment `id` (HL7 numbering; MSH-1 is the separator).
fn field<'a>(message: &'a str, id: &str, nth: usize, n: usize) -> &'a str {
    let seg = message
        .split('\r')
        .filter(|s| s.starts_with(id))
        .nth(nth)
        .unwrap_or_else(|| panic!("no {id} #{nth} in {message:?}"));
    let parts: Vec<&str> = seg.split('|').collect();
    let i = if id == "MSH" { n - 1 } else { n };
    parts.get(i).copied().unwrap_or("")
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let mut store = Store::open(&db, &StoreOptions::default()).unwrap();
    chartcoder::interchange::import_json(&mut store, CHART.as_bytes(), "coder1").unwrap();
    (dir, db)
}

#[test]
fn a_coded_chart_is_one_bar_p12_with_each_segment_as_the_standard_places_it() {
    let (_dir, db) = setup();
    let store = Store::open(&db, &StoreOptions::default()).unwrap();
    let chart = load_charts(&store, None).unwrap().remove(0);
    let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 29)
        .unwrap()
        .and_hms_opt(10, 5, 0)
        .unwrap();
    let m = bar::bar_p12(&chart, "CC1T99", at, &bar::Route::default());
    let ids: Vec<&str> = m
        .split('\r')
        .filter(|s| !s.is_empty())
        .map(|s| &s[..3])
        .collect();
    assert_eq!(ids, ["MSH", "EVN", "PID", "PV1", "DG1", "DG1", "PR1"]);
    assert_eq!(field(&m, "MSH", 0, 9), "BAR^P12^BAR_P12");
    assert_eq!(field(&m, "MSH", 0, 10), "CC1T99");
    assert_eq!(field(&m, "MSH", 0, 12), "2.6");
    assert_eq!(field(&m, "EVN", 0, 1), "P12");
    assert_eq!(field(&m, "PID", 0, 3), "M4471023^^^^MR");
    assert_eq!(field(&m, "PID", 0, 5), "Vasquez-Lindqvist^Harold");
    assert_eq!(field(&m, "PID", 0, 7), "19480619");
    assert_eq!(field(&m, "PID", 0, 18), "A26110203");
    assert_eq!(field(&m, "PV1", 0, 2), "I");
    assert_eq!(field(&m, "PV1", 0, 7), "^Achterberg^Imani");
    assert_eq!(field(&m, "PV1", 0, 19), "A26110203");
    assert_eq!(field(&m, "PV1", 0, 36), "01");
    assert_eq!(field(&m, "PV1", 0, 44), "20261102");
    assert_eq!(field(&m, "PV1", 0, 45), "20261106");
    for (n, (code, poa)) in [("I50.23", "Y"), ("N17.9", "N")].iter().enumerate() {
        assert_eq!(field(&m, "DG1", n, 1), (n + 1).to_string());
        assert_eq!(field(&m, "DG1", n, 3), format!("{code}^^I10"));
        assert_eq!(field(&m, "DG1", n, 6), "F", "table 0052: final");
        assert_eq!(field(&m, "DG1", n, 15), (n + 1).to_string());
        assert_eq!(field(&m, "DG1", n, 26), *poa);
    }
    assert_eq!(field(&m, "PR1", 0, 3), "0DTJ4ZZ^^I10P");
    assert_eq!(field(&m, "PR1", 0, 5), "20261103");
    assert_eq!(field(&m, "PR1", 0, 11), "^Oduya^Lars");
    // Completed with a final MS-DRG: the DRG segment after the diagnoses.
    let mut coded = chart.clone();
    coded.final_drg = Some(chartcoder::domain::FinalDrg {
        drg: 292,
        mdc: 5,
        weight: Some(0.8725),
        grouper_version: "v43.1".into(),
        table5_edition: Some("FY2026".into()),
    });
    let m = bar::bar_p12(&coded, "CC1T99", at, &bar::Route::default());
    let ids: Vec<&str> = m
        .split('\r')
        .filter(|s| !s.is_empty())
        .map(|s| &s[..3])
        .collect();
    assert_eq!(
        ids,
        ["MSH", "EVN", "PID", "PV1", "DG1", "DG1", "DRG", "PR1"]
    );
    assert_eq!(field(&m, "DRG", 0, 1), "292^^MS-DRG^^^^v43.1");
    assert_eq!(field(&m, "DRG", 0, 2), "20261129100500");
}

/// A receiver that answers each message AE the first time it sees its
/// control id and AA after; it counts what it got.
struct Receiver {
    addr: String,
    seen: Arc<Mutex<HashMap<String, u32>>>,
}

fn receiver(always_refuse: bool) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let counts = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let counts = counts.clone();
            std::thread::spawn(move || {
                let mut frames = FrameReader::new(stream.try_clone().unwrap());
                while let Ok(Some(frame)) = frames.next_frame() {
                    let text = String::from_utf8(frame).unwrap();
                    let control = field(&text, "MSH", 0, 10).to_string();
                    let n = {
                        let mut c = counts.lock().unwrap();
                        let n = c.entry(control.clone()).or_insert(0);
                        *n += 1;
                        *n
                    };
                    let code = if always_refuse || n == 1 { "AE" } else { "AA" };
                    let ack = format!(
                        "MSH|^~\\&|BILLING|HOSP|CHARTCODER|HIM|20261129||ACK^P12^ACK|A{n}|P|2.6\rMSA|{code}|{control}\r"
                    );
                    if write_frame(&mut stream, ack.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Receiver { addr, seen }
}

fn config(dir: &Path, outbox: &Path, to: &str) -> PathBuf {
    let path = dir.join(format!("c-{}.toml", to.replace([':', '.'], "-")));
    std::fs::write(
        &path,
        format!(
            "[hl7]\noutbox_dir = {:?}\nsend_to = {to:?}\nretry_initial_ms = 20\nretry_max_ms = 80\n",
            outbox.display().to_string()
        ),
    )
    .unwrap();
    path
}

fn chartcoder(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(args)
        .output()
        .unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|r| {
            r.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn the_outbox_is_sent_until_aa_survives_a_restart_and_nothing_is_sent_twice() {
    let (dir, db) = setup();
    let outbox = dir.path().join("outbox");
    let db = db.to_str().unwrap();

    // A receiver that never accepts: the sender keeps trying, is killed,
    // and the message is still in the outbox.
    let refusing = receiver(true);
    let cfg = config(dir.path(), &outbox, &refusing.addr);
    let cfg = cfg.to_str().unwrap();
    let out = chartcoder(&["--db", db, "--config", cfg, "export", "--format", "hl7-bar"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Only the completed (coded) chart.
    let waiting = files(&outbox);
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    let mut sender = Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args(["--config", cfg, "hl7-send"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while refusing.seen.lock().unwrap().values().sum::<u32>() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the sender did not retry"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    sender.kill().unwrap();
    sender.wait().unwrap();
    assert_eq!(files(&outbox), waiting, "not acknowledged: still waiting");
    assert!(files(&outbox.join("sent")).is_empty());

    // Restarted against a receiver that answers AE, then AA: delivered once.
    let fair = receiver(false);
    let cfg = config(dir.path(), &outbox, &fair.addr);
    let cfg = cfg.to_str().unwrap();
    let out = chartcoder(&["--config", cfg, "hl7-send", "--once"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(files(&outbox).is_empty());
    assert_eq!(files(&outbox.join("sent")), waiting);
    let got: Vec<u32> = fair.seen.lock().unwrap().values().copied().collect();
    assert_eq!(got, vec![2], "AE then AA: sent twice, accepted once");

    // Run again: nothing acknowledged goes out again.
    let out = chartcoder(&["--config", cfg, "hl7-send", "--once"]);
    assert!(out.status.success());
    let got: Vec<u32> = fair.seen.lock().unwrap().values().copied().collect();
    assert_eq!(got, vec![2]);

    // One chart by account, on demand: a new message with its own control id.
    let out = chartcoder(&[
        "--db",
        db,
        "--config",
        cfg,
        "export",
        "--format",
        "hl7-bar",
        "--account",
        "A26110203",
    ]);
    assert!(out.status.success());
    let out = chartcoder(&["--config", cfg, "hl7-send", "--once"]);
    assert!(out.status.success());
    assert_eq!(fair.seen.lock().unwrap().len(), 2);
    assert_eq!(files(&outbox.join("sent")).len(), 2);
}
