//! The quality reports screen as a component (`R` then `a`, `p` or `d` on
//! the queue): accuracy, productivity and DNFB from `store::quality`, with
//! Tab between them, scoped by a period (from / to) and a coder. Each report
//! is read off the screen's thread. Keys: `[keys.quality]`, and
//! `[keys.prompt]` for a date or a name being typed.

use super::app::{App, Screen};
use super::focus::QueueFocus;
use super::input::TextInput;
use super::keymap::{Action, Context};
use super::reader::Read;
use crate::store::quality::{
    self, AccuracyReport, DnfbReport, ProductivityReport, Scope, accuracy, dnfb, productivity,
};
use crate::store::{Store, StoreError, users};
use chrono::NaiveDate;
use crossterm::event::KeyEvent;

/// The longest date or name typed.
const SCOPE_MAX: usize = 64;

/// The three reports, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QualityTab {
    Accuracy,
    Productivity,
    Dnfb,
}

impl QualityTab {
    pub const ALL: [QualityTab; 3] = [
        QualityTab::Accuracy,
        QualityTab::Productivity,
        QualityTab::Dnfb,
    ];

    pub fn label(self) -> &'static str {
        match self {
            QualityTab::Accuracy => "Accuracy",
            QualityTab::Productivity => "Productivity",
            QualityTab::Dnfb => "DNFB",
        }
    }

    fn step(self, forward: bool) -> QualityTab {
        let i = QualityTab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        let n = QualityTab::ALL.len();
        QualityTab::ALL[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// One report as read.
#[derive(Debug, Clone, PartialEq)]
pub enum QualityReport {
    Accuracy(AccuracyReport),
    Productivity(ProductivityReport),
    Dnfb(DnfbReport),
}

/// Which part of the scope is being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeField {
    From,
    To,
    Coder,
}

impl ScopeField {
    pub fn prompt(self) -> &'static str {
        match self {
            ScopeField::From => " From (YYYY-MM-DD, empty: no limit): ",
            ScopeField::To => " To (YYYY-MM-DD, empty: no limit): ",
            ScopeField::Coder => " Coder (empty: every coder): ",
        }
    }
}

/// The reports screen.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityView {
    pub tab: QualityTab,
    pub scope: Scope,
    /// The report shown (of `tab`, over `scope`); `None` until read.
    pub report: Option<QualityReport>,
    pub loading: bool,
    /// Rows scrolled down.
    pub scroll: u16,
    /// A date or name being typed.
    pub input: Option<(ScopeField, TextInput)>,
}

/// Reads one report. DNFB counts charts not final as of `today`, with
/// `base_rate` dollars per unit of DRG weight. A coder the database does not
/// know is refused.
pub fn load(
    store: &Store,
    tab: QualityTab,
    scope: &Scope,
    today: NaiveDate,
    base_rate: f64,
) -> Result<QualityReport, StoreError> {
    let conn = store.conn();
    if let Some(coder) = &scope.coder
        && !users::is_known(conn, coder)?
    {
        return Err(StoreError::Refused(format!(
            "{coder:?} is not a coder known to the database (a user, or someone who completed a chart)"
        )));
    }
    Ok(match tab {
        QualityTab::Accuracy => QualityReport::Accuracy(accuracy(conn, scope)?),
        QualityTab::Productivity => QualityReport::Productivity(productivity(conn, scope)?),
        QualityTab::Dnfb => QualityReport::Dnfb(dnfb(conn, scope, today, base_rate)?),
    })
}

