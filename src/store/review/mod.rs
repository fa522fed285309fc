//! Second-level review. A reviewer (or a manager) starts a review of a coded
//! chart: the coder's version is kept as it was, and the chart is claimed by
//! the reviewer, who changes the codes with the ordinary coding actions
//! ([`super::coding`]) and gives each difference a reason category. The
//! reviewer then passes the chart to `reviewed`, or returns it to the coder
//! with a note; the coder agrees, or rebuts changes once; a manager settles
//! a rebuttal, change by change (the coder's version of a change is then
//! restored). A closed review keeps its score (the accuracy report's
//! figures). `final` locks a chart; only a manager's reopen, with a reason,
//! unlocks it.
//!
//! Every function is one user action: call it inside
//! [`Store::write`](super::Store::write); a refusal changes nothing. The
//! MS-DRG follows the codes: `regroup` groups the chart as it stands (the
//! store does not group; the caller passes the grouper's answer, `None` when
//! the chart does not group or is not inpatient).

mod codes;
mod command;
mod lock;
mod queue;
mod rebuttal;
mod reviewer;
mod start;
mod view;

pub use command::{ReviewCommand, ReviewDone};
pub use lock::{finalize, reopen};
pub use queue::queue;
pub use rebuttal::{agree, rebut, settle};
pub use reviewer::{give_reason, pass, return_to_coder};
pub use start::{start, start_selected};
pub use view::view;

use super::{Result, StoreError};
use crate::domain::{
    Chart, ChartStatus, CodedVersion, Difference, FinalDrg, ReviewReason, ReviewState, Role,
    Verdict,
};
use crate::store::sql::{Db, Dialect};

/// Groups a chart as it stands.
pub type Regroup<'a> = &'a dyn Fn(&Chart) -> Option<FinalDrg>;

/// Whether a chart's MS-DRG rests on a single CC or MCC (the grouper tells).
pub type SingleCcMcc<'a> = &'a dyn Fn(&Chart) -> bool;

/// A review as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub chart_id: i64,
    pub coder: String,
    pub coded_at: String,
    pub reviewer: String,
    pub state: ReviewState,
    pub selected_because: String,
    pub coder_drg: Option<u16>,
    pub started_at: String,
    pub return_note: Option<String>,
    pub rebuttal_note: Option<String>,
    pub settled_by: Option<String>,
    pub closed_at: Option<String>,
}

/// One difference with what the reviewer, coder and manager said of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub difference: Difference,
    pub key: String,
    pub reason: Option<ReviewReason>,
    pub note: String,
    pub rebutted: bool,
    pub verdict: Option<Verdict>,
}

/// A review side by side: the coder's version, the chart as it stands (the
/// reviewer's), and each difference (what the TUI marks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewView {
    pub review: Review,
    pub coder: CodedVersion,
    pub reviewer: CodedVersion,
    pub changes: Vec<Change>,
}

/// One chart of the review queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub chart_id: i64,
    pub account: String,
    pub encounter_type: String,
    pub discharge_date: String,
    /// Who completed it ("" when no completion was recorded).
    pub coder: String,
    pub coded_at: String,
    /// Why the rules chose it.
    pub reasons: Vec<String>,
    /// A review under way: its state and reviewer.
    pub review: Option<(ReviewState, String)>,
}

pub(super) fn refused<T>(text: impl Into<String>) -> Result<T> {
    Err(StoreError::Refused(text.into()))
}

pub(super) fn corrupt(e: crate::domain::UnknownValue) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

const REVIEW_COLUMNS: &str = "review_id, chart_id, coder, coded_at, reviewer, state,
    selected_because, coder_drg, started_at, return_note, rebuttal_note, settled_by, closed_at";

fn review_from(r: &crate::store::sql::Row<'_>) -> crate::store::sql::Result<(Review, String)> {
    let state: String = r.get(5)?;
    Ok((
        Review {
            id: r.get(0)?,
            chart_id: r.get(1)?,
            coder: r.get(2)?,
            coded_at: r.get(3)?,
            reviewer: r.get(4)?,
            state: ReviewState::InReview,
            selected_because: r.get(6)?,
            coder_drg: r.get(7)?,
            started_at: r.get(8)?,
            return_note: r.get(9)?,
            rebuttal_note: r.get(10)?,
            settled_by: r.get(11)?,
            closed_at: r.get(12)?,
        },
        state,
    ))
}

fn with_state((mut review, state): (Review, String)) -> Result<Review> {
    review.state = state.parse().map_err(corrupt)?;
    Ok(review)
}

/// The chart's review under way, if any.
pub fn open_review(conn: &Db, chart_id: i64) -> Result<Option<Review>> {
    let row = conn.query_opt(
        &format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE chart_id = ?1 AND state <> 'closed'"),
        [chart_id],
        review_from,
    )?;
    row.map(with_state).transpose()
}

/// The chart's latest review (under way or closed), if any.
pub fn latest_review(conn: &Db, chart_id: i64) -> Result<Option<Review>> {
    let row = conn.query_opt(
        &format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE chart_id = ?1
             ORDER BY review_id DESC LIMIT 1"
        ),
        [chart_id],
        review_from,
    )?;
    row.map(with_state).transpose()
}

/// The chart's status, its row locked until the action's transaction ends:
/// every review action reads it first, so two actions on one chart (a start
/// and a finalize, a pass and a return) run one after the other, the second
/// deciding on what the first committed. SQLite's writers already run one at
/// a time (`BEGIN IMMEDIATE`); PostgreSQL's need the row lock.
pub(super) fn status_of(conn: &Db, chart_id: i64) -> Result<ChartStatus> {
    let sql = match conn.dialect() {
        Dialect::Sqlite => "SELECT status FROM charts WHERE chart_id = ?1",
        Dialect::Postgres => "SELECT status FROM charts WHERE chart_id = ?1 FOR UPDATE",
    };
    let status: Option<String> = conn.query_opt(sql, [chart_id], |r| r.get(0))?;
    match status {
        Some(s) => s.parse().map_err(corrupt),
        None => refused(format!("there is no chart #{chart_id}")),
    }
}

// ---------------------------------------------------------------------------
// The guards every action checks first

pub(super) fn require_reviewer(conn: &Db, user: &str) -> Result<Role> {
    super::users::require_role(
        conn,
        user,
        "only a reviewer or a manager reviews charts",
        |r| r.reviews(),
    )
}

/// The open review of the chart in `state`, started by `reviewer` when given.
pub(super) fn review_in(
    conn: &Db,
    chart_id: i64,
    state: ReviewState,
    what: &str,
) -> Result<Review> {
    // The chart's row locked first (see status_of).
    status_of(conn, chart_id)?;
    match open_review(conn, chart_id)? {
        Some(r) if r.state == state => Ok(r),
        Some(r) => refused(format!(
            "the chart's review is {}: {what} only when it is {}; nothing was changed",
            r.state.label(),
            state.label()
        )),
        None => refused(format!(
            "the chart has no review under way: {what} needs one (chartcoder review start); nothing was changed"
        )),
    }
}

pub(super) fn mine(review: &Review, reviewer: &str) -> Result<()> {
    match review.reviewer == reviewer {
        true => Ok(()),
        false => refused(format!(
            "the chart is under review by {}, not {reviewer}; nothing was changed",
            review.reviewer
        )),
    }
}
