//! The SQLite backend of the layer: cached statements, parameters bound one
//! by one (no allocation), columns read as borrowed values.

use super::error::{Error, FromSqlError, Result};
use super::value::{FromSql, ToSql, Value, ValueRef as Column};
use rusqlite::types::{ToSqlOutput, ValueRef};

/// How many prepared statements each connection keeps (SQLite's default of
/// 16 is fewer than the queue and a coding action use between them).
pub(super) const STATEMENT_CACHE: usize = 64;

impl rusqlite::ToSql for Value<'_> {
    #[inline]
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Real(x) => ValueRef::Real(*x),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Blob(b) => ValueRef::Blob(b),
        }))
    }
}

/// A cached statement for `sql` with `params` bound.
pub(super) fn bind<'c>(
    conn: &'c rusqlite::Connection,
    sql: &str,
    params: &[&dyn ToSql],
) -> Result<rusqlite::CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let expected = stmt.parameter_count();
    if params.len() != expected {
        return Err(Error::Sqlite(rusqlite::Error::InvalidParameterCount(
            params.len(),
            expected,
        )));
    }
    for (i, param) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, param.to_sql()?)?;
    }
    Ok(stmt)
}

/// Column `index` of an SQLite row as a `T`.
#[inline]
pub(super) fn get<T: FromSql>(row: &rusqlite::Row<'_>, index: usize) -> Result<T> {
    let column = |cause| Error::Column { index, cause };
    let value = match row.get_ref(index)? {
        ValueRef::Null => Column::Null,
        ValueRef::Integer(n) => Column::Int(n),
        ValueRef::Real(x) => Column::Real(x),
        ValueRef::Text(bytes) => {
            Column::Text(std::str::from_utf8(bytes).map_err(|_| column(FromSqlError::NotUtf8))?)
        }
        ValueRef::Blob(bytes) => Column::Blob(bytes),
    };
    T::from_sql(value).map_err(column)
}
