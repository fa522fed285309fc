//! The JSON chart import at scale: `json::parse_charts` on generated files of
//! 1,000 to 19,000 charts (two documents of about 2.5 KB each: 19,000 charts is
//! about 110 MB, the size of the file that took 501 s before the fix), beside the
//! naive baseline measured in the same run.
//!
//!     cargo bench --bench import
//!
//! NAIVE BASELINE: the pre-fix structure of the parse, which counted each chart's
//! line from the start of the file (time grows with charts x file size): the
//! file split into raw charts, and per chart the newlines from the file start
//! counted and the chart parsed (into a `serde_json::Value`: the import's own
//! types are private). It does less per chart than ours (no checks, no domain
//! conversion), so the ratio understates the gain. It runs only at the smaller
//! sizes; nothing is extrapolated.

use chartcoder::interchange::json;
use chrono::NaiveDate;
use serde_json::value::RawValue;
use std::hint::black_box;
use std::time::{Duration, Instant};

const WORDS: [&str; 48] = [
    "patient",
    "admitted",
    "with",
    "acute",
    "on",
    "chronic",
    "systolic",
    "heart",
    "failure",
    "shortness",
    "of",
    "breath",
    "orthopnea",
    "bilateral",
    "lower",
    "extremity",
    "edema",
    "diuresed",
    "intravenous",
    "furosemide",
    "creatinine",
    "rose",
    "to",
    "baseline",
    "echo",
    "ejection",
    "fraction",
    "percent",
    "history",
    "type",
    "2",
    "diabetes",
    "hyperglycemia",
    "insulin",
    "hypertension",
    "chronic",
    "kidney",
    "disease",
    "stage",
    "3a",
    "atrial",
    "fibrillation",
    "anticoagulated",
    "apixaban",
    "discharged",
    "home",
    "follow",
    "up",
];

/// A deterministic word stream (SplitMix64), so every run reads the same file.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// About `bytes` of note text, in sentences and paragraphs (JSON-escaped).
fn note(rng: &mut Rng, bytes: usize) -> String {
    let mut out = String::with_capacity(bytes + 64);
    let mut words = 0;
    while out.len() < bytes {
        out.push_str(WORDS[(rng.next() % WORDS.len() as u64) as usize]);
        words += 1;
        if words % 14 == 0 {
            out.push_str(if words % 70 == 0 { ".\\n\\n" } else { ". " });
        } else {
            out.push(' ');
        }
    }
    out
}

/// An import file of `n` charts, pretty-printed as an export is; with
/// `bad_last`, the last chart's admit date is impossible (2026-02-30).
fn generate(n: usize, bad_last: bool) -> String {
    let mut rng = Rng(42);
    let mut out = String::from("{\"charts\": [\n");
    for i in 0..n {
        let admit = if bad_last && i + 1 == n {
            "2026-02-30"
        } else {
            "2026-03-01"
        };
        let (hp, ds) = (note(&mut rng, 2_500), note(&mut rng, 2_500));
        out.push_str(&format!(
            r#"  {{
    "account": "A{i:07}",
    "mrn": "M{i:07}",
    "status": "ready",
    "patient": {{"name": "Patient {i}", "birth_date": "1950-01-02", "sex": "F"}},
    "encounter": {{
      "type": "inpatient",
      "admit_date": "{admit}",
      "discharge_date": "2026-03-04",
      "disposition": "01",
      "attending": "Dr. A"
    }},
    "documents": [
      {{"kind": "history_physical", "author": "Dr. A", "date": "2026-03-01", "text": "{hp}"}},
      {{"kind": "discharge_summary", "author": "Dr. A", "date": "2026-03-04", "text": "{ds}"}}
    ],
    "diagnoses": [{{"code": "I50.23", "poa": "Y"}}, {{"code": "E11.65", "poa": "Y"}}],
    "procedures": [{{"code": "99223", "system": "cpt", "units": 1, "pointers": ["A"]}}]
  }}{}
"#,
            if i + 1 == n { "" } else { "," }
        ));
    }
    out.push_str("]}\n");
    out
}

/// NAIVE BASELINE (see the top of the file): each chart's line counted from the
/// start of the file.
fn naive_parse(text: &str) -> usize {
    #[derive(serde::Deserialize)]
    struct FileIn<'a> {
        #[serde(borrow)]
        charts: Vec<&'a RawValue>,
    }
    let file: FileIn<'_> = serde_json::from_str(text).unwrap();
    let mut lines = 0;
    for raw in &file.charts {
        let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
        let line = text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        let chart: serde_json::Value = serde_json::from_str(raw.get()).unwrap();
        black_box(&chart);
        lines += line;
    }
    lines
}

/// The shortest of `runs` runs.
fn best(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

fn main() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    println!(
        "JSON import, generated charts (2 documents of ~2.5 KB each); times in ms, the best of \
         3 runs (1 for the naive baseline)"
    );
    println!(
        "{:>7} {:>7} | {:>10} {:>12} | {:>10} {:>10}",
        "charts", "MB", "ours ok", "ours bad end", "naive", "naive/ours"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for n in [1_000, 2_000, 4_000, 19_000] {
        let good = generate(n, false);
        let bad = generate(n, true);
        let ours = best(3, || {
            let charts = json::parse_charts_on(good.as_bytes(), today).unwrap();
            assert_eq!(charts.len(), n);
            black_box(charts);
        });
        let ours_bad = best(3, || {
            let problems = json::parse_charts_on(bad.as_bytes(), today).unwrap_err();
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].field.as_deref(), Some("encounter.admit_date"));
            black_box(problems);
        });
        let naive = (n <= 4_000).then(|| best(1, || assert!(naive_parse(&good) > n)));
        let mb = good.len() as f64 / 1e6;
        match naive {
            Some(naive) => println!(
                "{n:>7} {mb:>7.1} | {:>10.1} {:>12.1} | {:>10.1} {:>9.1}x",
                ms(ours),
                ms(ours_bad),
                ms(naive),
                ms(naive) / ms(ours).max(1e-6)
            ),
            None => println!(
                "{n:>7} {mb:>7.1} | {:>10.1} {:>12.1} | {:>10} {:>10}",
                ms(ours),
                ms(ours_bad),
                "not run",
                "-"
            ),
        }
    }
}
