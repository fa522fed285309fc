//! For the store's unit tests: the same test on both stores without writing
//! it twice. [`both_stores!`] turns one test into `NAME::sqlite` and
//! `NAME::postgres`, each given a [`Stores`] that opens fresh empty stores of
//! its kind: an in-memory SQLite database, or a PostgreSQL database of the
//! test's own on the throwaway server `CHARTCODER_TEST_PG` names (what
//! `bash tests/run.sh` starts), dropped when the test ends. Without that
//! server the `postgres` half skips, except under CI where it fails.

use super::{Store, StoreOptions};
use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Fresh empty stores of one kind, for one test.
pub struct Stores {
    kind: Kind,
    /// The server's libpq words (PostgreSQL only).
    server: String,
    /// The databases made so far, dropped with `self`.
    databases: RefCell<Vec<String>>,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

impl Stores {
    pub fn sqlite() -> Stores {
        Stores {
            kind: Kind::Sqlite,
            server: String::new(),
            databases: RefCell::new(Vec::new()),
        }
    }

    /// `None` (the test skips) without a server, outside CI.
    pub fn postgres() -> Option<Stores> {
        match std::env::var("CHARTCODER_TEST_PG") {
            Ok(server) if !server.is_empty() => Some(Stores {
                kind: Kind::Postgres,
                server,
                databases: RefCell::new(Vec::new()),
            }),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CHARTCODER_TEST_PG is unset under CI: tests/run.sh starts the server")
            }
            _ => None,
        }
    }

    /// Each store this run can test on (outside the store, where
    /// [`both_stores!`] is not in scope): SQLite, and PostgreSQL with a server.
    pub fn each() -> Vec<Stores> {
        std::iter::once(Stores::sqlite())
            .chain(Stores::postgres())
            .collect()
    }

    /// For a test whose behaviour legitimately differs between the stores.
    #[allow(dead_code)]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A new empty, migrated store (each call a database of its own).
    pub fn open(&self) -> Store {
        match self.kind {
            Kind::Sqlite => Store::open_in_memory().unwrap(),
            Kind::Postgres => {
                let n = DATABASES.fetch_add(1, Ordering::SeqCst);
                let name = format!("chartcoder_unit_{}_{n}", std::process::id());
                let mut admin = super::postgres::connect(&self.server).unwrap();
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                self.databases.borrow_mut().push(name.clone());
                let words = format!("{} dbname={name}", self.server);
                Store::open_url(&words, &StoreOptions::default()).unwrap()
            }
        }
    }
}

impl Drop for Stores {
    fn drop(&mut self) {
        let names = self.databases.get_mut();
        if names.is_empty() {
            return;
        }
        if let Ok(mut admin) = super::postgres::connect(&self.server) {
            for name in names.iter() {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// One test, run on each store: `both_stores! { fn name(stores: &Stores) { ... } }`
/// (several tests in one call) gives the module `name` with the tests
/// `sqlite` and `postgres`; the body opens its stores with `stores.open()`.
macro_rules! both_stores {
    ($($(#[$attr:meta])* fn $name:ident($stores:ident: &Stores) $body:block)*) => {$(
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $stores = &$crate::store::testing::Stores::sqlite();
                $body
            }

            #[test]
            fn postgres() {
                let Some(stores) = $crate::store::testing::Stores::postgres() else {
                    return;
                };
                let $stores = &stores;
                $body
            }
        }
    )*};
}
