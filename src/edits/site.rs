//! Tables a site supplies (never bundled: the NCCI tables are distributed by
//! CMS under the AMA's CPT licence, and the POA exempt list is re-issued every
//! year): the POA exempt list, NCCI procedure-to-procedure (PTP) edits and
//! medically unlikely edits (MUE), each in the layout CMS publishes it (text
//! or CSV, tab or comma separated, title lines before the first code).

use crate::codeset::{CodeSetError, code_key};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// What the configuration says about the edits: the options, and the files of
/// the site's tables (read by [`SiteFiles::load`], off the screen's thread).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteFiles {
    pub options: super::EditOptions,
    pub poa_exempt: Option<std::path::PathBuf>,
    pub ptp: Option<std::path::PathBuf>,
    pub mue: Option<std::path::PathBuf>,
}

impl SiteFiles {
    /// The options and files the `[edits]` section of the config names.
    pub fn from_config(e: &crate::config::EditsConfig) -> SiteFiles {
        let path = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| std::path::PathBuf::from(s))
        };
        SiteFiles {
            options: super::EditOptions {
                sex_conflict_always: e.sex_conflict_always,
                nonspecific_principal: e.nonspecific_principal,
            },
            poa_exempt: path(&e.poa_exempt_file),
            ptp: path(&e.ncci_ptp_file),
            mue: path(&e.mue_file),
        }
    }

    pub fn load(&self) -> Result<SiteTables, CodeSetError> {
        SiteTables::load(
            self.poa_exempt.as_deref(),
            self.ptp.as_deref(),
            self.mue.as_deref(),
        )
    }
}

/// The site's tables; each is `None` when the configuration names no file.
#[derive(Debug, Clone, Default)]
pub struct SiteTables {
    /// ICD-10-CM codes exempt from POA reporting, without dots.
    pub poa_exempt: Option<HashSet<String>>,
    pub ptp: Option<Ptp>,
    pub mue: Option<Mue>,
}

impl SiteTables {
    /// Reads the files the configuration names.
    pub fn load(
        poa_exempt: Option<&Path>,
        ptp: Option<&Path>,
        mue: Option<&Path>,
    ) -> Result<SiteTables, CodeSetError> {
        let read = |p: &Path| {
            std::fs::read(p)
                .map_err(|e| {
                    CodeSetError::at(&p.display().to_string(), 0, format!("cannot read it: {e}"))
                })
                .and_then(|b| crate::codeset::text_of(&p.display().to_string(), &b))
                .map(|t| (p.display().to_string(), t))
        };
        Ok(SiteTables {
            poa_exempt: match poa_exempt {
                Some(p) => {
                    let (name, text) = read(p)?;
                    Some(parse_poa_exempt(&name, &text)?)
                }
                None => None,
            },
            ptp: match ptp {
                Some(p) => {
                    let (name, text) = read(p)?;
                    Some(Ptp::parse(&name, &text)?)
                }
                None => None,
            },
            mue: match mue {
                Some(p) => {
                    let (name, text) = read(p)?;
                    Some(Mue::parse(&name, &text)?)
                }
                None => None,
            },
        })
    }
}

/// A CPT/HCPCS code's shape: five letters and digits.
fn procedure_shaped(s: &str) -> bool {
    s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The data rows of a CMS table: every row from the first whose first field
/// `is_code` accepts (the lines before are its title and column headings),
/// with its 1-based line. Tab separated when the first data row has a tab.
fn data_rows(
    file: &str,
    text: &str,
    is_code: impl Fn(&str) -> bool,
) -> Result<Vec<(usize, Vec<String>)>, CodeSetError> {
    let lines: Vec<&str> = text.lines().collect();
    let first_field = |l: &str| {
        l.split(['\t', ','])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .to_string()
    };
    let Some(start) = lines.iter().position(|l| is_code(&first_field(l))) else {
        return Err(CodeSetError::at(
            file,
            1,
            "no row starts with a code".into(),
        ));
    };
    let delimiter = if lines[start].contains('\t') {
        b'\t'
    } else {
        b','
    };
    let body = lines[start..].join("\n");
    crate::codeset::check_csv_quotes(file, &body, delimiter, start + 1)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes());
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize) + start;
            CodeSetError::at(file, line, format!("not a valid row: {e}"))
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize) + start;
        let fields: Vec<String> = record.iter().map(|f| f.trim().to_string()).collect();
        if fields.iter().all(String::is_empty) {
            continue;
        }
        out.push((line, fields));
    }
    Ok(out)
}

