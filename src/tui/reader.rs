//! Reading off the UI thread.
//!
//! What a screen needs from the store (a page of the queue, a patient's prior
//! encounters, a report) is asked as data, a [`Read`], of the reader: a
//! thread with its own connection (or, for an in-memory store, the app's
//! connection at once, as the saver does). Its answer, a [`ReadReply`],
//! wakes the event loop ([`Wake::Read`]); until it lands the screen says it
//! is loading and keeps taking keys.
//!
//! Each read has a [`Slot`] and a generation number. A newer read in a slot
//! supersedes the older: the reader skips a request already superseded when
//! it gets to it, and [`Reader::accept`] drops an answer that is not the
//! newest of its slot (the coder typed on). A read whose answer the next key
//! depends on (moving through the queue past the rows in view) says so
//! ([`Read::holds_keys`]); the app holds keys until it lands, as it does for
//! a save.
//!
//! To add a read (a screen of its own): a variant of [`Read`] and of
//! [`Answer`], a slot, the arm of [`Read::run`] calling the store, and where
//! the app takes the answer (`App::read_landed`).

use super::wake::{OnPanic, Wake, Waker};
use crate::domain::Chart;
use crate::store::{QueueFilter, QueuePage, QueueRow, QueueSummary, Store, charts, queue};
use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;

/// Where the queue's rows go when they land.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// They replace the window; the cursor goes to this row (clamped).
    Replace { select: usize },
    /// Replace the window, the cursor on the last row.
    ReplaceAtEnd,
    /// One row past the bottom: the window scrolls down by one.
    StepDown,
    /// One row before the top: the window scrolls up by one.
    StepUp,
    /// The next page (fewer rows: the last full page).
    PageDown,
    /// The page before.
    PageUp,
}

/// A read, as data.
#[derive(Debug, Clone, PartialEq)]
pub enum Read {
    /// A page of the queue in the order shown (`page` names it in that
    /// order), with the queue's summary when `summary` is set.
    QueuePage {
        filter: QueueFilter,
        newest_first: bool,
        page: QueuePage,
        limit: usize,
        summary: bool,
        fit: Fit,
    },
    /// The patient's other encounters.
    PriorEncounters { chart_id: i64 },
    /// The physician query report.
    QueryReport {
        now: chrono::DateTime<chrono::Utc>,
        response_hours: u32,
        escalation_hours: u32,
    },
    /// The completed charts' DRGs, for the case mix index.
    CaseMix,
}

/// What a read is about: a newer read in the same slot supersedes the older.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Queue,
    Prior,
    Report,
}

/// The answer to a [`Read`]; errors are said in words.
#[derive(Debug, Clone)]
pub enum Answer {
    QueuePage {
        rows: Result<Vec<QueueRow>, String>,
        summary: Option<Result<QueueSummary, String>>,
    },
    PriorEncounters(Result<Vec<Chart>, String>),
    /// A report's text.
    QueryReport(Result<String, String>),
    CaseMix(Result<(Vec<crate::domain::CaseMixRow>, u64), String>),
}

/// A read with its generation and answer.
#[derive(Debug, Clone)]
pub struct ReadReply {
    pub generation: u64,
    pub read: Read,
    pub answer: Answer,
}

impl Read {
    pub fn slot(&self) -> Slot {
        match self {
            Read::QueuePage { .. } => Slot::Queue,
            Read::PriorEncounters { .. } => Slot::Prior,
            Read::QueryReport { .. } | Read::CaseMix => Slot::Report,
        }
    }

    /// Whether the keys that follow depend on the answer (they are held
    /// until it lands).
    pub fn holds_keys(&self) -> bool {
        matches!(
            self,
            Read::QueuePage {
                fit: Fit::StepDown | Fit::StepUp | Fit::PageDown | Fit::PageUp,
                ..
            }
        )
    }

    /// Reads on `store`.
    pub fn run(&self, store: &Store) -> Answer {
        let conn = store.conn();
        match self {
            Read::QueuePage {
                filter,
                newest_first,
                page,
                limit,
                summary,
                ..
            } => Answer::QueuePage {
                rows: queue_page(store, filter, *newest_first, page, *limit)
                    .map_err(|e| format!("could not read the queue: {e}")),
                summary: summary.then(|| {
                    queue::summary(conn, filter)
                        .map_err(|e| format!("could not count the queue: {e}"))
                }),
            },
            Read::PriorEncounters { chart_id } => Answer::PriorEncounters(
                charts::prior_encounters(conn, *chart_id)
                    .map_err(|e| format!("could not read the encounters: {e}")),
            ),
            Read::QueryReport {
                now,
                response_hours,
                escalation_hours,
            } => Answer::QueryReport(
                crate::store::queries::report_rows(conn, None, None)
                    .map(|(rows, coded)| {
                        let report = crate::query::report::compute(
                            &rows,
                            coded,
                            *now,
                            *response_hours,
                            *escalation_hours,
                        );
                        crate::query::report::text(&report)
                    })
                    .map_err(|e| format!("could not read the queries: {e}")),
            ),
            Read::CaseMix => Answer::CaseMix(
                crate::store::drg::case_mix_rows(conn, None, None)
                    .map_err(|e| format!("could not read the DRGs: {e}")),
            ),
        }
    }
}

