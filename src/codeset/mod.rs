//! The official code sets, loaded from the files in `codesets/` (compiled into
//! the binary, official layouts kept so next year's CMS/CDC files drop in).
//!
//! ICD-10-CM: the editions of [`BUNDLED_EDITIONS`] (the April 2026 tabular,
//! FY2026, with every note, and each later edition as its added / deleted /
//! revised codes on top), all in one tree; dated validity of every CM and PCS
//! code from the Medicare Code Editor v44 masters.

/// A file under `codesets/`, compiled in (`SourceFile` must be in scope).
macro_rules! bundled {
    ($path:literal) => {
        SourceFile {
            path: $path,
            bytes: include_bytes!(concat!("../../codesets/", $path)),
        }
    };
}

mod changes;
mod cm;
mod describe;
mod edition;
pub mod hcpcs;
pub mod index;
mod mce;
pub mod pcs;
pub mod pcs_index;
mod read;
pub mod risk;
pub mod snapshot;
pub mod tabular;
pub mod user_table;

pub use cm::{CodeDetail, IcdCm, Replacement, code_key, dotted, with_seventh};
pub use describe::{describe, describe_code};
pub use edition::{
    BUNDLED_EDITIONS, Edition, EditionFiles, EditionRow, EditionSet, MAX_EDITIONS, ValidPeriod,
    editions_key,
};
pub use mce::{MceEntry, parse_mce};
pub use pcs::IcdPcs;
pub use read::{CodeSetError, text_of};
pub(crate) use read::{
    Lines, check_csv_quotes, close_element, csv_error, has_cm_shape, line_of, next_event,
    reference_char, truncated,
};
pub use tabular::{NodeKind, Note, NoteKind, SeventhCharacter, TabularNode};

/// One bundled file: its path under `codesets/` and its bytes (gzip when the
/// name ends in .gz).
#[derive(Debug, Clone, Copy)]
pub struct SourceFile {
    pub path: &'static str,
    pub bytes: &'static [u8],
}

pub const MCE_DX: SourceFile = bundled!("cms_mce_v44_fy2027/mce_icd10cm_dx_master.csv.gz");
pub const MCE_PX: SourceFile = bundled!("cms_mce_v44_fy2027/mce_icd10pcs_sg_master.csv.gz");
pub const PCS_TABLES: SourceFile = bundled!("icd10pcs_2026/icd10pcs_tables_2026.xml.gz");
pub const PCS_DEFINITIONS: SourceFile = bundled!("icd10pcs_2026/icd10pcs_definitions_2026.xml.gz");
pub const HCPCS: SourceFile = bundled!("hcpcs_level2_2023/terminology__hcpcs_level_2.csv");
pub const INDEX_DISEASES: SourceFile =
    bundled!("icd10cm_2025_index/ICD10CM_2025_Index_flattened.csv.gz");
pub const INDEX_DRUGS: SourceFile = bundled!("icd10cm_2025_index/icd-10-cm-drug-2025.xml.gz");
pub const INDEX_NEOPLASMS: SourceFile =
    bundled!("icd10cm_2025_index/icd-10-cm-neoplasm-2025.xml.gz");
pub const INDEX_EXTERNAL: SourceFile = bundled!("icd10cm_2025_index/icd-10-cm-eindex-2025.xml.gz");
pub const PCS_INDEX: SourceFile = bundled!("icd10pcs_2025_index/icd10pcs_index_2025.xml.gz");

/// Every bundled file, for fingerprints and provenance: the editions' files
/// ([`BUNDLED_EDITIONS`]) and these.
pub fn all_bundled() -> Vec<&'static SourceFile> {
    let table: &'static [EditionRow] = &BUNDLED_EDITIONS;
    let editions = table.iter().flat_map(|e| e.files.files());
    editions.chain(OTHER_BUNDLED).collect()
}

/// The bundled files besides the editions' own.
const OTHER_BUNDLED: [&SourceFile; 10] = [
    &MCE_DX,
    &MCE_PX,
    &PCS_TABLES,
    &PCS_DEFINITIONS,
    &HCPCS,
    &INDEX_DISEASES,
    &INDEX_DRUGS,
    &INDEX_NEOPLASMS,
    &INDEX_EXTERNAL,
    &PCS_INDEX,
];

/// The edition of the bundled Alphabetic Index and its tables, shown with index hits.
pub const INDEX_EDITION: &str = "ICD-10-CM Index FY2025";

