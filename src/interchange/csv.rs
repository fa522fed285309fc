//! The CSV export: one row per assigned code, the shape a billing system or a
//! spreadsheet takes. Charts with no code yet get one row with empty code columns.

use crate::domain::{Chart, pointer_letter};
use std::borrow::Cow;

const HEADER: [&str; 21] = [
    "account",
    "mrn",
    "encounter_type",
    "admit_date",
    "discharge_date",
    "disposition",
    "status",
    "kind",
    "seq",
    "code",
    "system",
    "poa",
    "date",
    "modifiers",
    "units",
    "pointers",
    "drg",
    "mdc",
    "drg_weight",
    "grouper_version",
    "table5_edition",
];

/// A cell a spreadsheet will not run as a formula (CSV injection, as OWASP
/// advises): one beginning with `=`, `+`, `-`, `@`, tab or carriage return gets a
/// leading single quote. No column holds a number that can be negative (seq and
/// units are at least 1) and codes, dates, statuses and POA never begin with one
/// of these, so only free text (account, MRN) and hand-typed modifiers can be
/// changed; a reader recovers them by dropping the quote.
pub fn cell(value: &str) -> Cow<'_, [u8]> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{value}").into_bytes())
    } else {
        Cow::Borrowed(value.as_bytes())
    }
}

/// Writes the charts' codes as CSV (RFC 4180 quoting), every cell neutralised
/// against spreadsheet formulas ([`cell`]).
pub fn write_codes(charts: &[Chart], out: &mut dyn std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for c in charts {
        let e = &c.encounter;
        // The final DRG (stored on completion) closes every row of its chart.
        let (drg, mdc, weight) = match &c.final_drg {
            Some(d) => (
                format!("{:03}", d.drg),
                format!("{:02}", d.mdc),
                d.weight.map(|w| format!("{w:.4}")).unwrap_or_default(),
            ),
            None => Default::default(),
        };
        let drg_cells = [
            drg.as_str(),
            mdc.as_str(),
            weight.as_str(),
            c.final_drg
                .as_ref()
                .map_or("", |d| d.grouper_version.as_str()),
            c.final_drg
                .as_ref()
                .and_then(|d| d.table5_edition.as_deref())
                .unwrap_or(""),
        ];
        let admit = e.admit_date.to_string();
        let discharge = e.discharge_date.to_string();
        let head = [
            c.account.as_str(),
            c.mrn.as_str(),
            e.encounter_type.as_str(),
            admit.as_str(),
            discharge.as_str(),
            e.disposition.as_deref().unwrap_or(""),
            c.status.as_str(),
        ];
        if c.diagnoses.is_empty() && c.procedures.is_empty() {
            w.write_record(
                head.iter()
                    .copied()
                    .chain(["", "", "", "", "", "", "", "", ""])
                    .chain(drg_cells)
                    .map(cell),
            )?;
        }
        for (i, d) in c.diagnoses.iter().enumerate() {
            let seq = (i + 1).to_string();
            let tail = [
                "dx",
                &seq,
                &d.code,
                d.system.as_str(),
                d.poa.map_or("", |p| p.as_str()),
                "",
                "",
                "",
                "",
            ];
            w.write_record(head.iter().copied().chain(tail).chain(drg_cells).map(cell))?;
        }
        for (i, p) in c.procedures.iter().enumerate() {
            let seq = (i + 1).to_string();
            let date = p.date.map(|d| d.to_string()).unwrap_or_default();
            let modifiers = p.modifiers.join(" ");
            let units = p.units.to_string();
            let pointers: String = p
                .pointers
                .iter()
                .filter_map(|&n| pointer_letter(n))
                .collect();
            let tail = [
                "px",
                &seq,
                &p.code,
                p.system.as_str(),
                "",
                &date,
                &modifiers,
                &units,
                &pointers,
            ];
            w.write_record(head.iter().copied().chain(tail).chain(drg_cells).map(cell))?;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formula_cells_get_a_quote_and_others_stay() {
        for formula in ["=1", "+1", "-1", "@A1", "\tx", "\rx"] {
            assert_eq!(cell(formula).as_ref(), format!("'{formula}").as_bytes());
        }
        for plain in ["", "A26110203", "2026-11-02", "I50.23", "25 59", "x=1", "'"] {
            assert_eq!(cell(plain).as_ref(), plain.as_bytes());
        }
    }
}
