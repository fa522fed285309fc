//! HL7 v2 messages in their usual ("pipe", ER7) encoding: segments, fields,
//! repetitions, components and subcomponents, with the escape sequences
//! decoded. Every refusal names its place (segment, sequence, field).
//!
//! Our own, small parser rather than a crate: see README.md "HL7 v2
//! interface" (the crates read did not decode escapes in non-ASCII text
//! correctly or numbered MSH fields wrongly for 2.7's fifth encoding
//! character).

use std::fmt;

/// The delimiters a message declares in MSH-1 and MSH-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub field: char,
    pub component: char,
    pub repetition: char,
    /// Absent when MSH-2 declares none (then nothing is an escape).
    pub escape: Option<char>,
    pub subcomponent: char,
}

impl Default for Separators {
    fn default() -> Self {
        Separators {
            field: '|',
            component: '^',
            repetition: '~',
            escape: Some('\\'),
            subcomponent: '&',
        }
    }
}

impl Separators {
    /// MSH-2 as these separators write it.
    pub fn encoding_characters(&self) -> String {
        let mut s = String::new();
        s.push(self.component);
        s.push(self.repetition);
        if let Some(e) = self.escape {
            s.push(e);
        }
        s.push(self.subcomponent);
        s
    }

    /// `text` with every delimiter written as its escape sequence, and line
    /// breaks as `\.br\` (for text that goes into a message).
    pub fn escape_text(&self, text: &str) -> String {
        let Some(e) = self.escape else {
            return text
                .chars()
                .map(|c| if self.is_delimiter(c) { ' ' } else { c })
                .collect();
        };
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            let code = match c {
                c if c == self.field => "F",
                c if c == self.component => "S",
                c if c == self.subcomponent => "T",
                c if c == self.repetition => "R",
                c if c == e => "E",
                '\n' => ".br",
                '\r' => continue,
                c => {
                    out.push(c);
                    continue;
                }
            };
            out.push(e);
            out.push_str(code);
            out.push(e);
        }
        out
    }

    fn is_delimiter(&self, c: char) -> bool {
        c == self.field
            || c == self.component
            || c == self.repetition
            || c == self.subcomponent
            || c == '\r'
            || c == '\n'
    }
}

/// The HL7 error codes (table 0357) an acknowledgement names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    SegmentSequence,
    RequiredFieldMissing,
    DataType,
    TableValueNotFound,
    UnsupportedMessageType,
    UnsupportedEventCode,
    UnsupportedVersion,
    UnknownKey,
    RecordLocked,
    InternalError,
}

impl ErrorCode {
    pub fn code(self) -> u16 {
        match self {
            ErrorCode::SegmentSequence => 100,
            ErrorCode::RequiredFieldMissing => 101,
            ErrorCode::DataType => 102,
            ErrorCode::TableValueNotFound => 103,
            ErrorCode::UnsupportedMessageType => 200,
            ErrorCode::UnsupportedEventCode => 201,
            ErrorCode::UnsupportedVersion => 203,
            ErrorCode::UnknownKey => 204,
            ErrorCode::RecordLocked => 206,
            ErrorCode::InternalError => 207,
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            ErrorCode::SegmentSequence => "Segment sequence error",
            ErrorCode::RequiredFieldMissing => "Required field missing",
            ErrorCode::DataType => "Data type error",
            ErrorCode::TableValueNotFound => "Table value not found",
            ErrorCode::UnsupportedMessageType => "Unsupported message type",
            ErrorCode::UnsupportedEventCode => "Unsupported event code",
            ErrorCode::UnsupportedVersion => "Unsupported version id",
            ErrorCode::UnknownKey => "Unknown key identifier",
            ErrorCode::RecordLocked => "Application record locked",
            ErrorCode::InternalError => "Application internal error",
        }
    }
}

/// Where in a message: a segment by its id and its sequence among the
/// segments of that id (1-based), and a field (and component) in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub segment: String,
    pub sequence: usize,
    pub field: Option<usize>,
    pub component: Option<usize>,
}

impl Place {
    pub fn segment(id: &str, sequence: usize) -> Place {
        Place {
            segment: id.to_string(),
            sequence,
            field: None,
            component: None,
        }
    }

