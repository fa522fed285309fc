//! The physician query form (`f` on the chart): template, physician, format
//! (with the yes/no reason), question, clinical indicators picked from the
//! chart's documents (cited with document, author and date) or typed, and the
//! multiple-choice options. The lint runs as the coder types; Ctrl-S sends
//! when it passes. Esc puts the form away; `f` brings it back as it was.

use super::app::App;
use super::chart::{view_in, wrap_lines};
use super::focus::ChartFocus;
use super::input::{Edit, TextInput};
use super::keymap::{Action, Context, Keymap};
use super::saver::{AfterCommit, Command, Then};
use crate::domain::Chart;
use crate::query::templates::Template;
use crate::query::{Citation, Draft, Format, Indicator, YesNoReason, lint};
use crossterm::event::KeyEvent;

/// The longest text of each typed field, in characters.
const PHYSICIAN_MAX: usize = 80;
const QUESTION_MAX: usize = 600;
const INDICATOR_MAX: usize = 300;
const OPTION_MAX: usize = 200;

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
    pub input: TextInput,
    /// The physician and the question as typed (the draft holds the same).
    pub physician: TextInput,
    pub question: TextInput,
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
        let physician = providers.first().cloned().unwrap_or_default();
        QueryForm {
            field: Field::Template,
            template: None,
            draft: Draft {
                physician: physician.clone(),
                format: Some(Format::OpenEnded),
                ..Draft::default()
            },
            providers,
            input: TextInput::new(INDICATOR_MAX),
            physician: TextInput::with_value(&physician, PHYSICIAN_MAX),
            question: TextInput::new(QUESTION_MAX),
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

    /// To the next (or previous) field; true, for the key handlers.
    fn step(&mut self, forward: bool) -> bool {
        let fields = self.fields();
        let i = fields.iter().position(|f| *f == self.field).unwrap_or(0);
        let n = fields.len();
        self.field = fields[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        let max = match self.field {
            Field::Options => OPTION_MAX,
            _ => INDICATOR_MAX,
        };
        self.input = TextInput::new(max);
        true
    }

    /// The form showing `draft` (a draft saved earlier).
    pub fn with_draft(mut self, draft: Draft) -> QueryForm {
        self.physician.set(&draft.physician);
        self.question.set(&draft.question);
        self.draft = draft;
        self
    }

    /// The text field of the field in focus, if it types.
    fn text_field(&mut self) -> Option<&mut TextInput> {
        match self.field {
            Field::Physician => Some(&mut self.physician),
            Field::Question => Some(&mut self.question),
            Field::Indicators | Field::Options => Some(&mut self.input),
            _ => None,
        }
    }

    /// The physician and question typed, into the draft.
    fn sync(&mut self) {
        self.draft.physician = self.physician.value().to_string();
        self.draft.question = self.question.value().to_string();
    }

    /// A key typed into the field in focus.
    fn type_key(&mut self, keymap: &Keymap, key: &KeyEvent) {
        if let Some(field) = self.text_field()
            && field.key(keymap, key) == Edit::Changed
        {
            self.sync();
        }
    }

    /// A paste goes into the field being typed (line breaks become spaces).
    pub(crate) fn paste(&mut self, text: &str) {
        if let Some(field) = self.text_field()
            && field.paste(text)
        {
            self.sync();
        }
    }

    fn apply_template(&mut self, templates: &[Template]) {
        match self.template.and_then(|i| templates.get(i)) {
            Some(t) => {
                self.draft.template = Some(t.name.clone());
                self.draft.format = Some(t.format);
                self.draft.yes_no_reason = t.yes_no_reason;
                self.draft.question = t.question.clone();
                self.question.set(&t.question);
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
        let width = picker_width(self.width);
        let templates = std::sync::Arc::clone(&self.query_templates);
        let user = self.user.clone();
        let Some(view) = self.view_mut() else {
            return;
        };
        if let Some(reason) = &view.read_only {
            self.message = Some(format!("the chart is {reason}"));
            return;
        }
        let form = match view.query_form.take() {
            Some(form) => form,
            None => Box::new(new_form(view, &templates, &user, width)),
        };
        view.focus = ChartFocus::QueryForm(form);
        if templates.is_empty() {
            self.message = Some("no query template loaded: write the query blank".into());
        }
    }

    /// Esc (and Ctrl-C) on the form: puts it away on the chart, as it is, and
    /// saves it as a draft unless nothing was written.
    pub(crate) fn put_query_form_away(&mut self) {
        let Some(view) = self.view_mut() else {
            return;
        };
        let ChartFocus::QueryForm(form) = std::mem::take(&mut view.focus) else {
            return;
        };
        let untouched = form.draft.template.is_none()
            && form.draft.question.trim().is_empty()
            && form.draft.indicators.is_empty()
            && form.draft.choices.is_empty();
        let draft = form.draft.clone();
        view.query_form = Some(form);
        if untouched {
            return;
        }
        self.save_on_chart(
            Then::Show(Some(format!(
                "query draft saved: {} brings it back",
                self.key_of(Context::Chart, Action::FlagForQuery)
            ))),
            Command::SaveQueryDraft { draft },
        );
    }

    /// A key on the form: the form's own keys first, then the field's.
    pub(crate) fn query_form_key(&mut self, key: &KeyEvent) {
        self.message = None;
        let action = self.keymap.action_for(Context::QueryForm, key);
        match action {
            Some(Action::Cancel) => return self.put_query_form_away(),
            Some(Action::Send) => return self.send_query(),
            Some(Action::Help) => return self.open_help(Context::QueryForm),
            _ => {}
        }
        let width = picker_width(self.width);
        let templates = std::sync::Arc::clone(&self.query_templates);
        let Some(view) = view_in(&mut self.screen) else {
            return;
        };
        let (chart, find) = (&view.chart, view.find.as_deref());
        let ChartFocus::QueryForm(form) = &mut view.focus else {
            return;
        };
        let handled = match action {
            Some(Action::NextField) => form.step(true),
            Some(Action::PreviousField) => form.step(false),
            Some(a) => match form.field {
                Field::Template => form.template_key(a, &templates),
                Field::Physician => form.physician_key(a),
                Field::Format | Field::Reason => form.choice_key(a),
                Field::Question => a == Action::Submit && form.step(true),
                Field::Indicators => match form.indicators_key(&self.keymap, a, chart, find, width)
                {
                    Ok(handled) => handled,
                    Err(message) => {
                        self.message = Some(message);
                        true
                    }
                },
                Field::Options => form.options_key(a),
            },
            None => false,
        };
        if !handled {
            form.type_key(&self.keymap, key);
        }
    }

    /// Ctrl-S: sends the query when the lint passes (the chart goes on
    /// hold), and writes it to the outbox when one is set.
    fn send_query(&mut self) {
        let Some(view) = self.view() else {
            return;
        };
        let ChartFocus::QueryForm(form) = &view.focus else {
            return;
        };
        let problems = form.problems();
        if !problems.is_empty() {
            self.message = Some(format!("cannot send: {}", problems.join("; ")));
            return;
        }
        let draft = form.draft.clone();
        let after = self
            .outbox
            .clone()
            .map(|dir| AfterCommit::WriteQueryOutbox { dir });
        self.save_on_chart_after(Then::QuerySent, Command::SendQuery { draft }, after);
    }
}

/// A new form for the open chart: the draft the coder saved last, if any;
/// the picker at the phrase found with / (if any).
fn new_form(
    view: &super::chart::ChartView,
    templates: &[Template],
    user: &str,
    width: usize,
) -> QueryForm {
    let mut form = QueryForm::new(&view.chart);
    if let Some(q) = view
        .queries
        .iter()
        .rev()
        .find(|q| q.status == crate::domain::QueryStatus::Draft && q.created_by == user)
    {
        form = form.with_draft(q.to_draft());
        form.template = form
            .draft
            .template
            .as_ref()
            .and_then(|name| templates.iter().position(|t| &t.name == name));
        if let Some(t) = form.template.and_then(|i| templates.get(i)) {
            form.look_for = t.look_for.clone();
        }
    }
    if let Some(phrase) = &view.find {
        form.document = view.document;
        let phrase = phrase.to_lowercase();
        let lines = form.document_lines(&view.chart, width);
        if let Some(at) = lines
            .iter()
            .position(|l| l.to_lowercase().contains(&phrase))
        {
            form.line = at;
        }
    }
    form
}

/// The form's keys, field by field. Each returns whether the key was the
/// field's (else it types into the field).
impl QueryForm {
    fn template_key(&mut self, action: Action, templates: &[Template]) -> bool {
        match action {
            Action::MoveUp | Action::MoveDown => {
                let n = templates.len();
                let forward = action == Action::MoveDown;
                // None, 0, 1, ... n-1, None
                self.template = match (self.template, forward) {
                    (None, true) => (n > 0).then_some(0),
                    (None, false) => n.checked_sub(1),
                    (Some(i), true) => (i + 1 < n).then_some(i + 1),
                    (Some(0), false) => None,
                    (Some(i), false) => Some(i - 1),
                };
                self.apply_template(templates);
                true
            }
            Action::Submit => self.step(true),
            _ => false,
        }
    }

    fn physician_key(&mut self, action: Action) -> bool {
        match action {
            Action::MoveUp | Action::MoveDown if !self.providers.is_empty() => {
                let i = self
                    .providers
                    .iter()
                    .position(|p| *p == self.draft.physician);
                let n = self.providers.len();
                let next = match (i, action == Action::MoveDown) {
                    (None, _) => 0,
                    (Some(i), true) => (i + 1) % n,
                    (Some(i), false) => (i + n - 1) % n,
                };
                let chosen = self.providers[next].clone();
                self.physician.set(&chosen);
                self.sync();
                true
            }
            Action::Submit => self.step(true),
            _ => false,
        }
    }

    /// The format, or the yes/no reason: Up/Down choose.
    fn choice_key(&mut self, action: Action) -> bool {
        let forward = action == Action::MoveDown;
        match (action, self.field) {
            (Action::MoveUp | Action::MoveDown, Field::Format) => {
                let all = [Format::OpenEnded, Format::MultipleChoice, Format::YesNo];
                let now = self.draft.format.unwrap_or(Format::OpenEnded);
                self.draft.format = Some(cycle(&all, now, forward));
                true
            }
            (Action::MoveUp | Action::MoveDown, _) => {
                self.draft.yes_no_reason = Some(match self.draft.yes_no_reason {
                    None => YesNoReason::ALL[0],
                    Some(r) => cycle(&YesNoReason::ALL, r, forward),
                });
                true
            }
            (Action::Submit, _) => self.step(true),
            _ => false,
        }
    }

    /// Indicators: pick lines of the document at right (cited), add the
    /// sentence found with /, or type one.
    fn indicators_key(
        &mut self,
        keymap: &Keymap,
        action: Action,
        chart: &Chart,
        find: Option<&str>,
        width: usize,
    ) -> Result<bool, String> {
        let lines = self.document_lines(chart, width);
        let last = lines.len().saturating_sub(1);
        let typing = !self.input.is_empty();
        match action {
            Action::MoveUp if !typing => self.line = self.line.saturating_sub(1),
            Action::MoveDown if !typing => self.line = (self.line + 1).min(last),
            Action::PageUp => self.line = self.line.saturating_sub(10),
            Action::PageDown => self.line = (self.line + 10).min(last),
            Action::PreviousDocument | Action::NextDocument if !typing => {
                let n = chart.documents.len().max(1);
                self.document = if action == Action::NextDocument {
                    (self.document + 1) % n
                } else {
                    (self.document + n - 1) % n
                };
                self.line = 0;
            }
            Action::RemoveLast => {
                self.draft.indicators.pop();
            }
            Action::AddFoundSentence => {
                let doc = chart.documents.get(self.document);
                let (Some(phrase), Some(doc)) = (find, doc) else {
                    let key = |c, a| keymap.first_key(c, a).map(|k| k.to_string());
                    return Err(format!(
                        "find a phrase first ({} on the chart), then {} adds its sentence",
                        key(Context::Chart, Action::FindInDocument).unwrap_or_default(),
                        key(Context::QueryForm, Action::AddFoundSentence).unwrap_or_default()
                    ));
                };
                let sentence = sentence_with(&doc.text, phrase)
                    .ok_or_else(|| format!("{phrase:?} is not in this document"))?;
                self.draft.indicators.push(Indicator {
                    text: sentence,
                    source: Some(Citation::of(doc)),
                });
            }
            Action::Submit if self.input.value().trim().is_empty() => {
                // The highlighted document line, cited.
                if let (Some(text), Some(doc)) =
                    (lines.get(self.line), chart.documents.get(self.document))
                    && !text.trim().is_empty()
                {
                    self.draft.indicators.push(Indicator {
                        text: text.trim().to_string(),
                        source: Some(Citation::of(doc)),
                    });
                    self.line = (self.line + 1).min(last);
                }
            }
            Action::Submit => {
                let text = self.input.take();
                self.draft.indicators.push(Indicator {
                    text: text.trim().to_string(),
                    source: None,
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn options_key(&mut self, action: Action) -> bool {
        match action {
            Action::RemoveLast => {
                self.draft.choices.pop();
                true
            }
            Action::Submit if !self.input.value().trim().is_empty() => {
                let text = self.input.take();
                self.draft.choices.push(text.trim().to_string());
                true
            }
            _ => false,
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
