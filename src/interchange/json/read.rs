//! Reading one chart's JSON into the domain: every field checked, every
//! problem named by its position (the import's half of the format).

use super::{
    ChartJson, DateRange, DiagnosisJson, DocumentJson, DrgJson, ImportProblem, MAX_AGE,
    ProcedureJson, refusal, refused_in_document, refused_in_line,
};
use crate::codeset::Edition;
use crate::domain::{
    Chart, ChartStatus, CodeSystem, DiagnosisAssignment, Document, Encounter, EncounterType,
    FinalDrg, Patient, Poa, ProcedureAssignment, normalize_diagnosis_code, normalize_modifier,
    normalize_procedure_code, pointer_from_letter,
};
use chrono::NaiveDate;

/// Collects the problems of one chart while converting it.
pub(super) struct Checker<'a> {
    pub(super) position: &'a str,
    pub(super) dates: DateRange,
    pub(super) problems: &'a mut Vec<ImportProblem>,
}

impl Checker<'_> {
    fn problem(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.problems.push(ImportProblem {
            position: self.position.to_string(),
            field: Some(field.into()),
            message: message.into(),
        });
    }

    /// Whether a one-line field is free of refused characters (checked before
    /// any trim, which would silently drop a trailing U+0085).
    fn clean(&mut self, field: &str, value: &str) -> bool {
        match refused_in_line(value) {
            Some(c) => {
                self.problem(field, refusal(c));
                false
            }
            None => true,
        }
    }

    fn required(&mut self, field: &str, value: &str) -> Option<String> {
        if !self.clean(field, value) {
            return None;
        }
        let v = value.trim();
        if v.is_empty() {
            self.problem(field, "is empty");
            None
        } else {
            Some(v.to_string())
        }
    }

    fn optional(&mut self, field: &str, value: Option<&str>) -> Option<Option<String>> {
        match value {
            None => Some(None),
            Some(v) if !self.clean(field, v) => None,
            Some(v) if v.trim().is_empty() => Some(None),
            Some(v) => self.required(field, v).map(Some),
        }
    }

    /// A date written exactly `YYYY-MM-DD` (zero-padded, nothing around it),
    /// within the accepted range.
    pub(super) fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        if !self.clean(field, value) {
            return None;
        }
        let shaped = value.len() == 10
            && value.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        let Some(date) = shaped
            .then(|| NaiveDate::parse_from_str(value, "%Y-%m-%d").ok())
            .flatten()
        else {
            self.problem(field, "is not a date (YYYY-MM-DD)");
            return None;
        };
        let DateRange { earliest, latest } = self.dates;
        if date < earliest || date > latest {
            self.problem(
                field,
                format!("is outside {earliest} to {latest} (1900 to a year from today)"),
            );
            return None;
        }
        Some(date)
    }

    fn parsed<T: std::str::FromStr<Err = crate::domain::UnknownValue>>(
        &mut self,
        field: &str,
        value: &str,
    ) -> Option<T> {
        if !self.clean(field, value) {
            return None;
        }
        match value.trim().parse() {
            Ok(v) => Some(v),
            Err(e) => {
                self.problem(field, e.to_string());
                None
            }
        }
    }
}

