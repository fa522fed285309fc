//! The physician query form: the fields on the left, the chart's document on
//! the right to pick indicators from, the lint's verdict at the bottom.

use crate::query::{Format, OTHER, UNDETERMINED};
use crate::tui::app::App;
use crate::tui::keymap::{Action, Context};
use crate::tui::query_form::{Field, QueryForm, picker_width};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

pub fn render(app: &App, form: &QueryForm, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let crate::tui::app::Screen::Chart(view) = &app.screen else {
        return;
    };
    let rect = super::centered(
        area,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.key)
        .title(Span::styled(
            format!(
                " Physician query · {} help ",
                app.keymap.keys_text(Context::QueryForm, Action::Help)
            ),
            theme.key,
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [body, verdict, help] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(body);

    render_fields(app, form, theme, frame, left);
    render_picker(app, view, form, theme, frame, right);
    render_verdict(app, form, theme, frame, verdict, help);
}

/// Left: the fields, the one in focus highlighted.
fn render_fields(app: &App, form: &QueryForm, theme: &Theme, frame: &mut Frame<'_>, left: Rect) {
    let label = |f: Field, text: &str| {
        let style = if form.field == f {
            theme.selected
        } else {
            theme.header
        };
        Span::styled(format!("{text:<11}"), style)
    };
    let d = &form.draft;
    let template = d.template.clone().unwrap_or_else(|| "(blank)".into());
    let mut lines: Vec<Line<'_>> = vec![
        Line::from(vec![
            label(Field::Template, "Template"),
            Span::raw(format!(" {template}")),
        ]),
        Line::from(vec![
            label(Field::Physician, "Physician"),
            Span::raw(format!(" {}", d.physician)),
        ]),
        Line::from(vec![
            label(Field::Format, "Format"),
            Span::raw(format!(
                " {}",
                d.format.unwrap_or(Format::OpenEnded).label()
            )),
        ]),
    ];
    if d.format == Some(Format::YesNo) {
        lines.push(Line::from(vec![
            label(Field::Reason, "Yes/no for"),
            Span::raw(format!(
                " {}",
                d.yes_no_reason.map_or("(choose: Up/Down)", |r| r.label())
            )),
        ]));
    }
    lines.push(Line::from(vec![label(Field::Question, "Question")]));
    lines.push(Line::raw(format!("  {}", d.question)));
    lines.push(Line::from(vec![
        label(Field::Indicators, "Indicators"),
        Span::styled(
            format!(
                " {} ({}: the line at right, or typed)",
                d.indicators.len(),
                app.keymap.keys_text(Context::QueryForm, Action::Submit)
            ),
            theme.dim,
        ),
    ]));
    for i in &d.indicators {
        let cite = i
            .source
            .as_ref()
            .map(|s| format!(" [{}, {}]", s.document, s.date))
            .unwrap_or_default();
        lines.push(Line::from(vec![
            Span::raw(format!("  - {}", i.text)),
            Span::styled(cite, theme.dim),
        ]));
    }
    if form.field == Field::Indicators {
        lines.push(Line::styled(
            format!("  + {}", form.input.value()),
            theme.key,
        ));
    }
    if d.format == Some(Format::MultipleChoice) {
        lines.push(Line::from(vec![label(Field::Options, "Options")]));
        for c in &d.choices {
            lines.push(Line::raw(format!("  [ ] {c}")));
        }
        for fixed in [OTHER, UNDETERMINED] {
            lines.push(Line::styled(format!("  [ ] {fixed}"), theme.dim));
        }
        if form.field == Field::Options {
            lines.push(Line::styled(
                format!("  + {}", form.input.value()),
                theme.key,
            ));
        }
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::RIGHT)),
        left,
    );
}

/// Right: the document to pick indicators from, or what the template says
/// to look for.
fn render_picker(
    app: &App,
    view: &crate::tui::chart::ChartView,
    form: &QueryForm,
    theme: &Theme,
    frame: &mut Frame<'_>,
    right: Rect,
) {
    // Right: the document to pick from, or what the template says to look for.
    if form.field == Field::Indicators {
        let width = picker_width(app.width);
        let rows = form.document_lines(&view.chart, width);
        let title = view
            .chart
            .documents
            .get(form.document)
            .map(|doc| {
                format!(
                    " {} {} ({}/{}: other documents) ",
                    doc.title
                        .clone()
                        .unwrap_or_else(|| doc.kind.label().to_string()),
                    doc.date,
                    app.keymap
                        .keys_text(Context::QueryForm, Action::PreviousDocument),
                    app.keymap
                        .keys_text(Context::QueryForm, Action::NextDocument),
                )
            })
            .unwrap_or_default();
        let height = usize::from(right.height.saturating_sub(1)).max(1);
        let top = form.line.saturating_sub(height / 2);
        let shown: Vec<Line<'_>> = rows
            .iter()
            .enumerate()
            .skip(top)
            .take(height)
            .map(|(i, r)| {
                if i == form.line {
                    Line::styled(format!("> {r}"), theme.selected)
                } else {
                    Line::raw(format!("  {r}"))
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(shown).block(
                Block::default()
                    .borders(Borders::TOP)
                    .title(Span::styled(title, theme.dim)),
            ),
            right,
        );
    } else {
        let mut hints = vec![Line::styled("Look for in the record:", theme.dim)];
        if form.look_for.is_empty() {
            hints.push(Line::styled(
                "  (choose a template, or write the query blank)",
                theme.dim,
            ));
        }
        hints.extend(form.look_for.iter().map(|l| Line::raw(format!("  - {l}"))));
        frame.render_widget(Paragraph::new(hints).wrap(Wrap { trim: false }), right);
    }
}

/// The lint's verdict, and the form's keys.
fn render_verdict(
    app: &App,
    form: &QueryForm,
    theme: &Theme,
    frame: &mut Frame<'_>,
    verdict: Rect,
    help: Rect,
) {
    let problems = form.problems();
    let verdict_line = if problems.is_empty() {
        Line::styled(
            format!(
                " ready to send: {}",
                app.keymap.keys_text(Context::QueryForm, Action::Send)
            ),
            theme.key,
        )
    } else {
        Line::styled(
            format!(" cannot send yet: {}", problems.join("; ")),
            theme.alert,
        )
    };
    frame.render_widget(
        Paragraph::new(verdict_line).wrap(Wrap { trim: true }),
        verdict,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                " {}",
                super::hint_text(
                    app,
                    Context::QueryForm,
                    &[
                        &[Action::NextField],
                        &[Action::MoveUp, Action::MoveDown],
                        &[Action::Submit],
                        &[Action::AddFoundSentence],
                        &[Action::RemoveLast],
                        &[Action::Send],
                        &[Action::Cancel],
                    ]
                )
            ),
            Style::default().patch(theme.dim),
        )),
        help,
    );
}
