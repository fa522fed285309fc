//! What a message means for chartcoder: the HL7 fields mapped to a visit (ADT)
//! or to documents (MDM, ORU). The mapping table is in README.md "HL7 v2
//! interface"; every rule there is a function here.

use super::parse::{ErrorCode, Hl7Problem, Message, Place, Segment, Value};
use crate::domain::{Document, DocumentKind, EncounterType, Patient, Sex};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A visit as the registration system describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub account: String,
    pub mrn: String,
    pub name: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub encounter_type: String,
    pub admit_date: NaiveDate,
    pub attending: Option<String>,
    pub other_providers: Vec<String>,
    pub payer: Option<String>,
    pub discharge_date: Option<NaiveDate>,
    pub disposition: Option<String>,
    /// The source system's codes (DG1, PV2-3), one line each: documentation.
    pub source_codes: Vec<String>,
}

impl Visit {
    pub fn patient(&self) -> Patient {
        Patient {
            name: self.name.clone(),
            birth_date: self.birth_date,
            sex: self.sex.parse().unwrap_or(Sex::Unknown),
        }
    }

    /// This visit over an earlier one: what this message leaves out (payer,
    /// attending, other providers, discharge) is kept, and the source
    /// system's codes of both are kept, each once.
    pub fn merged_over(&self, earlier: &Visit) -> Visit {
        let mut v = self.clone();
        v.attending = v.attending.or_else(|| earlier.attending.clone());
        v.payer = v.payer.or_else(|| earlier.payer.clone());
        v.discharge_date = v.discharge_date.or(earlier.discharge_date);
        v.disposition = v.disposition.or_else(|| earlier.disposition.clone());
        if v.other_providers.is_empty() {
            v.other_providers = earlier.other_providers.clone();
        }
        let mut codes = earlier.source_codes.clone();
        for c in &self.source_codes {
            if !codes.contains(c) {
                codes.push(c.clone());
            }
        }
        v.source_codes = codes;
        v
    }

    pub fn encounter_type(&self) -> EncounterType {
        self.encounter_type.parse().unwrap_or(EncounterType::Clinic)
    }
}

/// A document of a message, with the source system's number for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundDocument {
    /// The sender's unique number (TXA-12, or ORU OBR-3/OBR-2): a later
    /// message with the same number replaces the document.
    pub reference: String,
    /// TXA-13 (T10): the number of the document this one replaces.
    pub replaces: Option<String>,
    pub document: Document,
}

/// What a message asks chartcoder to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A01/A04: a visit begins (or, sent again, is brought up to date).
    Admit(Visit),
    /// A08: the visit's details changed.
    Update(Visit),
    /// A03: the visit ended; the chart enters the coding queue.
    Discharge(Visit),
    /// A11.
    CancelAdmit { account: String },
    /// A13.
    CancelDischarge { account: String },
    /// MDM T02/T04/T08/T10, ORU R01.
    Documents {
        account: String,
        documents: Vec<InboundDocument>,
    },
}

impl Event {
    pub fn account(&self) -> &str {
        match self {
            Event::Admit(v) | Event::Update(v) | Event::Discharge(v) => &v.account,
            Event::CancelAdmit { account }
            | Event::CancelDischarge { account }
            | Event::Documents { account, .. } => account,
        }
    }
}

/// The oldest date taken (as the JSON import).
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Reads fields, turning what is wrong into a problem with its place.
pub struct Reader<'m, 'a> {
    pub message: &'m Message<'a>,
    pub today: NaiveDate,
}

fn problem(place: &Place, code: ErrorCode, message: impl Into<String>) -> Hl7Problem {
    Hl7Problem::new(place.clone(), code, message)
}

/// A one-line text: decoded, without control characters.
pub fn line(v: &Value<'_>) -> Result<Option<String>, Hl7Problem> {
    let text = v.text()?;
    if let Some(c) = text
        .as_deref()
        .and_then(|t| t.chars().find(|&c| super::super::json::refused_char(c)))
    {
        return Err(problem(
            v.place(),
            ErrorCode::DataType,
            super::super::json::refusal(c),
        ));
    }
    Ok(text)
}

fn required(v: &Value<'_>, what: &str) -> Result<String, Hl7Problem> {
    line(v)?.ok_or_else(|| {
        problem(
            v.place(),
            ErrorCode::RequiredFieldMissing,
            format!("is empty ({what} is required)"),
        )
    })
}