/// `invalid_poa`: read as the claims came (see [`parse_as_reported`]): a POA
/// value that is not one goes there, a diagnosis listed twice is kept.
pub(super) fn to_domain(
    c: ChartJson,
    position: &str,
    dates: DateRange,
    problems: &mut Vec<ImportProblem>,
    invalid_poa: Option<&mut Vec<(String, String)>>,
) -> Option<Chart> {
    let mut ck = Checker {
        position,
        dates,
        problems,
    };
    let account = ck.required("account", &c.account);
    let mrn = ck.required("mrn", &c.mrn);
    let status = match c.status.as_deref() {
        None => Some(ChartStatus::Ready),
        Some(s) => ck.parsed("status", s),
    };
    let name = ck.required("patient.name", &c.patient.name);
    let birth_date = ck.date("patient.birth_date", &c.patient.birth_date);
    let sex = ck.parsed("patient.sex", &c.patient.sex);

    let e = &c.encounter;
    let encounter_type: Option<EncounterType> = ck.parsed("encounter.type", &e.encounter_type);
    let admit_date = ck.date("encounter.admit_date", &e.admit_date);
    let discharge_date = match (e.discharge_date.as_deref(), encounter_type, admit_date) {
        (Some(d), _, _) => ck.date("encounter.discharge_date", d),
        (None, Some(EncounterType::Inpatient), _) => {
            ck.problem(
                "encounter.discharge_date",
                "is required for an inpatient stay",
            );
            None
        }
        (None, _, admit) => admit,
    };
    dates_agree(&mut ck, birth_date, admit_date, discharge_date);
    let disposition = ck.optional("encounter.disposition", e.disposition.as_deref());
    if let Some(Some(d)) = &disposition
        && !(d.len() == 2 && d.bytes().all(|b| b.is_ascii_digit()))
    {
        ck.problem(
            "encounter.disposition",
            "is not a two-digit discharge status code (e.g. 01)",
        );
    }
    let attending = ck.optional("encounter.attending", e.attending.as_deref());
    let payer = ck.optional("encounter.payer", e.payer.as_deref());
    let mut other_providers = Vec::new();
    for (i, p) in e.other_providers.iter().enumerate() {
        if let Some(p) = ck.required(&format!("encounter.other_providers[{i}]"), p) {
            other_providers.push(p);
        }
    }

    let documents = documents(&mut ck, &c.documents);
    // The edition in force on the discharge date, as the workstation assigns it.
    let default_edition = discharge_date.map(|d| Edition::for_date(d).label().to_string());
    let diagnoses = diagnoses(&mut ck, &c.diagnoses, default_edition, invalid_poa);
    let procedures = procedures(&mut ck, &c.procedures, c.diagnoses.len());
    let final_drg = final_drg(&mut ck, c.drg.as_ref());
    Some(Chart {
        account: account?,
        mrn: mrn?,
        status: status?,
        patient: Patient {
            name: name?,
            birth_date: birth_date?,
            sex: sex?,
        },
        encounter: Encounter {
            encounter_type: encounter_type?,
            admit_date: admit_date?,
            discharge_date: discharge_date?,
            disposition: disposition?,
            attending: attending?,
            other_providers,
            payer: payer?,
        },
        documents,
        diagnoses,
        procedures,
        final_drg: final_drg?,
    })
}

/// Birth, admission and discharge in order, and an age a person can have.
fn dates_agree(
    ck: &mut Checker<'_>,
    birth_date: Option<NaiveDate>,
    admit_date: Option<NaiveDate>,
    discharge_date: Option<NaiveDate>,
) {
    if let (Some(a), Some(d)) = (admit_date, discharge_date)
        && d < a
    {
        ck.problem("encounter.discharge_date", "is before the admit date");
    }
    if let (Some(b), Some(a)) = (birth_date, admit_date)
        && b > a
    {
        ck.problem("patient.birth_date", "is after the admit date");
    }
    if let (Some(b), Some(a)) = (birth_date, admit_date)
        && a.years_since(b).is_some_and(|age| age > MAX_AGE)
    {
        ck.problem(
            "patient.birth_date",
            format!("gives an age over {MAX_AGE} at admission"),
        );
    }
}

/// The documents that read whole (a document with a problem is left out and
/// named).
fn documents(ck: &mut Checker<'_>, docs: &[DocumentJson]) -> Vec<Document> {
    let mut documents = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let f = |name: &str| format!("documents[{i}].{name}");
        let kind = ck.parsed(&f("kind"), &d.kind);
        let author = ck.required(&f("author"), &d.author);
        let date = ck.date(&f("date"), &d.date);
        let title = ck.optional(&f("title"), d.title.as_deref());
        if let Some(bad) = refused_in_document(&d.text) {
            ck.problem(f("text"), refusal(bad));
        } else if d.text.trim().is_empty() {
            ck.problem(f("text"), "is empty");
        }
        if let (Some(kind), Some(author), Some(date), Some(title)) = (kind, author, date, title) {
            documents.push(Document {
                kind,
                author,
                signed: d.signed,
                date,
                title,
                text: d.text.clone(),
            });
        }
    }

    documents
}