    pub fn field(id: &str, sequence: usize, field: usize) -> Place {
        Place {
            field: Some(field),
            ..Place::segment(id, sequence)
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.field, self.component) {
            (Some(field), Some(c)) => write!(f, "{}-{field}.{c}", self.segment)?,
            (Some(field), None) => write!(f, "{}-{field}", self.segment)?,
            _ => write!(f, "{}", self.segment)?,
        }
        if self.sequence > 1 {
            write!(f, " (segment {} of its kind)", self.sequence)?;
        }
        Ok(())
    }
}

/// What is wrong with a message, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hl7Problem {
    pub place: Place,
    pub code: ErrorCode,
    pub message: String,
}

impl Hl7Problem {
    pub fn new(place: Place, code: ErrorCode, message: impl Into<String>) -> Hl7Problem {
        Hl7Problem {
            place,
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Hl7Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// One segment: its id, its sequence among segments of that id, and its
/// fields as written (escapes not yet decoded).
#[derive(Debug, Clone)]
pub struct Segment<'a> {
    pub id: &'a str,
    pub sequence: usize,
    /// For MSH: `[MSH, MSH-2, MSH-3, ...]`; else `[ID, field 1, field 2, ...]`.
    parts: Vec<&'a str>,
    separators: Separators,
    /// MSH-1 as written.
    field_separator: &'a str,
}

impl<'a> Segment<'a> {
    /// Field `n` (1-based, HL7 numbering), empty when absent.
    pub fn field(&self, n: usize) -> Value<'a> {
        let raw = match (self.id == "MSH", n) {
            (_, 0) => "",
            (true, 1) => self.field_separator,
            (true, n) => self.parts.get(n - 1).copied().unwrap_or(""),
            (false, n) => self.parts.get(n).copied().unwrap_or(""),
        };
        Value {
            raw,
            separators: self.separators,
            place: Place::field(self.id, self.sequence, n),
            level: Level::Field,
        }
    }

    /// The place of field `n` of this segment.
    pub fn place(&self, n: usize) -> Place {
        Place::field(self.id, self.sequence, n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Field,
    Repetition,
    Component,
    Subcomponent,
}

/// A field, repetition, component or subcomponent as written.
#[derive(Debug, Clone)]
pub struct Value<'a> {
    raw: &'a str,
    separators: Separators,
    place: Place,
    level: Level,
}

impl<'a> Value<'a> {
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    pub fn place(&self) -> &Place {
        &self.place
    }

    /// Whether nothing is written (or only the HL7 null `""`).
    pub fn is_empty(&self) -> bool {
        let t = self.raw.trim();
        t.is_empty() || t == "\"\""
    }

    /// The repetitions of a field (one when it does not repeat).
    pub fn repetitions(&self) -> Vec<Value<'a>> {
        if self.level != Level::Field {
            return vec![self.clone()];
        }
        self.raw
            .split(self.separators.repetition)
            .map(|raw| Value {
                raw,
                separators: self.separators,
                place: self.place.clone(),
                level: Level::Repetition,
            })
            .collect()
    }

    /// Component `n` (1-based) of the (first repetition of the) value.
    pub fn component(&self, n: usize) -> Value<'a> {
        let (source, split, level) = match self.level {
            Level::Field | Level::Repetition => (
                self.raw
                    .split(self.separators.repetition)
                    .next()
                    .unwrap_or(""),
                self.separators.component,
                Level::Component,
            ),
            Level::Component => (self.raw, self.separators.subcomponent, Level::Subcomponent),
            Level::Subcomponent => (
                if n == 1 { self.raw } else { "" },
                '\0',
                Level::Subcomponent,
            ),
        };
        let raw = match n {
            0 => "",
            1 if split == '\0' => source,
            n => source.split(split).nth(n - 1).unwrap_or(""),
        };
        let mut place = self.place.clone();
        if level == Level::Component {
            place.component = Some(n);
        }
        Value {
            raw,
            separators: self.separators,
            place,
            level,
        }
    }

    /// The value with its escape sequences decoded (`\.br\` a line break),
    /// trimmed; `None` when empty.
    pub fn text(&self) -> Result<Option<String>, Hl7Problem> {
        if self.is_empty() {
            return Ok(None);
        }
        let decoded = decode(self.raw, &self.separators, &self.place)?;
        let t = decoded.trim();
        Ok((!t.is_empty()).then(|| t.to_string()))
    }

    /// [`Value::text`] keeping leading and trailing spaces (a line of a document).
    pub fn text_untrimmed(&self) -> Result<String, Hl7Problem> {
        if self.raw.trim() == "\"\"" {
            return Ok(String::new());
        }
        decode(self.raw, &self.separators, &self.place)
    }
}

