//! The MS-DRG commands: `group` (an import file or a stored chart) and
//! `report cmi` (the case mix index of completed inpatient charts).

use super::{BAD_INPUT, Cli, acting_coder, open_existing, refuse_file};
use crate::config::Config;
use crate::domain::Chart;
use crate::drg::HospitalStatus;
use crate::interchange;
use crate::sanitize::line;
use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The grouper, its tables from the cache in `codesets.cache_dir` (a cache
/// that cannot be written is said on standard error; grouping goes on).
pub(super) fn load_grouper(config: &Config) -> Result<crate::drg::Grouper, crate::drg::TableError> {
    let (g, warning) = crate::drg::Grouper::load_cached(config.cache_dir().as_deref())?;
    if let Some(w) = warning {
        say!("chartcoder: {w}");
    }
    Ok(g)
}

/// The hospital's HAC status for the grouper (`[drg] poa_exempt`).
pub(super) fn hospital_status(config: &Config) -> HospitalStatus {
    crate::reference::working_drg::hospital_status(config.drg.poa_exempt)
}

/// The charts `chartcoder group` groups: the stored chart of `account` (its
/// view recorded) or the charts of an import file. `Err` holds the exit code
/// of a refusal already said (no such account, a file that does not import).
fn charts_to_group(
    cli: &Cli,
    config: &Config,
    account: Option<&str>,
    file: Option<&Path>,
) -> anyhow::Result<Result<Vec<Chart>, ExitCode>> {
    Ok(Ok(match (account, file) {
        (Some(account), _) => {
            let mut store = open_existing(cli, config)?;
            let user = acting_coder(cli, config, &store)?;
            match crate::store::charts::chart_id_for_account(store.conn(), account)? {
                // Its codes are shown (--json): a view of the chart, recorded;
                // the chart itself is not changed.
                Some(id) => vec![store.write(|tx| {
                    crate::store::audit::record(
                        tx,
                        &user,
                        Some(id),
                        crate::domain::AuditAction::View,
                        "group",
                    )?;
                    crate::store::charts::load_chart(tx, id)
                })?],
                None => {
                    say!("chartcoder: no chart with account {account}");
                    return Ok(Err(ExitCode::from(BAD_INPUT)));
                }
            }
        }
        (None, Some(file)) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            match interchange::json::parse_charts(&bytes) {
                Ok(charts) => charts.into_iter().map(|(_, c)| c).collect(),
                Err(problems) => return Ok(Err(refuse_file(file, &problems))),
            }
        }
        (None, None) => return Err(anyhow!("give --account ACCOUNT or a FILE")),
    }))
}

/// One chart's grouping as a line of `chartcoder group` (JSON or text).
/// Returns whether the claim did not group (a return code other than OK).
fn write_grouping(
    out: &mut impl Write,
    account: &str,
    g: &crate::drg::Grouping,
    json: bool,
) -> anyhow::Result<bool> {
    let r = &g.final_result;
    let reason = match (r.drg, r.return_code) {
        (998, _) => Some("the principal diagnosis is not valid as a discharge diagnosis"),
        (_, crate::drg::ReturnCode::Ok) => None,
        (_, rc) => Some(rc.reason()),
    };
    if json {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            account: &'a str,
            reason: Option<&'a str>,
            #[serde(flatten)]
            grouping: &'a crate::drg::Grouping,
        }
        serde_json::to_writer(
            &mut *out,
            &Line {
                account,
                reason,
                grouping: g,
            },
        )?;
        writeln!(out)?;
    } else {
        let weight = match (&g.weight, &g.weight_note) {
            (Some(w), _) => format!("weight {:.4}", w.weight),
            (None, Some(note)) => note.clone(),
            (None, None) => "weight n/a".to_string(),
        };
        let title = match reason {
            Some(why) => format!("{} ({}: {why})", r.title, r.return_code.as_str()),
            None => r.title.clone(),
        };
        writeln!(
            out,
            "{}\tDRG {:03}\tMDC {:02}\t{}\t{}",
            line(account),
            r.drg,
            r.mdc,
            line(&title),
            line(&weight)
        )?;
    }
    Ok(reason.is_some())
}

/// `chartcoder group`.
pub(super) fn group(
    cli: &Cli,
    config: &Config,
    account: Option<&str>,
    file: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    use crate::drg::Claim;
    let charts = match charts_to_group(cli, config, account, file)? {
        Ok(charts) => charts,
        Err(code) => return Ok(code),
    };
    let grouper = load_grouper(config).map_err(|e| anyhow!("{e}"))?;
    let hospital = hospital_status(config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut ungrouped = false;
    for chart in &charts {
        let account = &chart.account;
        let grouped = Claim::from_chart(chart)
            .ok_or_else(|| "not grouped: the chart has no diagnosis".to_string())
            .and_then(|mut claim| {
                claim.hospital_status = hospital;
                grouper.group(&claim).map_err(|e| e.to_string())
            });
        match grouped {
            Ok(g) => ungrouped |= write_grouping(&mut out, account, &g, json)?,
            Err(why) => {
                ungrouped = true;
                if json {
                    serde_json::to_writer(
                        &mut out,
                        &serde_json::json!({"account": account, "error": why}),
                    )?;
                    writeln!(out)?;
                } else {
                    writeln!(out, "{}\t{}", line(account), line(&why))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(if ungrouped {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `chartcoder report cmi`.
pub(super) fn report_cmi(
    cli: &Cli,
    config: &Config,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
    json: bool,
    csv: bool,
) -> anyhow::Result<ExitCode> {
    use crate::drg::case_mix;
    let store = open_existing(cli, config)?;
    let (rows, without) = crate::store::drg::case_mix_rows(store.conn(), from, to)?;
    let report = case_mix::compute(&rows, without, from, to);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else if csv {
        let mut w = ::csv::Writer::from_writer(&mut out);
        w.write_record([
            "section",
            "key",
            "charts",
            "weighted",
            "total_weight",
            "cmi",
        ])?;
        for row in case_mix::csv_rows(&report) {
            w.write_record(row.iter().map(|c| interchange::csv::cell(c)))?;
        }
        w.flush()?;
    } else {
        // DRG titles when the tables load (the numbers alone otherwise).
        let grouper = load_grouper(config).ok();
        let title = |drg: u16| -> Option<String> {
            let g = grouper.as_ref()?;
            let v = g.versions().last()?.version;
            g.drg_title(drg, v).map(str::to_string)
        };
        write!(
            out,
            "{}",
            crate::sanitize::text(&case_mix::text(&report, &title))
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
