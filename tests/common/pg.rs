//! A PostgreSQL database of a test's own on the throwaway server that
//! `bash tests/run.sh` starts (`CHARTCODER_TEST_PG`): created empty, dropped
//! when the test ends, failing or not. Without the server the tests that
//! need it skip, except under CI, where its absence is a failure.

use chartcoder::store::{Store, StoreOptions};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The server's settings (libpq `key=value` words), or None outside CI.
pub fn server() -> Option<String> {
    match std::env::var("CHARTCODER_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "CHARTCODER_TEST_PG is unset under CI: tests/run.sh starts the server and sets it"
            )
        }
        _ => {
            eprintln!(
                "PostgreSQL tests skipped: CHARTCODER_TEST_PG is unset (bash tests/run.sh sets it)"
            );
            None
        }
    }
}

/// A database of the test's own.
pub struct TestPg {
    server: String,
    pub name: String,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl TestPg {
    /// A new empty database, `None` (the test skips) without a server.
    pub fn new(tag: &str) -> Option<TestPg> {
        TestPg::with_options(tag, "")
    }

    /// [`TestPg::new`] with `CREATE DATABASE` options (a locale, say).
    pub fn with_options(tag: &str, options: &str) -> Option<TestPg> {
        let server = server()?;
        let n = DATABASES.fetch_add(1, Ordering::SeqCst);
        let name = format!("chartcoder_test_{tag}_{}_{n}", std::process::id());
        let mut admin = chartcoder::store::postgres::connect(&server).unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {name} {options}"))
            .unwrap();
        Some(TestPg { server, name })
    }

    /// The database's address in libpq `key=value` words.
    pub fn words(&self) -> String {
        format!("{} dbname={}", self.server, self.name)
    }

    /// The database's address as a `postgresql://` URL (what `--db` and
    /// `database.url` take), the server's socket folder and user as
    /// parameters.
    pub fn url(&self) -> String {
        let config = chartcoder::store::postgres::config(&self.server).unwrap();
        let mut url = format!("postgresql:///{}?", self.name);
        let mut sep = "";
        for host in config.get_hosts() {
            if let postgres::config::Host::Unix(path) = host {
                url.push_str(&format!("{sep}host={}", path.display()));
                sep = "&";
            }
            if let postgres::config::Host::Tcp(name) = host {
                url.push_str(&format!("{sep}host={name}"));
                sep = "&";
            }
        }
        if let Some(port) = config.get_ports().first() {
            url.push_str(&format!("{sep}port={port}"));
            sep = "&";
        }
        if let Some(user) = config.get_user() {
            url.push_str(&format!("{sep}user={user}"));
        }
        url
    }

    /// The store on this database (migrated on first open).
    pub fn store(&self) -> Store {
        Store::open_url(&self.url(), &StoreOptions::default()).unwrap()
    }

    /// A raw client on this database, for checks behind the store's back.
    pub fn client(&self) -> postgres::Client {
        chartcoder::store::postgres::connect(&self.words()).unwrap()
    }

    /// A raw client on the server's own database (to terminate sessions).
    pub fn admin(&self) -> postgres::Client {
        chartcoder::store::postgres::connect(&self.server).unwrap()
    }
}

impl Drop for TestPg {
    fn drop(&mut self) {
        if let Ok(mut admin) = chartcoder::store::postgres::connect(&self.server) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
