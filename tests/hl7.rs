//! The HL7 v2 interface: each mapping rule, each acknowledgement kind, and
//! what is (and is not) written, on the sample messages in
//! tests/fixtures/hl7 (written from the v2.5.1 segment definitions).

use chartcoder::domain::{ChartStatus, DocumentKind, EncounterType, Sex};
use chartcoder::interchange::hl7::{self, AckCode, Outcome};
use chartcoder::interchange::load_charts;
use chartcoder::store::{Store, inbound};
use chrono::NaiveDate;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("tests/fixtures/hl7/{name}.hl7")).unwrap()
}

fn send(store: &mut Store, text: &str) -> Outcome {
    hl7::process_on(store, text.as_bytes(), today())
}

fn send_ok(store: &mut Store, name: &str) -> Outcome {
    let o = send(store, &fixture(name));
    assert_eq!(o.code, AckCode::Accept, "{name}: {}", o.note);
    o
}

/// A fixture with one field of one segment replaced (HL7 numbering).
fn with_field(text: &str, segment: &str, field: usize, value: &str) -> String {
    let sep = if text.contains('\r') { '\r' } else { '\n' };
    text.split(sep)
        .map(|line| {
            if !line.starts_with(segment) {
                return line.to_string();
            }
            let mut parts: Vec<String> = line.split('|').map(str::to_string).collect();
            let i = if segment == "MSH" { field - 1 } else { field };
            while parts.len() <= i {
                parts.push(String::new());
            }
            parts[i] = value.to_string();
            parts.join("|")
        })
        .collect::<Vec<_>>()
        .join(&sep.to_string())
}

fn audit_rows(store: &Store, action: &str) -> i64 {
    store
        .conn()
        .query_row(
            "SELECT count(*) FROM audit WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap()
}

fn segment<'a>(ack: &'a str, id: &str) -> Option<&'a str> {
    ack.split('\r').find(|s| s.starts_with(id))
}

#[test]
fn an_admitted_visit_waits_outside_the_coding_queue_until_discharge() {
    let mut store = Store::open_in_memory().unwrap();
    let o = send_ok(&mut store, "adt_a01");
    assert!(!o.duplicate);
    assert!(
        load_charts(&store, None).unwrap().is_empty(),
        "not a chart yet"
    );
    assert_eq!(inbound::pending_visits(store.conn()).unwrap().len(), 1);
    send_ok(&mut store, "adt_a03");
    assert!(inbound::pending_visits(store.conn()).unwrap().is_empty());
    let charts = load_charts(&store, None).unwrap();
    assert_eq!(charts.len(), 1);
    assert_eq!(charts[0].status, ChartStatus::Ready);
}

