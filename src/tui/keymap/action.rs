//! What a key asks for: one `Action` per thing a key can do anywhere in the
//! workstation. Each has a config name (the key of its `[keys.COMPONENT]`
//! entry), the word the footer uses and the line help shows.

/// Declares the actions with their config name, footer word and help text.
macro_rules! actions {
    ($($variant:ident => $name:literal, $short:literal, $description:literal;)*) => {
        /// What a key asks for. Each has a config name (`Action::name`), used in
        /// the `[keys.COMPONENT]` tables.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($variant,)*
        }

        impl Action {
            /// Every action, in declaration order.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)*];

            /// The action's name in the config file.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)*
                }
            }

            /// The short word the footer uses.
            pub fn short(self) -> &'static str {
                match self {
                    $(Action::$variant => $short,)*
                }
            }

            /// What the help screen says the action does.
            pub fn description(self) -> &'static str {
                match self {
                    $(Action::$variant => $description,)*
                }
            }
        }
    };
}

actions! {
    // The queue.
    MoveDown => "move_down", "next", "next chart";
    MoveUp => "move_up", "previous", "previous chart";
    PageDown => "page_down", "page", "next page";
    PageUp => "page_up", "page up", "previous page";
    First => "first", "first", "first chart in the order (oldest by default)";
    Last => "last", "last", "last chart in the order";
    FilterText => "filter", "filter", "filter: account or MRN prefix, or name words";
    CycleStatus => "cycle_status", "status", "status: uncoded, all, then each status";
    CycleType => "cycle_type", "type", "encounter type: all, then each type";
    ClearFilters => "clear_filters", "reset", "reset filters (uncoded charts of every type)";
    MineOnly => "mine_only", "mine", "only the charts claimed by me (again: everyone's)";
    QueryReport => "query_report", "reports", "reports: physician queries, case mix index";
    ReverseOrder => "reverse_order", "sort", "sort: newest discharge first, or oldest first";
    OpenChart => "open_chart", "open", "open the chart (claims it for you)";
    // The chart.
    NextPane => "next_pane", "pane", "next pane";
    PreviousPane => "previous_pane", "pane back", "previous pane";
    NextDocument => "next_document", "next doc", "next document";
    PreviousDocument => "previous_document", "prev doc", "previous document";
    FindInDocument => "find_in_document", "find", "find text in the document (a / p then search it)";
    NextMatch => "next_match", "next match", "next match in the document";
    PreviousMatch => "previous_match", "prev match", "previous match in the document";
    PriorEncounters => "prior_encounters", "prior", "prior encounters of the patient and their codes";
    AddDiagnosis => "add_diagnosis", "add dx", "add a diagnosis (code search)";
    AddProcedure => "add_procedure", "add px", "add a procedure (code search)";
    RemoveCode => "remove_code", "remove", "remove the selected code";
    MoveCodeUp => "move_code_up", "up", "move the selected code up (first = principal)";
    MoveCodeDown => "move_code_down", "down", "move the selected code down";
    SetPoa => "set_poa", "POA", "POA of the selected diagnosis: Y N U W 1 (Space clears)";
    EditLine => "edit_line", "line", "CPT/HCPCS modifiers/units/pointers; PCS date/who";
    FlagForQuery => "flag_for_query", "query", "write a physician query (sent: the chart goes on hold)";
    Queries => "queries", "queries", "the chart's queries: answer, close, cancel, recipient";
    DrgAnalysis => "drg_analysis", "DRG", "DRG analysis: each dx as principal; what sets severity";
    Acknowledge => "acknowledge", "acknowledge", "acknowledge the selected warning (Edits pane, audited)";
    CompleteChart => "complete_chart", "complete", "complete (blocked by errors, open warnings or holds)";
    Back => "back", "queue", "back to the queue";
    Help => "help", "help", "show or hide this help";
    Quit => "quit", "quit", "quit";
    // Popups, prompts and forms.
    Submit => "submit", "ok", "accept";
    Cancel => "cancel", "cancel", "cancel";
    ScrollDown => "scroll_down", "scroll", "scroll down";
    ScrollUp => "scroll_up", "scroll up", "scroll up";
    ToggleNotes => "toggle_notes", "notes", "Up/Down move the hits or scroll the notes";
    PoaYes => "poa_y", "Y", "Y: present on admission";
    PoaNo => "poa_n", "N", "N: not present on admission";
    PoaUnknown => "poa_u", "U", "U: documentation insufficient";
    PoaUndetermined => "poa_w", "W", "W: clinically undetermined";
    PoaExempt => "poa_1", "1", "1: exempt from POA reporting";
    PoaClear => "poa_clear", "clear", "clear the POA indicator";
    ReportQueries => "queries_report", "queries", "physician queries (as chartcoder report queries)";
    ReportCaseMix => "case_mix_report", "case mix", "case mix index of completed inpatient charts";
    AnswerQuery => "answer", "answer", "record the physician's answer (open query)";
    CloseQuery => "close", "close", "close with an outcome (open or answered query)";
    CancelQuery => "cancel_query", "cancel", "cancel the query, with a reason";
    ChangeRecipient => "change_recipient", "recipient", "send to another physician: name / reason";
    OutcomeAgreed => "agreed", "agreed", "outcome: agreed";
    OutcomeDisagreed => "disagreed", "disagreed", "outcome: disagreed";
    OutcomeUndetermined => "undetermined", "undetermined", "outcome: clinically undetermined";
    OutcomeNoResponse => "no_response", "no response", "outcome: no response";
    NextField => "next_field", "field", "next field";
    PreviousField => "previous_field", "field back", "previous field";
    AddFoundSentence => "add_found_sentence", "found sentence", "add the sentence holding the phrase found with /";
    RemoveLast => "remove_last", "remove last", "remove the last indicator or option";
    Send => "send", "send", "send the query (when the lint passes)";
    // Review and the quality reports.
    ReviewQueue => "review_queue", "review", "the review queue: charts the review rules choose";
    ReportAccuracy => "accuracy_report", "accuracy", "coding accuracy by coder and month (reports screen)";
    ReportProductivity => "productivity_report", "productivity", "charts an hour vs the targets (reports screen)";
    ReportDnfb => "dnfb_report", "DNFB", "discharged not final billed, by age (reports screen)";
    OpenReview => "review", "review", "the review: the coder's codes beside the chart's";
    GiveReason => "give_reason", "reason", "give the selected difference its reason and a note";
    PassReview => "pass", "pass", "pass: reviewed (every difference needs its reason)";
    ReturnReview => "return", "return", "return the chart to its coder, with a note";
    AgreeReview => "agree", "agree", "coder: agree with every change";
    MarkChange => "mark", "mark", "coder: mark or unmark the selected change to rebut";
    RebutReview => "rebut", "rebut", "coder: rebut the marked changes, once, with a note";
    VerdictReviewer => "verdict_reviewer", "reviewer", "manager: the reviewer's version of it stands";
    VerdictCoder => "verdict_coder", "coder", "manager: the coder's version of it stands";
    SettleReview => "settle", "settle", "manager: settle with the verdicts chosen";
    FinalizeChart => "final", "final", "make the chart final (locked)";
    ReopenChart => "reopen", "reopen", "manager: reopen a final chart, with a reason";
    SetFrom => "set_from", "from", "the period's first day (YYYY-MM-DD)";
    SetTo => "set_to", "to", "the period's last day (YYYY-MM-DD)";
    SetCoder => "set_coder", "coder", "one coder only (empty: every coder)";
    // Editing a text field.
    DeleteBack => "delete_back", "delete", "delete the character before the cursor";
    DeleteForward => "delete_forward", "delete", "delete the character under the cursor";
    DeleteWord => "delete_word", "delete word", "delete the word before the cursor";
    ClearLine => "clear_line", "clear", "clear the field";
    CursorLeft => "cursor_left", "left", "cursor left";
    CursorRight => "cursor_right", "right", "cursor right";
    CursorStart => "cursor_start", "start", "cursor to the start";
    CursorEnd => "cursor_end", "end", "cursor to the end";
}

