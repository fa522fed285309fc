//! The chart screen: header, documents, diagnoses, procedures and edits.

use crate::domain::{CodeSystem, age_on, pointer_letter};
use crate::edits::Severity;
use crate::tui::app::{App, Screen};
use crate::tui::chart::{ChartView, Pane, dx_badges, wrap_lines};
use crate::tui::focus::{ChartFocus, QueriesStep};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, HighlightSpacing, List, ListItem, ListState, Paragraph, Row, Table,
    TableState,
};

const FOOTER_ACTIONS: &[Action] = &[
    Action::NextPane,
    Action::AddDiagnosis,
    Action::AddProcedure,
    Action::SetPoa,
    Action::FlagForQuery,
    Action::CompleteChart,
    Action::Back,
    Action::Help,
];

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let Screen::Chart(view) = &app.screen else {
        return;
    };
    let drg_line = view.drg.line();
    let crate::tui::layout::ChartAreas {
        title,
        info,
        drg,
        body,
        document: left,
        codes: right,
        footer,
    } = crate::tui::layout::chart(area, drg_line.is_some());
    render_title(app, view, theme, frame, title);
    render_footer(app, theme, frame, footer);
    if matches!(view.focus, ChartFocus::Search(_) | ChartFocus::QueryForm(_)) {
        // The search popup and the query form cover all but the title and
        // footer rows: drawing the panes beneath would only be thrown away
        // (a third of the frame's time at 120x40).
        return;
    }
    render_info(app, view, theme, frame, info);
    if let Some(line) = drg_line {
        let style = if view.drg.ungroupable().is_some() {
            theme.alert
        } else {
            theme.header
        };
        frame.render_widget(Paragraph::new(Span::styled(format!(" {line}"), style)), drg);
    }
    render_document(view, theme, frame, left);
    let codes_height = right.height.saturating_sub(2) / 3;
    let [dx, px, edits] = Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(codes_height.clamp(3, 8)),
        Constraint::Length(codes_height.clamp(3, 8)),
    ])
    .areas(right);
    render_diagnoses(app, view, theme, frame, dx);
    render_procedures(app, view, theme, frame, px);
    render_edits(view, theme, frame, edits);
    match &view.focus {
        ChartFocus::Prior { scroll } => render_prior(view, *scroll, theme, frame, body),
        ChartFocus::Queries { selected, .. } => {
            render_queries(app, view, *selected, theme, frame, body)
        }
        _ => {}
    }
}

/// The chart's physician queries, over the body: one line each (the selected
/// one reversed), then the selected query's answer or outcome.
fn render_queries(
    app: &App,
    view: &ChartView,
    selected: usize,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    use crate::domain::QueryStatus as Status;
    use crate::store::queries::overdue;
    let mut lines: Vec<Line<'_>> = Vec::new();
    for (i, q) in view.queries.iter().enumerate() {
        let late = q.status == Status::Open
            && q.sent_at
                .as_deref()
                .is_some_and(|s| overdue(s, app.clock, app.escalation_hours));
        let text = format!(
            "#{} {:<9} to {} · sent {}{}",
            q.id,
            q.status.as_str(),
            q.recipient,
            q.sent_at
                .as_deref()
                .map_or("-", |s| s.get(..16).unwrap_or(s)),
            if late { " · OVERDUE" } else { "" }
        );
        lines.push(if i == selected {
            Line::styled(format!("> {text}"), theme.selected)
        } else if late {
            Line::styled(format!("  {text}"), theme.alert)
        } else {
            Line::raw(format!("  {text}"))
        });
    }
    if let Some(q) = view.queries.get(selected) {
        lines.push(Line::raw(""));
        lines.push(Line::styled(format!("  {}", q.question), theme.dim));
        if let Some(a) = &q.answer {
            lines.push(Line::raw(format!("  Answer: {a}")));
        }
        if let Some(o) = &q.outcome {
            lines.push(Line::raw(format!("  Closed: {o}")));
        }
        if let Some(r) = &q.cancel_reason {
            lines.push(Line::raw(format!("  Canceled: {r}")));
        }
    }
    super::overlay(
        frame,
        area,
        theme,
        format!(
            " Queries: {} ",
            super::hint_text(
                app,
                Context::Queries,
                &[
                    &[Action::AnswerQuery],
                    &[Action::CloseQuery],
                    &[Action::CancelQuery],
                    &[Action::ChangeRecipient],
                    &[Action::Back],
                ]
            )
        ),
        lines,
    );
}

