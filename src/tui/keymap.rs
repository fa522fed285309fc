//! Key bindings. The help screen and the footer are generated from the live key map,
//! so what they say is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// What a key asks for on the queue screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    MoveDown,
    MoveUp,
    PageDown,
    PageUp,
    First,
    Last,
    FilterText,
    CycleStatus,
    CycleType,
    ClearFilters,
    Help,
    Quit,
}

impl Action {
    /// What the help screen says the action does.
    pub fn description(self) -> &'static str {
        match self {
            Action::MoveDown => "next chart",
            Action::MoveUp => "previous chart",
            Action::PageDown => "next page",
            Action::PageUp => "previous page",
            Action::First => "first (oldest) chart",
            Action::Last => "last (newest) chart",
            Action::FilterText => "filter: account or MRN prefix, or name words",
            Action::CycleStatus => "status: uncoded, all, then each status",
            Action::CycleType => "encounter type: all, then each type",
            Action::ClearFilters => "reset filters (uncoded charts of every type)",
            Action::Help => "show or hide this help",
            Action::Quit => "quit",
        }
    }

    /// The short word the footer uses.
    pub fn short(self) -> &'static str {
        match self {
            Action::MoveDown => "next",
            Action::MoveUp => "previous",
            Action::PageDown => "page",
            Action::PageUp => "page up",
            Action::First => "first",
            Action::Last => "last",
            Action::FilterText => "filter",
            Action::CycleStatus => "status",
            Action::CycleType => "type",
            Action::ClearFilters => "reset",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }
}

/// One key with its modifiers, as written in help and config ("j", "PgDn", "F1").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl KeySpec {
    pub const fn plain(code: KeyCode) -> KeySpec {
        KeySpec {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    pub const fn ch(c: char) -> KeySpec {
        KeySpec::plain(KeyCode::Char(c))
    }

    /// Whether a key event is this key. Shift is part of an upper-case character
    /// already, so it is ignored for characters.
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let relevant = if matches!(event.code, KeyCode::Char(_)) {
            event.modifiers - KeyModifiers::SHIFT
        } else {
            event.modifiers
        };
        event.code == self.code && relevant == self.modifiers
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Up => f.write_str("Up"),
            KeyCode::Down => f.write_str("Down"),
            KeyCode::Left => f.write_str("Left"),
            KeyCode::Right => f.write_str("Right"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The queue screen's bindings, in the order help lists them.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<(Action, Vec<KeySpec>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        let p = KeySpec::plain;
        let c = KeySpec::ch;
        Keymap {
            bindings: vec![
                (Action::MoveDown, vec![p(Down), c('j')]),
                (Action::MoveUp, vec![p(Up), c('k')]),
                (Action::PageDown, vec![p(PageDown)]),
                (Action::PageUp, vec![p(PageUp)]),
                (Action::First, vec![c('g'), p(Home)]),
                (Action::Last, vec![c('G'), p(End)]),
                (Action::FilterText, vec![c('/')]),
                (Action::CycleStatus, vec![c('s')]),
                (Action::CycleType, vec![c('t')]),
                (Action::ClearFilters, vec![c('c')]),
                (Action::Help, vec![c('?'), p(F(1))]),
                (Action::Quit, vec![c('q')]),
            ],
        }
    }
}

impl Keymap {
    /// The action a key event is bound to.
    pub fn action_for(&self, event: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(_, keys)| keys.iter().any(|k| k.matches(event)))
            .map(|(action, _)| *action)
    }

    /// Every binding, in help order.
    pub fn bindings(&self) -> impl Iterator<Item = (Action, &[KeySpec])> {
        self.bindings.iter().map(|(a, k)| (*a, k.as_slice()))
    }

    /// The keys of one action, as help writes them ("Down / j").
    pub fn keys_text(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .map(|(_, keys)| {
                keys.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" / ")
            })
            .unwrap_or_default()
    }

    /// The first key of an action, for the footer.
    pub fn first_key(&self, action: Action) -> Option<KeySpec> {
        self.bindings
            .iter()
            .find(|(a, _)| *a == action)
            .and_then(|(_, keys)| keys.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keys_reach_their_actions() {
        let map = Keymap::default();
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        assert_eq!(
            map.action_for(&key(KeyCode::Char('j'))),
            Some(Action::MoveDown)
        );
        assert_eq!(map.action_for(&key(KeyCode::Down)), Some(Action::MoveDown));
        assert_eq!(map.action_for(&key(KeyCode::F(1))), Some(Action::Help));
        let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action_for(&shifted_g), Some(Action::Last));
        assert_eq!(map.action_for(&key(KeyCode::Char('Z'))), None);
    }

    #[test]
    fn no_key_is_bound_twice() {
        let map = Keymap::default();
        let keys: Vec<KeySpec> = map
            .bindings()
            .flat_map(|(_, k)| k.iter().copied())
            .collect();
        for (i, a) in keys.iter().enumerate() {
            assert!(!keys[i + 1..].contains(a), "{a} bound twice");
        }
    }
}