#[test]
fn a_whole_stay_maps_field_by_field() {
    let mut store = Store::open_in_memory().unwrap();
    for name in [
        "adt_a01",
        "mdm_t02_hp",
        "adt_a08",
        "oru_r01_pathology",
        "mdm_t02_ed",
        "adt_a03",
    ] {
        send_ok(&mut store, name);
    }
    let c = &load_charts(&store, None).unwrap()[0];
    assert_eq!(c.account, "A26031001", "PID-18");
    assert_eq!(
        c.mrn, "M7788123",
        "the PID-3 repetition typed MR, not the first"
    );
    assert_eq!(c.patient.name, "Renée M O'Brien-Dubois");
    assert_eq!(
        c.patient.birth_date,
        NaiveDate::from_ymd_opt(1958, 6, 12).unwrap()
    );
    assert_eq!(c.patient.sex, Sex::Female);
    let e = &c.encounter;
    assert_eq!(e.encounter_type, EncounterType::Inpatient, "PV1-2 I");
    // 22:15-0500 on the 4th is the 4th (no conversion to UTC).
    assert_eq!(e.admit_date, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
    assert_eq!(
        e.discharge_date,
        NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
    );
    assert_eq!(e.disposition.as_deref(), Some("01"), "PV1-36");
    assert_eq!(
        e.attending.as_deref(),
        Some("Dr. Imani Achterberg"),
        "PV1-7 of the A03"
    );
    assert_eq!(
        e.other_providers,
        vec!["Dr. Chidi Okafor".to_string()],
        "PV1-9"
    );
    assert_eq!(
        e.payer.as_deref(),
        Some("Medicare"),
        "IN1-4, kept from the A01"
    );
    // The source system's codes are documentation, never assigned codes.
    assert!(c.diagnoses.is_empty() && c.procedures.is_empty());
    let kinds: Vec<DocumentKind> = c.documents.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds,
        [
            DocumentKind::HistoryAndPhysical,
            DocumentKind::Pathology,
            DocumentKind::DischargeSummary,
            DocumentKind::Other
        ]
    );
    let hp = &c.documents[0];
    assert_eq!(hp.author, "Dr. Harold Lindqvist", "TXA-9");
    assert_eq!(
        hp.date,
        NaiveDate::from_ymd_opt(2026, 3, 5).unwrap(),
        "TXA-4"
    );
    assert!(hp.signed, "TXA-17 AU");
    assert_eq!(
        hp.text.lines().collect::<Vec<_>>(),
        [
            "CHIEF COMPLAINT: Substernal chest pressure for 3 hours.",
            "HPI: 67-year-old woman, troponin 2.1 ng/mL | rising.",
            "ECG: ST depression V4-V6.",
            "ASSESSMENT: NSTEMI. Hypertension.",
            "PLAN: heparin, cardiology consult.",
        ],
        "one line per OBX, \\.br\\ a line break, \\F\\ a bar"
    );
    let path = &c.documents[1];
    assert_eq!(path.author, "Aiko Nakamura", "OBR-32");
    assert_eq!(path.title.as_deref(), Some("Surgical pathology, level IV"));
    assert!(path.text.contains("88305"), "OBR-4 kept as documentation");
    assert!(path.text.contains("FINAL DIAGNOSIS: Tubular adenoma"));
    let ds = &c.documents[2];
    assert!(
        ds.text
            .starts_with("DISCHARGE SUMMARY\nPRINCIPAL DIAGNOSIS"),
        "base64 ED"
    );
    let codes = &c.documents[3];
    assert_eq!(
        codes.title.as_deref(),
        Some("Source system codes (documentation, not assigned)")
    );
    for line in [
        "DG1 admitting: I21.4",
        "DG1 working: I10",
        "DG1 final: I21.4",
        "PV2-3 admit reason: R07.9",
    ] {
        assert!(codes.text.contains(line), "{line} in {}", codes.text);
    }
    assert_eq!(audit_rows(&store, "hl7_message"), 6);
    assert_eq!(audit_rows(&store, "chart_imported"), 1);
}

#[test]
fn the_account_falls_back_to_pv1_19_and_the_mrn_to_the_first_identifier() {
    let mut store = Store::open_in_memory().unwrap();
    let text = with_field(&fixture("adt_a01"), "PID", 18, "");
    let text = with_field(&text, "PID", 3, "E1234567^^^GENHOSP^PI~X9^^^GENHOSP^PT");
    let text = with_field(&text, "MSH", 10, "NOACCT1");
    assert_eq!(send(&mut store, &text).code, AckCode::Accept);
    let visits = inbound::pending_visits(store.conn()).unwrap();
    assert_eq!(visits[0].0, "V900001", "PV1-19");
    assert!(
        visits[0].1.contains("\"mrn\":\"E1234567\""),
        "{}",
        visits[0].1
    );
}

#[test]
fn a_message_sent_again_is_acknowledged_without_being_applied_twice() {
    let mut store = Store::open_in_memory().unwrap();
    send_ok(&mut store, "adt_a01");
    send_ok(&mut store, "mdm_t02_hp");
    let again = send_ok(&mut store, "mdm_t02_hp");
    assert!(again.duplicate, "{}", again.note);
    assert!(again.ack.contains("MSA|AA|MSG00003"), "{}", again.ack);
    assert_eq!(inbound::messages_applied(store.conn()).unwrap(), 2);
    assert_eq!(audit_rows(&store, "hl7_message"), 2);
    send_ok(&mut store, "adt_a03");
    let docs = &load_charts(&store, None).unwrap()[0].documents;
    let hps = docs
        .iter()
        .filter(|d| d.kind == DocumentKind::HistoryAndPhysical);
    assert_eq!(hps.count(), 1, "one H&P");
    // The same control id from another sender is another message.
    let other = with_field(&fixture("adt_a01"), "MSH", 3, "OTHERADT");
    assert!(!send(&mut store, &other).duplicate);
}