/// The patient's other encounters and their codes, over the body.
fn render_prior(view: &ChartView, scroll: u16, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    use crate::tui::reading::{PriorRow, prior_rows};
    let lines = prior_rows(&view.prior)
        .into_iter()
        .map(|row| match row {
            PriorRow::Encounter { account, rest } => Line::from(vec![
                Span::styled(format!("{account} "), theme.header),
                Span::raw(rest),
            ]),
            PriorRow::NoCodes => Line::styled("   no codes", theme.dim),
            PriorRow::Code(text) => Line::raw(text),
        })
        .collect();
    let title = format!(" Prior encounters of {} ", view.chart.patient.name);
    super::reading_overlay(frame, area, theme, title, lines, scroll);
}

fn render_title(app: &App, view: &ChartView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let c = &view.chart;
    let age = age_on(c.patient.birth_date, c.encounter.admit_date);
    let title = Line::from(vec![
        Span::styled(format!(" {} ", c.account), theme.title),
        Span::styled(
            format!(
                "{} ({}, {age}y) MRN {}",
                c.patient.name,
                c.patient.sex.as_str(),
                c.mrn
            ),
            theme.header,
        ),
    ]);
    super::title_bar(app, theme, frame, area, title);
}

fn render_info(app: &App, view: &ChartView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let c = &view.chart;
    let e = &c.encounter;
    // What the coder must see first (status, hold, read-only) before what a
    // narrow terminal may cut (disposition, attending).
    let mut spans = vec![Span::raw(format!(
        " {} {} → {}",
        e.encounter_type.label(),
        e.admit_date,
        e.discharge_date
    ))];
    match view.holds.first() {
        Some(hold) => spans.push(Span::styled(format!(" · on hold: {hold}"), theme.alert)),
        None => spans.push(Span::raw(format!(" · {}", c.status.label()))),
    }
    let overdue = view.queries.iter().any(|q| {
        q.status == crate::domain::QueryStatus::Open
            && q.sent_at
                .as_deref()
                .is_some_and(|s| crate::store::queries::overdue(s, app.clock, app.escalation_hours))
    });
    if overdue {
        spans.push(Span::styled(" · QUERY OVERDUE", theme.alert));
    }
    if let Some(reason) = &view.read_only {
        spans.push(Span::styled(format!(" · {reason}"), theme.alert));
    }
    let disposition = match e.disposition.as_deref() {
        None => "-".to_string(),
        Some(code) => match crate::domain::discharge_status_label(code) {
            Some(label) => format!("{code} {label}"),
            None => format!("{code} (unknown status)"),
        },
    };
    spans.push(Span::styled(
        format!(
            " · {disposition} · {}",
            e.attending.as_deref().unwrap_or("-")
        ),
        theme.dim,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let style = if focused { theme.key } else { Style::default() };
    Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Span::styled(
            title,
            if focused { theme.key } else { theme.header },
        ))
}

fn render_document(view: &ChartView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let focused = view.pane == Pane::Documents;
    let n = view.chart.documents.len();
    let Some(doc) = view.chart.documents.get(view.document) else {
        frame.render_widget(
            Paragraph::new("No documents.").block(pane_block(" Documents ".into(), focused, theme)),
            area,
        );
        return;
    };
    let title = format!(
        " {}/{} {} · {} · {} ",
        view.document + 1,
        n,
        doc.title.as_deref().unwrap_or(doc.kind.label()),
        doc.author,
        doc.date
    );
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let rows = wrap_lines(&doc.text, width);
    let visible = usize::from(area.height.saturating_sub(2));
    // Past the end, the last screenful stays in view.
    let top = usize::from(view.scroll).min(rows.len().saturating_sub(visible));
    let find = view.find.as_deref().map(str::to_lowercase);
    let text: Vec<Line<'_>> = rows
        .iter()
        .skip(top)
        .take(visible)
        .map(|row| match &find {
            Some(term) => found_in(row, term, theme.selected),
            None => Line::raw(row.clone()),
        })
        .collect();
    frame.render_widget(
        Paragraph::new(text).block(pane_block(title, focused, theme)),
        area,
    );
}

/// A row with every occurrence of `term` (lower case) in `style`.
fn found_in(row: &str, term: &str, style: Style) -> Line<'static> {
    let mut spans = Vec::new();
    let mut at = 0;
    for found in crate::tui::text::find_all_ignore_case(row, term) {
        spans.push(Span::raw(row[at..found.start].to_string()));
        spans.push(Span::styled(row[found.clone()].to_string(), style));
        at = found.end;
    }
    spans.push(Span::raw(row[at..].to_string()));
    Line::from(spans)
}

