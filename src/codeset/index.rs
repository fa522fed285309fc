//! The ICD-10-CM Alphabetic Index and its tables, as search sources:
//!
//! - the Index to Diseases and Injuries in its flattened CSV form (one row per
//!   term: RowID, Letter, Level, Term, See, SeeAlso, NonEssModif, Code; a term's
//!   parents are the nearest earlier rows one level up);
//! - the Table of Drugs and Chemicals and the Neoplasm Table (XML, one code per
//!   column: poisoning accidental ... underdosing; malignant primary ... unspecified);
//! - the External Cause of Injuries Index (XML, a code per term).
//!
//! Codes are kept as printed ("S72.46-", "I63.-"); [`index_code_key`] turns one
//! into the code it points at.

use super::{CodeSetError, Lines, close_element, line_of, next_event, reference_char, truncated};
use quick_xml::Reader;
use quick_xml::events::Event;

/// Which part of the index a term comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexSource {
    Diseases,
    Drugs,
    Neoplasms,
    ExternalCauses,
}

impl IndexSource {
    pub fn label(self) -> &'static str {
        match self {
            IndexSource::Diseases => "Index",
            IndexSource::Drugs => "Table of Drugs",
            IndexSource::Neoplasms => "Neoplasm Table",
            IndexSource::ExternalCauses => "External Cause Index",
        }
    }
}

/// One term of the index: a main term (level 0) or a subterm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexTerm {
    pub level: u8,
    /// The term one level up (an index into [`IndexFile::terms`]).
    pub parent: Option<u32>,
    pub title: String,
    /// Nonessential modifiers, "(acute) (double)": they may be present or not.
    pub modifiers: String,
    /// The code as printed; "-" at the end means more characters are needed.
    pub code: Option<String>,
    /// Table columns: (column number as in the headings, code as printed).
    pub cells: Vec<(u8, String)>,
    pub see: Option<String>,
    pub see_also: Option<String>,
    /// The 1-based line in the source file.
    pub line: usize,
}

/// One parsed index file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexFile {
    pub source: IndexSource,
    /// Column headings of a table (column 1 is the term column), else empty.
    pub headings: Vec<(u8, String)>,
    pub terms: Vec<IndexTerm>,
}

impl IndexFile {
    /// The titles from the main term down to `term`.
    pub fn path(&self, term: usize) -> Vec<&str> {
        let mut path = Vec::new();
        let mut at = Some(term);
        while let Some(i) = at {
            path.push(self.terms[i].title.as_str());
            at = self.terms[i].parent.map(|p| p as usize);
        }
        path.reverse();
        path
    }

    /// The heading of a table column.
    pub fn heading(&self, column: u8) -> Option<&str> {
        self.headings
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, h)| h.as_str())
    }
}

