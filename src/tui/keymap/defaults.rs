//! The components that take keys, and the keys each starts with.

use super::{Action, KeySpec};
use crossterm::event::{KeyCode, KeyModifiers};

/// A component that takes keys: a screen, popup, prompt or form. Each has its
/// own `[keys.NAME]` table in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Keys that work everywhere (Ctrl-C).
    Global,
    Queue,
    /// Typing the queue's text filter.
    Filter,
    /// The report menu (`R`).
    Reports,
    Chart,
    /// The code-search popup.
    Search,
    /// Picking a 7th character in the search popup.
    Seventh,
    /// The POA prompt.
    Poa,
    /// The one-line prompts: find in the document, a line's modifiers / units
    /// / pointers, a procedure's date / practitioner, a query's answer, cancel
    /// reason or new recipient.
    Prompt,
    /// The chart's physician queries.
    Queries,
    /// Choosing the outcome of closing a query.
    Outcome,
    /// The physician query form.
    QueryForm,
    /// The review queue (`V` on the queue).
    ReviewQueue,
    /// The review of the open chart, side by side.
    Review,
    /// Choosing a difference's reason category.
    ReviewReason,
    /// The quality reports screen: accuracy, productivity, DNFB.
    Quality,
    /// A text to read over the screen: a report, the prior encounters, the
    /// DRG analysis.
    Reading,
    /// The help screen.
    Help,
    /// The lock screen.
    Lock,
    /// Editing any text field.
    Input,
}

impl Context {
    /// Every component, in the order the config documents them.
    pub const ALL: [Context; 20] = [
        Context::Global,
        Context::Queue,
        Context::Filter,
        Context::Reports,
        Context::Chart,
        Context::Search,
        Context::Seventh,
        Context::Poa,
        Context::Prompt,
        Context::Queries,
        Context::Outcome,
        Context::QueryForm,
        Context::ReviewQueue,
        Context::Review,
        Context::ReviewReason,
        Context::Quality,
        Context::Reading,
        Context::Help,
        Context::Lock,
        Context::Input,
    ];

    /// The component's name: its `[keys.NAME]` table and the help's title.
    pub fn label(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Queue => "queue",
            Context::Filter => "filter",
            Context::Reports => "reports",
            Context::Chart => "chart",
            Context::Search => "search",
            Context::Seventh => "seventh",
            Context::Poa => "poa",
            Context::Prompt => "prompt",
            Context::Queries => "queries",
            Context::Outcome => "outcome",
            Context::QueryForm => "query_form",
            Context::ReviewQueue => "review_queue",
            Context::Review => "review",
            Context::ReviewReason => "review_reason",
            Context::Quality => "quality",
            Context::Reading => "reading",
            Context::Help => "help",
            Context::Lock => "lock",
            Context::Input => "input",
        }
    }

    /// Whether the component types text: its keys then also include the
    /// `[keys.input]` editing keys, and a plain character key types itself.
    pub fn types_text(self) -> bool {
        matches!(
            self,
            Context::Filter
                | Context::Search
                | Context::Prompt
                | Context::QueryForm
                | Context::Lock
        )
    }

    /// What keys not bound on the component do, for help and the footer
    /// (`None`: nothing).
    pub fn other_keys(self) -> Option<&'static str> {
        match self {
            Context::Reports => Some("other keys close the menu"),
            Context::Outcome => Some("other keys go back to the list"),
            Context::Help => Some("other keys close help"),
            Context::Reading => Some("other keys do nothing"),
            Context::Seventh => Some("a character picks it"),
            c if c.types_text() => Some("other keys type"),
            _ => None,
        }
    }
}

/// An action and its keys.
type Binding = (Action, Vec<KeySpec>);

/// A component's bindings.
type Table = Vec<(Context, Vec<Binding>)>;

fn p(code: KeyCode) -> KeySpec {
    KeySpec::plain(code)
}

fn c(ch: char) -> KeySpec {
    KeySpec::ch(ch)
}

fn ctrl(ch: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(ch),
        modifiers: KeyModifiers::CONTROL,
    }
}

fn help() -> Binding {
    (Action::Help, vec![c('?'), p(KeyCode::F(1))])
}

/// The default bindings, component by component, in help order.
pub(super) fn bindings() -> Vec<(Context, Action, Vec<KeySpec>)> {
    let mut tables = screens();
    tables.extend(reading());
    tables.extend(review());
    tables.extend(popups());
    tables.extend(fields());
    tables
        .into_iter()
        .flat_map(|(context, actions)| {
            actions
                .into_iter()
                .map(move |(action, keys)| (context, action, keys))
        })
        .collect()
}

