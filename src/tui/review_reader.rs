//! Slow reads off the screen's thread: the review queue (which regroups
//! charts), a review side by side, the quality reports over a big database.
//!
//! Each read is a plain function of the store (`load`), run here on a
//! thread with a connection of its own ([`Store::reopen`]; at once on the
//! app's connection for an in-memory store, which has only one); its answer
//! comes back through [`App::poll_background`] and is landed on the app by
//! `land`, which checks that what asked for it is still on screen. This is
//! the one place that starts such reads, so that they can move to a general
//! reader thread in one edit.

use super::app::App;
use crate::store::{Store, StoreError};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// What lands an answer on the app.
type Landing = Box<dyn FnOnce(&mut App) + Send>;

/// The reads in flight and the channel their answers come back on.
pub struct Reads {
    tx: Sender<Landing>,
    rx: Receiver<Landing>,
    in_flight: usize,
}

impl Default for Reads {
    fn default() -> Reads {
        let (tx, rx) = channel();
        Reads {
            tx,
            rx,
            in_flight: 0,
        }
    }
}

impl App {
    /// Runs `load` off the screen's thread and hands its answer to `land`
    /// (on this thread, from [`App::poll_background`]).
    pub(crate) fn read_off_screen<T: Send + 'static>(
        &mut self,
        load: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
        land: impl FnOnce(&mut App, Result<T, StoreError>) + Send + 'static,
    ) {
        let second = match self.store.reopen() {
            None => None,
            Some(Ok(s)) => Some(s),
            Some(Err(e)) => {
                self.message = Some(format!("reading on the screen's thread: {e}"));
                None
            }
        };
        let Some(second) = second else {
            let answer = load(&self.store);
            land(self, answer);
            return;
        };
        let tx = self.reads.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || {
                let answer = load(&second);
                let landing: Landing = Box::new(move |app: &mut App| land(app, answer));
                let _ = tx.send(landing);
            });
        match spawned {
            Ok(_) => self.reads.in_flight += 1,
            Err(e) => self.message = Some(format!("could not start a reader: {e}")),
        }
    }

    /// Lands the answers that have come; returns whether any did.
    pub(crate) fn poll_reads(&mut self) -> bool {
        let mut changed = self.poll_review_reload();
        while let Ok(landing) = self.reads.rx.try_recv() {
            self.reads.in_flight = self.reads.in_flight.saturating_sub(1);
            landing(self);
            changed = true;
        }
        changed
    }

    /// Whether a read is in flight.
    pub fn reading(&self) -> bool {
        self.reads.in_flight > 0
    }

    /// Waits up to `timeout` until every store action and read has landed
    /// (tests, and tools that press a key and look at the result).
    pub fn settle_reads(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if !self.settle(deadline.saturating_duration_since(Instant::now())) {
                return false;
            }
            self.poll_reads();
            if !self.reading() && self.saving.is_none() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            match self
                .reads
                .rx
                .recv_timeout(Duration::from_millis(5).min(deadline - Instant::now()))
            {
                Ok(landing) => {
                    self.reads.in_flight = self.reads.in_flight.saturating_sub(1);
                    landing(self);
                }
                Err(_) => continue,
            }
        }
    }
}
