//! The threads that work for the screen, and how their answers reach it.
//!
//! The saver (store commands), the reader (reads as data), the code search
//! and the code-set loader each answer on one channel, which the terminal's
//! events share (see `wake`). The event loop blocks on it
//! ([`App::next_wake`]) and hands each [`Wake`] to [`App::on_wake`]; tests
//! take what is there with [`App::poll_background`] or wait for quiet with
//! [`App::settle`].

use super::app::{App, Screen};
use super::focus::QueueFocus;
use super::reader::{Read, ReadReply, Reader, Slot};
use super::saver::{Saver, Then};
use super::wake::{Wake, Waker};
use crate::search::worker::SearchWorker;
use crate::store::Store;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// How long a save may take before the screen says the database is busy.
const SLOW_SAVE: Duration = Duration::from_millis(300);

/// The background workers and the channel that wakes the loop.
pub struct Workers {
    pub(crate) saver: Saver,
    pub(crate) reader: Reader,
    /// The code search, once the code sets are in.
    pub(crate) search: Option<SearchWorker>,
    /// The code sets are being loaded (they arrive as [`Wake::Codesets`]).
    pub(crate) codesets_loading: bool,
    /// Session audit rows sent to the saver and not yet answered.
    pub(crate) session_audits: usize,
    pub(crate) waker: Waker,
    pub(crate) woken: Receiver<Wake>,
    /// PostgreSQL's live queue (see `refresh`).
    pub(crate) live: super::refresh::LiveQueue,
}

impl Workers {
    /// The saver and the reader for `store` (threads for a file, inline for
    /// an in-memory store), and why not threads if they could not be.
    pub fn for_store(store: &Store) -> (Workers, Option<String>) {
        let (waker, woken) = channel();
        let (saver, saver_warning) = Saver::for_store(store, &waker);
        let (reader, reader_warning) = Reader::for_store(store, &waker);
        let (live, live_warning) = super::refresh::LiveQueue::for_store(store, &waker);
        let workers = Workers {
            saver,
            reader,
            search: None,
            codesets_loading: false,
            session_audits: 0,
            waker,
            woken,
            live,
        };
        (workers, saver_warning.or(reader_warning).or(live_warning))
    }
}

impl App {
    /// Asks the reader for `read`; the answer lands in
    /// [`App::read_landed`] (at once for an in-memory store).
    pub(crate) fn read(&mut self, read: Read) {
        if let Some(reply) = self.workers.reader.ask(read, &self.store) {
            self.read_landed(reply);
        }
    }

    /// Where the threads send what wakes the loop (the terminal's reader
    /// thread, the signal watchdog).
    pub fn waker(&self) -> Waker {
        self.workers.waker.clone()
    }

    /// Waits for the next wake: up to `timeout`, or for ever with `None`.
    pub fn next_wake(&self, timeout: Option<Duration>) -> Option<Wake> {
        match timeout {
            Some(t) => self.workers.woken.recv_timeout(t).ok(),
            // The app holds a sender: the channel never disconnects.
            None => self.workers.woken.recv().ok(),
        }
    }

    /// A wake that is already there, without waiting.
    pub fn ready_wake(&self) -> Option<Wake> {
        self.workers.woken.try_recv().ok()
    }

    /// Takes what woke the loop; returns whether the screen changed.
    pub fn on_wake(&mut self, wake: Wake) -> bool {
        match wake {
            Wake::Input(event) => return self.handle_event(&event),
            Wake::InputFailed(why) => {
                self.message = Some(why);
                self.should_quit = true;
            }
            Wake::Terminate => self.should_quit = true,
            Wake::Saved(reply) if matches!(reply.then, Then::Session(_)) => {
                self.workers.session_audits = self.workers.session_audits.saturating_sub(1);
                self.session_audited(*reply);
            }
            Wake::Saved(reply) => {
                if self.saving.is_some() {
                    self.landed(*reply);
                } else {
                    self.saved(*reply);
                }
                // A review action saved: its side by side is read again.
                self.poll_review_reload();
            }
            Wake::SaverStopped => self.saver_stopped(),
            Wake::Read(reply) => {
                let Some(reply) = self.workers.reader.accept(*reply) else {
                    return false;
                };
                self.read_landed(reply);
                self.replay_held();
            }
            Wake::ReaderStopped => {
                self.workers.reader.stopped();
                self.message =
                    Some(crate::fault::stopped("the reader") + "; reading here from now on");
                self.replay_held();
            }
            // Taken by the tick that follows every wake.
            Wake::Searched => {}
            Wake::Codesets(result) => {
                self.workers.codesets_loading = false;
                match *result {
                    Ok(sets) => self.install_codesets(sets),
                    Err(e) => self.message = Some(format!("code sets could not be loaded: {e}")),
                }
            }
            Wake::QueueChanged => return self.queue_changed(),
            Wake::QueueWatchLost(why) => self.queue_watch_lost(why),
        }
        true
    }

