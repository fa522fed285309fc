//! The PostgreSQL backend of the layer: one connection (the synchronous
//! `postgres` client, which needs `&mut`, so it sits in a `RefCell`),
//! statements prepared once per connection and kept, `?N` rewritten to `$N`,
//! parameters converted to the type the server inferred for each, columns
//! read as the layer's five storage classes.
//!
//! Rows are fetched whole before the caller sees the first one, so that a
//! caller may run other statements while it reads them (as it may on
//! SQLite); the store's reads are pages and single charts, never unbounded.
//!
//! A connection the server closed (restarted, administrator's terminate)
//! is replaced by a new one at the next statement outside a transaction; a
//! statement inside a transaction whose connection was lost fails (the
//! server has rolled the transaction back, so nothing is half-written) and
//! the store tells the coder.

use super::error::{Error, FromSqlError, Result};
use super::value::{FromSql, ToSql, Value, ValueRef};
use bytes::BytesMut;
use postgres::types::ToSql as PgToSql;
use postgres::types::{IsNull, Type};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How long a COMMIT whose connection was lost waits for the server to say
/// whether it applied it (reconnecting while the server restarts).
const OUTCOME_WAIT: Duration = Duration::from_secs(5);

/// How many prepared statements a connection keeps before starting afresh
/// (the store has a few hundred distinct statements; a dynamic filter makes
/// more).
const STATEMENT_CACHE: usize = 512;

type BoxError = Box<dyn std::error::Error + Sync + Send>;

/// One PostgreSQL connection and what it has prepared.
pub(super) struct Pg {
    settings: crate::store::postgres::Settings,
    client: RefCell<postgres::Client>,
    statements: RefCell<HashMap<String, postgres::Statement>>,
    /// Whether a transaction is open (a lost connection is then not replaced
    /// until it ends).
    in_transaction: Cell<bool>,
    /// Whether a statement found the connection gone (the client may not
    /// know it is closed until it next reads from it).
    broken: Cell<bool>,
}

impl Pg {
    pub(super) fn new(settings: crate::store::postgres::Settings, client: postgres::Client) -> Pg {
        Pg {
            settings,
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            broken: Cell::new(false),
        }
    }

    pub(super) fn set_in_transaction(&self, open: bool) {
        self.in_transaction.set(open);
    }

    /// The client, reconnected first when the server closed it and no
    /// transaction was open on it.
    fn client(&self) -> Result<std::cell::RefMut<'_, postgres::Client>> {
        let mut client = self
            .client
            .try_borrow_mut()
            .map_err(|_| Error::param("a statement ran while another one held the connection"))?;
        if (client.is_closed() || self.broken.get()) && !self.in_transaction.get() {
            *client = self.settings.connect()?;
            self.statements.borrow_mut().clear();
            self.broken.set(false);
        }
        Ok(client)
    }

    /// `result`, noting a lost connection so that the next statement outside
    /// a transaction makes a new one.
    fn noting<T>(&self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result
            && e.kind() == super::ErrorKind::ConnectionLost
        {
            self.broken.set(true);
        }
        result
    }

    /// The prepared statement for `sql` (written with `?N`).
    fn prepare(&self, client: &mut postgres::Client, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.statements.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = client.prepare(&super::numbered_to_dollar(sql))?;
        let mut cache = self.statements.borrow_mut();
        if cache.len() >= STATEMENT_CACHE {
            cache.clear();
        }
        cache.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    pub(super) fn execute(&self, sql: &str, params: &[&dyn ToSql]) -> Result<usize> {
        self.noting((|| {
            let mut client = self.client()?;
            let statement = self.prepare(&mut client, sql)?;
            let values = bound(&statement, params)?;
            let changed = client.execute(&statement, &refs(&values))?;
            Ok(usize::try_from(changed).unwrap_or(usize::MAX))
        })())
    }

    /// Every row of a query (see the module's note on why all at once).
    pub(super) fn query(&self, sql: &str, params: &[&dyn ToSql]) -> Result<Vec<postgres::Row>> {
        self.noting((|| {
            let mut client = self.client()?;
            let statement = self.prepare(&mut client, sql)?;
            let values = bound(&statement, params)?;
            Ok(client.query(&statement, &refs(&values))?)
        })())
    }

    pub(super) fn execute_batch(&self, sql: &str) -> Result<()> {
        self.noting((|| Ok(self.client()?.batch_execute(sql)?))())
    }

    /// Starts a transaction with `begin`. A connection found lost at that
    /// moment had nothing of this transaction on it: it is replaced and the
    /// transaction started on the new one.
    ///
    /// `begin` may be several statements (the write lock after `BEGIN`): when
    /// one after `BEGIN` fails (the lock not had within the lock timeout),
    /// the transaction it opened is rolled back here, so the connection is
    /// not left in an aborted transaction.
    pub(super) fn begin(&self, begin: &str) -> Result<()> {
        let started = match self.execute_batch(begin) {
            Err(e) if e.kind() == super::ErrorKind::ConnectionLost => self.execute_batch(begin),
            other => other,
        };
        if let Err(e) = started {
            // With none open, PostgreSQL only warns.
            let _ = self.execute_batch("ROLLBACK");
            return Err(e);
        }
        self.in_transaction.set(true);
        Ok(())
    }
}

