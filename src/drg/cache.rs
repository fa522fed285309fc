//! The parsed code tables on disk, so the grouper is ready in milliseconds
//! instead of decompressing and reading 10 MB of tables at every start.
//!
//! Like the search index's cache: the file starts with a fingerprint of what
//! the tables are read from (the bundled files and the code that reads them);
//! when it differs, the tables are read again and the cache rewritten (a new
//! file renamed into place, owner-only). A file that fails its checksum or
//! its consistency checks is read past the same way: it can never change a DRG.
//! Only the big tables (diagnoses, procedures, exclusion groups, and the
//! attribute names and lists they intern) are kept; the formulas, clusters,
//! titles and Table 5 are small and read from their files each time.

use super::Level;
use super::tables::{CodeKey, DxRow, FastMap, PxRow, Tables};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

const MAGIC: &[u8; 8] = b"CCMSDRG1";
const FORMAT: u32 = 1;
pub const FILE_NAME: &str = "msdrg-tables.bin";

/// A fingerprint of the bundled files and the code that reads them.
pub fn fingerprint(files: &[(&str, &[u8])]) -> u64 {
    let mut h = DefaultHasher::new();
    FORMAT.hash(&mut h);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    // Every Rust file under src/drg/tables, and this one (build.rs).
    env!("CHARTCODER_DRG_CODE").hash(&mut h);
    for (path, bytes) in files {
        path.hash(&mut h);
        bytes.hash(&mut h);
    }
    h.finish()
}

const NONE32: u32 = u32::MAX;
const NONE8: u8 = u8::MAX;

fn level_byte(l: Level) -> u8 {
    match l {
        Level::None => 0,
        Level::Cc => 1,
        Level::Mcc => 2,
    }
}

/// The code tables as cache bytes.
pub fn encode(t: &Tables, fingerprint: u64) -> Vec<u8> {
    let mut b: Vec<u8> = Vec::with_capacity(8 << 20);
    let u32s = |b: &mut Vec<u8>, v: u32| b.extend_from_slice(&v.to_le_bytes());
    u32s(&mut b, t.attr_names.len() as u32);
    for n in &t.attr_names {
        u32s(&mut b, n.len() as u32);
        b.extend_from_slice(n.as_bytes());
    }
    u32s(&mut b, t.lists.len() as u32);
    for l in &t.lists {
        u32s(&mut b, l.len() as u32);
        for id in l.iter() {
            b.extend_from_slice(&id.to_le_bytes());
        }
    }
    u32s(&mut b, t.dx.len() as u32);
    for (k, rows) in &t.dx {
        b.extend_from_slice(&k.to_le_bytes());
        u32s(&mut b, rows.len() as u32);
        for r in rows {
            for v in [r.start, r.end, r.attrs, r.dx_cat, r.hac] {
                u32s(&mut b, v);
            }
            u32s(&mut b, r.exclusion_group.unwrap_or(NONE32));
            b.extend_from_slice(&[
                r.mdc,
                level_byte(r.severity),
                r.male_mdc.unwrap_or(NONE8),
                r.female_mdc.unwrap_or(NONE8),
            ]);
        }
    }
    u32s(&mut b, t.px.len() as u32);
    for (k, rows) in &t.px {
        b.extend_from_slice(&k.to_le_bytes());
        u32s(&mut b, rows.len() as u32);
        for r in rows {
            for v in [r.start, r.end, r.attrs] {
                u32s(&mut b, v);
            }
            b.push(u8::from(r.is_or));
        }
    }
    u32s(&mut b, t.exclusions.len() as u32);
    for (g, codes) in &t.exclusions {
        u32s(&mut b, *g);
        u32s(&mut b, codes.len() as u32);
        for c in codes {
            b.extend_from_slice(&c.to_le_bytes());
        }
    }
    let mut out = Vec::with_capacity(b.len() + 28);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&fingerprint.to_le_bytes());
    out.extend_from_slice(&crate::private_file::checksum(&b).to_le_bytes());
    out.extend_from_slice(&b);
    out
}

/// A cache that does not match (another fingerprint, a damaged file).
#[derive(Debug)]
pub struct Stale;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Stale> {
        let end = self.at.checked_add(n).ok_or(Stale)?;
        let s = self.bytes.get(self.at..end).ok_or(Stale)?;
        self.at = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Stale> {
        let mut w = [0u8; N];
        w.copy_from_slice(self.take(N)?);
        Ok(w)
    }

    fn u32(&mut self) -> Result<u32, Stale> {
        self.array::<4>().map(u32::from_le_bytes)
    }

    fn u64(&mut self) -> Result<u64, Stale> {
        self.array::<8>().map(u64::from_le_bytes)
    }

    /// A count, bounded by the bytes left (each item takes at least `min` bytes).
    fn count(&mut self, min: usize) -> Result<usize, Stale> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min) > self.bytes.len() - self.at {
            return Err(Stale);
        }
        Ok(n)
    }
}

