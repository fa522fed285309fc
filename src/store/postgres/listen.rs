//! The live queue on PostgreSQL: a [`QueueWatch`] listens on
//! [`QUEUE_CHANNEL`], which migration 2's triggers signal when a committed
//! change touches what a queue row shows (a claim, a completion, a chart that
//! arrives, a hold, a sent query), and calls back so that the workstation
//! re-reads the rows in view.
//!
//! The watch is a thread with a connection of its own (a listening
//! connection can run nothing else while it waits). It coalesces a burst of
//! signals into one call per [`COALESCE`]: the first at once, the rest of the
//! burst once at the end of the window. When its connection is lost (the
//! server restarted, the backend terminated, the network gone) it says so
//! ([`Signal::Lost`], once per outage), reconnects with a backoff from
//! [`FIRST_RETRY`] doubling to [`LAST_RETRY`], and then calls back with
//! [`Signal::Changed`], since changes may have been missed meanwhile. It
//! stops when dropped, within [`STOP_CHECK`] (or a connection attempt's
//! [`CONNECT_TIMEOUT`]), and leaves no thread behind. It never panics: what
//! goes wrong is said through the callback.
//!
//! SQLite has no such signal; its queue asks `PRAGMA data_version`
//! (`tui::refresh`). [`Store::queue_watch`] starts a watch for a store on
//! PostgreSQL and gives `None` for SQLite.

use super::{PgError, Settings, said};
use crate::store::Store;
use postgres::Client;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The channel migration 2's triggers signal (with an empty payload).
pub const QUEUE_CHANNEL: &str = "chartcoder_queue";

/// A burst of signals within this long is one call.
pub const COALESCE: Duration = Duration::from_millis(100);

/// How often a quiet watch checks whether it was dropped.
pub const STOP_CHECK: Duration = Duration::from_millis(200);

/// The first wait before reconnecting; it doubles up to [`LAST_RETRY`].
pub const FIRST_RETRY: Duration = Duration::from_millis(100);

/// The longest wait between two connection attempts.
pub const LAST_RETRY: Duration = Duration::from_secs(5);

/// How long one connection attempt may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The watch's connection's `application_name` (as `pg_stat_activity`
/// shows it).
pub const APPLICATION_NAME: &str = "chartcoder queue watch";

/// What the watch tells its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The queue changed (or may have: the watch has just reconnected).
    Changed,
    /// The watch's connection is lost (why, in words); it is reconnecting.
    /// Said once per outage; the [`Signal::Changed`] after it says the
    /// watch is back.
    Lost(String),
}

/// What can stop a watch from starting.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Pg(#[from] PgError),
    #[error("the live queue's thread could not start: {0}")]
    Thread(std::io::Error),
}

