//! Helpers the benchmarks share.
#![allow(dead_code)]

use chartcoder::domain::{
    Chart, ChartStatus, CodeSystem, DiagnosisAssignment, Encounter, EncounterType, Patient, Poa,
    ProcedureAssignment, Sex,
};
use chrono::NaiveDate;
use std::time::{Duration, Instant};

/// p50 and p99 of `f`, run up to `runs` times (at least 5, then for at most
/// 10 s), after one warm-up run.
pub fn percentiles(mut f: impl FnMut(), runs: usize) -> (Duration, Duration) {
    f();
    let mut times = Vec::with_capacity(runs);
    let budget = Instant::now();
    while times.len() < runs && (times.len() < 5 || budget.elapsed() < Duration::from_secs(10)) {
        let t = Instant::now();
        f();
        times.push(t.elapsed());
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.99))
}

/// The benches' inpatient chart: 25 diagnoses (heart failure, CKD,
/// diabetes, COPD with respiratory failure ...) and 10 procedures.
pub const DX: [&str; 25] = [
    "I11.0", "I50.23", "N18.4", "E11.22", "E11.65", "Z79.4", "I48.91", "Z79.01", "J44.1", "J96.01",
    "E87.1", "D63.1", "I25.10", "Z95.1", "E78.5", "G47.33", "M81.0", "F32.A", "Z87.891", "K21.9",
    "N40.0", "E66.01", "Z68.41", "I10", "R65.20",
];
pub const PX: [&str; 10] = [
    "02HV33Z", "5A1955Z", "0BH17EZ", "30233N1", "3E033VJ", "B2111ZZ", "0DJ08ZZ", "4A023N7",
    "02703DZ", "0DTJ4ZZ",
];

pub fn chart() -> Chart {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    Chart {
        account: "BENCH".into(),
        mrn: "M".into(),
        status: ChartStatus::InProgress,
        patient: Patient {
            name: "Bench Patient".into(),
            birth_date: d("1948-03-02"),
            sex: Sex::Male,
        },
        encounter: Encounter {
            encounter_type: EncounterType::Inpatient,
            admit_date: d("2026-10-20"),
            discharge_date: d("2026-10-27"),
            disposition: Some("01".into()),
            attending: None,
            other_providers: vec![],
            payer: None,
        },
        documents: vec![],
        diagnoses: DX
            .iter()
            .map(|c| DiagnosisAssignment {
                code: (*c).into(),
                system: CodeSystem::Icd10Cm,
                edition: "FY2027".into(),
                poa: Some(Poa::Yes),
            })
            .collect(),
        procedures: PX
            .iter()
            .map(|c| ProcedureAssignment {
                code: (*c).into(),
                system: CodeSystem::Icd10Pcs,
                date: None,
                provider: None,
                modifiers: vec![],
                units: 1,
                pointers: vec![],
            })
            .collect(),
        final_drg: None,
    }
}
