//! Reading the table files: the TSV rows of each file checked against its
//! header, the attribute names and lists interned, the formulas parsed and
//! resolved, and the code tables and the logic loaded.

use super::{
    Atom, AttrId, ClusterRow, CodeKey, DxRow, FormulaRow, Known, Partition, PxRow, Synth,
    TableError, Tables, VersionInfo, code_key, err, parse_table5,
};
use crate::drg::Level;
use crate::drg::formula::{self, AtomText, Expr};
use chrono::NaiveDate;
use std::collections::HashMap;

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

pub(super) fn num<T: std::str::FromStr>(cell: &str, what: &str) -> Result<T, String> {
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
    load_clusters(t, s)?;
    load_cluster_map(t, s)?;
    load_formulas(t, s)?;
    load_hac_formulas(t, s)?;
    load_titles(t, s)?;
    load_versions(t, s)?;
    for (name, text) in &s.table5 {
        t.weights
            .insert((*name).to_string(), parse_table5(name, text)?);
    }

    index_formulas(t);
    t.known = known(t);
    Ok(())
}

/// `clusters.tsv`: each cluster's version ranges, with their suppression MDCs
/// and the codes of each choice.
fn load_clusters(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// `cluster_map.tsv`: the clusters each procedure code can take part in.
fn load_cluster_map(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// `drg_formulas.tsv`: every DRG formula row, parsed and resolved.
fn load_formulas(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// `hac_formulas.tsv`: the formulas of each HAC.
fn load_hac_formulas(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// The DRG, MDC and HAC titles.
fn load_titles(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// `versions.tsv`: the installed versions, their discharge dates not
/// overlapping, and their Table 5 files installed.
fn load_versions(t: &mut Tables, s: &Sources<'_>) -> Result<(), TableError> {
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
    Ok(())
}

/// The formula lists of every installed version (`lists_by_mdc`), in rank order.
fn index_formulas(t: &mut Tables) {
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
