//! The edits engine: the official coding rules, checked against a chart.
//!
//! Each rule is a small function in the module of its source (`validity`:
//! code-set validity; `notes`: the ICD-10-CM tabular's instructional notes;
//! `mce`: the Medicare Code Editor; `poa`: present-on-admission reporting;
//! `lines`: CPT/HCPCS service lines, NCCI and MUE), with its source in a
//! comment. [`Rules::validate`] runs them all; it reads only the chart and the
//! loaded tables, so it is cheap enough to run on every change.

pub mod conflict;
pub mod lines;
pub mod mce;
pub mod ms_drg;
pub mod notes;
pub mod poa;
pub mod site;
pub mod validity;

use crate::codeset::risk::{Cancelled, CcMcc};
use crate::codeset::{Edition, IcdCm, IcdPcs};
use crate::domain::{Chart, CodeSystem, EncounterType};
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::Arc;

pub use ms_drg::DrgOutcome;
pub use site::{SiteFiles, SiteTables};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks completing the chart.
    Error,
    /// Must be acknowledged by the coder (the acknowledgement is audited).
    Warning,
    /// Shown only.
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id, e.g. "excludes1", "mce-age".
    pub rule: &'static str,
    pub severity: Severity,
    /// The codes involved, as on the chart.
    pub codes: Vec<String>,
    /// What is wrong, in a coder's words.
    pub message: String,
    /// Where the rule comes from, e.g. "ICD-10-CM Tabular, Excludes1 at J44".
    pub source: String,
    /// Which note of a code the finding is about, when a code has several
    /// ("E11 #2": the second note of its kind written at E11): part of the key,
    /// so acknowledging one note does not acknowledge another.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The physician query template the finding suggests (its name in
    /// `data/query_templates/`), when the answer must come from the physician.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query_template: Option<&'static str>,
}

/// The bundled query template for conflicting documentation
/// (`data/query_templates/conflicting_documentation.toml`).
pub const CONFLICTING_DOCUMENTATION: &str = "Conflicting documentation between providers";

impl Finding {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        codes: &[&str],
        message: String,
        source: impl Into<String>,
    ) -> Finding {
        Finding {
            rule,
            severity,
            codes: codes.iter().map(|c| (*c).to_string()).collect(),
            message,
            source: source.into(),
            note: None,
            query_template: None,
        }
    }

    /// The finding about one of several notes of a code (see [`Finding::note`]).
    pub fn about_note(mut self, note: String) -> Finding {
        self.note = Some(note);
        self
    }

    /// The finding with the physician query template it suggests.
    pub fn suggesting(mut self, template: &'static str) -> Finding {
        self.query_template = Some(template);
        self
    }

    /// What identifies the finding for an acknowledgement: the rule, its codes
    /// and, for one of several notes of a code, the note. The same warning on
    /// other codes (or another note) is a new warning.
    pub fn key(&self) -> String {
        match &self.note {
            Some(note) => format!("{}:{}@{note}", self.rule, self.codes.join("+")),
            None => format!("{}:{}", self.rule, self.codes.join("+")),
        }
    }
}

/// Choices a site makes about the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditOptions {
    /// Check the MCE sex conflict edit for discharges on or after 2024-10-01 too
    /// (CMS turned it off from that date).
    pub sex_conflict_always: bool,
    /// Show the MCE non-specific principal diagnosis (information; CMS no
    /// longer returns the edit, so a site may turn it off).
    pub nonspecific_principal: bool,
}

impl Default for EditOptions {
    fn default() -> Self {
        EditOptions {
            sex_conflict_always: false,
            nonspecific_principal: true,
        }
    }
}

/// Everything the rules read, loaded once.
#[derive(Clone)]
pub struct Rules {
    pub cm: Arc<IcdCm>,
    pub pcs: Arc<IcdPcs>,
    pub cc_mcc: Arc<CcMcc>,
    pub ages: Arc<mce::AgeRanges>,
    pub site: Arc<SiteTables>,
    pub options: EditOptions,
    /// The code ranges each tabular note names, by node and note (parsed once).
    note_ranges: Arc<Vec<Vec<Vec<notes::CodeRange>>>>,
}

