//! Key bindings. The help screen and the footer are generated from the live key map,
//! so what they say is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

mod action;
mod defaults;

pub use action::Action;
pub use defaults::Context;

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

    /// The key of an event, as help writes it (Shift is part of a character).
    pub fn of(event: &KeyEvent) -> KeySpec {
        KeySpec {
            code: event.code,
            modifiers: event.modifiers & KeyModifiers::CONTROL,
        }
    }

    /// Whether the key is a character a text field types (no Ctrl).
    pub fn types(&self) -> bool {
        matches!(self.code, KeyCode::Char(_)) && !self.modifiers.contains(KeyModifiers::CONTROL)
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

impl std::str::FromStr for KeySpec {
    type Err = String;

    /// Parses a key as help writes it: "j", "K", "Ctrl-N", "PgDn", "F1", "Space".
    fn from_str(s: &str) -> Result<KeySpec, String> {
        let (modifiers, name) = match s.strip_prefix("Ctrl-") {
            Some(rest) if !rest.is_empty() => (KeyModifiers::CONTROL, rest),
            _ => (KeyModifiers::NONE, s),
        };
        let mut chars = name.chars();
        let code = match (chars.next(), chars.next()) {
            // Terminals report Ctrl with a letter as the small letter.
            (Some(c), None) if !c.is_control() && c != ' ' && !modifiers.is_empty() => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            (Some(c), None) if !c.is_control() && c != ' ' => KeyCode::Char(c),
            _ => match name {
                "Space" => KeyCode::Char(' '),
                "Up" => KeyCode::Up,
                "Down" => KeyCode::Down,
                "Left" => KeyCode::Left,
                "Right" => KeyCode::Right,
                "PgUp" => KeyCode::PageUp,
                "PgDn" => KeyCode::PageDown,
                "Home" => KeyCode::Home,
                "End" => KeyCode::End,
                "Enter" => KeyCode::Enter,
                "Esc" => KeyCode::Esc,
                "Tab" => KeyCode::Tab,
                "Shift-Tab" => KeyCode::BackTab,
                "Delete" => KeyCode::Delete,
                "Backspace" => KeyCode::Backspace,
                f if f.starts_with('F') => match f[1..].parse::<u8>() {
                    Ok(n) if (1..=12).contains(&n) => KeyCode::F(n),
                    _ => return Err(format!("unknown key {s:?}")),
                },
                _ => {
                    return Err(format!(
                        "unknown key {s:?}: use one character, or Up Down Left Right PgUp PgDn Home End Enter Esc Tab Shift-Tab Delete Backspace Space F1-F12, with Ctrl- for control"
                    ));
                }
            },
        };
        Ok(KeySpec { code, modifiers })
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.modifiers.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
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
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Delete => f.write_str("Delete"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// The bindings of every component, in the order help lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Context, Action, Vec<KeySpec>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: defaults::bindings(),
        }
    }
}

/// The config's key tables: component name -> action name -> keys.
pub type Overrides = crate::config::KeyTables;

impl Keymap {
    /// The default map with the config's `[keys.COMPONENT]` entries (action
    /// name = list of keys) in place of the defaults they name. An unknown
    /// component, action or key, an action the component does not have, a key
    /// bound to two actions of one component, or a character key on a
    /// component that types text is an error saying which.
    pub fn with_overrides(tables: &Overrides) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (section, table) in tables {
            let context = Context::ALL
                .into_iter()
                .find(|c| c.label() == section)
                .ok_or_else(|| {
                    let names: Vec<&str> = Context::ALL.iter().map(|c| c.label()).collect();
                    format!(
                        "keys.{section}: unknown component (one of {})",
                        names.join(", ")
                    )
                })?;
            for (name, keys) in table {
                map.rebind(context, name, keys)?;
            }
        }
        for context in Context::ALL {
            map.check(context)?;
        }
        Ok(map)
    }

    /// The key map a config asks for (see [`Keymap::with_overrides`]).
    pub fn from_config(keys: &crate::config::KeysConfig) -> Result<Keymap, String> {
        Keymap::with_overrides(&keys.tables()?)
    }

    /// Puts `keys` in place of the keys of the action `name` on `context`.
    fn rebind(&mut self, context: Context, name: &str, keys: &[String]) -> Result<(), String> {
        let label = context.label();
        let action = Action::ALL
            .iter()
            .copied()
            .find(|a| a.name() == name)
            .ok_or_else(|| format!("keys.{label}: unknown action {name:?}"))?;
        let specs = keys
            .iter()
            .map(|k| {
                k.parse::<KeySpec>()
                    .map_err(|e| format!("keys.{label}.{name}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if specs.is_empty() {
            return Err(format!("keys.{label}.{name}: no key given"));
        }
        if context.types_text()
            && let Some(k) = specs.iter().find(|k| k.types())
        {
            return Err(format!(
                "keys.{label}.{name}: {k} types itself in the {label} field; use a key with Ctrl- or a named key"
            ));
        }
        let slot = self
            .bindings
            .iter_mut()
            .find(|(c, a, _)| *c == context && *a == action)
            .ok_or_else(|| {
                format!("keys.{label}: {name:?} is not an action of the {label} component")
            })?;
        slot.2 = specs;
        Ok(())
    }

    /// Refuses a key bound to two actions of one component.
    fn check(&self, context: Context) -> Result<(), String> {
        let mut seen: Vec<(KeySpec, Action)> = Vec::new();
        for (action, keys) in self.bindings(context) {
            for k in keys {
                if let Some((_, other)) = seen.iter().find(|(s, _)| s == k) {
                    return Err(format!(
                        "keys.{}: {k} is bound to both {} and {}",
                        context.label(),
                        other.name(),
                        action.name()
                    ));
                }
                seen.push((*k, action));
            }
        }
        Ok(())
    }

    /// The action a key event is bound to on a screen.
    pub fn action_for(&self, context: Context, event: &KeyEvent) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(c, _, keys)| *c == context && keys.iter().any(|k| k.matches(event)))
            .map(|(_, action, _)| *action)
    }

    /// Every binding of a screen, in help order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = (Action, &[KeySpec])> {
        self.bindings
            .iter()
            .filter(move |(c, _, _)| *c == context)
            .map(|(_, a, k)| (*a, k.as_slice()))
    }

    /// The keys of one action on a component (none when it has no binding).
    pub fn keys_of(&self, context: Context, action: Action) -> &[KeySpec] {
        self.keys(context, action).unwrap_or(&[])
    }

    fn keys(&self, context: Context, action: Action) -> Option<&[KeySpec]> {
        self.bindings
            .iter()
            .find(|(c, a, _)| *c == context && *a == action)
            .map(|(_, _, keys)| keys.as_slice())
    }

    /// The keys of one action, as help writes them ("Down / j").
    pub fn keys_text(&self, context: Context, action: Action) -> String {
        self.keys(context, action)
            .unwrap_or(&[])
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" / ")
    }

    /// The help rows of a component: each binding's keys and what it does,
    /// then, for a component that types text, the editing keys.
    pub fn help_rows(&self, context: Context) -> Vec<(String, &'static str)> {
        let mut contexts = vec![context];
        if context.types_text() {
            contexts.push(Context::Input);
        }
        contexts
            .into_iter()
            .flat_map(|c| {
                self.bindings(c)
                    .map(move |(action, _)| (self.keys_text(c, action), action.description_in(c)))
            })
            .collect()
    }

    /// The first key of an action, for the footer.
    pub fn first_key(&self, context: Context, action: Action) -> Option<KeySpec> {
        self.keys(context, action).and_then(|k| k.first().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_keys_reach_their_actions() {
        let map = Keymap::default();
        let key = |code| KeyEvent::new(code, KeyModifiers::NONE);
        let q = Context::Queue;
        assert_eq!(
            map.action_for(q, &key(KeyCode::Char('j'))),
            Some(Action::MoveDown)
        );
        assert_eq!(
            map.action_for(q, &key(KeyCode::Down)),
            Some(Action::MoveDown)
        );
        assert_eq!(map.action_for(q, &key(KeyCode::F(1))), Some(Action::Help));
        let shifted_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(map.action_for(q, &shifted_g), Some(Action::Last));
        assert_eq!(map.action_for(q, &key(KeyCode::Char('Z'))), None);
        // The same key means different things on different screens.
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(map.action_for(q, &c), Some(Action::ClearFilters));
        assert_eq!(
            map.action_for(Context::Chart, &c),
            Some(Action::CompleteChart)
        );
        let shifted_k = KeyEvent::new(KeyCode::Char('K'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action_for(Context::Chart, &shifted_k),
            Some(Action::MoveCodeUp)
        );
    }

    #[test]
    fn keys_parse_as_help_writes_them() {
        for k in [
            "j",
            "K",
            "/",
            "Ctrl-N",
            "PgDn",
            "F1",
            "Space",
            "Shift-Tab",
            "Delete",
            "Esc",
        ] {
            let spec: KeySpec = k.parse().unwrap();
            assert_eq!(spec.to_string(), k);
        }
        assert!(
            "Hyper-J"
                .parse::<KeySpec>()
                .unwrap_err()
                .contains("unknown key")
        );
        assert!("F13".parse::<KeySpec>().is_err());
    }

    #[test]
    fn the_config_rebinds_only_what_it_names_and_refuses_clashes() {
        let table = |section: &str, pairs: &[(&str, &[&str])]| -> Overrides {
            let actions = pairs
                .iter()
                .map(|(a, k)| (a.to_string(), k.iter().map(|s| s.to_string()).collect()))
                .collect();
            [(section.to_string(), actions)].into_iter().collect()
        };
        let map = Keymap::with_overrides(&table("chart", &[("add_diagnosis", &["d", "Ctrl-D"])]))
            .unwrap();
        let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
        assert_eq!(
            map.action_for(Context::Chart, &key('d')),
            Some(Action::AddDiagnosis)
        );
        assert_eq!(map.action_for(Context::Chart, &key('a')), None);
        assert_eq!(
            map.keys_text(Context::Chart, Action::AddDiagnosis),
            "d / Ctrl-D"
        );
        assert_eq!(
            map.action_for(Context::Queue, &key('j')),
            Some(Action::MoveDown)
        );
        let err =
            Keymap::with_overrides(&table("chart", &[("add_diagnosis", &["x"])])).unwrap_err();
        assert!(err.contains("x is bound to both"), "{err}");
        let err =
            Keymap::with_overrides(&table("queue", &[("add_diagnosis", &["d"])])).unwrap_err();
        assert!(
            err.contains("not an action of the queue component"),
            "{err}"
        );
        let err = Keymap::with_overrides(&table("queue", &[("jump", &["d"])])).unwrap_err();
        assert!(err.contains("unknown action \"jump\""), "{err}");
        let err = Keymap::with_overrides(&table("popup", &[("submit", &["d"])])).unwrap_err();
        assert!(err.contains("keys.popup: unknown component"), "{err}");
        // A field types its characters: they cannot be its keys.
        let err = Keymap::with_overrides(&table("search", &[("submit", &["s"])])).unwrap_err();
        assert!(err.contains("types itself"), "{err}");
        // Every component's keys are remappable, the editing keys too.
        let map = Keymap::with_overrides(&table("input", &[("clear_line", &["Ctrl-K"])])).unwrap();
        let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
        assert_eq!(
            map.action_for(Context::Input, &ctrl_k),
            Some(Action::ClearLine)
        );
        assert_eq!(
            Keymap::with_overrides(&Overrides::new()).unwrap(),
            Keymap::default()
        );
    }

    #[test]
    fn every_action_has_a_distinct_name() {
        for (i, a) in Action::ALL.iter().enumerate() {
            assert!(!Action::ALL[i + 1..].iter().any(|b| b.name() == a.name()));
        }
    }

    #[test]
    fn no_key_is_bound_twice() {
        let map = Keymap::default();
        for context in Context::ALL {
            let keys: Vec<KeySpec> = map
                .bindings(context)
                .flat_map(|(_, k)| k.iter().copied())
                .collect();
            for (i, a) in keys.iter().enumerate() {
                assert!(
                    !keys[i + 1..].contains(a),
                    "{a} bound twice on the {context:?} screen"
                );
            }
        }
    }
}

/// Every component's keys are in its help, and documented.
#[cfg(test)]
mod every_key {
    use super::*;

    #[test]
    fn help_lists_every_key_each_component_binds() {
        let map = Keymap::default();
        for context in Context::ALL {
            let rows = map.help_rows(context);
            let mut handled = vec![context];
            if context.types_text() {
                handled.push(Context::Input);
            }
            for c in handled {
                for (action, keys) in map.bindings(c) {
                    assert!(!keys.is_empty(), "{action:?} of {context:?} has no key");
                    let text = map.keys_text(c, action);
                    assert!(
                        rows.iter()
                            .any(|(k, d)| *k == text && *d == action.description_in(c)),
                        "{} ({text}) is missing from the help of {}",
                        action.name(),
                        context.label()
                    );
                }
            }
        }
    }

    #[test]
    fn the_config_example_names_every_component_and_action() {
        let example = crate::config::DEFAULTS;
        for context in Context::ALL {
            let header = format!("[keys.{}]", context.label());
            let at = example
                .find(&header)
                .unwrap_or_else(|| panic!("{header} is not in config.example.toml"));
            let section = &example[at + header.len()..];
            let section = &section[..section.find("\n[").unwrap_or(section.len())];
            for (action, _) in Keymap::default().bindings(context) {
                assert!(
                    section.contains(action.name()),
                    "{header} does not name {}",
                    action.name()
                );
            }
        }
    }

    /// No component matches raw key codes: every key it handles comes
    /// through the key map. The only places that read a `KeyCode` are the
    /// key map itself, the text field (a character typed) and the
    /// 7th-character picker (a character picks its choice).
    #[test]
    fn no_component_reads_raw_keys() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
        let mut files = vec![dir.clone()];
        let mut seen = 0;
        while let Some(path) = files.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    files.push(entry.unwrap().path());
                }
                continue;
            }
            let name = path
                .strip_prefix(&dir)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if !name.ends_with(".rs") || name.starts_with("keymap") || name == "input.rs" {
                continue;
            }
            seen += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let raw = code.matches("KeyCode::").count();
            let allowed = usize::from(name == "search_popup.rs");
            assert!(
                raw <= allowed,
                "src/tui/{name} matches KeyCode {raw} times: route its keys through the key map"
            );
        }
        assert!(seen > 10);
    }
}
