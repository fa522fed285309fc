//! The chart screen and the code-search popup: their state, and how keys change
//! it. Every change to the chart is one store action (one transaction with its
//! audit row) sent to the saver thread (`saver`); the chart it reads back after
//! the action replaces the one on screen, so what the screen shows is what is
//! saved.

use super::app::{App, Screen};
use super::focus::ChartFocus;
use super::saver::{AfterCommit, Command, Done, Job, Reply, Saved, Then};
use super::search_popup::popup_in;
pub use super::search_popup::{POPUP_HITS, PopupStage, SearchPopup};
use crate::codeset::Edition;
use crate::domain::{Chart, CodeSystem};
use crate::edits::{Finding, Severity};
use crate::reference::CodeSets;
use crate::search::System;
use crate::search::worker::SearchWorker;
use crate::store::StoreError;
use crate::store::coding::{Claim, CodeList};
use chrono::NaiveDate;
use std::sync::Arc;

/// How often an open chart's claim is marked active.
const CLAIM_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(300);
/// How soon the loop looks again while a code search is awaited.
/// While a search is awaited, how soon the loop checks that the search
/// worker still lives (its answers wake the loop themselves; one that
/// panicked sends none).
const SEARCH_CHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// The panes of the chart screen, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Documents,
    Diagnoses,
    Procedures,
    Edits,
}

impl Pane {
    const ORDER: [Pane; 4] = [
        Pane::Documents,
        Pane::Diagnoses,
        Pane::Procedures,
        Pane::Edits,
    ];

    pub(crate) fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// An open chart.
#[derive(Debug, Clone)]
pub struct ChartView {
    pub chart_id: i64,
    pub chart: Chart,
    /// Why the chart cannot be changed (another coder has it, it is coded).
    pub read_only: Option<String>,
    pub pane: Pane,
    pub document: usize,
    pub scroll: u16,
    pub dx: usize,
    pub px: usize,
    pub holds: Vec<String>,
    /// The edits engine's findings; `None` until the code sets are loaded.
    pub edits: Option<Vec<Finding>>,
    /// The keys of the warnings the coder has acknowledged.
    pub acks: std::collections::HashSet<String>,
    /// The finding selected in the Edits pane.
    pub edit: usize,
    /// The chart's physician queries.
    pub queries: Vec<crate::query::StoredQuery>,
    /// The query being written, kept here while the form is put away.
    pub query_form: Option<Box<super::query_form::QueryForm>>,
    /// The component of the chart screen with the keys.
    pub focus: super::focus::ChartFocus,
    /// The text being found in the document, and the rows (of the wrapped
    /// document) where it occurs.
    pub find: Option<String>,
    pub matches: Vec<usize>,
    /// The patient's other encounters, loaded when asked for.
    pub prior: Vec<Chart>,
    /// The working MS-DRG, grouped again with the edits on every change.
    pub drg: crate::reference::working_drg::WorkingDrg,
}

impl ChartView {
    /// The date that picks the edition: discharge (inpatient) or date of service.
    pub fn date(&self) -> NaiveDate {
        self.chart.encounter.discharge_date
    }

    pub fn edition(&self) -> Edition {
        Edition::for_date(self.date())
    }
}

impl ChartView {
    /// Whether a finding still needs the coder: an error, or a warning not
    /// acknowledged.
    pub fn open_finding(&self, f: &Finding) -> bool {
        match f.severity {
            Severity::Error => true,
            Severity::Warning => !self.acks.contains(&f.key()),
            Severity::Info => false,
        }
    }

    /// Groups the chart and runs the edits on it as it stands.
    pub(crate) fn check(&mut self, sets: Option<&CodeSets>, hospital: crate::drg::HospitalStatus) {
        self.drg = crate::reference::working_drg::WorkingDrg::of(
            sets.and_then(|s| s.grouper.as_deref()),
            &self.chart,
            hospital,
        );
        let drg = self.drg.outcome();
        self.edits = sets.map(|s| s.rules.validate_with_drg(&self.chart, &drg));
        let n = self.edits.as_ref().map_or(0, Vec::len);
        self.edit = self.edit.min(n.saturating_sub(1));
    }
}

/// The CC/MCC and HCC badges of a diagnosis ("MCC", "HCC226"), empty until
/// the code sets are in.
pub fn dx_badges(sets: Option<&CodeSets>, code: &str) -> (String, String) {
    let Some(sets) = sets else {
        return (String::new(), String::new());
    };
    let severity = sets
        .cc_mcc
        .severity(code)
        .map_or(String::new(), |s| s.label().to_string());
    let hcc = sets
        .hcc
        .hccs(code)
        .iter()
        .map(|h| format!("HCC{h}"))
        .collect::<Vec<_>>()
        .join(",");
    (severity, hcc)
}

pub(crate) fn store_system(system: System) -> Option<CodeSystem> {
    match system {
        System::Icd10Cm => Some(CodeSystem::Icd10Cm),
        System::Icd10Pcs => Some(CodeSystem::Icd10Pcs),
        System::Hcpcs => Some(CodeSystem::Hcpcs),
        System::Cpt => Some(CodeSystem::Cpt),
        System::Local => None,
    }
}

impl App {
    /// Opens the chart under the queue cursor, claiming it when free.
    pub(crate) fn open_selected_chart(&mut self) {
        let Some(row) = self.selected_row() else {
            return;
        };
        let chart_id = row.chart_id;
        self.last_touch = std::time::Instant::now();
        self.save(Job::new(chart_id, &self.user, Command::Claim, Then::Open));
    }

