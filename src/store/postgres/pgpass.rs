//! libpq's password file: `PGPASSFILE`, else `~/.pgpass`, lines of
//! `host:port:database:user:password` where `*` matches anything and `\`
//! escapes `:` and `\`; the first line that matches is used. As libpq does,
//! a file that others may read or write is ignored (with a warning), and a
//! Unix-socket host matches `localhost`.

use std::path::{Path, PathBuf};

/// The password file's path: `PGPASSFILE`, else `~/.pgpass`.
pub(super) fn path() -> Option<PathBuf> {
    match std::env::var_os("PGPASSFILE").filter(|p| !p.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME").map(|home| Path::new(&home).join(".pgpass")),
    }
}

/// The password the file at `path` gives for the connection, if any.
pub(super) fn lookup(
    path: &Path,
    host: &str,
    port: u16,
    dbname: &str,
    user: &str,
) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    if meta.permissions().mode() & 0o077 != 0 {
        eprintln!(
            "chartcoder: the password file {} is ignored: others may read or write it (chmod 0600 it)",
            path.display()
        );
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let port = port.to_string();
    let wanted = [host, port.as_str(), dbname, user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = fields(line);
            let [h, p, d, u, password] = fields.as_slice() else {
                return None;
            };
            [h, p, d, u]
                .iter()
                .zip(wanted)
                .all(|(field, want)| field.as_str() == "*" || field.as_str() == want)
                .then(|| password.clone())
        })
}

/// A line's five fields, `\` escapes undone (a password may hold `:`).
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(f)) = (chars.next(), out.last_mut()) {
                    f.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(f) = out.last_mut() {
                    f.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn file(text: &str, mode: u32) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pgpass");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        (dir, path)
    }

    #[test]
    fn the_first_matching_line_gives_the_password() {
        let (_dir, path) = file(
            "# comment\n\
             db.example:5432:charts:amy:first\n\
             *:*:charts:amy:second\n\
             localhost:*:*:*:p\\:w\\\\d\n",
            0o600,
        );
        assert_eq!(
            lookup(&path, "db.example", 5432, "charts", "amy").as_deref(),
            Some("first")
        );
        assert_eq!(
            lookup(&path, "other.host", 5433, "charts", "amy").as_deref(),
            Some("second")
        );
        assert_eq!(
            lookup(&path, "localhost", 5432, "billing", "bob").as_deref(),
            Some("p:w\\d")
        );
        assert_eq!(lookup(&path, "other.host", 5432, "billing", "bob"), None);
    }

    #[test]
    fn a_file_others_may_read_is_ignored() {
        let (_dir, path) = file("*:*:*:*:secret\n", 0o644);
        assert_eq!(lookup(&path, "h", 5432, "d", "u"), None);
        let (_dir, missing) = file("", 0o600);
        assert_eq!(
            lookup(&missing.with_extension("none"), "h", 5432, "d", "u"),
            None
        );
    }
}
