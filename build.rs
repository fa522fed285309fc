//! Fingerprints the code behind each on-disk cache, so that a cache written by
//! an older build of chartcoder is never read by a newer one that would have
//! built it differently.
//!
//! Each cache is keyed on its data files and on one of these hashes, made here
//! from every Rust file in the folders (or the single files) it depends on.
//! Hashing whole folders means no hand-kept list of files that falls behind
//! when a new builder file is added; a change that does not alter the cached
//! data only costs one rebuild of the cache.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// (environment variable, the files and folders whose code decides the cache).
const CACHES: [(&str, &[&str]); 3] = [
    // The search index (src/search/cache.rs): its builders, the code-set
    // loaders they read through, and the query code the index is laid out for.
    ("CHARTCODER_SEARCH_CODE", &["src/search", "src/codeset"]),
    // The parsed code sets the edits check against (src/reference/cache.rs).
    (
        "CHARTCODER_REFERENCE_CODE",
        &["src/codeset", "src/reference/cache.rs"],
    ),
    // The MS-DRG grouper's tables (src/drg/cache.rs).
    (
        "CHARTCODER_DRG_CODE",
        &["src/drg/tables", "src/drg/cache.rs"],
    ),
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if path.is_dir() {
        for entry in std::fs::read_dir(path)? {
            rust_files(&entry?.path(), out)?;
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    for (var, paths) in CACHES {
        let mut files = Vec::new();
        for path in paths {
            // A folder is watched whole: a file added, removed or edited in it reruns this.
            println!("cargo:rerun-if-changed={path}");
            rust_files(Path::new(path), &mut files)?;
        }
        files.sort();
        let mut h = DefaultHasher::new();
        for file in &files {
            file.to_string_lossy().replace('\\', "/").hash(&mut h);
            std::fs::read(file)?.hash(&mut h);
        }
        println!("cargo:rustc-env={var}={:016x}", h.finish());
    }
    Ok(())
}