    /// Sends a store action on the open chart; the screen follows `then` when
    /// it is saved (see [`App::saved`]).
    pub(crate) fn save_on_chart(&mut self, then: Then, command: Command) {
        self.save_on_chart_after(then, command, None);
    }

    /// [`App::save_on_chart`] with work to do on the saver thread once the
    /// action is committed; what it says is added to the message.
    pub(crate) fn save_on_chart_after(
        &mut self,
        then: Then,
        command: Command,
        after: Option<AfterCommit>,
    ) {
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let mut job = Job::new(view.chart_id, &self.user, command, then);
        job.after = after;
        self.save(job);
    }

    /// Shows the answer to a store action: the chart as saved, and what the
    /// action leads to (or why it was refused).
    pub(crate) fn saved(&mut self, reply: Reply) {
        if let Then::Session(_) = reply.then {
            self.session_audited(reply);
            return;
        }
        let Reply {
            chart_id,
            then,
            result,
            saved,
            note,
        } = reply;
        let done = match result {
            Ok(done) => done,
            Err(e) => {
                self.message = Some(match then {
                    Then::Open => format!("could not open the chart: {e}"),
                    _ => refusal(&e),
                });
                // A refused action changed nothing; the chart is shown as saved.
                if then != Then::Open
                    && let Ok(saved) = saved
                {
                    self.show_saved(chart_id, saved);
                }
                return;
            }
        };
        let saved = match saved {
            Ok(s) => s,
            Err(e) => {
                self.message = Some(format!("could not read the chart: {e}"));
                return;
            }
        };
        match then {
            Then::Open => self.show_opened(chart_id, &done, saved),
            Then::Leave(message) => {
                self.back_to_queue();
                self.message = Some(match &note {
                    Some(n) => format!("{message}; {n}"),
                    None => message,
                });
            }
            Then::Select(list) | Then::Assigned { list, .. } => {
                let open = self.open_view_of(chart_id);
                if let (Some(view), Done::At(at)) = (open, &done) {
                    match list {
                        CodeList::Diagnoses => view.dx = *at,
                        CodeList::Procedures => view.px = *at,
                    }
                }
                if let Then::Assigned { code, .. } = &then {
                    if let Some(view) = self.open_view_of(chart_id) {
                        view.focus = ChartFocus::Panes;
                        view.pane = match list {
                            CodeList::Diagnoses => Pane::Diagnoses,
                            CodeList::Procedures => Pane::Procedures,
                        };
                    }
                    self.message = Some(format!("added {code}"));
                }
                self.show_saved(chart_id, saved);
            }
            Then::Show(message) => {
                if message.is_some() {
                    self.message = message;
                }
                self.show_saved(chart_id, saved);
            }
            // Taken above.
            Then::Session(_) => {}
            Then::QuerySent => {
                if let Some(view) = self.open_view_of(chart_id) {
                    view.query_form = None;
                    view.focus = ChartFocus::Panes;
                }
                let id = match done {
                    Done::Query(id) => id,
                    _ => 0,
                };
                self.message = Some(format!(
                    "query #{id} sent: the chart is on hold{}",
                    note.map(|n| format!("; {n}")).unwrap_or_default()
                ));
                self.show_saved(chart_id, saved);
            }
        }
    }

