//! The workstation's state and how input changes it. Rendering reads this state and
//! never changes it (see `screens`).
//!
//! An event goes to the component in focus: [`Screen`] says which screen is
//! up and, inside it, which component has the keys (see `focus`); the queue
//! (`queue`), the chart's panes (`chart_keys`), the code search
//! (`search_popup`), the chart's prompts (`prompts`), the queries overlay
//! (`queries`) and the query form (`query_form`) each handle their own keys,
//! through the key map.

use super::chart::{ChartView, SearchPopup};
pub use super::focus::Mode;
use super::focus::{ChartFocus, Help, QueriesStep, QueueFocus};
use super::input::TextInput;
use super::keymap::{Action, Context, Keymap};
pub use super::queue::QueueView;
use super::reader::{Fit, Slot};
use super::saver::{Job, Saver};
use super::wake::Wake;
use super::workers::Workers;
use crate::domain::AuditAction;
use crate::reference::CodeSets;
use crate::store::{QueuePage, Store};
use chrono::NaiveDate;
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Whether a terminal of this size is big enough to draw the workstation.
pub fn fits(width: u16, height: u16) -> bool {
    width >= MIN_WIDTH && height >= MIN_HEIGHT
}

/// The smallest terminal the workstation draws in.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// The longest password the lock screen takes.
const PASSWORD_MAX: usize = 200;

/// Which screen is up, and on it the component with the keys.
#[derive(Debug, Clone)]
pub enum Screen {
    Queue(QueueFocus),
    Chart(Box<ChartView>),
}

pub struct App {
    pub(crate) store: Store,
    pub user: String,
    /// The date "days since discharge" counts to.
    pub today: NaiveDate,
    pub keymap: Keymap,
    pub queue: QueueView,
    pub width: u16,
    pub height: u16,
    /// A one-line message (errors, notices) shown above the footer.
    pub message: Option<String>,
    pub should_quit: bool,
    pub no_color: bool,
    /// Where the coder is: the screen and its component with the keys.
    pub screen: Screen,
    /// The help screen, over whatever component it lists the keys of.
    pub help: Option<Help>,
    /// The code sets, once loaded (search, notes, edits).
    pub codesets: Option<CodeSets>,
    /// The threads working for the screen and the channel that wakes the
    /// loop (see `workers`).
    pub(crate) workers: Workers,
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
    pub locked: Option<TextInput>,
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
    pub(crate) held: VecDeque<Event>,
    /// Dollars per unit of DRG weight, for the DNFB amount (`reports.base_rate`).
    pub base_rate: f64,
}

/// Checks the password that unlocks the screen.
pub type Unlocker = std::sync::Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;

/// Wrong passwords on the lock screen before the coder is logged off.
pub const MAX_FAILED_UNLOCKS: u32 = 3;

impl App {
    pub fn new(store: Store, user: &str, today: NaiveDate, width: u16, height: u16) -> App {
        let (workers, warning) = Workers::for_store(&store);
        let mut app = App {
            store,
            user: user.to_string(),
            today,
            keymap: Keymap::default(),
            queue: QueueView {
                filter: QueueView::default_filter(),
                ..QueueView::default()
            },
            width,
            height,
            message: None,
            should_quit: false,
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            screen: Screen::Queue(QueueFocus::Rows),
            help: None,
            codesets: None,
            workers,
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
            base_rate: 0.0,
        };
        // The site's policies, from the database (not the coder's config):
        // read by the reader, like the queue, so the screen's thread never
        // waits on the database; until they land (milliseconds, long before
        // any idle lock could be due) the defaults apply.
        app.read(super::reader::Read::SitePolicy);
        app.reload(QueuePage::First);
        if warning.is_some() {
            app.message = warning;
        }
        app
    }

