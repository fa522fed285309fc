//! The review queue as a component (`V` on the queue): the coded charts the
//! manager's rules choose, and those under review, each with why
//! (`store::review::queue`), read by the reader thread (with the grouper) since it regroups
//! charts. Enter opens the chart: a reviewer or manager starts (or resumes)
//! its review; anyone else, or a review past the reviewer, opens it as the
//! queue does (read-only), where `v` shows the review. Keys:
//! `[keys.review_queue]`.

use super::app::{App, Screen};
use super::focus::QueueFocus;
use super::keymap::{Action, Context};
use super::reader::Read;
use super::saver::{Job, Then};
use crate::domain::{Chart, ReviewState, Role};
use crate::store::command::Command;
use crate::store::review::{self, QueueEntry, ReviewCommand};
use crate::store::{Store, StoreError, users};
use crossterm::event::KeyEvent;

/// The review queue on screen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewQueueView {
    pub entries: Vec<QueueEntry>,
    pub selected: usize,
    pub loading: bool,
    /// The user's role, once read.
    pub role: Option<Role>,
}

/// Reads the review queue (asking the grouper about the single-CC/MCC rule
/// when the rules ask) and the user's role.
pub fn load(
    store: &Store,
    user: &str,
    single: &dyn Fn(&Chart) -> bool,
) -> Result<(Vec<QueueEntry>, Role), StoreError> {
    let rules = crate::store::quality::review_rules(store.conn())?;
    let single: Option<review::SingleCcMcc<'_>> = rules.single_cc_mcc.then_some(single);
    Ok((
        review::queue(store.conn(), single)?,
        users::role_of(store.conn(), user)?,
    ))
}

impl App {
    /// The review queue, when it is up.
    pub fn review_queue(&self) -> Option<&ReviewQueueView> {
        match &self.screen {
            Screen::Queue(QueueFocus::ReviewQueue(q)) => Some(q),
            _ => None,
        }
    }

    fn review_queue_mut(&mut self) -> Option<&mut ReviewQueueView> {
        match &mut self.screen {
            Screen::Queue(QueueFocus::ReviewQueue(q)) => Some(q),
            _ => None,
        }
    }

    /// `V` on the queue: the review queue, read by the reader thread.
    pub(crate) fn open_review_queue(&mut self) {
        self.screen = Screen::Queue(QueueFocus::ReviewQueue(Box::new(ReviewQueueView {
            loading: true,
            ..ReviewQueueView::default()
        })));
        self.read(Read::ReviewQueue {
            user: self.user.clone(),
            grouping: self.grouping(),
        });
    }

    /// The review queue's read landed (from the reader).
    pub(crate) fn review_queue_landed(&mut self, answer: Result<(Vec<QueueEntry>, Role), String>) {
        let Some(q) = self.review_queue_mut() else {
            return;
        };
        q.loading = false;
        match answer {
            Ok((entries, role)) => {
                q.selected = q.selected.min(entries.len().saturating_sub(1));
                q.entries = entries;
                q.role = Some(role);
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// A key on the review queue.
    pub(crate) fn review_queue_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::ReviewQueue, key);
        self.message = None;
        let Some(q) = self.review_queue_mut() else {
            return;
        };
        let n = q.entries.len();
        match action {
            Some(Action::MoveDown) => q.selected = (q.selected + 1).min(n.saturating_sub(1)),
            Some(Action::MoveUp) => q.selected = q.selected.saturating_sub(1),
            Some(Action::OpenChart) => self.open_for_review(),
            Some(Action::Back) => self.screen = Screen::Queue(QueueFocus::Rows),
            Some(Action::Help) => self.open_help(Context::ReviewQueue),
            _ => {}
        }
    }

    /// Enter on the review queue: a reviewer starts (or resumes) the review,
    /// the chart claimed for its codes; else the chart opens as from the
    /// queue.
    fn open_for_review(&mut self) {
        let Some(q) = self.review_queue() else {
            return;
        };
        let Some(entry) = q.entries.get(q.selected) else {
            return;
        };
        let chart_id = entry.chart_id;
        let user = self.user.clone();
        let starts = q.role.is_some_and(Role::reviews)
            && match &entry.review {
                None => true,
                Some((state, reviewer)) => *state == ReviewState::InReview && *reviewer == user,
            };
        self.last_touch = std::time::Instant::now();
        if starts {
            // Kept once the chart opens; a refusal takes its place.
            let panel = self.key_of(Context::Chart, Action::OpenReview);
            self.message = Some(format!(
                "under review by you: change the codes, then {panel} gives each difference its reason"
            ));
            let grouping = self.grouping();
            let job = Job::new(
                chart_id,
                &user,
                Command::Review(ReviewCommand::Start),
                Then::Open,
            );
            self.save(job.with_grouping(grouping));
        } else {
            self.save(Job::new(chart_id, &user, Command::Claim, Then::Open));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{Event, KeyCode, KeyModifiers};

    fn press(app: &mut App, code: KeyCode) {
        app.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn entry(id: i64, account: &str) -> QueueEntry {
        QueueEntry {
            chart_id: id,
            account: account.into(),
            encounter_type: "inpatient".into(),
            discharge_date: "2026-03-04".into(),
            coder: "cora".into(),
            coded_at: "2026-03-05T09:00:00Z".into(),
            reasons: vec!["random 5%".into()],
            review: None,
        }
    }

    #[test]
    fn keys_move_within_the_entries_and_esc_goes_back_to_the_queue() {
        let store = Store::open_in_memory().unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        let mut app = App::new(store, "rex", today, 100, 30);
        press(&mut app, KeyCode::Char('V'));
        // An empty database: read at once (in memory), nothing to review.
        let q = app.review_queue().unwrap();
        assert!(!q.loading && q.entries.is_empty());
        assert_eq!(q.role, Some(Role::Coder), "a name not listed is a coder");
        if let Some(q) = app.review_queue_mut() {
            q.entries = vec![entry(1, "A-1"), entry(2, "A-2")];
        }
        press(&mut app, KeyCode::Char('j'));
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(app.review_queue().unwrap().selected, 1, "stops at the last");
        press(&mut app, KeyCode::Up);
        assert_eq!(app.review_queue().unwrap().selected, 0);
        press(&mut app, KeyCode::Esc);
        assert!(app.review_queue().is_none());
        assert_eq!(app.mode(), crate::tui::app::Mode::Normal);
    }
}
