//! The review of the open chart as a component (`v` on the chart): the
//! coder's codes beside the chart's now, the differences with their reasons,
//! rebuttals and verdicts, a reason list and a note line. The reviewer
//! changes codes with the chart's ordinary keys and gives each difference
//! its reason here, then passes or returns the chart; the coder of a
//! returned chart agrees or rebuts marked changes; a manager settles a
//! rebuttal, makes a chart final or reopens it. Every action is a
//! [`ReviewCommand`] run by the saver; the store refuses what the user may
//! not do, and the refusal is the message. Keys: `[keys.review]`,
//! `[keys.review_reason]`, and `[keys.prompt]` for the note.

use super::app::App;
use super::focus::ChartFocus;
use super::input::TextInput;
use super::keymap::{Action, Context};
use super::reader::Read;
use super::saver::{Job, Then};
use crate::domain::{ReviewReason, Role, Verdict};
use crate::store::command::Command;
use crate::store::review::{self, ReviewCommand, ReviewView};
use crate::store::{Store, StoreError, users};
use crossterm::event::KeyEvent;
use std::collections::{BTreeMap, BTreeSet};

/// The longest note, in characters.
const NOTE_MAX: usize = 300;

/// The review panel over the chart.
#[derive(Debug, Clone)]
pub struct ReviewPanel {
    pub chart_id: i64,
    /// The review side by side; `None` while loading or when the chart has
    /// none.
    pub view: Option<ReviewView>,
    pub loading: bool,
    /// The user's role, once read.
    pub role: Option<Role>,
    /// The difference under the cursor.
    pub selected: usize,
    /// The coder's changes marked to rebut, by key.
    pub marked: BTreeSet<String>,
    /// The manager's verdicts chosen, by key.
    pub verdicts: BTreeMap<String, Verdict>,
    pub step: ReviewStep,
    /// Read the review again once the action in flight has landed.
    pub reload_after_save: bool,
}

/// What the panel is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewStep {
    /// The differences have the keys.
    List,
    /// Choosing the selected difference's reason (`selected` in
    /// [`ReviewReason::ALL`]).
    Reason { selected: usize },
    /// Typing a note.
    Note { what: NoteFor, input: TextInput },
}

/// What a note being typed is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteFor {
    Reason(ReviewReason),
    Return,
    Rebut,
    Reopen,
}

impl NoteFor {
    /// The prompt before the note.
    pub fn prompt(self) -> &'static str {
        match self {
            NoteFor::Reason(_) => " Note for the reason (may be empty): ",
            NoteFor::Return => " Note to the coder: ",
            NoteFor::Rebut => " Why the coder's version is right: ",
            NoteFor::Reopen => " Why the chart is reopened: ",
        }
    }
}

impl ReviewPanel {
    fn new(chart_id: i64) -> ReviewPanel {
        ReviewPanel {
            chart_id,
            view: None,
            loading: true,
            role: None,
            selected: 0,
            marked: BTreeSet::new(),
            verdicts: BTreeMap::new(),
            step: ReviewStep::List,
            reload_after_save: false,
        }
    }

    /// The key of the difference under the cursor.
    pub fn selected_key(&self) -> Option<&str> {
        self.view
            .as_ref()
            .and_then(|v| v.changes.get(self.selected))
            .map(|c| c.key.as_str())
    }

    fn changes(&self) -> usize {
        self.view.as_ref().map_or(0, |v| v.changes.len())
    }

