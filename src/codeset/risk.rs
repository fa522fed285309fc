//! What a diagnosis weighs: the MS-DRG complication/comorbidity lists (IPPS
//! Table 6J CC list, Table 6I MCC list) and the CMS-HCC V28 risk-adjustment map.
//! A code on the CC or MCC list is a CC or MCC as a secondary diagnosis, unless
//! the CC exclusion list (Table 6K) excludes it for the principal diagnosis
//! (part 1: the principal is in the code's PDX exclusion collection), or the
//! patient died and the code counts only when discharged alive (part 2), or
//! the chart's MS-DRG is one of the select DRGs whose own logic leaves the code
//! out (part 3; the DRG comes from the grouper, passed in by the caller).

use super::{CodeSetError, SourceFile, Sources, code_key, csv_error, has_cm_shape, text_of};
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

/// The CC and MCC lists, by code without the dot, and their exclusions.
#[derive(Debug, Clone, Default)]
pub struct CcMcc {
    pub(super) cc: HashSet<String>,
    pub(super) mcc: HashSet<String>,
    pub exclusions: CcExclusions,
}

/// IPPS Table 6K.
#[derive(Debug, Clone, Default)]
pub struct CcExclusions {
    /// Secondary code -> its PDX exclusion collection.
    pub(super) collection_of: HashMap<String, u32>,
    /// Collection -> the principal diagnoses that cancel the CC/MCC.
    pub(super) collections: HashMap<u32, HashSet<String>>,
    /// Codes that are a CC or MCC only when the patient is discharged alive.
    pub(super) alive_only: HashSet<String>,
    /// Part 3: secondary diagnoses whose CC/MCC severity does not count in
    /// select MS-DRGs.
    pub in_drgs: Vec<DrgSeverityExclusion>,
}

/// One block of Table 6K part 3: `MDC 25 DRGs 974-976 HIV with Major Related
/// Condition` and the codes that are no CC/MCC in those DRGs.
#[derive(Debug, Clone, Default)]
pub struct DrgSeverityExclusion {
    pub mdc: u8,
    pub first_drg: u16,
    pub last_drg: u16,
    pub title: String,
    pub(super) codes: HashSet<String>,
}

impl DrgSeverityExclusion {
    pub fn contains(&self, code: &str) -> bool {
        self.codes.contains(&code_key(code))
    }

    /// `974-976`.
    pub fn drgs(&self) -> String {
        format!("{:03}-{:03}", self.first_drg, self.last_drg)
    }
}

/// Why a secondary's CC/MCC does not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cancelled {
    /// The principal is in the code's PDX exclusion collection (6K part 1).
    ByPrincipal(u32),
    /// The patient died; the code counts only when discharged alive (6K part 2).
    Expired,
    /// The chart's MS-DRG leaves the code's severity out (6K part 3): the
    /// index of the block in [`CcExclusions::in_drgs`].
    InDrg(usize),
}

impl CcExclusions {
    /// Whether (and why) `secondary`'s CC/MCC status is cancelled.
    pub fn cancelled(&self, secondary: &str, principal: &str, expired: bool) -> Option<Cancelled> {
        let key = code_key(secondary);
        if expired && self.alive_only.contains(&key) {
            return Some(Cancelled::Expired);
        }
        let collection = *self.collection_of.get(&key)?;
        self.collections
            .get(&collection)
            .is_some_and(|c| c.contains(&code_key(principal)))
            .then_some(Cancelled::ByPrincipal(collection))
    }

    /// The Table 6K part 3 block that leaves `secondary`'s CC/MCC out in `drg`.
    pub fn excluded_in_drg(&self, secondary: &str, drg: u16) -> Option<usize> {
        self.in_drgs
            .iter()
            .position(|b| (b.first_drg..=b.last_drg).contains(&drg) && b.contains(secondary))
    }

    /// Codes with a collection, collections, and alive-only codes.
    pub fn counts(&self) -> (usize, usize, usize) {
        (
            self.collection_of.len(),
            self.collections.len(),
            self.alive_only.len(),
        )
    }
}

