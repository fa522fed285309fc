//! The Medicare Code Editor, v44 (FY2027), for inpatient claims. Source: CMS
//! "Definitions of Medicare Code Edits" v44; the flags come from the MCE
//! master lists (`codesets/cms_mce_v44_fy2027/`).

use super::{Facts, Finding, Rules, Severity};
use crate::codeset::{CodeSetError, SourceFile, code_key, text_of};
use crate::domain::{CodeSystem, Sex, age_on};
use chrono::NaiveDate;

pub const MCE_AGES: SourceFile = SourceFile {
    path: "cms_mce_v44_fy2027/mce_age_ranges.csv",
    bytes: include_bytes!("../../codesets/cms_mce_v44_fy2027/mce_age_ranges.csv"),
};

/// The date CMS stopped the sex conflict edit (MCE v42, FY2025).
pub fn sex_edit_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 10, 1).unwrap_or(NaiveDate::MAX)
}

/// One dated age range of an MCE age group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AgeRange {
    group: String,
    low: i32,
    high: i32,
    start: NaiveDate,
    end: Option<NaiveDate>,
}

/// The MCE age groups (newborn, pediatric, maternity, adult) with their dated
/// ranges.
#[derive(Debug, Clone, Default)]
pub struct AgeRanges(Vec<AgeRange>);

impl AgeRanges {
    pub fn load_bundled() -> Result<AgeRanges, CodeSetError> {
        AgeRanges::parse(MCE_AGES.path, &text_of(MCE_AGES.path, MCE_AGES.bytes)?)
    }

    /// `age_group,start_age,end_age,start_date,end_date` (dates YYYYMMDD).
    pub fn parse(file: &str, text: &str) -> Result<AgeRanges, CodeSetError> {
        let mut out = Vec::new();
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim() == "age_group,start_age,end_age,start_date,end_date" => {}
            _ => {
                return Err(CodeSetError::at(
                    file,
                    1,
                    "expected the header age_group,start_age,end_age,start_date,end_date".into(),
                ));
            }
        }
        let date = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y%m%d").ok();
        for (i, line) in lines {
            if line.trim().is_empty() {
                continue;
            }
            let bad = |m: &str| CodeSetError::at(file, i + 1, m.to_string());
            let c: Vec<&str> = line.split(',').collect();
            if c.len() != 5 {
                return Err(bad("expected 5 columns"));
            }
            out.push(AgeRange {
                group: c[0].trim().to_ascii_lowercase(),
                low: c[1]
                    .trim()
                    .parse()
                    .map_err(|_| bad("start_age is not a number"))?,
                high: c[2]
                    .trim()
                    .parse()
                    .map_err(|_| bad("end_age is not a number"))?,
                start: date(c[3]).ok_or_else(|| bad("start_date is not YYYYMMDD"))?,
                end: match c[4].trim() {
                    "" => None,
                    s => Some(date(s).ok_or_else(|| bad("end_date is not YYYYMMDD"))?),
                },
            });
        }
        Ok(AgeRanges(out))
    }

    /// The range of an age group on a date.
    pub fn range(&self, group: &str, date: NaiveDate) -> Option<(i32, i32)> {
        self.0
            .iter()
            .find(|r| r.group == group && r.start <= date && r.end.is_none_or(|e| date <= e))
            .map(|r| (r.low, r.high))
    }
}

/// A diagnosis's MCE flags in force on the date.
fn flags<'a>(rules: &'a Rules, code: &str, date: NaiveDate) -> &'a [String] {
    rules
        .cm
        .mce
        .get(&code_key(code))
        .map_or(&[], |m| m.flags_on(date))
}

fn has(rules: &Rules, facts: &Facts<'_>, code: &str, flag: &str) -> bool {
    flags(rules, code, facts.date).iter().any(|f| f == flag)
}

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    age_conflict(rules, facts, out);
    sex_conflict(rules, facts, out);
    principal(rules, facts, out);
    duplicate_of_principal(facts, out);
    wrong_procedure(rules, facts, out);
    procedure_coverage(rules, facts, out);
}

