//! The texts shown over a screen to read: a report over the queue, the prior
//! encounters and the DRG analysis over the chart. They take their keys from
//! `[keys.reading]` (scroll, page, top, end, close, help) like every other
//! component; a key not bound there does nothing. Their rows are built here
//! once, for the drawing (`screens`) and for how far the keys scroll (the box
//! from `layout::reading`).

use super::app::{App, Screen};
use super::chart::wrap_lines;
use super::focus::{ChartFocus, QueueFocus};
use super::keymap::{Action, Context};
use super::layout::{self, Reading};
use crate::domain::Chart;
use crossterm::event::KeyEvent;

/// A row of the prior encounters: an encounter's heading, "no codes", or a
/// code under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriorRow {
    Encounter { account: String, rest: String },
    NoCodes,
    Code(String),
}

/// The prior encounters, one row each line (not wrapped: each is short).
pub fn prior_rows(prior: &[Chart]) -> Vec<PriorRow> {
    let mut rows = Vec::new();
    for c in prior {
        rows.push(PriorRow::Encounter {
            account: c.account.clone(),
            rest: format!(
                "{} {} → {} · {}",
                c.encounter.encounter_type.label(),
                c.encounter.admit_date,
                c.encounter.discharge_date,
                c.status.label()
            ),
        });
        if c.diagnoses.is_empty() && c.procedures.is_empty() {
            rows.push(PriorRow::NoCodes);
        }
        for (i, d) in c.diagnoses.iter().enumerate() {
            let poa = d.poa.map_or("-", |p| p.as_str());
            rows.push(PriorRow::Code(format!(
                "   {}. {} POA {poa}",
                i + 1,
                d.code
            )));
        }
        for p in &c.procedures {
            rows.push(PriorRow::Code(format!(
                "   px {} {}",
                p.code,
                p.system.as_str()
            )));
        }
    }
    rows
}

/// A text's rows wrapped to the reading box's width (blank lines kept).
pub fn text_rows(text: &str, width: usize) -> Vec<String> {
    text.lines()
        .flat_map(|line| match wrap_lines(line, width) {
            rows if rows.is_empty() => vec![String::new()],
            rows => rows,
        })
        .collect()
}

impl App {
    /// The reading overlay up, if one is: its kind, and how many rows its
    /// text takes at the box's width.
    fn reading_now(&self) -> Option<(Reading, usize)> {
        let width = |kind| layout::reading_text(kind, self.width, self.height).0;
        match &self.screen {
            Screen::Queue(QueueFocus::Report { text, .. }) => Some((
                Reading::Report,
                text_rows(text, width(Reading::Report)).len(),
            )),
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Prior { .. } => {
                    let drg_line = view.drg.line().is_some();
                    Some((Reading::Prior { drg_line }, prior_rows(&view.prior).len()))
                }
                ChartFocus::DrgAnalysis { lines, .. } => {
                    let text = lines.join("\n");
                    let kind = Reading::DrgAnalysis;
                    Some((kind, text_rows(&text, width(kind)).len()))
                }
                _ => None,
            },
            Screen::Queue(_) => None,
        }
    }

    fn reading_scroll(&mut self) -> Option<&mut u16> {
        match &mut self.screen {
            Screen::Queue(QueueFocus::Report { scroll, .. }) => Some(scroll),
            Screen::Chart(view) => match &mut view.focus {
                ChartFocus::Prior { scroll } | ChartFocus::DrgAnalysis { scroll, .. } => {
                    Some(scroll)
                }
                _ => None,
            },
            Screen::Queue(_) => None,
        }
    }

    /// A key on a reading overlay, through `[keys.reading]`.
    pub(crate) fn reading_key(&mut self, key: &KeyEvent) {
        let Some(action) = self.keymap.action_for(Context::Reading, key) else {
            return;
        };
        let Some((kind, rows)) = self.reading_now() else {
            return;
        };
        let visible = layout::reading_text(kind, self.width, self.height).1;
        let last = layout::max_scroll(rows, visible);
        let page = u16::try_from(visible.saturating_sub(1).max(1)).unwrap_or(1);
        match action {
            Action::Cancel => self.close_reading(),
            Action::Help => self.open_help(Context::Reading),
            _ => {
                let Some(scroll) = self.reading_scroll() else {
                    return;
                };
                *scroll = match action {
                    Action::ScrollDown => scroll.saturating_add(1).min(last),
                    Action::ScrollUp => scroll.saturating_sub(1),
                    Action::PageDown => scroll.saturating_add(page).min(last),
                    Action::PageUp => scroll.saturating_sub(page),
                    Action::First => 0,
                    Action::Last => last,
                    _ => *scroll,
                };
            }
        }
    }

    fn close_reading(&mut self) {
        match &mut self.screen {
            Screen::Queue(focus) => *focus = QueueFocus::Rows,
            Screen::Chart(view) => view.focus = ChartFocus::Panes,
        }
    }

    /// How far the reading overlay is scrolled (0 when none is up).
    pub fn reading_scrolled(&self) -> u16 {
        match &self.screen {
            Screen::Queue(QueueFocus::Report { scroll, .. }) => *scroll,
            Screen::Chart(view) => match &view.focus {
                ChartFocus::Prior { scroll } | ChartFocus::DrgAnalysis { scroll, .. } => *scroll,
                _ => 0,
            },
            Screen::Queue(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_wraps_to_the_box_and_keeps_its_blank_lines() {
        assert_eq!(
            text_rows("one two three\n\nfour", 7),
            ["one two", "three", "", "four"]
        );
    }
}
