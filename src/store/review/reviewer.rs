//! The reviewer's side: a reason for each difference, then pass the chart
//! (the review closes with its score) or return it to the coder.

use super::codes::{chart_dx, chart_px, version};
use super::view::{changes_of, coder_version, current_version, stored_drg};
use super::{Regroup, Review, mine, refused, review_in};
use crate::domain::{AuditAction, ChartScore, Difference, ReviewReason, ReviewState};
use crate::store::sql::{Tx, params};
use crate::store::{Result, audit, now_utc};

/// Gives a difference (by its key) its reason category and an optional note.
pub fn give_reason(
    tx: &Tx<'_>,
    chart_id: i64,
    reviewer: &str,
    key: &str,
    reason: ReviewReason,
    note: &str,
    regroup: Regroup<'_>,
) -> Result<()> {
    let review = review_in(tx, chart_id, ReviewState::InReview, "a reason is given")?;
    mine(&review, reviewer)?;
    let coder = coder_version(tx, &review)?;
    let now_version = current_version(tx, chart_id, regroup)?;
    let diffs = crate::domain::differences(&coder, &now_version);
    let Some(d) = diffs.iter().find(|d| d.key() == key) else {
        let keys: Vec<String> = diffs.iter().map(Difference::key).collect();
        return refused(format!(
            "{key:?} is not a difference between the coder's version and the chart now (the differences: {}); nothing was changed",
            match keys.is_empty() {
                true => "none".to_string(),
                false => keys.join(", "),
            }
        ));
    };
    let note = crate::sanitize::line(note.trim()).into_owned();
    tx.execute(
        "INSERT INTO review_changes (review_id, change_key, reason, note, given_by, given_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (review_id, change_key) DO UPDATE SET reason = excluded.reason,
             note = excluded.note, given_by = excluded.given_by, given_at = excluded.given_at",
        params![review.id, key, reason.as_str(), note, reviewer, now_utc()],
    )?;
    audit::record(
        tx,
        reviewer,
        Some(chart_id),
        AuditAction::ReviewReasonGiven,
        &format!(
            "{}: {}{}",
            d.describe(),
            reason.label(),
            match note.is_empty() {
                true => String::new(),
                false => format!(" ({note})"),
            }
        ),
    )
}

