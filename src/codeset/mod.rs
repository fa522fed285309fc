//! The official code sets, loaded from the files in `codesets/` (compiled into
//! the binary, official layouts kept so next year's CMS/CDC files drop in).
//!
//! ICD-10-CM: the April 2026 tabular (FY2026) with every note, plus the FY2027
//! added / deleted / revised codes, so both editions exist; dated validity of every
//! CM and PCS code from the Medicare Code Editor v44 masters.

/// A file under `codesets/`, compiled in (`SourceFile` must be in scope).
macro_rules! bundled {
    ($path:literal) => {
        SourceFile {
            path: $path,
            bytes: include_bytes!(concat!("../../codesets/", $path)),
        }
    };
}

pub mod hcpcs;
pub mod index;
pub mod pcs;
pub mod pcs_index;
pub mod risk;
pub mod tabular;
pub mod user_table;

use chrono::NaiveDate;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;

pub use tabular::{NodeKind, Note, NoteKind, SeventhCharacter, TabularNode};

/// A code-set file that could not be read, naming the file, line and problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSetError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl CodeSetError {
    pub fn at(file: &str, line: usize, message: String) -> CodeSetError {
        CodeSetError {
            file: file.to_string(),
            line,
            message,
        }
    }
}

impl fmt::Display for CodeSetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Line 0: the file as a whole (it cannot be read, say).
        match self.line {
            0 => write!(f, "code set file {}: {}", self.file, self.message),
            line => write!(
                f,
                "code set file {} line {line}: {}",
                self.file, self.message
            ),
        }
    }
}

impl std::error::Error for CodeSetError {}

/// The character an XML entity or character reference stands for (`&amp;`,
/// `&#233;`), as quick-xml reports references apart from the text around them.
fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten();
    }
    match r.xml10_content().as_ref() {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// The character of an entity or character reference at `offset`, or an error
/// naming the file and line for one the XML specification does not define.
pub(crate) fn reference_char(
    r: &quick_xml::events::BytesRef<'_>,
    file: &str,
    text: &str,
    offset: usize,
) -> Result<char, CodeSetError> {
    resolve_reference(r).ok_or_else(|| {
        CodeSetError::at(
            file,
            line_of(text, offset),
            "an unknown entity reference".into(),
        )
    })
}

/// Whether text has the shape of an ICD-10-CM code as the official files print
/// it: a letter, two letters or digits, then letters, digits and a dot
/// ("A00.0", "T45.0X1A", "QA0.0101", new in FY2026).
pub(crate) fn has_cm_shape(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() >= 3
        && b[0].is_ascii_uppercase()
        && b[1].is_ascii_alphanumeric()
        && b[2].is_ascii_alphanumeric()
        && code[3..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.')
}

/// The next XML event and the byte offset where it starts; a malformed document
/// becomes an error naming the file and line.
pub(crate) fn next_event<'a>(
    reader: &mut quick_xml::Reader<&'a [u8]>,
    file: &str,
    text: &str,
) -> Result<(usize, quick_xml::events::Event<'a>), CodeSetError> {
    let offset = reader.buffer_position() as usize;
    let event = reader.read_event().map_err(|e| {
        let at = reader.error_position() as usize;
        CodeSetError::at(file, line_of(text, at), format!("malformed XML: {e}"))
    })?;
    Ok((offset, event))
}

/// Pops the element an end tag closes off the open-element path, or names the
/// line where the end tag does not match.
pub(crate) fn close_element(
    path: &mut Vec<Vec<u8>>,
    end: &quick_xml::events::BytesEnd<'_>,
    file: &str,
    text: &str,
    offset: usize,
) -> Result<Vec<u8>, CodeSetError> {
    let name = end.local_name().as_ref().as_bytes().to_vec();
    if path.pop().as_deref() != Some(name.as_slice()) {
        return Err(CodeSetError::at(
            file,
            line_of(text, offset),
            "closing tag does not match".into(),
        ));
    }
    Ok(name)
}

/// The error for a file that ends inside an element.
pub(crate) fn truncated(file: &str, text: &str) -> CodeSetError {
    CodeSetError::at(
        file,
        line_of(text, text.len()),
        "the file ends inside an element (truncated?)".into(),
    )
}

/// Line numbers for increasing byte offsets, counted once through the text
/// (`line_of` from the start for each of thousands of nodes would be quadratic).
pub(crate) struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            offset: 0,
            line: 1,
        }
    }

    pub(crate) fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            return line_of(self.text, offset);
        }
        self.line += self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// The 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// One bundled file: its path under `codesets/` and its bytes (gzip when the
