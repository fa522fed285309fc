//! The PostgreSQL store's schema: its numbered migrations, the roles and
//! grants that keep the audit trail and sent queries append-only on the
//! server, and [`migrate`]. The store does not run on PostgreSQL yet (its
//! backend comes next); this is what that backend stands on.
//!
//! # Versions
//!
//! PostgreSQL version `n` is recorded in `schema_version` (one row per
//! migration applied). No PostgreSQL database existed before SQLite's version
//! 9, so PostgreSQL migration 1 creates that whole schema at once; from then
//! on the two move in step, a SQLite migration and its PostgreSQL twin
//! together ([`PgMigration::sqlite_version`] names the SQLite version each
//! one matches):
//!
//! | PostgreSQL | SQLite (`user_version`) |
//! | --- | --- |
//! | 1 | 9 (migrations 1 to 9) |
//! | 2 | 9 (the live queue's signal, which SQLite has no need of) |
//! | 3 | 10 (the queue's word table) |
//!
//! `tests/pg_schema.rs` compares the two schemas table by table, column by
//! column, index by index and trigger by trigger ([`SQLITE_TRIGGER_TWINS`]),
//! so a SQLite migration added without its PostgreSQL twin fails it.
//!
//! # Roles
//!
//! An administrator creates two roles once per server ([`ROLES_SQL`]): an
//! owner, who runs `chartcoder db migrate` and owns the tables (triggers
//! refuse changes to the audit trail and sent queries even to it), and
//! `chartcoder_app`, the role coders' logins are members of. [`migrate`]
//! grants `chartcoder_app` what the workstation needs ([`APP_GRANTS_SQL`]):
//! no UPDATE, DELETE or TRUNCATE on the audit trail or the recipients of
//! sent queries, UPDATE of physician queries only in the columns a query's
//! life changes (status, sending, answer, closing), DELETE of drafts only
//! (a row-level policy), and TRUNCATE on nothing.
//!
//! # For the backend on top
//!
//! - Integer keys are identity columns: rows written with their ids (a copy
//!   from SQLite) leave the sequences behind; `setval` them after.
//! - Where SQLite has one writer, PostgreSQL has many: the audit rows' hash
//!   chain needs its appends serialised (a lock taken before reading the
//!   previous row's hash), and identity values are not handed out in commit
//!   order. "Next chart" is [`CLAIM_NEXT_READY_SQL`].
//! - The queue's counts are kept by triggers deferred to the commit (an open
//!   change holds no count row): within a change they do not yet show it.
//! - The refusals are raised with SQLSTATE P0001 and SQLite's messages.

mod checksum;
pub mod copy;
pub(in crate::store) mod guards;
pub mod listen;
mod open;
mod pgpass;
mod schema;
mod tls;

pub use checksum::TableSum;
pub(in crate::store) use open::open;
pub use open::redact;
pub use tls::{Settings, SslMode};

use std::str::FromStr;

/// One PostgreSQL schema step and the SQLite version it brings the schema to.
#[derive(Clone, Copy)]
pub struct PgMigration {
    /// The SQLite `user_version` whose schema this step reaches.
    pub sqlite_version: u32,
    /// The SQL, run in order in the migration's transaction.
    pub sql: &'static [&'static str],
}

/// Migration `i` (0-based) takes a database from version `i` to `i + 1`.
pub const MIGRATIONS: &[PgMigration] = &[
    // 1: SQLite's schema at version 9, whole: tables, indexes, triggers, and
    // the policy that lets roles other than the owner delete only drafts.
    PgMigration {
        sqlite_version: 9,
        sql: &[
            schema::TABLES_SQL,
            schema::TRIGGERS_SQL,
            DRAFTS_ONLY_DELETED_SQL,
        ],
    },
    // 2: the live queue: a committed change to what the queue shows signals
    // `chartcoder_queue` (see `listen`). SQLite's queue asks its
    // data_version instead; its schema does not change.
    PgMigration {
        sqlite_version: 9,
        sql: &[schema::QUEUE_NOTIFY_SQL],
    },
    // 3: SQLite's migration 10, the queue's word table (`store::name_words`)
    // and the triggers that keep it.
    PgMigration {
        sqlite_version: 10,
        sql: &[schema::CHART_NAME_WORDS_SQL],
    },
    // 4: SQLite's migration 11, the pairs of name words (`store::queue`).
    PgMigration {
        sqlite_version: 11,
        sql: &[schema::CHART_NAME_PAIRS_SQL],
    },
    // 5: SQLite's migration 12, accounts and MRNs in queue order (`store::queue`).
    PgMigration {
        sqlite_version: 12,
        sql: &[schema::CHART_NUMBERS_SQL],
    },
];

