//! The prebuilt search index on disk, so that search is ready in milliseconds.
//!
//! The cache file starts with a fingerprint of everything the index is built from
//! (the bundled code-set files, the synonym list, the site's CPT and local tables,
//! and this format): when any of them changes, the fingerprint differs and the
//! index is rebuilt and the cache rewritten (to a temporary file, then renamed,
//! so a crash never leaves half a cache). A cache that fails its checksum or its
//! consistency checks is rebuilt the same way: it can never crash a search.

use super::{SearchIndex, StrArray, synonyms};
use crate::codeset::{self, CodeSetError, user_table};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MAGIC: &[u8; 8] = b"CCSEARCH";
const FORMAT: u32 = 43;
pub const FILE_NAME: &str = "search-index.bin";

/// A hash of the code that builds the index (every Rust file under src/search
/// and src/codeset, made by build.rs): a new build of chartcoder that indexes
/// differently must not read an older cache.
const BUILDER_SOURCES: &str = env!("CHARTCODER_SEARCH_CODE");

/// The site's own tables, from the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTables {
    pub cpt: Option<PathBuf>,
    pub local: Vec<PathBuf>,
}

impl UserTables {
    /// The CPT and local tables the `[codesets]` section of the config names.
    pub fn from_config(c: &crate::config::CodesetsConfig) -> UserTables {
        let cpt = c.cpt_file.trim();
        UserTables {
            cpt: (!cpt.is_empty()).then(|| PathBuf::from(cpt)),
            local: c
                .local_files
                .iter()
                .map(|p| p.trim())
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect(),
        }
    }
}

/// How the index was made ready.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub from_cache: bool,
    pub elapsed: Duration,
    pub cache_file: Option<PathBuf>,
    /// A cache that could not be written or read, said once; search still works.
    pub warning: Option<String>,
}

/// A fingerprint of every input of the index.
pub fn fingerprint(user: &UserTables) -> Result<u64, CodeSetError> {
    let mut h = DefaultHasher::new();
    FORMAT.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    for f in codeset::all_bundled() {
        f.path.hash(&mut h);
        f.bytes.hash(&mut h);
    }
    codeset::editions_key(&codeset::BUNDLED_EDITIONS).hash(&mut h);
    synonyms::BUNDLED.hash(&mut h);
    synonyms::SURGEON.hash(&mut h);
    synonyms::SECTIONS.hash(&mut h);
    synonyms::OTHER_SECTIONS.hash(&mut h);
    BUILDER_SOURCES.hash(&mut h);
    for path in user.cpt.iter().chain(&user.local) {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| CodeSetError::at(&name, 0, format!("cannot read the file: {e}")))?;
        name.hash(&mut h);
        bytes.hash(&mut h);
    }
    // The CPT table and the local tables index differently: say which is which.
    user.cpt.is_some().hash(&mut h);
    Ok(h.finish())
}

fn joined<T>(r: std::thread::Result<Result<T, CodeSetError>>) -> Result<T, CodeSetError> {
    r.unwrap_or_else(|_| {
        Err(CodeSetError::at(
            "(code sets)",
            0,
            "a loader thread failed".into(),
        ))
    })
}

