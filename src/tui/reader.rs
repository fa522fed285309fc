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
//! The review screens' reads (the review queue, a review side by side) need
//! the grouper: the read carries it ([`Grouping`], shared tables), as the
//! saver's review actions do; before the code sets are in it is `None` and
//! the store keeps the stored DRG. A read that panics on the thread still
//! lands, as its answer's error (it says the read stopped), and the thread
//! goes on serving.
//!
//! To add a read (a screen of its own): a variant of [`Read`] and of
//! [`Answer`], a slot, the arms of [`Read::run`] (calling the store) and
//! [`Read::failed`], and where the app takes the answer (`App::read_landed`).

use super::reports::{QualityReport, QualityTab};
use super::saver::Grouping;
use super::wake::{OnPanic, Wake, Waker};
use crate::domain::Chart;
use crate::store::quality::Scope;
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
    /// The site's policies (idle lock, query escalation), read once at start.
    SitePolicy,
    /// The review queue (the single-CC/MCC rule asks the grouper) and the
    /// user's role.
    ReviewQueue {
        user: String,
        grouping: Option<Grouping>,
    },
    /// A chart's review side by side (its DRG regrouped as the codes stand)
    /// and the user's role.
    Review {
        chart_id: i64,
        user: String,
        grouping: Option<Grouping>,
    },
    /// A quality report over a scope (DNFB as of `today`, at `base_rate`).
    Quality {
        tab: QualityTab,
        scope: Scope,
        today: chrono::NaiveDate,
        base_rate: f64,
    },
}

/// What a read is about: a newer read in the same slot supersedes the older.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Slot {
    Queue,
    Prior,
    Report,
    Policy,
    ReviewQueue,
    Review,
    Quality,
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
    SitePolicy(Result<crate::store::site::Policy, String>),
    ReviewQueue(Result<(Vec<crate::store::review::QueueEntry>, crate::domain::Role), String>),
    Review(Result<super::review::Loaded, String>),
    Quality(Result<QualityReport, String>),
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
            Read::SitePolicy => Slot::Policy,
            Read::ReviewQueue { .. } => Slot::ReviewQueue,
            Read::Review { .. } => Slot::Review,
            Read::Quality { .. } => Slot::Quality,
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
            } => match queue_page(store, filter, *newest_first, page, *limit, *summary) {
                Ok((rows, summary)) => Answer::QueuePage {
                    rows: Ok(rows),
                    summary: summary.map(Ok),
                },
                Err(e) => Answer::QueuePage {
                    rows: Err(format!("could not read the queue: {e}")),
                    summary: summary.then(|| Err(format!("could not count the queue: {e}"))),
                },
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
            Read::SitePolicy => Answer::SitePolicy(crate::store::site::policy(conn).map_err(|e| {
                format!("the site's policies could not be read ({e}): the defaults apply")
            })),
            Read::ReviewQueue { user, grouping } => {
                let single =
                    |chart: &Chart| grouping.as_ref().is_some_and(|g| g.single_cc_mcc(chart));
                Answer::ReviewQueue(
                    super::review_queue::load(store, user, &single)
                        .map_err(|e| format!("could not read the review queue: {e}")),
                )
            }
            Read::Review {
                chart_id,
                user,
                grouping,
            } => {
                let regroup = |chart: &Chart| grouping.as_ref().and_then(|g| g.regroup(chart));
                Answer::Review(
                    super::review::load(store, *chart_id, user, &regroup)
                        .map_err(|e| format!("could not read the review: {e}")),
                )
            }
            Read::Quality {
                tab,
                scope,
                today,
                base_rate,
            } => Answer::Quality(
                super::reports::load(store, *tab, scope, *today, *base_rate).map_err(|e| match e {
                    crate::store::StoreError::Refused(why) => format!("refused: {why}"),
                    e => format!("could not read the report: {e}"),
                }),
            ),
        }
    }

    /// The answer of a read that could not run: `why`, as its error.
    pub fn failed(&self, why: String) -> Answer {
        match self {
            Read::QueuePage { .. } => Answer::QueuePage {
                rows: Err(why),
                summary: None,
            },
            Read::PriorEncounters { .. } => Answer::PriorEncounters(Err(why)),
            Read::QueryReport { .. } => Answer::QueryReport(Err(why)),
            Read::CaseMix => Answer::CaseMix(Err(why)),
            Read::SitePolicy => Answer::SitePolicy(Err(why)),
            Read::ReviewQueue { .. } => Answer::ReviewQueue(Err(why)),
            Read::Review { .. } => Answer::Review(Err(why)),
            Read::Quality { .. } => Answer::Quality(Err(why)),
        }
    }
}

