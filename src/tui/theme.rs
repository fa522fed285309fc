//! Styles. Selection is REVERSED with a `>` marker, never hue alone; with NO_COLOR
//! set, no colour is used at all. Colours are from the 256-colour palette, which
//! SSH sessions carry even when COLORTERM is not forwarded.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub dim: Style,
    pub alert: Style,
    pub key: Style,
}

impl Theme {
    pub fn new(no_color: bool) -> Theme {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        if no_color {
            return Theme {
                title: bold,
                header: bold,
                selected: Style::default().add_modifier(Modifier::REVERSED),
                dim: Style::default(),
                alert: bold,
                key: bold,
            };
        }
        Theme {
            title: bold.fg(Color::Indexed(75)),
            header: bold.fg(Color::Indexed(250)),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            dim: Style::default().fg(Color::Indexed(244)),
            alert: bold.fg(Color::Indexed(203)),
            key: bold.fg(Color::Indexed(221)),
        }
    }
}
