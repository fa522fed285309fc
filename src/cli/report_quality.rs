//! `chartcoder report accuracy|productivity|dnfb`: text tables, one JSON
//! object (--json) or CSV rows (--csv). The figures and their method are
//! in `store::quality` and README.md ("Coding quality").

use super::{BAD_INPUT, Cli, open_existing, parse_date};
use crate::config::Config;
use crate::interchange;
use crate::store::Store;
use crate::store::quality::{self, Accuracy, Held, Output, Scope};
use chrono::NaiveDate;
use std::io::Write;
use std::process::ExitCode;

/// What every quality report takes.
#[derive(Debug, clap::Args)]
pub struct QualityArgs {
    /// First day (accuracy and productivity: the day the coder completed the
    /// chart; dnfb: the discharge day); default: the first
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub from: Option<NaiveDate>,
    /// Last day, included (default: the last)
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub to: Option<NaiveDate>,
    /// Only this coder's charts
    #[arg(long, value_name = "NAME")]
    pub coder: Option<String>,
    /// The report as one JSON object
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// The report as CSV rows (a header row first)
    #[arg(long)]
    pub csv: bool,
}

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Accuracy,
    Productivity,
    /// As of a day (default: today).
    Dnfb(Option<NaiveDate>),
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.1}%"))
}

