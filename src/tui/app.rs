//! The workstation's state and how input changes it. Rendering reads this state and
//! never changes it (see `screens`).

use super::chart::{ChartView, SearchPopup};
use super::keymap::{Action, Context, Keymap};
use super::saver::{Answer, Job, Saver};
use crate::domain::AuditAction;
use crate::domain::EncounterType;
use crate::reference::CodeSets;
use crate::search::worker::SearchWorker;
use crate::store::{QueueFilter, QueuePage, QueueRow, QueueSummary, StatusFilter, Store, queue};
use chrono::NaiveDate;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long a save may take before the screen says the database is busy.
const SLOW_SAVE: Duration = Duration::from_millis(300);

/// Whether a terminal of this size is big enough to draw the workstation.
pub fn fits(width: u16, height: u16) -> bool {
    width >= MIN_WIDTH && height >= MIN_HEIGHT
}

/// Rows of the screen that are not queue rows: title, filter line, table border
/// and header, footer.
const CHROME_ROWS: u16 = 6;
/// The smallest terminal the workstation draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// What the keyboard is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing the text filter; `before` is restored by Esc.
    FilterInput {
        before: Option<String>,
    },
    Help,
    /// The code-search popup has the keyboard.
    Search,
    /// Waiting for the POA indicator of the selected diagnosis.
    Poa,
    /// Typing text to find in the document.
    FindInput {
        text: String,
    },
    /// The prior-encounters overlay is up; any key closes it.
    Prior,
    /// Typing a CPT/HCPCS line's modifiers / units / pointers.
    LineInput {
        text: String,
    },
    /// Typing an ICD-10-PCS procedure's date / practitioner.
    ProcedureInput {
        text: String,
    },
    /// The physician query form has the keyboard.
    QueryForm,
    /// Which report `R` shows: q physician queries, c case mix index.
    ReportMenu,
    /// A report is shown; any key closes it.
    Report {
        title: String,
        text: String,
    },
    /// The DRG analysis of the open chart is shown; any key closes it.
    DrgAnalysis {
        lines: Vec<String>,
    },
    /// The chart's queries are listed; `selected` is under the cursor.
    Queries {
        selected: usize,
    },
    /// Waiting for the outcome (1-4) of closing the selected query.
    QueryOutcome {
        selected: usize,
    },
    /// Typing an answer, a cancel reason or a new recipient for a query.
    QueryInput {
        selected: usize,
        what: super::queries::QueryInput,
        text: String,
    },
}

/// Which screen is up.
#[derive(Debug, Clone)]
pub enum Screen {
    Queue,
    Chart(Box<ChartView>),
}

/// The queue as shown: one window of rows in queue order.
#[derive(Debug, Clone, Default)]
pub struct QueueView {
    pub filter: QueueFilter,
    /// Newest discharge first instead of oldest first.
    pub newest_first: bool,
    pub rows: Vec<QueueRow>,
    pub selected: usize,
    pub summary: Option<QueueSummary>,
}

impl QueueView {
    /// What the queue opens on: every chart not yet coded, oldest discharge first.
    pub fn default_filter() -> QueueFilter {
        QueueFilter {
            status: StatusFilter::Uncoded,
            ..QueueFilter::default()
        }
    }
}

