//! The coders' vocabulary: charts, encounters, documents and code assignments.
//!
//! Plain data with no database or terminal types, so every layer can use it and
//! every rule can be tested on it directly.

mod audit_action;
mod codes;

use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

pub use audit_action::AuditAction;
pub use codes::{
    CodeFormatError, normalize_diagnosis_code, normalize_modifier, normalize_procedure_code,
};

/// A value that is not one of an enumeration's spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what} (expected one of: {expected})")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: String,
}

/// Declares a closed set of values with one canonical spelling each, used in the
/// database, the interchange formats and the command line alike.
macro_rules! spelled_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident => $text:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical spelling (database, JSON, CLI).
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// A short label for screens.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(UnknownValue {
                        what: $what,
                        value: s.to_string(),
                        expected: [$($text),+].join(", "),
                    }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod review;
pub use review::{
    ChartScore, CodedVersion, Difference, ReviewReason, ReviewState, Role, Verdict, VersionDx,
    VersionPx, differences, sample_point, score,
};

spelled_enum!(
    /// Administrative sex as recorded on the claim.
    Sex, "sex" {
        Female => "F", "F";
        Male => "M", "M";
        Unknown => "U", "U";
    }
);

spelled_enum!(
    /// The kind of encounter, which decides the code sets and edits that apply.
    EncounterType, "encounter type" {
        Inpatient => "inpatient", "Inpt";
        OutpatientSurgery => "outpatient_surgery", "OP surg";
        Emergency => "emergency", "ED";
        Clinic => "clinic", "Clinic";
        Professional => "professional", "Prof";
    }
);

spelled_enum!(
    /// Where a chart is in the coding workflow (see shared/domain/WORKFLOW.md).
    ChartStatus, "chart status" {
        Ready => "ready", "ready";
        InProgress => "in_progress", "in progress";
        OnHold => "on_hold", "on hold";
        Coded => "coded", "coded";
        Reviewed => "reviewed", "reviewed";
        Final => "final", "final";
    }
);

spelled_enum!(
    /// Where a physician query is in its life (QUERIES.md).
    QueryStatus, "query status" {
        Draft => "draft", "draft";
        Open => "open", "open";
        Answered => "answered", "answered";
        Closed => "closed", "closed";
        Canceled => "canceled", "canceled";
    }
);

spelled_enum!(
    /// How a closed physician query ended.
    QueryOutcome, "query outcome" {
        Agreed => "agreed", "agreed";
        Disagreed => "disagreed", "disagreed";
        ClinicallyUndetermined => "clinically_undetermined", "clinically undetermined";
        NoResponse => "no_response", "no response";
    }
);

spelled_enum!(
    /// Present-on-admission indicator (UB-04 / HL7 POA value set).
    Poa, "POA indicator" {
        Yes => "Y", "Y";
        No => "N", "N";
        Unknown => "U", "U";
        Undetermined => "W", "W";
        Exempt => "1", "1";
    }
);

spelled_enum!(
    /// The code system an assignment is drawn from.
    CodeSystem, "code system" {
        Icd10Cm => "icd10cm", "ICD-10-CM";
        Icd10Pcs => "icd10pcs", "ICD-10-PCS";
        Cpt => "cpt", "CPT";
        Hcpcs => "hcpcs", "HCPCS";
    }
);

spelled_enum!(
    /// The kind of a clinical document in the chart.
    DocumentKind, "document kind" {
        DischargeSummary => "discharge_summary", "Discharge summary";
        HistoryAndPhysical => "history_physical", "H&P";
        ProgressNote => "progress_note", "Progress note";
        OperativeReport => "operative_report", "Operative report";
        ProcedureNote => "procedure_note", "Procedure note";
        EdNote => "ed_note", "ED note";
        Consultation => "consultation", "Consultation";
        ClinicNote => "clinic_note", "Clinic note";
        Pathology => "pathology", "Pathology";
        Imaging => "imaging", "Imaging";
        Laboratory => "laboratory", "Laboratory";
        Nursing => "nursing", "Nursing";
        Other => "other", "Other";
    }
);

