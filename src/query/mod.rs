//! Physician queries: what a query holds, the lint that keeps it compliant, and
//! the readable text it is sent as. Source: AHIMA/ACDIS "Guidelines for
//! Achieving a Compliant Query Practice" (2019, 2022 update), as summarised in
//! the project's QUERIES.md.

pub mod report;
pub mod templates;

use crate::domain::{Chart, Document, QueryOutcome, QueryStatus, age_on};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// How the physician is asked to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Preferred.
    OpenEnded,
    /// The clinically reasonable options, plus "Other (please specify)" and
    /// "Clinically undetermined".
    MultipleChoice,
    /// Only with a reason (see [`YesNoReason`]).
    YesNo,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::OpenEnded => "open_ended",
            Format::MultipleChoice => "multiple_choice",
            Format::YesNo => "yes_no",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "open_ended" => Some(Format::OpenEnded),
            "multiple_choice" => Some(Format::MultipleChoice),
            "yes_no" => Some(Format::YesNo),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::OpenEnded => "open-ended",
            Format::MultipleChoice => "multiple choice",
            Format::YesNo => "yes/no",
        }
    }
}

/// The only purposes a yes/no query may serve: never to obtain a new
/// diagnosis from clinical indicators alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNoReason {
    /// Confirm a diagnosis already documented elsewhere in the record.
    ConfirmDocumented,
    /// Establish present-on-admission status.
    EstablishPoa,
    /// Establish a cause-and-effect relationship.
    CauseAndEffect,
}

impl YesNoReason {
    pub const ALL: [YesNoReason; 3] = [
        YesNoReason::ConfirmDocumented,
        YesNoReason::EstablishPoa,
        YesNoReason::CauseAndEffect,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            YesNoReason::ConfirmDocumented => "confirm_documented",
            YesNoReason::EstablishPoa => "establish_poa",
            YesNoReason::CauseAndEffect => "cause_and_effect",
        }
    }

    pub fn parse(s: &str) -> Option<YesNoReason> {
        YesNoReason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            YesNoReason::ConfirmDocumented => "to confirm a diagnosis documented in the record",
            YesNoReason::EstablishPoa => "to establish present-on-admission status",
            YesNoReason::CauseAndEffect => "to establish a cause-and-effect relationship",
        }
    }
}

/// Where a clinical indicator was found in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The document, as the chart names it ("Discharge summary", "H&P").
    pub document: String,
    pub author: String,
    pub date: NaiveDate,
}

impl Citation {
    pub fn of(doc: &Document) -> Citation {
        Citation {
            document: doc
                .title
                .clone()
                .unwrap_or_else(|| doc.kind.label().to_string()),
            author: doc.author.clone(),
            date: doc.date,
        }
    }
}

/// A clinical indicator: a line or phrase from the record with its source, or
/// the coder's own words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub text: String,
    pub source: Option<Citation>,
}

/// The options every multiple-choice query carries.
pub const OTHER: &str = "Other (please specify)";
pub const UNDETERMINED: &str = "Clinically undetermined";

/// A query as the coder writes it (before it is sent).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Draft {
    pub template: Option<String>,
    pub physician: String,
    pub format: Option<Format>,
    pub yes_no_reason: Option<YesNoReason>,
    pub question: String,
    pub indicators: Vec<Indicator>,
    /// Multiple choice: the clinical options (the two fixed ones are added
    /// by [`Draft::options`]).
    pub choices: Vec<String>,
}