    /// A key of the list: moves, marks and verdicts change the panel;
    /// actions on the chart come back as a command (or a note to type).
    fn list_action(&mut self, action: Action) -> Option<ReviewCommand> {
        let n = self.changes();
        match action {
            Action::MoveDown => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::MoveUp => self.selected = self.selected.saturating_sub(1),
            Action::GiveReason if n > 0 => {
                let current = self
                    .view
                    .as_ref()
                    .and_then(|v| v.changes.get(self.selected))
                    .and_then(|c| c.reason);
                let at = current
                    .and_then(|r| ReviewReason::ALL.iter().position(|x| *x == r))
                    .unwrap_or(0);
                self.step = ReviewStep::Reason { selected: at };
            }
            Action::MarkChange => {
                if let Some(key) = self.selected_key().map(str::to_string)
                    && !self.marked.remove(&key)
                {
                    self.marked.insert(key);
                }
            }
            Action::VerdictReviewer | Action::VerdictCoder => {
                let verdict = match action {
                    Action::VerdictReviewer => Verdict::Reviewer,
                    _ => Verdict::Coder,
                };
                if let Some(key) = self.selected_key().map(str::to_string) {
                    self.verdicts.insert(key, verdict);
                }
            }
            Action::ReturnReview => self.note(NoteFor::Return),
            Action::RebutReview => self.note(NoteFor::Rebut),
            Action::ReopenChart => self.note(NoteFor::Reopen),
            Action::PassReview => return Some(ReviewCommand::Pass),
            Action::AgreeReview => return Some(ReviewCommand::Agree),
            Action::FinalizeChart => return Some(ReviewCommand::Finalize),
            Action::SettleReview => {
                return Some(ReviewCommand::Settle {
                    decisions: self.verdicts.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                });
            }
            _ => {}
        }
        None
    }

    fn note(&mut self, what: NoteFor) {
        self.step = ReviewStep::Note {
            what,
            input: TextInput::new(NOTE_MAX),
        };
    }

    /// The command a note typed completes.
    fn noted(&self, what: NoteFor, note: String) -> Option<ReviewCommand> {
        Some(match what {
            NoteFor::Reason(reason) => ReviewCommand::GiveReason {
                key: self.selected_key()?.to_string(),
                reason,
                note,
            },
            NoteFor::Return => ReviewCommand::Return { note },
            NoteFor::Rebut => ReviewCommand::Rebut {
                keys: self.marked.iter().cloned().collect(),
                note,
            },
            NoteFor::Reopen => ReviewCommand::Reopen { reason: note },
        })
    }
}

/// What the panel reads: the review side by side and the user's role.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub view: Option<ReviewView>,
    pub role: Role,
}

/// Reads the chart's review (the DRG regrouped as the codes stand) and the
/// user's role.
pub fn load(
    store: &Store,
    chart_id: i64,
    user: &str,
    regroup: review::Regroup<'_>,
) -> Result<Loaded, StoreError> {
    Ok(Loaded {
        role: users::role_of(store.conn(), user)?,
        view: review::view(store.conn(), chart_id, regroup)?,
    })
}

impl App {
    /// The grouper a review action or read regroups with, once the code sets
    /// are in (`None` before: the store then keeps the stored DRG; the
    /// single-CC/MCC rule finds nothing).
    pub(crate) fn grouping(&self) -> Option<super::saver::Grouping> {
        let grouper = self.codesets.as_ref()?.grouper.clone()?;
        Some(super::saver::Grouping {
            grouper,
            hospital: self.hospital_status,
        })
    }
}

/// The review panel on `screen` (borrowing the screen only, so that the key
/// map can be read beside it).
fn panel_in(screen: &mut super::app::Screen) -> Option<&mut ReviewPanel> {
    match &mut super::chart::view_in(screen)?.focus {
        ChartFocus::Review(panel) => Some(panel),
        _ => None,
    }
}

impl App {
    /// The review panel, when it has the keys.
    pub fn review_panel(&self) -> Option<&ReviewPanel> {
        match &self.view()?.focus {
            ChartFocus::Review(panel) => Some(panel),
            _ => None,
        }
    }

    fn review_panel_mut(&mut self) -> Option<&mut ReviewPanel> {
        panel_in(&mut self.screen)
    }

    /// `v` on the chart: the review panel, read by the reader thread.
    pub(crate) fn open_review(&mut self) {
        let Some(view) = self.view_mut() else {
            return;
        };
        let chart_id = view.chart_id;
        view.focus = ChartFocus::Review(Box::new(ReviewPanel::new(chart_id)));
        self.load_review(chart_id);
    }

    fn load_review(&mut self, chart_id: i64) {
        self.read(Read::Review {
            chart_id,
            user: self.user.clone(),
            grouping: self.grouping(),
        });
    }

