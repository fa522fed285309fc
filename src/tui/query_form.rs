//! The physician query form (`f` on the chart): template, physician, format
//! (with the yes/no reason), question, clinical indicators picked from the
//! chart's documents (cited with document, author and date) or typed, and the
//! multiple-choice options. The lint runs as the coder types; Ctrl-S sends
//! when it passes. Esc puts the form away; `f` brings it back as it was.

use super::app::{App, Mode, Screen};
use super::chart::wrap_lines;
use super::saver::{Done, Then};
use crate::domain::Chart;
use crate::query::templates::Template;
use crate::query::{Citation, Draft, Format, Indicator, YesNoReason, lint};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The fields, in Tab order (the reason only for yes/no, the options only for
/// multiple choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Template,
    Physician,
    Format,
    Reason,
    Question,
    Indicators,
    Options,
}

/// The form's state.
#[derive(Debug, Clone)]
pub struct QueryForm {
    pub field: Field,
    /// The template chosen (index into the loaded templates), `None` = blank.
    pub template: Option<usize>,
    pub draft: Draft,
    /// The providers on the chart (attending first), for Up/Down in Physician.
    pub providers: Vec<String>,
    /// The line being typed in Indicators or Options.
    pub input: String,
    /// The document shown for picking, and the wrapped line under the cursor.
    pub document: usize,
    pub line: usize,
    /// What the template says to look for.
    pub look_for: Vec<String>,
}

const FIELDS: [Field; 7] = [
    Field::Template,
    Field::Physician,
    Field::Format,
    Field::Reason,
    Field::Question,
    Field::Indicators,
    Field::Options,
];

impl QueryForm {
    pub fn new(chart: &Chart) -> QueryForm {
        let mut providers: Vec<String> = chart.encounter.attending.iter().cloned().collect();
        for p in &chart.encounter.other_providers {
            if !providers.contains(p) {
                providers.push(p.clone());
            }
        }
        for d in &chart.documents {
            if !providers.contains(&d.author) {
                providers.push(d.author.clone());
            }
        }
        QueryForm {
            field: Field::Template,
            template: None,
            draft: Draft {
                physician: providers.first().cloned().unwrap_or_default(),
                format: Some(Format::OpenEnded),
                ..Draft::default()
            },
            providers,
            input: String::new(),
            document: 0,
            line: 0,
            look_for: Vec::new(),
        }
    }

    /// The fields that apply to the chosen format.
    pub fn fields(&self) -> Vec<Field> {
        FIELDS
            .into_iter()
            .filter(|f| match f {
                Field::Reason => self.draft.format == Some(Format::YesNo),
                Field::Options => self.draft.format == Some(Format::MultipleChoice),
                _ => true,
            })
            .collect()
    }

    fn step(&mut self, forward: bool) {
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = fields.len();
        self.field = fields[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.input.clear();
    }

    fn apply_template(&mut self, templates: &[Template]) {
        match self.template.and_then(|i| templates.get(i)) {
            Some(t) => {
                self.draft.template = Some(t.name.clone());
                self.draft.format = Some(t.format);
                self.draft.yes_no_reason = t.yes_no_reason;
                self.draft.question = t.question.clone();
                self.draft.choices = t.options.clone();
                self.look_for = t.look_for.clone();
            }
            None => {
                self.draft.template = None;
                self.look_for.clear();
            }
        }
    }

    /// The wrapped lines of the document shown for picking.
    pub fn document_lines(&self, chart: &Chart, width: usize) -> Vec<String> {
        chart
            .documents
            .get(self.document)
            .map(|d| wrap_lines(&d.text, width))
            .unwrap_or_default()
    }

    /// Why the form cannot be sent now (the lint), in the coder's words.
    pub fn problems(&self) -> Vec<String> {
        lint(&self.draft).into_iter().map(|p| p.0).collect()
    }
}

fn cycle<T: Copy + PartialEq>(all: &[T], current: T, forward: bool) -> T {
    let i = all.iter().position(|x| *x == current).unwrap_or(0);
    let n = all.len();
    all[if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }]
}