fn num(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

/// `chartcoder report accuracy|productivity|dnfb`.
pub(super) fn report(
    cli: &Cli,
    config: &Config,
    which: Which,
    args: &QualityArgs,
) -> anyhow::Result<ExitCode> {
    let store = open_existing(cli, config)?;
    let Some(scope) = scope_of(&store, args)? else {
        return Ok(ExitCode::from(BAD_INPUT));
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match which {
        Which::Accuracy => {
            let r = quality::accuracy(store.conn(), &scope)?;
            write_report(&mut out, args, &r, accuracy_csv, accuracy_text)?;
        }
        Which::Productivity => {
            let r = quality::productivity(store.conn(), &scope)?;
            write_report(&mut out, args, &r, productivity_csv, productivity_text)?;
        }
        Which::Dnfb(as_of) => {
            let as_of = as_of.unwrap_or_else(|| chrono::Local::now().date_naive());
            let r = quality::dnfb(store.conn(), &scope, as_of, config.reports.base_rate as f64)?;
            write_report(&mut out, args, &r, dnfb_csv, dnfb_text)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The report's scope from the arguments, else the complaint said and `None`
/// (an unknown coder, or --from after --to).
fn scope_of(store: &Store, args: &QualityArgs) -> anyhow::Result<Option<Scope>> {
    let coder = args
        .coder
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(c) = coder
        && !crate::store::users::is_known(store.conn(), c)?
    {
        say!(
            "chartcoder: there is no coder {c:?}: not a user (chartcoder users list) and no chart completed by that name"
        );
        return Ok(None);
    }
    if let (Some(f), Some(t)) = (args.from, args.to)
        && f > t
    {
        say!("chartcoder: --from {f} is after --to {t}");
        return Ok(None);
    }
    Ok(Some(Scope {
        from: args.from,
        to: args.to,
        coder: coder.map(str::to_string),
    }))
}

/// A report as one JSON object (--json), CSV rows (--csv) or text.
fn write_report<R: serde::Serialize>(
    out: &mut impl Write,
    args: &QualityArgs,
    r: &R,
    csv_rows: fn(&mut ::csv::Writer<&mut dyn Write>, &R) -> anyhow::Result<()>,
    text: fn(&R) -> String,
) -> anyhow::Result<()> {
    if args.json {
        serde_json::to_writer_pretty(&mut *out, r)?;
        writeln!(out)?;
    } else if args.csv {
        let out: &mut dyn Write = out;
        let mut w = ::csv::Writer::from_writer(out);
        csv_rows(&mut w, r)?;
        w.flush()?;
    } else {
        write!(out, "{}", crate::sanitize::text(&text(r)))?;
    }
    Ok(())
}

/// `report accuracy --csv`: overall, by coder, by month.
fn accuracy_csv(
    w: &mut ::csv::Writer<&mut dyn Write>,
    r: &quality::AccuracyReport,
) -> anyhow::Result<()> {
    w.write_record([
        "section",
        "key",
        "charts",
        "dx_codes",
        "dx_errors",
        "dx_accuracy",
        "px_codes",
        "px_errors",
        "px_accuracy",
        "code_accuracy",
        "principal_charts",
        "principal_changed",
        "principal_accuracy",
        "drg_charts",
        "drg_changed",
        "drg_accuracy",
        "meets_target",
    ])?;
    let rows = std::iter::once(("overall", "all".to_string(), &r.overall))
        .chain(r.by_coder.iter().map(|(c, a)| ("coder", c.clone(), a)))
        .chain(r.trend.iter().map(|(m, a)| ("month", m.clone(), a)));
    for (section, key, a) in rows {
        let row = [
            section.to_string(),
            key,
            a.charts.to_string(),
            a.dx_codes.to_string(),
            a.dx_errors.to_string(),
            num(a.dx_accuracy, 4),
            a.px_codes.to_string(),
            a.px_errors.to_string(),
            num(a.px_accuracy, 4),
            num(a.code_accuracy, 4),
            a.principal_charts.to_string(),
            a.principal_changed.to_string(),
            num(a.principal_accuracy, 4),
            a.drg_charts.to_string(),
            a.drg_changed.to_string(),
            num(a.drg_accuracy, 4),
            a.meets_target.map_or(String::new(), |m| m.to_string()),
        ];
        w.write_record(row.iter().map(|c| interchange::csv::cell(c)))?;
    }
    Ok(())
}

/// `report productivity --csv`: overall, by type, by coder, by coder and type.
fn productivity_csv(
    w: &mut ::csv::Writer<&mut dyn Write>,
    r: &quality::ProductivityReport,
) -> anyhow::Result<()> {
    w.write_record([
        "section",
        "coder",
        "encounter_type",
        "charts",
        "hours",
        "charts_per_hour",
        "minutes_per_chart",
        "target_per_hour",
        "percent_of_target",
    ])?;
    let rows = std::iter::once(("overall", "", "", &r.overall))
        .chain(r.by_type.iter().map(|(t, o)| ("type", "", t.as_str(), o)))
        .chain(r.by_coder.iter().map(|(c, o)| ("coder", c.as_str(), "", o)))
        .chain(
            r.by_coder_and_type
                .iter()
                .map(|(c, t, o)| ("coder_type", c.as_str(), t.as_str(), o)),
        );
    for (section, c, t, o) in rows {
        let row = [
            section.to_string(),
            c.to_string(),
            t.to_string(),
            o.charts.to_string(),
            format!("{:.4}", o.hours),
            num(o.charts_per_hour, 4),
            num(o.minutes_per_chart, 4),
            num(o.target_per_hour, 4),
            num(o.percent_of_target, 4),
        ];
        w.write_record(row.iter().map(|c| interchange::csv::cell(c)))?;
    }
    Ok(())
}

/// `report dnfb --csv`: each line of the table, all buckets then each bucket.
fn dnfb_csv(w: &mut ::csv::Writer<&mut dyn Write>, r: &quality::DnfbReport) -> anyhow::Result<()> {
    w.write_record([
        "section",
        "key",
        "bucket",
        "charts",
        "amount",
        "without_estimate",
    ])?;
    let lines = [
        ("total", "all", &r.total),
        ("not_coded", "all", &r.not_coded),
    ]
    .into_iter()
    .chain(r.by_status.iter().map(|(s, l)| ("status", s.as_str(), l)))
    .chain(r.by_hold.iter().map(|(h, l)| ("hold", *h, l)));
    for (section, key, l) in lines {
        let cells = std::iter::once(("all", &l.total))
            .chain(r.buckets.iter().copied().zip(l.buckets.iter()));
        for (bucket, h) in cells {
            let row = [
                section.to_string(),
                key.to_string(),
                bucket.to_string(),
                h.charts.to_string(),
                format!("{:.2}", h.amount),
                h.without_estimate.to_string(),
            ];
            w.write_record(row.iter().map(|c| interchange::csv::cell(c)))?;
        }
    }
    Ok(())
}

fn period(s: &Scope) -> String {
    let mut p = match (s.from, s.to) {
        (None, None) => "all dates".to_string(),
        (f, t) => format!(
            "{} to {}",
            f.map_or("the first".into(), |d| d.to_string()),
            t.map_or("the last".into(), |d| d.to_string())
        ),
    };
    if let Some(c) = &s.coder {
        p.push_str(&format!(", coder {c}"));
    }
    p
}

fn accuracy_line(label: &str, a: &Accuracy) -> String {
    format!(
        "{label:<12} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}  {}\n",
        a.charts,
        pct(a.dx_accuracy),
        pct(a.px_accuracy),
        pct(a.principal_accuracy),
        pct(a.drg_accuracy),
        pct(a.code_accuracy),
        match a.meets_target {
            Some(true) => "meets",
            Some(false) => "BELOW",
            None => "",
        }
    )
}

/// The accuracy report as text (80 columns).
pub fn accuracy_text(r: &quality::AccuracyReport) -> String {
    let mut t = format!(
        "Coding accuracy (second-level review), charts completed {}\ntarget: {}% of codes right\n\n",
        period(&r.scope),
        r.target
    );
    let head = format!(
        "{:<12} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8}  target\n",
        "", "charts", "dx", "px", "PDX", "DRG", "codes"
    );
    t.push_str(&head);
    t.push_str(&accuracy_line("overall", &r.overall));
    t.push_str("\nby coder\n");
    for (c, a) in &r.by_coder {
        t.push_str(&accuracy_line(c, a));
    }
    t.push_str("\ntrend (month completed)\n");
    for (m, a) in &r.trend {
        t.push_str(&accuracy_line(m, a));
    }
    t
}

fn output_line(label: &str, o: &Output) -> String {
    format!(
        "{label:<22} {:>6} {:>8.2} {:>8} {:>8} {:>7} {:>8}\n",
        o.charts,
        o.hours,
        num(o.charts_per_hour, 2),
        num(o.minutes_per_chart, 1),
        num(o.target_per_hour, 1),
        pct(o.percent_of_target)
    )
}

/// The productivity report as text (80 columns).
pub fn productivity_text(r: &quality::ProductivityReport) -> String {
    let mut t = format!(
        "Productivity, charts completed {}\n(time on chart from the audit trail)\n\n",
        period(&r.scope)
    );
    t.push_str(&format!(
        "{:<22} {:>6} {:>8} {:>8} {:>8} {:>7} {:>8}\n",
        "", "charts", "hours", "per hr", "min/chrt", "target", "of tgt"
    ));
    t.push_str(&output_line("overall", &r.overall));
    t.push_str("\nby encounter type\n");
    for (ty, o) in &r.by_type {
        t.push_str(&output_line(ty, o));
    }
    t.push_str("\nby coder\n");
    for (c, o) in &r.by_coder {
        t.push_str(&output_line(c, o));
    }
    t.push_str("\nby coder and encounter type\n");
    for (c, ty, o) in &r.by_coder_and_type {
        t.push_str(&output_line(&format!("{c} {ty}"), o));
    }
    t
}

fn held_cell(h: &Held) -> String {
    format!("{:>5}", h.charts)
}

fn held_line(label: &str, l: &quality::HeldLine) -> String {
    let mut s = format!("{label:<24}");
    for b in &l.buckets {
        s.push_str(&format!(" {}", held_cell(b)));
    }
    s.push_str(&format!(
        " {:>6} {:>13.2}\n",
        l.total.charts, l.total.amount
    ));
    s
}

/// The DNFB report as text (80 columns).
pub fn dnfb_text(r: &quality::DnfbReport) -> String {
    let mut t = format!(
        "Discharged, not final billed, as of {} (discharged {})\n\
         amount held: DRG weight x base rate {} (charts without a stored DRG: no amount)\n\n",
        r.as_of,
        period(&r.scope),
        r.base_rate
    );
    let mut head = format!("{:<24}", "days since discharge");
    for b in &r.buckets {
        head.push_str(&format!(" {b:>5}"));
    }
    head.push_str(&format!(" {:>6} {:>13}\n", "charts", "amount"));
    t.push_str(&head);
    t.push_str(&held_line("DNFB (not final)", &r.total));
    t.push_str(&held_line("DNFC (not coded)", &r.not_coded));
    t.push_str("\nby status\n");
    for (s, l) in &r.by_status {
        t.push_str(&held_line(s, l));
    }
    t.push_str("\non hold, by reason\n");
    for (h, l) in &r.by_hold {
        t.push_str(&held_line(h, l));
    }
    t.push_str(&format!(
        "\nmean days since discharge: {}; charts without an estimate: {}\n",
        num(r.mean_days, 1),
        r.total.total.without_estimate
    ));
    t
}