pub struct App {
    pub(crate) store: Store,
    pub user: String,
    /// The date "days since discharge" counts to.
    pub today: NaiveDate,
    pub keymap: Keymap,
    pub queue: QueueView,
    pub mode: Mode,
    pub width: u16,
    pub height: u16,
    /// A one-line message (errors, notices) shown above the footer.
    pub message: Option<String>,
    pub should_quit: bool,
    pub no_color: bool,
    pub screen: Screen,
    /// How far the help is scrolled (when it is taller than the terminal).
    pub help_scroll: u16,
    pub popup: Option<SearchPopup>,
    /// The code sets, once loaded (search, notes, edits).
    pub codesets: Option<CodeSets>,
    pub(crate) codesets_rx: Option<std::sync::mpsc::Receiver<Result<CodeSets, String>>>,
    pub(crate) worker: Option<SearchWorker>,
    pub(crate) saver: Saver,
    /// The query templates (bundled and the site's).
    pub query_templates: std::sync::Arc<Vec<crate::query::templates::Template>>,
    /// Where sent queries are also written as files.
    pub outbox: Option<std::path::PathBuf>,
    /// Where a completed chart's BAR^P12 is written (`hl7.outbox_dir`).
    pub hl7_outbox: Option<std::path::PathBuf>,
    /// Hours after which an open query is overdue.
    pub escalation_hours: u32,
    /// The report's "answered within" time, in hours.
    pub response_hours: u32,
    /// The hospital's HAC (POA-exempt) status, for the grouper (`[drg]` config).
    pub hospital_status: crate::drg::HospitalStatus,
    /// The time overdue queries are judged at (the loop keeps it current).
    pub clock: chrono::DateTime<chrono::Utc>,
    /// When the open chart's claim was last marked active.
    pub(crate) last_touch: Instant,
    /// When the queue last asked whether the database changed, and what
    /// SQLite's data_version was then (see `refresh.rs`).
    pub(crate) queue_checked: (Instant, Option<i64>),
    /// Lock the screen after this long without a key (HIPAA automatic
    /// logoff); `None`: never.
    pub lock_after: Option<Duration>,
    /// When the coder last pressed a key.
    pub last_input: Instant,
    /// The screen is locked: what the coder has typed to unlock it (their
    /// operating-system password, shown masked).
    pub locked: Option<String>,
    /// Checks the OS password that unlocks the screen (PAM); `None`: the
    /// idle workstation logs the coder off instead of locking.
    pub unlock: Option<Unlocker>,
    /// Wrong passwords typed on this lock screen.
    failed_unlocks: u32,
    /// The session ended by itself (idle, or too many wrong passwords): why.
    pub logged_off: Option<String>,
    /// When the store action in flight was sent, if one is.
    pub saving: Option<Instant>,
    /// Whether the action in flight has been slow enough to say so.
    pub slow_save: bool,
    /// Keys and pastes that arrived while an action was in flight, replayed in
    /// order when it lands.
    held: VecDeque<Event>,
}

/// Checks the password that unlocks the screen.
pub type Unlocker = std::sync::Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Wrong passwords on the lock screen before the coder is logged off.
pub const MAX_FAILED_UNLOCKS: u32 = 3;

impl App {
    pub fn new(store: Store, user: &str, today: NaiveDate, width: u16, height: u16) -> App {
        let (saver, saver_warning) = Saver::for_store(&store);
        let mut app = App {
            store,
            user: user.to_string(),
            today,
            keymap: Keymap::default(),
            queue: QueueView {
                filter: QueueView::default_filter(),
                ..QueueView::default()
            },
            mode: Mode::Normal,
            width,
            height,
            message: None,
            should_quit: false,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            screen: Screen::Queue,
            help_scroll: 0,
            popup: None,
            codesets: None,
            codesets_rx: None,
            worker: None,
            saver,
            query_templates: std::sync::Arc::new(
                crate::query::templates::load(None).unwrap_or_default(),
            ),
            outbox: None,
            hl7_outbox: None,
            escalation_hours: 72,
            response_hours: 72,
            hospital_status: crate::drg::HospitalStatus::NotExempt,
            clock: chrono::Utc::now(),
            last_touch: Instant::now(),
            queue_checked: (Instant::now(), None),
            lock_after: Some(Duration::from_secs(15 * 60)),
            last_input: Instant::now(),
            locked: None,
            unlock: None,
            failed_unlocks: 0,
            logged_off: None,
            saving: None,
            slow_save: false,
            held: VecDeque::new(),
        };
        // The site's policies, from the database (not the coder's config).
        match crate::store::site::policy(app.store.conn()) {
            Ok(policy) => {
                app.escalation_hours = policy.escalation_hours;
                app.lock_after = policy.lock_after();
            }
            Err(e) => {
                app.message = Some(format!(
                    "the site's policies could not be read ({e}): the defaults apply"
                ))
            }
        }
        app.reload(QueuePage::First);
        if saver_warning.is_some() {
            app.message = saver_warning;
        }
        app
    }