    /// Runs a store action: on the saver thread (the answer wakes the loop
    /// as [`Wake::Saved`]), or at once for an in-memory store.
    pub(crate) fn save(&mut self, job: Job) {
        match self.workers.saver.submit(job, &mut self.store) {
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
            self.locked = Some(TextInput::new(PASSWORD_MAX));
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
    /// unlock, logoff. Written by the saver, in order with the chart's
    /// actions; quitting waits for it (the saver drains when dropped), so a
    /// logoff is recorded before the process ends. It holds no keys.
    fn audit_session(&mut self, action: AuditAction, detail: &str) {
        let job = Job::session(&self.user, action, detail);
        match self.workers.saver.submit(job, &mut self.store) {
            Some(reply) => self.session_audited(reply),
            None => self.workers.session_audits += 1,
        }
    }

    /// A session audit row's answer: said only when it failed.
    pub(crate) fn session_audited(&mut self, reply: super::saver::Reply) {
        if let (super::saver::Then::Session(action), Err(e)) = (&reply.then, &reply.result) {
            self.message = Some(format!(
                "could not record the {action} in the audit trail: {e}"
            ));
        }
    }

    /// A key on the lock screen: the coder types their operating-system
    /// password; Enter checks it. Three wrong ones log the coder off.
    fn lock_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Lock, key);
        let Some(typed) = &mut self.locked else {
            return;
        };
        match action {
            Some(Action::Submit) => {
                let password = typed.take();
                let checked = match &self.unlock {
                    Some(check) => check(&password),
                    None => Err("no password check".into()),
                };
                drop(password);
                self.unlock_checked(checked);
            }
            Some(Action::Cancel) => typed.clear(),
            _ => {
                typed.key(&self.keymap, key);
            }
        }
    }

    /// The password typed on the lock screen was checked.
    fn unlock_checked(&mut self, checked: Result<(), String>) {
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

    /// The action in flight has been answered: show it, then replay the keys
    /// held meanwhile (which may send the next action, and hold again).
    pub(crate) fn landed(&mut self, reply: super::saver::Reply) {
        self.saving = None;
        self.slow_save = false;
        self.saved(reply);
        self.replay_held();
    }

    /// The saver thread is gone (it can only have panicked): what was in
    /// flight was rolled back with its connection. Say so, save on this
    /// thread from now on, and go on with the keys held.
    pub(crate) fn saver_stopped(&mut self) {
        self.saving = None;
        self.workers.session_audits = 0;
        self.slow_save = false;
        self.workers.saver = Saver::Inline;
        self.message = Some(
            crate::fault::stopped("the saver") + ": the last change was not saved; do it again",
        );
        self.replay_held();
    }

    pub(crate) fn replay_held(&mut self) {
        while !self.holding_keys()
            && !self.should_quit
            && let Some(event) = self.held.pop_front()
        {
            self.handle_event(&event);
        }
    }

    /// Whether a read in `slot` is awaited (the screen says it is loading).
    pub fn loading(&self, slot: Slot) -> bool {
        self.workers.reader.loading(slot)
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
        super::layout::queue_rows(self.width, self.height)
    }

    /// Handles one terminal event; returns whether the screen needs redrawing.
    pub fn handle_event(&mut self, event: &Event) -> bool {
        if matches!(event, Event::Key(_) | Event::Paste(_)) {
            self.last_input = Instant::now();
            if self.locked.is_some() {
                match event {
                    Event::Key(key) if key.kind != KeyEventKind::Release => self.lock_key(key),
                    Event::Paste(text) => {
                        if let Some(typed) = &mut self.locked {
                            typed.paste(text);
                        }
                    }
                    _ => {}
                }
                return true;
            }
        }
        if self.holding_keys() && matches!(event, Event::Key(_) | Event::Paste(_)) {
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
                match &self.screen {
                    Screen::Queue(_) => self.queue_paste(text),
                    Screen::Chart(_) => self.chart_paste(text),
                }
                true
            }
            _ => false,
        }
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.reload_in_place();
    }

    /// Reloads the queue's window from its top row, the selection kept.
    pub(crate) fn reload_in_place(&mut self) {
        let page = match self.queue.rows.first() {
            Some(first) => QueuePage::From(first.key()),
            None => QueuePage::First,
        };
        let select = self.queue.selected;
        self.read_queue(page, Fit::Replace { select }, true);
    }

