//! The layer on SQLite: every conversion both ways, NULLs, errors, transactions.

use super::*;

fn db() -> Db {
    Db::from_sqlite(rusqlite::Connection::open_in_memory().unwrap())
}

/// What SQLite stored for a bound parameter: its type and its text.
fn stored(db: &Db, value: &dyn ToSql) -> (String, Option<String>) {
    db.query_row("SELECT typeof(?1), CAST(?1 AS TEXT)", params![value], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .unwrap()
}

fn column_error<T: FromSql + std::fmt::Debug>(db: &Db, sql: &str) -> FromSqlError {
    match db.query_row(sql, [], |r| r.get::<T>(0)) {
        Err(Error::Column { index: 0, cause }) => cause,
        other => panic!("{sql}: {other:?}"),
    }
}

fn text(t: &str, v: &str) -> (String, Option<String>) {
    (t.to_string(), Some(v.to_string()))
}

#[test]
fn every_parameter_type_is_stored_as_its_sql_type() {
    let db = db();
    assert_eq!(stored(&db, &-7i64), text("integer", "-7"));
    assert_eq!(
        stored(&db, &i64::MAX),
        text("integer", "9223372036854775807")
    );
    assert_eq!(stored(&db, &-8i32), text("integer", "-8"));
    assert_eq!(stored(&db, &u32::MAX), text("integer", "4294967295"));
    assert_eq!(stored(&db, &12usize), text("integer", "12"));
    assert_eq!(stored(&db, &13u64), text("integer", "13"));
    assert_eq!(stored(&db, &true), text("integer", "1"));
    assert_eq!(stored(&db, &false), text("integer", "0"));
    assert_eq!(stored(&db, &2.5f64), text("real", "2.5"));
    assert_eq!(stored(&db, &"Müller"), text("text", "Müller"));
    assert_eq!(stored(&db, &String::from("I10")), text("text", "I10"));
    assert_eq!(stored(&db, &vec![0x41u8, 0x42]), text("blob", "AB"));
    assert_eq!(stored(&db, &&b"C"[..]), text("blob", "C"));
    assert_eq!(stored(&db, &Some(5i64)), text("integer", "5"));
    assert_eq!(stored(&db, &None::<i64>), ("null".to_string(), None));
    assert_eq!(stored(&db, &None::<String>), ("null".to_string(), None));
    assert_eq!(stored(&db, &Value::Real(0.25)), text("real", "0.25"));
}

#[test]
fn integers_too_large_for_sql_are_refused_not_wrapped() {
    let db = db();
    let err = db
        .query_row("SELECT ?1", params![u64::MAX], |r| r.get::<i64>(0))
        .unwrap_err();
    assert!(matches!(err, Error::Param(_)), "{err:?}");
    assert!(err.to_string().contains("18446744073709551615"), "{err}");
    let too_big = i64::MAX as usize + 1;
    assert!(matches!(
        db.execute("SELECT ?1", [too_big]),
        Err(Error::Param(_))
    ));
}

#[test]
fn every_column_type_reads_back() {
    let db = db();
    let row = db
        .query_row(
            "SELECT 42, -3, 1.5, 'dx', x'0102', NULL, 0, 2, 7",
            [],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<i32>(1)?,
                    r.get::<f64>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Vec<u8>>(4)?,
                    r.get::<Option<String>>(5)?,
                    r.get::<bool>(6)?,
                    r.get::<bool>(7)?,
                    r.get::<f64>(8)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        row,
        (42, -3, 1.5, "dx".into(), vec![1, 2], None, false, true, 7.0)
    );
    let unsigned = db
        .query_row("SELECT 4294967295, 9, 10, NULL, 11", [], |r| {
            Ok((
                r.get::<u32>(0)?,
                r.get::<usize>(1)?,
                r.get::<u64>(2)?,
                r.get::<Option<i64>>(3)?,
                r.get::<Option<i64>>(4)?,
            ))
        })
        .unwrap();
    assert_eq!(unsigned, (u32::MAX, 9, 10, None, Some(11)));
    let any: Vec<Value<'static>> = db
        .query_row("SELECT NULL, 1, 1.5, 'a', x'00'", [], |r| {
            (0..5).map(|i| r.get(i)).collect()
        })
        .unwrap();
    assert_eq!(
        any,
        vec![
            Value::Null,
            Value::Int(1),
            Value::Real(1.5),
            Value::Text("a".into()),
            Value::Blob(vec![0u8].into())
        ]
    );
}

#[test]
fn a_column_of_the_wrong_type_or_range_is_an_error_naming_it() {
    let db = db();
    let null = FromSqlError::InvalidType {
        expected: "INTEGER",
        found: "NULL",
    };
    assert_eq!(column_error::<i64>(&db, "SELECT NULL"), null);
    assert_eq!(
        column_error::<i64>(&db, "SELECT 'seven'"),
        FromSqlError::InvalidType {
            expected: "INTEGER",
            found: "TEXT"
        }
    );
    assert_eq!(
        column_error::<i64>(&db, "SELECT 1.5"),
        FromSqlError::InvalidType {
            expected: "INTEGER",
            found: "REAL"
        }
    );
    assert_eq!(
        column_error::<String>(&db, "SELECT 3"),
        FromSqlError::InvalidType {
            expected: "TEXT",
            found: "INTEGER"
        }
    );
    assert_eq!(
        column_error::<Vec<u8>>(&db, "SELECT 'a'"),
        FromSqlError::InvalidType {
            expected: "BLOB",
            found: "TEXT"
        }
    );
    assert_eq!(
        column_error::<f64>(&db, "SELECT 'a'"),
        FromSqlError::InvalidType {
            expected: "REAL",
            found: "TEXT"
        }
    );
    assert_eq!(
        column_error::<u32>(&db, "SELECT -1"),
        FromSqlError::OutOfRange(-1)
    );
    assert_eq!(
        column_error::<i32>(&db, "SELECT 2147483648"),
        FromSqlError::OutOfRange(2_147_483_648)
    );
    assert_eq!(
        column_error::<Option<String>>(&db, "SELECT CAST(x'ff' AS TEXT)"),
        FromSqlError::NotUtf8
    );
    let err = db
        .query_row("SELECT 1", [], |r| r.get::<i64>(1))
        .unwrap_err();
    assert!(matches!(err, Error::Sqlite(_)), "{err:?}");
    let shown = Error::Column {
        index: 2,
        cause: FromSqlError::OutOfRange(-1),
    };
    assert_eq!(shown.to_string(), "column 2: integer -1 out of range");
}

#[test]
fn every_form_of_parameters_binds_in_order() {
    let db = db();
    let sum =
        |sql: &str, n: i64| assert_eq!(n, db.query_row(sql, [], |r| r.get::<i64>(0)).unwrap());
    sum("SELECT 3", 3);
    assert_eq!(
        db.query_row("SELECT ?1", [9], |r| r.get::<i64>(0)).unwrap(),
        9
    );
    assert_eq!(
        db.query_row("SELECT ?1 || ?2", ["a", "b"], |r| r.get::<String>(0))
            .unwrap(),
        "ab"
    );
    assert_eq!(
        db.query_row("SELECT ?2 || ?1", params!["x", 1], |r| r.get::<String>(0))
            .unwrap(),
        "1x"
    );
    let owned: Vec<Box<dyn ToSql>> = vec![Box::new(2i64), Box::new("y")];
    let refs: Vec<&dyn ToSql> = owned.iter().map(|b| b.as_ref()).collect();
    assert_eq!(
        db.query_row("SELECT ?2 || ?1", refs.as_slice(), |r| r.get::<String>(0))
            .unwrap(),
        "y2"
    );
    assert_eq!(
        db.query_row("SELECT 4", params![], |r| r.get::<i64>(0))
            .unwrap(),
        4
    );
}

#[test]
fn the_wrong_number_of_parameters_is_an_error() {
    let db = db();
    let err = db.execute("SELECT ?1, ?2", [1]).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Sqlite(rusqlite::Error::InvalidParameterCount(1, 2))
        ),
        "{err:?}"
    );
    assert!(db.query_row("SELECT 1", [1], |r| r.get::<i64>(0)).is_err());
}