    /// Runs a store action: on the saver thread (the answer arrives in
    /// [`App::poll_background`]), or at once for an in-memory store.
    pub(crate) fn save(&mut self, job: Job) {
        match self.saver.submit(job, &mut self.store) {
            Some(reply) => self.saved(reply),
            None => {
                self.saving = Some(Instant::now());
                self.slow_save = false;
            }
        }
    }

    /// Once no key has come for the lock time: locks the screen when an OS
    /// password can unlock it, else logs the coder off (the save in flight
    /// lands, the chart closes, chartcoder ends). Returns whether it did.
    pub(crate) fn poll_lock(&mut self) -> bool {
        let Some(after) = self.lock_after else {
            return false;
        };
        if self.locked.is_some() || self.logged_off.is_some() || self.last_input.elapsed() < after {
            return false;
        }
        let idle = format!("{} minutes without a key", after.as_secs() / 60);
        if self.unlock.is_some() {
            self.locked = Some(String::new());
            self.failed_unlocks = 0;
            self.message = None;
            self.audit_session(AuditAction::Lock, &idle);
        } else {
            self.log_off(format!("logged off after {idle} (automatic logoff)"));
        }
        true
    }

    /// Ends the session by itself: recorded, then quit as `q` does.
    fn log_off(&mut self, why: String) {
        self.audit_session(AuditAction::Logoff, &why);
        self.logged_off = Some(why);
        self.locked = None;
        self.should_quit = true;
    }

    /// An audit row about the session (no chart): lock, unlock, a failed
    /// unlock, logoff.
    fn audit_session(&mut self, action: AuditAction, detail: &str) {
        let user = self.user.clone();
        if let Err(e) = self
            .store
            .write(|tx| crate::store::audit::record(tx, &user, None, action, detail))
        {
            self.message = Some(format!(
                "could not record the {action} in the audit trail: {e}"
            ));
        }
    }

    /// A key on the lock screen: the coder types their operating-system
    /// password; Enter checks it. Three wrong ones log the coder off.
    fn lock_key(&mut self, key: &KeyEvent) {
        let Some(typed) = &mut self.locked else {
            return;
        };
        match key.code {
            KeyCode::Enter => {
                let password = std::mem::take(typed);
                let checked = match &self.unlock {
                    Some(check) => check(&password),
                    None => Err("no password check".into()),
                };
                drop(password);
                match checked {
                    Ok(()) => {
                        self.locked = None;
                        self.audit_session(AuditAction::Unlock, "");
                        self.message = Some("unlocked".into());
                    }
                    Err(why) => {
                        self.failed_unlocks += 1;
                        self.audit_session(
                            AuditAction::UnlockFailed,
                            &format!("attempt {}: {why}", self.failed_unlocks),
                        );
                        if self.failed_unlocks >= MAX_FAILED_UNLOCKS {
                            self.log_off(format!(
                                "logged off after {MAX_FAILED_UNLOCKS} wrong passwords on the lock screen"
                            ));
                        } else {
                            self.message = Some(format!(
                                "not unlocked: {why} ({} tries left before logoff)",
                                MAX_FAILED_UNLOCKS - self.failed_unlocks
                            ));
                        }
                    }
                }
            }
            KeyCode::Backspace => {
                typed.pop();
            }
            KeyCode::Esc => typed.clear(),
            KeyCode::Char(c) if !c.is_control() && typed.chars().count() < 200 => typed.push(c),
            _ => {}
        }
    }

    /// Takes the saver's answers and replays the keys held meanwhile; returns
    /// whether the screen changed.
    pub(crate) fn poll_saver(&mut self) -> bool {
        let mut changed = false;
        while self.saving.is_some() {
            match self.saver.try_recv() {
                Answer::Reply(reply) => self.landed(*reply),
                Answer::NotYet => break,
                Answer::Stopped => self.saver_stopped(),
            }
            changed = true;
        }
        if let Some(since) = self.saving
            && !self.slow_save
            && since.elapsed() >= SLOW_SAVE
        {
            self.slow_save = true;
            changed = true;
        }
        changed
    }

    /// The action in flight has been answered: show it, then replay the keys
    /// held meanwhile (which may send the next action, and hold again).
    fn landed(&mut self, reply: super::saver::Reply) {
        self.saving = None;
        self.slow_save = false;
        self.saved(reply);
        self.replay_held();
    }