#[test]
fn the_acknowledgement_echoes_the_control_id_after_the_commit() {
    let mut store = Store::open_in_memory().unwrap();
    let o = send_ok(&mut store, "adt_a01");
    let msh = segment(&o.ack, "MSH").unwrap();
    let f: Vec<&str> = msh.split('|').collect();
    assert_eq!(f[2], "CHARTCODER");
    assert_eq!((f[4], f[5]), ("EPICADT", "GENHOSP"), "to the sender");
    assert_eq!(f[8], "ACK^A01^ACK");
    assert_eq!(f[11], "2.5.1", "the sender's version");
    assert!(
        segment(&o.ack, "MSA")
            .unwrap()
            .starts_with("MSA|AA|MSG00001|")
    );
    assert!(segment(&o.ack, "ERR").is_none());
}

#[test]
fn an_unreadable_msh_or_a_type_or_version_not_taken_is_rejected() {
    let mut store = Store::open_in_memory().unwrap();
    let a01 = fixture("adt_a01");
    let cases: Vec<(String, &str, u16)> = vec![
        ("PID|1||X".into(), "MSH^1^^100", 100),
        (a01.replacen("MSH|^~\\&|", "MSH|^~|", 1), "MSH^1^2^102", 102),
        (with_field(&a01, "MSH", 12, "2.2"), "MSH^1^12^203", 203),
        (
            with_field(&a01, "MSH", 9, "SIU^S12^SIU_S12"),
            "MSH^1^9^200",
            200,
        ),
        (
            with_field(&a01, "MSH", 9, "ADT^A40^ADT_A39"),
            "MSH^1^9^201",
            201,
        ),
        (with_field(&a01, "MSH", 10, ""), "MSH^1^10^101", 101),
    ];
    for (text, erl, code) in cases {
        let o = send(&mut store, &text);
        assert_eq!(o.code, AckCode::Reject, "{erl}: {}", o.note);
        assert_eq!(o.problem.as_ref().unwrap().code.code(), code);
        let err = segment(&o.ack, "ERR").unwrap_or_else(|| panic!("{}", o.ack));
        assert!(err.starts_with(&format!("ERR|{erl}")), "{err}");
        assert!(o.ack.contains("MSA|AR|"), "{}", o.ack);
    }
    let merge = send(&mut store, &with_field(&a01, "MSH", 9, "ADT^A40^ADT_A39"));
    assert!(merge.note.contains("merge"), "{}", merge.note);
    assert_eq!(inbound::messages_applied(store.conn()).unwrap(), 0);
    assert_eq!(audit_rows(&store, "hl7_message"), 0);
}

#[test]
fn bad_content_is_an_error_naming_segment_and_field_with_nothing_written() {
    let mut store = Store::open_in_memory().unwrap();
    let a01 = fixture("adt_a01");
    let cases = [
        (with_field(&a01, "PID", 7, ""), "PID^1^7", "birth date"),
        (
            with_field(&a01, "PID", 7, "19581312"),
            "PID^1^7",
            "not a date",
        ),
        (with_field(&a01, "PV1", 2, "P"), "PV1^1^2", "patient class"),
        (with_field(&a01, "PV1", 44, ""), "PV1^1^44", "admit date"),
        (with_field(&a01, "PV1", 36, "home"), "PV1^1^36", "two-digit"),
        (
            with_field(&a01, "PID", 5, "Doe\\X1B\\[2J^Jane"),
            "PID^1^5",
            "U+001B",
        ),
        (
            with_field(&a01, "PID", 5, "Doe\\F^Jane"),
            "PID^1^5",
            "not closed",
        ),
    ];
    for (text, erl, words) in cases {
        let o = send(&mut store, &text);
        assert_eq!(o.code, AckCode::Error, "{erl}: {}", o.note);
        assert!(o.ack.contains("MSA|AE|MSG00001|"), "{}", o.ack);
        let err = segment(&o.ack, "ERR").unwrap();
        assert!(err.starts_with(&format!("ERR|{erl}")), "{err}");
        assert!(o.note.contains(words), "{words}: {}", o.note);
    }
    assert!(inbound::pending_visits(store.conn()).unwrap().is_empty());
    assert_eq!(inbound::messages_applied(store.conn()).unwrap(), 0);
    assert_eq!(audit_rows(&store, "hl7_message"), 0);
}

