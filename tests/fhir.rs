//! The FHIR R4 import: each mapping rule on the Synthea-style fixtures in
//! tests/fixtures/fhir (a collection Bundle, a transaction Bundle, an NDJSON
//! bulk-export set), written from the R4 resource definitions; a bad
//! resource refuses its chart only, naming the resource and its path.

mod common;

use chartcoder::domain::{Chart, ChartStatus, DocumentKind, EncounterType, Sex};
use chartcoder::interchange::fhir::{self, Report};
use chartcoder::interchange::load_charts;
use chartcoder::store::Store;
use chrono::NaiveDate;
use common::date;
use std::path::Path;

const DIR: &str = "tests/fixtures/fhir";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn import(store: &mut Store, path: &Path) -> (Report, Vec<String>) {
    let mut lines = Vec::new();
    let report = fhir::import(store, path, "coder1", today(), &mut |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    (report, lines)
}

fn chart<'a>(charts: &'a [Chart], account: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.account == account)
        .unwrap_or_else(|| panic!("no chart {account}"))
}

fn source_codes(c: &Chart) -> &str {
    &c.documents
        .iter()
        .find(|d| d.title.as_deref() == Some("Source system codes (documentation, not assigned)"))
        .expect("a source codes document")
        .text
}

#[test]
fn a_collection_bundle_maps_every_rule() {
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &Path::new(DIR).join("synthea_collection.json"));
    // Four encounters: three finished (two of patient 1, one of patient 2),
    // one in progress (no period.end): three charts.
    assert_eq!(report.charts, 3, "{lines:#?}");
    assert_eq!(report.unfinished, 1);
    assert_eq!(report.refused, 0);
    assert!(!report.has_errors());
    let charts = load_charts(&store, None).unwrap();
    assert_eq!(charts.len(), 3);
    assert!(charts.iter().all(|c| c.status == ChartStatus::Ready));
    // Source-system codes never become assigned codes.
    assert!(
        charts
            .iter()
            .all(|c| c.diagnoses.is_empty() && c.procedures.is_empty())
    );

    // The account: the identifier typed VN wins over the first identifier.
    let stay = chart(&charts, "V900001");
    // The MRN: the Patient identifier typed MR (not the Synthea id, the first).
    assert_eq!(stay.mrn, "M7788123");
    // The official name, not the nickname listed first; no prefix.
    assert_eq!(stay.patient.name, "Renée Marie O'Brien-Dubois");
    assert_eq!(stay.patient.birth_date, date("1958-06-12"));
    assert_eq!(stay.patient.sex, Sex::Female);
    assert_eq!(stay.encounter.encounter_type, EncounterType::Inpatient);
    // Calendar dates as sent: 22:15 at -05:00 on the 4th is the 4th.
    assert_eq!(stay.encounter.admit_date, date("2026-03-04"));
    assert_eq!(stay.encounter.discharge_date, date("2026-03-08"));
    // discharge-disposition "home" is UB-04 status 01.
    assert_eq!(stay.encounter.disposition.as_deref(), Some("01"));
    // The ATND participant is the attending though a PPRF is listed first,
    // both named from their Practitioner through a conditional reference.
    assert_eq!(
        stay.encounter.attending.as_deref(),
        Some("Dr. Imani Achterberg")
    );
    assert_eq!(stay.encounter.other_providers, vec!["Dr. Chidi Okafor"]);

    // Documents: the discharge summary and procedure note (DocumentReference,
    // base64 text/plain), the pathology report (DiagnosticReport.presentedForm);
    // the consult note that is only a URL is reported, not stored.
    let kinds: Vec<DocumentKind> = stay.documents.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&DocumentKind::DischargeSummary));
    assert!(kinds.contains(&DocumentKind::ProcedureNote));
    assert!(kinds.contains(&DocumentKind::Pathology));
    assert!(!kinds.contains(&DocumentKind::Consultation));
    assert!(
        lines.iter().any(
            |l| l.contains("DocumentReference/d0000000-0000-4000-8000-000000000003")
                && l.contains("content[0].attachment.url")
                && l.contains("not fetched")
        ),
        "{lines:#?}"
    );
    let summary = stay
        .documents
        .iter()
        .find(|d| d.kind == DocumentKind::DischargeSummary)
        .unwrap();
    assert!(
        summary
            .text
            .starts_with("DISCHARGE SUMMARY\nAdmitted 2026-03-04")
    );
    assert_eq!(summary.date, date("2026-03-08"));
    assert_eq!(summary.author, "Dr. Imani Achterberg");
    assert!(summary.signed, "docStatus final");
    let path = stay
        .documents
        .iter()
        .find(|d| d.kind == DocumentKind::Pathology)
        .unwrap();
    assert_eq!(path.author, "Dr. Chidi Okafor", "resultsInterpreter");
    assert_eq!(path.date, date("2026-03-06"));

    // Conditions and procedures: the source system's, as documentation,
    // SNOMED CT and ICD-10-CM codings both shown.
    let codes = source_codes(stay);
    assert!(codes.contains("401314000"), "{codes}");
    assert!(codes.contains("I21.4 Non-ST elevation (NSTEMI) myocardial infarction (ICD-10-CM)"));
    assert!(codes.contains("44054006 Diabetes mellitus type 2 (disorder) (SNOMED CT)"));
    assert!(codes.contains("problem list"));
    assert!(
        codes.contains("Procedure (completed) 2026-03-05 by Dr. Imani Achterberg: 415070008"),
        "{codes}"
    );
    // An Observation is not documentation chartcoder takes.
    assert!(!codes.contains("8867-4"));

    // No identifier typed VN/AN: the first identifier.
    let visit = chart(&charts, "A-2026-0502-17");
    assert_eq!(visit.encounter.encounter_type, EncounterType::Clinic);
    assert_eq!(visit.mrn, "M7788123", "the same patient, two encounters");
    assert!(source_codes(visit).contains("I10 Essential (primary) hypertension"));

    // No identifier at all: the Encounter id.
    let ed = chart(&charts, "c2b7e8d0-11aa-4b8e-9f20-3e5d7c1a0e04");
    assert_eq!(ed.encounter.encounter_type, EncounterType::Emergency);
    assert_eq!(ed.patient.sex, Sex::Male);
    assert_eq!(ed.encounter.admit_date, date("2026-02-14"));
    assert!(ed.documents.iter().any(|d| d.kind == DocumentKind::EdNote));

    // The encounter in progress is not a chart, and says so.
    assert!(!charts.iter().any(|c| c.account == "V900077"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("0e03") && l.contains("not finished"))
    );
}

