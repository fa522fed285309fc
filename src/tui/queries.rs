//! The chart's physician queries (`Q`): the list with status and overdue
//! mark; record the answer (`a`, typed or pasted verbatim), close with the
//! outcome (`c` then 1-4), cancel with a reason (`x`), send to another
//! physician with a reason (`r`, typed as "name / reason").

use super::app::App;
use super::chart::view_in;
use super::focus::{ChartFocus, QueriesStep};
use super::input::TextInput;
use super::keymap::{Action, Context};
use super::saver::{Command, Then};
use crate::domain::{QueryOutcome as Outcome, QueryStatus as Status};
use crossterm::event::KeyEvent;

/// The longest answer, cancel reason or recipient typed, in characters.
const QUERY_TEXT_MAX: usize = 2000;

/// What a line typed in the queries overlay is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryInput {
    Answer,
    CancelReason,
    Recipient,
}

impl QueryInput {
    pub fn prompt(self) -> &'static str {
        match self {
            QueryInput::Answer => " The physician's answer, verbatim: ",
            QueryInput::CancelReason => " Why cancel the query: ",
            QueryInput::Recipient => " New physician / reason: ",
        }
    }
}

impl App {
    /// `Q`: the chart's queries.
    pub(crate) fn open_queries(&mut self) {
        let Some(view) = self.view_mut() else {
            return;
        };
        if view.queries.is_empty() {
            self.message = Some(format!(
                "no physician query on this chart ({} writes one)",
                self.key_of(Context::Chart, Action::FlagForQuery)
            ));
            return;
        }
        view.focus = ChartFocus::Queries {
            selected: view.queries.len() - 1,
            step: QueriesStep::List,
        };
    }

    /// The query under the cursor of the overlay: its id and status.
    fn selected_query(&self) -> Option<(usize, i64, Status)> {
        let view = self.view()?;
        let ChartFocus::Queries { selected, .. } = &view.focus else {
            return None;
        };
        view.queries
            .get(*selected)
            .map(|q| (*selected, q.id, q.status))
    }

    /// Puts the queries overlay at `step`, the cursor on `selected`.
    fn queries_at(&mut self, selected: usize, step: QueriesStep) {
        if let Some(view) = self.view_mut() {
            view.focus = ChartFocus::Queries { selected, step };
        }
    }

    /// A key in the queries overlay, to its step in focus.
    pub(crate) fn queries_key(&mut self, key: &KeyEvent) {
        self.message = None;
        let Some(view) = self.view() else {
            return;
        };
        let ChartFocus::Queries { step, .. } = &view.focus else {
            return;
        };
        match step {
            QueriesStep::List => self.query_list_key(key),
            QueriesStep::Outcome => self.query_outcome_key(key),
            QueriesStep::Input { .. } => self.query_input_key(key),
        }
    }

    fn query_list_key(&mut self, key: &KeyEvent) {
        let Some((selected, id, status)) = self.selected_query() else {
            if let Some(view) = self.view_mut() {
                view.focus = ChartFocus::Panes;
            }
            return;
        };
        let n = self.view().map_or(0, |v| v.queries.len());
        let read_only = self.view().is_some_and(|v| v.read_only.is_some());
        let typing = |what| QueriesStep::Input {
            what,
            input: TextInput::new(QUERY_TEXT_MAX),
        };
        match self.keymap.action_for(Context::Queries, key) {
            Some(Action::Back) => {
                if let Some(view) = self.view_mut() {
                    view.focus = ChartFocus::Panes;
                }
            }
            Some(Action::MoveUp) => self.queries_at(selected.saturating_sub(1), QueriesStep::List),
            Some(Action::MoveDown) => {
                self.queries_at((selected + 1).min(n.saturating_sub(1)), QueriesStep::List)
            }
            Some(Action::Help) => self.open_help(Context::Queries),
            None => {}
            Some(_) if read_only => self.message = Some("the chart is read-only".into()),
            Some(Action::AnswerQuery) if status == Status::Open => {
                self.queries_at(selected, typing(QueryInput::Answer))
            }
            Some(Action::CloseQuery) if matches!(status, Status::Open | Status::Answered) => {
                self.queries_at(selected, QueriesStep::Outcome)
            }
            Some(Action::CancelQuery) if !matches!(status, Status::Closed | Status::Canceled) => {
                self.queries_at(selected, typing(QueryInput::CancelReason))
            }
            Some(Action::ChangeRecipient) if status == Status::Open => {
                self.queries_at(selected, typing(QueryInput::Recipient))
            }
            Some(_) => self.message = Some(format!("query #{id} is {}", status.as_str())),
        }
    }

    /// The outcome of closing the query: 1-4; any other key goes back to
    /// the list.
    fn query_outcome_key(&mut self, key: &KeyEvent) {
        let outcome = match self.keymap.action_for(Context::Outcome, key) {
            Some(Action::OutcomeAgreed) => Some(Outcome::Agreed),
            Some(Action::OutcomeDisagreed) => Some(Outcome::Disagreed),
            Some(Action::OutcomeUndetermined) => Some(Outcome::ClinicallyUndetermined),
            Some(Action::OutcomeNoResponse) => Some(Outcome::NoResponse),
            _ => None,
        };
        let Some((selected, id, _)) = self.selected_query() else {
            return;
        };
        self.queries_at(selected, QueriesStep::List);
        let Some(outcome) = outcome else {
            return;
        };
        self.save_on_chart(
            Then::Show(Some(format!("query #{id} closed ({})", outcome.as_str()))),
            Command::CloseQuery {
                query_id: id,
                outcome,
            },
        );
    }

    /// Typing an answer, a cancel reason or a new recipient.
    fn query_input_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Prompt, key);
        let Some((selected, id, _)) = self.selected_query() else {
            return;
        };
        let Some(view) = view_in(&mut self.screen) else {
            return;
        };
        let ChartFocus::Queries {
            step: QueriesStep::Input { what, input },
            ..
        } = &mut view.focus
        else {
            return;
        };
        match action {
            Some(Action::Cancel) => self.queries_at(selected, QueriesStep::List),
            Some(Action::Submit) => {
                let (what, text) = (*what, input.value().to_string());
                self.queries_at(selected, QueriesStep::List);
                self.save_query_input(id, what, text);
            }
            Some(Action::Help) => self.open_help(Context::Prompt),
            _ => {
                input.key(&self.keymap, key);
            }
        }
    }

    /// Saves what was typed for the query `id`.
    fn save_query_input(&mut self, id: i64, what: QueryInput, text: String) {
        match what {
            QueryInput::Answer => self.save_on_chart(
                Then::Show(Some(format!("query #{id}: answer recorded"))),
                Command::AnswerQuery { query_id: id, text },
            ),
            QueryInput::CancelReason => self.save_on_chart(
                Then::Show(Some(format!("query #{id} canceled"))),
                Command::CancelQuery {
                    query_id: id,
                    reason: text,
                },
            ),
            QueryInput::Recipient => {
                let (name, reason) = text.split_once('/').unwrap_or((&text, ""));
                let (name, reason) = (name.trim().to_string(), reason.trim().to_string());
                self.save_on_chart(
                    Then::Show(Some(format!("query #{id} now with {name}"))),
                    Command::ChangeRecipient {
                        query_id: id,
                        physician: name,
                        reason,
                    },
                )
            }
        }
    }
}
