//! The MS-DRG commands: `group` (an import file or a stored chart) and
//! `report cmi` (the case mix index of completed inpatient charts).

use super::refuse_file;
use crate::config::Config;
use crate::drg::HospitalStatus;
use crate::interchange;
use crate::sanitize::line;
use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The hospital's HAC status for the grouper (`[drg] poa_exempt`).
pub(super) fn hospital_status(config: &Config) -> HospitalStatus {
    crate::tui::drg::hospital_status(config.drg.poa_exempt)
}

/// `chartcoder group`.
pub(super) fn group(config: &Config, file: &Path, json: bool) -> anyhow::Result<ExitCode> {
    use crate::drg::{Claim, Grouper};
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let charts = match interchange::json::parse_charts(&bytes) {
        Ok(charts) => charts,
        Err(problems) => return Ok(refuse_file(file, &problems)),
    };
    let grouper = Grouper::load_bundled().map_err(|e| anyhow!("{e}"))?;
    let hospital = hospital_status(config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut ungrouped = false;
    for (_, chart) in &charts {
        let account = &chart.account;
        let grouped = Claim::from_chart(chart)
            .ok_or_else(|| "not grouped: the chart has no diagnosis".to_string())
            .and_then(|mut claim| {
                claim.hospital_status = hospital;
                grouper.group(&claim).map_err(|e| e.to_string())
            });
        match grouped {
            Ok(g) => {
                let r = &g.final_result;
                let reason = match (r.drg, r.return_code) {
                    (998, _) => {
                        Some("the principal diagnosis is not valid as a discharge diagnosis")
                    }
                    (_, crate::drg::ReturnCode::Ok) => None,
                    (_, rc) => Some(rc.reason()),
                };
                ungrouped |= reason.is_some();
                if json {
                    #[derive(serde::Serialize)]
                    struct Line<'a> {
                        account: &'a str,
                        reason: Option<&'a str>,
                        #[serde(flatten)]
                        grouping: &'a crate::drg::Grouping,
                    }
                    serde_json::to_writer(
                        &mut out,
                        &Line {
                            account,
                            reason,
                            grouping: &g,
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
            }
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