/// The width the document beside the form is wrapped to: the right half of
/// the form (the form is the terminal less a border of one, less its own
/// border), less the two columns of the line marker.
pub fn picker_width(terminal_width: u16) -> usize {
    usize::from(terminal_width.saturating_sub(4) / 2)
        .saturating_sub(2)
        .max(1)
}

impl App {
    /// `f`: opens the form (again, as it was left).
    pub(crate) fn open_query_form(&mut self) {
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        if let Some(reason) = &view.read_only {
            self.message = Some(format!("the chart is {reason}"));
            return;
        }
        if view.query_form.is_none() {
            let mut form = QueryForm::new(&view.chart);
            // The draft saved when the form was last put away.
            if let Some(q) = view.queries.iter().rev().find(|q| {
                q.status == crate::domain::QueryStatus::Draft && q.created_by == self.user
            }) {
                form.draft = q.to_draft();
                form.template = form
                    .draft
                    .template
                    .as_ref()
                    .and_then(|name| self.query_templates.iter().position(|t| &t.name == name));
                if let Some(t) = form.template.and_then(|i| self.query_templates.get(i)) {
                    form.look_for = t.look_for.clone();
                }
            }
            // A phrase found in the document (/) is where the picker starts.
            if let Some(phrase) = &view.find {
                form.document = view.document;
                let phrase = phrase.to_lowercase();
                let lines = form.document_lines(&view.chart, picker_width(self.width));
                if let Some(at) = lines
                    .iter()
                    .position(|l| l.to_lowercase().contains(&phrase))
                {
                    form.line = at;
                }
            }
            view.query_form = Some(Box::new(form));
        }
        self.mode = Mode::QueryForm;
        if self.query_templates.is_empty() {
            self.message = Some("no query template loaded: write the query blank".into());
        }
    }

