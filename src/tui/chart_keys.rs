//! The chart screen as a component: its keys (`[keys.chart]`), and the
//! routing of a key or a paste to the chart's component in focus (the panes,
//! the search popup, a prompt, the query form, the queries overlay).
//!
//! The panes' actions fall into named groups: moving about the panes and the
//! document (`navigate`, `scroll_document`, `switch_document`, `next_match`),
//! changing the codes (`change_codes`, `open_poa`, `open_line_prompt`),
//! looking things up (`open_prior`, `open_drg_analysis`) and finishing
//! (`acknowledge`, `complete`).

use super::app::{App, Screen};
use super::chart::{ChartView, Pane, document_width, find_rows, moved, wrap_lines};
use super::focus::{ChartFocus, QueueFocus};
use super::input::TextInput;
use super::keymap::{Action, Context};
use super::layout;
use super::reader::Read;
use super::saver::{AfterCommit, Command, Then};
use crate::domain::{Chart, CodeSystem};
use crate::edits::Severity;
use crate::store::coding::CodeList;
use crossterm::event::KeyEvent;

/// The longest text a chart prompt takes, in characters.
pub(crate) const FIND_MAX: usize = 100;
pub(crate) const LINE_MAX: usize = 120;
pub(crate) const PROCEDURE_MAX: usize = 60;

/// How far PgDn / PgUp move in a pane: the document's rows (see `layout`)
/// less three, so that the last rows of one page stay in view on the next.
pub fn page_rows(width: u16, height: u16) -> u16 {
    layout::document_rows(width, height, false)
        .saturating_sub(3)
        .max(1)
}

impl App {
    /// A key on the chart screen, routed to the component in focus.
    pub(crate) fn chart_key(&mut self, key: &KeyEvent) {
        let Some(view) = self.view_mut() else {
            return;
        };
        match &view.focus {
            ChartFocus::Panes => {
                if let Some(action) = self.keymap.action_for(Context::Chart, key) {
                    self.chart_action(action);
                }
            }
            ChartFocus::Search(_) => self.search_key(key),
            ChartFocus::Poa => self.poa_key(key),
            ChartFocus::Find(_) | ChartFocus::Line(_) | ChartFocus::Procedure(_) => {
                self.prompt_key(key)
            }
            ChartFocus::Prior { .. } | ChartFocus::DrgAnalysis { .. } => self.reading_key(key),
            ChartFocus::QueryForm(_) => self.query_form_key(key),
            ChartFocus::Queries { .. } => self.queries_key(key),
            ChartFocus::Review(_) => self.review_key(key),
        }
    }

    /// A paste goes into the field being typed (line breaks become spaces).
    pub(crate) fn chart_paste(&mut self, text: &str) {
        let Some(view) = self.view_mut() else {
            return;
        };
        match &mut view.focus {
            ChartFocus::Search(_) => self.search_paste(text),
            ChartFocus::QueryForm(form) => form.paste(text),
            ChartFocus::Review(_) => self.review_paste(text),
            ChartFocus::Find(input) | ChartFocus::Line(input) | ChartFocus::Procedure(input) => {
                input.paste(text);
            }
            ChartFocus::Queries {
                step: super::focus::QueriesStep::Input { input, .. },
                ..
            } => {
                input.paste(text);
            }
            _ => {}
        }
    }

