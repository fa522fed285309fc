//! Which database a command opens, and who it acts as.

use super::{Cli, demo};
use crate::config::Config;
use crate::sanitize::line;
use crate::store::{Store, StoreOptions};
use anyhow::anyhow;
use std::path::PathBuf;

/// The default database: `$XDG_DATA_HOME/chartcoder/chartcoder.db`.
pub fn default_db_path() -> anyhow::Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "chartcoder").ok_or_else(|| {
        anyhow!("cannot find your home directory for the default database; give --db PATH")
    })?;
    Ok(dirs.data_dir().join("chartcoder.db"))
}

/// Who a command acts as: the operating-system login of the process (its real
/// uid), or the coder --user or coder.name names when the site's act_as
/// policy lists this login (every audit row then names both). `$USER` and a
/// name typed on the command line are never taken on trust.
pub(super) fn acting_coder(cli: &Cli, config: &Config, store: &Store) -> anyhow::Result<String> {
    let os = crate::identity::os_user();
    let asked = cli
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .or_else(|| Some(config.coder.name.trim()).filter(|u| !u.is_empty()));
    let Some(name) = asked.filter(|name| *name != os) else {
        return Ok(os.to_string());
    };
    if name.chars().any(crate::sanitize::is_unsafe) || name.chars().count() > 64 {
        return Err(crate::store::StoreError::Refused(format!(
            "{:?} is not a coder name (at most 64 characters, no control characters)",
            crate::sanitize::line(name)
        ))
        .into());
    }
    if crate::store::site::policy(store.conn())?.may_act_as(os) {
        return Ok(name.to_string());
    }
    Err(crate::store::StoreError::Refused(format!(
        "you are logged in as {os}, and acting as the coder {:?} needs the site's act_as policy to list {os} \
         (a manager sets it: chartcoder policy set act_as {os}); leave out --user and coder.name to work as {os}",
        crate::sanitize::line(name)
    ))
    .into())
}

/// Where the chart database is: an SQLite file or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File(PathBuf),
    Server(String),
}

/// The database the options name: --db (a file, or a postgresql:// URL),
/// else database.url, else database.path; `None`: the default file.
pub fn location(cli: &Cli, config: &Config) -> Option<Location> {
    if let Some(db) = &cli.db {
        return Some(match db.to_str() {
            Some(url) if crate::store::postgres::is_url(url) => Location::Server(url.to_string()),
            _ => Location::File(db.clone()),
        });
    }
    if let Some(url) = config.database_url() {
        return Some(Location::Server(url));
    }
    config.database_path().map(Location::File)
}

/// The store options of the config.
pub fn store_options(config: &Config) -> StoreOptions {
    StoreOptions {
        busy_timeout: config.busy_timeout(),
    }
}

/// Opens the database the options name, creating and (for the default database or
/// with --demo) seeding it with the demo queue on first use. A PostgreSQL
/// database must exist (an administrator creates it); its schema is brought
/// up to date when this role may.
pub fn open_store(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let explicit = location(cli, config);
    let is_default = explicit.is_none();
    let options = store_options(config);
    let mut store = match explicit {
        Some(Location::Server(url)) => Store::open_url(&url, &options)?,
        Some(Location::File(path)) => Store::open(&path, &options)?,
        None => Store::open(&default_db_path()?, &options)?,
    };
    let seed = (is_default || cli.demo) && store.is_empty()?;
    if seed {
        let n =
            demo::seed(&mut store).map_err(|e| anyhow!("seeding the demo charts failed: {e}"))?;
        say!(
            "chartcoder: created {} with {n} demo charts",
            store.display_path()
        );
    }
    Ok(store)
}

/// Opens the database the options name for a command that reads or sends out
/// charts: a database named with --db or database.path must exist (a mistyped
/// path is an error, never a new empty database); the default one is created
/// and seeded on first use, and --demo asks for a seeded one.
pub fn open_existing(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let options = store_options(config);
    match location(cli, config) {
        _ if cli.demo => open_store(cli, config),
        Some(Location::File(path)) => Ok(Store::open_existing(&path, &options)?),
        Some(Location::Server(url)) => Ok(Store::open_url(&url, &options)?),
        None => open_store(cli, config),
    }
}

/// A way to open the same database again (a connection per thread or per
/// client of the HL7 listener); `location` as [`location`] gives it.
pub fn opener(cli: &Cli, config: &Config) -> anyhow::Result<crate::interchange::hl7::mllp::Opener> {
    let options = store_options(config);
    Ok(match location(cli, config) {
        Some(Location::Server(url)) => std::sync::Arc::new(move || Store::open_url(&url, &options)),
        Some(Location::File(path)) => {
            std::sync::Arc::new(move || Store::open_existing(&path, &options))
        }
        None => {
            let path = default_db_path()?;
            std::sync::Arc::new(move || Store::open_existing(&path, &options))
        }
    })
}

/// The workstation records every chart it opens in the audit trail: it does
/// not add to a trail that has been tampered with unless told to
/// (`--accept-broken-audit`), and then records that it was told.
pub(super) fn audit_trail_trusted(
    store: &mut Store,
    user: &str,
    accept: bool,
) -> anyhow::Result<bool> {
    if store.is_read_only() {
        return Ok(true); // the workstation refuses a read-only store itself
    }
    let v = crate::store::audit::verify(store.conn(), None)?;
    if v.intact() {
        return Ok(true);
    }
    if accept {
        let detail = format!("started although: {}", v.problems.join("; "));
        store.write(|tx| {
            crate::store::audit::record(
                tx,
                user,
                None,
                crate::domain::AuditAction::AuditBrokenAccepted,
                &detail,
            )
        })?;
        return Ok(true);
    }
    say!(
        "chartcoder: the audit trail of {} is broken, so the workstation does not start:",
        store.display_path()
    );
    for p in &v.problems {
        say!("  {}", line(p));
    }
    say!(
        "Report this to your manager or security officer. `chartcoder audit --verify` checks it again; \
         --accept-broken-audit starts anyway (and records that you did)."
    );
    Ok(false)
}

/// The stored chart with `account` for a command that shows its codes
/// (`validate`, `group`): reading it is a view of the chart, recorded in the
/// audit trail as `what`. `None` (said on standard error): no such chart.
pub(super) fn stored_chart(
    cli: &Cli,
    config: &Config,
    account: &str,
    what: &str,
) -> anyhow::Result<Option<crate::domain::Chart>> {
    let mut store = open_existing(cli, config)?;
    let user = acting_coder(cli, config, &store)?;
    let Some(id) = crate::store::charts::chart_id_for_account(store.conn(), account)? else {
        say!("chartcoder: no chart with account {account}");
        return Ok(None);
    };
    Ok(Some(store.write(|tx| {
        crate::store::audit::record(tx, &user, Some(id), crate::domain::AuditAction::View, what)?;
        crate::store::charts::load_chart(tx, id)
    })?))
}