#[test]
fn a_transaction_bundle_resolves_urn_uuids_and_conditional_references() {
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &Path::new(DIR).join("synthea_transaction.json"));
    assert_eq!(report.charts, 1, "{lines:#?}");
    let charts = load_charts(&store, None).unwrap();
    // AN (account number) is taken though listed before a VN.
    let c = chart(&charts, "A-4401");
    assert_eq!(c.encounter.admit_date, date("2026-04-01"));
    // A NUBC two-digit discharge status is kept as it is.
    assert_eq!(c.encounter.disposition.as_deref(), Some("03"));
    // The Practitioner comes last in the bundle and is found by its NPI.
    assert_eq!(c.encounter.attending.as_deref(), Some("Dr. Chidi Okafor"));
    let op = c
        .documents
        .iter()
        .find(|d| d.kind == DocumentKind::OperativeReport)
        .expect("LOINC 11504-8 is an operative report");
    assert_eq!(op.author, "Dr. Chidi Okafor");
    assert_eq!(op.date, date("2026-04-02"));
    assert!(source_codes(c).contains("M16.12"));
}

#[test]
fn an_ndjson_set_resolves_type_id_references_across_files() {
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &Path::new(DIR).join("ndjson"));
    assert_eq!(report.charts, 2, "{lines:#?}");
    assert_eq!(report.resources, 8);
    let charts = load_charts(&store, None).unwrap();
    let stay = chart(&charts, "V7701");
    assert_eq!(stay.patient.name, "Adaeze Okonkwo");
    // "snf" is UB-04 03.
    assert_eq!(stay.encounter.disposition.as_deref(), Some("03"));
    assert_eq!(
        stay.encounter.attending.as_deref(),
        Some("Dr. Yusuf Haddad")
    );
    assert!(source_codes(stay).contains("J18.9 Pneumonia, unspecified organism (ICD-10-CM)"));
    assert!(source_codes(stay).contains("2026-01-11 by Dr. Yusuf Haddad: 40617009"));
    assert_eq!(
        chart(&charts, "V7702").encounter.encounter_type,
        EncounterType::Clinic
    );
}

