//! The case mix index (CMI) of completed inpatient charts: the mean relative
//! weight of their final MS-DRGs, overall, by discharge month and by coder,
//! with the DRGs that come most often and weigh most in total. Charts whose
//! DRG has no weight (no Table 5 installed for its version) are counted but
//! left out of the mean, and said so.

use crate::domain::CaseMixRow;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many DRGs each top list holds.
pub const TOP: usize = 10;

/// Charts and their weights, for one group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Mix {
    pub charts: u64,
    /// Charts with a weight (the CMI's denominator).
    pub weighted: u64,
    pub total_weight: f64,
    /// `total_weight / weighted`; `None` when no chart has a weight.
    pub cmi: Option<f64>,
}

impl Mix {
    fn add(&mut self, weight: Option<f64>) {
        self.charts += 1;
        if let Some(w) = weight {
            self.weighted += 1;
            self.total_weight += w;
        }
        self.cmi = (self.weighted > 0).then(|| self.total_weight / self.weighted as f64);
    }
}

/// One DRG in a top list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrgCount {
    pub drg: u16,
    pub charts: u64,
    pub total_weight: f64,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseMix {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub overall: Mix,
    /// Completed inpatient charts in the period without a stored DRG
    /// (completed before DRGs were kept): not in the report.
    pub without_drg: u64,
    /// By discharge month (`2026-05`), in order.
    pub by_month: Vec<(String, Mix)>,
    /// By the coder who completed the chart, by name.
    pub by_coder: Vec<(String, Mix)>,
    /// Most charts first (then the DRG number).
    pub top_by_count: Vec<DrgCount>,
    /// Most total weight first (then the DRG number).
    pub top_by_weight: Vec<DrgCount>,
}

/// Computes the report from the rows of the period.
pub fn compute(
    rows: &[CaseMixRow],
    without_drg: u64,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> CaseMix {
    let mut overall = Mix::default();
    let mut months: BTreeMap<String, Mix> = BTreeMap::new();
    let mut coders: BTreeMap<&str, Mix> = BTreeMap::new();
    let mut drgs: BTreeMap<u16, DrgCount> = BTreeMap::new();
    for r in rows {
        overall.add(r.weight);
        months
            .entry(r.discharge_date.format("%Y-%m").to_string())
            .or_default()
            .add(r.weight);
        coders.entry(&r.coder).or_default().add(r.weight);
        let d = drgs.entry(r.drg).or_insert(DrgCount {
            drg: r.drg,
            charts: 0,
            total_weight: 0.0,
        });
        d.charts += 1;
        d.total_weight += r.weight.unwrap_or(0.0);
    }
    let mut by_count: Vec<DrgCount> = drgs.into_values().collect();
    let mut by_weight = by_count.clone();
    by_count.sort_by(|a, b| b.charts.cmp(&a.charts).then(a.drg.cmp(&b.drg)));
    by_weight.sort_by(|a, b| {
        b.total_weight
            .total_cmp(&a.total_weight)
            .then(a.drg.cmp(&b.drg))
    });
    by_count.truncate(TOP);
    by_weight.truncate(TOP);
    CaseMix {
        from,
        to,
        overall,
        without_drg,
        by_month: months.into_iter().collect(),
        by_coder: coders
            .into_iter()
            .map(|(c, m)| (c.to_string(), m))
            .collect(),
        top_by_count: by_count,
        top_by_weight: by_weight,
    }
}

fn cmi(m: &Mix) -> String {
    m.cmi
        .map_or_else(|| "n/a".to_string(), |c| format!("{c:.4}"))
}

fn mix_line(label: &str, m: &Mix) -> String {
    format!(
        "  {label:<12} {:>6} {:>8} {:>12.4} {:>8}",
        m.charts,
        m.weighted,
        m.total_weight,
        cmi(m)
    )
}

/// The report as text; `title` names a DRG (`None`: the number alone).
pub fn text(r: &CaseMix, title: &dyn Fn(u16) -> Option<String>) -> String {
    let period = match (r.from, r.to) {
        (None, None) => "all discharges".to_string(),
        (f, t) => format!(
            "discharged {} to {}",
            f.map_or("the first".into(), |d| d.to_string()),
            t.map_or("the last".into(), |d| d.to_string())
        ),
    };
    let mut out = vec![
        format!("Case mix index: completed inpatient charts, {period}"),
        format!("charts               {}", r.overall.charts),
        format!(
            "CMI                  {} (total weight {:.4} over {} charts with a weight)",
            cmi(&r.overall),
            r.overall.total_weight,
            r.overall.weighted
        ),
    ];
    let unweighted = r.overall.charts - r.overall.weighted;
    if unweighted > 0 {
        out.push(format!(
            "without a weight     {unweighted} (no IPPS Table 5 installed for their MS-DRG version: not in the CMI)"
        ));
    }
    if r.without_drg > 0 {
        out.push(format!(
            "without a DRG        {} completed inpatient charts have no stored DRG (completed before DRGs were kept): not in the report",
            r.without_drg
        ));
    }
    let header = format!(
        "  {:<12} {:>6} {:>8} {:>12} {:>8}",
        "", "charts", "weighted", "total weight", "CMI"
    );
    for (name, rows) in [("By month", &r.by_month), ("By coder", &r.by_coder)] {
        out.push(String::new());
        out.push(name.to_string());
        out.push(header.clone());
        out.extend(rows.iter().map(|(k, m)| mix_line(k, m)));
    }
    for (name, rows) in [
        ("Top DRGs by count", &r.top_by_count),
        ("Top DRGs by total weight", &r.top_by_weight),
    ] {
        out.push(String::new());
        out.push(name.to_string());
        for d in rows.iter() {
            out.push(format!(
                "  DRG {:03} {:>6} charts {:>12.4} total weight  {}",
                d.drg,
                d.charts,
                d.total_weight,
                title(d.drg).unwrap_or_default()
            ));
        }
    }
    out.join("\n") + "\n"
}

/// The report as CSV rows: `section, key, charts, weighted, total_weight, cmi`
/// (sections `overall`, `month`, `coder`, `top_count`, `top_weight`; a top
/// list's key is the DRG, its weighted column empty).
pub fn csv_rows(r: &CaseMix) -> Vec<[String; 6]> {
    let mix = |section: &str, key: &str, m: &Mix| {
        [
            section.to_string(),
            key.to_string(),
            m.charts.to_string(),
            m.weighted.to_string(),
            format!("{:.4}", m.total_weight),
            m.cmi.map(|c| format!("{c:.4}")).unwrap_or_default(),
        ]
    };
    let mut out = vec![mix("overall", "all", &r.overall)];
    out.extend(r.by_month.iter().map(|(k, m)| mix("month", k, m)));
    out.extend(r.by_coder.iter().map(|(k, m)| mix("coder", k, m)));
    for (section, rows) in [
        ("top_count", &r.top_by_count),
        ("top_weight", &r.top_by_weight),
    ] {
        out.extend(rows.iter().map(|d| {
            [
                section.to_string(),
                format!("{:03}", d.drg),
                d.charts.to_string(),
                String::new(),
                format!("{:.4}", d.total_weight),
                String::new(),
            ]
        }));
    }
    out
}