/// The reviewer's DRG stored as the chart's (the coder stays its completer).
pub(super) fn store_regrouped(
    tx: &Tx<'_>,
    chart_id: i64,
    actor: &str,
    regroup: Regroup<'_>,
) -> Result<()> {
    let chart = crate::store::charts::load_chart(tx, chart_id)?;
    let Some(drg) = regroup(&chart) else {
        return Ok(());
    };
    let before = crate::store::drg::load_final(tx, chart_id)?;
    if before.as_ref() == Some(&drg) {
        return Ok(());
    }
    let (by, at): (String, String) = tx
        .query_opt(
            "SELECT completed_by, completed_at FROM chart_drgs WHERE chart_id = ?1",
            [chart_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?
        .map_or_else(
            || {
                crate::store::quality::coder_of(tx, chart_id)
                    .map(|c| c.unwrap_or_else(|| (actor.to_string(), now_utc())))
            },
            Ok,
        )?;
    crate::store::drg::save_final(tx, chart_id, &drg, &by, &at)?;
    audit::record(
        tx,
        actor,
        Some(chart_id),
        AuditAction::FinalDrg,
        &format!("after review: {}", drg.describe()),
    )
}

/// Every difference has its reason, else the refusal names the first without.
pub(super) fn require_reasons(tx: &Tx<'_>, review: &Review, regroup: Regroup<'_>) -> Result<usize> {
    let coder = coder_version(tx, review)?;
    let now_version = current_version(tx, review.chart_id, regroup)?;
    let changes = changes_of(tx, review, &coder, &now_version)?;
    if let Some(c) = changes.iter().find(|c| c.reason.is_none()) {
        return refused(format!(
            "{} has no reason: give it one (chartcoder review reason ACCOUNT {} REASON); nothing was changed",
            c.difference.describe(),
            c.key
        ));
    }
    Ok(changes.len())
}

/// Closes the review: the score kept, the chart reviewed and unclaimed.
pub(super) fn close(tx: &Tx<'_>, review: &Review) -> Result<ChartScore> {
    let coder = coder_version(tx, review)?;
    let final_version = version(
        &chart_dx(tx, review.chart_id)?,
        &chart_px(tx, review.chart_id)?,
        stored_drg(tx, review.chart_id)?,
    )?;
    let s = crate::domain::score(&coder, &final_version);
    let now = now_utc();
    tx.execute(
        "UPDATE reviews SET state = 'closed', closed_at = ?2, dx_codes = ?3, dx_errors = ?4,
             px_codes = ?5, px_errors = ?6, principal_changed = ?7, drg_changed = ?8
         WHERE review_id = ?1",
        params![
            review.id,
            now,
            s.dx_codes,
            s.dx_errors,
            s.px_codes,
            s.px_errors,
            s.principal_changed,
            s.drg_changed
        ],
    )?;
    tx.execute(
        "UPDATE charts SET status = 'reviewed', claimed_by = NULL, claimed_at = NULL,
             updated_at = ?2 WHERE chart_id = ?1",
        params![review.chart_id, now],
    )?;
    Ok(s)
}

pub(super) fn score_text(s: &ChartScore) -> String {
    format!(
        "dx {}/{} right, px {}/{} right, principal {}, DRG {}",
        s.dx_codes - s.dx_errors,
        s.dx_codes,
        s.px_codes - s.px_errors,
        s.px_codes,
        match s.principal_changed {
            Some(true) => "changed",
            Some(false) => "kept",
            None => "n/a",
        },
        match s.drg_changed {
            Some(true) => "changed",
            Some(false) => "kept",
            None => "n/a",
        }
    )
}

/// The reviewer passes the chart to `reviewed` (every change with its reason).
pub fn pass(
    tx: &Tx<'_>,
    chart_id: i64,
    reviewer: &str,
    regroup: Regroup<'_>,
) -> Result<ChartScore> {
    let review = review_in(tx, chart_id, ReviewState::InReview, "a chart is passed")?;
    mine(&review, reviewer)?;
    let n = require_reasons(tx, &review, regroup)?;
    store_regrouped(tx, chart_id, reviewer, regroup)?;
    let s = close(tx, &review)?;
    audit::record(
        tx,
        reviewer,
        Some(chart_id),
        AuditAction::ReviewPass,
        &format!("{n} change(s); {}", score_text(&s)),
    )?;
    Ok(s)
}

/// The reviewer returns the chart to its coder with a note (at least one
/// change, each with its reason).
pub fn return_to_coder(
    tx: &Tx<'_>,
    chart_id: i64,
    reviewer: &str,
    note: &str,
    regroup: Regroup<'_>,
) -> Result<()> {
    let review = review_in(tx, chart_id, ReviewState::InReview, "a chart is returned")?;
    mine(&review, reviewer)?;
    let note = note.trim();
    if note.is_empty() {
        return refused("a chart is returned with a note to the coder; nothing was changed");
    }
    let n = require_reasons(tx, &review, regroup)?;
    if n == 0 {
        return refused(
            "the chart has no change to return: pass it (chartcoder review pass); nothing was changed",
        );
    }
    store_regrouped(tx, chart_id, reviewer, regroup)?;
    let now = now_utc();
    tx.execute(
        "UPDATE reviews SET state = 'returned', return_note = ?2, returned_at = ?3
         WHERE review_id = ?1",
        params![review.id, note, now],
    )?;
    tx.execute(
        "UPDATE charts SET claimed_by = NULL, claimed_at = NULL, updated_at = ?2
         WHERE chart_id = ?1",
        params![chart_id, now],
    )?;
    audit::record(
        tx,
        reviewer,
        Some(chart_id),
        AuditAction::ReviewReturn,
        &format!(
            "{n} change(s) to {}: {}",
            review.coder,
            crate::sanitize::line(note)
        ),
    )
}