/// The screens: the queue, the chart, help, the lock screen and the keys of
/// everywhere.
fn screens() -> Table {
    use Action as A;
    use KeyCode::*;
    vec![
        (Context::Global, vec![(A::Quit, vec![ctrl('c')])]),
        (
            Context::Queue,
            vec![
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::PageDown, vec![p(PageDown)]),
                (A::PageUp, vec![p(PageUp)]),
                (A::First, vec![c('g'), p(Home)]),
                (A::Last, vec![c('G'), p(End)]),
                (A::OpenChart, vec![p(Enter)]),
                (A::FilterText, vec![c('/')]),
                (A::CycleStatus, vec![c('s')]),
                (A::CycleType, vec![c('t')]),
                (A::ClearFilters, vec![c('c')]),
                (A::MineOnly, vec![c('m')]),
                (A::ReverseOrder, vec![c('r')]),
                (A::QueryReport, vec![c('R')]),
                (A::ReviewQueue, vec![c('V')]),
                help(),
                (A::Quit, vec![c('q')]),
            ],
        ),
        (
            Context::Filter,
            vec![
                (A::Submit, vec![p(Enter)]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::Reports,
            vec![
                (A::ReportQueries, vec![c('q')]),
                (A::ReportCaseMix, vec![c('c')]),
                (A::ReportAccuracy, vec![c('a')]),
                (A::ReportProductivity, vec![c('p')]),
                (A::ReportDnfb, vec![c('d')]),
            ],
        ),
        (
            Context::Chart,
            vec![
                (A::NextPane, vec![p(Tab)]),
                (A::PreviousPane, vec![p(BackTab)]),
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::PageDown, vec![p(PageDown)]),
                (A::PageUp, vec![p(PageUp)]),
                (A::NextDocument, vec![p(Right), c('l')]),
                (A::PreviousDocument, vec![p(Left), c('h')]),
                (A::FindInDocument, vec![c('/')]),
                (A::NextMatch, vec![c('n')]),
                (A::PreviousMatch, vec![c('N')]),
                (A::PriorEncounters, vec![c('o')]),
                (A::AddDiagnosis, vec![c('a')]),
                (A::AddProcedure, vec![c('p')]),
                (A::RemoveCode, vec![p(Delete), c('x')]),
                (A::MoveCodeUp, vec![c('K')]),
                (A::MoveCodeDown, vec![c('J')]),
                (A::SetPoa, vec![c('P')]),
                (A::EditLine, vec![c('m')]),
                (A::FlagForQuery, vec![c('f')]),
                (A::Queries, vec![c('Q')]),
                (A::DrgAnalysis, vec![c('D')]),
                (A::Acknowledge, vec![c('y')]),
                (A::CompleteChart, vec![c('c')]),
                (A::OpenReview, vec![c('v')]),
                (A::Back, vec![p(Esc)]),
                help(),
                (A::Quit, vec![c('q')]),
            ],
        ),
        (
            Context::Help,
            vec![
                (A::ScrollDown, vec![p(Down), c('j')]),
                (A::ScrollUp, vec![p(Up), c('k')]),
            ],
        ),
        (
            Context::Lock,
            vec![(A::Submit, vec![p(Enter)]), (A::Cancel, vec![p(Esc)])],
        ),
    ]
}

/// A text to read over the screen: a report, the prior encounters, the DRG
/// analysis.
fn reading() -> Table {
    use Action as A;
    use KeyCode::*;
    vec![(
        Context::Reading,
        vec![
            (A::ScrollDown, vec![p(Down), c('j')]),
            (A::ScrollUp, vec![p(Up), c('k')]),
            (A::PageDown, vec![p(PageDown), c(' ')]),
            (A::PageUp, vec![p(PageUp)]),
            (A::First, vec![c('g'), p(Home)]),
            (A::Last, vec![c('G'), p(End)]),
            (A::Cancel, vec![p(Esc), c('q'), p(Enter)]),
            help(),
        ],
    )]
}