/// A thread listening on [`QUEUE_CHANNEL`]; stopped when dropped.
pub struct QueueWatch {
    /// Dropped to stop the thread.
    stop: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

type Callback = Box<dyn Fn(Signal) + Send>;

impl QueueWatch {
    /// Connects with `settings` and listens, then watches on a thread of its
    /// own, calling `on_signal` from there. When the first connection fails,
    /// the watch starts anyway, saying [`Signal::Lost`] and reconnecting;
    /// once this returns with a connection, every change committed after it
    /// is signalled.
    pub fn start(
        settings: impl Into<Settings>,
        on_signal: impl Fn(Signal) + Send + 'static,
    ) -> Result<QueueWatch, WatchError> {
        let mut settings = settings.into();
        settings
            .config_mut()
            .application_name(APPLICATION_NAME)
            .connect_timeout(CONNECT_TIMEOUT)
            .keepalives(true)
            .keepalives_idle(Duration::from_secs(30));
        let first = listen(&settings);
        let (stop, stopped) = channel();
        let on_signal: Callback = Box::new(on_signal);
        let handle = std::thread::Builder::new()
            .name("queue watch".into())
            .spawn(move || {
                let client = match first {
                    Ok(client) => client,
                    Err(why) => {
                        on_signal(Signal::Lost(why));
                        let Some(client) = reconnect(&settings, &stopped) else {
                            return;
                        };
                        // The queue may have changed since it was read.
                        on_signal(Signal::Changed);
                        client
                    }
                };
                watch(client, &settings, &stopped, &on_signal);
            })
            .map_err(WatchError::Thread)?;
        Ok(QueueWatch {
            stop: Some(stop),
            handle: Some(handle),
        })
    }
}

impl Drop for QueueWatch {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// A connection listening on [`QUEUE_CHANNEL`], or why not.
fn listen(settings: &Settings) -> Result<Client, String> {
    let mut client = settings
        .connect()
        .map_err(|e| format!("cannot connect to PostgreSQL: {}", said(&e)))?;
    client
        .batch_execute(&format!("LISTEN {QUEUE_CHANNEL}"))
        .map_err(|e| format!("cannot listen for queue changes: {}", said(&e)))?;
    Ok(client)
}

/// Whether the watch was dropped.
fn stop_asked(stopped: &Receiver<()>) -> bool {
    !matches!(stopped.try_recv(), Err(TryRecvError::Empty))
}

/// Listens until dropped: calls back per burst, reconnects when lost.
fn watch(mut client: Client, settings: &Settings, stopped: &Receiver<()>, on_signal: &Callback) {
    // When the callback was last called, and whether signals came since.
    let mut called: Option<Instant> = None;
    let mut pending = false;
    while !stop_asked(stopped) {
        let wait = match (pending, called) {
            (true, Some(at)) => (at + COALESCE).saturating_duration_since(Instant::now()),
            _ => STOP_CHECK,
        };
        let lost = match next_signals(&mut client, wait) {
            Ok(came) => {
                pending |= came;
                None
            }
            Err(why) => Some(why),
        };
        if pending && called.is_none_or(|at| at.elapsed() >= COALESCE) {
            on_signal(Signal::Changed);
            called = Some(Instant::now());
            pending = false;
        }
        if let Some(why) = lost {
            on_signal(Signal::Lost(why));
            client = match reconnect(settings, stopped) {
                Some(client) => client,
                None => return,
            };
            // Changes committed while the watch was away went unsignalled.
            on_signal(Signal::Changed);
            called = Some(Instant::now());
            pending = false;
        }
    }
}

/// Waits up to `wait` for signals and takes every one already there:
/// whether any came, or why the connection is lost.
fn next_signals(client: &mut Client, wait: Duration) -> Result<bool, String> {
    let lost = |e: postgres::Error| format!("the live queue's connection was lost: {}", said(&e));
    let started = Instant::now();
    let mut notifications = client.notifications();
    let first = notifications.timeout_iter(wait).next().map_err(lost)?;
    if first.is_some() {
        let mut rest = notifications.iter();
        while rest.next().map_err(lost)?.is_some() {}
        return Ok(true);
    }
    drop(notifications);
    // No signal: the wait ran out, or (before it ran out) the connection
    // ended.
    if client.is_closed() || started.elapsed() < wait {
        return Err("the live queue's connection was closed".into());
    }
    Ok(false)
}

/// Connects again, waiting [`FIRST_RETRY`], doubling to [`LAST_RETRY`],
/// between attempts; `None` when the watch is dropped meanwhile.
fn reconnect(settings: &Settings, stopped: &Receiver<()>) -> Option<Client> {
    let mut delay = FIRST_RETRY;
    loop {
        match stopped.recv_timeout(delay) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return None,
        }
        if let Ok(client) = listen(settings) {
            return Some(client);
        }
        delay = (delay * 2).min(LAST_RETRY);
    }
}

impl Store {
    /// Watches the queue of a store on PostgreSQL, calling `on_signal` (on
    /// the watch's thread) per burst of changes; `None` for SQLite, whose
    /// queue asks `PRAGMA data_version` instead.
    pub fn queue_watch(
        &self,
        on_signal: impl Fn(Signal) + Send + 'static,
    ) -> Option<Result<QueueWatch, WatchError>> {
        let url = self.url()?;
        Some(
            super::settings(url)
                .map_err(WatchError::from)
                .and_then(|settings| QueueWatch::start(settings, on_signal)),
        )
    }
}
