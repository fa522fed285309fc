//! The CDC ICD-10-CM Tabular List XML (`icd10cm-tabular-*.xml`): chapters,
//! sections and every `diag` node with its instructional notes and
//! 7th-character definitions, kept in the official nesting.

use super::{CodeSetError, Lines, close_element, line_of, next_event, reference_char, truncated};

use quick_xml::Reader;
use quick_xml::events::Event;

/// What a node of the tabular is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Chapter,
    Section,
    /// A category, subcategory or code (`diag`).
    Code,
}

/// The kinds of instructional note in the tabular, named as the XML names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoteKind {
    Includes,
    InclusionTerm,
    Excludes1,
    Excludes2,
    CodeFirst,
    UseAdditionalCode,
    CodeAlso,
    /// Plain `notes` (e.g. "A fracture not indicated as displaced ... displaced").
    Note,
    SeventhCharacter,
}

impl NoteKind {
    fn from_element(name: &[u8]) -> Option<NoteKind> {
        Some(match name {
            b"includes" => NoteKind::Includes,
            b"inclusionTerm" => NoteKind::InclusionTerm,
            b"excludes1" => NoteKind::Excludes1,
            b"excludes2" => NoteKind::Excludes2,
            b"codeFirst" => NoteKind::CodeFirst,
            b"useAdditionalCode" => NoteKind::UseAdditionalCode,
            b"codeAlso" => NoteKind::CodeAlso,
            b"notes" => NoteKind::Note,
            b"sevenChrNote" => NoteKind::SeventhCharacter,
            _ => return None,
        })
    }

    /// The heading the tabular prints for the note.
    pub fn heading(self) -> &'static str {
        match self {
            NoteKind::Includes => "Includes",
            NoteKind::InclusionTerm => "Inclusion terms",
            NoteKind::Excludes1 => "Excludes1",
            NoteKind::Excludes2 => "Excludes2",
            NoteKind::CodeFirst => "Code first",
            NoteKind::UseAdditionalCode => "Use additional code",
            NoteKind::CodeAlso => "Code also",
            NoteKind::Note => "Note",
            NoteKind::SeventhCharacter => "7th character",
        }
    }
}

/// One note line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
    /// Which note element of its node the line belongs to (numbered from 0 in
    /// document order). One element is one instruction: "code to identify
    /// control using:" and the lines listing insulin (Z79.4), oral drugs
    /// (Z79.84) ... share a group, and any one of them satisfies it.
    pub group: u32,
}

/// One allowed 7th character and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeventhCharacter {
    pub character: char,
    pub meaning: String,
}

/// A chapter, section or `diag` of the tabular.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TabularNode {
    pub kind: NodeKind,
    /// "I50.23" for codes, "I30-I5A" for sections, "9" for chapters.
    pub code: String,
    pub title: String,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    pub notes: Vec<Note>,
    /// The 7th characters defined at this node (inherited by its descendants).
    pub seventh: Vec<SeventhCharacter>,
    /// The XML marks nodes that only exist to hold an X placeholder (T45.0X).
    pub placeholder: bool,
    /// The 1-based line of the node in its file.
    pub line: usize,
}

/// Parses the tabular XML into nodes in document order (parents before children).
pub fn parse(file: &str, text: &str) -> Result<Vec<TabularNode>, CodeSetError> {
    let mut reader = Reader::from_str(text);
    let mut p = TabularParser {
        file,
        text,
        lines: Lines::new(text),
        nodes: Vec::new(),
        open: Vec::new(),
        path: Vec::new(),
        note_kind: None,
        note_group: 0,
        text_buf: String::new(),
        seventh_char: None,
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
    if !p.path.is_empty() {
        return Err(truncated(file, text));
    }
    if p.nodes.iter().filter(|n| n.kind == NodeKind::Code).count() == 0 {
        return Err(CodeSetError::at(
            file,
            1,
            "no diag entries: this is not an ICD-10-CM tabular file".into(),
        ));
    }
    Ok(p.nodes)
}

/// What `parse` keeps from one XML event to the next.
struct TabularParser<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines<'a>,
    nodes: Vec<TabularNode>,
    /// The open chapter/section/diag nodes, innermost last.
    open: Vec<usize>,
    /// The element names from the root down to here.
    path: Vec<Vec<u8>>,
    note_kind: Option<NoteKind>,
    /// The group of the note element open now (see `Note::group`).
    note_group: u32,
    text_buf: String,
    seventh_char: Option<char>,
}

