//! Every file chartcoder writes (exports, query outbox files, the search
//! cache) goes through here, so that nothing a user types, plants or mistypes
//! can make chartcoder destroy data or widen who may read it:
//!
//! - a regular file is written to a new temporary file beside it (created
//!   exclusively, owner-only, never through a link) and renamed over the name
//!   only once complete ([`PrivateFile::commit`]): a planted symbolic link is
//!   replaced, not followed, and a failed write leaves the old file as it was;
//! - a name that is a symbolic link to a regular file is refused (a link in a
//!   shared folder is how another user points an export at the victim's
//!   database); a link to a terminal, pipe or socket (`/dev/stdout`) is written
//!   through;
//! - a character device, pipe or socket is written as it is: no mode or owner is
//!   changed on anything chartcoder did not create (`/dev/null` stays 0666);
//! - a block device, a folder, or the database and its `-wal`, `-shm` and
//!   `-journal` files (by name or as the same file under another name) are
//!   refused with the reason;
//! - folders chartcoder creates are 0700 whatever the umask.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteRefused {
    #[error(
        "{path} is a symbolic link (to {target}): chartcoder writes patient data only to the file named, \
         never through a link; give the real path"
    )]
    Symlink { path: String, target: String },
    #[error("{path} is the chart database (or one of its files): writing there would destroy it")]
    Database { path: String },
    #[error("{path} is a folder: give a file name")]
    Folder { path: String },
    #[error(
        "{path} is a pipe or socket of another user (or changed while it was opened): chartcoder \
         writes patient data only to your own terminal, pipes and files"
    )]
    NotOurs { path: String },
    #[error("{path} is a disk (block device): chartcoder does not write to disks")]
    BlockDevice { path: String },
    #[error("cannot write {path}: {cause}")]
    Io {
        path: String,
        #[source]
        cause: std::io::Error,
    },
}

impl WriteRefused {
    fn io(path: &Path, cause: std::io::Error) -> Self {
        WriteRefused::Io {
            path: path.display().to_string(),
            cause,
        }
    }
}

impl From<WriteRefused> for std::io::Error {
    fn from(e: WriteRefused) -> Self {
        match e {
            WriteRefused::Io { cause, .. } => cause,
            other => std::io::Error::other(other.to_string()),
        }
    }
}

/// A file being written: [`PrivateFile::commit`] makes it appear under its
/// name; dropped without a commit, a regular file's temporary copy is removed
/// and the name keeps what it had.
pub struct PrivateFile {
    file: File,
    /// For a regular file: the temporary file and the name it becomes.
    rename: Option<(PathBuf, PathBuf)>,
    path: PathBuf,
}

