//! The review panel over the chart (the coder's codes beside the chart's
//! now, differences marked; each difference with its reason, rebuttal and
//! verdict; the reason list; the note line) and the review queue.

use crate::domain::{CodedVersion, Difference, ReviewReason};
use crate::store::review::{Change, ReviewView};
use crate::tui::app::App;
use crate::tui::keymap::{Action, Context};
use crate::tui::review::{ReviewPanel, ReviewStep};
use crate::tui::review_queue::ReviewQueueView;
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, HighlightSpacing, List, ListItem, ListState, Paragraph, Row,
    Table, TableState,
};

const PANEL_FOOTER: &[Action] = &[
    Action::GiveReason,
    Action::PassReview,
    Action::ReturnReview,
    Action::AgreeReview,
    Action::RebutReview,
    Action::SettleReview,
    Action::FinalizeChart,
    Action::Back,
    Action::Help,
];

const QUEUE_FOOTER: &[Action] = &[
    Action::MoveDown,
    Action::OpenChart,
    Action::Back,
    Action::Help,
];

/// One side of the side by side: a line per diagnosis (POA), per procedure
/// (modifiers) and the DRG, each with the mark of how it differs from the
/// other side: `+` only here, `~` POA or modifiers differ, `^` principal in
/// one version only, `*` the DRG differs.
pub fn side_lines(this: &CodedVersion, other: &CodedVersion, own: char) -> Vec<(char, String)> {
    let mut out = Vec::new();
    for (i, d) in this.diagnoses.iter().enumerate() {
        let there = other.diagnoses.iter().position(|o| o.code == d.code);
        let mark = match there {
            None => own,
            Some(j) if other.diagnoses[j].poa != d.poa => '~',
            Some(j) if (i == 0) != (j == 0) => '^',
            Some(_) => ' ',
        };
        let poa = d.poa.map_or("-", |p| p.as_str());
        let principal = if i == 0 { " (pdx)" } else { "" };
        out.push((mark, format!("{} {poa}{principal}", d.code)));
    }
    for p in &this.procedures {
        let mark = match other.procedures.iter().find(|o| o.code == p.code) {
            None => own,
            Some(o) if o.modifiers != p.modifiers => '~',
            Some(_) => ' ',
        };
        let modifiers = match p.modifiers.is_empty() {
            true => String::new(),
            false => format!("-{}", p.modifiers.join("-")),
        };
        out.push((mark, format!("px {}{modifiers}", p.code)));
    }
    if this.drg.is_some() || other.drg.is_some() {
        let mark = if this.drg != other.drg { '*' } else { ' ' };
        let drg = this
            .drg
            .map_or_else(|| "none".to_string(), |d| format!("{d:03}"));
        out.push((mark, format!("MS-DRG {drg}")));
    }
    out
}

/// A difference as the list shows it: what changed, then what was said.
pub fn change_text(change: &Change, chosen: Option<&str>) -> String {
    let mut text = change.difference.describe();
    text.push_str(" · ");
    text.push_str(change.reason.map_or("NO REASON YET", ReviewReason::label));
    if !change.note.is_empty() {
        text.push_str(&format!(" ({})", change.note));
    }
    if change.rebutted {
        text.push_str(" · rebutted");
    }
    if let Some(v) = change.verdict {
        text.push_str(&format!(" · {}", v.label()));
    } else if let Some(c) = chosen {
        text.push_str(&format!(" · verdict chosen: {c}"));
    }
    text
}

/// The review panel over all of the chart but its title row.
pub fn render_panel(
    app: &App,
    panel: &ReviewPanel,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let area = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(1),
        ..area
    };
    let [body, footer] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(area);
    frame.render_widget(Clear, area);
    let title = panel_title(panel);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.key)
        .title(Span::styled(title, theme.key));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    match &panel.view {
        Some(view) => render_review(panel, view, theme, frame, inner),
        None => {
            let text = match panel.loading {
                true => " reading the review…",
                false => {
                    " This chart has no review. A reviewer starts one from the review queue (V on the queue)."
                }
            };
            frame.render_widget(Paragraph::new(text), inner);
        }
    }
    if let ReviewStep::Reason { selected } = &panel.step {
        render_reasons(*selected, theme, frame, inner);
    }
    render_panel_footer(app, panel, theme, frame, footer);
}

