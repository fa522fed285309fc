//! The store-level tests run on both stores without being written twice:
//! [`both_stores!`] turns one test into `NAME::sqlite` and `NAME::postgres`,
//! each given a [`Stores`] that opens fresh empty stores of its kind (an
//! in-memory SQLite database; a PostgreSQL database of the test's own on the
//! throwaway server, dropped when the test ends). Without the server the
//! `postgres` half skips, except under CI (see [`super::pg`]).
//!
//! Run one store's half alone: `cargo test --test store postgres`.

use super::pg::TestPg;
use chartcoder::store::Store;
use std::cell::RefCell;

/// Which store a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// Fresh empty stores of one kind, for one test.
pub struct Stores {
    kind: Kind,
    /// The PostgreSQL databases opened so far, dropped with `self`.
    databases: RefCell<Vec<TestPg>>,
}

impl Stores {
    pub fn sqlite() -> Stores {
        Stores {
            kind: Kind::Sqlite,
            databases: RefCell::new(Vec::new()),
        }
    }

    /// `None` (the test skips) without a server.
    pub fn postgres() -> Option<Stores> {
        super::pg::server()?;
        Some(Stores {
            kind: Kind::Postgres,
            databases: RefCell::new(Vec::new()),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// A new empty, migrated store (each call a database of its own).
    pub fn open(&self) -> Store {
        match self.kind {
            Kind::Sqlite => Store::open_in_memory().unwrap(),
            Kind::Postgres => {
                let db = TestPg::new("st").unwrap();
                let store = db.store();
                self.databases.borrow_mut().push(db);
                store
            }
        }
    }
}

/// One test, run on each store: `both_stores! { fn name(stores: &Stores) { ... } }`
/// (several tests in one call) gives the modules `name` with the tests
/// `sqlite` and `postgres`; the body opens its stores with `stores.open()`.
#[allow(unused_macros)]
macro_rules! both_stores {
    ($($(#[$attr:meta])* fn $name:ident($stores:ident: &Stores) $body:block)*) => {$(
        $(#[$attr])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn sqlite() {
                let $stores = &$crate::common::stores::Stores::sqlite();
                $body
            }

            #[test]
            fn postgres() {
                let Some(stores) = $crate::common::stores::Stores::postgres() else {
                    return;
                };
                let $stores = &stores;
                $body
            }
        }
    )*};
}
