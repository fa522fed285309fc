//! Slow reads off the screen's thread: the review queue (which regroups
//! charts), a review side by side, the quality reports over a big database.
//!
//! Each read is a plain function of the store (`load`), run here on a
//! thread with a connection of its own ([`Store::reopen`]; at once on the
//! app's connection for an in-memory store, which has only one); its answer
//! wakes the event loop ([`Wake::Landed`]) and is landed on the app by
//! `land`, which checks that what asked for it is still on screen. Unlike the
//! reader's reads (`reader.rs`: data, one thread, the newest answer of a
//! kind kept), these need the grouper and run one thread per read.

use super::app::App;
use super::wake::Wake;
use crate::store::{Store, StoreError};

/// What lands an answer on the app (sent to the event loop as
/// [`Wake::Landed`]).
pub type Landing = Box<dyn FnOnce(&mut App) + Send>;

/// Sends, when the read's thread unwinds from a panic, a landing that says
/// so (and counts the read as done).
struct LandsOnPanic(super::wake::Waker);

impl Drop for LandsOnPanic {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let landing: Landing = Box::new(|app: &mut App| {
                app.message = Some(crate::fault::stopped("a review or report read"));
            });
            let _ = self.0.send(Wake::Landed(landing));
        }
    }
}

/// How many such reads are in flight.
#[derive(Debug, Default)]
pub struct Reads {
    in_flight: usize,
}

impl App {
    /// Runs `load` off the screen's thread and hands its answer to `land`
    /// (on this thread: the answer wakes the event loop).
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
        let waker = self.waker();
        let spawned = std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || {
                // A read that panics still lands: it says so, and nothing
                // waits for it any more.
                let _guard = LandsOnPanic(waker.clone());
                let answer = load(&second);
                let landing: Landing = Box::new(move |app: &mut App| land(app, answer));
                let _ = waker.send(Wake::Landed(landing));
            });
        match spawned {
            Ok(_) => self.reads.in_flight += 1,
            Err(e) => self.message = Some(format!("could not start a reader: {e}")),
        }
    }

    /// Lands one answer (from [`App::on_wake`]).
    pub(crate) fn land_read(&mut self, landing: Landing) {
        self.reads.in_flight = self.reads.in_flight.saturating_sub(1);
        landing(self);
    }

    /// Whether a read is in flight.
    pub fn reading(&self) -> bool {
        self.reads.in_flight > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn app_on_file() -> (tempfile::TempDir, App) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.db"), &Default::default()).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        let mut app = App::new(store, "carl", today, 80, 24);
        assert!(app.settle(Duration::from_secs(30)));
        (dir, app)
    }

    #[test]
    fn a_read_lands_on_the_app_from_its_own_thread() {
        let (_dir, mut app) = app_on_file();
        let main = std::thread::current().id();
        app.read_off_screen(
            move |store| {
                assert_ne!(
                    std::thread::current().id(),
                    main,
                    "read on the screen's thread"
                );
                store.schema_version()
            },
            |app, version| app.message = Some(format!("schema {}", version.unwrap())),
        );
        assert!(app.reading());
        assert!(app.settle(Duration::from_secs(30)));
        assert!(!app.reading());
        let expected = format!("schema {}", crate::store::migrations::LATEST);
        assert_eq!(app.message.as_deref(), Some(expected.as_str()));
    }

    #[test]
    fn a_read_that_panics_still_lands_and_says_so() {
        let (_dir, mut app) = app_on_file();
        app.read_off_screen(
            |_store| -> Result<(), StoreError> { panic!("a bug in a report") },
            |app, _| app.message = Some("landed".into()),
        );
        assert!(app.settle(Duration::from_secs(30)), "waited for ever");
        assert!(!app.reading());
        let message = app.message.clone().unwrap_or_default();
        assert!(
            message.contains("stopped on an internal error"),
            "{message}"
        );
    }
}