/// One page in the order shown: `page` names it in that order (`After` is
/// "further down the screen"), and the rows come top to bottom. Newest first
/// is the store's order read backwards. With the queue's summary when
/// `summary` is set, read in the same call (a typed text planned once).
fn queue_page(
    store: &Store,
    filter: &QueueFilter,
    newest_first: bool,
    page: &QueuePage,
    limit: usize,
    summary: bool,
) -> crate::store::Result<(Vec<QueueRow>, Option<QueueSummary>)> {
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
    let (mut rows, summary) =
        queue::page_and_summary(store.conn(), filter, &store_page, limit, summary)?;
    if newest_first {
        rows.reverse();
    }
    Ok((rows, summary))
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
        Reader::with_probe(store, waker, |_| {})
    }

    /// [`Reader::for_store`] calling `probe` on the thread before each read
    /// (tests make it panic).
    pub fn with_probe(store: &Store, waker: &Waker, probe: Probe) -> (Reader, Option<String>) {
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
            .spawn(move || serve(&second, &rx, &waker, probe));
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

/// A hook the reader thread calls before each read (tests make it panic).
pub type Probe = fn(&Read);

/// A read on the reader thread: a panic in it is caught and answered as the
/// read's error, so the screen waiting for it hears and the thread goes on.
fn guarded(generation: u64, read: Read, store: &Store, probe: Probe) -> ReadReply {
    let run = std::panic::AssertUnwindSafe(|| {
        probe(&read);
        read.run(store)
    });
    let answer = std::panic::catch_unwind(run)
        .unwrap_or_else(|_| read.failed(crate::fault::stopped("the read")));
    ReadReply {
        generation,
        read,
        answer,
    }
}

/// The reader thread: takes every request waiting, keeps the newest of each
/// slot, answers them.
fn serve(store: &Store, rx: &Receiver<(u64, Read)>, waker: &Waker, probe: Probe) {
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
            let reply = guarded(generation, read, store, probe);
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
    /// The app on a database file (reads go to the reader thread), with
    /// `probe` called on that thread before each read.
    fn app_on_file(probe: Probe) -> (tempfile::TempDir, crate::tui::app::App) {
        let (dir, store) = file_store();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        let mut app = crate::tui::app::App::new(store, "carl", today, 80, 24);
        assert!(app.settle(Duration::from_secs(30)));
        let (reader, warning) = Reader::with_probe(app.store(), &app.waker(), probe);
        assert!(warning.is_none());
        app.workers.reader = reader;
        (dir, app)
    }

    fn quality_loading(app: &crate::tui::app::App) -> bool {
        match &app.screen {
            crate::tui::app::Screen::Queue(crate::tui::focus::QueueFocus::Quality(q)) => q.loading,
            _ => panic!("not on the reports screen"),
        }
    }

    static READ_ON: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

    fn record_thread(read: &Read) {
        if matches!(read, Read::Quality { .. }) {
            let name = std::thread::current().name().unwrap_or("").to_string();
            READ_ON.lock().unwrap().push(name);
        }
    }

    #[test]
    fn a_report_is_read_on_the_reader_thread_and_lands() {
        let (_dir, mut app) = app_on_file(record_thread);
        app.open_quality(crate::tui::reports::QualityTab::Productivity);
        assert!(quality_loading(&app), "asked, not read here");
        assert!(app.workers.reader.loading(Slot::Quality));
        assert!(app.settle(Duration::from_secs(30)));
        assert!(!quality_loading(&app));
        assert_eq!(READ_ON.lock().unwrap().as_slice(), ["reader"]);
        let crate::tui::app::Screen::Queue(crate::tui::focus::QueueFocus::Quality(q)) = &app.screen
        else {
            unreachable!()
        };
        assert!(q.report.is_some(), "{:?}", app.message);
    }

    fn explode(read: &Read) {
        if matches!(read, Read::Quality { .. }) {
            panic!("a bug in a report");
        }
    }

    #[test]
    fn a_read_that_panics_still_lands_says_so_and_the_reader_goes_on() {
        let (_dir, mut app) = app_on_file(explode);
        app.open_quality(crate::tui::reports::QualityTab::Productivity);
        assert!(app.settle(Duration::from_secs(30)), "waited for ever");
        assert!(!quality_loading(&app), "the report is no longer awaited");
        let message = app.message.clone().unwrap_or_default();
        assert!(
            message.contains("stopped on an internal error"),
            "{message}"
        );
        // The thread still answers the next read.
        app.read(Read::SitePolicy);
        assert!(
            app.workers.reader.loading(Slot::Policy),
            "sent to the thread"
        );
        assert!(app.settle(Duration::from_secs(30)));
        assert!(!app.workers.reader.busy());
    }

    #[test]
    fn a_newer_review_read_supersedes_the_older() {
        let (_dir, store) = file_store();
        let (tx, rx) = channel();
        let (mut reader, _) = Reader::for_store(&store, &tx);
        let review = |chart_id| Read::Review {
            chart_id,
            user: "carl".into(),
            grouping: None,
        };
        assert!(reader.ask(review(1), &store).is_none());
        assert!(reader.ask(review(2), &store).is_none());
        let mut taken = Vec::new();
        while reader.loading(Slot::Review) {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(Wake::Read(reply)) => taken.extend(reader.accept(*reply)),
                _ => panic!("no answer"),
            }
        }
        assert_eq!(taken.len(), 1);
        assert!(matches!(taken[0].read, Read::Review { chart_id: 2, .. }));
        assert!(matches!(taken[0].answer, Answer::Review(_)));
    }
}