/// Parses IPPS Table 6K as CMS publishes it (fixed-width text): part 1 rows
/// ` CODE  CC|MCC  NNNN:N codes  Description` (or `No Excl`), then the
/// `PDX collection NNNN` blocks of `  CODE  Description` rows, then part 2's
/// rows, then part 3's `MDC nn DRGs nnn-nnn Title` blocks of code rows.
pub fn parse_cc_exclusions(file: &str, text: &str) -> Result<CcExclusions, CodeSetError> {
    let mut out = CcExclusions::default();
    let mut part = Part::Preamble;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let bad = |m: &str| CodeSetError::at(file, i + 1, m.to_string());
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("K Part 1") {
            part = Part::List;
            continue;
        }
        if line.starts_with("K Part 2") {
            part = Part::AliveOnly;
            continue;
        }
        if line.starts_with("K Part 3") {
            part = Part::InDrgs;
            continue;
        }
        if part == Part::InDrgs
            && let Some(rest) = line.strip_prefix("MDC ")
        {
            out.in_drgs.push(
                parse_drg_block(rest)
                    .ok_or_else(|| bad("expected `MDC nn DRGs nnn-nnn title` in part 3"))?,
            );
            continue;
        }
        if let Some(n) = line.strip_prefix("PDX collection ") {
            let n: u32 = n
                .trim()
                .parse()
                .map_err(|_| bad("a PDX collection number is not a number"))?;
            out.collections.entry(n).or_default();
            part = Part::Collection(n);
            continue;
        }
        exclusion_row(&mut out, &part, line, bad)?;
    }
    if out.collection_of.is_empty() {
        return Err(CodeSetError::at(
            file,
            1,
            "no part 1 rows: not Table 6K".into(),
        ));
    }
    if let Some((code, n)) = out
        .collection_of
        .iter()
        .find(|(_, n)| !out.collections.contains_key(n))
    {
        return Err(CodeSetError::at(
            file,
            1,
            format!("{code} names PDX collection {n}, which the file does not list"),
        ));
    }
    Ok(out)
}

/// Where `parse_cc_exclusions` is in Table 6K.
#[derive(PartialEq)]
enum Part {
    Preamble,
    List,
    Collection(u32),
    AliveOnly,
    InDrgs,
}

/// One code row of Table 6K, read as the part it is in says.
fn exclusion_row(
    out: &mut CcExclusions,
    part: &Part,
    line: &str,
    bad: impl Fn(&str) -> CodeSetError,
) -> Result<(), CodeSetError> {
    let mut words = line.split_whitespace();
    let code = words.next().unwrap_or("");
    match part {
        Part::Preamble => {}
        Part::List => {
            if code == "I10" && line.contains("Lev") {
                return Ok(()); // the column header
            }
            if !has_cm_shape(code) {
                return Err(bad("expected an ICD-10-CM code at the start of the row"));
            }
            match words.next() {
                Some("CC" | "MCC") => {}
                _ => return Err(bad("expected CC or MCC after the code")),
            }
            match words.next() {
                Some("No") => {}
                Some(w) => {
                    let n = w
                        .split_once(':')
                        .and_then(|(n, _)| n.parse::<u32>().ok())
                        .ok_or_else(|| bad("expected NNNN:N codes or No Excl"))?;
                    out.collection_of.insert(code.to_string(), n);
                }
                None => return Err(bad("the row ends after CC/MCC")),
            }
        }
        Part::Collection(n) => {
            if !has_cm_shape(code) {
                return Err(bad("expected an ICD-10-CM code in the collection"));
            }
            out.collections
                .entry(*n)
                .or_default()
                .insert(code.to_string());
        }
        Part::AliveOnly => {
            if !has_cm_shape(code) {
                return Err(bad("expected an ICD-10-CM code in part 2"));
            }
            out.alive_only.insert(code.to_string());
        }
        Part::InDrgs => {
            let block = match out.in_drgs.last_mut() {
                Some(b) if has_cm_shape(code) => b,
                _ => {
                    return Err(bad(
                        "expected an ICD-10-CM code under an MDC line in part 3",
                    ));
                }
            };
            block.codes.insert(code.to_string());
        }
    }
    Ok(())
}