/// The POA exempt list: one ICD-10-CM code per row (dots optional), anything
/// after it (the description) ignored.
pub fn parse_poa_exempt(file: &str, text: &str) -> Result<HashSet<String>, CodeSetError> {
    let cm = |s: &str| crate::codeset::has_cm_shape(s) && s.len() <= 8;
    let mut out = HashSet::new();
    for (line, fields) in data_rows(file, text, cm)? {
        if !cm(&fields[0]) {
            return Err(CodeSetError::at(
                file,
                line,
                format!("{:?} is not an ICD-10-CM code", fields[0]),
            ));
        }
        out.insert(code_key(&fields[0]));
    }
    Ok(out)
}

fn yyyymmdd(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y%m%d").ok()
}

/// One NCCI PTP edit: column 2 code of a column 1 code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PtpEdit {
    pub effective: NaiveDate,
    pub deleted: Option<NaiveDate>,
    /// 0: never together; 1: allowed with an NCCI-associated modifier; 9: not applicable.
    pub indicator: u8,
}

/// NCCI procedure-to-procedure edits (practitioner or hospital), CMS layout:
/// Column 1, Column 2, "*" (in existence before 1996), Effective Date,
/// Deletion Date ("*" = none), Modifier indicator, PTP Edit Rationale.
#[derive(Debug, Clone, Default)]
pub struct Ptp(HashMap<(String, String), Vec<PtpEdit>>);

impl Ptp {
    pub fn parse(file: &str, text: &str) -> Result<Ptp, CodeSetError> {
        let mut out: HashMap<(String, String), Vec<PtpEdit>> = HashMap::new();
        for (line, f) in data_rows(file, text, procedure_shaped)? {
            let bad = |m: &str| CodeSetError::at(file, line, m.to_string());
            if f.len() < 6 {
                return Err(bad(
                    "expected Column 1, Column 2, *, Effective Date, Deletion Date, Modifier indicator",
                ));
            }
            if !procedure_shaped(&f[0]) || !procedure_shaped(&f[1]) {
                return Err(bad("Column 1 and Column 2 must be CPT/HCPCS codes"));
            }
            let effective = yyyymmdd(&f[3]).ok_or_else(|| bad("Effective Date is not YYYYMMDD"))?;
            let deleted = match f[4].as_str() {
                "" | "*" => None,
                s => Some(yyyymmdd(s).ok_or_else(|| bad("Deletion Date is not YYYYMMDD or *"))?),
            };
            let indicator = match f[5].as_str() {
                "0" => 0,
                "1" => 1,
                "9" => 9,
                _ => return Err(bad("the modifier indicator must be 0, 1 or 9")),
            };
            out.entry((f[0].to_ascii_uppercase(), f[1].to_ascii_uppercase()))
                .or_default()
                .push(PtpEdit {
                    effective,
                    deleted,
                    indicator,
                });
        }
        Ok(Ptp(out))
    }

    /// The edit in force on `date` for the pair (column 1, column 2).
    pub fn edit(&self, column1: &str, column2: &str, date: NaiveDate) -> Option<&PtpEdit> {
        self.0
            .get(&(column1.to_ascii_uppercase(), column2.to_ascii_uppercase()))?
            .iter()
            .find(|e| e.effective <= date && e.deleted.is_none_or(|d| date < d))
    }
}

/// How an MUE is adjudicated (MAI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mai {
    /// 1: per claim line.
    Line,
    /// 2: per day, absolute (policy): units above are not payable on appeal.
    Policy,
    /// 3: per day, clinical: appealable with documentation.
    Clinical,
}

/// Medically unlikely edits, CMS layout: HCPCS/CPT Code, MUE Value, MUE
/// Adjudication Indicator ("1 Line Edit", "2 Date of Service Edit: Policy",
/// "3 Date of Service Edit: Clinical"), MUE Rationale.
#[derive(Debug, Clone, Default)]
pub struct Mue(HashMap<String, (u32, Mai)>);

