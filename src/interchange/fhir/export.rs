//! FHIR R4 outbound: a Bundle per chart (README.md "FHIR R4 interface").

/// ICD-10-PCS (CMS).
pub const ICD10PCS: &str = "http://www.cms.gov/Medicare/Coding/ICD10";
/// ICD-10-CM.
pub const ICD10CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// HCPCS Level II.
pub const HCPCS: &str = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
/// CPT (AMA).
pub const CPT: &str = "http://www.ama-assn.org/go/cpt";