impl ChartStatus {
    /// The statuses of charts not yet coded: what DNFC counts and coders work.
    pub const UNCODED: &'static [ChartStatus] = &[
        ChartStatus::Ready,
        ChartStatus::InProgress,
        ChartStatus::OnHold,
    ];

    pub fn is_uncoded(self) -> bool {
        Self::UNCODED.contains(&self)
    }
}

/// The patient, identified in the store by the chart's MRN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

/// The encounter a chart documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encounter {
    pub encounter_type: EncounterType,
    pub admit_date: NaiveDate,
    /// Discharge date for inpatients; the date of service otherwise.
    pub discharge_date: NaiveDate,
    /// UB-04 patient discharge status code, e.g. "01" home.
    pub disposition: Option<String>,
    pub attending: Option<String>,
    /// Consultants, surgeons and other providers named on the encounter.
    pub other_providers: Vec<String>,
    pub payer: Option<String>,
}

/// One document of the chart, as the coder reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub kind: DocumentKind,
    pub author: String,
    pub signed: bool,
    pub date: NaiveDate,
    pub title: Option<String>,
    pub text: String,
}

/// One ICD-10-CM diagnosis on the chart; its place in `Chart::diagnoses` is its
/// sequence (the first is the principal or first-listed diagnosis).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnosisAssignment {
    pub code: String,
    pub system: CodeSystem,
    /// The code-set edition the code was assigned from, e.g. "FY2026".
    pub edition: String,
    pub poa: Option<Poa>,
}

/// One procedure or service line on the chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureAssignment {
    pub code: String,
    pub system: CodeSystem,
    pub date: Option<NaiveDate>,
    pub provider: Option<String>,
    /// CPT/HCPCS modifiers, in claim order.
    pub modifiers: Vec<String>,
    pub units: u32,
    /// Diagnosis pointers, 1-based positions in `Chart::diagnoses` (A = 1 ... L = 12).
    pub pointers: Vec<u8>,
}

/// A chart: one encounter of one patient, with its documents and codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub account: String,
    pub mrn: String,
    pub status: ChartStatus,
    pub patient: Patient,
    pub encounter: Encounter,
    pub documents: Vec<Document>,
    pub diagnoses: Vec<DiagnosisAssignment>,
    pub procedures: Vec<ProcedureAssignment>,
    /// The MS-DRG stored when the chart was completed (inpatient charts).
    pub final_drg: Option<FinalDrg>,
}

/// The MS-DRG a chart was completed with, as stored and exported.
#[derive(Debug, Clone, PartialEq)]
pub struct FinalDrg {
    /// 1-999.
    pub drg: u16,
    pub mdc: u8,
    /// The relative weight of the Table 5 in force; `None` when none is installed.
    pub weight: Option<f64>,
    /// The grouper version (`v43.1`).
    pub grouper_version: String,
    /// The Table 5 the weight comes from (`FY2026 IPPS Final Rule Table 5`),
    /// when there is a weight.
    pub table5_edition: Option<String>,
}

/// One completed inpatient chart as the case mix report reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseMixRow {
    pub discharge_date: NaiveDate,
    /// Who completed it.
    pub coder: String,
    pub drg: u16,
    /// `None` when no Table 5 was installed for its grouper version.
    pub weight: Option<f64>,
    pub grouper_version: String,
}

/// Weights are never NaN (parsed from Table 5 or the store, checked there).
impl Eq for FinalDrg {}

impl FinalDrg {
    /// What the audit trail says: `DRG 329 MDC 06 weight 4.5965 (TABLE5) v43.1`.
    pub fn describe(&self) -> String {
        let weight = match (self.weight, &self.table5_edition) {
            (Some(w), Some(t)) => format!("weight {w:.4} ({t})"),
            (Some(w), None) => format!("weight {w:.4}"),
            (None, _) => "weight n/a".to_string(),
        };
        format!(
            "DRG {:03} MDC {:02} {weight} grouper {}",
            self.drg, self.mdc, self.grouper_version
        )
    }
}