/// `25 DRGs 974-976 HIV with Major Related Condition` (after `MDC `).
fn parse_drg_block(rest: &str) -> Option<DrgSeverityExclusion> {
    let (mdc, rest) = rest.split_once(' ')?;
    let rest = rest.strip_prefix("DRGs ")?;
    let (range, title) = rest.split_once(' ').unwrap_or((rest, ""));
    let (first, last) = range.split_once('-').unwrap_or((range, range));
    Some(DrgSeverityExclusion {
        mdc: mdc.parse().ok()?,
        first_drg: first.parse().ok()?,
        last_drg: last.parse().ok()?,
        title: title.trim().to_string(),
        codes: HashSet::new(),
    })
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
    pub(super) map: HashMap<String, Vec<u16>>,
    pub(super) labels: HashMap<u16, String>,
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
    super::check_csv_quotes(map_file, map_text, b',', 1)?;
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
    super::check_csv_quotes(labels_file, labels_text, b',', 1)?;
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
pub const CC_EXCLUSIONS: SourceFile = bundled!("cms_msdrg_v43/cc_exclusions.txt.gz");
pub const HCC_MAP: SourceFile = bundled!("cms_hcc_py2027/ra_dx_to_cc_2027.csv.gz");
pub const HCC_LABELS: SourceFile = bundled!("cms_hcc_py2027/ra_labels_2026.csv");

/// The bundled CC and MCC lists, with their exclusions (Table 6K).
pub fn load_cc_mcc() -> Result<CcMcc, CodeSetError> {
    load_cc_mcc_from(&Sources::BUNDLED)
}

/// The CC and MCC lists and Table 6K of `s`.
pub fn load_cc_mcc_from(s: &Sources) -> Result<CcMcc, CodeSetError> {
    let text = |f: &SourceFile| text_of(f.path, f.bytes);
    Ok(CcMcc {
        cc: parse_code_list(s.cc_list.path, &text(&s.cc_list)?)?,
        mcc: parse_code_list(s.mcc_list.path, &text(&s.mcc_list)?)?,
        exclusions: parse_cc_exclusions(s.cc_exclusions.path, &text(&s.cc_exclusions)?)?,
    })
}

/// The bundled CMS-HCC V28 map.
pub fn load_hcc() -> Result<HccMap, CodeSetError> {
    load_hcc_from(&Sources::BUNDLED)
}

/// The CMS-HCC V28 map of `s`.
pub fn load_hcc_from(s: &Sources) -> Result<HccMap, CodeSetError> {
    parse_hcc(
        s.hcc_map.path,
        &text_of(s.hcc_map.path, s.hcc_map.bytes)?,
        s.hcc_labels.path,
        &text_of(s.hcc_labels.path, s.hcc_labels.bytes)?,
        HCC_MODEL,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE_6K: &str = "TABLE 6K - COMPLETE LIST OF CC EXCLUSIONS\r\n\r\nK Part 1: List of CC and Major CC Codes\r\n I10 Dx  Lev PDX Exclusions   ICD-10-CM Description\r\n A021    MCC 0005:2 codes     Salmonella sepsis\r\n I469    CC  0010:1 code      Cardiac arrest\r\n Z1624   CC  No Excl          Resistance to multiple antibiotics\r\n\r\nPDX collection 0005\r\n  A021    Salmonella sepsis\r\n  A419    Sepsis, unspecified organism\r\n\r\nPDX collection 0010\r\n  I469    Cardiac arrest, cause unspecified\r\n\r\nK Part 2: Codes that are CC or Major CC only if patient discharged alive\r\n\r\n  I469    Cardiac arrest, cause unspecified\r\n\r\nK Part 3: Secondary Diagnosis CC/MCC Severity Exclusions in Select MS-DRGs\r\n\r\nMDC 01 DRGs 082-084\r\n  S061X3A Traumatic cerebral edema\r\n";

    #[test]
    fn table_6k_cancels_a_cc_for_its_principals_and_for_the_dead() {
        let x = parse_cc_exclusions("6k.txt", TABLE_6K).unwrap();
        assert_eq!(x.counts(), (2, 2, 1));
        // Salmonella sepsis is no MCC with sepsis, unspecified as principal.
        assert_eq!(
            x.cancelled("A02.1", "A41.9", false),
            Some(Cancelled::ByPrincipal(5))
        );
        assert_eq!(x.cancelled("A02.1", "J18.9", false), None);
        assert_eq!(
            x.cancelled("I46.9", "I21.4", true),
            Some(Cancelled::Expired)
        );
        assert_eq!(x.cancelled("I46.9", "I21.4", false), None);
        assert_eq!(x.cancelled("Z16.24", "A41.9", false), None, "No Excl");
        let bad = TABLE_6K.replace(" I469    CC  0010", " I469    CC  0099");
        let e = parse_cc_exclusions("6k.txt", &bad).unwrap_err();
        assert!(e.to_string().contains("collection 99"), "{e}");
        let bad = TABLE_6K.replace(" Z1624   CC  No Excl", " Z1624   XX  No Excl");
        assert_eq!(parse_cc_exclusions("6k.txt", &bad).unwrap_err().line, 7);
    }

    #[test]
    fn the_bundled_table_6k_reads_whole() {
        let x = parse_cc_exclusions(
            CC_EXCLUSIONS.path,
            &text_of(CC_EXCLUSIONS.path, CC_EXCLUSIONS.bytes).unwrap(),
        )
        .unwrap();
        let (codes, collections, alive) = x.counts();
        assert_eq!(collections, 1994);
        assert_eq!(alive, 8);
        assert!(codes > 18_000, "{codes}");
        // Table 6K's own first rows: cholera is no CC with cholera as principal.
        assert_eq!(
            x.cancelled("A00.0", "A00.9", false),
            Some(Cancelled::ByPrincipal(2))
        );
        assert_eq!(x.cancelled("A00.0", "I50.9", false), None);
    }

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
