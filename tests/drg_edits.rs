//! The edits that need the MS-DRG: Table 6K part 3 applied to the chart's DRG,
//! and an inpatient chart that does not group as an error with its reason.
//! The expected exclusions are read from the bundled Table 6K itself.

mod common;

use chartcoder::domain::Chart;
use chartcoder::drg::HospitalStatus;
use chartcoder::edits::{DrgOutcome, Finding, Severity};
use chartcoder::reference::working_drg::WorkingDrg;
use common::codesets;
use std::io::Read;

fn chart(discharge: &str, dx: &[&str]) -> Chart {
    let diagnoses: Vec<String> = dx
        .iter()
        .map(|c| format!(r#"{{"code": "{c}", "poa": "Y"}}"#))
        .collect();
    let json = format!(
        r#"{{"charts": [{{"account": "E1", "mrn": "M1",
  "patient": {{"name": "Test Patient", "birth_date": "1970-01-01", "sex": "M"}},
  "encounter": {{"type": "inpatient", "admit_date": "{discharge}", "discharge_date": "{discharge}", "disposition": "01"}},
  "diagnoses": [{}]}}]}}"#,
        diagnoses.join(", ")
    );
    chartcoder::interchange::json::parse_charts(json.as_bytes())
        .unwrap()
        .remove(0)
        .1
}

/// The codes of a Table 6K part 3 block (`MDC 25 DRGs 974-976`), from the
/// bundled file.
fn part_3_block(header: &str) -> Vec<String> {
    let gz = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/codesets/cms_msdrg_v43/cc_exclusions.txt.gz"
    ))
    .unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz.as_slice())
        .read_to_string(&mut text)
        .unwrap();
    let part3 = &text[text.find("K Part 3").unwrap()..];
    let block = &part3[part3.find(header).unwrap() + header.len()..];
    block
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("MDC "))
        .filter_map(|l| l.split_whitespace().next())
        .collect::<Vec<_>>()
        .into_iter()
        .map(str::to_string)
        .collect()
}

fn findings(chart: &Chart) -> (WorkingDrg, Vec<Finding>) {
    let sets = codesets();
    let working = WorkingDrg::of(sets.grouper.as_deref(), chart, HospitalStatus::NotExempt);
    let found = sets.rules.validate_with_drg(chart, &working.outcome());
    (working, found)
}

#[test]
fn a_cc_that_the_drg_leaves_out_is_said_so_by_table_6k_part_3() {
    // HIV (B20) with salmonella sepsis (A02.1, an MCC): the claim groups to
    // HIV with a major related condition, where part 3 lists A02.1.
    let block = part_3_block("MDC 25 DRGs 974-976");
    assert!(block.contains(&"A021".to_string()), "the table lists A02.1");
    let chart = chart("2026-05-10", &["B20", "A02.1"]);
    let (working, found) = findings(&chart);
    let drg = match working.outcome() {
        DrgOutcome::Grouped(drg) => drg,
        other => panic!("{other:?}"),
    };
    assert!((974..=976).contains(&drg), "DRG {drg}");
    let part3: Vec<&Finding> = found
        .iter()
        .filter(|f| f.rule == "drg-cc-excluded")
        .collect();
    assert_eq!(part3.len(), 1, "{found:#?}");
    assert_eq!(part3[0].codes, ["A02.1"]);
    assert_eq!(part3[0].severity, Severity::Info);
    assert!(
        part3[0].message.contains("974-976") && part3[0].message.contains("MCC"),
        "{}",
        part3[0].message
    );
    // The grouper's own marking agrees: not counted, by the DRG's logic.
    let g = working.grouping().unwrap();
    assert_eq!(
        g.sdx[0].usage,
        chartcoder::drg::SeverityUsage::ExcludedByDrgLogic
    );
    // Without a DRG (not grouped here), part 3 says nothing.
    let plain = codesets().rules.validate(&chart);
    assert!(!plain.iter().any(|f| f.rule.starts_with("drg-")));
}

#[test]
fn an_ungroupable_inpatient_chart_is_an_error_with_the_reason() {
    // An external-cause code cannot be the principal diagnosis: DRG 999.
    let chart = chart("2026-05-10", &["W19.XXXA", "S72.001A"]);
    let (working, found) = findings(&chart);
    assert!(working.ungroupable().is_some());
    let f = found
        .iter()
        .find(|f| f.rule == "drg-ungroupable")
        .expect("no drg-ungroupable finding");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("DX_CANNOT_BE_PDX") && f.message.contains("external-cause"),
        "{}",
        f.message
    );
    assert!(!chartcoder::edits::no_errors(&found));
}

#[test]
fn a_date_no_version_covers_is_a_warning_to_acknowledge() {
    let chart = chart("2025-06-01", &["J18.9"]);
    let (_, found) = findings(&chart);
    let f = found
        .iter()
        .find(|f| f.rule == "drg-no-version")
        .expect("no drg-no-version finding");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("2025-06-01"), "{}", f.message);
}

#[test]
fn validate_file_reports_the_ungroupable_chart() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("claims.json");
    std::fs::write(
        &file,
        r#"{"charts": [{"account": "E1", "mrn": "M1",
  "patient": {"name": "Test Patient", "birth_date": "1970-01-01", "sex": "M"},
  "encounter": {"type": "inpatient", "admit_date": "2026-05-01", "discharge_date": "2026-05-10", "disposition": "01"},
  "diagnoses": [{"code": "W19.XXXA", "poa": "Y"}, {"code": "S72.001A", "poa": "Y"}]}]}"#,
    )
    .unwrap();
    let out = common::run_chartcoder(home.path(), "amy", &["validate", file.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("\terror\tdrg-ungroupable\t") && l.contains("DX_CANNOT_BE_PDX")),
        "{stdout}"
    );
}

#[test]
fn a_poa_exempt_hospital_counts_the_hac_cc_mcc() {
    // A hip fracture (S72.001A: an MCC and a HAC 05 falls-and-trauma
    // candidate) not present on admission, with simple pneumonia as the
    // principal: a hospital under the HAC provision loses the MCC, an exempt
    // one keeps it. The DRG titles say which.
    let mut chart = chart("2026-05-10", &["J18.9", "S72.001A"]);
    chart.diagnoses[1].poa = Some(chartcoder::domain::Poa::No);
    let sets = codesets();
    let grouper = sets.grouper.as_deref();
    let config =
        |text: &str| chartcoder::config::Config::from_toml_over_defaults(text, "t").unwrap();
    let title = |poa_exempt: bool| {
        let status = chartcoder::reference::working_drg::hospital_status(poa_exempt);
        WorkingDrg::of(grouper, &chart, status)
            .grouping()
            .unwrap()
            .final_result
            .title
            .clone()
    };
    assert!(!config("").drg.poa_exempt, "not exempt by default");
    assert!(config("[drg]\npoa_exempt = true\n").drg.poa_exempt);
    assert!(title(false).ends_with("without CC/MCC"), "{}", title(false));
    assert!(title(true).ends_with("with MCC"), "{}", title(true));
}