impl Pg {
    /// Whether the transaction `txid`, whose COMMIT failed with `lost` (the
    /// connection lost), was saved: asked on a new connection
    /// (`txid_status`), reconnecting for up to [`OUTCOME_WAIT`] while the
    /// server restarts. `Ok` when it committed; `lost` when the server
    /// rolled it back; [`Error::CommitUnknown`] when the server could not be
    /// asked (or no longer knows).
    pub(super) fn outcome(&self, txid: i64, lost: Error) -> Result<()> {
        let deadline = Instant::now() + OUTCOME_WAIT;
        loop {
            let status = self
                .query("SELECT txid_status(?1)", &[&txid])
                .and_then(|rows| match rows.first() {
                    Some(row) => Ok(row.try_get::<_, Option<String>>(0)?),
                    None => Ok(None),
                });
            match status.as_ref().map(Option::as_deref) {
                Ok(Some("committed")) => return Ok(()),
                Ok(Some("aborted")) => return Err(lost),
                // The old connection's server process has not yet seen that
                // its client is gone; it will roll back or has committed.
                Ok(Some(_)) | Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                _ => return Err(Error::CommitUnknown(Box::new(lost))),
            }
        }
    }
}

/// The parameters as the statement takes them, in number.
fn bound<'p>(statement: &postgres::Statement, params: &'p [&dyn ToSql]) -> Result<Vec<Param<'p>>> {
    let expected = statement.params().len();
    if params.len() != expected {
        return Err(Error::param(format!(
            "the statement takes {expected} parameters, {} were given",
            params.len()
        )));
    }
    params
        .iter()
        .map(|p| ToSql::to_sql(*p).map(Param))
        .collect()
}

fn refs<'a>(values: &'a [Param<'_>]) -> Vec<&'a (dyn postgres::types::ToSql + Sync)> {
    values
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect()
}

/// A parameter on its way to the server, converted to the type the server
/// inferred for its place: an integer may fill an `INTEGER`, `SMALLINT`,
/// `BOOLEAN`, `NUMERIC`, `DOUBLE PRECISION` or text place, as SQLite would
/// take it.
#[derive(Debug)]
struct Param<'a>(Value<'a>);

