//! Values crossing the layer: parameters going in ([`ToSql`], [`Params`]) and
//! columns coming out ([`FromSql`]), as the five SQL storage classes both
//! backends share: [`Value`] going in (borrowed or owned), [`ValueRef`]
//! coming out (borrowed from the row).

use super::error::{Error, FromSqlError, Result};
use std::borrow::Cow;

/// One SQL value, borrowed where it can be.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
    Blob(Cow<'a, [u8]>),
}

impl Value<'_> {
    /// The storage class, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "INTEGER",
            Value::Real(_) => "REAL",
            Value::Text(_) => "TEXT",
            Value::Blob(_) => "BLOB",
        }
    }
}

/// One column's value as read, borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl ValueRef<'_> {
    /// The storage class, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            ValueRef::Null => "NULL",
            ValueRef::Int(_) => "INTEGER",
            ValueRef::Real(_) => "REAL",
            ValueRef::Text(_) => "TEXT",
            ValueRef::Blob(_) => "BLOB",
        }
    }

    fn invalid<T>(&self, expected: &'static str) -> std::result::Result<T, FromSqlError> {
        Err(FromSqlError::InvalidType {
            expected,
            found: self.type_name(),
        })
    }
}

/// A Rust value that can be bound as a statement parameter.
pub trait ToSql {
    fn to_sql(&self) -> Result<Value<'_>>;
}

/// A Rust value that a column can be read as.
pub trait FromSql: Sized {
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError>;
}

impl<T: ToSql + ?Sized> ToSql for &T {
    fn to_sql(&self) -> Result<Value<'_>> {
        (**self).to_sql()
    }
}

impl<T: ToSql + ?Sized> ToSql for Box<T> {
    fn to_sql(&self) -> Result<Value<'_>> {
        (**self).to_sql()
    }
}

impl<T: ToSql> ToSql for Option<T> {
    fn to_sql(&self) -> Result<Value<'_>> {
        match self {
            None => Ok(Value::Null),
            Some(v) => v.to_sql(),
        }
    }
}

impl ToSql for Value<'_> {
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(match self {
            Value::Null => Value::Null,
            Value::Int(n) => Value::Int(*n),
            Value::Real(x) => Value::Real(*x),
            Value::Text(s) => Value::Text(Cow::Borrowed(s)),
            Value::Blob(b) => Value::Blob(Cow::Borrowed(b)),
        })
    }
}

macro_rules! int_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            #[inline]
            fn to_sql(&self) -> Result<Value<'_>> {
                Ok(Value::Int(i64::from(*self)))
            }
        }
    )*};
}
int_to_sql!(i64, i32, i16, i8, u32, u16, u8, bool);

macro_rules! wide_int_to_sql {
    ($($t:ty),*) => {$(
        impl ToSql for $t {
            fn to_sql(&self) -> Result<Value<'_>> {
                i64::try_from(*self)
                    .map(Value::Int)
                    .map_err(|_| Error::param(format!("{} is too large for an SQL integer", self)))
            }
        }
    )*};
}
wide_int_to_sql!(u64, usize);

impl ToSql for f64 {
    #[inline]
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(Value::Real(*self))
    }
}

impl ToSql for str {
    #[inline]
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(Value::Text(Cow::Borrowed(self)))
    }
}

impl ToSql for String {
    #[inline]
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(Value::Text(Cow::Borrowed(self)))
    }
}

impl ToSql for [u8] {
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(Value::Blob(Cow::Borrowed(self)))
    }
}

impl ToSql for Vec<u8> {
    fn to_sql(&self) -> Result<Value<'_>> {
        Ok(Value::Blob(Cow::Borrowed(self)))
    }
}

impl<T: FromSql> FromSql for Option<T> {
    #[inline]
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Null => Ok(None),
            v => T::from_sql(v).map(Some),
        }
    }
}

impl FromSql for i64 {
    #[inline]
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Int(n) => Ok(n),
            v => v.invalid("INTEGER"),
        }
    }
}

macro_rules! narrow_int_from_sql {
    ($($t:ty),*) => {$(
        impl FromSql for $t {
            fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
                let n = i64::from_sql(value)?;
                <$t>::try_from(n).map_err(|_| FromSqlError::OutOfRange(n))
            }
        }
    )*};
}
narrow_int_from_sql!(i32, i16, i8, u64, u32, u16, u8, usize);

impl FromSql for bool {
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        i64::from_sql(value).map(|n| n != 0)
    }
}

impl FromSql for f64 {
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Real(x) => Ok(x),
            // An integer column reads as a number too (as SQLite's own API does).
            ValueRef::Int(n) => Ok(n as f64),
            v => v.invalid("REAL"),
        }
    }
}

impl FromSql for String {
    #[inline]
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Text(s) => Ok(s.to_owned()),
            v => v.invalid("TEXT"),
        }
    }
}

impl FromSql for Vec<u8> {
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        match value {
            ValueRef::Blob(b) => Ok(b.to_vec()),
            v => v.invalid("BLOB"),
        }
    }
}

impl FromSql for Value<'static> {
    fn from_sql(value: ValueRef<'_>) -> std::result::Result<Self, FromSqlError> {
        Ok(match value {
            ValueRef::Null => Value::Null,
            ValueRef::Int(n) => Value::Int(n),
            ValueRef::Real(x) => Value::Real(x),
            ValueRef::Text(s) => Value::Text(Cow::Owned(s.to_owned())),
            ValueRef::Blob(b) => Value::Blob(Cow::Owned(b.to_vec())),
        })
    }
}

/// A statement's parameters, bound to `?1, ?2, …` in order: `[]`, an array
/// of one type (`[chart_id]`), a slice of `&dyn ToSql`, or [`params!`](crate::params).
pub trait Params {
    /// Calls `f` with the parameters as one slice.
    fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R;
}

// Only this impl for the empty array, so that `[]` needs no type.
impl Params for [&dyn ToSql; 0] {
    #[inline]
    fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(&[])
    }
}

impl Params for &[&dyn ToSql] {
    #[inline]
    fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(self)
    }
}

impl Params for &Vec<&dyn ToSql> {
    #[inline]
    fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
        f(self)
    }
}

macro_rules! array_params {
    ($($n:literal)*) => {$(
        impl<T: ToSql> Params for [T; $n] {
            #[inline]
            fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
                let refs: [&dyn ToSql; $n] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
                f(&refs)
            }
        }
        impl<T: ToSql + ?Sized> Params for &[&T; $n] {
            #[inline]
            fn with_slice<R>(self, f: impl FnOnce(&[&dyn ToSql]) -> R) -> R {
                let refs: [&dyn ToSql; $n] = std::array::from_fn(|i| &self[i] as &dyn ToSql);
                f(&refs)
            }
        }
    )*};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// Parameters of mixed types for one statement, bound to `?1, ?2, …` in order.
#[macro_export]
macro_rules! params {
    () => {
        &[] as &[&dyn $crate::store::sql::ToSql]
    };
    ($($param:expr),+ $(,)?) => {
        &[$(&$param as &dyn $crate::store::sql::ToSql),+] as &[&dyn $crate::store::sql::ToSql]
    };
}
