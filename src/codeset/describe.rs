//! A code's detail in words, the way `chartcoder code` prints it: its status
//! on a date, validity periods, MCE flags over time, the levels above it, its
//! notes, 7th characters and children.

use super::{
    CodeDetail, Edition, IcdCm, MceEntry, NodeKind, ValidPeriod, code_key, dotted, with_seventh,
};
use chrono::NaiveDate;

/// A code's detail for `chartcoder code` on a date: the code as the edition
/// in force has it, else as the nearest other bundled edition has it (a code
/// a later edition deleted asked about after its last day, a code a later
/// edition added asked about before its first), with its status on the date in
/// words. `None`: no edition has it.
pub fn describe_code(cm: &IcdCm, code: &str, date: NaiveDate) -> Option<String> {
    let edition = Edition::for_date(date);
    let detail = cm
        .lookup(code, edition)
        .or_else(|| cm.lookup_elsewhere(code, edition));
    match detail {
        Some(detail) => Some(describe(cm, &detail, date)),
        None => retired(cm, code, date),
    }
}

/// A code the MCE knows but no bundled edition has (deleted before the
/// oldest): its periods of validity, without a title.
fn retired(cm: &IcdCm, code: &str, date: NaiveDate) -> Option<String> {
    use std::fmt::Write;
    let key = code_key(code);
    let m = cm.mce.get(&key)?;
    let periods = m.merged_periods();
    let last = periods.last()?;
    let mut out = String::new();
    let status = match last.end {
        Some(end) if !last.contains(date) => {
            format!("deleted: valid until {end}, NOT VALID on {date}")
        }
        _ => "valid per the MCE, not in the bundled tabulars".to_string(),
    };
    let _ = writeln!(out, "{}\tICD-10-CM (MCE v44)\t{status}", dotted(&key));
    let _ = writeln!(
        out,
        "(not in the bundled {} tabulars: no title)",
        Edition::all_labels()
    );
    for p in &periods {
        let _ = writeln!(out, "{p}");
    }
    write_flags(&mut out, m, last.contains(date), date);
    Some(out)
}

/// The status of a code on a date, in words: the first line of `describe`.
fn status_words(cm: &IcdCm, d: &CodeDetail, date: NaiveDate, mce: Option<&MceEntry>) -> String {
    let in_force = Edition::for_date(date);
    let last_day = mce.and_then(MceEntry::last_day);
    if d.edition != in_force {
        // Older: the edition in force (or one before it) deleted it.
        let older = d.edition < in_force;
        let deleted_in = cm.deleted_in(&d.code);
        let by = deleted_in.unwrap_or(in_force).label();
        return match (older, last_day) {
            (true, Some(end)) => format!("deleted in {by}: valid until {end}, NOT VALID on {date}"),
            (true, None) if deleted_in.is_some() => {
                format!("deleted in {by}: NOT VALID on {date}")
            }
            (true, None) => format!("not in {}: NOT VALID on {date}", in_force.label()),
            (false, _) => {
                let from = d.valid.first().map_or_else(
                    || d.edition.period().start.to_string(),
                    |p| p.start.to_string(),
                );
                format!(
                    "new in {}: valid from {from}, NOT VALID on {date}",
                    d.edition.label()
                )
            }
        };
    }
    if d.header {
        let sevenths = cm.seventh_characters(d.node);
        if cm.children_in(d.node, d.edition).is_empty() && !sevenths.is_empty() {
            let chars: Vec<String> = sevenths.iter().map(|s| s.character.to_string()).collect();
            let until = match last_day {
                Some(end) if !cm.valid_on(&d.code, date) => {
                    format!(" (billable without one until {end})")
                }
                _ => String::new(),
            };
            return format!(
                "needs a 7th character ({}): not reportable without one, e.g. {}{until}",
                chars.join(", "),
                with_seventh(&d.code, sevenths[0].character)
            );
        }
        return match last_day {
            Some(end) if !cm.valid_on(&d.code, date) && d.valid.iter().all(|p| p.end.is_some()) => {
                let from = end.succ_opt().unwrap_or(end);
                format!(
                    "header: not reportable, choose a code below (subdivided from {from}: billable until {end})"
                )
            }
            _ => "header: not reportable, choose a code below".into(),
        };
    }
    if cm.valid_on(&d.code, date) {
        "billable".into()
    } else {
        "billable code, but NOT VALID on this date".into()
    }
}

