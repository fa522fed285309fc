//! FHIR R4 outbound: a Bundle per chart (README.md "FHIR R4 interface").

/// ICD-10-PCS (CMS).
pub const ICD10PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
/// ICD-10-CM.
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// HCPCS Level II.
pub const HCPCS: &str = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
/// CPT (AMA).
pub const CPT: &str = "http://www.ama-assn.org/go/cpt";

use crate::domain::{Chart, CodeSystem, EncounterType};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The system URI of a code system.
pub fn system_uri(system: CodeSystem) -> &'static str {
    match system {
        CodeSystem::Icd10Cm => ICD10CM,
        CodeSystem::Icd10Pcs => ICD10PCS,
        CodeSystem::Cpt => CPT,
        CodeSystem::Hcpcs => HCPCS,
    }
}

/// The tag system of the coding status (the chart's status) on each Bundle.
pub const STATUS_TAG: &str = "urn:chartcoder:coding-status";

/// A stable urn:uuid for the `n`th resource of kind `what` of an account.
fn urn(account: &str, what: &str, n: usize) -> String {
    let h = Sha256::digest(format!("{account}\u{0}{what}\u{0}{n}").as_bytes());
    let x: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-4{}-8{}-{}",
        &x[0..8],
        &x[8..12],
        &x[13..16],
        &x[17..20],
        &x[20..32]
    )
}

/// Encounter.class (v3 ActCode) of an encounter type.
fn class(t: EncounterType) -> &'static str {
    match t {
        EncounterType::Inpatient => "IMP",
        EncounterType::Emergency => "EMER",
        EncounterType::OutpatientSurgery => "SS",
        EncounterType::Clinic | EncounterType::Professional => "AMB",
    }
}

/// The Bundle (type collection) of one chart.
pub fn bundle(chart: &Chart) -> Value {
    let a = &chart.account;
    let (patient, encounter) = (urn(a, "Patient", 0), urn(a, "Encounter", 0));
    let e = &chart.encounter;
    let gender = match chart.patient.sex {
        crate::domain::Sex::Female => "female",
        crate::domain::Sex::Male => "male",
        crate::domain::Sex::Unknown => "unknown",
    };
    let mut entries = vec![json!({"fullUrl": patient, "resource": {
        "resourceType": "Patient",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}, "value": chart.mrn}],
        "name": [{"use": "official", "text": chart.patient.name}],
        "gender": gender,
        "birthDate": chart.patient.birth_date.to_string(),
    }})];
    let mut diagnosis = Vec::new();
    let mut conditions = Vec::new();
    for (i, d) in chart.diagnoses.iter().enumerate() {
        let url = urn(a, "Condition", i);
        diagnosis.push(json!({
            "condition": {"reference": url},
            "use": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/diagnosis-role", "code": "billing", "display": "Billing"}]},
            "rank": i + 1,
        }));
        conditions.push(json!({"fullUrl": url, "resource": {
            "resourceType": "Condition",
            "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-category", "code": "encounter-diagnosis"}]}],
            "code": {"coding": [{"system": system_uri(d.system), "code": d.code, "version": d.edition}]},
            "subject": {"reference": patient},
            "encounter": {"reference": encounter},
        }}));
    }
    let mut enc = json!({
        "resourceType": "Encounter",
        "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "VN"}]}, "value": a}],
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": class(e.encounter_type)},
        "subject": {"reference": patient},
        "period": {"start": e.admit_date.to_string(), "end": e.discharge_date.to_string()},
        "diagnosis": diagnosis,
    });
    if let Some(d) = &e.disposition {
        enc["hospitalization"] = json!({"dischargeDisposition": {"coding": [{"system": "https://www.nubc.org/CodeSystem/PatDischargeStatus", "code": d}]}});
    }
    if let Some(att) = &e.attending {
        enc["participant"] = json!([{"type": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "ATND"}]}], "individual": {"display": att}}]);
    }
    entries.push(json!({"fullUrl": encounter, "resource": enc}));
    entries.extend(conditions);
    for (i, p) in chart.procedures.iter().enumerate() {
        let mut r = json!({
            "resourceType": "Procedure",
            "status": "completed",
            "code": {"coding": [{"system": system_uri(p.system), "code": p.code}]},
            "subject": {"reference": patient},
            "encounter": {"reference": encounter},
        });
        if let Some(d) = p.date {
            r["performedDateTime"] = json!(d.to_string());
        }
        if let Some(who) = &p.provider {
            r["performer"] = json!([{"actor": {"display": who}}]);
        }
        entries.push(json!({"fullUrl": urn(a, "Procedure", i), "resource": r}));
    }
    json!({
        "resourceType": "Bundle",
        "type": "collection",
        "meta": {"tag": [{"system": STATUS_TAG, "code": chart.status.as_str()}]},
        "identifier": {"system": "urn:chartcoder:account", "value": a},
        "entry": entries,
    })
}

/// Writes a Bundle per chart, one per line (NDJSON).
pub fn write_bundles(charts: &[Chart], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    for c in charts {
        serde_json::to_writer(&mut *out, &bundle(c))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