    /// The saver thread is gone (it can only have panicked): what was in
    /// flight was rolled back with its connection. Say so, save on this
    /// thread from now on, and go on with the keys held.
    fn saver_stopped(&mut self) {
        self.saving = None;
        self.slow_save = false;
        self.saver = Saver::Inline;
        self.message = Some(
            crate::fault::stopped("the saver") + ": the last change was not saved; do it again",
        );
        self.replay_held();
    }

    fn replay_held(&mut self) {
        while self.saving.is_none()
            && !self.should_quit
            && let Some(event) = self.held.pop_front()
        {
            self.handle_event(&event);
        }
    }

    /// Waits up to `timeout` until no store action is in flight and no key is
    /// held, applying the answers as they come; returns whether it got there.
    /// For quitting, and for tests that press a key and look at the result.
    pub fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while self.saving.is_some() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.saver.recv_timeout(left) {
                Answer::Reply(reply) => self.landed(*reply),
                Answer::NotYet => return false,
                Answer::Stopped => self.saver_stopped(),
            }
        }
        true
    }

    /// The chart store (read access, for tests and tools).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Whether the terminal is big enough to draw the workstation.
    pub fn fits(&self) -> bool {
        fits(self.width, self.height)
    }

    /// How many queue rows the screen shows.
    pub fn page_rows(&self) -> usize {
        usize::from(self.height.saturating_sub(CHROME_ROWS).max(1))
    }

    /// Handles one terminal event; returns whether the screen needs redrawing.
    pub fn handle_event(&mut self, event: &Event) -> bool {
        if matches!(event, Event::Key(_) | Event::Paste(_)) {
            self.last_input = Instant::now();
            if self.locked.is_some() {
                if let Event::Key(key) = event
                    && key.kind != KeyEventKind::Release
                {
                    self.lock_key(key);
                }
                return true;
            }
        }
        if self.saving.is_some() && matches!(event, Event::Key(_) | Event::Paste(_)) {
            self.held.push_back(event.clone());
            return false;
        }
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                self.handle_key(key);
                true
            }
            Event::Resize(w, h) => {
                self.resize(*w, *h);
                true
            }
            Event::Paste(text) => {
                if self.mode == Mode::QueryForm {
                    self.query_form_paste(text);
                } else if self.mode == Mode::Search {
                    self.search_paste(text);
                } else if matches!(self.mode, Mode::FilterInput { .. }) {
                    let clean: String =
                        text.chars().filter(|c| !c.is_control()).take(200).collect();
                    let mut current = self.queue.filter.text.clone().unwrap_or_default();
                    current.push_str(&clean);
                    self.set_text_filter(current);
                } else {
                    // The chart's one-line prompts: line breaks become spaces.
                    let clean = |t: &str, room: usize| -> String {
                        text.chars()
                            .map(|c| if c.is_control() { ' ' } else { c })
                            .take(room.saturating_sub(t.chars().count()))
                            .collect()
                    };
                    match &mut self.mode {
                        Mode::FindInput { text: t } => *t += &clean(t, 100),
                        Mode::LineInput { text: t } | Mode::ProcedureInput { text: t } => {
                            *t += &clean(t, 60)
                        }
                        Mode::QueryInput { text: t, .. } => *t += &clean(t, 2000),
                        _ => {}
                    }
                }
                true
            }
            _ => false,
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        let page = match self.queue.rows.first() {
            Some(first) => QueuePage::From(first.key()),
            None => QueuePage::First,
        };
        let selected = self.queue.selected;
        self.reload(page);
        self.queue.selected = selected.min(self.queue.rows.len().saturating_sub(1));
    }

    fn handle_key(&mut self, key: &KeyEvent) {
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            if self.mode == Mode::QueryForm {
                // Keep the query being written: Esc saves it as a draft.
                self.handle_key(&KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            }
            self.should_quit = true;
            return;
        }
        match self.mode.clone() {
            Mode::Help => {
                // j/k and the arrows scroll a help taller than the terminal;
                // any other key closes it.
                let lines = self.keymap.bindings(self.context()).count() as u16 + 3;
                let room = self.height.saturating_sub(2);
                let last = lines.saturating_sub(room);
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        self.help_scroll = (self.help_scroll + 1).min(last)
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        self.help_scroll = self.help_scroll.saturating_sub(1)
                    }
                    _ => {
                        self.help_scroll = 0;
                        self.mode = Mode::Normal;
                    }
                }
            }
            Mode::FilterInput { before } => self.filter_key(key, before),
            Mode::Search => self.search_key(key),
            Mode::Poa => self.poa_key(key),
            Mode::FindInput { text } => self.find_key(key, text),
            Mode::ReportMenu => self.report_menu_key(key),
            Mode::Prior | Mode::Report { .. } | Mode::DrgAnalysis { .. } => {
                self.mode = Mode::Normal
            }
            Mode::LineInput { text } => self.line_key(key, text),
            Mode::ProcedureInput { text } => self.procedure_key(key, text),
            Mode::QueryForm => self.query_form_key(key),
            Mode::Queries { selected } => self.queries_key(key, selected),
            Mode::QueryOutcome { selected } => self.query_outcome_key(key, selected),
            Mode::QueryInput {
                selected,
                what,
                text,
            } => self.query_input_key(key, selected, what, text),
            Mode::Normal => match self.screen {
                Screen::Chart(_) => self.chart_key(key),
                Screen::Queue => {
                    if let Some(action) = self.keymap.action_for(Context::Queue, key) {
                        self.apply(action);
                    }
                }
            },
        }
    }

    fn filter_key(&mut self, key: &KeyEvent, before: Option<String>) {
        let mut text = self.queue.filter.text.clone().unwrap_or_default();
        match key.code {
            KeyCode::Enter => self.mode = Mode::Normal,
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.set_text_filter(before.unwrap_or_default());
            }
            KeyCode::Backspace => {
                text.pop();
                self.set_text_filter(text);
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.set_text_filter(String::new())
            }
            KeyCode::Char(c) if !c.is_control() && text.chars().count() < 200 => {
                text.push(c);
                self.set_text_filter(text);
            }
            _ => {}
        }
    }

    fn set_text_filter(&mut self, text: String) {
        self.queue.filter.text = (!text.is_empty()).then_some(text);
        self.reload(QueuePage::First);
    }

    /// Carries out one queue action.
    pub fn apply(&mut self, action: Action) {
        self.message = None;
        let n = self.page_rows();
        match action {
            Action::MoveDown => self.move_down(),
            Action::MoveUp => self.move_up(),
            Action::PageDown => self.page_down(n),
            Action::PageUp => self.page_up(n),
            Action::First => self.reload(QueuePage::First),
            Action::Last => {
                self.reload(QueuePage::Last);
                self.queue.selected = self.queue.rows.len().saturating_sub(1);
            }
            Action::FilterText => {
                self.mode = Mode::FilterInput {
                    before: self.queue.filter.text.clone(),
                }
            }
            Action::CycleStatus => {
                self.queue.filter.status = self.queue.filter.status.next();
                self.reload(QueuePage::First);
            }
            Action::CycleType => {
                self.queue.filter.encounter_type =
                    cycle(EncounterType::ALL, self.queue.filter.encounter_type);
                self.reload(QueuePage::First);
            }
            Action::ClearFilters => {
                self.queue.filter = QueueView::default_filter();
                self.reload(QueuePage::First);
            }
            Action::ReverseOrder => {
                self.queue.newest_first = !self.queue.newest_first;
                self.reload(QueuePage::First);
            }
            Action::MineOnly => {
                self.queue.filter.coder = match self.queue.filter.coder {
                    Some(_) => None,
                    None => Some(self.user.clone()),
                };
                self.reload(QueuePage::First);
            }
            Action::OpenChart => self.open_selected_chart(),
            Action::QueryReport => self.mode = Mode::ReportMenu,
            Action::Help => self.mode = Mode::Help,
            Action::Quit => self.should_quit = true,
            _ => {}
        }
    }

    /// A key in the report menu: q the physician query report, c the case
    /// mix index; any other key closes the menu.
    fn report_menu_key(&mut self, key: &KeyEvent) {
        self.mode = Mode::Normal;
        match key.code {
            KeyCode::Char('q') => {
                match crate::store::queries::report_rows(self.store.conn(), None, None) {
                    Ok((rows, coded)) => {
                        let report = crate::query::report::compute(
                            &rows,
                            coded,
                            self.clock,
                            self.response_hours,
                            self.escalation_hours,
                        );
                        self.mode = Mode::Report {
                            title: " Physician queries (any key closes) ".into(),
                            text: crate::query::report::text(&report),
                        };
                    }
                    Err(e) => self.message = Some(format!("could not read the queries: {e}")),
                }
            }
            KeyCode::Char('c') => {
                match crate::store::drg::case_mix_rows(self.store.conn(), None, None) {
                    Ok((rows, without)) => {
                        let report = crate::drg::case_mix::compute(&rows, without, None, None);
                        let grouper = self.codesets.as_ref().and_then(|s| s.grouper.clone());
                        let title = |drg: u16| -> Option<String> {
                            let g = grouper.as_ref()?;
                            let v = g.versions().last()?.version;
                            g.drg_title(drg, v).map(str::to_string)
                        };
                        self.mode = Mode::Report {
                            title: " Case mix index (any key closes) ".into(),
                            text: crate::drg::case_mix::text(&report, &title),
                        };
                    }
                    Err(e) => self.message = Some(format!("could not read the DRGs: {e}")),
                }
            }
            _ => {}
        }
    }

    /// Starts loading the code sets on a background thread.
    pub fn load_codesets_in_background(
        &mut self,
        cache_dir: Option<std::path::PathBuf>,
        user: crate::search::cache::UserTables,
        edits: crate::edits::SiteFiles,
    ) {
        self.codesets_rx = Some(CodeSets::spawn(cache_dir, user, edits));
    }

    /// The screen's key context.
    pub fn context(&self) -> Context {
        match self.screen {
            Screen::Queue => Context::Queue,
            Screen::Chart(_) => Context::Chart,
        }
    }

    /// One page in the order shown: `page` names it in that order (`After` is
    /// "further down the screen"), and the rows come top to bottom. Newest first
    /// is the store's order read backwards.
    pub(crate) fn fetch(&mut self, page: &QueuePage, limit: usize) -> Option<Vec<QueueRow>> {
        let newest_first = self.queue.newest_first;
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
        match queue::page(self.store.conn(), &self.queue.filter, &store_page, limit) {
            Ok(mut rows) => {
                if newest_first {
                    rows.reverse();
                }
                Some(rows)
            }
            Err(e) => {
                self.message = Some(format!("could not read the queue: {e}"));
                None
            }
        }
    }

    /// Replaces the window with a page and refreshes the summary.
    pub(crate) fn reload(&mut self, page: QueuePage) {
        let n = self.page_rows();
        if let Some(rows) = self.fetch(&page, n) {
            self.queue.rows = rows;
            self.queue.selected = 0;
        }
        match queue::summary(self.store.conn(), &self.queue.filter) {
            Ok(s) => self.queue.summary = Some(s),
            Err(e) => self.message = Some(format!("could not count the queue: {e}")),
        }
    }

    fn move_down(&mut self) {
        if self.queue.selected + 1 < self.queue.rows.len() {
            self.queue.selected += 1;
        } else if let Some(last) = self.queue.rows.last().map(QueueRow::key)
            && let Some(next) = self.fetch(&QueuePage::After(last), 1)
            && let Some(row) = next.into_iter().next()
        {
            self.queue.rows.remove(0);
            self.queue.rows.push(row);
        }
    }

    fn move_up(&mut self) {
        if self.queue.selected > 0 {
            self.queue.selected -= 1;
        } else if let Some(first) = self.queue.rows.first().map(QueueRow::key)
            && let Some(prev) = self.fetch(&QueuePage::Before(first), 1)
            && let Some(row) = prev.into_iter().next()
        {
            if self.queue.rows.len() >= self.page_rows() {
                self.queue.rows.pop();
            }
            self.queue.rows.insert(0, row);
        }
    }

    fn page_down(&mut self, n: usize) {
        let Some(last) = self.queue.rows.last().map(QueueRow::key) else {
            return;
        };
        let Some(next) = self.fetch(&QueuePage::After(last), n) else {
            return;
        };
        if next.is_empty() {
            self.queue.selected = self.queue.rows.len().saturating_sub(1);
        } else if next.len() == n {
            self.queue.rows = next;
        } else {
            // Fewer than a page left: show the last full page, ending at the newest.
            let mut all = std::mem::take(&mut self.queue.rows);
            all.extend(next);
            let skip = all.len().saturating_sub(n);
            self.queue.rows = all.split_off(skip);
            self.queue.selected = self.queue.rows.len().saturating_sub(1);
        }
    }

    fn page_up(&mut self, n: usize) {
        let Some(first) = self.queue.rows.first().map(QueueRow::key) else {
            return;
        };
        let Some(prev) = self.fetch(&QueuePage::Before(first), n) else {
            return;
        };
        if prev.is_empty() {
            self.queue.selected = 0;
        } else if prev.len() == n {
            self.queue.rows = prev;
        } else {
            let mut all = prev;
            all.append(&mut self.queue.rows);
            all.truncate(n);
            self.queue.rows = all;
            self.queue.selected = 0;
        }
    }

    /// The chart under the cursor.
    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.queue.rows.get(self.queue.selected)
    }
}