/// A typed scope field applied to a scope: a bad date, or a period whose
/// start is after its end, is refused with why.
pub fn scoped(scope: &Scope, field: ScopeField, typed: &str) -> Result<Scope, String> {
    let typed = typed.trim();
    let date = || -> Result<Option<NaiveDate>, String> {
        match typed.is_empty() {
            true => Ok(None),
            false => NaiveDate::parse_from_str(typed, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{typed:?} is not a date (YYYY-MM-DD); the period is kept")),
        }
    };
    let mut next = scope.clone();
    match field {
        ScopeField::From => next.from = date()?,
        ScopeField::To => next.to = date()?,
        ScopeField::Coder => next.coder = (!typed.is_empty()).then(|| typed.to_string()),
    }
    if let (Some(from), Some(to)) = (next.from, next.to)
        && from > to
    {
        return Err(format!("from {from} is after to {to}: the period is kept"));
    }
    Ok(next)
}

impl App {
    /// The reports screen, when it is up.
    pub fn quality(&self) -> Option<&QualityView> {
        match &self.screen {
            Screen::Queue(QueueFocus::Quality(q)) => Some(q),
            _ => None,
        }
    }

    fn quality_mut(&mut self) -> Option<&mut QualityView> {
        match &mut self.screen {
            Screen::Queue(QueueFocus::Quality(q)) => Some(q),
            _ => None,
        }
    }

    /// Opens the reports screen on a report, over the whole period.
    pub(crate) fn open_quality(&mut self, tab: QualityTab) {
        self.screen = Screen::Queue(QueueFocus::Quality(Box::new(QualityView {
            tab,
            scope: Scope::default(),
            report: None,
            loading: true,
            scroll: 0,
            input: None,
        })));
        self.load_quality(Scope::default());
    }

    /// Reads the report of the tab shown over `scope`; the scope shown
    /// changes when the report lands (a refused scope is not taken).
    fn load_quality(&mut self, scope: Scope) {
        let Some(q) = self.quality_mut() else {
            return;
        };
        q.loading = true;
        let tab = q.tab;
        self.read(Read::Quality {
            tab,
            scope,
            today: self.today,
            base_rate: self.base_rate,
        });
    }

    /// A report's read landed (from the reader): shown if its tab still is;
    /// its scope becomes the one shown (a refused scope is not taken).
    pub(crate) fn quality_landed(
        &mut self,
        tab: QualityTab,
        scope: Scope,
        answer: Result<QualityReport, String>,
    ) {
        let Some(q) = self.quality_mut().filter(|q| q.tab == tab) else {
            return;
        };
        q.loading = false;
        match answer {
            Ok(report) => {
                q.report = Some(report);
                q.scope = scope;
                q.scroll = 0;
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// A key on the reports screen.
    pub(crate) fn quality_key(&mut self, key: &KeyEvent) {
        if self.quality().is_some_and(|q| q.input.is_some()) {
            self.quality_input_key(key);
            return;
        }
        self.message = None;
        let action = self.keymap.action_for(Context::Quality, key);
        let Some(q) = self.quality_mut() else {
            return;
        };
        let field = |f| Some((f, TextInput::new(SCOPE_MAX)));
        match action {
            Some(Action::NextPane | Action::PreviousPane) => {
                q.tab = q.tab.step(action == Some(Action::NextPane));
                q.report = None;
                let scope = q.scope.clone();
                self.load_quality(scope);
            }
            Some(Action::ScrollDown) => q.scroll = q.scroll.saturating_add(1),
            Some(Action::ScrollUp) => q.scroll = q.scroll.saturating_sub(1),
            Some(Action::SetFrom) => q.input = field(ScopeField::From),
            Some(Action::SetTo) => q.input = field(ScopeField::To),
            Some(Action::SetCoder) => q.input = field(ScopeField::Coder),
            Some(Action::ClearFilters) => self.load_quality(Scope::default()),
            Some(Action::Back) => self.screen = Screen::Queue(QueueFocus::Rows),
            Some(Action::Help) => self.open_help(Context::Quality),
            _ => {}
        }
    }

    fn quality_input_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Prompt, key);
        if action == Some(Action::Help) {
            self.open_help(Context::Prompt);
            return;
        }
        let keymap = &self.keymap;
        let Screen::Queue(QueueFocus::Quality(q)) = &mut self.screen else {
            return;
        };
        let Some((field, input)) = &mut q.input else {
            return;
        };
        match action {
            Some(Action::Submit) => {
                let next = scoped(&q.scope, *field, input.value());
                q.input = None;
                match next {
                    Ok(scope) => self.load_quality(scope),
                    Err(why) => self.message = Some(format!("refused: {why}")),
                }
            }
            Some(Action::Cancel) => q.input = None,
            _ => {
                input.key(keymap, key);
            }
        }
    }

    /// Text pasted into the date or name being typed.
    pub(crate) fn quality_paste(&mut self, text: &str) {
        if let Some(q) = self.quality_mut()
            && let Some((_, input)) = &mut q.input
        {
            input.paste(text);
        }
    }
}

/// The DNFB buckets' names, in order (for the screen).
pub fn bucket_names() -> Vec<&'static str> {
    quality::BUCKETS.iter().map(|(_, _, name)| *name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_typed_scope_is_checked_before_it_is_taken() {
        let s = Scope::default();
        let s = scoped(&s, ScopeField::From, " 2026-11-01 ").unwrap();
        assert_eq!(s.from, Some(day("2026-11-01")));
        let s = scoped(&s, ScopeField::To, "2026-11-30").unwrap();
        assert_eq!(s.to, Some(day("2026-11-30")));
        let err = scoped(&s, ScopeField::To, "2026-10-01").unwrap_err();
        assert!(err.contains("after"), "{err}");
        let err = scoped(&s, ScopeField::From, "yesterday").unwrap_err();
        assert!(err.contains("not a date"), "{err}");
        let s = scoped(&s, ScopeField::Coder, "cora").unwrap();
        assert_eq!(s.coder.as_deref(), Some("cora"));
        let s = scoped(&s, ScopeField::From, "").unwrap();
        assert_eq!(s.from, None, "empty: no limit");
    }

    #[test]
    fn tab_walks_the_three_reports_both_ways() {
        assert_eq!(QualityTab::Accuracy.step(true), QualityTab::Productivity);
        assert_eq!(QualityTab::Dnfb.step(true), QualityTab::Accuracy);
        assert_eq!(QualityTab::Accuracy.step(false), QualityTab::Dnfb);
    }
}

#[cfg(test)]
mod keys {
    use super::*;
    use crossterm::event::{Event, KeyCode, KeyModifiers};

    fn press(app: &mut App, code: KeyCode) {
        app.handle_event(&Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    #[test]
    fn tab_changes_the_report_and_a_bad_date_is_refused_keeping_the_scope() {
        let store = Store::open_in_memory().unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap();
        let mut app = App::new(store, "mia", today, 100, 30);
        press(&mut app, KeyCode::Char('R'));
        press(&mut app, KeyCode::Char('d'));
        let q = app.quality().unwrap();
        assert_eq!(q.tab, QualityTab::Dnfb);
        assert!(matches!(q.report, Some(QualityReport::Dnfb(_))));
        press(&mut app, KeyCode::Tab);
        let q = app.quality().unwrap();
        assert_eq!(q.tab, QualityTab::Accuracy);
        assert!(matches!(q.report, Some(QualityReport::Accuracy(_))));
        press(&mut app, KeyCode::Char('f'));
        for c in "2026-13-01".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Enter);
        assert!(
            app.message
                .as_deref()
                .unwrap_or("")
                .contains("is not a date"),
            "{:?}",
            app.message
        );
        assert_eq!(app.quality().unwrap().scope, Scope::default());
        press(&mut app, KeyCode::Char('t'));
        for c in "2026-02-28".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Enter);
        assert_eq!(
            app.quality().unwrap().scope.to,
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        press(&mut app, KeyCode::Char('x'));
        assert_eq!(app.quality().unwrap().scope, Scope::default());
        press(&mut app, KeyCode::Esc);
        assert!(app.quality().is_none());
    }
}