/// The diagnoses, each with its edition (given, or the one in force on the
/// discharge date) and POA; `invalid_poa` as for [`to_domain`].
fn diagnoses(
    ck: &mut Checker<'_>,
    list: &[DiagnosisJson],
    default_edition: Option<String>,
    mut invalid_poa: Option<&mut Vec<(String, String)>>,
) -> Vec<DiagnosisAssignment> {
    let as_reported = invalid_poa.is_some();
    let mut diagnoses: Vec<DiagnosisAssignment> = Vec::new();
    for (i, d) in list.iter().enumerate() {
        let f = |name: &str| format!("diagnoses[{i}].{name}");
        let code = if ck.clean(&f("code"), &d.code) {
            match normalize_diagnosis_code(&d.code) {
                Ok(code) => Some(code),
                Err(e) => {
                    ck.problem(f("code"), e.to_string());
                    None
                }
            }
        } else {
            None
        };
        if let Some(system) = d.system.as_deref()
            && ck.clean(&f("system"), system)
            && system.trim() != CodeSystem::Icd10Cm.as_str()
        {
            ck.problem(
                f("system"),
                "diagnoses are ICD-10-CM: the system is icd10cm or left out",
            );
        }
        let edition = match d.edition.as_deref() {
            Some(ed) if !ck.clean(&f("edition"), ed) => None,
            Some(ed) => match Edition::from_label(ed.trim()) {
                Some(ed) => Some(ed.label().to_string()),
                None => {
                    let known: Vec<&str> = Edition::ALL.iter().map(|e| e.label()).collect();
                    ck.problem(
                        f("edition"),
                        format!(
                            "is not an edition chartcoder has (one of {})",
                            known.join(", ")
                        ),
                    );
                    None
                }
            },
            None => default_edition.clone(),
        };
        let poa = match d.poa.as_deref() {
            None => Some(None),
            Some(p) if !ck.clean(&f("poa"), p) => None,
            Some(p) if p.trim().is_empty() => Some(None),
            Some(p) => match (p.trim().parse::<Poa>(), invalid_poa.as_deref_mut(), &code) {
                (Ok(poa), _, _) => Some(Some(poa)),
                (Err(_), Some(invalid), Some(code)) => {
                    invalid.push((code.clone(), p.trim().to_string()));
                    Some(None)
                }
                (Err(_), _, _) => ck.parsed(&f("poa"), p).map(Some),
            },
        };
        if let Some(code) = &code
            && !as_reported
            && diagnoses.iter().any(|x| &x.code == code)
        {
            ck.problem(f("code"), format!("{code} is listed twice"));
        }
        if let (Some(code), Some(edition), Some(poa)) = (code, edition, poa) {
            diagnoses.push(DiagnosisAssignment {
                code,
                system: CodeSystem::Icd10Cm,
                edition,
                poa,
            });
        }
    }

    diagnoses
}

