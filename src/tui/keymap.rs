//! Key bindings. The help screen and the footer are generated from the live key map,
//! so what they say is always what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::fmt;

/// Which screen a binding works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Queue,
    Chart,
}

impl Context {
    pub fn label(self) -> &'static str {
        match self {
            Context::Queue => "queue",
            Context::Chart => "chart",
        }
    }
}

/// What a key asks for. Each has a config name (`Action::name`), used in the
/// `[keys.queue]` and `[keys.chart]` tables.
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
    MineOnly,
    QueryReport,
    ReverseOrder,
    OpenChart,
    NextPane,
    PreviousPane,
    NextDocument,
    PreviousDocument,
    FindInDocument,
    NextMatch,
    PreviousMatch,
    PriorEncounters,
    AddDiagnosis,
    AddProcedure,
    RemoveCode,
    MoveCodeUp,
    MoveCodeDown,
    SetPoa,
    EditLine,
    FlagForQuery,
    Queries,
    DrgAnalysis,
    Acknowledge,
    CompleteChart,
    Back,
    Help,
    Quit,
}

impl Action {
    pub const ALL: [Action; 37] = [
        Action::MoveDown,
        Action::MoveUp,
        Action::PageDown,
        Action::PageUp,
        Action::First,
        Action::Last,
        Action::FilterText,
        Action::CycleStatus,
        Action::CycleType,
        Action::ClearFilters,
        Action::MineOnly,
        Action::QueryReport,
        Action::ReverseOrder,
        Action::OpenChart,
        Action::NextPane,
        Action::PreviousPane,
        Action::NextDocument,
        Action::PreviousDocument,
        Action::FindInDocument,
        Action::NextMatch,
        Action::PreviousMatch,
        Action::PriorEncounters,
        Action::AddDiagnosis,
        Action::AddProcedure,
        Action::RemoveCode,
        Action::MoveCodeUp,
        Action::MoveCodeDown,
        Action::SetPoa,
        Action::EditLine,
        Action::FlagForQuery,
        Action::Queries,
        Action::DrgAnalysis,
        Action::Acknowledge,
        Action::CompleteChart,
        Action::Back,
        Action::Help,
        Action::Quit,
    ];