/// One page in the order shown: `page` names it in that order (`After` is
/// "further down the screen"), and the rows come top to bottom. Newest first
/// is the store's order read backwards.
fn queue_page(
    store: &Store,
    filter: &QueueFilter,
    newest_first: bool,
    page: &QueuePage,
    limit: usize,
) -> crate::store::Result<Vec<QueueRow>> {
    let store_page = if newest_first {
        match page {
            QueuePage::First => QueuePage::Last,
            QueuePage::Last => QueuePage::First,
            QueuePage::After(k) => QueuePage::Before(k.clone()),
            QueuePage::Before(k) => QueuePage::After(k.clone()),
            QueuePage::From(k) => QueuePage::Through(k.clone()),
            QueuePage::Through(k) => QueuePage::From(k.clone()),
        }
    } else {
        page.clone()
    };
    let mut rows = queue::page(store.conn(), filter, &store_page, limit)?;
    if newest_first {
        rows.reverse();
    }
    Ok(rows)
}

enum Runs {
    Thread {
        reads: Option<Sender<(u64, Read)>>,
        handle: Option<JoinHandle<()>>,
    },
    Inline,
}

/// Answers reads: on a thread with its own connection, or, for an in-memory
/// store, at once on the app's connection.
pub struct Reader {
    runs: Runs,
    next: u64,
    /// The newest read asked in each slot, not yet answered.
    pending: BTreeMap<Slot, (u64, bool)>,
}

impl Reader {
    /// A reader for `store` whose answers go to `waker`; a file that cannot
    /// be opened a second time is read on the UI thread, with the reason.
    pub fn for_store(store: &Store, waker: &Waker) -> (Reader, Option<String>) {
        let inline = |why: Option<String>| {
            let reader = Reader {
                runs: Runs::Inline,
                next: 0,
                pending: BTreeMap::new(),
            };
            (
                reader,
                why.map(|e| format!("reading on the screen's thread: {e}")),
            )
        };
        let second = match store.reopen() {
            None => return inline(None),
            Some(Ok(s)) => s,
            Some(Err(e)) => return inline(Some(e.to_string())),
        };
        let (reads, rx) = channel::<(u64, Read)>();
        let waker = waker.clone();
        let spawned = std::thread::Builder::new()
            .name("reader".into())
            .spawn(move || serve(&second, &rx, &waker));
        match spawned {
            Ok(handle) => (
                Reader {
                    runs: Runs::Thread {
                        reads: Some(reads),
                        handle: Some(handle),
                    },
                    next: 0,
                    pending: BTreeMap::new(),
                },
                None,
            ),
            Err(e) => inline(Some(e.to_string())),
        }
    }

    /// Asks for a read. An inline reader (or a thread that has stopped)
    /// answers at once on `store`.
    pub fn ask(&mut self, read: Read, store: &Store) -> Option<ReadReply> {
        self.next += 1;
        let generation = self.next;
        if let Runs::Thread {
            reads: Some(reads), ..
        } = &self.runs
        {
            let holds = read.holds_keys();
            let slot = read.slot();
            match reads.send((generation, read)) {
                Ok(()) => {
                    self.pending.insert(slot, (generation, holds));
                    return None;
                }
                Err(returned) => {
                    let read = returned.0.1;
                    return Some(answer(generation, read, store));
                }
            }
        }
        Some(answer(generation, read, store))
    }

    /// The answer, when it is the newest of its slot; `None`: superseded.
    pub fn accept(&mut self, reply: ReadReply) -> Option<ReadReply> {
        let slot = reply.read.slot();
        match self.pending.get(&slot) {
            Some((generation, _)) if *generation == reply.generation => {
                self.pending.remove(&slot);
                Some(reply)
            }
            _ => None,
        }
    }

    /// Whether a read in `slot` is awaited.
    pub fn loading(&self, slot: Slot) -> bool {
        self.pending.contains_key(&slot)
    }

