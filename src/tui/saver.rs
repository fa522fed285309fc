//! Saving off the UI thread.
//!
//! Every change to a chart is one store action: one `BEGIN IMMEDIATE`
//! transaction with its audit row. It runs on the saver thread, on a connection
//! of its own, so a database another program keeps locked (up to the busy
//! timeout) never freezes the screen: it keeps drawing, says it is saving, and
//! follows a resize. The chart is read back on the same connection after the
//! action, so what the screen then shows is what was saved.
//!
//! While an action is in flight the app holds the keys that arrive and replays
//! them in order when the answer lands (see `App::handle_event`): each key acts
//! on the chart as saved, exactly as if the save had been instant, and none is
//! lost. Dropping the saver waits for the actions already sent, so quitting
//! never abandons one.

use crate::domain::Chart;
use crate::store::coding::{self, Claim, CodeList};
use crate::store::sql::Tx;
use crate::store::{Store, StoreError, charts};
use std::collections::HashSet;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// What a store action gives back.
#[derive(Debug)]
pub enum Done {
    Nothing,
    /// Where the changed code now is in its list.
    At(usize),
    Claim(Claim),
    /// The id of the query sent.
    Query(i64),
}

/// What the screen does with the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Then {
    /// Show the chart just claimed (or found read-only).
    Open,
    /// Select the code at the answered position of the list.
    Select(CodeList),
    /// The code was added from the search popup: close it and select the code.
    Assigned { list: CodeList, code: String },
    /// The chart left the coder's queue: back to the queue, with this message.
    Leave(String),
    /// Show the chart as saved, with this message if any.
    Show(Option<String>),
    /// A physician query was sent: the form closes.
    QuerySent,
}

