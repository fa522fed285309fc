//! The code-search popup as a component (`a` / `p` on the chart): the term
//! typed (one [`TextInput`]), the ranked hits from the search worker, the
//! highlighted code's notes, and the 7th-character picker. Its keys are
//! `[keys.search]` and `[keys.seventh]`, with `[keys.input]` for the term.

use super::app::{App, Screen};
use super::chart::store_system;
use super::focus::ChartFocus;
use super::input::{Edit, TextInput};
use super::keymap::{Action, Context};
use super::saver::{Command, Then};
use crate::codeset;
use crate::domain::{CodeSystem, DocumentKind};
use crate::reference::CodeSets;
use crate::search::{Filters, Hit, System, SystemFilter};
use crate::store::coding::CodeList;
use crossterm::event::{KeyCode, KeyEvent};

/// How many hits the popup asks for.
pub const POPUP_HITS: usize = 50;

/// The longest search term, in characters.
const TERM_MAX: usize = 100;

/// What the popup is showing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopupStage {
    Results,
    /// Picking the 7th character of `base` (e.g. S72.001).
    Seventh {
        base: String,
        choices: Vec<(char, String)>,
        selected: usize,
    },
}

/// The code-search popup.
#[derive(Debug, Clone)]
pub struct SearchPopup {
    pub list: CodeList,
    pub term: TextInput,
    pub hits: Vec<Hit>,
    pub selected: usize,
    /// The id of the search whose answer is awaited.
    pub waiting: Option<u64>,
    pub stage: PopupStage,
    /// Whether Up/Down scroll the notes instead of the hits.
    pub notes_focus: bool,
    pub notes_scroll: u16,
    /// A header being opened: when its search answers, the cursor goes to its
    /// first child instead of the header itself.
    pub opening: Option<String>,
    /// The highlighted code's notes (kept here so a frame does not rebuild them).
    pub notes: String,
    /// Per hit, the title characters that match the term (for underlining).
    pub marks: Vec<Vec<usize>>,
}

impl SearchPopup {
    /// A popup adding to `list`, starting with `term` typed.
    pub(crate) fn new(list: CodeList, term: &str) -> SearchPopup {
        SearchPopup {
            list,
            term: TextInput::with_value(term, TERM_MAX),
            hits: Vec::new(),
            selected: 0,
            waiting: None,
            stage: PopupStage::Results,
            notes_focus: false,
            notes_scroll: 0,
            opening: None,
            notes: String::new(),
            marks: Vec::new(),
        }
    }

    pub fn selected_hit(&self) -> Option<&Hit> {
        self.hits.get(self.selected)
    }

    /// The 7th-character picker, when it is up: the code and the choices.
    pub fn seventh(&self) -> Option<(&str, &[(char, String)])> {
        match &self.stage {
            PopupStage::Seventh { base, choices, .. } => Some((base, choices)),
            PopupStage::Results => None,
        }
    }

    /// One step of the hit cursor (the notes' scroll when they have the keys).
    fn step(&mut self, down: bool) {
        if self.notes_focus {
            self.notes_scroll = if down {
                self.notes_scroll.saturating_add(1)
            } else {
                self.notes_scroll.saturating_sub(1)
            };
            return;
        }
        self.selected = if down {
            (self.selected + 1).min(self.hits.len().saturating_sub(1))
        } else {
            self.selected.saturating_sub(1)
        };
        self.notes_scroll = 0;
    }
}

/// The popup on the chart screen, when it is up.
pub(crate) fn popup_in(screen: &mut Screen) -> Option<&mut SearchPopup> {
    match screen {
        Screen::Chart(view) => match &mut view.focus {
            ChartFocus::Search(popup) => Some(popup),
            _ => None,
        },
        Screen::Queue(_) => None,
    }
}

impl App {
    pub(crate) fn popup_mut(&mut self) -> Option<&mut SearchPopup> {
        popup_in(&mut self.screen)
    }