/// The bundled Alphabetic Index, Drug and Neoplasm tables and External Cause Index.
pub fn load_index() -> Result<Vec<index::IndexFile>, CodeSetError> {
    let diseases = index::parse_flattened(
        INDEX_DISEASES.path,
        &text_of(INDEX_DISEASES.path, INDEX_DISEASES.bytes)?,
    )?;
    let mut files = vec![diseases];
    for (file, source) in [
        (&INDEX_DRUGS, index::IndexSource::Drugs),
        (&INDEX_NEOPLASMS, index::IndexSource::Neoplasms),
        (&INDEX_EXTERNAL, index::IndexSource::ExternalCauses),
    ] {
        files.push(index::parse_xml(
            file.path,
            &text_of(file.path, file.bytes)?,
            source,
        )?);
    }
    Ok(files)
}

/// The edition of the bundled ICD-10-PCS Alphabetic Index.
pub const PCS_INDEX_EDITION: &str = "ICD-10-PCS Index FY2025";

/// The bundled ICD-10-PCS Alphabetic Index.
pub fn load_pcs_index() -> Result<pcs_index::PcsIndex, CodeSetError> {
    pcs_index::parse(PCS_INDEX.path, &text_of(PCS_INDEX.path, PCS_INDEX.bytes)?)
}

/// The bundled HCPCS Level II file.
pub fn load_hcpcs() -> Result<hcpcs::Hcpcs, CodeSetError> {
    hcpcs::parse(HCPCS.path, &text_of(HCPCS.path, HCPCS.bytes)?)
}

/// The official files the code sets a chart is checked against are read
/// from: the bundled ones, or (tests) others in their place.
#[derive(Debug, Clone, Copy)]
pub struct Sources {
    /// The ICD-10-CM editions, oldest first ([`BUNDLED_EDITIONS`]).
    pub editions: &'static [EditionRow],
    pub mce_dx: SourceFile,
    pub mce_px: SourceFile,
    pub pcs_tables: SourceFile,
    pub pcs_definitions: SourceFile,
    pub cc_list: SourceFile,
    pub mcc_list: SourceFile,
    pub cc_exclusions: SourceFile,
    pub hcc_map: SourceFile,
    pub hcc_labels: SourceFile,
}

impl Sources {
    /// The files compiled into chartcoder.
    pub const BUNDLED: Sources = Sources {
        editions: &BUNDLED_EDITIONS,
        mce_dx: MCE_DX,
        mce_px: MCE_PX,
        pcs_tables: PCS_TABLES,
        pcs_definitions: PCS_DEFINITIONS,
        cc_list: risk::CC_LIST,
        mcc_list: risk::MCC_LIST,
        cc_exclusions: risk::CC_EXCLUSIONS,
        hcc_map: risk::HCC_MAP,
        hcc_labels: risk::HCC_LABELS,
    };

    /// Every file, for a fingerprint of them all (with [`editions_key`]).
    pub fn files(&self) -> Vec<&SourceFile> {
        let editions = self.editions.iter().flat_map(|e| e.files.files());
        editions
            .chain([
                &self.mce_dx,
                &self.mce_px,
                &self.pcs_tables,
                &self.pcs_definitions,
                &self.cc_list,
                &self.mcc_list,
                &self.cc_exclusions,
                &self.hcc_map,
                &self.hcc_labels,
            ])
            .collect()
    }
}

/// The parsed code sets a chart is checked against: ICD-10-CM and -PCS with
/// their MCE validity, the CC/MCC lists and the HCC map.
pub struct Parsed {
    pub cm: IcdCm,
    pub pcs: IcdPcs,
    pub cc_mcc: risk::CcMcc,
    pub hcc: risk::HccMap,
}

impl Parsed {
    /// Parses the files, the big parsers side by side.
    pub fn parse(sources: &Sources) -> Result<Parsed, CodeSetError> {
        let failed = || CodeSetError::at("(code sets)", 0, "a loader thread failed".into());
        let (cm, pcs, risk) = std::thread::scope(|s| {
            let cm = s.spawn(|| IcdCm::load(sources));
            let pcs = s.spawn(|| IcdPcs::load(sources));
            let risk = (|| {
                Ok((
                    risk::load_cc_mcc_from(sources)?,
                    risk::load_hcc_from(sources)?,
                ))
            })();
            (cm.join(), pcs.join(), risk)
        });
        let (cc_mcc, hcc) = risk?;
        Ok(Parsed {
            cm: cm.map_err(|_| failed())??,
            pcs: pcs.map_err(|_| failed())??,
            cc_mcc,
            hcc,
        })
    }
}
