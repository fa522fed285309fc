//! IPPS Table 5 (the DRGs' relative weights and lengths of stay) as CMS
//! publishes it.

use super::load::num;
use super::{FastMap, TableError, Weight, err};

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