fn code_title(app: &App, view: &ChartView, code: &str, system: CodeSystem) -> String {
    let Some(sets) = &app.codesets else {
        return String::new();
    };
    match system {
        CodeSystem::Icd10Cm => sets
            .cm
            .lookup(code, view.edition())
            .map(|d| d.title)
            .unwrap_or_default(),
        CodeSystem::Icd10Pcs => sets
            .pcs
            .tables
            .lookup(code)
            .map(|p| p.title)
            .unwrap_or_default(),
        CodeSystem::Hcpcs | CodeSystem::Cpt => sets
            .index
            .find(
                if system == CodeSystem::Hcpcs {
                    crate::search::System::Hcpcs
                } else {
                    crate::search::System::Cpt
                },
                code,
            )
            .map(|e| sets.index.title(e).to_string())
            .unwrap_or_default(),
    }
}

fn render_diagnoses(app: &App, view: &ChartView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let focused = view.pane == Pane::Diagnoses;
    let rows: Vec<Row<'_>> = view
        .chart
        .diagnoses
        .iter()
        .enumerate()
        .map(|(i, d)| {
            // dx_badges' CC/MCC is list membership; on the chart a secondary's
            // counts relative to the principal (Table 6K): "-CC" when the
            // principal (or a death) cancels it, nothing on the principal.
            // With a working DRG, the grouper's own use of each secondary:
            // `MCC*` sets the severity, `-CC` is excluded (and why).
            let (_, hcc) = dx_badges(app.codesets.as_ref(), &d.code);
            let (severity, why) = match view.drg.grouping() {
                Some(g) => crate::reference::working_drg::dx_mark(g, i).unwrap_or_default(),
                None => match app
                    .codesets
                    .as_ref()
                    .and_then(|s| s.rules.cc_badge(&view.chart, i))
                {
                    Some((level, None)) => (level.label().to_string(), None),
                    Some((level, Some(_))) => (format!("-{}", level.label()), None),
                    None => (String::new(), None),
                },
            };
            let title = code_title(app, view, &d.code, d.system);
            Row::new(vec![
                Cell::from(format!("{}", i + 1)),
                Cell::from(d.code.clone()),
                Cell::from(d.poa.map_or("-", |p| p.as_str())),
                Cell::from(Span::styled(severity, theme.key)),
                Cell::from(Span::styled(hcc, theme.dim)),
                Cell::from(match why {
                    Some(why) => Line::from(vec![
                        Span::styled(format!("[{why}] "), theme.alert),
                        Span::raw(title),
                    ]),
                    None => Line::raw(title),
                }),
            ])
        })
        .collect();
    let title = format!(" Diagnoses ({}) ", view.chart.diagnoses.len());
    let table = Table::new(
        rows,
        [
            Constraint::Length(2),
            Constraint::Length(8),
            Constraint::Length(1),
            Constraint::Length(4),
            Constraint::Length(6),
            Constraint::Min(4),
        ],
    )
    .block(pane_block(title, focused, theme))
    .row_highlight_style(theme.selected)
    .highlight_symbol("> ")
    .highlight_spacing(HighlightSpacing::Always);
    let selected = (focused && !view.chart.diagnoses.is_empty()).then_some(view.dx);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(selected),
    );
}

