//! The coder's answer to a returned chart (agree, or rebut changes once)
//! and a manager's settlement of a rebuttal.

use super::codes::{chart_dx, chart_px, restore, snapshot_dx, snapshot_px, write_chart_codes};
use super::reviewer::{close, score_text, store_regrouped};
use super::view::{changes_of, coder_version, current_version};
use super::{Change, Regroup, Review, refused, review_in};
use crate::domain::{AuditAction, ChartScore, ReviewState, Role, Verdict};
use crate::store::sql::{Tx, params};
use crate::store::{Result, audit, now_utc};

fn require_coder(review: &Review, coder: &str) -> Result<()> {
    match review.coder == coder {
        true => Ok(()),
        false => refused(format!(
            "the chart was coded by {}: only they answer its review; nothing was changed",
            review.coder
        )),
    }
}

/// The coder agrees with every change: the review closes, the chart reviewed.
pub fn agree(tx: &Tx<'_>, chart_id: i64, coder: &str) -> Result<ChartScore> {
    let review = review_in(tx, chart_id, ReviewState::Returned, "the coder agrees")?;
    require_coder(&review, coder)?;
    tx.execute(
        "UPDATE reviews SET responded_at = ?2 WHERE review_id = ?1",
        params![review.id, now_utc()],
    )?;
    let s = close(tx, &review)?;
    audit::record(
        tx,
        coder,
        Some(chart_id),
        AuditAction::ReviewAgree,
        &score_text(&s),
    )?;
    Ok(s)
}

/// The coder rebuts some changes (by key), once, with a note; the others
/// they accept. A manager settles.
pub fn rebut(
    tx: &Tx<'_>,
    chart_id: i64,
    coder: &str,
    keys: &[String],
    note: &str,
    regroup: Regroup<'_>,
) -> Result<()> {
    let review = review_in(tx, chart_id, ReviewState::Returned, "a change is rebutted")?;
    require_coder(&review, coder)?;
    let note = note.trim();
    if note.is_empty() {
        return refused("a rebuttal says why, in a note; nothing was changed");
    }
    if keys.is_empty() {
        return refused("name the change(s) rebutted by their key; nothing was changed");
    }
    let coder_v = coder_version(tx, &review)?;
    let now_version = current_version(tx, chart_id, regroup)?;
    let changes = changes_of(tx, &review, &coder_v, &now_version)?;
    for key in keys {
        match changes.iter().find(|c| &c.key == key) {
            None => {
                return refused(format!(
                    "{key:?} is not one of the review's changes ({}); nothing was changed",
                    changes
                        .iter()
                        .map(|c| c.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Some(c) if c.difference.is_drg() => {
                return refused(
                    "the DRG follows the codes: rebut the code changes that moved it; nothing was changed",
                );
            }
            Some(_) => {}
        }
    }
    for key in keys {
        tx.execute(
            "UPDATE review_changes SET rebutted = 1 WHERE review_id = ?1 AND change_key = ?2",
            params![review.id, key],
        )?;
    }
    tx.execute(
        "UPDATE reviews SET state = 'rebutted', rebuttal_note = ?2, responded_at = ?3
         WHERE review_id = ?1",
        params![review.id, note, now_utc()],
    )?;
    audit::record(
        tx,
        coder,
        Some(chart_id),
        AuditAction::ReviewRebut,
        &format!("{}: {}", keys.join(", "), crate::sanitize::line(note)),
    )
}

/// A manager settles a rebuttal: for each rebutted change, whose version
/// stands (the coder's is put back on the chart). The review then closes.
pub fn settle(
    tx: &Tx<'_>,
    chart_id: i64,
    manager: &str,
    decisions: &[(String, Verdict)],
    regroup: Regroup<'_>,
) -> Result<ChartScore> {
    crate::store::users::require_role(tx, manager, "only a manager settles a rebuttal", |r| {
        r == Role::Manager
    })?;
    let review = review_in(tx, chart_id, ReviewState::Rebutted, "a rebuttal is settled")?;
    if manager == review.coder || manager == review.reviewer {
        return refused(format!(
            "{manager} is the chart's coder or reviewer: another manager settles the rebuttal; nothing was changed"
        ));
    }
    let coder_v = coder_version(tx, &review)?;
    let now_version = current_version(tx, chart_id, regroup)?;
    let changes = changes_of(tx, &review, &coder_v, &now_version)?;
    let rebutted: Vec<&Change> = changes.iter().filter(|c| c.rebutted).collect();
    for (key, _) in decisions {
        if !rebutted.iter().any(|c| &c.key == key) {
            return refused(format!(
                "{key:?} was not rebutted (rebutted: {}); nothing was changed",
                rebutted
                    .iter()
                    .map(|c| c.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    if let Some(c) = rebutted
        .iter()
        .find(|c| !decisions.iter().any(|(k, _)| k == &c.key))
    {
        return refused(format!(
            "the rebutted change {} ({}) needs a verdict too: reviewer or coder; nothing was changed",
            c.key,
            c.difference.describe()
        ));
    }
    let mut dx = chart_dx(tx, chart_id)?;
    let mut px = chart_px(tx, chart_id)?;
    let (snap_dx, snap_px) = (snapshot_dx(tx, review.id)?, snapshot_px(tx, review.id)?);
    let now = now_utc();
    for (key, verdict) in decisions {
        let Some(c) = rebutted.iter().find(|c| &c.key == key) else {
            continue;
        };
        if *verdict == Verdict::Coder {
            restore(&mut dx, &mut px, &snap_dx, &snap_px, &c.difference);
        }
        tx.execute(
            "UPDATE review_changes SET verdict = ?3 WHERE review_id = ?1 AND change_key = ?2",
            params![review.id, key, verdict.as_str()],
        )?;
        audit::record(
            tx,
            manager,
            Some(chart_id),
            AuditAction::ReviewSettle,
            &format!("{}: {}", c.difference.describe(), verdict.label()),
        )?;
    }
    if decisions.iter().any(|(_, v)| *v == Verdict::Coder) {
        write_chart_codes(tx, chart_id, &dx, &px)?;
        store_regrouped(tx, chart_id, manager, regroup)?;
    }
    tx.execute(
        "UPDATE reviews SET settled_by = ?2, settled_at = ?3 WHERE review_id = ?1",
        params![review.id, manager, now],
    )?;
    close(tx, &review)
}
