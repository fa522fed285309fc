//! The FHIR R4 elements chartcoder reads, as serde structs of our own: only
//! the elements the mapping uses (README.md "FHIR R4 interface"); every other
//! element is skipped unread. Deserialised with `serde_path_to_error`, so a
//! wrong element is named by its JSON path.
//!
//! Why not a FHIR crate (README.md "FHIR R4 interface"): `fhir-model` has no
//! R4 model (STU3, R4B, R5) and is 628,000 generated lines; `fhirbolt` has R4
//! but 115,000 generated lines compiled whole, and refuses a resource for an
//! element chartcoder never reads. These structs are the forty-odd elements
//! the mapping uses, with no new dependency.

use serde::Deserialize;

/// The first two elements every resource has.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    pub resource_type: String,
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Coding {
    pub system: Option<String>,
    pub code: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CodeableConcept {
    #[serde(default)]
    pub coding: Vec<Coding>,
    pub text: Option<String>,
}

impl CodeableConcept {
    /// Whether a coding has this code (of any system).
    pub fn has_code(&self, code: &str) -> bool {
        self.coding.iter().any(|c| c.code.as_deref() == Some(code))
    }

    /// The text, else the first coding's display.
    pub fn label(&self) -> Option<&str> {
        self.text
            .as_deref()
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: Option<CodeableConcept>,
    pub system: Option<String>,
    pub value: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    pub reference: Option<String>,
    pub display: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Period {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct HumanName {
    #[serde(rename = "use")]
    pub name_use: Option<String>,
    pub text: Option<String>,
    pub family: Option<String>,
    #[serde(default)]
    pub given: Vec<String>,
    #[serde(default)]
    pub prefix: Vec<String>,
}

impl HumanName {
    /// "Prefix Given Family" (the text when there are no parts).
    pub fn full(&self, with_prefix: bool) -> Option<String> {
        let mut parts: Vec<&str> = Vec::new();
        if with_prefix {
            parts.extend(self.prefix.iter().map(String::as_str));
        }
        parts.extend(self.given.iter().map(String::as_str));
        parts.extend(self.family.as_deref());
        let joined = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if joined.is_empty() {
            self.text.clone().filter(|t| !t.trim().is_empty())
        } else {
            Some(joined)
        }
    }
}

/// The official name (use = official, else usual), else the first.
pub fn chosen_name(names: &[HumanName]) -> Option<&HumanName> {
    names
        .iter()
        .find(|n| n.name_use.as_deref() == Some("official"))
        .or_else(|| {
            names
                .iter()
                .find(|n| n.name_use.as_deref() == Some("usual"))
        })
        .or(names.first())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
    pub gender: Option<String>,
    pub birth_date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Practitioner {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    #[serde(default)]
    pub name: Vec<HumanName>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    #[serde(rename = "type", default)]
    pub kind: Vec<CodeableConcept>,
    pub individual: Option<Reference>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hospitalization {
    pub discharge_disposition: Option<CodeableConcept>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Encounter {
    pub id: Option<String>,
    #[serde(default)]
    pub identifier: Vec<Identifier>,
    pub status: Option<String>,
    pub class: Option<Coding>,
    #[serde(rename = "type", default)]
    pub kind: Vec<CodeableConcept>,
    pub subject: Option<Reference>,
    #[serde(default)]
    pub participant: Vec<Participant>,
    pub period: Option<Period>,
    pub hospitalization: Option<Hospitalization>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub clinical_status: Option<CodeableConcept>,
    pub verification_status: Option<CodeableConcept>,
    #[serde(default)]
    pub category: Vec<CodeableConcept>,
    pub code: Option<CodeableConcept>,
    pub onset_date_time: Option<String>,
    pub recorded_date: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Performer {
    pub actor: Option<Reference>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Procedure {
    pub status: Option<String>,
    pub code: Option<CodeableConcept>,
    pub performed_date_time: Option<String>,
    pub performed_period: Option<Period>,
    #[serde(default)]
    pub performer: Vec<Performer>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub content_type: Option<String>,
    pub data: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Content {
    pub attachment: Option<Attachment>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DocumentContext {
    #[serde(default)]
    pub encounter: Vec<Reference>,
    pub period: Option<Period>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentReference {
    pub status: Option<String>,
    pub doc_status: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<CodeableConcept>,
    pub date: Option<String>,
    #[serde(default)]
    pub author: Vec<Reference>,
    pub description: Option<String>,
    #[serde(default)]
    pub content: Vec<Content>,
    pub context: Option<DocumentContext>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosticReport {
    pub status: Option<String>,
    #[serde(default)]
    pub category: Vec<CodeableConcept>,
    pub code: Option<CodeableConcept>,
    pub encounter: Option<Reference>,
    pub effective_date_time: Option<String>,
    pub effective_period: Option<Period>,
    pub issued: Option<String>,
    #[serde(default)]
    pub performer: Vec<Reference>,
    #[serde(default)]
    pub results_interpreter: Vec<Reference>,
    #[serde(default)]
    pub presented_form: Vec<Attachment>,
}

/// What attributes a clinical resource to its patient and encounter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Links {
    pub subject: Option<Reference>,
    pub encounter: Option<Reference>,
    pub context: Option<DocumentContext>,
}

impl Links {
    /// The encounter: `encounter`, else (DocumentReference) the first of
    /// `context.encounter`.
    pub fn encounter(&self) -> Option<(&str, &'static str)> {
        if let Some(r) = self.encounter.as_ref().and_then(|r| r.reference.as_deref()) {
            return Some((r, "encounter.reference"));
        }
        self.context
            .as_ref()
            .and_then(|c| c.encounter.first())
            .and_then(|r| r.reference.as_deref())
            .map(|r| (r, "context.encounter[0].reference"))
    }
}
