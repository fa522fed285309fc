//! The CMS ICD-10-PCS Tables XML (`icd10pcs_tables_*.xml`): each table fixes
//! characters 1-3 (section, body system, root operation); each row lists the
//! values allowed for characters 4-7. A code is valid only as a combination one
//! row allows, and its title is built from the axis labels.

use super::{
    CodeSetError, Lines, MceEntry, SourceFile, Sources, close_element, line_of, next_event,
    parse_mce, reference_char, text_of, truncated,
};
use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::HashMap;

/// One axis value: its character and label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AxisValue {
    pub character: char,
    pub label: String,
}

/// One axis of a table or row: its title (e.g. "Approach") and its values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Axis {
    pub title: String,
    pub values: Vec<AxisValue>,
    /// The definition of the value (root operations carry one).
    pub definition: Option<String>,
}

impl Axis {
    fn label_of(&self, c: char) -> Option<&str> {
        self.values
            .iter()
            .find(|v| v.character == c)
            .map(|v| v.label.as_str())
    }
}

/// One table: characters 1-3, and rows for characters 4-7.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcsTable {
    /// Axes for characters 1, 2, 3 (one value each).
    pub head: Vec<Axis>,
    /// Each row's axes for characters 4, 5, 6, 7.
    pub rows: Vec<Vec<Axis>>,
    pub line: usize,
}

impl PcsTable {
    /// The three leading characters of the table's codes.
    pub fn prefix(&self) -> String {
        self.head
            .iter()
            .filter_map(|a| a.values.first().map(|v| v.character))
            .collect()
    }
}

/// A PCS code found in a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PcsCode {
    pub code: String,
    pub title: String,
    /// (axis title, value label) for each of the 7 characters.
    pub axes: Vec<(String, String)>,
    /// The root operation's definition, when the table gives one.
    pub definition: Option<String>,
}

/// Every table, found by its first three characters.
pub struct Pcs {
    pub tables: Vec<PcsTable>,
    by_prefix: HashMap<String, usize>,
}

impl Pcs {
    pub fn new(tables: Vec<PcsTable>) -> Pcs {
        let by_prefix = tables
            .iter()
            .enumerate()
            .map(|(i, t)| (t.prefix(), i))
            .collect();
        Pcs { tables, by_prefix }
    }

    /// Looks a 7-character code up: valid only if one row of its table allows it.
    pub fn lookup(&self, code: &str) -> Option<PcsCode> {
        let code: String = code.trim().to_ascii_uppercase();
        let chars: Vec<char> = code.chars().collect();
        if chars.len() != 7 {
            return None;
        }
        let table = &self.tables[*self.by_prefix.get(&code[..3])?];
        let row = table.rows.iter().find(|row| {
            row.iter()
                .zip(&chars[3..])
                .all(|(axis, c)| axis.label_of(*c).is_some())
        })?;
        let axes: Vec<(String, String)> = table
            .head
            .iter()
            .chain(row.iter())
            .zip(&chars)
            .map(|(axis, c)| {
                (
                    axis.title.clone(),
                    axis.label_of(*c).unwrap_or("").to_string(),
                )
            })
            .collect();
        Some(PcsCode {
            title: title(&axes),
            definition: table.head.get(2).and_then(|a| a.definition.clone()),
            code,
            axes,
        })
    }

    /// How many codes the tables allow.
    pub fn count(&self) -> usize {
        self.tables
            .iter()
            .flat_map(|t| &t.rows)
            .map(|row| row.iter().map(|a| a.values.len()).product::<usize>())
            .sum()
    }
}

/// A title from the axis labels, in the order CMS titles read:
/// "Resection of Appendix, Percutaneous Endoscopic Approach". Values that say
/// there is none ("No Device", "No Qualifier") are left out.
fn title(axes: &[(String, String)]) -> String {
    let label = |i: usize| axes.get(i).map_or("", |(_, l)| l.as_str());
    let mut title = format!("{} of {}", label(2), label(3));
    for i in [5, 6] {
        let l = label(i);
        if !l.is_empty() && !l.starts_with("No ") {
            title.push_str(", ");
            title.push_str(l);
        }
    }
    let fifth = axes.get(4);
    if let Some((axis_title, l)) = fifth
        && !l.is_empty()
        && !l.starts_with("No ")
    {
        title.push_str(", ");
        title.push_str(l);
        if axis_title == "Approach" {
            title.push_str(" Approach");
        }
    }
    title
}

/// Parses the tables XML.
pub fn parse(file: &str, text: &str) -> Result<Vec<PcsTable>, CodeSetError> {
    let mut reader = Reader::from_str(text);
    let mut p = PcsParser {
        file,
        text,
        lines: Lines::new(text),
        tables: Vec::new(),
        table: None,
        row: None,
        axis: None,
        value_char: None,
        text_buf: String::new(),
        depth: 0,
    };
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => p.start(&e, offset)?,
            Event::End(e) => p.end(&e, offset)?,
            Event::Text(t) => p.text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                p.text_buf.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if p.depth != 0 {
        return Err(truncated(file, text));
    }
    if p.tables.is_empty() {
        return Err(CodeSetError::at(
            file,
            1,
            "no pcsTable: this is not an ICD-10-PCS tables file".into(),
        ));
    }
    Ok(p.tables)
}