/// The next value of a filter that cycles through "all" and each value in turn.
fn cycle<T: Copy + PartialEq>(all: &[T], current: Option<T>) -> Option<T> {
    match current {
        None => all.first().copied(),
        Some(c) => all
            .iter()
            .position(|v| *v == c)
            .and_then(|i| all.get(i + 1))
            .copied(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo;

    fn app_with(charts: u64, height: u16) -> App {
        let mut store = Store::open_in_memory().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        demo::generate(&mut store, charts, 3, today).unwrap();
        App::new(store, "tester", today, 100, height)
    }

    use crate::domain::ChartStatus;

    fn all_in_order(app: &App) -> Vec<i64> {
        queue::page(
            app.store.conn(),
            &app.queue.filter,
            &QueuePage::First,
            10_000,
        )
        .unwrap()
        .iter()
        .map(|r| r.chart_id)
        .collect()
    }

    /// The charts the cursor passes over in `steps` moves down, in order.
    fn walk_down(app: &mut App, steps: usize) -> Vec<i64> {
        let mut seen = vec![app.selected_row().unwrap().chart_id];
        for _ in 0..steps {
            app.apply(Action::MoveDown);
            let id = app.selected_row().unwrap().chart_id;
            if seen.last() != Some(&id) {
                seen.push(id);
            }
        }
        seen
    }

    #[test]
    fn moving_down_walks_every_chart_in_queue_order_across_pages() {
        let mut app = app_with(57, 30);
        let expected = all_in_order(&app);
        assert_eq!(walk_down(&mut app, 70), expected);
        for _ in 0..70 {
            app.apply(Action::MoveUp);
        }
        assert_eq!(app.selected_row().unwrap().chart_id, expected[0]);
    }

    #[test]
    fn newest_first_walks_the_same_charts_backwards_by_line_and_by_page() {
        let mut app = app_with(57, 30);
        app.queue.filter.status = StatusFilter::All;
        let mut expected = all_in_order(&app);
        expected.reverse();
        app.apply(Action::ReverseOrder);
        assert!(app.queue.newest_first);
        assert_eq!(walk_down(&mut app, 70), expected);
        for _ in 0..70 {
            app.apply(Action::MoveUp);
        }
        assert_eq!(app.selected_row().unwrap().chart_id, expected[0]);
        // Pages, and a resize keeping the top row, in this order too.
        let n = app.page_rows();
        app.apply(Action::PageDown);
        assert_eq!(app.queue.rows[0].chart_id, expected[n]);
        app.resize(100, 20);
        assert_eq!(app.queue.rows[0].chart_id, expected[n]);
        app.apply(Action::Last);
        assert_eq!(
            app.selected_row().unwrap().chart_id,
            *expected.last().unwrap()
        );
        app.apply(Action::ReverseOrder);
        assert_eq!(
            app.selected_row().unwrap().chart_id,
            *expected.last().unwrap()
        );
    }

    #[test]
    fn paging_shows_consecutive_windows_and_stops_at_the_ends() {
        let mut app = app_with(57, 30);
        app.queue.filter.status = StatusFilter::All;
        app.apply(Action::First);
        let expected = all_in_order(&app);
        let n = app.page_rows();
        assert_eq!(n, 24);
        app.apply(Action::PageDown);
        assert_eq!(app.queue.rows[0].chart_id, expected[n]);
        app.apply(Action::PageDown); // 9 left: the last full page
        let ids: Vec<i64> = app.queue.rows.iter().map(|r| r.chart_id).collect();
        assert_eq!(ids, expected[expected.len() - n..]);
        assert_eq!(
            app.selected_row().unwrap().chart_id,
            *expected.last().unwrap()
        );
        app.apply(Action::PageUp);
        app.apply(Action::PageUp);
        app.apply(Action::PageUp);
        assert_eq!(app.queue.rows[0].chart_id, expected[0]);
        assert_eq!(app.queue.selected, 0);
    }

    #[test]
    fn filters_cycle_and_the_summary_follows() {
        let mut app = app_with(200, 30);
        assert_eq!(
            app.queue.filter.status,
            StatusFilter::Uncoded,
            "the queue opens on uncoded charts"
        );
        assert!(app.queue.rows.iter().all(|r| r.status.is_uncoded()));
        let uncoded = app.queue.summary.clone().unwrap().charts;
        app.apply(Action::CycleStatus);
        assert_eq!(app.queue.filter.status, StatusFilter::All);
        let total = app.queue.summary.clone().unwrap().charts;
        assert_eq!(total, 200);
        assert!(uncoded > 0 && uncoded < total);
        app.apply(Action::CycleStatus);
        assert_eq!(
            app.queue.filter.status,
            StatusFilter::Only(ChartStatus::Ready)
        );
        assert!(
            app.queue
                .rows
                .iter()
                .all(|r| r.status == ChartStatus::Ready)
        );
        let ready = app.queue.summary.clone().unwrap().charts;
        assert!(ready > 0 && ready < uncoded);
        app.apply(Action::CycleType);
        assert!(app.queue.rows.iter().all(
            |r| r.status == ChartStatus::Ready && r.encounter_type == EncounterType::Inpatient
        ));
        app.apply(Action::ClearFilters);
        assert_eq!(app.queue.filter, QueueView::default_filter());
        assert_eq!(app.queue.summary.clone().unwrap().charts, uncoded);
        // uncoded -> all -> each of the six statuses -> uncoded again
        for _ in 0..=ChartStatus::ALL.len() {
            app.apply(Action::CycleStatus);
        }
        assert_eq!(
            app.queue.filter.status,
            StatusFilter::Only(ChartStatus::Final)
        );
        app.apply(Action::CycleStatus);
        assert_eq!(
            app.queue.filter.status,
            StatusFilter::Uncoded,
            "cycles back"
        );
    }

    #[test]
    fn typing_a_filter_narrows_and_esc_restores() {
        let mut app = app_with(50, 30);
        let key = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        app.queue.filter.status = StatusFilter::All;
        app.handle_event(&key('/'));
        for c in "G000000004".chars() {
            app.handle_event(&key(c));
        }
        let accounts: Vec<&str> = app.queue.rows.iter().map(|r| r.account.as_str()).collect();
        assert_eq!(accounts, ["G000000004"], "account prefix match");
        app.handle_event(&Event::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
        assert_eq!(app.queue.filter.text, None);
        assert_eq!(app.queue.rows.len(), app.page_rows());
        assert_eq!(app.mode, Mode::Normal);
    }

    #[test]
    fn a_resize_keeps_the_top_row_and_refills_the_window() {
        let mut app = app_with(80, 30);
        app.apply(Action::PageDown);
        let top = app.queue.rows[0].chart_id;
        app.resize(100, 40);
        assert_eq!(app.queue.rows[0].chart_id, top);
        assert_eq!(app.queue.rows.len(), 34);
        app.resize(1, 1);
        assert!(!app.fits());
        assert_eq!(app.queue.rows.len(), 1);
    }
}