impl Draft {
    /// The response options as sent: multiple choice gets the clinical choices
    /// then "Other (please specify)" and "Clinically undetermined"; yes/no gets
    /// Yes, No, and "Clinically undetermined"; open-ended none.
    pub fn options(&self) -> Vec<String> {
        match self.format {
            Some(Format::MultipleChoice) => {
                let mut out: Vec<String> = self
                    .choices
                    .iter()
                    .map(|c| c.trim().to_string())
                    .filter(|c| {
                        !c.is_empty()
                            && !c.eq_ignore_ascii_case(OTHER)
                            && !c.eq_ignore_ascii_case(UNDETERMINED)
                    })
                    .collect();
                out.push(OTHER.into());
                out.push(UNDETERMINED.into());
                out
            }
            Some(Format::YesNo) => vec!["Yes".into(), "No".into(), UNDETERMINED.into()],
            _ => Vec::new(),
        }
    }
}

/// Why a query may not be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintProblem(pub String);

impl std::fmt::Display for LintProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Words a compliant query never uses: payment and the measures built on
/// codes. Matched as whole words, case-insensitive, except the abbreviations
/// that are also clinical words in lower case ("500 cc"), which match in capitals
/// only. "ROM" alone is range of motion or rupture of membranes: only "SOI/ROM"
/// and "risk of mortality" are refused.
const FORBIDDEN: &[(&str, bool)] = &[
    ("payment", false),
    ("payments", false),
    ("pay", false),
    ("paid", false),
    ("reimbursement", false),
    ("reimburse", false),
    ("reimbursed", false),
    ("DRG", true),
    ("DRGs", true),
    ("MS-DRG", true),
    ("APR-DRG", true),
    ("CC", true),
    ("CCs", true),
    ("MCC", true),
    ("MCCs", true),
    ("CC/MCC", true),
    ("HCC", true),
    ("HCCs", true),
    ("SOI", true),
    ("SOI/ROM", true),
    ("severity of illness", false),
    ("risk of mortality", false),
    ("quality score", false),
    ("quality scores", false),
    ("audit", false),
    ("audits", false),
    ("auditor", false),
    ("auditors", false),
    ("case mix", false),
];