fn render_procedures(
    app: &App,
    view: &ChartView,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let focused = view.pane == Pane::Procedures;
    let rows: Vec<Row<'_>> = view
        .chart
        .procedures
        .iter()
        .map(|p| {
            let mut detail = p.date.map(|d| d.to_string()).unwrap_or_default();
            if p.system != CodeSystem::Icd10Pcs {
                let pointers: String = p
                    .pointers
                    .iter()
                    .filter_map(|&n| pointer_letter(n))
                    .collect();
                detail = format!("{} x{} {}", p.modifiers.join(" "), p.units, pointers)
                    .trim()
                    .to_string();
            }
            Row::new(vec![
                Cell::from(p.code.clone()),
                Cell::from(detail),
                Cell::from(code_title(app, view, &p.code, p.system)),
            ])
        })
        .collect();
    let title = format!(" Procedures ({}) ", view.chart.procedures.len());
    let table = Table::new(
        rows,
        [
            Constraint::Length(7),
            Constraint::Length(10),
            Constraint::Min(4),
        ],
    )
    .block(pane_block(title, focused, theme))
    .row_highlight_style(theme.selected)
    .highlight_symbol("> ")
    .highlight_spacing(HighlightSpacing::Always);
    let selected = (focused && !view.chart.procedures.is_empty()).then_some(view.px);
    frame.render_stateful_widget(
        table,
        area,
        &mut TableState::default().with_selected(selected),
    );
}

fn render_edits(view: &ChartView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let focused = view.pane == Pane::Edits;
    let findings = view.edits.as_deref().unwrap_or(&[]);
    let items: Vec<ListItem<'_>> = match &view.edits {
        None => vec![ListItem::new(Line::styled(
            "checking: the code sets are loading…",
            theme.dim,
        ))],
        Some(edits) if edits.is_empty() => {
            vec![ListItem::new(Line::styled("no findings", theme.dim))]
        }
        Some(edits) => edits
            .iter()
            .map(|f| {
                let (mark, style) = match f.severity {
                    Severity::Error => ("E ", theme.alert),
                    Severity::Warning if view.open_finding(f) => ("W ", theme.key),
                    Severity::Warning => ("ok", theme.dim),
                    Severity::Info => ("i ", theme.dim),
                };
                ListItem::new(Line::from(vec![
                    Span::styled(mark, style),
                    Span::raw(format!(" {}", f.message)),
                ]))
            })
            .collect(),
    };
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let to_ack = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning && view.open_finding(f))
        .count();
    let title = match (errors, to_ack) {
        (0, 0) => " Edits ".to_string(),
        (e, 0) => format!(" Edits ({e} error{}) ", if e == 1 { "" } else { "s" }),
        (0, w) => format!(" Edits ({w} to acknowledge) "),
        (e, w) => format!(
            " Edits ({e} error{}, {w} to acknowledge) ",
            if e == 1 { "" } else { "s" }
        ),
    };
    let list = List::new(items)
        .block(pane_block(title, focused, theme))
        .highlight_style(theme.selected)
        .highlight_symbol("> ");
    let selected = (focused && !findings.is_empty()).then_some(view.edit);
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(selected),
    );
}

fn render_footer(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let Screen::Chart(view) = &app.screen else {
        return;
    };
    let prompt = match &view.focus {
        ChartFocus::Find(input) => Some((" Find in the document: ", input)),
        ChartFocus::Line(input) => Some((" Modifiers / units / pointers: ", input)),
        ChartFocus::Procedure(input) => Some((" Date / practitioner: ", input)),
        ChartFocus::Queries {
            step: QueriesStep::Input { what, input },
            ..
        } => Some((what.prompt(), input)),
        _ => None,
    };
    if let Some((prompt, input)) = prompt {
        let room = usize::from(area.width).saturating_sub(prompt.chars().count());
        let (shown, column) = input.window(room);
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(prompt, theme.key),
                Span::raw(shown),
            ])),
            area,
        );
        let x = area.x + prompt.chars().count() as u16 + column;
        if x < area.right() {
            frame.set_cursor_position(Position::new(x, area.y));
        }
        return;
    }
    let context = app.context();
    match context {
        Context::Poa | Context::Outcome => {
            let hints = super::all_hints(app, context);
            let label = if context == Context::Poa {
                "POA"
            } else {
                "outcome"
            };
            let line = format!("{label}: {hints}");
            match &app.message {
                Some(_) => super::footer(app, theme, frame, area, context, &[]),
                None => frame.render_widget(
                    Paragraph::new(Span::styled(format!(" {line}"), theme.alert)),
                    area,
                ),
            }
        }
        Context::Reading => super::footer(app, theme, frame, area, context, super::READING_FOOTER),
        _ => super::footer(app, theme, frame, area, Context::Chart, FOOTER_ACTIONS),
    }
}