fn panel_title(panel: &ReviewPanel) -> String {
    let you = panel.role.map_or(String::new(), |r| format!(" · you: {r}"));
    match &panel.view {
        Some(v) => format!(
            " Review · coded by {} · reviewer {} · {}{you} ",
            v.review.coder,
            v.review.reviewer,
            v.review.state.label()
        ),
        None => format!(" Review{you} "),
    }
}

fn render_review(
    panel: &ReviewPanel,
    view: &ReviewView,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let left = side_lines(&view.coder, &view.reviewer, '-');
    let right = side_lines(&view.reviewer, &view.coder, '+');
    let rows = left.len().max(right.len()) as u16;
    let notes = notes_of(view);
    let side_height = (rows + 1).min(area.height.saturating_sub(4) / 2).max(2);
    let [why, side, list, note_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(side_height),
        Constraint::Min(2),
        Constraint::Length(notes.len().min(2) as u16),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!(" chosen: {}", view.review.selected_because),
            theme.dim,
        )),
        why,
    );
    // A long chart's codes scroll so that the selected difference's line
    // is in view.
    let room = usize::from(side.height.saturating_sub(1)).max(1);
    let target = view
        .changes
        .get(panel.selected)
        .map_or(0, |c| focus_row(&left, &right, &c.difference));
    let skip = target.saturating_sub(room - 1);
    render_side_by_side(
        &left[skip.min(left.len())..],
        &right[skip.min(right.len())..],
        theme,
        frame,
        side,
    );
    render_changes(panel, view, theme, frame, list);
    frame.render_widget(
        Paragraph::new(notes.into_iter().map(Line::raw).collect::<Vec<_>>()),
        note_area,
    );
}

fn notes_of(view: &ReviewView) -> Vec<String> {
    let r = &view.review;
    let mut notes = Vec::new();
    if let Some(n) = &r.return_note {
        notes.push(format!(" return note: {n}"));
    }
    if let Some(n) = &r.rebuttal_note {
        notes.push(format!(" rebuttal: {n}"));
    }
    notes
}

/// The side-by-side row a difference is about: the code's line on the side
/// that has it (the coder's for a removal), the first for the principal,
/// the last for the DRG.
pub fn focus_row(left: &[(char, String)], right: &[(char, String)], d: &Difference) -> usize {
    let find = |side: &[(char, String)], code: &str| {
        side.iter().position(|(_, text)| {
            let mut words = text.split_whitespace();
            let first = words.next();
            first == Some(code) || (first == Some("px") && words.next() == Some(code))
        })
    };
    let row = match d {
        Difference::DxRemoved(code) | Difference::PxRemoved(code) => find(left, code),
        Difference::DxAdded(code)
        | Difference::PxAdded(code)
        | Difference::Poa { code, .. }
        | Difference::Modifiers { code, .. } => find(right, code),
        Difference::Principal { .. } => Some(0),
        Difference::Drg { .. } => Some(left.len().max(right.len()).saturating_sub(1)),
    };
    row.unwrap_or(0)
}

fn render_side_by_side(
    left: &[(char, String)],
    right: &[(char, String)],
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let cell = |side: &[(char, String)], i: usize| -> Cell<'static> {
        match side.get(i) {
            Some((mark, text)) => {
                let style = if *mark == ' ' {
                    Style::default()
                } else {
                    theme.alert
                };
                Cell::from(Span::styled(format!("{mark} {text}"), style))
            }
            None => Cell::from(""),
        }
    };
    let rows: Vec<Row<'_>> = (0..left.len().max(right.len()))
        .map(|i| Row::new(vec![cell(left, i), cell(right, i)]))
        .collect();
    let header = Row::new(vec![
        Cell::from("CODER'S CODES (- not kept)"),
        Cell::from("CHART NOW (+ added, ~ changed)"),
    ])
    .style(theme.header);
    frame.render_widget(
        Table::new(
            rows,
            [Constraint::Percentage(50), Constraint::Percentage(50)],
        )
        .header(header)
        .column_spacing(1),
        area,
    );
}

