//! `chartcoder db migrate`: the schema steps a database lacks, on either
//! store: an SQLite file (`--db PATH`) or a PostgreSQL database (`--db
//! postgresql://...`, libpq conventions).

use super::Cli;
use crate::config::Config;
use crate::store::migrations;
use crate::store::postgres as pg;
use std::process::ExitCode;

/// The `db` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum DbCommand {
    /// Apply the migrations the database lacks (SQLite file or
    /// postgresql:// URL) and print its schema version
    Migrate,
}

pub(super) fn db_command(
    cli: &Cli,
    config: &Config,
    action: &DbCommand,
) -> anyhow::Result<ExitCode> {
    match action {
        DbCommand::Migrate => migrate(cli, config),
    }
}

fn migrate(cli: &Cli, config: &Config) -> anyhow::Result<ExitCode> {
    let db = cli.db.clone().or_else(|| config.database_path());
    if let Some(url) = db
        .as_deref()
        .and_then(|p| p.to_str())
        .filter(|p| pg::is_url(p))
    {
        let mut client = pg::connect(url)?;
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
