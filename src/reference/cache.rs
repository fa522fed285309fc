//! The parsed code sets on disk (`codesets.bin` in `codesets.cache_dir`), so
//! that a start has the edits ready in milliseconds instead of parsing the
//! tabular, PCS and MCE files again.
//!
//! Like the search index's and the MS-DRG tables' caches: the file starts with
//! a fingerprint of what the code sets are read from (the official files, the
//! code that reads and encodes them, chartcoder's version); when it differs,
//! the files are parsed again and the cache rewritten (a new owner-only file
//! renamed into place, so a crash never leaves half a cache). A file that
//! fails its checksum or its consistency checks is parsed past the same way
//! and said once ([`LoadReport::notice`]): it can never crash a start nor
//! change what a rule finds.

use crate::codeset::{CodeSetError, Parsed, Sources, snapshot};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MAGIC: &[u8; 8] = b"CCCODES1";
const FORMAT: u32 = 1;
pub const FILE_NAME: &str = "codesets.bin";
/// Magic, format, fingerprint and checksum.
const HEADER: usize = 8 + 4 + 8 + 8;

/// A hash of the code that decides what the parsed code sets hold (every Rust
/// file under src/codeset, and this one, made by build.rs): a build of
/// chartcoder that parses or encodes differently must not read an older cache.
const READER_SOURCES: &str = env!("CHARTCODER_REFERENCE_CODE");

/// How the code sets were made ready.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub from_cache: bool,
    pub elapsed: Duration,
    pub cache_file: Option<PathBuf>,
    /// A cache found damaged (and rebuilt), or one that could not be read or
    /// written: said once; the code sets are complete either way.
    pub notice: Option<String>,
}

/// A fingerprint of every input of the parsed code sets.
pub fn fingerprint(sources: &Sources) -> u64 {
    let mut h = DefaultHasher::new();
    FORMAT.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    READER_SOURCES.hash(&mut h);
    for f in sources.files() {
        f.path.hash(&mut h);
        f.bytes.hash(&mut h);
    }
    crate::codeset::editions_key(sources.editions).hash(&mut h);
    h.finish()
}

/// Why a cache file was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    /// Written for other code sets or by another build: replaced quietly.
    Stale,
    /// Not a cache this code wrote, cut short, or failing its checksum or its
    /// consistency checks.
    Damaged(&'static str),
}

/// The code sets as cache bytes.
pub fn encode(parsed: &Parsed, fingerprint: u64) -> Vec<u8> {
    let body = snapshot::encode(parsed);
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(&crate::private_file::checksum(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The code sets from cache bytes, if they are for `fingerprint` and intact.
pub fn decode(bytes: &[u8], fingerprint: u64) -> Result<Parsed, Unusable> {
    let word = |at: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return Err(Unusable::Damaged("not a code-set cache, or cut short"));
    }
    let format = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if format != FORMAT || word(12) != fingerprint {
        return Err(Unusable::Stale);
    }
    let body = &bytes[HEADER..];
    if crate::private_file::checksum(body) != word(20) {
        return Err(Unusable::Damaged("its checksum does not match"));
    }
    snapshot::decode(body).map_err(|_| Unusable::Damaged("its contents do not hold together"))
}

/// The code sets `sources` hold, from the cache in `dir` when it is current,
/// else parsed and cached. Without a directory they are parsed every time.
pub fn load_or_parse(
    dir: Option<&Path>,
    sources: &Sources,
) -> Result<(Parsed, LoadReport), CodeSetError> {
    let start = Instant::now();
    let file = dir.map(|d| d.join(FILE_NAME));
    let fp = fingerprint(sources);
    let mut notice = None;
    if let Some(file) = &file {
        match std::fs::read(file) {
            Ok(bytes) => match decode(&bytes, fp) {
                Ok(parsed) => {
                    let report = LoadReport {
                        from_cache: true,
                        elapsed: start.elapsed(),
                        cache_file: Some(file.clone()),
                        notice: None,
                    };
                    return Ok((parsed, report));
                }
                Err(Unusable::Stale) => {}
                Err(Unusable::Damaged(why)) => {
                    notice = Some(format!(
                        "the code-set cache {} was damaged ({why}): rebuilt from the official files",
                        file.display()
                    ));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                notice = Some(format!(
                    "cannot read the code-set cache {}: {e}",
                    file.display()
                ));
            }
        }
    }
    let parsed = Parsed::parse(sources)?;
    if let Some(file) = &file
        && let Err(e) = write(file, &encode(&parsed, fp))
    {
        notice = Some(format!(
            "cannot write the code-set cache {} ({e}); the edits work, but start slowly",
            file.display()
        ));
    }
    let report = LoadReport {
        from_cache: false,
        elapsed: start.elapsed(),
        cache_file: file,
        notice,
    };
    Ok((parsed, report))
}

/// Writes the cache owner-only, a new file renamed into place: another user
/// who could replace it could change what the edits find.
fn write(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_file::create_dir(dir)?;
    }
    Ok(crate::private_file::write(file, bytes, &[])?)
}
