//! Where things go on the screen, written once: each screen's areas come from
//! one function here, which the drawing (`screens`) uses to place them and
//! the key handling uses to know how many rows a page is or how far a text
//! can scroll. Nothing mirrors this arithmetic elsewhere.

use ratatui::layout::{Constraint, Layout, Rect};

/// The queue screen's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueAreas {
    pub title: Rect,
    pub filters: Rect,
    /// The table with its borders and header row.
    pub table: Rect,
    pub footer: Rect,
}

/// The queue screen laid out on `area`.
pub fn queue(area: Rect) -> QueueAreas {
    let [title, filters, table, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    QueueAreas {
        title,
        filters,
        table,
        footer,
    }
}

/// How many queue rows a terminal of this size shows: the table less its
/// borders and header (at least one).
pub fn queue_rows(width: u16, height: u16) -> usize {
    let table = queue(Rect::new(0, 0, width, height)).table;
    usize::from(table.height.saturating_sub(3).max(1))
}

/// The chart screen's areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartAreas {
    pub title: Rect,
    pub info: Rect,
    /// The working DRG line (no rows when there is none).
    pub drg: Rect,
    /// The panes; the overlays over the chart (prior encounters, queries)
    /// cover it.
    pub body: Rect,
    /// The document pane, the left half of the body, with its borders.
    pub document: Rect,
    /// The code panes, the right half.
    pub codes: Rect,
    pub footer: Rect,
}

/// The chart screen laid out on `area`, with or without the DRG line.
pub fn chart(area: Rect, drg_line: bool) -> ChartAreas {
    let [title, info, drg, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(u16::from(drg_line)),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(area);
    let [document, codes] =
        Layout::horizontal([Constraint::Length(body.width / 2), Constraint::Min(0)]).areas(body);
    ChartAreas {
        title,
        info,
        drg,
        body,
        document,
        codes,
        footer,
    }
}

fn screen(width: u16, height: u16) -> Rect {
    Rect::new(0, 0, width, height)
}

/// How many rows of the document its pane shows (inside its borders).
pub fn document_rows(width: u16, height: u16, drg_line: bool) -> u16 {
    chart(screen(width, height), drg_line)
        .document
        .height
        .saturating_sub(2)
}

/// How many columns of the document its pane shows (inside its borders); the
/// panes split the width alone, whatever the height.
pub fn document_columns(width: u16) -> usize {
    let document = chart(screen(width, super::app::MIN_HEIGHT), false).document;
    usize::from(document.width.saturating_sub(2)).max(1)
}

/// A `width` x `height` rectangle in the middle of `area` (clamped to it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let (width, height) = (width.min(area.width), height.min(area.height));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// The overlays that show a text to read and scroll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// A report over the queue.
    Report,
    /// The DRG analysis over the chart.
    DrgAnalysis,
    /// The prior encounters, over the chart's body.
    Prior { drg_line: bool },
}

/// Where a reading overlay goes on `area`, borders included.
pub fn reading(kind: Reading, area: Rect) -> Rect {
    let wide = |most: u16| {
        centered(
            area,
            area.width.saturating_sub(4).min(most),
            area.height.saturating_sub(2),
        )
    };
    match kind {
        Reading::Report => wide(100),
        Reading::DrgAnalysis => wide(110),
        Reading::Prior { drg_line } => chart(area, drg_line).body,
    }
}

/// The text area of a reading overlay on a terminal this size: its columns
/// and rows inside the borders.
pub fn reading_text(kind: Reading, width: u16, height: u16) -> (usize, usize) {
    let rect = reading(kind, screen(width, height));
    (
        usize::from(rect.width.saturating_sub(2)).max(1),
        usize::from(rect.height.saturating_sub(2)),
    )
}

/// The furthest a text of `rows` rows scrolls in `visible` rows.
pub fn max_scroll(rows: usize, visible: usize) -> u16 {
    u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX)
}

/// Where the help goes: 72 columns wide, as high as its lines and borders
/// (`lines`), at most the screen; and the rows its text shows.
pub fn help(area: Rect, lines: u16) -> (Rect, u16) {
    let rect = centered(area, 72, lines.saturating_add(2).min(area.height));
    (rect, rect.height.saturating_sub(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_queue_shows_the_rows_its_table_leaves_after_borders_and_header() {
        // 24 rows: title, filter line, footer leave 21 for the table; its
        // two borders and header leave 18 rows of charts.
        assert_eq!(queue_rows(80, 24), 18);
        assert_eq!(queue_rows(120, 40), 34);
        // A tiny terminal still has one row.
        assert_eq!(queue_rows(80, 3), 1);
        let areas = queue(Rect::new(0, 0, 80, 24));
        assert_eq!((areas.table.y, areas.table.height), (2, 21));
        assert_eq!(areas.footer.y, 23);
    }

    #[test]
    fn the_document_pane_is_the_left_half_of_the_body() {
        // 100x30: title, info, footer leave 27 body rows; without the DRG
        // line the pane shows 25 inside its borders, with it 24.
        assert_eq!(document_rows(100, 30, false), 25);
        assert_eq!(document_rows(100, 30, true), 24);
        // Half of 101 columns is 50, less the two borders.
        assert_eq!(document_columns(101), 48);
    }

    #[test]
    fn a_reading_overlay_scrolls_only_as_far_as_its_last_row() {
        // 100x30: the report box is 96 wide (100 - 4, at most 100) and 28
        // high, so its text is 94 x 26.
        assert_eq!(reading_text(Reading::Report, 100, 30), (94, 26));
        assert_eq!(max_scroll(40, 26), 14);
        assert_eq!(max_scroll(10, 26), 0);
        // The prior encounters cover the chart's body: 27 rows less borders.
        assert_eq!(
            reading_text(Reading::Prior { drg_line: false }, 100, 30),
            (98, 25)
        );
    }
}