fn render_changes(
    panel: &ReviewPanel,
    view: &ReviewView,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let items: Vec<ListItem<'_>> = view
        .changes
        .iter()
        .map(|c| {
            let mark = if panel.marked.contains(&c.key) {
                "[x] "
            } else {
                "[ ] "
            };
            let chosen = panel.verdicts.get(&c.key).map(|v| v.as_str());
            ListItem::new(format!("{mark}{}", change_text(c, chosen)))
        })
        .collect();
    let title = format!(" Differences ({}) ", view.changes.len());
    let empty = items.is_empty();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::TOP)
                .title(Span::styled(title, theme.header)),
        )
        .highlight_style(theme.selected)
        .highlight_symbol("> ")
        .highlight_spacing(HighlightSpacing::Always);
    let selected = (!empty && panel.step == ReviewStep::List).then_some(panel.selected);
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(selected),
    );
    if empty {
        let text = " none: the chart's codes are the coder's";
        frame.render_widget(
            Paragraph::new(text),
            Rect {
                y: area.y + 1,
                height: area.height.saturating_sub(1),
                ..area
            },
        );
    }
}

/// The nine reason categories, the one under the cursor selected.
fn render_reasons(selected: usize, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let rect = super::centered(area, 40, ReviewReason::ALL.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    let items: Vec<ListItem<'_>> = ReviewReason::ALL
        .iter()
        .map(|r| ListItem::new(r.label()))
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.key)
                .title(Span::styled(" Reason ", theme.key)),
        )
        .highlight_style(theme.selected)
        .highlight_symbol("> ")
        .highlight_spacing(HighlightSpacing::Always);
    frame.render_stateful_widget(
        list,
        rect,
        &mut ListState::default().with_selected(Some(selected)),
    );
}

fn render_panel_footer(
    app: &App,
    panel: &ReviewPanel,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    if let ReviewStep::Note { what, input } = &panel.step {
        prompt_line(theme, frame, area, what.prompt(), input);
        return;
    }
    match panel.step {
        ReviewStep::Reason { .. } => {
            let hints = super::all_hints(app, Context::ReviewReason);
            match &app.message {
                Some(_) => super::footer(app, theme, frame, area, Context::ReviewReason, &[]),
                None => frame.render_widget(Paragraph::new(format!(" {hints}")), area),
            }
        }
        _ => super::footer(
            app,
            theme,
            frame,
            area,
            Context::Review,
            footer_actions(panel),
        ),
    }
}

/// The keys the footer names: those of the user's next step, by role and
/// where the review stands (help lists them all).
pub fn footer_actions(panel: &ReviewPanel) -> &'static [Action] {
    use crate::domain::{ReviewState as S, Role as R};
    use Action as A;
    let state = panel.view.as_ref().map(|v| v.review.state);
    match (panel.role, state) {
        (Some(R::Reviewer | R::Manager), Some(S::InReview)) => &[
            A::MoveDown,
            A::GiveReason,
            A::PassReview,
            A::ReturnReview,
            A::FinalizeChart,
            A::Back,
            A::Help,
        ],
        (Some(_), Some(S::Returned)) => &[
            A::MoveDown,
            A::MarkChange,
            A::RebutReview,
            A::AgreeReview,
            A::Back,
            A::Help,
        ],
        (Some(R::Manager), Some(S::Rebutted)) => &[
            A::MoveDown,
            A::VerdictReviewer,
            A::VerdictCoder,
            A::SettleReview,
            A::Back,
            A::Help,
        ],
        (Some(R::Manager), _) => &[A::FinalizeChart, A::ReopenChart, A::Back, A::Help],
        (Some(R::Reviewer), _) => &[A::FinalizeChart, A::Back, A::Help],
        _ => PANEL_FOOTER,
    }
}