    /// Carries out one action of the chart's panes.
    pub(crate) fn chart_action(&mut self, action: Action) {
        self.message = None;
        match action {
            Action::NextPane
            | Action::PreviousPane
            | Action::MoveDown
            | Action::MoveUp
            | Action::PageDown
            | Action::PageUp => self.navigate(action),
            Action::NextDocument | Action::PreviousDocument => self.switch_document(action),
            Action::NextMatch | Action::PreviousMatch => self.next_match(action),
            Action::FindInDocument => {
                if let Some(view) = self.view_mut() {
                    let text = view.find.clone().unwrap_or_default();
                    view.focus = ChartFocus::Find(TextInput::with_value(&text, FIND_MAX));
                }
            }
            Action::Back => self.back_to_queue(),
            Action::Help => self.open_help(Context::Chart),
            Action::Quit => self.should_quit = true,
            Action::PriorEncounters => self.open_prior(),
            Action::AddDiagnosis => self.open_search(CodeList::Diagnoses),
            Action::AddProcedure => self.open_search(CodeList::Procedures),
            Action::RemoveCode | Action::MoveCodeUp | Action::MoveCodeDown => {
                self.change_codes(action)
            }
            Action::SetPoa => self.open_poa(),
            Action::EditLine => self.open_line_prompt(),
            Action::FlagForQuery => self.open_query_form(),
            Action::DrgAnalysis => self.open_drg_analysis(),
            Action::Queries => self.open_queries(),
            Action::Acknowledge => self.acknowledge(),
            Action::CompleteChart => self.complete(),
            Action::OpenReview => self.open_review(),
            _ => {}
        }
    }

    /// Tab between the panes; up and down a pane's list, or the document.
    fn navigate(&mut self, action: Action) {
        let (width, height) = (self.width, self.height);
        let Some(view) = self.view_mut() else {
            return;
        };
        let page = page_rows(width, height);
        let down = matches!(action, Action::MoveDown | Action::PageDown);
        let step = if matches!(action, Action::PageDown | Action::PageUp) {
            page
        } else {
            1
        };
        match (action, view.pane) {
            (Action::NextPane, _) => view.pane = view.pane.step(true),
            (Action::PreviousPane, _) => view.pane = view.pane.step(false),
            (_, Pane::Documents) => scroll_document(view, width, height, down, step),
            (_, Pane::Diagnoses) => {
                view.dx = moved(view.dx, view.chart.diagnoses.len(), down, step)
            }
            (_, Pane::Procedures) => {
                view.px = moved(view.px, view.chart.procedures.len(), down, step)
            }
            (_, Pane::Edits) => {
                let n = view.edits.as_ref().map_or(0, Vec::len);
                view.edit = moved(view.edit, n, down, step);
            }
        }
    }

    fn switch_document(&mut self, action: Action) {
        let width = document_width(self.width);
        let Some(view) = self.view_mut() else {
            return;
        };
        let n = view.chart.documents.len();
        if n > 0 {
            view.document = if action == Action::NextDocument {
                (view.document + 1) % n
            } else {
                (view.document + n - 1) % n
            };
            view.scroll = 0;
            view.matches = find_rows(view, width);
        }
    }

    fn next_match(&mut self, action: Action) {
        let Some(view) = self.view_mut() else {
            return;
        };
        let current = usize::from(view.scroll);
        let next = if action == Action::NextMatch {
            view.matches.iter().find(|&&r| r > current).copied()
        } else {
            view.matches.iter().rev().find(|&&r| r < current).copied()
        };
        match next {
            Some(row) => view.scroll = u16::try_from(row).unwrap_or(u16::MAX),
            None => {
                let message = match &view.find {
                    Some(find) => format!("no more matches of {find:?} in this document"),
                    None => format!(
                        "{} finds text in the document",
                        self.keymap
                            .keys_text(Context::Chart, Action::FindInDocument)
                    ),
                };
                self.message = Some(message);
            }
        }
    }

    /// Back to the queue, its window reloaded where it was.
    pub(crate) fn back_to_queue(&mut self) {
        self.screen = Screen::Queue(QueueFocus::Rows);
        self.reload_in_place();
    }

    /// Asks for the patient's prior encounters; they show when they land.
    fn open_prior(&mut self) {
        let Some(view) = self.view() else {
            return;
        };
        let chart_id = view.chart_id;
        self.message = Some("reading the prior encounters…".into());
        self.read(Read::PriorEncounters { chart_id });
    }

