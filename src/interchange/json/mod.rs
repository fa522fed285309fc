//! The JSON chart format (documented in README.md): import with every problem
//! named by its position, and an export that imports back to the same charts.

use super::Problem as ImportProblem;
use crate::codeset::Lines;
use crate::domain::{Chart, CodeSystem, pointer_letter};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::HashMap;

mod read;
use read::to_domain;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn<'a> {
    #[serde(borrow)]
    charts: Vec<&'a RawValue>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    charts: &'a [ChartJson],
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChartJson {
    account: String,
    mrn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    patient: PatientJson,
    encounter: EncounterJson,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    documents: Vec<DocumentJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    diagnoses: Vec<DiagnosisJson>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    procedures: Vec<ProcedureJson>,
    /// The MS-DRG the chart was completed with (export; import keeps it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    drg: Option<DrgJson>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DrgJson {
    drg: u16,
    mdc: u8,
    #[serde(default)]
    weight: Option<f64>,
    grouper_version: String,
    #[serde(default)]
    table5_edition: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PatientJson {
    name: String,
    birth_date: String,
    sex: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EncounterJson {
    #[serde(rename = "type")]
    encounter_type: String,
    admit_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    discharge_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attending: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    other_providers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    payer: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentJson {
    kind: String,
    author: String,
    #[serde(default = "yes")]
    signed: bool,
    date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    text: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiagnosisJson {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    edition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    poa: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProcedureJson {
    code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    modifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    units: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pointers: Vec<String>,
}

/// The oldest date an import takes (birth, admission, documents, procedures).
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The oldest age at admission an import takes, in whole years.
const MAX_AGE: u32 = 125;

/// serde's messages end in "at line L column C" (relative to the part parsed) and may
/// quote the offending value, which can be PHI: keep the message, drop both.
fn serde_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    // "invalid type: integer `19500101`, expected ...": the value, not a field name.
    let redacted;
    let text = match (
        text.starts_with("invalid "),
        text.find('`'),
        text.find(", expected"),
    ) {
        (true, Some(open), Some(expected)) if open < expected => {
            redacted = format!("{}{}", &text[..open].trim_end(), &text[expected..]);
            redacted.as_str()
        }
        _ => text,
    };
    let mut out = String::with_capacity(text.len());
    let mut in_quotes = false;
    for c in text.chars() {
        if c == '"' {
            if !in_quotes {
                out.push_str("\"…\"");
            }
            in_quotes = !in_quotes;
        } else if !in_quotes {
            out.push(c);
        }
    }
    out
}

/// Parses an import file: every chart, or the list of every problem found.
/// Dates must fall between 1900-01-01 and a year from today.
pub fn parse_charts(bytes: &[u8]) -> Result<Vec<(String, Chart)>, Vec<ImportProblem>> {
    parse_charts_on(bytes, chrono::Local::now().date_naive())
}

/// [`parse_charts`] with the date taken as today (the latest date accepted is a
/// year after it). Time and memory grow linearly with the file.
pub fn parse_charts_on(
    bytes: &[u8],
    today: NaiveDate,
) -> Result<Vec<(String, Chart)>, Vec<ImportProblem>> {
    parse(bytes, today, false)
        .map(|charts| charts.into_iter().map(|c| (c.position, c.chart)).collect())
}

/// One chart of a file read as the claims came (`chartcoder validate FILE`).
#[derive(Debug, Clone)]
pub struct AsReported {
    /// Where the chart is in the file ("charts[2] (line 40)").
    pub position: String,
    pub chart: Chart,
    /// Diagnoses whose POA value is not one of the POA values: the code and the
    /// value as written. The diagnosis is kept, without a POA.
    pub invalid_poa: Vec<(String, String)>,
}

/// Reads an import file as the claims came, for checking rather than storing:
/// what the rules judge is kept for them (a POA value that is not one,
/// reported as an error finding by `validate`; a diagnosis listed twice, the
/// MCE's duplicate of the principal) where the import refuses it. Anything
/// else the import refuses is refused here too, with the same words.
pub fn parse_as_reported(bytes: &[u8]) -> Result<Vec<AsReported>, Vec<ImportProblem>> {
    parse(bytes, chrono::Local::now().date_naive(), true)
}

fn parse(
    bytes: &[u8],
    today: NaiveDate,
    as_reported: bool,
) -> Result<Vec<AsReported>, Vec<ImportProblem>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(vec![ImportProblem {
                position: format!("line {line}"),
                field: None,
                message: "the file is not valid UTF-8 text".into(),
            }]);
        }
    };
    // A byte order mark (Windows editors write one) is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let file: FileIn<'_> = serde_json::from_str(text).map_err(|e| {
        vec![ImportProblem {
            position: format!("line {} column {}", e.line(), e.column()),
            field: None,
            message: format!(
                "{} (expected a JSON object {{\"charts\": [...]}})",
                serde_message(&e)
            ),
        }]
    })?;
    let mut problems = Vec::new();
    let mut charts = Vec::with_capacity(file.charts.len());
    let mut first_seen: HashMap<String, String> = HashMap::new();
    let dates = DateRange {
        earliest: EARLIEST,
        latest: today
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX),
    };
    // The charts come in file order: their lines are counted in one pass (from
    // the file start for each chart, a 111 MB file took minutes).
    let mut lines = Lines::new(text);
    for (i, raw) in file.charts.iter().enumerate() {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let line = lines.at(offset);
        let position = format!("charts[{i}] (line {line})");
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let parsed: ChartJson = match serde_path_to_error::deserialize(&mut de) {
            Ok(c) => c,
            Err(e) => {
                // The field by its path and the line of the value itself.
                let path = e.path().to_string();
                let e = e.into_inner();
                problems.push(ImportProblem {
                    position: format!("charts[{i}] (line {})", line + e.line().saturating_sub(1)),
                    field: (!path.is_empty() && path != ".").then_some(path),
                    message: serde_message(&e),
                });
                continue;
            }
        };
        let before = problems.len();
        let mut invalid_poa = Vec::new();
        let chart = to_domain(
            parsed,
            &position,
            dates,
            &mut problems,
            as_reported.then_some(&mut invalid_poa),
        );
        if let Some(chart) = chart.filter(|_| problems.len() == before) {
            if let Some(first) = first_seen.get(&chart.account) {
                problems.push(ImportProblem {
                    position: position.clone(),
                    field: Some("account".into()),
                    message: format!("the same account as {first}"),
                });
            } else {
                first_seen.insert(chart.account.clone(), position.clone());
            }
            charts.push(AsReported {
                position,
                chart,
                invalid_poa,
            });
        }
    }
    if problems.is_empty() {
        Ok(charts)
    } else {
        Err(problems)
    }
}