#[test]
fn no_row_is_an_error_for_query_row_and_none_for_query_opt() {
    let db = db();
    db.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b');")
        .unwrap();
    let err = db
        .query_row("SELECT name FROM t WHERE id = ?1", [3], |r| {
            r.get::<String>(0)
        })
        .unwrap_err();
    assert!(matches!(err, Error::NoRows), "{err:?}");
    assert_eq!(err.to_string(), "Query returned no rows");
    let none = db.query_opt("SELECT name FROM t WHERE id = ?1", [3], |r| {
        r.get::<String>(0)
    });
    assert_eq!(none.unwrap(), None);
    let some = db.query_opt("SELECT name FROM t WHERE id = ?1", [2], |r| {
        r.get::<String>(0)
    });
    assert_eq!(some.unwrap().as_deref(), Some("b"));
    let all = db
        .query_map("SELECT name FROM t ORDER BY id DESC", [], |r| {
            r.get::<String>(0)
        })
        .unwrap();
    assert_eq!(all, vec!["b", "a"]);
    let changed = db
        .execute("UPDATE t SET name = upper(name) WHERE id >= ?1", [1])
        .unwrap();
    assert_eq!(changed, 2);
}

#[test]
fn for_each_stops_at_the_callers_own_error() {
    #[derive(Debug, PartialEq)]
    enum Mine {
        Sql(String),
        Stop(i64),
    }
    impl From<Error> for Mine {
        fn from(e: Error) -> Self {
            Mine::Sql(e.to_string())
        }
    }
    let db = db();
    let mut seen = Vec::new();
    let result = db.for_each("SELECT value FROM generate_series(1, 5)", [], |r| {
        let n: i64 = r.get(0)?;
        seen.push(n);
        match n {
            3 => Err(Mine::Stop(n)),
            _ => Ok(()),
        }
    });
    // generate_series is not in every SQLite build: fall back to a CTE.
    let (result, seen) = match result {
        Err(Mine::Sql(_)) => {
            let mut seen = Vec::new();
            let result = db.for_each(
                "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 5) SELECT n FROM s",
                [],
                |r| {
                    let n: i64 = r.get(0)?;
                    seen.push(n);
                    match n {
                        3 => Err(Mine::Stop(n)),
                        _ => Ok(()),
                    }
                },
            );
            (result, seen)
        }
        other => (other, seen),
    };
    assert_eq!(result, Err(Mine::Stop(3)));
    assert_eq!(seen, vec![1, 2, 3]);
}

