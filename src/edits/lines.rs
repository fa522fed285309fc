//! CPT/HCPCS service lines (professional and outpatient claims): diagnosis
//! pointers, modifiers 25 and 59, NCCI PTP pairs and MUE units. Sources:
//! CMS-1500 instructions (item 21, 24E); NCCI Policy Manual, chapter I
//! (modifiers 25, 59 and the X{EPSU} subset; modifier indicators) and the MUE
//! adjudication indicators.

use super::site::{Mai, Mue, Ptp};
use super::{Facts, Finding, Rules, Severity};
use crate::domain::{CodeSystem, ProcedureAssignment, pointer_letter};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The modifiers NCCI accepts to bypass a PTP edit with indicator 1 (NCCI
/// Policy Manual, chapter I, section E: anatomic, global surgery and others).
const NCCI_ASSOCIATED: &[&str] = &[
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD",
    "LM", "LT", "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "24",
    "25", "27", "57", "58", "59", "78", "79", "91", "XE", "XS", "XP", "XU",
];

fn is_line(p: &ProcedureAssignment) -> bool {
    matches!(p.system, CodeSystem::Cpt | CodeSystem::Hcpcs)
}

/// CPT Evaluation and Management codes: 99202-99499.
fn is_evaluation_and_management(code: &str) -> bool {
    code.len() == 5
        && code.bytes().all(|b| b.is_ascii_digit())
        && ("99202"..="99499").contains(&code)
}

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let lines: Vec<(usize, &ProcedureAssignment)> = facts
        .chart
        .procedures
        .iter()
        .enumerate()
        .filter(|(_, p)| is_line(p))
        .collect();
    for &(n, p) in &lines {
        pointers(facts, n, p, out);
        modifiers(n, p, out);
    }
    if let Some(ptp) = &rules.site.ptp {
        ptp_edits(ptp, facts, &lines, out);
    }
    if let Some(mue) = &rules.site.mue {
        mue_edits(mue, facts, &lines, out);
    }
}

/// NCCI procedure-to-procedure edits between two lines of the same day.
fn ptp_edits(
    ptp: &Ptp,
    facts: &Facts<'_>,
    lines: &[(usize, &ProcedureAssignment)],
    out: &mut Vec<Finding>,
) {
    for &(a, first) in lines {
        for &(b, second) in lines {
            if a == b || line_date(facts, first) != line_date(facts, second) {
                continue;
            }
            let Some(edit) = ptp.edit(&first.code, &second.code, line_date(facts, first)) else {
                continue;
            };
            let source = "NCCI PTP edits (site table), modifier indicator";
            match edit.indicator {
                0 => out.push(Finding::new(
                    "ncci-ptp",
                    Severity::Error,
                    &[&first.code, &second.code],
                    format!(
                        "{} (line {}) is not billable with {} (line {}) on the same day: modifier indicator 0, no modifier allows it",
                        second.code,
                        b + 1,
                        first.code,
                        a + 1
                    ),
                    format!("{source} 0"),
                )),
                1 if !second
                    .modifiers
                    .iter()
                    .any(|m| NCCI_ASSOCIATED.contains(&m.as_str())) =>
                {
                    out.push(Finding::new(
                        "ncci-ptp",
                        Severity::Warning,
                        &[&first.code, &second.code],
                        format!(
                            "{} (line {}) bundles into {} (line {}): bill it only with an NCCI-associated modifier (e.g. XS, XE, 59) when documented as distinct",
                            second.code,
                            b + 1,
                            first.code,
                            a + 1
                        ),
                        format!("{source} 1"),
                    ));
                }
                _ => {}
            }
        }
    }
}