/// The forbidden words a text uses.
pub fn forbidden_words(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for &(word, capitals_only) in FORBIDDEN {
        let hit = find_word(text, word, capitals_only);
        if hit && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

fn find_word(text: &str, word: &str, capitals_only: bool) -> bool {
    let (hay, needle) = if capitals_only {
        (text.to_string(), word.to_string())
    } else {
        (text.to_lowercase(), word.to_lowercase())
    };
    let bytes = hay.as_bytes();
    let boundary = |i: usize| -> bool {
        i == 0
            || i >= bytes.len()
            || !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b'/')
    };
    let mut from = 0;
    while let Some(at) = hay[from..].find(&needle) {
        let start = from + at;
        let end = start + needle.len();
        let before_ok = start == 0 || boundary(start - 1);
        let after_ok = boundary(end);
        if before_ok && after_ok {
            return true;
        }
        from = start + needle.len().max(1);
        while from < hay.len() && !hay.is_char_boundary(from) {
            from += 1;
        }
    }
    false
}

/// Checks a draft before it is sent; every problem, in the coder's words.
pub fn lint(draft: &Draft) -> Vec<LintProblem> {
    let mut out = Vec::new();
    let mut problem = |m: String| out.push(LintProblem(m));
    if draft.physician.trim().is_empty() {
        problem("choose the physician to ask".into());
    }
    if draft.question.trim().is_empty() {
        problem("write the question".into());
    }
    if draft.indicators.iter().all(|i| i.text.trim().is_empty()) {
        problem(
            "add at least one clinical indicator from the record: a query must be supported by the documentation"
                .into(),
        );
    }
    match draft.format {
        None => problem("choose the format: open-ended, multiple choice or yes/no".into()),
        Some(Format::YesNo) if draft.yes_no_reason.is_none() => problem(
            "a yes/no query is only for confirming a documented diagnosis, establishing POA, or establishing cause and effect: choose which, or ask open-ended"
                .into(),
        ),
        Some(Format::MultipleChoice) if draft.options().len() < 3 => problem(
            "a multiple-choice query needs at least one clinically reasonable option besides \"Other\" and \"Clinically undetermined\""
                .into(),
        ),
        _ => {}
    }
    let mut texts: Vec<&str> = vec![draft.question.as_str()];
    texts.extend(draft.indicators.iter().map(|i| i.text.as_str()));
    texts.extend(draft.choices.iter().map(String::as_str));
    let mut words = Vec::new();
    for t in texts {
        for w in forbidden_words(t) {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    if !words.is_empty() {
        problem(format!(
            "a query never mentions payment, reimbursement, DRG, CC/MCC, HCC, SOI/ROM, quality scores or audits: remove {}",
            words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    out
}

/// What the text of a sent query names besides the draft.
pub struct Sending<'a> {
    pub query_id: i64,
    pub chart: &'a Chart,
    pub coder: &'a str,
    /// When it is sent (UTC, RFC 3339).
    pub sent_at: &'a str,
}

/// The query as a readable document: what the physician receives, kept
/// verbatim once sent.
pub fn render(draft: &Draft, s: &Sending<'_>) -> String {
    let mut out = String::new();
    let c = s.chart;
    let e = &c.encounter;
    let _ = writeln!(out, "PHYSICIAN QUERY #{}", s.query_id);
    let _ = writeln!(out, "To: {}", draft.physician.trim());
    let _ = writeln!(out, "From: {} (coding)", s.coder);
    let _ = writeln!(out, "Sent: {}", s.sent_at);
    let _ = writeln!(
        out,
        "Patient: {} (MRN {}, {} years, {})",
        c.patient.name,
        c.mrn,
        age_on(c.patient.birth_date, e.admit_date),
        c.patient.sex
    );
    let _ = writeln!(
        out,
        "Encounter: {} ({}), {} to {}",
        c.account,
        e.encounter_type.label(),
        e.admit_date,
        e.discharge_date
    );
    let format = draft.format.unwrap_or(Format::OpenEnded);
    let _ = write!(out, "Format: {}", format.label());
    if let (Format::YesNo, Some(r)) = (format, draft.yes_no_reason) {
        let _ = write!(out, " ({})", r.label());
    }
    let _ = writeln!(out, "\n\nClinical indicators from the record:");
    for i in draft
        .indicators
        .iter()
        .filter(|i| !i.text.trim().is_empty())
    {
        match &i.source {
            Some(src) => {
                let _ = writeln!(
                    out,
                    "  - \"{}\" ({}, {}, {})",
                    i.text.trim(),
                    src.document,
                    src.author,
                    src.date
                );
            }
            None => {
                let _ = writeln!(out, "  - {}", i.text.trim());
            }
        }
    }
    let _ = writeln!(out, "\nQuestion:\n  {}", draft.question.trim());
    let options = draft.options();
    if !options.is_empty() {
        let _ = writeln!(out, "\nPlease choose one:");
        for o in &options {
            let _ = writeln!(out, "  [ ] {o}");
        }
    } else {
        let _ = writeln!(out, "\nPlease document your response in the record.");
    }
    let _ = writeln!(
        out,
        "\nPlease answer based on your independent clinical judgment. This query is not intended to lead to any particular response."
    );
    out
}

/// A physician query as stored: its draft fields, and once sent, its text,
/// answer and ending.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredQuery {
    pub id: i64,
    pub chart_id: i64,
    pub account: String,
    pub status: QueryStatus,
    pub template: Option<String>,
    /// The physician the query was sent to.
    pub physician: String,
    /// Who it is with now (after any change of recipient).
    pub recipient: String,
    pub format: String,
    pub yes_no_reason: Option<String>,
    pub question: String,
    pub indicators: Vec<Indicator>,
    pub options: Vec<String>,
    pub created_by: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// The query as sent, verbatim.
    pub text: Option<String>,
    pub answer: Option<String>,
    pub answered_at: Option<String>,
    pub outcome: Option<QueryOutcome>,
    pub closed_at: Option<String>,
    pub cancel_reason: Option<String>,
}

impl StoredQuery {
    /// The query as a draft again (a draft keeps its clinical choices as its
    /// options).
    pub fn to_draft(&self) -> Draft {
        Draft {
            template: self.template.clone(),
            physician: self.physician.clone(),
            format: Format::parse(&self.format),
            yes_no_reason: self.yes_no_reason.as_deref().and_then(YesNoReason::parse),
            question: self.question.clone(),
            indicators: self.indicators.clone(),
            choices: self.options.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> Draft {
        Draft {
            template: None,
            physician: "Dr. Imani Achterberg".into(),
            format: Some(Format::OpenEnded),
            yes_no_reason: None,
            question: "Please clarify the type and acuity of the heart failure.".into(),
            indicators: vec![Indicator {
                text: "BNP 1,450 pg/mL".into(),
                source: None,
            }],
            choices: vec![],
        }
    }

    #[test]
    fn a_compliant_draft_passes() {
        assert!(lint(&draft()).is_empty(), "{:?}", lint(&draft()));
    }

    #[test]
    fn no_indicator_no_query() {
        let mut d = draft();
        d.indicators.clear();
        let p = lint(&d);
        assert_eq!(p.len(), 1);
        assert!(p[0].0.contains("clinical indicator"), "{}", p[0]);
    }

    #[test]
    fn payment_words_are_refused_and_named() {
        for (text, word) in [
            ("This would change the DRG.", "DRG"),
            ("Adding an MCC is important", "MCC"),
            ("for reimbursement purposes", "reimbursement"),
            ("affects our quality scores", "quality scores"),
            ("needed for the RAC audit", "audit"),
            ("impacts SOI/ROM", "SOI/ROM"),
            ("supports the HCC", "HCC"),
        ] {
            let mut d = draft();
            d.question = format!("Please clarify the heart failure. {text}");
            let p = lint(&d);
            assert_eq!(p.len(), 1, "{text}: {p:?}");
            assert!(p[0].0.contains(&format!("\"{word}\"")), "{text}: {}", p[0]);
        }
    }

    #[test]
    fn clinical_words_that_look_alike_pass() {
        let mut d = draft();
        d.indicators = vec![
            Indicator {
                text: "Lasix 40 mg IV; 500 cc urine output".into(),
                source: None,
            },
            Indicator {
                text: "ROM limited at the left shoulder; paid attention to".into(),
                source: None,
            },
        ];
        // "paid" is refused (payment), "cc" and "ROM" are clinical.
        let p = lint(&d);
        assert_eq!(p.len(), 1);
        assert!(
            p[0].0.contains("\"paid\"") && !p[0].0.contains("\"CC\""),
            "{}",
            p[0]
        );
        d.indicators[1].text = "ROM limited at the left shoulder".into();
        assert!(lint(&d).is_empty());
        assert_eq!(forbidden_words("DRGs and CCs"), ["DRGs", "CCs"]);
        assert!(
            forbidden_words("the accident").is_empty(),
            "whole words only"
        );
    }

    #[test]
    fn yes_no_needs_its_reason_and_multiple_choice_its_fixed_options() {
        let mut d = draft();
        d.format = Some(Format::YesNo);
        assert!(lint(&d)[0].0.contains("yes/no"));
        d.yes_no_reason = Some(YesNoReason::EstablishPoa);
        assert!(lint(&d).is_empty());
        assert_eq!(d.options(), ["Yes", "No", UNDETERMINED]);
        d.format = Some(Format::MultipleChoice);
        assert!(
            lint(&d)[0]
                .0
                .contains("at least one clinically reasonable option")
        );
        d.choices = vec![
            "Acute on chronic diastolic heart failure".into(),
            "other (please specify)".into(),
        ];
        assert!(lint(&d).is_empty());
        assert_eq!(
            d.options(),
            [
                "Acute on chronic diastolic heart failure",
                OTHER,
                UNDETERMINED
            ]
        );
    }
}