/// name ends in .gz).
pub struct SourceFile {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

pub const TABULAR: SourceFile = bundled!("icd10cm_2026/icd10c-tabular-April-1-2026.xml.gz");
pub const FY2027_ADDED: SourceFile = bundled!("icd10cm_fy2027_changes/added.csv");
pub const FY2027_DELETED: SourceFile = bundled!("icd10cm_fy2027_changes/deleted.csv");
pub const FY2027_REVISED: SourceFile = bundled!("icd10cm_fy2027_changes/revised.csv");
pub const MCE_DX: SourceFile = bundled!("cms_mce_v44_fy2027/mce_icd10cm_dx_master.csv.gz");
pub const MCE_PX: SourceFile = bundled!("cms_mce_v44_fy2027/mce_icd10pcs_sg_master.csv.gz");
pub const PCS_TABLES: SourceFile = bundled!("icd10pcs_2026/icd10pcs_tables_2026.xml.gz");
pub const PCS_DEFINITIONS: SourceFile = bundled!("icd10pcs_2026/icd10pcs_definitions_2026.xml.gz");
pub const HCPCS: SourceFile = bundled!("hcpcs_level2_2023/terminology__hcpcs_level_2.csv");
pub const INDEX_DISEASES: SourceFile =
    bundled!("icd10cm_2025_index/ICD10CM_2025_Index_flattened.csv.gz");
pub const INDEX_DRUGS: SourceFile = bundled!("icd10cm_2025_index/icd-10-cm-drug-2025.xml.gz");
pub const INDEX_NEOPLASMS: SourceFile =
    bundled!("icd10cm_2025_index/icd-10-cm-neoplasm-2025.xml.gz");
pub const INDEX_EXTERNAL: SourceFile = bundled!("icd10cm_2025_index/icd-10-cm-eindex-2025.xml.gz");
pub const PCS_INDEX: SourceFile = bundled!("icd10pcs_2025_index/icd10pcs_index_2025.xml.gz");

/// Every bundled file, for fingerprints and provenance.
pub const ALL_BUNDLED: [&SourceFile; 14] = [
    &TABULAR,
    &FY2027_ADDED,
    &FY2027_DELETED,
    &FY2027_REVISED,
    &MCE_DX,
    &MCE_PX,
    &PCS_TABLES,
    &PCS_DEFINITIONS,
    &HCPCS,
    &INDEX_DISEASES,
    &INDEX_DRUGS,
    &INDEX_NEOPLASMS,
    &INDEX_EXTERNAL,
    &PCS_INDEX,
];

/// The edition of the bundled Alphabetic Index and its tables, shown with index hits.
pub const INDEX_EDITION: &str = "ICD-10-CM Index FY2025";

/// The bundled Alphabetic Index, Drug and Neoplasm tables and External Cause Index.
pub fn load_index() -> Result<Vec<index::IndexFile>, CodeSetError> {
    let diseases = index::parse_flattened(
        INDEX_DISEASES.path,
        &text_of(INDEX_DISEASES.path, INDEX_DISEASES.bytes)?,
    )?;
    let mut files = vec![diseases];
    for (file, source) in [
        (&INDEX_DRUGS, index::IndexSource::Drugs),
        (&INDEX_NEOPLASMS, index::IndexSource::Neoplasms),
        (&INDEX_EXTERNAL, index::IndexSource::ExternalCauses),
    ] {
        files.push(index::parse_xml(
            file.path,
            &text_of(file.path, file.bytes)?,
            source,
        )?);
    }
    Ok(files)
}

/// The edition of the bundled ICD-10-PCS Alphabetic Index.
pub const PCS_INDEX_EDITION: &str = "ICD-10-PCS Index FY2025";

/// The bundled ICD-10-PCS Alphabetic Index.
pub fn load_pcs_index() -> Result<pcs_index::PcsIndex, CodeSetError> {
    pcs_index::parse(PCS_INDEX.path, &text_of(PCS_INDEX.path, PCS_INDEX.bytes)?)
}

/// The bundled HCPCS Level II file.
pub fn load_hcpcs() -> Result<hcpcs::Hcpcs, CodeSetError> {
    hcpcs::parse(HCPCS.path, &text_of(HCPCS.path, HCPCS.bytes)?)
}

/// ICD-10-PCS: the FY2026 tables and the MCE's dated validity of every code.
pub struct IcdPcs {
    pub tables: pcs::Pcs,
    pub mce: HashMap<String, MceEntry>,
    pub definitions: pcs::PcsDefinitions,
}

impl IcdPcs {
    pub fn load_bundled() -> Result<IcdPcs, CodeSetError> {
        let tables = pcs::parse(
            PCS_TABLES.path,
            &text_of(PCS_TABLES.path, PCS_TABLES.bytes)?,
        )?;
        let mce = parse_mce(MCE_PX.path, &text_of(MCE_PX.path, MCE_PX.bytes)?)?;
        let definitions = pcs::parse_definitions(
            PCS_DEFINITIONS.path,
            &text_of(PCS_DEFINITIONS.path, PCS_DEFINITIONS.bytes)?,
        )?;
        Ok(IcdPcs {
            tables: pcs::Pcs::new(tables),
            mce,
            definitions,
        })
    }

    pub fn valid_on(&self, code: &str, date: NaiveDate) -> bool {
        self.mce
            .get(&code.trim().to_ascii_uppercase())
            .is_some_and(|m| m.periods.iter().any(|p| p.contains(date)))
    }

    /// A code's detail as text, the way `chartcoder code` prints it; `None` when
    /// neither the tables nor the MCE know the code.
    pub fn describe(&self, code: &str, date: NaiveDate) -> Option<String> {
        use std::fmt::Write;
        let key = code.trim().to_ascii_uppercase();
        let found = self.tables.lookup(&key);
        let mce = self.mce.get(&key);
        if found.is_none() && mce.is_none() {
            return None;
        }
        let mut out = String::new();
        let status = if self.valid_on(&key, date) {
            "valid"
        } else {
            "NOT VALID on this date"
        };
        let _ = writeln!(out, "{key}\tICD-10-PCS\t{status}");
        match &found {
            Some(p) => {
                let _ = writeln!(out, "{}", p.title);
            }
            None => {
                let _ = writeln!(
                    out,
                    "(valid per MCE v44, but not in the bundled FY2026 tables: no title)"
                );
            }
        }
        for period in mce.map(|m| m.periods.as_slice()).unwrap_or(&[]) {
            let _ = writeln!(out, "{period}");
        }
        if let Some(flags) = mce.map(|m| m.flags_on(date)).filter(|f| !f.is_empty()) {
            let _ = writeln!(out, "MCE flags on {date}: {}", flags.join(", "));
        }
        if let Some(p) = found {
            let section = key.chars().next().unwrap_or('0');
            for (i, (axis, label)) in p.axes.iter().enumerate() {
                let c = key.chars().nth(i).unwrap_or(' ');
                let _ = writeln!(out, "  {} {c}  {axis}: {label}", i + 1);
                let position = (i + 1) as u8;
                let Some(def) = self.definitions.get(section, position, label) else {
                    continue;
                };
                if let Some(d) = &def.definition {
                    let _ = writeln!(out, "        Definition: {d}");
                }
                if let Some(x) = &def.explanation {
                    let _ = writeln!(out, "        Explanation: {x}");
                }
                if !def.includes.is_empty() {
                    let _ = writeln!(out, "        Includes: {}", def.includes.join("; "));
                }
            }
            if let Some(d) = p.definition
                && self.definitions.get(section, 3, &p.axes[2].1).is_none()
            {
                let _ = writeln!(out, "Root operation: {d}");
            }
        }
        Some(out)
    }
}

/// The text of a file, gunzipped when its name says so; errors name the file.
pub fn text_of(path: &str, bytes: &[u8]) -> Result<String, CodeSetError> {
    let raw = if path.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| CodeSetError::at(path, 0, format!("not a readable gzip file: {e}")))?;
        out
    } else {
        bytes.to_vec()
    };
    let mut text = String::from_utf8(raw).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        CodeSetError::at(path, line, "not valid UTF-8 text".into())
    })?;
    if text.starts_with('\u{feff}') {
        text.remove(0);
    }
    Ok(text)
}