    /// The prior encounters landed: shown over the chart they were read for,
    /// if it is still open with its panes in focus.
    pub(crate) fn prior_landed(&mut self, chart_id: i64, prior: Result<Vec<Chart>, String>) {
        let Some(view) = self.view_mut() else {
            return;
        };
        if view.chart_id != chart_id || !matches!(view.focus, ChartFocus::Panes) {
            return;
        }
        self.message = None;
        match prior {
            Ok(prior) if prior.is_empty() => {
                self.message = Some("no prior encounters for this patient".into())
            }
            Ok(prior) => {
                if let Some(view) = self.view_mut() {
                    view.prior = prior;
                    view.focus = ChartFocus::Prior { scroll: 0 };
                }
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Removes the selected code, or moves it up or down its list.
    fn change_codes(&mut self, action: Action) {
        let Some(view) = self.view() else {
            return;
        };
        let (list, position) = match view.pane {
            Pane::Diagnoses if !view.chart.diagnoses.is_empty() => (CodeList::Diagnoses, view.dx),
            Pane::Procedures if !view.chart.procedures.is_empty() => {
                (CodeList::Procedures, view.px)
            }
            _ => {
                self.message = Some(format!(
                    "select a diagnosis or procedure first ({} to its pane)",
                    self.key_of(Context::Chart, Action::NextPane)
                ));
                return;
            }
        };
        let up = action == Action::MoveCodeUp;
        if action == Action::RemoveCode {
            self.save_on_chart(Then::Select(list), Command::Remove { list, position });
        } else {
            self.save_on_chart(Then::Select(list), Command::Shift { list, position, up });
        }
    }

    fn open_poa(&mut self) {
        let Some(view) = self.view_mut() else {
            return;
        };
        if view.pane != Pane::Diagnoses || view.chart.diagnoses.is_empty() {
            self.message = Some(format!(
                "select a diagnosis first ({} to Diagnoses)",
                self.key_of(Context::Chart, Action::NextPane)
            ));
        } else {
            view.focus = ChartFocus::Poa;
        }
    }

    /// `m`: a CPT/HCPCS line's modifiers / units / pointers, or a PCS
    /// procedure's date / practitioner, as they are now.
    fn open_line_prompt(&mut self) {
        let Some(view) = self.view_mut() else {
            return;
        };
        let focus = match view.chart.procedures.get(view.px) {
            _ if view.pane != Pane::Procedures => {
                self.message = Some(format!(
                    "select a procedure line first ({} to Procedures)",
                    self.key_of(Context::Chart, Action::NextPane)
                ));
                return;
            }
            None => {
                self.message = Some(format!(
                    "no procedure line yet ({} adds one)",
                    self.key_of(Context::Chart, Action::AddProcedure)
                ));
                return;
            }
            Some(p) if p.system == CodeSystem::Icd10Pcs => {
                let text = format!(
                    "{} / {}",
                    p.date.unwrap_or(view.chart.encounter.discharge_date),
                    p.provider.as_deref().unwrap_or("")
                );
                ChartFocus::Procedure(TextInput::with_value(&text, PROCEDURE_MAX))
            }
            Some(p) => {
                let pointers: String = p
                    .pointers
                    .iter()
                    .filter_map(|&n| crate::domain::pointer_letter(n))
                    .map(|c| format!("{c} "))
                    .collect();
                let text = format!(
                    "{} / {} / {}",
                    p.modifiers.join(" "),
                    p.units,
                    pointers.trim_end()
                );
                ChartFocus::Line(TextInput::with_value(&text, LINE_MAX))
            }
        };
        view.focus = focus;
    }

    fn open_drg_analysis(&mut self) {
        let grouper = self.codesets.as_ref().and_then(|s| s.grouper.clone());
        let hospital = self.hospital_status;
        let Some(view) = self.view_mut() else {
            return;
        };
        match grouper {
            None => self.message = Some("the MS-DRG grouper is not loaded yet".into()),
            Some(g) => {
                match crate::reference::working_drg::DrgAnalysis::of(&g, &view.chart, hospital) {
                    Ok(a) => {
                        view.focus = ChartFocus::DrgAnalysis {
                            lines: a.lines(),
                            scroll: 0,
                        }
                    }
                    Err(why) => self.message = Some(format!("no DRG analysis: {why}")),
                }
            }
        }
    }

    /// `y` in the Edits pane: acknowledges the selected warning (audited).
    fn acknowledge(&mut self) {
        let Some(view) = self.view() else {
            return;
        };
        let selected = view.edits.as_ref().and_then(|e| e.get(view.edit));
        match selected {
            _ if view.pane != Pane::Edits => {
                self.message = Some(format!(
                    "select a warning first ({} to Edits)",
                    self.key_of(Context::Chart, Action::NextPane)
                ))
            }
            Some(f) if f.severity == Severity::Warning && view.open_finding(f) => {
                let (key, message) = (f.key(), f.message.clone());
                self.save_on_chart(
                    Then::Show(Some("warning acknowledged".into())),
                    Command::Acknowledge {
                        finding_key: key,
                        message,
                    },
                );
            }
            Some(f) if f.severity == Severity::Warning => {
                self.message = Some("that warning is already acknowledged".into())
            }
            Some(f) => {
                self.message = Some(format!(
                    "only warnings are acknowledged: {}",
                    match f.severity {
                        Severity::Error => "an error must be fixed",
                        _ => "information needs nothing",
                    }
                ))
            }
            None => self.message = Some("no finding to acknowledge".into()),
        }
    }

    /// `c`: completes the chart with its working DRG, unless an error or an
    /// unacknowledged warning remains; the BAR^P12 goes to the outbox.
    fn complete(&mut self) {
        let Some(view) = self.view() else {
            return;
        };
        let Some(blocking) = blocking_findings(view) else {
            self.message =
                Some("the code sets are still loading: the codes cannot be checked yet".into());
            return;
        };
        // The working DRG is stored with the chart (inpatient charts).
        let drg = view.drg.grouping().and_then(|g| g.final_drg());
        let done = match &drg {
            Some(d) => format!("chart completed: coded, {}", d.describe()),
            None => "chart completed: coded".into(),
        };
        // The BAR^P12 for billing, once the completion is saved.
        let after = self
            .hl7_outbox
            .clone()
            .map(|dir| AfterCommit::WriteBar { dir });
        self.save_on_chart_after(
            Then::Leave(done),
            Command::Complete { blocking, drg },
            after,
        );
    }
}

/// Scrolls the document pane by `step` rows, no further than its last page.
fn scroll_document(view: &mut ChartView, width: u16, height: u16, down: bool, step: u16) {
    let rows = view
        .chart
        .documents
        .get(view.document)
        .map_or(0, |d| wrap_lines(&d.text, document_width(width)).len());
    let visible = usize::from(layout::document_rows(
        width,
        height,
        view.drg.line().is_some(),
    ));
    let last = u16::try_from(rows.saturating_sub(visible)).unwrap_or(u16::MAX);
    view.scroll = if down {
        view.scroll.saturating_add(step).min(last)
    } else {
        view.scroll.saturating_sub(step)
    };
}

/// What stops the chart being completed, in the coder's words; `None` until
/// the edits have run.
fn blocking_findings(view: &ChartView) -> Option<Vec<String>> {
    let edits = view.edits.as_ref()?;
    Some(
        edits
            .iter()
            .filter(|f| view.open_finding(f))
            .map(|f| match f.severity {
                Severity::Error => format!("an error edit remains: {}", f.message),
                _ => format!(
                    "a warning is not acknowledged (y in the Edits pane): {}",
                    f.message
                ),
            })
            .collect(),
    )
}