/// The review queue, the review of a chart, its reason list, and the
/// quality reports screen.
fn review() -> Table {
    use Action as A;
    use KeyCode::*;
    vec![
        (
            Context::ReviewQueue,
            vec![
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::OpenChart, vec![p(Enter)]),
                (A::Back, vec![p(Esc), c('V'), c('q')]),
                help(),
            ],
        ),
        (
            Context::Review,
            vec![
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::GiveReason, vec![c('r')]),
                (A::PassReview, vec![c('p')]),
                (A::ReturnReview, vec![c('b')]),
                (A::AgreeReview, vec![c('a')]),
                (A::MarkChange, vec![c(' ')]),
                (A::RebutReview, vec![c('B')]),
                (A::VerdictReviewer, vec![c('1')]),
                (A::VerdictCoder, vec![c('2')]),
                (A::SettleReview, vec![c('S')]),
                (A::FinalizeChart, vec![c('F')]),
                (A::ReopenChart, vec![c('O')]),
                (A::Back, vec![p(Esc), c('v'), c('q')]),
                help(),
            ],
        ),
        (
            Context::ReviewReason,
            vec![
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::Submit, vec![p(Enter)]),
                (A::Cancel, vec![p(Esc)]),
                help(),
            ],
        ),
        (
            Context::Quality,
            vec![
                (A::NextPane, vec![p(Tab)]),
                (A::PreviousPane, vec![p(BackTab)]),
                (A::ScrollDown, vec![p(Down), c('j')]),
                (A::ScrollUp, vec![p(Up), c('k')]),
                (A::SetFrom, vec![c('f')]),
                (A::SetTo, vec![c('t')]),
                (A::SetCoder, vec![c('c')]),
                (A::ClearFilters, vec![c('x')]),
                (A::Back, vec![p(Esc), c('q')]),
                help(),
            ],
        ),
    ]
}

/// The popups: code search, 7th character, POA, the queries and their outcome.
fn popups() -> Table {
    use Action as A;
    use KeyCode::*;
    vec![
        (
            Context::Search,
            vec![
                (A::MoveDown, vec![p(Down)]),
                (A::MoveUp, vec![p(Up)]),
                (A::Submit, vec![p(Enter)]),
                (A::ToggleNotes, vec![p(Tab)]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::Seventh,
            vec![
                (A::MoveDown, vec![p(Down)]),
                (A::MoveUp, vec![p(Up)]),
                (A::Submit, vec![p(Enter)]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::Poa,
            vec![
                (A::PoaYes, vec![c('y'), c('Y')]),
                (A::PoaNo, vec![c('n'), c('N')]),
                (A::PoaUnknown, vec![c('u'), c('U')]),
                (A::PoaUndetermined, vec![c('w'), c('W')]),
                (A::PoaExempt, vec![c('1')]),
                (A::PoaClear, vec![c(' ')]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::Queries,
            vec![
                (A::MoveDown, vec![p(Down), c('j')]),
                (A::MoveUp, vec![p(Up), c('k')]),
                (A::AnswerQuery, vec![c('a')]),
                (A::CloseQuery, vec![c('c')]),
                (A::CancelQuery, vec![c('x')]),
                (A::ChangeRecipient, vec![c('r')]),
                (A::Back, vec![p(Esc), c('q'), c('Q')]),
                help(),
            ],
        ),
        (
            Context::Outcome,
            vec![
                (A::OutcomeAgreed, vec![c('1')]),
                (A::OutcomeDisagreed, vec![c('2')]),
                (A::OutcomeUndetermined, vec![c('3')]),
                (A::OutcomeNoResponse, vec![c('4')]),
                (A::Cancel, vec![p(Esc)]),
            ],
        ),
    ]
}

/// The prompts, the query form, and the editing keys of every field.
fn fields() -> Table {
    use Action as A;
    use KeyCode::*;
    vec![
        (
            Context::Prompt,
            vec![
                (A::Submit, vec![p(Enter)]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::QueryForm,
            vec![
                (A::NextField, vec![p(Tab)]),
                (A::PreviousField, vec![p(BackTab)]),
                (A::MoveDown, vec![p(Down)]),
                (A::MoveUp, vec![p(Up)]),
                (A::PageDown, vec![p(PageDown)]),
                (A::PageUp, vec![p(PageUp)]),
                (A::NextDocument, vec![p(Right)]),
                (A::PreviousDocument, vec![p(Left)]),
                (A::Submit, vec![p(Enter)]),
                (A::AddFoundSentence, vec![ctrl('f')]),
                (A::RemoveLast, vec![ctrl('x')]),
                (A::Send, vec![ctrl('s')]),
                (A::Cancel, vec![p(Esc)]),
                (A::Help, vec![p(F(1))]),
            ],
        ),
        (
            Context::Input,
            vec![
                (A::DeleteBack, vec![p(Backspace)]),
                (A::DeleteForward, vec![p(Delete)]),
                (A::DeleteWord, vec![ctrl('w')]),
                (A::ClearLine, vec![ctrl('u')]),
                (A::CursorLeft, vec![p(Left)]),
                (A::CursorRight, vec![p(Right)]),
                (A::CursorStart, vec![p(Home), ctrl('a')]),
                (A::CursorEnd, vec![p(End), ctrl('e')]),
            ],
        ),
    ]
}
