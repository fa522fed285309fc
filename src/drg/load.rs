//! Loading the grouper: the bundled MS-DRG files, read (the big three
//! side by side) or with their code tables from the cache.

use super::tables::{self, TableError};
use super::{Grouper, Rules, cache};

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
}
