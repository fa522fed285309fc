//! The synonym and abbreviation lists (`data/synonyms.tsv`, and the surgeons'
//! words of `codesets/search/pcs_surgeon_terms.tsv`): a word or phrase a coder
//! types and the phrases of the classification it stands for.

use super::text::index_words;
use crate::codeset::CodeSetError;

/// The bundled list, written for this project.
pub const BUNDLED: &str = include_str!("../../data/synonyms.tsv");
pub const BUNDLED_PATH: &str = "data/synonyms.tsv";

/// Surgeons' phrases for ICD-10-PCS root operations, approaches and devices,
/// written from the PCS Index and Definitions (see codesets/README.md).
pub const SURGEON: &str = include_str!("../../codesets/search/pcs_surgeon_terms.tsv");
pub const SURGEON_PATH: &str = "codesets/search/pcs_surgeon_terms.tsv";

/// The words of the PCS sections after Medical and Surgical (imaging
/// modalities, radiation modalities, measurement, placement, ...) and the body
/// parts a surgeon's word names, written from the PCS Index, the Body Part Key
/// and the FY2026 tables' axis labels (see the file's header).
pub const SECTIONS: &str = include_str!("../../codesets/search/pcs_section_terms.tsv");
pub const SECTIONS_PATH: &str = "codesets/search/pcs_section_terms.tsv";

/// The abbreviations and bedside names of procedures of the sections after
/// Medical and Surgical (DCCV, HBOT, OMT, CBT, detox, contrast agents),
/// written from the PCS Index and the tables' axis labels (see its header).
pub const OTHER_SECTIONS: &str = include_str!("../../codesets/search/pcs_other_sections.tsv");
pub const OTHER_SECTIONS_PATH: &str = "codesets/search/pcs_other_sections.tsv";

/// Keys of at most this many words are recognised in a query.
pub const MAX_KEY_WORDS: usize = 4;

/// Every bundled list, merged (an entry of a later list adds phrases to the
/// same key of an earlier one).
pub fn bundled() -> Result<Vec<Synonym>, CodeSetError> {
    let mut list = parse(BUNDLED_PATH, BUNDLED)?;
    merge(&mut list, parse(SURGEON_PATH, SURGEON)?);
    merge(&mut list, parse(SECTIONS_PATH, SECTIONS)?);
    merge(&mut list, parse(OTHER_SECTIONS_PATH, OTHER_SECTIONS)?);
    Ok(list)
}

/// Adds `more` to `list`: phrases of a key already there join its phrases.
pub fn merge(list: &mut Vec<Synonym>, more: Vec<Synonym>) {
    for s in more {
        match list.iter_mut().find(|x| x.key == s.key) {
            Some(x) => {
                for p in s.phrases {
                    if !x.phrases.contains(&p) {
                        x.phrases.push(p);
                    }
                }
            }
            None => list.push(s),
        }
    }
}

/// One abbreviation and its phrases, each phrase as its searchable words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    pub key: String,
    pub phrases: Vec<Vec<String>>,
    /// Whether the shorthand qualifies another term ("LLE" in "LLE DVT")
    /// rather than standing for a term of its own.
    pub narrows: bool,
}

/// Parses the list; errors name the line.
pub fn parse(file: &str, text: &str) -> Result<Vec<Synonym>, CodeSetError> {
    let mut out: Vec<Synonym> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim_end();
        if trimmed.trim().is_empty() || trimmed.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, phrases)) = trimmed.split_once('\t') else {
            return Err(CodeSetError::at(
                file,
                line,
                "expected an abbreviation, a TAB, then its phrases".into(),
            ));
        };
        // Shorthand written with a slash or an ampersand ("s/p", "I&D") or a
        // short hyphenated piece ("C-diff") is one word, its pieces joined.
        let mut key_words = super::text::words(key);
        if key.contains(['/', '&', '-']) && !key_words.is_empty() {
            key_words = vec![key_words.concat()];
        }
        // A phrase key ("hernia repair", "chest tube") is its words, one
        // space apart: the query's words in a row are looked up the same way.
        if key_words.is_empty() || key_words.len() > MAX_KEY_WORDS {
            return Err(CodeSetError::at(
                file,
                line,
                format!("the key {key:?} must be 1 to {MAX_KEY_WORDS} words"),
            ));
        }
        let (phrases, narrows) = match phrases.split_once('\t') {
            None => (phrases, false),
            Some((p, kind)) => match kind.trim() {
                "expands" | "" => (p, false),
                "narrows" => (p, true),
                other => {
                    return Err(CodeSetError::at(
                        file,
                        line,
                        format!("the kind {other:?} must be \"expands\" or \"narrows\""),
                    ));
                }
            },
        };
        let phrases: Vec<Vec<String>> = phrases
            .split('|')
            .map(index_words)
            .filter(|p| !p.is_empty())
            .collect();
        if phrases.is_empty() {
            return Err(CodeSetError::at(
                file,
                line,
                format!("{key:?} has no phrase"),
            ));
        }
        let key = key_words.join(" ");
        match out.iter_mut().find(|s| s.key == key) {
            Some(s) => s.phrases.extend(phrases),
            None => out.push(Synonym {
                key,
                phrases,
                narrows,
            }),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_list_parses() {
        let list = parse(BUNDLED_PATH, BUNDLED).unwrap();
        let chf = list.iter().find(|s| s.key == "chf").unwrap();
        assert_eq!(chf.phrases[0], vec!["congestive", "heart", "failure"]);
        assert!(list.len() > 120);
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = parse("syn.tsv", "# c\nchf congestive heart failure\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("syn.tsv", "a b c d e\tmyocardial infarction\n").unwrap_err();
        assert!(e.message.contains("1 to 4 words"), "{e}");
    }

    #[test]
    fn a_key_may_be_several_words_and_lists_merge() {
        let mut list = parse("a.tsv", "Hernia repair\therniorrhaphy\n").unwrap();
        assert_eq!(list[0].key, "hernia repair");
        let more = parse(
            "b.tsv",
            "hernia repair\trepair hernia\nchest tube\tdrainage device\n",
        );
        merge(&mut list, more.unwrap());
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].phrases.len(), 2);
        let all = bundled().unwrap();
        assert!(all.iter().any(|s| s.key.contains(' ')));
    }
}
