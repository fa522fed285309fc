//! What each FHIR resource means for chartcoder: the mapping table of
//! README.md "FHIR R4 interface", one function per resource type.

use super::Problem;
use super::model::{self, Attachment, CodeableConcept, Coding, Identifier, Reference};
use crate::domain::{Document, DocumentKind, EncounterType, Patient, Sex};
use chrono::{Months, NaiveDate};

/// The oldest date taken (as the JSON and HL7 imports).
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Where a resource is, for its problems.
#[derive(Debug, Clone)]
pub struct At {
    /// `entry[12]` or `line 13`.
    pub position: String,
    /// `Encounter/abc`, or the type alone when it has no id.
    pub resource: String,
    pub today: NaiveDate,
}

impl At {
    pub fn problem(&self, path: &str, message: impl Into<String>) -> Problem {
        Problem {
            position: self.position.clone(),
            resource: self.resource.clone(),
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// A date or dateTime element: the calendar date as sent (no time-zone
    /// conversion), between 1900 and a year from today.
    pub fn date(&self, path: &str, value: Option<&str>) -> Result<Option<NaiveDate>, Problem> {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let date = text
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .filter(|_| text.len() == 10 || text.as_bytes().get(10) == Some(&b'T'));
        let Some(date) = date else {
            return Err(self.problem(
                path,
                "is not a full date (YYYY-MM-DD, a time may follow; a year or year-month alone is not enough)",
            ));
        };
        let latest = self
            .today
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX);
        if date < EARLIEST || date > latest {
            return Err(self.problem(
                path,
                format!("is outside {EARLIEST} to {latest} (1900 to a year from today)"),
            ));
        }
        Ok(Some(date))
    }

    /// A one-line text: no control characters.
    pub fn line(&self, path: &str, value: Option<&str>) -> Result<Option<String>, Problem> {
        let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if let Some(c) = text.chars().find(|&c| super::super::json::refused_char(c)) {
            return Err(self.problem(path, super::super::json::refusal(c)));
        }
        Ok(Some(text.to_string()))
    }
}

/// The identifier whose type has one of `codes` (table v2-0203), else the first.
pub fn typed_identifier<'a>(ids: &'a [Identifier], codes: &[&str]) -> Option<(usize, &'a str)> {
    let has_value = |i: &&Identifier| i.value.as_deref().is_some_and(|v| !v.trim().is_empty());
    let found = ids.iter().enumerate().find(|(_, i)| {
        has_value(i)
            && i.kind
                .as_ref()
                .is_some_and(|k| codes.iter().any(|c| k.has_code(c)))
    });
    found
        .or_else(|| ids.iter().enumerate().find(|(_, i)| has_value(i)))
        .and_then(|(n, i)| i.value.as_deref().map(|v| (n, v)))
}

/// A patient's MRN and demographics.
pub fn patient(at: &At, p: &model::Patient) -> Result<(String, Patient), Problem> {
    let mrn = match typed_identifier(&p.identifier, &["MR"]) {
        Some((n, v)) => at.line(&format!("identifier[{n}].value"), Some(v))?,
        None => at.line("id", p.id.as_deref())?,
    }
    .ok_or_else(|| {
        at.problem(
            "identifier",
            "no identifier and no id (the MRN is required)",
        )
    })?;
    let name = model::chosen_name(&p.name)
        .and_then(|n| n.full(false))
        .ok_or_else(|| at.problem("name", "is missing (the patient's name is required)"))?;
    let name = at
        .line("name", Some(&name))?
        .ok_or_else(|| at.problem("name", "is empty"))?;
    let birth_date = at
        .date("birthDate", p.birth_date.as_deref())?
        .ok_or_else(|| at.problem("birthDate", "is missing (the birth date is required)"))?;
    // AdministrativeGender: male, female; other and unknown are U.
    let sex = match p.gender.as_deref() {
        Some("female") => Sex::Female,
        Some("male") => Sex::Male,
        _ => Sex::Unknown,
    };
    Ok((
        mrn,
        Patient {
            name,
            birth_date,
            sex,
        },
    ))
}

/// A practitioner's name, "Prefix Given Family".
pub fn practitioner(p: &model::Practitioner) -> Option<String> {
    model::chosen_name(&p.name).and_then(|n| n.full(true))
}

/// Encounter.class (v3 ActCode) as an encounter type.
pub fn encounter_type(at: &At, class: Option<&Coding>) -> Result<EncounterType, Problem> {
    let code = class.and_then(|c| c.code.as_deref()).unwrap_or("");
    Ok(match code {
        "IMP" | "ACUTE" | "NONAC" => EncounterType::Inpatient,
        "EMER" => EncounterType::Emergency,
        "SS" => EncounterType::OutpatientSurgery,
        "AMB" | "OBSENC" | "PRENC" | "HH" | "VR" | "FLD" => EncounterType::Clinic,
        "" => return Err(at.problem("class.code", "is missing (the encounter class is required)")),
        other => {
            return Err(at.problem(
                "class.code",
                format!(
                    "{other:?} is not a class chartcoder maps (IMP, ACUTE, NONAC, EMER, SS, AMB, OBSENC, PRENC, HH, VR, FLD)"
                ),
            ));
        }
    })
}

