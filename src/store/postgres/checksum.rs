//! The checksum `chartcoder db copy` computes over a table on both sides:
//! SHA-256 over the rows in primary-key order, each value in a canonical,
//! type-tagged encoding that does not depend on the database it was read
//! from:
//!
//! | value | bytes |
//! | --- | --- |
//! | NULL | `N` |
//! | integer | `I`, then the 8 bytes of the i64, big-endian |
//! | real | `R`, then the 8 bytes of the f64's bits, big-endian (bit-exact) |
//! | text | `T`, then its length in bytes (u64, big-endian), then its UTF-8 |
//! | blob | `B`, then its length (u64, big-endian), then its bytes |
//!
//! Every value says its own length, and a table's rows all have its column
//! count, so no two different tables of rows hash the same bytes.

use postgres::types::{ToSql, Type};
use sha2::{Digest, Sha256};

/// What a column holds, by its PostgreSQL type (the copy writes SQLite's
/// values as these and reads them back the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    Real,
    Text,
    Blob,
}

impl Kind {
    /// The kind of a PostgreSQL column type; `None` for a type the copy does
    /// not know (the schema uses only these four).
    pub(super) fn of(ty: &Type) -> Option<Kind> {
        match *ty {
            Type::INT8 => Some(Kind::Int),
            Type::FLOAT8 => Some(Kind::Real),
            Type::TEXT => Some(Kind::Text),
            Type::BYTEA => Some(Kind::Blob),
            _ => None,
        }
    }

    /// The SQLite storage class this kind takes, for messages.
    pub(super) fn sqlite_name(self) -> &'static str {
        match self {
            Kind::Int => "INTEGER",
            Kind::Real => "REAL",
            Kind::Text => "TEXT",
            Kind::Blob => "BLOB",
        }
    }
}

/// One value as hashed, borrowed from where it was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum CellRef<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// One value read from SQLite, owned, typed for its PostgreSQL column (a NULL
/// too: the binary COPY checks each value's type against the column's).
#[derive(Debug)]
pub(super) enum Cell {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
}

impl Cell {
    /// SQLite's `value` for a column of `kind`; `Err` with the value's
    /// storage class when it does not fit (a STRICT table never holds one).
    pub(super) fn from_sqlite(
        kind: Kind,
        value: crate::store::sql::Value<'static>,
    ) -> Result<Cell, &'static str> {
        use crate::store::sql::Value;
        Ok(match (kind, value) {
            (Kind::Int, Value::Null) => Cell::Int(None),
            (Kind::Real, Value::Null) => Cell::Real(None),
            (Kind::Text, Value::Null) => Cell::Text(None),
            (Kind::Blob, Value::Null) => Cell::Blob(None),
            (Kind::Int, Value::Int(n)) => Cell::Int(Some(n)),
            (Kind::Real, Value::Real(x)) => Cell::Real(Some(x)),
            (Kind::Text, Value::Text(s)) => Cell::Text(Some(s.into_owned())),
            (Kind::Blob, Value::Blob(b)) => Cell::Blob(Some(b.into_owned())),
            (_, other) => return Err(other.type_name()),
        })
    }

    /// The value as the COPY writes it.
    pub(super) fn as_sql(&self) -> &(dyn ToSql + Sync) {
        match self {
            Cell::Int(v) => v,
            Cell::Real(v) => v,
            Cell::Text(v) => v,
            Cell::Blob(v) => v,
        }
    }

    /// The value as hashed.
    pub(super) fn as_ref(&self) -> CellRef<'_> {
        match self {
            Cell::Int(Some(n)) => CellRef::Int(*n),
            Cell::Real(Some(x)) => CellRef::Real(*x),
            Cell::Text(Some(s)) => CellRef::Text(s),
            Cell::Blob(Some(b)) => CellRef::Blob(b),
            Cell::Int(None) | Cell::Real(None) | Cell::Text(None) | Cell::Blob(None) => {
                CellRef::Null
            }
        }
    }
}

/// Column `index` of a row read back from PostgreSQL, as hashed.
pub(super) fn read_back(
    row: &postgres::Row,
    index: usize,
    kind: Kind,
) -> Result<CellRef<'_>, postgres::Error> {
    Ok(match kind {
        Kind::Int => row
            .try_get::<_, Option<i64>>(index)?
            .map_or(CellRef::Null, CellRef::Int),
        Kind::Real => row
            .try_get::<_, Option<f64>>(index)?
            .map_or(CellRef::Null, CellRef::Real),
        Kind::Text => row
            .try_get::<_, Option<&str>>(index)?
            .map_or(CellRef::Null, CellRef::Text),
        Kind::Blob => row
            .try_get::<_, Option<&[u8]>>(index)?
            .map_or(CellRef::Null, CellRef::Blob),
    })
}