/// The PostgreSQL schema version this binary writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Row-level security on physician queries: a role that does not own the
/// table (`chartcoder_app`) sees, adds and updates every row, but deletes
/// only drafts; a sent query is not even a candidate for its DELETE.
const DRAFTS_ONLY_DELETED_SQL: &str = "
ALTER TABLE physician_queries ENABLE ROW LEVEL SECURITY;
CREATE POLICY physician_queries_read ON physician_queries FOR SELECT USING (true);
CREATE POLICY physician_queries_added ON physician_queries FOR INSERT WITH CHECK (true);
CREATE POLICY physician_queries_changed ON physician_queries FOR UPDATE
    USING (true) WITH CHECK (true);
CREATE POLICY physician_queries_drafts_deleted ON physician_queries FOR DELETE
    USING (status = 'draft');
";

/// The schema version table, made by [`migrate`] before anything else.
const VERSION_TABLE_SQL: &str = "
CREATE TABLE IF NOT EXISTS schema_version (
    version         BIGINT PRIMARY KEY,
    sqlite_version  BIGINT NOT NULL,
    applied_at      TIMESTAMPTZ NOT NULL DEFAULT now()
)";

/// Every SQLite trigger (by name) and the PostgreSQL trigger that keeps its
/// guarantee: (SQLite trigger, table, PostgreSQL trigger). The names are the
/// same except where PostgreSQL needs none of its own (said beside it).
pub const SQLITE_TRIGGER_TWINS: &[(&str, &str, &str)] = &[
    ("audit_no_update", "audit", "audit_no_update"),
    ("audit_no_delete", "audit", "audit_no_delete"),
    ("audit_no_replace", "audit", "audit_no_replace"),
    (
        "physician_queries_sent_are_immutable",
        "physician_queries",
        "physician_queries_sent_are_immutable",
    ),
    (
        "physician_queries_sent_are_kept",
        "physician_queries",
        "physician_queries_sent_are_kept",
    ),
    (
        "physician_queries_sent_not_replaced",
        "physician_queries",
        "physician_queries_sent_not_replaced",
    ),
    (
        "query_recipients_append_only",
        "query_recipients",
        "query_recipients_append_only",
    ),
    (
        "query_recipients_kept",
        "query_recipients",
        "query_recipients_kept",
    ),
    // SQLite's refuses an INSERT OR REPLACE over an existing rowid; the
    // PostgreSQL table has no key an upsert could meet, and an upsert's
    // UPDATE is refused by this one.
    (
        "query_recipients_not_replaced",
        "query_recipients",
        "query_recipients_append_only",
    ),
    (
        "chart_name_words_chart_added",
        "charts",
        "chart_name_words_chart_added",
    ),
    (
        "chart_name_words_chart_changed",
        "charts",
        "chart_name_words_chart_changed",
    ),
    (
        "chart_name_words_chart_removed",
        "charts",
        "chart_name_words_chart_removed",
    ),
    (
        "chart_name_words_word_added",
        "patient_name_words",
        "chart_name_words_word_added",
    ),
    (
        "chart_name_words_word_removed",
        "patient_name_words",
        "chart_name_words_word_removed",
    ),
    (
        "chart_name_pairs_chart_added",
        "charts",
        "chart_name_pairs_chart_added",
    ),
    (
        "chart_name_pairs_chart_changed",
        "charts",
        "chart_name_pairs_chart_changed",
    ),
    (
        "chart_name_pairs_chart_removed",
        "charts",
        "chart_name_pairs_chart_removed",
    ),
    (
        "chart_name_pairs_word_added",
        "patient_name_words",
        "chart_name_pairs_word_added",
    ),
    (
        "chart_name_pairs_word_removed",
        "patient_name_words",
        "chart_name_pairs_word_removed",
    ),
    (
        "chart_numbers_chart_added",
        "charts",
        "chart_numbers_chart_added",
    ),
    (
        "chart_numbers_chart_changed",
        "charts",
        "chart_numbers_chart_changed",
    ),
    (
        "chart_numbers_chart_removed",
        "charts",
        "chart_numbers_chart_removed",
    ),
    (
        "chart_numbers_mrn_changed",
        "patients",
        "chart_numbers_mrn_changed",
    ),
    (
        "charts_counted_on_insert",
        "charts",
        "charts_counted_on_insert",
    ),
    (
        "charts_counted_on_delete",
        "charts",
        "charts_counted_on_delete",
    ),
    (
        "charts_counted_on_update",
        "charts",
        "charts_counted_on_update",
    ),
    ("chart_coding_summed", "chart_coding", "chart_coding_summed"),
    (
        "reviews_scored_on_insert",
        "reviews",
        "reviews_scored_on_insert",
    ),
    (
        "reviews_scored_on_close",
        "reviews",
        "reviews_scored_on_close",
    ),
    (
        "review_diagnoses_kept",
        "review_diagnoses",
        "review_diagnoses_kept",
    ),
    (
        "review_procedures_kept",
        "review_procedures",
        "review_procedures_kept",
    ),
    (
        "diagnoses_final_update",
        "diagnoses",
        "diagnoses_final_update",
    ),
    (
        "diagnoses_final_delete",
        "diagnoses",
        "diagnoses_final_delete",
    ),
    (
        "procedures_final_update",
        "procedures",
        "procedures_final_update",
    ),
    (
        "procedures_final_delete",
        "procedures",
        "procedures_final_delete",
    ),
    (
        "chart_drgs_final_update",
        "chart_drgs",
        "chart_drgs_final_update",
    ),
    (
        "chart_drgs_final_delete",
        "chart_drgs",
        "chart_drgs_final_delete",
    ),
    (
        "charts_final_reopened_only",
        "charts",
        "charts_final_reopened_only",
    ),
];

