//! Present on admission (inpatient). Source: ICD-10-CM Official Guidelines,
//! Appendix I; CMS POA indicator reporting (values Y, N, U, W, and 1/blank for
//! exempt codes). The exempt list is not bundled: it is read from the file the
//! configuration names (`edits.poa_exempt_file`).

use super::{Facts, Finding, Rules, Severity};
use crate::domain::{CodeSystem, Poa};

const SOURCE: &str = "ICD-10-CM Official Guidelines, Appendix I (POA reporting)";

pub(crate) fn check(rules: &Rules, facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let exempt_list = rules.site.poa_exempt.as_ref();
    for d in &facts.chart.diagnoses {
        if d.system != CodeSystem::Icd10Cm {
            continue;
        }
        let code = d.code.as_str();
        let exempt = exempt_list.map(|l| l.contains(&crate::codeset::code_key(code)));
        match (d.poa, exempt) {
            // Exempt codes are reported blank (or 1 on the UB-04's 5010 format).
            (None | Some(Poa::Exempt), Some(true)) => {}
            (Some(p), Some(true)) => out.push(Finding::new(
                "poa-exempt",
                Severity::Info,
                &[code],
                format!(
                    "{code} is exempt from POA reporting: {} is not needed (leave it blank)",
                    p.as_str()
                ),
                SOURCE,
            )),
            (None, _) => out.push(Finding::new(
                "poa-missing",
                Severity::Error,
                &[code],
                format!("{code} has no POA indicator (Y N U W, or 1 if exempt)"),
                SOURCE,
            )),
            (Some(Poa::Exempt), Some(false)) => out.push(Finding::new(
                "poa-not-exempt",
                Severity::Error,
                &[code],
                format!("{code} is not on the POA exempt list: report Y, N, U or W"),
                SOURCE,
            )),
            (Some(Poa::Unknown), _) => out.push(Finding::new(
                "poa-unknown",
                Severity::Warning,
                &[code],
                format!(
                    "{code} POA U: the documentation is insufficient to say; query the physician"
                ),
                SOURCE,
            )),
            _ => {}
        }
    }
}

/// A POA value that is not one of the POA values, as a claim may carry it
/// (`chartcoder validate FILE`): an error naming the diagnosis and the values
/// allowed, in the words the import refuses it with. `None` for a valid value.
pub fn invalid_value(code: &str, value: &str) -> Option<Finding> {
    let e = value.trim().parse::<Poa>().err()?;
    Some(Finding::new(
        "poa-invalid",
        Severity::Error,
        &[code],
        format!("{code}: POA {e}, or blank if exempt"),
        SOURCE,
    ))
}
