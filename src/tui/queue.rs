//! The queue screen as a component: its rows (a keyset window over the
//! store's queue), the text filter typed into it, and the report menu. Keys
//! reach it through the key map (`[keys.queue]`, `[keys.filter]`,
//! `[keys.reports]`).

use super::app::{App, Screen};
use super::focus::QueueFocus;
use super::input::{Edit, TextInput};
use super::keymap::{Action, Context};
use super::reader::{Fit, Read};
use super::reports::QualityTab;
use crate::domain::{CaseMixRow, EncounterType};
use crate::store::{QueueFilter, QueuePage, QueueRow, QueueSummary, StatusFilter};
use crossterm::event::KeyEvent;

/// The longest text filter, in characters.
const FILTER_MAX: usize = 200;

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

impl App {
    /// The queue's component with the keys, when the queue is up.
    fn queue_focus(&mut self) -> Option<&mut QueueFocus> {
        match &mut self.screen {
            Screen::Queue(focus) => Some(focus),
            Screen::Chart(_) => None,
        }
    }

    /// A key on the queue screen, routed to the component in focus.
    pub(crate) fn queue_key(&mut self, key: &KeyEvent) {
        let Some(focus) = self.queue_focus() else {
            return;
        };
        match focus {
            QueueFocus::Rows => {
                if let Some(action) = self.keymap.action_for(Context::Queue, key) {
                    self.apply(action);
                }
            }
            QueueFocus::Filter { .. } => self.filter_key(key),
            QueueFocus::Reports => self.report_menu_key(key),
            QueueFocus::Report { .. } => self.reading_key(key),
            QueueFocus::ReviewQueue(_) => self.review_queue_key(key),
            QueueFocus::Quality(_) => self.quality_key(key),
        }
    }

    /// Text pasted into the filter being typed.
    pub(crate) fn queue_paste(&mut self, text: &str) {
        self.quality_paste(text);
        if let Some(QueueFocus::Filter { input, .. }) = self.queue_focus()
            && input.paste(text)
        {
            let text = input.value().to_string();
            self.set_text_filter(text);
        }
    }

