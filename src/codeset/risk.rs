//! What a diagnosis weighs: the MS-DRG complication/comorbidity lists (IPPS
//! Table 6J CC list, Table 6I MCC list) and the CMS-HCC V28 risk-adjustment map.
//! A code on the CC or MCC list is a CC or MCC as a secondary diagnosis, unless
//! the CC exclusion list (Table 6K) excludes it for the principal diagnosis: that
//! is the edits engine's concern; here is only the list membership.

use super::{CodeSetError, SourceFile, code_key, csv_error, has_cm_shape, text_of};
use std::collections::{HashMap, HashSet};

/// The bundled CC and MCC lists: MS-DRG v43 (FY2026), the newest obtainable.
pub const CC_EDITION: &str = "MS-DRG v43 (FY2026)";
/// The bundled HCC map: CMS-HCC model V28, payment year 2027.
pub const HCC_EDITION: &str = "CMS-HCC V28 (PY2027)";
const HCC_MODEL: &str = "CMS-HCC Model V28";

/// A diagnosis's severity level under MS-DRG.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Cc,
    Mcc,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Cc => "CC",
            Severity::Mcc => "MCC",
        }
    }
}

/// The CC and MCC lists, by code without the dot.
#[derive(Debug, Clone, Default)]
pub struct CcMcc {
    cc: HashSet<String>,
    mcc: HashSet<String>,
}

impl CcMcc {
    pub fn severity(&self, code: &str) -> Option<Severity> {
        let key = code_key(code);
        if self.mcc.contains(&key) {
            Some(Severity::Mcc)
        } else if self.cc.contains(&key) {
            Some(Severity::Cc)
        } else {
            None
        }
    }

    pub fn counts(&self) -> (usize, usize) {
        (self.cc.len(), self.mcc.len())
    }
}

/// Parses an IPPS Table 6I/6J text file: a title line, a header line, then
/// `CODE<TAB>Description` rows, then an optional notes section.
pub fn parse_code_list(file: &str, text: &str) -> Result<HashSet<String>, CodeSetError> {
    let mut codes = HashSet::new();
    for (i, raw) in text.lines().enumerate().skip(2) {
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with(char::is_whitespace) {
            // "\tNotes:" and the notes after it end the table.
            break;
        }
        let code = line.split('\t').next().unwrap_or("").trim();
        if !has_cm_shape(code) {
            return Err(CodeSetError::at(
                file,
                i + 1,
                format!("{code:?} is not an ICD-10-CM code"),
            ));
        }
        codes.insert(code_key(code));
    }
    if codes.is_empty() {
        return Err(CodeSetError::at(file, 1, "no codes in the list".into()));
    }
    Ok(codes)
}

/// The ICD-10-CM to HCC map of one model, and the HCC labels.
#[derive(Debug, Clone, Default)]
pub struct HccMap {
    map: HashMap<String, Vec<u16>>,
    labels: HashMap<u16, String>,
}

impl HccMap {
    /// The HCCs a diagnosis maps to (most map to one, some to two).
    pub fn hccs(&self, code: &str) -> &[u16] {
        self.map.get(&code_key(code)).map_or(&[], Vec::as_slice)
    }

    pub fn label(&self, hcc: u16) -> Option<&str> {
        self.labels.get(&hcc).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Parses `ra_dx_to_cc_*.csv` (diagnosis_code, cc, model_name) for one model,
/// and `ra_labels_*.csv` (cc "HCC38", label, model_domain, model_version, ...).
pub fn parse_hcc(
    map_file: &str,
    map_text: &str,
    labels_file: &str,
    labels_text: &str,
    model: &str,
) -> Result<HccMap, CodeSetError> {
    let mut out = HccMap::default();
    let mut reader = csv::Reader::from_reader(map_text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(map_file, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.get(2) != Some(model) {
            continue;
        }
        let code = record.get(0).unwrap_or("").trim();
        let hcc: u16 = record.get(1).unwrap_or("").trim().parse().map_err(|_| {
            CodeSetError::at(
                map_file,
                line,
                format!("cc {:?} is not a number", record.get(1)),
            )
        })?;
        if code.len() < 3 {
            return Err(CodeSetError::at(
                map_file,
                line,
                format!("{code:?} is not a code"),
            ));
        }
        let entry = out.map.entry(code.to_ascii_uppercase()).or_default();
        if !entry.contains(&hcc) {
            entry.push(hcc);
        }
    }
    if out.map.is_empty() {
        return Err(CodeSetError::at(
            map_file,
            1,
            format!("no rows for the model {model:?}"),
        ));
    }
    let version = model.rsplit(' ').next().unwrap_or("");
    let mut reader = csv::Reader::from_reader(labels_text.as_bytes());
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(labels_file, &e))?;
        if record.get(2) != Some("CMS-HCC") || record.get(3) != Some(version) {
            continue;
        }
        if let Some(n) = record
            .get(0)
            .and_then(|c| c.strip_prefix("HCC"))
            .and_then(|n| n.parse().ok())
        {
            out.labels
                .insert(n, record.get(1).unwrap_or("").to_string());
        }
    }
    Ok(out)
}

pub const CC_LIST: SourceFile = bundled!("cms_msdrg_v43/cc_list.txt.gz");
pub const MCC_LIST: SourceFile = bundled!("cms_msdrg_v43/mcc_list.txt.gz");
pub const HCC_MAP: SourceFile = bundled!("cms_hcc_py2027/ra_dx_to_cc_2027.csv.gz");
pub const HCC_LABELS: SourceFile = bundled!("cms_hcc_py2027/ra_labels_2026.csv");

/// The bundled CC and MCC lists.
pub fn load_cc_mcc() -> Result<CcMcc, CodeSetError> {
    Ok(CcMcc {
        cc: parse_code_list(CC_LIST.path, &text_of(CC_LIST.path, CC_LIST.bytes)?)?,
        mcc: parse_code_list(MCC_LIST.path, &text_of(MCC_LIST.path, MCC_LIST.bytes)?)?,
    })
}

/// The bundled CMS-HCC V28 map.
pub fn load_hcc() -> Result<HccMap, CodeSetError> {
    parse_hcc(
        HCC_MAP.path,
        &text_of(HCC_MAP.path, HCC_MAP.bytes)?,
        HCC_LABELS.path,
        &text_of(HCC_LABELS.path, HCC_LABELS.bytes)?,
        HCC_MODEL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_ends_at_its_notes_and_a_bad_row_is_named() {
        let text = "TABLE 6J - COMPLETE CC LIST\r\nDiagnosis Code\tDescription\r\nA00.0\tCholera\r\n\r\n\tNotes:\r\n\tsomething\r\n";
        let codes = parse_code_list("cc.txt", text).unwrap();
        assert!(codes.contains("A000") && codes.len() == 1);
        let bad = "T\nH\nA00.0\tx\ncholera\tx\n";
        let e = parse_code_list("cc.txt", bad).unwrap_err();
        assert_eq!(e.line, 4);
    }
}