type Action = Box<dyn FnOnce(&Tx<'_>) -> Result<Done, StoreError> + Send>;
/// Work after the action is committed (a file to write), on the saver thread;
/// what it says is shown to the coder.
type After = Box<dyn FnOnce(&Store, &Done) -> Option<String> + Send>;

/// One store action on one chart.
pub struct Job {
    chart_id: i64,
    then: Then,
    action: Action,
    after: Option<After>,
}

impl Job {
    pub fn new(
        chart_id: i64,
        then: Then,
        action: impl FnOnce(&Tx<'_>) -> Result<Done, StoreError> + Send + 'static,
    ) -> Job {
        Job {
            chart_id,
            then,
            action: Box::new(action),
            after: None,
        }
    }

    /// Adds work to do once the action is committed.
    pub fn then_after(
        mut self,
        after: impl FnOnce(&Store, &Done) -> Option<String> + Send + 'static,
    ) -> Job {
        self.after = Some(Box::new(after));
        self
    }

    fn run(self, store: &mut Store) -> Reply {
        let result = store.write(self.action);
        let note = match (&result, self.after) {
            (Ok(done), Some(after)) => after(store, done),
            _ => None,
        };
        let saved = Saved::read(store, self.chart_id);
        Reply {
            chart_id: self.chart_id,
            then: self.then,
            result,
            saved,
            note,
        }
    }
}

/// A chart as saved: its codes, open holds, acknowledged warnings and queries.
#[derive(Debug, Clone)]
pub struct Saved {
    pub chart: Chart,
    pub holds: Vec<String>,
    pub acks: HashSet<String>,
    pub queries: Vec<crate::query::StoredQuery>,
}

impl Saved {
    pub fn read(store: &Store, chart_id: i64) -> Result<Saved, StoreError> {
        Ok(Saved {
            chart: charts::load_chart(store.conn(), chart_id)?,
            holds: coding::open_holds(store.conn(), chart_id)?,
            acks: coding::acknowledged(store.conn(), chart_id)?,
            queries: crate::store::queries::for_chart(store.conn(), chart_id)?,
        })
    }
}

/// The answer to a [`Job`].
#[derive(Debug)]
pub struct Reply {
    pub chart_id: i64,
    pub then: Then,
    pub result: Result<Done, StoreError>,
    /// The chart as saved after the action (whether or not the action went
    /// through).
    pub saved: Result<Saved, StoreError>,
    /// What the work after the commit said.
    pub note: Option<String>,
}

/// What asking the saver for an answer gives.
#[derive(Debug)]
pub enum Answer {
    Reply(Box<Reply>),
    NotYet,
    /// No answer can come any more: the thread has stopped (it can only have
    /// panicked, which rolled back the job in hand with its connection).
    Stopped,
}

/// Runs the jobs: on a thread with its own connection, or, for an in-memory
/// store (tests, benchmarks), at once on the app's connection, the only one.
pub enum Saver {
    Thread {
        jobs: Option<Sender<Job>>,
        replies: Receiver<Reply>,
        handle: Option<JoinHandle<()>>,
    },
    Inline,
}

impl Saver {
    /// A saver for `store`: a thread when the store is a file. A file that
    /// cannot be opened a second time falls back to saving on the UI thread,
    /// with the reason.
    pub fn for_store(store: &Store) -> (Saver, Option<String>) {
        let second = match store.reopen() {
            None => return (Saver::Inline, None),
            Some(Ok(s)) => s,
            Some(Err(e)) => {
                return (
                    Saver::Inline,
                    Some(format!("saving on the screen's thread: {e}")),
                );
            }
        };
        let (jobs, job_rx) = channel::<Job>();
        let (reply_tx, replies) = channel();
        let spawned = std::thread::Builder::new()
            .name("saver".into())
            .spawn(move || {
                let mut store = second;
                for job in job_rx {
                    if reply_tx.send(job.run(&mut store)).is_err() {
                        break;
                    }
                }
            });
        match spawned {
            Ok(handle) => (
                Saver::Thread {
                    jobs: Some(jobs),
                    replies,
                    handle: Some(handle),
                },
                None,
            ),
            Err(e) => (
                Saver::Inline,
                Some(format!("saving on the screen's thread: {e}")),
            ),
        }
    }

    /// Sends the job; an inline saver (or a thread that has stopped) runs it
    /// at once on `store` and gives its answer back.
    pub fn submit(&self, job: Job, store: &mut Store) -> Option<Reply> {
        match self {
            Saver::Thread {
                jobs: Some(jobs), ..
            } => match jobs.send(job) {
                Ok(()) => None,
                Err(returned) => Some(returned.0.run(store)),
            },
            _ => Some(job.run(store)),
        }
    }

    /// An answer, if one has arrived.
    pub fn try_recv(&self) -> Answer {
        match self {
            Saver::Thread { replies, .. } => match replies.try_recv() {
                Ok(r) => Answer::Reply(Box::new(r)),
                Err(TryRecvError::Empty) => Answer::NotYet,
                Err(TryRecvError::Disconnected) => Answer::Stopped,
            },
            Saver::Inline => Answer::Stopped,
        }
    }

    /// Waits up to `timeout` for an answer.
    pub fn recv_timeout(&self, timeout: Duration) -> Answer {
        match self {
            Saver::Thread { replies, .. } => match replies.recv_timeout(timeout) {
                Ok(r) => Answer::Reply(Box::new(r)),
                Err(RecvTimeoutError::Timeout) => Answer::NotYet,
                Err(RecvTimeoutError::Disconnected) => Answer::Stopped,
            },
            Saver::Inline => Answer::Stopped,
        }
    }
}

impl Drop for Saver {
    /// Waits for the jobs already sent: quitting never abandons a change.
    fn drop(&mut self) {
        if let Saver::Thread { jobs, handle, .. } = self {
            drop(jobs.take());
            if let Some(h) = handle.take() {
                let _ = h.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreOptions;

    /// Charts of the demo queue nobody has claimed yet.
    fn free_charts(store: &Store, n: usize) -> Vec<i64> {
        let ids: Vec<i64> = store
            .conn()
            .query_map(
                "SELECT chart_id FROM charts WHERE claimed_by IS NULL
                 AND status IN ('ready', 'in_progress') ORDER BY chart_id",
                [],
                |r| r.get(0),
            )
            .unwrap()
            .into_iter()
            .take(n)
            .collect();
        assert_eq!(ids.len(), n);
        ids
    }

    fn claimed_by(store: &Store, chart_id: i64) -> Option<String> {
        store
            .conn()
            .query_row(
                "SELECT claimed_by FROM charts WHERE chart_id = ?1",
                [chart_id],
                |r| r.get(0),
            )
            .unwrap()
    }

    #[test]
    fn a_file_store_saves_on_a_thread_and_answers_with_the_chart_as_saved() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("charts.db");
        let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
        crate::demo::seed(&mut store).unwrap();
        let (saver, warning) = Saver::for_store(&store);
        assert!(warning.is_none());
        assert!(matches!(saver, Saver::Thread { .. }));
        let id = free_charts(&store, 1)[0];
        let job = Job::new(id, Then::Open, move |tx| {
            coding::claim(tx, id, "amy").map(Done::Claim)
        });
        assert!(
            saver.submit(job, &mut store).is_none(),
            "sent, not run here"
        );
        let Answer::Reply(reply) = saver.recv_timeout(Duration::from_secs(10)) else {
            panic!("no answer");
        };
        assert!(
            matches!(reply.result, Ok(Done::Claim(Claim::Mine))),
            "{reply:?}"
        );
        let saved = reply.saved.unwrap();
        assert_eq!(saved.chart, charts::load_chart(store.conn(), id).unwrap());
        assert!(saved.holds.is_empty() && saved.acks.is_empty());
        // The UI's own connection sees the commit.
        assert_eq!(claimed_by(&store, id).as_deref(), Some("amy"));
    }

    #[test]
    fn dropping_the_saver_finishes_the_jobs_already_sent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("charts.db");
        let mut store = Store::open(&path, &StoreOptions::default()).unwrap();
        crate::demo::seed(&mut store).unwrap();
        let (saver, _) = Saver::for_store(&store);
        let ids = free_charts(&store, 5);
        for &id in &ids {
            let job = Job::new(id, Then::Open, move |tx| {
                coding::claim(tx, id, "amy").map(Done::Claim)
            });
            assert!(saver.submit(job, &mut store).is_none());
        }
        drop(saver);
        for &id in &ids {
            assert_eq!(claimed_by(&store, id).as_deref(), Some("amy"), "chart {id}");
        }
    }

    #[test]
    fn an_in_memory_store_saves_at_once() {
        let mut store = Store::open_in_memory().unwrap();
        crate::demo::seed(&mut store).unwrap();
        let (saver, warning) = Saver::for_store(&store);
        assert!(warning.is_none());
        let id = free_charts(&store, 1)[0];
        let job = Job::new(id, Then::Open, move |tx| {
            coding::claim(tx, id, "bo").map(Done::Claim)
        });
        let reply = saver.submit(job, &mut store).expect("ran inline");
        assert_eq!(reply.chart_id, id);
        assert!(matches!(reply.result, Ok(Done::Claim(Claim::Mine))));
    }
}
