//! The ICD-10-PCS Alphabetic Index (`ICD10PCS.index`): how a coder goes from the
//! surgeon's words ("colectomy", "thoracentesis", "Achilles tendon") to a table.
//!
//! A term leads to a complete code (`<code>`, 7 characters), a table row prefix
//! (`<codes>`, 4 characters) or a table (`<tab>`, 3 characters), directly or
//! inside a `<see>` reference ("Hysterectomy, Total — see Resection, Uterus
//! 0UT9"); a `<see>` without a code names another term ("Ablation — see
//! Destruction"); a `<use>` names a body part, device or substance value as the
//! tables label it ("Achilles tendon — use Lower Leg Tendon, Right").

use super::index::collapse;
use super::{CodeSetError, Lines, close_element, next_event, reference_char, truncated};
use quick_xml::Reader;
use quick_xml::events::Event;

/// One term of the PCS Index: a main term (level 0) or a subterm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcsIndexTerm {
    pub level: u8,
    /// The term one level up (an index into [`PcsIndex::terms`]).
    pub parent: Option<u32>,
    /// Empty for a subterm that only holds a reference.
    pub title: String,
    /// A complete code, a 4-character row prefix or a 3-character table.
    pub target: Option<String>,
    /// The words of a `<see>` reference (without its code).
    pub see: Option<String>,
    /// The value a `<use>` reference names.
    pub use_value: Option<String>,
    /// The 1-based line in the source file.
    pub line: usize,
}

/// The parsed PCS Index.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PcsIndex {
    pub terms: Vec<PcsIndexTerm>,
}

impl PcsIndex {
    /// The titles from the main term down to `term`, empty titles left out.
    pub fn path(&self, term: usize) -> Vec<&str> {
        let mut path = Vec::new();
        let mut at = Some(term);
        while let Some(i) = at {
            let t = &self.terms[i];
            if !t.title.is_empty() {
                path.push(t.title.as_str());
            }
            at = t.parent.map(|p| p as usize);
        }
        path.reverse();
        path
    }

    /// Each term's children, by index.
    pub fn children(&self) -> Vec<Vec<u32>> {
        let mut children = vec![Vec::new(); self.terms.len()];
        for (i, t) in self.terms.iter().enumerate() {
            if let Some(p) = t.parent {
                children[p as usize].push(i as u32);
            }
        }
        children
    }
}

