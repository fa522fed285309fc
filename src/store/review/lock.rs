//! The final lock: making a chart final, and a manager's reopen.

use super::{latest_review, open_review, refused, status_of};
use crate::domain::{AuditAction, ChartStatus, ReviewState, Role};
use crate::store::sql::{Tx, params};
use crate::store::{Result, audit, now_utc};

/// Makes a chart final (released to billing, locked): a reviewer or a
/// manager, from `reviewed`, or from `coded` when no review is under way.
pub fn finalize(tx: &Tx<'_>, chart_id: i64, user: &str) -> Result<()> {
    crate::store::users::require_role(
        tx,
        user,
        "only a reviewer or a manager makes a chart final",
        |r| r.reviews(),
    )?;
    let status = status_of(tx, chart_id)?;
    if let Some(r) = open_review(tx, chart_id)? {
        return refused(format!(
            "the chart's review is {} ({}): finish it first; nothing was changed",
            r.state.label(),
            r.reviewer
        ));
    }
    if !matches!(status, ChartStatus::Coded | ChartStatus::Reviewed) {
        return refused(format!(
            "the chart is {}: only a coded or reviewed chart is made final; nothing was changed",
            status.label()
        ));
    }
    tx.execute(
        "UPDATE charts SET status = 'final', claimed_by = NULL, claimed_at = NULL,
             updated_at = ?2 WHERE chart_id = ?1",
        params![chart_id, now_utc()],
    )?;
    audit::record(
        tx,
        user,
        Some(chart_id),
        AuditAction::Finalize,
        &format!("from {}", status.as_str()),
    )
}

/// A manager reopens a final chart, with the reason: it goes back to
/// `reviewed` when it was reviewed, else `coded`. Returns the new status.
pub fn reopen(tx: &Tx<'_>, chart_id: i64, manager: &str, reason: &str) -> Result<ChartStatus> {
    crate::store::users::require_role(tx, manager, "only a manager reopens a final chart", |r| {
        r == Role::Manager
    })?;
    let reason = reason.trim();
    if reason.is_empty() {
        return refused("a final chart is reopened with a reason; nothing was changed");
    }
    let status = status_of(tx, chart_id)?;
    if status != ChartStatus::Final {
        return refused(format!(
            "the chart is {}, not final: there is nothing to reopen",
            status.label()
        ));
    }
    let back = match latest_review(tx, chart_id)? {
        Some(r) if r.state == ReviewState::Closed => ChartStatus::Reviewed,
        _ => ChartStatus::Coded,
    };
    // The audit row first: the schema lets a chart out of final only right
    // after its reopen row.
    audit::record(
        tx,
        manager,
        Some(chart_id),
        AuditAction::Reopen,
        &format!("to {}: {}", back.as_str(), crate::sanitize::line(reason)),
    )?;
    tx.execute(
        "UPDATE charts SET status = ?2, updated_at = ?3 WHERE chart_id = ?1",
        params![chart_id, back.as_str(), now_utc()],
    )?;
    Ok(back)
}
