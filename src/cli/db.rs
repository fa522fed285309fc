//! `chartcoder db migrate`: the schema steps a database lacks, on either
//! store: an SQLite file (`--db PATH`) or a PostgreSQL database (`--db
//! postgresql://...`, libpq conventions). `chartcoder db copy`: an SQLite
//! database moved into an empty PostgreSQL one, verified table by table.

use super::Cli;
use crate::config::Config;
use crate::store::migrations;
use crate::store::postgres as pg;
use crate::store::{Store, StoreOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The `db` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Apply the migrations the database lacks (SQLite file or
    /// postgresql:// URL) and print its schema version
    Migrate,
    /// Copy an SQLite chart database into an empty PostgreSQL database, every
    /// row of every table in one transaction, verified by row counts and
    /// checksums before it is committed
    Copy {
        /// The SQLite database file to copy (it must exist; an older schema
        /// is migrated first, as opening it anywhere does)
        #[arg(long, value_name = "PATH")]
        from: PathBuf,
        /// The PostgreSQL database to copy into (postgresql://...; migrated
        /// first; it must hold no charts, audit rows or other rows yet)
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

pub(super) fn db_command(
    cli: &Cli,
    config: &Config,
    action: &DbCommand,
) -> anyhow::Result<ExitCode> {
    match action {
        DbCommand::Migrate => migrate(cli, config),
        DbCommand::Copy { from, to } => copy(config, from, to),
    }
}

fn migrate(cli: &Cli, config: &Config) -> anyhow::Result<ExitCode> {
    if let Some(super::open::Location::Server(url)) = super::open::location(cli, config) {
        let mut client = pg::connect(&url)?;
        let version = pg::migrate(&mut client)?;
        let sqlite = pg::MIGRATIONS
            .get((version as usize).wrapping_sub(1))
            .map_or(0, |m| m.sqlite_version);
        println!("PostgreSQL schema version {version} (the schema of SQLite's version {sqlite})");
        return Ok(ExitCode::SUCCESS);
    }
    let store = super::open_existing(cli, config)?;
    let version = store.schema_version()?;
    println!(
        "SQLite schema version {version} (this chartcoder writes {})",
        migrations::LATEST
    );
    Ok(ExitCode::SUCCESS)
}

fn copy(config: &Config, from: &Path, to: &str) -> anyhow::Result<ExitCode> {
    if !pg::is_url(to) {
        anyhow::bail!(
            "--to takes a PostgreSQL database as postgresql://[USER@]HOST[:PORT]/DATABASE"
        );
    }
    if pg::is_url(&from.to_string_lossy()) {
        anyhow::bail!("--from takes the SQLite database file to copy, not a URL");
    }
    if !from.is_file() {
        anyhow::bail!(
            "--from {}: there is no SQLite database file there; nothing was copied",
            from.display()
        );
    }
    let options = StoreOptions {
        busy_timeout: config.busy_timeout(),
    };
    let source = Store::open_existing(from, &options)
        .map_err(|e| anyhow::anyhow!("--from {}: {e}", from.display()))?;
    let trail = crate::store::audit::verify(source.conn(), None)?;
    let mut client = pg::connect(to)?;
    let started = Instant::now();
    let report = pg::copy::copy(&source, &mut client, &mut |p| {
        if p.rows >= pg::copy::PROGRESS_EVERY {
            eprintln!("chartcoder: {}: {} of {} rows", p.table, p.copied, p.rows);
        }
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    print!("{}", copy_report(from, to, &report, seconds));
    match trail.intact() {
        true => println!(
            "The audit trail ({} rows, head {}) verified intact in SQLite; its hashes are copied as they were.",
            trail.rows,
            pg::copy::short(&trail.head)
        ),
        false => println!(
            "WARNING: the SQLite audit trail does not verify ({}); it was copied as it is.",
            trail.problems.join("; ")
        ),
    }
    println!(
        "Next: point the coders' database.url at {to}; keep {} read-only, as the record of the move.",
        from.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The table of what was copied and verified.
fn copy_report(from: &Path, to: &str, report: &pg::copy::CopyReport, seconds: f64) -> String {
    let mut out = format!(
        "Copied {} to {to} in {seconds:.1} s (database id {} kept):\n{:<20} {:>10}  {:<12}\n",
        from.display(),
        report.database_id,
        "table",
        "rows",
        "checksum"
    );
    for (table, sum) in &report.tables {
        out.push_str(&format!(
            "{table:<20} {:>10}  {:<12}  OK\n",
            sum.rows,
            pg::copy::short(&sum.sha256)
        ));
    }
    let rows: u64 = report.tables.iter().map(|(_, s)| s.rows).sum();
    out.push_str(&format!(
        "{} tables, {rows} rows: every table's row count and checksum read back from PostgreSQL \
         match SQLite's.\n",
        report.tables.len()
    ));
    out
}