/// The dates an import accepts, both ends included.
#[derive(Clone, Copy)]
struct DateRange {
    earliest: NaiveDate,
    latest: NaiveDate,
}

/// A character refused in imported text: control characters (C0, DEL, C1) and
/// the bidirectional controls that make text display as something it is not.
pub(super) fn refused_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// The first refused character of a one-line field.
fn refused_in_line(value: &str) -> Option<char> {
    value.chars().find(|&c| refused_char(c))
}

/// The first refused character of a document's text, which keeps its line
/// breaks (LF, or CR LF as Windows systems write them) and tabs.
pub(super) fn refused_in_document(value: &str) -> Option<char> {
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => {}
            '\r' if chars.peek() == Some(&'\n') => {}
            c if refused_char(c) => return Some(c),
            _ => {}
        }
    }
    None
}

/// What a refused character is, by its code point: never the text around it.
pub(super) fn refusal(c: char) -> String {
    let kind = if c.is_control() {
        "a control character"
    } else {
        "a bidirectional text control"
    };
    format!("contains {kind} (U+{:04X})", u32::from(c))
}

fn from_domain(c: &Chart) -> ChartJson {
    let e = &c.encounter;
    ChartJson {
        account: c.account.clone(),
        mrn: c.mrn.clone(),
        status: Some(c.status.as_str().to_string()),
        patient: PatientJson {
            name: c.patient.name.clone(),
            birth_date: c.patient.birth_date.to_string(),
            sex: c.patient.sex.as_str().to_string(),
        },
        encounter: EncounterJson {
            encounter_type: e.encounter_type.as_str().to_string(),
            admit_date: e.admit_date.to_string(),
            discharge_date: Some(e.discharge_date.to_string()),
            disposition: e.disposition.clone(),
            attending: e.attending.clone(),
            other_providers: e.other_providers.clone(),
            payer: e.payer.clone(),
        },
        documents: c
            .documents
            .iter()
            .map(|d| DocumentJson {
                kind: d.kind.as_str().to_string(),
                author: d.author.clone(),
                signed: d.signed,
                date: d.date.to_string(),
                title: d.title.clone(),
                text: d.text.clone(),
            })
            .collect(),
        diagnoses: c
            .diagnoses
            .iter()
            .map(|d| DiagnosisJson {
                code: d.code.clone(),
                system: Some(d.system.as_str().to_string()),
                edition: Some(d.edition.clone()),
                poa: d.poa.map(|p| p.as_str().to_string()),
            })
            .collect(),
        procedures: c
            .procedures
            .iter()
            .map(|p| ProcedureJson {
                code: p.code.clone(),
                system: Some(p.system.as_str().to_string()),
                date: p.date.map(|d| d.to_string()),
                provider: p.provider.clone(),
                modifiers: p.modifiers.clone(),
                units: (p.system != CodeSystem::Icd10Pcs).then_some(p.units),
                pointers: p
                    .pointers
                    .iter()
                    .filter_map(|&n| pointer_letter(n))
                    .map(String::from)
                    .collect(),
            })
            .collect(),
        drg: c.final_drg.as_ref().map(|d| DrgJson {
            drg: d.drg,
            mdc: d.mdc,
            weight: d.weight,
            grouper_version: d.grouper_version.clone(),
            table5_edition: d.table5_edition.clone(),
        }),
    }
}