    fn filter_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Filter, key);
        let keymap = &self.keymap;
        let Some(QueueFocus::Filter { before, input }) = (match &mut self.screen {
            Screen::Queue(focus) => Some(focus),
            Screen::Chart(_) => None,
        }) else {
            return;
        };
        match action {
            Some(Action::Submit) => self.screen = Screen::Queue(QueueFocus::Rows),
            Some(Action::Cancel) => {
                let before = before.take().unwrap_or_default();
                self.screen = Screen::Queue(QueueFocus::Rows);
                self.set_text_filter(before);
            }
            Some(Action::Help) => self.open_help(Context::Filter),
            _ => {
                if input.key(keymap, key) == Edit::Changed {
                    let text = input.value().to_string();
                    self.set_text_filter(text);
                }
            }
        }
    }

    fn set_text_filter(&mut self, text: String) {
        self.queue.filter.text = (!text.is_empty()).then_some(text);
        self.reload(QueuePage::First);
    }

    /// Carries out one queue action.
    pub fn apply(&mut self, action: Action) {
        self.message = None;
        match action {
            Action::MoveDown => self.move_down(),
            Action::MoveUp => self.move_up(),
            Action::PageDown => self.page_down(),
            Action::PageUp => self.page_up(),
            Action::First => self.reload(QueuePage::First),
            Action::Last => self.read_queue(QueuePage::Last, Fit::ReplaceAtEnd, true),
            Action::FilterText => {
                let before = self.queue.filter.text.clone();
                let input = TextInput::with_value(before.as_deref().unwrap_or(""), FILTER_MAX);
                self.screen = Screen::Queue(QueueFocus::Filter { before, input });
            }
            Action::CycleStatus | Action::CycleType | Action::ClearFilters | Action::MineOnly => {
                self.change_filter(action)
            }
            Action::ReverseOrder => {
                self.queue.newest_first = !self.queue.newest_first;
                self.reload(QueuePage::First);
            }
            Action::OpenChart => self.open_selected_chart(),
            Action::QueryReport => self.screen = Screen::Queue(QueueFocus::Reports),
            Action::ReviewQueue => self.open_review_queue(),
            Action::Help => self.open_help(Context::Queue),
            Action::Quit => self.should_quit = true,
            _ => {}
        }
    }

    /// The status, type, "mine" filters and their reset.
    fn change_filter(&mut self, action: Action) {
        let filter = &mut self.queue.filter;
        match action {
            Action::CycleStatus => filter.status = filter.status.next(),
            Action::CycleType => {
                filter.encounter_type = cycle(EncounterType::ALL, filter.encounter_type)
            }
            Action::ClearFilters => *filter = QueueView::default_filter(),
            Action::MineOnly => {
                filter.coder = match filter.coder {
                    Some(_) => None,
                    None => Some(self.user.clone()),
                }
            }
            _ => return,
        }
        self.reload(QueuePage::First);
    }

    /// A key in the report menu: the physician query report or the case mix
    /// index, read off the UI thread; any other key closes the menu.
    fn report_menu_key(&mut self, key: &KeyEvent) {
        self.screen = Screen::Queue(QueueFocus::Rows);
        let read = match self.keymap.action_for(Context::Reports, key) {
            Some(Action::ReportQueries) => Read::QueryReport {
                now: self.clock,
                response_hours: self.response_hours,
                escalation_hours: self.escalation_hours,
            },
            Some(Action::ReportCaseMix) => Read::CaseMix,
            Some(Action::ReportAccuracy) => return self.open_quality(QualityTab::Accuracy),
            Some(Action::ReportProductivity) => {
                return self.open_quality(QualityTab::Productivity);
            }
            Some(Action::ReportDnfb) => return self.open_quality(QualityTab::Dnfb),
            _ => return,
        };
        self.message = Some("reading the report…".into());
        self.read(read);
    }

    /// A report's text landed: shown over the queue (unless the coder has
    /// left the queue meanwhile).
    pub(crate) fn report_landed(&mut self, title: &str, text: Result<String, String>) {
        if !matches!(self.screen, Screen::Queue(QueueFocus::Rows)) {
            return;
        }
        self.message = None;
        match text {
            Ok(text) => {
                let title = title.to_string();
                let scroll = 0;
                self.screen = Screen::Queue(QueueFocus::Report {
                    title,
                    text,
                    scroll,
                });
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// The case mix rows landed: the index computed, titled from the
    /// grouper, shown.
    pub(crate) fn case_mix_landed(&mut self, rows: Result<(Vec<CaseMixRow>, u64), String>) {
        let text = rows.map(|(rows, without)| {
            let report = crate::drg::case_mix::compute(&rows, without, None, None);
            let grouper = self.codesets.as_ref().and_then(|s| s.grouper.clone());
            let title = |drg: u16| -> Option<String> {
                let g = grouper.as_ref()?;
                let v = g.versions().last()?.version;
                g.drg_title(drg, v).map(str::to_string)
            };
            crate::drg::case_mix::text(&report, &title)
        });
        self.report_landed(" Case mix index ", text);
    }

    /// Asks the reader for a page of the queue in the order shown; `fit`
    /// says where its rows go when they land.
    pub(crate) fn read_queue(&mut self, page: QueuePage, fit: Fit, summary: bool) {
        let limit = match fit {
            Fit::StepDown | Fit::StepUp => 1,
            _ => self.page_rows(),
        };
        // The whole window read again: a live change pending is in it, and
        // so is every commit the database's version counts now.
        if summary && matches!(fit, Fit::Replace { .. } | Fit::ReplaceAtEnd) {
            self.workers.live.stale = false;
            self.note_queue_version();
        }
        self.read(Read::QueuePage {
            filter: self.queue.filter.clone(),
            newest_first: self.queue.newest_first,
            page,
            limit,
            summary,
            fit,
        });
    }

    /// Replaces the window with a page and refreshes the summary.
    pub(crate) fn reload(&mut self, page: QueuePage) {
        self.read_queue(page, Fit::Replace { select: 0 }, true);
    }

    /// A page of the queue landed: placed as its read said.
    pub(crate) fn queue_page_landed(
        &mut self,
        fit: &Fit,
        rows: Result<Vec<QueueRow>, String>,
        summary: Option<Result<QueueSummary, String>>,
    ) {
        match summary {
            Some(Ok(s)) => self.queue.summary = Some(s),
            Some(Err(e)) => self.message = Some(e),
            None => {}
        }
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                self.message = Some(e);
                return;
            }
        };
        let n = self.page_rows();
        let q = &mut self.queue;
        match fit {
            Fit::Replace { select } => {
                q.selected = (*select).min(rows.len().saturating_sub(1));
                q.rows = rows;
            }
            Fit::ReplaceAtEnd => {
                q.rows = rows;
                q.selected = q.rows.len().saturating_sub(1);
            }
            Fit::StepDown => {
                if let Some(row) = rows.into_iter().next() {
                    if !q.rows.is_empty() {
                        q.rows.remove(0);
                    }
                    q.rows.push(row);
                }
            }
            Fit::StepUp => {
                if let Some(row) = rows.into_iter().next() {
                    if q.rows.len() >= n {
                        q.rows.pop();
                    }
                    q.rows.insert(0, row);
                }
            }
            Fit::PageDown => page_down(q, rows, n),
            Fit::PageUp => page_up(q, rows, n),
        }
    }

    fn move_down(&mut self) {
        if self.queue.selected + 1 < self.queue.rows.len() {
            self.queue.selected += 1;
        } else if let Some(last) = self.queue.rows.last().map(QueueRow::key) {
            self.read_queue(QueuePage::After(last), Fit::StepDown, false);
        }
    }

    fn move_up(&mut self) {
        if self.queue.selected > 0 {
            self.queue.selected -= 1;
        } else if let Some(first) = self.queue.rows.first().map(QueueRow::key) {
            self.read_queue(QueuePage::Before(first), Fit::StepUp, false);
        }
    }

    fn page_down(&mut self) {
        if let Some(last) = self.queue.rows.last().map(QueueRow::key) {
            self.read_queue(QueuePage::After(last), Fit::PageDown, false);
        }
    }

    fn page_up(&mut self) {
        if let Some(first) = self.queue.rows.first().map(QueueRow::key) {
            self.read_queue(QueuePage::Before(first), Fit::PageUp, false);
        }
    }

    /// The chart under the cursor.
    pub fn selected_row(&self) -> Option<&QueueRow> {
        self.queue.rows.get(self.queue.selected)
    }
}

/// The page after the window landed (`n` rows a page).
fn page_down(q: &mut QueueView, next: Vec<QueueRow>, n: usize) {
    if next.is_empty() {
        q.selected = q.rows.len().saturating_sub(1);
    } else if next.len() == n {
        q.rows = next;
    } else {
        // Fewer than a page left: show the last full page, ending at the newest.
        let mut all = std::mem::take(&mut q.rows);
        all.extend(next);
        let skip = all.len().saturating_sub(n);
        q.rows = all.split_off(skip);
        q.selected = q.rows.len().saturating_sub(1);
    }
}

/// The page before the window landed.
fn page_up(q: &mut QueueView, prev: Vec<QueueRow>, n: usize) {
    if prev.is_empty() {
        q.selected = 0;
    } else if prev.len() == n {
        q.rows = prev;
    } else {
        let mut all = prev;
        all.append(&mut q.rows);
        all.truncate(n);
        q.rows = all;
        q.selected = 0;
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
    use crate::store::{Store, queue};
    use crate::tui::app::Mode;
    use chrono::NaiveDate;
    use crossterm::event::{Event, KeyCode, KeyModifiers};

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
        assert_eq!(app.mode(), Mode::Normal);
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
