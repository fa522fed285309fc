//! The queue screen as a component: its rows (a keyset window over the
//! store's queue), the text filter typed into it, and the report menu. Keys
//! reach it through the key map (`[keys.queue]`, `[keys.filter]`,
//! `[keys.reports]`).

use super::app::{App, Screen};
use super::focus::QueueFocus;
use super::input::{Edit, TextInput};
use super::keymap::{Action, Context};
use super::reports::QualityTab;
use crate::domain::EncounterType;
use crate::store::{QueueFilter, QueuePage, QueueRow, QueueSummary, StatusFilter, queue};
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
            QueueFocus::Report { .. } => *focus = QueueFocus::Rows,
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
    /// index; any other key closes the menu.
    fn report_menu_key(&mut self, key: &KeyEvent) {
        self.screen = Screen::Queue(QueueFocus::Rows);
        let report = match self.keymap.action_for(Context::Reports, key) {
            Some(Action::ReportQueries) => self.query_report(),
            Some(Action::ReportCaseMix) => self.case_mix_report(),
            Some(Action::ReportAccuracy) => return self.open_quality(QualityTab::Accuracy),
            Some(Action::ReportProductivity) => {
                return self.open_quality(QualityTab::Productivity);
            }
            Some(Action::ReportDnfb) => return self.open_quality(QualityTab::Dnfb),
            _ => return,
        };
        match report {
            Ok((title, text)) => self.screen = Screen::Queue(QueueFocus::Report { title, text }),
            Err(e) => self.message = Some(e),
        }
    }

    fn query_report(&self) -> Result<(String, String), String> {
        let (rows, coded) = crate::store::queries::report_rows(self.store.conn(), None, None)
            .map_err(|e| format!("could not read the queries: {e}"))?;
        let report = crate::query::report::compute(
            &rows,
            coded,
            self.clock,
            self.response_hours,
            self.escalation_hours,
        );
        Ok((
            " Physician queries (any key closes) ".into(),
            crate::query::report::text(&report),
        ))
    }

    fn case_mix_report(&self) -> Result<(String, String), String> {
        let (rows, without) = crate::store::drg::case_mix_rows(self.store.conn(), None, None)
            .map_err(|e| format!("could not read the DRGs: {e}"))?;
        let report = crate::drg::case_mix::compute(&rows, without, None, None);
        let grouper = self.codesets.as_ref().and_then(|s| s.grouper.clone());
        let title = |drg: u16| -> Option<String> {
            let g = grouper.as_ref()?;
            let v = g.versions().last()?.version;
            g.drg_title(drg, v).map(str::to_string)
        };
        Ok((
            " Case mix index (any key closes) ".into(),
            crate::drg::case_mix::text(&report, &title),
        ))
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
    use crate::store::Store;
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