    /// The action's name in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Action::MoveDown => "move_down",
            Action::MoveUp => "move_up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::First => "first",
            Action::Last => "last",
            Action::FilterText => "filter",
            Action::CycleStatus => "cycle_status",
            Action::CycleType => "cycle_type",
            Action::ClearFilters => "clear_filters",
            Action::MineOnly => "mine_only",
            Action::QueryReport => "query_report",
            Action::ReverseOrder => "reverse_order",
            Action::OpenChart => "open_chart",
            Action::NextPane => "next_pane",
            Action::PreviousPane => "previous_pane",
            Action::NextDocument => "next_document",
            Action::PreviousDocument => "previous_document",
            Action::FindInDocument => "find_in_document",
            Action::NextMatch => "next_match",
            Action::PreviousMatch => "previous_match",
            Action::PriorEncounters => "prior_encounters",
            Action::AddDiagnosis => "add_diagnosis",
            Action::AddProcedure => "add_procedure",
            Action::RemoveCode => "remove_code",
            Action::MoveCodeUp => "move_code_up",
            Action::MoveCodeDown => "move_code_down",
            Action::SetPoa => "set_poa",
            Action::EditLine => "edit_line",
            Action::FlagForQuery => "flag_for_query",
            Action::Queries => "queries",
            Action::DrgAnalysis => "drg_analysis",
            Action::Acknowledge => "acknowledge",
            Action::CompleteChart => "complete_chart",
            Action::Back => "back",
            Action::Help => "help",
            Action::Quit => "quit",
        }
    }

    /// What the help screen says the action does.
    pub fn description(self) -> &'static str {
        match self {
            Action::MoveDown => "next chart",
            Action::MoveUp => "previous chart",
            Action::PageDown => "next page",
            Action::PageUp => "previous page",
            Action::First => "first chart in the order (oldest by default)",
            Action::Last => "last chart in the order",
            Action::FilterText => "filter: account or MRN prefix, or name words",
            Action::CycleStatus => "status: uncoded, all, then each status",
            Action::CycleType => "encounter type: all, then each type",
            Action::ClearFilters => "reset filters (uncoded charts of every type)",
            Action::MineOnly => "only the charts claimed by me (again: everyone's)",
            Action::QueryReport => "reports: q physician queries, c case mix index",
            Action::ReverseOrder => "sort: newest discharge first, or oldest first",
            Action::OpenChart => "open the chart (claims it for you)",
            Action::NextPane => "next pane",
            Action::PreviousPane => "previous pane",
            Action::NextDocument => "next document",
            Action::PreviousDocument => "previous document",
            Action::FindInDocument => "find text in the document (a / p then search it)",
            Action::NextMatch => "next match in the document",
            Action::PreviousMatch => "previous match in the document",
            Action::PriorEncounters => "prior encounters of the patient and their codes",
            Action::AddDiagnosis => "add a diagnosis (code search)",
            Action::AddProcedure => "add a procedure (code search)",
            Action::RemoveCode => "remove the selected code",
            Action::MoveCodeUp => "move the selected code up (first = principal)",
            Action::MoveCodeDown => "move the selected code down",
            Action::SetPoa => "POA of the selected diagnosis: Y N U W 1 (Space clears)",
            Action::EditLine => "CPT/HCPCS modifiers/units/pointers; PCS date/who",
            Action::FlagForQuery => "write a physician query (sent: the chart goes on hold)",
            Action::Queries => "the chart's queries: answer, close, cancel, recipient",
            Action::DrgAnalysis => "DRG analysis: each dx as principal; what sets severity",
            Action::Acknowledge => "acknowledge the selected warning (Edits pane, audited)",
            Action::CompleteChart => "complete (blocked by errors, open warnings or holds)",
            Action::Back => "back to the queue",
            Action::Help => "show or hide this help",
            Action::Quit => "quit",
        }
    }

    /// What the help screen says the action does on a screen.
    pub fn description_in(self, context: Context) -> &'static str {
        match (context, self) {
            (Context::Chart, Action::MoveDown) => "next code, or scroll the document down",
            (Context::Chart, Action::MoveUp) => "previous code, or scroll the document up",
            (Context::Chart, Action::PageDown) => "page down (codes or document)",
            (Context::Chart, Action::PageUp) => "page up (codes or document)",
            _ => self.description(),
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
            Action::MineOnly => "mine",
            Action::QueryReport => "reports",
            Action::ReverseOrder => "sort",
            Action::OpenChart => "open",
            Action::NextPane => "pane",
            Action::PreviousPane => "pane back",
            Action::NextDocument => "next doc",
            Action::PreviousDocument => "prev doc",
            Action::FindInDocument => "find",
            Action::NextMatch => "next match",
            Action::PreviousMatch => "prev match",
            Action::PriorEncounters => "prior",
            Action::AddDiagnosis => "add dx",
            Action::AddProcedure => "add px",
            Action::RemoveCode => "remove",
            Action::MoveCodeUp => "up",
            Action::MoveCodeDown => "down",
            Action::SetPoa => "POA",
            Action::EditLine => "line",
            Action::FlagForQuery => "query",
            Action::Queries => "queries",
            Action::DrgAnalysis => "DRG",
            Action::Acknowledge => "acknowledge",
            Action::CompleteChart => "complete",
            Action::Back => "queue",
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

/// The bindings of every screen, in the order help lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<(Context, Action, Vec<KeySpec>)>,
}