/// Loads every source and builds the index (what the cache saves).
pub fn build_from_sources(user: &UserTables) -> Result<SearchIndex, CodeSetError> {
    // The big parsers are independent: run them side by side.
    let (cm, pcs, index, hcpcs) = std::thread::scope(|s| {
        let cm = s.spawn(codeset::IcdCm::load_bundled);
        let pcs = s.spawn(codeset::IcdPcs::load_bundled);
        let index = s.spawn(codeset::load_index);
        let pcs_index = s.spawn(codeset::load_pcs_index);
        let hcpcs = codeset::load_hcpcs();
        (
            joined(cm.join()),
            joined(pcs.join()),
            joined(index.join()),
            hcpcs.and_then(|h| Ok((h, joined(pcs_index.join())?))),
        )
    });
    let (cm, pcs, index, (hcpcs, pcs_index)) = (cm?, pcs?, index?, hcpcs?);
    let synonyms = synonyms::bundled()?;
    let cpt = user.cpt.as_deref().map(user_table::load).transpose()?;
    let local = user
        .local
        .iter()
        .map(|p| user_table::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut provenance = vec![
        "ICD-10-CM FY2026 (April 1, 2026 tabular) and FY2027 (CDC addenda), MCE v44 validity"
            .to_string(),
        format!(
            "{} (Alphabetic Index, Drugs, Neoplasms, External Causes)",
            codeset::INDEX_EDITION
        ),
        "ICD-10-PCS FY2026 tables and definitions, MCE v44 validity".to_string(),
        format!(
            "{} (see/use references; codes it names that the FY2026 tables lack are shown as not valid)",
            codeset::PCS_INDEX_EDITION
        ),
        codeset::hcpcs::BUNDLED_EDITION.to_string(),
    ];
    if let Some(t) = &cpt {
        provenance.push(format!("CPT: {} ({} codes)", t.path, t.codes.len()));
    }
    for t in &local {
        provenance.push(format!("Local: {} ({} codes)", t.path, t.codes.len()));
    }
    Ok(super::build(&super::Sources {
        cm: &cm,
        pcs: &pcs,
        pcs_index: &pcs_index,
        hcpcs: &hcpcs,
        index: &index,
        synonyms: &synonyms,
        cpt: cpt.as_ref(),
        local: &local,
        provenance,
    }))
}

/// The index from the cache in `dir` when it is current, else built and cached.
/// Without a directory the index is built every time.
pub fn load_or_build(
    dir: Option<&Path>,
    user: &UserTables,
) -> Result<(SearchIndex, LoadReport), CodeSetError> {
    let start = Instant::now();
    let fp = fingerprint(user)?;
    let mut warning = None;
    let file = dir.map(|d| d.join(FILE_NAME));
    if let Some(file) = &file {
        // Read as it decodes: holding the whole file beside the index it
        // decodes to would double the peak resident memory (75 MB each).
        match std::fs::File::open(file) {
            Ok(f) => {
                let len = f.metadata().map_or(0, |m| m.len());
                let mut src = std::io::BufReader::with_capacity(1 << 16, f);
                if let Ok(ix) = decode_from(&mut src, len, fp) {
                    return Ok((
                        ix,
                        LoadReport {
                            from_cache: true,
                            elapsed: start.elapsed(),
                            cache_file: Some(file.clone()),
                            warning: None,
                        },
                    ));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                warning = Some(format!(
                    "cannot read the search cache {}: {e}",
                    file.display()
                ))
            }
        }
    }
    let ix = build_from_sources(user)?;
    if let Some(file) = &file
        && let Err(e) = write_atomic(file, &encode(&ix, fp))
    {
        warning = Some(format!(
            "cannot write the search cache {} ({e}); search works, but starts slowly",
            file.display()
        ));
    }
    Ok((
        ix,
        LoadReport {
            from_cache: false,
            elapsed: start.elapsed(),
            cache_file: file,
            warning,
        },
    ))
}

fn write_atomic(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    // Owner-only like every file chartcoder writes: another user who could
    // replace the index could change what a search answers.
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::private_file::create_dir(dir)?;
    }
    Ok(crate::private_file::write(file, bytes, &[])?)
}

/// A cache that does not match (another fingerprint, a damaged file): rebuild.
#[derive(Debug)]
pub struct Stale;

macro_rules! fields {
    ($m:ident, $ix:expr) => {
        $m!(str $ix.codes);
        $m!(str $ix.keys);
        $m!(str $ix.titles);
        $m!(u8 $ix.systems);
        $m!(u8 $ix.flags);
        $m!(u8 $ix.editions);
        $m!(u32 $ix.period_ends);
        $m!(i32 $ix.periods);
        $m!(u32 $ix.extension_ends);
        $m!(u32 $ix.extensions);
        $m!(u32 $ix.code_order);
        $m!(u32 $ix.text_entry);
        $m!(u8 $ix.text_kind);
        $m!(f32 $ix.text_static);
        $m!(u32 $ix.text_word_ends);
        $m!(u8 $ix.text_core);
        $m!(u32 $ix.words);
        $m!(str $ix.text_labels);
        $m!(str $ix.vocab);
        $m!(u32 $ix.posting_ends);
        $m!(u32 $ix.postings);
        $m!(str $ix.synonym_keys);
        $m!(u32 $ix.synonym_phrase_ends);
        $m!(u32 $ix.phrase_word_ends);
        $m!(u32 $ix.phrase_words);
        $m!(str $ix.provenance);
        $m!(u8 $ix.text_column);
        $m!(str $ix.morph_keys);
        $m!(str $ix.morph_extras);
        $m!(u8 $ix.morph_columns);
        $m!(str $ix.morph_sites);
        $m!(str $ix.morph_labels);
        $m!(u8 $ix.vocab_site);
        $m!(u32 $ix.entry_title);
    };
}

/// The index as cache bytes.
pub fn encode(ix: &SearchIndex, fingerprint: u64) -> Vec<u8> {
    let mut body: Vec<u8> = Vec::new();
    fn put_len(out: &mut Vec<u8>, n: usize) {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    macro_rules! put {
        (str $f:expr) => {
            put_len(&mut body, $f.text.len());
            body.extend_from_slice($f.text.as_bytes());
            put!(u32 $f.ends);
        };
        (u8 $f:expr) => {
            put_len(&mut body, $f.len());
            body.extend_from_slice(&$f);
        };
        ($t:ident $f:expr) => {
            put_len(&mut body, $f.len());
            for v in &$f {
                body.extend_from_slice(&v.to_le_bytes());
            }
        };
    }
    fields!(put, ix);
    let mut out = Vec::with_capacity(body.len() + 32);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(&crate::private_file::checksum(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The cache checksum ([`crate::private_file::checksum`]: FNV over 8-byte
/// little-endian words, then the odd bytes one by one) fed in pieces.
struct Checksum {
    h: u64,
    pending: [u8; 8],
    n: usize,
}

const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Checksum {
    fn new() -> Checksum {
        Checksum {
            h: 0xcbf2_9ce4_8422_2325,
            pending: [0; 8],
            n: 0,
        }
    }

    fn word(&mut self, w: [u8; 8]) {
        self.h = (self.h ^ u64::from_le_bytes(w)).wrapping_mul(FNV_PRIME);
    }

    fn feed(&mut self, mut bytes: &[u8]) {
        if self.n > 0 {
            let take = (8 - self.n).min(bytes.len());
            self.pending[self.n..self.n + take].copy_from_slice(&bytes[..take]);
            self.n += take;
            bytes = &bytes[take..];
            if self.n < 8 {
                return;
            }
            self.word(self.pending);
            self.n = 0;
        }
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(w);
        }
        let rest = chunks.remainder();
        self.pending[..rest.len()].copy_from_slice(rest);
        self.n = rest.len();
    }

    fn finish(&self) -> u64 {
        self.pending[..self.n]
            .iter()
            .fold(self.h, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }
}

/// The cache body read piece by piece, summed as it goes; no length may
/// claim more than the bytes left in the file.
struct Reader<R> {
    src: R,
    left: u64,
    sum: Checksum,
}

impl<R: std::io::Read> Reader<R> {
    fn exact(&mut self, buf: &mut [u8]) -> Result<(), Stale> {
        self.left = self.left.checked_sub(buf.len() as u64).ok_or(Stale)?;
        self.src.read_exact(buf).map_err(|_| Stale)?;
        self.sum.feed(buf);
        Ok(())
    }

    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, Stale> {
        if n as u64 > self.left {
            return Err(Stale);
        }
        let mut v = vec![0u8; n];
        self.exact(&mut v)?;
        Ok(v)
    }

    /// A length-prefixed array of 4-byte little-endian values, converted a
    /// block at a time (no second copy of the array's bytes).
    fn fixed<T>(&mut self, from: fn([u8; 4]) -> T) -> Result<Vec<T>, Stale> {
        let n = self.len()?;
        if (n as u64).checked_mul(4).is_none_or(|b| b > self.left) {
            return Err(Stale);
        }
        let mut out = Vec::with_capacity(n);
        let mut block = [0u8; 1 << 14];
        while out.len() < n {
            let k = (n - out.len()).min(block.len() / 4);
            let b = &mut block[..k * 4];
            self.exact(b)?;
            out.extend(b.chunks_exact(4).map(|c| from([c[0], c[1], c[2], c[3]])));
        }
        Ok(out)
    }

    fn len(&mut self) -> Result<usize, Stale> {
        let mut w = [0u8; 8];
        self.exact(&mut w)?;
        usize::try_from(u64::from_le_bytes(w)).map_err(|_| Stale)
    }
}

/// The index from cache bytes, if they are for `fingerprint` and intact.
pub fn decode(bytes: &[u8], fingerprint: u64) -> Result<SearchIndex, Stale> {
    let mut src = bytes;
    decode_from(&mut src, bytes.len() as u64, fingerprint)
}

/// The index read from `src` (`len` bytes), if it is for `fingerprint` and
/// intact.
pub fn decode_from(
    src: &mut impl std::io::Read,
    len: u64,
    fingerprint: u64,
) -> Result<SearchIndex, Stale> {
    let mut head = [0u8; 28];
    src.read_exact(&mut head).map_err(|_| Stale)?;
    let word = |at: usize| -> Result<u64, Stale> {
        Ok(u64::from_le_bytes(
            head[at..at + 8].try_into().map_err(|_| Stale)?,
        ))
    };
    let format = u32::from_le_bytes(head[8..12].try_into().map_err(|_| Stale)?);
    if &head[..8] != MAGIC || format != FORMAT || word(12)? != fingerprint {
        return Err(Stale);
    }
    let sum = word(20)?;
    let mut r = Reader {
        src,
        left: len.checked_sub(28).ok_or(Stale)?,
        sum: Checksum::new(),
    };
    let mut ix = SearchIndex::default();
    macro_rules! get {
        (str $f:expr) => {
            let n = r.len()?;
            $f = StrArray {
                text: String::from_utf8(r.bytes(n)?).map_err(|_| Stale)?,
                ends: Vec::new(),
            };
            get!(u32 $f.ends);
        };
        (u8 $f:expr) => {
            let n = r.len()?;
            $f = r.bytes(n)?;
        };
        (u32 $f:expr) => {
            $f = r.fixed(u32::from_le_bytes)?;
        };
        (i32 $f:expr) => {
            $f = r.fixed(i32::from_le_bytes)?;
        };
        (f32 $f:expr) => {
            $f = r.fixed(f32::from_le_bytes)?;
        };
    }
    fields!(get, ix);
    let mut more = [0u8; 1];
    if r.left != 0 || r.src.read(&mut more).map_err(|_| Stale)? != 0 || r.sum.finish() != sum {
        return Err(Stale);
    }
    check(&ix).map_err(|_| Stale)?;
    Ok(ix)
}

/// End offsets in order, within `len` and covering it.
fn ends_ok(ends: &[u32], len: usize, what: &str) -> Result<(), String> {
    let mut prev = 0;
    for &e in ends {
        if e < prev || e as usize > len {
            return Err(format!("{what}: offsets out of order"));
        }
        prev = e;
    }
    if ends.last().map_or(0, |&e| e as usize) != len {
        return Err(format!("{what}: offsets do not cover the data"));
    }
    Ok(())
}

/// A string array's offsets in order and on character boundaries.
fn strs_ok(s: &StrArray, what: &str) -> Result<(), String> {
    ends_ok(&s.ends, s.text.len(), what)?;
    if s.ends.iter().any(|&e| !s.text.is_char_boundary(e as usize)) {
        return Err(format!("{what}: an offset splits a character"));
    }
    Ok(())
}

/// Every invariant a search relies on, so a damaged cache cannot panic it.
pub fn check(ix: &SearchIndex) -> Result<(), String> {
    let entries = ix.codes.len();
    let texts = ix.text_entry.len();
    let vocab = ix.vocab.len();
    strs_ok(&ix.codes, "codes")?;
    strs_ok(&ix.keys, "keys")?;
    strs_ok(&ix.titles, "titles")?;
    strs_ok(&ix.text_labels, "labels")?;
    strs_ok(&ix.vocab, "vocabulary")?;
    strs_ok(&ix.synonym_keys, "synonyms")?;
    strs_ok(&ix.provenance, "provenance")?;
    strs_ok(&ix.morph_keys, "morphology keys")?;
    strs_ok(&ix.morph_sites, "morphology sites")?;
    strs_ok(&ix.morph_extras, "morphology modifiers")?;
    strs_ok(&ix.morph_labels, "morphology labels")?;
    if ix.morph_columns.len() != ix.morph_keys.len()
        || ix.morph_sites.len() != ix.morph_keys.len()
        || ix.morph_extras.len() != ix.morph_keys.len()
        || ix.morph_labels.len() != ix.morph_keys.len()
    {
        return Err("morphology arrays differ in length".into());
    }
    let same = [
        ix.keys.len(),
        ix.titles.len(),
        ix.systems.len(),
        ix.flags.len(),
        ix.editions.len(),
        ix.period_ends.len(),
        ix.extension_ends.len(),
        ix.code_order.len(),
        ix.entry_title.len(),
    ];
    if same.iter().any(|&n| n != entries) {
        return Err("entry arrays differ in length".into());
    }
    let same = [
        ix.text_kind.len(),
        ix.text_static.len(),
        ix.text_word_ends.len(),
        ix.text_core.len(),
        ix.text_labels.len(),
        ix.text_column.len(),
    ];
    if same.iter().any(|&n| n != texts) {
        return Err("text arrays differ in length".into());
    }
    if ix.posting_ends.len() != vocab
        || ix.vocab_site.len() != vocab
        || ix.synonym_phrase_ends.len() != ix.synonym_keys.len()
        || !ix.periods.len().is_multiple_of(2)
    {
        return Err("array lengths do not agree".into());
    }
    ends_ok(&ix.period_ends, ix.periods.len(), "periods")?;
    ends_ok(&ix.extension_ends, ix.extensions.len(), "extensions")?;
    ends_ok(&ix.text_word_ends, ix.words.len(), "words")?;
    ends_ok(&ix.posting_ends, ix.postings.len(), "postings")?;
    ends_ok(
        &ix.synonym_phrase_ends,
        ix.phrase_word_ends.len(),
        "phrases",
    )?;
    ends_ok(&ix.phrase_word_ends, ix.phrase_words.len(), "phrase words")?;
    if ix.period_ends.iter().any(|&e| !e.is_multiple_of(2)) {
        return Err("periods: odd offsets".into());
    }
    let lt = |v: &[u32], n: usize| v.iter().all(|&x| (x as usize) < n);
    if !lt(&ix.extensions, entries)
        || !lt(&ix.code_order, entries)
        || !lt(&ix.text_entry, entries)
        || !ix
            .entry_title
            .iter()
            .all(|&t| t == u32::MAX || (t as usize) < texts)
        || !lt(&ix.words, vocab)
        || !lt(&ix.postings, texts)
        || !ix
            .phrase_words
            .iter()
            .all(|&w| w == u32::MAX || (w as usize) < vocab)
    {
        return Err("an id out of range".into());
    }
    for t in 0..texts {
        let n = super::range(&ix.text_word_ends, t).len();
        if n > 64 || usize::from(ix.text_core[t]) > n {
            return Err("a text with too many words".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_fed_in_pieces_is_the_checksum_of_the_whole() {
        let bytes: Vec<u8> = (0..203u32).map(|i| (i * 37 % 251) as u8).collect();
        let whole = crate::private_file::checksum(&bytes);
        for piece in [1, 3, 7, 8, 9, 64, 203] {
            let mut sum = Checksum::new();
            for c in bytes.chunks(piece) {
                sum.feed(c);
            }
            assert_eq!(sum.finish(), whole, "pieces of {piece}");
        }
        // One changed byte, anywhere, changes it.
        let mut other = bytes.clone();
        other[101] ^= 1;
        let mut sum = Checksum::new();
        sum.feed(&other);
        assert_ne!(sum.finish(), whole);
    }

    /// A reader that hands out at most 5 bytes a call, as a pipe may.
    struct Trickle<'a>(&'a [u8]);

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(5).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_cache_read_in_small_pieces_decodes_and_a_damaged_one_does_not() {
        let mut ix = SearchIndex::default();
        ix.vocab.push("fracture");
        ix.vocab.push("neck");
        ix.posting_ends = vec![0, 0];
        ix.vocab_site = vec![0, 1];
        let bytes = encode(&ix, 7);
        let len = bytes.len() as u64;
        let back = decode_from(&mut Trickle(&bytes), len, 7).map_err(|_| "stale");
        assert_eq!(back, Ok(ix));
        assert!(decode_from(&mut Trickle(&bytes), len, 8).is_err());
        // "fracture" read as "fracturf": consistent, caught by the checksum.
        let mut damaged = bytes.clone();
        let at = damaged.windows(8).position(|w| w == b"fracture").unwrap();
        damaged[at + 7] = b'f';
        assert!(decode_from(&mut Trickle(&damaged), len, 7).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(decode_from(&mut Trickle(&longer), len + 1, 7).is_err());
        let short = &bytes[..bytes.len() - 3];
        assert!(decode_from(&mut Trickle(short), len - 3, 7).is_err());
    }
}
