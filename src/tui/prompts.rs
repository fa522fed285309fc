//! The chart's prompts as components: the POA indicator (`[keys.poa]`), and
//! the one-line prompts (`[keys.prompt]`, typed with `[keys.input]`): find in
//! the document, a CPT/HCPCS line's modifiers / units / pointers, an
//! ICD-10-PCS procedure's date / practitioner.

use super::app::App;
use super::chart::{document_width, view_in};
use super::focus::ChartFocus;
use super::keymap::{Action, Context};
use super::saver::{Command, Then};
use crate::domain::Poa;
use crate::store::coding;
use crossterm::event::KeyEvent;

impl App {
    /// A key at the POA prompt: an indicator sets it; any other key cancels.
    pub(crate) fn poa_key(&mut self, key: &KeyEvent) {
        self.message = None;
        let action = self.keymap.action_for(Context::Poa, key);
        if action == Some(Action::Help) {
            return self.open_help(Context::Poa);
        }
        let Some(view) = self.view_mut() else {
            return;
        };
        view.focus = ChartFocus::Panes;
        let poa = match action {
            Some(Action::PoaYes) => Some(Poa::Yes),
            Some(Action::PoaNo) => Some(Poa::No),
            Some(Action::PoaUnknown) => Some(Poa::Unknown),
            Some(Action::PoaUndetermined) => Some(Poa::Undetermined),
            Some(Action::PoaExempt) => Some(Poa::Exempt),
            Some(Action::PoaClear) => None,
            Some(Action::Cancel) => return,
            // A character that is not an indicator says so; another key
            // cancels.
            _ if super::keymap::KeySpec::of(key).types() => {
                let keys: Vec<String> = [
                    Action::PoaYes,
                    Action::PoaNo,
                    Action::PoaUnknown,
                    Action::PoaUndetermined,
                    Action::PoaExempt,
                ]
                .iter()
                .filter_map(|a| self.keymap.keys_of(Context::Poa, *a).last())
                .map(|k| k.to_string())
                .collect();
                self.message = Some(format!(
                    "{:?} is not a POA indicator ({})",
                    super::keymap::KeySpec::of(key).to_string(),
                    keys.join(" ")
                ));
                return;
            }
            _ => return,
        };
        let position = view.dx;
        self.save_on_chart(Then::Show(None), Command::SetPoa { position, poa });
    }

    /// A key at a one-line prompt of the chart.
    pub(crate) fn prompt_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Prompt, key);
        let Some(view) = view_in(&mut self.screen) else {
            return;
        };
        match action {
            Some(Action::Cancel) => view.focus = ChartFocus::Panes,
            Some(Action::Submit) => match std::mem::take(&mut view.focus) {
                ChartFocus::Find(input) => self.find(input.value()),
                ChartFocus::Line(input) => {
                    let text = input.value().to_string();
                    self.save_line(&text, ChartFocus::Line(input));
                }
                ChartFocus::Procedure(input) => {
                    let text = input.value().to_string();
                    self.save_procedure(&text, ChartFocus::Procedure(input));
                }
                other => view.focus = other,
            },
            Some(Action::Help) => self.open_help(Context::Prompt),
            _ => {
                if let ChartFocus::Find(input)
                | ChartFocus::Line(input)
                | ChartFocus::Procedure(input) = &mut view.focus
                {
                    input.key(&self.keymap, key);
                }
            }
        }
    }

    /// Finds `text` in the document: the scroll goes to the first match at
    /// or below it.
    fn find(&mut self, text: &str) {
        let width = document_width(self.width);
        let Some(view) = self.view_mut() else {
            return;
        };
        let term = text.trim().to_string();
        view.find = (!term.is_empty()).then(|| term.clone());
        view.matches = super::chart::find_rows(view, width);
        let current = usize::from(view.scroll);
        match view
            .matches
            .iter()
            .find(|&&r| r >= current)
            .or(view.matches.first())
        {
            Some(&row) => view.scroll = u16::try_from(row).unwrap_or(u16::MAX),
            None if view.find.is_some() => {
                self.message = Some(format!("{term:?} is not in this document"))
            }
            None => {}
        }
    }

    /// Saves a CPT/HCPCS line's modifiers / units / pointers (and, when
    /// typed, its date and practitioner) in one transaction; a line that does
    /// not parse keeps the prompt, with why.
    fn save_line(&mut self, text: &str, again: ChartFocus) {
        let (detail, when) = match coding::parse_service_line(text) {
            Ok(d) => d,
            Err(e) => return self.keep_prompt(again, e),
        };
        let Some(view) = self.view() else {
            return;
        };
        let position = view.px;
        let command = Command::SetLineDetail {
            position,
            detail,
            when,
        };
        self.save_on_chart(Then::Show(None), command);
    }

    /// Saves an ICD-10-PCS procedure's date / practitioner.
    fn save_procedure(&mut self, text: &str, again: ChartFocus) {
        let (date, provider) = match coding::parse_procedure_detail(text) {
            Ok(d) => d,
            Err(e) => return self.keep_prompt(again, e),
        };
        let Some(view) = self.view() else {
            return;
        };
        let position = view.px;
        let command = Command::SetProcedureDetail {
            position,
            date,
            provider,
        };
        self.save_on_chart(Then::Show(None), command);
    }

    /// Leaves the prompt up, as typed, with a message saying what is wrong.
    fn keep_prompt(&mut self, focus: ChartFocus, why: String) {
        if let Some(view) = self.view_mut() {
            view.focus = focus;
        }
        self.message = Some(why);
    }
}
