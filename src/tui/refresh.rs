//! The queue follows the database: charts that another connection stores
//! (another coder, `chartcoder import`, the HL7 listener) appear without a
//! restart. Every [`QUEUE_CHECK`] the queue screen asks SQLite whether
//! another connection committed since (`PRAGMA data_version`, a read of a
//! counter in shared memory) and, only then, asks the reader for the rows in
//! view, the selection kept in place.

use super::app::{App, Screen};
use super::reader::Fit;
use crate::store::{QueuePage, QueueRow, queue};
use std::time::{Duration, Instant};

/// How often the queue screen asks.
pub const QUEUE_CHECK: Duration = Duration::from_secs(2);

impl App {
    /// Reloads the queue's rows when the database changed; whether it did.
    pub fn refresh_queue_if_changed(&mut self) -> bool {
        if !matches!(self.screen, Screen::Queue(_)) || self.queue_checked.0.elapsed() < QUEUE_CHECK
        {
            return false;
        }
        self.refresh_queue_now()
    }

    /// [`App::refresh_queue_if_changed`] without waiting for the interval
    /// (tests).
    pub fn refresh_queue_now(&mut self) -> bool {
        let version = queue::data_version(self.store.conn()).ok();
        let before = std::mem::replace(&mut self.queue_checked, (Instant::now(), version)).1;
        if version.is_none() || before.is_none() || version == before {
            return false;
        }
        let page = self
            .queue
            .rows
            .first()
            .map_or(QueuePage::First, |r| QueuePage::From(QueueRow::key(r)));
        let select = self.queue.selected;
        self.read_queue(page, Fit::Replace { select }, true);
        true
    }

    /// When the queue next asks, if the queue is up.
    pub(crate) fn queue_check_due(&self) -> Option<Instant> {
        matches!(self.screen, Screen::Queue(_)).then(|| self.queue_checked.0 + QUEUE_CHECK)
    }
}
