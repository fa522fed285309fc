//! Fewer bytes on the wire: a backend that fills short gaps between changed
//! cells instead of moving the cursor over them.
//!
//! ratatui sends only the cells that changed, and a cursor move
//! (`ESC [ row ; col H`, 6 to 8 bytes) before each run of them. When a new list
//! of hits replaces the old one, many characters happen to be equal in both, so
//! a row is sent as many short runs with a cursor move between each. Sending
//! the few unchanged characters in between is cheaper than the move: this
//! backend keeps a copy of what the terminal shows and does that whenever the
//! gap is shorter than the move and has the style already set (so no colour or
//! attribute code is needed). The terminal ends up showing exactly the same.

use ratatui::backend::{Backend, ClearType, WindowSize};
use ratatui::buffer::{Buffer, Cell, CellDiffOption};
use ratatui::layout::{Position, Rect, Size};

/// Wraps a backend; see the module documentation.
pub struct GapFill<B: Backend> {
    inner: B,
    /// What the terminal shows, as far as this backend has drawn it. `None`
    /// when that is not known (after a partial clear, until the next full
    /// one): gaps are then not filled.
    screen: Option<Buffer>,
}

impl<B: Backend> GapFill<B> {
    /// Starts from a blank screen (as ratatui does: a terminal just switched to
    /// its alternate screen).
    pub fn new(inner: B) -> GapFill<B> {
        let mut backend = GapFill {
            inner,
            screen: None,
        };
        backend.reset_screen();
        backend
    }

    pub fn inner(&self) -> &B {
        &self.inner
    }
}

/// The bytes of the cursor move to (x, y): `ESC [ y+1 ; x+1 H`.
fn move_cost(x: u16, y: u16) -> usize {
    let digits = |n: u32| n.to_string().len();
    4 + digits(u32::from(y) + 1) + digits(u32::from(x) + 1)
}

/// The bytes a cell costs to print again, if it is one column wide and drawn
/// normally (a wide character, or the column a wide one covers, is never
/// filled: what the terminal shows there is not certain).
fn reprint_cost(cell: &Cell) -> Option<usize> {
    let symbol = cell.symbol();
    (cell.diff_option == CellDiffOption::None
        && !symbol.chars().any(char::is_control)
        && ratatui::text::Span::raw(symbol).width() == 1)
        .then_some(symbol.len())
}

/// A cell whose content is not known: never used to fill a gap.
fn unknown() -> Cell {
    Cell::new("")
}

/// `screen` grown to hold (x, y), the new cells unknown.
fn grown(screen: &Buffer, x: u16, y: u16) -> Buffer {
    let area = screen.area.union(Rect::new(x, y, 1, 1));
    let mut bigger = Buffer::filled(area, unknown());
    for (i, cell) in screen.content.iter().enumerate() {
        let (cx, cy) = screen.pos_of(i);
        bigger[(cx, cy)] = cell.clone();
    }
    bigger
}

/// The cells to send for `updates` (ratatui's changes, in screen order), with
/// the gaps worth filling filled from `screen` (already updated).
fn with_gaps_filled<'a>(
    updates: &'a [(u16, u16, Cell)],
    screen: &'a Buffer,
) -> Vec<(u16, u16, &'a Cell)> {
    let mut out = Vec::with_capacity(updates.len());
    for (i, (x, y, cell)) in updates.iter().enumerate() {
        out.push((*x, *y, cell));
        let Some((nx, ny, _)) = updates.get(i + 1) else {
            continue;
        };
        if ny != y || nx <= x || reprint_cost(cell).is_none() {
            continue;
        }
        let style = cell.style();
        let mut cost = 0;
        let mut fill = Vec::new();
        for gx in x + 1..*nx {
            match screen.cell(Position::new(gx, *y)) {
                Some(c) if c.style() == style => match reprint_cost(c) {
                    Some(bytes) => cost += bytes,
                    None => break,
                },
                _ => break,
            }
            fill.push((gx, *y, &screen[(gx, *y)]));
        }
        if !fill.is_empty() && fill.len() == usize::from(nx - x - 1) && cost < move_cost(*nx, *ny) {
            out.extend(fill);
        }
    }
    out
}