/// The procedure lines: ICD-10-PCS, or CPT/HCPCS with modifiers, units and
/// pointers to the chart's `diagnoses` diagnoses.
fn procedures(
    ck: &mut Checker<'_>,
    list: &[ProcedureJson],
    diagnoses: usize,
) -> Vec<ProcedureAssignment> {
    let mut procedures = Vec::new();
    for (i, p) in list.iter().enumerate() {
        let f = |name: &str| format!("procedures[{i}].{name}");
        let declared = match p.system.as_deref() {
            None => Some(None),
            Some(s) => ck.parsed::<CodeSystem>(&f("system"), s).map(Some),
        };
        let Some(declared) = declared else { continue };
        if !ck.clean(&f("code"), &p.code) {
            continue;
        }
        let (code, system) = match normalize_procedure_code(&p.code, declared) {
            Ok(cs) => cs,
            Err(e) => {
                ck.problem(f("code"), e.to_string());
                continue;
            }
        };
        let date = match p.date.as_deref() {
            None => Some(None),
            Some(d) => ck.date(&f("date"), d).map(Some),
        };
        let provider = ck.optional(&f("provider"), p.provider.as_deref());
        let units = p.units.unwrap_or(1);
        if units == 0 {
            ck.problem(f("units"), "must be at least 1");
        }
        let is_pcs = system == CodeSystem::Icd10Pcs;
        if is_pcs && (!p.modifiers.is_empty() || !p.pointers.is_empty() || units != 1) {
            ck.problem(
                f("code"),
                "ICD-10-PCS procedures take no modifiers, units or diagnosis pointers",
            );
        }
        let mut modifiers = Vec::new();
        if p.modifiers.len() > 4 {
            ck.problem(f("modifiers"), "a line takes at most 4 modifiers");
        }
        for (j, m) in p.modifiers.iter().enumerate() {
            let field = format!("procedures[{i}].modifiers[{j}]");
            if !ck.clean(&field, m) {
                continue;
            }
            match normalize_modifier(m) {
                Ok(m) => modifiers.push(m),
                Err(e) => ck.problem(field, e.to_string()),
            }
        }
        let mut pointers = Vec::new();
        if p.pointers.len() > 4 {
            ck.problem(f("pointers"), "a line points to at most 4 diagnoses");
        }
        for (j, letter) in p.pointers.iter().enumerate() {
            if !ck.clean(&format!("procedures[{i}].pointers[{j}]"), letter) {
                continue;
            }
            let mut chars = letter.trim().chars();
            let pointer = match (chars.next(), chars.next()) {
                (Some(c), None) => pointer_from_letter(c),
                _ => None,
            };
            match pointer {
                Some(n) if usize::from(n) <= diagnoses => pointers.push(n),
                Some(_) => ck.problem(
                    format!("procedures[{i}].pointers[{j}]"),
                    format!("points past the chart's {} diagnoses", diagnoses),
                ),
                None => ck.problem(
                    format!("procedures[{i}].pointers[{j}]"),
                    "is not a diagnosis letter A-L",
                ),
            }
        }
        if let (Some(date), Some(provider)) = (date, provider) {
            procedures.push(ProcedureAssignment {
                code,
                system,
                date,
                provider,
                modifiers,
                units: units.max(1),
                pointers,
            });
        }
    }

    procedures
}

/// The MS-DRG a chart was completed with: `Some(None)` when there is none,
/// `None` when it has a problem.
fn final_drg(ck: &mut Checker<'_>, drg: Option<&DrgJson>) -> Option<Option<FinalDrg>> {
    match drg {
        None => Some(None),
        Some(d) => {
            let mut ok = true;
            if !(1..=999).contains(&d.drg) {
                ck.problem("drg.drg".to_string(), "is not an MS-DRG (1-999)");
                ok = false;
            }
            if d.mdc > 25 {
                ck.problem("drg.mdc".to_string(), "is not an MDC (0-25)");
                ok = false;
            }
            if d.weight
                .is_some_and(|w| !(w.is_finite() && (0.0..1000.0).contains(&w)))
            {
                ck.problem(
                    "drg.weight".to_string(),
                    "is not a relative weight (0-1000)",
                );
                ok = false;
            }
            ok &= ck.clean("drg.grouper_version", &d.grouper_version);
            if let Some(t) = &d.table5_edition {
                ok &= ck.clean("drg.table5_edition", t);
            }
            ok.then(|| {
                Some(FinalDrg {
                    drg: d.drg,
                    mdc: d.mdc,
                    weight: d.weight,
                    grouper_version: d.grouper_version.clone(),
                    table5_edition: d.table5_edition.clone(),
                })
            })
        }
    }
}