/// hospitalization.dischargeDisposition as a UB-04 discharge status: a
/// two-digit code (NUBC), or the HL7 discharge-disposition codes with one
/// meaning; None (and the coding kept as documentation) otherwise.
pub fn disposition(c: &CodeableConcept) -> Option<String> {
    c.coding.iter().find_map(|coding| {
        let code = coding.code.as_deref()?.trim();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) {
            return Some(code.to_string());
        }
        Some(
            match code {
                "home" => "01",
                "snf" => "03",
                "aadvice" => "07",
                "exp" => "20",
                "rehab" => "62",
                "psy" => "65",
                "other-hcf" => "70",
                _ => return None,
            }
            .to_string(),
        )
    })
}

/// The name of a code system, by its URI.
pub fn system_name(uri: &str) -> &str {
    match uri {
        "http://snomed.info/sct" => "SNOMED CT",
        "http://hl7.org/fhir/sid/icd-10-cm" => "ICD-10-CM",
        "http://hl7.org/fhir/sid/icd-10" => "ICD-10",
        super::export::ICD10PCS => "ICD-10-PCS",
        super::export::CPT => "CPT",
        super::export::HCPCS => "HCPCS",
        "http://loinc.org" => "LOINC",
        other => other,
    }
}

/// "CODE display (system)" for each coding, joined by "; ".
pub fn codings(at: &At, path: &str, c: &CodeableConcept) -> Result<String, Problem> {
    let mut parts = Vec::new();
    for (n, coding) in c.coding.iter().enumerate() {
        let p = format!("{path}.coding[{n}]");
        let Some(code) = at.line(&format!("{p}.code"), coding.code.as_deref())? else {
            continue;
        };
        let mut s = code;
        if let Some(d) = at.line(&format!("{p}.display"), coding.display.as_deref())? {
            s.push(' ');
            s.push_str(&d);
        }
        if let Some(sys) = at.line(&format!("{p}.system"), coding.system.as_deref())? {
            s.push_str(&format!(" ({})", system_name(&sys)));
        }
        parts.push(s);
    }
    if parts.is_empty()
        && let Some(t) = at.line(&format!("{path}.text"), c.text.as_deref())?
    {
        parts.push(t);
    }
    Ok(parts.join("; "))
}

/// A Condition as a line of the source system's codes.
pub fn condition(at: &At, c: &model::Condition) -> Result<String, Problem> {
    let code = c.code.as_ref().ok_or_else(|| {
        at.problem(
            "code",
            "is missing (a condition without a code says nothing)",
        )
    })?;
    let what = codings(at, "code", code)?;
    let mut tags = Vec::new();
    for (i, cat) in c.category.iter().enumerate() {
        let label = match () {
            _ if cat.has_code("problem-list-item") => Some("problem list".to_string()),
            _ if cat.has_code("encounter-diagnosis") => Some("encounter diagnosis".to_string()),
            _ => at.line(&format!("category[{i}]"), cat.label())?,
        };
        tags.extend(label);
    }
    for (path, status) in [
        ("clinicalStatus", &c.clinical_status),
        ("verificationStatus", &c.verification_status),
    ] {
        if let Some(s) = status.as_ref().and_then(|s| s.coding.first()) {
            tags.extend(at.line(&format!("{path}.coding[0].code"), s.code.as_deref())?);
        }
    }
    let mut line = String::from("Condition");
    if !tags.is_empty() {
        line.push_str(&format!(" ({})", tags.join(", ")));
    }
    let onset = match at.date("onsetDateTime", c.onset_date_time.as_deref())? {
        Some(d) => Some(d),
        None => at.date("recordedDate", c.recorded_date.as_deref())?,
    };
    if let Some(d) = onset {
        line.push_str(&format!(" {d}"));
    }
    Ok(format!("{line}: {what}"))
}

/// A Procedure as a line of the source system's procedures.
pub fn procedure(
    at: &At,
    p: &model::Procedure,
    person: &dyn Fn(&Reference) -> Option<String>,
) -> Result<String, Problem> {
    let code = p.code.as_ref().ok_or_else(|| {
        at.problem(
            "code",
            "is missing (a procedure without a code says nothing)",
        )
    })?;
    let what = codings(at, "code", code)?;
    let date = match at.date("performedDateTime", p.performed_date_time.as_deref())? {
        Some(d) => Some(d),
        None => at.date(
            "performedPeriod.start",
            p.performed_period.as_ref().and_then(|x| x.start.as_deref()),
        )?,
    };
    let mut line = String::from("Procedure");
    if let Some(s) = at.line("status", p.status.as_deref())? {
        line.push_str(&format!(" ({s})"));
    }
    if let Some(d) = date {
        line.push_str(&format!(" {d}"));
    }
    let by = p
        .performer
        .iter()
        .filter_map(|x| x.actor.as_ref())
        .find_map(person);
    if let Some(by) = at.line("performer[0].actor", by.as_deref())? {
        line.push_str(&format!(" by {by}"));
    }
    Ok(format!("{line}: {what}"))
}