    /// `a` / `p` on the chart: opens the search for a diagnosis or a procedure;
    /// a phrase found in the document (/) is the term to start with.
    pub(crate) fn open_search(&mut self, list: CodeList) {
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        if let Some(reason) = &view.read_only {
            self.message = Some(format!("the chart is {reason}"));
            return;
        }
        let term = view.find.clone().unwrap_or_default();
        view.focus = ChartFocus::Search(Box::new(SearchPopup::new(list, &term)));
        if self.codesets.is_none() {
            self.message = Some("the code sets are still loading…".into());
        }
        self.resubmit_search();
    }

    /// Keys while the search popup is open.
    pub(crate) fn search_key(&mut self, key: &KeyEvent) {
        self.message = None;
        let Some(popup) = popup_in(&mut self.screen) else {
            return;
        };
        if popup.seventh().is_some() {
            return self.seventh_key(key);
        }
        match self.keymap.action_for(Context::Search, key) {
            Some(Action::Cancel) => self.close_search(),
            Some(Action::ToggleNotes) => popup.notes_focus = !popup.notes_focus,
            Some(a @ (Action::MoveDown | Action::MoveUp)) => {
                popup.step(a == Action::MoveDown);
                if !popup.notes_focus {
                    self.refresh_notes();
                }
            }
            Some(Action::Submit) => {
                if let Some(hit) = popup.selected_hit().cloned() {
                    self.choose(&hit);
                }
            }
            Some(Action::Help) => self.open_help(Context::Search),
            _ => {
                if popup.term.key(&self.keymap, key) == Edit::Changed {
                    self.resubmit_search();
                }
            }
        }
    }

    /// Keys while the 7th-character picker is up: a character picks its
    /// choice.
    fn seventh_key(&mut self, key: &KeyEvent) {
        let action = self.keymap.action_for(Context::Seventh, key);
        let Some(popup) = popup_in(&mut self.screen) else {
            return;
        };
        let PopupStage::Seventh {
            base,
            choices,
            selected,
        } = &mut popup.stage
        else {
            return;
        };
        match action {
            Some(Action::Cancel) => popup.stage = PopupStage::Results,
            Some(Action::MoveDown) => {
                *selected = (*selected + 1).min(choices.len().saturating_sub(1))
            }
            Some(Action::MoveUp) => *selected = selected.saturating_sub(1),
            Some(Action::Submit) => {
                if let Some(&(c, _)) = choices.get(*selected) {
                    let code = codeset::with_seventh(base, c);
                    self.assign(&code, System::Icd10Cm);
                }
            }
            Some(Action::Help) => self.open_help(Context::Seventh),
            _ => {
                if let KeyCode::Char(c) = key.code {
                    let c = c.to_ascii_uppercase();
                    if let Some(i) = choices.iter().position(|(ch, _)| *ch == c) {
                        *selected = i;
                    }
                }
            }
        }
    }

    fn close_search(&mut self) {
        if let Screen::Chart(view) = &mut self.screen {
            view.focus = ChartFocus::Panes;
        }
    }

    /// Text pasted into the popup (a phrase copied from a document).
    pub(crate) fn search_paste(&mut self, text: &str) {
        if let Some(popup) = self.popup_mut()
            && popup.term.paste(text)
        {
            self.resubmit_search();
        }
    }

    /// Sends the popup's term to the search worker (newest term only).
    pub(crate) fn resubmit_search(&mut self) {
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        let date = view.date();
        let (ChartFocus::Search(popup), Some(worker)) = (&mut view.focus, &mut self.workers.search)
        else {
            return;
        };
        if popup.term.value().trim().is_empty() {
            popup.hits.clear();
            popup.marks.clear();
            popup.waiting = None;
            popup.notes.clear();
            return;
        }
        let filters = Filters {
            systems: match popup.list {
                CodeList::Diagnoses => SystemFilter::Diagnoses,
                CodeList::Procedures => SystemFilter::Procedures,
            },
            billable_only: false,
            date,
            valid_only: false,
        };
        popup.waiting = Some(worker.submit(popup.term.value(), filters, POPUP_HITS));
    }