/// The code an index entry points at, without the dot or the trailing "-"
/// ("S72.46-" → "S7246", "I63.-" → "I63"); `None` for table dashes ("-", "--").
pub fn index_code_key(printed: &str) -> Option<String> {
    let key: String = printed
        .trim()
        .chars()
        .filter(|c| *c != '.' && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (key.len() >= 3).then_some(key)
}

/// Whether a printed index code asks for more characters ("S72.46-").
pub fn is_incomplete(printed: &str) -> bool {
    printed.trim().ends_with('-')
}

/// A code as the Index prints it: a code, perhaps ending in "-" (more
/// characters needed: "S72.46-", "I63.-").
fn valid_printed_code(code: &str) -> bool {
    super::has_cm_shape(code.strip_suffix('-').unwrap_or(code))
}

/// Parses the flattened Index to Diseases and Injuries CSV.
pub fn parse_flattened(file: &str, text: &str) -> Result<IndexFile, CodeSetError> {
    let text = text.trim_start_matches('\u{feff}');
    super::check_csv_quotes(file, text, b',', 1)?;
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| super::csv_error(file, &e))?
        .clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| CodeSetError::at(file, 1, format!("the header lacks the column {name}")))
    };
    let (level_col, term_col, see_col, also_col, mod_col, code_col) = (
        column("Level")?,
        column("Term")?,
        column("See")?,
        column("SeeAlso")?,
        column("NonEssModif")?,
        column("Code")?,
    );
    let mut terms: Vec<IndexTerm> = Vec::new();
    // The latest term at each level, to find parents.
    let mut open: Vec<u32> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| super::csv_error(file, &e))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let level: u8 = field(level_col).parse().map_err(|_| {
            CodeSetError::at(
                file,
                line,
                format!("Level {:?} is not a number", field(level_col)),
            )
        })?;
        if usize::from(level) > open.len() {
            return Err(CodeSetError::at(
                file,
                line,
                format!(
                    "a level {level} term follows a level {} term (a parent is missing)",
                    open.len().saturating_sub(1)
                ),
            ));
        }
        let mut title = field(term_col).to_string();
        let mut modifiers = field(mod_col).to_string();
        if title.is_empty() {
            // The release has subterms that are only a nonessential modifier
            // ("persistent" > "(somatoform)"): the modifier is the term.
            if modifiers.is_empty() {
                return Err(CodeSetError::at(file, line, "an empty Term".into()));
            }
            title = modifiers.trim_matches(['(', ')']).to_string();
            modifiers.clear();
        }
        let code = non_empty(field(code_col));
        if let Some(c) = &code
            && !valid_printed_code(c)
        {
            return Err(CodeSetError::at(
                file,
                line,
                format!("Code {c:?} is not an ICD-10-CM code"),
            ));
        }
        open.truncate(usize::from(level));
        let index = terms.len() as u32;
        terms.push(IndexTerm {
            level,
            parent: open.last().copied(),
            title,
            modifiers,
            code,
            cells: Vec::new(),
            see: non_empty(field(see_col)),
            see_also: non_empty(field(also_col)),
            line,
        });
        open.push(index);
    }
    if terms.is_empty() {
        return Err(CodeSetError::at(file, 1, "no index terms".into()));
    }
    Ok(IndexFile {
        source: IndexSource::Diseases,
        headings: Vec::new(),
        terms,
    })
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Parses an index XML file: the Table of Drugs and Chemicals, the Neoplasm
/// Table or the External Cause Index (`ICD10CM.index`).
pub fn parse_xml(file: &str, text: &str, source: IndexSource) -> Result<IndexFile, CodeSetError> {
    let err =
        |offset: usize, message: String| CodeSetError::at(file, line_of(text, offset), message);
    let mut lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    let mut out = IndexFile {
        source,
        headings: Vec::new(),
        terms: Vec::new(),
    };
    let mut path: Vec<Vec<u8>> = Vec::new();
    // The open mainTerm/term entries, innermost last.
    let mut open: Vec<u32> = Vec::new();
    let mut buf = String::new();
    let mut nemod = String::new();
    let mut in_nemod = false;
    let mut column: Option<u8> = None;
    let mut seen_root = false;
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().as_bytes().to_vec();
                if path.is_empty() {
                    if name != b"ICD10CM.index" {
                        return Err(err(
                            offset,
                            "the root element is not ICD10CM.index: not an index file".into(),
                        ));
                    }
                    seen_root = true;
                }
                match name.as_slice() {
                    b"mainTerm" | b"term" => {
                        let level = open.len() as u8;
                        if name == b"term"
                            && let Some(a) = e.try_get_attribute("level").ok().flatten()
                            && a.value.as_ref() != level.to_string()
                        {
                            return Err(err(
                                offset,
                                format!("a term marked level {} nested at level {level}", a.value),
                            ));
                        }
                        let index = out.terms.len() as u32;
                        out.terms.push(IndexTerm {
                            level,
                            parent: open.last().copied(),
                            title: String::new(),
                            modifiers: String::new(),
                            code: None,
                            cells: Vec::new(),
                            see: None,
                            see_also: None,
                            line: lines.at(offset),
                        });
                        open.push(index);
                    }
                    b"nemod" => {
                        in_nemod = true;
                        nemod.clear();
                    }
                    b"cell" | b"head" => {
                        let col = e
                            .try_get_attribute("col")
                            .ok()
                            .flatten()
                            .and_then(|a| a.value.parse().ok())
                            .ok_or_else(|| err(offset, "a cell without a col number".into()))?;
                        column = Some(col);
                        buf.clear();
                    }
                    _ => {
                        if !in_nemod {
                            buf.clear();
                        }
                    }
                }
                path.push(name);
            }
            Event::End(e) => {
                let name = close_element(&mut path, &e, file, text, offset)?;
                let term = open.last().map(|&i| i as usize);
                let value = collapse(&buf);
                match (name.as_slice(), term) {
                    (b"nemod", _) => {
                        in_nemod = false;
                        if let Some(t) = term {
                            let m = &mut out.terms[t].modifiers;
                            if !m.is_empty() {
                                m.push(' ');
                            }
                            m.push_str(nemod.trim());
                        }
                        continue;
                    }
                    (b"title", Some(t))
                        if path
                            .last()
                            .is_some_and(|p| p == b"mainTerm" || p == b"term") =>
                    {
                        out.terms[t].title = value;
                    }
                    (b"code" | b"subcat" | b"seecat", Some(t)) => {
                        if !valid_printed_code(&value) {
                            return Err(err(
                                offset,
                                format!("code {value:?} is not an ICD-10-CM code"),
                            ));
                        }
                        out.terms[t].code = Some(value);
                    }
                    (b"manif", Some(_)) => {}
                    (b"see", Some(t)) => out.terms[t].see = Some(value),
                    (b"seeAlso", Some(t)) => out.terms[t].see_also = Some(value),
                    (b"cell", Some(t)) => {
                        let col = column.take().unwrap_or(0);
                        if value.chars().all(|c| c == '-') {
                            // "--" and "-": no code in this column.
                        } else if valid_printed_code(&value) {
                            out.terms[t].cells.push((col, value));
                        } else {
                            return Err(err(
                                offset,
                                format!("cell {value:?} is not an ICD-10-CM code"),
                            ));
                        }
                    }
                    (b"head", _) => {
                        let col = column.take().unwrap_or(0);
                        out.headings.push((col, value));
                    }
                    (b"mainTerm" | b"term", Some(t)) => {
                        if out.terms[t].title.is_empty() {
                            return Err(CodeSetError::at(
                                file,
                                out.terms[t].line,
                                "a term without a title".into(),
                            ));
                        }
                        open.pop();
                    }
                    _ => {}
                }
                buf.clear();
            }
            Event::Text(t) => {
                let s = t.xml10_content();
                if in_nemod {
                    nemod.push_str(&s);
                } else {
                    buf.push_str(&s);
                }
            }
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                if in_nemod {
                    nemod.push(c);
                } else {
                    buf.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(truncated(file, text));
    }
    if !seen_root || out.terms.is_empty() {
        return Err(CodeSetError::at(file, 1, "no index terms".into()));
    }
    Ok(out)
}