impl<B: Backend> Backend for GapFill<B> {
    type Error = B::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        // The one place every character the workstation shows passes: no
        // control or bidirectional character reaches the terminal, whatever a
        // chart, a site table or a name holds (ratatui drops C0/C1 controls
        // but passes U+202E and friends, appended to the cell before them).
        let updates: Vec<(u16, u16, Cell)> = content
            .map(|(x, y, c)| {
                let mut c = c.clone();
                if let std::borrow::Cow::Owned(clean) = crate::sanitize::strip(c.symbol()) {
                    c.set_symbol(if clean.is_empty() { " " } else { &clean });
                }
                (x, y, c)
            })
            .collect();
        let Some(screen) = &mut self.screen else {
            return self.inner.draw(updates.iter().map(|(x, y, c)| (*x, *y, c)));
        };
        for (x, y, cell) in &updates {
            if !screen.area.contains(Position::new(*x, *y)) {
                // Drawn beyond the size the terminal gave: what lies there is
                // not known until drawn.
                *screen = grown(screen, *x, *y);
            }
            screen[(*x, *y)] = cell.clone();
            // The columns a wide character covers: unknown until drawn again.
            let width = ratatui::text::Span::raw(cell.symbol()).width();
            for k in 1..width {
                if let Some(c) = u16::try_from(k)
                    .ok()
                    .and_then(|k| screen.cell_mut(Position::new(x.saturating_add(k), *y)))
                {
                    *c = unknown();
                }
            }
        }
        let out = with_gaps_filled(&updates, screen);
        self.inner.draw(out.into_iter())
    }

    fn append_lines(&mut self, n: u16) -> Result<(), Self::Error> {
        self.screen = None;
        self.inner.append_lines(n)
    }

    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor()
    }

    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor()
    }

    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position()
    }

    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position)
    }

    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear()?;
        self.reset_screen();
        Ok(())
    }

    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type)?;
        if clear_type == ClearType::All {
            self.reset_screen();
        } else {
            self.screen = None;
        }
        Ok(())
    }

    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size()
    }

    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size()
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