#[test]
fn importing_again_adds_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let path = Path::new(DIR).join("synthea_collection.json");
    import(&mut store, &path);
    let (report, _) = import(&mut store, &path);
    assert_eq!(report.charts, 0);
    assert_eq!(report.already, 3);
    assert_eq!(load_charts(&store, None).unwrap().len(), 3);
}

fn edited(f: impl FnOnce(&mut serde_json::Value)) -> tempfile::TempDir {
    let text = std::fs::read_to_string(Path::new(DIR).join("synthea_collection.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    f(&mut v);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("b.json"), serde_json::to_vec(&v).unwrap()).unwrap();
    dir
}

#[test]
fn a_bad_resource_refuses_its_chart_only_naming_the_resource_and_path() {
    // entry[6] is the hypertension Condition of the inpatient stay.
    let dir = edited(|v| v["entry"][6]["resource"]["onsetDateTime"] = "2026-02-30".into());
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &dir.path().join("b.json"));
    assert_eq!(report.refused, 1);
    assert_eq!(report.charts, 2);
    assert!(report.has_errors());
    let line = lines
        .iter()
        .find(|l| l.contains("not imported"))
        .expect("a refusal");
    assert!(line.contains("entry[6]"), "{line}");
    assert!(
        line.contains("Condition/1c000000-0000-4000-8000-000000000002"),
        "{line}"
    );
    assert!(line.contains("onsetDateTime"), "{line}");
    // Nothing of that chart: no chart, no documents under its account.
    let charts = load_charts(&store, None).unwrap();
    assert!(!charts.iter().any(|c| c.account == "V900001"));
    let docs: i64 = store
        .conn()
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(docs, 3, "the documents of the two other charts only");
}

#[test]
fn a_wrongly_typed_element_is_named_by_its_json_path() {
    let dir = edited(|v| {
        v["entry"][11]["resource"]["content"][0]["attachment"]["data"] = serde_json::json!(42)
    });
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &dir.path().join("b.json"));
    assert_eq!(report.refused, 1, "{lines:#?}");
    assert!(
        lines.iter().any(
            |l| l.contains("DocumentReference/d0000000-0000-4000-8000-000000000002")
                && l.contains("content[0].attachment.data")
        ),
        "{lines:#?}"
    );
}

#[test]
fn a_broken_file_writes_nothing() {
    let text = std::fs::read_to_string(Path::new(DIR).join("synthea_collection.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cut = &text[..text.len() * 2 / 3];
    std::fs::write(dir.path().join("cut.json"), cut).unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &dir.path().join("cut.json"));
    assert_eq!(report.bad_files, 1);
    assert_eq!(report.charts, 0);
    assert!(lines[0].contains("entry["), "{lines:#?}");
    assert!(load_charts(&store, None).unwrap().is_empty());
}

#[test]
fn a_history_bundle_or_a_lone_resource_is_refused() {
    let dir = edited(|v| v["type"] = "history".into());
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &dir.path().join("b.json"));
    assert_eq!((report.bad_files, report.charts), (1, 0));
    assert!(lines[0].contains("type"), "{lines:#?}");
}

const CODED: &str = r#"{"charts": [{
  "account": "A26110203", "mrn": "M4471023", "status": "coded",
  "patient": {"name": "Harold Vasquez-Lindqvist", "birth_date": "1948-06-19", "sex": "M"},
  "encounter": {"type": "inpatient", "admit_date": "2026-11-02", "discharge_date": "2026-11-06",
                "disposition": "01", "attending": "Dr. Imani Achterberg"},
  "diagnoses": [{"code": "I50.23", "system": "icd10cm", "edition": "FY2027", "poa": "Y"},
                {"code": "N17.9", "system": "icd10cm", "edition": "FY2027", "poa": "N"}],
  "procedures": [{"code": "0DTJ4ZZ", "system": "icd10pcs", "date": "2026-11-03", "provider": "Dr. Lars Oduya"},
                 {"code": "99223", "system": "cpt"},
                 {"code": "G0439", "system": "hcpcs"}]
}]}"#;

