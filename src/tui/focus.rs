//! Where the coder is. One value, [`super::app::Screen`], says which screen
//! is up and, on it, which component has the keys; each component's state
//! lives in its variant, so a state the coder cannot reach cannot be built
//! (no POA prompt or search popup over the queue, no query outcome without
//! its query list). Help and the lock screen lie over any of them.

use super::chart::SearchPopup;
use super::input::TextInput;
use super::keymap::Context;
use super::queries::QueryInput;
use super::query_form::QueryForm;

/// On the queue screen: the component with the keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum QueueFocus {
    /// The rows.
    #[default]
    Rows,
    /// Typing the text filter; `before` is restored by Esc.
    Filter {
        before: Option<String>,
        input: TextInput,
    },
    /// Which report `R` shows.
    Reports,
    /// A report is shown (its keys: `[keys.reading]`).
    Report {
        title: String,
        text: String,
        scroll: u16,
    },
    /// The review queue (`V`).
    ReviewQueue(Box<super::review_queue::ReviewQueueView>),
    /// The quality reports screen: accuracy, productivity, DNFB.
    Quality(Box<super::reports::QualityView>),
}

/// On the chart screen: the component with the keys.
#[derive(Debug, Clone, Default)]
pub enum ChartFocus {
    /// The panes (documents, diagnoses, procedures, edits).
    #[default]
    Panes,
    /// The code-search popup.
    Search(Box<SearchPopup>),
    /// Waiting for the POA indicator of the selected diagnosis.
    Poa,
    /// Typing text to find in the document.
    Find(TextInput),
    /// The prior-encounters overlay (its keys: `[keys.reading]`).
    Prior { scroll: u16 },
    /// Typing a CPT/HCPCS line's modifiers / units / pointers.
    Line(TextInput),
    /// Typing an ICD-10-PCS procedure's date / practitioner.
    Procedure(TextInput),
    /// The physician query form (put back on the chart when put away).
    QueryForm(Box<QueryForm>),
    /// The DRG analysis of the chart (its keys: `[keys.reading]`).
    DrgAnalysis { lines: Vec<String>, scroll: u16 },
    /// The chart's queries, `selected` under the cursor.
    Queries { selected: usize, step: QueriesStep },
    /// The chart's review side by side, with its reason list and notes.
    Review(Box<super::review::ReviewPanel>),
}

/// What the queries overlay is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueriesStep {
    /// The list has the keys.
    List,
    /// Waiting for the outcome (1-4) of closing the selected query.
    Outcome,
    /// Typing an answer, a cancel reason or a new recipient.
    Input { what: QueryInput, input: TextInput },
}

/// The help screen over a component: whose keys it lists, how far scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Help {
    pub context: Context,
    pub scroll: u16,
}

/// Which component has the keys, without its state: for tests and tools
/// that ask where the coder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The queue's rows or the chart's panes.
    Normal,
    FilterInput,
    Help,
    Search,
    Poa,
    FindInput,
    Prior,
    LineInput,
    ProcedureInput,
    QueryForm,
    ReportMenu,
    Report,
    DrgAnalysis,
    Queries,
    QueryOutcome,
    QueryInput,
    ReviewQueue,
    Review,
    ReviewReason,
    /// A note typed on the review (a reason's, a return's, a rebuttal's, a
    /// reopen's) or a scope typed on the reports screen.
    ReviewInput,
    Quality,
}
