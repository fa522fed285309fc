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
    let err =
        |offset: usize, message: String| CodeSetError::at(file, line_of(text, offset), message);
    let mut lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    let mut nodes: Vec<TabularNode> = Vec::new();
    // The open chapter/section/diag nodes, innermost last.
    let mut open: Vec<usize> = Vec::new();
    // The element names from the root down to here.
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut note_kind: Option<NoteKind> = None;
    // The group of the note element open now (see `Note::group`).
    let mut note_group: u32 = 0;
    let mut text_buf = String::new();
    let mut seventh_char: Option<char> = None;
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().as_bytes().to_vec();
                text_buf.clear();
                match name.as_slice() {
                    b"chapter" | b"section" | b"diag"
                        if !path.is_empty() && !path_has(&path, b"introduction") =>
                    {
                        let kind = match name.as_slice() {
                            b"chapter" => NodeKind::Chapter,
                            b"section" => NodeKind::Section,
                            _ => NodeKind::Code,
                        };
                        let mut code = String::new();
                        if kind == NodeKind::Section
                            && let Some(id) = e
                                .try_get_attribute("id")
                                .map_err(|x| err(offset, format!("bad attribute: {x}")))?
                        {
                            code = id.value.to_string();
                        }
                        let placeholder = e
                            .try_get_attribute("placeholder")
                            .ok()
                            .flatten()
                            .is_some_and(|a| a.value.as_ref() == "true");
                        let index = nodes.len();
                        let parent = open.last().copied();
                        if let Some(p) = parent {
                            nodes[p].children.push(index);
                        }
                        nodes.push(TabularNode {
                            kind,
                            code,
                            title: String::new(),
                            parent,
                            children: Vec::new(),
                            notes: Vec::new(),
                            seventh: Vec::new(),
                            placeholder,
                            line: lines.at(offset),
                        });
                        open.push(index);
                    }
                    other => {
                        if let Some(kind) = NoteKind::from_element(other) {
                            note_kind = Some(kind);
                            note_group = open
                                .last()
                                .and_then(|&n| nodes[n].notes.last())
                                .map_or(0, |last| last.group + 1);
                        }
                        if other == b"extension" {
                            let ch = e
                                .try_get_attribute("char")
                                .ok()
                                .flatten()
                                .and_then(|a| a.value.chars().next());
                            seventh_char = Some(ch.ok_or_else(|| {
                                err(offset, "a 7th-character extension without char".into())
                            })?);
                        }
                    }
                }
                path.push(name);
            }
            Event::End(e) => {
                let name = close_element(&mut path, &e, file, text, offset)?;
                let parent_element = path.last().map(Vec::as_slice);
                let node = open.last().copied();
                let value = text_buf.trim().to_string();
                match (name.as_slice(), parent_element, node) {
                    (b"name", Some(b"diag" | b"chapter"), Some(n)) => nodes[n].code = value,
                    (b"desc", Some(b"diag" | b"chapter" | b"section"), Some(n)) => {
                        nodes[n].title = value
                    }
                    (b"note", Some(b"sevenChrDef"), Some(n)) => {
                        // A note inside the definition qualifies the extension before it.
                        if let Some(last) = nodes[n].seventh.last_mut() {
                            last.meaning.push_str(&format!(" ({value})"));
                        }
                    }
                    (b"note", Some(_), Some(n)) => {
                        if let Some(kind) = note_kind {
                            nodes[n].notes.push(Note {
                                kind,
                                text: value,
                                group: note_group,
                            });
                        }
                    }
                    (b"extension", _, Some(n)) => {
                        if let Some(character) = seventh_char.take() {
                            nodes[n].seventh.push(SeventhCharacter {
                                character,
                                meaning: value,
                            });
                        }
                    }
                    (b"chapter" | b"section" | b"diag", _, Some(n))
                        if nodes[n].line > 0 && !path_has(&path, b"introduction") =>
                    {
                        if nodes[n].code.is_empty() {
                            return Err(CodeSetError::at(
                                file,
                                nodes[n].line,
                                "a tabular entry without a name (code)".into(),
                            ));
                        }
                        open.pop();
                    }
                    _ => {}
                }
                if NoteKind::from_element(&name).is_some() {
                    note_kind = None;
                }
                text_buf.clear();
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                text_buf.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(truncated(file, text));
    }
    if nodes.iter().filter(|n| n.kind == NodeKind::Code).count() == 0 {
        return Err(CodeSetError::at(
            file,
            1,
            "no diag entries: this is not an ICD-10-CM tabular file".into(),
        ));
    }
    Ok(nodes)
}

fn path_has(path: &[Vec<u8>], name: &[u8]) -> bool {
    path.iter().any(|p| p.as_slice() == name)
}
