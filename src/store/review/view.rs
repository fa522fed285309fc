//! The review side by side: the coder's version, the chart as it stands
//! (the reviewer's) and each difference with what was said of it.

use super::codes::{chart_dx, chart_px, snapshot_dx, snapshot_px, version};
use super::{Change, Regroup, Review, ReviewView, corrupt, latest_review};
use crate::domain::{CodedVersion, ReviewState};
use crate::store::Result;
use crate::store::sql::{Db, params};

pub(super) fn stored_drg(conn: &Db, chart_id: i64) -> Result<Option<u16>> {
    Ok(crate::store::drg::load_final(conn, chart_id)?.map(|d| d.drg))
}

/// The chart's codes now, with its DRG as `regroup` groups them (else as stored).
pub(super) fn current_version(
    conn: &Db,
    chart_id: i64,
    regroup: Regroup<'_>,
) -> Result<CodedVersion> {
    let chart = crate::store::charts::load_chart(conn, chart_id)?;
    let drg = match regroup(&chart) {
        Some(d) => Some(d.drg),
        None => stored_drg(conn, chart_id)?,
    };
    version(&chart_dx(conn, chart_id)?, &chart_px(conn, chart_id)?, drg)
}

pub(super) fn coder_version(conn: &Db, review: &Review) -> Result<CodedVersion> {
    version(
        &snapshot_dx(conn, review.id)?,
        &snapshot_px(conn, review.id)?,
        review.coder_drg,
    )
}

/// The review side by side (the open one, else the latest closed one).
pub fn view(conn: &Db, chart_id: i64, regroup: Regroup<'_>) -> Result<Option<ReviewView>> {
    let Some(review) = latest_review(conn, chart_id)? else {
        return Ok(None);
    };
    let coder = coder_version(conn, &review)?;
    let reviewer = match review.state {
        ReviewState::Closed => version(
            &chart_dx(conn, chart_id)?,
            &chart_px(conn, chart_id)?,
            stored_drg(conn, chart_id)?,
        )?,
        _ => current_version(conn, chart_id, regroup)?,
    };
    let changes = changes_of(conn, &review, &coder, &reviewer)?;
    Ok(Some(ReviewView {
        review,
        coder,
        reviewer,
        changes,
    }))
}

pub(super) fn changes_of(
    conn: &Db,
    review: &Review,
    coder: &CodedVersion,
    reviewer: &CodedVersion,
) -> Result<Vec<Change>> {
    let sql = "SELECT reason, note, rebutted, verdict FROM review_changes
         WHERE review_id = ?1 AND change_key = ?2";
    crate::domain::differences(coder, reviewer)
        .into_iter()
        .map(|d| {
            let key = d.key();
            let said = conn.query_opt(sql, params![review.id, key], |r| {
                Ok((
                    r.get::<String>(0)?,
                    r.get::<String>(1)?,
                    r.get::<bool>(2)?,
                    r.get::<Option<String>>(3)?,
                ))
            })?;
            let (reason, note, rebutted, verdict) = match said {
                Some((r, n, b, v)) => (
                    Some(r.parse().map_err(corrupt)?),
                    n,
                    b,
                    v.map(|v| v.parse()).transpose().map_err(corrupt)?,
                ),
                None => (None, String::new(), false, None),
            };
            Ok(Change {
                difference: d,
                key,
                reason,
                note,
                rebutted,
                verdict,
            })
        })
        .collect()
}
