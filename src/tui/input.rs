//! The one text field of the workstation: the queue filter, the search term,
//! every one-line prompt, the query form's fields and the lock screen's
//! password all edit a [`TextInput`].
//!
//! The editing itself (cursor, deleting a character, a word, the line, by
//! character and not by byte) is tui-input's `Input`; the keys reach it
//! through the key map (`[keys.input]`), so they are the same in every field
//! and remappable. The length cap and the cleaning of pasted text live here
//! once.

use super::keymap::{Action, Context, Keymap};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

/// A one-line text field with a cursor and a length cap (in characters).
#[derive(Debug, Clone)]
pub struct TextInput {
    input: Input,
    max: usize,
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor() && self.max == other.max
    }
}

impl Eq for TextInput {}

/// What a key did to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// Only the cursor moved (or the key was an editing key that changed
    /// nothing).
    Moved,
    /// Not a key of the field.
    Ignored,
}

impl TextInput {
    /// An empty field taking up to `max` characters.
    pub fn new(max: usize) -> TextInput {
        TextInput {
            input: Input::default(),
            max,
        }
    }

    /// A field holding `value` (cut to `max` characters), the cursor at its end.
    pub fn with_value(value: &str, max: usize) -> TextInput {
        TextInput {
            input: Input::new(value.chars().take(max).collect()),
            max,
        }
    }

    pub fn value(&self) -> &str {
        self.input.value()
    }

    /// The characters before the cursor.
    pub fn cursor(&self) -> usize {
        self.input.cursor()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    pub fn clear(&mut self) {
        self.input.reset();
    }

    /// Replaces the text (cut to the cap), the cursor at its end.
    pub fn set(&mut self, value: &str) {
        *self = TextInput::with_value(value, self.max);
    }

    /// The text, and empties the field.
    pub fn take(&mut self) -> String {
        self.input.value_and_reset()
    }

    fn room(&self) -> usize {
        self.max.saturating_sub(self.value().chars().count())
    }

    /// A key: an editing key of `[keys.input]`, or a character typed (up to
    /// the cap; never with Ctrl, so a Ctrl key no field binds types nothing).
    pub fn key(&mut self, keymap: &Keymap, key: &KeyEvent) -> Edit {
        let request = match keymap.action_for(Context::Input, key) {
            Some(Action::DeleteBack) => InputRequest::DeletePrevChar,
            Some(Action::DeleteForward) => InputRequest::DeleteNextChar,
            Some(Action::DeleteWord) => InputRequest::DeletePrevWord,
            Some(Action::ClearLine) => InputRequest::DeleteLine,
            Some(Action::CursorLeft) => InputRequest::GoToPrevChar,
            Some(Action::CursorRight) => InputRequest::GoToNextChar,
            Some(Action::CursorStart) => InputRequest::GoToStart,
            Some(Action::CursorEnd) => InputRequest::GoToEnd,
            _ => match key.code {
                KeyCode::Char(c)
                    if !c.is_control()
                        && !key
                            .modifiers
                            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
                {
                    if self.room() == 0 {
                        return Edit::Moved;
                    }
                    InputRequest::InsertChar(c)
                }
                _ => return Edit::Ignored,
            },
        };
        match self.input.handle(request) {
            Some(change) if change.value => Edit::Changed,
            _ => Edit::Moved,
        }
    }

    /// Pasted text at the cursor: line breaks and other control characters
    /// become spaces, and what passes the cap is dropped. Whether it changed
    /// the text.
    pub fn paste(&mut self, text: &str) -> bool {
        let room = self.room();
        let mut changed = false;
        for c in text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(room)
        {
            self.input.handle(InputRequest::InsertChar(c));
            changed = true;
        }
        changed
    }

    /// What of the text shows in `width` columns, and the cursor's column in
    /// it: the text scrolls to keep the cursor in view.
    pub fn window(&self, width: usize) -> (String, u16) {
        // One column is kept for the cursor after the last character.
        let scroll = self.input.visual_scroll(width.saturating_sub(1).max(1));
        let shown = self.value().chars().skip(scroll).collect();
        let column = self.input.visual_cursor().saturating_sub(scroll);
        (shown, u16::try_from(column).unwrap_or(u16::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn typed(field: &mut TextInput, map: &Keymap, text: &str) {
        for c in text.chars() {
            field.key(map, &key(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    #[test]
    fn every_field_edits_the_same_way() {
        let map = Keymap::default();
        let mut f = TextInput::new(100);
        typed(&mut f, &map, "heart failure");
        assert_eq!(
            f.key(&map, &key(KeyCode::Char('w'), KeyModifiers::CONTROL)),
            Edit::Changed
        );
        assert_eq!(f.value(), "heart ");
        f.key(&map, &key(KeyCode::Home, KeyModifiers::NONE));
        typed(&mut f, &map, "acute ");
        assert_eq!(f.value(), "acute heart ");
        f.key(&map, &key(KeyCode::End, KeyModifiers::NONE));
        f.key(&map, &key(KeyCode::Left, KeyModifiers::NONE));
        f.key(&map, &key(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(f.value(), "acute hear ");
        // Ctrl with a letter no field binds types nothing (Ctrl-S is not "s").
        assert_eq!(
            f.key(&map, &key(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Edit::Ignored
        );
        f.key(&map, &key(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert!(f.is_empty());
        assert_eq!(
            f.key(&map, &key(KeyCode::Enter, KeyModifiers::NONE)),
            Edit::Ignored
        );
    }

    #[test]
    fn the_cap_holds_for_typing_and_pasting_alike() {
        let map = Keymap::default();
        let mut f = TextInput::with_value("abcdef", 4);
        assert_eq!(f.value(), "abcd");
        typed(&mut f, &map, "x");
        assert_eq!(f.value(), "abcd");
        f.clear();
        assert!(f.paste("line one\nline two"));
        assert_eq!(f.value(), "line");
        let mut g = TextInput::new(20);
        g.paste("a\tb\r\nc");
        assert_eq!(g.value(), "a b  c");
    }

    #[test]
    fn a_long_text_scrolls_to_keep_the_cursor_in_view() {
        let f = TextInput::with_value("0123456789", 20);
        let (shown, column) = f.window(5);
        assert!(shown.starts_with('6') || shown.starts_with('5'), "{shown}");
        assert!(usize::from(column) < 5);
        let (shown, column) = TextInput::with_value("abc", 20).window(10);
        assert_eq!((shown.as_str(), column), ("abc", 3));
    }
}