/// The ICD-10-CM editions bundled, by fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    /// FY2026 (October 1, 2025), April 1, 2026 update.
    Fy2026,
    /// FY2027 (October 1, 2026).
    Fy2027,
}

/// Each bundled edition: its label and the day it comes into force (October 1).
/// The one table of editions: each is in force until the next one's first day.
const EDITIONS: [(Edition, &str, (i32, u32, u32)); 2] = [
    (Edition::Fy2026, "FY2026", (2025, 10, 1)),
    (Edition::Fy2027, "FY2027", (2026, 10, 1)),
];

impl Edition {
    /// Every bundled edition, oldest first.
    pub const ALL: [Edition; 2] = [EDITIONS[0].0, EDITIONS[1].0];

    fn row(self) -> usize {
        EDITIONS.iter().position(|e| e.0 == self).unwrap_or(0)
    }

    fn first_day(i: usize) -> NaiveDate {
        let (y, m, d) = EDITIONS[i].2;
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    /// The edition a label such as "FY2026" names, if it is bundled.
    pub fn from_label(label: &str) -> Option<Edition> {
        EDITIONS.iter().find(|e| e.1 == label).map(|e| e.0)
    }

    /// The edition in force on a date (the discharge date for inpatients, the date
    /// of service otherwise). Dates before the oldest bundled edition use it;
    /// validity on such dates still comes from the MCE's dated lists.
    pub fn for_date(date: NaiveDate) -> Edition {
        (0..EDITIONS.len())
            .rev()
            .find(|&i| date >= Edition::first_day(i))
            .map_or(EDITIONS[0].0, |i| EDITIONS[i].0)
    }

    /// The dates the edition is in force: its October 1 to the day before the
    /// next edition's (the newest bundled edition stays in force until a newer
    /// one is added).
    pub fn period(self) -> ValidPeriod {
        let i = self.row();
        ValidPeriod {
            start: Edition::first_day(i),
            end: (i + 1 < EDITIONS.len()).then(|| {
                Edition::first_day(i + 1)
                    .pred_opt()
                    .unwrap_or(NaiveDate::MIN)
            }),
        }
    }

    pub fn label(self) -> &'static str {
        EDITIONS[self.row()].1
    }

    /// The other bundled edition.
    pub fn other(self) -> Edition {
        match self {
            Edition::Fy2026 => Edition::Fy2027,
            Edition::Fy2027 => Edition::Fy2026,
        }
    }
}

/// Dated validity: the periods in which a code was valid (MCE masters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidPeriod {
    pub start: NaiveDate,
    /// `None`: still valid.
    pub end: Option<NaiveDate>,
}

impl fmt::Display for ValidPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            Some(end) => write!(f, "Valid {} to {end} (MCE v44)", self.start),
            None => write!(f, "Valid from {} (MCE v44)", self.start),
        }
    }
}

impl ValidPeriod {
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }

    /// Whether two periods share a day.
    pub fn overlaps(&self, other: &ValidPeriod) -> bool {
        self.start <= other.end.unwrap_or(NaiveDate::MAX)
            && other.start <= self.end.unwrap_or(NaiveDate::MAX)
    }
}

/// A code's MCE master rows: its periods of validity, each with the edit
/// flags of that period (CMS changes a code's flags over time: N40.0 lost
/// "male" on 2024-10-01, R65.20 gained "unacceptable" on 2017-10-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MceEntry {
    pub periods: Vec<ValidPeriod>,
    /// Per period (same order as `periods`), its flags.
    pub dated_flags: Vec<Vec<String>>,
    /// Every flag of any period (what the code has ever been flagged with).
    pub flags: Vec<String>,
}