use super::Context;

impl Action {
    /// The footer's word for the action on a component, where that differs
    /// from [`Action::short`].
    pub fn short_in(self, context: Context) -> &'static str {
        use Action as A;
        use Context as C;
        match (context, self) {
            (C::Search | C::Seventh | C::QueryForm, A::MoveUp | A::MoveDown) => "choose",
            (C::Help | C::Reading, A::ScrollUp | A::ScrollDown) => "scroll",
            (C::Reading, A::Cancel) => "close",
            (C::Search, A::Submit) => "assign (a header opens its codes)",
            (C::Seventh, A::Submit) => "assign",
            (C::Seventh | C::Queries | C::Outcome, A::Cancel | A::Back) => "back",
            (C::Filter, A::Submit) => "keep",
            (C::Filter, A::Cancel) => "undo",
            (C::QueryForm, A::Submit) => "add/next",
            (C::QueryForm, A::Cancel) => "keep",
            (C::QueryForm, A::NextField) => "field",
            (C::Prompt, A::Submit) => "save",
            (C::Poa, A::PoaYes) => "yes",
            (C::Poa, A::PoaNo) => "no",
            (C::Poa, A::PoaUnknown) => "unknown",
            (C::Poa, A::PoaUndetermined) => "undetermined",
            (C::Poa, A::PoaExempt) => "exempt",
            (C::Outcome, A::OutcomeAgreed) => "agreed",
            (C::ReviewQueue | C::Review | C::ReviewReason | C::Quality, A::Back | A::Cancel) => {
                "back"
            }
            (C::ReviewQueue | C::ReviewReason, A::MoveUp | A::MoveDown) => "choose",
            (C::Review, A::MoveUp | A::MoveDown) => "change",
            (C::ReviewReason, A::Submit) => "choose",
            (C::Quality, A::NextPane) => "report",
            (C::Quality, A::PreviousPane) => "report back",
            (C::Quality, A::ClearFilters) => "all",
            _ => self.short(),
        }
    }

    /// What the help screen says the action does on a component, where that
    /// differs from [`Action::description`].
    pub fn description_in(self, context: Context) -> &'static str {
        use Action as A;
        use Context as C;
        match (context, self) {
            (C::Chart, A::MoveDown) => "next code, or scroll the document down",
            (C::Chart, A::MoveUp) => "previous code, or scroll the document up",
            (C::Chart, A::PageDown) => "page down (codes or document)",
            (C::Chart, A::PageUp) => "page up (codes or document)",
            (C::Reports | C::Queries | C::Outcome | C::Poa | C::Seventh, A::Cancel) => "back",
            (C::Search | C::Seventh | C::Queries, A::MoveDown) => "next",
            (C::Search | C::Seventh | C::Queries, A::MoveUp) => "previous",
            (C::Search, A::Submit) => "assign the code (a header opens its codes)",
            (C::Search, A::Cancel) => "close the search",
            (C::Seventh, A::Submit) => "assign the code with this 7th character",
            (C::Filter, A::Submit) => "keep the filter",
            (C::Filter, A::Cancel) => "undo the filter typed",
            (C::Prompt, A::Submit) => "save what is typed",
            (C::Prompt, A::Cancel) => "cancel (nothing changes)",
            (C::Lock, A::Submit) => "check the password",
            (C::Lock, A::Cancel) => "clear what is typed",
            (C::QueryForm, A::MoveDown) => "next choice, or the next line of the document",
            (C::QueryForm, A::MoveUp) => "previous choice, or the line above",
            (C::QueryForm, A::PageDown) => "the document ten lines down",
            (C::QueryForm, A::PageUp) => "the document ten lines up",
            (C::QueryForm, A::NextDocument) => "next document (nothing typed)",
            (C::QueryForm, A::PreviousDocument) => "previous document (nothing typed)",
            (C::QueryForm, A::Submit) => "add the line typed or highlighted; else next field",
            (C::QueryForm, A::Cancel) => "put the form away (kept as a draft)",
            (C::Queries, A::Back) => "back to the chart",
            (C::Reading, A::Cancel) => "close",
            (C::Reading, A::PageDown) => "a page down",
            (C::Reading, A::PageUp) => "a page up",
            (C::Reading, A::First) => "the top",
            (C::Reading, A::Last) => "the end",
            (C::Global, A::Quit) => "quit, from anywhere (a query being written is kept)",
            (C::ReviewQueue, A::MoveDown) => "next chart to review",
            (C::ReviewQueue, A::MoveUp) => "previous chart to review",
            (C::ReviewQueue, A::OpenChart) => "open the chart (a reviewer starts its review)",
            (C::ReviewQueue, A::Back) => "back to the chart queue",
            (C::Review, A::MoveDown) => "next difference",
            (C::Review, A::MoveUp) => "previous difference",
            (C::Review, A::Back) => "back to the chart (its keys change the codes)",
            (C::ReviewReason, A::MoveDown) => "next reason",
            (C::ReviewReason, A::MoveUp) => "previous reason",
            (C::ReviewReason, A::Submit) => "choose it, then type a short note",
            (C::ReviewReason, A::Cancel) => "back to the review",
            (C::Quality, A::NextPane) => "next report (accuracy, productivity, DNFB)",
            (C::Quality, A::PreviousPane) => "previous report",
            (C::Quality, A::ScrollDown) => "scroll down",
            (C::Quality, A::ScrollUp) => "scroll up",
            (C::Quality, A::ClearFilters) => "the whole period, every coder",
            (C::Quality, A::Back) => "back to the chart queue",
            _ => self.description(),
        }
    }
}