/// The review queue, over the whole screen.
pub fn render_queue(
    app: &App,
    queue: &ReviewQueueView,
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
) {
    let [title, table, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Clear, area);
    let count = match queue.loading {
        true => "reading…".to_string(),
        false => format!("{} charts", queue.entries.len()),
    };
    let you = queue.role.map_or(String::new(), |r| format!(" · you: {r}"));
    super::title_bar(
        app,
        theme,
        frame,
        title,
        Line::from(Span::styled(
            format!(" chartcoder · review queue · {count}{you}"),
            theme.title,
        )),
    );
    let rows: Vec<Row<'_>> = queue
        .entries
        .iter()
        .map(|e| {
            let state = e.review.as_ref().map_or_else(
                || "to review".to_string(),
                |(s, who)| format!("{} ({who})", s.as_str().replace('_', " ")),
            );
            Row::new(vec![
                Cell::from(e.account.clone()),
                Cell::from(e.encounter_type.clone()),
                Cell::from(e.coder.clone()),
                Cell::from(e.coded_at.chars().take(10).collect::<String>()),
                Cell::from(state),
                Cell::from(e.reasons.join("; ")),
            ])
        })
        .collect();
    let header =
        Row::new(["ACCOUNT", "TYPE", "CODER", "COMPLETED", "STATE", "WHY"]).style(theme.header);
    let widths = [
        Constraint::Length(10),
        Constraint::Length(10),
        Constraint::Length(8),
        Constraint::Length(10),
        Constraint::Length(18),
        Constraint::Min(10),
    ];
    let empty = rows.is_empty();
    let table_widget = Table::new(rows, widths)
        .header(header)
        .block(Block::default().borders(Borders::ALL))
        .row_highlight_style(theme.selected)
        .highlight_symbol("> ")
        .highlight_spacing(HighlightSpacing::Always);
    let selected = (!empty).then_some(queue.selected);
    frame.render_stateful_widget(
        table_widget,
        table,
        &mut TableState::default().with_selected(selected),
    );
    super::footer(
        app,
        theme,
        frame,
        footer,
        Context::ReviewQueue,
        QUEUE_FOOTER,
    );
}

/// A prompt and the text typed after it, the cursor in it.
pub(crate) fn prompt_line(
    theme: &Theme,
    frame: &mut Frame<'_>,
    area: Rect,
    prompt: &str,
    input: &crate::tui::input::TextInput,
) {
    let room = usize::from(area.width).saturating_sub(prompt.chars().count());
    let (shown, column) = input.window(room);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(prompt.to_string(), theme.key),
            Span::raw(shown),
        ])),
        area,
    );
    let x = area.x + prompt.chars().count() as u16 + column;
    if x < area.right() {
        frame.set_cursor_position(Position::new(x, area.y));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{VersionDx, VersionPx};

    fn version(dx: &[&str], px: &[&str], drg: u16) -> CodedVersion {
        CodedVersion {
            diagnoses: dx
                .iter()
                .map(|c| VersionDx {
                    code: c.to_string(),
                    poa: Some(crate::domain::Poa::Yes),
                })
                .collect(),
            procedures: px
                .iter()
                .map(|c| VersionPx {
                    code: c.to_string(),
                    modifiers: vec![],
                })
                .collect(),
            drg: Some(drg),
        }
    }

    #[test]
    fn each_side_marks_what_the_other_has_not_and_a_difference_finds_its_line() {
        let coder = version(&["J18.9", "I10", "E11.9"], &["0BH17EZ"], 195);
        let reviewer = version(&["E11.9", "J18.9", "N17.9"], &[], 194);
        let left = side_lines(&coder, &reviewer, '-');
        let right = side_lines(&reviewer, &coder, '+');
        let marks: Vec<char> = left.iter().map(|(m, _)| *m).collect();
        // J18.9 principal here only (^), I10 not kept (-), E11.9 principal
        // there only (^), the procedure not kept, the DRG differs.
        assert_eq!(marks, ['^', '-', '^', '-', '*']);
        assert_eq!(left[3].1, "px 0BH17EZ");
        let marks: Vec<char> = right.iter().map(|(m, _)| *m).collect();
        assert_eq!(marks, ['^', '^', '+', '*']);
        assert_eq!(
            focus_row(&left, &right, &Difference::DxAdded("N17.9".into())),
            2
        );
        assert_eq!(
            focus_row(&left, &right, &Difference::DxRemoved("I10".into())),
            1
        );
        assert_eq!(
            focus_row(&left, &right, &Difference::PxRemoved("0BH17EZ".into())),
            3
        );
        let drg = Difference::Drg {
            coder: Some(195),
            reviewer: Some(194),
        };
        assert_eq!(focus_row(&left, &right, &drg), 4);
    }
}