impl MceEntry {
    /// The flags in force on a date: those of the period holding it, else (the
    /// code not valid that day) those of the latest period.
    pub fn flags_on(&self, date: NaiveDate) -> &[String] {
        let at = self
            .periods
            .iter()
            .position(|p| p.contains(date))
            .or_else(|| (0..self.periods.len()).max_by_key(|&i| self.periods[i].start));
        at.and_then(|i| self.dated_flags.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

impl MceEntry {
    /// The periods of validity with adjacent ones joined: the MCE starts a new
    /// row when a code's flags change (O80 lost "female" on 2024-10-01), which
    /// is no gap in its validity.
    pub fn merged_periods(&self) -> Vec<ValidPeriod> {
        let mut sorted = self.periods.clone();
        sorted.sort_by_key(|p| p.start);
        let mut out: Vec<ValidPeriod> = Vec::with_capacity(sorted.len());
        for p in sorted {
            match out.last_mut() {
                Some(last) if last.end.and_then(|e| e.succ_opt()) == Some(p.start) => {
                    last.end = p.end;
                }
                _ => out.push(p),
            }
        }
        out
    }

    /// The flags over time, oldest first: each stretch of days with the same
    /// flags (adjacent rows with equal flags joined).
    pub fn flag_history(&self) -> Vec<(ValidPeriod, &[String])> {
        let mut rows: Vec<(ValidPeriod, &[String])> = self
            .periods
            .iter()
            .zip(&self.dated_flags)
            .map(|(p, f)| (*p, f.as_slice()))
            .collect();
        rows.sort_by_key(|(p, _)| p.start);
        let mut out: Vec<(ValidPeriod, &[String])> = Vec::with_capacity(rows.len());
        for (p, flags) in rows {
            match out.last_mut() {
                Some((last, f))
                    if *f == flags && last.end.and_then(|e| e.succ_opt()) == Some(p.start) =>
                {
                    last.end = p.end;
                }
                _ => out.push((p, flags)),
            }
        }
        out
    }

    /// The last day the code was valid, when it is no longer valid after it.
    pub fn last_day(&self) -> Option<NaiveDate> {
        let merged = self.merged_periods();
        merged.last().and_then(|p| p.end)
    }
}

/// A period in words: "2015-10-01 to 2024-09-30", "from 2024-10-01".
fn period_words(p: &ValidPeriod) -> String {
    match p.end {
        Some(end) => format!("{} to {end}", p.start),
        None => format!("from {}", p.start),
    }
}

fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

/// Parses an MCE master (`code,start_date,end_date,flags`), codes without dots.
pub fn parse_mce(file: &str, text: &str) -> Result<HashMap<String, MceEntry>, CodeSetError> {
    let mut out: HashMap<String, MceEntry> = HashMap::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "code,start_date,end_date,flags" => {}
        _ => {
            return Err(CodeSetError::at(
                file,
                1,
                "expected the header code,start_date,end_date,flags".into(),
            ));
        }
    }
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: &str| CodeSetError::at(file, i + 1, m.to_string());
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() != 4 {
            return Err(bad("expected 4 columns: code,start_date,end_date,flags"));
        }
        let code = cols[0].trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("the code is empty or not letters and digits"));
        }
        let start =
            parse_yyyymmdd(cols[1].trim()).ok_or_else(|| bad("start_date is not YYYYMMDD"))?;
        let end = match cols[2].trim() {
            "" => None,
            s => Some(parse_yyyymmdd(s).ok_or_else(|| bad("end_date is not YYYYMMDD"))?),
        };
        if end.is_some_and(|e| e < start) {
            return Err(bad("end_date is before start_date"));
        }
        let entry = out.entry(code.to_string()).or_insert_with(|| MceEntry {
            periods: Vec::new(),
            dated_flags: Vec::new(),
            flags: Vec::new(),
        });
        entry.periods.push(ValidPeriod { start, end });
        let flags: Vec<String> = cols[3]
            .split('|')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        for flag in &flags {
            if !entry.flags.contains(flag) {
                entry.flags.push(flag.clone());
            }
        }
        entry.dated_flags.push(flags);
    }
    Ok(out)
}

/// Refuses what the csv crate reads without a word: a quoted field whose closing
/// quote never comes (it swallows every row after it) or comes on a later line
/// (no table chartcoder reads has a field spanning lines, so that is a stray
/// quote too). `first_line` is the file line `text` starts on; the error names
/// the line where the quote opened. Quoting follows the csv crate's defaults: a
/// quote opens a field only as its first character, `""` inside is a quote.
pub(crate) fn check_csv_quotes(
    file: &str,
    text: &str,
    delimiter: u8,
    first_line: usize,
) -> Result<(), CodeSetError> {
    let bytes = text.as_bytes();
    let mut line = first_line;
    let mut field_start = true;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if field_start && b == b'"' {
            loop {
                match (bytes.get(i), bytes.get(i + 1)) {
                    (Some(b'"'), Some(b'"')) => i += 2,
                    (Some(b'"'), _) => {
                        i += 1;
                        break;
                    }
                    (Some(b'\n' | b'\r'), _) | (None, _) => {
                        return Err(CodeSetError::at(
                            file,
                            line,
                            "a quoted field opens here and does not close on this line \
                             (an unterminated quote would swallow the rows after it)"
                                .into(),
                        ));
                    }
                    (Some(_), _) => i += 1,
                }
            }
            field_start = false;
            continue;
        }
        field_start = b == delimiter || b == b'\n' || b == b'\r';
        if b == b'\n' {
            line += 1;
        }
    }
    Ok(())
}

/// A CSV reader's error as a code-set error on its line.
pub(crate) fn csv_error(file: &str, e: &csv::Error) -> CodeSetError {
    let line = e.position().map_or(1, |p| p.line() as usize);
    CodeSetError::at(file, line, format!("not a valid CSV row: {e}"))
}

/// One row of a change list: its line and its fields by column name.
struct ChangeRow {
    line: usize,
    fields: HashMap<String, String>,
}

impl ChangeRow {
    fn get(&self, column: &str) -> &str {
        self.fields.get(column).map_or("", String::as_str)
    }
}