#[test]
fn a_document_for_an_unknown_account_is_an_error_with_nothing_written() {
    let mut store = Store::open_in_memory().unwrap();
    let o = send(&mut store, &fixture("mdm_t02_hp"));
    assert_eq!(o.code, AckCode::Error);
    let err = segment(&o.ack, "ERR").unwrap();
    assert!(err.starts_with("ERR|PID^1^18^204"), "{err}");
    let image = send(
        &mut store,
        &fixture("mdm_t02_ed").replace("TEXT^PLAIN", "AP^PDF"),
    );
    assert_eq!(image.code, AckCode::Error);
    assert!(image.note.contains("plain text only"), "{}", image.note);
}

#[test]
fn a_canceled_discharge_holds_the_chart_until_it_is_discharged_again() {
    let mut store = Store::open_in_memory().unwrap();
    send_ok(&mut store, "adt_a01");
    send_ok(&mut store, "adt_a03");
    let a13 = with_field(
        &with_field(&fixture("adt_a03"), "MSH", 9, "ADT^A13^ADT_A01"),
        "MSH",
        10,
        "MSG00007",
    );
    let o = send(&mut store, &a13);
    assert_eq!(o.code, AckCode::Accept, "{}", o.note);
    let c = &load_charts(&store, None).unwrap()[0];
    assert_eq!(c.status, ChartStatus::OnHold);
    // Discharged again, a day later.
    let again = with_field(&fixture("adt_a03"), "MSH", 10, "MSG00008");
    let again = with_field(&again, "PV1", 45, "202603091000");
    assert_eq!(send(&mut store, &again).code, AckCode::Accept);
    let c = &load_charts(&store, None).unwrap()[0];
    assert_eq!(c.status, ChartStatus::Ready);
    assert_eq!(
        c.encounter.discharge_date,
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
    );
    // A canceled admission of a discharged chart needs the A13 first.
    let a11 = with_field(&fixture("adt_a01"), "MSH", 9, "ADT^A11^ADT_A09");
    let a11 = with_field(&a11, "MSH", 10, "MSG00009");
    let o = send(&mut store, &a11);
    assert_eq!(o.code, AckCode::Error);
    assert!(
        segment(&o.ack, "ERR")
            .unwrap()
            .starts_with("ERR|PID^1^18^206")
    );
}

#[test]
fn a_canceled_admission_removes_the_waiting_visit() {
    let mut store = Store::open_in_memory().unwrap();
    send_ok(&mut store, "adt_a01");
    let a11 = with_field(&fixture("adt_a01"), "MSH", 9, "ADT^A11^ADT_A09");
    let a11 = with_field(&a11, "MSH", 10, "MSG00010");
    assert_eq!(send(&mut store, &a11).code, AckCode::Accept);
    assert!(inbound::pending_visits(store.conn()).unwrap().is_empty());
    // The discharge of a canceled admission finds no visit, and makes the chart from its own PID/PV1.
    send_ok(&mut store, "adt_a03");
    assert_eq!(load_charts(&store, None).unwrap().len(), 1);
}