/// LOINC document and report codes as a document kind.
pub fn document_kind(c: Option<&CodeableConcept>) -> DocumentKind {
    let Some(c) = c else {
        return DocumentKind::Other;
    };
    let table: &[(&str, DocumentKind)] = &[
        ("18842-5", DocumentKind::DischargeSummary),
        ("34117-2", DocumentKind::HistoryAndPhysical),
        ("11506-3", DocumentKind::ProgressNote),
        ("11504-8", DocumentKind::OperativeReport),
        ("28570-0", DocumentKind::ProcedureNote),
        ("34111-5", DocumentKind::EdNote),
        ("11488-4", DocumentKind::Consultation),
        ("11526-1", DocumentKind::Pathology),
        ("60567-5", DocumentKind::Pathology),
        ("18748-4", DocumentKind::Imaging),
        ("34746-8", DocumentKind::Nursing),
        ("11502-2", DocumentKind::Laboratory),
    ];
    table
        .iter()
        .find(|(code, _)| c.has_code(code))
        .map_or(DocumentKind::Other, |(_, k)| *k)
}

/// DiagnosticReport.category (v2-0074, or LOINC LP parts) as a document kind.
pub fn report_kind(categories: &[CodeableConcept], code: Option<&CodeableConcept>) -> DocumentKind {
    let any = |codes: &[&str]| {
        categories
            .iter()
            .any(|c| codes.iter().any(|code| c.has_code(code)))
    };
    if any(&["PAT", "SP", "CP", "LP7839-6"]) {
        DocumentKind::Pathology
    } else if any(&[
        "RAD",
        "CT",
        "MR",
        "US",
        "NMR",
        "NMS",
        "RX",
        "XR",
        "VUS",
        "LP29684-5",
    ]) {
        DocumentKind::Imaging
    } else if any(&["LAB", "CH", "HM", "MB", "SE"]) {
        DocumentKind::Laboratory
    } else {
        document_kind(code)
    }
}

/// What an attachment gave.
pub enum Text {
    Some(String),
    /// Not usable as a document, and why (reported; the chart is still imported).
    Skipped(String),
}

/// The plain text of an attachment (`data`, base64); a URL-only or
/// non-text attachment is reported, never fetched.
pub fn attachment_text(at: &At, path: &str, a: &Attachment) -> Result<Text, Problem> {
    let content_type = a.content_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let mut parts = content_type.split(';').map(str::trim);
    let mime = parts.next().unwrap_or("");
    let charset = parts
        .find_map(|p| p.strip_prefix("charset="))
        .map(|c| c.trim_matches('"').to_string());
    if mime != "text/plain" {
        let what = if mime.is_empty() {
            "no contentType"
        } else {
            mime
        };
        return Ok(Text::Skipped(format!(
            "{path}: {what} is not text/plain (not imported)"
        )));
    }
    let Some(data) = a.data.as_deref() else {
        return Ok(Text::Skipped(match &a.url {
            Some(_) => format!("{path}.url: the text is only at a URL (reported, not fetched)"),
            None => format!("{path}: no data (not imported)"),
        }));
    };
    let bytes = super::super::hl7::map::base64(data)
        .ok_or_else(|| at.problem(&format!("{path}.data"), "is not base64"))?;
    let text = match charset.as_deref() {
        None | Some("utf-8" | "utf8" | "us-ascii") => String::from_utf8(bytes)
            .map_err(|_| at.problem(&format!("{path}.data"), "does not decode to UTF-8 text"))?,
        Some("iso-8859-1" | "latin1") => bytes.iter().map(|&b| char::from(b)).collect(),
        Some(other) => {
            return Err(at.problem(
                &format!("{path}.contentType"),
                format!("charset {other:?} is not taken (utf-8, iso-8859-1)"),
            ));
        }
    };
    let text = text.replace("\r\n", "\n").trim_end().to_string();
    if let Some(c) = super::super::json::refused_in_document(&text) {
        return Err(at.problem(&format!("{path}.data"), super::super::json::refusal(c)));
    }
    if text.trim().is_empty() {
        return Ok(Text::Skipped(format!(
            "{path}.data: empty text (not imported)"
        )));
    }
    Ok(Text::Some(text))
}

/// A document of the chart, with what the attachment gave.
pub struct Built {
    pub document: Option<Document>,
    pub skipped: Vec<String>,
}

/// The first text/plain attachment with data among `attachments`, as a document.
pub fn document(
    at: &At,
    path: &str,
    attachments: &[(String, &Attachment)],
    make: impl FnOnce(String) -> Document,
) -> Result<Built, Problem> {
    let mut skipped = Vec::new();
    for (p, a) in attachments {
        match attachment_text(at, &format!("{path}{p}"), a)? {
            Text::Some(text) => {
                return Ok(Built {
                    document: Some(make(text)),
                    skipped,
                });
            }
            Text::Skipped(why) => skipped.push(why),
        }
    }
    if attachments.is_empty() {
        skipped.push(format!("{path}: no attachment (not imported)"));
    }
    Ok(Built {
        document: None,
        skipped,
    })
}
