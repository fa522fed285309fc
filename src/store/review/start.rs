//! Starting a review: the checks, the rules that chose the chart, and the
//! coder's version kept as it was.

use super::queue::selection;
use super::view::stored_drg;
use super::{Review, SingleCcMcc, open_review, refused, require_reviewer, status_of};
use crate::domain::{AuditAction, ChartStatus, ReviewState};
use crate::store::sql::{Tx, params};
use crate::store::{Result, audit, now_utc};

/// Starts a review (or resumes the reviewer's own): the coder's version is
/// kept, and the chart is claimed by the reviewer for the ordinary coding
/// actions. Returns the review's id.
pub fn start(tx: &Tx<'_>, chart_id: i64, reviewer: &str) -> Result<i64> {
    start_selected(tx, chart_id, reviewer, None)
}

/// [`start`], with the grouper's answer to the single-CC/MCC rule, so that
/// the review records every rule that chose the chart.
pub fn start_selected(
    tx: &Tx<'_>,
    chart_id: i64,
    reviewer: &str,
    single: Option<SingleCcMcc<'_>>,
) -> Result<i64> {
    require_reviewer(tx, reviewer)?;
    let status = status_of(tx, chart_id)?;
    if let Some(r) = open_review(tx, chart_id)? {
        return resume(tx, &r, reviewer);
    }
    if status != ChartStatus::Coded {
        return refused(format!(
            "the chart is {}: only a coded chart is reviewed; nothing was changed",
            status.label()
        ));
    }
    let Some((coder, coded_at)) = crate::store::quality::coder_of(tx, chart_id)? else {
        return refused(
            "nobody is recorded as having completed this chart: it cannot be reviewed against a coder",
        );
    };
    if coder == reviewer {
        return refused(format!(
            "{reviewer} coded this chart: a reviewer may not review their own chart; nothing was changed"
        ));
    }
    let claimed: Option<String> = tx.query_row(
        "SELECT claimed_by FROM charts WHERE chart_id = ?1",
        [chart_id],
        |r| r.get(0),
    )?;
    if let Some(other) = claimed.filter(|c| c != reviewer) {
        return refused(format!(
            "the chart is claimed by {other}; nothing was changed"
        ));
    }
    let rules = crate::store::quality::review_rules(tx)?;
    let because = selection(tx, chart_id, Some(&coder), &rules, single)?;
    let because = match because.is_empty() {
        true => "chosen by the reviewer".to_string(),
        false => because.join("; "),
    };
    let now = now_utc();
    let id: i64 = tx.insert_id(
        "INSERT INTO reviews (chart_id, coder, coded_at, reviewer, state, selected_because,
                              coder_drg, started_at)
         VALUES (?1, ?2, ?3, ?4, 'in_review', ?5, ?6, ?7)",
        params![
            chart_id,
            coder,
            coded_at,
            reviewer,
            because,
            stored_drg(tx, chart_id)?,
            now
        ],
        "review_id",
    )?;
    keep_coder_version(tx, id, chart_id)?;
    tx.execute(
        "UPDATE charts SET claimed_by = ?2, claimed_at = ?3 WHERE chart_id = ?1",
        params![chart_id, reviewer, now],
    )?;
    audit::record(
        tx,
        reviewer,
        Some(chart_id),
        AuditAction::ReviewStart,
        &format!("coded by {coder}; {because}"),
    )?;
    Ok(id)
}

/// A review already under way: the reviewer's own, in review, is resumed
/// (the chart claimed again); any other is a refusal.
fn resume(tx: &Tx<'_>, r: &Review, reviewer: &str) -> Result<i64> {
    if r.state == ReviewState::InReview && r.reviewer == reviewer {
        tx.execute(
            "UPDATE charts SET claimed_by = ?2, claimed_at = ?3 WHERE chart_id = ?1",
            params![r.chart_id, reviewer, now_utc()],
        )?;
        audit::record(
            tx,
            reviewer,
            Some(r.chart_id),
            AuditAction::View,
            "review resumed",
        )?;
        return Ok(r.id);
    }
    refused(format!(
        "the chart is already under review by {} ({}); nothing was changed",
        r.reviewer,
        r.state.label()
    ))
}

/// The coder's version kept as it was: the chart's code rows copied beside
/// the review.
fn keep_coder_version(tx: &Tx<'_>, review_id: i64, chart_id: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO review_diagnoses (review_id, seq, code, code_system, edition, poa)
         SELECT ?1, seq, code, code_system, edition, poa FROM diagnoses WHERE chart_id = ?2",
        params![review_id, chart_id],
    )?;
    tx.execute(
        "INSERT INTO review_procedures (review_id, seq, code, code_system, proc_date, provider,
                                        modifiers, units, pointers)
         SELECT ?1, seq, code, code_system, proc_date, provider, modifiers, units, pointers
         FROM procedures WHERE chart_id = ?2",
        params![review_id, chart_id],
    )?;
    Ok(())
}
