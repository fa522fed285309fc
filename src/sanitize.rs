//! One sanitiser for every text that reaches a terminal or a file a person
//! opens (the workstation's screen, the command line's output, the query
//! outbox, the audit trail in text). Text from charts, site tables and the
//! configuration may hold control characters: an ESC starts a terminal
//! command (clear the screen, set the window title, set the clipboard with
//! OSC 52), a carriage return overwrites what a line said, a newline or tab
//! in one field forges another line or column, and the bidirectional
//! controls (U+202E RIGHT-TO-LEFT OVERRIDE and friends) make text read
//! differently from what it is. Each is shown as a visible stand-in, or
//! removed where a stand-in would not fit.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is: C0 and C1 controls, DEL,
/// the line and paragraph separators, and the bidirectional and
/// direction-mark format characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Which whitespace controls a text may keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// One field on one line (a column of tab-separated output, a name):
    /// newline and tab are shown as `\n` and `\t` like every other control.
    Nothing,
    /// A text of several lines (a query, a code's description): newline and
    /// tab stay.
    Lines,
}

/// `text` with every unsafe character made visible: C0 controls as their
/// Unicode control pictures (ESC as ␛, NUL as ␀), DEL as ␡, newline and tab
/// as `\n` and `\t` when they may not stay, and the rest as `<U+202E>`.
/// Borrowed when nothing needed changing.
pub fn visible(text: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| keep == Keep::Lines && matches!(c, '\n' | '\t');
    if !text.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !is_unsafe(c) || kept(c) => out.push(c),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1F}' => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'));
            }
            '\u{7F}' => out.push('\u{2421}'),
            c => out.push_str(&format!("<U+{:04X}>", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// [`visible`] for one field on one line.
pub fn line(text: &str) -> Cow<'_, str> {
    visible(text, Keep::Nothing)
}

/// [`visible`] for a text of several lines.
pub fn text(text: &str) -> Cow<'_, str> {
    visible(text, Keep::Lines)
}

/// `text` without its unsafe characters (for a screen cell, where a stand-in
/// would change the width of what is drawn).
pub fn strip(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_unsafe) {
        Cow::Owned(text.chars().filter(|&c| !is_unsafe(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_commands_and_forged_lines_are_made_visible() {
        assert_eq!(line("\u{1b}[2Jclear"), "␛[2Jclear");
        assert_eq!(
            line("\u{1b}]52;c;ZWNobyBoaQ==\u{7}"),
            "␛]52;c;ZWNobyBoaQ==␇"
        );
        assert_eq!(line("a\tb\nc\rd\0"), "a\\tb\\nc␍d␀");
        assert_eq!(text("a\tb\nc\rd"), "a\tb\nc␍d");
        assert_eq!(line("evil\u{202E}txt.exe"), "evil<U+202E>txt.exe");
        assert_eq!(line("\u{85}\u{9B}2J"), "<U+0085><U+009B>2J");
        assert_eq!(line("\u{7f}"), "␡");
        assert_eq!(strip("Mar\u{202E}y\u{1b}"), "Mary");
    }

    #[test]
    fn ordinary_text_is_untouched_and_borrowed() {
        for s in ["Heart failure, acute on chronic", "Zoë Ñúñez 田中", "👩‍⚕️ ok"] {
            assert!(matches!(line(s), Cow::Borrowed(_)), "{s}");
            assert!(matches!(strip(s), Cow::Borrowed(_)), "{s}");
        }
        assert!(matches!(text("two\nlines\tand a tab"), Cow::Borrowed(_)));
    }
}
