//! Files that hold patient information (exports, query outbox files) are
//! readable and writable by their owner only.

use std::fs::File;
use std::path::Path;

/// Creates `path`, or truncates it, owner-only (0600). An existing file keeps
/// its mode when opened, so its mode is tightened too.
pub fn create(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        Ok(file)
    }
    #[cfg(not(unix))]
    {
        options.open(path)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_new_file_and_an_existing_readable_one_end_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("old.txt");
        std::fs::write(&existing, "old").unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
        for path in [dir.path().join("new.txt"), existing] {
            drop(super::create(&path).unwrap());
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
            assert_eq!(std::fs::read(&path).unwrap(), b"", "truncated");
        }
    }
}
