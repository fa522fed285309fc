//! The synonym and abbreviation list (`data/synonyms.tsv`): a word a coder types
//! and the phrases of the classification it stands for.

use super::text::index_words;
use crate::codeset::CodeSetError;

/// The bundled list, written for this project.
pub const BUNDLED: &str = include_str!("../../data/synonyms.tsv");
pub const BUNDLED_PATH: &str = "data/synonyms.tsv";

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
        if key_words.len() != 1 {
            return Err(CodeSetError::at(
                file,
                line,
                format!("the abbreviation {key:?} must be one word"),
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
        let key = key_words.into_iter().next().unwrap_or_default();
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
        let e = parse("syn.tsv", "heart attack\tmyocardial infarction\n").unwrap_err();
        assert!(e.message.contains("one word"), "{e}");
    }
}