    /// Enter on a hit: a header drills into its children, a code needing a 7th
    /// character opens the picker, anything else is assigned.
    fn choose(&mut self, hit: &Hit) {
        let Some(sets) = self.codesets.clone() else {
            return;
        };
        let Screen::Chart(view) = &mut self.screen else {
            return;
        };
        let edition = view.edition();
        let ChartFocus::Search(popup) = &mut view.focus else {
            return;
        };
        if hit.header {
            popup.term.set(&hit.code);
            popup.opening = Some(hit.code.clone());
            self.resubmit_search();
            return;
        }
        if hit.needs_seventh {
            let choices = seventh_choices(&sets, &hit.code, edition);
            if !choices.is_empty() {
                popup.stage = PopupStage::Seventh {
                    base: hit.code.clone(),
                    choices,
                    selected: 0,
                };
            }
            return;
        }
        self.assign(&hit.code, hit.system);
    }

    /// Adds the code to the chart's list; the popup closes when it is saved.
    fn assign(&mut self, code: &str, system: System) {
        let Screen::Chart(view) = &self.screen else {
            return;
        };
        let ChartFocus::Search(popup) = &view.focus else {
            return;
        };
        let list = popup.list;
        let edition = view.edition().label().to_string();
        // A procedure takes the date and author of the operative or
        // procedure document open, when it lies within the stay; else the
        // discharge date (set with m).
        let e = &view.chart.encounter;
        let (date, provider) = match view.chart.documents.get(view.document) {
            Some(d)
                if matches!(
                    d.kind,
                    DocumentKind::OperativeReport | DocumentKind::ProcedureNote
                ) && (e.admit_date..=e.discharge_date).contains(&d.date) =>
            {
                (Some(d.date), Some(d.author.clone()))
            }
            _ => (Some(view.date()), None),
        };
        let then = Then::Assigned {
            list,
            code: code.to_string(),
        };
        let owned = code.to_string();
        match (list, store_system(system)) {
            (CodeList::Diagnoses, Some(CodeSystem::Icd10Cm)) => self.save_on_chart(
                then,
                Command::AddDiagnosis {
                    code: owned,
                    edition,
                },
            ),
            (CodeList::Procedures, Some(s)) if s != CodeSystem::Icd10Cm => self.save_on_chart(
                then,
                Command::AddProcedure {
                    code: owned,
                    system: s,
                    date,
                    provider,
                },
            ),
            (CodeList::Diagnoses, _) => {
                self.message = Some(format!("{code} is not an ICD-10-CM diagnosis code"));
            }
            (CodeList::Procedures, _) => {
                self.message = Some(format!("{code} cannot be added as a procedure"));
            }
        }
    }

    /// Recomputes the notes of the popup's highlighted code.
    pub(crate) fn refresh_notes(&mut self) {
        let notes = self.popup_notes().unwrap_or_default();
        if let Some(popup) = self.popup_mut() {
            popup.notes = notes;
        }
    }

    /// The notes of the popup's highlighted code, as `chartcoder code` prints them.
    pub fn popup_notes(&self) -> Option<String> {
        let popup = self.popup()?;
        let sets = self.codesets.as_ref()?;
        let Screen::Chart(view) = &self.screen else {
            return None;
        };
        let hit = popup.selected_hit()?;
        let date = view.date();
        let detail = match hit.system {
            System::Icd10Cm => sets
                .cm
                .lookup(&hit.code, view.edition())
                .map(|d| codeset::describe(&sets.cm, &d, date).replace('\t', "  ")),
            System::Icd10Pcs => sets
                .pcs
                .describe(&hit.code, date)
                .map(|t| t.replace('\t', "  ")),
            _ => None,
        }
        .unwrap_or_else(|| format!("{}  {}\n{}\n", hit.code, hit.system.name(), hit.title));
        // Why the hit is there, in the Index's words, when not by its title.
        Some(if hit.matched.is_empty() {
            detail
        } else {
            format!("Found by: {}\n\n{detail}", hit.matched)
        })
    }
}

/// The 7th characters `code` takes, with their meanings.
fn seventh_choices(sets: &CodeSets, code: &str, edition: codeset::Edition) -> Vec<(char, String)> {
    sets.cm
        .lookup(code, edition)
        .map(|d| {
            sets.cm
                .seventh_characters(d.node)
                .iter()
                .map(|s| (s.character, s.meaning.clone()))
                .collect()
        })
        .unwrap_or_default()
}
