//! Search off the UI thread. The UI submits every keystroke's query; the worker
//! runs only the newest one waiting (a query overtaken while it waited is
//! dropped, never run), and answers with the request's id so the UI can ignore
//! an answer to a query it no longer shows.

use super::{Filters, Hit, SearchIndex, Searcher};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Request {
    pub id: u64,
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub id: u64,
    pub query: String,
    pub hits: Vec<Hit>,
    pub elapsed: Duration,
}

#[derive(Default)]
struct State {
    pending: Option<Request>,
    stop: bool,
}

pub struct SearchWorker {
    shared: Arc<(Mutex<State>, Condvar)>,
    results: Receiver<Response>,
    handle: Option<JoinHandle<()>>,
    next_id: u64,
}

impl SearchWorker {
    pub fn spawn(index: Arc<SearchIndex>) -> std::io::Result<SearchWorker> {
        SearchWorker::spawn_notifying(index, || {})
    }

    /// [`SearchWorker::spawn`], calling `notify` on the worker thread after
    /// each answer is sent (so that a program waiting on something else, the
    /// workstation's event loop, wakes for it instead of polling).
    pub fn spawn_notifying(
        index: Arc<SearchIndex>,
        notify: impl Fn() + Send + 'static,
    ) -> std::io::Result<SearchWorker> {
        let shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let (tx, results) = channel();
        let worker_shared = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("search".into())
            .spawn(move || run(&index, &worker_shared, &tx, &notify))?;
        Ok(SearchWorker {
            shared,
            results,
            handle: Some(handle),
            next_id: 0,
        })
    }

    /// Queues a search in place of any still waiting; returns its id.
    pub fn submit(&mut self, query: &str, filters: Filters, limit: usize) -> u64 {
        self.next_id += 1;
        let (lock, ready) = &*self.shared;
        let mut state = lock.lock().unwrap_or_else(|p| p.into_inner());
        state.pending = Some(Request {
            id: self.next_id,
            query: query.to_string(),
            filters,
            limit,
        });
        ready.notify_one();
        self.next_id
    }

    /// The id of the newest submitted search.
    pub fn latest(&self) -> u64 {
        self.next_id
    }

    /// An answer, if one is ready.
    pub fn try_recv(&self) -> Option<Response> {
        self.results.try_recv().ok()
    }

    /// Whether the worker thread has ended: it ends only when dropped, so
    /// this means it panicked, and no answer will come.
    pub fn stopped(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Waits up to `timeout` for an answer.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Response> {
        self.results.recv_timeout(timeout).ok()
    }
}

impl Drop for SearchWorker {
    fn drop(&mut self) {
        let (lock, ready) = &*self.shared;
        lock.lock().unwrap_or_else(|p| p.into_inner()).stop = true;
        ready.notify_one();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn run(
    index: &SearchIndex,
    shared: &(Mutex<State>, Condvar),
    tx: &Sender<Response>,
    notify: &dyn Fn(),
) {
    let mut searcher = Searcher::new(index);
    let (lock, ready) = shared;
    loop {
        let request = {
            let mut state = lock.lock().unwrap_or_else(|p| p.into_inner());
            loop {
                if state.stop {
                    return;
                }
                if let Some(r) = state.pending.take() {
                    break r;
                }
                state = ready.wait(state).unwrap_or_else(|p| p.into_inner());
            }
        };
        let start = Instant::now();
        let hits = searcher.search(&request.query, &request.filters, request.limit);
        let response = Response {
            id: request.id,
            query: request.query,
            hits,
            elapsed: start.elapsed(),
        };
        if tx.send(response).is_err() {
            return;
        }
        notify();
    }
}