/// The files of the database at `db` that nothing may be written over.
pub fn database_files(db: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

impl PrivateFile {
    /// Opens `path` for writing under the rules above; `protected` are files
    /// never to be written over (the database's, from [`database_files`]).
    pub fn create(path: &Path, protected: &[PathBuf]) -> Result<PrivateFile, WriteRefused> {
        let shown = || path.display().to_string();
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = std::fs::read_link(path).unwrap_or_default();
                // A link is written through only to this process's own
                // standard output and friends (`/dev/stdout` ->
                // /proc/self/fd/1), or to a terminal or a pipe of ours
                // (checked on the file opened).
                let own_fd = target.starts_with("/proc/self/fd/")
                    || path.starts_with("/dev/fd/")
                    || path.starts_with("/proc/self/fd/");
                let to_stream = std::fs::metadata(path).is_ok_and(|to| is_stream(&to));
                match own_fd || to_stream {
                    true => Self::stream(path, protected, own_fd),
                    false => Err(WriteRefused::Symlink {
                        path: shown(),
                        target: target.display().to_string(),
                    }),
                }
            }
            Ok(meta) if meta.is_dir() => Err(WriteRefused::Folder { path: shown() }),
            Ok(meta) if is_block_device(&meta) => Err(WriteRefused::BlockDevice { path: shown() }),
            Ok(meta) if is_stream(&meta) => Self::stream(path, protected, false),
            Ok(meta) => {
                if protected
                    .iter()
                    .any(|p| std::fs::metadata(p).is_ok_and(|m| same_file(&m, &meta)))
                {
                    return Err(WriteRefused::Database { path: shown() });
                }
                Self::replace(path, protected)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::replace(path, protected),
            Err(e) => Err(WriteRefused::io(path, e)),
        }
    }

    /// A terminal, pipe or socket: written as it is, nothing about it changed.
    /// What was opened is checked, not the name (which can be swapped between
    /// the look and the open): a character device, or a pipe or socket of this
    /// user's (another user's planted FIFO would read the export), or — only
    /// through this process's own file descriptors (`own_fd`) — the file the
    /// shell redirected standard output to; never a database file, never
    /// truncated.
    fn stream(
        path: &Path,
        protected: &[PathBuf],
        own_fd: bool,
    ) -> Result<PrivateFile, WriteRefused> {
        use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
        let mut options = std::fs::OpenOptions::new();
        // Through this process's own descriptors, appended: the shell's
        // `> file` left it empty, and `>> file` means after what is there.
        options.write(true).append(own_fd);
        if !own_fd && !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            options.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
        }
        let file = options.open(path).map_err(|e| WriteRefused::io(path, e))?;
        let meta = file.metadata().map_err(|e| WriteRefused::io(path, e))?;
        let t = meta.file_type();
        let mine = meta.uid() == nix::unistd::getuid().as_raw();
        let ok = t.is_char_device()
            || ((t.is_fifo() || t.is_socket()) && mine)
            || (own_fd && t.is_file());
        if !ok {
            return Err(WriteRefused::NotOurs {
                path: path.display().to_string(),
            });
        }
        if protected
            .iter()
            .any(|p| std::fs::metadata(p).is_ok_and(|m| same_file(&m, &meta)))
        {
            return Err(WriteRefused::Database {
                path: path.display().to_string(),
            });
        }
        Ok(PrivateFile {
            file,
            rename: None,
            path: path.to_path_buf(),
        })
    }

    /// A regular file (new or not): a temporary file beside it, renamed over
    /// it on commit.
    fn replace(path: &Path, protected: &[PathBuf]) -> Result<PrivateFile, WriteRefused> {
        let name = path
            .file_name()
            .ok_or_else(|| WriteRefused::Folder {
                path: path.display().to_string(),
            })?
            .to_owned();
        let folder = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => p.to_path_buf(),
            None => PathBuf::from("."),
        };
        // The same name as a database file, even one that does not exist yet
        // (a -journal appears only while SQLite writes).
        let real_folder = folder
            .canonicalize()
            .map_err(|e| WriteRefused::io(&folder, e))?;
        let real = real_folder.join(&name);
        if protected.iter().any(|p| {
            let folder = p.parent().filter(|f| !f.as_os_str().is_empty());
            let folder = folder.unwrap_or(Path::new("."));
            folder
                .canonicalize()
                .ok()
                .zip(p.file_name())
                .is_some_and(|(f, n)| f.join(n) == real)
        }) {
            return Err(WriteRefused::Database {
                path: path.display().to_string(),
            });
        }
        let (file, tmp) = create_temporary(&folder, &name.to_string_lossy())
            .map_err(|e| WriteRefused::io(path, e))?;
        Ok(PrivateFile {
            file,
            rename: Some((tmp, path.to_path_buf())),
            path: path.to_path_buf(),
        })
    }

    /// Finishes the file: flushed to disk, and (for a regular file) renamed to
    /// its name, replacing what was there.
    pub fn commit(mut self) -> Result<(), WriteRefused> {
        let path = self.path.clone();
        self.file.flush().map_err(|e| WriteRefused::io(&path, e))?;
        match self.rename.take() {
            Some((tmp, dest)) => {
                let done = self
                    .file
                    .sync_all()
                    .and_then(|()| std::fs::rename(&tmp, &dest));
                if let Err(e) = done {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(WriteRefused::io(&path, e));
                }
                if let Some(folder) = dest.parent().filter(|p| !p.as_os_str().is_empty())
                    && let Ok(dir) = File::open(folder)
                {
                    let _ = dir.sync_all();
                }
                Ok(())
            }
            // A pipe or a terminal cannot be synced; /dev/full says it here.
            None => match self.file.sync_all() {
                Err(e) if e.raw_os_error() == Some(libc_enospc()) => {
                    Err(WriteRefused::io(&path, e))
                }
                _ => Ok(()),
            },
        }
    }

    /// The path it was opened for.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Write for PrivateFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for PrivateFile {
    fn drop(&mut self) {
        if let Some((tmp, _)) = self.rename.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// Writes `bytes` to `path` under the rules of [`PrivateFile`].
pub fn write(path: &Path, bytes: &[u8], protected: &[PathBuf]) -> Result<(), WriteRefused> {
    let mut f = PrivateFile::create(path, protected)?;
    f.write_all(bytes).map_err(|e| WriteRefused::io(path, e))?;
    f.commit()
}

/// Creates the folder `dir` and any missing parents, each 0700 whatever the
/// umask (set after creating: a umask such as 0277 would narrow it further);
/// folders that exist keep their mode.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let mut missing = Vec::new();
    let mut at = Some(dir);
    while let Some(d) = at.filter(|d| !d.as_os_str().is_empty()) {
        match std::fs::symlink_metadata(d) {
            Ok(_) => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => missing.push(d.to_path_buf()),
            Err(e) => return Err(e),
        }
        at = d.parent();
    }
    for d in missing.iter().rev() {
        match std::fs::DirBuilder::new().mode(0o700).create(d) {
            Ok(()) => std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700))?,
            // Made meanwhile by another process: theirs to keep as it is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Creates `path` exclusively (never through a link, never over anything),
/// readable and writable by its owner only.
pub fn create_new(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The umask can only narrow 0600; say it anyway, for a umask that is not
    // a umask (ACL defaults).
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

/// A new file `.NAME.<pid>.<n>.tmp` in `folder` (NAME cut to stay within the
/// file system's 255-byte names), created by [`create_new`].
fn create_temporary(folder: &Path, name: &str) -> std::io::Result<(File, PathBuf)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut short = String::new();
    for c in name.chars() {
        if short.len() + c.len_utf8() > 180 {
            break;
        }
        short.push(c);
    }
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let tmp = folder.join(format!(".{short}.{}.{n}.tmp", std::process::id()));
        match create_new(&tmp) {
            Ok(f) => return Ok((f, tmp)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn is_stream(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    t.is_char_device() || t.is_fifo() || t.is_socket()
}

fn is_block_device(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_block_device()
}

fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// ENOSPC: what `/dev/full` answers.
fn libc_enospc() -> i32 {
    rustix::io::Errno::NOSPC.raw_os_error()
}

/// The checksum a cache file written through this module carries over its
/// body (FNV-1a over 8-byte words): a damaged or truncated cache is detected
/// and rebuilt. The search index and the MS-DRG table caches both use it.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    for &b in chunks.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_and_an_existing_readable_one_end_owner_only_and_complete() {
        let dir = tempfile::tempdir().unwrap();
        let existing = dir.path().join("old.txt");
        std::fs::write(&existing, "old").unwrap();
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
        for path in [dir.path().join("new.txt"), existing] {
            write(&path, b"new", &[]).unwrap();
            assert_eq!(mode(&path), 0o600, "{}", path.display());
            assert_eq!(std::fs::read(&path).unwrap(), b"new");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "no temporary file left behind");
    }

    #[test]
    fn an_uncommitted_file_leaves_the_old_one_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "old").unwrap();
        let mut f = PrivateFile::create(&path, &[]).unwrap();
        f.write_all(b"half").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_symlink_to_a_file_is_refused_and_its_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.db");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("export.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write(&link, b"{}", &[]).unwrap_err();
        assert!(matches!(err, WriteRefused::Symlink { .. }), "{err}");
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // A dangling link too: never created through.
        let dangling = dir.path().join("planted.txt");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        assert!(write(&dangling, b"x", &[]).is_err());
        assert!(!dir.path().join("nowhere").exists());
    }

    #[test]
    fn the_database_and_its_files_are_refused_by_name_and_by_identity() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("charts.db");
        std::fs::write(&db, "db").unwrap();
        let protected = database_files(&db);
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let p = dir.path().join(format!("charts.db{suffix}"));
            let err = write(&p, b"x", &protected).unwrap_err();
            assert!(
                matches!(err, WriteRefused::Database { .. }),
                "{suffix}: {err}"
            );
        }
        // The same file under another name (a hard link) and another spelling.
        let hard = dir.path().join("innocent.json");
        std::fs::hard_link(&db, &hard).unwrap();
        assert!(matches!(
            write(&hard, b"x", &protected).unwrap_err(),
            WriteRefused::Database { .. }
        ));
        let spelled = dir.path().join(".").join("charts.db");
        assert!(write(&spelled, b"x", &protected).is_err());
        assert_eq!(std::fs::read(&db).unwrap(), b"db");
    }

    #[test]
    fn a_device_is_written_without_changing_its_mode() {
        let before = mode(Path::new("/dev/null"));
        write(Path::new("/dev/null"), b"gone", &[]).unwrap();
        assert_eq!(mode(Path::new("/dev/null")), before);
        let full = Path::new("/dev/full");
        if full.exists() {
            let before = mode(full);
            assert!(
                write(full, &[b'x'; 70000], &[]).is_err(),
                "a full device says so"
            );
            assert_eq!(mode(full), before);
        }
    }

    #[test]
    fn folders_are_created_owner_only_whatever_the_umask() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir(&deep).unwrap();
        for p in [dir.path().join("a"), dir.path().join("a/b"), deep] {
            assert_eq!(mode(&p), 0o700, "{}", p.display());
        }
    }
}
