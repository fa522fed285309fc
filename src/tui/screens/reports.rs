//! The quality reports screen: a tab line (accuracy, productivity, DNFB),
//! the scope, the report's table and its terminal charts (bar charts and a
//! sparkline for the trend and the aging). Readable at 80x24 and without
//! colour: every figure is text, the charts only repeat it.

use crate::store::quality::{Accuracy, AccuracyReport, DnfbReport, HeldLine, Output};
use crate::store::quality::{ProductivityReport, Scope};
use crate::tui::app::App;
use crate::tui::keymap::{Action, Context};
use crate::tui::reports::{QualityReport, QualityTab, QualityView, bucket_names};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, Block, Borders, Clear, Paragraph, Sparkline};

const FOOTER: &[Action] = &[
    Action::NextPane,
    Action::ScrollDown,
    Action::SetFrom,
    Action::SetTo,
    Action::SetCoder,
    Action::ClearFilters,
    Action::Back,
    Action::Help,
];

/// Rows the charts take under the table.
const CHART_ROWS: u16 = 8;

pub fn render(app: &App, q: &QualityView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let [title, scope, body, charts, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(CHART_ROWS),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Clear, area);
    render_tabs(app, q, theme, frame, title);
    frame.render_widget(
        Paragraph::new(Span::styled(scope_text(&q.scope), theme.dim)),
        scope,
    );
    let lines = match (&q.report, q.loading) {
        (_, true) => vec![" reading the report…".to_string()],
        (None, false) => vec![" no report".to_string()],
        (Some(r), false) => table_lines(r),
    };
    frame.render_widget(
        Paragraph::new(lines.into_iter().map(Line::raw).collect::<Vec<_>>())
            .scroll((q.scroll, 0))
            .block(Block::default().borders(Borders::TOP | Borders::BOTTOM)),
        body,
    );
    if let (Some(r), false) = (&q.report, q.loading) {
        render_charts(r, theme, frame, charts);
    }
    match &q.input {
        Some((field, input)) => {
            super::review::prompt_line(theme, frame, footer, field.prompt(), input)
        }
        None => super::footer(app, theme, frame, footer, Context::Quality, FOOTER),
    }
}

fn render_tabs(app: &App, q: &QualityView, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let mut spans = vec![Span::styled(" chartcoder · reports ", theme.title)];
    for tab in QualityTab::ALL {
        if tab == q.tab {
            spans.push(Span::styled(format!("[{}]", tab.label()), theme.selected));
        } else {
            spans.push(Span::raw(format!(" {} ", tab.label())));
        }
        spans.push(Span::raw(" "));
    }
    super::title_bar(app, theme, frame, area, Line::from(spans));
}

fn scope_text(scope: &Scope) -> String {
    let day = |d: Option<chrono::NaiveDate>| d.map_or_else(|| "…".to_string(), |d| d.to_string());
    format!(
        " period {} to {} · coder: {}",
        day(scope.from),
        day(scope.to),
        scope.coder.as_deref().unwrap_or("every coder")
    )
}

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:.1}%"))
}

fn number(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{p:.2}"))
}

/// The report's table, as text lines of at most 78 columns.
pub fn table_lines(report: &QualityReport) -> Vec<String> {
    match report {
        QualityReport::Accuracy(r) => accuracy_lines(r),
        QualityReport::Productivity(r) => productivity_lines(r),
        QualityReport::Dnfb(r) => dnfb_lines(r),
    }
}

fn accuracy_row(name: &str, a: &Accuracy, target: f64) -> String {
    let meets = match a.meets_target {
        Some(true) => "meets".to_string(),
        Some(false) => format!("BELOW {target}"),
        None => String::new(),
    };
    format!(
        " {:<12}{:>6} {:>7} {:>7} {:>8} {:>7} {:>7}  {meets}",
        name.chars().take(12).collect::<String>(),
        a.charts,
        percent(a.dx_accuracy),
        percent(a.px_accuracy),
        percent(a.code_accuracy),
        percent(a.principal_accuracy),
        percent(a.drg_accuracy),
    )
}

fn accuracy_lines(r: &AccuracyReport) -> Vec<String> {
    let o = &r.overall;
    let mut lines = vec![
        format!(
            " {:<12}{:>6} {:>7} {:>7} {:>8} {:>7} {:>7}  target {}%",
            "", "charts", "dx", "px", "codes", "pdx", "DRG", r.target
        ),
        accuracy_row("overall", o, r.target),
        format!(
            " errors: dx {} of {}, px {} of {}; principal changed {} of {}; DRG changed {} of {}",
            o.dx_errors,
            o.dx_codes,
            o.px_errors,
            o.px_codes,
            o.principal_changed,
            o.principal_charts,
            o.drg_changed,
            o.drg_charts
        ),
        " by coder".to_string(),
    ];
    lines.extend(r.by_coder.iter().map(|(c, a)| accuracy_row(c, a, r.target)));
    lines.push(" by month (the month the coder completed the chart)".to_string());
    lines.extend(r.trend.iter().map(|(m, a)| accuracy_row(m, a, r.target)));
    lines
}

fn output_row(name: &str, o: &Output) -> String {
    format!(
        " {:<22}{:>6} {:>7.2} {:>7} {:>7} {:>7} {:>8}",
        name.chars().take(22).collect::<String>(),
        o.charts,
        o.hours,
        number(o.charts_per_hour),
        number(o.minutes_per_chart),
        number(o.target_per_hour),
        percent(o.percent_of_target),
    )
}