/// Writes charts in the import format, pretty-printed.
pub fn write_charts(charts: &[Chart], out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let json: Vec<ChartJson> = charts.iter().map(from_domain).collect();
    serde_json::to_writer_pretty(&mut *out, &FileOut { charts: &json })?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::read::Checker;
    use super::*;
    use chrono::Months;

    fn checker_date(value: &str) -> (Option<NaiveDate>, Vec<ImportProblem>) {
        let mut problems = Vec::new();
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let mut ck = Checker {
            position: "charts[0] (line 1)",
            dates: DateRange {
                earliest: EARLIEST,
                latest: today.checked_add_months(Months::new(12)).unwrap(),
            },
            problems: &mut problems,
        };
        let d = ck.date("d", value);
        (d, problems)
    }

    #[test]
    fn dates_are_strict_and_within_range() {
        for ok in ["1900-01-01", "2026-11-29", "2027-11-29", "2024-02-29"] {
            assert!(checker_date(ok).0.is_some(), "{ok}");
        }
        for bad in [
            "1899-12-31",
            "2027-11-30",
            "2026-1-05",
            "2026-01-5",
            "2026-02-30",
            "2026-01-05T00:00",
            " 2026-01-05",
            "2026/01/05",
            "",
        ] {
            let (d, problems) = checker_date(bad);
            assert!(d.is_none(), "{bad:?}");
            assert_eq!(problems.len(), 1, "{bad:?}");
        }
    }

    #[test]
    fn documents_keep_line_breaks_and_tabs_only() {
        assert_eq!(refused_in_document("a\tb\r\nc\nd"), None);
        assert_eq!(refused_in_document("a\rb"), Some('\r'));
        assert_eq!(refused_in_document("a\r"), Some('\r'));
        assert_eq!(refused_in_document("a\u{1b}[2J"), Some('\u{1b}'));
        assert_eq!(refused_in_document("x\u{2067}"), Some('\u{2067}'));
        assert_eq!(refused_in_line("a\tb"), Some('\t'));
        assert_eq!(refused_in_line("Ren\u{e9}e \u{2014} O'Neil"), None);
        assert_eq!(
            refusal('\u{202e}'),
            "contains a bidirectional text control (U+202E)"
        );
        assert_eq!(refusal('\0'), "contains a control character (U+0000)");
    }

    #[test]
    fn serde_messages_never_carry_the_value() {
        let e = serde_json::from_str::<u32>("\"Pat\"").unwrap_err();
        assert_eq!(
            serde_message(&e),
            "invalid type: string \"…\", expected u32"
        );
        let e = serde_json::from_str::<String>("19500101").unwrap_err();
        assert_eq!(
            serde_message(&e),
            "invalid type: integer, expected a string"
        );
    }
}