/// A PCS code or prefix as the Index prints it: 3 to 7 letters and digits.
fn valid_target(s: &str) -> bool {
    (3..=7).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Parses the PCS Index XML. Errors name the file and line.
pub fn parse(file: &str, text: &str) -> Result<PcsIndex, CodeSetError> {
    let mut reader = Reader::from_str(text);
    let mut p = PcsIndexParser {
        file,
        text,
        lines: Lines::new(text),
        out: PcsIndex::default(),
        path: Vec::new(),
        open: Vec::new(),
        buf: String::new(),
        see_words: String::new(),
        use_words: String::new(),
    };
    loop {
        let (offset, event) = next_event(&mut reader, file, text)?;
        match event {
            Event::Start(e) => p.start(&e, offset)?,
            Event::End(e) => p.end(&e, offset)?,
            Event::Empty(_) if p.path.is_empty() => {
                return Err(CodeSetError::at(
                    file,
                    p.lines.at(offset),
                    "the root element is not ICD10PCS.index: not a PCS Index file".into(),
                ));
            }
            Event::Text(t) => p.buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let c = reference_char(&r, file, text, offset)?;
                p.buf.push(c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !p.path.is_empty() {
        return Err(truncated(file, text));
    }
    if p.out.terms.is_empty() {
        return Err(CodeSetError::at(file, 1, "no index terms".into()));
    }
    Ok(p.out)
}

/// What `parse` keeps from one XML event to the next.
struct PcsIndexParser<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines<'a>,
    out: PcsIndex,
    path: Vec<Vec<u8>>,
    open: Vec<u32>,
    buf: String,
    /// The words of an open <see> before its code element.
    see_words: String,
    /// The words of an open <use> before its table element ("Intraluminal
    /// Device, Flow Diverter in" 03V).
    use_words: String,
}

impl PcsIndexParser<'_> {
    /// A start tag: checks the root, opens a term or a reference.
    fn start(
        &mut self,
        e: &quick_xml::events::BytesStart<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = e.local_name().as_ref().as_bytes().to_vec();
        if self.path.is_empty() && name != b"ICD10PCS.index" {
            return Err(CodeSetError::at(
                self.file,
                self.lines.at(offset),
                "the root element is not ICD10PCS.index: not a PCS Index file".into(),
            ));
        }
        match name.as_slice() {
            b"mainTerm" | b"term" => {
                let level = self.open.len() as u8;
                self.out.terms.push(PcsIndexTerm {
                    level,
                    parent: self.open.last().copied(),
                    line: self.lines.at(offset),
                    ..PcsIndexTerm::default()
                });
                self.open.push(self.out.terms.len() as u32 - 1);
            }
            b"see" => self.see_words.clear(),
            b"use" => self.use_words.clear(),
            _ => {}
        }
        if name.as_slice() == b"see" {
            self.buf.clear();
        } else if self.path.last().is_some_and(|p| p == b"see") {
            // A code inside a reference: the words so far are the reference.
            self.see_words = collapse(&self.buf);
            self.buf.clear();
        } else if self.path.last().is_some_and(|p| p == b"use") {
            // "Pipeline(tm) (Flex) embolization device — use Intraluminal
            // Device, Flow Diverter in 03V": the value is the words before
            // the table, less the "in" that leads to it.
            let words = collapse(&self.buf);
            self.use_words = words
                .strip_suffix(" in")
                .map_or(words.clone(), str::to_string);
            self.buf.clear();
        } else {
            self.buf.clear();
        }
        self.path.push(name);
        Ok(())
    }

    /// An end tag: the element's text goes to the innermost open term.
    fn end(
        &mut self,
        e: &quick_xml::events::BytesEnd<'_>,
        offset: usize,
    ) -> Result<(), CodeSetError> {
        let name = close_element(&mut self.path, e, self.file, self.text, offset)?;
        let value = collapse(&self.buf);
        let Some(&t) = self.open.last() else {
            self.buf.clear();
            return Ok(());
        };
        let term = &mut self.out.terms[t as usize];
        match name.as_slice() {
            b"title"
                if self
                    .path
                    .last()
                    .is_some_and(|p| p == b"mainTerm" || p == b"term") =>
            {
                term.title = value;
            }
            b"code" | b"codes" | b"tab" => {
                if !valid_target(&value) {
                    return Err(CodeSetError::at(
                        self.file,
                        self.lines.at(offset),
                        format!("{value:?} is not an ICD-10-PCS code, row or table"),
                    ));
                }
                term.target = Some(value);
            }
            b"see" => {
                let words = if self.see_words.is_empty() {
                    value
                } else {
                    std::mem::take(&mut self.see_words)
                };
                term.see = Some(words);
            }
            b"use" => {
                term.use_value = Some(if self.use_words.is_empty() {
                    value
                } else {
                    std::mem::take(&mut self.use_words)
                });
            }
            b"mainTerm" | b"term" => {
                self.open.pop();
            }
            _ => {}
        }
        self.buf.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<ICD10PCS.index><version>2025</version><title>t</title>
<letter><title>A</title>
<mainTerm><title>Abdominohysterectomy</title>
  <see>Resection, Uterus<codes>0UT9</codes></see></mainTerm>
<mainTerm><title>Ablation</title>
  <term level="1"><see>Destruction</see></term></mainTerm>
<mainTerm><title>Achilles tendon</title>
  <term level="1"><use>Lower Leg Tendon, Right</use></term></mainTerm>
<mainTerm><title>Pipeline(tm) (Flex) embolization device</title>
  <use>Intraluminal Device, Flow Diverter in<tab>03V</tab></use></mainTerm>
<mainTerm><title>Abortion</title>
  <term level="1"><title>Laminaria</title><code>10A07ZW</code></term></mainTerm>
</letter></ICD10PCS.index>"#;

    #[test]
    fn see_use_and_codes_are_read_with_their_terms() {
        let ix = parse("pcs.xml", SAMPLE).unwrap();
        let first = &ix.terms[0];
        assert_eq!(first.title, "Abdominohysterectomy");
        assert_eq!(first.see.as_deref(), Some("Resection, Uterus"));
        assert_eq!(first.target.as_deref(), Some("0UT9"));
        let ablation = ix.terms.iter().position(|t| t.title == "Ablation").unwrap();
        assert_eq!(ix.terms[ablation + 1].see.as_deref(), Some("Destruction"));
        assert_eq!(ix.terms[ablation + 1].target, None);
        assert_eq!(ix.terms[ablation + 1].parent, Some(ablation as u32));
        let achilles = ix.terms.iter().find(|t| t.use_value.is_some()).unwrap();
        assert_eq!(
            achilles.use_value.as_deref(),
            Some("Lower Leg Tendon, Right")
        );
        // A value "in" a table: the value's label and the table.
        let pipeline = ix
            .terms
            .iter()
            .find(|t| t.title.starts_with("Pipeline"))
            .unwrap();
        assert_eq!(
            pipeline.use_value.as_deref(),
            Some("Intraluminal Device, Flow Diverter")
        );
        assert_eq!(pipeline.target.as_deref(), Some("03V"));
        let laminaria = ix
            .terms
            .iter()
            .position(|t| t.title == "Laminaria")
            .unwrap();
        assert_eq!(ix.path(laminaria), vec!["Abortion", "Laminaria"]);
        assert_eq!(ix.terms[laminaria].target.as_deref(), Some("10A07ZW"));
    }

    #[test]
    fn a_bad_code_and_a_truncated_file_are_named() {
        let bad = SAMPLE.replace("10A07ZW", "10A07ZW9");
        let e = parse("pcs.xml", &bad).unwrap_err();
        assert!(e.message.contains("10A07ZW9"), "{e}");
        assert!(e.line > 1);
        let cut = &SAMPLE[..SAMPLE.len() - 30];
        assert!(parse("pcs.xml", cut).is_err());
        let e = parse("x.xml", "<other/>").unwrap_err();
        assert!(e.message.contains("not a PCS Index"), "{e}");
    }

    #[test]
    fn the_bundled_index_parses() {
        let ix = super::super::load_pcs_index().unwrap();
        assert!(ix.terms.len() > 20_000, "{}", ix.terms.len());
        let tracheostomy = ix
            .terms
            .iter()
            .position(|t| t.title == "Tracheostomy")
            .unwrap();
        let leads: Vec<&str> = ix
            .terms
            .iter()
            .filter(|t| t.parent == Some(tracheostomy as u32) || t.title == "Tracheostomy")
            .filter_map(|t| t.target.as_deref())
            .collect();
        assert!(leads.iter().any(|t| t.starts_with("0B1")), "{leads:?}");
    }
}