#[test]
fn a_coded_chart_exports_as_a_bundle_with_ranked_diagnoses_and_official_system_uris() {
    let mut store = Store::open_in_memory().unwrap();
    chartcoder::interchange::import_json(&mut store, CODED.as_bytes(), "coder1").unwrap();
    let chart = load_charts(&store, None).unwrap().remove(0);
    let b = fhir::export::bundle(&chart);
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert_eq!(b["meta"]["tag"][0]["code"], "coded", "the coding status");
    let entries = b["entry"].as_array().unwrap();
    let of = |t: &str| -> Vec<&serde_json::Value> {
        entries
            .iter()
            .filter(|e| e["resource"]["resourceType"] == t)
            .collect()
    };
    let enc = &of("Encounter")[0]["resource"];
    assert_eq!(enc["identifier"][0]["value"], "A26110203");
    assert_eq!(enc["class"]["code"], "IMP");
    assert_eq!(enc["period"]["start"], "2026-11-02");
    let conditions = of("Condition");
    let dx = enc["diagnosis"].as_array().unwrap();
    assert_eq!(dx.len(), 2);
    for (i, (d, code)) in dx.iter().zip(["I50.23", "N17.9"]).enumerate() {
        assert_eq!(d["rank"], i + 1);
        assert_eq!(
            d["use"]["coding"][0]["system"],
            "http://terminology.hl7.org/CodeSystem/diagnosis-role"
        );
        let target = conditions
            .iter()
            .find(|c| c["fullUrl"] == d["condition"]["reference"])
            .expect("the diagnosis names a Condition of the bundle");
        let coding = &target["resource"]["code"]["coding"][0];
        assert_eq!(coding["system"], "http://hl7.org/fhir/sid/icd-10-cm");
        assert_eq!(coding["code"], code);
    }
    let systems: Vec<(&str, &str)> = of("Procedure")
        .iter()
        .map(|p| {
            let c = &p["resource"]["code"]["coding"][0];
            (c["code"].as_str().unwrap(), c["system"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        systems,
        [
            ("0DTJ4ZZ", "http://www.cms.gov/Medicare/Coding/ICD10"),
            ("99223", "http://www.ama-assn.org/go/cpt"),
            (
                "G0439",
                "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
            ),
        ]
    );
    let pcs = &of("Procedure")[0]["resource"];
    assert_eq!(pcs["performedDateTime"], "2026-11-03");
    assert_eq!(pcs["performer"][0]["actor"]["display"], "Dr. Lars Oduya");

    // Read back by the import: the same stay, its codes as documentation.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.json"), serde_json::to_vec(&b).unwrap()).unwrap();
    let mut other = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut other, &dir.path().join("out.json"));
    assert_eq!(report.charts, 1, "{lines:#?}");
    let back = load_charts(&other, None).unwrap().remove(0);
    assert_eq!(back.account, chart.account);
    assert_eq!(back.patient, chart.patient);
    assert_eq!(back.encounter.admit_date, chart.encounter.admit_date);
    assert_eq!(back.encounter.disposition.as_deref(), Some("01"));
    assert!(back.diagnoses.is_empty());
    assert!(
        source_codes(&back).contains("I50.23 (ICD-10-CM)"),
        "{}",
        source_codes(&back)
    );
}

#[test]
fn a_clinical_resource_whose_encounter_does_not_read_is_refused_with_its_path() {
    // entry[5] is the NSTEMI Condition of the inpatient stay.
    let dir = edited(|v| v["entry"][5]["resource"]["encounter"] = serde_json::json!(42));
    let mut store = Store::open_in_memory().unwrap();
    let (report, lines) = import(&mut store, &dir.path().join("b.json"));
    assert_eq!(report.refused, 1, "{lines:#?}");
    assert!(
        lines.iter().any(
            |l| l.contains("entry[5] Condition/1c000000-0000-4000-8000-000000000001 encounter")
        ),
        "{lines:#?}"
    );
    // It belongs to no chart; the stay is imported without it.
    let charts = load_charts(&store, None).unwrap();
    assert!(!source_codes(chart(&charts, "V900001")).contains("401314000"));
}
