//! The chart screen and the code-search popup: their state, and how keys change
//! it. Every change to the chart is one store action (one transaction with its
//! audit row) sent to the saver thread (`saver`); the chart it reads back after
//! the action replaces the one on screen, so what the screen shows is what is
//! saved.

use super::app::{App, Mode, Screen};
use super::keymap::{Action, Context};
use super::saver::{Done, Job, Reply, Saved, Then};
use crate::codeset::{self, Edition};
use crate::domain::{Chart, CodeSystem, DocumentKind, Poa};
use crate::edits::{Finding, Severity};
use crate::reference::CodeSets;
use crate::search::worker::SearchWorker;
use crate::search::{Filters, Hit, System, SystemFilter};
use crate::store::coding::{self, Claim, CodeList};
use crate::store::{StoreError, charts};
use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;
use std::sync::mpsc::TryRecvError;

/// How often an open chart's claim is marked active.
const CLAIM_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(300);

/// How many hits the popup asks for.
pub const POPUP_HITS: usize = 50;

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

    fn step(self, forward: bool) -> Pane {
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
    /// The query being written (kept when the form is put away).
    pub query_form: Option<Box<super::query_form::QueryForm>>,
    /// The text being found in the document, and the rows (of the wrapped
    /// document) where it occurs.
    pub find: Option<String>,
    pub matches: Vec<usize>,
    /// The patient's other encounters, loaded when asked for.
    pub prior: Vec<Chart>,
    /// The working MS-DRG, grouped again with the edits on every change.
    pub drg: super::drg::WorkingDrg,
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

/// What the popup is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopupStage {
    Results,
    /// Picking the 7th character of `base` (e.g. S72.001).
    Seventh {
        base: String,
        choices: Vec<(char, String)>,
        selected: usize,
    },
}

/// The code-search popup.
#[derive(Debug, Clone)]
pub struct SearchPopup {
    pub list: CodeList,
    pub term: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// The id of the search whose answer is awaited.
    pub waiting: Option<u64>,
    pub stage: PopupStage,
    /// Whether Up/Down scroll the notes instead of the hits.
    pub notes_focus: bool,
    pub notes_scroll: u16,
    /// A header being opened: when its search answers, the cursor goes to its
    /// first child instead of the header itself.
    pub opening: Option<String>,
    /// The highlighted code's notes (kept here so a frame does not rebuild them).
    pub notes: String,
    /// Per hit, the title characters that match the term (for underlining).
    pub marks: Vec<Vec<usize>>,
}