/// What the rules need to know of the chart besides its codes.
pub(crate) struct Facts<'a> {
    pub chart: &'a Chart,
    /// Discharge date (inpatient) or date of service: picks validity and edition.
    pub date: NaiveDate,
    pub edition: Edition,
    pub inpatient: bool,
    /// The ICD-10-CM diagnoses in sequence, with their tabular node when known.
    pub dx: Vec<(&'a str, Option<usize>)>,
    /// Their codes without the dot, in the same order.
    pub keys: Vec<String>,
}

impl Rules {
    /// The bundled MCE age ranges with the given tables; the site tables are
    /// loaded by `site` from the files the configuration names.
    pub fn new(
        cm: Arc<IcdCm>,
        pcs: Arc<IcdPcs>,
        cc_mcc: Arc<CcMcc>,
        site: SiteTables,
        options: EditOptions,
    ) -> Result<Rules, crate::codeset::CodeSetError> {
        Ok(Rules {
            note_ranges: Arc::new(notes::parse_all(&cm)),
            cm,
            pcs,
            cc_mcc,
            ages: Arc::new(mce::AgeRanges::load_bundled()?),
            site: Arc::new(site),
            options,
        })
    }

    /// Every finding for the chart, errors first, in the order of the codes.
    pub fn validate(&self, chart: &Chart) -> Vec<Finding> {
        self.validate_with_drg(chart, &DrgOutcome::Unknown)
    }

    /// [`Rules::validate`] with what grouping the chart gave: an ungroupable
    /// inpatient chart is an error, and Table 6K part 3 applies to its DRG.
    pub fn validate_with_drg(&self, chart: &Chart, drg: &DrgOutcome) -> Vec<Finding> {
        let date = chart.encounter.discharge_date;
        let edition = Edition::for_date(date);
        let dx: Vec<(&str, Option<usize>)> = chart
            .diagnoses
            .iter()
            .filter(|d| d.system == CodeSystem::Icd10Cm)
            .map(|d| (d.code.as_str(), self.cm.node_of(&d.code, edition)))
            .collect();
        let facts = Facts {
            keys: dx
                .iter()
                .map(|(c, _)| crate::codeset::code_key(c))
                .collect(),
            dx,
            chart,
            date,
            edition,
            inpatient: chart.encounter.encounter_type == EncounterType::Inpatient,
        };
        let mut out = Vec::new();
        validity::check(self, &facts, &mut out);
        notes::check(self, &facts, &mut out);
        if facts.inpatient {
            mce::check(self, &facts, &mut out);
            poa::check(self, &facts, &mut out);
            ms_drg::check(self, &facts, drg, &mut out);
        }
        lines::check(self, &facts, &mut out);
        // Stable: within a severity, the order the rules found them in.
        out.sort_by_key(|f| f.severity);
        out
    }

    /// [`Rules::validate`] for a chart as the claim came (`validate FILE`):
    /// `invalid_poa` holds each diagnosis whose POA value is not a POA value
    /// (code, value as written), reported as an error instead of a missing POA.
    pub fn validate_as_reported(
        &self,
        chart: &Chart,
        drg: &DrgOutcome,
        invalid_poa: &[(String, String)],
    ) -> Vec<Finding> {
        let mut out = self.validate_with_drg(chart, drg);
        if invalid_poa.is_empty() {
            return out;
        }
        out.retain(|f| {
            !(f.rule == "poa-missing"
                && invalid_poa.iter().any(|(c, _)| f.codes.first() == Some(c)))
        });
        out.extend(
            invalid_poa
                .iter()
                .filter_map(|(code, value)| poa::invalid_value(code, value)),
        );
        out.sort_by_key(|f| f.severity);
        out
    }

    /// The MS-DRG severity of a secondary diagnosis relative to the principal:
    /// its CC/MCC level and, when Table 6K cancels it, why.
    pub fn cc_badge(
        &self,
        chart: &Chart,
        position: usize,
    ) -> Option<(crate::codeset::risk::Severity, Option<Cancelled>)> {
        let code = &chart.diagnoses.get(position)?.code;
        let level = self.cc_mcc.severity(code)?;
        if position == 0 {
            return None; // the principal is not its own CC
        }
        let principal = &chart.diagnoses.first()?.code;
        let expired = chart
            .encounter
            .disposition
            .as_deref()
            .is_some_and(|d| matches!(d, "20" | "40" | "41" | "42"));
        Some((
            level,
            self.cc_mcc.exclusions.cancelled(code, principal, expired),
        ))
    }
}

/// Whether no finding blocks completion.
pub fn no_errors(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Error)
}