/// NCCI medically unlikely edits: units per line (MAI 1) and per day (MAI 2
/// and 3).
fn mue_edits(
    mue: &Mue,
    facts: &Facts<'_>,
    lines: &[(usize, &ProcedureAssignment)],
    out: &mut Vec<Finding>,
) {
    let mut per_day: HashMap<(&str, NaiveDate), u32> = HashMap::new();
    for &(n, p) in lines {
        let Some((value, mai)) = mue.get(&p.code) else {
            continue;
        };
        if mai == Mai::Line && p.units > value {
            out.push(Finding::new(
                "mue",
                Severity::Warning,
                &[&p.code],
                format!(
                    "{} line {}: {} units, above the MUE of {value} per line",
                    p.code,
                    n + 1,
                    p.units
                ),
                "NCCI MUE (site table), MAI 1: line edit",
            ));
        }
        *per_day.entry((&p.code, line_date(facts, p))).or_default() += p.units;
    }
    let mut days: Vec<_> = per_day.into_iter().collect();
    days.sort();
    for ((code, date), units) in days {
        let Some((value, mai)) = mue.get(code) else {
            continue;
        };
        let what = match mai {
            Mai::Line => continue,
            Mai::Policy => {
                "MAI 2, date of service, policy: units above it are not payable, an appeal will not change that"
            }
            Mai::Clinical => {
                "MAI 3, date of service, clinical: units above it need documentation of medical necessity"
            }
        };
        if units > value {
            out.push(Finding::new(
                "mue",
                Severity::Warning,
                &[code],
                format!(
                    "{code} on {date}: {units} units, above the MUE of {value} per day ({what})"
                ),
                format!("NCCI MUE (site table), {}", &what[..5]),
            ));
        }
    }
}

fn line_date(facts: &Facts<'_>, p: &ProcedureAssignment) -> NaiveDate {
    p.date.unwrap_or(facts.date)
}

/// CMS-1500 item 24E: each line points to 1-4 of the diagnoses in item 21
/// (A-L), the first pointer the primary reason for the service.
fn pointers(facts: &Facts<'_>, n: usize, p: &ProcedureAssignment, out: &mut Vec<Finding>) {
    const SOURCE: &str = "CMS-1500 instructions, item 24E (diagnosis pointer)";
    let line = n + 1;
    let code = p.code.as_str();
    let dx = facts.chart.diagnoses.len();
    let mut problem = |m: String| {
        out.push(Finding::new(
            "diagnosis-pointer",
            Severity::Error,
            &[code],
            m,
            SOURCE,
        ));
    };
    if p.pointers.is_empty() {
        problem(format!(
            "line {line} ({code}) points to no diagnosis: give 1-4 pointers (m)"
        ));
        return;
    }
    if p.pointers.len() > 4 {
        problem(format!(
            "line {line} ({code}) has {} pointers: at most 4",
            p.pointers.len()
        ));
    }
    for (k, &ptr) in p.pointers.iter().enumerate() {
        let letter = pointer_letter(ptr).unwrap_or('?');
        if usize::from(ptr) > dx || ptr == 0 {
            problem(format!(
                "line {line} ({code}) points to {letter}, but the chart has {dx} diagnoses"
            ));
        } else if ptr > 12 {
            problem(format!(
                "line {line} ({code}): pointers go up to L (12 diagnoses)"
            ));
        }
        if p.pointers[..k].contains(&ptr) {
            problem(format!("line {line} ({code}) points to {letter} twice"));
        }
    }
}

/// Modifier 25 (significant, separately identifiable E/M) belongs on E/M
/// codes only; 59 is never reported with XE/XS/XP/XU on one line, and the more
/// specific X modifier is preferred to 59 (NCCI Policy Manual, ch. I, E.1-2).
fn modifiers(n: usize, p: &ProcedureAssignment, out: &mut Vec<Finding>) {
    let line = n + 1;
    let code = p.code.as_str();
    let has = |m: &str| p.modifiers.iter().any(|x| x.eq_ignore_ascii_case(m));
    if has("25") && !is_evaluation_and_management(code) {
        out.push(Finding::new(
            "modifier-25",
            Severity::Error,
            &[code],
            format!("line {line}: modifier 25 is for E/M services (99202-99499), not {code}"),
            "NCCI Policy Manual, ch. I: modifier 25",
        ));
    }
    let x: Vec<&str> = ["XE", "XS", "XP", "XU"]
        .into_iter()
        .filter(|m| has(m))
        .collect();
    if has("59") && !x.is_empty() {
        out.push(Finding::new(
            "modifier-59",
            Severity::Error,
            &[code],
            format!(
                "line {line} ({code}): 59 and {} together; use only the X modifier",
                x.join("/")
            ),
            "NCCI Policy Manual, ch. I: modifiers 59 and XE/XS/XP/XU",
        ));
    } else if has("59") {
        out.push(Finding::new(
            "modifier-59",
            Severity::Info,
            &[code],
            format!(
                "line {line} ({code}): 59 is the modifier of last resort; XE (separate encounter), XS (separate structure), XP (separate practitioner) or XU (unusual non-overlapping service) is preferred when it describes the service"
            ),
            "NCCI Policy Manual, ch. I: modifiers 59 and XE/XS/XP/XU",
        ));
    }
}
