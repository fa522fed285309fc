//! A site's own code tables, loaded from files named in the config: its licensed
//! CPT table (never bundled: AMA copyright) and any local code table.
//!
//! Format: UTF-8 text, comma-separated, or tab-separated when the file name ends
//! in `.tsv` or `.tab`; a header row naming at least the columns `code` and
//! `description` (`long_description` and `title` are accepted for it) and
//! optionally `short_description`. Other columns are ignored. One row per code.

use super::CodeSetError;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCode {
    pub code: String,
    pub description: String,
    pub short_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTable {
    /// The file it was read from, as given.
    pub path: String,
    pub codes: Vec<UserCode>,
}

/// Reads a table file; every problem names the file and line.
pub fn load(path: &Path) -> Result<UserTable, CodeSetError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| CodeSetError::at(&name, 0, format!("cannot read the file: {e}")))?;
    let text = super::text_of(&name, &bytes)?;
    parse(&name, &text)
}

/// Parses a table's text; `file` names it in errors and picks the delimiter.
pub fn parse(file: &str, text: &str) -> Result<UserTable, CodeSetError> {
    let lower = file.to_ascii_lowercase();
    let delimiter = if lower.ends_with(".tsv") || lower.ends_with(".tab") {
        b'\t'
    } else {
        b','
    };
    super::check_csv_quotes(file, text, delimiter, 1)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| super::csv_error(file, &e))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let code_col = find(&["code"]).ok_or_else(|| {
        CodeSetError::at(file, 1, "the header row lacks a column named code".into())
    })?;
    let desc_col = find(&["description", "long_description", "title"]).ok_or_else(|| {
        CodeSetError::at(
            file,
            1,
            "the header row lacks a column named description".into(),
        )
    })?;
    let short_col = find(&["short_description"]);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut codes = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| super::csv_error(file, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let code = get(code_col).to_ascii_uppercase();
        if code.is_empty()
            || code.len() > 20
            || !code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(CodeSetError::at(
                file,
                line,
                format!(
                    "code {:?} is not a code (letters, digits, - or .)",
                    get(code_col)
                ),
            ));
        }
        let description = get(desc_col);
        if description.is_empty() {
            return Err(CodeSetError::at(
                file,
                line,
                format!("code {code} has no description"),
            ));
        }
        if let Some(first) = seen.insert(code.clone(), line) {
            return Err(CodeSetError::at(
                file,
                line,
                format!("code {code} is listed twice (first on line {first})"),
            ));
        }
        codes.push(UserCode {
            code,
            description: description.to_string(),
            short_description: short_col
                .map(get)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        });
    }
    if codes.is_empty() {
        return Err(CodeSetError::at(file, 1, "the table has no codes".into()));
    }
    Ok(UserTable {
        path: file.to_string(),
        codes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsv_and_csv_tables_load() {
        let t = parse(
            "cpt.tsv",
            "code\tdescription\tshort_description\n99999\tA test service\tTest svc\n",
        )
        .unwrap();
        assert_eq!(t.codes[0].code, "99999");
        assert_eq!(t.codes[0].short_description.as_deref(), Some("Test svc"));
        let t = parse("local.csv", "Code,Title,extra\nlab-1,Local lab panel,x\n").unwrap();
        assert_eq!(t.codes[0].code, "LAB-1");
    }

    #[test]
    fn bad_rows_name_their_line() {
        let e = parse("cpt.csv", "code,description\n99999,ok\n99999,again\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("listed twice (first on line 2)"), "{e}");
        let e = parse("cpt.csv", "code,description\n9 9,x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("cpt.csv", "cpt,description\n99999,x\n").unwrap_err();
        assert!(e.message.contains("column named code"), "{e}");
        let e = parse("cpt.csv", "code,description\n99999\n").unwrap_err();
        assert_eq!(e.line, 2);
    }
}