impl Reader<'_, '_> {
    /// A date (DT/DTM/TS): the calendar date as sent, whatever the time zone.
    pub fn date(&self, v: &Value<'_>) -> Result<Option<NaiveDate>, Hl7Problem> {
        let Some(text) = line(&v.component(1))? else {
            return Ok(None);
        };
        let digits = text
            .get(..8)
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        let date = digits.and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok());
        let Some(date) = date else {
            return Err(problem(
                v.place(),
                ErrorCode::DataType,
                "is not a date (YYYYMMDD, a time may follow)",
            ));
        };
        let latest = self
            .today
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX);
        if date < EARLIEST || date > latest {
            return Err(problem(
                v.place(),
                ErrorCode::DataType,
                format!("is outside {EARLIEST} to {latest} (1900 to a year from today)"),
            ));
        }
        Ok(Some(date))
    }

    fn segment(&self, id: &str) -> Result<&Segment<'_>, Hl7Problem> {
        self.message.segment(id).ok_or_else(|| {
            problem(
                &Place::segment(id, 1),
                ErrorCode::SegmentSequence,
                format!("the message has no {id} segment"),
            )
        })
    }

    /// The account: PID-18, else PV1-19.
    pub fn account(&self) -> Result<String, Hl7Problem> {
        let pid = self.segment("PID")?;
        if let Some(a) = line(&pid.field(18).component(1))? {
            return Ok(a);
        }
        if let Some(pv1) = self.message.segment("PV1")
            && let Some(a) = line(&pv1.field(19).component(1))?
        {
            return Ok(a);
        }
        Err(problem(
            &pid.place(18),
            ErrorCode::RequiredFieldMissing,
            "is empty, and so is PV1-19 (the account is required)",
        ))
    }

    /// The MRN: the PID-3 repetition whose identifier type (CX-5) is MR, else the first.
    pub fn mrn(&self) -> Result<String, Hl7Problem> {
        let pid = self.segment("PID")?;
        let reps = pid.field(3).repetitions();
        let chosen = reps
            .iter()
            .find(|r| r.component(5).raw().trim() == "MR")
            .or_else(|| reps.iter().find(|r| !r.component(1).is_empty()));
        match chosen {
            Some(r) => required(&r.component(1), "the MRN"),
            None => Err(problem(
                &pid.place(3),
                ErrorCode::RequiredFieldMissing,
                "is empty (the MRN is required)",
            )),
        }
    }

    fn patient(&self) -> Result<(String, NaiveDate, String), Hl7Problem> {
        let pid = self.segment("PID")?;
        // The legal name (XPN-7 = L) when several are sent, else the first.
        let names = pid.field(5).repetitions();
        let name = names
            .iter()
            .find(|n| n.component(7).raw().trim() == "L")
            .or(names.first())
            .cloned()
            .unwrap_or_else(|| pid.field(5));
        let family = required(&name.component(1), "the family name")?;
        let given = line(&name.component(2))?;
        let middle = line(&name.component(3))?;
        let full = [given, middle, Some(family)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let birth = self.date(&pid.field(7))?.ok_or_else(|| {
            problem(
                &pid.place(7),
                ErrorCode::RequiredFieldMissing,
                "is empty (the birth date is required)",
            )
        })?;
        // Table 0001: F, M; A, N, O, U, X and nothing are U.
        let sex = match line(&pid.field(8))?.as_deref() {
            Some("F") => "F",
            Some("M") => "M",
            _ => "U",
        };
        Ok((full, birth, sex.to_string()))
    }

    /// A person (XCN): "Given Family", else the id.
    fn person(&self, v: &Value<'_>) -> Result<Option<String>, Hl7Problem> {
        let family = line(&v.component(2))?;
        let given = line(&v.component(3))?;
        let prefix = line(&v.component(6))?;
        let name = [prefix, given, family]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            line(&v.component(1))
        } else {
            Ok(Some(name))
        }
    }

    /// The encounter type from PV1-2 (and PV1-10 for outpatient surgery).
    fn encounter_type(&self, pv1: &Segment<'_>) -> Result<EncounterType, Hl7Problem> {
        let class = required(&pv1.field(2).component(1), "the patient class")?;
        let service = line(&pv1.field(10).component(1))?.unwrap_or_default();
        Ok(match class.as_str() {
            "I" | "B" => EncounterType::Inpatient,
            "E" => EncounterType::Emergency,
            "O" if matches!(service.as_str(), "SUR" | "SURG" | "OPS" | "AMB SURG") => {
                EncounterType::OutpatientSurgery
            }
            "O" | "R" => EncounterType::Clinic,
            other => {
                return Err(problem(
                    &pv1.place(2),
                    ErrorCode::TableValueNotFound,
                    format!("patient class {other:?} is not one chartcoder maps (I, B, E, O, R)"),
                ));
            }
        })
    }

    /// The source system's codes: DG1-3 (with DG1-6) and PV2-3, one line each.
    fn source_codes(&self) -> Result<Vec<String>, Hl7Problem> {
        let mut lines = Vec::new();
        for dg1 in self.message.all("DG1") {
            let code = dg1.field(3);
            let Some(id) = line(&code.component(1))? else {
                continue;
            };
            let text = line(&code.component(2))?.or(line(&dg1.field(4))?);
            let system = line(&code.component(3))?.or(line(&dg1.field(2))?);
            let kind = match line(&dg1.field(6))?.as_deref() {
                Some("A") => "admitting",
                Some("W") => "working",
                Some("F") => "final",
                _ => "diagnosis",
            };
            lines.push(code_line("DG1", kind, &id, text, system));
        }
        if let Some(pv2) = self.message.segment("PV2") {
            let reason = pv2.field(3);
            if let Some(id) = line(&reason.component(1))? {
                let text = line(&reason.component(2))?;
                let system = line(&reason.component(3))?;
                lines.push(code_line("PV2-3", "admit reason", &id, text, system));
            } else if let Some(text) = line(&reason.component(2))? {
                lines.push(format!("PV2-3 admit reason: {text}"));
            }
        }
        Ok(lines)
    }

    /// PID and PV1 as a visit.
    pub fn visit(&self) -> Result<Visit, Hl7Problem> {
        let account = self.account()?;
        let mrn = self.mrn()?;
        let (name, birth_date, sex) = self.patient()?;
        let pv1 = self.segment("PV1")?;
        let encounter_type = self.encounter_type(pv1)?;
        let admit_date = self.date(&pv1.field(44))?.ok_or_else(|| {
            problem(
                &pv1.place(44),
                ErrorCode::RequiredFieldMissing,
                "is empty (the admit date is required)",
            )
        })?;
        if admit_date < birth_date {
            return Err(problem(
                &pv1.place(44),
                ErrorCode::DataType,
                "is before the birth date (PID-7)",
            ));
        }
        let discharge_date = self.date(&pv1.field(45))?;
        if discharge_date.is_some_and(|d| d < admit_date) {
            return Err(problem(
                &pv1.place(45),
                ErrorCode::DataType,
                "is before the admit date (PV1-44)",
            ));
        }
        let disposition = line(&pv1.field(36).component(1))?;
        if let Some(d) = &disposition
            && !(d.len() == 2 && d.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(problem(
                &pv1.place(36),
                ErrorCode::TableValueNotFound,
                "is not a two-digit discharge status code (e.g. 01)",
            ));
        }
        let attending = self.person(&pv1.field(7))?;
        let mut other_providers = Vec::new();
        for c in pv1.field(9).repetitions() {
            if let Some(p) = self.person(&c)? {
                other_providers.push(p);
            }
        }
        let payer = match self.message.segment("IN1") {
            Some(in1) => line(&in1.field(4).component(1))?,
            None => None,
        };
        Ok(Visit {
            account,
            mrn,
            name,
            birth_date,
            sex,
            encounter_type: encounter_type.as_str().to_string(),
            admit_date,
            attending,
            other_providers,
            payer,
            discharge_date,
            disposition,
            source_codes: self.source_codes()?,
        })
    }

    /// A text document from TXA and the OBX segments after it (MDM).
    pub fn mdm_document(&self, sender: &str) -> Result<InboundDocument, Hl7Problem> {
        let txa = self.segment("TXA")?;
        let type_code = required(&txa.field(2).component(1), "the document type")?;
        let kind = document_kind(&type_code);
        let title = line(&txa.field(2).component(2))?;
        let author = match self.person(&txa.field(9))? {
            Some(a) => a,
            None => sender.to_string(),
        };
        let date = match self.date(&txa.field(4))? {
            Some(d) => d,
            None => self.date(&txa.field(6))?.ok_or_else(|| {
                problem(
                    &txa.place(4),
                    ErrorCode::RequiredFieldMissing,
                    "is empty, and so is TXA-6 (the document date is required)",
                )
            })?,
        };
        let reference = required(&txa.field(12).component(1), "the unique document number")?;
        let replaces = line(&txa.field(13).component(1))?;
        let signed = matches!(line(&txa.field(17))?.as_deref(), Some("AU" | "LA"));
        let obx: Vec<&Segment<'_>> = self.message.all("OBX").collect();
        let text = self.observation_text(&obx, &txa.place(12))?;
        Ok(InboundDocument {
            reference,
            replaces,
            document: Document {
                kind,
                author,
                signed,
                date,
                title: title.or_else(|| Some(kind.label().to_string())),
                text,
            },
        })
    }

    /// The text of OBX segments: each one line (TX, FT, ST; `\.br\` a line
    /// break), an ED a base64 (or ASCII) plain-text payload, other value
    /// types "label: value units".
    fn observation_text(&self, obx: &[&Segment<'_>], whole: &Place) -> Result<String, Hl7Problem> {
        let mut lines: Vec<String> = Vec::new();
        for seg in obx {
            let value_type = line(&seg.field(2))?.unwrap_or_default();
            match value_type.as_str() {
                "TX" | "FT" | "ST" | "" => {
                    let reps: Vec<String> = seg
                        .field(5)
                        .repetitions()
                        .iter()
                        .map(Value::text_untrimmed)
                        .collect::<Result<_, _>>()?;
                    lines.push(reps.join("\n").trim_end().to_string());
                }
                "ED" => lines.push(encapsulated_text(&seg.field(5))?),
                _ => {
                    let label = line(&seg.field(3).component(2))?
                        .or(line(&seg.field(3).component(1))?)
                        .unwrap_or_default();
                    let value = seg
                        .field(5)
                        .repetitions()
                        .iter()
                        .map(|r| Ok(line(r)?.unwrap_or_default()))
                        .collect::<Result<Vec<_>, Hl7Problem>>()?
                        .join(", ");
                    let units = line(&seg.field(6).component(1))?.unwrap_or_default();
                    let flag = line(&seg.field(8))?
                        .map(|f| format!(" [{f}]"))
                        .unwrap_or_default();
                    lines.push(
                        format!("{label}: {value} {units}{flag}")
                            .trim_end()
                            .to_string(),
                    );
                }
            }
        }
        let text = lines.join("\n");
        if let Some(c) = super::super::json::refused_in_document(&text) {
            let place = obx.first().map_or(whole.clone(), |s| s.place(5));
            return Err(problem(
                &place,
                ErrorCode::DataType,
                super::super::json::refusal(c),
            ));
        }
        if text.trim().is_empty() {
            let place = obx.first().map_or(whole.clone(), |s| s.place(5));
            return Err(problem(
                &place,
                ErrorCode::RequiredFieldMissing,
                "the document has no text (OBX-5)",
            ));
        }
        Ok(text)
    }

    /// ORU^R01: a document per OBR with the OBX segments after it.
    pub fn oru_documents(&self, sender: &str) -> Result<Vec<InboundDocument>, Hl7Problem> {
        let mut groups: Vec<(&Segment<'_>, Vec<&Segment<'_>>)> = Vec::new();
        for seg in &self.message.segments {
            match seg.id {
                "OBR" => groups.push((seg, Vec::new())),
                "OBX" => match groups.last_mut() {
                    Some((_, obx)) => obx.push(seg),
                    None => {
                        return Err(problem(
                            &Place::segment("OBX", seg.sequence),
                            ErrorCode::SegmentSequence,
                            "an OBX before any OBR",
                        ));
                    }
                },
                _ => {}
            }
        }
        if groups.is_empty() {
            return Err(problem(
                &Place::segment("OBR", 1),
                ErrorCode::SegmentSequence,
                "the message has no OBR segment",
            ));
        }
        let mut documents = Vec::new();
        for (obr, obx) in groups {
            let service = obr.field(4);
            let code = line(&service.component(1))?;
            let name = line(&service.component(2))?;
            let section = line(&obr.field(24))?.unwrap_or_default();
            let kind = match section.as_str() {
                "SP" | "AP" | "CP" | "PAT" | "SR" => DocumentKind::Pathology,
                "RAD" | "CT" | "MR" | "US" | "NMR" | "NMS" | "RX" | "XR" | "VUS" => {
                    DocumentKind::Imaging
                }
                "LAB" | "CH" | "HM" | "MB" | "SE" | "CHEM" | "HEM" => DocumentKind::Laboratory,
                _ => DocumentKind::Other,
            };
            let reference = match line(&obr.field(3).component(1))? {
                Some(r) => r,
                None => required(
                    &obr.field(2).component(1),
                    "the order number (OBR-3 or OBR-2)",
                )?,
            };
            let date = match self.date(&obr.field(7))? {
                Some(d) => d,
                None => self.date(&obr.field(22))?.ok_or_else(|| {
                    problem(
                        &obr.place(7),
                        ErrorCode::RequiredFieldMissing,
                        "is empty, and so is OBR-22 (the result date is required)",
                    )
                })?,
            };
            // OBR-32's CNN: id & family & given, read like an XCN.
            let interpreter = obr.field(32).component(1);
            let author = match self.person(&interpreter)? {
                Some(a) => a,
                None => sender.to_string(),
            };
            let signed = matches!(line(&obr.field(25))?.as_deref(), Some("F" | "C"));
            let mut text = self.observation_text(&obx, &obr.place(4))?;
            if let Some(code) = &code {
                // OBR-4 is the sender's order code: documentation only.
                text = format!(
                    "Ordered (OBR-4, the source system's code): {code}{}\n{text}",
                    name.as_deref().map(|n| format!(" {n}")).unwrap_or_default()
                );
            }
            documents.push(InboundDocument {
                reference: format!("OBR:{reference}"),
                replaces: None,
                document: Document {
                    kind,
                    author,
                    signed,
                    date,
                    title: name.or_else(|| Some(kind.label().to_string())),
                    text,
                },
            });
        }
        Ok(documents)
    }
}

