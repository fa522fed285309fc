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

/// A postgresql:// --db is refused (rather than taken for a file name)
/// until the store runs on PostgreSQL; `db migrate` already takes one.
fn not_postgres_yet(db: Option<&std::path::Path>) -> anyhow::Result<()> {
    match db.and_then(|p| p.to_str()) {
        Some(url) if crate::store::postgres::is_url(url) => Err(anyhow!(
            "the store does not run on PostgreSQL yet: only `chartcoder db migrate` takes a \
             postgresql:// --db for now"
        )),
        _ => Ok(()),
    }
}

/// Opens the database the options name, creating and (for the default database or
/// with --demo) seeding it with the demo queue on first use.
pub fn open_store(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let explicit = cli.db.clone().or_else(|| config.database_path());
    not_postgres_yet(explicit.as_deref())?;
    let is_default = explicit.is_none();
    let path = match explicit {
        Some(p) => p,
        None => default_db_path()?,
    };
    let options = StoreOptions {
        busy_timeout: config.busy_timeout(),
    };
    let mut store = Store::open(&path, &options)?;
    let seed = (is_default || cli.demo) && store.is_empty()?;
    if seed {
        let n =
            demo::seed(&mut store).map_err(|e| anyhow!("seeding the demo charts failed: {e}"))?;
        say!(
            "chartcoder: created {} with {n} demo charts",
            path.display()
        );
    }
    Ok(store)
}

/// Opens the database the options name for a command that reads or sends out
/// charts: a database named with --db or database.path must exist (a mistyped
/// path is an error, never a new empty database); the default one is created
/// and seeded on first use, and --demo asks for a seeded one.
pub fn open_existing(cli: &Cli, config: &Config) -> anyhow::Result<Store> {
    let db = cli.db.clone().or_else(|| config.database_path());
    not_postgres_yet(db.as_deref())?;
    let path = match db {
        Some(p) if !cli.demo => p,
        _ => return open_store(cli, config),
    };
    let options = StoreOptions {
        busy_timeout: config.busy_timeout(),
    };
    Ok(Store::open_existing(&path, &options)?)
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
