//! HCPCS Level II codes and modifiers (the CMS alpha-numeric file layout: one
//! record per line, `recid` 3 a code, 4 a continuation of its long description,
//! 7 a modifier). The bundled edition is 2023 Q2 and is labelled so: newer CMS
//! files drop in.

use super::{CodeSetError, csv_error};
use std::collections::HashMap;

/// The edition of the bundled file, shown wherever its codes are.
pub const BUNDLED_EDITION: &str = "HCPCS Level II 2023 Q2 (stale edition)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HcpcsEntry {
    pub code: String,
    pub long_description: String,
    pub short_description: String,
    pub modifier: bool,
}

pub struct Hcpcs {
    entries: HashMap<String, HcpcsEntry>,
}

impl Hcpcs {
    /// A code ("G0439") or modifier ("25", "LT"), any case.
    pub fn lookup(&self, code: &str) -> Option<&HcpcsEntry> {
        self.entries.get(&code.trim().to_ascii_uppercase())
    }

    /// Every code and modifier, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &HcpcsEntry> {
        let mut all: Vec<&HcpcsEntry> = self.entries.values().collect();
        all.sort_by(|a, b| a.code.cmp(&b.code));
        all.into_iter()
    }

    pub fn codes(&self) -> usize {
        self.entries.values().filter(|e| !e.modifier).count()
    }

    pub fn modifiers(&self) -> usize {
        self.entries.values().filter(|e| e.modifier).count()
    }
}

/// Parses the file; errors name the line.
pub fn parse(file: &str, text: &str) -> Result<Hcpcs, CodeSetError> {
    super::check_csv_quotes(file, text, b',', 1)?;
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let at = |e: csv::Error| csv_error(file, &e);
    let header = reader.headers().map_err(at)?.clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CodeSetError::at(file, 1, format!("the header lacks the column {name}")))
    };
    let (code_col, recid_col) = (column("hcpcs")?, column("recid")?);
    let (long_col, short_col) = (column("long_description")?, column("short_description")?);
    let mut entries: HashMap<String, HcpcsEntry> = HashMap::new();
    let mut last: Option<String> = None;
    for record in reader.records() {
        let record = record.map_err(at)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let code = field(code_col).to_ascii_uppercase();
        let bad = |m: String| CodeSetError::at(file, line, m);
        match field(recid_col) {
            "3" | "7" => {
                let modifier = field(recid_col) == "7";
                let well_formed = if modifier {
                    code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphanumeric())
                } else {
                    code.len() == 5
                        && code.as_bytes()[0].is_ascii_uppercase()
                        && code[1..].bytes().all(|b| b.is_ascii_digit())
                };
                if !well_formed {
                    return Err(bad(format!(
                        "{code:?} is not a HCPCS Level II {}",
                        if modifier { "modifier" } else { "code" }
                    )));
                }
                entries.insert(
                    code.clone(),
                    HcpcsEntry {
                        code: code.clone(),
                        long_description: field(long_col).to_string(),
                        short_description: field(short_col).to_string(),
                        modifier,
                    },
                );
                last = Some(code);
            }
            "4" => {
                let entry = last
                    .as_ref()
                    .filter(|l| **l == code)
                    .and_then(|l| entries.get_mut(l))
                    .ok_or_else(|| {
                        bad(format!("a continuation of {code} that does not follow it"))
                    })?;
                entry.long_description.push(' ');
                entry.long_description.push_str(field(long_col));
            }
            other => {
                return Err(bad(format!(
                    "unknown record id {other:?} (expected 3, 4 or 7)"
                )));
            }
        }
    }
    if entries.is_empty() {
        return Err(CodeSetError::at(
            file,
            1,
            "no HCPCS codes in the file".into(),
        ));
    }
    Ok(Hcpcs { entries })
}
