//! `chartcoder validate`: the edits on a stored chart or on a file of
//! claims, with the rules loaded once for the command line.

use super::{BAD_INPUT, Cli, drg, stored_chart};
use crate::config::Config;
use crate::interchange;
use crate::sanitize::line;
use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The edits' rules: the code sets from the cache in `codesets.cache_dir`
/// (a cache found damaged, or that cannot be written, is said on standard
/// error; the rules are complete either way), the site's tables from
/// `[edits]`.
pub fn load_rules(config: &Config) -> anyhow::Result<crate::edits::Rules> {
    let files = crate::edits::SiteFiles::from_config(&config.edits);
    let (rules, notice) = crate::reference::load_rules(config.cache_dir().as_deref(), &files)?;
    if let Some(n) = notice {
        say!("chartcoder: {n}");
    }
    Ok(rules)
}

/// `chartcoder validate`.
pub(super) fn validate(
    cli: &Cli,
    config: &Config,
    account: Option<&str>,
    file: Option<&Path>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let charts = match (account, file) {
        // Its codes are printed: a view of the chart, recorded.
        (Some(account), _) => match stored_chart(cli, config, account, "validate")? {
            Some(chart) => vec![(chart, Vec::new())],
            None => return Ok(ExitCode::from(BAD_INPUT)),
        },
        (None, Some(file)) => {
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            // As the claims came: a POA value that is not one is an error
            // finding, a diagnosis listed twice the MCE's duplicate.
            match interchange::json::parse_as_reported(&bytes) {
                Ok(charts) => charts
                    .into_iter()
                    .map(|c| (c.chart, c.invalid_poa))
                    .collect(),
                Err(problems) => return Ok(refuse_file(file, &problems)),
            }
        }
        (None, None) => return Err(anyhow!("give --account ACCOUNT or a FILE")),
    };
    let rules = match load_rules(config) {
        Ok(r) => r,
        Err(e) if crate::fault::is_broken_pipe(&e) => crate::fault::broken_pipe(),
        Err(e) => {
            say!("chartcoder: {e:#}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    // Inpatient charts are grouped: one that does not group is an error, and
    // Table 6K part 3 applies to its DRG.
    let grouper = match drg::load_grouper(config) {
        Ok(g) => g,
        Err(e) => {
            say!("chartcoder: the MS-DRG tables: {e}");
            return Ok(ExitCode::from(BAD_INPUT));
        }
    };
    let hospital = drg::hospital_status(config);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut errors = false;
    for (chart, invalid_poa) in &charts {
        let outcome =
            crate::reference::working_drg::WorkingDrg::of(Some(&grouper), chart, hospital)
                .outcome();
        for f in rules.validate_as_reported(chart, &outcome, invalid_poa) {
            errors |= f.severity == crate::edits::Severity::Error;
            if json {
                #[derive(serde::Serialize)]
                struct Line<'a> {
                    account: &'a str,
                    #[serde(flatten)]
                    finding: &'a crate::edits::Finding,
                }
                serde_json::to_writer(
                    &mut out,
                    &Line {
                        account: &chart.account,
                        finding: &f,
                    },
                )?;
                writeln!(out)?;
            } else {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    line(&chart.account),
                    f.severity.label(),
                    line(f.rule),
                    line(&f.codes.join(" ")),
                    line(&f.message),
                    line(&f.source)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(if errors {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// An input file refused: every problem named, exit status 2.
pub(super) fn refuse_file(file: &Path, problems: &[interchange::Problem]) -> ExitCode {
    say_part!(
        "chartcoder: {}: {} problem(s):\n{}",
        file.display(),
        problems.len(),
        interchange::problems_text(problems)
    );
    ExitCode::from(BAD_INPUT)
}