/// Reads a change list (CSV with a header naming at least `required`).
fn parse_change_csv(
    file: &str,
    text: &str,
    required: &[&str],
) -> Result<Vec<ChangeRow>, CodeSetError> {
    check_csv_quotes(file, text, b',', 1)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let at = |e: csv::Error| csv_error(file, &e);
    let header = reader.headers().map_err(at)?.clone();
    for col in required {
        if !header.iter().any(|h| h == *col) {
            return Err(CodeSetError::at(
                file,
                1,
                format!("the header lacks the column {col}"),
            ));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(at)?;
        rows.push(ChangeRow {
            line: record.position().map_or(0, |p| p.line() as usize),
            fields: header
                .iter()
                .map(str::to_string)
                .zip(record.iter().map(str::to_string))
                .collect(),
        });
    }
    Ok(rows)
}

/// ICD-10-CM in both bundled editions.
pub struct IcdCm {
    pub nodes: Vec<TabularNode>,
    /// Code without dot -> node.
    by_code: HashMap<String, usize>,
    /// Nodes that exist only in FY2027 (added) or only in FY2026 (deleted).
    only_in: HashMap<usize, Edition>,
    /// FY2027 titles of revised codes.
    fy2027_titles: HashMap<usize, String>,
    /// The FY2027 deleted list: code without dot -> long title.
    fy2027_deleted: HashMap<String, String>,
    /// The FY2027 added list: code without dot and long title, in file order.
    fy2027_added: Vec<(String, String)>,
    /// Dated validity and MCE flags of every billable code, without dots.
    pub mce: HashMap<String, MceEntry>,
}

/// Removes the dot and upper-cases: the key codes are stored under.
pub fn code_key(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A code with its 7th character, X filling positions 4-6 ("T45.0X1" + A is
/// T45.0X1A, "W19" + A is W19.XXXA), written with its dot.
pub fn with_seventh(base: &str, c: char) -> String {
    let key = code_key(base);
    dotted(&format!("{key:X<6}{c}"))
}

/// Writes a dotless ICD-10-CM code the way coders do.
pub fn dotted(key: &str) -> String {
    if key.len() > 3 && key.is_char_boundary(3) {
        format!("{}.{}", &key[..3], &key[3..])
    } else {
        key.to_string()
    }
}

/// What the code sets know about one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeDetail {
    /// As the coder writes it ("T45.0X1A").
    pub code: String,
    pub title: String,
    pub edition: Edition,
    /// Reportable on a claim (valid per the MCE on some date, and not a header).
    pub billable: bool,
    /// Has children: not reportable, pick one of them.
    pub header: bool,
    /// The node of the tabular this code is (or, for a 7th-character code, extends).
    pub node: usize,
    /// For a 7th-character code: the character and its meaning.
    pub seventh: Option<SeventhCharacter>,
    /// MCE periods of validity (empty for headers).
    pub valid: Vec<ValidPeriod>,
    /// MCE edit flags (e.g. manifestation, unacceptable, adult).
    pub mce_flags: Vec<String>,
}

impl IcdCm {
    /// Loads the bundled files.
    pub fn load_bundled() -> Result<IcdCm, CodeSetError> {
        let tabular = text_of(TABULAR.path, TABULAR.bytes)?;
        let nodes = tabular::parse(TABULAR.path, &tabular)?;
        let mce = parse_mce(MCE_DX.path, &text_of(MCE_DX.path, MCE_DX.bytes)?)?;
        let mut cm = IcdCm::from_nodes(nodes, mce);
        cm.apply_fy2027(
            &text_of(FY2027_ADDED.path, FY2027_ADDED.bytes)?,
            &text_of(FY2027_DELETED.path, FY2027_DELETED.bytes)?,
            &text_of(FY2027_REVISED.path, FY2027_REVISED.bytes)?,
        )?;
        Ok(cm)
    }

    pub fn from_nodes(nodes: Vec<TabularNode>, mce: HashMap<String, MceEntry>) -> IcdCm {
        let by_code = nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.kind == NodeKind::Code)
            .map(|(i, n)| (code_key(&n.code), i))
            .collect();
        IcdCm {
            nodes,
            by_code,
            only_in: HashMap::new(),
            fy2027_titles: HashMap::new(),
            fy2027_deleted: HashMap::new(),
            fy2027_added: Vec::new(),
            mce,
        }
    }

    /// Applies the FY2027 added / deleted / revised lists on top of the FY2026 tree.
    pub fn apply_fy2027(
        &mut self,
        added: &str,
        deleted: &str,
        revised: &str,
    ) -> Result<(), CodeSetError> {
        let mut added_rows = parse_change_csv(FY2027_ADDED.path, added, &["code", "longTitle"])?;
        // Parents before children: shorter codes first.
        added_rows.sort_by_key(|r| r.get("code").len());
        for row in added_rows {
            let line = row.line;
            let key = code_key(row.get("code"));
            self.fy2027_added
                .push((key.clone(), row.get("longTitle").to_string()));
            if key.len() < 3 {
                return Err(CodeSetError::at(
                    FY2027_ADDED.path,
                    line,
                    "a code shorter than a category".into(),
                ));
            }
            if self.by_code.contains_key(&key) {
                continue;
            }
            let parent = (3..key.len())
                .rev()
                .find_map(|n| self.by_code.get(&key[..n]).copied())
                .or_else(|| self.section_for(&key));
            let index = self.nodes.len();
            self.nodes.push(TabularNode {
                kind: NodeKind::Code,
                code: dotted(&key),
                title: row.get("longTitle").to_string(),
                parent,
                children: Vec::new(),
                notes: Vec::new(),
                seventh: Vec::new(),
                placeholder: false,
                line,
            });
            if let Some(p) = parent {
                self.nodes[p].children.push(index);
            }
            self.by_code.insert(key, index);
            self.only_in.insert(index, Edition::Fy2027);
        }
        for row in parse_change_csv(FY2027_DELETED.path, deleted, &["code"])? {
            let line = row.line;
            let key = code_key(row.get("code"));
            self.fy2027_deleted
                .insert(key.clone(), row.get("longTitle").to_string());
            // A deleted 7th-character code has no node of its own: MCE dates end it.
            if let Some(&i) = self.by_code.get(&key) {
                self.only_in.insert(i, Edition::Fy2026);
            } else if key.len() != 7 {
                return Err(CodeSetError::at(
                    FY2027_DELETED.path,
                    line,
                    format!("{} is not in the tabular", dotted(&key)),
                ));
            }
        }
        for row in parse_change_csv(FY2027_REVISED.path, revised, &["code", "newLongTitle"])? {
            let line = row.line;
            let key = code_key(row.get("code"));
            let i = *self.by_code.get(&key).ok_or_else(|| {
                CodeSetError::at(
                    FY2027_REVISED.path,
                    line,
                    format!("{} is not in the tabular", dotted(&key)),
                )
            })?;
            self.fy2027_titles
                .insert(i, row.get("newLongTitle").to_string());
        }
        Ok(())
    }

    /// The section whose range holds a new category (e.g. K6A in K55-K64).
    fn section_for(&self, key: &str) -> Option<usize> {
        let category = key.get(..3)?;
        self.nodes.iter().position(|n| {
            n.kind == NodeKind::Section
                && n.code
                    .split_once('-')
                    .is_some_and(|(lo, hi)| lo <= category && category <= hi)
        })
    }

    /// Whether a tabular code (with or without dot) exists in an edition.
    pub fn in_edition_code(&self, code: &str, edition: Edition) -> bool {
        self.by_code
            .get(&code_key(code))
            .is_some_and(|&n| self.in_edition(n, edition))
    }

    /// Whether a node exists in an edition.
    pub fn in_edition(&self, node: usize, edition: Edition) -> bool {
        self.only_in.get(&node).is_none_or(|e| *e == edition)
    }

    /// A node's title in an edition.
    pub fn title_in(&self, node: usize, edition: Edition) -> &str {
        match (edition, self.fy2027_titles.get(&node)) {
            (Edition::Fy2027, Some(t)) => t,
            _ => &self.nodes[node].title,
        }
    }

    /// The node's children that exist in an edition.
    pub fn children_in(&self, node: usize, edition: Edition) -> Vec<usize> {
        self.nodes[node]
            .children
            .iter()
            .copied()
            .filter(|&c| self.in_edition(c, edition))
            .collect()
    }

    /// The node and its ancestors, nearest first.
    pub fn lineage(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(node), |&n| self.nodes[n].parent)
    }

    /// The 7th characters that apply to a node: its own definition, else the
    /// nearest ancestor's.
    pub fn seventh_characters(&self, node: usize) -> &[SeventhCharacter] {
        self.lineage(node)
            .map(|n| self.nodes[n].seventh.as_slice())
            .find(|s| !s.is_empty())
            .unwrap_or(&[])
    }

    /// Every note that applies to a node, from the node up to its chapter, with the
    /// code of the level each comes from.
    pub fn notes(&self, node: usize) -> Vec<(&str, &Note)> {
        self.lineage(node)
            .flat_map(|n| {
                self.nodes[n]
                    .notes
                    .iter()
                    .map(move |note| (self.nodes[n].code.as_str(), note))
            })
            .collect()
    }

    /// The tabular node of a code in an edition (for a 7th-character code, the
    /// node it extends), without building its detail: what the edits need to
    /// walk its notes.
    pub fn node_of(&self, code: &str, edition: Edition) -> Option<usize> {
        let key = code_key(code);
        let node = match self.by_code.get(&key) {
            Some(&n) => n,
            None if key.len() == 7 => *self.by_code.get(key[..6].trim_end_matches('X'))?,
            None => return None,
        };
        self.in_edition(node, edition).then_some(node)
    }

    /// Looks a code up in an edition: a tabular node, or a 7th-character code built
    /// on one (with its X placeholders in place).
    pub fn lookup(&self, code: &str, edition: Edition) -> Option<CodeDetail> {
        let key = code_key(code);
        let mce = self.mce.get(&key);
        let (node, seventh) = match self.by_code.get(&key) {
            Some(&n) => (n, None),
            None => {
                if key.len() != 7 {
                    return None;
                }
                let ch = key.chars().last()?;
                let base = key[..6].trim_end_matches('X');
                let node = *self.by_code.get(base)?;
                // The 7th character goes after position 6, X filling the gap. Some
                // combinations are excluded only in the prose of a note (S06 with 6th
                // character 7 or 8 takes A only): the MCE's dated list is the authority
                // that a built code exists in this edition.
                let in_force = edition.period();
                if code_key(&with_seventh(base, ch)) != key
                    || !self.children_in(node, edition).is_empty()
                    || !mce.is_some_and(|m| m.periods.iter().any(|p| p.overlaps(&in_force)))
                {
                    return None;
                }
                let seventh = self
                    .seventh_characters(node)
                    .iter()
                    .find(|s| s.character == ch)?
                    .clone();
                (node, Some(seventh))
            }
        };
        if !self.in_edition(node, edition) {
            return None;
        }
        let needs_seventh = seventh.is_none() && !self.seventh_characters(node).is_empty();
        let header = !self.children_in(node, edition).is_empty() || needs_seventh;
        let mut title = self.title_in(node, edition).to_string();
        if let Some(s) = &seventh {
            title = format!("{title}, {}", s.meaning);
        }
        Some(CodeDetail {
            code: dotted(&key),
            title,
            edition,
            billable: !header && self.nodes[node].kind == NodeKind::Code,
            header,
            node,
            seventh,
            valid: mce.map(MceEntry::merged_periods).unwrap_or_default(),
            mce_flags: mce.map(|m| m.flags.clone()).unwrap_or_default(),
        })
    }

    /// For a 7th-character code written without its X placeholders (T45.01A), the
    /// code as it should be written (T45.0X1A), if exactly one placement of the
    /// missing X's (after the category) makes a code of this edition.
    pub fn placeholder_hint(&self, code: &str, edition: Edition) -> Option<String> {
        let key = code_key(code);
        if !(4..7).contains(&key.len()) {
            return None;
        }
        let (base, ch) = key.split_at(key.len() - 1);
        let mut candidates = vec![base.to_string()];
        while candidates[0].len() < 6 {
            candidates = candidates
                .iter()
                .flat_map(|c| (3..=c.len()).map(move |at| format!("{}X{}", &c[..at], &c[at..])))
                .collect();
            candidates.sort();
            candidates.dedup();
        }
        let found: Vec<String> = candidates
            .iter()
            .filter_map(|c| self.lookup(&format!("{c}{ch}"), edition))
            .map(|d| d.code)
            .collect();
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }

    /// Whether a code is valid for reporting on a date (MCE dated lists).
    pub fn valid_on(&self, code: &str, date: NaiveDate) -> bool {
        self.mce
            .get(&code_key(code))
            .is_some_and(|m| m.periods.iter().any(|p| p.contains(date)))
    }

    /// For a code on the FY2027 deleted list, what the FY2027 added list puts in
    /// its place; `None` for a code not on the deleted list. The lists name no
    /// replacements as such: a replacement is an added code under the deleted
    /// code's nearest surviving ancestor, subdividing the one position after it
    /// and keeping the characters after that (T52.8X1A: T52.811A, T52.821A,
    /// T52.891A under T52.8); one with the deleted code's very title comes first.
    pub fn fy2027_replacement(&self, code: &str) -> Option<Replacement> {
        let key = code_key(code);
        let title = self.fy2027_deleted.get(&key)?;
        let surviving = (3..key.len()).rev().find(|&n| {
            self.by_code
                .get(&key[..n])
                .is_some_and(|&i| self.in_edition(i, Edition::Fy2027))
        });
        let mut out = Replacement::default();
        let Some(n) = surviving else {
            return Some(out);
        };
        let (prefix, tail) = (&key[..n], key.get(n + 1..).unwrap_or(""));
        for (added, added_title) in &self.fy2027_added {
            let fits = added.len() == key.len()
                && added.starts_with(prefix)
                && added.get(n + 1..) == Some(tail);
            if !fits {
                continue;
            }
            if added_title == title {
                out.same_title.push(dotted(added));
            } else {
                out.others.push(dotted(added));
            }
        }
        Some(out)
    }
}

