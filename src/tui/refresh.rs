//! The queue follows the database: charts that another connection stores
//! (another coder, `chartcoder import`, the HL7 listener) appear without a
//! restart, and other coders' claims and completions show as they happen.
//!
//! On SQLite, every [`QUEUE_CHECK`] the queue screen asks whether another
//! connection committed since (`PRAGMA data_version`, a read of a counter in
//! shared memory) and, only then, asks the reader for the rows in view, the
//! selection kept in place.
//!
//! On PostgreSQL the database says so itself: a [`QueueWatch`] (the live
//! queue, `store::postgres::listen`) wakes the loop with
//! [`Wake::QueueChanged`] within [`COALESCE`] of the commit, and the queue
//! re-reads its rows in view the same way. A change that comes while
//! another screen is up, or while a read of the queue is in flight, marks the
//! queue stale: it is read again when the coder is back on it, or when that
//! read has landed (one read at a time, however many changes come).
//!
//! [`COALESCE`]: crate::store::postgres::listen::COALESCE

use super::app::{App, Screen};
use super::reader::{Fit, Slot};
use super::wake::{Wake, Waker};
use crate::store::postgres::listen::{QueueWatch, Signal};
use crate::store::{QueuePage, QueueRow, Store, queue};
use std::time::{Duration, Instant};

/// How often the queue screen asks (SQLite).
pub const QUEUE_CHECK: Duration = Duration::from_secs(2);

/// PostgreSQL's live queue: the watch, and what it said that the screen has
/// not acted on yet.
#[derive(Default)]
pub struct LiveQueue {
    /// The watch; `None` for SQLite (the queue asks `data_version`).
    pub(crate) watch: Option<QueueWatch>,
    /// A change came that the rows in view do not show yet.
    pub(crate) stale: bool,
    /// The message the lost connection put up, cleared when it is back.
    pub(crate) lost: Option<String>,
}

impl LiveQueue {
    /// The watch for `store`, its signals sent to `waker`; none for SQLite,
    /// and none, with the reason, when it could not start.
    pub fn for_store(store: &Store, waker: &Waker) -> (LiveQueue, Option<String>) {
        let waker = waker.clone();
        let signalled = move |signal| {
            let _ = waker.send(match signal {
                Signal::Changed => Wake::QueueChanged,
                Signal::Lost(why) => Wake::QueueWatchLost(why),
            });
        };
        match store.queue_watch(signalled) {
            None => (LiveQueue::default(), None),
            Some(Ok(watch)) => (
                LiveQueue {
                    watch: Some(watch),
                    ..LiveQueue::default()
                },
                None,
            ),
            Some(Err(e)) => (
                LiveQueue::default(),
                Some(format!("the queue will not refresh by itself: {e}")),
            ),
        }
    }
}

impl App {
    /// Reloads the queue's rows when the database changed (a live signal
    /// not yet acted on, or SQLite's data_version moved); whether it did.
    pub fn refresh_queue_if_changed(&mut self) -> bool {
        if self.refresh_queue_if_stale() {
            return true;
        }
        if self.workers.live.watch.is_some()
            || !matches!(self.screen, Screen::Queue(_))
            || self.queue_checked.0.elapsed() < QUEUE_CHECK
        {
            return false;
        }
        self.refresh_queue_now()
    }

    /// [`App::refresh_queue_if_changed`] on SQLite without waiting for the
    /// interval (tests).
    pub fn refresh_queue_now(&mut self) -> bool {
        let version = queue::data_version(self.store.conn()).ok();
        let before = std::mem::replace(&mut self.queue_checked, (Instant::now(), version)).1;
        if version.is_none() || before.is_none() || version == before {
            return false;
        }
        self.reread_rows_in_view();
        true
    }

    /// Notes the database's version as the window is asked for (SQLite,
    /// or PostgreSQL without its live queue): the read sees every commit it
    /// counts, so only a later one makes the next check read again. Taken
    /// at the first check instead, a commit between the queue's first read
    /// and that check (a `chartcoder import` just after the workstation
    /// opened) was counted as seen and never shown: neither its rows nor the
    /// count line followed until some other commit.
    pub(crate) fn note_queue_version(&mut self) {
        if self.workers.live.watch.is_none() {
            self.queue_checked = (Instant::now(), queue::data_version(self.store.conn()).ok());
        }
    }