    /// The chart just claimed (or found read-only) on the screen.
    fn show_opened(&mut self, chart_id: i64, done: &Done, saved: Saved) {
        let read_only = match done {
            Done::Claim(Claim::TakenBy(other)) => Some(format!("claimed by {other}: read-only")),
            Done::Claim(Claim::Closed(status)) => Some(format!("{}: read-only", status.label())),
            _ => None,
        };
        let mut view = ChartView {
            chart_id,
            chart: saved.chart,
            read_only,
            pane: Pane::Documents,
            document: 0,
            scroll: 0,
            dx: 0,
            px: 0,
            holds: saved.holds,
            edits: None,
            acks: saved.acks,
            queries: saved.queries,
            query_form: None,
            focus: ChartFocus::Panes,
            edit: 0,
            find: None,
            matches: Vec::new(),
            prior: Vec::new(),
            drg: crate::reference::working_drg::WorkingDrg::NotInpatient,
        };
        view.check(self.codesets.as_ref(), self.hospital_status);
        if let Some(problem) = self.codesets.as_ref().and_then(|s| s.site_problem.clone()) {
            self.message = Some(problem);
        }
        self.screen = Screen::Chart(Box::new(view));
    }

    /// The open chart, if it is `chart_id`.
    fn open_view_of(&mut self, chart_id: i64) -> Option<&mut ChartView> {
        match &mut self.screen {
            Screen::Chart(view) if view.chart_id == chart_id => Some(view),
            _ => None,
        }
    }

    /// The open chart.
    pub(crate) fn view(&self) -> Option<&ChartView> {
        match &self.screen {
            Screen::Chart(view) => Some(view),
            Screen::Queue(_) => None,
        }
    }

    /// The open chart, to change.
    pub(crate) fn view_mut(&mut self) -> Option<&mut ChartView> {
        view_in(&mut self.screen)
    }

    /// Puts the chart as saved on the screen (if it is still the one open).
    fn show_saved(&mut self, chart_id: i64, saved: Saved) {
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        if view.chart_id != chart_id {
            return;
        }
        view.chart = saved.chart;
        view.holds = saved.holds;
        view.acks = saved.acks;
        view.queries = saved.queries;
        view.dx = view.dx.min(view.chart.diagnoses.len().saturating_sub(1));
        view.px = view.px.min(view.chart.procedures.len().saturating_sub(1));
        view.check(self.codesets.as_ref(), self.hospital_status);
    }

    /// Does what is due now (the timers: the slow-save notice, the lock,
    /// the queue's refresh, the claim's heartbeat) and takes what the search
    /// worker answered; returns whether the screen changed.
    pub fn tick(&mut self) -> bool {
        self.clock = chrono::Utc::now();
        let mut changed = self.check_slow_save();
        changed |= self.poll_lock();
        changed |= self.refresh_queue_if_changed();
        // An open chart keeps its claim active, so it never expires while shown.
        if self.saving.is_none()
            && self.last_touch.elapsed() >= CLAIM_HEARTBEAT
            && matches!(&self.screen, Screen::Chart(v) if v.read_only.is_none())
        {
            self.last_touch = std::time::Instant::now();
            self.save_on_chart(Then::Show(None), Command::Touch);
        }
        changed |= self.poll_search();
        if changed && self.popup().is_some() {
            self.refresh_notes();
        }
        changed
    }

