//! The chart's physician queries (`Q`): the list with status and overdue
//! mark; record the answer (`a`, typed or pasted verbatim), close with the
//! outcome (`c` then 1-4), cancel with a reason (`x`), send to another
//! physician with a reason (`r`, typed as "name / reason").

use super::app::{App, Mode, Screen};
use super::saver::{Done, Then};
use crate::domain::{QueryOutcome as Outcome, QueryStatus as Status};
use crate::store::queries;
use crossterm::event::{KeyCode, KeyEvent};

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
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        if view.queries.is_empty() {
            self.message = Some("no physician query on this chart (f writes one)".into());
            return;
        }
        self.mode = Mode::Queries {
            selected: view.queries.len() - 1,
        };
    }

    fn selected_query(&self, selected: usize) -> Option<(i64, Status)> {
        let Screen::Chart(view) = &self.screen else {
            return None;
        };
        view.queries.get(selected).map(|q| (q.id, q.status))
    }

    pub(crate) fn queries_key(&mut self, key: &KeyEvent, selected: usize) {
        self.message = None;
        let n = match &self.screen {
            Screen::Chart(view) => view.queries.len(),
            Screen::Queue => 0,
        };
        let Some((id, status)) = self.selected_query(selected) else {
            self.mode = Mode::Normal;
            return;
        };
        let read_only = matches!(&self.screen, Screen::Chart(v) if v.read_only.is_some());
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('Q') => self.mode = Mode::Normal,
            KeyCode::Up | KeyCode::Char('k') => {
                self.mode = Mode::Queries {
                    selected: selected.saturating_sub(1),
                }
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.mode = Mode::Queries {
                    selected: (selected + 1).min(n.saturating_sub(1)),
                }
            }
            _ if read_only => self.message = Some("the chart is read-only".into()),
            KeyCode::Char('a') if status == Status::Open => {
                self.mode = Mode::QueryInput {
                    selected,
                    what: QueryInput::Answer,
                    text: String::new(),
                }
            }
            KeyCode::Char('c') if matches!(status, Status::Open | Status::Answered) => {
                self.mode = Mode::QueryOutcome { selected };
                self.message = Some(
                    "outcome: 1 agreed, 2 disagreed, 3 clinically undetermined, 4 no response, Esc back"
                        .into(),
                );
            }
            KeyCode::Char('x') if !matches!(status, Status::Closed | Status::Canceled) => {
                self.mode = Mode::QueryInput {
                    selected,
                    what: QueryInput::CancelReason,
                    text: String::new(),
                }
            }
            KeyCode::Char('r') if status == Status::Open => {
                self.mode = Mode::QueryInput {
                    selected,
                    what: QueryInput::Recipient,
                    text: String::new(),
                }
            }
            KeyCode::Char('a' | 'c' | 'x' | 'r') => {
                self.message = Some(format!("query #{id} is {}", status.as_str()))
            }
            _ => {}
        }
    }

    pub(crate) fn query_outcome_key(&mut self, key: &KeyEvent, selected: usize) {
        self.message = None;
        let outcome = match key.code {
            KeyCode::Char('1') => Outcome::Agreed,
            KeyCode::Char('2') => Outcome::Disagreed,
            KeyCode::Char('3') => Outcome::ClinicallyUndetermined,
            KeyCode::Char('4') => Outcome::NoResponse,
            _ => {
                self.mode = Mode::Queries { selected };
                return;
            }
        };
        let Some((id, _)) = self.selected_query(selected) else {
            return;
        };
        self.mode = Mode::Queries { selected };
        self.save_on_chart(
            Then::Show(Some(format!("query #{id} closed ({})", outcome.as_str()))),
            move |tx, _, user| queries::close(tx, id, user, outcome).map(|()| Done::Nothing),
        );
    }

    pub(crate) fn query_input_key(
        &mut self,
        key: &KeyEvent,
        selected: usize,
        what: QueryInput,
        mut text: String,
    ) {
        match key.code {
            KeyCode::Esc => self.mode = Mode::Queries { selected },
            KeyCode::Backspace => {
                text.pop();
                self.mode = Mode::QueryInput {
                    selected,
                    what,
                    text,
                };
            }
            KeyCode::Enter => {
                let Some((id, _)) = self.selected_query(selected) else {
                    return;
                };
                self.mode = Mode::Queries { selected };
                match what {
                    QueryInput::Answer => self.save_on_chart(
                        Then::Show(Some(format!("query #{id}: answer recorded"))),
                        move |tx, _, user| {
                            queries::answer(tx, id, user, &text).map(|()| Done::Nothing)
                        },
                    ),
                    QueryInput::CancelReason => self.save_on_chart(
                        Then::Show(Some(format!("query #{id} canceled"))),
                        move |tx, _, user| {
                            queries::cancel(tx, id, user, &text).map(|()| Done::Nothing)
                        },
                    ),
                    QueryInput::Recipient => {
                        let (name, reason) = text.split_once('/').unwrap_or((&text, ""));
                        let (name, reason) = (name.trim().to_string(), reason.trim().to_string());
                        self.save_on_chart(
                            Then::Show(Some(format!("query #{id} now with {name}"))),
                            move |tx, _, user| {
                                queries::change_recipient(tx, id, user, &name, &reason)
                                    .map(|()| Done::Nothing)
                            },
                        )
                    }
                }
            }
            KeyCode::Char(c) if !c.is_control() && text.chars().count() < 2000 => {
                text.push(c);
                self.mode = Mode::QueryInput {
                    selected,
                    what,
                    text,
                };
            }
            _ => {
                self.mode = Mode::QueryInput {
                    selected,
                    what,
                    text,
                }
            }
        }
    }
}