/// Decodes the escape sequences of `raw`: \F\ \S\ \T\ \R\ \E\ the
/// delimiters, \.br\ (and \.sp\) a line break, \Xhh..\ hexadecimal UTF-8;
/// highlighting (\H\ \N\) and other formatting commands (\.in\ ...) are
/// dropped; an unknown escape (\Zxx\, \Cxxyy\, \Mxxyyzz\) is kept as written.
pub fn decode(raw: &str, seps: &Separators, place: &Place) -> Result<String, Hl7Problem> {
    let Some(esc) = seps.escape else {
        return Ok(raw.to_string());
    };
    if !raw.contains(esc) {
        return Ok(raw.to_string());
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(esc) {
        out.push_str(&rest[..i]);
        let after = &rest[i + esc.len_utf8()..];
        let Some(j) = after.find(esc) else {
            return Err(Hl7Problem::new(
                place.clone(),
                ErrorCode::DataType,
                format!("an escape sequence ({esc}...) is not closed"),
            ));
        };
        let sequence = &after[..j];
        match sequence {
            "F" => out.push(seps.field),
            "S" => out.push(seps.component),
            "T" => out.push(seps.subcomponent),
            "R" => out.push(seps.repetition),
            "E" => out.push(esc),
            ".br" => out.push('\n'),
            s if s.starts_with(".sp") => out.push('\n'),
            "H" | "N" => {}
            s if s.starts_with('.') => {}
            s if s.starts_with('X') => out.push_str(&hex_text(&s[1..], place)?),
            s => {
                out.push(esc);
                out.push_str(s);
                out.push(esc);
            }
        }
        rest = &after[j + esc.len_utf8()..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `\Xhh...\`: bytes in hexadecimal, read as UTF-8 (a CR or CR LF a line break).
fn hex_text(hex: &str, place: &Place) -> Result<String, Hl7Problem> {
    let bad = |what: &str| Hl7Problem::new(place.clone(), ErrorCode::DataType, what.to_string());
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(
            "a hexadecimal escape (\\X...\\) is not pairs of hex digits",
        ));
    }
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .filter_map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect();
    let text = String::from_utf8(bytes)
        .map_err(|_| bad("a hexadecimal escape (\\X...\\) is not UTF-8 text"))?;
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// A parsed message: its separators and segments in order.
#[derive(Debug, Clone)]
pub struct Message<'a> {
    pub separators: Separators,
    pub segments: Vec<Segment<'a>>,
}

impl<'a> Message<'a> {
    /// The first segment with this id.
    pub fn segment(&self, id: &str) -> Option<&Segment<'a>> {
        self.segments.iter().find(|s| s.id == id)
    }

    /// Every segment with this id, in order.
    pub fn all(&self, id: &str) -> impl Iterator<Item = &Segment<'a>> {
        self.segments.iter().filter(move |s| s.id == id)
    }

    /// MSH (parsing guarantees it is the first segment).
    pub fn msh(&self) -> Option<&Segment<'a>> {
        self.segments.first().filter(|s| s.id == "MSH")
    }
}

fn msh_problem(field: usize, message: impl Into<String>) -> Hl7Problem {
    Hl7Problem::new(Place::field("MSH", 1, field), ErrorCode::DataType, message)
}

/// Reads the separators from the start of `text` ("MSH|^~\&|...").
fn separators(text: &str) -> Result<(Separators, &str), Hl7Problem> {
    if !text.starts_with("MSH") {
        return Err(Hl7Problem::new(
            Place::segment("MSH", 1),
            ErrorCode::SegmentSequence,
            "the message does not begin with an MSH segment",
        ));
    }
    let mut chars = text[3..].chars();
    let field = chars
        .next()
        .filter(|c| c.is_ascii_punctuation())
        .ok_or_else(|| {
            msh_problem(
                1,
                "the field separator is missing or not a punctuation mark",
            )
        })?;
    let encoding: String = chars
        .take_while(|&c| c != field && c != '\r' && c != '\n')
        .collect();
    let enc: Vec<char> = encoding.chars().collect();
    if !(enc.len() == 4 || enc.len() == 5) || !enc.iter().all(|c| c.is_ascii_punctuation()) {
        return Err(msh_problem(
            2,
            "the encoding characters are not 4 (or 5) punctuation marks",
        ));
    }
    let mut all = enc[..4].to_vec();
    all.push(field);
    all.sort_unstable();
    all.dedup();
    if all.len() != 5 {
        return Err(msh_problem(2, "the separators are not all different"));
    }
    let seps = Separators {
        field,
        component: enc[0],
        repetition: enc[1],
        escape: Some(enc[2]),
        subcomponent: enc[3],
    };
    Ok((seps, &text[3..4]))
}

/// Parses one message. Segments end in CR (LF and CR LF are taken too);
/// empty lines are skipped.
pub fn parse(text: &str) -> Result<Message<'_>, Hl7Problem> {
    let text = text.trim_start_matches(['\u{feff}', '\u{0b}', '\r', '\n', ' ']);
    let (seps, field_separator) = separators(text)?;
    let mut segments: Vec<Segment<'_>> = Vec::new();
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (line_no, line) in text.split(['\r', '\n']).enumerate() {
        let line = line.trim_end_matches('\u{1c}');
        if line.trim().is_empty() {
            continue;
        }
        let parts: Vec<&str> = line.split(seps.field).collect();
        let id = parts.first().copied().unwrap_or("");
        let valid = id.len() == 3
            && id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && id.as_bytes()[0].is_ascii_uppercase();
        if !valid {
            let after = segments.last().map_or("MSH", |s| s.id);
            return Err(Hl7Problem::new(
                Place::segment(after, counts.get(after).copied().unwrap_or(1)),
                ErrorCode::SegmentSequence,
                format!(
                    "line {} (after this segment) does not begin with a segment id (3 capital letters or digits)",
                    line_no + 1
                ),
            ));
        }
        if id == "MSH" && !segments.is_empty() {
            return Err(Hl7Problem::new(
                Place::segment("MSH", 2),
                ErrorCode::SegmentSequence,
                "a second MSH in one message (messages of a file are split before parsing)",
            ));
        }
        let n = counts.entry(id).or_insert(0);
        *n += 1;
        segments.push(Segment {
            id,
            sequence: *n,
            parts,
            separators: seps,
            field_separator,
        });
    }
    Ok(Message {
        separators: seps,
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_repetitions_and_components_are_numbered_as_hl7_numbers_them() {
        let m = parse(
            "MSH|^~\\&|APP|FAC|||20260304||ADT^A01|1|P|2.5\rPID|1||123^^^H^MR~456^^^H^PI||DOE^JANE",
        )
        .unwrap();
        let msh = m.msh().unwrap();
        assert_eq!(msh.field(1).raw(), "|");
        assert_eq!(msh.field(2).raw(), "^~\\&");
        assert_eq!(msh.field(3).raw(), "APP");
        assert_eq!(msh.field(9).component(2).raw(), "A01");
        let pid = m.segment("PID").unwrap();
        let reps = pid.field(3).repetitions();
        assert_eq!(reps.len(), 2);
        assert_eq!(reps[1].component(1).raw(), "456");
        assert_eq!(reps[1].component(5).raw(), "PI");
        assert_eq!(
            pid.field(5).component(2).text().unwrap().as_deref(),
            Some("JANE")
        );
        assert!(pid.field(40).is_empty());
    }

    #[test]
    fn escapes_decode_in_non_ascii_text() {
        let p = Place::segment("OBX", 1);
        let s = Separators::default();
        assert_eq!(
            decode(r"Renée \F\ \S\ \T\ \R\ \E\ a\.br\b", &s, &p).unwrap(),
            "Renée | ^ & ~ \\ a\nb"
        );
        assert_eq!(decode(r"\H\bold\N\ \X4869\", &s, &p).unwrap(), "bold Hi");
        assert_eq!(decode(r"\Zcustom\", &s, &p).unwrap(), r"\Zcustom\");
        assert!(decode(r"open \F", &s, &p).is_err());
        assert!(decode(r"\XZZ\", &s, &p).is_err());
    }

    #[test]
    fn a_fifth_encoding_character_does_not_shift_the_fields() {
        let m = parse("MSH|^~\\&#|APP|FAC").unwrap();
        assert_eq!(m.msh().unwrap().field(3).raw(), "APP");
    }

    #[test]
    fn escaping_round_trips() {
        let s = Separators::default();
        let text = "a|b^c&d~e\\f\ng";
        let p = Place::segment("NTE", 1);
        assert_eq!(decode(&s.escape_text(text), &s, &p).unwrap(), text);
    }
}
