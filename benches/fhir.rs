//! FHIR import rate: a Synthea-shaped collection Bundle of 20 MB imported
//! into a new database (synchronous=FULL, a transaction per chart), in
//! resources per second; beside it the naive baseline of reading the same
//! Bundle whole into a `serde_json::Value` (parsing only, nothing stored).

#[path = "../tests/common/fhir_gen.rs"]
mod fhir_gen;

use chartcoder::interchange::fhir;
use chartcoder::store::{Store, StoreOptions};
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bundle = dir.path().join("bundle.json");
    let (_, encounters, resources) = fhir_gen::write_bundle(&bundle, 20 * 1024 * 1024);
    let size = std::fs::metadata(&bundle).map(|m| m.len()).unwrap_or(0);

    let started = Instant::now();
    let file = std::fs::File::open(&bundle).expect("bundle");
    let whole: serde_json::Value =
        serde_json::from_reader(std::io::BufReader::new(file)).expect("parses");
    let naive = started.elapsed().as_secs_f64();
    drop(whole);

    let mut store =
        Store::open(&dir.path().join("bench.db"), &StoreOptions::default()).expect("store");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("date");
    let started = Instant::now();
    let report = fhir::import(&mut store, &bundle, "bench", today, &mut |_| {}).expect("import");
    let ours = started.elapsed().as_secs_f64();
    assert_eq!(report.charts, encounters);

    println!(
        "fhir import: {size} bytes, {resources} resources, {encounters} charts in {ours:.2} s: {:.0} resources/s ({:.0} charts/s)",
        resources as f64 / ours,
        encounters as f64 / ours
    );
    println!(
        "baseline, the bundle read whole into serde_json::Value (no store): {naive:.2} s, {:.0} resources/s; ours/baseline time {:.1}",
        resources as f64 / naive,
        ours / naive
    );
}
