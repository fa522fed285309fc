//! The query outbox: each sent physician query also written as a text file
//! (`queries.outbox_dir`), for a site's own messaging to pick up.

/// Writes a sent query's text into the outbox folder as
/// `query-DATABASE-ID.txt` (`database`: the database's own id, so that two
/// databases sharing one outbox never overwrite each other's queries), owner-only,
/// never through a link nor over the database's files (`protected`), in a
/// folder created 0700; returns the file's path.
pub fn write(
    dir: &std::path::Path,
    database: &str,
    id: i64,
    text: &str,
    protected: &[std::path::PathBuf],
) -> std::io::Result<std::path::PathBuf> {
    crate::private_file::create_dir(dir)?;
    let path = dir.join(format!("query-{database}-{id}.txt"));
    // Quoted document text reaches a reader's terminal or editor: shown, never obeyed.
    let text = crate::sanitize::text(text);
    crate::private_file::write(&path, text.as_bytes(), protected)?;
    Ok(path)
}

/// Writes a message into an outbox folder (created 0700) under `name`,
/// owner-only, whole or not at all, never through a link nor over the
/// database's files; returns its path. The bytes are written as given (an
/// HL7 message's segments end in CR).
pub fn write_message(
    dir: &std::path::Path,
    name: &str,
    bytes: &[u8],
    protected: &[std::path::PathBuf],
) -> std::io::Result<std::path::PathBuf> {
    crate::private_file::create_dir(dir)?;
    let path = dir.join(name);
    crate::private_file::write(&path, bytes, protected)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_outbox_file_is_the_text_and_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            &dir.path().join("out"),
            "a1b2c3",
            7,
            "PHYSICIAN QUERY #7\n",
            &[],
        )
        .unwrap();
        assert_eq!(path.file_name().unwrap(), "query-a1b2c3-7.txt");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "PHYSICIAN QUERY #7\n"
        );
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
