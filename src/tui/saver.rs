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

use super::wake::{OnPanic, Wake, Waker};
use crate::domain::Chart;
use crate::store::coding::{self, CodeList};
pub use crate::store::command::{Command, Done};
use crate::store::{Store, StoreError, charts};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

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
    /// A session audit row ([`Command::AuditSession`]): nothing to show
    /// unless it failed.
    Session(crate::domain::AuditAction),
}

/// Work after the action is committed, on the saver thread; what it says is
/// shown to the coder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterCommit {
    /// Write the query the action sent ([`Done::Query`]) into this outbox
    /// folder (`queries.outbox_dir`).
    WriteQueryOutbox { dir: PathBuf },
    /// Write the chart's BAR^P12 into this HL7 outbox (`hl7.outbox_dir`).
    WriteBar { dir: PathBuf },
}

impl AfterCommit {
    fn run(&self, store: &Store, chart_id: i64, done: &Done) -> Option<String> {
        match self {
            AfterCommit::WriteQueryOutbox { dir } => {
                let Done::Query(query_id) = done else {
                    return None;
                };
                let text = crate::store::queries::get(store.conn(), *query_id)
                    .ok()
                    .flatten()
                    .and_then(|q| q.text)?;
                let written =
                    store
                        .database_id()
                        .map_err(std::io::Error::other)
                        .and_then(|database| {
                            let protected = store.protected_files();
                            crate::outbox::write(dir, &database, *query_id, &text, &protected)
                        });
                Some(match written {
                    Ok(path) => format!("written to {}", path.display()),
                    Err(e) => format!("NOT written to the outbox {}: {e}", dir.display()),
                })
            }
            AfterCommit::WriteBar { dir } => {
                Some(match super::bar_out::write(store, dir, chart_id) {
                    Ok(_) => "BAR^P12 written to the HL7 outbox".to_string(),
                    Err(e) => format!("BAR^P12 NOT written to {}: {e}", dir.display()),
                })
            }
        }
    }
}

/// One store action on one chart, as data: the command, who does it, what the
/// screen does with the answer, and what to do once it is committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub chart_id: i64,
    pub user: String,
    pub command: Command,
    pub then: Then,
    pub after: Option<AfterCommit>,
    /// The grouper a review action regroups the chart with.
    pub grouping: Option<Grouping>,
}

/// The grouper's tables and the hospital's status: what a review action on
/// the saver thread regroups a chart with.
#[derive(Clone)]
pub struct Grouping {
    pub grouper: std::sync::Arc<crate::drg::Grouper>,
    pub hospital: crate::drg::HospitalStatus,
}

impl Grouping {
    /// The final DRG of the chart as it stands.
    pub fn regroup(&self, chart: &crate::domain::Chart) -> Option<crate::domain::FinalDrg> {
        crate::drg::regroup::regroup(&self.grouper, chart, self.hospital)
    }

    /// Whether the chart's DRG rests on a single CC or MCC.
    pub fn single_cc_mcc(&self, chart: &crate::domain::Chart) -> bool {
        crate::drg::regroup::single_cc_mcc(&self.grouper, chart, self.hospital)
    }
}

impl PartialEq for Grouping {
    fn eq(&self, other: &Grouping) -> bool {
        std::sync::Arc::ptr_eq(&self.grouper, &other.grouper) && self.hospital == other.hospital
    }
}

impl std::fmt::Debug for Grouping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Grouping")
            .field("hospital", &self.hospital)
            .finish_non_exhaustive()
    }
}

impl Job {
    pub fn new(chart_id: i64, user: &str, command: Command, then: Then) -> Job {
        Job {
            chart_id,
            user: user.to_string(),
            command,
            then,
            after: None,
            grouping: None,
        }
    }

    /// The grouper a review action regroups the chart with (none: the DRG
    /// is taken as stored).
    pub fn with_grouping(mut self, grouping: Option<Grouping>) -> Job {
        self.grouping = grouping;
        self
    }

    /// The session audit row `action` for `user` (no chart).
    pub fn session(user: &str, action: crate::domain::AuditAction, detail: &str) -> Job {
        let command = Command::AuditSession {
            action,
            detail: detail.to_string(),
        };
        Job::new(0, user, command, Then::Session(action))
    }

    /// Adds work to do once the action is committed.
    pub fn then_after(mut self, after: AfterCommit) -> Job {
        self.after = Some(after);
        self
    }