    /// Whether any read is awaited.
    pub fn busy(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Whether an awaited read holds the keys.
    pub fn holds_keys(&self) -> bool {
        self.pending.values().any(|(_, holds)| *holds)
    }

    /// The thread stopped: read on the UI thread from now on; nothing more
    /// will land.
    pub fn stopped(&mut self) {
        self.runs = Runs::Inline;
        self.pending.clear();
    }
}

fn answer(generation: u64, read: Read, store: &Store) -> ReadReply {
    let answer = read.run(store);
    ReadReply {
        generation,
        read,
        answer,
    }
}

/// The reader thread: takes every request waiting, keeps the newest of each
/// slot, answers them.
fn serve(store: &Store, rx: &Receiver<(u64, Read)>, waker: &Waker) {
    let _stopped = OnPanic {
        waker: waker.clone(),
        stopped: || Wake::ReaderStopped,
    };
    while let Ok(first) = rx.recv() {
        let mut newest: BTreeMap<Slot, (u64, Read)> = BTreeMap::new();
        newest.insert(first.1.slot(), first);
        while let Ok((generation, read)) = rx.try_recv() {
            newest.insert(read.slot(), (generation, read));
        }
        for (_, (generation, read)) in newest {
            let reply = answer(generation, read, store);
            if waker.send(Wake::Read(Box::new(reply))).is_err() {
                return;
            }
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Runs::Thread { reads, handle } = &mut self.runs {
            drop(reads.take());
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
    use std::time::Duration;

    fn file_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("c.db"), &StoreOptions::default()).unwrap();
        crate::demo::seed(&mut store).unwrap();
        (dir, store)
    }

    fn first_page(text: Option<&str>) -> Read {
        Read::QueuePage {
            filter: QueueFilter {
                text: text.map(str::to_string),
                ..QueueFilter::default()
            },
            newest_first: false,
            page: QueuePage::First,
            limit: 50,
            summary: true,
            fit: Fit::Replace { select: 0 },
        }
    }

    fn accounts(reply: &ReadReply) -> Vec<String> {
        match &reply.answer {
            Answer::QueuePage { rows: Ok(rows), .. } => {
                rows.iter().map(|r| r.account.clone()).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_store_is_read_on_the_thread_and_only_the_newest_answer_is_taken() {
        let (_dir, store) = file_store();
        let (tx, rx) = channel();
        let (mut reader, warning) = Reader::for_store(&store, &tx);
        assert!(warning.is_none());
        assert!(reader.ask(first_page(None), &store).is_none(), "sent");
        assert!(reader.ask(first_page(Some("A26110203")), &store).is_none());
        assert!(reader.loading(Slot::Queue) && !reader.loading(Slot::Prior));
        assert!(!reader.holds_keys(), "a filter's page does not hold keys");
        let mut taken = Vec::new();
        while reader.loading(Slot::Queue) {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Wake::Read(reply)) => taken.extend(reader.accept(*reply)),
                _ => panic!("no answer"),
            }
        }
        assert_eq!(taken.len(), 1, "the older answer, if it came, was dropped");
        assert_eq!(taken[0].generation, 2);
        // The demo queue holds that account once (data/demo_charts.json).
        assert_eq!(accounts(&taken[0]), ["A26110203"]);
    }

    #[test]
    fn an_in_memory_store_is_read_at_once() {
        let mut store = Store::open_in_memory().unwrap();
        crate::demo::seed(&mut store).unwrap();
        let (tx, _rx) = channel();
        let (mut reader, _) = Reader::for_store(&store, &tx);
        let reply = reader.ask(first_page(Some("A26110203")), &store).unwrap();
        assert_eq!(accounts(&reply), ["A26110203"]);
        assert!(!reader.busy());
    }

    #[test]
    fn moving_past_the_rows_in_view_holds_the_keys() {
        let (_dir, store) = file_store();
        let (tx, rx) = channel();
        let (mut reader, _) = Reader::for_store(&store, &tx);
        let Read::QueuePage {
            filter,
            newest_first,
            limit,
            summary,
            ..
        } = first_page(None)
        else {
            unreachable!()
        };
        let step = Read::QueuePage {
            filter,
            newest_first,
            page: QueuePage::Last,
            limit,
            summary,
            fit: Fit::PageDown,
        };
        reader.ask(step, &store);
        assert!(reader.holds_keys());
        let Ok(Wake::Read(reply)) = rx.recv_timeout(Duration::from_secs(10)) else {
            panic!("no answer");
        };
        assert!(reader.accept(*reply).is_some());
        assert!(!reader.holds_keys() && !reader.busy());
    }
}