/// What `parse` keeps from one XML event to the next.
struct PcsParser<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines<'a>,
    tables: Vec<PcsTable>,
    table: Option<PcsTable>,
    row: Option<Vec<Axis>>,
    axis: Option<Axis>,
    value_char: Option<char>,
    text_buf: String,
    depth: usize,
}

impl PcsParser<'_> {
    fn err(&self, offset: usize, message: String) -> CodeSetError {
        CodeSetError::at(self.file, line_of(self.text, offset), message)
    }

    /// A start tag: opens a table, a row, an axis or a label.
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        self.depth += 1;
        self.text_buf.clear();
        match e.local_name().as_ref() {
            "pcsTable" => {
                self.table = Some(PcsTable {
                    head: Vec::new(),
                    rows: Vec::new(),
                    line: self.lines.at(offset),
                })
            }
            "pcsRow" => self.row = Some(Vec::new()),
            "axis" => self.axis = Some(Axis::default()),
            "label" => {
                self.value_char = e
                    .try_get_attribute("code")
                    .ok()
                    .flatten()
                    .and_then(|a| a.value.chars().next());
                if self.value_char.is_none() {
                    return Err(self.err(offset, "a label without a code character".into()));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// An end tag: the element's text goes to the open axis; a finished axis,
    /// row or table goes to what holds it.
    fn end(
        &mut self,
        e: &quick_xml::events::BytesEnd<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        self.depth = self.depth.saturating_sub(1);
        let value = self.text_buf.trim().to_string();
        match e.local_name().as_ref() {
            "title" => {
                if let Some(a) = self.axis.as_mut() {
                    a.title = value;
                }
            }
            "definition" => {
                if let Some(a) = self.axis.as_mut() {
                    a.definition = Some(value);
                }
            }
            "label" => {
                if let (Some(a), Some(character)) = (self.axis.as_mut(), self.value_char.take()) {
                    a.values.push(AxisValue {
                        character,
                        label: value,
                    });
                }
            }
            "axis" => self.end_axis(offset)?,
            "pcsRow" => self.end_row(offset)?,
            "pcsTable" => self.end_table(offset)?,
            _ => {}
        }
        self.text_buf.clear();
        Ok(())
    }

    fn end_axis(&mut self, offset: usize) -> Result<(), CodeSetError> {
        let done = self
            .axis
            .take()
            .ok_or_else(|| self.err(offset, "an axis closed twice".into()))?;
        if done.values.is_empty() {
            return Err(self.err(offset, "an axis without values".into()));
        }
        let (file, text) = (self.file, self.text);
        match (self.row.as_mut(), self.table.as_mut()) {
            (Some(r), _) => r.push(done),
            (None, Some(t)) => t.head.push(done),
            (None, None) => {
                return Err(CodeSetError::at(
                    file,
                    line_of(text, offset),
                    "an axis outside any table".into(),
                ));
            }
        }
        Ok(())
    }

    fn end_row(&mut self, offset: usize) -> Result<(), CodeSetError> {
        let done = self.row.take().unwrap_or_default();
        if done.len() != 4 {
            return Err(self.err(
                offset,
                format!("a row with {} axes instead of 4", done.len()),
            ));
        }
        match self.table.as_mut() {
            Some(t) => t.rows.push(done),
            None => {
                return Err(CodeSetError::at(
                    self.file,
                    line_of(self.text, offset),
                    "a row outside any table".into(),
                ));
            }
        }
        Ok(())
    }

    fn end_table(&mut self, offset: usize) -> Result<(), CodeSetError> {
        let done = self
            .table
            .take()
            .ok_or_else(|| self.err(offset, "a table closed twice".into()))?;
        if done.head.len() != 3 || done.head.iter().any(|a| a.values.len() != 1) {
            return Err(CodeSetError::at(
                self.file,
                done.line,
                "a table without one value for each of characters 1-3".into(),
            ));
        }
        self.tables.push(done);
        Ok(())
    }
}

impl Pcs {
    /// Calls `f(code, title)` for every code the tables allow, table by table.
    pub fn for_each_code(&self, mut f: impl FnMut(&str, &str)) {
        let mut code = String::with_capacity(7);
        for table in &self.tables {
            let head: Vec<(String, String)> = table
                .head
                .iter()
                .map(|a| {
                    let v = a.values.first();
                    (
                        a.title.clone(),
                        v.map_or(String::new(), |v| v.label.clone()),
                    )
                })
                .collect();
            let prefix = table.prefix();
            for row in &table.rows {
                let mut choice = vec![0usize; row.len()];
                if row.iter().any(|a| a.values.is_empty()) {
                    continue;
                }
                'combinations: loop {
                    code.clear();
                    code.push_str(&prefix);
                    let mut axes = head.clone();
                    for (axis, &i) in row.iter().zip(&choice) {
                        let v = &axis.values[i];
                        code.push(v.character);
                        axes.push((axis.title.clone(), v.label.clone()));
                    }
                    f(&code, &title(&axes));
                    // The next combination, the last axis fastest.
                    let mut k = row.len();
                    loop {
                        if k == 0 {
                            break 'combinations;
                        }
                        k -= 1;
                        choice[k] += 1;
                        if choice[k] < row[k].values.len() {
                            break;
                        }
                        choice[k] = 0;
                    }
                }
            }
        }
    }
}

/// One term of the PCS Definitions: a root operation, approach, body part key
/// entry, device or qualifier value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcsDefinition {
    pub definition: Option<String>,
    pub explanation: Option<String>,
    /// "Includes" examples; for the body part key, the anatomical terms coded to it.
    pub includes: Vec<String>,
}