#[test]
fn backend_errors_keep_their_message() {
    let db = db();
    let err = db.execute("SELEC 1", []).unwrap_err();
    assert!(err.to_string().contains("syntax error"), "{err}");
    assert_eq!(err.kind(), ErrorKind::Other);
    db.execute_batch("CREATE TABLE u (k TEXT PRIMARY KEY)")
        .unwrap();
    db.execute("INSERT INTO u VALUES (?1)", ["a"]).unwrap();
    let dup = db.execute("INSERT INTO u VALUES (?1)", ["a"]).unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Constraint);
    assert!(dup.to_string().contains("UNIQUE"), "{dup}");
    assert_eq!(db.dialect(), Dialect::Sqlite);
}

fn counted(db: &Db) -> i64 {
    db.query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_transaction_commits_when_told_and_rolls_back_when_dropped() {
    let db = db();
    db.execute_batch("CREATE TABLE t (x INTEGER)").unwrap();
    {
        let tx = db.transaction().unwrap();
        tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
        assert_eq!(counted(&tx), 1, "the transaction sees its own row");
    }
    assert_eq!(counted(&db), 0, "dropped: rolled back");
    let tx = db.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (1)", []).unwrap();
    tx.rollback().unwrap();
    assert_eq!(counted(&db), 0, "rolled back");
    let tx = db.transaction().unwrap();
    tx.execute("INSERT INTO t VALUES (2)", []).unwrap();
    tx.commit().unwrap();
    assert_eq!(counted(&db), 1, "committed");
    let read = db.read_transaction().unwrap();
    assert_eq!(counted(&read), 1);
    drop(read);
    // Nothing is left open: a new transaction can begin.
    db.transaction().unwrap().commit().unwrap();
}

#[test]
fn a_write_transaction_holds_the_lock_from_its_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lock.db");
    let open = || {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        Db::from_sqlite(conn)
    };
    let (one, two) = (open(), open());
    one.execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER)")
        .unwrap();
    let held = one.transaction().unwrap();
    let err = two.transaction().err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Busy, "{err}");
    // A reader is not blocked by the writer.
    let read = two.read_transaction().unwrap();
    assert_eq!(counted(&read), 0);
    drop(read);
    held.commit().unwrap();
    two.transaction().unwrap().commit().unwrap();
}

#[test]
fn insert_id_is_the_new_rows_key() {
    let db = db();
    db.execute_batch("CREATE TABLE t (t_id INTEGER PRIMARY KEY, x TEXT)")
        .unwrap();
    let insert = "INSERT INTO t (x) VALUES (?1)";
    assert_eq!(db.insert_id(insert, ["a"], "t_id").unwrap(), 1);
    assert_eq!(db.insert_id(insert, ["b"], "t_id").unwrap(), 2);
    let explicit = "INSERT INTO t (t_id, x) VALUES (?1, ?2)";
    assert_eq!(
        db.insert_id(explicit, params![40, "c"], "t_id").unwrap(),
        40
    );
    let x: String = db
        .query_row("SELECT x FROM t WHERE t_id = ?1", [40], |r| r.get(0))
        .unwrap();
    assert_eq!(x, "c");
}