/// What a UB-04 patient discharge status code (form locator 17) means, in a
/// few words for the chart header. Source: NUBC UB-04 manual, FL 17, as listed
/// in CMS's "Patient Discharge Status Codes" (MLN SE0801, current codes; 81-95
/// are 01-70 with a planned acute-care readmission).
pub fn discharge_status_label(code: &str) -> Option<&'static str> {
    Some(match code {
        "01" => "home/self care",
        "02" => "short-term hospital",
        "03" => "SNF",
        "04" => "custodial/supportive care",
        "05" => "cancer/children's hospital",
        "06" => "home health",
        "07" => "left against medical advice",
        "09" => "admitted as inpatient",
        "20" => "expired",
        "21" => "court/law enforcement",
        "30" => "still a patient",
        "40" => "expired at home (hospice)",
        "41" => "expired in a facility (hospice)",
        "42" => "expired, place unknown (hospice)",
        "43" => "federal hospital",
        "50" => "hospice, home",
        "51" => "hospice, medical facility",
        "61" => "swing bed",
        "62" => "inpatient rehab facility",
        "63" => "long-term care hospital",
        "64" => "Medicaid nursing facility",
        "65" => "psychiatric hospital",
        "66" => "critical access hospital",
        "69" => "disaster alternative care site",
        "70" => "other institution",
        "81" => "home, planned readmission",
        "82" => "short-term hospital, planned readmission",
        "83" => "SNF, planned readmission",
        "84" => "custodial care, planned readmission",
        "85" => "cancer/children's hospital, planned readmission",
        "86" => "home health, planned readmission",
        "87" => "law enforcement, planned readmission",
        "88" => "federal hospital, planned readmission",
        "89" => "swing bed, planned readmission",
        "90" => "rehab facility, planned readmission",
        "91" => "LTCH, planned readmission",
        "92" => "nursing facility, planned readmission",
        "93" => "psychiatric hospital, planned readmission",
        "94" => "CAH, planned readmission",
        "95" => "other institution, planned readmission",
        _ => return None,
    })
}

/// Age in whole years on `date`, the way MCE age edits count it (age at admission).
pub fn age_on(birth_date: NaiveDate, date: NaiveDate) -> i32 {
    let mut age = date.year() - birth_date.year();
    if (date.month(), date.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

/// The claim letter of a 1-based diagnosis pointer (1 -> 'A' ... 12 -> 'L').
pub fn pointer_letter(pointer: u8) -> Option<char> {
    (1..=12)
        .contains(&pointer)
        .then(|| char::from(b'A' + pointer - 1))
}

/// The 1-based diagnosis pointer of a claim letter ('A'..='L').
pub fn pointer_from_letter(letter: char) -> Option<u8> {
    let upper = letter.to_ascii_uppercase();
    ('A'..='L').contains(&upper).then(|| upper as u8 - b'A' + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discharge_status_codes_read_as_words() {
        assert_eq!(discharge_status_label("01"), Some("home/self care"));
        assert_eq!(discharge_status_label("20"), Some("expired"));
        assert_eq!(
            discharge_status_label("62"),
            Some("inpatient rehab facility")
        );
        assert_eq!(
            discharge_status_label("08"),
            None,
            "08 is not a status code"
        );
        assert_eq!(discharge_status_label("1"), None);
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn edition_changes_on_october_first() {}

    #[test]
    fn age_counts_whole_years_at_the_birthday() {
        assert_eq!(age_on(date("2008-10-02"), date("2026-10-01")), 17);
        assert_eq!(age_on(date("2008-10-01"), date("2026-10-01")), 18);
        assert_eq!(age_on(date("2000-02-29"), date("2026-02-28")), 25);
    }

    #[test]
    fn spellings_round_trip_and_reject_unknowns() {
        for t in EncounterType::ALL {
            assert_eq!(t.as_str().parse::<EncounterType>().unwrap(), *t);
        }
        let err = "inpt".parse::<EncounterType>().unwrap_err();
        assert!(err.to_string().contains("outpatient_surgery"), "{err}");
    }

    #[test]
    fn pointers_are_letters_a_to_l() {
        assert_eq!(pointer_letter(1), Some('A'));
        assert_eq!(pointer_letter(12), Some('L'));
        assert_eq!(pointer_letter(13), None);
        assert_eq!(pointer_letter(0), None);
        assert_eq!(pointer_from_letter('c'), Some(3));
        assert_eq!(pointer_from_letter('M'), None);
    }
}