impl TabularParser<'_> {
    fn err(&self, offset: usize, message: String) -> CodeSetError {
        CodeSetError::at(self.file, line_of(self.text, offset), message)
    }

    /// A start tag: opens a node, a note or a 7th-character extension.
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = e.local_name().as_ref().as_bytes().to_vec();
        self.text_buf.clear();
        match name.as_slice() {
            b"chapter" | b"section" | b"diag"
                if !self.path.is_empty() && !path_has(&self.path, b"introduction") =>
            {
                self.open_node(e, &name, offset)?;
            }
            other => {
                if let Some(kind) = NoteKind::from_element(other) {
                    self.note_kind = Some(kind);
                    self.note_group = self
                        .open
                        .last()
                        .and_then(|&n| self.nodes[n].notes.last())
                        .map_or(0, |last| last.group + 1);
                }
                if other == b"extension" {
                    let ch = e
                        .try_get_attribute("char")
                        .ok()
                        .flatten()
                        .and_then(|a| a.value.chars().next());
                    self.seventh_char = Some(ch.ok_or_else(|| {
                        self.err(offset, "a 7th-character extension without char".into())
                    })?);
                }
            }
        }
        self.path.push(name);
        Ok(())
    }

    /// A chapter, section or diag start tag: a new node under the innermost open one.
    fn open_node(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        name: &[u8],
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let kind = match name {
            b"chapter" => NodeKind::Chapter,
            b"section" => NodeKind::Section,
            _ => NodeKind::Code,
        };
        let mut code = String::new();
        if kind == NodeKind::Section
            && let Some(id) = e
                .try_get_attribute("id")
                .map_err(|x| self.err(offset, format!("bad attribute: {x}")))?
        {
            code = id.value.to_string();
        }
        let placeholder = e
            .try_get_attribute("placeholder")
            .ok()
            .flatten()
            .is_some_and(|a| a.value.as_ref() == "true");
        let index = self.nodes.len();
        let parent = self.open.last().copied();
        if let Some(p) = parent {
            self.nodes[p].children.push(index);
        }
        let line = self.lines.at(offset);
        self.nodes.push(TabularNode {
            kind,
            code,
            title: String::new(),
            parent,
            children: Vec::new(),
            notes: Vec::new(),
            seventh: Vec::new(),
            placeholder,
            line,
        });
        self.open.push(index);
        Ok(())
    }

    /// An end tag: the element's text goes to the innermost open node.
    fn end(
        &mut self,
        e: &quick_xml::events::BytesEnd<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = close_element(&mut self.path, e, self.file, self.text, offset)?;
        let parent_element = self.path.last().map(Vec::as_slice);
        let node = self.open.last().copied();
        let value = self.text_buf.trim().to_string();
        let nodes = &mut self.nodes;
        match (name.as_slice(), parent_element, node) {
            (b"name", Some(b"diag" | b"chapter"), Some(n)) => nodes[n].code = value,
            (b"desc", Some(b"diag" | b"chapter" | b"section"), Some(n)) => nodes[n].title = value,
            (b"note", Some(b"sevenChrDef"), Some(n)) => {
                // A note inside the definition qualifies the extension before it.
                if let Some(last) = nodes[n].seventh.last_mut() {
                    last.meaning.push_str(&format!(" ({value})"));
                }
            }
            (b"note", Some(_), Some(n)) => {
                if let Some(kind) = self.note_kind {
                    nodes[n].notes.push(Note {
                        kind,
                        text: value,
                        group: self.note_group,
                    });
                }
            }
            (b"extension", _, Some(n)) => {
                if let Some(character) = self.seventh_char.take() {
                    nodes[n].seventh.push(SeventhCharacter {
                        character,
                        meaning: value,
                    });
                }
            }
            (b"chapter" | b"section" | b"diag", _, Some(n))
                if nodes[n].line > 0 && !path_has(&self.path, b"introduction") =>
            {
                if nodes[n].code.is_empty() {
                    return Err(CodeSetError::at(
                        self.file,
                        nodes[n].line,
                        "a tabular entry without a name (code)".into(),
                    ));
                }
                self.open.pop();
            }
            _ => {}
        }
        if NoteKind::from_element(&name).is_some() {
            self.note_kind = None;
        }
        self.text_buf.clear();
        Ok(())
    }
}

fn path_has(path: &[Vec<u8>], name: &[u8]) -> bool {
    path.iter().any(|p| p.as_slice() == name)
}