/// MCE edit 4, age conflict: a code for newborns, children, maternity or
/// adults, and a patient (age at admission) outside that group's range on the
/// discharge date (maternity 12-55 before 2019-10-01, 9-64 since).
fn age_conflict(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let patient = &facts.chart.patient;
    let age = age_on(patient.birth_date, facts.chart.encounter.admit_date);
    for &(code, _) in &facts.dx {
        for group in ["newborn", "pediatric", "maternity", "adult"] {
            if !has(rules, facts, code, group) {
                continue;
            }
            let Some((low, high)) = rules.ages.range(group, facts.date) else {
                continue;
            };
            if age < low || age > high {
                out.push(Finding::new(
                    "mce-age",
                    Severity::Warning,
                    &[code],
                    format!(
                        "{code} is a {group} code (ages {low}-{high}); the patient was {age} at admission"
                    ),
                    "MCE v44: age conflict",
                ));
            }
        }
    }
}

/// MCE edit 5, sex conflict: a code for one sex on a patient of the other.
/// CMS deactivated it for discharges from 2024-10-01 (and dropped the sex
/// flags from its lists from that date); it runs for earlier discharges, or,
/// when the site turns it on, on every date with the last sex flags CMS
/// published for the code.
fn sex_conflict(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let current = facts.date < sex_edit_end();
    if !current && !rules.options.sex_conflict_always {
        return;
    }
    let pick = |m: &'_ crate::codeset::MceEntry| -> Vec<String> {
        if current {
            m.flags_on(facts.date).to_vec()
        } else {
            m.flags.clone()
        }
    };
    let (sex, word) = match facts.chart.patient.sex {
        Sex::Female => ("male", "female"),
        Sex::Male => ("female", "male"),
        Sex::Unknown => return,
    };
    let dx = facts.dx.iter().map(|&(c, _)| {
        (
            c,
            rules.cm.mce.get(&code_key(c)).map(pick).unwrap_or_default(),
        )
    });
    let px = facts
        .chart
        .procedures
        .iter()
        .filter(|p| p.system == CodeSystem::Icd10Pcs)
        .map(|p| {
            let f = rules
                .pcs
                .mce
                .get(&p.code.trim().to_ascii_uppercase())
                .map(pick)
                .unwrap_or_default();
            (p.code.as_str(), f)
        });
    for (code, f) in dx.chain(px) {
        if f.iter().any(|x| x == sex) {
            out.push(Finding::new(
                "mce-sex",
                Severity::Warning,
                &[code],
                format!("{code} is a {sex}-only code; the patient is {word}"),
                "MCE v44: sex conflict (deactivated by CMS from 2024-10-01)",
            ));
        }
    }
}