/// What the FY2027 changes put in place of a deleted code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Replacement {
    /// Added codes with the deleted code's title.
    pub same_title: Vec<String>,
    /// Other added codes in its place.
    pub others: Vec<String>,
}

impl Replacement {
    /// In words, for `chartcoder code`.
    pub fn words(&self) -> String {
        match (self.same_title.as_slice(), self.others.as_slice()) {
            ([], []) => "the FY2027 changes list adds no code in its place".into(),
            ([], others) => format!(
                "the FY2027 changes list adds in its place: {}",
                others.join(", ")
            ),
            (same, []) => format!("replaced by {} (same title)", same.join(", ")),
            (same, others) => format!(
                "replaced by {} (same title); FY2027 also adds beside it: {}",
                same.join(", "),
                others.join(", ")
            ),
        }
    }
}

/// A code's detail for `chartcoder code` on a date: the code as the edition
/// in force has it, else as the other bundled edition had it (a code deleted in
/// FY2027 asked about after 2026-09-30, a code added in FY2027 asked about
/// before), with its status on the date in words. `None`: no edition has it.
pub fn describe_code(cm: &IcdCm, code: &str, date: NaiveDate) -> Option<String> {
    let edition = Edition::for_date(date);
    let detail = cm
        .lookup(code, edition)
        .or_else(|| cm.lookup(code, edition.other()));
    match detail {
        Some(detail) => Some(describe(cm, &detail, date)),
        None => retired(cm, code, date),
    }
}

