//! Code validity: every code must be a reportable code of the code set in force
//! on the date (discharge date for inpatients, date of service otherwise).

use super::{Facts, Finding, Rules, Severity};
use crate::codeset::{code_key, dotted};
use crate::domain::CodeSystem;

const DATED: &str = "MCE v44 dated code lists (no grace period for deleted codes)";
const TABULAR: &str = "ICD-10-CM Tabular";

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    no_diagnosis(facts, out);
    repeated(facts, out);
    for d in &facts.chart.diagnoses {
        if d.system == CodeSystem::Icd10Cm {
            diagnosis(rules, facts, &d.code, out);
        }
    }
    for p in &facts.chart.procedures {
        if p.system == CodeSystem::Icd10Pcs {
            pcs_code(rules, facts, &p.code, out);
        }
    }
}

/// A claim needs at least one diagnosis (CMS-1500 box 21 / UB-04 FL 67).
fn no_diagnosis(facts: &Facts<'_>, out: &mut Vec<Finding>) {
    if facts.chart.diagnoses.is_empty() {
        out.push(Finding::new(
            "no-diagnosis",
            Severity::Error,
            &[],
            "no diagnosis coded yet".into(),
            "UB-04 FL 67 / CMS-1500 item 21: a principal or first-listed diagnosis is required",
        ));
    }
}

/// Each unique ICD-10-CM code is reported once for an encounter (Official
/// Guidelines I.B.12). A repeat of an inpatient's principal is the MCE's
/// duplicate-of-principal edit instead (`mce`).
fn repeated(facts: &Facts<'_>, out: &mut Vec<Finding>) {
    for (j, key) in facts.keys.iter().enumerate() {
        let Some(first) = facts.keys[..j].iter().position(|k| k == key) else {
            continue;
        };
        if first == 0 && facts.inpatient {
            continue;
        }
        let code = facts.dx[j].0;
        out.push(Finding::new(
            "duplicate-code",
            Severity::Error,
            &[code],
            format!(
                "{code} is reported more than once (diagnosis {} and {}): report each code once",
                first + 1,
                j + 1
            ),
            "ICD-10-CM Official Guidelines I.B.12 (reporting the same code more than once)",
        ));
    }
}

/// ICD-10-CM: in the edition, not a header, its 7th character and placeholder
/// X in place (Tabular conventions, Section I.A.4-5 and the `sevenChrDef`
/// notes), and valid on the date (MCE dated lists).
fn diagnosis(rules: &Rules, facts: &Facts<'_>, code: &str, out: &mut Vec<Finding>) {
    let cm = &rules.cm;
    let edition = facts.edition;
    let Some(detail) = cm.lookup(code, edition) else {
        if let Some(right) = cm.placeholder_hint(code, edition) {
            out.push(Finding::new(
                "placeholder-x",
                Severity::Error,
                &[code],
                format!("{code} lacks its placeholder X: the code is {right}"),
                format!("{TABULAR}: placeholder character X (Section I.A.5)"),
            ));
        } else if let Some(f) = wrong_seventh(rules, facts, code) {
            out.push(f);
        } else if let Some(other) = cm.lookup_elsewhere(code, edition) {
            out.push(Finding::new(
                "not-valid-on-date",
                Severity::Error,
                &[code],
                format!(
                    "{} is an ICD-10-CM {} code, not valid on {} ({} is in force)",
                    other.code,
                    other.edition.label(),
                    facts.date,
                    edition.label()
                ),
                DATED,
            ));
        } else {
            out.push(Finding::new(
                "not-a-code",
                Severity::Error,
                &[code],
                format!("{code} is not an ICD-10-CM {} code", edition.label()),
                TABULAR,
            ));
        }
        return;
    };
    if detail.header {
        let sevenths = cm.seventh_characters(detail.node);
        let children = cm.children_in(detail.node, edition);
        let (rule, message) = if children.is_empty() && !sevenths.is_empty() {
            let chars: String = sevenths.iter().map(|s| s.character).collect();
            (
                "seventh-character",
                format!(
                    "{code} needs a 7th character ({chars}); positions 4-6 filled with X, e.g. {}",
                    crate::codeset::with_seventh(code, sevenths[0].character)
                ),
            )
        } else {
            let children: Vec<String> = children
                .iter()
                .take(4)
                .map(|&c| cm.nodes[c].code.clone())
                .collect();
            (
                "header-code",
                format!(
                    "{code} is a header, not reportable: choose a code under it ({}…)",
                    children.join(", ")
                ),
            )
        };
        out.push(Finding::new(
            rule,
            Severity::Error,
            &[code],
            message,
            format!("{TABULAR}: codes with subdivisions are not reportable (Section I.A.3, I.B.2)"),
        ));
        return;
    }
    if !cm.valid_on(code, facts.date) {
        out.push(Finding::new(
            "not-valid-on-date",
            Severity::Error,
            &[code],
            format!(
                "{code} is not valid on {} (valid {})",
                facts.date,
                validity_text(&detail.valid)
            ),
            DATED,
        ));
    }
}

/// A code's periods of validity in words: "2015-10-01 to 2026-09-30, from
/// 2027-04-01", or "never".
fn validity_text(periods: &[crate::codeset::ValidPeriod]) -> String {
    if periods.is_empty() {
        return "never".into();
    }
    periods
        .iter()
        .map(|p| match p.end {
            Some(end) => format!("{} to {end}", p.start),
            None => format!("from {}", p.start),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A 7-character code whose 7th character is not one its category allows.
fn wrong_seventh(rules: &Rules, facts: &Facts<'_>, code: &str) -> Option<Finding> {
    let key = code_key(code);
    if key.len() != 7 {
        return None;
    }
    let base = key[..6].trim_end_matches('X');
    let node = rules.cm.lookup(base, facts.edition)?.node;
    let sevenths = rules.cm.seventh_characters(node);
    let ch = key.chars().last()?;
    if sevenths.is_empty() || sevenths.iter().any(|s| s.character == ch) {
        return None;
    }
    let allowed: String = sevenths.iter().map(|s| s.character).collect();
    Some(Finding::new(
        "seventh-character",
        Severity::Error,
        &[code],
        format!(
            "{ch} is not a 7th character of {}: it takes one of {allowed}",
            dotted(base)
        ),
        format!("{TABULAR}: 7th characters (sevenChrDef)"),
    ))
}

/// ICD-10-PCS: valid on the date per the MCE's dated list.
fn pcs_code(rules: &Rules, facts: &Facts<'_>, code: &str, out: &mut Vec<Finding>) {
    if rules.pcs.valid_on(code, facts.date) {
        return;
    }
    let known = rules.pcs.mce.get(&code.trim().to_ascii_uppercase());
    let message = match known {
        Some(m) => format!(
            "{code} is not valid on {} (valid {})",
            facts.date,
            validity_text(&m.periods)
        ),
        None => format!("{code} is not an ICD-10-PCS code"),
    };
    out.push(Finding::new(
        if known.is_some() {
            "not-valid-on-date"
        } else {
            "not-a-code"
        },
        Severity::Error,
        &[code],
        message,
        DATED,
    ));
}
