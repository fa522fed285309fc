//! The chart the tests start from: one stay of a made-up patient, with no
//! documents and no codes; each test changes what it is about.

use super::date;
use chartcoder::domain::{Chart, ChartStatus, Encounter, EncounterType, Patient, Sex};

/// Account `account` (MRN `MRN-<account>`), ready to code: Pat Example, a
/// woman born 1950-01-01, a `kind` encounter from `admit` to `discharge`
/// (`YYYY-MM-DD`), discharged home (01); no documents, no codes, no DRG.
pub fn chart(account: &str, kind: EncounterType, admit: &str, discharge: &str) -> Chart {
    Chart {
        account: account.into(),
        mrn: format!("MRN-{account}"),
        status: ChartStatus::Ready,
        patient: Patient {
            name: "Pat Example".into(),
            birth_date: date("1950-01-01"),
            sex: Sex::Female,
        },
        encounter: Encounter {
            encounter_type: kind,
            admit_date: date(admit),
            discharge_date: date(discharge),
            disposition: Some("01".into()),
            attending: None,
            other_providers: vec![],
            payer: None,
        },
        documents: vec![],
        diagnoses: vec![],
        procedures: vec![],
        final_drg: None,
    }
}