/// The attribute names (and their ids) from the cache.
fn decode_names(r: &mut Reader<'_>, t: &mut Tables) -> Result<(), Stale> {
    let names = r.count(4)?;
    t.attr_names.reserve(names);
    t.attr_ids.reserve(names);
    for i in 0..names {
        let n = r.count(1)?;
        let name: Box<str> = std::str::from_utf8(r.take(n)?).map_err(|_| Stale)?.into();
        let id = u16::try_from(i).map_err(|_| Stale)?;
        t.attr_ids.insert(name.clone(), id);
        t.attr_names.push(name);
    }
    Ok(())
}

/// The attribute lists from the cache, each naming only known attributes.
fn decode_lists(r: &mut Reader<'_>, t: &mut Tables) -> Result<(), Stale> {
    let names = t.attr_names.len();
    let lists = r.count(4)?;
    t.lists.reserve(lists);
    for _ in 0..lists {
        let n = r.count(2)?;
        let raw = r.take(n * 2)?;
        let ids: Box<[u16]> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        if ids.iter().any(|&id| usize::from(id) >= names) {
            return Err(Stale);
        }
        t.lists.push(ids);
    }
    Ok(())
}

/// The diagnosis rows from the cache, each naming only known lists.
fn decode_dx(r: &mut Reader<'_>, t: &mut Tables) -> Result<(), Stale> {
    let lists = t.lists.len();
    let list_ok = |id: u32| (id as usize) < lists;
    let dx = r.count(12)?;
    t.dx.reserve(dx);
    for _ in 0..dx {
        let key: CodeKey = r.u64()?;
        let n = r.count(28)?;
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            let [start, end, attrs, dx_cat, hac, group] =
                [r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?, r.u32()?];
            let [mdc, severity, male, female] = r.array::<4>()?;
            if !(list_ok(attrs) && list_ok(dx_cat) && list_ok(hac)) || start > end {
                return Err(Stale);
            }
            rows.push(DxRow {
                start,
                end,
                mdc,
                severity: match severity {
                    0 => Level::None,
                    1 => Level::Cc,
                    2 => Level::Mcc,
                    _ => return Err(Stale),
                },
                attrs,
                dx_cat,
                hac,
                exclusion_group: (group != NONE32).then_some(group),
                male_mdc: (male != NONE8).then_some(male),
                female_mdc: (female != NONE8).then_some(female),
            });
        }
        t.dx.insert(key, rows);
    }
    Ok(())
}

/// The procedure rows from the cache, each naming only known lists.
fn decode_px(r: &mut Reader<'_>, t: &mut Tables) -> Result<(), Stale> {
    let lists = t.lists.len();
    let list_ok = |id: u32| (id as usize) < lists;
    let px = r.count(12)?;
    t.px.reserve(px);
    for _ in 0..px {
        let key: CodeKey = r.u64()?;
        let n = r.count(13)?;
        let mut rows = Vec::with_capacity(n);
        for _ in 0..n {
            let [start, end, attrs] = [r.u32()?, r.u32()?, r.u32()?];
            let [is_or] = r.array::<1>()?;
            if !list_ok(attrs) || start > end || is_or > 1 {
                return Err(Stale);
            }
            rows.push(PxRow {
                start,
                end,
                is_or: is_or == 1,
                attrs,
            });
        }
        t.px.insert(key, rows);
    }
    Ok(())
}

/// The exclusion groups from the cache, each group's codes sorted.
fn decode_exclusions(r: &mut Reader<'_>) -> Result<FastMap<u32, Vec<CodeKey>>, Stale> {
    let groups = r.count(8)?;
    let mut exclusions: FastMap<u32, Vec<CodeKey>> =
        FastMap::with_capacity_and_hasher(groups, Default::default());
    for _ in 0..groups {
        let g = r.u32()?;
        let n = r.count(8)?;
        let codes: Vec<CodeKey> = r
            .take(n * 8)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        if !codes.is_sorted() {
            return Err(Stale);
        }
        exclusions.insert(g, codes);
    }
    Ok(exclusions)
}

/// The code tables from cache bytes, if they are for `fingerprint` and intact.
pub fn decode(bytes: &[u8], fingerprint: u64) -> Result<Tables, Stale> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != MAGIC || r.u32()? != FORMAT || r.u64()? != fingerprint {
        return Err(Stale);
    }
    let sum = r.u64()?;
    if crate::private_file::checksum(&bytes[r.at..]) != sum {
        return Err(Stale);
    }
    let mut t = Tables::default();
    decode_names(&mut r, &mut t)?;
    decode_lists(&mut r, &mut t)?;
    decode_dx(&mut r, &mut t)?;
    decode_px(&mut r, &mut t)?;
    t.exclusions = decode_exclusions(&mut r)?;
    if r.at != bytes.len() || t.lists.is_empty() {
        return Err(Stale);
    }
    Ok(t)
}

/// Writes the cache (owner-only, a new file renamed into place).
pub fn write(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::private_file::create_dir(dir)?;
    Ok(crate::private_file::write(
        &dir.join(FILE_NAME),
        bytes,
        &[],
    )?)
}