impl postgres::types::ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let text_place = matches!(
            *ty,
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN
        );
        match &self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => match *ty {
                Type::INT8 => PgToSql::to_sql(&n, ty, out),
                Type::INT4 => PgToSql::to_sql(&i32::try_from(*n)?, ty, out),
                Type::INT2 => PgToSql::to_sql(&i16::try_from(*n)?, ty, out),
                Type::BOOL => PgToSql::to_sql(&(*n != 0), ty, out),
                Type::FLOAT8 => PgToSql::to_sql(&(*n as f64), ty, out),
                Type::FLOAT4 => PgToSql::to_sql(&(*n as f32), ty, out),
                Type::NUMERIC => {
                    numeric::encode(*n, out);
                    Ok(IsNull::No)
                }
                _ if text_place => PgToSql::to_sql(&n.to_string().as_str(), ty, out),
                _ => Err(mismatch("an integer", ty)),
            },
            Value::Real(x) => match *ty {
                Type::FLOAT8 => PgToSql::to_sql(&x, ty, out),
                Type::FLOAT4 => PgToSql::to_sql(&(*x as f32), ty, out),
                _ if text_place => PgToSql::to_sql(&x.to_string().as_str(), ty, out),
                _ => Err(mismatch("a real number", ty)),
            },
            Value::Text(s) => match *ty {
                _ if text_place => PgToSql::to_sql(&s.as_ref(), ty, out),
                _ => Err(mismatch("text", ty)),
            },
            Value::Blob(b) => match *ty {
                Type::BYTEA => PgToSql::to_sql(&b.as_ref(), ty, out),
                _ => Err(mismatch("bytes", ty)),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

fn mismatch(what: &str, ty: &Type) -> BoxError {
    format!("{what} cannot be given where the statement takes {ty}").into()
}

/// A column as it came from the server, in the layer's storage classes.
enum Column<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

impl<'a> postgres::types::FromSql<'a> for Column<'a> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        use postgres::types::FromSql as F;
        Ok(match *ty {
            Type::INT8 => Column::Int(<i64 as F>::from_sql(ty, raw)?),
            Type::INT4 => Column::Int(<i32 as F>::from_sql(ty, raw)?.into()),
            Type::INT2 => Column::Int(<i16 as F>::from_sql(ty, raw)?.into()),
            Type::OID => Column::Int(<u32 as F>::from_sql(ty, raw)?.into()),
            Type::BOOL => Column::Int(<bool as F>::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Column::Real(<f64 as F>::from_sql(ty, raw)?),
            Type::FLOAT4 => Column::Real(<f32 as F>::from_sql(ty, raw)?.into()),
            Type::NUMERIC => match numeric::decode(raw)? {
                numeric::Number::Int(n) => Column::Int(n),
                numeric::Number::Real(x) => Column::Real(x),
            },
            Type::BYTEA => Column::Blob(<&[u8] as F>::from_sql(ty, raw)?),
            _ => Column::Text(<&str as F>::from_sql(ty, raw)?),
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Column::Null)
    }

    fn accepts(ty: &Type) -> bool {
        matches!(
            *ty,
            Type::INT8
                | Type::INT4
                | Type::INT2
                | Type::OID
                | Type::BOOL
                | Type::FLOAT8
                | Type::FLOAT4
                | Type::NUMERIC
                | Type::BYTEA
        ) || <&str as postgres::types::FromSql>::accepts(ty)
    }
}

/// Column `index` of a PostgreSQL row as a `T`.
pub(super) fn get<T: FromSql>(row: &postgres::Row, index: usize) -> Result<T> {
    let column = |cause| Error::Column { index, cause };
    if index >= row.len() {
        return Err(Error::param(format!(
            "column {index} asked of a row of {}",
            row.len()
        )));
    }
    let value = match row.try_get::<_, Column<'_>>(index) {
        Ok(Column::Null) => ValueRef::Null,
        Ok(Column::Int(n)) => ValueRef::Int(n),
        Ok(Column::Real(x)) => ValueRef::Real(x),
        Ok(Column::Text(s)) => ValueRef::Text(s),
        Ok(Column::Blob(b)) => ValueRef::Blob(b),
        Err(e) if e.to_string().contains("utf-8") => {
            return Err(column(FromSqlError::NotUtf8));
        }
        Err(e) => return Err(Error::Postgres(e)),
    };
    T::from_sql(value).map_err(column)
}

/// PostgreSQL's binary NUMERIC: what `sum()` and `avg()` return.
mod numeric {
    use super::BoxError;
    use bytes::{BufMut, BytesMut};

    pub(super) enum Number {
        Int(i64),
        Real(f64),
    }

    const NEGATIVE: u16 = 0x4000;
    const NAN: u16 = 0xC000;