    /// A key goes to the component in focus: the global keys first, then
    /// help when it is up, then the screen's component.
    fn handle_key(&mut self, key: &KeyEvent) {
        if self.keymap.action_for(Context::Global, key) == Some(Action::Quit) {
            // Keep the query being written: it is put away as a draft.
            self.put_query_form_away();
            self.should_quit = true;
            return;
        }
        if let Some(help) = &mut self.help {
            let lines = help_lines(&self.keymap, help.context);
            let screen = ratatui::layout::Rect::new(0, 0, self.width, self.height);
            let (_, room) = super::layout::help(screen, lines);
            let last = lines.saturating_sub(room);
            match self.keymap.action_for(Context::Help, key) {
                Some(Action::ScrollDown) => help.scroll = (help.scroll + 1).min(last),
                Some(Action::ScrollUp) => help.scroll = help.scroll.saturating_sub(1),
                _ => self.help = None,
            }
            return;
        }
        match &self.screen {
            Screen::Queue(_) => self.queue_key(key),
            Screen::Chart(_) => self.chart_key(key),
        }
    }

    /// The first key of an action on a component, as help writes it, for
    /// messages that name a key ("f writes one").
    pub(crate) fn key_of(&self, context: Context, action: Action) -> String {
        self.keymap
            .first_key(context, action)
            .map_or_else(|| action.name().to_string(), |k| k.to_string())
    }

    /// Shows the help of a component.
    pub(crate) fn open_help(&mut self, context: Context) {
        self.help = Some(Help { context, scroll: 0 });
    }