/// A code the MCE knows but neither bundled tabular has (deleted before
/// FY2026): its periods of validity, without a title.
fn retired(cm: &IcdCm, code: &str, date: NaiveDate) -> Option<String> {
    use std::fmt::Write;
    let key = code_key(code);
    let m = cm.mce.get(&key)?;
    let periods = m.merged_periods();
    let last = periods.last()?;
    let mut out = String::new();
    let status = match last.end {
        Some(end) if !last.contains(date) => {
            format!("deleted: valid until {end}, NOT VALID on {date}")
        }
        _ => "valid per the MCE, not in the bundled tabulars".to_string(),
    };
    let _ = writeln!(out, "{}\tICD-10-CM (MCE v44)\t{status}", dotted(&key));
    let _ = writeln!(
        out,
        "(not in the bundled FY2026 and FY2027 tabulars: no title)"
    );
    for p in &periods {
        let _ = writeln!(out, "{p}");
    }
    write_flags(&mut out, m, last.contains(date), date);
    Some(out)
}

/// The status of a code on a date, in words: the first line of `describe`.
fn status_words(cm: &IcdCm, d: &CodeDetail, date: NaiveDate, mce: Option<&MceEntry>) -> String {
    let in_force = Edition::for_date(date);
    let last_day = mce.and_then(MceEntry::last_day);
    if d.edition != in_force {
        return match (d.edition, last_day) {
            (Edition::Fy2026, Some(end)) => format!(
                "deleted in {}: valid until {end}, NOT VALID on {date}",
                in_force.label()
            ),
            (Edition::Fy2026, None) if cm.fy2027_deleted.contains_key(&code_key(&d.code)) => {
                format!("deleted in {}: NOT VALID on {date}", in_force.label())
            }
            (Edition::Fy2026, None) => format!("not in {}: NOT VALID on {date}", in_force.label()),
            (_, _) => {
                let from = d.valid.first().map_or_else(
                    || d.edition.period().start.to_string(),
                    |p| p.start.to_string(),
                );
                format!(
                    "new in {}: valid from {from}, NOT VALID on {date}",
                    d.edition.label()
                )
            }
        };
    }
    if d.header {
        let sevenths = cm.seventh_characters(d.node);
        if cm.children_in(d.node, d.edition).is_empty() && !sevenths.is_empty() {
            let chars: Vec<String> = sevenths.iter().map(|s| s.character.to_string()).collect();
            let until = match last_day {
                Some(end) if !cm.valid_on(&d.code, date) => {
                    format!(" (billable without one until {end})")
                }
                _ => String::new(),
            };
            return format!(
                "needs a 7th character ({}): not reportable without one, e.g. {}{until}",
                chars.join(", "),
                with_seventh(&d.code, sevenths[0].character)
            );
        }
        return match last_day {
            Some(end) if !cm.valid_on(&d.code, date) && d.valid.iter().all(|p| p.end.is_some()) => {
                let from = end.succ_opt().unwrap_or(end);
                format!(
                    "header: not reportable, choose a code below (subdivided from {from}: billable until {end})"
                )
            }
            _ => "header: not reportable, choose a code below".into(),
        };
    }
    if cm.valid_on(&d.code, date) {
        "billable".into()
    } else {
        "billable code, but NOT VALID on this date".into()
    }
}

/// A code's MCE flags: those on the date when it is valid then, and how they
/// changed over time (or, when it is not valid on the date, those it had).
fn write_flags(out: &mut String, m: &MceEntry, valid_now: bool, date: NaiveDate) {
    use std::fmt::Write;
    let history = m.flag_history();
    let flags = m.flags_on(date);
    if valid_now && !flags.is_empty() {
        let _ = writeln!(out, "MCE flags on {date}: {}", flags.join(", "));
    }
    if history.len() > 1 {
        let stretches: Vec<String> = history
            .iter()
            .map(|(p, f)| {
                let f = if f.is_empty() {
                    "none".to_string()
                } else {
                    f.join(", ")
                };
                format!("{f} {}", period_words(p))
            })
            .collect();
        let _ = writeln!(out, "MCE flag history: {}", stretches.join("; "));
    } else if !valid_now && !flags.is_empty() {
        let _ = writeln!(out, "MCE flags while valid: {}", flags.join(", "));
    }
}