/// The principal-diagnosis edits: manifestation (edit 6), unacceptable
/// principal (edit 9), external cause (edit 3, E-code as principal), requires a
/// secondary diagnosis (edit 17), questionable admission (edit 10), and
/// non-specific principal (information: CMS no longer returns it).
fn principal(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let Some(&(code, _)) = facts.dx.first() else {
        return;
    };
    let rules_on_principal: [(&str, &'static str, Severity, String, &str); 6] = [
        (
            "manifestation",
            "mce-manifestation-principal",
            Severity::Error,
            format!(
                "{code} is a manifestation code: it cannot be the principal diagnosis; sequence the underlying condition first"
            ),
            "MCE v44: manifestation code as principal diagnosis",
        ),
        (
            "unacceptable",
            "mce-unacceptable-principal",
            Severity::Error,
            format!("{code} is not acceptable as a principal diagnosis for an inpatient admission"),
            "MCE v44: unacceptable principal diagnosis",
        ),
        (
            "ecodepdx",
            "mce-external-cause-principal",
            Severity::Error,
            format!("{code} is an external cause code: it cannot be the principal diagnosis"),
            "MCE v44: E-code as principal diagnosis",
        ),
        (
            "reqsdx",
            "mce-requires-secondary",
            Severity::Error,
            format!("{code} as principal requires a secondary diagnosis"),
            "MCE v44: requires secondary diagnosis",
        ),
        (
            "qadm",
            "mce-questionable-admission",
            Severity::Warning,
            format!("{code} as principal is a questionable reason for an inpatient admission"),
            "MCE v44: questionable admission",
        ),
        (
            "unspecified",
            "mce-nonspecific-principal",
            Severity::Info,
            format!(
                "{code} is a non-specific principal diagnosis: a more specific code may be documented"
            ),
            "MCE v44: non-specific principal diagnosis (no longer returned by CMS)",
        ),
    ];
    for (flag, rule, severity, message, source) in rules_on_principal {
        if !has(rules, facts, code, flag) {
            continue;
        }
        if flag == "reqsdx" && facts.dx.len() > 1 {
            continue;
        }
        if flag == "unspecified" && !rules.options.nonspecific_principal {
            continue;
        }
        out.push(Finding::new(rule, severity, &[code], message, source));
    }
}

/// MCE edit 8, duplicate of principal diagnosis: a secondary equal to it.
fn duplicate_of_principal(facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let Some(&(principal, _)) = facts.dx.first() else {
        return;
    };
    for &(code, _) in facts.dx.iter().skip(1) {
        if code_key(code) == code_key(principal) {
            out.push(Finding::new(
                "mce-duplicate-principal",
                Severity::Error,
                &[code],
                format!("{code} is also the principal diagnosis: remove the secondary"),
                "MCE v44: duplicate of principal diagnosis",
            ));
        }
    }
}

/// MCE edit 18, wrong procedure performed: a diagnosis saying so (Y65.51-Y65.53).
fn wrong_procedure(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    for &(code, _) in &facts.dx {
        if has(rules, facts, code, "wrngproc") {
            out.push(Finding::new(
                "mce-wrong-procedure",
                Severity::Warning,
                &[code],
                format!(
                    "{code} records a wrong procedure performed: the claim is not billable as usual"
                ),
                "MCE v44: wrong procedure performed",
            ));
        }
    }
}

/// MCE edits 11-13: non-covered, conditionally non-covered (ncov*) and
/// limited-coverage (lcov*) procedures.
fn procedure_coverage(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    for p in &facts.chart.procedures {
        if p.system != CodeSystem::Icd10Pcs {
            continue;
        }
        let Some(m) = rules.pcs.mce.get(&p.code.trim().to_ascii_uppercase()) else {
            continue;
        };
        for flag in m.flags_on(facts.date) {
            let (rule, message, source) = if flag == "noncovered" {
                (
                    "mce-noncovered-procedure",
                    format!("{} is a non-covered procedure for Medicare", p.code),
                    "MCE v44: non-covered procedure",
                )
            } else if flag.starts_with("ncov") {
                (
                    "mce-noncovered-procedure",
                    format!(
                        "{} is non-covered under some conditions (MCE {flag}): check the diagnoses",
                        p.code
                    ),
                    "MCE v44: non-covered procedure (conditional)",
                )
            } else if flag.starts_with("lcov") {
                (
                    "mce-limited-coverage",
                    format!("{} has limited coverage (MCE {flag})", p.code),
                    "MCE v44: limited coverage",
                )
            } else {
                continue;
            };
            out.push(Finding::new(
                rule,
                Severity::Warning,
                &[&p.code],
                message,
                source,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_age_groups_are_dated_as_the_mce_dates_them() {
        let ages = AgeRanges::load_bundled().unwrap();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(ages.range("maternity", d(2019, 9, 30)), Some((12, 55)));
        assert_eq!(ages.range("maternity", d(2019, 10, 1)), Some((9, 64)));
        assert_eq!(ages.range("pediatric", d(2026, 11, 1)), Some((0, 17)));
        assert_eq!(ages.range("adult", d(2026, 11, 1)), Some((15, 124)));
        assert_eq!(ages.range("newborn", d(2026, 11, 1)), Some((0, 0)));
        let bad = "age_group,start_age,end_age,start_date,end_date\nAdult,x,124,19840301,\n";
        assert_eq!(AgeRanges::parse("a.csv", bad).unwrap_err().line, 2);
    }
}