    /// When the loop must wake next without an event: the earliest timer
    /// due (while a search is awaited, a check that its worker lives: its
    /// answers wake the loop, `Wake::Searched`). `None`: nothing is due;
    /// sleep until an event.
    pub fn next_deadline(&self) -> Option<std::time::Instant> {
        // Not while a save is in flight: its answer wakes the loop first.
        let heartbeat = (self.saving.is_none()
            && matches!(&self.screen, Screen::Chart(v) if v.read_only.is_none()))
        .then(|| self.last_touch + CLAIM_HEARTBEAT);
        let search = self
            .popup()
            .is_some_and(|p| p.waiting.is_some())
            .then(|| std::time::Instant::now() + SEARCH_CHECK);
        [
            self.slow_save_due(),
            self.lock_due(),
            self.queue_check_due(),
            heartbeat,
            search,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Takes what the search worker answered, restarting it if it stopped.
    fn poll_search(&mut self) -> bool {
        let mut changed = false;
        if self
            .workers
            .search
            .as_ref()
            .is_some_and(SearchWorker::stopped)
            && let Some(sets) = &self.codesets
        {
            // A search that panicked: say so, and start a new worker for the next term.
            self.message =
                Some(crate::fault::stopped("the code search") + "; type to search again");
            self.workers.search = self.spawn_search(&sets.index).ok();
            if let Some(popup) = self.popup_mut() {
                popup.waiting = None;
            }
            changed = true;
        }
        if let Some(worker) = &self.workers.search {
            while let Some(response) = worker.try_recv() {
                if let Some(popup) = popup_in(&mut self.screen)
                    && popup.waiting == Some(response.id)
                {
                    popup.marks = response
                        .hits
                        .iter()
                        .map(|h| crate::search::highlight(&h.title, &response.query))
                        .collect();
                    popup.hits = response.hits;
                    popup.selected = match popup.opening.take() {
                        Some(h) if popup.hits.first().is_some_and(|f| f.code == h) => {
                            1.min(popup.hits.len() - 1)
                        }
                        _ => 0,
                    };
                    popup.notes_scroll = 0;
                    popup.waiting = None;
                    changed = true;
                }
            }
        }
        changed
    }

    /// Whether an answer from a background thread is awaited.
    pub fn busy(&self) -> bool {
        self.workers.codesets_loading
            || self.saving.is_some()
            || self.workers.reader.busy()
            || self.workers.session_audits > 0
            || self.popup().is_some_and(|p| p.waiting.is_some())
    }

    /// A code-search worker whose answers wake the event loop.
    fn spawn_search(
        &self,
        index: &Arc<crate::search::SearchIndex>,
    ) -> std::io::Result<SearchWorker> {
        let waker = self.waker();
        SearchWorker::spawn_notifying(Arc::clone(index), move || {
            let _ = waker.send(super::wake::Wake::Searched);
        })
    }

    /// Makes the code sets available: search, notes and the edits.
    pub fn install_codesets(&mut self, sets: CodeSets) {
        match self.spawn_search(&sets.index) {
            Ok(w) => self.workers.search = Some(w),
            Err(e) => self.message = Some(format!("cannot start the search worker: {e}")),
        }
        if let Some(problem) = &sets.site_problem {
            self.message = Some(problem.clone());
        }
        self.codesets = Some(sets);
        if let Screen::Chart(view) = &mut self.screen {
            view.check(self.codesets.as_ref(), self.hospital_status);
        }
        self.resubmit_search();
    }

    /// Blocks until the awaited search answers (tests and benchmarks).
    pub fn wait_for_search(&mut self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        while self.popup().is_some_and(|p| p.waiting.is_some()) {
            if std::time::Instant::now() > deadline {
                return false;
            }
            if !self.poll_background() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        true
    }
}

/// The open chart on `screen`, to change (borrowing the screen only, so
/// the key map can be read beside it).
pub(crate) fn view_in(screen: &mut Screen) -> Option<&mut ChartView> {
    match screen {
        Screen::Chart(view) => Some(view),
        Screen::Queue(_) => None,
    }
}

/// The inner width of the document pane on a terminal this wide (see
/// `layout::chart`).
pub fn document_width(terminal_width: u16) -> usize {
    super::layout::document_columns(terminal_width)
}

/// Text wrapped to `width` columns at spaces (a longer word is cut), one entry
/// per screen row; paragraphs stay on their own rows.
pub fn wrap_lines(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut row = String::new();
        let mut len = 0;
        for word in line.split(' ') {
            let mut word = word.to_string();
            let mut wlen = word.chars().count();
            if len > 0 && len + 1 + wlen > width {
                rows.push(std::mem::take(&mut row));
                len = 0;
            }
            while wlen > width {
                let head: String = word.chars().take(width - len.min(width)).collect();
                let rest: String = word.chars().skip(head.chars().count()).collect();
                if len > 0 {
                    row.push(' ');
                }
                row.push_str(&head);
                rows.push(std::mem::take(&mut row));
                len = 0;
                word = rest;
                wlen = word.chars().count();
            }
            if len > 0 {
                row.push(' ');
                len += 1;
            }
            row.push_str(&word);
            len += wlen;
        }
        rows.push(row);
    }
    rows
}

/// The rows of the current document (wrapped to `width`) holding the find term.
pub(crate) fn find_rows(view: &ChartView, width: usize) -> Vec<usize> {
    let (Some(term), Some(doc)) = (&view.find, view.chart.documents.get(view.document)) else {
        return Vec::new();
    };
    let term = term.to_lowercase();
    wrap_lines(&doc.text, width)
        .iter()
        .enumerate()
        .filter(|(_, row)| row.to_lowercase().contains(&term))
        .map(|(i, _)| i)
        .collect()
}

pub(crate) fn moved(at: usize, len: usize, down: bool, step: u16) -> usize {
    if len == 0 {
        return 0;
    }
    let step = usize::from(step);
    if down {
        (at + step).min(len - 1)
    } else {
        at.saturating_sub(step)
    }
}

/// A store error as the one-line message the coder sees.
fn refusal(e: &StoreError) -> String {
    match e {
        StoreError::Refused(reason) => format!("refused: {reason}"),
        other => format!("not saved: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        assert_eq!(
            wrap_lines("acute on chronic systolic heart failure", 16),
            vec!["acute on chronic", "systolic heart", "failure"]
        );
        assert_eq!(wrap_lines("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap_lines("a\n\nb", 10), vec!["a", "", "b"]);
    }
}