/// A code's full detail as text, the way `chartcoder code` prints it.
pub fn describe(cm: &IcdCm, d: &CodeDetail, date: NaiveDate) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mce = cm.mce.get(&code_key(&d.code));
    let status = status_words(cm, d, date, mce);
    let _ = writeln!(out, "{}\tICD-10-CM {}\t{status}", d.code, d.edition.label());
    let _ = writeln!(out, "{}", d.title);
    for p in &d.valid {
        let _ = writeln!(out, "{p}");
    }
    if let Some(replacement) = cm.fy2027_replacement(&d.code) {
        let _ = writeln!(
            out,
            "Deleted in FY2027 (from {}): {}",
            Edition::Fy2027.period().start,
            replacement.words()
        );
    }
    if let Some(m) = mce {
        write_flags(&mut out, m, cm.valid_on(&d.code, date), date);
    }
    // The levels above the code; a section that holds a single category is
    // that category again ("Z68 Body mass index [BMI] (Z68)"): left out.
    let mut ancestors: Vec<String> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    for n in cm.lineage(d.node).skip(usize::from(d.seventh.is_none())) {
        let node = &cm.nodes[n];
        let title = cm.title_in(n, d.edition);
        match node.kind {
            NodeKind::Code => {
                categories.push(node.code.as_str());
                ancestors.push(format!("{} {title}", node.code));
            }
            NodeKind::Section if categories.contains(&node.code.as_str()) => {}
            NodeKind::Section | NodeKind::Chapter => {
                ancestors.push(format!("{} {title}", node.code))
            }
        }
    }
    if !ancestors.is_empty() {
        let _ = writeln!(out, "In:");
        for a in ancestors {
            let _ = writeln!(out, "  {a}");
        }
    }
    let notes = cm.notes(d.node);
    if !notes.is_empty() {
        let _ = writeln!(out, "Notes:");
        for (from, note) in notes {
            let _ = writeln!(out, "  {} (at {from}): {}", note.kind.heading(), note.text);
        }
    }
    if d.seventh.is_none() {
        let seventh = cm.seventh_characters(d.node);
        if !seventh.is_empty() {
            let _ = writeln!(out, "7th characters (placeholder X fills positions 4-6):");
            for s in seventh {
                let _ = writeln!(out, "  {}  {}", s.character, s.meaning);
            }
        }
    }
    let children = cm.children_in(d.node, d.edition);
    if !children.is_empty() {
        let _ = writeln!(out, "Children:");
        for c in children {
            let _ = writeln!(out, "  {}  {}", cm.nodes[c].code, cm.title_in(c, d.edition));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_edition_is_in_force_from_its_october_first_to_the_next_ones() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Edition::for_date(d("2026-09-30")), Edition::Fy2026);
        assert_eq!(Edition::for_date(d("2026-10-01")), Edition::Fy2027);
        assert_eq!(
            Edition::for_date(d("2019-01-01")),
            Edition::Fy2026,
            "older: the oldest bundled"
        );
        assert_eq!(
            Edition::for_date(d("2031-01-01")),
            Edition::Fy2027,
            "newer: the newest"
        );
        let p = Edition::Fy2026.period();
        assert_eq!((p.start, p.end), (d("2025-10-01"), Some(d("2026-09-30"))));
        let p = Edition::Fy2027.period();
        assert_eq!((p.start, p.end), (d("2026-10-01"), None));
        for e in Edition::ALL {
            assert_eq!(Edition::from_label(e.label()), Some(e));
        }
        assert_eq!(Edition::from_label("FY1999"), None);
    }

    #[test]
    fn a_runaway_quote_is_refused_where_it_opened() {
        let ok = "a,b\n1,\"x, \"\"y\"\"\"\n2,z\"q\n\"\",\"\"\n";
        assert_eq!(check_csv_quotes("f.csv", ok, b',', 1), Ok(()));
        for (text, line) in [
            ("a,b\n1,\"open\n2,x\n", 2),
            ("a,b\n1,x\n2,\"open", 3),
            ("a,b\r\n1,\"two\r\nlines\"\r\n", 2),
            ("\"a\"\"\n", 1),
        ] {
            let e = check_csv_quotes("f.csv", text, b',', 1).unwrap_err();
            assert_eq!((e.file.as_str(), e.line), ("f.csv", line), "{text:?}");
        }
        // A quote inside an unquoted field is text; a tab file quotes after tabs.
        assert_eq!(check_csv_quotes("f", "a,5\" pipe\n", b',', 1), Ok(()));
        let e = check_csv_quotes("f.tsv", "x\n\n1\t\"y\n", b'\t', 10).unwrap_err();
        assert_eq!(e.line, 12);
    }

    #[test]
    fn a_change_list_with_a_runaway_quote_is_refused() {
        let text = "code,longTitle\nA000,\"Cholera\nA001,Other\n";
        let e = parse_change_csv("added.csv", text, &["code"])
            .err()
            .unwrap();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn the_7th_character_goes_after_placeholders() {
        assert_eq!(with_seventh("T45.0X1", 'A'), "T45.0X1A");
        assert_eq!(with_seventh("S72.001", 'D'), "S72.001D");
        assert_eq!(with_seventh("W19", 'A'), "W19.XXXA");
        assert_eq!(with_seventh("T45.0", 'A'), "T45.0XXA");
    }

    #[test]
    fn code_shapes_as_the_official_files_print_them() {
        for code in ["A00.0", "T45.0X1A", "QA0.0101", "J18.9", "I63."] {
            assert!(has_cm_shape(code), "{code}");
        }
        for code in ["cholera", "1A0.0", "A0", "S72.46-", "W19 X"] {
            assert!(!has_cm_shape(code), "{code}");
        }
    }
}