impl Default for Keymap {
    fn default() -> Self {
        use KeyCode::*;
        let p = KeySpec::plain;
        let c = KeySpec::ch;
        let queue = [
            (Action::MoveDown, vec![p(Down), c('j')]),
            (Action::MoveUp, vec![p(Up), c('k')]),
            (Action::PageDown, vec![p(PageDown)]),
            (Action::PageUp, vec![p(PageUp)]),
            (Action::First, vec![c('g'), p(Home)]),
            (Action::Last, vec![c('G'), p(End)]),
            (Action::OpenChart, vec![p(Enter)]),
            (Action::FilterText, vec![c('/')]),
            (Action::CycleStatus, vec![c('s')]),
            (Action::CycleType, vec![c('t')]),
            (Action::ClearFilters, vec![c('c')]),
            (Action::MineOnly, vec![c('m')]),
            (Action::ReverseOrder, vec![c('r')]),
            (Action::QueryReport, vec![c('R')]),
            (Action::Help, vec![c('?'), p(F(1))]),
            (Action::Quit, vec![c('q')]),
        ];
        let chart = [
            (Action::NextPane, vec![p(Tab)]),
            (Action::PreviousPane, vec![p(BackTab)]),
            (Action::MoveDown, vec![p(Down), c('j')]),
            (Action::MoveUp, vec![p(Up), c('k')]),
            (Action::PageDown, vec![p(PageDown)]),
            (Action::PageUp, vec![p(PageUp)]),
            (Action::NextDocument, vec![p(Right), c('l')]),
            (Action::PreviousDocument, vec![p(Left), c('h')]),
            (Action::FindInDocument, vec![c('/')]),
            (Action::NextMatch, vec![c('n')]),
            (Action::PreviousMatch, vec![c('N')]),
            (Action::PriorEncounters, vec![c('o')]),
            (Action::AddDiagnosis, vec![c('a')]),
            (Action::AddProcedure, vec![c('p')]),
            (Action::RemoveCode, vec![p(Delete), c('x')]),
            (Action::MoveCodeUp, vec![c('K')]),
            (Action::MoveCodeDown, vec![c('J')]),
            (Action::SetPoa, vec![c('P')]),
            (Action::EditLine, vec![c('m')]),
            (Action::FlagForQuery, vec![c('f')]),
            (Action::Queries, vec![c('Q')]),
            (Action::DrgAnalysis, vec![c('D')]),
            (Action::Acknowledge, vec![c('y')]),
            (Action::CompleteChart, vec![c('c')]),
            (Action::Back, vec![p(Esc)]),
            (Action::Help, vec![c('?'), p(F(1))]),
            (Action::Quit, vec![c('q')]),
        ];
        let mut bindings = Vec::new();
        for (action, keys) in queue {
            bindings.push((Context::Queue, action, keys));
        }
        for (action, keys) in chart {
            bindings.push((Context::Chart, action, keys));
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// The default map with the config's `[keys.queue]` and `[keys.chart]`
    /// entries (action name = list of keys) in place of the defaults they name.
    /// An unknown action or key, an action the screen does not have, or a key
    /// bound to two actions of one screen is an error saying which.
    pub fn with_overrides(
        queue: &std::collections::BTreeMap<String, Vec<String>>,
        chart: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (context, table) in [(Context::Queue, queue), (Context::Chart, chart)] {
            for (name, keys) in table {
                let action = Action::ALL
                    .into_iter()
                    .find(|a| a.name() == name)
                    .ok_or_else(|| format!("keys.{}: unknown action {name:?}", context.label()))?;
                let specs = keys
                    .iter()
                    .map(|k| {
                        k.parse::<KeySpec>()
                            .map_err(|e| format!("keys.{}.{name}: {e}", context.label()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                if specs.is_empty() {
                    return Err(format!("keys.{}.{name}: no key given", context.label()));
                }
                let slot = map
                    .bindings
                    .iter_mut()
                    .find(|(c, a, _)| *c == context && *a == action)
                    .ok_or_else(|| {
                        format!(
                            "keys.{}: {name:?} is not an action of the {} screen",
                            context.label(),
                            context.label()
                        )
                    })?;
                slot.2 = specs;
            }
            let mut seen: Vec<(KeySpec, Action)> = Vec::new();
            for (action, keys) in map.bindings(context) {
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
        }
        Ok(map)
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
        use std::collections::BTreeMap;
        let table = |pairs: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
            pairs
                .iter()
                .map(|(a, k)| (a.to_string(), k.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        let map = Keymap::with_overrides(
            &BTreeMap::new(),
            &table(&[("add_diagnosis", &["d", "Ctrl-D"])]),
        )
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
        let err = Keymap::with_overrides(&BTreeMap::new(), &table(&[("add_diagnosis", &["x"])]))
            .unwrap_err();
        assert!(err.contains("x is bound to both"), "{err}");
        let err = Keymap::with_overrides(&table(&[("add_diagnosis", &["d"])]), &BTreeMap::new())
            .unwrap_err();
        assert!(err.contains("not an action of the queue screen"), "{err}");
        let err =
            Keymap::with_overrides(&table(&[("jump", &["d"])]), &BTreeMap::new()).unwrap_err();
        assert!(err.contains("unknown action \"jump\""), "{err}");
        assert_eq!(
            Keymap::with_overrides(&BTreeMap::new(), &BTreeMap::new()).unwrap(),
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
        for context in [Context::Queue, Context::Chart] {
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
