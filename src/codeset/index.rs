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
        // The flattened release doubles a space here and there ("see
        // Neoplasm, uncertain  behavior, by site"): as printed, one.
        let field = |i: usize| collapse(record.get(i).unwrap_or(""));
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
        let mut title = field(term_col);
        let mut modifiers = field(mod_col);
        if title.is_empty() {
            // The release has subterms that are only a nonessential modifier
            // ("persistent" > "(somatoform)"): the modifier is the term.
            if modifiers.is_empty() {
                return Err(CodeSetError::at(file, line, "an empty Term".into()));
            }
            title = modifiers.trim_matches(['(', ')']).to_string();
            modifiers.clear();
        }
        let code = non_empty(&field(code_col));
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
            see: non_empty(&field(see_col)),
            see_also: non_empty(&field(also_col)),
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
    let mut reader = Reader::from_str(text);
    let mut p = IndexParser {
        file,
        text,
        lines: Lines::new(text),
        out: IndexFile {
            source,
            headings: Vec::new(),
            terms: Vec::new(),
        },
        path: Vec::new(),
        open: Vec::new(),
        buf: String::new(),
        nemod: String::new(),
        in_nemod: false,
        column: None,
        seen_root: false,
    };
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => p.start(&e, offset)?,
            Event::End(e) => p.end(&e, offset)?,
            Event::Text(t) => p.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                p.push_char(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.path.is_empty() {
        return Err(truncated(file, text));
    }
    if !p.seen_root || p.out.terms.is_empty() {
        return Err(CodeSetError::at(file, 1, "no index terms".into()));
    }
    Ok(p.out)
}

/// What `parse_xml` keeps from one XML event to the next.
struct IndexParser<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines<'a>,
    out: IndexFile,
    path: Vec<Vec<u8>>,
    /// The open mainTerm/term entries, innermost last.
    open: Vec<u32>,
    buf: String,
    nemod: String,
    in_nemod: bool,
    column: Option<u8>,
    seen_root: bool,
}

impl IndexParser<'_> {
    fn err(&self, offset: usize, message: String) -> CodeSetError {
        CodeSetError::at(self.file, line_of(self.text, offset), message)
    }

    /// Text inside the current element (or the open nemod).
    fn push_str(&mut self, s: &str) {
        if self.in_nemod {
            self.nemod.push_str(s);
        } else {
            self.buf.push_str(s);
        }
    }

    fn push_char(&mut self, c: char) {
        if self.in_nemod {
            self.nemod.push(c);
        } else {
            self.buf.push(c);
        }
    }

    /// A start tag: checks the root, opens a term, a nemod or a cell.
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = e.local_name().as_ref().as_bytes().to_vec();
        if self.path.is_empty() {
            if name != b"ICD10CM.index" {
                return Err(self.err(
                    offset,
                    "the root element is not ICD10CM.index: not an index file".into(),
                ));
            }
            self.seen_root = true;
        }
        match name.as_slice() {
            b"mainTerm" | b"term" => self.open_term(e, &name, offset)?,
            b"nemod" => {
                self.in_nemod = true;
                self.nemod.clear();
            }
            b"cell" | b"head" => {
                let col = e
                    .try_get_attribute("col")
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.parse().ok())
                    .ok_or_else(|| self.err(offset, "a cell without a col number".into()))?;
                self.column = Some(col);
                self.buf.clear();
            }
            _ => {
                if !self.in_nemod {
                    self.buf.clear();
                }
            }
        }
        self.path.push(name);
        Ok(())
    }

    /// A mainTerm or term start tag: a new term under the innermost open one.
    fn open_term(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        name: &[u8],
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let level = self.open.len() as u8;
        if name == b"term"
            && let Some(a) = e.try_get_attribute("level").ok().flatten()
            && a.value.as_ref() != level.to_string()
        {
            return Err(self.err(
                offset,
                format!("a term marked level {} nested at level {level}", a.value),
            ));
        }
        let index = self.out.terms.len() as u32;
        let line = self.lines.at(offset);
        self.out.terms.push(IndexTerm {
            level,
            parent: self.open.last().copied(),
            title: String::new(),
            modifiers: String::new(),
            code: None,
            cells: Vec::new(),
            see: None,
            see_also: None,
            line,
        });
        self.open.push(index);
        Ok(())
    }

    /// An end tag: the element's text goes to the innermost open term.
    fn end(
        &mut self,
        e: &quick_xml::events::BytesEnd<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = close_element(&mut self.path, e, self.file, self.text, offset)?;
        let term = self.open.last().map(|&i| i as usize);
        let value = collapse(&self.buf);
        match (name.as_slice(), term) {
            (b"nemod", _) => {
                self.in_nemod = false;
                if let Some(t) = term {
                    let m = &mut self.out.terms[t].modifiers;
                    if !m.is_empty() {
                        m.push(' ');
                    }
                    m.push_str(self.nemod.trim());
                }
                return Ok(());
            }
            (b"title", Some(t))
                if self
                    .path
                    .last()
                    .is_some_and(|p| p == b"mainTerm" || p == b"term") =>
            {
                self.out.terms[t].title = value;
            }
            (b"code" | b"subcat" | b"seecat", Some(t)) => {
                if !valid_printed_code(&value) {
                    return Err(
                        self.err(offset, format!("code {value:?} is not an ICD-10-CM code"))
                    );
                }
                self.out.terms[t].code = Some(value);
            }
            (b"manif", Some(_)) => {}
            (b"see", Some(t)) => self.out.terms[t].see = Some(value),
            (b"seeAlso", Some(t)) => self.out.terms[t].see_also = Some(value),
            (b"cell", Some(t)) => {
                let col = self.column.take().unwrap_or(0);
                if value.chars().all(|c| c == '-') {
                    // "--" and "-": no code in this column.
                } else if valid_printed_code(&value) {
                    self.out.terms[t].cells.push((col, value));
                } else {
                    return Err(
                        self.err(offset, format!("cell {value:?} is not an ICD-10-CM code"))
                    );
                }
            }
            (b"head", _) => {
                let col = self.column.take().unwrap_or(0);
                self.out.headings.push((col, value));
            }
            (b"mainTerm" | b"term", Some(t)) => {
                if self.out.terms[t].title.is_empty() {
                    return Err(CodeSetError::at(
                        self.file,
                        self.out.terms[t].line,
                        "a term without a title".into(),
                    ));
                }
                self.open.pop();
            }
            _ => {}
        }
        self.buf.clear();
        Ok(())
    }
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
