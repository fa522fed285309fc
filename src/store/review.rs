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

use super::{Result, StoreError, audit, now_utc};
use crate::domain::{
    AuditAction, Chart, ChartScore, ChartStatus, CodedVersion, Difference, FinalDrg, ReviewReason,
    ReviewState, Role, Verdict, VersionDx, VersionPx,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

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

fn refused<T>(text: impl Into<String>) -> Result<T> {
    Err(StoreError::Refused(text.into()))
}

fn corrupt(e: crate::domain::UnknownValue) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

const REVIEW_COLUMNS: &str = "review_id, chart_id, coder, coded_at, reviewer, state,
    selected_because, coder_drg, started_at, return_note, rebuttal_note, settled_by, closed_at";

fn review_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<(Review, String)> {
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
pub fn open_review(conn: &Connection, chart_id: i64) -> Result<Option<Review>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE chart_id = ?1 AND state <> 'closed'"
        ))?
        .query_row([chart_id], review_from)
        .optional()?;
    row.map(with_state).transpose()
}

/// The chart's latest review (under way or closed), if any.
pub fn latest_review(conn: &Connection, chart_id: i64) -> Result<Option<Review>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {REVIEW_COLUMNS} FROM reviews WHERE chart_id = ?1
             ORDER BY review_id DESC LIMIT 1"
        ))?
        .query_row([chart_id], review_from)
        .optional()?;
    row.map(with_state).transpose()
}

fn status_of(conn: &Connection, chart_id: i64) -> Result<ChartStatus> {
    let status: Option<String> = conn
        .prepare_cached("SELECT status FROM charts WHERE chart_id = ?1")?
        .query_row([chart_id], |r| r.get(0))
        .optional()?;
    match status {
        Some(s) => s.parse().map_err(corrupt),
        None => refused(format!("there is no chart #{chart_id}")),
    }
}

// ---------------------------------------------------------------------------
// Full code rows (the snapshot and restoring from it)

#[derive(Debug, Clone)]
struct DxRow {
    code: String,
    system: String,
    edition: String,
    poa: Option<String>,
}

#[derive(Debug, Clone)]
struct PxRow {
    code: String,
    system: String,
    date: Option<String>,
    provider: Option<String>,
    modifiers: String,
    units: i64,
    pointers: String,
}

fn chart_dx(conn: &Connection, chart_id: i64) -> Result<Vec<DxRow>> {
    dx_rows(
        conn,
        "SELECT code, code_system, edition, poa FROM diagnoses WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
    )
}

fn snapshot_dx(conn: &Connection, review_id: i64) -> Result<Vec<DxRow>> {
    dx_rows(
        conn,
        "SELECT code, code_system, edition, poa FROM review_diagnoses WHERE review_id = ?1
         ORDER BY seq",
        review_id,
    )
}