    /// Where the coder is, without the component's state.
    pub fn mode(&self) -> Mode {
        if self.help.is_some() {
            return Mode::Help;
        }
        match &self.screen {
            Screen::Queue(QueueFocus::Rows) => Mode::Normal,
            Screen::Queue(QueueFocus::Filter { .. }) => Mode::FilterInput,
            Screen::Queue(QueueFocus::Reports) => Mode::ReportMenu,
            Screen::Queue(QueueFocus::Report { .. }) => Mode::Report,
            Screen::Queue(QueueFocus::ReviewQueue(_)) => Mode::ReviewQueue,
            Screen::Queue(QueueFocus::Quality(q)) => match q.input {
                Some(_) => Mode::ReviewInput,
                None => Mode::Quality,
            },
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Panes => Mode::Normal,
                ChartFocus::Search(_) => Mode::Search,
                ChartFocus::Poa => Mode::Poa,
                ChartFocus::Find(_) => Mode::FindInput,
                ChartFocus::Prior { .. } => Mode::Prior,
                ChartFocus::Line(_) => Mode::LineInput,
                ChartFocus::Procedure(_) => Mode::ProcedureInput,
                ChartFocus::QueryForm(_) => Mode::QueryForm,
                ChartFocus::DrgAnalysis { .. } => Mode::DrgAnalysis,
                ChartFocus::Review(panel) => match panel.step {
                    super::review::ReviewStep::List => Mode::Review,
                    super::review::ReviewStep::Reason { .. } => Mode::ReviewReason,
                    super::review::ReviewStep::Note { .. } => Mode::ReviewInput,
                },
                ChartFocus::Queries { step, .. } => match step {
                    QueriesStep::List => Mode::Queries,
                    QueriesStep::Outcome => Mode::QueryOutcome,
                    QueriesStep::Input { .. } => Mode::QueryInput,
                },
            },
        }
    }

    /// The component with the keys: the one whose keys help lists and the
    /// footer shows.
    pub fn context(&self) -> Context {
        match &self.screen {
            Screen::Queue(QueueFocus::Rows) => Context::Queue,
            Screen::Queue(QueueFocus::Report { .. }) => Context::Reading,
            Screen::Queue(QueueFocus::Filter { .. }) => Context::Filter,
            Screen::Queue(QueueFocus::Reports) => Context::Reports,
            Screen::Queue(QueueFocus::ReviewQueue(_)) => Context::ReviewQueue,
            Screen::Queue(QueueFocus::Quality(q)) => match q.input {
                Some(_) => Context::Prompt,
                None => Context::Quality,
            },
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Panes => Context::Chart,
                ChartFocus::Prior { .. } | ChartFocus::DrgAnalysis { .. } => Context::Reading,
                ChartFocus::Search(popup) if popup.seventh().is_some() => Context::Seventh,
                ChartFocus::Search(_) => Context::Search,
                ChartFocus::Poa => Context::Poa,
                ChartFocus::Find(_) | ChartFocus::Line(_) | ChartFocus::Procedure(_) => {
                    Context::Prompt
                }
                ChartFocus::QueryForm(_) => Context::QueryForm,
                ChartFocus::Review(panel) => match panel.step {
                    super::review::ReviewStep::List => Context::Review,
                    super::review::ReviewStep::Reason { .. } => Context::ReviewReason,
                    super::review::ReviewStep::Note { .. } => Context::Prompt,
                },
                ChartFocus::Queries { step, .. } => match step {
                    QueriesStep::List => Context::Queries,
                    QueriesStep::Outcome => Context::Outcome,
                    QueriesStep::Input { .. } => Context::Prompt,
                },
            },
        }
    }

    /// The code-search popup, when it is up.
    pub fn popup(&self) -> Option<&SearchPopup> {
        match &self.screen {
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Search(popup) => Some(popup),
                _ => None,
            },
            Screen::Queue(_) => None,
        }
    }

    /// The one-line prompt being typed on the chart, if one is.
    pub fn prompt(&self) -> Option<&TextInput> {
        match &self.screen {
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Find(input)
                | ChartFocus::Line(input)
                | ChartFocus::Procedure(input) => Some(input),
                ChartFocus::Queries {
                    step: QueriesStep::Input { input, .. },
                    ..
                } => Some(input),
                _ => None,
            },
            Screen::Queue(_) => None,
        }
    }

    /// The physician query form: the one being written, else the one put
    /// away on the open chart.
    pub fn query_form(&self) -> Option<&super::query_form::QueryForm> {
        let Screen::Chart(view) = &self.screen else {
            return None;
        };
        match &view.focus {
            ChartFocus::QueryForm(form) => Some(form),
            _ => view.query_form.as_deref(),
        }
    }

    /// The report shown over the queue: its title and text.
    pub fn report(&self) -> Option<(&str, &str)> {
        match &self.screen {
            Screen::Queue(QueueFocus::Report { title, text, .. }) => Some((title, text)),
            _ => None,
        }
    }

    /// The DRG analysis shown over the chart.
    pub fn drg_analysis(&self) -> Option<&[String]> {
        match &self.screen {
            Screen::Chart(view) => match &view.focus {
                ChartFocus::DrgAnalysis { lines, .. } => Some(lines),
                _ => None,
            },
            Screen::Queue(_) => None,
        }
    }

    /// Starts loading the code sets on a background thread.
    pub fn load_codesets_in_background(
        &mut self,
        cache_dir: Option<std::path::PathBuf>,
        user: crate::search::cache::UserTables,
        edits: crate::edits::SiteFiles,
    ) {
        let rx = CodeSets::spawn(cache_dir, user, edits);
        let waker = self.workers.waker.clone();
        // The loader answers on a channel of its own: passed on to the loop's.
        let forward = std::thread::Builder::new()
            .name("codesets-forward".into())
            .spawn(move || {
                let result = rx.recv().unwrap_or_else(|_| {
                    Err(crate::fault::stopped("the code-set loader")
                        + "; start chartcoder again for code search and the edits")
                });
                let _ = waker.send(Wake::Codesets(Box::new(result)));
            });
        match forward {
            Ok(_) => self.workers.codesets_loading = true,
            Err(e) => self.message = Some(format!("code sets could not be loaded: {e}")),
        }
    }
}

/// How many lines the help of a component has: a row per binding (the
/// editing keys too, for a field), a blank line and two notes. Update and
/// render both count with this.
pub fn help_lines(keymap: &Keymap, context: Context) -> u16 {
    u16::try_from(keymap.help_rows(context).len() + 3).unwrap_or(u16::MAX)
}