/// The PostgreSQL triggers with no SQLite twin: TRUNCATE, which SQLite does
/// not have, refused where a row trigger refuses DELETE.
pub const TRUNCATE_GUARDS: &[(&str, &str)] = &[
    ("audit", "audit_no_truncate"),
    ("physician_queries", "physician_queries_no_truncate"),
    ("query_recipients", "query_recipients_no_truncate"),
    ("diagnoses", "diagnoses_final_truncate"),
    ("procedures", "procedures_final_truncate"),
    ("chart_drgs", "chart_drgs_final_truncate"),
];

/// The PostgreSQL triggers that signal the live queue (migration 2), with
/// no SQLite twin: (table, trigger).
pub const QUEUE_NOTIFIERS: &[(&str, &str)] = &[
    ("charts", "charts_queue_arrived"),
    ("charts", "charts_queue_changed"),
    ("patients", "patients_queue_changed"),
    ("holds", "holds_queue_arrived"),
    ("holds", "holds_queue_changed"),
    ("physician_queries", "physician_queries_queue_changed"),
    ("physician_queries", "physician_queries_queue_arrived"),
];

/// The role the workstation's connections act as.
pub const APP_ROLE: &str = "chartcoder_app";

/// The roles and database, made once per server by an administrator (a
/// superuser, or a role with CREATEROLE and CREATEDB). Coders' logins (or
/// one service login) are members of `chartcoder_app`; the owner runs
/// `chartcoder db migrate`. README's PostgreSQL section shows the same.
pub const ROLES_SQL: &str = "
CREATE ROLE chartcoder_owner LOGIN;
CREATE ROLE chartcoder_app NOLOGIN;
CREATE DATABASE chartcoder OWNER chartcoder_owner;
REVOKE ALL ON DATABASE chartcoder FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE chartcoder TO chartcoder_app;
-- each coder: CREATE ROLE alice LOGIN IN ROLE chartcoder_app;
";

