//! Several coders on one database file, as on a shared SSH server: 8 processes
//! each working its own chart for a while (CHARTCODER_CONCURRENCY_SECS, 30 by
//! default) see no error and lose no update; two processes opening the same
//! chart at once: one gets it, the other is told who holds it.
//!
//! Each coder saves a change every 10 ms, faster than any person types (a
//! process saving back to back without pause would starve the others: SQLite's
//! lock is not fair). The full-speed rate of one process is measured too.
//!
//! The coders are this test binary run again with `CHARTCODER_CODER` set.
//! The same test runs on a PostgreSQL database of its own when the throwaway
//! server is there (`CHARTCODER_TEST_PG`, see tests/common/pg.rs).

#![cfg(unix)]

mod common;

use common::coders::{self, as_coder};

const CODERS: usize = 8;

fn seconds() -> u64 {
    std::env::var("CHARTCODER_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30)
}

#[test]
fn eight_coders_on_one_file_lose_nothing() {
    if as_coder() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    eight_coders_lose_nothing(
        "eight_coders_on_one_file_lose_nothing",
        db.to_str().unwrap(),
    );
}

#[test]
fn eight_coders_on_one_postgres_database_lose_nothing() {
    if as_coder() {
        return;
    }
    let Some(pg) = common::pg::TestPg::new("conc") else {
        return;
    };
    eight_coders_lose_nothing(
        "eight_coders_on_one_postgres_database_lose_nothing",
        &pg.url(),
    );
}

/// The test on the demo queue seeded into the database at `db`, its coders
/// run as `test`.
fn eight_coders_lose_nothing(test: &str, db: &str) {
    let accounts = {
        let mut store = coders::open(db);
        chartcoder::demo::seed(&mut store).unwrap();
        coders::ready_accounts(&store)
    };
    coders::lose_nothing(test, db, &accounts, CODERS, seconds());
}
