//! Query templates: `data/query_templates/*.toml` (compiled in), and a site's
//! own from the folder the configuration names (`queries.templates_dir`). A
//! template names the indicators to look for, the question, the format and the
//! clinical options; the coder still picks the indicators from this chart.

use super::{Format, YesNoReason};
use serde::Deserialize;
use std::path::Path;

/// One template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Shown in the picker.
    pub name: String,
    pub format: Format,
    /// Required for a yes/no template.
    #[serde(default)]
    pub yes_no_reason: Option<YesNoReason>,
    pub question: String,
    /// What to look for in the record (a guide for the coder, not text that is sent).
    pub look_for: Vec<String>,
    /// Multiple choice: the clinically reasonable options ("Other" and
    /// "Clinically undetermined" are always added).
    #[serde(default)]
    pub options: Vec<String>,
}

/// The bundled templates: (file name, text).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "heart_failure.toml",
        include_str!("../../data/query_templates/heart_failure.toml"),
    ),
    (
        "sepsis.toml",
        include_str!("../../data/query_templates/sepsis.toml"),
    ),
    (
        "acute_respiratory_failure.toml",
        include_str!("../../data/query_templates/acute_respiratory_failure.toml"),
    ),
    (
        "acute_kidney_injury.toml",
        include_str!("../../data/query_templates/acute_kidney_injury.toml"),
    ),
    (
        "malnutrition.toml",
        include_str!("../../data/query_templates/malnutrition.toml"),
    ),
    (
        "anemia.toml",
        include_str!("../../data/query_templates/anemia.toml"),
    ),
    (
        "encephalopathy.toml",
        include_str!("../../data/query_templates/encephalopathy.toml"),
    ),
    (
        "pressure_injury.toml",
        include_str!("../../data/query_templates/pressure_injury.toml"),
    ),
    (
        "diabetes.toml",
        include_str!("../../data/query_templates/diabetes.toml"),
    ),
    (
        "poa.toml",
        include_str!("../../data/query_templates/poa.toml"),
    ),
    (
        "conflicting_documentation.toml",
        include_str!("../../data/query_templates/conflicting_documentation.toml"),
    ),
];

/// A template file that could not be used: which file, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query template {file}: {message}")]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

/// Reads one template, checking what TOML cannot: a yes/no template names its
/// reason, a multiple-choice one has options, the question and name are not
/// empty, and no text uses a word a query may not.
pub fn parse(file: &str, text: &str) -> Result<Template, TemplateError> {
    let err = |message: String| TemplateError {
        file: file.to_string(),
        message,
    };
    let t: Template = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    if t.name.trim().is_empty() {
        return Err(err("the name is empty".into()));
    }
    if t.question.trim().is_empty() {
        return Err(err("the question is empty".into()));
    }
    if t.look_for.is_empty() {
        return Err(err(
            "look_for names no clinical indicator to look for".into()
        ));
    }
    match t.format {
        Format::YesNo if t.yes_no_reason.is_none() => {
            return Err(err(
                "a yes_no template needs yes_no_reason (confirm_documented, establish_poa or cause_and_effect)"
                    .into(),
            ));
        }
        Format::MultipleChoice if t.options.is_empty() => {
            return Err(err("a multiple_choice template needs options".into()));
        }
        Format::OpenEnded | Format::YesNo if !t.options.is_empty() => {
            return Err(err(format!(
                "options are only for multiple_choice, not {}",
                t.format.as_str()
            )));
        }
        _ => {}
    }
    let words: Vec<&str> = std::iter::once(t.question.as_str())
        .chain(t.options.iter().map(String::as_str))
        .flat_map(super::forbidden_words)
        .collect();
    if !words.is_empty() {
        return Err(err(format!(
            "a query may not use {}",
            words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    Ok(t)
}

/// The bundled templates, then the site's (`*.toml` in `site_dir`, by name).
pub fn load(site_dir: Option<&Path>) -> Result<Vec<Template>, TemplateError> {
    let mut out = BUNDLED
        .iter()
        .map(|(file, text)| parse(&format!("data/query_templates/{file}"), text))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(dir) = site_dir {
        let unreadable = |e: std::io::Error| TemplateError {
            file: dir.display().to_string(),
            message: format!("cannot read the folder: {e}"),
        };
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .map_err(unreadable)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| TemplateError {
                file: name.clone(),
                message: format!("cannot read it: {e}"),
            })?;
            out.push(parse(&name, &text)?);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_templates_all_load() {
        let all = load(None).unwrap();
        assert_eq!(all.len(), 11);
        let hf = all
            .iter()
            .find(|t| t.name.contains("Heart failure"))
            .unwrap();
        assert_eq!(hf.format, Format::MultipleChoice);
        assert!(!hf.options.is_empty());
        let poa = all.iter().find(|t| t.format == Format::YesNo).unwrap();
        assert_eq!(poa.yes_no_reason, Some(YesNoReason::EstablishPoa));
    }

    #[test]
    fn a_bad_template_is_refused_with_its_file_and_reason() {
        let ok = "name = \"x\"\nformat = \"open_ended\"\nquestion = \"q\"\nlook_for = [\"a\"]\n";
        assert!(parse("ok.toml", ok).is_ok());
        let cases = [
            (ok.replace("open_ended", "yes_no"), "yes_no_reason"),
            (ok.replace("open_ended", "multiple_choice"), "needs options"),
            (
                format!("{ok}options = [\"a\"]\n"),
                "only for multiple_choice",
            ),
            (
                ok.replace("question = \"q\"", "question = \"Would the DRG change?\""),
                "\"DRG\"",
            ),
            (
                ok.replace("look_for = [\"a\"]", "look_for = []"),
                "look_for",
            ),
            (format!("{ok}colour = \"red\"\n"), "unknown field"),
            (
                ok.replace("format = \"open_ended\"", "format = \"essay\""),
                "unknown variant",
            ),
        ];
        for (text, expected) in cases {
            let e = parse("site/bad.toml", &text).unwrap_err();
            assert_eq!(e.file, "site/bad.toml");
            assert!(e.to_string().contains(expected), "{expected}: {e}");
        }
    }

    #[test]
    fn a_site_folder_adds_its_templates_and_a_bad_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("ours.toml"),
            "name = \"Our topic\"\nformat = \"open_ended\"\nquestion = \"Please clarify.\"\nlook_for = [\"labs\"]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a template").unwrap();
        let all = load(Some(dir.path())).unwrap();
        assert_eq!(all.len(), 12);
        assert_eq!(all[11].name, "Our topic");
        std::fs::write(dir.path().join("broken.toml"), "name = ").unwrap();
        let e = load(Some(dir.path())).unwrap_err();
        assert!(e.file.ends_with("broken.toml"), "{e}");
    }
}
