//! The clinical resources of an encounter: Condition and Procedure as lines
//! of the source system's codes, DocumentReference and
//! DiagnosticReport.presentedForm as documents.

use super::Problem;
use super::build::parse;
use super::map::{self, At};
use super::model::{self, Attachment, Reference};
use crate::domain::Document;
use chrono::NaiveDate;
use serde_json::value::RawValue;

/// What one resource gives its chart.
#[derive(Default)]
pub struct Taken {
    /// A document, with its source number.
    pub document: Option<(Option<String>, Document)>,
    /// A line of the source system's codes.
    pub line: Option<String>,
    /// What was left out, and why (reported).
    pub skipped: Vec<String>,
}

/// Reads a Condition, Procedure, DocumentReference or DiagnosticReport.
pub fn take(
    at: &At,
    kind: &str,
    raw: &RawValue,
    admit: NaiveDate,
    person: &dyn Fn(&Reference) -> Option<String>,
) -> Result<Taken, Problem> {
    let source_ref = (at.resource.contains(['/', ' '])).then(|| format!("FHIR:{}", at.resource));
    let author_of = |refs: &[Reference], path: &str| -> Result<String, Problem> {
        let name = refs.iter().find_map(person);
        Ok(at
            .line(path, name.as_deref())?
            .unwrap_or_else(|| "(no author named)".into()))
    };
    match kind {
        "Condition" => Ok(Taken {
            line: Some(map::condition(at, &parse::<model::Condition>(raw, at)?)?),
            ..Taken::default()
        }),
        "Procedure" => Ok(Taken {
            line: Some(map::procedure(
                at,
                &parse::<model::Procedure>(raw, at)?,
                person,
            )?),
            ..Taken::default()
        }),
        "DocumentReference" => {
            document_reference(at, parse(raw, at)?, admit, &author_of, source_ref)
        }
        "DiagnosticReport" => diagnostic_report(at, parse(raw, at)?, admit, &author_of, source_ref),
        _ => Ok(Taken::default()),
    }
}

type AuthorOf<'a> = dyn Fn(&[Reference], &str) -> Result<String, Problem> + 'a;

fn document_reference(
    at: &At,
    d: model::DocumentReference,
    admit: NaiveDate,
    author_of: &AuthorOf<'_>,
    source_ref: Option<String>,
) -> Result<Taken, Problem> {
    {
        if d.status.as_deref() == Some("entered-in-error") {
            return Ok(Taken {
                skipped: vec!["status entered-in-error (not imported)".into()],
                ..Taken::default()
            });
        }
        let date = match at.date("date", d.date.as_deref())? {
            Some(x) => x,
            None => at
                .date(
                    "context.period.start",
                    d.context
                        .as_ref()
                        .and_then(|c| c.period.as_ref())
                        .and_then(|p| p.start.as_deref()),
                )?
                .unwrap_or(admit),
        };
        let author = author_of(&d.author, "author[0]")?;
        let title = match at.line("description", d.description.as_deref())? {
            Some(t) => Some(t),
            None => at.line("type", d.kind.as_ref().and_then(|k| k.label()))?,
        };
        let kind = map::document_kind(d.kind.as_ref());
        let signed = matches!(d.doc_status.as_deref(), Some("final" | "amended"));
        let attachments: Vec<(String, &Attachment)> = d
            .content
            .iter()
            .enumerate()
            .filter_map(|(n, c)| {
                c.attachment
                    .as_ref()
                    .map(|a| (format!("[{n}].attachment"), a))
            })
            .collect();
        let built = map::document(at, "content", &attachments, |text| Document {
            kind,
            author,
            signed,
            date,
            title: title.or_else(|| Some(kind.label().to_string())),
            text,
        })?;
        Ok(Taken {
            document: built.document.map(|d| (source_ref, d)),
            line: None,
            skipped: built.skipped,
        })
    }
}

fn diagnostic_report(
    at: &At,
    r: model::DiagnosticReport,
    admit: NaiveDate,
    author_of: &AuthorOf<'_>,
    source_ref: Option<String>,
) -> Result<Taken, Problem> {
    {
        if r.presented_form.is_empty() {
            // Results without a report text: nothing for the coder to read.
            return Ok(Taken::default());
        }
        let date = match at.date("effectiveDateTime", r.effective_date_time.as_deref())? {
            Some(x) => x,
            None => match at.date(
                "effectivePeriod.start",
                r.effective_period.as_ref().and_then(|p| p.start.as_deref()),
            )? {
                Some(x) => x,
                None => at.date("issued", r.issued.as_deref())?.unwrap_or(admit),
            },
        };
        let mut who = r.results_interpreter.clone();
        who.extend(r.performer.iter().cloned());
        let author = author_of(&who, "resultsInterpreter[0]")?;
        let kind = map::report_kind(&r.category, r.code.as_ref());
        let title = at.line("code", r.code.as_ref().and_then(|c| c.label()))?;
        let signed = matches!(
            r.status.as_deref(),
            Some("final" | "amended" | "corrected" | "appended")
        );
        let attachments: Vec<(String, &Attachment)> = r
            .presented_form
            .iter()
            .enumerate()
            .map(|(n, a)| (format!("[{n}]"), a))
            .collect();
        let built = map::document(at, "presentedForm", &attachments, |text| Document {
            kind,
            author,
            signed,
            date,
            title: title.or_else(|| Some(kind.label().to_string())),
            text,
        })?;
        Ok(Taken {
            document: built.document.map(|d| (source_ref, d)),
            line: None,
            skipped: built.skipped,
        })
    }
}
