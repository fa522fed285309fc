//! The review queue: which of the manager's rules choose a coded chart.

use super::{QueueEntry, SingleCcMcc, open_review};
use crate::store::Result;
use crate::store::sql::{Db, params};

pub(super) fn selection(
    conn: &Db,
    chart_id: i64,
    coder: Option<&str>,
    rules: &crate::store::quality::ReviewRules,
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
        let rank: i64 = conn.query_row(
            "SELECT count(*) FROM chart_coding WHERE coder = ?1 AND rowid <=
                     (SELECT max(rowid) FROM chart_coding WHERE chart_id = ?2)",
            params![coder, chart_id],
            |r| r.get(0),
        )?;
        if rank <= i64::from(rules.new_coder_charts) {
            reasons.push(format!(
                "new coder: chart {rank} of the first {}",
                rules.new_coder_charts
            ));
        }
    }
    let drg = crate::store::drg::load_final(conn, chart_id)?;
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
        let pdx: Option<String> = conn.query_opt(
            "SELECT code FROM diagnoses WHERE chart_id = ?1 ORDER BY seq LIMIT 1",
            [chart_id],
            |r| r.get(0),
        )?;
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
        let any: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM physician_queries WHERE chart_id = ?1
                                AND outcome = 'clinically_undetermined')",
            [chart_id],
            |r| r.get(0),
        )?;
        if any {
            reasons.push("query answered clinically undetermined".to_string());
        }
    }
    if rules.acknowledged_warnings {
        let any: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM acknowledgements WHERE chart_id = ?1)",
            [chart_id],
            |r| r.get(0),
        )?;
        if any {
            reasons.push("warnings acknowledged".to_string());
        }
    }
    if rules.single_cc_mcc
        && drg.is_some()
        && let Some(single) = single
        && single(&crate::store::charts::load_chart(conn, chart_id)?)
    {
        reasons.push("DRG on a single CC/MCC".to_string());
    }
    Ok(reasons)
}

/// The review queue: coded charts the manager's rules choose, and those
/// under review, oldest completion first.
pub fn queue(conn: &Db, single: Option<SingleCcMcc<'_>>) -> Result<Vec<QueueEntry>> {
    let rules = crate::store::quality::review_rules(conn)?;
    let sql = "SELECT chart_id, account, encounter_type, discharge_date FROM charts
         WHERE status = 'coded' ORDER BY discharge_date, chart_id";
    let charts = conn.query_map(sql, [], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<String>(1)?,
            r.get::<String>(2)?,
            r.get::<String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for (chart_id, account, encounter_type, discharge_date) in charts {
        let (coder, coded_at) =
            crate::store::quality::coder_of(conn, chart_id)?.unwrap_or_default();
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