impl SearchPopup {
    fn new(list: CodeList) -> SearchPopup {
        SearchPopup {
            list,
            term: String::new(),
            hits: Vec::new(),
            selected: 0,
            waiting: None,
            stage: PopupStage::Results,
            notes_focus: false,
            notes_scroll: 0,
            opening: None,
            notes: String::new(),
            marks: Vec::new(),
        }
    }

    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
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
        self.drg = super::drg::WorkingDrg::of(
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

fn store_system(system: System) -> Option<CodeSystem> {
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
        let user = self.user.clone();
        self.last_touch = std::time::Instant::now();
        self.save(Job::new(chart_id, Then::Open, move |tx| {
            coding::claim_expiring(tx, chart_id, &user).map(Done::Claim)
        }));
    }

    /// Sends a store action on the open chart; the screen follows `then` when
    /// it is saved (see [`App::saved`]).
    pub(crate) fn save_on_chart(
        &mut self,
        then: Then,
        action: impl FnOnce(&rusqlite::Transaction<'_>, i64, &str) -> Result<Done, StoreError>
        + Send
        + 'static,
    ) {
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let (id, user) = (view.chart_id, self.user.clone());
        self.save(Job::new(id, then, move |tx| action(tx, id, &user)));
    }

    /// [`App::save_on_chart`] with work to do on the saver thread once the
    /// action is committed; what it says is added to the message.
    pub(crate) fn save_on_chart_with_note(
        &mut self,
        then: Then,
        action: impl FnOnce(&rusqlite::Transaction<'_>, i64, &str) -> Result<Done, StoreError>
        + Send
        + 'static,
        after: impl FnOnce(&crate::store::Store, &Done) -> Option<String> + Send + 'static,
    ) {
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let (id, user) = (view.chart_id, self.user.clone());
        self.save(Job::new(id, then, move |tx| action(tx, id, &user)).then_after(after));
    }

    /// Shows the answer to a store action: the chart as saved, and what the
    /// action leads to (or why it was refused).
    pub(crate) fn saved(&mut self, reply: Reply) {
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
            Then::Open => {
                let read_only = match done {
                    Done::Claim(Claim::TakenBy(other)) => {
                        Some(format!("claimed by {other}: read-only"))
                    }
                    Done::Claim(Claim::Closed(status)) => {
                        Some(format!("{}: read-only", status.label()))
                    }
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
                    edit: 0,
                    find: None,
                    matches: Vec::new(),
                    prior: Vec::new(),
                    drg: super::drg::WorkingDrg::NotInpatient,
                };
                view.check(self.codesets.as_ref(), self.hospital_status);
                if let Some(problem) = self.codesets.as_ref().and_then(|s| s.site_problem.clone()) {
                    self.message = Some(problem);
                }
                self.screen = Screen::Chart(Box::new(view));
            }
            Then::Leave(message) => {
                self.chart_action(Action::Back);
                self.message = Some(match &note {
                    Some(n) => format!("{message}; {n}"),
                    None => message,
                });
            }
            Then::Select(list) | Then::Assigned { list, .. } => {
                if let (Screen::Chart(view), Done::At(at)) = (&mut self.screen, &done)
                    && view.chart_id == chart_id
                {
                    match list {
                        CodeList::Diagnoses => view.dx = *at,
                        CodeList::Procedures => view.px = *at,
                    }
                }
                if let Then::Assigned { code, .. } = &then {
                    self.popup = None;
                    self.mode = Mode::Normal;
                    if let Screen::Chart(view) = &mut self.screen {
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
            Then::QuerySent => {
                if let Screen::Chart(view) = &mut self.screen {
                    view.query_form = None;
                }
                self.mode = Mode::Normal;
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

    /// Takes the code sets the loader sent, and anything the search worker
    /// answered; returns whether the screen changed.
    pub fn poll_background(&mut self) -> bool {
        let mut changed = self.poll_saver();
        changed |= self.poll_lock();
        changed |= self.refresh_queue_if_changed();
        // An open chart keeps its claim active, so it never expires while shown.
        if self.saving.is_none()
            && self.last_touch.elapsed() >= CLAIM_HEARTBEAT
            && matches!(&self.screen, Screen::Chart(v) if v.read_only.is_none())
        {
            self.last_touch = std::time::Instant::now();
            self.save_on_chart(Then::Show(None), |tx, id, user| {
                coding::touch(tx, id, user).map(|()| Done::Nothing)
            });
        }
        if let Some(rx) = &self.codesets_rx {
            let answer = match rx.try_recv() {
                Ok(result) => Some(result),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => {
                    Some(Err(crate::fault::stopped("the code-set loader")
                        + "; start chartcoder again for code search and the edits"))
                }
            };
            if let Some(result) = answer {
                self.codesets_rx = None;
                match result {
                    Ok(sets) => self.install_codesets(sets),
                    Err(e) => self.message = Some(format!("code sets could not be loaded: {e}")),
                }
                changed = true;
            }
        }
        if self.worker.as_ref().is_some_and(SearchWorker::stopped)
            && let Some(sets) = &self.codesets
        {
            // A search that panicked: say so, and start a new worker for the next term.
            self.message =
                Some(crate::fault::stopped("the code search") + "; type to search again");
            self.worker = SearchWorker::spawn(Arc::clone(&sets.index)).ok();
            if let Some(popup) = &mut self.popup {
                popup.waiting = None;
            }
            changed = true;
        }
        if let Some(worker) = &self.worker {
            while let Some(response) = worker.try_recv() {
                if let Some(popup) = &mut self.popup
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
        if changed && self.popup.is_some() {
            self.refresh_notes();
        }
        changed
    }

    /// Whether an answer from a background thread is awaited (the loop then
    /// polls more often).
    pub fn busy(&self) -> bool {
        self.codesets_rx.is_some()
            || self.saving.is_some()
            || self.popup.as_ref().is_some_and(|p| p.waiting.is_some())
    }

    /// Makes the code sets available: search, notes and the edits.
    pub fn install_codesets(&mut self, sets: CodeSets) {
        match SearchWorker::spawn(Arc::clone(&sets.index)) {
            Ok(w) => self.worker = Some(w),
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
        while self.popup.as_ref().is_some_and(|p| p.waiting.is_some()) {
            if std::time::Instant::now() > deadline {
                return false;
            }
            if !self.poll_background() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        true
    }

    pub(crate) fn chart_key(&mut self, key: &KeyEvent) {
        if let Some(action) = self.keymap.action_for(Context::Chart, key) {
            self.chart_action(action);
        }
    }

    fn chart_action(&mut self, action: Action) {
        self.message = None;
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        let page = self.height.saturating_sub(8).max(1);
        match action {
            Action::NextPane => view.pane = view.pane.step(true),
            Action::PreviousPane => view.pane = view.pane.step(false),
            Action::MoveDown | Action::MoveUp | Action::PageDown | Action::PageUp => {
                let down = matches!(action, Action::MoveDown | Action::PageDown);
                let step = if matches!(action, Action::PageDown | Action::PageUp) {
                    page
                } else {
                    1
                };
                match view.pane {
                    Pane::Documents => {
                        let rows =
                            view.chart.documents.get(view.document).map_or(0, |d| {
                                wrap_lines(&d.text, document_width(self.width)).len()
                            });
                        // Title, info line, the DRG line (inpatient), footer,
                        // and the pane's borders.
                        let drg_line = u16::from(view.drg.line().is_some());
                        let visible = usize::from(self.height.saturating_sub(5 + drg_line));
                        let last = rows.saturating_sub(visible) as u16;
                        view.scroll = if down {
                            view.scroll.saturating_add(step).min(last)
                        } else {
                            view.scroll.saturating_sub(step)
                        };
                    }
                    Pane::Diagnoses => {
                        view.dx = moved(view.dx, view.chart.diagnoses.len(), down, step)
                    }
                    Pane::Procedures => {
                        view.px = moved(view.px, view.chart.procedures.len(), down, step)
                    }
                    Pane::Edits => {
                        let n = view.edits.as_ref().map_or(0, Vec::len);
                        view.edit = moved(view.edit, n, down, step);
                    }
                }
            }
            Action::NextDocument | Action::PreviousDocument => {
                let n = view.chart.documents.len();
                if n > 0 {
                    view.document = if action == Action::NextDocument {
                        (view.document + 1) % n
                    } else {
                        (view.document + n - 1) % n
                    };
                    view.scroll = 0;
                    let width = document_width(self.width);
                    view.matches = find_rows(view, width);
                }
            }
            Action::Back => {
                self.screen = Screen::Queue;
                let page = match self.queue.rows.first() {
                    Some(first) => crate::store::QueuePage::From(first.key()),
                    None => crate::store::QueuePage::First,
                };
                let selected = self.queue.selected;
                self.reload(page);
                self.queue.selected = selected.min(self.queue.rows.len().saturating_sub(1));
            }
            Action::Help => self.mode = Mode::Help,
            Action::Quit => self.should_quit = true,
            Action::FindInDocument => {
                self.mode = Mode::FindInput {
                    text: view.find.clone().unwrap_or_default(),
                }
            }
            Action::NextMatch | Action::PreviousMatch => {
                let current = usize::from(view.scroll);
                let next = if action == Action::NextMatch {
                    view.matches.iter().find(|&&r| r > current).copied()
                } else {
                    view.matches.iter().rev().find(|&&r| r < current).copied()
                };
                match next {
                    Some(row) => view.scroll = row as u16,
                    None if view.find.is_some() => {
                        self.message = Some(format!(
                            "no more matches of {:?} in this document",
                            view.find.as_deref().unwrap_or("")
                        ))
                    }
                    None => self.message = Some("/ finds text in the document".into()),
                }
            }
            Action::PriorEncounters => {
                match charts::prior_encounters(self.store.conn(), view.chart_id) {
                    Ok(prior) if prior.is_empty() => {
                        self.message = Some("no prior encounters for this patient".into())
                    }
                    Ok(prior) => {
                        view.prior = prior;
                        self.mode = Mode::Prior;
                    }
                    Err(e) => self.message = Some(format!("could not read the encounters: {e}")),
                }
            }
            Action::AddDiagnosis | Action::AddProcedure => {
                if let Some(reason) = &view.read_only {
                    self.message = Some(format!("the chart is {reason}"));
                    return;
                }
                let list = if action == Action::AddDiagnosis {
                    CodeList::Diagnoses
                } else {
                    CodeList::Procedures
                };
                let mut popup = SearchPopup::new(list);
                // A phrase found in the document is the search term to start with.
                if let Some(found) = &view.find {
                    popup.term = found.clone();
                }
                self.popup = Some(popup);
                self.mode = Mode::Search;
                if self.codesets.is_none() {
                    self.message = Some("the code sets are still loading…".into());
                }
                self.resubmit_search();
            }
            Action::RemoveCode | Action::MoveCodeUp | Action::MoveCodeDown => {
                let (list, position) = match view.pane {
                    Pane::Diagnoses if !view.chart.diagnoses.is_empty() => {
                        (CodeList::Diagnoses, view.dx)
                    }
                    Pane::Procedures if !view.chart.procedures.is_empty() => {
                        (CodeList::Procedures, view.px)
                    }
                    _ => {
                        self.message =
                            Some("select a diagnosis or procedure first (Tab to its pane)".into());
                        return;
                    }
                };
                let up = action == Action::MoveCodeUp;
                if action == Action::RemoveCode {
                    self.save_on_chart(Then::Select(list), move |tx, id, user| {
                        coding::remove(tx, id, user, list, position).map(|()| Done::At(position))
                    });
                } else {
                    self.save_on_chart(Then::Select(list), move |tx, id, user| {
                        coding::shift(tx, id, user, list, position, up).map(Done::At)
                    });
                }
            }
            Action::SetPoa => {
                if view.pane != Pane::Diagnoses || view.chart.diagnoses.is_empty() {
                    self.message = Some("select a diagnosis first (Tab to Diagnoses)".into());
                } else {
                    self.mode = Mode::Poa;
                    self.message = Some("POA: Y yes, N no, U unknown, W undetermined, 1 exempt, Space clear, Esc cancel".into());
                }
            }
            Action::EditLine => {
                let line = view.chart.procedures.get(view.px);
                match line {
                    _ if view.pane != Pane::Procedures => {
                        self.message =
                            Some("select a procedure line first (Tab to Procedures)".into())
                    }
                    None => self.message = Some("no procedure line yet (p adds one)".into()),
                    Some(p) if p.system == CodeSystem::Icd10Pcs => {
                        self.mode = Mode::ProcedureInput {
                            text: format!(
                                "{} / {}",
                                p.date.unwrap_or(view.chart.encounter.discharge_date),
                                p.provider.as_deref().unwrap_or("")
                            ),
                        };
                    }
                    Some(p) => {
                        let pointers: String = p
                            .pointers
                            .iter()
                            .filter_map(|&n| crate::domain::pointer_letter(n))
                            .map(|c| format!("{c} "))
                            .collect();
                        self.mode = Mode::LineInput {
                            text: format!(
                                "{} / {} / {}",
                                p.modifiers.join(" "),
                                p.units,
                                pointers.trim_end()
                            ),
                        };
                    }
                }
            }
            Action::FlagForQuery => self.open_query_form(),
            Action::DrgAnalysis => {
                let grouper = self.codesets.as_ref().and_then(|s| s.grouper.clone());
                match grouper {
                    None => self.message = Some("the MS-DRG grouper is not loaded yet".into()),
                    Some(g) => {
                        match super::drg::DrgAnalysis::of(&g, &view.chart, self.hospital_status) {
                            Ok(a) => self.mode = Mode::DrgAnalysis { lines: a.lines() },
                            Err(why) => self.message = Some(format!("no DRG analysis: {why}")),
                        }
                    }
                }
            }
            Action::Queries => self.open_queries(),
            Action::Acknowledge => {
                let selected = view.edits.as_ref().and_then(|e| e.get(view.edit));
                match selected {
                    _ if view.pane != Pane::Edits => {
                        self.message = Some("select a warning first (Tab to Edits)".into())
                    }
                    Some(f) if f.severity == Severity::Warning && view.open_finding(f) => {
                        let (key, message) = (f.key(), f.message.clone());
                        self.save_on_chart(
                            Then::Show(Some("warning acknowledged".into())),
                            move |tx, id, user| {
                                coding::acknowledge(tx, id, user, &key, &message)
                                    .map(|()| Done::Nothing)
                            },
                        );
                    }
                    Some(f) if f.severity == Severity::Warning => {
                        self.message = Some("that warning is already acknowledged".into())
                    }
                    Some(f) => {
                        self.message = Some(format!(
                            "only warnings are acknowledged: {}",
                            match f.severity {
                                Severity::Error => "an error must be fixed",
                                _ => "information needs nothing",
                            }
                        ))
                    }
                    None => self.message = Some("no finding to acknowledge".into()),
                }
            }
            Action::CompleteChart => {
                let blocking: Vec<String> = match &view.edits {
                    Some(edits) => edits
                        .iter()
                        .filter(|f| view.open_finding(f))
                        .map(|f| match f.severity {
                            Severity::Error => format!("an error edit remains: {}", f.message),
                            _ => format!(
                                "a warning is not acknowledged (y in the Edits pane): {}",
                                f.message
                            ),
                        })
                        .collect(),
                    None => {
                        self.message = Some(
                            "the code sets are still loading: the codes cannot be checked yet"
                                .into(),
                        );
                        return;
                    }
                };
                // The working DRG is stored with the chart (inpatient charts).
                let drg = view.drg.grouping().and_then(|g| g.final_drg());
                let done = match &drg {
                    Some(d) => format!("chart completed: coded, {}", d.describe()),
                    None => "chart completed: coded".into(),
                };
                let outbox = self.hl7_outbox.clone();
                let chart_id = view.chart_id;
                self.save_on_chart_with_note(
                    Then::Leave(done),
                    move |tx, id, user| {
                        coding::complete(tx, id, user, &blocking, drg.as_ref())
                            .map(|()| Done::Nothing)
                    },
                    // The BAR^P12 for billing, once the completion is saved.
                    move |store, _| {
                        let dir = outbox?;
                        Some(match crate::tui::bar_out::write(store, &dir, chart_id) {
                            Ok(_) => "BAR^P12 written to the HL7 outbox".to_string(),
                            Err(e) => format!("BAR^P12 NOT written to {}: {e}", dir.display()),
                        })
                    },
                );
            }
            _ => {}
        }
    }

    pub(crate) fn poa_key(&mut self, key: &KeyEvent) {
        self.mode = Mode::Normal;
        self.message = None;
        let poa = match key.code {
            KeyCode::Esc => return,
            KeyCode::Char(' ') => None,
            KeyCode::Char(c) => match c.to_ascii_uppercase().to_string().parse::<Poa>() {
                Ok(p) => Some(p),
                Err(_) => {
                    self.message = Some(format!("{c:?} is not a POA indicator (Y N U W 1)"));
                    return;
                }
            },
            _ => return,
        };
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let position = view.dx;
        self.save_on_chart(Then::Show(None), move |tx, id, user| {
            coding::set_poa(tx, id, user, position, poa).map(|()| Done::Nothing)
        });
    }

    pub(crate) fn find_key(&mut self, key: &KeyEvent, mut text: String) {
        match edit_line(key, &mut text, 100) {
            LineEdit::Typing => self.mode = Mode::FindInput { text },
            LineEdit::Cancel => self.mode = Mode::Normal,
            LineEdit::Submit => {
                self.mode = Mode::Normal;
                let width = document_width(self.width);
                let Screen::Chart(view) = &mut self.screen else {
                    return;
                };
                let term = text.trim().to_string();
                view.find = (!term.is_empty()).then(|| term.clone());
                view.matches = find_rows(view, width);
                let current = usize::from(view.scroll);
                match view
                    .matches
                    .iter()
                    .find(|&&r| r >= current)
                    .or(view.matches.first())
                {
                    Some(&row) => view.scroll = row as u16,
                    None if view.find.is_some() => {
                        self.message = Some(format!("{term:?} is not in this document"))
                    }
                    None => {}
                }
            }
        }
    }

    pub(crate) fn line_key(&mut self, key: &KeyEvent, mut text: String) {
        match edit_line(key, &mut text, 120) {
            LineEdit::Typing => self.mode = Mode::LineInput { text },
            LineEdit::Cancel => self.mode = Mode::Normal,
            LineEdit::Submit => {
                let (detail, when) = match coding::parse_service_line(&text) {
                    Ok(d) => d,
                    Err(e) => {
                        self.message = Some(e);
                        return;
                    }
                };
                self.mode = Mode::Normal;
                let Screen::Chart(view) = &self.screen else {
                    return;
                };
                let position = view.px;
                // One transaction: the line and, when typed, its date and
                // practitioner (the date within the stay).
                self.save_on_chart(Then::Show(None), move |tx, id, user| {
                    coding::set_line_detail(tx, id, user, position, &detail)?;
                    if let Some((date, who)) = &when {
                        coding::set_procedure_detail(
                            tx,
                            id,
                            user,
                            position,
                            *date,
                            who.as_deref(),
                        )?;
                    }
                    Ok(Done::Nothing)
                });
            }
        }
    }

    /// The date / practitioner prompt of an ICD-10-PCS procedure.
    pub(crate) fn procedure_key(&mut self, key: &KeyEvent, mut text: String) {
        match edit_line(key, &mut text, 60) {
            LineEdit::Typing => self.mode = Mode::ProcedureInput { text },
            LineEdit::Cancel => self.mode = Mode::Normal,
            LineEdit::Submit => {
                let (date, provider) = match coding::parse_procedure_detail(&text) {
                    Ok(d) => d,
                    Err(e) => {
                        self.message = Some(e);
                        return;
                    }
                };
                self.mode = Mode::Normal;
                let Screen::Chart(view) = &self.screen else {
                    return;
                };
                let position = view.px;
                self.save_on_chart(Then::Show(None), move |tx, id, user| {
                    coding::set_procedure_detail(tx, id, user, position, date, provider.as_deref())
                        .map(|()| Done::Nothing)
                });
            }
        }
    }

    /// Keys while the search popup is open.
    pub(crate) fn search_key(&mut self, key: &KeyEvent) {
        let Some(popup) = &mut self.popup else {
            self.mode = Mode::Normal;
            return;
        };
        self.message = None;
        if let PopupStage::Seventh {
            base,
            choices,
            selected,
        } = &mut popup.stage
        {
            match key.code {
                KeyCode::Esc => popup.stage = PopupStage::Results,
                KeyCode::Down => *selected = (*selected + 1).min(choices.len().saturating_sub(1)),
                KeyCode::Up => *selected = selected.saturating_sub(1),
                KeyCode::Enter => {
                    if let Some(&(c, _)) = choices.get(*selected) {
                        let code = codeset::with_seventh(base, c);
                        self.assign(&code, System::Icd10Cm);
                    }
                }
                KeyCode::Char(c) => {
                    let c = c.to_ascii_uppercase();
                    if let Some(i) = choices.iter().position(|(ch, _)| *ch == c) {
                        *selected = i;
                    }
                }
                _ => {}
            }
            return;
        }
        match key.code {
            KeyCode::Esc => {
                self.popup = None;
                self.mode = Mode::Normal;
            }
            KeyCode::Tab => popup.notes_focus = !popup.notes_focus,
            KeyCode::Down if popup.notes_focus => {
                popup.notes_scroll = popup.notes_scroll.saturating_add(1)
            }
            KeyCode::Up if popup.notes_focus => {
                popup.notes_scroll = popup.notes_scroll.saturating_sub(1)
            }
            KeyCode::Down => {
                popup.selected = (popup.selected + 1).min(popup.hits.len().saturating_sub(1));
                popup.notes_scroll = 0;
                self.refresh_notes();
            }
            KeyCode::Up => {
                popup.selected = popup.selected.saturating_sub(1);
                popup.notes_scroll = 0;
                self.refresh_notes();
            }
            KeyCode::Enter => {
                if let Some(hit) = popup.selected_hit().cloned() {
                    self.choose(&hit);
                }
            }
            KeyCode::Backspace => {
                popup.term.pop();
                self.resubmit_search();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                popup.term.clear();
                self.resubmit_search();
            }
            KeyCode::Char(c) if !c.is_control() && popup.term.chars().count() < 100 => {
                popup.term.push(c);
                self.resubmit_search();
            }
            _ => {}
        }
    }

    /// Typed text pasted into the popup (a phrase copied from a document).
    pub(crate) fn search_paste(&mut self, text: &str) {
        if let Some(popup) = &mut self.popup {
            let clean: String = text
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(100 - popup.term.chars().count().min(100))
                .collect();
            popup.term.push_str(&clean);
            self.resubmit_search();
        }
    }

    /// Sends the popup's term to the search worker (newest term only).
    fn resubmit_search(&mut self) {
        let (Some(popup), Some(worker), Screen::Chart(view)) =
            (&mut self.popup, &mut self.worker, &self.screen)
        else {
            return;
        };
        if popup.term.trim().is_empty() {
            popup.hits.clear();
            popup.marks.clear();
            popup.waiting = None;
            popup.notes.clear();
            return;
        }
        let filters = Filters {
            systems: match popup.list {
                CodeList::Diagnoses => SystemFilter::Diagnoses,
                CodeList::Procedures => SystemFilter::Procedures,
            },
            billable_only: false,
            date: view.date(),
            valid_only: false,
        };
        popup.waiting = Some(worker.submit(&popup.term, filters, POPUP_HITS));
    }

    /// Enter on a hit: a header drills into its children, a code needing a 7th
    /// character opens the picker, anything else is assigned.
    fn choose(&mut self, hit: &Hit) {
        let Some(sets) = self.codesets.clone() else {
            return;
        };
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let edition = view.edition();
        if hit.header {
            if let Some(popup) = &mut self.popup {
                popup.term = hit.code.clone();
                popup.opening = Some(hit.code.clone());
                self.resubmit_search();
            }
            return;
        }
        if hit.needs_seventh {
            let node = sets.cm.lookup(&hit.code, edition).map(|d| d.node);
            let choices: Vec<(char, String)> = node
                .map(|n| {
                    sets.cm
                        .seventh_characters(n)
                        .iter()
                        .map(|s| (s.character, s.meaning.clone()))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(popup) = &mut self.popup
                && !choices.is_empty()
            {
                popup.stage = PopupStage::Seventh {
                    base: hit.code.clone(),
                    choices,
                    selected: 0,
                };
            }
            return;
        }
        self.assign(&hit.code, hit.system);
    }

    /// Adds the code to the chart's list and closes the popup.
    fn assign(&mut self, code: &str, system: System) {
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let Some(popup) = &self.popup else {
            return;
        };
        let list = popup.list;
        let edition = view.edition().label().to_string();
        // A procedure takes the date and author of the operative or
        // procedure document open, when it lies within the stay; else the
        // discharge date (set with m).
        let e = &view.chart.encounter;
        let (date, provider) = match view.chart.documents.get(view.document) {
            Some(d)
                if matches!(
                    d.kind,
                    DocumentKind::OperativeReport | DocumentKind::ProcedureNote
                ) && (e.admit_date..=e.discharge_date).contains(&d.date) =>
            {
                (Some(d.date), Some(d.author.clone()))
            }
            _ => (Some(view.date()), None),
        };
        let then = Then::Assigned {
            list,
            code: code.to_string(),
        };
        let owned = code.to_string();
        match (list, store_system(system)) {
            (CodeList::Diagnoses, Some(CodeSystem::Icd10Cm)) => {
                self.save_on_chart(then, move |tx, id, user| {
                    coding::add_diagnosis(tx, id, user, &owned, &edition).map(Done::At)
                })
            }
            (CodeList::Procedures, Some(s)) if s != CodeSystem::Icd10Cm => {
                self.save_on_chart(then, move |tx, id, user| {
                    coding::add_procedure(tx, id, user, &owned, s, date)
                        .and_then(|at| match &provider {
                            Some(p) => {
                                coding::set_procedure_detail(tx, id, user, at, date, Some(p))
                                    .map(|()| at)
                            }
                            None => Ok(at),
                        })
                        .map(Done::At)
                })
            }
            (CodeList::Diagnoses, _) => {
                self.message = Some(format!("{code} is not an ICD-10-CM diagnosis code"));
            }
            (CodeList::Procedures, _) => {
                self.message = Some(format!("{code} cannot be added as a procedure"));
            }
        }
    }

    /// Recomputes the notes of the popup's highlighted code.
    fn refresh_notes(&mut self) {
        let notes = self.popup_notes().unwrap_or_default();
        if let Some(popup) = &mut self.popup {
            popup.notes = notes;
        }
    }

    /// The notes of the popup's highlighted code, as `chartcoder code` prints them.
    pub fn popup_notes(&self) -> Option<String> {
        let popup = self.popup.as_ref()?;
        let sets = self.codesets.as_ref()?;
        let Screen::Chart(view) = &self.screen else {
            return None;
        };
        let hit = popup.selected_hit()?;
        let date = view.date();
        let detail = match hit.system {
            System::Icd10Cm => sets
                .cm
                .lookup(&hit.code, view.edition())
                .map(|d| codeset::describe(&sets.cm, &d, date).replace('\t', "  ")),
            System::Icd10Pcs => sets
                .pcs
                .describe(&hit.code, date)
                .map(|t| t.replace('\t', "  ")),
            _ => None,
        }
        .unwrap_or_else(|| format!("{}  {}\n{}\n", hit.code, hit.system.name(), hit.title));
        // Why the hit is there, in the Index's words, when not by its title.
        Some(if hit.matched.is_empty() {
            detail
        } else {
            format!("Found by: {}\n\n{detail}", hit.matched)
        })
    }
}

/// What a key did to a one-line text field.
enum LineEdit {
    Typing,
    Submit,
    Cancel,
}

/// The editing keys every one-line prompt shares: characters (up to `max`),
/// Backspace, Ctrl-U to clear, Enter to submit, Esc to cancel.
fn edit_line(key: &KeyEvent, text: &mut String, max: usize) -> LineEdit {
    match key.code {
        KeyCode::Enter => LineEdit::Submit,
        KeyCode::Esc => LineEdit::Cancel,
        KeyCode::Backspace => {
            text.pop();
            LineEdit::Typing
        }
        KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
            text.clear();
            LineEdit::Typing
        }
        KeyCode::Char(c) if !c.is_control() && text.chars().count() < max => {
            text.push(c);
            LineEdit::Typing
        }
        _ => LineEdit::Typing,
    }
}

/// The inner width of the document pane on a terminal this wide (the pane is
/// the left half, less its borders).
pub fn document_width(terminal_width: u16) -> usize {
    usize::from((terminal_width / 2).saturating_sub(2)).max(1)
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
fn find_rows(view: &ChartView, width: usize) -> Vec<usize> {
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

fn moved(at: usize, len: usize, down: bool, step: u16) -> usize {
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