/// What `chartcoder_app` may do, granted by [`migrate`] (as the tables'
/// owner) after every migration when the role exists: read and write the
/// working tables; only add to the audit trail, the recipients of sent
/// queries and the coder's version kept beside a review; change a physician
/// query only in the columns its life changes; TRUNCATE nothing; only read
/// the schema version.
pub const APP_GRANTS_SQL: &str = "
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO chartcoder_app', current_schema());
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA %I FROM chartcoder_app', current_schema());
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO chartcoder_app',
                   current_schema());
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO chartcoder_app', current_schema());
END $$;
REVOKE UPDATE, DELETE ON audit, query_recipients, review_diagnoses, review_procedures
    FROM chartcoder_app;
REVOKE INSERT, UPDATE, DELETE ON schema_version FROM chartcoder_app;
REVOKE UPDATE ON physician_queries FROM chartcoder_app;
GRANT UPDATE (status, sent_at, text, answer, answered_at, outcome, closed_at, cancel_reason)
    ON physician_queries TO chartcoder_app;
";

/// \"Next chart\": the oldest ready chart no other transaction holds,
/// claimed for `$1` at `$2` (ISO text). `FOR UPDATE SKIP LOCKED` hands two
/// coders asking at once two different charts; none when none is free.
pub const CLAIM_NEXT_READY_SQL: &str = "
UPDATE charts SET status = 'in_progress', claimed_by = $1, claimed_at = $2, updated_at = $2
WHERE chart_id = (SELECT chart_id FROM charts WHERE status = 'ready'
                  ORDER BY discharge_date, chart_id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING chart_id";

/// The advisory lock [`migrate`] holds for its transaction ("CHCO"), so two
/// processes migrating at once apply each step once.
pub const MIGRATION_LOCK: i64 = 0x4348_434F;

/// What can go wrong opening or migrating a PostgreSQL database.
#[derive(Debug, thiserror::Error)]
pub enum PgError {
    #[error(
        "the PostgreSQL database has schema version {found}, newer than this chartcoder understands \
         ({supported}); use a newer chartcoder"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("the PostgreSQL address {url:?} is not understood: {}", said(.cause))]
    Url { url: String, cause: postgres::Error },
    #[error("cannot connect to PostgreSQL: {}", said(.0))]
    Connect(postgres::Error),
    #[error("PostgreSQL TLS: {0}")]
    Tls(String),
    #[error("cannot connect to PostgreSQL: {0}")]
    Refused(String),
    #[error("PostgreSQL: {}", said(.0))]
    Sql(#[from] postgres::Error),
}

/// What the server or the client said: the server's message (and detail)
/// rather than the client's bare "db error", a cause's words after its kind.
pub(crate) fn said(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return match db.detail() {
            Some(detail) => format!("{} ({detail})", db.message()),
            None => db.message().to_string(),
        };
    }
    let mut text = error.to_string();
    let mut cause = std::error::Error::source(error);
    while let Some(c) = cause {
        let words = c.to_string();
        if !text.contains(&words) {
            text = format!("{text}: {words}");
        }
        cause = c.source();
    }
    tls::in_words(text)
}

/// Whether a `--db` value names a PostgreSQL database rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgresql://") || db.starts_with("postgres://")
}

/// The connection settings of `url` (a `postgresql://` URL or libpq
/// `key=value` words), what it leaves out taken as libpq takes it: from
/// PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE, else the server's
/// socket in /var/run/postgresql (or /tmp), the login name, a database of
/// the user's name; the password, when none is given, from the password file
/// (`PGPASSFILE`, else `~/.pgpass`). The TLS settings are
/// [`settings`]'s.
pub fn config(url: &str) -> Result<postgres::Config, PgError> {
    Ok(settings(url)?.config().clone())
}

