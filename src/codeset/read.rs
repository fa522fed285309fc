//! Reading the official files: errors that name the file and line, XML
//! events and references, gzip and UTF-8 text, and the CSV quoting every
//! table is checked for before the csv crate reads it.

use std::fmt;
use std::io::Read;

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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn code_shapes_as_the_official_files_print_them() {
        for code in ["A00.0", "T45.0X1A", "QA0.0101", "J18.9", "I63."] {
            assert!(has_cm_shape(code), "{code}");
        }
        for code in ["cholera", "1A0.0", "A0", "S72.46-", "W19 X"] {
            assert!(!has_cm_shape(code), "{code}");
        }
    }
}