fn dx_rows(conn: &Connection, sql: &str, id: i64) -> Result<Vec<DxRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(DxRow {
                code: r.get(0)?,
                system: r.get(1)?,
                edition: r.get(2)?,
                poa: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn chart_px(conn: &Connection, chart_id: i64) -> Result<Vec<PxRow>> {
    px_rows(
        conn,
        "SELECT code, code_system, proc_date, provider, modifiers, units, pointers
         FROM procedures WHERE chart_id = ?1 ORDER BY seq",
        chart_id,
    )
}

fn snapshot_px(conn: &Connection, review_id: i64) -> Result<Vec<PxRow>> {
    px_rows(
        conn,
        "SELECT code, code_system, proc_date, provider, modifiers, units, pointers
         FROM review_procedures WHERE review_id = ?1 ORDER BY seq",
        review_id,
    )
}

fn px_rows(conn: &Connection, sql: &str, id: i64) -> Result<Vec<PxRow>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map([id], |r| {
            Ok(PxRow {
                code: r.get(0)?,
                system: r.get(1)?,
                date: r.get(2)?,
                provider: r.get(3)?,
                modifiers: r.get(4)?,
                units: r.get(5)?,
                pointers: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn write_chart_codes(
    tx: &Transaction<'_>,
    chart_id: i64,
    dx: &[DxRow],
    px: &[PxRow],
) -> Result<()> {
    tx.execute("DELETE FROM diagnoses WHERE chart_id = ?1", [chart_id])?;
    tx.execute("DELETE FROM procedures WHERE chart_id = ?1", [chart_id])?;
    for (i, d) in dx.iter().enumerate() {
        tx.execute(
            "INSERT INTO diagnoses (chart_id, seq, code, code_system, edition, poa)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![chart_id, i as i64 + 1, d.code, d.system, d.edition, d.poa],
        )?;
    }
    for (i, p) in px.iter().enumerate() {
        tx.execute(
            "INSERT INTO procedures (chart_id, seq, code, code_system, proc_date, provider,
                                     modifiers, units, pointers)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                chart_id,
                i as i64 + 1,
                p.code,
                p.system,
                p.date,
                p.provider,
                p.modifiers,
                p.units,
                p.pointers
            ],
        )?;
    }
    Ok(())
}

fn version(dx: &[DxRow], px: &[PxRow], drg: Option<u16>) -> Result<CodedVersion> {
    Ok(CodedVersion {
        diagnoses: dx
            .iter()
            .map(|d| {
                Ok(VersionDx {
                    code: d.code.clone(),
                    poa: d
                        .poa
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(corrupt)?,
                })
            })
            .collect::<Result<_>>()?,
        procedures: px
            .iter()
            .map(|p| VersionPx {
                code: p.code.clone(),
                modifiers: p.modifiers.split_whitespace().map(str::to_string).collect(),
            })
            .collect(),
        drg,
    })
}

fn stored_drg(conn: &Connection, chart_id: i64) -> Result<Option<u16>> {
    Ok(super::drg::load_final(conn, chart_id)?.map(|d| d.drg))
}

/// The chart's codes now, with its DRG as `regroup` groups them (else as stored).
fn current_version(conn: &Connection, chart_id: i64, regroup: Regroup<'_>) -> Result<CodedVersion> {
    let chart = super::charts::load_chart(conn, chart_id)?;
    let drg = match regroup(&chart) {
        Some(d) => Some(d.drg),
        None => stored_drg(conn, chart_id)?,
    };
    version(&chart_dx(conn, chart_id)?, &chart_px(conn, chart_id)?, drg)
}

fn coder_version(conn: &Connection, review: &Review) -> Result<CodedVersion> {
    version(
        &snapshot_dx(conn, review.id)?,
        &snapshot_px(conn, review.id)?,
        review.coder_drg,
    )
}

/// The review side by side (the open one, else the latest closed one).
pub fn view(conn: &Connection, chart_id: i64, regroup: Regroup<'_>) -> Result<Option<ReviewView>> {
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

fn changes_of(
    conn: &Connection,
    review: &Review,
    coder: &CodedVersion,
    reviewer: &CodedVersion,
) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT reason, note, rebutted, verdict FROM review_changes
         WHERE review_id = ?1 AND change_key = ?2",
    )?;
    crate::domain::differences(coder, reviewer)
        .into_iter()
        .map(|d| {
            let key = d.key();
            let said = stmt
                .query_row(params![review.id, key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, Option<String>>(3)?,
                    ))
                })
                .optional()?;
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

// ---------------------------------------------------------------------------
// The queue

fn selection(
    conn: &Connection,
    chart_id: i64,
    coder: Option<&str>,
    rules: &super::quality::ReviewRules,
    single: Option<SingleCcMcc<'_>>,
) -> Result<Vec<String>> {
    let mut reasons = Vec::new();
    let point = crate::domain::sample_point(rules.sample_seed, chart_id);
    if f64::from(point) < rules.sample_percent * 100.0 {
        reasons.push(format!("random {}%", rules.sample_percent));
    }
    if let Some(coder) = coder
        && rules.new_coder_charts > 0
    {
        let rank: i64 = conn
            .prepare_cached(
                "SELECT count(*) FROM chart_coding WHERE coder = ?1 AND rowid <=
                     (SELECT max(rowid) FROM chart_coding WHERE chart_id = ?2)",
            )?
            .query_row(params![coder, chart_id], |r| r.get(0))?;
        if rank <= i64::from(rules.new_coder_charts) {
            reasons.push(format!(
                "new coder: chart {rank} of the first {}",
                rules.new_coder_charts
            ));
        }
    }
    let drg = super::drg::load_final(conn, chart_id)?;
    if let Some(d) = &drg {
        if rules.drgs.contains(&d.drg) {
            reasons.push(format!("DRG {:03} listed", d.drg));
        }
        if let (Some(min), Some(w)) = (rules.min_weight, d.weight)
            && w >= min
        {
            reasons.push(format!("DRG weight {w:.4} >= {min}"));
        }
    }
    if !rules.principal_dx.is_empty() {
        let pdx: Option<String> = conn
            .prepare_cached("SELECT code FROM diagnoses WHERE chart_id = ?1 ORDER BY seq LIMIT 1")?
            .query_row([chart_id], |r| r.get(0))
            .optional()?;
        if let Some(p) = pdx
            && rules
                .principal_dx
                .iter()
                .any(|prefix| p.replace('.', "").starts_with(prefix.as_str()))
        {
            reasons.push(format!("principal diagnosis {p} listed"));
        }
    }
    if rules.undetermined_query {
        let any: bool = conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM physician_queries WHERE chart_id = ?1
                                AND outcome = 'clinically_undetermined')",
            )?
            .query_row([chart_id], |r| r.get(0))?;
        if any {
            reasons.push("query answered clinically undetermined".to_string());
        }
    }
    if rules.acknowledged_warnings {
        let any: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM acknowledgements WHERE chart_id = ?1)")?
            .query_row([chart_id], |r| r.get(0))?;
        if any {
            reasons.push("warnings acknowledged".to_string());
        }
    }
    if rules.single_cc_mcc
        && drg.is_some()
        && let Some(single) = single
        && single(&super::charts::load_chart(conn, chart_id)?)
    {
        reasons.push("DRG on a single CC/MCC".to_string());
    }
    Ok(reasons)
}

/// The review queue: coded charts the manager's rules choose, and those
/// under review, oldest completion first.
pub fn queue(conn: &Connection, single: Option<SingleCcMcc<'_>>) -> Result<Vec<QueueEntry>> {
    let rules = super::quality::review_rules(conn)?;
    let mut stmt = conn.prepare_cached(
        "SELECT chart_id, account, encounter_type, discharge_date FROM charts
         WHERE status = 'coded' ORDER BY discharge_date, chart_id",
    )?;
    let charts = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (chart_id, account, encounter_type, discharge_date) in charts {
        let (coder, coded_at) = super::quality::coder_of(conn, chart_id)?.unwrap_or_default();
        let review = open_review(conn, chart_id)?.map(|r| (r.state, r.reviewer));
        let reasons = selection(
            conn,
            chart_id,
            Some(coder.as_str()).filter(|c| !c.is_empty()),
            &rules,
            single,
        )?;
        if reasons.is_empty() && review.is_none() {
            continue;
        }
        out.push(QueueEntry {
            chart_id,
            account,
            encounter_type,
            discharge_date,
            coder,
            coded_at,
            reasons,
            review,
        });
    }
    out.sort_by(|a, b| {
        a.coded_at
            .cmp(&b.coded_at)
            .then(a.chart_id.cmp(&b.chart_id))
    });
    Ok(out)
}

// ---------------------------------------------------------------------------
// The actions

fn require_reviewer(conn: &Connection, user: &str) -> Result<Role> {
    super::users::require_role(
        conn,
        user,
        "only a reviewer or a manager reviews charts",
        |r| r.reviews(),
    )
}

/// The open review of the chart in `state`, started by `reviewer` when given.
fn review_in(conn: &Connection, chart_id: i64, state: ReviewState, what: &str) -> Result<Review> {
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

fn mine(review: &Review, reviewer: &str) -> Result<()> {
    match review.reviewer == reviewer {
        true => Ok(()),
        false => refused(format!(
            "the chart is under review by {}, not {reviewer}; nothing was changed",
            review.reviewer
        )),
    }
}

/// Starts a review (or resumes the reviewer's own): the coder's version is
/// kept, and the chart is claimed by the reviewer for the ordinary coding
/// actions. Returns the review's id.
pub fn start(tx: &Transaction<'_>, chart_id: i64, reviewer: &str) -> Result<i64> {
    start_selected(tx, chart_id, reviewer, None)
}

/// [`start`], with the grouper's answer to the single-CC/MCC rule, so that
/// the review records every rule that chose the chart.
pub fn start_selected(
    tx: &Transaction<'_>,
    chart_id: i64,
    reviewer: &str,
    single: Option<SingleCcMcc<'_>>,
) -> Result<i64> {
    require_reviewer(tx, reviewer)?;
    let status = status_of(tx, chart_id)?;
    if let Some(r) = open_review(tx, chart_id)? {
        if r.state == ReviewState::InReview && r.reviewer == reviewer {
            tx.execute(
                "UPDATE charts SET claimed_by = ?2, claimed_at = ?3 WHERE chart_id = ?1",
                params![chart_id, reviewer, now_utc()],
            )?;
            audit::record(
                tx,
                reviewer,
                Some(chart_id),
                AuditAction::View,
                "review resumed",
            )?;
            return Ok(r.id);
        }
        return refused(format!(
            "the chart is already under review by {} ({}); nothing was changed",
            r.reviewer,
            r.state.label()
        ));
    }
    if status != ChartStatus::Coded {
        return refused(format!(
            "the chart is {}: only a coded chart is reviewed; nothing was changed",
            status.label()
        ));
    }
    let Some((coder, coded_at)) = super::quality::coder_of(tx, chart_id)? else {
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
    let rules = super::quality::review_rules(tx)?;
    let because = selection(tx, chart_id, Some(&coder), &rules, single)?;
    let because = match because.is_empty() {
        true => "chosen by the reviewer".to_string(),
        false => because.join("; "),
    };
    let now = now_utc();
    tx.execute(
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
    )?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO review_diagnoses (review_id, seq, code, code_system, edition, poa)
         SELECT ?1, seq, code, code_system, edition, poa FROM diagnoses WHERE chart_id = ?2",
        params![id, chart_id],
    )?;
    tx.execute(
        "INSERT INTO review_procedures (review_id, seq, code, code_system, proc_date, provider,
                                        modifiers, units, pointers)
         SELECT ?1, seq, code, code_system, proc_date, provider, modifiers, units, pointers
         FROM procedures WHERE chart_id = ?2",
        params![id, chart_id],
    )?;
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

/// Gives a difference (by its key) its reason category and an optional note.
pub fn give_reason(
    tx: &Transaction<'_>,
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
fn store_regrouped(
    tx: &Transaction<'_>,
    chart_id: i64,
    actor: &str,
    regroup: Regroup<'_>,
) -> Result<()> {
    let chart = super::charts::load_chart(tx, chart_id)?;
    let Some(drg) = regroup(&chart) else {
        return Ok(());
    };
    let before = super::drg::load_final(tx, chart_id)?;
    if before.as_ref() == Some(&drg) {
        return Ok(());
    }
    let (by, at): (String, String) = tx
        .query_row(
            "SELECT completed_by, completed_at FROM chart_drgs WHERE chart_id = ?1",
            [chart_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .map_or_else(
            || {
                super::quality::coder_of(tx, chart_id)
                    .map(|c| c.unwrap_or_else(|| (actor.to_string(), now_utc())))
            },
            Ok,
        )?;
    super::drg::save_final(tx, chart_id, &drg, &by, &at)?;
    audit::record(
        tx,
        actor,
        Some(chart_id),
        AuditAction::FinalDrg,
        &format!("after review: {}", drg.describe()),
    )
}

/// Every difference has its reason, else the refusal names the first without.
fn require_reasons(tx: &Transaction<'_>, review: &Review, regroup: Regroup<'_>) -> Result<usize> {
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
fn close(tx: &Transaction<'_>, review: &Review) -> Result<ChartScore> {
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

fn score_text(s: &ChartScore) -> String {
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
    tx: &Transaction<'_>,
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
    tx: &Transaction<'_>,
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
pub fn agree(tx: &Transaction<'_>, chart_id: i64, coder: &str) -> Result<ChartScore> {
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
    tx: &Transaction<'_>,
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

/// Puts the coder's version of one change back on the chart's codes.
fn restore(
    dx: &mut Vec<DxRow>,
    px: &mut Vec<PxRow>,
    snap_dx: &[DxRow],
    snap_px: &[PxRow],
    d: &Difference,
) {
    let snap_d = |code: &str| snap_dx.iter().find(|r| r.code == code).cloned();
    let snap_p = |code: &str| snap_px.iter().find(|r| r.code == code).cloned();
    match d {
        Difference::DxAdded(code) => dx.retain(|r| &r.code != code),
        Difference::DxRemoved(code) => {
            if let Some(row) = snap_d(code) {
                let was_principal = snap_dx.first().is_some_and(|f| &f.code == code);
                match was_principal {
                    true => dx.insert(0, row),
                    false => dx.push(row),
                }
            }
        }
        Difference::Principal { coder, .. } => {
            if let Some(code) = coder {
                let row = match dx.iter().position(|r| &r.code == code) {
                    Some(i) => Some(dx.remove(i)),
                    None => snap_d(code),
                };
                if let Some(row) = row {
                    dx.insert(0, row);
                }
            }
        }
        Difference::Poa { code, coder, .. } => {
            for r in dx.iter_mut().filter(|r| &r.code == code) {
                r.poa = coder.map(|p| p.as_str().to_string());
            }
        }
        Difference::PxAdded(code) => px.retain(|r| &r.code != code),
        Difference::PxRemoved(code) => {
            if let Some(row) = snap_p(code) {
                px.push(row);
            }
        }
        Difference::Modifiers { code, coder, .. } => {
            for r in px.iter_mut().filter(|r| &r.code == code) {
                r.modifiers = coder.join(" ");
            }
        }
        Difference::Drg { .. } => {}
    }
}

/// A manager settles a rebuttal: for each rebutted change, whose version
/// stands (the coder's is put back on the chart). The review then closes.
pub fn settle(
    tx: &Transaction<'_>,
    chart_id: i64,
    manager: &str,
    decisions: &[(String, Verdict)],
    regroup: Regroup<'_>,
) -> Result<ChartScore> {
    super::users::require_role(tx, manager, "only a manager settles a rebuttal", |r| {
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

/// Makes a chart final (released to billing, locked): a reviewer or a
/// manager, from `reviewed`, or from `coded` when no review is under way.
pub fn finalize(tx: &Transaction<'_>, chart_id: i64, user: &str) -> Result<()> {
    super::users::require_role(
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
pub fn reopen(
    tx: &Transaction<'_>,
    chart_id: i64,
    manager: &str,
    reason: &str,
) -> Result<ChartStatus> {
    super::users::require_role(tx, manager, "only a manager reopens a final chart", |r| {
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
