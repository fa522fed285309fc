//! The review actions as data: what the workstation asks for, one value per
//! user action, applied in one transaction by [`ReviewCommand::apply`]. A
//! command can be logged, compared and asserted without running SQL; the
//! saver runs it off the screen's thread.

use super::{Regroup, SingleCcMcc};
use crate::domain::{ChartScore, ChartStatus, ReviewReason, Verdict};
use crate::store::Result;
use crate::store::sql::Tx;

/// One review action on one chart, by the user who asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewCommand {
    /// Start (or resume) the review: the coder's version is kept and the
    /// chart is claimed by the reviewer.
    Start,
    /// Give a difference (by its key) its reason category and a note.
    GiveReason {
        key: String,
        reason: ReviewReason,
        note: String,
    },
    /// The reviewer passes the chart to `reviewed`.
    Pass,
    /// The reviewer returns the chart to its coder with a note.
    Return { note: String },
    /// The coder agrees with every change.
    Agree,
    /// The coder rebuts the changes named, once, with a note.
    Rebut { keys: Vec<String>, note: String },
    /// A manager's verdict on each rebutted change.
    Settle { decisions: Vec<(String, Verdict)> },
    /// The chart becomes final (locked).
    Finalize,
    /// A manager reopens a final chart, with the reason.
    Reopen { reason: String },
}

/// What a review action gives back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDone {
    /// Started: the review's id.
    Started(i64),
    /// Done; nothing to report.
    Nothing,
    /// The review closed with this score.
    Closed(ChartScore),
    /// Reopened: the chart's status now.
    Reopened(ChartStatus),
}

impl ReviewCommand {
    /// Carries the action out in `tx` as `user`; a refusal
    /// ([`crate::store::StoreError::Refused`]) changes nothing. `regroup`
    /// groups the chart as it stands; `single` answers the single-CC/MCC rule
    /// when the rules ask for it (for the reasons a review records).
    pub fn apply(
        &self,
        tx: &Tx<'_>,
        chart_id: i64,
        user: &str,
        regroup: Regroup<'_>,
        single: Option<SingleCcMcc<'_>>,
    ) -> Result<ReviewDone> {
        use ReviewCommand as C;
        use ReviewDone as D;
        Ok(match self {
            C::Start => D::Started(super::start_selected(tx, chart_id, user, single)?),
            C::GiveReason { key, reason, note } => {
                super::give_reason(tx, chart_id, user, key, *reason, note, regroup)?;
                D::Nothing
            }
            C::Pass => D::Closed(super::pass(tx, chart_id, user, regroup)?),
            C::Return { note } => {
                super::return_to_coder(tx, chart_id, user, note, regroup)?;
                D::Nothing
            }
            C::Agree => D::Closed(super::agree(tx, chart_id, user)?),
            C::Rebut { keys, note } => {
                super::rebut(tx, chart_id, user, keys, note, regroup)?;
                D::Nothing
            }
            C::Settle { decisions } => {
                D::Closed(super::settle(tx, chart_id, user, decisions, regroup)?)
            }
            C::Finalize => {
                super::finalize(tx, chart_id, user)?;
                D::Nothing
            }
            C::Reopen { reason } => D::Reopened(super::reopen(tx, chart_id, user, reason)?),
        })
    }

    /// The action in a few words, for messages ("passed", "returned").
    pub fn done_words(&self) -> &'static str {
        match self {
            ReviewCommand::Start => "review started: the coder's version is kept",
            ReviewCommand::GiveReason { .. } => "reason given",
            ReviewCommand::Pass => "passed: the chart is reviewed",
            ReviewCommand::Return { .. } => "returned to the coder",
            ReviewCommand::Agree => "agreed: the chart is reviewed",
            ReviewCommand::Rebut { .. } => "rebutted: a manager settles it",
            ReviewCommand::Settle { .. } => "settled: the chart is reviewed",
            ReviewCommand::Finalize => "final: the chart is locked",
            ReviewCommand::Reopen { .. } => "reopened",
        }
    }
}