    /// The review read for the panel of `chart_id` landed (from the reader).
    pub(crate) fn review_loaded(&mut self, chart_id: i64, answer: Result<Loaded, String>) {
        let Some(panel) = self.review_panel_mut().filter(|p| p.chart_id == chart_id) else {
            return;
        };
        panel.loading = false;
        match answer {
            Ok(loaded) => {
                panel.role = Some(loaded.role);
                panel.view = loaded.view;
                panel.selected = panel.selected.min(panel.changes().saturating_sub(1));
                panel.marked.clear();
                panel.verdicts.clear();
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Reads the review again once the action sent from the panel landed.
    pub(crate) fn poll_review_reload(&mut self) -> bool {
        if self.saving.is_some() {
            return false;
        }
        let Some(panel) = self.review_panel_mut().filter(|p| p.reload_after_save) else {
            return false;
        };
        panel.reload_after_save = false;
        panel.loading = true;
        let id = panel.chart_id;
        self.load_review(id);
        true
    }

    /// A key on the review panel, routed to its step.
    pub(crate) fn review_key(&mut self, key: &KeyEvent) {
        let Some(panel) = self.review_panel() else {
            return;
        };
        let command = match &panel.step {
            ReviewStep::List => self.review_list_key(key),
            ReviewStep::Reason { .. } => {
                self.review_reason_key(key);
                None
            }
            ReviewStep::Note { .. } => self.review_note_key(key),
        };
        if let Some(command) = command {
            self.send_review(command);
        }
    }

    fn review_list_key(&mut self, key: &KeyEvent) -> Option<ReviewCommand> {
        self.message = None;
        match self.keymap.action_for(Context::Review, key)? {
            Action::Back => {
                if let Some(view) = self.view_mut() {
                    view.focus = ChartFocus::Panes;
                }
                None
            }
            Action::Help => {
                self.open_help(Context::Review);
                None
            }
            action => {
                let panel = self.review_panel_mut()?;
                let command = panel.list_action(action);
                if action == Action::RebutReview && panel.marked.is_empty() {
                    panel.step = ReviewStep::List;
                    let mark = self.key_of(Context::Review, Action::MarkChange);
                    self.message = Some(format!(
                        "mark the changes to rebut first ({mark} on each); nothing was changed"
                    ));
                }
                command
            }
        }
    }

    fn review_reason_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::ReviewReason, key);
        if action == Some(Action::Help) {
            self.open_help(Context::ReviewReason);
            return;
        }
        let Some(panel) = self.review_panel_mut() else {
            return;
        };
        let ReviewStep::Reason { selected } = &mut panel.step else {
            return;
        };
        let last = ReviewReason::ALL.len() - 1;
        match action {
            Some(Action::MoveDown) => *selected = (*selected + 1).min(last),
            Some(Action::MoveUp) => *selected = selected.saturating_sub(1),
            Some(Action::Submit) => {
                let reason = ReviewReason::ALL[(*selected).min(last)];
                panel.note(NoteFor::Reason(reason));
            }
            Some(Action::Cancel) => panel.step = ReviewStep::List,
            _ => {}
        }
    }

    fn review_note_key(&mut self, key: &KeyEvent) -> Option<ReviewCommand> {
        let action = self.keymap.action_for(Context::Prompt, key);
        if action == Some(Action::Help) {
            self.open_help(Context::Prompt);
            return None;
        }
        let keymap = &self.keymap;
        let panel = panel_in(&mut self.screen)?;
        let ReviewStep::Note { what, input } = &mut panel.step else {
            return None;
        };
        match action {
            Some(Action::Submit) => {
                let (what, note) = (*what, input.value().trim().to_string());
                panel.step = ReviewStep::List;
                panel.noted(what, note)
            }
            Some(Action::Cancel) => {
                panel.step = ReviewStep::List;
                None
            }
            _ => {
                input.key(keymap, key);
                None
            }
        }
    }

    /// Text pasted into the note being typed.
    pub(crate) fn review_paste(&mut self, text: &str) {
        if let Some(panel) = self.review_panel_mut()
            && let ReviewStep::Note { input, .. } = &mut panel.step
        {
            input.paste(text);
        }
    }

    /// Sends a review action to the saver; the panel is read again once it
    /// lands. Passing or returning the chart ends the reviewer's work on it:
    /// back to the queue.
    pub(crate) fn send_review(&mut self, command: ReviewCommand) {
        let Some(view) = self.view() else {
            return;
        };
        let (id, user) = (view.chart_id, self.user.clone());
        let words = command.done_words().to_string();
        let then = match command {
            ReviewCommand::Pass | ReviewCommand::Return { .. } => Then::Leave(words),
            _ => Then::Show(Some(words)),
        };
        if let Some(panel) = self.review_panel_mut() {
            panel.reload_after_save = true;
        }
        let grouping = self.grouping();
        self.save(Job::new(id, &user, Command::Review(command), then).with_grouping(grouping));
        self.poll_review_reload();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panel_with(keys: &[&str]) -> ReviewPanel {
        use crate::domain::{CodedVersion, Difference, ReviewState};
        let mut p = ReviewPanel::new(7);
        p.loading = false;
        p.view = Some(ReviewView {
            review: review::Review {
                id: 1,
                chart_id: 7,
                coder: "cora".into(),
                coded_at: "2026-11-01T10:00:00Z".into(),
                reviewer: "rex".into(),
                state: ReviewState::InReview,
                selected_because: "random 5%".into(),
                coder_drg: None,
                started_at: String::new(),
                return_note: None,
                rebuttal_note: None,
                settled_by: None,
                closed_at: None,
            },
            coder: CodedVersion::default(),
            reviewer: CodedVersion::default(),
            changes: keys
                .iter()
                .map(|k| review::Change {
                    difference: Difference::DxAdded(k.to_string()),
                    key: format!("add-dx:{k}"),
                    reason: None,
                    note: String::new(),
                    rebutted: false,
                    verdict: None,
                })
                .collect(),
        });
        p
    }

    #[test]
    fn moves_stay_on_the_differences_and_marks_toggle() {
        let mut p = panel_with(&["E11.9", "I10"]);
        assert_eq!(p.list_action(Action::MoveUp), None);
        assert_eq!(p.selected, 0);
        p.list_action(Action::MoveDown);
        p.list_action(Action::MoveDown);
        assert_eq!(p.selected, 1, "the last difference is as far as it goes");
        p.list_action(Action::MarkChange);
        assert!(p.marked.contains("add-dx:I10"));
        p.list_action(Action::MarkChange);
        assert!(p.marked.is_empty(), "a second mark unmarks");
    }

    #[test]
    fn a_reason_then_a_note_make_one_give_reason_command() {
        let mut p = panel_with(&["E11.9"]);
        p.list_action(Action::GiveReason);
        assert_eq!(p.step, ReviewStep::Reason { selected: 0 });
        let note = p.noted(NoteFor::Reason(ReviewReason::MissedSecondary), "ok".into());
        assert_eq!(
            note,
            Some(ReviewCommand::GiveReason {
                key: "add-dx:E11.9".into(),
                reason: ReviewReason::MissedSecondary,
                note: "ok".into()
            })
        );
    }

    #[test]
    fn verdicts_are_gathered_into_one_settle() {
        let mut p = panel_with(&["E11.9", "I10"]);
        p.list_action(Action::VerdictCoder);
        p.list_action(Action::MoveDown);
        p.list_action(Action::VerdictReviewer);
        assert_eq!(
            p.list_action(Action::SettleReview),
            Some(ReviewCommand::Settle {
                decisions: vec![
                    ("add-dx:E11.9".into(), Verdict::Coder),
                    ("add-dx:I10".into(), Verdict::Reviewer)
                ]
            })
        );
        assert_eq!(p.list_action(Action::PassReview), Some(ReviewCommand::Pass));
        p.list_action(Action::MarkChange);
        p.list_action(Action::RebutReview);
        assert!(matches!(
            p.step,
            ReviewStep::Note {
                what: NoteFor::Rebut,
                ..
            }
        ));
        assert_eq!(
            p.noted(NoteFor::Rebut, "documented".into()),
            Some(ReviewCommand::Rebut {
                keys: vec!["add-dx:I10".into()],
                note: "documented".into()
            })
        );
    }
}