    pub(crate) fn query_form_key(&mut self, key: &KeyEvent) {
        let width = picker_width(self.width);
        let templates = std::sync::Arc::clone(&self.query_templates);
        let Screen::Chart(view) = &mut self.screen else {
            self.mode = Mode::Normal;
            return;
        };
        let chart = &view.chart;
        let find = view.find.clone();
        let Some(form) = view.query_form.as_deref_mut() else {
            self.mode = Mode::Normal;
            return;
        };
        self.message = None;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                let untouched = form.draft.template.is_none()
                    && form.draft.question.trim().is_empty()
                    && form.draft.indicators.is_empty()
                    && form.draft.choices.is_empty();
                if untouched {
                    return;
                }
                let draft = form.draft.clone();
                self.save_on_chart(
                    Then::Show(Some("query draft saved: f brings it back".into())),
                    move |tx, id, user| {
                        crate::store::queries::save_draft(tx, id, user, &draft)
                            .map(|_| Done::Nothing)
                    },
                );
                return;
            }
            KeyCode::Tab => return form.step(true),
            KeyCode::BackTab => return form.step(false),
            KeyCode::Char('s') if ctrl => {
                let problems = form.problems();
                if !problems.is_empty() {
                    self.message = Some(format!("cannot send: {}", problems.join("; ")));
                    return;
                }
                let draft = form.draft.clone();
                let outbox = self.outbox.clone();
                self.save_on_chart_with_note(
                    Then::QuerySent,
                    move |tx, id, user| {
                        crate::store::queries::send(tx, id, user, &draft).map(Done::Query)
                    },
                    move |store, done| {
                        let (Some(dir), Done::Query(query_id)) = (outbox, done) else {
                            return None;
                        };
                        let text = crate::store::queries::get(store.conn(), *query_id)
                            .ok()
                            .flatten()
                            .and_then(|q| q.text)?;
                        let written = store.database_id().map_err(std::io::Error::other).and_then(
                            |database| {
                                crate::outbox::write(
                                    &dir,
                                    &database,
                                    *query_id,
                                    &text,
                                    &store.protected_files(),
                                )
                            },
                        );
                        Some(match written {
                            Ok(path) => format!("written to {}", path.display()),
                            Err(e) => format!("NOT written to the outbox {}: {e}", dir.display()),
                        })
                    },
                );
                return;
            }
            _ => {}
        }
        match form.field {
            Field::Template => match key.code {
                KeyCode::Up | KeyCode::Down => {
                    let n = templates.len();
                    let forward = key.code == KeyCode::Down;
                    // None, 0, 1, ... n-1, None
                    form.template = match (form.template, forward) {
                        (None, true) => (n > 0).then_some(0),
                        (None, false) => n.checked_sub(1),
                        (Some(i), true) => (i + 1 < n).then_some(i + 1),
                        (Some(0), false) => None,
                        (Some(i), false) => Some(i - 1),
                    };
                    form.apply_template(&templates);
                }
                KeyCode::Enter => form.step(true),
                _ => {}
            },
            Field::Physician => match key.code {
                KeyCode::Up | KeyCode::Down if !form.providers.is_empty() => {
                    let i = form
                        .providers
                        .iter()
                        .position(|p| *p == form.draft.physician);
                    let n = form.providers.len();
                    let next = match (i, key.code == KeyCode::Down) {
                        (None, _) => 0,
                        (Some(i), true) => (i + 1) % n,
                        (Some(i), false) => (i + n - 1) % n,
                    };
                    form.draft.physician = form.providers[next].clone();
                }
                KeyCode::Enter => form.step(true),
                _ => type_into(key, &mut form.draft.physician, 80),
            },
            Field::Format => match key.code {
                KeyCode::Up | KeyCode::Down => {
                    let all = [Format::OpenEnded, Format::MultipleChoice, Format::YesNo];
                    let now = form.draft.format.unwrap_or(Format::OpenEnded);
                    form.draft.format = Some(cycle(&all, now, key.code == KeyCode::Down));
                }
                KeyCode::Enter => form.step(true),
                _ => {}
            },
            Field::Reason => match key.code {
                KeyCode::Up | KeyCode::Down => {
                    form.draft.yes_no_reason = Some(match form.draft.yes_no_reason {
                        None => YesNoReason::ALL[0],
                        Some(r) => cycle(&YesNoReason::ALL, r, key.code == KeyCode::Down),
                    });
                }
                KeyCode::Enter => form.step(true),
                _ => {}
            },
            Field::Question => match key.code {
                KeyCode::Enter => form.step(true),
                _ => type_into(key, &mut form.draft.question, 600),
            },
            Field::Indicators => {
                let lines = form.document_lines(chart, width);
                match key.code {
                    KeyCode::Up if form.input.is_empty() => form.line = form.line.saturating_sub(1),
                    KeyCode::Down if form.input.is_empty() => {
                        form.line = (form.line + 1).min(lines.len().saturating_sub(1))
                    }
                    KeyCode::PageUp => form.line = form.line.saturating_sub(10),
                    KeyCode::PageDown => {
                        form.line = (form.line + 10).min(lines.len().saturating_sub(1))
                    }
                    KeyCode::Left | KeyCode::Right if form.input.is_empty() => {
                        let n = chart.documents.len().max(1);
                        form.document = if key.code == KeyCode::Right {
                            (form.document + 1) % n
                        } else {
                            (form.document + n - 1) % n
                        };
                        form.line = 0;
                    }
                    KeyCode::Char('x') if ctrl => {
                        form.draft.indicators.pop();
                    }
                    KeyCode::Char('f') if ctrl => {
                        // The sentence of the shown document holding the phrase
                        // found with /, cited.
                        let doc = chart.documents.get(form.document);
                        match (find.as_deref(), doc) {
                            (Some(phrase), Some(doc)) => match sentence_with(&doc.text, phrase) {
                                Some(sentence) => form.draft.indicators.push(Indicator {
                                    text: sentence,
                                    source: Some(Citation::of(doc)),
                                }),
                                None => {
                                    self.message =
                                        Some(format!("{phrase:?} is not in this document"))
                                }
                            },
                            _ => {
                                self.message = Some(
                                    "find a phrase first (/ on the chart), then Ctrl-F adds its sentence"
                                        .into(),
                                )
                            }
                        }
                    }
                    KeyCode::Enter if form.input.trim().is_empty() => {
                        // The highlighted document line, cited.
                        if let (Some(text), Some(doc)) =
                            (lines.get(form.line), chart.documents.get(form.document))
                            && !text.trim().is_empty()
                        {
                            form.draft.indicators.push(Indicator {
                                text: text.trim().to_string(),
                                source: Some(Citation::of(doc)),
                            });
                            form.line = (form.line + 1).min(lines.len().saturating_sub(1));
                        }
                    }
                    KeyCode::Enter => {
                        form.draft.indicators.push(Indicator {
                            text: form.input.trim().to_string(),
                            source: None,
                        });
                        form.input.clear();
                    }
                    _ => type_into(key, &mut form.input, 300),
                }
            }
            Field::Options => match key.code {
                KeyCode::Char('x') if ctrl => {
                    form.draft.choices.pop();
                }
                KeyCode::Enter if !form.input.trim().is_empty() => {
                    form.draft.choices.push(form.input.trim().to_string());
                    form.input.clear();
                }
                _ => type_into(key, &mut form.input, 200),
            },
        }
    }
}

