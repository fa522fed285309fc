//! HL7 v2 outbound: the coded chart as a BAR^P12 ("update diagnosis /
//! procedure"), for the billing system. Version 2.6, the first to carry the
//! present-on-admission indicator in DG1-26, and the final MS-DRG in a DRG
//! segment once the chart has one. The mapping is in README.md
//! "Coded charts out: BAR^P12".

use super::parse::Separators;
use crate::domain::{Chart, CodeSystem, EncounterType};
use chrono::NaiveDateTime;

/// The version written in MSH-12.
pub const VERSION: &str = "2.6";

/// The sender and receiver named in MSH-3..6.
pub struct Route<'a> {
    pub sending_facility: &'a str,
    pub receiving_application: &'a str,
    pub receiving_facility: &'a str,
}

impl Default for Route<'_> {
    fn default() -> Self {
        Route {
            sending_facility: "HIM",
            receiving_application: "BILLING",
            receiving_facility: "",
        }
    }
}

/// The message control id (MSH-10) of a chart's message made at `millis`
/// (Unix time in milliseconds): unique per chart and moment, at most 20
/// characters as 2.3 to 2.5 receivers expect.
pub fn control_id(chart_id: i64, millis: i64) -> String {
    format!("CC{chart_id}T{millis}")
}

/// A coded name "Given Middle Family" as XPN/XCN family ^ given: the last
/// word is the family name (chartcoder keeps a name as one text).
fn family_given(name: &str) -> (String, String) {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((family, given)) => (family.to_string(), given.join(" ")),
        None => (String::new(), String::new()),
    }
}

/// Table 0396 coding system of a code system.
pub fn coding_system(system: CodeSystem) -> &'static str {
    match system {
        CodeSystem::Icd10Cm => "I10",
        CodeSystem::Icd10Pcs => "I10P",
        CodeSystem::Cpt => "C4",
        CodeSystem::Hcpcs => "HCPCS",
    }
}

/// PV1-2 patient class (table 0004).
fn patient_class(t: EncounterType) -> &'static str {
    match t {
        EncounterType::Inpatient => "I",
        EncounterType::Emergency => "E",
        EncounterType::OutpatientSurgery | EncounterType::Clinic | EncounterType::Professional => {
            "O"
        }
    }
}

/// A segment of `fields` (index 0 unused), trailing empty fields left out.
fn segment(id: &str, fields: &[String]) -> String {
    let used = fields.iter().rposition(|f| !f.is_empty()).unwrap_or(0);
    let mut out = id.to_string();
    for f in fields.iter().take(used + 1).skip(1) {
        out.push('|');
        out.push_str(f);
    }
    out.push('\r');
    out
}

/// The BAR^P12 of a chart; segments end in CR.
pub fn bar_p12(chart: &Chart, control: &str, at: NaiveDateTime, route: &Route<'_>) -> String {
    let s = Separators::default();
    let esc = |t: &str| s.escape_text(t);
    // XCN: id ^ family ^ given ^ middle ^ suffix ^ prefix ("Dr.").
    let person = |name: &str| {
        let (prefix, rest) = match name.trim().split_once(' ') {
            Some((p, rest)) if matches!(p, "Dr." | "Dr") => (p, rest),
            _ => ("", name),
        };
        let (family, given) = family_given(rest);
        let xcn = format!("^{}^{}^^^{}", esc(&family), esc(&given), esc(prefix));
        xcn.trim_end_matches('^').to_string()
    };
    let now = at.format("%Y%m%d%H%M%S");
    let day = |d: chrono::NaiveDate| d.format("%Y%m%d").to_string();
    let e = &chart.encounter;
    let mut out = format!(
        "MSH|{}|CHARTCODER|{}|{}|{}|{now}||BAR^P12^BAR_P12|{}|P|{VERSION}|||AL|NE\r",
        s.encoding_characters(),
        esc(route.sending_facility),
        esc(route.receiving_application),
        esc(route.receiving_facility),
        esc(control),
    );
    out.push_str(&format!("EVN|P12|{now}\r"));
    let (family, given) = family_given(&chart.patient.name);
    out.push_str(&format!(
        "PID|1||{}^^^^MR||{}^{}||{}|{}||||||||||{}\r",
        esc(&chart.mrn),
        esc(&family),
        esc(&given),
        day(chart.patient.birth_date),
        chart.patient.sex.as_str(),
        esc(&chart.account),
    ));
    let attending = e.attending.as_deref().map(person).unwrap_or_default();
    let mut pv1 = vec![String::new(); 46];
    pv1[1] = "1".into();
    pv1[2] = patient_class(e.encounter_type).into();
    pv1[7] = attending.clone();
    pv1[19] = esc(&chart.account);
    pv1[36] = e.disposition.as_deref().map(esc).unwrap_or_default();
    pv1[44] = day(e.admit_date);
    pv1[45] = day(e.discharge_date);
    out.push_str(&segment("PV1", &pv1));
    for (i, d) in chart.diagnoses.iter().enumerate() {
        let mut dg1 = vec![String::new(); 27];
        dg1[1] = (i + 1).to_string();
        dg1[3] = format!("{}^^{}", esc(&d.code), coding_system(d.system));
        // Table 0052: F, final (the coded diagnosis).
        dg1[6] = "F".into();
        // Table 0359: 1 the principal (first-listed), then in sequence.
        dg1[15] = (i + 1).to_string();
        dg1[16] = attending.clone();
        dg1[26] = d.poa.map(|p| p.as_str().to_string()).unwrap_or_default();
        out.push_str(&segment("DG1", &dg1));
    }
    // The final MS-DRG of a completed inpatient chart: DRG-1 as a CNE (code,
    // text empty, the coding system, the grouper version in component 7),
    // DRG-2 when it was assigned (the message's time).
    if let Some(drg) = &chart.final_drg {
        out.push_str(&format!(
            "DRG|{:03}^^MS-DRG^^^^{}|{now}\r",
            drg.drg,
            esc(&drg.grouper_version)
        ));
    }
    for (i, p) in chart.procedures.iter().enumerate() {
        let mut pr1 = vec![String::new(); 17];
        pr1[1] = (i + 1).to_string();
        pr1[3] = format!("{}^^{}", esc(&p.code), coding_system(p.system));
        pr1[5] = day(p.date.unwrap_or(e.discharge_date));
        pr1[11] = p.provider.as_deref().map(person).unwrap_or_default();
        pr1[14] = (i + 1).to_string();
        pr1[16] = p
            .modifiers
            .iter()
            .map(|m| format!("{}^^{}", esc(m), "CPTM"))
            .collect::<Vec<_>>()
            .join("~");
        out.push_str(&segment("PR1", &pr1));
    }
    out
}
