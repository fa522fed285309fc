//! One store test run on both stores, written once: `on_both_stores!` turns
//! each named `fn name(stores: &Stores)` into the tests `name::sqlite`
//! (in-memory SQLite) and `name::postgres` (fresh PostgreSQL databases of
//! its own on the throwaway server, dropped at the end; skipped without the
//! server, except under CI: see [`super::pg`]). The same idea as part A's
//! `both_stores!` (tests/common/stores.rs, same `Stores::open`), written
//! before it landed: the two are to be made one.

use super::pg::TestPg;
use chartcoder::store::Store;
use std::cell::RefCell;

/// Where a test's stores are opened: every [`Stores::open`] gives a new,
/// empty, migrated store of the same kind.
pub struct Stores {
    /// `None` for SQLite; the tag naming the PostgreSQL databases.
    postgres: Option<&'static str>,
    /// The PostgreSQL databases made so far, dropped with `Stores`.
    databases: RefCell<Vec<TestPg>>,
}

impl Stores {
    pub fn sqlite() -> Stores {
        Stores {
            postgres: None,
            databases: RefCell::new(Vec::new()),
        }
    }

    /// `None` (the test skips) without a server.
    pub fn postgres(tag: &'static str) -> Option<Stores> {
        super::pg::server()?;
        Some(Stores {
            postgres: Some(tag),
            databases: RefCell::new(Vec::new()),
        })
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// A new empty store.
    pub fn open(&self) -> Store {
        let Some(tag) = self.postgres else {
            return Store::open_in_memory().unwrap();
        };
        let db = TestPg::new(tag).unwrap();
        let store = db.store();
        self.databases.borrow_mut().push(db);
        store
    }
}

/// `on_both_stores!("tag": test_a, test_b)`: the tests `test_a::sqlite`,
/// `test_a::postgres`, ... (`tag`, short, names the PostgreSQL databases).
#[allow(unused_macros)] // each test binary uses a subset of tests/common
macro_rules! on_both_stores {
    ($tag:literal: $($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name(&crate::common::pg_both::Stores::sqlite())
                }

                #[test]
                fn postgres() {
                    if let Some(stores) = crate::common::pg_both::Stores::postgres($tag) {
                        super::$name(&stores)
                    }
                }
            }
        )*
    };
}
#[allow(unused_imports)]
pub(crate) use on_both_stores;
