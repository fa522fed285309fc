//! The chart queue: oldest discharge first, one screenful fetched at a time.

use crate::tui::app::{App, Screen};
use crate::tui::focus::QueueFocus;
use crate::tui::keymap::Action;
use crate::tui::reader::Slot;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, HighlightSpacing, Paragraph, Row, Table, TableState};

const FOOTER_ACTIONS: &[Action] = &[
    Action::MoveDown,
    Action::OpenChart,
    Action::FilterText,
    Action::CycleStatus,
    Action::CycleType,
    Action::ClearFilters,
    Action::Help,
    Action::Quit,
];

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let crate::tui::layout::QueueAreas {
        title,
        filters,
        table,
        footer,
    } = crate::tui::layout::queue(area);

    render_title(app, theme, frame, title);
    render_filters(app, theme, frame, filters);
    render_table(app, theme, frame, table);
    render_footer(app, theme, frame, footer);
}

fn render_title(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let title = Line::from(Span::styled(" chartcoder · chart queue", theme.title));
    super::title_bar(app, theme, frame, area, title);
}

fn render_filters(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let f = &app.queue.filter;
    let status = f.status.label();
    let etype = f.encounter_type.map_or("all", |t| t.label());
    let text = f.text.as_deref().unwrap_or("");
    let typing = match &app.screen {
        Screen::Queue(QueueFocus::Filter { input, .. }) => Some(input),
        _ => None,
    };
    let find_label = " find: ";
    let mut spans = vec![
        Span::styled(" status: ", theme.dim),
        Span::raw(status),
        Span::styled("  type: ", theme.dim),
        Span::raw(etype),
        Span::styled(
            if f.coder.is_some() { "  coder: me" } else { "" },
            theme.header,
        ),
        Span::styled(
            if app.queue.newest_first {
                "  newest first"
            } else {
                ""
            },
            theme.header,
        ),
        Span::styled(format!("  {}", find_label.trim_start()), theme.dim),
        Span::styled(
            text.to_string(),
            if typing.is_some() {
                theme.key
            } else {
                theme.header
            },
        ),
    ];
    if typing.is_none() && text.is_empty() {
        spans.push(Span::styled("-", theme.dim));
    }
    let summary = match &app.queue.summary {
        Some(s) => {
            let count = charts_text(s.charts, s.at_least);
            match s.oldest_uncoded {
                Some(oldest) => format!(
                    "{count} · oldest uncoded {} d ",
                    (app.today - oldest).num_days()
                ),
                None => format!("{count} "),
            }
        }
        None => String::new(),
    };
    // A page is being read off the UI thread: say so until it lands.
    let summary = if app.loading(Slot::Queue) {
        format!("reading… {summary}")
    } else {
        summary
    };
    let [left_area, right_area] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(summary.chars().count() as u16),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(Line::from(spans)), left_area);
    frame.render_widget(
        Paragraph::new(Span::styled(summary, theme.header)),
        right_area,
    );
    if let Some(input) = typing {
        let mine = if f.coder.is_some() { "  coder: me" } else { "" };
        let order = if app.queue.newest_first {
            "  newest first"
        } else {
            ""
        };
        let prefix = format!(" status: {status}  type: {etype}{mine}{order}  find: ");
        let x = left_area.x + (prefix.chars().count() + input.cursor()) as u16;
        if x < left_area.right() {
            frame.set_cursor_position(Position::new(x, left_area.y));
        }
    }
}

fn render_table(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let header = Row::new([
        "Account",
        "Patient",
        "Type",
        "Discharged",
        "Days",
        "Status",
        "Coder",
        "Holds",
    ])
    .style(theme.header);
    let rows = app.queue.rows.iter().map(|r| {
        let days = (app.today - r.discharge_date).num_days();
        Row::new(vec![
            Cell::from(r.account.as_str()),
            Cell::from(r.patient_name.as_str()),
            Cell::from(r.encounter_type.label()),
            Cell::from(r.discharge_date.to_string()),
            Cell::from(Line::from(days.to_string()).right_aligned()),
            Cell::from(r.status.label()),
            Cell::from(r.claimed_by.as_deref().unwrap_or("")),
            Cell::from(if r.open_holds > 0 {
                // "!" marks a physician query open past the escalation time.
                let late = r.oldest_open_query.as_deref().is_some_and(|sent| {
                    crate::store::queries::overdue(sent, app.clock, app.escalation_hours)
                });
                Span::styled(
                    format!("{}{}", r.open_holds, if late { "!" } else { "" }),
                    theme.alert,
                )
            } else {
                Span::raw("")
            }),
        ])
    });
    let widths = [
        Constraint::Length(10),
        Constraint::Min(12),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(4),
        Constraint::Length(11),
        Constraint::Length(8),
        Constraint::Length(5),
    ];
    let empty = app.queue.rows.is_empty();
    let table = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL))
        .row_highlight_style(theme.selected)
        .highlight_symbol("> ")
        .highlight_spacing(HighlightSpacing::Always);
    let mut state = TableState::default().with_selected((!empty).then_some(app.queue.selected));
    frame.render_stateful_widget(table, area, &mut state);
    if empty && area.height > 3 && area.width > 4 {
        let inner = Rect::new(area.x + 2, area.y + 2, area.width - 4, 1);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "No chart matches. c resets the filters; chartcoder import FILE adds charts.",
                theme.dim,
            )),
            inner,
        );
    }
}

fn render_footer(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let context = app.context();
    if context == crate::tui::keymap::Context::Reading {
        super::footer(app, theme, frame, area, context, super::READING_FOOTER);
        return;
    }
    super::footer(
        app,
        theme,
        frame,
        area,
        crate::tui::keymap::Context::Queue,
        FOOTER_ACTIONS,
    );
}

fn charts_text(n: u64, at_least: bool) -> String {
    match (n, at_least) {
        (n, true) => format!("{n}+ charts"),
        (1, false) => "1 chart".to_string(),
        (n, false) => format!("{n} charts"),
    }
}
