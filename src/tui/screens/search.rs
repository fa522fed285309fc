//! The code-search popup: the term, ranked hits with badges, and the
//! highlighted code's notes beside them; or the 7th-character picker.

use crate::store::coding::CodeList;
use crate::tui::app::App;
use crate::tui::chart::{PopupStage, SearchPopup};
use crate::tui::keymap::{Action, Context};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

pub fn render(app: &App, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let Some(popup) = app.popup() else {
        return;
    };
    let rect = super::centered(
        area,
        area.width.saturating_sub(2).min(120),
        area.height.saturating_sub(2),
    );
    frame.render_widget(Clear, rect);
    let what = match popup.list {
        CodeList::Diagnoses => "diagnosis (ICD-10-CM)",
        CodeList::Procedures => "procedure (ICD-10-PCS, HCPCS, CPT)",
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.key)
        .title(Span::styled(
            format!(
                " Add a {what} · {} help ",
                app.keymap.keys_text(Context::Search, Action::Help)
            ),
            theme.key,
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [input, body, help] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(inner);

    let prompt = " search: ";
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt, theme.dim),
            Span::styled(popup.term.value().to_string(), theme.header),
        ])),
        input,
    );
    if let PopupStage::Results = popup.stage {
        let x = input.x + (prompt.chars().count() + popup.term.cursor()) as u16;
        if x < input.right() {
            frame.set_cursor_position(Position::new(x, input.y));
        }
    }

    match &popup.stage {
        PopupStage::Results => render_results(app, popup, theme, frame, body, help),
        PopupStage::Seventh {
            base,
            choices,
            selected,
        } => render_seventh(app, (base, choices, *selected), theme, frame, body, help),
    }
}

/// The hits and, beside them, the highlighted code's notes.
fn render_results(
    app: &App,
    popup: &SearchPopup,
    theme: &Theme,
    frame: &mut Frame<'_>,
    body: Rect,
    help: Rect,
) {
    let [list_area, notes_area] =
        Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(body);
    let status = if app.codesets.is_none() {
        "loading the code sets…".to_string()
    } else if popup.term.value().trim().is_empty() {
        "type a code or words".to_string()
    } else if popup.waiting.is_some() && popup.hits.is_empty() {
        "searching…".to_string()
    } else {
        format!("{} hits", popup.hits.len())
    };
    // Only the rows that fit are built (highlighting is per row).
    let visible = usize::from(list_area.height.saturating_sub(1)).max(1);
    let start = popup.selected.saturating_sub(visible - 1);
    let end = (start + visible).min(popup.hits.len());
    let items: Vec<ListItem<'_>> = popup.hits[start.min(end)..end]
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let marks = popup.marks.get(start + i).map_or(&[][..], Vec::as_slice);
            hit_item(app, h, marks, theme)
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(Span::styled(format!(" {status} "), theme.dim)),
        )
        .highlight_style(theme.selected)
        .highlight_symbol("> ");
    let selected = (!popup.hits.is_empty()).then_some(popup.selected - start);
    frame.render_stateful_widget(
        list,
        list_area,
        &mut ListState::default().with_selected(selected),
    );
    frame.render_widget(
        Paragraph::new(popup.notes.as_str())
            .wrap(Wrap { trim: false })
            .scroll((popup.notes_scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::TOP | Borders::LEFT)
                    .border_style(if popup.notes_focus {
                        theme.key
                    } else {
                        Style::default()
                    })
                    .title(Span::styled(" notes ", theme.dim)),
            ),
        notes_area,
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                " {}",
                super::hint_text(
                    app,
                    Context::Search,
                    &[
                        &[Action::MoveUp, Action::MoveDown],
                        &[Action::Submit],
                        &[Action::ToggleNotes],
                        &[Action::Cancel],
                    ]
                )
            ),
            theme.dim,
        )),
        help,
    );
}

/// The 7th characters of a code (its base, the choices and the one selected).
fn render_seventh(
    app: &App,
    (base, choices, selected): (&str, &[(char, String)], usize),
    theme: &Theme,
    frame: &mut Frame<'_>,
    body: Rect,
    help: Rect,
) {
    let items: Vec<ListItem<'_>> = choices
        .iter()
        .map(|(c, meaning)| {
            ListItem::new(Line::from(vec![
                Span::styled(
                    format!("{:<9}", crate::codeset::with_seventh(base, *c)),
                    theme.header,
                ),
                Span::raw(format!("{c}  {meaning}")),
            ]))
        })
        .collect();
    let list = List::new(items)
        .block(Block::default().borders(Borders::TOP).title(Span::styled(
            format!(" 7th character for {base} "),
            theme.key,
        )))
        .highlight_style(theme.selected)
        .highlight_symbol("> ");
    frame.render_stateful_widget(
        list,
        body,
        &mut ListState::default().with_selected(Some(selected)),
    );
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(
                " {} (or the character)",
                super::hint_text(
                    app,
                    Context::Seventh,
                    &[
                        &[Action::MoveUp, Action::MoveDown],
                        &[Action::Submit],
                        &[Action::Cancel],
                    ]
                )
            ),
            theme.dim,
        )),
        help,
    );
}

/// One hit: code, badges (diagnoses), the title with the term's words
/// underlined, then [header], [7th] or [NOT VALID].
fn hit_item<'a>(
    app: &App,
    h: &'a crate::search::Hit,
    marks: &[usize],
    theme: &Theme,
) -> ListItem<'a> {
    // Few style changes per row: each costs bytes on the wire.
    let mut spans = vec![Span::raw(format!("{:<8} ", h.code))];
    // Badges before the title, in fixed columns, so that a narrow
    // terminal cuts the title rather than them.
    if h.system == crate::search::System::Icd10Cm {
        let (severity, hcc) = crate::tui::chart::dx_badges(app.codesets.as_ref(), &h.code);
        let hcc = hcc.split(',').next().unwrap_or("").to_string();
        spans.push(Span::styled(format!("{severity:<4}{hcc:<7}"), theme.key));
    }
    spans.extend(marked(&h.title, marks));
    if h.header {
        spans.push(Span::styled(" [header]", theme.dim));
    }
    if h.needs_seventh {
        spans.push(Span::styled(" [7th]", theme.dim));
    }
    if !h.valid {
        spans.push(Span::styled(" [NOT VALID]", theme.alert));
    }
    ListItem::new(Line::from(spans))
}

/// The title in runs, the characters at `marks` underlined (the query's words).
fn marked(title: &str, marks: &[usize]) -> Vec<Span<'static>> {
    let underlined = Style::default().add_modifier(Modifier::UNDERLINED);
    let mut spans = Vec::new();
    let mut run = String::new();
    let mut run_marked = false;
    for (i, ch) in title.chars().enumerate() {
        let m = marks.binary_search(&i).is_ok();
        if m != run_marked && !run.is_empty() {
            let style = if run_marked {
                underlined
            } else {
                Style::default()
            };
            spans.push(Span::styled(std::mem::take(&mut run), style));
        }
        run_marked = m;
        run.push(ch);
    }
    if !run.is_empty() {
        spans.push(Span::styled(
            run,
            if run_marked {
                underlined
            } else {
                Style::default()
            },
        ));
    }
    spans
}