    /// The live queue said the queue changed: the rows in view are read
    /// again now, or once the coder is back on the queue or the read in
    /// flight has landed. Returns whether the screen changed.
    pub(crate) fn queue_changed(&mut self) -> bool {
        let mut changed = false;
        if let Some(lost) = self.workers.live.lost.take()
            && self.message.as_deref() == Some(lost.as_str())
        {
            self.message = None;
            changed = true;
        }
        self.workers.live.stale = true;
        self.refresh_queue_if_stale() | changed
    }

    /// The live queue's connection is lost: said on the message line until
    /// it is back.
    pub(crate) fn queue_watch_lost(&mut self, why: String) {
        let said = format!("{why}; the queue refreshes when it is back");
        self.message = Some(said.clone());
        self.workers.live.lost = Some(said);
    }

    /// Reads the rows in view again when a change is pending, the queue is up
    /// and no read of it is in flight; whether it did.
    fn refresh_queue_if_stale(&mut self) -> bool {
        if !self.workers.live.stale
            || !matches!(self.screen, Screen::Queue(_))
            || self.workers.reader.loading(Slot::Queue)
        {
            return false;
        }
        self.workers.live.stale = false;
        self.reread_rows_in_view();
        true
    }

    /// Asks for the rows from the first in view on, with the summary, the
    /// cursor kept on its line; they replace the window when they land.
    fn reread_rows_in_view(&mut self) {
        let page = self
            .queue
            .rows
            .first()
            .map_or(QueuePage::First, |r| QueuePage::From(QueueRow::key(r)));
        let select = self.queue.selected;
        self.read_queue(page, Fit::Replace { select }, true);
    }

    /// When the queue next asks, if the queue is up (SQLite; PostgreSQL's
    /// queue is told).
    pub(crate) fn queue_check_due(&self) -> Option<Instant> {
        (self.workers.live.watch.is_none() && matches!(self.screen, Screen::Queue(_)))
            .then(|| self.queue_checked.0 + QUEUE_CHECK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    #[test]
    fn changes_told_while_the_queue_is_read_make_one_more_read_after_it_lands() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &StoreOptions::default()).unwrap();
        crate::demo::seed(&mut store).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut app = App::new(store, "amy", today, 100, 30);
        assert!(app.settle(Duration::from_secs(30)));
        assert!(!app.workers.reader.busy());
        assert!(app.queue_changed(), "the first change starts a read");
        assert!(app.workers.reader.loading(Slot::Queue));
        assert!(!app.workers.live.stale);
        // Two more while it is in flight: no second read, one pending.
        assert!(!app.queue_changed());
        assert!(!app.queue_changed());
        assert!(app.workers.live.stale);
        // The read lands (its wake), and the tick that follows reads again.
        let wake = app.next_wake(Some(Duration::from_secs(30))).unwrap();
        assert!(matches!(wake, Wake::Read(_)));
        app.on_wake(wake);
        assert!(!app.workers.reader.busy());
        assert!(app.tick(), "the pending change is read");
        assert!(app.workers.reader.loading(Slot::Queue) && !app.workers.live.stale);
        assert!(app.settle(Duration::from_secs(30)));
        assert!(!app.tick(), "nothing more pending");
        assert!(!app.workers.reader.busy());
    }

    #[test]
    fn a_commit_before_the_first_check_is_read_with_its_count() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
        crate::demo::seed(&mut store).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut app = App::new(store, "amy", today, 100, 30);
        assert!(app.settle(Duration::from_secs(30)));
        let before = app.queue.summary.clone().unwrap().charts;
        // Another connection stores charts before the queue's first check
        // (as `chartcoder import` would): counted here by hand, row by row.
        let mut other = Store::open_existing(&path, &StoreOptions::default()).unwrap();
        crate::demo::generate(&mut other, 5, 9, today).unwrap();
        let uncoded: i64 = other
            .conn()
            .query_row(
                "SELECT count(*) FROM charts WHERE status IN ('ready', 'in_progress', 'on_hold')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(uncoded as u64 > before);
        assert!(app.refresh_queue_now(), "the first check sees the commit");
        assert!(app.settle(Duration::from_secs(30)));
        assert_eq!(app.queue.summary.clone().unwrap().charts, uncoded as u64);
    }

    #[test]
    fn a_reload_of_the_window_takes_a_pending_change_with_it() {
        let mut store = Store::open_in_memory().unwrap();
        crate::demo::seed(&mut store).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let mut app = App::new(store, "amy", today, 100, 30);
        app.workers.live.stale = true;
        app.reload(QueuePage::First);
        assert!(!app.workers.live.stale);
    }
}