/// [`config`] with its TLS (`sslmode`, `sslrootcert`, the client
/// certificate and revocation lists, else their `PGSSL…` variables and
/// `~/.postgresql` files; see `tls.rs`): what every connection of the store
/// is made with.
pub fn settings(url: &str) -> Result<Settings, PgError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    tls::settings(url, &env)
}

/// The client's settings of `rest` (`url` without its TLS words), what it
/// leaves out taken as libpq takes it.
fn client_config(url: &str, rest: &str) -> Result<postgres::Config, PgError> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = postgres::Config::from_str(rest).map_err(|cause| PgError::Url {
        url: redact(url),
        cause,
    })?;
    if config.get_hosts().is_empty() {
        match env("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',') {
                    if host.starts_with('/') {
                        config.host_path(host);
                    } else {
                        config.host(host);
                    }
                }
            }
            None => {
                let socket_dir = ["/var/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|d| std::path::Path::new(d).is_dir())
                    .unwrap_or("/tmp");
                config.host_path(socket_dir);
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none() {
        let user = env("PGUSER").unwrap_or_else(|| crate::identity::os_user().to_string());
        config.user(&user);
    }
    if config.get_password().is_none()
        && let Some(password) = env("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_dbname().is_none() {
        let dbname = env("PGDATABASE")
            .or_else(|| config.get_user().map(str::to_string))
            .unwrap_or_default();
        config.dbname(&dbname);
    }
    if config.get_password().is_none()
        && let Some(password) = password_from_file(&config)
    {
        config.password(password);
    }
    Ok(config)
}

/// The password libpq's password file gives (`PGPASSFILE`, else
/// `~/.pgpass`; see `pgpass.rs`) for the first host of `config`.
fn password_from_file(config: &postgres::Config) -> Option<String> {
    let path = pgpass::path()?;
    let host = match config.get_hosts().first()? {
        postgres::config::Host::Tcp(name) => name.clone(),
        // A Unix socket is "localhost" to the password file, as to libpq.
        postgres::config::Host::Unix(_) => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    pgpass::lookup(
        &path,
        &host,
        port,
        config.get_dbname().unwrap_or_default(),
        config.get_user().unwrap_or_default(),
    )
}

/// A connection to the database `url` names (see [`config`]).
pub fn connect(url: &str) -> Result<postgres::Client, PgError> {
    let settings = settings(url)?;
    settings.connect().map_err(|e| {
        // A refusal about the client certificate says which was sent.
        let (said, explained) = (said(&e), settings.explain(said(&e)));
        if explained == said {
            PgError::Connect(e)
        } else {
            PgError::Refused(explained)
        }
    })
}

/// Applies the migrations the database lacks, in one transaction under an
/// advisory lock (a second process migrating at once waits, then finds
/// nothing to do), then grants `chartcoder_app` its rights when that role
/// exists. Returns the schema version the database is at. A database newer
/// than this binary is refused and left as it is.
pub fn migrate(client: &mut postgres::Client) -> Result<u32, PgError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    tx.batch_execute(VERSION_TABLE_SQL)?;
    let found: i64 = tx
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])?
        .try_get(0)?;
    let found = u32::try_from(found).unwrap_or(u32::MAX);
    if found > LATEST {
        return Err(PgError::NewerSchema {
            found,
            supported: LATEST,
        });
    }
    // The database's first manager: whoever migrates it first (as the owner
    // of an SQLite file is).
    tx.execute(
        "SELECT set_config('chartcoder.first_manager', $1, true)",
        &[&crate::identity::os_user()],
    )?;
    for (i, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        for sql in step.sql {
            tx.batch_execute(sql)?;
        }
        tx.execute(
            "INSERT INTO schema_version (version, sqlite_version) VALUES ($1, $2)",
            &[&(i as i64 + 1), &i64::from(step.sqlite_version)],
        )?;
    }
    let app_role: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&APP_ROLE],
        )?
        .try_get(0)?;
    if app_role {
        tx.batch_execute(APP_GRANTS_SQL)?;
    }
    tx.commit()?;
    Ok(LATEST)
}