fn code_line(
    segment: &str,
    kind: &str,
    code: &str,
    text: Option<String>,
    system: Option<String>,
) -> String {
    let mut s = format!("{segment} {kind}: {code}");
    if let Some(t) = text {
        s.push_str(&format!(" {t}"));
    }
    if let Some(sys) = system {
        s.push_str(&format!(" ({sys})"));
    }
    s
}

/// TXA-2 (table 0270) as a document kind.
pub fn document_kind(code: &str) -> DocumentKind {
    match code {
        "DS" => DocumentKind::DischargeSummary,
        "HP" => DocumentKind::HistoryAndPhysical,
        "PR" => DocumentKind::ProgressNote,
        "PN" => DocumentKind::ProcedureNote,
        "OP" => DocumentKind::OperativeReport,
        "ED" => DocumentKind::EdNote,
        "CN" | "PC" => DocumentKind::Consultation,
        "SP" | "AR" => DocumentKind::Pathology,
        "DI" => DocumentKind::Imaging,
        _ => DocumentKind::Other,
    }
}

/// OBX-5 of type ED: source ^ type ^ subtype ^ encoding ^ data, plain text only.
fn encapsulated_text(v: &Value<'_>) -> Result<String, Hl7Problem> {
    let kind = v.component(2).raw().trim().to_ascii_uppercase();
    let subtype = v.component(3).raw().trim().to_ascii_uppercase();
    let encoding = v.component(4).raw().trim().to_ascii_uppercase();
    let text_type = matches!(kind.as_str(), "TEXT" | "TX" | "")
        && matches!(subtype.as_str(), "PLAIN" | "TEXT" | "" | "X-HL7-TEXT");
    if !text_type {
        return Err(problem(
            v.place(),
            ErrorCode::DataType,
            format!(
                "the encapsulated data is {}/{} (chartcoder takes plain text only)",
                kind.to_lowercase(),
                subtype.to_lowercase()
            ),
        ));
    }
    let data = v.component(5).text_untrimmed()?;
    let bytes = match encoding.as_str() {
        "BASE64" => base64(&data).ok_or_else(|| {
            problem(
                v.place(),
                ErrorCode::DataType,
                "the base64 payload does not decode",
            )
        })?,
        "A" | "" => data.into_bytes(),
        other => {
            return Err(problem(
                v.place(),
                ErrorCode::DataType,
                format!("encoding {other:?} is not taken (Base64 or A)"),
            ));
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| {
        problem(
            v.place(),
            ErrorCode::DataType,
            "the payload is not UTF-8 text",
        )
    })?;
    Ok(text.replace("\r\n", "\n").trim_end().to_string())
}

/// Standard base64 (padding optional, whitespace ignored).
pub fn base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in text.bytes().filter(|b| !b.is_ascii_whitespace()) {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(base64("SGVsbG8=").unwrap(), b"Hello");
        assert_eq!(base64("SGVsbG8").unwrap(), b"Hello");
        assert_eq!(base64("SGVs\nbG8h").unwrap(), b"Hello!");
        assert!(base64("SGV*").is_none());
    }

    #[test]
    fn txa_types_map_to_kinds() {
        assert_eq!(document_kind("DS"), DocumentKind::DischargeSummary);
        assert_eq!(document_kind("PR"), DocumentKind::ProgressNote);
        assert_eq!(document_kind("PN"), DocumentKind::ProcedureNote);
        assert_eq!(document_kind("ZZ"), DocumentKind::Other);
    }
}