/// A code's MCE flags: those on the date when it is valid then, and how they
/// changed over time (or, when it is not valid on the date, those it had).
fn write_flags(out: &mut String, m: &MceEntry, valid_now: bool, date: NaiveDate) {
    use std::fmt::Write;
    let history = m.flag_history();
    let flags = m.flags_on(date);
    if valid_now && !flags.is_empty() {
        let _ = writeln!(out, "MCE flags on {date}: {}", flags.join(", "));
    }
    if history.len() > 1 {
        let stretches: Vec<String> = history
            .iter()
            .map(|(p, f)| {
                let f = if f.is_empty() {
                    "none".to_string()
                } else {
                    f.join(", ")
                };
                format!("{f} {}", period_words(p))
            })
            .collect();
        let _ = writeln!(out, "MCE flag history: {}", stretches.join("; "));
    } else if !valid_now && !flags.is_empty() {
        let _ = writeln!(out, "MCE flags while valid: {}", flags.join(", "));
    }
}

/// A code's full detail as text, the way `chartcoder code` prints it.
pub fn describe(cm: &IcdCm, d: &CodeDetail, date: NaiveDate) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let mce = cm.mce.get(&code_key(&d.code));
    let status = status_words(cm, d, date, mce);
    let _ = writeln!(out, "{}\tICD-10-CM {}\t{status}", d.code, d.edition.label());
    let _ = writeln!(out, "{}", d.title);
    for p in &d.valid {
        let _ = writeln!(out, "{p}");
    }
    if let Some(replacement) = cm.replacement(&d.code) {
        let _ = writeln!(
            out,
            "Deleted in {} (from {}): {}",
            replacement.edition.label(),
            replacement.edition.period().start,
            replacement.words()
        );
    }
    if let Some(m) = mce {
        write_flags(&mut out, m, cm.valid_on(&d.code, date), date);
    }
    // The levels above the code; a section that holds a single category is
    // that category again ("Z68 Body mass index [BMI] (Z68)"): left out.
    let mut ancestors: Vec<String> = Vec::new();
    let mut categories: Vec<&str> = Vec::new();
    for n in cm.lineage(d.node).skip(usize::from(d.seventh.is_none())) {
        let node = &cm.nodes[n];
        let title = cm.title_in(n, d.edition);
        match node.kind {
            NodeKind::Code => {
                categories.push(node.code.as_str());
                ancestors.push(format!("{} {title}", node.code));
            }
            NodeKind::Section if categories.contains(&node.code.as_str()) => {}
            NodeKind::Section | NodeKind::Chapter => {
                ancestors.push(format!("{} {title}", node.code))
            }
        }
    }
    if !ancestors.is_empty() {
        let _ = writeln!(out, "In:");
        for a in ancestors {
            let _ = writeln!(out, "  {a}");
        }
    }
    let notes = cm.notes(d.node);
    if !notes.is_empty() {
        let _ = writeln!(out, "Notes:");
        for (from, note) in notes {
            let _ = writeln!(out, "  {} (at {from}): {}", note.kind.heading(), note.text);
        }
    }
    if d.seventh.is_none() {
        let seventh = cm.seventh_characters(d.node);
        if !seventh.is_empty() {
            let _ = writeln!(out, "7th characters (placeholder X fills positions 4-6):");
            for s in seventh {
                let _ = writeln!(out, "  {}  {}", s.character, s.meaning);
            }
        }
    }
    let children = cm.children_in(d.node, d.edition);
    if !children.is_empty() {
        let _ = writeln!(out, "Children:");
        for c in children {
            let _ = writeln!(out, "  {}  {}", cm.nodes[c].code, cm.title_in(c, d.edition));
        }
    }
    out
}

/// A period in words: "2015-10-01 to 2024-09-30", "from 2024-10-01".
fn period_words(p: &ValidPeriod) -> String {
    match p.end {
        Some(end) => format!("{} to {end}", p.start),
        None => format!("from {}", p.start),
    }
}