/// The sentence of `text` that holds `phrase` (case-insensitive): from the
/// end of the previous sentence or line to the end of its own.
pub fn sentence_with(text: &str, phrase: &str) -> Option<String> {
    let at = super::text::find_ignore_case(text, phrase)?.start;
    let is_end = |c: char| matches!(c, '.' | '!' | '?' | '\n' | ';');
    let start = text[..at].rfind(is_end).map_or(0, |i| i + 1);
    let end = text[at..].find(is_end).map_or(text.len(), |i| at + i + 1);
    let sentence = text[start..end].trim();
    (!sentence.is_empty()).then(|| sentence.to_string())
}

impl App {
    /// A paste goes into the field being typed (line breaks become spaces).
    pub(crate) fn query_form_paste(&mut self, text: &str) {
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        let Some(form) = view.query_form.as_deref_mut() else {
            return;
        };
        let clean: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let (target, max) = match form.field {
            Field::Physician => (&mut form.draft.physician, 80),
            Field::Question => (&mut form.draft.question, 600),
            Field::Indicators => (&mut form.input, 300),
            Field::Options => (&mut form.input, 200),
            _ => return,
        };
        let room = max - target.chars().count().min(max);
        target.extend(clean.chars().take(room));
    }
}

/// Typing into a text field: characters, Backspace, Ctrl-U clears.
fn type_into(key: &KeyEvent, text: &mut String, max: usize) {
    match key.code {
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => text.clear(),
        KeyCode::Char(c)
            if !c.is_control()
                && !key.modifiers.contains(KeyModifiers::CONTROL)
                && text.chars().count() < max =>
        {
            text.push(c)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::sentence_with;

    #[test]
    fn the_sentence_holding_a_phrase_is_cut_at_its_ends() {
        let text = "Admitted with dyspnea. BNP 1,450 pg/mL on arrival; started IV furosemide.\nEcho: EF 55%.";
        assert_eq!(
            sentence_with(text, "bnp").as_deref(),
            Some("BNP 1,450 pg/mL on arrival;")
        );
        assert_eq!(
            sentence_with(text, "EF 55").as_deref(),
            Some("Echo: EF 55%.")
        );
        assert_eq!(sentence_with(text, "troponin"), None);
    }
}
