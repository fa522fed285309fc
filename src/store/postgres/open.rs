//! Opening the store on a PostgreSQL database: connect (libpq conventions,
//! see [`super::config`]), apply the migrations it lacks when this role may,
//! and hand the connection to the SQL layer.

use super::{LATEST, PgError, migrate, said, settings};
use crate::store::sql::Db;
use crate::store::{StoreError, StoreOptions};

/// The database `url` names, migrated, as the store's [`Db`].
pub(in crate::store) fn open(url: &str, options: &StoreOptions) -> Result<Db, StoreError> {
    let shown = redact(url);
    let server = |cause: String| StoreError::Server {
        url: shown.clone(),
        cause,
    };
    let mut settings = settings(url).map_err(|e| server(e.to_string()))?;
    let config = settings.config_mut();
    // A lock held longer than the busy timeout is reported as busy, as on
    // SQLite. Given at connection start, so a replaced connection has it too.
    let timeout = format!("-c lock_timeout={}", options.busy_timeout.as_millis());
    let startup = match config.get_options() {
        Some(theirs) if !theirs.is_empty() => format!("{theirs} {timeout}"),
        _ => timeout,
    };
    config.options(&startup);
    // A refusal about the client certificate says which was sent.
    let mut client = settings
        .connect()
        .map_err(|e| server(settings.explain(said(&e))))?;
    let found = version(&mut client).map_err(|e| server(said(&e)))?;
    if found > LATEST {
        return Err(StoreError::NewerSchema {
            path: shown,
            found,
            supported: LATEST,
        });
    }
    if found < LATEST {
        migrate(&mut client).map_err(|e| match e {
            PgError::NewerSchema { found, supported } => StoreError::NewerSchema {
                path: shown.clone(),
                found,
                supported,
            },
            e => server(format!(
                "its schema is at version {found} of {LATEST} and could not be brought up to date \
                 ({e}); the database's owner runs `chartcoder --db URL db migrate`"
            )),
        })?;
    }
    Ok(Db::from_postgres(settings, client))
}

/// The PostgreSQL schema version of the database (0: none yet).
fn version(client: &mut postgres::Client) -> Result<u32, postgres::Error> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])?
        .try_get(0)?;
    if !exists {
        return Ok(0);
    }
    let found: i64 = client
        .query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[])?
        .try_get(0)?;
    Ok(u32::try_from(found).unwrap_or(u32::MAX))
}

/// `url` with any password hidden, for messages.
pub fn redact(url: &str) -> String {
    // postgresql://user:secret@host/db
    if let Some(rest) = url
        .strip_prefix("postgresql://")
        .or_else(|| url.strip_prefix("postgres://"))
    {
        let scheme = &url[..url.len() - rest.len()];
        let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
        let authority = match authority.rsplit_once('@') {
            Some((user, host)) => match user.split_once(':') {
                Some((name, _)) => format!("{name}:***@{host}"),
                None => authority.to_string(),
            },
            None => authority.to_string(),
        };
        let tail = match tail.split_once('?') {
            Some((path, query)) => format!("{path}?{}", hide_words(query, '&')),
            None => tail.to_string(),
        };
        return format!("{scheme}{authority}{tail}");
    }
    // key=value words
    hide_key_values(url)
}

/// libpq's `key = value` words with the value of `password` and
/// `sslpassword` replaced by `***`: spaces may stand around the `=`, and a
/// value may be quoted ('a b', with \' and \\ escapes).
fn hide_key_values(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A key: up to '=' or a space.
        let start = i;
        while i < chars.len() && chars[i] != '=' && !chars[i].is_whitespace() {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        let mut j = i;
        while j < chars.len() && chars[j].is_whitespace() {
            j += 1;
        }
        if j >= chars.len() || chars[j] != '=' {
            out.push_str(&key);
            continue;
        }
        let secret = key == "password" || key == "sslpassword";
        out.push_str(&key);
        out.extend(&chars[i..=j]);
        i = j + 1;
        while i < chars.len() && chars[i].is_whitespace() {
            out.push(chars[i]);
            i += 1;
        }
        // The value: quoted, or up to a space.
        let value_start = i;
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = i.min(chars.len());
        }
        if secret {
            out.push_str("***");
        } else {
            out.extend(&chars[value_start..i]);
        }
    }
    out
}

/// `password=…` and `sslpassword=…` (the client key's passphrase) among
/// words separated by `sep` replaced by `password=***`, `sslpassword=***`.
fn hide_words(text: &str, sep: char) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split(sep).enumerate() {
        if i > 0 {
            out.push(sep);
        }
        match ["password=", "sslpassword="]
            .into_iter()
            .find(|key| part.starts_with(key))
        {
            Some(key) => {
                out.push_str(key);
                out.push_str("***");
            }
            None => out.push_str(part),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redact("postgresql://amy:s3cret@db.example/charts"),
            "postgresql://amy:***@db.example/charts"
        );
        assert_eq!(
            redact("postgres://amy@db/charts?sslmode=disable&password=x"),
            "postgres://amy@db/charts?sslmode=disable&password=***"
        );
        assert_eq!(
            redact("postgresql:///charts?password=x&host=/tmp"),
            "postgresql:///charts?password=***&host=/tmp"
        );
        assert_eq!(
            redact("host=/tmp user=amy password=pw dbname=c"),
            "host=/tmp user=amy password=*** dbname=c"
        );
        assert_eq!(
            redact("postgresql://db/c?sslkey=/k&sslpassword=pw&sslmode=require"),
            "postgresql://db/c?sslkey=/k&sslpassword=***&sslmode=require"
        );
        assert_eq!(
            redact("host=db sslpassword=pw sslkey=/k"),
            "host=db sslpassword=*** sslkey=/k"
        );
        // Spaces around '=' and quoted values (libpq's key = value syntax).
        assert_eq!(
            redact("host=db password = pw user=amy"),
            "host=db password = *** user=amy"
        );
        assert_eq!(
            redact("host=db sslpassword='a b\\' c' sslkey=/k"),
            "host=db sslpassword=*** sslkey=/k"
        );
        assert_eq!(redact("password="), "password=***");
        assert_eq!(
            redact("postgresql://db.example/charts"),
            "postgresql://db.example/charts"
        );
    }
}