/// Runs of whitespace as one space, trimmed.
/// Whitespace runs as single spaces, ends trimmed (XML text as printed).
pub(crate) fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_codes_point_at_their_category() {
        assert_eq!(index_code_key("S72.46-").as_deref(), Some("S7246"));
        assert_eq!(index_code_key("I63.-").as_deref(), Some("I63"));
        assert_eq!(index_code_key("J18.9").as_deref(), Some("J189"));
        assert_eq!(index_code_key("--"), None);
        assert!(is_incomplete("S72.46-"));
        assert!(!is_incomplete("J18.9"));
    }

    #[test]
    fn flattened_rows_find_their_parents() {
        let text = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n\
                    1,P,0,Pneumonia,,,(acute) (double),J18.9\n\
                    2,P,1,aspiration,,,(due to),J69.0\n\
                    3,P,2,food,,,,J69.0\n\
                    4,P,1,bacterial,,,,J15.9\n";
        let f = parse_flattened("idx.csv", text).unwrap();
        assert_eq!(f.path(2), vec!["Pneumonia", "aspiration", "food"]);
        assert_eq!(f.path(3), vec!["Pneumonia", "bacterial"]);
        assert_eq!(f.terms[0].modifiers, "(acute) (double)");
        assert_eq!(f.terms[0].code.as_deref(), Some("J18.9"));
    }

    #[test]
    fn flattened_errors_name_the_line() {
        let skip = "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n\
                    1,P,0,Pneumonia,,,,J18.9\n\
                    2,P,2,food,,,,J69.0\n";
        let e = parse_flattened("idx.csv", skip).unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("idx.csv", 3));
        assert!(e.message.contains("parent is missing"), "{e}");
        let bad =
            "RowID,Letter,Level,Term,See,SeeAlso,NonEssModif,Code\n1,P,0,Pneumonia,,,,pneumonia\n";
        let e = parse_flattened("idx.csv", bad).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("not an ICD-10-CM code"), "{e}");
    }
}