impl<B: Backend> GapFill<B> {
    /// After a full clear the terminal shows blanks, at its current size.
    fn reset_screen(&mut self) {
        self.screen = self
            .inner
            .size()
            .ok()
            .map(|s| Buffer::empty(Rect::new(0, 0, s.width, s.height)));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_control_or_bidi_character_reaches_the_terminal() {
        use ratatui::backend::TestBackend;
        use ratatui::widgets::Paragraph;
        let mut terminal = Terminal::new(GapFill::new(TestBackend::new(20, 1))).unwrap();
        terminal
            .draw(|f| f.render_widget(Paragraph::new("Ann\u{202E}eM \u{1b}[2J\u{2066}x"), f.area()))
            .unwrap();
        let shown: String = terminal
            .backend()
            .inner()
            .buffer()
            .content
            .iter()
            .map(|c| c.symbol().to_string())
            .collect();
        assert!(!shown.chars().any(crate::sanitize::is_unsafe), "{shown:?}");
        assert!(shown.starts_with("AnneM [2Jx"), "{shown:?}");
    }

    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::{Color, Style};
    use ratatui::text::{Line, Span};
    use ratatui::widgets::Paragraph;

    fn frame(terminal: &mut Terminal<GapFill<TestBackend>>, rows: &[Line<'static>]) {
        terminal
            .draw(|f| f.render_widget(Paragraph::new(rows.to_vec()), f.area()))
            .unwrap();
    }

    #[test]
    fn short_gaps_of_the_same_style_are_filled_and_the_screen_is_the_same() {
        let mut terminal = Terminal::new(GapFill::new(TestBackend::new(40, 3))).unwrap();
        frame(&mut terminal, &[Line::from("heart failure, unspecified")]);
        // Only the letters that differ change: "heart" -> "hears", "failure" -> "fairure".
        let updates = vec![(4u16, 0u16, Cell::new("s")), (9, 0, Cell::new("r"))];
        let screen = terminal.backend().screen.clone().unwrap();
        let out = with_gaps_filled(&updates, &screen);
        let xs: Vec<u16> = out.iter().map(|(x, _, _)| *x).collect();
        assert_eq!(
            xs,
            [4, 5, 6, 7, 8, 9],
            "4 cells re-sent instead of a 6-byte move"
        );
        // Through a real frame: the terminal shows what ratatui meant.
        frame(&mut terminal, &[Line::from("hears fairure, unspecified")]);
        terminal.backend().inner().assert_buffer_lines(
            ["hears fairure, unspecified              ", "", ""].map(|l| format!("{l:<40}")),
        );
    }

    #[test]
    fn long_gaps_and_gaps_of_another_style_are_moved_over() {
        let mut terminal = Terminal::new(GapFill::new(TestBackend::new(40, 2))).unwrap();
        let red = Style::default().fg(Color::Red);
        frame(
            &mut terminal,
            &[Line::from(vec![
                Span::raw("ab"),
                Span::styled("cd", red),
                Span::raw("efghijklmnop"),
            ])],
        );
        let screen = terminal.backend().screen.clone().unwrap();
        // Across the red "cd": not filled (it would need two colour changes).
        let updates = [(1, 0, Cell::new("x")), (4, 0, Cell::new("y"))];
        assert_eq!(with_gaps_filled(&updates, &screen).len(), 2);
        // Across 8 plain cells: a move (6 bytes) is cheaper.
        let updates = [(4, 0, Cell::new("x")), (13, 0, Cell::new("y"))];
        assert_eq!(with_gaps_filled(&updates, &screen).len(), 2);
        // Not across rows.
        let updates = [(39, 0, Cell::new("x")), (1, 1, Cell::new("y"))];
        assert_eq!(with_gaps_filled(&updates, &screen).len(), 2);
    }

    #[test]
    fn after_a_partial_clear_nothing_is_filled_until_a_full_one() {
        let mut backend = GapFill::new(TestBackend::new(10, 1));
        assert!(backend.screen.is_some(), "starts blank");
        backend.clear_region(ClearType::AfterCursor).unwrap();
        assert!(
            backend.screen.is_none(),
            "a partial clear forgets the screen"
        );
        let cells = [Cell::new("a"), Cell::new("b")];
        backend
            .draw([(0u16, 0u16, &cells[0]), (3, 0, &cells[1])].into_iter())
            .unwrap();
        backend.clear_region(ClearType::All).unwrap();
        assert_eq!(
            backend.screen.as_ref().unwrap().area,
            Rect::new(0, 0, 10, 1)
        );
    }

    #[test]
    fn whatever_is_drawn_the_terminal_shows_exactly_the_frame() {
        // Frames of random words in random styles, some wide: after each, the
        // terminal behind the gap filler holds exactly what a terminal sent
        // ratatui's own changes holds.
        let mut terminal = Terminal::new(GapFill::new(TestBackend::new(30, 6))).unwrap();
        let mut plain = Terminal::new(TestBackend::new(30, 6)).unwrap();
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let words = [
            "heart", "hear", "failure", "fail", "acute", "コ", "on", "  ", "chronic",
        ];
        let styles = [
            Style::default(),
            Style::default().fg(Color::Red),
            Style::default().add_modifier(ratatui::style::Modifier::UNDERLINED),
        ];
        for _ in 0..300 {
            let rows: Vec<Line<'static>> = (0..6)
                .map(|_| {
                    Line::from(
                        (0..next(6))
                            .map(|_| {
                                let word = words[next(words.len() as u64) as usize];
                                let style = styles[next(styles.len() as u64) as usize];
                                Span::styled(format!("{word} "), style)
                            })
                            .collect::<Vec<_>>(),
                    )
                })
                .collect();
            let draw = |f: &mut ratatui::Frame<'_>| {
                f.render_widget(Paragraph::new(rows.clone()), f.area())
            };
            terminal.draw(draw).unwrap();
            plain.draw(draw).unwrap();
            assert_eq!(
                terminal.backend().inner().buffer(),
                plain.backend().buffer()
            );
        }
    }

    #[test]
    fn the_column_a_wide_character_covers_is_never_filled() {
        let mut backend = GapFill::new(TestBackend::new(10, 1));
        let cells = [Cell::new("a"), Cell::new("コ"), Cell::new("b")];
        backend
            .draw(
                [
                    (0u16, 0u16, &cells[0]),
                    (1, 0, &cells[1]),
                    (3, 0, &cells[2]),
                ]
                .into_iter(),
            )
            .unwrap();
        let screen = backend.screen.clone().unwrap();
        assert_eq!(reprint_cost(&screen[(0, 0)]), Some(1));
        assert_eq!(reprint_cost(&screen[(1, 0)]), None, "wide");
        assert_eq!(reprint_cost(&screen[(2, 0)]), None, "covered");
        // "a" at 0 changes and "b" at 3: the gap holds the wide character.
        let updates = [(0, 0, Cell::new("z")), (3, 0, Cell::new("y"))];
        assert_eq!(with_gaps_filled(&updates, &screen).len(), 2);
    }

    #[test]
    fn a_cell_drawn_beyond_the_known_size_grows_the_copy_with_unknown_cells() {
        let mut screen = Buffer::empty(Rect::new(0, 0, 4, 1));
        screen[(1, 0)] = Cell::new("a");
        let screen = grown(&screen, 6, 2);
        assert_eq!(screen.area, Rect::new(0, 0, 7, 3));
        assert_eq!(screen[(1, 0)].symbol(), "a");
        assert_eq!(reprint_cost(&screen[(2, 0)]), Some(1), "known blank");
        assert_eq!(reprint_cost(&screen[(5, 0)]), None, "never drawn");
        assert_eq!(reprint_cost(&screen[(6, 2)]), None, "never drawn");
    }

    #[test]
    fn the_cursor_move_costs_what_it_sends() {
        assert_eq!(move_cost(0, 0), "\x1b[1;1H".len());
        assert_eq!(move_cost(119, 39), "\x1b[40;120H".len());
    }
}