/// The ICD-10-PCS Definitions file, keyed by (section character, character
/// position, value title) as the tables label the value ("1st Toe, Left").
#[derive(Debug, Clone, Default)]
pub struct PcsDefinitions {
    pub(super) terms: HashMap<(char, u8, String), usize>,
    pub definitions: Vec<PcsDefinition>,
}

impl PcsDefinitions {
    pub fn get(&self, section: char, position: u8, title: &str) -> Option<&PcsDefinition> {
        self.terms
            .get(&(section, position, title.to_string()))
            .map(|&i| &self.definitions[i])
    }

    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Parses the Definitions XML (`ICD10PCS.definitions`).
pub fn parse_definitions(file: &str, text: &str) -> Result<PcsDefinitions, CodeSetError> {
    let err =
        |offset: usize, message: String| CodeSetError::at(file, line_of(text, offset), message);
    let mut reader = Reader::from_str(text);
    let mut out = PcsDefinitions::default();
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut section: Option<char> = None;
    let mut position: Option<u8> = None;
    let mut titles: Vec<String> = Vec::new();
    let mut current = PcsDefinition::default();
    let mut buf = String::new();
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().as_bytes().to_vec();
                if path.is_empty() && name != b"ICD10PCS.definitions" {
                    return Err(err(
                        offset,
                        "the root element is not ICD10PCS.definitions".into(),
                    ));
                }
                let attr = |n: &str| {
                    e.try_get_attribute(n)
                        .ok()
                        .flatten()
                        .map(|a| a.value.into_owned())
                };
                match name.as_slice() {
                    b"section" => {
                        section = attr("code").and_then(|c| c.chars().next());
                        if section.is_none() {
                            return Err(err(offset, "a section without a code".into()));
                        }
                    }
                    b"axis" => {
                        position = attr("pos").and_then(|p| p.parse().ok());
                        if position.is_none() {
                            return Err(err(offset, "an axis without a pos".into()));
                        }
                    }
                    b"terms" => {
                        titles.clear();
                        current = PcsDefinition::default();
                    }
                    _ => {}
                }
                buf.clear();
                path.push(name);
            }
            Event::End(e) => {
                let name = close_element(&mut path, &e, file, text, offset)?;
                let in_terms = path.last().is_some_and(|p| p == b"terms");
                let value = buf.split_whitespace().collect::<Vec<_>>().join(" ");
                match name.as_slice() {
                    b"title" if in_terms => titles.push(value),
                    b"definition" if in_terms => current.definition = Some(value),
                    b"explanation" if in_terms => current.explanation = Some(value),
                    b"includes" if in_terms => current.includes.push(value),
                    b"terms" => {
                        if let (Some(s), Some(p)) = (section, position) {
                            let i = out.definitions.len();
                            out.definitions.push(std::mem::take(&mut current));
                            for t in titles.drain(..) {
                                out.terms.insert((s, p, t), i);
                            }
                        }
                    }
                    _ => {}
                }
                buf.clear();
            }
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                buf.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(truncated(file, text));
    }
    if out.is_empty() {
        return Err(CodeSetError::at(file, 1, "no definitions".into()));
    }
    Ok(out)
}

/// ICD-10-PCS: the FY2026 tables and the MCE's dated validity of every code.
pub struct IcdPcs {
    pub tables: Pcs,
    pub mce: HashMap<String, MceEntry>,
    pub definitions: PcsDefinitions,
}

impl IcdPcs {
    pub fn load_bundled() -> Result<IcdPcs, CodeSetError> {
        IcdPcs::load(&Sources::BUNDLED)
    }

    /// Loads the tables, their MCE master and the definitions.
    pub fn load(s: &Sources) -> Result<IcdPcs, CodeSetError> {
        let text = |f: &SourceFile| text_of(f.path, f.bytes);
        let tables = parse(s.pcs_tables.path, &text(&s.pcs_tables)?)?;
        let mce = parse_mce(s.mce_px.path, &text(&s.mce_px)?)?;
        let definitions = parse_definitions(s.pcs_definitions.path, &text(&s.pcs_definitions)?)?;
        Ok(IcdPcs {
            tables: Pcs::new(tables),
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