/// A table's checksum being computed, row by row.
pub(super) struct Checksum {
    hasher: Sha256,
    rows: u64,
}

/// A table's row count and checksum (SHA-256, hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSum {
    pub rows: u64,
    pub sha256: String,
}

impl Checksum {
    pub(super) fn new() -> Checksum {
        Checksum {
            hasher: Sha256::new(),
            rows: 0,
        }
    }

    /// Adds one value of the current row.
    pub(super) fn value(&mut self, value: CellRef<'_>) {
        let h = &mut self.hasher;
        match value {
            CellRef::Null => h.update(b"N"),
            CellRef::Int(n) => {
                h.update(b"I");
                h.update(n.to_be_bytes());
            }
            CellRef::Real(x) => {
                h.update(b"R");
                h.update(x.to_bits().to_be_bytes());
            }
            CellRef::Text(s) => {
                h.update(b"T");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            CellRef::Blob(b) => {
                h.update(b"B");
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }

    /// Ends the current row.
    pub(super) fn end_row(&mut self) {
        self.rows += 1;
    }

    pub(super) fn rows(&self) -> u64 {
        self.rows
    }

    pub(super) fn finish(self) -> TableSum {
        TableSum {
            rows: self.rows,
            sha256: hex(&self.hasher.finalize()),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checksum of rows given as values.
    fn sum(rows: &[&[CellRef<'_>]]) -> TableSum {
        let mut c = Checksum::new();
        for row in rows {
            for v in *row {
                c.value(*v);
            }
            c.end_row();
        }
        c.finish()
    }

    #[test]
    fn the_encoding_is_the_one_documented() {
        // By hand: one row (7, NULL, 'ab', 1.5, x'ff'):
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"I\0\0\0\0\0\0\0\x07");
        bytes.extend_from_slice(b"N");
        bytes.extend_from_slice(b"T\0\0\0\0\0\0\0\x02ab");
        // 1.5 = 0x3FF8000000000000
        bytes.extend_from_slice(b"R\x3f\xf8\0\0\0\0\0\0");
        bytes.extend_from_slice(b"B\0\0\0\0\0\0\0\x01\xff");
        let expected = hex(&Sha256::digest(&bytes));
        let got = sum(&[&[
            CellRef::Int(7),
            CellRef::Null,
            CellRef::Text("ab"),
            CellRef::Real(1.5),
            CellRef::Blob(&[0xff]),
        ]]);
        assert_eq!(got.rows, 1);
        assert_eq!(got.sha256, expected);
        assert_eq!(got.sha256.len(), 64);
    }

    #[test]
    fn values_that_print_alike_hash_apart() {
        let one = |v| sum(&[&[v]]).sha256;
        // The integer 1, the real 1.0, the text '1' and NULL vs empty text.
        let all = [
            one(CellRef::Int(1)),
            one(CellRef::Real(1.0)),
            one(CellRef::Text("1")),
            one(CellRef::Null),
            one(CellRef::Text("")),
            one(CellRef::Real(-0.0)),
            one(CellRef::Real(0.0)),
        ];
        let distinct: std::collections::BTreeSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), all.len());
        // A value moved across the boundary of two text columns shows.
        assert_ne!(
            sum(&[&[CellRef::Text("ab"), CellRef::Text("c")]]),
            sum(&[&[CellRef::Text("a"), CellRef::Text("bc")]])
        );
    }

    #[test]
    fn a_value_of_the_wrong_class_for_its_column_is_refused() {
        use crate::store::sql::Value;
        assert!(matches!(
            Cell::from_sqlite(Kind::Int, Value::Int(3)),
            Ok(Cell::Int(Some(3)))
        ));
        assert!(matches!(
            Cell::from_sqlite(Kind::Text, Value::Null),
            Ok(Cell::Text(None))
        ));
        assert_eq!(
            Cell::from_sqlite(Kind::Int, Value::Real(3.0)).err(),
            Some("REAL")
        );
        assert_eq!(
            Cell::from_sqlite(Kind::Real, Value::Int(3)).err(),
            Some("INTEGER")
        );
    }
}
