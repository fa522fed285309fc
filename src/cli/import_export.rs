//! `chartcoder export` (JSON, CSV, FHIR) and the JSON import: charts in and
//! out as files.

use super::{BAD_INPUT, Cli, ExportFormat, acting_coder, open_existing, open_store};
use crate::config::Config;
use crate::domain::ChartStatus;
use crate::interchange::{self, ImportError};
use crate::store::Store;
use anyhow::{Context, anyhow};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// `chartcoder export`: written to the file (owner-only, never through a
/// link nor over the database, complete or not at all) or to standard output,
/// and recorded only once written.
pub(super) fn export(
    store: &mut Store,
    user: &str,
    format: ExportFormat,
    status: Option<ChartStatus>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let file = match output {
        Some(path) => {
            match crate::private_file::PrivateFile::create(path, &store.protected_files()) {
                Ok(f) => Some(f),
                Err(e) => {
                    say!("chartcoder: nothing was exported: {e}");
                    return Ok(ExitCode::from(BAD_INPUT));
                }
            }
        }
        None => None,
    };
    let how = format!(
        "{} to {}",
        match format {
            ExportFormat::Json => "json",
            ExportFormat::Csv => "csv",
            ExportFormat::Fhir => "fhir",
            ExportFormat::Hl7Bar => "hl7-bar",
        },
        match output {
            Some(p) => std::path::absolute(p)
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string(),
            None => "standard output".to_string(),
        }
    );
    // Written first (a file beside its name), put in place with the audit rows.
    let file = std::cell::RefCell::new(file);
    let mut pipe_closed = false;
    let deliver = |charts: &[crate::domain::Chart]| -> Result<(), String> {
        let written = match file.borrow_mut().as_mut() {
            Some(f) => write_export(format, charts, &mut std::io::BufWriter::new(f)),
            None => write_export(
                format,
                charts,
                &mut std::io::BufWriter::new(std::io::stdout().lock()),
            ),
        };
        if written.as_ref().is_err_and(crate::fault::is_broken_pipe) {
            pipe_closed = true;
        }
        written.map_err(|e| format!("{e:#}"))
    };
    let finish = || -> Result<(), String> {
        match file.borrow_mut().take() {
            Some(f) => f.commit().map_err(|e| e.to_string()),
            None => Ok(()),
        }
    };
    match interchange::export_charts(store, status, user, &how, deliver, finish) {
        Ok(n) => {
            if let Some(path) = output {
                say!("chartcoder: exported {n} chart(s) to {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        // The reader went away (`| head`): nothing recorded, end as SIGPIPE does.
        Err(interchange::ExportError::Write(_)) if pipe_closed => crate::fault::broken_pipe(),
        Err(e @ interchange::ExportError::Write(_)) => {
            say!("chartcoder: {e}");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) fn write_export(
    format: ExportFormat,
    charts: &[crate::domain::Chart],
    sink: &mut dyn Write,
) -> anyhow::Result<()> {
    match format {
        ExportFormat::Json => interchange::json::write_charts(charts, sink)?,
        ExportFormat::Csv => interchange::csv::write_codes(charts, sink)?,
        ExportFormat::Fhir => interchange::fhir::export::write_bundles(charts, sink)?,
        // Written by hl7::export_bar, a file per chart.
        ExportFormat::Hl7Bar => {}
    }
    sink.flush()?;
    Ok(())
}

/// `chartcoder import FILE` (JSON): all or nothing, every problem named.
pub(super) fn import_json(cli: &Cli, config: &Config, file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let mut store = open_store(cli, config)?;
    let user = acting_coder(cli, config, &store)?;
    match interchange::import_json(&mut store, &bytes, &user) {
        Ok(n) => {
            println!("imported {n} chart(s) from {}", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ ImportError::Invalid(_)) => {
            say_part!("chartcoder: {}: {e}", file.display());
            Ok(ExitCode::from(BAD_INPUT))
        }
        Err(e) => Err(anyhow!("{e}")),
    }
}

/// `chartcoder export`: HL7 BAR messages to a folder (a file per chart), the
/// other formats through [`export`].
pub(super) fn export_command(
    cli: &Cli,
    config: &Config,
    format: ExportFormat,
    account: Option<&str>,
    status: Option<ChartStatus>,
    output: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    if format != ExportFormat::Hl7Bar && account.is_some() {
        return Err(anyhow!("--account is taken by --format hl7-bar only"));
    }
    let mut store = open_existing(cli, config)?;
    let user = acting_coder(cli, config, &store)?;
    if format != ExportFormat::Hl7Bar {
        return export(&mut store, &user, format, status, output);
    }
    let dir = output
        .map(Path::to_path_buf)
        .or_else(|| config.hl7.outbox_dir())
        .ok_or_else(|| {
            anyhow!("hl7-bar needs a folder: -o DIR, or hl7.outbox_dir in the config")
        })?;
    super::hl7::export_bar(&mut store, &user, account, status, &dir)
}
