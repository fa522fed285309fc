//! The Medicare Code Editor masters: each code's periods of validity and
//! the edit flags of each period.

use super::{CodeSetError, ValidPeriod};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A code's MCE master rows: its periods of validity, each with the edit
/// flags of that period (CMS changes a code's flags over time: N40.0 lost
/// "male" on 2024-10-01, R65.20 gained "unacceptable" on 2017-10-01).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MceEntry {
    pub periods: Vec<ValidPeriod>,
    /// Per period (same order as `periods`), its flags.
    pub dated_flags: Vec<Vec<String>>,
    /// Every flag of any period (what the code has ever been flagged with).
    pub flags: Vec<String>,
}

impl MceEntry {
    /// The flags in force on a date: those of the period holding it, else (the
    /// code not valid that day) those of the latest period.
    pub fn flags_on(&self, date: NaiveDate) -> &[String] {
        let at = self
            .periods
            .iter()
            .position(|p| p.contains(date))
            .or_else(|| (0..self.periods.len()).max_by_key(|&i| self.periods[i].start));
        at.and_then(|i| self.dated_flags.get(i))
            .map_or(&[], Vec::as_slice)
    }
}

impl MceEntry {
    /// The periods of validity with adjacent ones joined: the MCE starts a new
    /// row when a code's flags change (O80 lost "female" on 2024-10-01), which
    /// is no gap in its validity.
    pub fn merged_periods(&self) -> Vec<ValidPeriod> {
        let mut sorted = self.periods.clone();
        sorted.sort_by_key(|p| p.start);
        let mut out: Vec<ValidPeriod> = Vec::with_capacity(sorted.len());
        for p in sorted {
            match out.last_mut() {
                Some(last) if last.end.and_then(|e| e.succ_opt()) == Some(p.start) => {
                    last.end = p.end;
                }
                _ => out.push(p),
            }
        }
        out
    }

    /// The flags over time, oldest first: each stretch of days with the same
    /// flags (adjacent rows with equal flags joined).
    pub fn flag_history(&self) -> Vec<(ValidPeriod, &[String])> {
        let mut rows: Vec<(ValidPeriod, &[String])> = self
            .periods
            .iter()
            .zip(&self.dated_flags)
            .map(|(p, f)| (*p, f.as_slice()))
            .collect();
        rows.sort_by_key(|(p, _)| p.start);
        let mut out: Vec<(ValidPeriod, &[String])> = Vec::with_capacity(rows.len());
        for (p, flags) in rows {
            match out.last_mut() {
                Some((last, f))
                    if *f == flags && last.end.and_then(|e| e.succ_opt()) == Some(p.start) =>
                {
                    last.end = p.end;
                }
                _ => out.push((p, flags)),
            }
        }
        out
    }

    /// The last day the code was valid, when it is no longer valid after it.
    pub fn last_day(&self) -> Option<NaiveDate> {
        let merged = self.merged_periods();
        merged.last().and_then(|p| p.end)
    }
}

fn parse_yyyymmdd(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y%m%d").ok()
}

/// Parses an MCE master (`code,start_date,end_date,flags`), codes without dots.
pub fn parse_mce(file: &str, text: &str) -> Result<HashMap<String, MceEntry>, CodeSetError> {
    let mut out: HashMap<String, MceEntry> = HashMap::new();
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim() == "code,start_date,end_date,flags" => {}
        _ => {
            return Err(CodeSetError::at(
                file,
                1,
                "expected the header code,start_date,end_date,flags".into(),
            ));
        }
    }
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |m: &str| CodeSetError::at(file, i + 1, m.to_string());
        let cols: Vec<&str> = line.split(',').collect();
        if cols.len() != 4 {
            return Err(bad("expected 4 columns: code,start_date,end_date,flags"));
        }
        let code = cols[0].trim();
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(bad("the code is empty or not letters and digits"));
        }
        let start =
            parse_yyyymmdd(cols[1].trim()).ok_or_else(|| bad("start_date is not YYYYMMDD"))?;
        let end = match cols[2].trim() {
            "" => None,
            s => Some(parse_yyyymmdd(s).ok_or_else(|| bad("end_date is not YYYYMMDD"))?),
        };
        if end.is_some_and(|e| e < start) {
            return Err(bad("end_date is before start_date"));
        }
        let entry = out.entry(code.to_string()).or_insert_with(|| MceEntry {
            periods: Vec::new(),
            dated_flags: Vec::new(),
            flags: Vec::new(),
        });
        entry.periods.push(ValidPeriod { start, end });
        let flags: Vec<String> = cols[3]
            .split('|')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        for flag in &flags {
            if !entry.flags.contains(flag) {
                entry.flags.push(flag.clone());
            }
        }
        entry.dated_flags.push(flags);
    }
    Ok(out)
}