fn productivity_lines(r: &ProductivityReport) -> Vec<String> {
    let mut lines = vec![
        format!(
            " {:<22}{:>6} {:>7} {:>7} {:>7} {:>7} {:>8}",
            "", "charts", "hours", "ch/h", "min/ch", "target", "% target"
        ),
        output_row("overall", &r.overall),
        " by encounter type".to_string(),
    ];
    lines.extend(r.by_type.iter().map(|(t, o)| output_row(t, o)));
    lines.push(" by coder".to_string());
    lines.extend(r.by_coder.iter().map(|(c, o)| output_row(c, o)));
    lines.push(" by coder and type".to_string());
    lines.extend(
        r.by_coder_and_type
            .iter()
            .map(|(c, t, o)| output_row(&format!("{c} {t}"), o)),
    );
    lines
}

fn held_row(name: &str, h: &HeldLine) -> String {
    let mut row = format!(
        " {:<18}{:>6}",
        name.chars().take(18).collect::<String>(),
        h.total.charts
    );
    for b in &h.buckets {
        row.push_str(&format!("{:>8}", b.charts));
    }
    row.push_str(&format!("{:>12.0}", h.total.amount));
    row
}

fn dnfb_lines(r: &DnfbReport) -> Vec<String> {
    let mut header = format!(" {:<18}{:>6}", format!("as of {}", r.as_of), "all");
    for b in bucket_names() {
        header.push_str(&format!("{b:>8}"));
    }
    header.push_str(&format!("{:>12}", "amount $"));
    let mut lines = vec![
        header,
        held_row("DNFB (not final)", &r.total),
        held_row("DNFC (not coded)", &r.not_coded),
        " by status".to_string(),
    ];
    lines.extend(r.by_status.iter().map(|(s, h)| held_row(s, h)));
    lines.push(" on hold, by why".to_string());
    lines.extend(r.by_hold.iter().map(|(s, h)| held_row(s, h)));
    lines.push(format!(
        " mean days since discharge {}; {} charts without a DRG: no amount",
        number(r.mean_days),
        r.total.total.without_estimate
    ));
    lines.push(format!(
        " amount = the stored DRG's weight x the base rate ({:.0})",
        r.base_rate
    ));
    lines
}

/// The charts under the table: the accuracy trend, the productivity against
/// target by coder, the DNFB aging (charts and amount by bucket).
fn render_charts(report: &QualityReport, theme: &Theme, frame: &mut Frame<'_>, area: Rect) {
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(area);
    let bars = |data: Vec<(String, u64, String)>| -> Vec<Bar<'static>> {
        data.into_iter()
            .map(|(label, value, text)| Bar::new(value).label(label).text_value(text))
            .collect()
    };
    let chart = |title: &str, data: Vec<(String, u64, String)>| {
        let width = data
            .iter()
            .map(|(l, _, t)| l.chars().count().max(t.chars().count()))
            .max()
            .unwrap_or(3)
            .clamp(3, 9) as u16;
        BarChart::new(bars(data))
            .bar_width(width)
            .bar_gap(1)
            .bar_style(theme.key)
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(Span::styled(title.to_string(), theme.header)),
            )
    };
    let spark = |title: &str, data: Vec<u64>| {
        Sparkline::default().data(data).style(theme.key).block(
            Block::default()
                .borders(Borders::ALL)
                .title(Span::styled(title.to_string(), theme.header)),
        )
    };
    match report {
        QualityReport::Accuracy(r) => {
            let trend = accuracy_bars(&r.trend);
            let points = trend.iter().map(|(_, v, _)| *v).collect();
            frame.render_widget(chart(" code accuracy % by month ", trend), left);
            frame.render_widget(spark(" trend ", points), right);
        }
        QualityReport::Productivity(r) => {
            frame.render_widget(
                chart(" % of target by coder ", output_bars(&r.by_coder)),
                left,
            );
            frame.render_widget(
                chart(" % of target by type ", output_bars(&r.by_type)),
                right,
            );
        }
        QualityReport::Dnfb(r) => {
            let aging = bucket_names()
                .into_iter()
                .zip(&r.total.buckets)
                .map(|(name, h)| (name.to_string(), h.charts, h.charts.to_string()))
                .collect();
            let amounts = r.total.buckets.iter().map(|h| h.amount.round() as u64);
            frame.render_widget(chart(" DNFB charts by days since discharge ", aging), left);
            frame.render_widget(spark(" amount by age ", amounts.collect()), right);
        }
    }
}

/// A bar per month: the code accuracy, whole percent.
fn accuracy_bars(trend: &[(String, Accuracy)]) -> Vec<(String, u64, String)> {
    trend
        .iter()
        .filter_map(|(month, a)| {
            let p = a.code_accuracy?;
            Some((
                month.get(2..).unwrap_or(month).to_string(),
                p.round() as u64,
                format!("{p:.0}"),
            ))
        })
        .collect()
}

/// A bar per coder or type: percent of target, whole percent.
fn output_bars(rows: &[(String, Output)]) -> Vec<(String, u64, String)> {
    rows.iter()
        .filter_map(|(name, o)| {
            let p = o.percent_of_target?;
            Some((
                name.chars().take(9).collect(),
                p.round() as u64,
                format!("{p:.0}"),
            ))
        })
        .collect()
}
