//! What wakes the workstation's event loop: one channel for everything.
//!
//! The terminal's events (read on a thread of their own), the saver's answers,
//! the reader's answers and the live queue's signals all arrive as a [`Wake`] on one channel. The loop
//! blocks on it with `recv_timeout` until the next deadline (see
//! `App::next_deadline`): it wakes when something happened or a timer is due,
//! never to poll.

use super::reader::ReadReply;
use super::saver::Reply;
use crate::reference::CodeSets;
use crossterm::event::Event;
use std::sync::mpsc::Sender;

/// Something for the event loop.
pub enum Wake {
    /// A terminal event (key, paste, resize).
    Input(Event),
    /// The terminal could not be read: the session ends with this.
    InputFailed(String),
    /// SIGTERM or SIGHUP (an SSH connection dropped): quit.
    Terminate,
    /// The saver's answer to the store action in flight.
    Saved(Box<Reply>),
    /// The saver thread stopped (it can only have panicked).
    SaverStopped,
    /// The reader's answer to a read.
    Read(Box<ReadReply>),
    /// The reader thread stopped (it can only have panicked).
    ReaderStopped,
    /// The code search answered (its answer waits on the worker's channel).
    Searched,
    /// The code sets, loaded (or why not).
    Codesets(Box<Result<CodeSets, String>>),
    /// Another connection changed what the queue shows (PostgreSQL's live
    /// queue, see `refresh`).
    QueueChanged,
    /// The live queue's connection is lost (why); it is reconnecting.
    QueueWatchLost(String),
}

/// Where the threads send what wakes the loop.
pub type Waker = Sender<Wake>;

/// Sends `stopped` when the thread it lives on unwinds from a panic, so the
/// loop hears that no answer will come.
pub(crate) struct OnPanic {
    pub waker: Waker,
    pub stopped: fn() -> Wake,
}

impl Drop for OnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = self.waker.send((self.stopped)());
        }
    }
}