    /// A NUMERIC as an integer when it has no fraction and fits, else as a
    /// real number.
    pub(super) fn decode(raw: &[u8]) -> Result<Number, BoxError> {
        let word = |i: usize| -> Result<u16, BoxError> {
            raw.get(i * 2..i * 2 + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "a NUMERIC cut short".into())
        };
        let digits = usize::from(word(0)?);
        let weight = i64::from(word(1)? as i16);
        let sign = word(2)?;
        if sign == NAN {
            return Ok(Number::Real(f64::NAN));
        }
        let mut integer: i128 = 0;
        let mut text = String::new();
        let mut whole = true;
        for i in 0..digits {
            let digit = word(4 + i)?;
            let power = weight - i as i64;
            if power >= 0 {
                integer = integer
                    .checked_mul(10_000)
                    .and_then(|v| v.checked_add(i128::from(digit)))
                    .ok_or("a NUMERIC too large")?;
            } else if digit != 0 {
                whole = false;
            }
            text.push_str(&format!("{digit:04}"));
        }
        // Digits stop before the units place: the rest are zeros.
        if weight >= digits as i64 {
            for _ in 0..(weight - digits as i64 + 1) {
                integer = integer.checked_mul(10_000).ok_or("a NUMERIC too large")?;
            }
        }
        let negative = sign == NEGATIVE;
        if whole && let Ok(n) = i64::try_from(if negative { -integer } else { integer }) {
            return Ok(Number::Int(n));
        }
        // value = 0.dddd… × 10000^(weight + 1)
        let mantissa: f64 = format!("0.{text}").parse().unwrap_or(0.0);
        let value = mantissa * 10_000f64.powi((weight + 1) as i32);
        Ok(Number::Real(if negative { -value } else { value }))
    }

    /// An integer as a binary NUMERIC.
    pub(super) fn encode(n: i64, out: &mut BytesMut) {
        let mut rest = n.unsigned_abs();
        let mut digits = Vec::new();
        while rest > 0 {
            digits.push((rest % 10_000) as u16);
            rest /= 10_000;
        }
        digits.reverse();
        let weight = digits.len().saturating_sub(1) as i16;
        // Trailing zero digits are left out, as the server writes them.
        while digits.last() == Some(&0) {
            digits.pop();
        }
        out.put_u16(digits.len() as u16);
        out.put_i16(weight);
        out.put_u16(if n < 0 { NEGATIVE } else { 0 });
        out.put_u16(0);
        for d in digits {
            out.put_u16(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::numeric::{Number, decode, encode};
    use bytes::BytesMut;

    fn round_trip(n: i64) -> i64 {
        let mut out = BytesMut::new();
        encode(n, &mut out);
        match decode(&out).unwrap() {
            Number::Int(m) => m,
            Number::Real(x) => panic!("{n} came back as {x}"),
        }
    }

    #[test]
    fn integers_cross_as_numeric_and_back() {
        for n in [
            0,
            1,
            -1,
            9_999,
            10_000,
            10_001,
            100_000_000,
            -123_456_789,
            i64::MAX,
            i64::MIN + 1,
        ] {
            assert_eq!(round_trip(n), n);
        }
    }

    #[test]
    fn a_numeric_with_a_fraction_reads_as_a_real() {
        // 12.5: digits [12, 5000], weight 0, scale 1.
        let raw = [0, 2, 0, 0, 0, 0, 0, 1, 0, 12, 0x13, 0x88];
        match decode(&raw).unwrap() {
            Number::Real(x) => assert!((x - 12.5).abs() < 1e-12, "{x}"),
            Number::Int(n) => panic!("12.5 read as {n}"),
        }
        // -0.25: digits [2500], weight -1, negative, scale 2.
        let raw = [0, 1, 0xFF, 0xFF, 0x40, 0, 0, 2, 0x09, 0xC4];
        match decode(&raw).unwrap() {
            Number::Real(x) => assert!((x + 0.25).abs() < 1e-12, "{x}"),
            Number::Int(n) => panic!("-0.25 read as {n}"),
        }
        // 20000 as the server writes it: digits [2], weight 1.
        let raw = [0, 1, 0, 1, 0, 0, 0, 0, 0, 2];
        assert!(matches!(decode(&raw).unwrap(), Number::Int(20_000)));
    }
}