    /// Whether the keys that arrive now are held: a save is in flight, or
    /// they act on queue rows still being read.
    pub(crate) fn holding_keys(&self) -> bool {
        self.saving.is_some()
            || self.workers.reader.holds_keys()
            || (self.workers.reader.loading(Slot::Queue)
                && matches!(self.screen, Screen::Queue(QueueFocus::Rows))
                && self.help.is_none())
    }

    /// What a read gave: shown where it belongs.
    pub(crate) fn read_landed(&mut self, reply: ReadReply) {
        use super::reader::Answer;
        match reply.answer {
            Answer::QueuePage { rows, summary } => {
                if let Read::QueuePage { fit, .. } = &reply.read {
                    self.queue_page_landed(fit, rows, summary);
                }
            }
            Answer::PriorEncounters(prior) => {
                if let Read::PriorEncounters { chart_id } = reply.read {
                    self.prior_landed(chart_id, prior);
                }
            }
            Answer::QueryReport(text) => self.report_landed(" Physician queries ", text),
            Answer::CaseMix(rows) => self.case_mix_landed(rows),
            Answer::SitePolicy(Ok(policy)) => {
                self.escalation_hours = policy.escalation_hours;
                self.lock_after = policy.lock_after();
            }
            Answer::SitePolicy(Err(why)) => self.message = Some(why),
            Answer::ReviewQueue(answer) => self.review_queue_landed(answer),
            Answer::Review(answer) => {
                if let Read::Review { chart_id, .. } = reply.read {
                    self.review_loaded(chart_id, answer);
                }
            }
            Answer::Quality(answer) => {
                if let Read::Quality { tab, scope, .. } = reply.read {
                    self.quality_landed(tab, scope, answer);
                }
            }
        }
    }

    /// Takes the answers already there and does what is due; returns whether
    /// the screen changed. (The loop blocks on [`App::next_wake`] instead;
    /// tests call this.)
    pub fn poll_background(&mut self) -> bool {
        let mut changed = false;
        while let Some(wake) = self.ready_wake() {
            changed |= self.on_wake(wake);
        }
        changed | self.tick()
    }

    /// Whether the action in flight has become slow enough to say so.
    pub(crate) fn check_slow_save(&mut self) -> bool {
        if let Some(since) = self.saving
            && !self.slow_save
            && since.elapsed() >= SLOW_SAVE
        {
            self.slow_save = true;
            return true;
        }
        false
    }

    /// When the slow-save notice is due, if a save is in flight.
    pub(crate) fn slow_save_due(&self) -> Option<Instant> {
        self.saving
            .filter(|_| !self.slow_save)
            .map(|since| since + SLOW_SAVE)
    }

    /// When the lock (or logoff) is due, if it can come.
    pub(crate) fn lock_due(&self) -> Option<Instant> {
        let after = self.lock_after?;
        (self.locked.is_none() && self.logged_off.is_none()).then(|| self.last_input + after)
    }

    /// Waits up to `timeout` until no store action is in flight, no read
    /// awaited and no key held, applying the answers as they come; returns
    /// whether it got there. For quitting, and for tests that press a key and
    /// look at the result.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        // Keys held when the coder quit are not replayed: they are dropped.
        let keys_left = |app: &App| !app.held.is_empty() && !app.should_quit;
        while self.saving.is_some()
            || self.workers.session_audits > 0
            || self.workers.reader.busy()
            || keys_left(self)
        {
            if !self.holding_keys() && keys_left(self) {
                self.replay_held();
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.next_wake(Some(left)) {
                Some(wake) => {
                    self.on_wake(wake);
                }
                None => return false,
            }
        }
        true
    }
}