#[test]
fn changes_after_coding_are_refused_and_edits_replace_documents_by_number() {
    let mut store = Store::open_in_memory().unwrap();
    send_ok(&mut store, "adt_a01");
    send_ok(&mut store, "adt_a03");
    send_ok(&mut store, "mdm_t02_hp");
    // T08: an edit of the document with the same TXA-12.
    let t08 = fixture("mdm_t02_hp")
        .replace("MDM^T02", "MDM^T08")
        .replace("MSG00003", "MSG00011")
        .replace("Substernal chest pressure", "Crushing chest pain");
    assert_eq!(send(&mut store, &t08).code, AckCode::Accept);
    // T10: a replacement under a new number (TXA-12) naming the old (TXA-13).
    let t10 = with_field(
        &t08.replace("MDM^T08", "MDM^T10")
            .replace("MSG00011", "MSG00012"),
        "TXA",
        12,
        "DOC-HP-1002",
    );
    let t10 = with_field(&t10, "TXA", 13, "DOC-HP-1001");
    let t10 = t10.replace("Crushing chest pain", "Chest pain, addended");
    assert_eq!(send(&mut store, &t10).code, AckCode::Accept);
    let c = &load_charts(&store, None).unwrap()[0];
    let hps: Vec<_> = c
        .documents
        .iter()
        .filter(|d| d.kind == DocumentKind::HistoryAndPhysical)
        .collect();
    assert_eq!(hps.len(), 1);
    assert!(hps[0].text.contains("Chest pain, addended"));
    store
        .conn()
        .execute("UPDATE charts SET status = 'coded'", [])
        .unwrap();
    let a08 = with_field(&fixture("adt_a08"), "MSH", 10, "MSG00013");
    let o = send(&mut store, &a08);
    assert_eq!(o.code, AckCode::Error, "{}", o.note);
    assert!(o.note.contains("already coded"), "{}", o.note);
}

#[test]
fn a_batch_file_splits_into_its_messages() {
    let (messages, stray) = hl7::split_file(&fixture("batch"));
    assert!(stray.is_empty());
    let lines: Vec<usize> = messages.iter().map(|m| m.line).collect();
    assert_eq!(lines, [3, 7, 12]);
    let mut store = Store::open_in_memory().unwrap();
    for m in &messages {
        let o = hl7::process_on(&mut store, m.text.as_bytes(), today());
        assert_eq!(o.code, AckCode::Accept, "{}", o.note);
    }
    let c = &load_charts(&store, None).unwrap()[0];
    assert_eq!(c.encounter.encounter_type, EncounterType::Emergency);
    assert_eq!(c.documents[0].kind, DocumentKind::Imaging, "OBR-24 RAD");
}

#[test]
fn the_import_command_reports_each_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chartcoder"))
        .args([
            "--db",
            db.to_str().unwrap(),
            "import",
            "--format",
            "hl7",
            "tests/fixtures/hl7",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Files by name: 7 files, 9 messages.
    assert!(
        stdout.contains("adt_a01.hl7: message 1 (line 1) ADT^A01 MSG00001: AA"),
        "{stdout}"
    );
    assert!(
        stdout.contains("batch.hl7: message 3 (line 12) ADT^A03 MSG00103: AA"),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().contains("9 applied"),
        "{stdout}"
    );
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn a_chart_that_arrives_appears_in_a_running_workstations_queue() {
    use chartcoder::store::StoreOptions;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let desk = Store::open(&db, &StoreOptions::default()).unwrap();
    let mut app = chartcoder::tui::app::App::new(desk, "amy", today(), 100, 30);
    assert!(app.queue.rows.is_empty());
    assert!(!app.refresh_queue_now(), "nothing changed yet");
    // The listener's connection stores a discharged chart.
    let mut interface = Store::open_existing(&db, &StoreOptions::default()).unwrap();
    send_ok(&mut interface, "adt_a01");
    send_ok(&mut interface, "adt_a03");
    assert!(app.refresh_queue_now(), "another connection committed");
    // The rows are read off the UI thread: wait for them to land.
    assert!(app.settle(std::time::Duration::from_secs(30)));
    let accounts: Vec<&str> = app.queue.rows.iter().map(|r| r.account.as_str()).collect();
    assert_eq!(accounts, ["A26031001"]);
    assert!(!app.refresh_queue_now(), "no reload without a change");
}