impl Mue {
    pub fn parse(file: &str, text: &str) -> Result<Mue, CodeSetError> {
        let mut out = HashMap::new();
        for (line, f) in data_rows(file, text, procedure_shaped)? {
            let bad = |m: &str| CodeSetError::at(file, line, m.to_string());
            if f.len() < 3 {
                return Err(bad(
                    "expected HCPCS/CPT Code, MUE Value, MUE Adjudication Indicator",
                ));
            }
            if !procedure_shaped(&f[0]) {
                return Err(bad("the first column must be a CPT/HCPCS code"));
            }
            let value: u32 = f[1]
                .parse()
                .map_err(|_| bad("the MUE value is not a whole number"))?;
            let mai = match f[2].chars().next() {
                Some('1') => Mai::Line,
                Some('2') => Mai::Policy,
                Some('3') => Mai::Clinical,
                _ => {
                    return Err(bad(
                        "the MUE adjudication indicator must start with 1, 2 or 3",
                    ));
                }
            };
            out.insert(f[0].to_ascii_uppercase(), (value, mai));
        }
        Ok(Mue(out))
    }

    pub fn get(&self, code: &str) -> Option<(u32, Mai)> {
        self.0.get(&code.to_ascii_uppercase()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Fixtures written for this project in the CMS layouts (made-up pairs and
    // values: no NCCI content is copied).
    pub const PTP: &str = "CMS NCCI practitioner PTP edits (fixture)\n\
        Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n\
        10001\t10002\t\t20200101\t*\t0\tMutually exclusive procedures\n\
        10001\t10003\t\t20200101\t*\t1\tMisuse of column two code with column one code\n\
        10001\t10004\t\t20200101\t20210101\t0\tDeleted edit\n";

    #[test]
    fn ptp_edits_are_read_in_the_cms_layout_and_dated() {
        let ptp = Ptp::parse("ptp.txt", PTP).unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            ptp.edit("10001", "10002", d(2026, 11, 1))
                .unwrap()
                .indicator,
            0
        );
        assert_eq!(
            ptp.edit("10001", "10003", d(2026, 11, 1))
                .unwrap()
                .indicator,
            1
        );
        assert!(
            ptp.edit("10002", "10001", d(2026, 11, 1)).is_none(),
            "ordered pair"
        );
        assert!(ptp.edit("10001", "10004", d(2020, 12, 31)).is_some());
        assert!(
            ptp.edit("10001", "10004", d(2021, 1, 1)).is_none(),
            "deleted"
        );
        let bad = PTP.replace("\t1\tMisuse", "\t7\tMisuse");
        let e = Ptp::parse("ptp.txt", &bad).unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.to_string().contains("0, 1 or 9"), "{e}");
    }

    #[test]
    fn mue_values_are_read_with_their_adjudication_indicator() {
        let text = "\"HCPCS/CPT Code\",\"Practitioner Services MUE Values\",\"MUE Adjudication Indicator\",\"MUE Rationale\"\n\
            \"10001\",\"1\",\"2 Date of Service Edit: Policy\",\"Anatomic consideration\"\n\
            \"10005\",\"4\",\"1 Line Edit\",\"Clinical: Data\"\n\
            \"10006\",\"3\",\"3 Date of Service Edit: Clinical\",\"Nature of Service/Procedure\"\n";
        let mue = Mue::parse("mue.csv", text).unwrap();
        assert_eq!(mue.get("10001"), Some((1, Mai::Policy)));
        assert_eq!(mue.get("10005"), Some((4, Mai::Line)));
        assert_eq!(mue.get("10006"), Some((3, Mai::Clinical)));
        let e = Mue::parse("mue.csv", &text.replace("\"4\"", "\"four\"")).unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn the_poa_exempt_list_takes_codes_with_or_without_dots() {
        let text = "POA exempt codes (fixture)\nCode\tDescription\nZ87.891\tPersonal history of nicotine dependence\nW19XXXA\tUnspecified fall\n";
        let list = parse_poa_exempt("exempt.txt", text).unwrap();
        assert!(list.contains("Z87891") && list.contains("W19XXXA"));
        let e = parse_poa_exempt("exempt.txt", &format!("{text}not a code\tx\n")).unwrap_err();
        assert_eq!(e.line, 5);
    }
}