    fn run(self, store: &mut Store) -> Reply {
        let (chart_id, user) = (self.chart_id, self.user.as_str());
        let grouping = self.grouping.as_ref();
        let regroup = |chart: &crate::domain::Chart| grouping.and_then(|g| g.regroup(chart));
        let single =
            |chart: &crate::domain::Chart| grouping.is_some_and(|g| g.single_cc_mcc(chart));
        let regrouping = crate::store::command::Regrouping {
            regroup: &regroup,
            single: grouping.map(|_| &single as crate::store::review::SingleCcMcc<'_>),
        };
        let result = store.write(|tx| self.command.apply_with(tx, chart_id, user, &regrouping));
        let note = match (&result, &self.after) {
            (Ok(done), Some(after)) => after.run(store, chart_id, done),
            _ => None,
        };
        let saved = if self.command.on_chart() {
            Saved::read(store, chart_id)
        } else {
            Err(StoreError::Refused("no chart".into()))
        };
        Reply {
            chart_id,
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

/// A hook the saver thread calls before each job (tests make it panic).
pub type Probe = fn(&Job);

/// Runs the jobs: on a thread with its own connection, whose answers wake the
/// event loop ([`Wake::Saved`]), or, for an in-memory store (tests,
/// benchmarks), at once on the app's connection, the only one.
pub enum Saver {
    Thread {
        jobs: Option<Sender<Job>>,
        handle: Option<JoinHandle<()>>,
    },
    Inline,
}

impl Saver {
    /// A saver for `store` whose answers go to `waker`: a thread when the
    /// store is a file. A file that cannot be opened a second time falls
    /// back to saving on the UI thread, with the reason.
    pub fn for_store(store: &Store, waker: &Waker) -> (Saver, Option<String>) {
        Saver::with_probe(store, waker, |_| {})
    }

    /// [`Saver::for_store`] calling `probe` on the thread before each job.
    pub fn with_probe(store: &Store, waker: &Waker, probe: Probe) -> (Saver, Option<String>) {
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
        let waker = waker.clone();
        let spawned = std::thread::Builder::new()
            .name("saver".into())
            .spawn(move || {
                let _stopped = OnPanic {
                    waker: waker.clone(),
                    stopped: || Wake::SaverStopped,
                };
                let mut store = second;
                for job in job_rx {
                    probe(&job);
                    if waker
                        .send(Wake::Saved(Box::new(job.run(&mut store))))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        match spawned {
            Ok(handle) => (
                Saver::Thread {
                    jobs: Some(jobs),
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
    use crate::store::coding::Claim;
    use std::sync::mpsc::Receiver;
    use std::time::Duration;

    fn claim(id: i64, user: &str) -> Job {
        Job::new(id, user, Command::Claim, Then::Open)
    }

    fn waker() -> (Waker, Receiver<Wake>) {
        channel()
    }

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
        let (tx, rx) = waker();
        let (saver, warning) = Saver::for_store(&store, &tx);
        assert!(warning.is_none());
        assert!(matches!(saver, Saver::Thread { .. }));
        let id = free_charts(&store, 1)[0];
        assert!(
            saver.submit(claim(id, "amy"), &mut store).is_none(),
            "sent, not run here"
        );
        let Ok(Wake::Saved(reply)) = rx.recv_timeout(Duration::from_secs(10)) else {
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
        let (tx, _rx) = waker();
        let (saver, _) = Saver::for_store(&store, &tx);
        let ids = free_charts(&store, 5);
        for &id in &ids {
            assert!(saver.submit(claim(id, "amy"), &mut store).is_none());
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
        let (tx, _rx) = waker();
        let (saver, warning) = Saver::for_store(&store, &tx);
        assert!(warning.is_none());
        let id = free_charts(&store, 1)[0];
        let reply = saver
            .submit(claim(id, "bo"), &mut store)
            .expect("ran inline");
        assert_eq!(reply.chart_id, id);
        assert!(matches!(reply.result, Ok(Done::Claim(Claim::Mine))));
    }

    #[test]
    fn the_bar_is_written_after_the_completion_commits_and_not_after_a_refusal() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = dir.path().join("hl7");
        std::fs::create_dir(&outbox).unwrap();
        let mut store = Store::open_in_memory().unwrap();
        crate::demo::seed(&mut store).unwrap();
        let (tx, _rx) = waker();
        let (saver, _) = Saver::for_store(&store, &tx);
        let id = free_charts(&store, 1)[0];
        saver.submit(claim(id, "amy"), &mut store).unwrap();
        let complete = Job::new(
            id,
            "amy",
            Command::Complete {
                blocking: vec![],
                drg: None,
            },
            Then::Leave("done".into()),
        )
        .then_after(AfterCommit::WriteBar {
            dir: outbox.clone(),
        });
        // No diagnosis yet: refused, so nothing is written.
        let reply = saver.submit(complete.clone(), &mut store).unwrap();
        assert!(reply.result.is_err() && reply.note.is_none());
        assert_eq!(std::fs::read_dir(&outbox).unwrap().count(), 0);
        let dx = Command::AddDiagnosis {
            code: "I10".into(),
            edition: "FY2026".into(),
        };
        let add = Job::new(id, "amy", dx, Then::Show(None));
        assert!(saver.submit(add, &mut store).unwrap().result.is_ok());
        let reply = saver.submit(complete, &mut store).unwrap();
        assert!(reply.result.is_ok(), "{reply:?}");
        assert_eq!(
            reply.note.as_deref(),
            Some("BAR^P12 written to the HL7 outbox")
        );
        let files: Vec<_> = std::fs::read_dir(&outbox).unwrap().collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(
            text.starts_with("MSH|") && text.contains("BAR^P12"),
            "{text}"
        );
        assert!(text.contains("I10"), "{text}");
    }
}
